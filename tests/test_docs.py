"""Docs that are generated must be current; every command must be documented."""

from __future__ import annotations

from pathlib import Path

from govcard.cli import cli
from govcard.schema import markdown_reference

ROOT = Path(__file__).resolve().parents[1]


def test_reference_page_is_current() -> None:
    committed = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    assert committed == markdown_reference(), (
        "docs/reference.md is stale: run govcard schema --format markdown > docs/reference.md"
    )


def test_every_command_is_in_the_docs_and_the_readme() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.list_commands(None):  # type: ignore[arg-type]
        assert f"govcard {name}" in index, name
        assert f"govcard {name}" in readme, name
