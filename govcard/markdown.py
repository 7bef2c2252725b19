"""Markdown output that facts cannot break: escaping, table cells, code blocks, links, figures.

Every value a template prints goes through `escape` unless it is already `Markup` (made by these
functions or by a macro), so a `<script>` in a name, a `|` in a table cell or a heading inside a
description appear as text.
"""

from __future__ import annotations

import bisect
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


def not_reported(value: Any) -> Markup:
    """The templates' `nr(value)`: the value, or "not reported" for none, an empty list or an
    empty text (the EU forms' wording for what the facts do not give)."""
    if value is None or value == [] or value == "":
        return Markup("not reported")
    return escape(value)


def finalize(value: Any) -> Any:
    """Jinja's `finalize`: escape every printed value; refuse to print None."""
    if value is None:
        raise ValueError("a template printed None; guard the value with {% if %}")
    return escape(value)


GLOBALS = {"nr": not_reported}
"""Functions the templates call (a macro costs several times more per call)."""

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


# --- linking the first use of terms in running text --------------------------------------------

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$")
_FENCE = re.compile(r"^[^\S\n]*(`{3,}|~{3,})")
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
# A link reference, footnote or abbreviation definition; a raw HTML block; a blockquote.
_NOT_PROSE = re.compile(r"^ {0,3}(?:\*?\[[^\]\n]*\]:|<[A-Za-z/!?]|>)")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])(?:[ \t]+|$)")
# Inline HTML: a tag, comment, processing instruction or declaration, or an autolink.
_INLINE_HTML = re.compile(
    r"<(?:!--.*?-->|[?!][^>]*>|/?([A-Za-z][A-Za-z0-9-]*)[^>]*>|[^\s>]+:[^\s>]*>)", re.DOTALL
)
# Elements whose text is not running text: a link, code, or what the browser does not show.
_CLOSED_ELEMENTS = {"a", "abbr", "code", "kbd", "pre", "samp", "script", "style", "textarea"}
_BARE_URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+")
# What may not come right before a term for it to be a use: a letter, a digit, "!", "]", "\\", "-".
_BEFORE_A_WORD = re.compile(r"[\w!\]\\-]")
# Where a span that is not running text may start (`_protected` looks nowhere else).
_MAY_PROTECT = re.compile(r"[\\`<\[{]|!\[|(?:https?|ftp)://|www\.")


def _indent(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip(" "))


def _prose_lines(lines: list[str]) -> list[bool]:
    """Which lines hold running text, as Python-Markdown (MkDocs) reads them: not front matter,
    headings, fenced or indented code, raw HTML blocks, blockquotes or definitions. In doubt, a
    line is not running text."""
    prose = [False] * len(lines)
    start = 0
    if lines and lines[0].rstrip("\n") == "---":
        ends = [i for i in range(1, len(lines)) if _FRONT_MATTER_END.match(lines[i])]
        start = ends[0] + 1 if ends else len(lines)
    fence = ""
    html_block = False
    item_indent = -1  # inside a list: where its last item's text starts
    previous_prose = False
    for i in range(start, len(lines)):
        line = lines[i].rstrip("\n")
        indent = _indent(line)
        if fence:
            closing = line.strip()
            if closing.startswith(fence) and not closing.strip(fence[0]):
                fence = ""
            previous_prose = False
            continue
        if not line.strip():
            html_block = previous_prose = False
            continue
        item = _LIST_ITEM.match(line)
        if 0 <= indent < item_indent and not item and not previous_prose:
            item_indent = -1  # a block after a blank line, left of the list's text, ends the list
        opening = _FENCE.match(line)
        if indent >= max(item_indent, 0) + 4 and not previous_prose:
            pass  # indented code: it cannot interrupt a paragraph
        elif opening:
            fence = opening[1]
        elif html_block or _NOT_PROSE.match(line):
            html_block = html_block or line.lstrip().startswith("<")
        elif _ATX_HEADING.match(line):
            pass
        elif _SETEXT_UNDERLINE.match(line) and previous_prose:
            # The paragraph above is a heading.
            j = i - 1
            while j >= start and prose[j]:
                prose[j] = False
                j -= 1
        else:
            if item:
                item_indent = len(item[0].expandtabs(4))
            prose[i] = previous_prose = True
            continue
        previous_prose = False
    return prose


