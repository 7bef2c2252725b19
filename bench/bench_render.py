"""Benchmark for `govcard render`: a 1,000-model project, against huggingface_hub's from_template.

Targets (checked here, never in timed tests):
- load + derive + render of 1,000 models in under 2 s in-process;
- per model card, no slower than `ModelCard.from_template` on equivalent data, measured in the
  same run (its default template, the same metadata and texts).

Run: python bench/bench_render.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench_foundation import generate_project

MODELS = 1000
TOTAL_TARGET_S = 2.0


def main() -> int:
    from huggingface_hub import EvalResult, ModelCard, ModelCardData

    from govcard import derive, loader, render

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "project.yaml"
        path.write_text(generate_project(MODELS), encoding="utf-8")
        render.render(derive.derive(loader.load(path)))  # warm up imports and caches

        timings = []
        for _ in range(3):
            start = time.perf_counter()
            derived = derive.derive(loader.load(path))
            outputs = render.render(derived)
            timings.append(time.perf_counter() - start)
        total = min(timings)

        start = time.perf_counter()
        render.render(derived)
        render_only = time.perf_counter() - start

    cards = [text for name, text in outputs.items() if name.startswith("models/")]
    assert len(cards) == MODELS
    ours_per_card = render_only / MODELS

    def from_template(i: int) -> str:
        data = ModelCardData(
            license="bigcode-openrail-m",
            datasets=["org/data"],
            model_name=f"Model {i}",
            eval_results=[
                EvalResult(
                    task_type="text-generation",
                    dataset_type="HumanEval",
                    dataset_name="HumanEval",
                    metric_type="pass@1",
                    metric_value=0.3,
                )
            ],
            co2_eq_emissions={"emissions": 60000, "training_type": "pre-training"},
        )
        card = ModelCard.from_template(
            data,
            model_id=f"model-{i}",
            model_summary=f"Model {i}",
            hardware_type="8 x A100 80GB",
            hours_used=str(1000 + i),
        )
        return str(card)

    from_template(0)
    sample = 200
    start = time.perf_counter()
    for i in range(sample):
        from_template(i)
    theirs_per_card = (time.perf_counter() - start) / sample

    print(
        f"load + derive + render, {MODELS:,} models: {total * 1000:.0f} ms (target < {TOTAL_TARGET_S * 1000:.0f} ms)"
    )
    print(
        f"per model card: govcard {ours_per_card * 1000:.3f} ms (render only, Governance Card included); "
        f"ModelCard.from_template {theirs_per_card * 1000:.3f} ms; ratio {ours_per_card / theirs_per_card:.2f}"
    )
    ok = total < TOTAL_TARGET_S and ours_per_card <= theirs_per_card
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
