"""Run the benchmark: `python -m bench` (or `make bench`). Prints a table and writes
bench/results.json.

* DynamoDB calls per operation, counted through botocore events on a warm container.
* Handler overhead: wall time of an invocation minus the time spent inside DynamoDB calls.
* Cold import of every handler module in a fresh interpreter, against a baseline measured in the
  same run: a fresh interpreter importing boto3 and serving one trivial pydantic-validated route
  with APIGatewayHttpResolver(enable_validation=True).
* The CSV import job: rows/s, DynamoDB calls per 1,000 rows, peak memory for two file sizes
  (bench/imports.py; `python -m bench.imports` measures only this).
* How soon derived data shows in the local stack after a write (bench/derived.py; `python -m
  bench.derived` measures only this).
* Deployment package size, unzipped: the layer (the distributions layers/core/requirements.txt names
  and everything they depend on, as installed in this virtualenv, plus layers/core/clientele, less what
  layers/core/prune.txt lists, as the layer build deletes it) and the largest function folder.
  `python -m bench package` measures only this.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from bench import environment

if TYPE_CHECKING:
    from local.invoke import Verbs

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
IMPORT_RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "7"))

# Import time is CPU time (``process_time``): on a shared machine wall time mostly measured what
# else was running (one run's baseline was 423 ms, the next 635 ms); a Lambda init is CPU-bound.
BASELINE = """
import time
t0 = time.process_time()
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
print(time.process_time() - t0)
"""

HANDLER = """
import sys, time
sys.path[:0] = [{layer!r}, {root!r}]
t0 = time.process_time()
import boto3
import {module}
print(time.process_time() - t0)
"""


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure_operations() -> list[dict[str, Any]]:
    from bench.scenarios import SCENARIOS
    from clientele import aws
    from local import in_process
    from local.invoke import Api

    results = []
    # The repairs matter here: moto's own rollback deep-copies the table per transaction, and the
    # stream-fed scenarios then grew past 20 GB of memory (see local/dynamodb.py).
    with in_process.moto(event_bus=True):  # the bus: derived-read scenarios run the stream processor
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


def _stream_workload(api: Verbs) -> None:
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

    from clientele import aws
    from local import in_process, template
    from local.events import LambdaContext
    from local.invoke import Api
    from local.streams import PROCESSOR, StreamReader

    with in_process.moto(event_bus=True) as table:
        api = Api()
        _stream_workload(api)
        records = StreamReader(table).read()

        spec = template.function(PROCESSOR)
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
    cpu = max(elapsed - outside[0], 1e-9)
    per_100 = 100 / len(records)
    return {"records": len(records), "cpuRecordsPerSecond": round(len(records) / cpu),
            "cpuMsPer100Records": round(cpu * 1000 * per_100, 1),
            "dynamodbCallsPer100Records": round(len(calls) * per_100, 1),
            "itemWritesPer100Records": round(item_writes * per_100, 1),
            "callMix": {name: calls.count(name) for name in sorted(set(calls))}}


LAMBDA_VENV = ROOT / ".venv-lambda"


def lambda_python() -> str:
    """An interpreter with what a deployed function has and nothing else: the layer's requirements
    and boto3 (the runtime's), pinned as in requirements-dev.txt. The dev virtualenv also holds moto,
    SAM CLI and pyOpenSSL, which botocore imports when present, so it would misstate both sides."""
    requirements = ROOT / "layers" / "core" / "requirements.txt"
    constraints = ROOT / "requirements-dev.txt"
    stamp = LAMBDA_VENV / ".installed"
    wanted = requirements.read_text() + constraints.read_text()
    if not stamp.exists() or stamp.read_text() != wanted:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(LAMBDA_VENV)], check=True)
        subprocess.run([str(LAMBDA_VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                        "-r", str(requirements), "-c", str(constraints), "boto3"], check=True)
        stamp.write_text(wanted)
    return str(LAMBDA_VENV / "bin" / "python")


def _seconds(python: str, script: str) -> float:
    output = subprocess.run([python, "-c", script], check=True, capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "0"})
    return float(output.stdout.strip().splitlines()[-1])


def measure_cold_imports() -> dict[str, Any]:
    """Rounds, each timing the baseline and every handler once in a shuffled order; each figure is
    its best round (as timeit advises), so a slow stretch of the machine hits both sides alike."""
    import random

    from local import template

    python = lambda_python()
    scripts = {"": BASELINE}
    for module in sorted({fn.module_name for fn in template.functions()}):
        scripts[module] = HANDLER.format(layer=str(ROOT / "layers" / "core"), root=str(ROOT), module=module)
    best: dict[str, float] = {}
    rng = random.Random(0)
    for _ in range(IMPORT_RUNS):
        order = list(scripts)
        rng.shuffle(order)
        for name in order:
            seconds = _seconds(python, scripts[name])
            best[name] = min(best.get(name, seconds), seconds)
    baseline = best.pop("")
    handlers = [{"module": module, "ms": round(seconds * 1000, 1), "ratio": round(seconds / baseline, 3)}
                for module, seconds in best.items()]
    return {"baselineMs": round(baseline * 1000, 1),
            "method": f"CPU time of the imports in a fresh interpreter, best of {IMPORT_RUNS} interleaved rounds, "
                      "in .venv-lambda (layer requirements + boto3 only)",
            "handlers": handlers}


LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024  # function code plus all its layers, unzipped
PACKAGE_METHOD = (
    "unzipped bytes of the files each installed distribution lists in its RECORD (importlib.metadata), "
    "for the distributions layers/core/requirements.txt names and their dependencies (markers evaluated, "
    "extras off) as installed in this virtualenv on {platform}, without .pyc/__pycache__; plus the "
    "layers/core/clientele sources; less the paths layers/core/prune.txt lists ({pruned}), which the layer "
    "build (layers/core/Makefile) deletes: {prunedMB} MB left out; plus the largest functions/<area> folder "
    "(a function's CodeUri). The layer is built for arm64 by `sam build`, so native wheels (pydantic-core) "
    "differ by a few percent."
)
PRUNE_LIST = ROOT / "layers" / "core" / "prune.txt"


def prune_patterns(path: Path = PRUNE_LIST) -> list[str]:
    """The globs of layers/core/prune.txt (the layer's Makefile reads the same file)."""
    patterns = [line.split("#", 1)[0].strip() for line in path.read_text().splitlines()]
    return [pattern for pattern in patterns if pattern]


def is_pruned(relative: str, patterns: list[str]) -> bool:
    """Whether the layer build deletes ``relative`` (a path under the layer's python/ folder): as
    `find -path ./<glob> -prune` there, a path goes when it or a folder above it matches a glob,
    `*` matching `/` too."""
    from fnmatch import fnmatchcase

    parts = PurePosixPath(relative).parts
    return any(fnmatchcase("/".join(parts[:end]), pattern)
               for end in range(1, len(parts) + 1) for pattern in patterns)


def _tree_bytes(folder: Path, prefix: str = "", patterns: tuple[str, ...] = ()) -> int:
    """Bytes of the files under ``folder`` (no .pyc/__pycache__), less those ``patterns`` prune when
    ``folder`` sits at ``prefix`` in the layer's python/ folder."""
    return sum(path.stat().st_size for path in folder.rglob("*")
               if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
               and not is_pruned(f"{prefix}{path.relative_to(folder).as_posix()}", list(patterns)))


def _requirement_closure(requirements: Path) -> list[str]:
    """Distribution names from a requirements file and, transitively, what they require."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pending = [Requirement(line.split("#", 1)[0].strip()) for line in requirements.read_text().splitlines()
               if line.split("#", 1)[0].strip()]
    seen: dict[str, str] = {}
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in seen or (requirement.marker is not None and not requirement.marker.evaluate({"extra": ""})):
            continue
        distribution = metadata.distribution(requirement.name)
        seen[name] = distribution.metadata["Name"]
        pending.extend(Requirement(text) for text in distribution.requires or ())
    return sorted(seen.values(), key=str.lower)


def _distribution_bytes(name: str, patterns: list[str]) -> tuple[int, int]:
    """(bytes kept, bytes pruned) of the files the distribution's RECORD lists, .pyc/__pycache__ aside."""
    from importlib import metadata

    kept = pruned = 0
    for file in metadata.distribution(name).files or ():
        if file.suffix == ".pyc" or "__pycache__" in file.parts:
            continue
        path = Path(str(file.locate()))
        if path.is_file():
            if is_pruned(file.as_posix(), patterns):
                pruned += path.stat().st_size
            else:
                kept += path.stat().st_size
    return kept, pruned


def measure_package() -> dict[str, Any]:
    import platform

    from local import template

    def mb(size: int) -> float:
        return round(size / (1024 * 1024), 2)

    patterns = prune_patterns()
    measured = {name: _distribution_bytes(name, patterns)
                for name in _requirement_closure(ROOT / "layers" / "core" / "requirements.txt")}
    dependencies = {name: kept for name, (kept, _) in measured.items()}
    pruned = sum(dropped for _, dropped in measured.values())
    clientele_folder = ROOT / "layers" / "core" / "clientele"
    clientele = _tree_bytes(clientele_folder, "clientele/", tuple(patterns))
    pruned += _tree_bytes(clientele_folder) - clientele
    layer = sum(dependencies.values()) + clientele
    folders = sorted({fn.code_uri.strip("/") for fn in template.functions()})
    functions = {folder: _tree_bytes(ROOT / folder) for folder in folders}
    largest = max(functions, key=lambda folder: functions[folder])
    total = layer + functions[largest]
    return {
        "method": PACKAGE_METHOD.format(platform=f"{platform.system()} {platform.machine()}",
                                        pruned=", ".join(patterns), prunedMB=mb(pruned)),
        "layerMB": mb(layer),
        "prunedMB": mb(pruned),
        "layerDependencies": {name: mb(size) for name, size in
                              sorted(dependencies.items(), key=lambda item: -item[1])},
        "clienteleMB": mb(clientele),
        "largestFunction": largest,
        "largestFunctionKB": round(functions[largest] / 1024, 1),
        "unzippedMB": mb(total),
        "lambdaLimitMB": mb(LAMBDA_UNZIPPED_LIMIT),
        "shareOfLimit": round(total / LAMBDA_UNZIPPED_LIMIT, 3),
    }


def print_package(package: dict[str, Any]) -> None:
    dependencies = ", ".join(f"{name} {size} MB" for name, size in package["layerDependencies"].items())
    print(f"\nDeployment package, unzipped: {package['unzippedMB']} MB = layer {package['layerMB']} MB "
          f"({dependencies}; clientele {package['clienteleMB']} MB; {package['prunedMB']} MB pruned "
          f"as layers/core/prune.txt says) + largest function "
          f"{package['largestFunction']} {package['largestFunctionKB']} KB; "
          f"{package['shareOfLimit']:.1%} of Lambda's {package['lambdaLimitMB']:.0f} MB")
    print(f"  measured as: {package['method']}")


def _merge_results(**figures: Any) -> None:
    current = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.write_text(json.dumps({**current, **figures}, indent=2) + "\n")


def main() -> None:
    environment()
    if sys.argv[1:] == ["package"]:
        package = measure_package()
        _merge_results(package=package)
        print_package(package)
        print(f"results written to {RESULTS.relative_to(ROOT)}")
        return
    from bench.derived import measure_derived, print_derived
    from bench.imports import measure_import, print_import
    from bench.webhooks import measure_webhooks, print_webhooks

    operations = measure_operations()
    stream = measure_stream()
    webhooks = measure_webhooks()
    csv_import = measure_import()
    derived = measure_derived()
    imports = measure_cold_imports()
    package = measure_package()
    heaviest = max(imports["handlers"], key=lambda h: h["ratio"])
    RESULTS.write_text(json.dumps({"operations": operations, "stream": stream, "webhooks": webhooks, "import": csv_import,
                                   "derivedVisibility": derived,
                                   "coldImports": imports, "heaviestImportRatio": heaviest["ratio"],
                                   "package": package}, indent=2) + "\n")

    print(f"\nDynamoDB calls and handler overhead per operation (warm container, {ROUNDS} rounds)")
    print(f"{'operation':32} {'calls':>5}  {'target':18} {'p50 ms':>7} {'p95 ms':>7}  calls made")
    for row in operations:
        print(f"{row['operation']:32} {row['dynamodbCalls']:>5}  {row['target']:18} {row['overheadMsP50']:>7.2f} "
              f"{row['overheadMsP95']:>7.2f}  {', '.join(row['calls'])}")
    print(f"\nStream processor ({stream['records']} records, batches of 100): "
          f"{stream['cpuRecordsPerSecond']} records/s CPU side ({stream['cpuMsPer100Records']} ms per 100), "
          f"{stream['dynamodbCallsPer100Records']} DynamoDB calls and {stream['itemWritesPer100Records']} item writes "
          f"per 100 records ({', '.join(f'{k} x{v}' for k, v in stream['callMix'].items())})")
    print_webhooks(webhooks)
    print_import(csv_import)
    print_derived(derived)
    print(f"\nCold import, CPU time (best of {IMPORT_RUNS} interleaved rounds; fresh interpreters with only the "
          f"layer and boto3); baseline boto3 + trivial validated route: {imports['baselineMs']} ms")
    for handler in sorted(imports["handlers"], key=lambda h: -h["ratio"]):
        print(f"  {handler['module']:44} {handler['ms']:>7.1f} ms  {handler['ratio']:.2f}x")
    print(f"\nheaviest handler: {heaviest['module']} at {heaviest['ratio']:.2f}x the baseline (target <= 1.30x)")
    print_package(package)
    print(f"results written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
