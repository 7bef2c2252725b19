"""Markdown output that facts cannot break: escaping, table cells, code blocks, links, figures.

Every value a template prints goes through `escape` unless it is already `Markup` (made by these
functions or by a macro), so a `<script>` in a name, a `|` in a table cell or a heading inside a
description appear as text.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from govcard import units

_INLINE = re.compile(r"([\\`*_\[\]{}|~])")
# Leading and trailing blanks stop at the end of the line: with `\s*`, which also takes line
# breaks, every line start of a text of blank lines scanned to its end (quadratic time).
_BLANKS = r"[^\S\n]*"
# What starts a block at the beginning of a line: a heading, a list item, a setext underline.
_LINE_START = re.compile(
    rf"^({_BLANKS})(#{{1,6}}(?=\s|$)|[-+](?=\s|$)|[=-]+{_BLANKS}$)", re.MULTILINE
)
_ORDERED = re.compile(rf"^({_BLANKS}\d+)([.)])(?=\s|$)", re.MULTILINE)
_BACKTICKS = re.compile(r"`+")
_CODE_CELL = re.compile(r"[&<>\"'|\\`*_\[\]{}~]")
_LINE_BREAKS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n"})
# Most values need no escaping; one search tells.
_RISKY = re.compile(rf"[&<>\\`*_\[\]{{}}|~]|^{_BLANKS}[#+=\d-]", re.MULTILINE)


def escape(value: Any) -> Markup:
    """Text as literal Markdown: HTML-significant characters as entities, Markdown ones escaped."""
    if isinstance(value, Markup):
        return value
    text = str(value)
    if "\r" in text or "\u2028" in text or "\u2029" in text:
        # Markdown ends a line at CR too; make every line break one the escaping below sees.
        text = text.replace("\r\n", "\n").translate(_LINE_BREAKS)
    if not _RISKY.search(text):
        return Markup(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}", text)
    text = _ORDERED.sub(r"\1\\\2", text)
    return Markup(text)


def cell(value: Any) -> Markup:
    """Text for a table cell: escaped, on one line."""
    return Markup(" ".join(str(escape(value)).split()))


def code(value: Any) -> Markup:
    """An inline code span holding the text as it is."""
    text = " ".join(str(value).split())
    if not text:
        return Markup("")
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


def code_cell(value: Any) -> Markup:
    """An inline code span for a table cell: the text as it is, a `|` in it included.

    A `|` would end the cell; GitHub reads `\\|` inside a code span as `|`, but MkDocs shows the
    backslash. Such a text is written as `<code>` HTML, its characters that mean something to HTML,
    tables or Markdown as character references, which both read the same.
    """
    text = " ".join(str(value).split())
    if "|" not in text:
        return code(text)
    return Markup(f"<code>{_CODE_CELL.sub(lambda m: f'&#{ord(m[0])};', text)}</code>")


def code_block(value: Any, language: str = "") -> Markup:
    """A fenced code block whose fence is longer than any backtick run in the text."""
    text = str(value).rstrip("\n")
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return Markup(f"{fence}{language}\n{text}\n{fence}")


def url(value: Any) -> Markup:
    """A URL as a Markdown link target (the schema admits only http(s) URLs without spaces)."""
    text = str(value)
    for char, code in (("(", "%28"), (")", "%29"), (" ", "%20"), ("<", "%3C"), (">", "%3E")):
        text = text.replace(char, code)
    return Markup(text)


def link(text: Any, target: Any) -> Markup:
    """`[text](target)`, or the escaped text alone when there is no target."""
    if target is None:
        return escape(text)
    return Markup(f"[{escape(text)}]({url(target)})")


def number(value: float, decimals: int | None = None) -> str:
    """1234567.891 -> "1,234,567.891"; `decimals` fixes the places."""
    return units.format_number(value, decimals)


def counted(value: float, noun: str, plural: str | None = None) -> str:
    """A count with its noun, singular for one: `1 worker`, `1,399 workers`, `35 countries`
    (`plural` when adding an s does not make it)."""
    return f"{number(value)} {noun if value == 1 else plural or noun + 's'}"


def percent(value: float) -> str:
    """A percentage as published: 73.39 -> "73.39%"."""
    return f"{units.format_number(value)}%"


def money(amount: float, currency: str) -> str:
    """39000, USD -> "US$39,000"; other currencies by their code."""
    shown = units.format_number(amount, 2 if amount % 1 else None)
    return f"US${shown}" if currency == "USD" else f"{shown} {currency}"


def columns(rows: list[Any], **titles: str) -> list[tuple[str, str]]:
    """The (attribute, title) pairs of table columns that have a value in at least one row."""
    return [
        (key, title)
        for key, title in titles.items()
        if any(getattr(row, key) is not None for row in rows)
    ]


def finalize(value: Any) -> Any:
    """Jinja's `finalize`: escape every printed value; refuse to print None."""
    if value is None:
        raise ValueError("a template printed None; guard the value with {% if %}")
    return escape(value)


FILTERS = {
    "md": escape,
    "cell": cell,
    "columns": columns,
    "code": code,
    "code_block": code_block,
    "url": url,
    "link": link,
    "number": number,
    "counted": counted,
    "percent": percent,
    "money": money,
    "kwh": units.format_energy_kwh,
    "co2": units.format_mass_kg,
}
