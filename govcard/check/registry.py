"""The rule registry: the rule families, in the order they run, and every rule by id.

A family is a module of `govcard.check.rules` with `RULES` (its rules: id, default severity,
title, why, fix) and `check(ctx)`, which adds findings for those rules. Families run in the order
below; a later one reads what an earlier one settled on the context (the card's own license).
The rules reference in the docs is generated from `RULES`.
"""

from __future__ import annotations

from govcard.check.model import Rule
from govcard.check.rules import (
    consistency,
    derivative,
    duties,
    front_matter,
    license,
    metadata,
    rail,
)

FAMILIES = (front_matter, metadata, license, derivative, rail, duties, consistency)

RULES: dict[str, Rule] = {rule.id: rule for family in FAMILIES for rule in family.RULES}
