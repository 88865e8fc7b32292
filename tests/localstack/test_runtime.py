"""The local runtime runs each function container in a process of its own (local/runtime.py), so
module state of the layer is as private to a container as it is in Lambda."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from local import template
from local.polling import eventually
from local.runtime import Runtime


def _probe(logical_id: str, handler: str) -> template.Function:
    return template.Function(logical_id, "tests/localstack", handler)


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    with Runtime([_probe("First", "probe.remember"), _probe("Second", "probe.remember"),
                  _probe("Failing", "probe.fail"), _probe("Broken", "broken_init.handler")]) as started:
        yield started


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, IndexError):
        return False
    return fields[0] != "Z"


def test_two_functions_do_not_share_module_state_of_the_layer(runtime: Runtime) -> None:
    assert runtime["First"].invoke({"org": "first"}).result == {"orgs": ["first"]}
    assert runtime["Second"].invoke({"org": "second"}).result == {"orgs": ["second"]}


def test_two_containers_of_one_function_do_not_share_module_state_of_the_layer(runtime: Runtime) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(lambda org: runtime["First"].invoke({"org": org, "pause": 1.0}), ["one", "two"]))
    assert [reply.result for reply in replies] == [{"orgs": ["one"]}, {"orgs": ["two"]}]
    assert runtime["First"].started == 2


def test_a_warm_container_keeps_its_own_module_state_between_requests(runtime: Runtime) -> None:
    runtime["First"].invoke({"org": "earlier"})
    assert runtime["First"].invoke({"org": "later"}).result == {"orgs": ["earlier", "later"]}
    assert runtime["First"].started == 1


def test_a_handler_error_is_a_function_error_and_the_container_serves_on(runtime: Runtime) -> None:
    failed = runtime["Failing"].invoke({})
    assert failed.error is not None
    assert (failed.error.error_type, str(failed.error)) == ("LookupError", "the probe failed on purpose")
    assert "probe.py" in failed.error.trace
    assert runtime["Failing"].invoke({}).error is not None
    assert runtime["Failing"].started == 1


def test_an_init_error_is_reported_on_the_invocation(runtime: Runtime) -> None:
    invocation = runtime["Broken"].invoke({})
    assert invocation.error is not None
    assert (invocation.error.error_type, str(invocation.error)) == ("ImportError",
                                                                    "this module fails to import on purpose")


def test_preload_names_the_functions_whose_init_fails(runtime: Runtime) -> None:
    failures = runtime.preload()
    assert list(failures) == ["Broken"]
    assert failures["Broken"].error_type == "ImportError"


def test_closing_the_runtime_leaves_no_process_behind() -> None:
    runtime = Runtime([_probe("First", "probe.remember")])
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda org: runtime["First"].invoke({"org": org, "pause": 0.5}), ["a", "b", "c"]))
    pids = runtime["First"].pids()
    zygote = runtime.zygote_pid
    assert len(pids) == 3 and all(_running(pid) for pid in pids)
    runtime.close()
    assert not _running(zygote)
    # A container exits when its connection closes, within moments; a failure names those still running.
    eventually(lambda: [pid for pid in pids if _running(pid)], [])
