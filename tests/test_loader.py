"""Loading project.yaml: every problem is reported at once, as file:line:column: path: message."""

from __future__ import annotations

import difflib
import os
import subprocess
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from support import govcard_bounded

from govcard import loader
from govcard.errors import GovcardError, Problem


def assert_one_line_exit_2(result: subprocess.CompletedProcess[str], expected: str) -> None:
    """Exit 2 with exactly the expected line on stderr: no traceback, nothing on stdout."""
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [expected]
    assert result.stdout == ""
    assert result.returncode == 2


MODELS = """\
    project:
      name: BigCode
    models:
      - id: starcoderbase
        name: StarCoderBase
        training:
          gpu_hours: 320256
          gpu_power_w: 280
          pue: 1.2
      - id: santacoder
        name: SantaCoder
        training:
          gpu_hours: 14284
          gpu_power_w: 300
          pue: 0.9
    """


def test_the_issue_example(errors) -> None:
    assert errors(MODELS) == [
        "project.yaml:15:12: models[1].training.pue: must be >= 1.0, got 0.9",
    ]


def test_problem_fields(write) -> None:
    path = write(MODELS)
    with pytest.raises(GovcardError) as caught:
        loader.load(path)
    assert caught.value.exit_code == 2
    assert caught.value.problems == [
        Problem("project.yaml", 15, 12, "must be >= 1.0, got 0.9", "models[1].training.pue")
    ]


def test_valid_file_loads(load) -> None:
    project = load(MODELS.replace("pue: 0.9", "pue: 1.2"))
    assert project.file == Path("project.yaml")
    assert project.directory == Path(".")
    assert [m.id for m in project.facts.models] == ["starcoderbase", "santacoder"]
    assert project.facts.schema_version == 1
    training = project.facts.models[0].training
    assert training is not None
    assert training.gpu_hours == 320256
    assert training.pue == 1.2


def test_minimal_file_is_project_name_only(load) -> None:
    project = load("project: {name: My Project}\n")
    assert project.facts.project.name == "My Project"
    assert project.facts.models == []
    assert project.facts.datasets == []


def test_a_model_without_a_name_is_called_by_its_id(load) -> None:
    # Only project.name is required, as the schema's description of it says.
    text = "project: {name: X}\nmodels:\n  - {id: starcoder}\n  - {id: santa, name: null}\n"
    assert [m.name for m in load(text).facts.models] == ["starcoder", "santa"]


def test_load_accepts_a_str_path(write) -> None:
    write("project: {name: X}\n")
    assert loader.load("project.yaml").facts.project.name == "X"


# --- what the schema says ----------------------------------------------------------------------


def test_unknown_key_suggests_the_close_one(errors) -> None:
    text = """\
        project:
          name: X
        models:
          - id: a
            name: A
            training:
              gpu_hour: 100
        """
    assert errors(text) == [
        "project.yaml:7:7: models[0].training.gpu_hour: unknown key 'gpu_hour' (did you mean gpu_hours?)"
    ]


def test_unknown_key_without_a_close_one_lists_the_allowed_keys(errors) -> None:
    assert errors("project: {name: X}\nzebra: 1\n") == [
        "project.yaml:2:1: zebra: unknown key 'zebra' (allowed keys: schema_version, project, datasets, models)"
    ]


def test_quoted_number_is_not_a_number(errors) -> None:
    text = """\
        project:
          name: X
        models:
          - id: a
            name: A
            training:
              gpu_power_w: '280'
        """
    assert errors(text) == [
        "project.yaml:7:20: models[0].training.gpu_power_w: must be a number, got '280'"
    ]


def test_number_is_not_text(errors) -> None:
    assert errors("project:\n  name: 12\n") == [
        "project.yaml:2:9: project.name: must be text, got 12"
    ]


def test_yes_is_not_text(errors) -> None:
    assert errors("project:\n  name: yes\n") == [
        "project.yaml:2:9: project.name: must be text, got True"
    ]


def test_missing_required_key(errors) -> None:
    text = """\
        project:
          description: A project without a name.
        """
    assert errors(text) == ["project.yaml:2:3: project.name: required key is missing; add it"]


def test_missing_project(errors) -> None:
    assert errors("schema_version: 1\n") == [
        "project.yaml:1:1: project: required key is missing; add it"
    ]


def test_several_errors_are_reported_at_once_in_file_order(errors) -> None:
    text = """\
        project:
          name: X
          homepage: example.org
        models:
          - id: Big Model
            name: A
            training:
              gpu_power_w: -3
              pue: 0.5
        """
    assert errors(text) == [
        "project.yaml:3:13: project.homepage: must be an http(s) URL, got 'example.org'",
        "project.yaml:5:9: models[0].id: must be a slug: lowercase letters, digits, '.', '_' or '-', e.g. 'starcoder', got 'Big Model'",
        "project.yaml:8:20: models[0].training.gpu_power_w: must be > 0.0, got -3",
        "project.yaml:9:12: models[0].training.pue: must be >= 1.0, got 0.5",
    ]


def test_problems_are_sorted_by_line(write) -> None:
    text = """\
        models:
          - id: a
            name: A
            training: {pue: 0.1}
        project:
          homepage: nope
        """
    path = write(text)
    with pytest.raises(GovcardError) as caught:
        loader.load(path)
    lines = [(p.line, p.column) for p in caught.value.problems]
    assert lines == sorted(lines)
    assert len(lines) == 3  # pue, project.name missing, homepage


# --- YAML itself -------------------------------------------------------------------------------


def test_malformed_yaml(errors) -> None:
    assert errors("project:\n  name: [X\n") == [
        "project.yaml:3:1: invalid YAML: while parsing a flow sequence did not find expected ',' or ']'"
    ]


