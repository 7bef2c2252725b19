"""Load project.yaml into validated facts, keeping where every value stood in the file.

Only safe YAML is read. The document is composed into nodes (which carry line and column), then
built into plain data by hand so that duplicate keys, alias bombs and non-text keys are caught,
and every value's position is recorded under its path. pydantic errors are mapped back to those
positions, so each error reads `project.yaml:42:7: models[1].training.pue: must be >= 1.0, got 0.9`.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from govcard import schema
from govcard.errors import FactPath, GovcardError, Problem, format_path
from govcard.schema import Name, ProjectFile, Slug, reference_errors

MAX_BYTES = 10 * 1024 * 1024
MAX_VALUES = 200_000
MAX_DEPTH = 64
MAX_CHARS = MAX_BYTES
"""Characters of text the values may expand to: a file without aliases never holds more."""
MAX_NUMBER_CHARS = 100
"""The longest number written out; no figure needs more digits, and longer ones cost time."""
MAX_PROBLEMS = 100
"""Problems reported at once; past that, a last line says the list stops."""

_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_NULL_TAG = "tag:yaml.org,2002:null"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_NULLS = ("", "~", "null", "Null", "NULL")
# The other scalars plain YAML resolves to, with what to write instead of a value that is not one.
_SCALAR_FORMS = {
    _NULL_TAG: "null or ~",
    "tag:yaml.org,2002:bool": "true or false",
    _INT_TAG: "a whole number",
    _FLOAT_TAG: "a number",
    _TIMESTAMP_TAG: "a date as YYYY-MM-DD",
}


@dataclass(frozen=True)
class Project:
    """Validated facts, the file they came from, and where each value stands in it."""

    facts: ProjectFile
    file: Path
    positions: dict[FactPath, tuple[int, int]] = field(repr=False)

    @property
    def directory(self) -> Path:
        """The folder of the project file; relative paths in the facts start here."""
        return self.file.parent

    def problem(self, path: FactPath, message: str) -> Problem:
        """A problem located at the YAML node of `path` (or its nearest ancestor)."""
        return _problem(str(self.file), self.positions, path, message)


def load(file: str | Path) -> Project:
    """Read, parse and validate a project file; raise `InvalidProject` listing every problem.

    A file that does not parse (unreadable, not YAML) stops at its first problem. A file that
    parses is checked whole: the schema's errors and the cross-references come together, the
    references checked on what is valid of the file.
    """
    path = Path(file)
    name = str(path)
    text = _read_text(path)
    data, positions, key_positions = _parse(name, text)
    try:
        facts = ProjectFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        found, total = _pydantic_problems(name, data, positions, key_positions, errors)
        salvaged, unusable = _salvage(data)
        project = Project(salvaged, path, positions)
    else:
        found, total, unusable = [], 0, set()
        project = Project(facts, path, positions)
    references = [
        project.problem(at, message)
        for at, message in reference_errors(project.facts)
        if not any(at[: len(bad)] == bad for bad in unusable)
    ]
    if found or references:
        raise InvalidProject(project, [*found, *references], total + len(references))
    return project


class InvalidProject(GovcardError):
    """A project file that parsed but has problems.

    `problems` are the first MAX_PROBLEMS of them in file order (and a last line when there were
    more). `salvaged` is the project with what is invalid left out, for the checks that can still
    run on the rest (locations, measurement files): it is not facts to render.
    """

    def __init__(self, salvaged: Project, found: list[Problem], total: int) -> None:
        self.salvaged = salvaged
        self.found = _in_order(str(salvaged.file), found)[:MAX_PROBLEMS]
        self.total = total
        super().__init__(_first(str(salvaged.file), self.found, total))

    def adding(self, more: list[Problem]) -> InvalidProject:
        """The same, with more problems found in the salvaged project."""
        return InvalidProject(self.salvaged, [*self.found, *more], self.total + len(more))


def _in_order(file: str, problems: list[Problem]) -> list[Problem]:
    """The problems in `file` by line and column, then those in other files (a measurement file)
    in the order found."""
    return sorted(p for p in problems if p.file == file) + [p for p in problems if p.file != file]


def _first(file: str, problems: list[Problem], found: int) -> list[Problem]:
    """The first MAX_PROBLEMS problems, and a line saying so when there were more."""
    if found <= MAX_PROBLEMS:
        return problems[:MAX_PROBLEMS]
    return [
        *problems[:MAX_PROBLEMS],
        Problem(
            file,
            0,
            0,
            f"stopped after the first {MAX_PROBLEMS:,} problems; fix these and run again",
        ),
    ]


def _read_text(path: Path) -> str:
    name = str(path)
    try:
        raw = read_regular_file(path, MAX_BYTES, what="a project.yaml file", noun="a project file")
    except FileNotFoundError:
        raise GovcardError.at(
            name, "no such file; check the path (govcard init writes a starter)"
        ) from None
    except PermissionError:
        raise GovcardError.at(name, "permission denied; make the file readable") from None
    except OSError as exc:
        raise GovcardError.at(name, f"cannot read: {exc.strerror}") from None
    if b"\x00" in raw:
        line, column = _line_column(raw, raw.index(b"\x00"))
        raise GovcardError.at(
            name, "is a binary file (NUL byte); give a YAML text file", line, column
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _line_column(raw, exc.start)
        raise GovcardError.at(
            name, f"is not UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8", line, column
        ) from None


_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_regular_file(path: Path, limit: int, *, what: str, noun: str) -> bytes:
    """The bytes of `path` when it is a regular file of at most `limit` bytes.

    A pipe or a device is refused without reading from it: the file is opened without blocking
    (opening a FIFO would otherwise wait for a writer) and the opened file is checked, not the
    path. At most `limit` + 1 bytes are read, so a file that grows, or reports a size it does not
    have, cannot fill memory. `what` names the file to give instead ("a project.yaml file"),
    `noun` the kind of file in the size limit ("a project file"). OS errors (no such file,
    permission denied) are raised as they are, for the caller to word.
    """
    name = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise GovcardError.at(name, f"is a directory; give the path of {what}")
        if not stat.S_ISREG(info.st_mode):
            kind = next((k for test, k in _SPECIAL_FILES if test(info.st_mode)), "a special file")
            raise GovcardError.at(name, f"is {kind}, not a regular file; give the path of {what}")
        if info.st_size > limit:
            raise GovcardError.at(
                name, f"is {info.st_size:,} bytes; {noun} may be at most {limit:,}"
            )
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(descriptor)
    if remaining <= 0:
        raise GovcardError.at(name, f"is more than {limit:,} bytes; {noun} may be at most that")
    return b"".join(chunks)


def _line_column(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


class _Builder:
    """Turns composed YAML nodes into plain data, recording positions by path."""

    def __init__(self, file: str, loader: yaml.SafeLoader) -> None:
        self.file = file
        self.loader = loader
        self.values = 0
        self.chars = 0
        self.positions: dict[FactPath, tuple[int, int]] = {}
        self.key_positions: dict[FactPath, tuple[int, int]] = {}
        self._open: set[int] = set()
        self._flattened: set[int] = set()
        self._flattening: set[int] = set()
        self.merged = 0

    def error(self, node: yaml.Node, message: str) -> GovcardError:
        """An error at a node's position."""
        mark = node.start_mark
        return GovcardError.at(self.file, message, mark.line + 1, mark.column + 1)

    def build(self, node: yaml.Node, path: FactPath) -> Any:
        """Plain data for a node at `path`, counting values and recording positions."""
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.error(
                node,
                f"expands to more than {MAX_VALUES:,} values (YAML aliases?); remove the aliases",
            )
        if len(path) > MAX_DEPTH:
            raise self.error(node, f"nested more than {MAX_DEPTH} levels deep")
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.ScalarNode):
            self.chars += len(node.value)
            if self.chars > MAX_CHARS:
                raise self.error(
                    node,
                    f"expands to more than {MAX_CHARS:,} characters of text (YAML aliases?); "
                    "remove the aliases",
                )
            if node.tag == _STR_TAG:
                return node.value
            return self._scalar(node)
        if id(node) in self._open:
            raise self.error(node, "a YAML alias refers to its own ancestor; remove the cycle")
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _SEQ_TAG:
                    raise self.error(node, f"unsupported tag {_clip(node.tag)}; remove it")
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self._open.discard(id(node))
        raise self.error(node, "unsupported YAML node")  # pragma: no cover - composer makes 3 kinds

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        """A null, boolean, number or date; any other tag is refused without constructing it.

        PyYAML's constructors trust the resolver: given an explicit tag they fail with a
        KeyError (`!!bool maybe`), an IndexError (`!!int ''`) or an AttributeError
        (`!!timestamp foo`), and an integer of thousands of digits costs quadratic time or
        exceeds Python's limit on int-from-text. All of these are the file's fault.
        """
        tag = node.tag
        form = _SCALAR_FORMS.get(tag)
        if form is None and not node.style and node.value in ("<<", "="):  # plain, untagged
            raise self.error(
                node, f"{node.value!r} means something to YAML; quote it to write it as text"
            )
        if form is None:
            raise self.error(node, f"unsupported tag {_clip(tag)}; remove it")
        if tag == _NULL_TAG and node.value not in _NULLS:  # PyYAML would drop the text
            raise self.error(node, f"{_shown(node.value)} is not a valid null; write {form}")
        if tag in (_INT_TAG, _FLOAT_TAG) and len(node.value) > MAX_NUMBER_CHARS:
            raise self.error(
                node,
                f"{_shown(node.value)} is too long for a number ({len(node.value):,} characters, "
                f"at most {MAX_NUMBER_CHARS}); write the figure in fewer digits",
            )
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, ArithmeticError, LookupError, AttributeError, TypeError) as exc:
            if tag == _TIMESTAMP_TAG and isinstance(exc, ValueError):  # 2023-02-30
                message = f"{_shown(node.value)} is not a valid date: {exc}"
            else:
                message = f"{_shown(node.value)} is not a valid {_kind(tag)}; write {form}"
            raise self.error(node, message) from None

    def _merge_keys(self, node: yaml.MappingNode) -> None:
        """Resolve the `<<` merge keys of a mapping in place: its own keys win, then earlier sources.

        Not PyYAML's `flatten_mapping`: it copies every merged pair into every mapping of a chain
        of merges before anything is counted (a 650 KB chain took a minute and 1.6 GB), and
        before PyYAML 6.0.4 it repeated a mapping merged several times (exponential). Here each
        pair merged anywhere counts, and more than MAX_VALUES of them are refused.
        """
        if id(node) in self._flattened:
            return
        if id(node) in self._flattening:
            raise self.error(node, "a YAML alias refers to its own ancestor; remove the cycle")
        self._flattening.add(id(node))
        own: list[tuple[yaml.Node, yaml.Node]] = []
        sources: list[yaml.MappingNode] = []
        for key_node, value_node in node.value:
            if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag == _MERGE_TAG):
                own.append((key_node, value_node))
            elif isinstance(value_node, yaml.MappingNode):
                sources.append(value_node)
            elif isinstance(value_node, yaml.SequenceNode) and all(
                isinstance(item, yaml.MappingNode) for item in value_node.value
            ):
                sources.extend(value_node.value)
            else:
                raise self.error(
                    value_node, "a merge key (<<) takes a mapping or a list of mappings"
                )
        if sources:
            seen = {key.value for key, _ in own if isinstance(key, yaml.ScalarNode)}
            merged: list[tuple[yaml.Node, yaml.Node]] = []
            for source in sources:
                self._merge_keys(source)
                for key_node, value_node in source.value:
                    if isinstance(key_node, yaml.ScalarNode):
                        if key_node.value in seen:
                            continue
                        seen.add(key_node.value)
                    self.merged += 1
                    if self.merged > MAX_VALUES:
                        raise self.error(
                            node,
                            f"merge keys (<<) expand to more than {MAX_VALUES:,} values; "
                            "remove some merges",
                        )
                    merged.append((key_node, value_node))
            node.value = merged + own
        self._flattening.discard(id(node))
        self._flattened.add(id(node))

    def _mapping(self, node: yaml.MappingNode, path: FactPath) -> dict[str, Any]:
        if node.tag != _MAP_TAG:
            raise self.error(node, f"unsupported tag {_clip(node.tag)}; remove it")
        seen: dict[str, yaml.Node] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            if key_node.value in seen:
                first = seen[key_node.value].start_mark.line + 1
                raise self.error(
                    key_node,
                    f"duplicate key {_shown(key_node.value)} (first on line {first}); keep one",
                )
            seen[key_node.value] = key_node
        self._merge_keys(node)  # resolves `<<: *defaults` merge keys
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(key_node, "a key must be plain text, not a list or mapping")
            key = key_node.value
            self.key_positions[(*path, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result[key] = self.build(value_node, (*path, key))
        return result


def _kind(tag: str) -> str:
    name = tag.rsplit(":", 1)[-1]
    return {"timestamp": "date", "bool": "boolean", "int": "integer"}.get(name, name)


def _clip(text: str) -> str:
    """A tag or other name from the file as it is when short and printable, else as `_shown`."""
    return text if len(text) <= 60 and text.isprintable() else _shown(text)


def _parse(
    file: str, text: str
) -> tuple[Any, dict[FactPath, tuple[int, int]], dict[FactPath, tuple[int, int]]]:
    loader = _SafeLoader(text)
    try:
        _count_values(file, text)
        node = loader.get_single_node()
        if node is None:
            raise GovcardError.at(
                file, "is empty; a project file needs at least project: {name: ...}", 1, 1
            )
        if not isinstance(node, yaml.MappingNode):
            raise GovcardError.at(
                file,
                "the top level must be a mapping with a project: key (see govcard init)",
                node.start_mark.line + 1,
                node.start_mark.column + 1,
            )
        builder = _Builder(file, loader)
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        if mark and text[mark.index : mark.index + 1] == "\t":
            # libyaml's message does not name the character ("found character that cannot
            # start any token"), and a tab is invisible in most editors.
            message = "a tab, where YAML allows only spaces; indent with spaces"
        raise GovcardError.at(file, f"invalid YAML: {message}", line, column) from None
    except yaml.YAMLError as exc:
        raise GovcardError.at(file, f"invalid YAML: {_one_line(str(exc))}") from None
    except RecursionError:
        raise GovcardError.at(file, "invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()
    return data, builder.positions, builder.key_positions


def _count_values(file: str, text: str) -> None:
    """Refuse a file of more than MAX_VALUES values before composing it into nodes.

    Composing keeps every node in memory with its marks (a gigabyte for a few megabytes of
    `[1,1,1,...]`), so the parser's events are counted first and dropped as they come. Keys are not
    values and aliases count once here (the builder counts what they expand to), so a file this
    lets through is never refused by the builder's count for its own size.
    """
    # For each open collection: None for a sequence, else whether the mapping expects a key next.
    open_: list[bool | None] = []
    values = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.CollectionEndEvent):
            open_.pop()
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        if open_ and open_[-1]:
            open_[-1] = False  # a key; its value comes next
        else:
            values += 1
            if values > MAX_VALUES:
                mark = event.start_mark
                raise GovcardError.at(
                    file,
                    f"holds more than {MAX_VALUES:,} values; a project file needs far fewer",
                    *((mark.line + 1, mark.column + 1) if mark else (0, 0)),
                )
            if open_ and open_[-1] is False:
                open_[-1] = True  # a mapping's value; a key comes next
        if isinstance(event, yaml.SequenceStartEvent):
            open_.append(None)
        elif isinstance(event, yaml.MappingStartEvent):
            open_.append(True)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _problem(
    file: str, positions: dict[FactPath, tuple[int, int]], path: FactPath, message: str
) -> Problem:
    line, column = _position(positions, path)
    return Problem(file, line, column, message, _format_path(path))


def _position(positions: dict[FactPath, tuple[int, int]], path: FactPath) -> tuple[int, int]:
    """Where the value at `path` stands, or its nearest ancestor; (0, 0) when unknown."""
    probe = path
    while probe not in positions and probe:
        probe = probe[:-1]
    return positions.get(probe, (0, 0))


def _format_path(path: FactPath) -> str:
    """`format_path` with keys of more than 60 characters cut, so a problem stays one short line."""
    return format_path(
        tuple(
            part[:57] + "..." if isinstance(part, str) and len(part) > 60 else part for part in path
        )
    )


# --- pydantic errors, in words -----------------------------------------------------------------

_PATTERNS = {
    r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$": "a Hub repository id like 'org/name'",
    r"^[a-z0-9][a-z0-9._-]*$": "a slug: lowercase letters, digits, '.', '_' or '-', e.g. 'starcoder'",
    r"^https?://[^\s<>\"]+$": "an http(s) URL",
    r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$": "an e-mail address",
    r"^(LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.+-]*)$": "an SPDX license id like 'Apache-2.0'",
    r"^[A-Z]{3}$": "an ISO code of three capital letters",
    r"^[A-Za-z0-9 ._-]+$": "a region name like 'us-west-2' or 'quebec'",
}

# Patterns several keys share, in the words of each key.
_KEY_PATTERNS = {
    "country": "an ISO 3166-1 alpha-3 country code, e.g. 'USA' or 'FRA'",
    "currency": "an ISO 4217 currency code, e.g. 'USD' or 'EUR'",
}

_TYPES = {
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "string_type": "text",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date without a time",
    "finite_number": "a finite number",
}


def _shown(value: Any) -> str:
    """A value for a message: its repr (which escapes control characters), cut to 60 characters."""
    if isinstance(value, str) and len(value) > 60:
        value = value[:60]  # repr of a few megabytes only to cut it
    try:
        text = repr(value)
    except ValueError:  # an int past Python's limit on digits
        return "a number too large to print"
    return text if len(text) <= 60 else text[:57] + "..."


def _message(error: Any, allowed: list[str], key: str | int | None = None) -> str:
    """pydantic's error in words; `key` is the key of the value (`country`), when it has one."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = _shown(error.get("input"))
    value = error.get("input")
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, got {got}"
    bounds = {
        "greater_than_equal": ">=",
        "greater_than": ">",
        "less_than_equal": "<=",
        "less_than": "<",
    }
    if kind in bounds:
        limit = next(iter(ctx.values()))
        return f"must be {bounds[kind]} {limit}, got {got}"
    if kind == "missing":
        return "required key is missing; add it"
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6) if len(key) <= 60 else []
        hint = f"did you mean {close[0]}?" if close else f"allowed keys: {', '.join(allowed)}"
        return f"unknown key {_shown(key)} ({hint})"
    if kind in _TYPES:
        return f"must be {_TYPES[kind]}, got {got}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        form = _KEY_PATTERNS.get(str(key)) or _PATTERNS.get(pattern, "text matching " + pattern)
        return f"must be {form}, got {got}{_case_hint(value, pattern)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters; shorten it"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}, got {got}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return f"{error['msg'][0].lower()}{error['msg'][1:]}, got {got}"


def _case_hint(value: Any, pattern: str) -> str:
    """A hint for a value that matches in the other case: ` (did you mean 'FRA'?)`."""
    if isinstance(value, str) and len(value) <= 100:
        for other in (value.upper(), value.lower()):
            if other != value and re.fullmatch(pattern, other):
                return f" (did you mean {other!r}?)"
    return ""


def _data_path(data: Any, loc: tuple[Any, ...]) -> FactPath:
    """The path of `loc` inside the data: drops union tags and validator names pydantic adds."""
    path: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(current, dict) and isinstance(part, str) and (part in current or last):
            path.append(part)
            current = current.get(part)
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            path.append(part)
            current = current[part]
    return tuple(path)


def _allowed_keys(path: FactPath) -> list[str]:
    """The keys a mapping at `path` may have, found by walking the schema's types."""
    candidates: list[Any] = [ProjectFile]
    for part in path:
        following: list[Any] = []
        for tp in _flatten(candidates):
            if isinstance(part, str) and isinstance(tp, type) and issubclass(tp, BaseModel):
                if part in tp.model_fields:
                    following.append(tp.model_fields[part].annotation)
            elif isinstance(part, int) and typing.get_origin(tp) is list:
                following.extend(typing.get_args(tp))
            elif isinstance(part, str) and typing.get_origin(tp) is dict:
                following.append(typing.get_args(tp)[1])
        candidates = following
    keys: list[str] = []
    for tp in _flatten(candidates):
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            keys.extend(k for k in tp.model_fields if k not in keys)
    return keys


def _flatten(types_: list[Any]) -> list[Any]:
    """Unwrap Annotated and unions into the plain types they allow."""
    out: list[Any] = []
    stack = list(types_)
    while stack:
        tp = stack.pop()
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            stack.append(typing.get_args(tp)[0])
        elif origin in (typing.Union, types.UnionType):
            stack.extend(typing.get_args(tp))
        else:
            out.append(tp)
    return out


def _pydantic_problems(
    file: str,
    data: Any,
    positions: dict[FactPath, tuple[int, int]],
    key_positions: dict[FactPath, tuple[int, int]],
    errors: list[Any],
) -> tuple[list[Problem], int]:
    """pydantic's errors as problems, the first MAX_PROBLEMS of them in the file's order, and how
    many there are.

    Wording an error costs (an unknown key is compared with every known one), and a file can hold
    a hundred thousand unknown keys, so the errors are located first and only those shown are
    worded.
    """
    located: list[tuple[tuple[int, int], int]] = []
    for index, error in enumerate(errors):
        path = _data_path(data, error["loc"])
        if error["type"] == "extra_forbidden":
            where = key_positions.get(path, (0, 0))
        else:
            where = _position(positions, path)
        located.append((where, index))
    located.sort()
    shown = {
        _from_pydantic(file, data, positions, key_positions, errors[index])
        for _, index in located[:MAX_PROBLEMS]
    }
    return sorted(shown), len(located)


def _from_pydantic(
    file: str,
    data: Any,
    positions: dict[FactPath, tuple[int, int]],
    key_positions: dict[FactPath, tuple[int, int]],
    error: Any,
) -> Problem:
    path = _data_path(data, error["loc"])
    if error["type"] == "extra_forbidden":
        message = _message(error, _allowed_keys(path[:-1]))
        line, column = key_positions.get(path, (0, 0))
        return Problem(file, line, column, message, _format_path(path))
    return _problem(file, positions, path, _message(error, [], path[-1] if path else None))


# --- what can still be checked in an invalid file ----------------------------------------------

_STRICT = ConfigDict(strict=True)
_SLUG_ADAPTER: TypeAdapter[str] = TypeAdapter(Slug, config=_STRICT)
_NAME_ADAPTER: TypeAdapter[str] = TypeAdapter(Name, config=_STRICT)


def _valid(adapter: TypeAdapter[str], value: Any) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


def _salvage(data: dict[str, Any]) -> tuple[ProjectFile, set[FactPath]]:
    """What is valid of a file that did not validate, for the checks that can still run on it.

    Each dataset and model is validated on its own. One that is invalid is kept as the little the
    checks need, each part validated alone: its id, and for a model its datasets, base model and
    training facts (less their invalid keys). Nothing is dropped from a list, so every index still
    points into the file. Also returned: the paths where a placeholder stands in for an invalid
    value (an id, a dataset reference); the checks must not report there, since the schema's
    problem is reported already.
    """
    unusable: set[FactPath] = set()

    def usable_id(item: Any, at: FactPath) -> str:
        value = item.get("id") if isinstance(item, dict) else None
        if _valid(_SLUG_ADAPTER, value):
            return str(value)
        unusable.add((*at, "id"))
        return ""

    # Placeholders are copies of a valid value: pydantic's model_construct costs 2 ms a model
    # (it inspects the signature of each default factory), 40 s for a file of 20,000 models.
    try:
        project = schema.Project.model_validate(data.get("project"))
    except ValidationError:
        project = schema.Project(name="?")
    dataset_placeholder = schema.Dataset(id="placeholder", name="?")
    model_placeholder = schema.Model(id="placeholder")
    datasets: list[schema.Dataset] = []
    for index, item in enumerate(_items(data, "datasets")):
        try:
            datasets.append(schema.Dataset.model_validate(item))
        except ValidationError:
            at = ("datasets", index)
            datasets.append(dataset_placeholder.model_copy(update={"id": usable_id(item, at)}))
    models: list[schema.Model] = []
    for index, item in enumerate(_items(data, "models")):
        try:
            models.append(schema.Model.model_validate(item))
            continue
        except ValidationError:
            pass
        fields = item if isinstance(item, dict) else {}
        references: list[str] = []
        for position, ref in enumerate(_items(fields, "datasets")):
            if _valid(_NAME_ADAPTER, ref):
                references.append(ref)
            else:
                references.append("")
                unusable.add(("models", index, "datasets", position))
        base = fields.get("base_model")
        update = {
            "id": usable_id(item, ("models", index)),
            "datasets": references,
            "base_model": base if _valid(_NAME_ADAPTER, base) else None,
            "training": _salvaged_training(fields.get("training")),
        }
        models.append(model_placeholder.model_copy(update=update))
    facts = ProjectFile(project=project).model_copy(
        update={"project": project, "datasets": datasets, "models": models}
    )
    return facts, unusable


def _items(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _salvaged_training(value: Any) -> schema.Training | None:
    """Training facts less their invalid keys, or None when what is wrong is how they combine
    (gpu_hours with gpu_count, say)."""
    if not isinstance(value, dict):
        return None
    kept = dict(value)
    while True:
        try:
            return schema.Training.model_validate(kept)
        except ValidationError as exc:
            keys = {str(e["loc"][0]) if e["loc"] else "" for e in exc.errors(include_url=False)}
            if not keys <= kept.keys():
                return None
            for key in keys:
                del kept[key]
