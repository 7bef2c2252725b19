"""`govcard export` and the exports `govcard render` writes: where they go, what is refused, bad
input, byte-identical runs, and `govcard gaps --for fmti`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import run, snapshot

from govcard import __version__, derive, exports, loader
from govcard.exports import fmti

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"
PROJECT = """\
project: {name: P, as_of: 2025-01-31}
models:
  - {id: m, name: M, license: mit, parameters: 1000}
"""
# With a dataset, every format has something to write (Croissant describes datasets).
WITH_DATASET = PROJECT + "datasets:\n  - {id: d, name: D}\n"
REPORT = "out/exports/fmti/fmti-report.csv"


def hidden(folder: Path) -> list[str]:
    """Staging folders and temporary files a run would leave behind."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob(".*")
        if ".govcard" in p.name and p.name != ".govcard.json"
    )


def test_every_format_has_a_module_with_files(write) -> None:
    derived = derive.derive(loader.load(write(WITH_DATASET)))
    for name in exports.FORMATS:
        produced = exports.files(derived, name)
        assert produced and all(isinstance(text, str) for text in produced.values()), name


def test_export_writes_the_format_s_folder_under_out_exports(write, workdir: Path) -> None:
    write(PROJECT)
    result = run("export", "project.yaml", "--to", "fmti")
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote 1 file to out/exports/fmti\n"
    assert sorted(snapshot(Path("out"))) == [
        "exports/fmti/.govcard.json",
        "exports/fmti/fmti-report.csv",
    ]
    derived = derive.derive(loader.load(Path("project.yaml")))
    assert Path(REPORT).read_text(encoding="utf-8") == fmti.csv_text(derived)


def test_export_to_a_file_writes_that_file(write, workdir: Path) -> None:
    write(PROJECT)
    assert run("export", "project.yaml", "--to", "fmti").exit_code == 0
    result = run("export", "project.yaml", "--to", "fmti", "-o", "reports/p.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote reports/p.csv\n"
    assert Path("reports/p.csv").read_bytes() == Path(REPORT).read_bytes()
    # Again, over its own earlier output.
    assert run("export", "project.yaml", "--to", "fmti", "-o", "reports/p.csv").exit_code == 0
    assert sorted(p.name for p in Path("reports").iterdir()) == ["p.csv"]


def test_exports_are_byte_identical_across_runs(workdir: Path) -> None:
    outputs = []
    for _ in range(2):
        for name in exports.FORMATS:
            assert run("export", str(EXAMPLE), "--to", name).exit_code == 0
        assert run("render", str(EXAMPLE), "-o", "rendered").exit_code == 0
        outputs.append((snapshot(Path("out/exports")), snapshot(Path("rendered/exports"))))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] == outputs[0][1]


def test_every_export_names_the_govcard_version_and_the_as_of_date(write, workdir: Path) -> None:
    write(WITH_DATASET)
    for name in exports.FORMATS:
        assert run("export", "project.yaml", "--to", name).exit_code == 0
    written = snapshot(Path("out/exports"))
    assert {name.split("/")[0] for name in written} == set(exports.FORMATS)
    for name, data in written.items():
        if name.endswith(".govcard.json"):
            continue
        text = data.decode("utf-8")
        assert "govcard" in text and __version__ in text, name
        assert "2025-01-31" in text, name


def test_a_format_with_nothing_to_write_says_so(write, workdir: Path) -> None:
    write(PROJECT)  # no datasets: no Croissant file
    result = run("export", "project.yaml", "--to", "croissant")
    assert result.exit_code == 2
    assert result.stderr == (
        "project.yaml: the facts hold nothing the croissant export writes (Croissant 1.1 with the "
        "Responsible-AI vocabulary, a file per dataset)\n"
    )
    assert sorted(p.name for p in workdir.iterdir()) == ["project.yaml"]
    # govcard render leaves the format's folder out.
    assert run("render", "project.yaml", "-o", "out").exit_code == 0
    assert sorted(p.name for p in Path("out/exports").iterdir()) == ["cyclonedx", "fmti"]


def test_another_tool_s_json_is_never_overwritten(write, workdir: Path) -> None:
    # A JSON file starts with "{" as the BOM does: it must also name govcard to be replaced.
    write(PROJECT)
    write('{\n  "bomFormat": "CycloneDX"\n}\n', "bom.json")
    before = snapshot(workdir)
    result = run("export", "project.yaml", "--to", "cyclonedx", "-o", "bom.json")
    assert result.exit_code == 2
    assert result.stderr.startswith("bom.json: is a file govcard did not write")
    assert snapshot(workdir) == before
    # The BOM govcard wrote is replaced.
    Path("bom.json").unlink()
    assert run("export", "project.yaml", "--to", "cyclonedx", "-o", "bom.json").exit_code == 0
    assert run("export", "project.yaml", "--to", "cyclonedx", "-o", "bom.json").exit_code == 0


@pytest.mark.parametrize("output", [None, "p.csv"])
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    write, workdir: Path, output: str | None
) -> None:
    write(PROJECT.replace("parameters: 1000", "parameters: many"))
    result = run("export", "project.yaml", "--to", "fmti", *(["-o", output] if output else []))
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert re.match(r"project\.yaml:3:\d+: models\[0\]\.parameters: ", line), line
    assert sorted(p.name for p in workdir.iterdir()) == ["project.yaml"]