def test_bad_indentation(errors) -> None:
    assert errors("project:\n  name: X\n   extra: 1\n") == [
        "project.yaml:3:9: invalid YAML: mapping values are not allowed in this context"
    ]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("project:\n\tname: X\n", "2:1"),
        ("project:\n  name: X\nmodels:\n  - id: a\n    training:\n\t  pue: 1.2\n", "6:1"),
        ("project:\n  name: X\n  values:\n  - \tfirst\n", "4:5"),
        ("project:\n  name: X\n\t\n", "3:1"),
        ("project:\n  description: |\n\tmore\n", "3:1"),
        ("project: {name: X}\r\n\tvalues: []\r\n", "2:1"),
    ],
)
def test_a_tab_is_called_a_tab(errors, text: str, where: str) -> None:
    # libyaml said "found character that cannot start any token", without naming it. (Bytes:
    # the text is written as it is, not dedented.)
    assert errors(text.encode()) == [
        f"project.yaml:{where}: invalid YAML: a tab, where YAML allows only spaces; indent with spaces"
    ]


def test_a_tab_inside_a_value_is_text(load) -> None:
    assert load('project:\n  name: "A\tB"\n').facts.project.name == "A\tB"


def test_duplicate_keys(errors) -> None:
    text = """\
        project:
          name: X
          description: first
          description: second
        """
    assert errors(text) == [
        "project.yaml:4:3: duplicate key 'description' (first on line 3); keep one"
    ]


@pytest.mark.parametrize("text", ["- project\n- name\n", "just text\n", "42\n"])
def test_top_level_must_be_a_mapping(errors, text: str) -> None:
    assert errors(text) == [
        "project.yaml:1:1: the top level must be a mapping with a project: key (see govcard init)"
    ]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_empty_file(errors, text: str) -> None:
    assert errors(text) == [
        "project.yaml:1:1: is empty; a project file needs at least project: {name: ...}"
    ]


