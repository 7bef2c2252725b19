"""Whether what a card says about its license agrees with itself: the metadata, the license its
License section states, a LICENSE file beside it, and the licenses of the parents it merges."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from govcard import licenses
from govcard.check import text
from govcard.check.context import folder_files, specific_rail
from govcard.check.model import Rule

if TYPE_CHECKING:
    from govcard.check.context import Context

RULES = (
    Rule(
        "license-conflict",
        "warning",
        "The card states two different licenses",
        "The metadata's license is what the Hub shows and filters on; a License section or a LICENSE file that names another license leaves readers unsure which terms apply.",
        "Make the metadata, the License section and the LICENSE file name the same license.",
    ),
    Rule(
        "derivative-parents-conflict",
        "warning",
        "A merge of parents whose licenses cannot both be kept",
        "Each parent's license asks that its own terms govern the derivative (Gemma's and the RAIL licenses' use restrictions as an enforceable provision, Llama's and Qwen's agreements); one Hub license id cannot carry two such sets of terms.",
        "Check with the licensors whether the merge may be shared, and under which terms; say so in the card.",
    ),
)

# How much of a LICENSE file is read for the license it is.
_FILE_HEAD = 1000


def _own_id(ctx: Context) -> str | None:
    own = ctx.own
    if own.terms is not None:
        return own.terms.id
    if own.rail is not None:
        return own.rail.id
    return own.shown if own.shown in licenses.terms_ids() else None


def check(ctx: Context) -> None:
    """License section and LICENSE file against the metadata; parents against each other."""
    own = _own_id(ctx)
    if own is not None and not ctx.own.settled and isinstance(ctx.metadata.get("license"), str):
        _section(ctx, own)
        _file(ctx, own)
    _parents(ctx)


def _section(ctx: Context, own: str) -> None:
    stated = ctx.stated_licenses
    ids = list(dict.fromkeys(license_id for license_id, _, _ in stated))
    if ids and own not in ids:
        _, line, where = stated[0]
        ctx.add(
            "license-conflict",
            line,
            f"the metadata says {own}, but {where} names {', '.join(ids)}",
        )


def _file(ctx: Context, own: str) -> None:
    if ctx.folder is None:
        return
    folder = os.path.realpath(ctx.folder)
    present = [name for name in text.LICENSE_FILES if name in folder_files(folder)]
    if not present:
        return
    try:
        with open(os.path.join(folder, present[0]), "rb") as handle:
            head = handle.read(_FILE_HEAD).decode("utf-8", "replace").lower()
    except OSError:
        return
    stated = text.named(head)[:1]
    if stated and stated[0] != own:
        ctx.add(
            "license-conflict",
            ctx.card.key_line("license"),
            f"the metadata says {own}, but {present[0]} beside the card is the {_title(stated[0])}",
        )


def _title(license_id: str) -> str:
    entry = licenses.terms(license_id) or licenses.rail(license_id)
    return entry.name if entry is not None else license_id


def _parents(ctx: Context) -> None:
    """Two parents of different families, one of which asks that its own terms govern."""
    families: dict[str, str] = {}
    binding: set[str] = set()
    for parent in ctx.parents:
        info = specific_rail(parent.license)
        if info is not None:
            families.setdefault("openrail", parent.shown)
            binding.add("openrail")
            continue
        for candidate, entry in ctx.term_parents:
            if candidate is parent:
                families.setdefault(entry.family, parent.shown)
                if entry.derivatives == "same-terms":
                    binding.add(entry.family)
    if len(families) > 1 and binding:
        shown = "; ".join(f"{shown} ({family})" for family, shown in families.items())
        ctx.add(
            "derivative-parents-conflict",
            ctx.card.key_line("base_model"),
            f"the parents' licenses belong to different families, and one asks that its own terms govern: {shown}",
        )
