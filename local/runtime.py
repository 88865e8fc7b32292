"""The local Lambda runtime: each function of the template is a pool of containers, and each
container is a process of its own (forked by ``local.zygote``), serving one request at a time.

As in Lambda, a container imports its handler module and the layer into its own memory, so module
state — the layer's caches and clients included — is never shared between two containers of one
function, nor between two functions. Concurrent requests get more containers; a container whose
init fails reports the error on the invocation; a container that dies is replaced. A handler that
runs past its template ``Timeout`` is reported (its result still returned: a local machine is
slower than Lambda, so the warning is the signal, not a failure).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from local import template
from local.console import emit
from local.processes import Container, FunctionError, Zygote, await_reply

WARM_CONTAINERS = int(os.environ.get("LOCAL_WARM_CONTAINERS", "4"))  # idle containers kept per function


@dataclass
class Invocation:
    result: Any
    error: FunctionError | None
    milliseconds: float
    calls: list[str] = field(default_factory=list)


def function_settings(logical_id: str) -> tuple[float, int]:
    """(timeout seconds, memory MB) from the function's properties or the template's Globals."""
    loaded = template.load_template()
    globals_ = ((loaded.get("Globals") or {}).get("Function")) or {}
    props = loaded["Resources"].get(logical_id, {}).get("Properties") or {}
    timeout = props.get("Timeout", globals_.get("Timeout", 3))
    memory = props.get("MemorySize", globals_.get("MemorySize", 128))
    return (float(timeout) if isinstance(timeout, int | float) else 3.0,
            int(memory) if isinstance(memory, int) else 128)


class LocalFunction:
    """One function of the template, run like Lambda runs it: a pool of single-request containers."""

    def __init__(self, spec: template.Function, zygote: Zygote) -> None:
        self.spec = spec
        self.name = spec.logical_id
        self.timeout, self.memory = function_settings(spec.logical_id)
        self._zygote = zygote
        self._idle: list[Container] = []
        self._busy: set[Container] = set()
        self._lock = threading.Lock()
        self.started = 0  # containers started so far (cold starts)

    @property
    def containers(self) -> int:
        with self._lock:
            return len(self._idle) + len(self._busy)

    def pids(self) -> list[int]:
        """The process ids of this function's containers (idle and busy)."""
        with self._lock:
            return [container.pid for container in (*self._idle, *self._busy)]

    def _start(self) -> Container:
        try:
            conn, pid = self._zygote.fork({"module": self.spec.module_name, "handler": self.spec.handler_name,
                                           "function": self.name, "memory": self.memory, "timeout": self.timeout})
        except RuntimeError as exc:  # no container could start: the invocation fails, as in Lambda
            raise FunctionError("Runtime.Unavailable", str(exc)) from exc
        container = Container(conn, pid)
        try:
            reply = await_reply(conn, f"a container of {self.name}")
        except (RuntimeError, EOFError, OSError) as exc:
            container.stop()
            container.kill()
            raise FunctionError("Runtime.InitError", str(exc)) from exc
        if reply[0] != "ready":
            container.stop()
            raise FunctionError.of(reply[1])
        with self._lock:
            self.started += 1
        return container

    def _acquire(self) -> Container:
        with self._lock:
            while self._idle:
                container = self._idle.pop()
                if container.alive:
                    self._busy.add(container)
                    return container
        container = self._start()
        with self._lock:
            self._busy.add(container)
        return container

    def _release(self, container: Container) -> None:
        with self._lock:
            self._busy.discard(container)
            if container.alive and len(self._idle) < WARM_CONTAINERS:
                self._idle.append(container)
                return
        container.stop()

    def invoke(self, event: dict[str, Any]) -> Invocation:
        """Run the handler on one event in one of this function's containers."""
        started = time.perf_counter()
        try:
            container = self._acquire()
        except FunctionError as exc:  # an init error: Lambda reports it as a function error
            return Invocation(None, exc, (time.perf_counter() - started) * 1000)
        try:
            result, error, calls = container.invoke(event)
        finally:
            self._release(container)
        elapsed = (time.perf_counter() - started) * 1000
        if elapsed > self.timeout * 1000:
            emit(f"WARNING {self.name} ran {elapsed:.0f} ms; Lambda would have stopped it at "
                 f"{self.timeout:.0f} s")
        return Invocation(result, error, elapsed, calls)

    def stop(self) -> None:
        with self._lock:
            idle, busy = list(self._idle), list(self._busy)
            self._idle.clear()
            self._busy.clear()
        for container in idle:
            container.stop()
        for container in busy:  # a request still running at shutdown: Lambda would freeze it
            container.kill()


class Runtime:
    """Every function of the template, by logical id, with one zygote forking their containers."""

    def __init__(self, specs: Iterable[template.Function] | None = None) -> None:
        self._zygote = Zygote()
        self.functions = {spec.logical_id: LocalFunction(spec, self._zygote)
                          for spec in (specs if specs is not None else template.functions())}

    def __getitem__(self, logical_id: str) -> LocalFunction:
        return self.functions[logical_id]

    def preload(self, logical_ids: Iterable[str] | None = None) -> dict[str, FunctionError]:
        """Import every handler once, in a throwaway container, so init errors show at start;
        returns the ones that failed (they answer 500 when called)."""
        chosen = [self.functions[logical_id] for logical_id in
                  (logical_ids if logical_ids is not None else self.functions)]
        conn, _pid = self._zygote.fork({"function": "preload", "check": [
            [function.name, function.spec.module_name, function.spec.handler_name] for function in chosen]})
        with conn:
            reply = await_reply(conn, "the import check")
        return {logical_id: FunctionError.of(info) for logical_id, info in reply[1].items()}

    def start_preload(self) -> Callable[[], dict[str, FunctionError]]:
        """:meth:`preload` in the background (the server starts meanwhile); call the result to wait
        for its failures. An error of the check itself is raised there."""
        outcome: dict[str, Any] = {}

        def check() -> None:
            try:
                outcome["failures"] = self.preload()
            except Exception as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=check, name="preload", daemon=True)
        thread.start()

        def wait() -> dict[str, FunctionError]:
            thread.join()
            if "error" in outcome:
                raise outcome["error"]
            failures: dict[str, FunctionError] = outcome["failures"]
            return failures

        return wait

    @property
    def zygote_pid(self) -> int:
        return self._zygote.pid

    def close(self) -> None:
        """Stop every container and the zygote; nothing is left running."""
        for function in self.functions.values():
            function.stop()
        self._zygote.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
