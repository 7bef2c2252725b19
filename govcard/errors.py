"""Errors a person can act on: where (file:line:column), what, and what to do."""

from __future__ import annotations

import re
from dataclasses import dataclass

PathPart = str | int
FactPath = tuple[PathPart, ...]
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


# Control characters as visible escapes: text from cards and file names must not reach a terminal
# raw (an escape sequence can retitle it or clear it; a newline can forge an output line).
_VISIBLE = {
    code: ("\\n" if code == 10 else "\\r" if code == 13 else f"\\x{code:02x}")
    for code in [*range(0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0)]
}
_VISIBLE.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def printable(text: str) -> str:
    """`text` with control characters (tab aside) shown as escapes, for terminal output, and the
    bytes of a file name that is not UTF-8 as `\\xff`."""
    if text.isprintable():
        return text
    return displayable(text).translate(_VISIBLE)


def displayable(text: str) -> str:
    """A file name that is not UTF-8 (decoded with surrogate escapes) with its bytes as `\\xff`,
    so that it can be written as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


def format_path(path: FactPath) -> str:
    """`("models", 1, "training", "pue")` -> `models[1].training.pue`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not _KEY.fullmatch(part):
            text += f"[{part!r}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one input file, at a line and column (1-based; 0 when unknown)."""

    file: str
    line: int
    column: int
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = self.file if self.line == 0 else f"{self.file}:{self.line}:{self.column}"
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        return printable(text)


class GovcardError(Exception):
    """An error the user can fix; the CLI prints it as lines and exits with `exit_code`."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    @classmethod
    def at(cls, file: str, message: str, line: int = 0, column: int = 0) -> GovcardError:
        """A single problem."""
        return cls([Problem(file, line, column, message)])
