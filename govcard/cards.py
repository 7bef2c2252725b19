"""Model cards as files: YAML front matter, a Markdown body, and where everything stands.

Parsing is a plain front-matter split plus a fast path for plain metadata, else libyaml, not huggingface_hub's `ModelCard` (about
seven times faster, which matters when CI checks thousands of cards). Line numbers are kept for
findings; CRLF line endings and a byte-order mark are accepted.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from govcard.lazy import cached

if TYPE_CHECKING:
    from collections.abc import Mapping

MAX_BYTES = 10 * 1024 * 1024
MAX_FRONT_MATTER = 1024 * 1024
"""Characters; a model-index of a few hundred results takes about 100,000."""

# Matched at the start and after each "\n#" (found with str.find).
_TITLE = re.compile(r"\n?#[ \t]+([^\n]*)")
_KEY_AT_LINE_START = re.compile(r"\n([^ \n#-][^\n:]*):")
_HASHES = re.compile(r"(#{1,6})(?:\s+|$)")
_BLOCK_LINE = re.compile(r"^[ \t]{0,3}[#`~][^\n]*", re.MULTILINE)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")


_LONE_CR = re.compile(rb"\r(?!\n)")


class Unreadable(Exception):
    """A card that cannot be read as text; the message says why."""


class Heading(NamedTuple):
    """A Markdown heading of the body."""

    level: int
    title: str
    line: int


@dataclass
class Card:
    """A model card split into metadata and body, with line numbers."""

    path: str
    text: str
    """The whole card, with LF line endings and no byte-order mark."""
    metadata: dict[str, Any] | None = None
    """The front matter, when it is a YAML mapping."""
    front_matter_error: tuple[int, str] | None = None
    """(line, message) when the front matter is missing or invalid."""
    front: str = ""
    """The text between the `---` lines."""
    front_start: int = 1
    """Line number of the opening `---`."""
    body_start: int = 1
    """Line number of the body's first line."""
    body: str = ""
    keys: frozenset[str] = frozenset()
    """The metadata's top-level keys, also those that were not parsed."""

    @cached
    def body_lines(self) -> list[str]:
        """The body's lines."""
        return self.body.split("\n")

    @cached
    def front_lines(self) -> list[str]:
        """The lines between the `---` lines."""
        return self.front[:-1].split("\n") if self.front else []

    @cached
    def lowered(self) -> str:
        """Body and front matter with ASCII letters lowercased: body offsets are offsets in it.
        (str.lower can change a text's length, "İ" becomes two characters, and is several times
        slower on non-ASCII text; every pattern govcard searches for is ASCII.)"""
        text = f"{self.body}\n{self.front}"
        return text.lower() if text.isascii() else text.encode().lower().decode()

    @cached
    def _title(self) -> re.Match[str] | None:
        body = self.body
        match = _TITLE.match(body)
        position = body.find("\n#")
        while match is None and position >= 0:
            match = _TITLE.match(body, position)
            position = body.find("\n#", position + 2)
        return match

    @property
    def title(self) -> str:
        """The body's first level-1 heading, or ""."""
        match = self._title
        return match.group(1).strip().rstrip("#").rstrip() if match else ""

    @property
    def title_line(self) -> int:
        """The line of `title`, else where the body starts."""
        match = self._title
        if match is None:
            return self.body_start
        return self.body_start + self.body.count("\n", 0, match.start(1))

    def line_around(self, position: int) -> str:
        """The body line that holds a position of the body."""
        end = self.body.find("\n", position)
        return self.body[self.body.rfind("\n", 0, position) + 1 : end if end >= 0 else None]

    def lines_with(self, *needles: str) -> list[tuple[int, str]]:
        """The body lines that contain any of the lowercase needles, in order, as (offset,
        text)."""
        lowered = self.lowered
        end = len(self.body)
        offsets: dict[int, int] = {}
        for needle in needles:
            # Lines are counted from the previous match on, so a card with many matches still
            # costs one pass.
            line, counted = 0, 0
            position = lowered.find(needle)
            while 0 <= position < end:
                line += lowered.count("\n", counted, position)
                counted = position
                offsets.setdefault(line, position)
                following = lowered.find("\n", position)  # one match per line is enough
                position = -1 if following < 0 else lowered.find(needle, following)
        return [(line, self.line_around(offsets[line])) for line in sorted(offsets)]

    @cached
    def headings(self) -> list[Heading]:
        """The body's ATX headings, outside code blocks."""
        found: list[Heading] = []
        fence: str | None = None
        body = self.body
        line, counted = self.body_start, 0
        # Only lines that can start a heading or a fence are looked at, found by one search.
        for candidate in _BLOCK_LINE.finditer(body):
            text = candidate.group()
            line += body.count("\n", counted, candidate.start())
            counted = candidate.start()
            marker = _FENCE.match(text)
            if marker:
                run = marker.group(1)
                if fence is None:
                    fence = run
                elif run[0] == fence[0] and len(run) >= len(fence):
                    fence = None
                continue
            if fence is None:
                hashes = _HASHES.match(text)
                if hashes:
                    # The closing #s and spaces are stripped without a regular expression: a
                    # pattern such as "\s*#*\s*$" backtracks on long runs of spaces.
                    title = text[hashes.end() :].strip().rstrip("#").rstrip()
                    found.append(Heading(len(hashes.group(1)), title, line))
        return found

    @cached
    def _top_keys(self) -> dict[str, int]:
        """Top-level metadata keys and their lines."""
        keys: dict[str, int] = {}
        front = "\n" + self.front
        line, counted = self.front_start, 0
        for match in _KEY_AT_LINE_START.finditer(front):
            line += front.count("\n", counted, match.start() + 1)
            counted = match.start() + 1
            keys.setdefault(match.group(1).strip().strip("'\""), line)
        return keys

    def key_line(self, *keys: str) -> int:
        """The line of a metadata key (nested keys in order), or of the front matter's start."""
        line = self._top_keys.get(keys[0], self.front_start)
        index = line - self.front_start
        for key in keys[1:]:
            forms = (f"{key}:", f'"{key}":', f"'{key}':", f"{key} :")
            for offset in range(index, len(self.front_lines)):
                if self.front_lines[offset].lstrip(" -").startswith(forms):
                    index = offset
                    line = offset + self.front_start + 1
                    break
            else:
                return line
        return line

    def body_line_of(self, needle: str) -> int:
        """The first body line containing `needle` (case-insensitive), else the body's start."""
        lowered = needle.lower()
        for offset, line in enumerate(self.body_lines):
            if lowered in line.lower():
                return self.body_start + offset
        return self.body_start