def _closing(text: str, start: int, opening: str, closing: str) -> int:
    """The index after the `closing` bracket that matches the `opening` one at `start`, or -1."""
    depth = 0
    i = start
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _protected(text: str) -> list[tuple[int, int]]:
    """The spans of a block of running text that are not running text: escapes, code spans,
    links and images (text and target), inline HTML (with the text of a link or code element),
    attribute lists and bare URLs."""
    spans = []
    i = 0
    while (candidate := _MAY_PROTECT.search(text, i)) is not None:
        i = candidate.start()
        char = text[i]
        end = i + 1
        if char == "\\":
            end = i + 2
        elif char == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            closing = re.compile(rf"(?<!`)`{{{run}}}(?!`)").search(text, i + run)
            end = closing.end() if closing else i + run
        elif char == "<" and (tag := _INLINE_HTML.match(text, i)):
            end = tag.end()
            name = (tag[1] or "").lower()
            if (
                name in _CLOSED_ELEMENTS
                and not tag[0].startswith("</")
                and not tag[0].endswith("/>")
            ):
                close = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(text, end)
                end = close.end() if close else len(text)
        elif char == "[" or text.startswith("![", i):
            bracket = i + (char == "!")
            end = max(_closing(text, bracket, "[", "]"), i + 1)
            if end > i + 1 and end < len(text) and text[end] in "([":
                end = max(_closing(text, end, text[end], ")" if text[end] == "(" else "]"), end)
        elif char == "{":
            brace = text.find("}", i)
            end = brace + 1 if brace != -1 and "\n" not in text[i:brace] else i + 1
        elif url := _BARE_URL.match(text, i):
            end = url.end()
        else:
            i += 1
            continue
        spans.append((i, end))
        i = end
    return spans


def link_first_uses(text: str, targets: dict[str, str]) -> str:
    """The Markdown `text` with the first use of each term of `targets` linked to its target.

    A use is the term as written (case-sensitive, a whole word) in running text: never in front
    matter, a heading, code, HTML, a link's text or target, or a definition. A term with no such use
    is left alone.
    """
    lines = text.splitlines(keepends=True)
    prose = _prose_lines(lines)
    blocks: list[tuple[int, int]] = []  # consecutive lines of running text, as text offsets
    offset = 0
    for line, is_prose in zip(lines, prose, strict=True):
        if is_prose and blocks and blocks[-1][1] == offset:
            blocks[-1] = (blocks[-1][0], offset + len(line))
        elif is_prose:
            blocks.append((offset, offset + len(line)))
        offset += len(line)
    # The spans of a block that are not running text, found for the blocks a term is used in.
    protected: dict[int, list[tuple[int, int]]] = {}

    def spans(at: int) -> list[tuple[int, int]]:
        if at not in protected:
            start, end = blocks[at]
            protected[at] = [(start + a, start + b) for a, b in _protected(text[start:end])]
        return protected[at]

    links: list[tuple[int, int, str]] = []
    # Longer terms first, so that a term inside another ("intensity", "carbon intensity") is
    # not linked inside the other's link.
    starts = [start for start, _ in blocks]
    for term in sorted(targets, key=lambda t: (-len(t), t)):
        # The term first, so that the search runs as a find of it; the character before it is
        # looked at after.
        word = re.compile(rf"{re.escape(term)}(?![\w-])")
        for use in word.finditer(text):
            at = bisect.bisect_right(starts, use.start()) - 1
            if at < 0 or use.end() > blocks[at][1]:
                continue  # not in running text
            if use.start() and _BEFORE_A_WORD.match(text, use.start() - 1):
                continue  # inside a word, or right after a link or an escape
            if any(a < use.end() and use.start() < b for a, b in spans(at)) or any(
                a < use.end() and use.start() < b for a, b, _ in links
            ):
                continue
            links.append((use.start(), use.end(), targets[term]))
            break
    for start, end, target in sorted(links, reverse=True):
        text = f"{text[:start]}[{text[start:end]}]({target}){text[end:]}"
    return text
