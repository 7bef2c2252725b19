"""The optional parts of govcard, and the error a command gives when it needs one that is missing.

`pip install govcard` runs validate, render, check, gaps, init, schema and carbon with explicit
intensities. Three extras add the rest (`govcard[all]` has them all):

- `site`: MkDocs and MkDocs-Material, for `govcard site build`, `site serve` and `publish`;
- `carbon`: codecarbon and its data stack (pandas), to look up a grid intensity by location;
- `export`: mlcroissant and cyclonedx-python-lib, for the Croissant and CycloneDX exports (SPDX
  license ids, and the validators of both formats).

A missing extra is found before anything is imported, so the error is one line that says what to
install, never an ImportError's traceback. The command it gives installs the extra from where this
govcard came from (PEP 610's `direct_url.json`): a checkout, a wheel file, a Git URL or the index.
"""

from __future__ import annotations

import json
import shlex
from importlib.util import find_spec
from urllib.parse import unquote, urlsplit

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
        self.advice = f"needs the {extra} extra, which is not installed: {install_command(extra)}"
        super().__init__([Problem(where, 0, 0, self.advice)])


def install_command(extra: str, direct_url: str | None = None) -> str:
    """The pip command that adds `extra` to this govcard, from where it was installed.

    `direct_url` is the text of the distribution's `direct_url.json` (PEP 610), read from the
    installed govcard when not given; there is none when govcard came from a package index.
    """
    if direct_url is None:
        direct_url = _direct_url()
    requirement = f"govcard[{extra}]"
    try:
        origin = json.loads(direct_url) if direct_url else {}
    except ValueError:
        origin = {}
    url = origin.get("url") if isinstance(origin, dict) else None
    if not isinstance(url, str) or not url:
        return f"pip install {shlex.quote(requirement)}"
    editable = isinstance(origin.get("dir_info"), dict) and origin["dir_info"].get("editable")
    vcs = origin.get("vcs_info")
    if isinstance(vcs, dict) and isinstance(vcs.get("vcs"), str):
        # The commit that is installed, so that adding the extra does not change govcard.
        commit = vcs.get("commit_id")
        url = f"{vcs['vcs']}+{url}" + (f"@{commit}" if isinstance(commit, str) and commit else "")
    elif url.startswith("file://"):
        # A checkout or a wheel file on this machine: pip takes the extra after its path.
        path = unquote(urlsplit(url).path)
        return f"pip install {'-e ' if editable else ''}{shlex.quote(f'{path}[{extra}]')}"
    return f"pip install {shlex.quote(f'{requirement} @ {url}')}"


def _direct_url() -> str | None:
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        return distribution("govcard").read_text("direct_url.json")
    except PackageNotFoundError:
        return None


def installed(extra: str) -> bool:
    """Whether every package of `extra` can be imported (nothing is imported to find out)."""
    return all(find_spec(package) is not None for package in PACKAGES[extra])


def require(extra: str, where: str) -> None:
    """Raise `MissingExtra` unless `extra` is installed.

    `where` starts the error line, e.g. "govcard site build" gives
    `govcard site build: needs the site extra, which is not installed: pip install 'govcard[site]'`
    (for a govcard installed from the index; see `install_command`).
    """
    if not installed(extra):
        raise MissingExtra(extra, where)
