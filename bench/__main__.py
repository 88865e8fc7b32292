"""Run the benchmark: `python -m bench` (or `make bench`). Prints a table and writes
bench/results.json.

* DynamoDB calls per operation, counted through botocore events on a warm container.
* Handler overhead: CPU time of an invocation (this thread's) minus the CPU time spent inside
  DynamoDB calls.
* Cold import of every handler module in a fresh interpreter, against a baseline measured in the
  same run (bench/cold_imports.py; `python -m bench cold-imports` measures only this).
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
        # CPU time of this thread (moto answers in it too, inside the DynamoDB window): wall time
        # also counted whatever else the shared machine ran meanwhile.
        ddb_time = [0.0]
        started: list[float] = []
        client.meta.events.register("before-call.dynamodb", lambda **_: started.append(time.thread_time()))
        client.meta.events.register(
            "after-call.dynamodb", lambda **_: ddb_time.__setitem__(0, ddb_time[0] + time.thread_time() - started.pop())
        )
        state: dict[str, Any] = {}
        for scenario in SCENARIOS:
            overheads: list[float] = []
            calls: list[str] = []
            for _ in range(ROUNDS):
                prepared = {**state, **scenario.prepare(api, state)}
                ddb_time[0] = 0.0
                counted = aws.start_counting_dynamodb_calls()
                began = time.thread_time()
                reply = scenario.run(api, prepared)
                elapsed = time.thread_time() - began
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


LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024  # function code plus all its layers, unzipped
PACKAGE_METHOD = (
    "unzipped bytes of the files each installed distribution lists in its RECORD (importlib.metadata), "
    "for the distributions layers/core/requirements.txt names and their dependencies (markers evaluated, "
    "extras off) as installed in this virtualenv on {platform}, without .pyc/__pycache__; plus the "
    "layers/core/clientele sources; less the paths layers/core/prune.txt lists ({pruned}), which the layer "
    "build (layers/core/Makefile) deletes: {prunedMB} MB left out; plus the bytecode that build compiles for "
    "every module it keeps (the .cpython-313.pyc pip wrote here for each kept module of a distribution, "
    "clientele's modules compiled in memory); plus the largest functions/<area> folder "
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


def _distribution_bytes(name: str, patterns: list[str]) -> tuple[int, int, int]:
    """(bytes kept, bytes pruned, bytecode bytes) of the files the distribution's RECORD lists: kept and
    pruned without .pyc/__pycache__; bytecode, the .cpython-313.pyc files of the modules it keeps (the
    layer build compiles those)."""
    from importlib import metadata

    kept = pruned = 0
    compiled: dict[str, int] = {}
    kept_modules: set[str] = set()
    for file in metadata.distribution(name).files or ():
        path = Path(str(file.locate()))
        if not path.is_file():
            continue
        if file.suffix == ".pyc" or "__pycache__" in file.parts:
            # pkg/__pycache__/mod.cpython-313.pyc is the bytecode of pkg/mod.py
            compiled[PurePosixPath(*file.parts[:-2], file.name.split(".")[0] + ".py").as_posix()] = path.stat().st_size
        elif is_pruned(file.as_posix(), patterns):
            pruned += path.stat().st_size
        else:
            kept += path.stat().st_size
            if file.suffix == ".py":
                kept_modules.add(file.as_posix())
    return kept, pruned, sum(size for module, size in compiled.items() if module in kept_modules)


def _compiled_bytes(folder: Path, prefix: str, patterns: list[str]) -> int:
    """Bytes of the .pyc files compiling the kept modules under ``folder`` makes (header and marshalled code)."""
    import marshal

    return sum(16 + len(marshal.dumps(compile(path.read_bytes(), str(path), "exec", dont_inherit=True)))
               for path in folder.rglob("*.py")
               if "__pycache__" not in path.parts and not is_pruned(f"{prefix}{path.relative_to(folder).as_posix()}",
                                                                      patterns))


def measure_package() -> dict[str, Any]:
    import platform

    from local import template

    def mb(size: int) -> float:
        return round(size / (1024 * 1024), 2)

    patterns = prune_patterns()
    measured = {name: _distribution_bytes(name, patterns)
                for name in _requirement_closure(ROOT / "layers" / "core" / "requirements.txt")}
    dependencies = {name: kept for name, (kept, _, _) in measured.items()}
    pruned = sum(dropped for _, dropped, _ in measured.values())
    clientele_folder = ROOT / "layers" / "core" / "clientele"
    clientele = _tree_bytes(clientele_folder, "clientele/", tuple(patterns))
    pruned += _tree_bytes(clientele_folder) - clientele
    bytecode = sum(compiled for _, _, compiled in measured.values()) + _compiled_bytes(
        clientele_folder, "clientele/", patterns)
    layer = sum(dependencies.values()) + clientele + bytecode
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
        "bytecodeMB": mb(bytecode),
        "largestFunction": largest,
        "largestFunctionKB": round(functions[largest] / 1024, 1),
        "unzippedMB": mb(total),
        "lambdaLimitMB": mb(LAMBDA_UNZIPPED_LIMIT),
        "shareOfLimit": round(total / LAMBDA_UNZIPPED_LIMIT, 3),
    }


def print_package(package: dict[str, Any]) -> None:
    dependencies = ", ".join(f"{name} {size} MB" for name, size in package["layerDependencies"].items())
    print(f"\nDeployment package, unzipped: {package['unzippedMB']} MB = layer {package['layerMB']} MB "
          f"({dependencies}; clientele {package['clienteleMB']} MB; bytecode {package['bytecodeMB']} MB; "
          f"{package['prunedMB']} MB pruned "
          f"as layers/core/prune.txt says) + largest function "
          f"{package['largestFunction']} {package['largestFunctionKB']} KB; "
          f"{package['shareOfLimit']:.1%} of Lambda's {package['lambdaLimitMB']:.0f} MB")
    print(f"  measured as: {package['method']}")


def _merge_results(**figures: Any) -> None:
    current = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.write_text(json.dumps({**current, **figures}, indent=2) + "\n")


OVERHEAD_TARGETS = {"get customer": 1.0, "create customer": 2.0}  # warm overhead p50, ms


def targets(operations: list[dict[str, Any]], imports: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures the issues set a bound on, each with its bound and whether it holds."""
    by_name = {row["operation"]: row for row in operations}
    rows = [{"figure": f"warm overhead p50, {name} (CPU ms)", "measured": by_name[name]["overheadMsP50"],
             "target": bound} for name, bound in OVERHEAD_TARGETS.items()]
    heaviest = imports["heaviest"]
    rows.append({"figure": f"cold import, heaviest handler ({heaviest['module']}) vs baseline, by "
                           f"{'instructions' if heaviest['by'] == 'instructionRatio' else 'CPU time'}",
                 "measured": heaviest["ratio"], "target": heaviest["target"]})
    rows.append({"figure": "cold import, highest CPU-time median of any handler vs baseline",
                 "measured": imports["heaviestCpuRatio"], "target": heaviest["target"]})
    return [{**row, "met": row["measured"] <= row["target"]} for row in rows]


