"""Shared helpers: write a project file into a temporary folder and load it by its plain name.

Tests run inside `tmp_path` (see `workdir`), so a file is loaded as `project.yaml` and every
error reads exactly as a user sees it: `project.yaml:7:12: models[0].training.pue: ...`.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from govcard import loader
from govcard.errors import GovcardError


def dedent(text: str) -> str:
    """YAML written indented inside a test, without its common indentation."""
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current directory for the test."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def write(workdir: Path):
    """write(text, name="project.yaml") -> the relative path of the written file."""

    def _write(text: str | bytes, name: str = "project.yaml") -> Path:
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def errors(write):
    """errors(yaml_text) -> the problems `loader.load` reports, as the lines the CLI prints."""

    def _errors(text: str | bytes, name: str = "project.yaml") -> list[str]:
        path = write(text, name)
        with pytest.raises(GovcardError) as caught:
            loader.load(path)
        lines = [str(problem) for problem in caught.value.problems]
        assert str(caught.value) == "\n".join(lines)
        return lines

    return _errors


@pytest.fixture
def load(write):
    """load(yaml_text) -> the loaded `Project` (the text must be valid)."""

    def _load(text: str | bytes, name: str = "project.yaml") -> loader.Project:
        return loader.load(write(text, name))

    return _load


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files in tests/golden/ from the current output instead of "
        "comparing with them (review the result with git diff).",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether the run was asked to rewrite the golden files (`pytest --update-golden`)."""
    return bool(request.config.getoption("--update-golden"))
