"""Quantities as people print them: "89,671.68 kWh", "16.68 t", "124 kg CO2eq".

A printed figure carries its precision: "14 t" means somewhere between 13.5 and 14.5 t, half a
unit of its last printed digit either way. `Quantity.resolution` keeps that unit.

Figures govcard prints carry no floating-point noise (72,499.2, not 72,499.20000000001: a double
holds 15 significant decimal digits) and keep a meaningful unit when they are small (0.276 Wh,
0.0155 g, never "0.00 kWh").
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
SIGNIFICANT_DIGITS = 15
"""Decimal digits a double holds exactly: a figure typed with at most this many prints back as
typed, and arithmetic noise beyond them is not shown."""

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
    unit: str
    """The unit it was printed in: one of ENERGY_UNITS_KWH or MASS_UNITS_KG."""
    decimals: int
    """Digits printed after the decimal point."""

    @property
    def tolerance(self) -> float:
        """Half a unit of the last printed digit: how far the true figure may lie from it."""
        return self.resolution / 2

    def rounds_to(self, value: float) -> bool:
        """Whether `value` (in the base unit), printed to this precision, reads as this figure."""
        return abs(self.value - value) <= self.tolerance * (1 + 1e-9)


def _exponent(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    return exponent


def _parse(text: str, pattern: re.Pattern[str], units: dict[str, Decimal], form: str) -> Quantity:
    match = pattern.match(text)
    if match is None:
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise ValueError(f"expected {form}, got {shown!r}")
    number = Decimal(match["number"].replace(",", ""))
    unit = match["unit"] if match["unit"] in units else _canonical_mass_unit(match["unit"])
    factor = units[unit]
    exponent = _exponent(number)
    return Quantity(
        text=text.strip(),
        value=float(number * factor),
        resolution=float(Decimal(1).scaleb(exponent) * factor),
        unit=unit,
        decimals=max(0, -exponent),
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
    exponent = _exponent(number)
    return Quantity(
        text=f"{format_number(value)} {unit}",
        value=float(number),
        resolution=float(Decimal(1).scaleb(exponent)),
        unit=unit,
        decimals=max(0, -exponent),
    )


def exact(value: float) -> Decimal:
    """`value` as the decimal it stands for: at most SIGNIFICANT_DIGITS digits, so that
    0.1 + 0.2 is 0.3 and 256 x 11.8 x 24 is 72,499.2."""
    shortest = Decimal(repr(float(value)))
    digits = len(shortest.as_tuple().digits)
    if digits <= SIGNIFICANT_DIGITS:
        return shortest
    return Decimal(f"{float(value):.{SIGNIFICANT_DIGITS}g}")


def format_number(value: float, decimals: int | None = None) -> str:
    """Group thousands with commas: 89671.68 -> "89,671.68"; `decimals` fixes the places."""
    if decimals is not None:
        return f"{value:,.{decimals}f}"
    if isinstance(value, int):
        return f"{value:,}"
    if float(value).is_integer() and abs(value) < 10**SIGNIFICANT_DIGITS:
        return f"{int(value):,}"
    number = exact(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


def format_count_short(count: int) -> str:
    """A large count as people write it, to three significant digits: 15500000000 -> "15.5B",
    1100000000 -> "1.1B", 125000000 -> "125M"; below a thousand, the count itself."""
    rounded = Decimal(f"{count:.3g}")  # rounded first, so 999,999,999 reads "1B", not "1000M"
    for scale, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if rounded >= scale:
            return f"{(rounded / scale).normalize():f}{suffix}"
    return f"{count:,}"


def _significant(value: float, digits: int = 3) -> str:
    """A figure below 1 with `digits` significant digits: 0.0154512 -> "0.0155"."""
    return f"{Decimal(f'{value:.{digits}g}'):f}"


def format_mass_kg(kg: float) -> str:
    """A CO2eq mass for people: tonnes from one tonne up, else kg, else g (below one gram, three
    significant digits)."""
    if abs(round(kg, 1)) >= 1000:
        return f"{format_number(kg / 1000, 2)} t"
    if abs(round(kg * 1000, 1)) >= 1000:
        return f"{format_number(kg, 1)} kg"
    return _small(kg * 1000, "g")


def format_energy_kwh(kwh: float) -> str:
    """An energy for people: kWh with two decimals from 1 kWh up ("89,671.68 kWh"), else Wh
    (below one Wh, three significant digits: "0.276 Wh")."""
    if abs(round(kwh, 2)) >= 1:
        return f"{format_number(kwh, 2)} kWh"
    return _small(kwh * 1000, "Wh")


def _small(value: float, unit: str) -> str:
    if value == 0:
        return f"0 {unit}"
    if abs(round(value, 1)) >= 1:
        return f"{format_number(value, 1)} {unit}"
    return f"{_significant(value)} {unit}"


def _factor(unit: str) -> Decimal:
    return ENERGY_UNITS_KWH.get(unit) or MASS_UNITS_KG[unit]


def _natural(value: float, unit: str) -> str:
    return format_energy_kwh(value) if unit in ENERGY_UNITS_KWH else format_mass_kg(value)


def shown_against(value: float, reported: Quantity) -> str:
    """`value` (in the base unit) in the unit of a reported figure, with one more decimal than it,
    so that a reader sees how it compares: 16,673.55 kg against "16.68 t" is "16.674 t". In its
    own unit when the reported one would show fewer than two significant digits."""
    decimals = reported.decimals + 1
    scaled = exact(value) / _factor(reported.unit)
    if value and abs(scaled) < Decimal(10) ** (1 - decimals):
        return _natural(value, reported.unit)
    return f"{format_number(float(scaled), decimals)} {reported.unit}"


def rounded_like(value: float, reported: Quantity) -> str:
    """`value` (in the base unit) printed as the reported figure is: its unit and its decimals."""
    scaled = exact(value) / _factor(reported.unit)
    return f"{format_number(float(scaled), reported.decimals)} {reported.unit}"


def neighbour_units(unit: str, ratio: int) -> str | None:
    """For a figure `ratio` (1000 or -1000) times too large or too small, the unit pair a slip
    would have confused: ("MWh", 1000) -> "kWh and MWh"; None when there is no such unit."""
    scale = ENERGY_UNITS_KWH if unit in ENERGY_UNITS_KWH else MASS_UNITS_KG
    names = list(scale)
    index = names.index(unit) + (-1 if ratio > 0 else 1)
    if not 0 <= index < len(names):
        return None
    pair = sorted((unit, names[index]), key=lambda name: scale[name])
    return f"{pair[0]} and {pair[1]}"