def test_alias_bomb_gives_one_clear_error_quickly(errors) -> None:
    # "Billion laughs": nine levels of nine aliases would expand to 9**9 strings.
    lines = [
        "project:",
        "  name: X",
        '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"  {name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    started = time.perf_counter()
    found = errors("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 5
    assert len(found) == 1
    assert found[0].startswith("project.yaml:")
    assert found[0].endswith(
        ": expands to more than 200,000 values (YAML aliases?); remove the aliases"
    )


def test_recursive_alias(errors) -> None:
    text = """\
        project: &p
          name: X
          itself: *p
        """
    assert errors(text) == [
        "project.yaml:1:10: a YAML alias refers to its own ancestor; remove the cycle"
    ]


def test_aliases_of_plain_values_are_fine(load) -> None:
    text = """\
        project:
          name: &n BigCode
          organizations:
            - name: *n
        """
    assert load(text).facts.project.organizations[0].name == "BigCode"


@pytest.mark.parametrize(
    "tag", ["!!python/object:os.system {}", "!!python/object/apply:os.system ['true']"]
)
def test_python_tags_are_refused(errors, tag: str) -> None:
    found = errors(f"project:\n  name: {tag}\n")
    assert len(found) == 1
    assert found[0].startswith("project.yaml:2:9: ")
    assert "python/object" in found[0]


def test_python_name_tag_is_refused(errors) -> None:
    assert errors("project:\n  name: !!python/name:os.system ''\n") == [
        "project.yaml:2:9: unsupported tag tag:yaml.org,2002:python/name:os.system; remove it"
    ]


def test_set_tag_is_refused(errors) -> None:
    assert errors("project: !!set {a, b}\n") == [
        "project.yaml:1:10: unsupported tag tag:yaml.org,2002:set; remove it"
    ]


def test_key_must_be_text(errors) -> None:
    assert errors("project:\n  name: X\n  ? [a, b]\n  : 1\n") == [
        "project.yaml:3:5: a key must be plain text, not a list or mapping"
    ]


def test_merge_keys_are_accepted(load) -> None:
    text = """\
        project:
          name: X
        models:
          - id: small
            name: Small
            training: &defaults
              gpu_power_w: 300
              pue: 1.1
              carbon_intensity_kg_per_kwh: 0.029
              gpu_hours: 100
          - id: large
            name: Large
            training:
              <<: *defaults
              gpu_hours: 1000
        """
    project = load(text)
    large = project.facts.models[1].training
    assert large is not None
    assert (large.gpu_hours, large.gpu_power_w, large.pue) == (1000, 300, 1.1)
    assert large.carbon_intensity_kg_per_kwh == 0.029


def test_merge_key_values_are_validated(errors) -> None:
    text = """\
        project:
          name: X
        models:
          - id: small
            name: Small
            training: &defaults
              pue: 1.1
          - id: large
            name: Large
            training:
              <<: *defaults
              gpu_powr_w: 1
        """
    assert errors(text) == [
        "project.yaml:12:7: models[1].training.gpu_powr_w: unknown key 'gpu_powr_w' (did you mean gpu_power_w?)"
    ]


@pytest.mark.parametrize("date", ["2023-02-30", "2023-13-01"])
def test_impossible_date_is_a_located_error(write, date: str) -> None:
    path = write(f"project:\n  name: X\n  participation: {{as_of: {date}}}\n")
    with pytest.raises(GovcardError) as caught:
        loader.load(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column) == ("project.yaml", 3, 26)
    assert date in str(problem) or "date" in problem.message


def test_dates_load(load) -> None:
    project = load("project:\n  name: X\n  participation: {as_of: 2023-02-09}\n")
    participation = project.facts.project.participation
    assert participation is not None
    assert str(participation.as_of) == "2023-02-09"


def test_utf8_bom_is_accepted(load) -> None:
    project = load("\ufeffproject:\n  name: Café\n".encode())
    assert project.facts.project.name == "Café"
    assert project.positions[("project", "name")] == (2, 9)


def test_crlf_line_ends_are_accepted(load) -> None:
    assert load(b"project:\r\n  name: X\r\n").facts.project.name == "X"


# --- the file itself ---------------------------------------------------------------------------


def test_binary_file(errors) -> None:
    assert errors(b"project:\n  name: X\x00\n") == [
        "project.yaml:2:10: is a binary file (NUL byte); give a YAML text file"
    ]


def test_not_utf8(errors) -> None:
    assert errors(b"project:\n  name: Caf\xe9\n") == [
        "project.yaml:2:12: is not UTF-8 (byte 0xe9); save it as UTF-8"
    ]


def test_missing_file(workdir) -> None:
    with pytest.raises(GovcardError) as caught:
        loader.load("nope.yaml")
    assert str(caught.value) == (
        "nope.yaml: no such file; check the path (govcard init writes a starter)"
    )


def test_directory(workdir) -> None:
    Path("folder").mkdir()
    with pytest.raises(GovcardError) as caught:
        loader.load("folder")
    assert str(caught.value) == "folder: is a directory; give the path of a project.yaml file"


def test_too_large(write, monkeypatch) -> None:
    monkeypatch.setattr(loader, "MAX_BYTES", 10)
    path = write("project: {name: Long enough}\n")
    with pytest.raises(GovcardError) as caught:
        loader.load(path)
    assert str(caught.value) == "project.yaml: is 29 bytes; a project file may be at most 10"


# --- text values -------------------------------------------------------------------------------


def test_ansi_escape_in_text_is_refused(errors) -> None:
    assert errors('project:\n  name: "X\\e[31m red"\n') == [
        "project.yaml:2:9: project.name: contains the control character U+001B; remove it"
    ]


def test_nul_escape_in_text_is_refused(errors) -> None:
    assert errors('project:\n  name: X\n  description: "a\\0b"\n') == [
        "project.yaml:3:16: project.description: contains the control character U+0000; remove it"
    ]


def test_c1_control_character_in_text_is_refused(errors) -> None:
    # U+009B is the one-byte form of ESC [ (CSI): terminals act on it like an ANSI escape.
    assert errors('project:\n  name: "X\\x9b31m red"\n') == [
        "project.yaml:2:9: project.name: contains the control character U+009B; remove it"
    ]


@pytest.mark.parametrize(
    ("yaml_text", "where"),
    [
        (
            'project:\n  name: X\n  homepage: "https://example.org/\\e[31m"\n',
            "project.yaml:3:13: project.homepage: ",
        ),
        (
            'project:\n  name: X\n  contacts:\n    - {email: "bob\\e[2J@example.org"}\n',
            "project.yaml:4:15: project.contacts[0].email: ",
        ),
    ],
    ids=["url", "email"],
)
def test_ansi_escape_in_urls_and_emails_is_refused(errors, yaml_text: str, where: str) -> None:
    found = errors(yaml_text)
    assert len(found) == 1
    assert found[0].startswith(where)


def test_tabs_and_newlines_in_text_are_fine(load) -> None:
    project = load('project:\n  name: X\n  description: "a\\tb\\nc"\n')
    assert project.facts.project.description == "a\tb\nc"


def test_empty_name_is_refused(errors) -> None:
    assert errors('project:\n  name: ""\n') == ["project.yaml:2:9: project.name: must not be empty"]


# --- licenses ----------------------------------------------------------------------------------

LICENSED = """\
    project:
      name: X
    models:
      - id: a
        name: A
        license: {license}
    """


def test_known_hub_license(load) -> None:
    assert load(LICENSED.format(license="bigcode-openrail-m")).facts.models[0].license == (
        "bigcode-openrail-m"
    )


def test_unknown_hub_license_with_suggestion(errors) -> None:
    assert errors(LICENSED.format(license="bigcode-openrail")) == [
        "project.yaml:6:14: models[0].license: unknown Hub license id 'bigcode-openrail' "
        "(did you mean bigcode-openrail-m?); use {id: other, name, link}"
    ]


def test_license_other_alone(errors) -> None:
    assert errors(LICENSED.format(license="other")) == [
        "project.yaml:6:14: models[0].license: license 'other' needs its name and link: "
        "{id: other, name: ..., link: ...}"
    ]


def test_license_other_without_link(errors) -> None:
    assert errors(LICENSED.format(license="{id: other, name: my-license}")) == [
        "project.yaml:6:14: models[0].license.link: required key is missing; add it"
    ]


def test_license_other_with_name_and_link(load) -> None:
    project = load(
        LICENSED.format(
            license="{id: other, name: my-license, link: 'https://example.org/LICENSE'}"
        )
    )
    license_ = project.facts.models[0].license
    assert not isinstance(license_, str) and license_ is not None
    assert (license_.id, license_.name, license_.link) == (
        "other",
        "my-license",
        "https://example.org/LICENSE",
    )


def test_unknown_key_in_other_license(errors) -> None:
    assert errors(
        LICENSED.format(license='{id: other, name: x, link: "https://x.org", version: 2}')
    ) == [
        "project.yaml:6:58: models[0].license.version: unknown key 'version' (allowed keys: id, name, link)"
    ]


@pytest.mark.parametrize(
    ("country", "hint"),
    [("usa", " (did you mean 'USA'?)"), ("US", ""), ("France", "")],
)
def test_a_country_code_is_asked_for_as_a_country_code(errors, country: str, hint: str) -> None:
    # The pattern is the currency's too; the message used to offer 'USD' as an example.
    text = f"project: {{name: X}}\nmodels:\n  - {{id: a, training: {{location: {{country: {country}}}}}}}\n"
    assert errors(text) == [
        "project.yaml:3:44: models[0].training.location.country: must be an ISO 3166-1 alpha-3 "
        f"country code, e.g. 'USA' or 'FRA', got {country!r}{hint}"
    ]


def test_a_currency_is_asked_for_as_a_currency(errors) -> None:
    text = (
        "project:\n  name: X\n  funding:\n    - {funder: F, amount: {amount: 5, currency: eur}}\n"
    )
    assert errors(text) == [
        "project.yaml:4:49: project.funding[0].amount.currency: must be an ISO 4217 currency code, "
        "e.g. 'USD' or 'EUR', got 'eur' (did you mean 'EUR'?)"
    ]


def test_a_slug_in_capitals_is_offered_in_lowercase(errors) -> None:
    assert errors("project: {name: X}\nmodels:\n  - {id: StarCoder}\n") == [
        "project.yaml:3:10: models[0].id: must be a slug: lowercase letters, digits, '.', '_' or "
        "'-', e.g. 'starcoder', got 'StarCoder' (did you mean 'starcoder'?)"
    ]


def test_location_must_be_a_mapping(errors) -> None:
    text = "project: {name: X}\nmodels:\n  - {id: a, name: A, training: {location: FRA}}\n"
    assert errors(text) == [
        "project.yaml:3:43: models[0].training.location: must be a mapping, got 'FRA'"
    ]


# --- cross-references --------------------------------------------------------------------------


def test_duplicate_model_ids(errors) -> None:
    text = """\
        project:
          name: X
        models:
          - id: a
            name: A
          - id: a
            name: B
        """
    assert errors(text) == [
        "project.yaml:6:9: models[1].id: duplicate model id 'a' (also models[0]); ids must be unique"
    ]


def test_duplicate_dataset_ids(errors) -> None:
    text = """\
        project:
          name: X
        datasets:
          - {id: the-stack, name: The Stack}
          - {id: the-stack, name: The Stack again}
        """
    assert errors(text) == [
        "project.yaml:5:10: datasets[1].id: duplicate dataset id 'the-stack' (also datasets[0]); ids must be unique"
    ]


def test_unknown_dataset_reference(errors) -> None:
    text = """\
        project:
          name: X
        datasets:
          - id: the-stack
            name: The Stack
        models:
          - id: a
            name: A
            datasets: [the-stack, the-stak]
        """
    assert errors(text) == [
        "project.yaml:9:27: models[0].datasets[1]: unknown dataset 'the-stak'; use an id from datasets (the-stack) or a Hub id like org/name"
    ]


def test_source_datasets_are_checked_like_training_data(errors) -> None:
    text = """\
        project: {name: X}
        datasets:
          - {id: the-stack, name: The Stack}
          - id: starcoderdata
            name: StarCoderData
            sources: [{name: Code, dataset: the-stack}, {name: More, dataset: the-stak}]
          - {id: loop, name: Loop, sources: [{name: Loop, dataset: loop}]}
        """
    assert errors(text) == [
        "project.yaml:6:71: datasets[1].sources[1].dataset: unknown dataset 'the-stak'; use an id from datasets (loop, starcoderdata, the-stack) or a Hub id like org/name",
        "project.yaml:7:60: datasets[2].sources[0].dataset: a dataset cannot be its own source",
    ]


def test_hub_dataset_reference_is_fine(load) -> None:
    text = """\
        project:
          name: X
        models:
          - id: a
            name: A
            datasets: [bigcode/the-stack]
        """
    assert load(text).facts.models[0].datasets == ["bigcode/the-stack"]


def test_unknown_base_model(errors) -> None:
    text = """\
        project:
          name: X
        models:
          - id: a
            name: A
            base_model: starcoder
        """
    assert errors(text) == [
        "project.yaml:6:17: models[0].base_model: unknown base model 'starcoder'; use a model id from this file or a Hub id like org/name"
    ]


def test_base_model_in_file_or_on_hub(load) -> None:
    text = """\
        project:
          name: X
        models:
          - {id: starcoderbase, name: StarCoderBase}
          - {id: starcoder, name: StarCoder, base_model: starcoderbase}
          - {id: octocoder, name: OctoCoder, base_model: bigcode/starcoder}
        """
    assert [m.base_model for m in load(text).facts.models] == [
        None,
        "starcoderbase",
        "bigcode/starcoder",
    ]


def test_a_model_cannot_be_its_own_base(errors) -> None:
    assert errors("project: {name: X}\nmodels:\n  - {id: a, name: A, base_model: a}\n") == [
        "project.yaml:3:34: models[0].base_model: a model cannot be its own base model"
    ]


# --- schema errors and cross-references in one run ----------------------------------------------


def test_schema_errors_and_cross_references_come_together(errors) -> None:
    # The references used to be checked only once the schema passed: fix the pue, run again,
    # and only then hear of the dataset.
    text = """\
        project:
          name: X
          homepage: example.org
        datasets:
          - {id: the-stack, name: The Stack}
        models:
          - id: a
            datasets: [the-stak]
            base_model: starcoder
            training: {gpu_hours: 10, pue: 0.9}
          - id: a
        """
    assert errors(text) == [
        "project.yaml:3:13: project.homepage: must be an http(s) URL, got 'example.org'",
        "project.yaml:8:16: models[0].datasets[0]: unknown dataset 'the-stak'; use an id from datasets (the-stack) or a Hub id like org/name",
        "project.yaml:9:17: models[0].base_model: unknown base model 'starcoder'; use a model id from this file or a Hub id like org/name",
        "project.yaml:10:36: models[0].training.pue: must be >= 1.0, got 0.9",
        "project.yaml:11:9: models[1].id: duplicate model id 'a' (also models[0]); ids must be unique",
    ]


def test_an_invalid_dataset_is_still_known_by_its_id(errors) -> None:
    text = """\
        project: {name: X}
        datasets:
          - {id: the-stack, description: no name}
        models:
          - {id: a, datasets: [the-stack]}
        """
    assert errors(text) == ["project.yaml:3:5: datasets[0].name: required key is missing; add it"]


def test_a_value_the_schema_refuses_is_not_reported_again(errors) -> None:
    # An id or a reference that is not text is reported once, by the schema, and its neighbours
    # are still checked.
    text = """\
        project: {name: X}
        models:
          - {id: Big A, datasets: [12, nope]}
          - {id: Big A}
          - {id: 7, base_model: Big A}
        """
    assert errors(text) == [
        "project.yaml:3:10: models[0].id: must be a slug: lowercase letters, digits, '.', '_' or '-', e.g. 'starcoder', got 'Big A'",
        "project.yaml:3:28: models[0].datasets[0]: must be text, got 12",
        "project.yaml:3:32: models[0].datasets[1]: unknown dataset 'nope'; use an id from datasets (none defined) or a Hub id like org/name",
        "project.yaml:4:10: models[1].id: must be a slug: lowercase letters, digits, '.', '_' or '-', e.g. 'starcoder', got 'Big A'",
        "project.yaml:5:10: models[2].id: must be text, got 7",
        "project.yaml:5:25: models[2].base_model: unknown base model 'Big A'; use a model id from this file or a Hub id like org/name",
    ]


def test_the_problems_of_both_kinds_stop_after_a_hundred_together(errors) -> None:
    refs = ", ".join(f"nope{i}" for i in range(80))
    keys = "".join(f"  key{i}: 1\n" for i in range(80))
    text = f"project:\n  name: X\n{keys}models:\n  - {{id: m, datasets: [{refs}]}}\n"
    found = errors(text)
    assert len(found) == 101
    assert found[79].startswith("project.yaml:82:3: project.key79: unknown key")
    assert found[80].startswith(
        "project.yaml:84:24: models[0].datasets[0]: unknown dataset 'nope0'"
    )
    assert (
        found[100] == "project.yaml: stopped after the first 100 problems; fix these and run again"
    )


def test_salvaged_training_keeps_its_valid_keys(write) -> None:
    text = """\
        project: {name: X}
        models:
          - id: a
            training: {gpu_hours: 10, pue: 0.9, location: {country: FRA}, gpu_hour: 3}
          - id: b
            training: {gpu_hours: 10, gpu_count: 2, days: 1, location: {country: FRA}}
        """
    with pytest.raises(loader.InvalidProject) as caught:
        loader.load(write(text))
    first, second = caught.value.salvaged.facts.models
    assert first.training is not None
    assert (first.training.gpu_hours, first.training.pue) == (10, None)
    assert first.training.location is not None and first.training.location.country == "FRA"
    assert second.training is None  # gpu_hours and gpu_count together: nothing to trust


# --- versions and absurd values ----------------------------------------------------------------


def test_schema_version_2_is_refused(errors) -> None:
    assert errors("schema_version: 2\nproject: {name: X}\n") == [
        "project.yaml:1:17: schema_version: must be 1, got 2"
    ]


TRAINING = textwrap.dedent(
    """\
    project:
      name: X
    models:
      - id: a
        name: A
        training:
    """
)


def test_absurd_training_values_are_refused(errors) -> None:
    text = TRAINING + "      pue: 50\n      gpu_power_w: 100000\n      gpu_hours: -5\n"
    assert errors(text) == [
        "project.yaml:7:12: models[0].training.pue: must be <= 5.0, got 50",
        "project.yaml:8:20: models[0].training.gpu_power_w: must be <= 5000.0, got 100000",
        "project.yaml:9:18: models[0].training.gpu_hours: must be > 0.0, got -5",
    ]


@pytest.mark.parametrize(
    ("key", "value", "column"),
    [
        ("gpu_hours", ".nan", 18),
        ("gpu_hours", ".inf", 18),
        ("gpu_power_w", ".NaN", 20),
        ("pue", ".nan", 12),
        ("pue", ".inf", 12),
        ("carbon_intensity_kg_per_kwh", "-.inf", 36),
        ("days", ".nan", 13),
    ],
)
def test_nan_and_infinity_are_refused(errors, key: str, value: str, column: int) -> None:
    text = TRAINING + f"      {key}: {value}\n"
    if key == "days":
        text += "      gpu_count: 8\n"
    found = errors(text)
    assert len(found) == 1
    assert found[0].startswith(f"project.yaml:7:{column}: models[0].training.{key}: must be ")


def test_nan_reported_figure_is_refused(errors) -> None:
    found = errors(TRAINING + "      reported: {co2eq_kg: .nan}\n")
    assert len(found) == 1
    assert found[0].startswith("project.yaml:7:28: models[0].training.reported.co2eq_kg: ")


def test_reported_figure_must_have_a_unit(errors) -> None:
    assert errors(TRAINING + '      reported: {co2eq: "16.68"}\n') == [
        "project.yaml:7:25: models[0].training.reported.co2eq: expected a number and a unit of g, kg or t "
        '(CO2e suffix allowed), e.g. "16.68 t" or "124 kgCO2e", got \'16.68\''
    ]


def test_gpu_hours_or_count_and_days_not_both(errors) -> None:
    text = TRAINING + "      gpu_hours: 10\n      gpu_count: 8\n      days: 2\n"
    assert errors(text) == [
        "project.yaml:7:7: models[0].training: give gpu_hours, or gpu_count and days, not both"
    ]


def test_location_and_intensity_not_both(errors) -> None:
    text = TRAINING + "      carbon_intensity_kg_per_kwh: 0.1\n      location: {country: FRA}\n"
    assert errors(text) == [
        "project.yaml:7:7: models[0].training: give carbon_intensity_kg_per_kwh or location, not both"
    ]


def test_location_needs_a_region_for_a_cloud(errors) -> None:
    assert errors(TRAINING + "      location: {cloud: aws}\n") == [
        "project.yaml:7:17: models[0].training.location: a aws location needs its region, e.g. us-west-2"
    ]


# --- Project.problem ---------------------------------------------------------------------------


def test_project_problem_locates_nested_paths(load) -> None:
    text = """\
        project:
          name: X
        models:
          - id: a
            name: A
            training:
              gpu_hours: 10
              location: {country: FRA}
        """
    project = load(text)
    assert str(project.problem(("models", 0, "training", "location"), "unknown place")) == (
        "project.yaml:8:17: models[0].training.location: unknown place"
    )
    assert str(project.problem(("models", 0, "training", "location", "country"), "no data")) == (
        "project.yaml:8:27: models[0].training.location.country: no data"
    )
    assert str(project.problem(("models", 0, "training", "gpu_hours"), "too many")) == (
        "project.yaml:7:18: models[0].training.gpu_hours: too many"
    )


def test_project_problem_falls_back_to_the_nearest_ancestor(load) -> None:
    project = load("project:\n  name: X\nmodels:\n  - id: a\n    name: A\n")
    problem = project.problem(("models", 0, "training", "codecarbon_csv"), "missing")
    assert (problem.line, problem.column) == (4, 5)
    assert problem.path == "models[0].training.codecarbon_csv"
    assert problem.file == "project.yaml"


def test_positions_cover_every_value(load) -> None:
    project = load("project:\n  name: X\n  values: [open, fair]\n")
    assert project.positions[()] == (1, 1)
    assert project.positions[("project",)] == (2, 3)
    assert project.positions[("project", "values", 1)] == (3, 18)


# --- tags PyYAML resolves and then fails on ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # PyYAML raised KeyError, IndexError and AttributeError on these: tracebacks, exit 1.
        ("!!bool maybe", "'maybe' is not a valid boolean; write true or false"),
        ("!!bool ''", "'' is not a valid boolean; write true or false"),
        ("!!int ''", "'' is not a valid integer; write a whole number"),
        ("!!int _", "'_' is not a valid integer; write a whole number"),
        ("!!float ''", "'' is not a valid float; write a number"),
        ("!!timestamp foo", "'foo' is not a valid date; write a date as YYYY-MM-DD"),
        ("!!timestamp ''", "'' is not a valid date; write a date as YYYY-MM-DD"),
        # ValueErrors, and a null that silently dropped its text.
        ("!!int 0x", "'0x' is not a valid integer; write a whole number"),
        ("!!int 12abc", "'12abc' is not a valid integer; write a whole number"),
        ("!!float x", "'x' is not a valid float; write a number"),
        (
            "!!timestamp 2023-02-30",
            "'2023-02-30' is not a valid date: day is out of range for month",
        ),
        ("!!null x", "'x' is not a valid null; write null or ~"),
    ],
)
def test_explicit_tag_on_a_value_it_cannot_hold(errors, value: str, message: str) -> None:
    assert errors(f"project:\n  name: X\n  description: {value}\n") == [
        f"project.yaml:3:16: {message}"
    ]


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!binary aGVsbG8=", "tag:yaml.org,2002:binary"),
        ("!!omap [a: 1]", "tag:yaml.org,2002:omap"),
        ("!!pairs [a: 1]", "tag:yaml.org,2002:pairs"),
        ("!!map x", "tag:yaml.org,2002:map"),
        ("!!merge x", "tag:yaml.org,2002:merge"),
        ("!!python/tuple [1]", "tag:yaml.org,2002:python/tuple"),
        ("!!python/object/new:os.system [id]", "tag:yaml.org,2002:python/object/new:os.system"),
        ("!custom x", "!custom"),
        # A verbatim tag may %-escape an ESC: it is shown escaped, never raw.
        ("!<%1b%5b31m> x", "'\\x1b[31m'"),
    ],
)
def test_other_tags_are_refused_without_constructing_anything(errors, value: str, tag: str) -> None:
    assert errors(f"project:\n  name: X\n  description: {value}\n") == [
        f"project.yaml:3:16: unsupported tag {tag}; remove it"
    ]


