"""Load project.yaml into validated facts, keeping where every value stood in the file.

Only safe YAML is read. The document is composed into nodes (which carry line and column), then
built into plain data by hand so that duplicate keys, alias bombs and non-text keys are caught,
and every value's position is recorded under its path. pydantic errors are mapped back to those
positions, so each error reads `project.yaml:42:7: models[1].training.pue: must be >= 1.0, got 0.9`.
"""

from __future__ import annotations

import difflib
import math
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from govcard.errors import FactPath, GovcardError, Problem, format_path
from govcard.schema import ProjectFile, reference_errors

MAX_BYTES = 10 * 1024 * 1024
MAX_VALUES = 200_000
MAX_DEPTH = 64

_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_STR_TAG = "tag:yaml.org,2002:str"


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
    """Read, parse and validate a project file; raise `GovcardError` listing every problem."""
    path = Path(file)
    text = _read_text(path)
    data, positions, key_positions = _parse(str(path), text)
    try:
        facts = ProjectFile.model_validate(data)
    except ValidationError as exc:
        problems = [
            _from_pydantic(str(path), data, positions, key_positions, e) for e in exc.errors()
        ]
        raise GovcardError(sorted(set(problems))) from None
    project = Project(facts, path, positions)
    problems = [project.problem(p, message) for p, message in reference_errors(facts)]
    if problems:
        raise GovcardError(sorted(problems))
    return project


def _read_text(path: Path) -> str:
    name = str(path)
    try:
        if path.is_dir():
            raise GovcardError.at(name, "is a directory; give the path of a project.yaml file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise GovcardError.at(
                name, f"is {size:,} bytes; a project file may be at most {MAX_BYTES:,}"
            )
        raw = path.read_bytes()
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


def _line_column(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


class _Builder:
    """Turns composed YAML nodes into plain data, recording positions by path."""

    def __init__(self, file: str, loader: yaml.SafeLoader) -> None:
        self.file = file
        self.loader = loader
        self.values = 0
        self.positions: dict[FactPath, tuple[int, int]] = {}
        self.key_positions: dict[FactPath, tuple[int, int]] = {}
        self._open: set[int] = set()

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
            if node.tag == _STR_TAG:
                return node.value
            try:
                return self.loader.construct_object(node, deep=True)
            except yaml.constructor.ConstructorError as exc:
                raise self.error(node, f"{exc.problem}; use plain YAML values") from None
            except ValueError as exc:  # e.g. a timestamp like 2023-02-30
                raise self.error(
                    node, f"{node.value!r} is not a valid {_kind(node.tag)}: {exc}"
                ) from None
        if id(node) in self._open:
            raise self.error(node, "a YAML alias refers to its own ancestor; remove the cycle")
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                if node.tag != _SEQ_TAG:
                    raise self.error(node, f"unsupported tag {node.tag}; remove it")
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self._open.discard(id(node))
        raise self.error(node, "unsupported YAML node")  # pragma: no cover - composer makes 3 kinds

    def _mapping(self, node: yaml.MappingNode, path: FactPath) -> dict[str, Any]:
        if node.tag != _MAP_TAG:
            raise self.error(node, f"unsupported tag {node.tag}; remove it")
        seen: dict[str, yaml.Node] = {}
        for key_node, _ in node.value:
            if (
                not isinstance(key_node, yaml.ScalarNode)
                or key_node.tag == "tag:yaml.org,2002:merge"
            ):
                continue
            if key_node.value in seen:
                first = seen[key_node.value].start_mark.line + 1
                raise self.error(
                    key_node, f"duplicate key {key_node.value!r} (first on line {first}); keep one"
                )
            seen[key_node.value] = key_node
        self.loader.flatten_mapping(node)  # resolves `<<: *defaults` merge keys
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
    return {"timestamp": "date"}.get(tag.rsplit(":", 1)[-1], tag.rsplit(":", 1)[-1])


def _parse(
    file: str, text: str
) -> tuple[Any, dict[FactPath, tuple[int, int]], dict[FactPath, tuple[int, int]]]:
    loader = _SafeLoader(text)
    try:
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
        raise GovcardError.at(file, f"invalid YAML: {message}", line, column) from None
    except yaml.YAMLError as exc:
        raise GovcardError.at(file, f"invalid YAML: {_one_line(str(exc))}") from None
    except RecursionError:
        raise GovcardError.at(file, "invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()
    return data, builder.positions, builder.key_positions


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _problem(
    file: str, positions: dict[FactPath, tuple[int, int]], path: FactPath, message: str
) -> Problem:
    probe = path
    while probe not in positions and probe:
        probe = probe[:-1]
    line, column = positions.get(probe, (0, 0))
    return Problem(file, line, column, message, format_path(path))


# --- pydantic errors, in words -----------------------------------------------------------------

_PATTERNS = {
    r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$": "a Hub repository id like 'org/name'",
    r"^[a-z0-9][a-z0-9._-]*$": "a slug: lowercase letters, digits, '.', '_' or '-', e.g. 'starcoder'",
    r"^https?://[^\s<>\"]+$": "an http(s) URL",
    r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$": "an e-mail address",
    r"^(LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.+-]*)$": "an SPDX license id like 'Apache-2.0'",
    r"^[A-Z]{3}$": "three capital letters (ISO code), e.g. 'USD' or 'FRA'",
    r"^[A-Za-z0-9 ._-]+$": "a region name like 'us-west-2' or 'quebec'",
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
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(error: Any, allowed: list[str]) -> str:
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
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}?" if close else f"allowed keys: {', '.join(allowed)}"
        return f"unknown key {key!r} ({hint})"
    if kind in _TYPES:
        return f"must be {_TYPES[kind]}, got {got}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        return f"must be {_PATTERNS.get(pattern, 'text matching ' + pattern)}, got {got}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters; shorten it"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}, got {got}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return f"{error['msg'][0].lower()}{error['msg'][1:]}, got {got}"


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
        return Problem(file, line, column, message, format_path(path))
    return _problem(file, positions, path, _message(error, []))
