"""`govcard check`: where a model card falls short of its license, with locations.

Each rule has a stable id, a severity, and a documented why and fix (docs/guides/check.md). The check
reads what a card and its folder show: metadata, body, a LICENSE file beside it, and optionally
the parent model's card. It cannot read minds: a card that says the right things passes.

The package, for a newcomer:
- `model`: rules, findings, results, options;
- `files`: reading cards from files, folders and stdin, and running the families on each;
- `context`: one card's check, shared by the families (the card, its parents, its own license);
- `text`: what the text shows about a license (names, links, statements);
- `registry`: the rule families in the order they run, and every rule by id;
- `rules/`: one module per family, each with its `RULES` and a `check(ctx)`;
- `config`: `[tool.govcard.check]` in pyproject.toml.
License terms stay data: `govcard/data/licenses/` and `govcard/data/terms/` (see `licenses`).
To add a rule, add it to a family's `RULES` and report it from that family's `check`; a new
family is a module in `rules/` listed in `registry.FAMILIES`.
"""

from govcard.check.config import load_config, validate_rule
from govcard.check.files import (
    KEYS,
    card_files,
    check_bytes,
    check_card,
    check_file,
    check_paths,
    check_text,
    is_dataset_card,
)
from govcard.check.model import SEVERITIES, FileResult, Finding, Options, Rule, Severity
from govcard.check.registry import RULES
from govcard.check.text import rail_named

__all__ = [
    "KEYS",
    "RULES",
    "SEVERITIES",
    "FileResult",
    "Finding",
    "Options",
    "Rule",
    "Severity",
    "card_files",
    "check_bytes",
    "check_card",
    "check_file",
    "check_paths",
    "check_text",
    "is_dataset_card",
    "load_config",
    "rail_named",
    "validate_rule",
]
