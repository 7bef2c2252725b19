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


def test_every_check_rule_is_documented() -> None:
    from govcard.check import RULES

    page = (ROOT / "docs" / "check.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"### {rule.id}\n\n**{rule.severity}** — {rule.title}." in page, rule.id
        assert rule.why in page and rule.fix in page, rule.id
