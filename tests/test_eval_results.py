"""Evaluation results in the Hub's `.eval_results/*.yaml` form, beside each model card.

`govcard render` writes `models/<id>/.eval_results/govcard.yaml` with huggingface_hub's own
classes; huggingface_hub's reader gives back what the facts say. The model card keeps its
`model-index` for older readers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from huggingface_hub import EvalResultEntry, ModelCard, parse_eval_result_entries
from support import run, snapshot

from govcard import derive, loader, render

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"

PROJECT = """\
project: {name: X}
models:
  - id: m
    name: M
    evaluation:
      - {task: text-generation, dataset: HumanEval, dataset_id: openai/openai_humaneval, metric: pass@1, value: 0.304, source: https://arxiv.org/abs/2305.06161}
      - {task: text-generation, dataset: MultiPL-E Rust, dataset_id: nuprl/MultiPL-E, dataset_config: humaneval-rs, metric: pass@1, value: 0.2}
      - {task: text-generation, dataset: DS-1000, dataset_id: ds1000, metric: pass@1, value: 0.26}
"""


def read_back(text: str) -> list[EvalResultEntry]:
    """The entries huggingface_hub reads from an `.eval_results/*.yaml` file."""
    return parse_eval_result_entries(yaml.safe_load(text))


def test_results_on_hub_datasets_are_written_beside_the_card(load) -> None:
    outputs = render.render(derive.derive(load(PROJECT)))
    assert read_back(outputs["models/m/.eval_results/govcard.yaml"]) == [
        EvalResultEntry(
            dataset_id="openai/openai_humaneval",
            task_id="default",
            value=0.304,
            source_url="https://arxiv.org/abs/2305.06161",
            notes="HumanEval, pass@1",
        ),
        EvalResultEntry(
            dataset_id="nuprl/MultiPL-E",
            task_id="humaneval-rs",
            value=0.2,
            notes="MultiPL-E Rust, pass@1",
        ),
    ]


def test_the_file_is_the_form_the_hub_documents(load) -> None:
    outputs = render.render(derive.derive(load(PROJECT)))
    first = yaml.safe_load(outputs["models/m/.eval_results/govcard.yaml"])[0]
    assert first == {
        "dataset": {"id": "openai/openai_humaneval", "task_id": "default"},
        "value": 0.304,
        "source": {"url": "https://arxiv.org/abs/2305.06161"},
        "notes": "HumanEval, pass@1",
    }


def test_a_result_on_a_dataset_type_stays_in_model_index_and_is_a_gap(write) -> None:
    write(PROJECT)
    result = run("render", "project.yaml", "-o", "out")
    assert result.exit_code == 0, result.output
    assert (
        "gap: models[m]: the evaluation on DS-1000 names no Hub dataset (dataset_id ORG/NAME), "
        "so .eval_results leaves it out"
    ) in result.stderr.splitlines()
    card = ModelCard(Path("out/models/m/README.md").read_text(encoding="utf-8"))
    assert [r.dataset_type for r in card.data.eval_results] == [
        "openai/openai_humaneval",
        "nuprl/MultiPL-E",
        "ds1000",
    ]


def test_a_model_without_results_on_hub_datasets_has_no_file(load) -> None:
    project = load(PROJECT.replace("openai/openai_humaneval", "x").replace("nuprl/MultiPL-E", "y"))
    outputs = render.render(derive.derive(project))
    assert not [name for name in outputs if ".eval_results" in name]


def test_the_bigcode_example_round_trips() -> None:
    derived = derive.derive(loader.load(EXAMPLE))
    outputs = render.render(derived)
    written = {name: text for name, text in outputs.items() if ".eval_results" in name}
    assert list(written) == ["models/santacoder/.eval_results/govcard.yaml"]
    santacoder = derived.models[0]
    entries = read_back(written["models/santacoder/.eval_results/govcard.yaml"])
    assert entries == render.eval_result_entries(santacoder)
    assert [(e.dataset_id, e.value) for e in entries] == [
        ("nuprl/MultiPL-E", e.value) for e in santacoder.model.evaluation
    ]


def test_rendering_again_replaces_the_file(write) -> None:
    write(PROJECT)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    before = snapshot(Path("out"))
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    assert snapshot(Path("out")) == before
    result = run("render", "project.yaml", "-o", "out", "--check")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", ["community.yaml", "notes.txt"])
def test_a_results_file_govcard_did_not_write_stops_the_render(write, name: str) -> None:
    write(PROJECT)
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    write(
        "- dataset: {id: a/b, task_id: default}\n  value: 1\n", f"out/models/m/.eval_results/{name}"
    )
    before = snapshot(Path("out"))
    result = run("render", "project.yaml", "-o", "out")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"out: holds files govcard did not write (models/m/.eval_results/{name}); "
        "render into an empty directory or one govcard wrote"
    )
    assert snapshot(Path("out")) == before
