"""Benchmark for `govcard site build`: the BigCode example and a generated 200-model project.

Target (checked here, never in timed tests): govcard's own overhead on top of MkDocs under 10% of
a plain `mkdocs build --strict` of the same generated project (the `--keep-source` output),
measured in the same run.

govcard's overhead is everything `govcard site build` does besides MkDocs' own `load_config` and
`build`: loading and deriving the facts, generating the MkDocs project, collecting warnings and
replacing the output folder. It is measured inside each govcard run (MkDocs' calls are timed
there), so that it does not drown in the noise of two separate multi-second builds on a shared
machine; the plain build's time, and the plain difference of the two builds, are printed too.

Run: python bench/bench_site.py [--runs N]
"""

from __future__ import annotations

import argparse
import functools
import logging
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_foundation import generate_project

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"
MODELS = 200
OVERHEAD_TARGET = 0.10


@dataclass
class Stopwatch:
    """Seconds spent in the wrapped functions since the last reset, by name."""

    spent: dict[str, float] = field(default_factory=dict)

    def wrap(self, module: Any, name: str, label: str) -> None:
        original = getattr(module, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[label] = self.spent.get(label, 0.0) + time.perf_counter() - start

        setattr(module, name, timed)


@dataclass
class Run:
    total: float  # govcard site build, facts to replaced output
    mkdocs: float  # MkDocs' load_config + build inside it
    derive: float
    generate: float

    @property
    def overhead(self) -> float:
        return self.total - self.mkdocs


def measure(label: str, project: Path, work: Path, runs: int, watch: Stopwatch) -> bool:
    import mkdocs.commands.build
    import mkdocs.config

    from govcard import derive, loader, site

    source, out, plain_out = work / "src", work / "site", work / "plain"

    def govcard_build() -> Run:
        watch.spent.clear()
        start = time.perf_counter()
        derived = derive.derive(loader.load(project))
        derived_at = time.perf_counter()
        site.build(derived, out, keep_source=source)
        end = time.perf_counter()
        return Run(
            total=end - start,
            mkdocs=watch.spent["load_config"] + watch.spent["build"],
            derive=derived_at - start,
            generate=watch.spent["generate"],
        )

    def plain_build() -> float:
        shutil.rmtree(plain_out, ignore_errors=True)
        start = time.perf_counter()
        config = mkdocs.config.load_config(
            config_file=str(source / "mkdocs.yml"), strict=True, site_dir=str(plain_out)
        )
        mkdocs.commands.build.build(config)
        return time.perf_counter() - start

    govcard_build()  # warm up imports, and write the source the plain build reads
    plain_build()
    ours: list[Run] = []
    plain: list[float] = []
    for _ in range(runs):  # interleaved, so that both see the same machine
        ours.append(govcard_build())
        plain.append(plain_build())

    pages = len(list(out.rglob("*.html")))
    best_plain = min(plain)
    best_total = min(r.total for r in ours)
    overhead = min(r.overhead for r in ours)
    share = overhead / best_plain
    print(f"{label} ({pages} pages, best of {runs}):")
    print(
        f"  govcard site build {best_total * 1000:.0f} ms, of which MkDocs "
        f"{min(r.mkdocs for r in ours) * 1000:.0f} ms; plain mkdocs build {best_plain * 1000:.0f} ms "
        f"(median {statistics.median(plain) * 1000:.0f} ms)"
    )
    print(
        f"  govcard overhead {overhead * 1000:.0f} ms = {share:.1%} of the plain build "
        f"(target < {OVERHEAD_TARGET:.0%}): load + derive {min(r.derive for r in ours) * 1000:.0f} ms, "
        f"generate {min(r.generate for r in ours) * 1000:.0f} ms, the rest "
        f"{min(r.overhead - r.derive - r.generate for r in ours) * 1000:.0f} ms"
    )
    print(
        f"  cross-check, best govcard build minus best plain build: "
        f"{(best_total - best_plain) * 1000:+.0f} ms ({(best_total - best_plain) / best_plain:+.1%})"
    )
    return share < OVERHEAD_TARGET


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timings per measurement")
    args = parser.parse_args()

    import mkdocs.commands.build
    import mkdocs.config

    from govcard import site

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    watch = Stopwatch()
    # site.build_site imports these at call time, and site.build calls site.generate by name.
    watch.wrap(mkdocs.config, "load_config", "load_config")
    watch.wrap(mkdocs.commands.build, "build", "build")
    watch.wrap(site, "generate", "generate")

    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generated = root / "generated.yaml"
        generated.write_text(generate_project(MODELS), encoding="utf-8")
        for label, project, name in (
            ("BigCode example", EXAMPLE, "example"),
            (f"generated project, {MODELS} models", generated, "generated"),
        ):
            work = root / name
            work.mkdir()
            ok = measure(label, project, work, args.runs, watch) and ok
    print("target met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
