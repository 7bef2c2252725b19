"""govcard's own documentation: generated pages are current, everything is documented, and the
MkDocs-Material site of the docs builds in strict mode."""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docgen import PAGES, examples, gallery_pages, screenshots

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


def png_size(path: Path) -> tuple[int, int]:
    """A PNG's width and height, from its header."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_gallery_shows_screenshots_of_every_example_site(docs_site: DocsSite) -> None:
    # What is on them is not compared: the site changes; `python tests/screenshots.py` retakes them.
    gallery = (docs_site.folder / "gallery" / "index.html").read_text(encoding="utf-8")
    expected = set()
    for project_file in examples():
        name = project_file.parent.name
        for shot in screenshots(project_file):
            path = DOCS / "gallery" / name / shot.file
            expected.add(path)
            assert path.is_file(), f"{path} is missing: run python tests/screenshots.py"
            assert png_size(path) == (shot.width, shot.height), path
            assert path.stat().st_size < 200_000, f"{path} is large"
            assert f'src="{name}/{shot.file}"' in gallery, shot.file
    assert set((DOCS / "gallery").rglob("*.png")) == expected


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


@dataclass
class DocsSite:
    folder: Path
    warnings: list[str]


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> DocsSite:
    """govcard's docs built once, from the repository root with no config flag, as `mkdocs build
    --strict` and `mkdocs serve` read them."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    folder = tmp_path_factory.mktemp("docs-site")
    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                warnings.append(record.getMessage())

    handler = Collect()
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(ROOT)
            build(load_config(strict=True, site_dir=str(folder)))
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    return DocsSite(folder, warnings)


def test_the_docs_site_builds_strictly(docs_site: DocsSite) -> None:
    assert not docs_site.warnings
    assert (docs_site.folder / "index.html").is_file()
    assert (docs_site.folder / "reference" / "cli.html").is_file()


class _CodeText(HTMLParser):
    """The text of every <code> element of a page, as a browser shows it."""

    def __init__(self) -> None:
        super().__init__()
        self.spans: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "code":
            if not self._depth:
                self.spans.append("")
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "code" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.spans[-1] += data


def code_text(page: Path) -> list[str]:
    parser = _CodeText()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.spans


def test_a_pipe_in_code_shows_without_a_backslash(docs_site: DocsSite) -> None:
    # In a Markdown table, `a\|b` in backticks renders as a\|b in MkDocs; the docs write such code
    # as <code>a&#124;b</code>.
    with_backslash = {
        page.relative_to(docs_site.folder).as_posix(): [s for s in code_text(page) if "\\|" in s]
        for page in docs_site.folder.rglob("*.html")
    }
    assert not {page: spans for page, spans in with_backslash.items() if spans}
    assert "govcard carbon FILE [--format text|json]" in code_text(docs_site.folder / "index.html")
    templates = code_text(docs_site.folder / "guides" / "templates.html")
    assert '{{ "<KEY>"|code }}' in templates
    assert '{% set cols = rows|columns(date="Date", size="Size") %}' in templates
