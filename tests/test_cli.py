"""The govcard command, run as a user would through click's test runner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import run

from govcard import __version__, loader
from govcard.cli import cli
from govcard.schema import json_schema_text

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

INVALID = """\
project:
  name: X
models:
  - id: a
    name: A
    training:
      pue: 0.9
      gpu_hour: 10
"""


@pytest.fixture
def bigcode(workdir: Path) -> Path:
    """The carbon fixture copied into the current directory as project.yaml."""
    shutil.copy(FIXTURES / "carbon.yaml", "project.yaml")
    return Path("project.yaml")


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"govcard, version {__version__}\n"


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for name in cli.list_commands(None):  # type: ignore[arg-type]
        assert f"\n  {name} " in result.stdout


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_with_an_example(name: str) -> None:
    result = run(name, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"govcard {name}" in result.stdout
    assert run(name, "-h").stdout == result.stdout


# --- validate ----------------------------------------------------------------------------------


def test_validate_valid_file(bigcode: Path) -> None:
    result = run("validate", str(bigcode))
    assert result.exit_code == 0
    assert result.stdout == "project.yaml: valid (0 datasets, 2 models)\n"
    assert result.stderr == ""


def test_validate_invalid_file(write) -> None:
    write(INVALID)
    result = run("validate", "project.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "project.yaml:7:12: models[0].training.pue: must be >= 1.0, got 0.9\n"
        "project.yaml:8:7: models[0].training.gpu_hour: unknown key 'gpu_hour' (did you mean gpu_hours?)\n"
    )
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_validate_impossible_date_has_no_traceback(write) -> None:
    write("project:\n  name: X\n  participation: {as_of: 2023-02-30}\n")
    result = run("validate", "project.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith("project.yaml:3:26: ")
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_validate_several_files(bigcode: Path, write) -> None:
    write(INVALID, "bad.yaml")
    write("project: {name: Y}\n", "good.yaml")
    result = run("validate", "project.yaml", "bad.yaml", "good.yaml", "missing.yaml")
    assert result.exit_code == 2
    assert result.stdout == (
        "project.yaml: valid (0 datasets, 2 models)\ngood.yaml: valid (0 datasets, 0 models)\n"
    )
    assert result.stderr.splitlines() == [
        "bad.yaml:7:12: models[0].training.pue: must be >= 1.0, got 0.9",
        "bad.yaml:8:7: models[0].training.gpu_hour: unknown key 'gpu_hour' (did you mean gpu_hours?)",
        "missing.yaml: no such file; check the path (govcard init writes a starter)",
    ]


def test_validate_checks_locations(write) -> None:
    write(
        """\
        project: {name: X}
        models:
          - id: a
            name: A
            training: {gpu_hours: 1, location: {cloud: aws, region: us-west-3}}
        """
    )
    result = run("validate", "project.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        "project.yaml:5:40: models[0].training.location: "
        "unknown aws region 'us-west-3' (did you mean us-west-2?)\n"
    )


def test_validate_checks_measurement_files(write) -> None:
    write("project: {name: X}\nmodels:\n  - {id: a, name: A, training: {codecarbon_csv: e.csv}}\n")
    result = run("validate", "project.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        "project.yaml:3:49: models[0].training.codecarbon_csv: "
        "e.csv no such file; codecarbon_csv is relative to project.yaml\n"
    )


EMISSIONS = (
    "timestamp,run_id,duration,emissions,energy_consumed,pue\n"
    "2024-05-01T10:00:00,run-a,600,0.1,0.5,1.1\n"
    "2024-05-01T11:00:00,run-b,600,0.1,0.5,1.1\n"
)


def test_an_unknown_run_id_points_at_codecarbon_run_id(write) -> None:
    write(
        """\
        project: {name: X}
        models:
          - id: b
            training:
              codecarbon_csv: emissions.csv
              codecarbon_run_id: run-z
        """
    )
    write(EMISSIONS, "emissions.csv")
    result = run("validate", "project.yaml")
    assert result.stderr == (
        "project.yaml:6:26: models[0].training.codecarbon_run_id: no run_id 'run-z' in "
        "emissions.csv; its runs are run-a (emissions.csv:2), run-b (emissions.csv:3)\n"
    )


ALL_KINDS = """\
project:
  name: X
  homepage: example.org
models:
  - id: a
    datasets: [nope]
    training:
      gpu_hours: 10
      pue: 0.5
      location: {cloud: aws, region: us-west-3}
  - id: b
    training:
      codecarbon_csv: emissions.csv
      codecarbon_run_id: run-z
