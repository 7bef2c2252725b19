"""Every bundled example validates, renders, passes check and builds a site."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from govcard.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.parent.name for p in ROOT.glob("examples/*/project.yaml"))
# A derivative example is checked against its parent's card, as its publisher would.
PARENT_CARDS = {"starchat": ("bigcode", "starcoderbase")}


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_there_are_three_examples() -> None:
    assert EXAMPLES == ["bigcode", "bloom", "starchat"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_validates_renders_checks_and_builds(name: str, tmp_path: Path) -> None:
    project = str(ROOT / "examples" / name / "project.yaml")
    assert run("validate", project).endswith(
        ": valid (" + run("validate", project).split("(", 1)[1]
    )
    run("carbon", project)
    out = tmp_path / "out"
    run("render", project, "-o", str(out))
    cards = sorted(out.glob("models/*/README.md"))
    assert cards
    report = run("check", *map(str, cards))
    assert report.endswith(
        f"{len(cards)} card{'s' if len(cards) != 1 else ''} checked: 0 errors, 0 warnings, 0 notes\n"
    )
    if name in PARENT_CARDS:
        parent, model = PARENT_CARDS[name]
        parent_out = tmp_path / "parent"
        run("render", str(ROOT / "examples" / parent / "project.yaml"), "-o", str(parent_out))
        base = parent_out / "models" / model / "README.md"
        report = run("check", *map(str, cards), "--base-card", str(base))
        assert report.endswith("checked: 0 errors, 0 warnings, 0 notes\n")
    run("site", "build", project, "-o", str(tmp_path / "site"))
    assert (tmp_path / "site" / "index.html").is_file()