@pytest.mark.parametrize("value", ["<<", "="])
def test_yaml_merge_and_value_indicators_as_values_say_to_quote_them(
    errors, load, value: str
) -> None:
    assert errors(f"project:\n  name: X\n  description: {value}\n") == [
        f"project.yaml:3:16: {value!r} means something to YAML; quote it to write it as text"
    ]
    assert load(f"project:\n  name: X\n  description: '{value}'\n").facts.project.description == (
        value
    )


# --- numbers too long for Python ---------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "9" * 5000,  # int() refuses more than 4,300 digits: a traceback before
        "-" + "9" * 5000,
        "0x" + "f" * 5000,  # hex and binary are not limited, but repr() in the message was
        "0b" + "1" * 20000,
        "0" + "7" * 5000,  # YAML 1.1 octal
        ":".join(["59"] * 2000),  # sexagesimal: quadratic time in the number of parts
        "1." + "1" * 5000,
        "9" * 400,  # a 400-digit number is no figure either
        "0" * 100 + "1",  # one over the limit
    ],
)
def test_a_number_too_long_is_one_located_line(errors, number: str) -> None:
    shown = repr(number[:60])[:57] + "..."
    assert errors(f"project:\n  name: X\nschema_version: {number}\n") == [
        f"project.yaml:3:17: {shown} is too long for a number ({len(number):,} characters, "
        "at most 100); write the figure in fewer digits"
    ]


