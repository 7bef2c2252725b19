"""govcard's own documentation: generated pages are current, everything is documented, and the
MkDocs-Material site of the docs builds in strict mode."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from docgen import PAGES, gallery_pages

from govcard.check import RULES
from govcard.cli import cli
from govcard.schema import json_schema

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.mark.parametrize("page", sorted(PAGES))
def test_generated_page_is_current(page: str, update_golden: bool) -> None:
    expected = PAGES[page]()
    path = DOCS / page
    if update_golden:
        path.write_text(expected, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == expected, (
        f"docs/{page} is stale: run pytest --update-golden"
    )


def test_gallery_is_current(update_golden: bool) -> None:
    pages = gallery_pages()
    folder = DOCS / "gallery"
    if update_golden:
        for page, text in pages.items():
            (DOCS / page).parent.mkdir(parents=True, exist_ok=True)
            (DOCS / page).write_text(text, encoding="utf-8")
    on_disk = {p.relative_to(DOCS).as_posix() for p in folder.rglob("*.md")}
    assert on_disk == set(pages), "docs/gallery is stale: run pytest --update-golden"
    for page, text in pages.items():
        assert (DOCS / page).read_text(encoding="utf-8") == text, (
            f"docs/{page} is stale: run pytest --update-golden"
        )


def test_every_command_is_in_the_docs_and_the_readme() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    cli_page = (DOCS / "reference" / "cli.md").read_text(encoding="utf-8")
    for name in cli.list_commands(None):  # type: ignore[arg-type]
        assert f"govcard {name}" in index, name
        assert f"govcard {name}" in readme, name
        assert f"## `govcard {name}`" in cli_page, name


def test_every_rule_and_field_is_documented() -> None:
    rules = (DOCS / "reference" / "rules.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"## {rule.id}\n\n**{rule.severity}** — {rule.title}." in rules, rule.id
    fields = (DOCS / "reference" / "project-yaml.md").read_text(encoding="utf-8")
    for definition in json_schema()["$defs"].values():
        for key in definition.get("properties", {}):
            assert f"| `{key}` |" in fields, key


def test_the_docs_site_builds_strictly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # From the repository root with no config flag, as `mkdocs build --strict` and `mkdocs serve`
    # read it.
    monkeypatch.chdir(DOCS.parent)
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                warnings.append(record.getMessage())

    handler = Collect()
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        config = load_config(strict=True, site_dir=str(tmp_path))
        build(config)
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    assert not warnings
    assert (tmp_path / "index.html").is_file()
    assert (tmp_path / "reference" / "cli.html").is_file()
