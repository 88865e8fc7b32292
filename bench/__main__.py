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
    os.environ["EVENT_BUS_NAME"] = "clientele-bench-bus"
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
        boto3.client("events").create_event_bus(Name=os.environ["EVENT_BUS_NAME"])  # derived-read scenarios
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


STREAM_CUSTOMERS = int(os.environ.get("BENCH_STREAM_CUSTOMERS", "300"))


def _stream_workload(api: Any) -> None:
    """Customers (a third with a parent, each with emails and a phone), projects, orders, edits."""
    import random

    from clientele.services import orgs

    rng = random.Random(4)
    org = "bench-stream"
    type_id = orgs.ensure_provisioned(org).ordered("type")[1]["id"]
    customers: list[str] = []
    for n in range(STREAM_CUSTOMERS):
        body = {"companyName": f"Stream {n}", "customerTypeId": type_id, "emails": f"a{n}@x.test, b{n}@x.test",
                "phones": f"+1 212 555 {n % 10000:04d}", "accountState": rng.choice(["active", "growth"])}
        if customers and n % 3 == 0:
            body["parentCustomerId"] = rng.choice(customers)
        customers.append(api.post("/customers", body, org=org).body["id"])
    projects = {cid: api.post(f"/customers/{cid}/projects", {"name": "P"}, org=org).body["id"]
                for cid in customers[: STREAM_CUSTOMERS // 5]}
    for n, cid in enumerate(customers):
        order = {"customerId": cid, "customerProjectId": projects.get(cid),
                 "lines": [{"description": "x", "quantity": 2, "unitPrice": "10.05"}]}
        created = api.post("/sales-orders", order, org=org).body
        if n % 2:
            api.patch(f"/sales-orders/{created['id']}", {"status": "confirmed"}, headers={"If-Match": '"1"'}, org=org)
        if n % 3 == 0:
            api.patch(f"/customers/{cid}", {"emails": f"c{n}@x.test"}, headers={"If-Match": '"1"'}, org=org)


def measure_stream() -> dict[str, Any]:
    """Stream processor throughput on the CPU side (time inside DynamoDB/EventBridge calls excluded,
    since moto's cost is not AWS's) and the DynamoDB work per 100 records, batches of 100."""
    import importlib

    import boto3
    from moto import mock_aws

    from clientele import aws
    from local import template
    from local.dynamodb import install_transaction_rollback
    from local.events import LambdaContext
    from local.invoke import Api
    from local.streams import lambda_record, matches, stream_mappings

    with mock_aws():
        undo = install_transaction_rollback()
        boto3.client("dynamodb").create_table(TableName=os.environ["TABLE_NAME"], **template.table_definition())
        boto3.client("events").create_event_bus(Name=os.environ["EVENT_BUS_NAME"])
        api = Api()
        _stream_workload(api)
        streams = boto3.client("dynamodbstreams")
        arn = boto3.client("dynamodb").describe_table(TableName=os.environ["TABLE_NAME"])["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        filters = next(m for m in stream_mappings() if m.function == "StreamProcessorFunction").filters
        records: list[dict[str, Any]] = []
        position = iterator["ShardIterator"]
        while position:
            reply = streams.get_records(ShardIterator=position, Limit=1000)
            position = reply.get("NextShardIterator")
            if not reply["Records"]:
                break
            records += [r for r in (lambda_record(raw, arn) for raw in reply["Records"])
                        if any(matches(p, r) for p in filters)]

        spec = next(fn for fn in template.functions() if fn.logical_id == "StreamProcessorFunction")
        handler = spec.load()
        processor = importlib.import_module(spec.module_name).processor
        outside = [0.0]
        started: list[float] = []
        for client in (aws.dynamodb(), aws.client("events")):
            service = client.meta.service_model.service_name
            client.meta.events.register(f"before-call.{service}", lambda **_: started.append(time.perf_counter()))
            client.meta.events.register(f"after-call.{service}", lambda **_: outside.__setitem__(
                0, outside[0] + time.perf_counter() - started.pop()))
        calls = aws.start_counting_dynamodb_calls()
        item_writes = 0
        began = time.perf_counter()
        for start in range(0, len(records), 100):
            response = handler({"Records": records[start:start + 100]}, LambdaContext(timeout_seconds=120))
            assert response == {"batchItemFailures": []}, response
            item_writes += processor.outcome.item_writes
        elapsed = time.perf_counter() - began
        undo()
    cpu = max(elapsed - outside[0], 1e-9)
    per_100 = 100 / len(records)
    return {"records": len(records), "cpuRecordsPerSecond": round(len(records) / cpu),
            "cpuMsPer100Records": round(cpu * 1000 * per_100, 1),
            "dynamodbCallsPer100Records": round(len(calls) * per_100, 1),
            "itemWritesPer100Records": round(item_writes * per_100, 1),
            "callMix": {name: calls.count(name) for name in sorted(set(calls))}}


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
    stream = measure_stream()
    imports = measure_cold_imports()
    heaviest = max(imports["handlers"], key=lambda h: h["ratio"])
    RESULTS.write_text(json.dumps({"operations": operations, "stream": stream, "coldImports": imports,
                                   "heaviestImportRatio": heaviest["ratio"]}, indent=2) + "\n")

    print(f"\nDynamoDB calls and handler overhead per operation (warm container, {ROUNDS} rounds)")
    print(f"{'operation':32} {'calls':>5}  {'target':18} {'p50 ms':>7} {'p95 ms':>7}  calls made")
    for row in operations:
        print(f"{row['operation']:32} {row['dynamodbCalls']:>5}  {row['target']:18} {row['overheadMsP50']:>7.2f} "
              f"{row['overheadMsP95']:>7.2f}  {', '.join(row['calls'])}")
    print(f"\nStream processor ({stream['records']} records, batches of 100): "
          f"{stream['cpuRecordsPerSecond']} records/s CPU side ({stream['cpuMsPer100Records']} ms per 100), "
          f"{stream['dynamodbCallsPer100Records']} DynamoDB calls and {stream['itemWritesPer100Records']} item writes "
          f"per 100 records ({', '.join(f'{k} x{v}' for k, v in stream['callMix'].items())})")
    print(f"\nCold import (best of {IMPORT_RUNS} fresh interpreters); baseline boto3 + trivial validated "
          f"route: {imports['baselineMs']} ms")
    for handler in sorted(imports["handlers"], key=lambda h: -h["ratio"]):
        print(f"  {handler['module']:44} {handler['ms']:>7.1f} ms  {handler['ratio']:.2f}x")
    print(f"\nheaviest handler: {heaviest['module']} at {heaviest['ratio']:.2f}x the baseline (target <= 1.30x)")
    print(f"results written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