def test_an_unknown_format_is_refused(write, workdir: Path) -> None:
    write(PROJECT)
    result = run("export", "project.yaml", "--to", "pdf")
    assert result.exit_code == 2
    assert (
        "Invalid value for '--to': 'pdf' is not one of 'fmti', 'croissant', 'cyclonedx'"
        in result.stderr
    )
    assert sorted(p.name for p in workdir.iterdir()) == ["project.yaml"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("project.yaml", "is a file this command reads; give another path"),
        (
            "notes.csv",
            "is a file govcard did not write (it does not start as the export does, or does not name "
            "govcard); give a new path or remove it",
        ),
        ("folder", "is a folder; this format writes one file, give its path"),
    ],
)
def test_a_file_govcard_did_not_write_is_never_overwritten(
    write, workdir: Path, target: str, message: str
) -> None:
    write(PROJECT)
    write("mine\n", "notes.csv")
    write("mine\n", "folder/keep.txt")
    before = snapshot(workdir)
    result = run("export", "project.yaml", "--to", "fmti", "-o", target)
    assert result.exit_code == 2
    assert result.stderr == f"{target}: {message}\n"
    assert snapshot(workdir) == before


def test_a_folder_govcard_did_not_write_is_refused(write, workdir: Path) -> None:
    write(PROJECT)
    write("mine\n", "out/exports/fmti/notes.txt")
    result = run("export", "project.yaml", "--to", "fmti")
    assert result.exit_code == 2
    assert result.stderr == (
        "out/exports/fmti: holds files govcard did not write (notes.txt); "
        "export into an empty folder or one govcard wrote\n"
    )
    assert sorted(snapshot(Path("out"))) == ["exports/fmti/notes.txt"]


def test_render_and_export_share_out(write, workdir: Path) -> None:
    write(PROJECT)
    # An export first, then a render into the same folder, then an export again.
    assert run("export", "project.yaml", "--to", "fmti").exit_code == 0
    result = run("render", "project.yaml")
    assert result.exit_code == 0, result.output
    assert "exports/fmti/fmti-report.csv" in snapshot(Path("out"))
    write(PROJECT.replace("name: M,", "name: Em,"))
    assert run("export", "project.yaml", "--to", "fmti").exit_code == 0
    assert "Em: mit." in Path(REPORT).read_text(encoding="utf-8")
    # The export wrote what the render would: only the cards are out of date.
    result = run("render", "project.yaml", "--check")
    assert result.exit_code == 1
    changed = [line for line in result.stdout.splitlines() if not line.startswith("  ")]
    assert "changed: out/models/m/README.md" in changed
    assert f"changed: {REPORT}" not in changed
    assert hidden(workdir) == []


@pytest.mark.parametrize(
    "foreign", ["exports/notes.txt", "exports/fmti/notes.txt", "exports/pdf/a.pdf"]
)
@pytest.mark.parametrize("rendered", [True, False])
def test_render_refuses_files_it_did_not_write_under_exports(
    write, workdir: Path, foreign: str, rendered: bool
) -> None:
    write(PROJECT)
    command = ("render", "project.yaml") if rendered else ("export", "project.yaml", "--to", "fmti")
    assert run(*command).exit_code == 0
    write("mine\n", f"out/{foreign}")
    before = snapshot(Path("out"))
    result = run("render", "project.yaml")
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("out: holds files govcard did not write ("), line
    assert snapshot(Path("out")) == before


# --- gaps --for fmti ---------------------------------------------------------------------------

GAP = re.compile(r"fmti: (\(no field\)|[\w\[\]*=.,\- ]+): (.+) \((not|partly) disclosed\)")


def test_gaps_for_fmti_lists_every_indicator_not_disclosed(write, workdir: Path) -> None:
    write("project: {name: Tiny}\n")
    result = run("gaps", "project.yaml", "--for", "fmti")
    assert result.exit_code == 0
    *lines, summary = result.stdout.splitlines()
    assert len(lines) == 100
    assert all(GAP.fullmatch(line) for line in lines), [
        line for line in lines if not GAP.fullmatch(line)
    ]
    assert (
        "fmti: models[*].training.flops, models[*].training.flops_method: Compute usage for final training run (not disclosed)"
        in lines
    )
    assert "fmti: (no field): Water usage for final training run (not disclosed)" in lines
    assert (
        summary
        == "project.yaml: 100 of 100 indicators not disclosed and 0 partly disclosed for fmti"
    )


def test_gaps_for_fmti_of_bigcode_are_the_report_s(workdir: Path) -> None:
    result = run("gaps", str(EXAMPLE), "--for", "fmti")
    assert result.exit_code == 0
    *lines, summary = result.stdout.splitlines()
    rows = fmti.report(derive.derive(loader.load(EXAMPLE)))
    undisclosed = [row for row in rows if row.status != "yes"]
    assert [GAP.fullmatch(line)[2].split(":")[0] for line in lines] == [  # type: ignore[index]
        row.indicator.name for row in undisclosed
    ]
    partly = sum(row.status == "partly" for row in rows)
    assert partly and partly < len(undisclosed)
    assert summary == (
        f"{EXAMPLE}: {len(undisclosed) - partly} of 100 indicators not disclosed and {partly} "
        "partly disclosed for fmti"
    )
    assert (
        "fmti: models[*].training.days: Development duration for final training run (partly disclosed)"
        in lines
    )
    assert (
        "fmti: (no field): Data laborer practices: the countries where at least 25% of the "
        "laborers are located; the labor protections in place (partly disclosed)"
    ) in lines
