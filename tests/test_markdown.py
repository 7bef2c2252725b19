"""govcard.markdown: what facts can and cannot do to the Markdown of a card.

Examples pin the exact output; hypothesis properties check the promises for any text; where
markdown-it-py is installed (codecarbon brings it), the output is also parsed as CommonMark with
GitHub tables to check that it reads back as the text it came from.
"""

from __future__ import annotations

import contextlib
import html
import math
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from markupsafe import Markup

from govcard import markdown
from govcard.markdown import (
    cell,
    code,
    code_block,
    code_cell,
    escape,
    finalize,
    link,
    money,
    number,
    percent,
)
from govcard.markdown import url as url_filter

# Characters that mean something to Markdown or HTML, with plain ones, spaces and line feeds.
SPECIAL = list("ab #-+=*_`[]()!<>&|\\~{}.1)\n\t:/;'\"%")
# Facts cannot hold control characters other than tab and line breaks (the schema refuses them).
PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs"))
TEXT = st.text(alphabet=st.sampled_from(SPECIAL), max_size=60) | st.text(PRINTABLE, max_size=30)
LINE_TEXT = st.text(alphabet=st.sampled_from(SPECIAL), max_size=60)
"""Text whose only line break is \\n (other line breaks: test_escape_other_line_breaks)."""


def commonmark(text: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")
    return str(markdown_it.MarkdownIt("commonmark").enable("table").render(text))


def plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def one_line(text: str) -> str:
    return " ".join(text.split())


def unescaped(text: str, char: str) -> list[int]:
    """Positions of `char` not preceded by an odd number of backslashes."""
    positions = []
    for match in re.finditer(re.escape(char), text):
        backslashes = len(text[: match.start()]) - len(text[: match.start()].rstrip("\\"))
        if backslashes % 2 == 0:
            positions.append(match.start())
    return positions


# --- escape ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text, 1.2 kWh", "plain text, 1.2 kWh"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("A & B", "A &amp; B"),
        ("&amp;", "&amp;amp;"),
        ("a | b", "a \\| b"),
        ("*bold* _it_ `code` ~~s~~", "\\*bold\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~"),
        ("[text](https://x.org)", "\\[text\\](https://x.org)"),
        ("{{ 7*7 }}", "\\{\\{ 7\\*7 \\}\\}"),
        ("back\\slash", "back\\\\slash"),
        ("# Heading", "\\# Heading"),
        ("### Heading", "\\### Heading"),
        ("#hashtag", "#hashtag"),
        ("Intro\n# Heading", "Intro\n\\# Heading"),
        ("  ## Indented", "  \\## Indented"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("1. first", "1\\. first"),
        ("2) second", "2\\) second"),
        ("Title\n===", "Title\n\\==="),
        ("Title\n---", "Title\n\\---"),
        ("> quote", "&gt; quote"),
        ("in 2023. Then", "in 2023. Then"),
        ("a - b + c", "a - b + c"),
    ],
)
def test_escape_examples(text: str, expected: str) -> None:
    escaped = escape(text)
    assert isinstance(escaped, Markup)
    assert str(escaped) == expected


def test_escape_leaves_markup_alone() -> None:
    made = Markup("[a](https://x.org)")
    assert escape(made) is made


@pytest.mark.parametrize(("value", "expected"), [(42, "42"), (0.5, "0.5"), (True, "True")])
def test_escape_other_values_as_text(value: Any, expected: str) -> None:
    assert escape(value) == expected


def test_escape_other_line_breaks() -> None:
    # CommonMark ends a line at \r as well as at \n: a # after it starts a heading.
    rendered = commonmark(str(escape("Intro\r# Heading")))
    assert "<h1>" not in rendered, rendered


@given(TEXT)
def test_escape_leaves_no_raw_html(text: str) -> None:
    escaped = str(escape(text))
    assert "<" not in escaped
    assert ">" not in escaped
    assert unescaped(escaped, "&") == [m.start() for m in re.finditer("&(?:amp|lt|gt);", escaped)]


