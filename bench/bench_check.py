"""Benchmark for `govcard check` on the real-corpus mix: in-process, whole process, start-up.

The real mix is the 126 Hugging Face model cards in ../shared/corpus/model-cards (beside the
repository; never copied into it). N cards cycle through them: card i is corpus[i % 126], in file
name order.

Targets (checked here, never in the test suite: these machines are shared and noisy):

1. In-process throughput, cards per CPU-second (`time.process_time`), at least 6x huggingface_hub's
   `ModelCard` parse, both measured in the same run, interleaved, together with a floor: the front
   matter split off (the text between the first two `---` lines) and parsed by
   `yaml.load(..., Loader=yaml.CSafeLoader)`. govcard runs `check.check_bytes` on the file's bytes:
   what `govcard check FILE` does to a file minus the disk IO (decode, parse, check).
   `ModelCard` and the floor get the text as `ModelCard.load` reads it (UTF-8, line endings kept).
   Each round runs all N cards through all three, a corpus pass at a time, the order rotating;
   the figure is the median of the rounds, the ratios the median of the per-round ratios.
2. Whole process: `govcard check DIR --format json` (output to /dev/null) on N = 10,000 real-mix
   cards, one README.md per folder as in cloned repositories (DIR/00000/README.md, ...), at least
   2,400 cards per second of wall time on a quiet machine; the median of 3 runs after a discarded
   one. The command exits 1 when a card has error findings; that is expected.
3. Start-up: a one-card `govcard check` process (001-bigcode-starcoder.md) within 2.5x of
   `python -c "import click"`, medians of --runs runs each.

govcard must not memoize by card content: the corpus repeats, so such a cache would inflate 1 and 2.

Run: python bench/bench_check.py [--cards N] [--rounds R] [--runs N] [--corpus DIR]
(about a minute or two; exit 0 when every target is met, 1 otherwise, 2 on bad usage).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

INPROCESS_RATIO_TARGET = 6.0
WHOLE_PROCESS_TARGET = 2400
STARTUP_RATIO_TARGET = 2.5
WHOLE_PROCESS_RUNS = 3
STARTUP_CARD = "001-bigcode-starcoder.md"

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "model-cards"

# Start-up is measured as users see it: with compiled bytecode. An editable install under
# PYTHONDONTWRITEBYTECODE would compile govcard's sources on every start, while click, installed by
# pip, is precompiled; the first (discarded) run writes the bytecode.
COMPILED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def load_corpus(folder: Path) -> tuple[list[str], list[bytes]]:
    """The corpus cards' names and bytes, in name order."""
    files = sorted(folder.glob("*.md"))
    return [f.name for f in files], [f.read_bytes() for f in files]


def floor(text: str) -> Any:
    """The least a checker must do: split the front matter off and parse it with libyaml."""
    start = text.find("---")
    if start == -1 or text[:start].strip():
        return None
    end = text.find("\n---", start + 3)
    if end == -1:
        return None
    try:
        return yaml.load(text[start + 3 : end], Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None


def in_process(
    names: list[str], raws: list[bytes], cards: int, rounds: int
) -> tuple[list[float], list[float], list[float]]:
    """Cards per CPU-second of govcard, `ModelCard` and the floor, one figure per round."""
    from huggingface_hub import ModelCard

    from govcard import check

    # Two corpus cards have no front matter; ModelCard logs a warning for each.
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)
    options = check.Options()
    # As ModelCard.load reads a file: UTF-8 with an optional BOM, line endings kept.
    texts = [raw.decode("utf-8-sig") for raw in raws]

    def run_govcard(j: int) -> object:
        return check.check_bytes(raws[j], names[j], options)

    def run_modelcard(j: int) -> object:
        return ModelCard(texts[j])

    def run_floor(j: int) -> object:
        return floor(texts[j])

    contenders: list[Callable[[int], object]] = [run_govcard, run_modelcard, run_floor]
    for run in contenders:  # warm up: regexes, catalogs, lazy imports
        for j in range(len(raws)):
            run(j)
    results = [run_govcard(j) for j in range(len(raws))]
    assert all(isinstance(r, check.FileResult) for r in results)

    size = len(raws)
    rates: list[list[float]] = [[], [], []]
    for _ in range(rounds):
        spent = [0.0, 0.0, 0.0]
        for chunk, first in enumerate(range(0, cards, size)):
            count = min(size, cards - first)  # first is a multiple of size: corpus[0:count]
            for step in range(3):
                k = (chunk + step) % 3
                run = contenders[k]
                begin = time.process_time()
                for j in range(count):
                    run(j)
                spent[k] += time.process_time() - begin
        for k in range(3):
            rates[k].append(cards / spent[k])
    return rates[0], rates[1], rates[2]


def write_cards(folder: Path, raws: list[bytes], cards: int) -> None:
    """`cards` cycled corpus cards, each as README.md of its own folder, bytes as in the corpus."""
    for i in range(cards):
        repo = folder / f"{i:05d}"
        repo.mkdir()
        (repo / "README.md").write_bytes(raws[i % len(raws)])


