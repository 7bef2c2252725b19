"""What the check is made of: rules, findings, results and options."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from govcard.cards import Card

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


class Rule(NamedTuple):
    """A check with a stable id, its default severity, and what the docs say of it."""

    id: str
    severity: Severity
    title: str
    why: str
    fix: str


class Finding(NamedTuple):
    """One shortfall of one card."""

    rule: str
    severity: Severity
    line: int
    message: str
    fix: str
    column: int = 1


@dataclass
class FileResult:
    """The findings of one card file."""

    path: str
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    """How to check: the parent's card, a license to check against, rules to skip or re-grade."""

    base_card: Card | None = None
    license: str | None = None
    ignore: frozenset[str] = frozenset()
    severity: dict[str, Severity] = field(default_factory=dict)
    strict: bool = False