def test_a_number_of_the_longest_length_loads(load) -> None:
    # 100 characters, YAML 1.1 octal for 1.
    assert load(f"project: {{name: X}}\nschema_version: {'0' * 99}1\n").facts.schema_version == 1


def test_a_long_but_sensible_figure_loads(load) -> None:
    text = """\
        project: {name: X}
        models:
          - id: a
            name: A
            training: {flops: 100000000000000000000000000000000}
        """
    training = load(text).facts.models[0].training
    assert training is not None
    assert training.flops == 1e32


def test_reported_figures_in_text_are_bounded_like_the_numbers(errors) -> None:
    text = """\
        project: {name: X}
        models:
          - id: a
            name: A
            training:
              reported: {energy: "%s kWh", co2eq: "2 t"}
        """
    # Parsed exactly as a Decimal, 5,000 nines were infinity as a float: "reported inf kWh".
    assert errors(text % ("9" * 5000)) == [
        "project.yaml:6:26: models[0].training.reported.energy: must be at most "
        f"1,000,000,000,000 kWh, got '{'9' * 57}...'"
    ]
    assert errors(text % ("1" + "x" * 100_000)) == [
        "project.yaml:6:26: models[0].training.reported.energy: expected a number and a unit of "
        'Wh, kWh, MWh or GWh, e.g. "89,671.68 kWh", got \'1' + "x" * 56 + "...'"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "project:\n  name: X\n  description: !!bool maybe\n",
        "project:\n  name: X\n  description: !!int ''\n",
        "project:\n  name: X\n  description: !!float ''\n",
        "project:\n  name: X\n  description: !!timestamp foo\n",
        "project:\n  name: X\nschema_version: 0x" + "f" * 5000 + "\n",
        "project:\n  name: X\nschema_version: " + "9" * 5000 + "\n",
    ],
)
def test_validate_render_and_carbon_exit_2_with_one_line(workdir, text: str) -> None:
    Path("project.yaml").write_text(text, encoding="utf-8")
    for command in (["validate"], ["carbon"], ["render", "-o", "out"]):
        result = govcard_bounded(*command, "project.yaml")
        assert "Traceback" not in result.stderr
        assert result.returncode == 2, result.stderr
        (line,) = result.stderr.splitlines()
        assert line.startswith("project.yaml:3:")
        assert len(line) < 200
        assert not Path("out").exists()


