"""Reading cards for the check: files, folders and standard input."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from govcard.cards import MAX_BYTES, Card, Unreadable, decode, parse, read
from govcard.check import registry
from govcard.check.context import Context, folder_files
from govcard.check.model import FileResult, Finding, Options
from govcard.errors import displayable

_SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".tox"}


def card_files(root: Path) -> Iterator[Path]:
    """Every Markdown file under a folder, in a stable order. VCS folders, virtualenvs and hidden
    folders are skipped; symbolic links to folders are not followed and a linked file outside
    the folder is not read, so a walk never leaves the folder it was given; a file reached
    twice is checked once. The walk keeps its own stack, so a tree of any depth is walked."""
    top = os.path.realpath(root)
    seen: set[str] = set()
    stack: list[Iterator[os.DirEntry[str]]] = [_entries(str(root))]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
        elif entry.is_dir(follow_symlinks=False):
            if entry.name not in _SKIP_DIRS and not entry.name.startswith("."):
                stack.append(_entries(entry.path))
        elif entry.name.lower().endswith(".md") and entry.is_file():
            real = os.path.realpath(entry.path)
            if real not in seen and real.startswith(top + os.sep):
                seen.add(real)
                yield Path(entry.path)


def _entries(folder: str) -> Iterator[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            listed = sorted(entries, key=lambda e: e.name)
    except OSError:  # unreadable, or a path too long for the system
        listed = []
    return iter(listed)


KEYS = frozenset(
    {
        "license",
        "license_name",
        "license_link",
        "base_model",
        "base_model_relation",
        "tags",
        "co2_eq_emissions",
    }
)
"""The metadata keys the check reads; the others are not parsed."""

ONLY_IF = {"tags": ("license:", "base_model:")}
"""Keys read only when their block holds one of these: the check reads `tags` for the Hub's
`license:` and `base_model:` tags, and a long list of other tags costs more to parse than the
rest of the front matter."""


def run(card: Card, options: Options, folder: Path | None) -> Context:
    """Every rule family on one parsed card, in the registry's order."""
    ctx = Context(card, options, folder, registry.RULES)
    for family in registry.FAMILIES:
        family.check(ctx)
        if ctx.stop:
            break
    return ctx


def check_card(card: Card, options: Options, folder: Path | None) -> list[Finding]:
    """The findings of one parsed card, in line order."""
    return sorted(run(card, options, folder).findings, key=lambda f: (f.line, f.rule))


def check_text(text: str, path: str, options: Options) -> FileResult:
    """Check a card given as text (stdin)."""
    return FileResult(path, check_card(parse(text, path, KEYS, ONLY_IF), options, None))


def check_file(path: Path, options: Options) -> FileResult:
    """Check one card file."""
    try:
        card = read(path, KEYS, ONLY_IF)
    except Unreadable as exc:
        return FileResult(displayable(str(path)), _unreadable(str(exc), options))
    return FileResult(displayable(str(path)), check_card(card, options, path.parent))


_CARD_NAMES = frozenset({"readme.md", "model_card.md", "modelcard.md"})


def is_walked_card(path: Path, options: Options) -> bool:
    """Whether a file found in a folder is checked as a model card (see `_check_walked`)."""
    return _check_walked(path, options) is not None


def _check_walked(path: Path, options: Options) -> FileResult | None:
    """Check a file found in a folder, or None for what is not a model card: a dataset card, or
    Markdown without front matter that does not look like a card either (a card's file name, a
    `license:` line out of place, "model card" in its title)."""
    shown = displayable(str(path))
    try:
        card = read(path, KEYS, ONLY_IF)
    except Unreadable as exc:
        return FileResult(shown, _unreadable(str(exc), options))
    if (
        card.metadata is None
        and not card.front
        and path.name.lower() not in _CARD_NAMES
        and "\nlicense:" not in card.text
        and "model card" not in card.title.lower()
    ):
        return None
    if is_dataset_card(card.keys):
        return None
    return FileResult(shown, check_card(card, options, path.parent))


_DATASET_KEYS = {
    "pretty_name",
    "size_categories",
    "task_categories",
    "task_ids",
    "dataset_info",
    "configs",
}
_MODEL_KEYS = {"base_model", "pipeline_tag", "library_name", "model-index", "co2_eq_emissions"}


def is_dataset_card(keys: frozenset[str]) -> bool:
    """Whether metadata with these top-level keys is a dataset card's (directory walks check
    model cards only)."""
    return bool(keys & _DATASET_KEYS) and not keys & _MODEL_KEYS


def _unreadable(message: str, options: Options) -> list[Finding]:
    ctx = Context(Card(path="", text=""), options, None, registry.RULES)
    ctx.add("card-unreadable", 1, message)
    return ctx.findings


def check_paths(paths: Iterable[Path], options: Options) -> list[FileResult]:
    """Check files and directories (every model card inside)."""
    folder_files.cache_clear()  # a folder's files are read once per run, not once per process
    results: list[FileResult] = []
    for path in paths:
        if path.is_dir():
            results.extend(
                result
                for file in card_files(path)
                if (result := _check_walked(file, options)) is not None
            )
        else:
            results.append(check_file(path, options))
    return results


def check_bytes(raw: bytes, path: str, options: Options) -> FileResult:
    """Check a card read from stdin (at most `cards.MAX_BYTES` + 1 bytes of it)."""
    if len(raw) > MAX_BYTES:
        return FileResult(
            path, _unreadable(f"the card is larger than {MAX_BYTES:,} bytes", options)
        )
    try:
        text = decode(raw)
    except Unreadable as exc:
        return FileResult(path, _unreadable(str(exc), options))
    return check_text(text, path, options)


# --- configuration ----------------------------------------------------------------------------