_UNREADABLE_VALUE = "a value that YAML resolves but cannot read"


def _load_yaml(text: str) -> Any:
    """PyYAML's safe loader (libyaml when available); its errors become ValueError."""
    import yaml  # only for front matter the fast path does not read: it costs 12 ms to import

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ValueError(mark.line + 2 if mark else 1, str(exc.problem or exc.context)) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise ValueError(1, " ".join(str(exc).split())) from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        # PyYAML's constructors fail this way on tags they resolve ("!!bool maybe",
        # "!!int ''", "!!timestamp foo") and on integers past Python's digit limit.
        reason = " ".join(str(exc).split())[:100]
        raise ValueError(1, f"{_UNREADABLE_VALUE} ({type(exc).__name__}: {reason})") from None


def _yaml_problem(exc: ValueError) -> tuple[int, str]:
    line, message = exc.args if len(exc.args) == 2 else (1, str(exc))
    return int(line), f"the front matter is not valid YAML: {message}"


def read(
    path: Path,
    keys: frozenset[str] | None = None,
    only_if: Mapping[str, tuple[str, ...]] | None = None,
) -> Card:
    """Read and parse a card file; raise `Unreadable` for what is not a regular text file."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is then refused below.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise Unreadable(f"cannot read the file: {exc.strerror}") from None
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        if stat.S_ISDIR(status.st_mode):
            raise Unreadable("cannot read the file: Is a directory")
        raise Unreadable("not a regular file (a FIFO, a device or a socket is not a card)")
    with os.fdopen(descriptor, "rb") as handle:
        try:
            # The limit holds while reading, whatever size the file system reports.
            raw = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise Unreadable(f"cannot read the file: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        size = max(len(raw), status.st_size)
        raise Unreadable(f"the file is {size:,} bytes; a model card may be at most {MAX_BYTES:,}")
    return parse(decode(raw), str(path), keys, only_if)


def decode(raw: bytes) -> str:
    """Bytes to text: UTF-8 with an optional BOM; NUL bytes mean a binary file."""
    if b"\x00" in raw:
        raise Unreadable("the file is binary (it contains NUL bytes), not a Markdown card")
    if b"\r" in raw:
        # Dropping every CR is one pass; only a CR that ends a line by itself needs a replace.
        if _LONE_CR.search(raw):
            raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        else:
            raw = raw.translate(None, b"\r")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise Unreadable(
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} on line {line})"
        ) from None


def parse(
    text: str,
    path: str,
    keys: frozenset[str] | None = None,
    only_if: Mapping[str, tuple[str, ...]] | None = None,
) -> Card:
    """Split a card into front matter and body and parse the front matter.

    With `keys`, only those top-level keys of the metadata are parsed (`govcard check` reads a
    handful, and a model-index can be most of a card's YAML); the others are not read, so YAML
    errors inside them are not reported. `only_if` skips a key's block unless it holds one of
    the given strings (`govcard check` reads `tags` only for `license:` and `base_model:` tags).
    Only the front matter is split into lines here; the body is a slice of the text.
    """
    card = Card(path=path, text=text)
    # Like huggingface_hub, allow blank lines before the front matter; line numbers stay true.
    content = len(text) - len(text.lstrip())
    line_start = text.rfind("\n", 0, content) + 1
    header_end = text.find("\n", line_start)
    header = text[line_start : header_end if header_end >= 0 else len(text)]
    if header.rstrip() != "---":
        card.front_matter_error = (1, "no YAML front matter (a card starts with a --- line)")
        card.body = text
        return card
    first = text.count("\n", 0, line_start)
    card.front_start = first + 1
    closing = _CLOSING.search(text, header_end) if header_end >= 0 else None
    if closing is None:
        card.front_matter_error = (1, "the front matter is not closed by a --- line")
        card.body = text
        return card
    front = card.front = text[header_end + 1 : closing.start() + 1]
    if len(front) > MAX_FRONT_MATTER:
        card.body_start = card.front_start + front.count("\n") + 2
        card.body = text[closing.end() :]
        card.front_matter_error = (
            card.front_start,
            f"the front matter is {len(front):,} characters; govcard reads at most "
            f"{MAX_FRONT_MATTER:,} (a model-index of hundreds of results takes about 100,000)",
        )
        return card
    card.body_start = card.front_start + front.count("\n") + 2
    card.body = text[closing.end() :]
    data: object = None
    try:
        selected = None if keys is None else _selected(front, keys, card, only_if or {})
        if selected is not None:
            data = selected
        else:
            data = simple_yaml(card.front_lines)
            if data is None:
                data = _load_yaml(front)
    except ValueError as exc:
        error_line, message = _yaml_problem(exc)
        card.front_matter_error = (error_line + first, message)
        return card
    if data is None:
        card.metadata = {}
    elif not isinstance(data, dict):
        card.front_matter_error = (
            2,
            f"the front matter is a {type(data).__name__}, not a mapping of keys",
        )
    else:
        card.metadata = data
        if selected is None:
            card.keys = frozenset(k for k in data if isinstance(k, str))
    return card


# From the newline before it: a search for a literal "\n" first is fast.
_CLOSING = re.compile(r"\n(?:---|\.\.\.)[^\S\n]*(?:\n|$)")
# A line at the start of the front matter's lines that is not a comment, a list item or indented.
# After a "\n" (the search for it is fast): a line that is not a comment, a list item or indented.
_TOP_LINE = re.compile(r"\n(?![ \t#\n]|-[ \t\n]|-$)([^\n]+)")
_TOP_KEY = re.compile(r"([A-Za-z_][\w.-]*)[ \t]*:(?=[ \t]|$)")


def _selected(
    front: str, keys: frozenset[str], card: Card, only_if: Mapping[str, tuple[str, ...]]
) -> dict[str, Any] | None:
    """The top-level `keys` of a front matter, each read from its own block of lines; None when
    the layout is not plain `key:` blocks (then the whole front matter is read)."""
    starts: list[tuple[str, int]] = []
    for line in _TOP_LINE.finditer("\n" + front):
        key = _TOP_KEY.match(line.group(1))
        if key is None:
            return None
        starts.append((key.group(1), line.start()))
    names = frozenset(name for name, _ in starts)
    if len(names) != len(starts) or not starts or front[: starts[0][1]].lstrip().startswith("-"):
        return None
    card.keys = names
    data: dict[str, Any] = {}
    for index, (name, start) in enumerate(starts):
        if name not in keys:
            continue
        end = starts[index + 1][1] if index + 1 < len(starts) else len(front)
        block = front[start:end]
        if name in only_if and not any(needle in block for needle in only_if[name]):
            continue
        value = simple_yaml(block.split("\n"))
        if value is None:
            try:
                value = _load_yaml(block)
            except ValueError as exc:
                if _UNREADABLE_VALUE in str(exc.args[-1]):  # the block's own line says where
                    raise ValueError(front.count("\n", 0, start) + 2, exc.args[-1]) from None
                return None  # the whole front matter says where (or resolves an alias)
            if not isinstance(value, dict):
                return None
        data.update(value)
    return data


# --- a fast path for plain front matter ----------------------------------------------------------
#
# Most cards' metadata is `key: value` lines, block lists of scalars and one level of nested
# `key: value`. Reading those directly is several times faster than PyYAML, whose constructor runs
# in Python even with libyaml. Anything else (flow style, anchors, tags, block scalars, comments
# after values, escapes, lists of mappings such as model-index, numbers other than plain decimals,
# dates) makes `simple_yaml` return None and PyYAML reads the block. Tests compare the two.

# Matched with `match`, the rest of the line stripped in Python: a lazy `(.*?)\s*$` would take
# time quadratic in a long run of spaces.
_KEY_LINE = re.compile(r"([A-Za-z_][\w.-]*):(?= |$)")
_NESTED_LINE = re.compile(r"( +)([A-Za-z_][\w.-]*):(?= |$)")
_ITEM_LINE = re.compile(r"( *)-(?= |$)")
# What PyYAML refuses or reads as a line break: leave such text to it.
_UNUSUAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\t\u2028\u2029\ufeff\ud800-\udfff]")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?[0-9]+\.[0-9]*|\.[0-9]+")
_WORDS: dict[str, object] = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
    **dict.fromkeys(("~", "null", "Null", "NULL"), None),
}
_NOT_PLAIN = frozenset("[]{},&*!|>%@`#?:'\"")
_FAIL = object()


def _scalar(text: str) -> object:
    """A scalar as PyYAML's safe loader reads it, or `_FAIL` when it is not a simple one."""
    if not text:
        return None
    first = text[0]
    if first in "'\"":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != first or first in inner or "\\" in inner or "\n" in inner:
            return _FAIL
        return inner
    if first in _NOT_PLAIN or ": " in text or " #" in text or text.endswith(":") or "\t" in text:
        return _FAIL
    if text in _WORDS:
        return _WORDS[text]
    if first in "0123456789+-.":
        if _INT.fullmatch(text):
            return int(text) if len(text) < 4000 else _FAIL  # past Python's digit limit
        if _FLOAT.fullmatch(text):
            return float(text)
        if text[:2] in ("-.", "+.") or first == "." or text == "-" or text.startswith("- "):
            return _FAIL  # .inf, -.inf, .nan and their cousins; a lone dash starts a list
        if any(ch in text for ch in "0123456789"):
            return _FAIL
    if text in ("=", "<<"):
        return _FAIL
    return text


def simple_yaml(lines: list[str]) -> dict[str, Any] | None:
    """Front matter in the plain subset described above as a dict, or None to use PyYAML."""
    if _UNUSUAL.search("\n".join(lines)):
        return None
    data: dict[str, Any] = {}
    index, count = 0, len(lines)
    while index < count:
        line = lines[index].rstrip(" ")
        index += 1
        if not line or line.startswith("#"):
            continue
        match = _KEY_LINE.match(line)
        if match is None or match.group(1) in data or match.group(1) in _WORDS:
            return None
        key, rest = match.group(1), line[match.end() :].strip(" ")
        if rest:
            value = _scalar(rest)
            if value is _FAIL:
                return None
            data[key] = value
            continue
        items: list[object] = []
        mapping: dict[str, object] = {}
        indent = None
        while index < count and (not lines[index].strip() or lines[index][0] in " -"):
            sub = lines[index].rstrip(" ")
            index += 1
            if not sub:
                continue
            item = _ITEM_LINE.match(sub)
            nested = None if item else _NESTED_LINE.match(sub)
            if item is not None and not mapping:
                if indent is None:
                    indent = item.group(1)
                value = _scalar(sub[item.end() :].strip(" "))
                if item.group(1) != indent or value is _FAIL:
                    return None
                items.append(value)
            elif nested is not None and not items:
                if indent is None:
                    indent = nested.group(1)
                name = nested.group(2)
                value = _scalar(sub[nested.end() :].strip(" "))
                if nested.group(1) != indent or value is _FAIL or name in mapping or name in _WORDS:
                    return None
                mapping[name] = value
            else:
                return None
        data[key] = items or mapping or None
    return data
