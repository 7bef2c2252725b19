"""Recommendations for a card under a RAIL license."""

from __future__ import annotations

from typing import TYPE_CHECKING

from govcard.check import text
from govcard.check.model import Rule

if TYPE_CHECKING:
    from govcard.check.context import Context

RULES = (
    Rule(
        "rail-restrictions-missing",
        "info",
        "The use restrictions are incorporated by reference, not listed",
        "Naming the license incorporates its use restrictions; listing them (or saying that use is subject to them) helps readers who do not open the license.",
        "List the use restrictions (govcard render writes them), or state that use is subject to the license's use restrictions.",
    ),
)


def check(ctx: Context) -> None:
    """Whether the card lists, or says it is subject to, its RAIL license's use restrictions."""
    info = ctx.own.rail
    if info is None or ctx.own.settled:
        return
    lowered = ctx.card.lowered
    if not text.incorporates(lowered) and text.heading_with("restrict", lowered) is None:
        ctx.add(
            "rail-restrictions-missing",
            ctx.license_section_line(),
            f"the {info.name} applies by reference; the card neither lists its "
            f"{len(info.restrictions)} use restrictions nor says that use is subject to them",
        )
