"""Printed quantities: "89,671.68 kWh", "16.68 t", "124 kgCO2e", and the precision they carry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govcard import units
from govcard.units import (
    Quantity,
    format_energy_kwh,
    format_mass_kg,
    format_number,
    from_number,
    parse_energy,
    parse_mass,
)

# --- energy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kwh", "resolution"),
    [
        ("89,671.68 kWh", 89_671.68, 0.01),
        ("1,287 MWh", 1_287_000, 1000),
        ("1,287,000 kWh", 1_287_000, 1),
        ("4285.2 kWh", 4285.2, 0.1),
        ("500 Wh", 0.5, 0.001),
        ("2.5 GWh", 2_500_000, 100_000),
        ("12kWh", 12, 1),
        ("  7 MWh  ", 7000, 1000),
    ],
)
def test_parse_energy(text: str, kwh: float, resolution: float) -> None:
    quantity = parse_energy(text)
    assert quantity.value == pytest.approx(kwh)
    assert quantity.resolution == pytest.approx(resolution)
    assert quantity.text == text.strip()


def test_parse_energy_keeps_the_printed_text() -> None:
    assert parse_energy("89,671.68 kWh") == Quantity("89,671.68 kWh", 89_671.68, 0.01, "kWh", 2)


def test_a_printed_figure_stands_for_half_a_unit_either_way() -> None:
    # "14 t" is anything from 13.5 to 14.5 t; "0.2 t" is 150 to 250 kg, so not 124.3 kg.
    fourteen = parse_mass("14 t")
    assert (fourteen.resolution, fourteen.tolerance) == (1000, 500)
    assert fourteen.rounds_to(13_500) and fourteen.rounds_to(14_500)
    assert not fourteen.rounds_to(13_499) and not fourteen.rounds_to(14_501)
    assert not parse_mass("0.2 t").rounds_to(124.3)
    assert parse_mass("2.55 kg").rounds_to(2.546)
    assert not parse_mass("2.55 kg").rounds_to(2.5)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "kWh",
        "1287",
        "1287 kW",
        "1287 MWh per year",
        "-5 kWh",
        "1e3 kWh",
        "1,28 MWh",
        "1,2345 kWh",
        ",123 kWh",
        "12.5.3 kWh",
        "12. kWh",
        "16.68 t",
    ],
)
def test_parse_energy_refuses(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_energy(text)
    assert str(caught.value) == f"expected {units.ENERGY_FORM}, got {text!r}"


def test_energy_error_shows_the_expected_form() -> None:
    with pytest.raises(ValueError, match=r'e\.g\. "89,671\.68 kWh", got \'1287 kW\''):
        parse_energy("1287 kW")


# --- mass --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kg", "resolution"),
    [
        ("16.68 t", 16_680, 10),
        ("14 t", 14_000, 1000),
        ("0.0279 Kg", 0.0279, 0.0001),
        ("124 kgCO2e", 124, 1),
        ("124 kg", 124, 1),
        ("124 kg CO2eq", 124, 1),
        ("16.68 tCO2eq", 16_680, 10),
        ("16.68 t CO2-eq", 16_680, 10),
        ("16.68 t CO2", 16_680, 10),
        ("2 tonnes", 2000, 1000),
        ("1 tonne", 1000, 1000),
        ("350 g", 0.35, 0.001),
        ("1,234.5 kg", 1234.5, 0.1),
        ("14 T", 14_000, 1000),
    ],
)
def test_parse_mass(text: str, kg: float, resolution: float) -> None:
    quantity = parse_mass(text)
    assert quantity.value == pytest.approx(kg)
    assert quantity.resolution == pytest.approx(resolution)


@pytest.mark.parametrize(
    "text",
    ["", "t", "16.68", "16.68 kt", "16.68 tons", "16.68 t CO2x", "-1 kg", "1,00 kg", "16.68 kWh"],
)
def test_parse_mass_refuses(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_mass(text)
    assert str(caught.value) == f"expected {units.MASS_FORM}, got {text!r}"


# --- numbers from YAML -------------------------------------------------------------------------


def test_from_number_whole_number_has_resolution_one() -> None:
    quantity = from_number(124, "kg")
    assert quantity.value == 124
    assert quantity.resolution == 1
    assert quantity.text == "124 kg"


def test_from_number_one_decimal_has_resolution_a_tenth() -> None:
    assert from_number(124.0, "kg").resolution == pytest.approx(0.1)
    assert from_number(124.3, "kg").resolution == pytest.approx(0.1)
    assert from_number(89671.68, "kWh").resolution == pytest.approx(0.01)


def test_from_number_text_groups_thousands() -> None:
    assert from_number(89671.68, "kWh").text == "89,671.68 kWh"


# --- formatting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (89671.68, None, "89,671.68"),
        (1234567, None, "1,234,567"),
        (0.15495, None, "0.15495"),
        (1.2, None, "1.2"),
        (0, None, "0"),
        (89671.68, 2, "89,671.68"),
        (4285.2, 2, "4,285.20"),
        (16.67355, 2, "16.67"),
        (149.12496, 1, "149.1"),
    ],
)
def test_format_number(value: float, decimals: int | None, text: str) -> None:
    assert format_number(value, decimals) == text


@pytest.mark.parametrize(
    ("kg", "text"),
    [
        (16_673.552179, "16.67 t"),
        (1000, "1.00 t"),
        (1_234_567, "1,234.57 t"),
        (149.12496, "149.1 kg"),
        (124.3, "124.3 kg"),
        (1, "1.0 kg"),
        (0.5, "500.0 g"),
        (0.0279, "27.9 g"),
        (0.00099996, "1.0 g"),
        (1.545e-05, "0.0155 g"),
        (2e-09, "0.000002 g"),
        (0, "0 g"),
    ],
)
def test_format_mass_kg(kg: float, text: str) -> None:
    assert format_mass_kg(kg) == text


@pytest.mark.parametrize(
    ("kwh", "text"),
    [
        (89_671.68, "89,671.68 kWh"),
        (107_606.016, "107,606.02 kWh"),
        (4285.2, "4,285.20 kWh"),
        (0.9999, "1.00 kWh"),
        (0.5, "500.0 Wh"),
        (0.000276, "0.276 Wh"),
        (0.000413, "0.413 Wh"),
        (0, "0 Wh"),
    ],
)
def test_format_energy_kwh(kwh: float, text: str) -> None:
    assert format_energy_kwh(kwh) == text


# --- properties --------------------------------------------------------------------------------

hundredths = st.integers(min_value=0, max_value=10**12)


@given(st.just(0.0) | st.floats(min_value=1e-9, max_value=1, exclude_max=True))
def test_a_small_energy_or_mass_never_prints_as_zero(value: float) -> None:
    # A two-flush codecarbon run measures 0.000276 kWh: "0.00 kWh" told the reader nothing.
    for text in (format_energy_kwh(value / 1000), format_mass_kg(value / 1000)):
        number = Decimal(text.split()[0].replace(",", ""))
        assert (number == 0) == (value == 0), text


@given(st.integers(min_value=100, max_value=10**12))
def test_two_decimal_figures_round_trip_through_parse_energy(cents: int) -> None:
    value = cents / 100
    quantity = parse_energy(format_energy_kwh(value))
    assert quantity.value == value
    assert quantity.resolution == pytest.approx(0.01)
    assert quantity.text == f"{format_number(value, 2)} kWh"


@given(st.decimals(min_value=0, max_value=Decimal("999999999.999999"), places=6))
def test_format_number_round_trips_any_figure_as_typed(typed: Decimal) -> None:
    # A figure of at most 15 significant digits (all a double holds) prints back as typed.
    value = float(typed)
    assert Decimal(format_number(value).replace(",", "")) == typed.normalize()
    assert parse_energy(f"{format_number(value)} kWh").value == value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (256 * 11.8 * 24, "72,499.2"),
        (0.1 + 0.2, "0.3"),
        (1.2 * 3, "3.6"),
        (107_606.016 / 89_671.68, "1.2"),
        (10**18 + 1, "1,000,000,000,000,000,001"),
        (1e20, "100,000,000,000,000,000,000"),
    ],
)
def test_format_number_shows_no_floating_point_noise(value: float, text: str) -> None:
    assert format_number(value) == text


# --- a computed figure beside a reported one ----------------------------------------------------


@pytest.mark.parametrize(
    ("computed_kg", "reported", "shown", "rounded"),
    [
        (16_673.552179, "16.68 t", "16.674 t", "16.67 t"),
        (124.3, "124 kg", "124.3 kg", "124 kg"),
        (2.547, "2.55 kg", "2.547 kg", "2.55 kg"),
        (2.5, "2.55 kg", "2.500 kg", "2.50 kg"),
        (124.3, "0.2 t", "0.12 t", "0.1 t"),
        (60, "60 kg", "60.0 kg", "60 kg"),
        (0.0004, "1 t", "0.4 g", "0 t"),
    ],
)
def test_a_computed_figure_is_shown_in_the_reported_unit(
    computed_kg: float, reported: str, shown: str, rounded: str
) -> None:
    quantity = parse_mass(reported)
    assert units.shown_against(computed_kg, quantity) == shown
    assert units.rounded_like(computed_kg, quantity) == rounded


@pytest.mark.parametrize(
    ("unit", "ratio", "pair"),
    [
        ("MWh", 1000, "kWh and MWh"),
        ("kWh", -1000, "kWh and MWh"),
        ("kWh", 1000, "Wh and kWh"),
        ("t", 1000, "kg and t"),
        ("g", -1000, "g and kg"),
        ("GWh", -1000, None),
        ("g", 1000, None),
    ],
)
def test_neighbour_units_name_the_likely_slip(unit: str, ratio: int, pair: str | None) -> None:
    assert units.neighbour_units(unit, ratio) == pair


@given(
    whole=st.integers(min_value=0, max_value=10**9),
    decimals=st.integers(min_value=0, max_value=6),
    digits=st.integers(min_value=0, max_value=999_999),
    unit=st.sampled_from(sorted(units.MASS_UNITS_KG)),
    grouped=st.booleans(),
)
def test_resolution_is_one_unit_of_the_last_printed_digit(
    whole: int, decimals: int, digits: int, unit: str, grouped: bool
) -> None:
    fraction = str(digits).zfill(6)[:decimals]
    number = f"{whole:,}" if grouped else str(whole)
    text = f"{number}.{fraction} {unit}" if decimals else f"{number} {unit}"
    quantity = parse_mass(text)
    factor = units.MASS_UNITS_KG[unit]
    assert quantity.resolution == pytest.approx(float(Decimal(1).scaleb(-decimals) * factor))
    assert quantity.value == pytest.approx(float(Decimal(f"{whole}.{fraction or 0}") * factor))


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["kWh", "MWh", "GWh", "Wh"]))
def test_energy_units_scale_by_powers_of_a_thousand(number: int, unit: str) -> None:
    in_kwh = parse_energy(f"{number:,} kWh").value
    assert parse_energy(f"{number:,} {unit}").value == pytest.approx(
        in_kwh * float(units.ENERGY_UNITS_KWH[unit])
    )
