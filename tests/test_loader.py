"""Loading project.yaml: every problem is reported at once, as file:line:column: path: message."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from govcard import loader
from govcard.errors import GovcardError, Problem

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
        "project.yaml:2:9: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/name:os.system'; use plain YAML values"
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
