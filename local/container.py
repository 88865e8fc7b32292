"""Inside one local Lambda container: a process forked from the zygote (``local.zygote``) that
imports its function's handler module — and with it its own copy of the layer — and then serves
one invocation at a time over a connection to the gateway's process, as the Lambda runtime does.

Nothing here imports ``clientele`` or ``functions`` at module level: the zygote imports this module
before forking, and whatever it held would be shared by every container.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from multiprocessing.connection import Client, Connection
from typing import Any

from local.events import LambdaContext

ErrorInfo = tuple[str, str, str]  # (error type, message, traceback text)


def describe(error: BaseException) -> ErrorInfo:
    return type(error).__name__, str(error), "".join(traceback.format_exception(error))


def _load(module_name: str, handler_name: str) -> Any:
    return getattr(importlib.import_module(module_name), handler_name)


def _counter() -> Any:
    """The layer's DynamoDB call counter (``clientele.aws``), for the request log; None for a
    handler that does not use the layer."""
    aws = sys.modules.get("clientele.aws")
    return getattr(aws, "start_counting_dynamodb_calls", None)


def serve(address: str, authkey: bytes, request: dict[str, Any]) -> int:
    """Connect back to the gateway, run the function's init, then invoke until told to stop."""
    conn = Client(address, family="AF_UNIX", authkey=authkey)
    conn.send(("hello", request["id"], os.getpid()))
    if "check" in request:
        return _check(conn, request["check"])
    try:
        handler = _load(request["module"], request["handler"])
    except BaseException as exc:  # an init error: Lambda reports it on the invocation
        conn.send(("init_error", describe(exc)))
        return 1
    conn.send(("ready",))
    count = _counter()
    while True:
        try:
            event = conn.recv()
        except (EOFError, OSError):  # the gateway went away
            return 0
        if event is None:
            return 0
        _invoke(conn, handler, event, request, count)


def _invoke(conn: Connection, handler: Any, event: Any, request: dict[str, Any], count: Any) -> None:
    calls: list[str] = count() if count is not None else []
    context = LambdaContext(request["function"], request["memory"], request["timeout"])
    try:
        reply: tuple[Any, ...] = ("ok", handler(event, context), list(calls))
    except Exception as exc:
        reply = ("error", describe(exc), list(calls))
    try:
        conn.send(reply)
    except Exception as exc:  # a result that cannot travel (Lambda would fail to serialise it too)
        conn.send(("error", describe(exc), list(calls)))


def _check(conn: Connection, functions: list[list[str]]) -> int:
    """Import every handler once, in this throwaway process, so init errors show at start."""
    failures: dict[str, ErrorInfo] = {}
    for logical_id, module_name, handler_name in functions:
        try:
            _load(module_name, handler_name)
        except BaseException as exc:
            failures[logical_id] = describe(exc)
    conn.send(("checked", failures))
    return 0