def main() -> None:
    environment()
    from bench.cold_imports import measure_cold_imports, print_cold_imports

    if sys.argv[1:] == ["package"]:
        package = measure_package()
        _merge_results(package=package)
        print_package(package)
        print(f"results written to {RESULTS.relative_to(ROOT)}")
        return
    if sys.argv[1:] == ["cold-imports"]:
        imports = measure_cold_imports()
        _merge_results(coldImports=imports, heaviestImportRatio=imports["heaviest"]["ratio"])
        print_cold_imports(imports)
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
    bounded = targets(operations, imports)
    RESULTS.write_text(json.dumps({"operations": operations, "stream": stream, "webhooks": webhooks, "import": csv_import,
                                   "derivedVisibility": derived,
                                   "coldImports": imports, "heaviestImportRatio": imports["heaviest"]["ratio"],
                                   "package": package, "targets": bounded}, indent=2) + "\n")

    print(f"\nDynamoDB calls and handler overhead per operation (warm container, {ROUNDS} rounds; overhead is CPU "
          "time outside DynamoDB calls)")
    print(f"{'operation':36} {'calls':>5}  {'target':34} {'p50 ms':>7} {'p95 ms':>7}  calls made")
    for row in operations:
        print(f"{row['operation']:36} {row['dynamodbCalls']:>5}  {row['target']:34} {row['overheadMsP50']:>7.2f} "
              f"{row['overheadMsP95']:>7.2f}  {', '.join(row['calls'])}")
    print(f"\nStream processor ({stream['records']} records, batches of 100): "
          f"{stream['cpuRecordsPerSecond']} records/s CPU side ({stream['cpuMsPer100Records']} ms per 100), "
          f"{stream['dynamodbCallsPer100Records']} DynamoDB calls and {stream['itemWritesPer100Records']} item writes "
          f"per 100 records ({', '.join(f'{k} x{v}' for k, v in stream['callMix'].items())})")
    print_webhooks(webhooks)
    print_import(csv_import)
    print_derived(derived)
    print_cold_imports(imports)
    print_package(package)
    print("\nTargets")
    for row in bounded:
        print(f"  {row['figure']:96} {row['measured']:>7} <= {row['target']:<5} {'met' if row['met'] else 'NOT MET'}")
    print(f"results written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
