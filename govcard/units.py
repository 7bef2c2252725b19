"""Quantities as people print them: "89,671.68 kWh", "16.68 t", "124 kg CO2eq".

A printed figure carries its precision: "14 t" means somewhere between 13.5 and 14.5 t, so a
comparison must allow one unit of the last printed digit. `Quantity.resolution` keeps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

ENERGY_UNITS_KWH = {
    "Wh": Decimal("0.001"),
    "kWh": Decimal(1),
    "MWh": Decimal(1000),
    "GWh": Decimal(1_000_000),
}
MASS_UNITS_KG = {"g": Decimal("0.001"), "kg": Decimal(1), "t": Decimal(1000)}

_NUMBER = r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_ENERGY_RE = re.compile(rf"^\s*{_NUMBER}\s*(?P<unit>Wh|kWh|MWh|GWh)\s*$")
# "t", "tCO2e", "t CO2eq", "kgCO2e", "Kg", "tonnes": the unit, then an optional gas suffix.
_MASS_RE = re.compile(
    rf"^\s*{_NUMBER}\s*(?P<unit>g|kg|t|tonnes?)(?:\s*CO2(?:e|eq|-eq)?)?\s*$", re.IGNORECASE
)

ENERGY_FORM = 'a number and a unit of Wh, kWh, MWh or GWh, e.g. "89,671.68 kWh"'
MASS_FORM = (
    'a number and a unit of g, kg or t (CO2e suffix allowed), e.g. "16.68 t" or "124 kgCO2e"'
)


@dataclass(frozen=True)
class Quantity:
    """A printed figure converted to a base unit (kWh or kg), with its printed precision."""

    text: str
    value: float
    """In the base unit: kWh for energy, kg for CO2eq."""
    resolution: float
    """One unit of the last printed digit, in the base unit."""


def _decimal_places_unit(number: Decimal) -> Decimal:
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(1).scaleb(exponent)


def _parse(text: str, pattern: re.Pattern[str], units: dict[str, Decimal], form: str) -> Quantity:
    match = pattern.match(text)
    if match is None:
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise ValueError(f"expected {form}, got {shown!r}")
    number = Decimal(match["number"].replace(",", ""))
    unit = match["unit"]
    factor = units.get(unit) or units[_canonical_mass_unit(unit)]
    return Quantity(
        text=text.strip(),
        value=float(number * factor),
        resolution=float(_decimal_places_unit(number) * factor),
    )


def _canonical_mass_unit(unit: str) -> str:
    lowered = unit.lower()
    return "t" if lowered.startswith("tonne") else lowered


def parse_energy(text: str) -> Quantity:
    """Parse a printed energy such as "1,287 MWh" into kWh."""
    return _parse(text, _ENERGY_RE, ENERGY_UNITS_KWH, ENERGY_FORM)


def parse_mass(text: str) -> Quantity:
    """Parse a printed CO2eq mass such as "16.68 t" or "124 kgCO2e" into kg."""
    return _parse(text, _MASS_RE, MASS_UNITS_KG, MASS_FORM)


def from_number(value: float, unit: str) -> Quantity:
    """A figure given as a YAML number, already in the base unit; its precision is its digits."""
    number = Decimal(str(value))
    return Quantity(
        text=f"{format_number(value)} {unit}",
        value=float(number),
        resolution=float(_decimal_places_unit(number)),
    )


def format_number(value: float, decimals: int | None = None) -> str:
    """Group thousands with commas: 89671.68 -> "89,671.68"; `decimals` fixes the places."""
    if decimals is None:
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{Decimal(str(value)):,f}"
    return f"{value:,.{decimals}f}"


def format_mass_kg(kg: float) -> str:
    """A CO2eq mass for people: tonnes from one tonne up, else kg, else g."""
    if abs(round(kg, 1)) >= 1000:
        return f"{format_number(kg / 1000, 2)} t"
    if abs(round(kg * 1000, 1)) >= 1000:
        return f"{format_number(kg, 1)} kg"
    return f"{format_number(kg * 1000, 1)} g"


def format_energy_kwh(kwh: float) -> str:
    """An energy for people, in kWh with two decimals: 89671.68 -> "89,671.68 kWh"."""
    return f"{format_number(kwh, 2)} kWh"
