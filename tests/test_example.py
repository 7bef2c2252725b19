"""The bundled BigCode example: valid, sourced, and its carbon figures reproduced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from govcard import carbon, loader
from govcard.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"


@pytest.fixture(scope="module")
def project() -> loader.Project:
    return loader.load(EXAMPLE)


def test_example_points_editors_at_the_committed_schema() -> None:
    first = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix)
    assert (
        EXAMPLE.parent / first.removeprefix(prefix)
    ).resolve() == ROOT / "schemas" / "project.schema.json"


def test_example_holds_the_bigcode_facts(project: loader.Project) -> None:
    facts = project.facts
    assert facts.project.participation is not None
    assert (facts.project.participation.participants, facts.project.participation.countries) == (
        675,
        62,
    )
    stack = facts.datasets[0]
    assert [v.version for v in stack.versions] == ["1.0", "1.1", "1.2"]
    assert stack.opt_out is not None and stack.opt_out.people == 44
    assert stack.pii is not None and stack.pii.annotation is not None
    assert (stack.pii.annotation.workers, stack.pii.annotation.countries) == (1399, 35)
    assert [m.id for m in facts.models] == ["santacoder", "starcoderbase", "starcoder"]
    assert {m.license for m in facts.models} == {"bigcode-openrail-m"}


def test_every_figure_in_the_example_has_a_source(project: loader.Project) -> None:
    facts = project.facts
    sourced = [facts.project.participation, facts.project.decision_making, *facts.project.funding]
    for dataset in facts.datasets:
        sourced += [*dataset.versions, dataset.licensing, dataset.opt_out, dataset.maintenance]
        if dataset.pii:
            sourced += [dataset.pii.annotation, dataset.pii.detector]
            sourced += dataset.pii.annotation.reference_wages if dataset.pii.annotation else []
    for model in facts.models:
        sourced += model.evaluation
        if model.training:
            sourced += [model.training, model.training.reported]
    missing = [repr(item)[:60] for item in sourced if item is not None and not item.source]
    assert not missing


def test_starcoderbase_reproduces_the_published_footprint(project: loader.Project) -> None:
    result = {f.id: f for f in carbon.footprints(project)}["starcoderbase"]
    assert result.energy_kwh == pytest.approx(89_671.68)
    assert result.facility_energy_kwh == pytest.approx(107_606.016)
    assert result.co2eq_kg == pytest.approx(16_673.55, abs=0.01)
    assert result.consistency.status == "consistent"
    assert (
        "reported 16.68 t matches the computed 16.674 t within 0.5%" in result.consistency.message
    )
    assert "89,671.68 kWh is the IT energy before PUE" in result.consistency.message


def test_santacoder_is_flagged_and_explained(project: loader.Project) -> None:
    result = {f.id: f for f in carbon.footprints(project)}["santacoder"]
    assert result.consistency.status == "inconsistent"
    assert result.consistency.message.startswith(
        "reported 124 kg matches the figure without PUE (124.3 kg); with the stated PUE 1.2 it is 149.1 kg"
    )


def test_carbon_json_lists_every_model_with_training_facts() -> None:
    result = CliRunner().invoke(cli, ["carbon", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    models = json.loads(result.stdout)["models"]
    assert [m["id"] for m in models] == ["santacoder", "starcoderbase", "starcoder"]
    assert [m["consistency"]["status"] for m in models] == [
        "inconsistent",
        "consistent",
        "unverified",
    ]
    assert models[1]["co2eq_kg"] == pytest.approx(16_673.55, abs=0.01)
    assert models[2]["co2eq_kg"] is None
