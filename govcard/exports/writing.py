"""Putting exports on disk: a format's folder, marked as govcard's, or a single file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from govcard import output
from govcard.errors import GovcardError
from govcard.exports import FORMATS

EXPORT = output.Kind(
    name="export",
    refusal="holds files govcard did not write ({files}); "
    "export into an empty folder or one govcard wrote",
)
"""A folder of one format's files, marked by a `.govcard.json` that lists them."""


def folder_outputs(name: str, produced: dict[str, str]) -> dict[str, str]:
    """The files of format `name` as `govcard render` writes them: under exports/NAME/, with the
    marker that makes the folder `govcard export`'s to replace too."""
    folder = f"exports/{name}"
    return {
        **{f"{folder}/{relative}": text for relative, text in produced.items()},
        f"{folder}/{output.MARKER}": output.marker_text(EXPORT, list(produced)),
    }


def is_export_folder(folder: Path) -> bool:
    """Whether `folder` is a format's folder govcard wrote: named for a format, a folder (not a
    link to one), marked, holding only the files its marker lists."""
    return folder.name in FORMATS and not folder.is_symlink() and output.is_own(folder, EXPORT)


def write_folder(produced: dict[str, str], folder: Path, inputs: Sequence[Path] = ()) -> None:
    """Put a format's files in place of `folder`, as one atomic swap (govcard.output)."""
    output.replace(folder, EXPORT, lambda staging: output.write_files(staging, produced), inputs)


# An export govcard wrote names it within its text; a file larger than this is not one.
_READ_AT_MOST = 64 * 1024 * 1024


def write_file(text: str, path: Path, inputs: Sequence[Path] = ()) -> None:
    """Write a one-file export to `path` through an atomic rename. A file already there is
    replaced only if it starts as the export does (its first line) and names govcard, so that a
    file govcard did not write, the project file or another tool's JSON among them, is never
    overwritten."""
    shown = str(path)
    if path.is_dir():
        raise GovcardError.at(shown, "is a folder; this format writes one file, give its path")
    if path.exists():
        if any(source.exists() and path.samefile(source) for source in inputs):
            raise GovcardError.at(shown, "is a file this command reads; give another path")
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                on_disk = handle.read(_READ_AT_MOST)
        except OSError as exc:
            raise GovcardError.at(shown, f"cannot be read: {exc.strerror or exc}") from None
        first = on_disk.split("\n", 1)[0]
        if first != text.split("\n", 1)[0] or "govcard" not in on_disk:
            raise GovcardError.at(
                shown,
                "is a file govcard did not write (it does not start as the export does, or does "
                "not name govcard); "
                "give a new path or remove it",
            )
    try:
        output.write_text(path, text)
    except OSError as exc:
        raise output.write_error(path, exc) from None
