"""Machine-readable exports of the facts: the registry of formats.

Each format is a module of this package with one function,

    files(derived: Derived) -> dict[str, str]

that returns its files, by name relative to the format's folder, and their text. A format names
the govcard version and the facts' as-of date (`generator()`, `as_of()`) and is deterministic:
the same facts give the same bytes. Modules are imported only when their format is used, so a
format may import a heavy library at its top; a format that needs a library beyond govcard's core
names the extra that installs it (govcard.extras), and is skipped by `govcard render` while that
extra is missing.

`govcard export FILE --to NAME` writes one format; `govcard render` writes every format whose
extra is installed, each into `exports/NAME/` of its output (govcard.exports.writing puts them on
disk). Adding a format is adding its module and a line to FORMATS. This module imports little, so
that the command line can list the formats without slowing `govcard --help`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

from govcard import __version__

if TYPE_CHECKING:
    from govcard.derive import Derived


class FormatModule(Protocol):
    """What a format's module provides."""

    def files(self, derived: Derived) -> dict[str, str]:
        """The format's files, by relative name, and their text."""
        ...


@dataclass(frozen=True)
class Format:
    """A format of `govcard export`."""

    name: str
    """What `--to` takes, and the folder of its files under exports/."""
    summary: str
    """One line for --help."""
    extra: str | None = None
    """The govcard extra whose libraries it needs; None when the core install is enough."""

    @property
    def module(self) -> str:
        """Its module, `govcard.exports.<name>`."""
        return f"{__name__}.{self.name}"


FORMATS: dict[str, Format] = {
    f.name: f
    for f in [
        Format(
            "fmti",
            "a transparency report in the layout of the Foundation Model Transparency Index",
        ),
        Format(
            "croissant",
            "Croissant 1.1 with the Responsible-AI vocabulary, a file per dataset",
            "export",
        ),
        Format("cyclonedx", "a CycloneDX 1.6 ML-BOM of the models and datasets", "export"),
    ]
}


def generator() -> str:
    """What every export names as its maker: `govcard 0.1.0`."""
    return f"govcard {__version__}"


def as_of(derived: Derived) -> str | None:
    """The date the facts are as of (ISO 8601), or None when the facts do not state it."""
    date = derived.project.facts.project.as_of
    return date.isoformat() if date is not None else None


def available(name: str) -> bool:
    """Whether the libraries format `name` needs are installed (nothing is imported)."""
    from govcard import extras

    extra = FORMATS[name].extra
    return extra is None or extras.installed(extra)


def require(name: str, where: str) -> None:
    """Raise extras.MissingExtra (one line, exit 2) when format `name` cannot run here."""
    from govcard import extras

    extra = FORMATS[name].extra
    if extra is not None:
        extras.require(extra, where)


def files(derived: Derived, name: str) -> dict[str, str]:
    """The files of format `name` for these facts."""
    module: FormatModule = import_module(FORMATS[name].module)
    return module.files(derived)


def skipped() -> list[str]:
    """One line for each format `govcard render` leaves out because its extra is missing."""
    lines = []
    for name, entry in FORMATS.items():
        if not available(name):
            lines.append(
                f"exports/{name} left out: it needs the {entry.extra} extra, which is not "
                f"installed: pip install 'govcard[{entry.extra}]'"
            )
    return lines


def every_format(derived: Derived) -> dict[str, dict[str, str]]:
    """The files of every format whose extra is installed, by format name."""
    return {name: files(derived, name) for name in FORMATS if available(name)}
