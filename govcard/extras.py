"""The optional parts of govcard, and the error a command gives when it needs one that is missing.

`pip install govcard` runs validate, render, check, gaps, init, schema and carbon with explicit
intensities. Three extras add the rest (`govcard[all]` has them all):

- `site`: MkDocs and MkDocs-Material, for `govcard site build`, `site serve` and `publish`;
- `carbon`: codecarbon and its data stack (pandas), to look up a grid intensity by location;
- `export`: mlcroissant and cyclonedx-python-lib, for the Croissant and CycloneDX exports (SPDX
  license ids, and the validators of both formats).

A missing extra is found before anything is imported, so the error is one line that says what to
install, never an ImportError's traceback.
"""

from __future__ import annotations

from importlib.util import find_spec

from govcard.errors import GovcardError, Problem

PACKAGES: dict[str, tuple[str, ...]] = {
    "site": ("mkdocs", "material"),  # material: mkdocs-material's theme, which MkDocs finds by name
    "carbon": ("codecarbon",),
    "export": ("mlcroissant", "cyclonedx"),
}
"""The importable packages each extra provides."""


class MissingExtra(GovcardError):
    """An extra that is not installed; `advice` says which and how to install it."""

    def __init__(self, extra: str, where: str) -> None:
        self.extra = extra
        self.advice = (
            f"needs the {extra} extra, which is not installed: pip install 'govcard[{extra}]'"
        )
        super().__init__([Problem(where, 0, 0, self.advice)])


def installed(extra: str) -> bool:
    """Whether every package of `extra` can be imported (nothing is imported to find out)."""
    return all(find_spec(package) is not None for package in PACKAGES[extra])


def require(extra: str, where: str) -> None:
    """Raise `MissingExtra` unless `extra` is installed.

    `where` starts the error line, e.g. "govcard site build" gives
    `govcard site build: needs the site extra, which is not installed: pip install 'govcard[site]'`.
    """
    if not installed(extra):
        raise MissingExtra(extra, where)