@given(TEXT)
def test_escape_leaves_no_unescaped_markdown_character(text: str) -> None:
    escaped = str(escape(text))
    for char in "|`*_[]{}~":
        assert unescaped(escaped, char) == [], char


@given(LINE_TEXT)
def test_escape_starts_no_block_at_a_line_start(text: str) -> None:
    for line in str(escape(text)).split("\n"):
        stripped = line.lstrip(" \t")
        assert not re.match(r"#{1,6}(\s|$)", stripped), line
        assert not re.match(r"[-+*](\s|$)", stripped), line
        assert not re.match(r"\d+[.)](\s|$)", stripped), line
        assert not re.fullmatch(r"(=+|-+)\s*", stripped), line


@given(TEXT)
def test_escape_is_idempotent_on_its_output(text: str) -> None:
    once = escape(text)
    assert escape(once) == once
    assert finalize(once) == once


@given(LINE_TEXT)
def test_escaped_text_reads_back_as_the_text(text: str) -> None:
    # Leading indentation makes an indented code block: still literal text, but not a paragraph.
    assume(not re.search(r"(^|\n)( {0,3}\t| {4})", text))
    rendered = commonmark(str(escape(text)))
    assert set(re.findall(r"</?([a-z0-9]+)", rendered)) <= {"p", "br"}, rendered
    assert one_line(plain(rendered)) == one_line(text)


# --- worst cases: time linear in the text -----------------------------------------------------

# Inputs built for the patterns that look at line starts. `^(\s*)` let every line start of a text
# of blank lines scan to its end: 100 KB took 25 s to render, 1 MB 267 s.
WORST_CASES = {
    "blank lines": "\n",
    "indented blank lines": "\n ",
    "tab blank lines": "\t\n",
    "spaces": " ",
    "headings": "\n#",
    "empty headings": "# \n",
    "list items": "-\n",
    "setext underlines": "= \n",
    "ordered items": "\n1",
    "digits": "1",
    "long blank lines": "\n" + " " * 50,
    "underline and spaces": "=" + " " * 50 + "x\n",
    "no-break spaces": "\u00a0\n",
    "characters to escape": "*<&|`",
}


