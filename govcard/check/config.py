"""`[tool.govcard.check]` in pyproject.toml, and rule ids given on the command line."""

from __future__ import annotations

from pathlib import Path

from govcard.check.model import SEVERITIES, Severity
from govcard.check.registry import RULES


def load_config(start: Path) -> tuple[frozenset[str], dict[str, Severity]]:
    """`[tool.govcard.check]` of the nearest pyproject.toml: `ignore` and `severity` overrides."""
    from govcard.errors import GovcardError

    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            break
    else:
        return frozenset(), {}
    import tomllib

    try:
        data = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise GovcardError.at(str(candidate), f"cannot read: {exc}") from None
    section = data.get("tool", {}).get("govcard", {}).get("check", {})
    where = f"{candidate} [tool.govcard.check]"
    unknown_keys = set(section) - {"ignore", "severity"}
    if unknown_keys:
        raise GovcardError.at(
            where, f"unknown setting {sorted(unknown_keys)[0]!r}; use ignore or severity"
        )
    ignore = section.get("ignore", [])
    severity = section.get("severity", {})
    if not isinstance(ignore, list) or not isinstance(severity, dict):
        raise GovcardError.at(
            where, "ignore must be a list of rule ids and severity a table of rule = level"
        )
    for rule in [*ignore, *severity]:
        validate_rule(rule, where)
    for rule, level in severity.items():
        if level not in SEVERITIES:
            raise GovcardError.at(
                where, f"severity of {rule} must be one of {', '.join(SEVERITIES)}, got {level!r}"
            )
    return frozenset(ignore), dict(severity)


def validate_rule(rule: object, where: str) -> None:
    """Raise a usage error for a rule id govcard does not have."""
    from govcard.errors import GovcardError

    if rule not in RULES:
        import difflib

        close = difflib.get_close_matches(str(rule), list(RULES), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise GovcardError.at(where, f"unknown rule {rule!r}{hint}")
