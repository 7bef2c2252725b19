"""Metadata the Hub reads: co2_eq_emissions in grams, base_model as Hub ids."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from govcard import units
from govcard.check.context import shown
from govcard.check.model import Rule

if TYPE_CHECKING:
    from govcard.check.context import Context

RULES = (
    Rule(
        "co2-malformed",
        "warning",
        "co2_eq_emissions is not a number of grams",
        "The Hub reads `co2_eq_emissions.emissions` as grams of CO2eq; text such as '17 kg' is not read.",
        "Write the emissions as a number of grams, e.g. 17 kg -> 17000.",
    ),
    Rule(
        "co2-contradicts-body",
        "warning",
        "The metadata's emissions contradict the card's text",
        "codecarbon reports kg and the Hub expects grams; cards that mix them overstate or understate emissions by 1000x.",
        "Make co2_eq_emissions.emissions the body's figure in grams.",
    ),
    Rule(
        "base-model-malformed",
        "warning",
        "base_model is not a Hub model id",
        "The Hub links a derivative to its parent through base_model: a repo id (org/name, or a legacy id such as gpt2) or a list of them.",
        "Write base_model as org/name (or a list of them).",
    ),
)

# A number is only read from its first digit, so a run of digits costs one pass, not one per digit.
_MASS = re.compile(
    r"(?<![\d,.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(kg|g|t|tonnes?)(?:\s*co2(?:e|eq|-eq)?)?(?![\w/])(?!\s*/)",
    re.IGNORECASE,
)
_LEGACY_OR_REPO_ID = re.compile(r"[\w.-]+(?:/[\w.-]+)?")


def check(ctx: Context) -> None:
    """co2_eq_emissions and base_model."""
    _co2(ctx, ctx.metadata)
    _base_model(ctx, ctx.metadata)


def _co2(ctx: Context, metadata: dict[str, Any]) -> None:
    if "co2_eq_emissions" not in metadata:
        return
    value = metadata["co2_eq_emissions"]
    line = ctx.card.key_line("co2_eq_emissions")
    if isinstance(value, dict):
        if "emissions" not in value:
            ctx.add("co2-malformed", line, "co2_eq_emissions has no emissions value")
            return
        line = ctx.card.key_line("co2_eq_emissions", "emissions")
        value = value["emissions"]
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        fix = None
        if isinstance(value, str):
            try:
                grams = units.parse_mass(value).value * 1000
                fix = f"Write the emissions as a number of grams: {units.format_number(round(grams, 6)).replace(',', '')}."
            except ValueError:
                pass
        ctx.add(
            "co2-malformed",
            line,
            f"emissions must be a number of grams, got {shown(value)}",
            fix,
        )
        return
    if value < 0:
        ctx.add("co2-malformed", line, f"emissions must not be negative, got {shown(value)}")
        return
    grams = float(value) if value < 1e300 else math.inf  # a 400-digit int overflows float()
    if not math.isfinite(grams):
        ctx.add(
            "co2-malformed",
            line,
            f"emissions must be a finite number of grams, got {shown(value)}",
        )
        return
    _co2_against_body(ctx, grams, line)


def _co2_against_body(ctx: Context, grams: float, line: int) -> None:
    figures: list[tuple[units.Quantity, int]] = []
    for offset, text in ctx.card.lines_with("co2", "carbon", "emission"):
        for number, unit in _MASS.findall(text):
            try:
                figures.append((units.parse_mass(f"{number} {unit}"), ctx.card.body_start + offset))
            except ValueError:
                continue
    if not figures:
        return
    kg = grams / 1000
    if any(abs(q.value - kg) <= max(0.005 * kg, q.resolution) * (1 + 1e-9) for q, _ in figures):
        return
    quantity, body_line = figures[0]
    shown = f" ({units.format_mass_kg(kg)})" if kg >= 1 else ""
    message = (
        f"the metadata says {units.format_number(grams)} g{shown} "
        f"but line {body_line} says {quantity.text}"
    )
    if abs(quantity.value - grams) <= max(0.005 * grams, quantity.resolution):
        message += "; the metadata looks like kg written as grams"
    in_grams = units.format_number(round(quantity.value * 1000, 6)).replace(",", "")
    ctx.add(
        "co2-contradicts-body",
        line,
        message,
        f"If line {body_line} is right, write co2_eq_emissions.emissions: {in_grams} (grams).",
    )


def _base_model(ctx: Context, metadata: dict[str, Any]) -> None:
    if "base_model" not in metadata:
        return
    value = metadata["base_model"]
    items = value if isinstance(value, list) else [value]
    bad = [
        item
        for item in items
        if not isinstance(item, str) or not _LEGACY_OR_REPO_ID.fullmatch(item)
    ]
    if bad or not items:
        ctx.add(
            "base-model-malformed",
            ctx.card.key_line("base_model"),
            f"base_model must be a Hub model id like org/name (or a legacy id like gpt2), got {shown(bad[0] if bad else value)}",
        )