"""


def test_validate_reports_every_kind_of_problem_in_one_run(write) -> None:
    # Structure, then cross-references, then locations and measurements used to come one run
    # after the other: each fix revealed the next kind.
    write(ALL_KINDS)
    write(EMISSIONS, "emissions.csv")
    result = run("validate", "project.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "project.yaml:3:13: project.homepage: must be an http(s) URL, got 'example.org'",
        "project.yaml:6:16: models[0].datasets[0]: unknown dataset 'nope'; use an id from datasets (none defined) or a Hub id like org/name",
        "project.yaml:9:12: models[0].training.pue: must be >= 1.0, got 0.5",
        "project.yaml:10:17: models[0].training.location: unknown aws region 'us-west-3' (did you mean us-west-2?)",
        "project.yaml:14:26: models[1].training.codecarbon_run_id: no run_id 'run-z' in emissions.csv; its runs are run-a (emissions.csv:2), run-b (emissions.csv:3)",
    ]


def test_render_and_carbon_report_every_kind_at_once_too(write) -> None:
    write(ALL_KINDS)
    write(EMISSIONS, "emissions.csv")
    expected = run("validate", "project.yaml").stderr
    for command in (["render", "-o", "out"], ["carbon"], ["gaps"]):
        result = run(*command, "project.yaml")
        assert result.exit_code == 2
        assert result.stderr == expected, command
    assert not Path("out").exists()


def test_validate_stops_after_a_hundred_problems(write) -> None:
    models = "".join(
        f"  - {{id: m{i}, training: {{location: {{cloud: aws, region: nowhere}}}}}}\n"
        for i in range(150)
    )
    write("project: {name: X}\nmodels:\n" + models)
    result = run("validate", "project.yaml")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 101
    assert (
        lines[0] == "project.yaml:3:35: models[0].training.location: unknown aws region 'nowhere'"
    )
    assert (
        lines[-1] == "project.yaml: stopped after the first 100 problems; fix these and run again"
    )


def test_validate_names_a_model_by_its_id(write) -> None:
    write("project: {name: X}\nmodels:\n  - {id: starcoder}\n")
    result = run("validate", "project.yaml")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "project.yaml: valid (0 datasets, 1 model)\n"


def test_validate_a_directory(workdir: Path) -> None:
    result = run("validate", ".")
    assert result.exit_code == 2
    assert result.stderr == ".: is a directory; give the path of a project.yaml file\n"


# --- carbon ------------------------------------------------------------------------------------


def test_carbon_table(bigcode: Path) -> None:
    result = run("carbon", str(bigcode))
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "model",
        "GPU-hours",
        "IT",
        "energy",
        "PUE",
        "facility",
        "energy",
        "kgCO2e/kWh",
        "CO2eq",
        "verdict",
    ]
    assert lines[1].split() == [
        "starcoderbase",
        "320,256",
        "89,671.68",
        "kWh",
        "1.2",
        "107,606.02",
        "kWh",
        "0.15495",
        "16.67",
        "t",
        "consistent",
    ]
    assert lines[2].split()[0] == "santacoder"
    assert lines[2].split()[-3:] == ["149.1", "kg", "inconsistent"]
    assert lines[3] == ""
    assert (
        "starcoderbase: consistent: reported 16.68 t matches the computed 16.674 t within 0.5%, "
        "not to its last digit (the computed figure printed so is 16.67 t); "
        "reported 89,671.68 kWh is the IT energy before PUE"
    ) in lines
    assert "  intensity: explicit value stated in the project's facts" in lines
    assert "  CO2eq = 107,606.02 kWh x 0.15495 kgCO2e/kWh = 16,673.55 kg (16.67 t)" in lines
    assert any(
        line.startswith("santacoder: inconsistent: reported 124 kg matches the figure without PUE")
        for line in lines
    )


def test_carbon_exits_0_when_every_figure_is_consistent(write) -> None:
    write((FIXTURES / "carbon.yaml").read_text(encoding="utf-8").split("  - id: santacoder")[0])
    result = run("carbon", "project.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].split()[-1] == "consistent"


def test_carbon_table_columns_line_up(bigcode: Path) -> None:
    header, first, second = run("carbon", str(bigcode)).stdout.splitlines()[:3]
    for column in ("GPU-hours", "PUE", "CO2eq", "verdict"):
        start = header.index(column)
        assert first[start - 1] == " " and first[start] != " ", column
        assert second[start - 1] == " " and second[start] != " ", column


def test_carbon_json(bigcode: Path) -> None:
    result = run("carbon", str(bigcode), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == ["models"]
    star, santa = document["models"]
    assert star["id"] == "starcoderbase"
    assert star["method"] == "computed"
    assert star["gpu_hours"] == 320256
    assert star["energy_kwh"] == 89671.68
    assert star["pue"] == 1.2
    assert star["facility_energy_kwh"] == 107606.016
    assert star["carbon_intensity_kg_per_kwh"] == 0.15495
    assert star["intensity_source"] == "explicit value stated in the project's facts"
    assert star["co2eq_kg"] == 16673.5521792
    assert star["consistency"]["status"] == "consistent"
    assert isinstance(star["steps"], list)
    assert santa["consistency"] == {
        "status": "inconsistent",
        "message": "reported 124 kg matches the figure without PUE (124.3 kg); "
        "with the stated PUE 1.2 it is 149.1 kg",
    }


def test_carbon_without_training(write) -> None:
    write("project: {name: X}\nmodels:\n  - {id: a, name: A}\n")
    assert run("carbon", "project.yaml").stdout == "No model has training facts.\n"
    assert json.loads(run("carbon", "project.yaml", "--format", "json").stdout) == {"models": []}


def test_carbon_invalid_file(write) -> None:
    write(INVALID)
    result = run("carbon", "project.yaml", "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("project.yaml:7:12: models[0].training.pue: ")


def test_carbon_unknown_format(bigcode: Path) -> None:
    result = run("carbon", str(bigcode), "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


# --- schema ------------------------------------------------------------------------------------


def test_schema_prints_the_committed_schema() -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert result.stdout == json_schema_text()
    assert result.stdout == (ROOT / "schemas" / "project.schema.json").read_text(encoding="utf-8")


# --- init --------------------------------------------------------------------------------------


def test_init_writes_a_starter_that_validates(workdir: Path) -> None:
    result = run("init", "myproject")
    assert result.exit_code == 0, result.output
    project = Path("myproject/project.yaml")
    schema = Path("myproject/project.schema.json")
    assert result.stdout == (
        f"wrote {project}\nwrote {schema}\n"
        f"next: edit {project}, then run govcard validate {project}\n"
    )
    assert schema.read_text(encoding="utf-8") == json_schema_text()
    loader.load(project)
    validated = run("validate", str(project))
    assert validated.exit_code == 0
    assert validated.stdout == "myproject/project.yaml: valid (0 datasets, 1 model)\n"


def test_init_into_the_current_directory(workdir: Path) -> None:
    assert run("init").exit_code == 0
    assert Path("project.yaml").is_file()
    assert Path("project.schema.json").is_file()


def test_init_refuses_to_overwrite(workdir: Path) -> None:
    Path("myproject").mkdir()
    Path("myproject/project.yaml").write_text("project: {name: Mine}\n", encoding="utf-8")
    result = run("init", "myproject")
    assert result.exit_code == 2
    assert result.stderr == (
        "myproject/project.yaml: already exists; edit it, or pass --force to overwrite it\n"
    )
    assert Path("myproject/project.yaml").read_text(encoding="utf-8") == "project: {name: Mine}\n"
    assert not Path("myproject/project.schema.json").exists()


def test_init_force_overwrites(workdir: Path) -> None:
    Path("myproject").mkdir()
    Path("myproject/project.yaml").write_text("project: {name: Mine}\n", encoding="utf-8")
    result = run("init", "myproject", "--force")
    assert result.exit_code == 0, result.output
    assert loader.load("myproject/project.yaml").facts.project.name == "My Project"


def test_init_into_a_file(workdir: Path) -> None:
    Path("taken").write_text("", encoding="utf-8")
    result = run("init", "taken")
    assert result.exit_code == 2
    assert "taken" in result.stderr
    assert "Traceback" not in result.output


# --- usage errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["validate"], ["carbon"], ["nonsense"], ["carbon", "a.yaml", "b.yaml"], ["--bogus"]],
    ids=["validate-no-file", "carbon-no-file", "unknown-command", "carbon-two-files", "bad-option"],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert "Usage: govcard" in result.stderr
    assert result.stdout == ""


def test_carbon_strict_exits_1_on_an_inconsistent_figure() -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "bigcode" / "project.yaml"
    relaxed = CliRunner().invoke(cli, ["carbon", str(example)])
    strict = CliRunner().invoke(cli, ["carbon", str(example), "--strict"])
    assert relaxed.exit_code == 0
    assert strict.exit_code == 1
    assert "santacoder: inconsistent" in strict.stdout
