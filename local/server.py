"""``python -m local.server`` (``make dev``): the whole system on http://127.0.0.1:$PORT.

This process holds an embedded moto server (every request serialised, see ``local.dynamodb``)
with the table and event bus built from template.yaml; the HTTP API gateway (``local.gateway``)
whose routes, auth and CORS come from the template; and the background workers that stand in for
event source mappings (``local.streams``, ``local.jobs``). The very handler modules Lambda runs run
in containers of their own: one process each, forked by a zygote (``local.runtime``), so no two
containers or functions share module state, as in Lambda. They reach moto over HTTP.

Environment: PORT (default 3000), HOST (default 127.0.0.1), LOCAL_JWT_SECRET (default
local-dev-secret), TABLE_NAME, EVENT_BUS_NAME. Stop with Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from local import dynamodb, resources, token
from local.console import emit
from local.gateway import Gateway
from local.jobs import EventBridgeJobs
from local.processes import FunctionError
from local.queues import SqsEventSources
from local.runtime import Runtime
from local.streams import StreamPoller, Worker

DEFAULTS = {
    "TABLE_NAME": "clientele-local",
    "EVENT_BUS_NAME": "clientele-local-bus",
    "LOCAL_JWT_SECRET": token.DEFAULT_SECRET,
    "CURSOR_SIGNING_KEY": "local-dev-cursor-signing-key-not-for-production",
    "QBO_WEBHOOK_VERIFIER_TOKEN": "local-verifier-token",
    # Set here, not where the jobs create the bucket: containers inherit the environment the zygote
    # started with, so everything a handler reads must be in place before the runtime starts.
    "IMPORTS_BUCKET": "clientele-local-imports",
    "POWERTOOLS_SERVICE_NAME": "clientele",
    "POWERTOOLS_METRICS_NAMESPACE": "Clientele",
    # Handlers' JSON logs and EMF metrics would drown the one-line request log; raise the level
    # (POWERTOOLS_LOG_LEVEL=INFO make dev) to see them.
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    # SPEC §11: the local stack alone may deliver webhooks to http://127.0.0.1:<port> and http://localhost:<port>
    # (template.yaml never sets it, so in AWS webhooks go to public https addresses only).
    "WEBHOOK_ALLOW_LOCAL_HTTP": "true",
    # The embedded moto serves one request at a time (local/dynamodb.py): under a burst of concurrent
    # requests on a loaded machine a call may queue for longer than the 5 s a call to DynamoDB gets in
    # AWS, and a handler would answer 503 for a store that is only slow.
    "CLIENT_READ_TIMEOUT_SECONDS": "60",
}

# Set per function in AWS; the local containers inherit this process's one environment, so the
# code path without them is used:
# CURSOR_KEY_SECRET (the key comes from CURSOR_SIGNING_KEY here) and PROVISIONER_FUNCTION (the
# read-only functions provision an org directly instead of invoking the provisioning function).
UNSET = ("CURSOR_KEY_SECRET", "PROVISIONER_FUNCTION")


class _QuietHandler(WSGIRequestHandler):
    """werkzeug's request handler without its access log (the gateway logs each request itself)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def configure_environment() -> None:
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    for name in UNSET:
        os.environ.pop(name, None)


def _greeting(url: str, aws_endpoint: str, poller: StreamPoller, failures: dict[str, FunctionError],
              routes: int, started: float) -> str:
    admin = token.mint("acme", "admin", hours=12)
    lines = [
        "",
        f"Clientele local stack — ready in {time.perf_counter() - started:.1f} s",
        "",
        f"  API          {url}   ({routes} routes from template.yaml)",
        f"  OpenAPI      GET {url}/openapi.json",
        f"  Health       GET {url}/health",
        f"  DynamoDB     {aws_endpoint}   (embedded moto; table {os.environ['TABLE_NAME']}, "
        f"bus {os.environ['EVENT_BUS_NAME']})",
        f"  Streams      {poller.describe()}",
        "",
        "  Admin token for org 'acme' (valid 12 h):",
        f"    {admin}",
        "",
        f"  Try:   curl -H 'Authorization: Bearer <token>' {url}/customers",
        "  Other tokens:  make token ORG=<org> ROLE=admin|editor|viewer|integration",
        "  Stop:  Ctrl-C",
        "",
    ]
    for name, error in failures.items():
        lines.append(f"  WARNING {name} failed to import ({error.error_type}: {error}); "
                     "its routes answer 500")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 3000))
    args = parser.parse_args(argv)
    started = time.perf_counter()

    stop = threading.Event()
    signals = {"count": 0}

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        signals["count"] += 1
        if signals["count"] > 1:  # a second Ctrl-C: do not wait for anything
            os._exit(130)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    configure_environment()
    embedded = dynamodb.EmbeddedAws()
    aws_endpoint = embedded.start()
    dynamodb.point_clients_at(aws_endpoint)  # before the zygote starts: containers inherit it
    os.environ.update(resources.environment(aws_endpoint))  # the template's queues and keys, by their local names

    workers: list[Worker] = []
    server: BaseWSGIServer | None = None
    serving: threading.Thread | None = None
    runtime: Runtime | None = None
    try:
        runtime = Runtime()  # the zygote imports its libraries while the table is being created
        checked = runtime.start_preload()
        dynamodb.create_resources(aws_endpoint, os.environ["TABLE_NAME"], os.environ["EVENT_BUS_NAME"])
        resources.create(aws_endpoint)
        gateway = Gateway(runtime)
        try:
            server = make_server(args.host, args.port, gateway, threaded=True, request_handler=_QuietHandler)
        except (OSError, SystemExit):  # werkzeug reports a busy port itself and exits
            emit(f"Cannot listen on {args.host}:{args.port}; try another port: PORT={args.port + 1} make dev")
            return 2
        serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                   name="gateway", daemon=True)
        serving.start()
        poller = StreamPoller(runtime, {"Table": os.environ["TABLE_NAME"]})
        workers.append(poller)
        workers.append(EventBridgeJobs(runtime))  # S3 → EventBridge → SQS → the job handlers
        workers.append(SqsEventSources(runtime, aws_endpoint))  # the template's SQS event sources (webhooks)
        for worker in workers:
            worker.start()

        failures = checked()
        url = f"http://{args.host}:{server.server_port}"
        routes = sum(len(fn.spec.routes) for fn in runtime.functions.values())
        emit(_greeting(url, aws_endpoint, poller, failures, routes, started))

        while not stop.wait(0.2):
            if not serving.is_alive():
                emit("The gateway stopped unexpectedly.")
                return 1
        emit("Stopping…")
        return 0
    finally:
        _shutdown(server, serving, workers, runtime, embedded)


def _shutdown(server: BaseWSGIServer | None, serving: threading.Thread | None, workers: list[Any],
              runtime: Runtime | None, embedded: dynamodb.EmbeddedAws) -> None:
    if server is not None:
        if serving is not None:
            server.shutdown()  # waits for serve_forever, so only when it was started
        server.server_close()
    for worker in reversed(workers):
        worker.stop()
    if runtime is not None:
        runtime.close()  # every container process and the zygote
    embedded.stop()
    emit("Stopped.")


if __name__ == "__main__":
    sys.exit(main())
