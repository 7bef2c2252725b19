"""`govcard check --fix`: add to a card what is missing and can be added without a decision.

Fixed: the `license:` a derivative must carry (its parent's, when the check found exactly one),
license_name/license_link of a `license: other` the catalogs identify, the attribution notice and
the license's terms block (`govcard license show`), and the "Built with ..." line. Everything else
in the file stays byte for byte: lines are inserted, never rewritten, in the file's own line
endings. A second run changes nothing. What needs a person's decision (a laundered license, a
name, placeholders) stays a finding.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from govcard import licenses
from govcard.cards import Unreadable, decode, parse
from govcard.check.context import folder_files, parent_terms, specific_rail
from govcard.check.files import KEYS, ONLY_IF, run

if TYPE_CHECKING:
    from govcard.check.context import Context
    from govcard.check.model import Options

_BLOCK_MARK = "<!-- govcard license show "


class _Edit:
    """Lines to insert before a 0-based line index (`len(lines)` appends)."""

    def __init__(self) -> None:
        self.inserts: list[tuple[int, list[str]]] = []
        self.said: list[str] = []

    def add(self, index: int, new: list[str], said: str) -> None:
        self.inserts.append((index, new))
        self.said.append(said)


def fix_file(path: Path, options: Options) -> list[str]:
    """Fix one card in place; what was changed, one line each (empty when nothing was). A fix
    can bring out another (a license added lets the parent's duties be checked), so the card is
    fixed until nothing changes."""
    said: list[str] = []
    for _ in range(3):
        changes = _fix_once(path, options)
        if not changes:
            break
        said += changes
    return said


def _fix_once(path: Path, options: Options) -> list[str]:
    folder_files.cache_clear()  # a NOTICE or LICENSE file may have been added since
    raw = path.read_bytes()
    if b"\r" in raw.replace(b"\r\n", b""):
        return []  # lone CR line ends: the lines cannot be kept byte for byte
    try:
        text = decode(raw)
    except Unreadable:
        return []
    card = parse(text, str(path), KEYS, ONLY_IF)
    ctx = run(card, options, path.parent)
    edit = _Edit()
    rules = {f.rule for f in ctx.findings}
    entry = _license_of(ctx)
    if ("license-missing" in rules or "license-metadata-missing" in rules) and entry is not None:
        _metadata(ctx, edit, _keys(entry, {}))
    elif rules & {"license-other-incomplete", "license-other-unidentified"} and ctx.own.terms:
        _metadata(ctx, edit, _keys(ctx.own.terms, ctx.metadata))
    # The duties are the parent's license's (a Llama 3.1 fine-tune under llama3 still owes
    # "Built with Llama"): the fixes for them come from there.
    duties = next((terms for _, terms in ctx.term_parents), None)
    if "license-display-missing" in rules and duties is not None and duties.display:
        title = next((h.line for h in card.headings if h.level == 1), None)
        index = title if title is not None else card.body_start - 1
        phrase = duties.display.phrases[0]
        lines = raw.splitlines()
        blank_after = index < len(lines) and not lines[index].strip()
        new = ["", f"**{phrase}**"] if blank_after else ["", f"**{phrase}**", ""]
        edit.add(index, new, f'added "{phrase}"')
    block_of = (
        duties
        if "license-notice-missing" in rules and duties is not None
        else entry
        if rules & {"license-notice-missing", "rail-restrictions-missing", "license-missing"}
        else None
    )
    if block_of is not None and _BLOCK_MARK not in text:
        from govcard import license_block

        block = license_block.markdown(block_of).rstrip("\n").split("\n")
        edit.add(len(raw.splitlines()), ["", *block], f"added the {block_of.name} terms block")
    if not edit.inserts:
        return []
    _write(path, raw, edit)
    return edit.said


def _license_of(ctx: Context) -> licenses.Terms | licenses.LicenseInfo | None:
    """The license the card should carry: its own when the catalogs know it, else its parents'
    when they agree on one."""
    if ctx.own.terms is not None:
        return ctx.own.terms
    if ctx.own.rail is not None:
        return ctx.own.rail
    found: dict[str, licenses.Terms | licenses.LicenseInfo] = {}
    for parent in ctx.parents:
        entry = specific_rail(parent.license) or parent_terms(parent.license)
        if entry is not None:
            found[entry.id] = entry
    return next(iter(found.values())) if len(found) == 1 else None


def _keys(entry: licenses.Terms | licenses.LicenseInfo, metadata: dict[str, object]) -> list[str]:
    hub_id = entry.hub_id if isinstance(entry, licenses.Terms) else entry.id
    keys = [] if "license" in metadata else [f"license: {hub_id}"]
    if hub_id == "other":
        if not metadata.get("license_name"):
            keys.append(f"license_name: {entry.id}")
        if not metadata.get("license_link"):
            keys.append(f"license_link: {entry.url}")
    return keys


def _metadata(ctx: Context, edit: _Edit, keys: list[str]) -> None:
    card = ctx.card
    keys = [k for k in keys if k.split(":")[0] not in card.keys]  # an empty key is the user's
    if not keys:
        return
    if card.metadata is None:
        edit.add(0, ["---", *keys, "---"], f"added front matter with {', '.join(keys)}")
    else:
        edit.add(card.body_start - 2, keys, f"added {', '.join(keys)} to the metadata")


def _write(path: Path, raw: bytes, edit: _Edit) -> None:
    newline = b"\r\n" if b"\r\n" in raw else b"\n"
    lines = raw.splitlines(keepends=True)
    if lines and not lines[-1].endswith(b"\n"):
        lines[-1] += newline
    bom = b"\xef\xbb\xbf"
    if lines and lines[0].startswith(bom):
        lines[0:1] = [bom, lines[0][len(bom) :]]  # what goes first goes after the BOM
        edit.inserts = [(index + 1, new) for index, new in edit.inserts]
    for index, new in sorted(edit.inserts, key=lambda i: i[0], reverse=True):
        lines[index:index] = [line.encode("utf-8") + newline for line in new]
    data = b"".join(lines)
    mode = stat.S_IMODE(os.stat(path).st_mode)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
