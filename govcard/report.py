"""Check findings as text, JSON, GitHub workflow commands or SARIF 2.1.0."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govcard import __version__
from govcard.check import RULES, FileResult
from govcard.errors import printable

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def summary(results: list[FileResult]) -> dict[str, int]:
    """How many files were checked, and findings by severity."""
    counts = {"files": len(results), "error": 0, "warning": 0, "info": 0}
    for result in results:
        for finding in result.findings:
            counts[finding.severity] += 1
    return counts


def text(results: list[FileResult]) -> str:
    """`path:line:col: RULE severity: message`, then the fix, indented."""
    lines: list[str] = []
    for result in results:
        for f in result.findings:
            where = f"{printable(result.path)}:{f.line}:{f.column}"
            lines.append(f"{where}: {f.rule} {f.severity}: {printable(f.message)}")
            lines.append(f"  fix: {printable(f.fix)}")
    counts = summary(results)
    lines.append(
        f"{_count(counts['files'], 'card')} checked: {_count(counts['error'], 'error')}, "
        f"{_count(counts['warning'], 'warning')}, {_count(counts['info'], 'note')}"
    )
    return "\n".join(lines) + "\n"


def _count(n: int, noun: str) -> str:
    """`1 warning`, `0 warnings`, `2 warnings`."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def as_json(results: list[FileResult]) -> str:
    """`{"files": [{"path", "findings": [...]}], "summary": {...}}`."""
    import json

    document = {
        "files": [
            {
                "path": r.path,
                "findings": [
                    {
                        "rule": f.rule,
                        "severity": f.severity,
                        "line": f.line,
                        "message": f.message,
                        "fix": f.fix,
                    }
                    for f in r.findings
                ],
            }
            for r in results
        ],
        "summary": summary(results),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _escape_data(value: str) -> str:
    # %, CR and LF as workflow commands require; other control characters made visible, so that
    # an escape sequence from a card does not reach the log viewer.
    return printable(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(results: list[FileResult]) -> str:
    """GitHub Actions workflow commands: `::error file=...,line=...,title=...::message`."""
    command = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for result in results:
        for f in result.findings:
            properties = f"file={_escape_property(result.path)},line={f.line},col={f.column},title={_escape_property(f.rule)}"
            lines.append(
                f"::{command[f.severity]} {properties}::{_escape_data(f'{f.message}. Fix: {f.fix}')}"
            )
    return "\n".join(lines) + ("\n" if lines else "")


def sarif(results: list[FileResult]) -> str:
    """A SARIF 2.1.0 log that GitHub code scanning accepts."""
    import json

    rule_ids = list(RULES)
    rules: list[dict[str, Any]] = [
        {
            "id": rule.id,
            "name": "".join(part.capitalize() for part in rule.id.split("-")),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.why},
            "help": {"text": rule.fix},
            "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity]},
        }
        for rule in RULES.values()
    ]
    findings = [
        {
            "ruleId": f.rule,
            "ruleIndex": rule_ids.index(f.rule),
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.message}. Fix: {f.fix}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": result.path.replace("\\", "/")},
                        "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)},
                    }
                }
            ],
        }
        for result in results
        for f in result.findings
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "govcard",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": findings,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[[list[FileResult]], str]] = {
    "text": text,
    "json": as_json,
    "github": github,
    "sarif": sarif,
}
