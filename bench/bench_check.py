"""Benchmark for `govcard check`: 10,000 generated cards, and the start-up of a one-card check.

Targets (checked here, never in timed tests):
- at least 5,000 cards/s in-process on one core; huggingface_hub's `ModelCard` parse alone is the
  baseline, measured in the same run;
- a one-card `govcard check` whole process within 2.5x of `python -c "import click"`.

Run: python bench/bench_check.py [--cards N]
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

CARDS_PER_S_TARGET = 5000
STARTUP_RATIO_TARGET = 2.5

FRONT_MATTER = """---
license: {license}
base_model: {base}
datasets:
- org/data-{i}
library_name: transformers
pipeline_tag: text-generation
tags:
- code
co2_eq_emissions:
  emissions: {grams}
  source: codecarbon
  training_type: fine-tuning
---
"""

BODY = """
# Model {i}

This model is a fine-tuned version of {base} on a dataset of {i} examples.

## Model summary

A code model fine-tuned for unit tests. It was trained for {hours} GPU-hours on 8 x A100 GPUs and
emitted {kg} kg of CO2eq according to codecarbon.

## Use

Intended for research on code generation. The model is subject to the use restrictions of the
BigCode OpenRAIL-M license (https://huggingface.co/spaces/bigcode/bigcode-model-license-agreement):
you must not use it to break the law, to harm minors, to write malware or to mislead people.
When you share it, give recipients a copy of the license and keep the attribution notices.

## Training

- **Data:** org/data-{i}, {i} examples of Python functions with their tests.
- **Method:** full fine-tuning for 3 epochs with a learning rate of 2e-5 and a batch size of 32.
- **Hardware:** 8 x A100 80GB for {hours} GPU-hours.

## Limitations

{filler}

## Citation

```
@misc{{model{i},
  title={{Model {i}}},
  year={{2024}}
}}
```
"""

FILLER = (
    "Generated code is not guaranteed to work as intended; it can be inefficient and contain bugs "
    "or exploits. The model can reproduce code from its training data verbatim, and the license of "
    "that code may require attribution. "
)


# Start-up is measured as users see it: with compiled bytecode. An editable install under
# PYTHONDONTWRITEBYTECODE would compile govcard's sources on every start, while click, installed by
# pip, is precompiled; the first (discarded) run writes the bytecode.
COMPILED = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def card(i: int) -> str:
    """A card of about 5 KB, varied by `i`."""
    licenses = ["bigcode-openrail-m", "apache-2.0", "mit", "creativeml-openrail-m"]
    bases = [
        "bigcode/starcoderbase",
        "bigcode/santacoder",
        "org/other-model",
        "runwayml/stable-diffusion-v1-5",
    ]
    kg = 1 + i % 50
    text = FRONT_MATTER.format(license=licenses[i % 4], base=bases[i % 4], i=i, grams=kg * 1000)
    text += BODY.format(i=i, base=bases[i % 4], hours=100 + i, kg=kg, filler=FILLER * 20)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15, help="whole-process timings")
    args = parser.parse_args()

    from huggingface_hub import ModelCard

    from govcard import check

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cards"
        folder.mkdir()
        texts = [card(i) for i in range(args.cards)]
        for i, text in enumerate(texts):
            (folder / f"card-{i:05d}.md").write_text(text, encoding="utf-8")
        size = sum(len(t) for t in texts) / len(texts)

        options = check.Options()
        check.check_paths([folder], options)  # warm up caches
        start = time.perf_counter()
        results = check.check_paths([folder], options)
        ours = time.perf_counter() - start
        assert len(results) == args.cards

        sample = texts[:2000]
        start = time.perf_counter()
        for text in sample:
            ModelCard(text)
        theirs = (time.perf_counter() - start) / len(sample)

        one = folder / "card-00000.md"
        script = shutil.which("govcard", path=str(Path(sys.executable).parent))
        command = [script] if script else [sys.executable, "-m", "govcard"]

        def median_time(argv: list[str]) -> float:
            subprocess.run(argv, stdout=subprocess.DEVNULL, check=False, env=COMPILED)
            times = []
            for _ in range(args.runs):
                begin = time.perf_counter()
                subprocess.run(argv, stdout=subprocess.DEVNULL, check=False, env=COMPILED)
                times.append(time.perf_counter() - begin)
            return statistics.median(times)

        baseline = median_time([sys.executable, "-c", "import click"])
        whole = median_time([*command, "check", str(one)])

    rate = args.cards / ours
    print(
        f"check, {args.cards:,} cards of {size / 1024:.1f} KB on average: {ours:.2f} s, {rate:,.0f} cards/s "
        f"(target >= {CARDS_PER_S_TARGET:,}); ModelCard parse alone: {1 / theirs:,.0f} cards/s"
    )
    print(
        f"one-card govcard check: {whole * 1000:.0f} ms; python -c 'import click': {baseline * 1000:.0f} ms; "
        f"ratio {whole / baseline:.2f} (target <= {STARTUP_RATIO_TARGET})"
    )
    ok = rate >= CARDS_PER_S_TARGET and whole / baseline <= STARTUP_RATIO_TARGET
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
