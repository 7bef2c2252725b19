"""The facts schema: the committed JSON Schema is current, documented and strict."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from govcard import loader, schema, starter

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "schemas" / "project.schema.json"


def test_committed_schema_is_current() -> None:
    committed = COMMITTED.read_text(encoding="utf-8")
    assert committed == schema.json_schema_text(), (
        "schemas/project.schema.json is stale: run govcard schema > schemas/project.schema.json"
    )


def test_schema_text_is_the_schema_as_json() -> None:
    text = schema.json_schema_text()
    assert text.endswith("}\n")
    assert json.loads(text) == schema.json_schema()


def test_schema_identifies_itself() -> None:
    document = schema.json_schema()
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == schema.SCHEMA_ID
    assert document["title"] == "govcard project"
    assert document["required"] == ["project"]
    assert document["additionalProperties"] is False


def test_a_model_needs_only_its_id() -> None:
    # The project's name is the only key a file needs; a model is named by its id by default.
    assert schema.json_schema()["$defs"]["Model"]["required"] == ["id"]
    assert schema.Model.model_validate({"id": "starcoder"}).name == "starcoder"
    assert schema.Model.model_validate({"id": "x", "name": "X"}).name == "X"


def _objects(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "(root)", document
    yield from document["$defs"].items()


def test_every_property_has_a_description() -> None:
    undocumented = [
        f"{name}.{key}"
        for name, definition in _objects(schema.json_schema())
        for key, prop in definition.get("properties", {}).items()
        if not prop.get("description", "").strip()
    ]
    assert undocumented == []


def test_every_object_has_a_description_and_forbids_unknown_keys() -> None:
    for name, definition in _objects(schema.json_schema()):
        if definition.get("type") != "object":
            continue
        assert definition.get("description", "").strip(), name
        assert definition.get("additionalProperties") is False, name


def _models() -> list[type[BaseModel]]:
    return [
        value
        for value in vars(schema).values()
        if inspect.isclass(value) and issubclass(value, BaseModel) and value is not BaseModel
    ]


def test_every_model_is_in_the_schema() -> None:
    names = set(schema.json_schema()["$defs"]) | {"ProjectFile", "Facts"}
    assert {model.__name__ for model in _models()} <= names


@pytest.mark.parametrize("model", _models(), ids=lambda model: model.__name__)
def test_every_model_forbids_extra_keys(model: type[BaseModel]) -> None:
    assert model.model_config.get("extra") == "forbid"
    assert model.model_config.get("strict") is True


def test_extra_key_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        schema.Money.model_validate({"amount": 1, "currancy": "EUR"})
    assert [e["type"] for e in caught.value.errors()] == ["extra_forbidden"]


def test_hub_license_ids_are_loaded() -> None:
    ids = schema.hub_license_ids()
    assert "apache-2.0" in ids
    assert "bigcode-openrail-m" in ids
    assert "other" in ids


# --- the starter file --------------------------------------------------------------------------


def test_starter_begins_with_a_schema_comment() -> None:
    first = starter.starter_text().splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    assert first.removeprefix("# yaml-language-server: $schema=") == starter.SCHEMA_FILE


def test_starter_validates(tmp_path: Path) -> None:
    path = tmp_path / "project.yaml"
    path.write_text(starter.starter_text(), encoding="utf-8")
    project = loader.load(path)
    assert project.facts.project.name
    assert project.facts.schema_version == schema.SCHEMA_VERSION


def test_starter_writes_project_and_schema(tmp_path: Path) -> None:
    written = starter.write(tmp_path / "new")
    assert written == [tmp_path / "new" / "project.yaml", tmp_path / "new" / starter.SCHEMA_FILE]
    assert written[0].read_text(encoding="utf-8") == starter.starter_text()
    assert written[1].read_text(encoding="utf-8") == schema.json_schema_text()
    loader.load(written[0])


# --- the Governance Card's facts ---------------------------------------------------------------


def test_channel_groups_must_add_up_to_the_published_total(errors) -> None:
    lines = errors(
        """
        project:
          name: P
          communication:
            total_channels: 47
            groups:
              - {group: Steering committee, channels: 3}
              - {group: Working groups, channels: 45}
        """
    )
    assert len(lines) == 1
    assert "project.communication" in lines[0]
    assert "the groups' channels add up to 48, not total_channels 47" in lines[0]


def test_channel_total_is_the_sum_when_none_is_published() -> None:
    comm = schema.Communication.model_validate(
        {"groups": [{"group": "A", "channels": 2}, {"group": "B", "channels": 5}]}
    )
    assert comm.channel_total() == 7
    assert schema.Communication.model_validate({"platform": "Slack"}).channel_total() is None


def test_an_f1_is_a_value_or_a_bound_not_both() -> None:
    with pytest.raises(ValidationError, match="give f1_pct or f1_over_pct, not both"):
        schema.DetectorMetric.model_validate(
            {"category": "names", "f1_pct": 91.0, "f1_over_pct": 90}
        )


def test_opt_out_stages_name_a_known_version(errors) -> None:
    lines = errors(
        """
        project: {name: P}
        datasets:
          - id: d
            name: D
            versions: [{version: "1.0"}]
            opt_out:
              by_version:
                - {version: "1.1", process: By e-mail.}
        """
    )
    assert len(lines) == 1
    assert "opt_out.by_version names version '1.1', which is not in versions (1.0)" in lines[0]


def test_a_data_source_names_a_known_dataset(errors) -> None:
    lines = errors(
        """
        project: {name: P}
        datasets:
          - id: stack
            name: Stack
          - id: derived
            name: Derived
            sources:
              - {name: Code, dataset: stak}
              - {name: Itself, dataset: derived}
              - {name: Hub data, dataset: bigcode/the-stack}
        """
    )
    assert lines == [
        "project.yaml:8:31: datasets[1].sources[0].dataset: unknown dataset 'stak'; use an id "
        "from datasets (derived, stack) or a Hub id like org/name",
        "project.yaml:9:33: datasets[1].sources[1].dataset: a dataset cannot be its own source",
    ]


def test_governance_card_sections_are_left_out_when_the_facts_are_silent(load) -> None:
    from govcard import derive, render

    card = render.render(derive.derive(load("project: {name: Bare}\n")))["GOVERNANCE.md"]
    for heading in ("Code of conduct", "Communication", "Intellectual property", "In-kind"):
        assert heading not in card
