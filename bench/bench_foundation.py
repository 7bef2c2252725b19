"""Benchmarks for the foundation: start-up time and validate + carbon on 1,000 models.

Targets (checked here, never in timed tests: these machines are shared and noisy):
- `govcard --help` within 1.5x of `python -c "import click"`, both measured in this run;
- load + validate + carbon of a 1,000-model project in under 0.5 s in-process.

Run: python bench/bench_foundation.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HELP_RATIO_TARGET = 1.5
VALIDATE_TARGET_S = 0.5


# Start-up is measured as users see it: with compiled bytecode. An editable install under
# PYTHONDONTWRITEBYTECODE would compile govcard's sources on every start, while click, installed by
# pip, is precompiled; the first (discarded) run writes the bytecode.
COMPILED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def generate_project(models: int) -> str:
    """A project.yaml with `models` models, each with full training and reported figures."""
    document = {
        "schema_version": 1,
        "project": {"name": "Benchmark", "homepage": "https://example.org"},
        "datasets": [{"id": "data", "name": "Data", "hub_id": "org/data"}],
        "models": [
            {
                "id": f"model-{i}",
                "name": f"Model {i}",
                "hub_id": f"org/model-{i}",
                "license": "bigcode-openrail-m" if i % 2 else "apache-2.0",
                "datasets": ["data"],
                "parameters": 1_000_000 * (i + 1),
                "evaluation": [
                    {
                        "task": "text-generation",
                        "dataset": "HumanEval",
                        "metric": "pass@1",
                        "value": 0.3,
                    }
                ],
                "training": {
                    "hardware": "8 x A100 80GB",
                    "gpu_hours": 1000 + i,
                    "gpu_power_w": 280,
                    "pue": 1.1,
                    "carbon_intensity_kg_per_kwh": 0.2,
                    "reported": {"energy": f"{(1000 + i) * 0.28:,.2f} kWh", "co2eq": "60 kg"},
                    "source": "https://example.org/report",
                },
            }
            for i in range(models)
        ],
    }
    return yaml.safe_dump(document, sort_keys=False)


def best_of(runs: int, action: object) -> float:
    """The fastest of `runs` timings of `action()`, in seconds."""
    assert callable(action)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def command_time(argv: list[str], runs: int) -> float:
    """Median wall time of a command, in seconds, after one run that writes the bytecode."""
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=COMPILED)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=COMPILED)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timings per measurement")
    args = parser.parse_args()

    from govcard import carbon, loader

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "project.yaml"
        path.write_text(generate_project(1000), encoding="utf-8")
        loader.load(path)  # warm up imports

        def validate_and_carbon() -> None:
            carbon.footprints(loader.load(path))

        validate_s = best_of(max(3, args.runs // 3), validate_and_carbon)
        load_s = best_of(max(3, args.runs // 3), lambda: loader.load(path))

    script = shutil.which("govcard", path=str(Path(sys.executable).parent))
    govcard_help = [script, "--help"] if script else [sys.executable, "-m", "govcard", "--help"]
    baseline = command_time([sys.executable, "-c", "import click"], args.runs)
    help_s = command_time(govcard_help, args.runs)
    ratio = help_s / baseline

    print(
        f"validate + carbon, 1,000 models: {validate_s * 1000:.0f} ms "
        f"(load + validate alone {load_s * 1000:.0f} ms; target < {VALIDATE_TARGET_S * 1000:.0f} ms)"
    )
    print(
        f"govcard --help: {help_s * 1000:.0f} ms; python -c 'import click': {baseline * 1000:.0f} ms; "
        f"ratio {ratio:.2f} (target <= {HELP_RATIO_TARGET})"
    )
    ok = validate_s < VALIDATE_TARGET_S and ratio <= HELP_RATIO_TARGET
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