def median_wall(argv: list[str], cwd: Path, runs: int) -> float:
    """Median wall time of `runs` runs of a command, after one discarded run."""
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, check=False, env=COMPILED)
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, check=False, env=COMPILED)
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000, help="cards per round and per run")
    parser.add_argument("--rounds", type=int, default=5, help="in-process rounds")
    parser.add_argument("--runs", type=int, default=15, help="start-up timings of each command")
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="folder of real model cards (*.md); default: ../shared/corpus/model-cards beside the repository",
    )
    args = parser.parse_args()
    if args.cards < 1 or args.rounds < 1 or args.runs < 1:
        parser.error("--cards, --rounds and --runs must be at least 1")
    if not args.corpus.is_dir():
        parser.error(
            f"the real-card corpus {args.corpus} is missing; pass --corpus DIR, a folder of "
            "Hugging Face model cards (*.md)"
        )
    names, raws = load_corpus(args.corpus)
    if not raws:
        parser.error(f"the real-card corpus {args.corpus} has no *.md cards")

    loads = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    average = sum(len(raw) for raw in raws) / len(raws) / 1024
    crlf = sum(b"\r\n" in raw for raw in raws)
    print(
        f"real mix: {len(raws)} cards from {args.corpus} ({average:.1f} KB on average, "
        f"{crlf} with CRLF), cycled to {args.cards:,}; {os.cpu_count()} CPUs, load {loads}"
    )

    # 1. In-process.
    ours, theirs, least = in_process(names, raws, args.cards, args.rounds)
    ratio = statistics.median(o / t for o, t in zip(ours, theirs, strict=True))
    to_floor = statistics.median(o / f for o, f in zip(ours, least, strict=True))
    inprocess_ok = ratio >= INPROCESS_RATIO_TARGET
    print(
        f"1. in-process, cards per CPU-second, median of {args.rounds} rounds of {args.cards:,} cards:"
    )
    print(f"   govcard check (check_bytes)        {statistics.median(ours):>9,.0f}")
    print(f"   huggingface_hub ModelCard(text)     {statistics.median(theirs):>9,.0f}")
    print(f"   floor: split + yaml.CSafeLoader     {statistics.median(least):>9,.0f}")
    print(
        f"   check/ModelCard {ratio:.2f}x (target >= {INPROCESS_RATIO_TARGET:g}x) "
        f"{verdict(inprocess_ok)}; check/floor {to_floor:.2f}x"
    )

    script = shutil.which("govcard", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "govcard"]
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        (where / "cards").mkdir()
        write_cards(where / "cards", raws, args.cards)

        # 2. Whole process. The discarded first run also checks that every card was checked.
        argv = [*command, "check", "cards", "--format", "json"]
        first = subprocess.run(argv, cwd=where, capture_output=True, check=False, env=COMPILED)
        try:  # exit 1 is also what an uncaught exception gives: look for the report
            checked = json.loads(first.stdout)["summary"]["files"]
        except (ValueError, KeyError, TypeError):
            checked = None
        if first.returncode not in (0, 1) or checked is None:
            sys.exit(
                f"`{' '.join(argv)}` exited {first.returncode} without a JSON report:\n"
                + first.stderr.decode(errors="replace")[-2000:]
            )
        if checked != args.cards:
            sys.exit(f"govcard check checked {checked:,} of {args.cards:,} cards")
        whole = median_wall(argv, where, WHOLE_PROCESS_RUNS)
        rate = args.cards / whole
        whole_ok = rate >= WHOLE_PROCESS_TARGET
        print(
            f"2. whole process, govcard check DIR --format json > /dev/null, {args.cards:,} cards "
            f"(one README.md per folder), median of {WHOLE_PROCESS_RUNS}: {whole:.2f} s wall, "
            f"{rate:,.0f} cards/s (target >= {WHOLE_PROCESS_TARGET:,}) {verdict(whole_ok)}"
        )

        # 3. Start-up.
        one = STARTUP_CARD if STARTUP_CARD in names else names[0]
        (where / "one").mkdir()
        (where / "one" / "README.md").write_bytes(raws[names.index(one)])
        baseline = median_wall([sys.executable, "-c", "import click"], where, args.runs)
        single = median_wall([*command, "check", "one/README.md"], where, args.runs)
    startup_ok = single / baseline <= STARTUP_RATIO_TARGET
    print(
        f"3. start-up, one-card govcard check ({one}): {single * 1000:.0f} ms; "
        f"python -c 'import click': {baseline * 1000:.0f} ms; median of {args.runs}; "
        f"ratio {single / baseline:.2f} (target <= {STARTUP_RATIO_TARGET}) {verdict(startup_ok)}"
    )

    ok = inprocess_ok and whole_ok and startup_ok
    print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
