"""``python -m local.zygote``: the parent of every local Lambda container.

It imports the third-party libraries the functions use (boto3/botocore, pydantic, Powertools) once,
and nothing of ``clientele`` or ``functions``; then, for each line the gateway writes to its stdin,
it forks a container (``local.container.serve``). A container starts in a fraction of a cold
interpreter's time, yet imports its handler and the layer into memory of its own, as a Lambda
container does — so state at module level (caches, clients) is never shared between containers
or functions.

The first stdin line is the setup (``{"address", "authkey"}``); the zygote exits when stdin
closes, and dies with the gateway's process (and its containers with it) on Linux.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PRELOAD = (
    "boto3",
    "botocore.session",
    "botocore.config",
    "pydantic",
    "aws_lambda_powertools",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.idempotency",
)
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies, so nothing outlives the server."""
    expected_parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (AttributeError, OSError):  # not Linux: the closed pipes end us instead
        return
    if os.getppid() != expected_parent:  # the parent died before the request took effect
        os._exit(1)


def _fork(setup: dict[str, Any], request: dict[str, Any]) -> None:
    if os.fork():
        return
    code = 1
    try:
        die_with_parent()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)  # the zygote's commands are not the container's
        from local.container import serve

        code = serve(setup["address"], bytes.fromhex(setup["authkey"]), request)
    except BaseException as exc:
        sys.stderr.write(f"local container {request.get('function')}: {type(exc).__name__}: {exc}\n")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> int:
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    for path in (ROOT / "layers" / "core", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    setup = json.loads(sys.stdin.readline() or "{}")
    if not setup:
        return 1
    for name in PRELOAD:
        importlib.import_module(name)
    import local.container  # noqa: F401 - imported once here, not in every container

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps exited containers
    for line in sys.stdin:
        if line.strip():
            _fork(setup, json.loads(line))
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # nothing to finalise: skip tearing down the preloaded libraries at shutdown