@contextlib.contextmanager
def cpu_budget(seconds: float) -> Iterator[None]:
    """Fail with TimeoutError after `seconds` of this process's CPU time (not of the clock: a
    busy machine does not use it up), so a quadratic regression fails instead of keeping the
    suite busy for minutes (where SIGPROF timers exist; elsewhere there is no bound)."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"took more than {seconds} s of CPU time")

    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def cpu_time(func: Callable[[str], object], text: str, repeat: int) -> float:
    """The least CPU time of this process, over 5 runs, that `repeat` calls of `func` on `text`
    took: other processes on a shared machine do not count. (The CPU clock may advance in ticks
    of milliseconds: each run is long enough for that not to matter.)"""
    best = math.inf
    for _ in range(5):
        start = time.process_time()
        for _ in range(repeat):
            func(text)
        best = min(best, time.process_time() - start)
    return best


def growth(func: Callable[[str], object], unit: str) -> float:
    """How many times longer `func` takes on 1 MB of `unit` than on 100 KB of it: about 10 when
    linear, 100 when quadratic. Measured in the same test, in CPU time, so a slow or busy machine
    does not matter; the 100 KB case runs 10 times to take as long as the 1 MB one."""
    small = unit * (100_000 // len(unit)) + "x"
    large = unit * (1_000_000 // len(unit)) + "x"
    with cpu_budget(30):  # linear, all runs take about a second
        return cpu_time(func, large, 1) / (cpu_time(func, small, 10) / 10)


@pytest.mark.parametrize("unit", list(WORST_CASES.values()), ids=list(WORST_CASES))
def test_escape_time_is_linear(unit: str) -> None:
    assert growth(escape, unit) < 40


@pytest.mark.parametrize("unit", ["\n", "-\n", "\n#", "\n "], ids=repr)
def test_cell_time_is_linear(unit: str) -> None:
    assert growth(cell, unit) < 40


@pytest.mark.parametrize("func", [code, code_block, url_filter, lambda t: link(t, t)])
def test_code_url_and_link_time_is_linear(func: Callable[[str], object]) -> None:
    assert growth(func, "`` (\n") < 40


def test_escape_patterns_do_not_cross_lines() -> None:
    # The cause of the quadratic time: a line-start pattern must not take the line break.
    for pattern in (markdown._LINE_START, markdown._ORDERED, markdown._RISKY):
        assert "\\s*" not in pattern.pattern, pattern.pattern
    assert escape("\n\n  # a\n\n- b\n\n1. c\n\n===") == "\n\n  \\# a\n\n\\- b\n\n1\\. c\n\n\\==="


# --- cell --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A | B", "A \\| B"),
        ("two\nlines\n\n# and a heading", "two lines \\# and a heading"),
        ("  padded\t", "padded"),
        ("<b>", "&lt;b&gt;"),
    ],
)
def test_cell_examples(text: str, expected: str) -> None:
    assert cell(text) == expected
    assert isinstance(cell(text), Markup)


@given(TEXT)
def test_cell_is_one_line_without_column_breaks(text: str) -> None:
    value = str(cell(text))
    assert "\n" not in value
    assert "\r" not in value
    assert value == value.strip()
    assert unescaped(value, "|") == []


@given(TEXT)
def test_cell_reads_back_as_one_cell(text: str) -> None:
    rendered = commonmark(f"| head | other |\n|---|---|\n| {cell(text)} | x |\n")
    cells = re.findall(r"<td>(.*?)</td>", rendered, re.DOTALL)
    assert len(cells) == 2, rendered
    assert one_line(plain(cells[0])) == one_line(text)
    assert cells[1] == "x"


# --- code and code_block ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<KEY>", "`<KEY>`"),
        ("a`b", "``a`b``"),
        ("`x", "`` `x ``"),
        ("x``", "``` x`` ```"),
        ("a  b\nc", "`a b c`"),
    ],
)
def test_code_examples(text: str, expected: str) -> None:
    assert code(text) == expected
    assert isinstance(code(text), Markup)


@given(TEXT)
def test_code_fence_is_longer_than_any_backtick_run(text: str) -> None:
    assume(one_line(text))
    value = str(code(text))
    fence = re.match(r"`+", value)
    assert fence is not None
    runs = [len(run) for run in re.findall(r"`+", one_line(text))]
    assert len(fence[0]) == max(runs, default=0) + 1
    assert value.endswith(fence[0])
    assert "\n" not in value


@given(TEXT)
def test_code_reads_back_as_the_text(text: str) -> None:
    assume(one_line(text))
    rendered = commonmark(f"x {code(text)} y")
    match = re.fullmatch(r"<p>x <code>(.*)</code> y</p>\n", rendered, re.DOTALL)
    assert match, rendered
    assert html.unescape(match[1]) == one_line(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("json", "`json`"),
        ("text|json", "<code>text&#124;json</code>"),
        (
            '{{ "<KEY>"|code }}',
            "<code>&#123;&#123; &#34;&#60;KEY&#62;&#34;&#124;code &#125;&#125;</code>",
        ),
    ],
)
def test_code_cell_examples(text: str, expected: str) -> None:
    assert code_cell(text) == expected
    assert isinstance(code_cell(text), Markup)


def table_cell(rendered: str) -> str:
    match = re.search(r"<td>(.*?)</td>", rendered, re.DOTALL)
    assert match, rendered
    return match[1]


@given(TEXT)
def test_code_cell_reads_back_as_the_text_on_github_and_in_mkdocs(text: str) -> None:
    # GitHub reads a table as CommonMark with the table extension; MkDocs as Python-Markdown.
    python_markdown = pytest.importorskip("markdown")
    assume(one_line(text))
    table = f"| a | b |\n|---|---|\n| {code_cell(text)} | x |\n"
    for rendered in (commonmark(table), python_markdown.markdown(table, extensions=["tables"])):
        match = re.fullmatch(r"<code>(.*)</code>", table_cell(rendered), re.DOTALL)
        assert match, rendered
        assert html.unescape(match[1]) == one_line(text)


def test_code_block_examples() -> None:
    assert code_block("@misc{x}\n", "bibtex") == "```bibtex\n@misc{x}\n```"
    assert code_block("a ``` b") == "````\na ``` b\n````"
    assert code_block("<raw> & *text*") == "```\n<raw> & *text*\n```"
    assert isinstance(code_block("x"), Markup)


@given(TEXT, st.sampled_from(["", "bibtex", "python"]))
def test_code_block_fence_is_longer_than_any_backtick_run(text: str, language: str) -> None:
    lines = str(code_block(text, language)).split("\n")
    fence = lines[-1]
    assert set(fence) == {"`"}
    assert len(fence) >= 3
    assert len(fence) > max((len(run) for run in re.findall(r"`+", text)), default=0)
    assert lines[0] == fence + language
    assert "\n".join(lines[1:-1]) == text.rstrip("\n")


@given(TEXT, st.sampled_from(["", "bibtex"]))
def test_code_block_reads_back_as_the_text(text: str, language: str) -> None:
    assume("\r" not in text and text.rstrip("\n"))
    rendered = commonmark(f"before\n\n{code_block(text, language)}\n\nafter\n")
    match = re.fullmatch(
        r"<p>before</p>\n<pre><code(?: class=\"language-\w+\")?>(.*)</code></pre>\n<p>after</p>\n",
        rendered,
        re.DOTALL,
    )
    assert match, rendered
    assert html.unescape(match[1]) == text.rstrip("\n") + "\n"


# --- url and link ------------------------------------------------------------------------------


def test_url_encodes_what_ends_a_link() -> None:
    assert url_filter("https://x.org/a (b)<c>") == "https://x.org/a%20%28b%29%3Cc%3E"
    assert url_filter("https://arxiv.org/abs/2312.03872") == "https://arxiv.org/abs/2312.03872"
    assert isinstance(url_filter("https://x.org"), Markup)


@given(st.text(max_size=40))
def test_url_has_no_character_that_ends_a_link(text: str) -> None:
    value = str(url_filter(text))
    for char in "() <>":
        assert char not in value
    if "%" not in text:
        assert unquote(value) == text


def test_link() -> None:
    assert link("BigCode", "https://www.bigcode-project.org") == (
        "[BigCode](https://www.bigcode-project.org)"
    )
    assert link("a [b] *c*", "https://x.org/(d)") == "[a \\[b\\] \\*c\\*](https://x.org/%28d%29)"
    assert link("<Name>", None) == "&lt;Name&gt;"
    assert isinstance(link("x", None), Markup)
    assert isinstance(link("x", "https://x.org"), Markup)


@given(TEXT)
def test_link_reads_back_as_one_link(text: str) -> None:
    assume(one_line(text))
    rendered = commonmark(f"see {link(one_line(text), 'https://x.org/a (b)')} now")
    links = re.findall(r'<a href="([^"]*)">(.*?)</a>', rendered, re.DOTALL)
    assert len(links) == 1, rendered
    assert links[0][0] == "https://x.org/a%20%28b%29"
    assert plain(links[0][1]) == one_line(text)


# --- figures -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (320256, None, "320,256"),
        (320256.0, None, "320,256"),
        (1234567.891, None, "1,234,567.891"),
        (0.304, None, "0.304"),
        (89671.68, 2, "89,671.68"),
        (2.5, 2, "2.50"),
        (-1234.5, None, "-1,234.5"),
    ],
)
def test_number(value: float, decimals: int | None, expected: str) -> None:
    assert number(value, decimals) == expected


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_number_reads_back_as_the_value(value: float) -> None:
    text = number(value)
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})*(\.\d+)?", text), text
    # To the 15 significant digits a double holds: floating-point noise beyond them is not shown.
    assert float(text.replace(",", "")) == float(f"{value:.15g}")


@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.integers(min_value=0, max_value=6),
)
def test_number_with_decimals(value: float, decimals: int) -> None:
    text = number(value, decimals)
    places = text.split(".")[1] if "." in text else ""
    assert len(places) == decimals
    assert math.isclose(float(text.replace(",", "")), value, abs_tol=10**-decimals)


def test_percent() -> None:
    assert percent(73.39) == "73.39%"
    assert percent(90) == "90%"
    assert percent(56.66) == "56.66%"


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (39000, "USD", "US$39,000"),
        (16.5, "USD", "US$16.50"),
        (7.25, "USD", "US$7.25"),
        (10, "EUR", "10 EUR"),
        (1234.5, "GBP", "1,234.50 GBP"),
    ],
)
def test_money(amount: float, currency: str, expected: str) -> None:
    assert money(amount, currency) == expected


def test_energy_and_mass_filters() -> None:
    assert markdown.FILTERS["kwh"](89671.68) == "89,671.68 kWh"
    assert markdown.FILTERS["co2"](16673.55) == "16.67 t"
    assert markdown.FILTERS["co2"](149.12496) == "149.1 kg"
    assert markdown.FILTERS["co2"](0.75) == "750.0 g"


# --- finalize and the filter table --------------------------------------------------------------


def test_finalize_refuses_none() -> None:
    with pytest.raises(ValueError, match=r"printed None; guard the value with \{% if %\}"):
        finalize(None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("<b>|", "&lt;b&gt;\\|"), (0, "0"), ("", ""), (Markup("**x**"), "**x**")],
)
def test_finalize_escapes_every_printed_value(value: Any, expected: str) -> None:
    printed = finalize(value)
    assert isinstance(printed, Markup)
    assert printed == expected


def test_filters_are_the_documented_ones() -> None:
    assert set(markdown.FILTERS) == {
        "md",
        "cell",
        "columns",
        "code",
        "code_block",
        "url",
        "link",
        "number",
        "counted",
        "percent",
        "money",
        "kwh",
        "co2",
    }
    assert markdown.FILTERS["md"] is escape


@pytest.mark.parametrize(
    ("value", "words", "shown"),
    [
        (1, ("worker",), "1 worker"),
        (0, ("worker",), "0 workers"),
        (1399, ("worker",), "1,399 workers"),
        (1, ("country", "countries"), "1 country"),
        (35, ("country", "countries"), "35 countries"),
    ],
)
def test_counted_says_one_in_the_singular(value: int, words: tuple[str, ...], shown: str) -> None:
    assert markdown.counted(value, *words) == shown


def test_link_first_uses_never_links_inside_an_earlier_link() -> None:
    # The longer term is linked first, so the shorter one inside it goes to its next use.
    targets = {"intensity": "i.md", "carbon intensity": "c.md"}
    assert markdown.link_first_uses("carbon intensity, then intensity.", targets) == (
        "[carbon intensity](c.md), then [intensity](i.md)."
    )


@given(st.text(alphabet="PUE `[]()<>\\#-*_!{}|\n ax:/", max_size=60))
def test_link_first_uses_only_adds_one_link(text: str) -> None:
    linked = markdown.link_first_uses(text, {"PUE": "g.md#pue"})
    assert linked == text or linked.replace("[PUE](g.md#pue)", "PUE", 1) == text
