"""Cold import of every handler against the bare Powertools baseline, for `make bench`
(`python -m bench cold-imports` measures only this).

Every figure comes from fresh interpreters of ``.venv-lambda`` (the layer's requirements and boto3,
nothing else: the dev virtualenv's moto, SAM CLI and pyOpenSSL would change what botocore imports)
with every module's bytecode compiled beforehand, as a layer that ships it (layers/core/Makefile).
Two figures per handler, each a ratio to the baseline (boto3 and one pydantic-validated route served
by ``APIGatewayHttpResolver(enable_validation=True)``):

* **CPU time** of the imports (``time.process_time``: user + system), in alternating pairs: each
  round times the baseline and the handler back to back (the order alternating between rounds, the
  handlers shuffled), so both sides of a pair see the same stretch of a shared machine; the figure is
  the median of the per-pair ratios, with their interquartile range as the spread.
* **Instructions executed** (valgrind's cachegrind, no cache simulation), less those of an empty
  interpreter. They do not depend on what else runs on the machine: two runs agree to ~0.01 %, where
  CPU-time medians of the same tree still moved by more than 0.05 on this shared 2-core machine
  (docs/decisions.md, 2026-12-07). Skipped, and said so, where valgrind is not installed.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LAMBDA_VENV = ROOT / ".venv-lambda"
BYTECODE = LAMBDA_VENV / "bytecode"  # PYTHONPYCACHEPREFIX: every .pyc the scripts load, written once per run
PAIRS = int(os.environ.get("BENCH_IMPORT_PAIRS", "7"))
TARGET = 1.25

# Each script prints its CPU seconds and leaves without finalising (Lambda never tears the
# interpreter down), so the instruction count holds start-up, the imports and nothing after them.
_START = "import os, sys, time\nt0 = time.process_time()\n"
_END = "print(time.process_time() - t0, flush=True)\nos._exit(0)\n"
EMPTY = _START + _END
BASELINE = _START + """
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
""" + _END
HANDLER = """import sys
sys.path[:0] = [{layer!r}, {root!r}]
""" + _START + """import boto3
import {module}
""" + _END

METHOD = (
    "Fresh interpreters of .venv-lambda (layers/core/requirements.txt + boto3 only), bytecode compiled "
    "beforehand (one unmeasured run of each script writes it under PYTHONPYCACHEPREFIX), PYTHONHASHSEED=0; "
    "scripts leave with os._exit after their imports. cpuRatio: median over {pairs} alternating pairs of "
    "handler CPU seconds / baseline CPU seconds (time.process_time from after interpreter start-up; each "
    "round shuffles the handlers and swaps which side of a pair runs first), with the quartiles of those "
    "ratios; cpuMs: the handler's median CPU time. instructionRatio: instructions executed (valgrind "
    "--tool=cachegrind --cache-sim=no, the whole process) less an empty interpreter's, handler / baseline; "
    "independent of the machine's load. Baseline: boto3 + one pydantic-validated route served by "
    "APIGatewayHttpResolver(enable_validation=True)."
)


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


def _environment(write_bytecode: bool) -> dict[str, str]:
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPYCACHEPREFIX": str(BYTECODE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # any value, even "0", turns writing off
    if not write_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # the cache stays as the unmeasured runs left it
    return env


def _cpu_seconds(python: str, script: str, write_bytecode: bool = False) -> float:
    output = subprocess.run([python, "-c", script], check=True, capture_output=True, text=True, cwd=ROOT,
                            env=_environment(write_bytecode))
    return float(output.stdout.split()[-1])


def _instructions(python: str, script: str) -> int:
    output = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                             python, "-c", script], check=True, capture_output=True, text=True, cwd=ROOT,
                            env=_environment(write_bytecode=False))
    found = re.search(r"I\s+refs:\s+([\d,]+)", output.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{output.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def scripts() -> dict[str, str]:
    """The handler scripts by module (every handler template.yaml names)."""
    from local import template

    layer = str(ROOT / "layers" / "core")
    return {module: HANDLER.format(layer=layer, root=str(ROOT), module=module)
            for module in sorted({fn.module_name for fn in template.functions()})}


@dataclass
class Pairs:
    """One handler's alternating pairs: the handler's CPU seconds and its ratio to the baseline, per pair."""

    seconds: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)


def cpu_pairs(python: str, handlers: dict[str, str], pairs: int) -> tuple[dict[str, Pairs], list[float]]:
    """Per handler, ``pairs`` alternating pairs; and every baseline time seen."""
    rng = random.Random(0)
    measured = {module: Pairs() for module in handlers}
    baselines: list[float] = []
    for round_number in range(pairs):
        order = list(handlers)
        rng.shuffle(order)
        for module in order:
            if round_number % 2:
                handler = _cpu_seconds(python, handlers[module])
                baseline = _cpu_seconds(python, BASELINE)
            else:
                baseline = _cpu_seconds(python, BASELINE)
                handler = _cpu_seconds(python, handlers[module])
            measured[module].seconds.append(handler)
            measured[module].ratios.append(handler / baseline)
            baselines.append(baseline)
    return measured, baselines


def instruction_counts(python: str, handlers: dict[str, str]) -> dict[str, int] | None:
    """Instructions per script, EMPTY and BASELINE included (keys "" and "baseline"); None without valgrind.
    Counts do not depend on load, so the scripts run in parallel, one per core."""
    if shutil.which("valgrind") is None:
        return None
    named = {"": EMPTY, "baseline": BASELINE, **handlers}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = list(pool.map(lambda script: _instructions(python, script), named.values()))
    return dict(zip(named, counts, strict=True))


def measure_cold_imports(pairs: int = PAIRS) -> dict[str, Any]:
    python = lambda_python()
    handlers = scripts()
    began = time.monotonic()
    for script in (EMPTY, BASELINE, *handlers.values()):
        _cpu_seconds(python, script, write_bytecode=True)  # compiles and caches what the script imports
    counts = instruction_counts(python, handlers)
    counted = time.monotonic()
    measured, baselines = cpu_pairs(python, handlers, pairs)
    timed = time.monotonic()
    empty = counts.pop("") if counts else 0
    baseline_instructions = counts.pop("baseline") - empty if counts else None
    rows = []
    for module, pair in measured.items():
        first, _, third = statistics.quantiles(pair.ratios, n=4, method="inclusive")
        row: dict[str, Any] = {"module": module, "cpuMs": round(statistics.median(pair.seconds) * 1000, 1),
                               "cpuRatio": round(statistics.median(pair.ratios), 3),
                               "cpuRatioQuartiles": [round(first, 3), round(third, 3)],
                               "cpuRatioIqr": round(third - first, 3)}
        if counts and baseline_instructions:
            row["instructionsM"] = round((counts[module] - empty) / 1e6, 1)
            row["instructionRatio"] = round((counts[module] - empty) / baseline_instructions, 4)
        rows.append(row)
    figure = "instructionRatio" if counts else "cpuRatio"
    heaviest = max(rows, key=lambda row: row[figure])
    return {
        "method": METHOD.format(pairs=pairs),
        "pairs": pairs,
        "baselineCpuMs": round(statistics.median(baselines) * 1000, 1),
        "baselineInstructionsM": round(baseline_instructions / 1e6, 1) if baseline_instructions else None,
        "instructionsSkipped": None if counts else "valgrind is not installed",
        "heaviest": {"module": heaviest["module"], "by": figure, "ratio": heaviest[figure],
                     "cpuRatio": heaviest["cpuRatio"], "target": TARGET},
        "heaviestCpuRatio": max(row["cpuRatio"] for row in rows),
        "secondsInstructions": round(counted - began),
        "secondsCpuPairs": round(timed - counted),
        "handlers": sorted(rows, key=lambda row: -row[figure]),
    }


def print_cold_imports(figures: dict[str, Any]) -> None:
    instructions = figures["baselineInstructionsM"] is not None
    print(f"\nCold import per handler vs the bare Powertools baseline (boto3 + one validated route): CPU "
          f"{figures['baselineCpuMs']} ms median"
          + (f", {figures['baselineInstructionsM']:,} M instructions" if instructions else "")
          + f"; {figures['pairs']} alternating pairs per handler")
    print(f"  {'handler':48} {'CPU ms':>7} {'CPU ratio':>9} {'quartiles':>13} {'IQR':>6}"
          + (f" {'M instr':>8} {'instr ratio':>11}" if instructions else ""))
    for row in figures["handlers"]:
        quartiles = f"{row['cpuRatioQuartiles'][0]:.2f}-{row['cpuRatioQuartiles'][1]:.2f}"
        line = (f"  {row['module']:48} {row['cpuMs']:>7.1f} {row['cpuRatio']:>8.3f}x {quartiles:>13} "
                f"{row['cpuRatioIqr']:>6.3f}")
        if instructions:
            line += f" {row['instructionsM']:>8,.1f} {row['instructionRatio']:>10.4f}x"
        print(line)
    if not instructions:
        print(f"  instruction counts skipped: {figures['instructionsSkipped']}")
    heaviest = figures["heaviest"]
    print(f"heaviest handler: {heaviest['module']} at {heaviest['ratio']:.3f}x the baseline by "
          f"{'instructions' if heaviest['by'] == 'instructionRatio' else 'CPU time'} (CPU {heaviest['cpuRatio']:.3f}x; "
          f"highest CPU median of any handler {figures['heaviestCpuRatio']:.3f}x; target <= {TARGET}x)")
    print(f"  measured as: {figures['method']} ({figures['secondsInstructions']} s counting, "
          f"{figures['secondsCpuPairs']} s timing)")