# --- the size of the work ----------------------------------------------------------------------


def flow_list(size: int) -> str:
    """A project file of about `size` bytes, nearly all of it `[1,1,1,...]`: the most values."""
    return "project:\n  name: X\n  values: [" + ",".join(["1"] * (size // 2)) + "]\n"


def test_too_many_values_are_refused_before_composing(errors, monkeypatch) -> None:
    # Composing keeps every node in memory: 8 MB of `[1,1,...]` took 12 s and 1.3 GB. The values
    # are counted from the parser's events, so composition never starts.
    def composing(*args: object) -> None:
        raise AssertionError("composed a file with too many values")

    monkeypatch.setattr(loader._SafeLoader, "get_single_node", composing)
    assert errors(flow_list(8 * 1024 * 1024)) == [
        "project.yaml:3:400004: holds more than 200,000 values; a project file needs far fewer"
    ]


def test_an_8_mb_file_ends_quickly_in_little_memory(workdir) -> None:
    Path("project.yaml").write_text(flow_list(8 * 1024 * 1024), encoding="utf-8")
    result = govcard_bounded("validate", "project.yaml", seconds=60, memory=512 << 20)
    assert_one_line_exit_2(
        result,
        "project.yaml:3:400004: holds more than 200,000 values; a project file needs far fewer",
    )


def test_the_value_count_skips_keys_and_counts_aliases_once(load, errors, monkeypatch) -> None:
    monkeypatch.setattr(loader, "MAX_VALUES", 6)
    # root, project, name, values, and the two items: 6 values, whatever the keys.
    text = "project:\n  name: &n X\n  values: [*n, b]\n"
    assert load(text).facts.project.values == ["X", "b"]
    assert errors(text.replace("b]", "b, c]")) == [
        "project.yaml:3:19: holds more than 6 values; a project file needs far fewer"
    ]


def test_text_alias_bomb_is_refused(errors) -> None:
    # 850 KB that expanded to 10 GB of text: 23 s to validate, far more to render.
    text = (
        f'project:\n  name: X\n  description: &a "{"y" * 49_000}"\n'
        f"  values: [{', '.join(['*a'] * 199_000)}]\n"
    )
    assert errors(text) == [
        "project.yaml:3:16: expands to more than 10,485,760 characters of text (YAML aliases?); "
        "remove the aliases"
    ]


def test_a_file_without_aliases_is_never_over_the_text_limit(load, monkeypatch) -> None:
    # Values are never longer than the YAML that writes them; escapes only shorten them.
    text = 'project:\n  name: X\n  description: "a\\x41\\U0001F600 b"\n'
    monkeypatch.setattr(loader, "MAX_CHARS", len(text))
    assert load(text).facts.project.description == "aA\U0001f600 b"


def merge_chain(links: int) -> str:
    items = ["&a0 {k0: 1}"] + [f"&a{i} {{<<: *a{i - 1}, k{i}: 1}}" for i in range(1, links)]
    return "project:\n  name: X\n  y: {<<: [" + ", ".join(items) + "]}\n"


def test_merge_chain_is_refused_before_it_grows(errors) -> None:
    # Each link merged all the links before it: PyYAML's flatten_mapping copied n²/2 pairs
    # (20,000 links, 650 KB: 67 s and 1.6 GB) before a single value was counted.
    found = errors(merge_chain(20_000))
    assert found == [
        "project.yaml:3:17339: merge keys (<<) expand to more than 200,000 values; "
        "remove some merges"
    ]


def test_merge_key_precedence(load) -> None:
    text = """\
        project: {name: X}
        models:
          - id: a
            name: A
            training: &base {gpu_power_w: 300, pue: 1.1, gpu_hours: 5}
          - id: b
            name: B
            training:
              <<: [{gpu_power_w: 400, pue: 1.3}, *base]
              pue: 1.2
        """
    # The mapping's own keys win, then the earlier of the merged mappings (YAML's merge rule).
    training = load(text).facts.models[1].training
    assert training is not None
    assert (training.gpu_power_w, training.pue, training.gpu_hours) == (400, 1.2, 5)


def test_merge_of_a_scalar_is_refused(errors) -> None:
    assert errors("project:\n  name: X\n  <<: 1\n") == [
        "project.yaml:3:7: a merge key (<<) takes a mapping or a list of mappings"
    ]


def test_merge_of_its_own_ancestor_is_refused(errors) -> None:
    assert errors("project: &p\n  name: X\n  <<: *p\n") == [
        "project.yaml:1:10: a YAML alias refers to its own ancestor; remove the cycle"
    ]


def test_problems_stop_after_a_hundred_and_only_those_are_worded(errors, monkeypatch) -> None:
    # 190,000 unknown keys were each compared with every known key: 9 s, 450 MB, 190,000 lines.
    compared: list[str] = []
    real = difflib.get_close_matches

    def close_matches(word: str, *args: Any, **kwargs: Any) -> list[str]:
        compared.append(word)
        return real(word, *args, **kwargs)

    monkeypatch.setattr(loader.difflib, "get_close_matches", close_matches)
    text = "project:\n  name: X\n" + "".join(f"  key{i}: 1\n" for i in range(5000))
    found = errors(text)
    assert len(found) == 101
    assert found[0].startswith("project.yaml:3:3: project.key0: unknown key 'key0'")
    assert found[99].startswith("project.yaml:102:3: project.key99: unknown key 'key99'")
    assert found[100] == (
        "project.yaml: stopped after the first 100 problems; fix these and run again"
    )
    assert len(compared) == 100


def test_unknown_dataset_lists_a_few_ids_once(errors) -> None:
    # Every problem listed every dataset id: 20,000 of each, 940 KB, took 92 s and 8 GB.
    datasets = "".join(f"  - {{id: d{i:05}, name: D}}\n" for i in range(20_000))
    refs = ", ".join(f"nope{i}" for i in range(20_000))
    text = f"project: {{name: X}}\ndatasets:\n{datasets}models:\n  - {{id: m, name: M, datasets: [{refs}]}}\n"
    found = errors(text)
    assert len(found) == 101
    ids = ", ".join(f"d{i:05}" for i in range(10))
    assert found[0] == (
        f"project.yaml:20004:33: models[0].datasets[0]: unknown dataset 'nope0'; use an id from "
        f"datasets ({ids}, ... (20,000 in all)) or a Hub id like org/name"
    )


def test_long_keys_are_cut_in_problems(errors) -> None:
    key = "k" * 100_000  # a plain key has at most 1,024 characters; `? key` has no limit
    (line,) = errors(f"project:\n  name: X\n  ? {key}\n  : 1\n")
    assert line == (
        f"project.yaml:3:5: project['{'k' * 57}...']: unknown key '{'k' * 56}... "
        "(allowed keys: name, description, homepage, as_of, organizations, contacts, "
        "participation, decision_making, working_groups, funding, values, social_impact, provider, "
        "code_of_conduct, communication, ip_policy, in_kind_support, events, license_governance)"
    )
    (line,) = errors(f"project:\n  name: X\n  ? {key}\n  : 1\n  ? {key}\n  : 2\n")
    assert line == f"project.yaml:5:5: duplicate key '{'k' * 56}... (first on line 3); keep one"


# --- special files -----------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_fifo_is_refused_without_blocking(workdir) -> None:
    # Reading a FIFO waits for a writer: `govcard validate fifo` never ended.
    os.mkfifo("project.yaml")
    result = govcard_bounded("validate", "project.yaml")
    assert_one_line_exit_2(
        result,
        "project.yaml: is a named pipe (FIFO), not a regular file; give the path of a "
        "project.yaml file",
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_without_reading(workdir) -> None:
    # Its reported size is 0: read until memory ran out (MemoryError, a traceback).
    result = govcard_bounded("validate", "/dev/zero", memory=512 << 20)
    assert_one_line_exit_2(
        result,
        "/dev/zero: is a character device, not a regular file; give the path of a "
        "project.yaml file",
    )


def test_the_size_limit_holds_while_reading(write, monkeypatch) -> None:
    # A file that grows, or reports less than it holds, is cut at the limit: read limit + 1 bytes.
    path = write("project: {name: Long enough}\n")
    reads: list[int] = []
    real_read = os.read

    def read(descriptor: int, size: int) -> bytes:
        reads.append(size)
        return real_read(descriptor, size)

    real_fstat = os.fstat
    monkeypatch.setattr(
        loader.os, "fstat", lambda d: os.stat_result((*real_fstat(d)[:6], 0, *real_fstat(d)[7:]))
    )
    monkeypatch.setattr(loader.os, "read", read)
    monkeypatch.setattr(loader, "MAX_BYTES", 10)
    with pytest.raises(GovcardError) as caught:
        loader.load(path)
    assert (
        str(caught.value)
        == "project.yaml: is more than 10 bytes; a project file may be at most that"
    )
    assert sum(reads) <= 11
