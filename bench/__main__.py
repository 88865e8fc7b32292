"""Run the benchmark: `python -m bench` (or `make bench`). Prints a table and writes
bench/results.json.

* DynamoDB calls per operation, counted through botocore events on a warm container.
* Handler overhead: wall time of an invocation minus the time spent inside DynamoDB calls.
* Cold import of every handler module in a fresh interpreter, against a baseline measured in the
  same run: a fresh interpreter importing boto3 and serving one trivial pydantic-validated route
  with APIGatewayHttpResolver(enable_validation=True).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
IMPORT_RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "5"))

BASELINE = """
import time
t0 = time.perf_counter()
import boto3
from pydantic import BaseModel
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
app = APIGatewayHttpResolver(enable_validation=True)
class Item(BaseModel):
    name: str
@app.post("/items")
def create(item: Item) -> dict:
    return {"name": item.name}
event = {"version": "2.0", "routeKey": "POST /items", "rawPath": "/items", "rawQueryString": "",
         "headers": {"content-type": "application/json"}, "body": '{"name": "x"}', "isBase64Encoded": False,
         "requestContext": {"http": {"method": "POST", "path": "/items", "sourceIp": "127.0.0.1"},
                            "stage": "$default"}}
assert app.resolve(event, None)["statusCode"] == 200
print(time.perf_counter() - t0)
"""

HANDLER = """
import sys, time
sys.path[:0] = [{layer!r}, {root!r}]
t0 = time.perf_counter()
import boto3
import {module}
print(time.perf_counter() - t0)
"""


def _environment() -> None:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
    os.environ["TABLE_NAME"] = "clientele-bench"
    os.environ["CURSOR_SIGNING_KEY"] = "bench"
    os.environ["POWERTOOLS_LOG_LEVEL"] = "ERROR"
    os.environ.pop("PROVISIONER_FUNCTION", None)
    for path in (str(ROOT / "layers" / "core"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure_operations() -> list[dict[str, Any]]:
    import boto3
    from moto import mock_aws

    from bench.scenarios import SCENARIOS
    from clientele import aws
    from local import template
    from local.invoke import Api

    results = []
    with mock_aws():
        boto3.client("dynamodb").create_table(TableName=os.environ["TABLE_NAME"], **template.table_definition())
        api = Api()
        client = aws.dynamodb()
        ddb_time = [0.0]
        started: list[float] = []
        client.meta.events.register("before-call.dynamodb", lambda **_: started.append(time.perf_counter()))
        client.meta.events.register(
            "after-call.dynamodb", lambda **_: ddb_time.__setitem__(0, ddb_time[0] + time.perf_counter() - started.pop())
        )
        state: dict[str, Any] = {}
        for scenario in SCENARIOS:
            overheads: list[float] = []
            calls: list[str] = []
            for _ in range(ROUNDS):
                prepared = {**state, **scenario.prepare(api, state)}
                ddb_time[0] = 0.0
                counted = aws.start_counting_dynamodb_calls()
                began = time.perf_counter()
                reply = scenario.run(api, prepared)
                elapsed = time.perf_counter() - began
                assert reply.status == scenario.expect, (scenario.name, reply.status, reply.body)
                overheads.append((elapsed - ddb_time[0]) * 1000)
                calls = list(counted)
            results.append({
                "operation": scenario.name,
                "dynamodbCalls": len(calls),
                "calls": calls,
                "target": scenario.target,
                "overheadMsP50": round(statistics.median(overheads), 3),
                "overheadMsP95": round(_percentile(overheads, 0.95), 3),
            })
    return results


def _timed(script: str) -> float:
    runs = []
    for _ in range(IMPORT_RUNS):
        output = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True,
                                cwd=ROOT, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "0"})
        runs.append(float(output.stdout.strip().splitlines()[-1]))
    # The minimum is the run least disturbed by other work on the machine (as timeit advises).
    return min(runs)


def measure_cold_imports() -> dict[str, Any]:
    from local import template

    baseline = _timed(BASELINE)
    modules = sorted({fn.module_name for fn in template.functions()})
    handlers = []
    for module in modules:
        seconds = _timed(HANDLER.format(layer=str(ROOT / "layers" / "core"), root=str(ROOT), module=module))
        handlers.append({"module": module, "ms": round(seconds * 1000, 1), "ratio": round(seconds / baseline, 3)})
    return {"baselineMs": round(baseline * 1000, 1), "handlers": handlers}


def main() -> None:
    _environment()
    operations = measure_operations()
    imports = measure_cold_imports()
    heaviest = max(imports["handlers"], key=lambda h: h["ratio"])
    RESULTS.write_text(json.dumps({"operations": operations, "coldImports": imports,
                                   "heaviestImportRatio": heaviest["ratio"]}, indent=2) + "\n")

    print(f"\nDynamoDB calls and handler overhead per operation (warm container, {ROUNDS} rounds)")
    print(f"{'operation':32} {'calls':>5}  {'target':18} {'p50 ms':>7} {'p95 ms':>7}  calls made")
    for row in operations:
        print(f"{row['operation']:32} {row['dynamodbCalls']:>5}  {row['target']:18} {row['overheadMsP50']:>7.2f} "
              f"{row['overheadMsP95']:>7.2f}  {', '.join(row['calls'])}")
    print(f"\nCold import (best of {IMPORT_RUNS} fresh interpreters); baseline boto3 + trivial validated "
          f"route: {imports['baselineMs']} ms")
    for handler in sorted(imports["handlers"], key=lambda h: -h["ratio"]):
        print(f"  {handler['module']:44} {handler['ms']:>7.1f} ms  {handler['ratio']:.2f}x")
    print(f"\nheaviest handler: {heaviest['module']} at {heaviest['ratio']:.2f}x the baseline (target <= 1.30x)")
    print(f"results written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
