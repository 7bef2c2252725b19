"""Duties of the license families beyond RAIL that a card can show: the attribution notice, the
"Built with" line and the name prefix (Llama 3 and later, Gemma, Qwen), and leftover template
placeholders."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from govcard.check.context import folder_files
from govcard.check.model import Rule

if TYPE_CHECKING:
    from govcard import licenses
    from govcard.check.context import Context
    from govcard.lineage import Parent

RULES = (
    Rule(
        "license-notice-missing",
        "warning",
        "The attribution notice the parent's license asks for is not shown",
        "Llama, Gemma and Qwen licenses ask every copy of the model or a derivative to keep an exact notice sentence (in a Notice file the card's folder can hold, or in the card).",
        "Add the notice sentence (govcard license show ID prints it) to the card or a NOTICE file beside it.",
    ),
    Rule(
        "license-display-missing",
        "warning",
        'The "Built with ..." line the parent\'s license asks for is not shown',
        'Llama 3 and later (and the 2024 Qwen licenses) ask a derivative to display "Built with Llama" (or its version\'s wording) prominently in its documentation, and a model card is that documentation.',
        "Add the line, e.g. **Built with Llama**, near the top of the card.",
    ),
    Rule(
        "license-name-prefix-missing",
        "warning",
        "A derivative's name does not begin as its parent's license asks",
        'Llama 3 asks a model made from it to have a name that begins with "Llama 3"; Llama 3.1 and later with "Llama".',
        "Rename the model so that its name begins with the prefix, e.g. Llama-3.1-MyModel-8B.",
    ),
    Rule(
        "template-placeholder",
        "warning",
        "Template placeholders left in the card",
        'Stock card templates ship with "[More Information Needed]" and "{{ ... }}" slots; a card that keeps them says nothing in those sections.',
        "Fill in each section or remove it.",
    ),
)

# A notice or phrase quoted inside a copy of the license text is not a notice shown.
_QUOTING = ("such copies", "following notice", "following attribution")
_QUOTED_DISPLAY = ('display "', "display \u201c")
_NOTICE_FILES = ("NOTICE", "NOTICE.md", "NOTICE.txt", "Notice", "Notice.txt", "notice.txt")
_GENERIC_TITLE = re.compile(
    r"(?:model|card|overview|details|merge[sd]?|introduction|description|usage|summary|readme"
    r"|examples?|load|gguf|uploads?|quanti[sz]ed|quanti[sz]ation|about|information|evaluation"
    r"|results|benchmarks?|open llm leaderboard|[^a-z0-9]+)+"
)


def check(ctx: Context) -> None:
    """The duties of the first restricted parent of each family whose terms the card keeps."""
    if not ctx.own.settled:
        seen: set[str] = set()
        for parent, entry in ctx.term_parents:
            if entry.family not in seen:
                seen.add(entry.family)
                _duties(ctx, parent, entry)
    _placeholders(ctx)


def _duties(ctx: Context, parent: Parent, entry: licenses.Terms) -> None:
    lowered = ctx.card.lowered
    of = f"the {entry.name} of {parent.shown}"
    if entry.notice is not None:
        needle = _ascii(entry.notice.text.split(",")[0])
        if not _shown(lowered, needle) and not _in_notice_file(ctx, needle):
            ctx.add(
                "license-notice-missing",
                ctx.license_section_line(),
                f"{of} asks copies to keep the notice "
                f'"{entry.notice.text}" (§{entry.notice.section}); neither the card nor a NOTICE file beside it has it',
                f"Add the notice to a NOTICE file or the card: {entry.notice.text}",
            )
    if entry.display is not None and not any(
        _shown(lowered, _ascii(phrase)) for phrase in entry.display.phrases
    ):
        phrase = entry.display.phrases[0]
        ctx.add(
            "license-display-missing",
            ctx.card.body_start,
            f'{of} asks a derivative to display "{phrase}" (§{entry.display.section}); the card does not',
            f"Add the line **{phrase}** near the top of the card.",
        )
    if entry.name_prefix is not None and parent.relation != "quantized version":
        _name_prefix(ctx, of, entry.name_prefix)


def _name_prefix(ctx: Context, of: str, rule: licenses.NamePrefix) -> None:
    # A title that is a link is read as its text ("[Open LLM Leaderboard Evaluation Results](...)",
    # the heading the leaderboard's bot appends to cards, is no name).
    title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", ctx.card.title)
    title = re.sub(r"(?i)^\W*model\s*card\s*(?:for|of|:|-)?\s*", "", title).strip()
    title = re.sub(r"^[\w.-]+/(?=[\w.-]+$)", "", title)  # a repo id: its name
    if not title or _GENERIC_TITLE.fullmatch(title.lower()):
        return  # the card does not say what the model is called
    if _squash(title).startswith(_squash(rule.prefix)):
        return
    line = ctx.card.title_line
    ctx.add(
        "license-name-prefix-missing",
        line,
        f'{of} asks a model made from it to have a name that begins with "{rule.prefix}" '
        f'(§{rule.section}); the card calls it "{title[:60]}"',
        f'Rename the model so that its name begins with "{rule.prefix}".',
    )


def _ascii(text: str) -> str:
    """Lowercase, as `Card.lowered` is (ASCII letters only), with single spaces."""
    return " ".join(text.translate(_LOWER).split())


_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _squash(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def _shown(lowered: str, needle: str) -> bool:
    """Whether a lowercase text shows a sentence (its words, however the lines wrap) outside a
    quoted copy of the license."""
    for count, match in enumerate(_sentence(needle).finditer(lowered)):
        if count >= 64:
            break
        position = match.start()
        before = lowered[max(0, position - 120) : position]
        quoted = any(word in before for word in _QUOTING) or any(
            before.endswith(mark) for mark in _QUOTED_DISPLAY
        )
        if not quoted:
            return True
    return False


@lru_cache(maxsize=64)
def _sentence(needle: str) -> re.Pattern[str]:
    """A sentence's words, however the lines wrap."""
    return re.compile(r"\s+".join(re.escape(word) for word in needle.split()))


def _in_notice_file(ctx: Context, needle: str) -> bool:
    if ctx.folder is None:
        return False
    folder = os.path.realpath(ctx.folder)
    for name in _NOTICE_FILES:
        if name in folder_files(folder):
            try:
                with open(os.path.join(folder, name), "rb") as handle:
                    text = handle.read(65536).decode("utf-8", "replace")
            except OSError:
                continue
            if needle in _ascii(text):
                return True
    return False


# A regular expression finds "{{" faster than str.find, which slows down on text full of "{".
_OPENING = re.compile(r"\{\{")
_SLOT = re.compile(r"\{\{[^{}\n]{0,200}\}\}")


def _placeholders(ctx: Context) -> None:
    text = ctx.card.text
    stock_at = text.find("[More Information Needed]")
    opening = _OPENING.search(text)
    slot = _SLOT.search(text, opening.start()) if opening is not None else None
    if stock_at < 0 and slot is None:
        return
    stock = text.count("[More Information Needed]", stock_at) if stock_at >= 0 else 0
    slots = len(_SLOT.findall(text, slot.start())) if slot is not None else 0
    found = [i for i in (stock_at, slot.start() if slot else -1) if i >= 0]
    position = min(found)
    shown = "[More Information Needed]" if position == stock_at else "{{ ... }}"
    count = stock + slots
    ctx.add(
        "template-placeholder",
        text.count("\n", 0, position) + 1,
        f"{count} template placeholder{'s' if count > 1 else ''} left, first {shown}",
    )
