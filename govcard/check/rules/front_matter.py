"""Whether the card can be read at all: its text and its front matter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from govcard.check.model import Rule

if TYPE_CHECKING:
    from govcard.check.context import Context

RULES = (
    Rule(
        "card-unreadable",
        "error",
        "The card cannot be read as text",
        "A binary, non-UTF-8 or oversized file is not a model card the Hub can show.",
        "Save the card as a UTF-8 Markdown file.",
    ),
    Rule(
        "front-matter-invalid",
        "error",
        "The front matter is not a YAML mapping",
        "Metadata the Hub cannot parse is refused or ignored, license included, so nobody can tell the terms.",
        "Fix the YAML so that the block is a mapping of keys to values.",
    ),
)


def check(ctx: Context) -> None:
    """Front matter that does not parse as a mapping ends the check (card-unreadable is reported
    by the file reader, before there is a card)."""
    card = ctx.card
    unclosed = card.text.lstrip().startswith("---") and not card.front
    if card.metadata is None and (card.front or unclosed):
        line, message = card.front_matter_error or (card.front_start, "invalid front matter")
        ctx.add("front-matter-invalid", line, message)
        ctx.stop = True
