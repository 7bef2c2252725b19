"""Carbon accounting: recompute energy and CO2eq from facts, check what the project reported."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from govcard import accelerators, carbon, loader, units
from govcard.errors import GovcardError

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def bigcode() -> dict[str, carbon.Footprint]:
    """StarCoderBase and SantaCoder, as BigCode published them."""
    results = carbon.footprints(loader.load(FIXTURES / "carbon.yaml"))
    return {r.id: r for r in results}


def training(body: str, *, model_id: str = "m") -> str:
    """A project with one model whose training block is `body` (YAML, any indentation)."""
    return (
        f"project:\n  name: X\nmodels:\n  - id: {model_id}\n    name: M\n    training:\n"
        + textwrap.indent(textwrap.dedent(body).strip("\n"), "      ")
        + "\n"
    )


@pytest.fixture
def footprint(load):
    """footprint(training_yaml) -> the footprint of the one model."""

    def _footprint(body: str) -> carbon.Footprint:
        (result,) = carbon.footprints(load(training(body)))
        return result

    return _footprint


# --- StarCoderBase: consistent, energy reported before PUE -------------------------------------


def test_starcoderbase_figures(bigcode) -> None:
    star = bigcode["starcoderbase"]
    assert star.method == "computed"
    assert star.gpu_hours == 320_256
    assert star.gpu_power_w == 280
    assert star.energy_kwh == pytest.approx(89_671.68)
    assert star.pue == 1.2
    assert star.facility_energy_kwh == pytest.approx(107_606.016)
    assert star.carbon_intensity_kg_per_kwh == 0.15495
    assert star.intensity_source == "explicit value stated in the project's facts"
    assert star.location is None
    assert star.co2eq_kg == pytest.approx(16_673.55, abs=0.005)
    assert units.format_mass_kg(star.co2eq_kg) == "16.67 t"
    assert star.missing == []


def test_starcoderbase_is_consistent_with_energy_before_pue(bigcode) -> None:
    consistency = bigcode["starcoderbase"].consistency
    assert consistency.status == "consistent"
    assert consistency.message == (
        "reported 16.68 t matches the computed 16.674 t within 0.5%, not to its last digit "
        "(the computed figure printed so is 16.67 t); "
        "reported 89,671.68 kWh is the IT energy before PUE"
    )


def test_starcoderbase_steps(bigcode) -> None:
    steps = bigcode["starcoderbase"].steps
    assert len(steps) == 3
    assert steps[0] == "IT energy = 320,256 GPU-h x 280 W / 1000 = 89,671.68 kWh"
    assert steps[1] == "facility energy = 89,671.68 kWh x PUE 1.2 = 107,606.02 kWh"
    assert steps[2] == "CO2eq = 107,606.02 kWh x 0.15495 kgCO2e/kWh = 16,673.55 kg (16.67 t)"


# --- SantaCoder: the reported figure left PUE out ---------------------------------------------


def test_santacoder_figures(bigcode) -> None:
    santa = bigcode["santacoder"]
    assert santa.energy_kwh == pytest.approx(4285.2)
    assert santa.facility_energy_kwh == pytest.approx(5142.24)
    assert santa.co2eq_kg == pytest.approx(149.12496)


def test_santacoder_is_inconsistent_and_says_why(bigcode) -> None:
    consistency = bigcode["santacoder"].consistency
    assert consistency.status == "inconsistent"
    assert "reported 124 kg matches the figure without PUE (124.3 kg)" in consistency.message
    assert "149.1 kg" in consistency.message
    assert consistency.message == (
        "reported 124 kg matches the figure without PUE (124.3 kg); "
        "with the stated PUE 1.2 it is 149.1 kg"
    )


# --- other inputs ------------------------------------------------------------------------------


def test_gpu_count_and_days(footprint) -> None:
    result = footprint(
        """
        gpu_count: 8
        days: 10
        gpu_power_w: 400
        carbon_intensity_kg_per_kwh: 0.1
        """
    )
    assert result.gpu_hours == 8 * 10 * 24 == 1920
    assert result.energy_kwh == pytest.approx(768)
    assert result.steps[0] == "GPU-hours = 8 GPUs x 10 days x 24 h = 1,920 GPU-h"


def test_gpu_count_and_days_carry_no_floating_point_noise(footprint) -> None:
    # 256 x 11.8 x 24 in floating point is 72,499.20000000001, and the card printed it so.
    result = footprint(
        """
        gpu_count: 256
        days: 11.8
        gpu_power_w: 400
        carbon_intensity_kg_per_kwh: 0.1
        """
    )
    assert result.gpu_hours == 72_499.2
    assert result.steps[0] == "GPU-hours = 256 GPUs x 11.8 days x 24 h = 72,499.2 GPU-h"
    assert result.as_json()["gpu_hours"] == 72_499.2


def test_pue_omitted_means_one(footprint) -> None:
    result = footprint(
        """
        gpu_hours: 1000
        gpu_power_w: 300
        carbon_intensity_kg_per_kwh: 0.2
        reported: {energy: "300 kWh", co2eq: "60 kg"}
        """
    )
    assert result.pue == 1.0
    assert result.facility_energy_kwh == result.energy_kwh == pytest.approx(300)
    assert result.co2eq_kg == pytest.approx(60)
    assert "PUE not stated: 1.0 assumed, no data-centre overhead counted" in result.steps
    assert result.consistency.status == "consistent"
    assert result.consistency.message == (
        "reported 60 kg matches the computed 60.0 kg; reported 300 kWh matches the computed energy"
    )


def test_missing_facts_leave_it_unverified(footprint) -> None:
    result = footprint(
        """
        gpu_hours: 1000
        reported: {co2eq: "60 kg"}
        """
    )
    assert result.method == "incomplete"
    assert result.co2eq_kg is None
    assert result.energy_kwh is None
    assert result.missing == ["gpu_power_w", "carbon_intensity_kg_per_kwh or location"]
    assert result.consistency.status == "unverified"
    assert result.consistency.message == (
        "cannot compute the footprint: missing gpu_power_w, carbon_intensity_kg_per_kwh or location"
    )


def test_nothing_but_hardware(footprint) -> None:
    result = footprint("hardware: 8 x A100\n")
    assert result.method == "incomplete"
    assert result.missing == [
        "gpu_hours (or gpu_count and days)",
        "gpu_power_w",
        "carbon_intensity_kg_per_kwh or location",
    ]
    assert result.steps == []


def test_no_reported_figures_is_unverified(footprint) -> None:
    result = footprint(
        """
        gpu_hours: 1000
        gpu_power_w: 300
        carbon_intensity_kg_per_kwh: 0.2
        """
    )
    assert result.method == "computed"
    assert result.co2eq_kg == pytest.approx(60)
    assert result.consistency.status == "unverified"
    assert result.consistency.message == "no reported figures to compare"


def test_reported_facility_energy_is_named(footprint) -> None:
    result = footprint(
        """
        gpu_hours: 320256
        gpu_power_w: 280
        pue: 1.2
        carbon_intensity_kg_per_kwh: 0.15495
        reported: {energy: "107.6 MWh"}
        """
    )
    assert result.consistency.status == "consistent"
    assert result.consistency.message == "reported 107.6 MWh is the facility energy, PUE included"


def test_reported_energy_that_matches_nothing(footprint) -> None:
    result = footprint(
        """
        gpu_hours: 1000
        gpu_power_w: 300
        pue: 1.2
        carbon_intensity_kg_per_kwh: 0.2
        reported: {energy_kwh: 500}
        """
    )
    assert result.consistency.status == "inconsistent"
    assert result.consistency.message == (
        "reported 500 kWh matches neither the IT energy (300.00 kWh) "
        "nor the facility energy (360.00 kWh)"
    )


def test_reported_co2_that_differs(footprint) -> None:
    result = footprint(
        """
        gpu_hours: 1000
        gpu_power_w: 300
        carbon_intensity_kg_per_kwh: 0.2
        reported: {co2eq: "66 kg"}
        """
    )
    assert result.consistency.status == "inconsistent"
    assert result.consistency.message == "reported 66 kg differs from the computed 60.0 kg (+10.0%)"


def test_reported_numbers_without_units(footprint) -> None:
    result = footprint(
        """
        gpu_hours: 320256
        gpu_power_w: 280
        pue: 1.2
        carbon_intensity_kg_per_kwh: 0.15495
        reported: {energy_kwh: 89671.68, co2eq_kg: 16673.55}
        """
    )
    assert result.consistency.status == "consistent"
    assert result.consistency.message == (
        "reported 16,673.55 kg matches the computed 16,673.552 kg; "
        "reported 89,671.68 kWh is the IT energy before PUE"
    )


def test_models_without_training_are_skipped(load) -> None:
    project = load(
        """\
        project: {name: X}
        models:
          - {id: a, name: A}
          - id: b
            name: B
            training: {gpu_hours: 10, gpu_power_w: 100, carbon_intensity_kg_per_kwh: 0.5}
        """
    )
    assert [r.id for r in carbon.footprints(project)] == ["b"]


# --- the tolerance rule ------------------------------------------------------------------------


def test_fourteen_tonnes_allows_half_a_tonne() -> None:
    reported = units.parse_mass("14 t")
    assert carbon.matches(reported, 13_500)
    assert carbon.matches(reported, 14_500)
    assert not carbon.matches(reported, 13_400)
    assert not carbon.matches(reported, 14_600)


def test_a_tenth_of_a_tonne_does_not_match_a_hundred_and_twenty_kilograms() -> None:
    # One unit of the last digit allowed 0.2 t for 124.3 kg: a figure 60% off read as a match.
    assert not carbon.matches(units.parse_mass("0.2 t"), 124.3)
    assert carbon.matches(units.parse_mass("0.1 t"), 124.3)


def test_a_hundredth_of_a_tonne_is_not_finer_than_half_a_percent() -> None:
    reported = units.parse_mass("16.68 t")
    assert reported.resolution == pytest.approx(10)
    # Half a unit of the last digit is 5 kg, but 0.5% of ~16.6 t (about 83 kg) is allowed.
    assert carbon.matches(reported, 16_673.55)
    assert carbon.matches(reported, 16_600)
    assert not carbon.matches(reported, 16_590)
    assert not carbon.matches(reported, 16_780)


def test_printed_precision_wins_when_coarser() -> None:
    reported = units.parse_mass("124 kg")
    assert carbon.matches(reported, 124.3)
    assert carbon.matches(reported, 123.5)
    assert not carbon.matches(reported, 123.3)
    assert not carbon.matches(reported, 149.1)


def test_half_a_percent_wins_when_coarser() -> None:
    reported = units.parse_mass("124.3 kg")
    assert carbon.matches(reported, 124.9)  # 0.6 kg off, 0.5% is 0.62 kg
    assert not carbon.matches(reported, 125.0)


def test_a_near_match_that_rounds_away_says_so(footprint) -> None:
    # 2.542 kg is within 0.5% of "2.55 kg" but prints as 2.54 kg: the message showed the computed
    # figure as "2.5 kg", which read as a mismatch called a match.
    result = footprint(
        """
        gpu_hours: 10
        gpu_power_w: 1000
        carbon_intensity_kg_per_kwh: 0.2542
        reported: {co2eq: "2.55 kg"}
        """
    )
    assert result.consistency.status == "consistent"
    assert result.consistency.message == (
        "reported 2.55 kg matches the computed 2.542 kg within 0.5%, not to its last digit "
        "(the computed figure printed so is 2.54 kg)"
    )


def test_a_mismatch_shows_the_digits_that_differ(footprint) -> None:
    result = footprint(
        """
        gpu_hours: 10
        gpu_power_w: 1000
        carbon_intensity_kg_per_kwh: 0.25
        reported: {co2eq: "2.55 kg"}
        """
    )
    assert result.consistency.status == "inconsistent"
    assert result.consistency.message == (
        "reported 2.55 kg differs from the computed 2.500 kg (+2.0%)"
    )


def test_an_exact_match_at_the_printed_precision(footprint) -> None:
    result = footprint(
        """
        gpu_hours: 10
        gpu_power_w: 1000
        carbon_intensity_kg_per_kwh: 0.2546
        reported: {co2eq: "2.55 kg"}
        """
    )
    assert result.consistency.message == "reported 2.55 kg matches the computed 2.546 kg"


figures = st.builds(
    lambda whole, decimals, digits, unit: (
        f"{whole}.{str(digits).zfill(4)[:decimals]} {unit}" if decimals else f"{whole} {unit}"
    ),
    whole=st.integers(min_value=1, max_value=100_000),
    decimals=st.integers(min_value=0, max_value=4),
    digits=st.integers(min_value=0, max_value=9999),
    unit=st.sampled_from(["g", "kg", "t"]),
)


@given(figures)
def test_a_figure_matches_itself(text: str) -> None:
    reported = units.parse_mass(text)
    assert carbon.matches(reported, reported.value)


@given(figures, st.floats(min_value=-0.5, max_value=0.5))
def test_within_half_a_unit_of_the_last_digit_matches(text: str, fraction: float) -> None:
    reported = units.parse_mass(text)
    computed = reported.value + fraction * reported.resolution
    assume(computed > 0)
    assert carbon.matches(reported, computed)


@given(figures, st.floats(min_value=-0.0049, max_value=0.0049))
def test_within_half_a_percent_matches(text: str, relative: float) -> None:
    reported = units.parse_mass(text)
    # reported = computed x (1 + relative), so it is off by |relative| < 0.5% of computed.
    computed = reported.value / (1 + relative)
    assert carbon.matches(reported, computed)


@given(figures, st.floats(min_value=1.001, max_value=100), st.booleans())
def test_beyond_both_tolerances_does_not_match(text: str, factor: float, above: bool) -> None:
    reported = units.parse_mass(text)
    # Off by more than half the resolution and by more than 0.5% of the computed figure.
    offset = factor * max(reported.resolution / 2, 0.006 * reported.value)
    computed = reported.value + offset if above else reported.value - offset
    assume(computed > 0)
    assume(abs(reported.value - computed) > 0.005 * computed * 1.001)
    assert not carbon.matches(reported, computed)


@given(figures, st.floats(min_value=0.9, max_value=1.1))
def test_matches_is_the_documented_rule(text: str, ratio: float) -> None:
    reported = units.parse_mass(text)
    computed = reported.value * ratio
    allowed = max(0.005 * computed, reported.resolution / 2)
    off = abs(reported.value - computed)
    assume(abs(off - allowed) > 1e-6 * allowed)  # not on the boundary itself
    assert carbon.matches(reported, computed) == (off <= allowed)


# --- unit slips ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reported", "message"),
    [
        (
            '{energy: "300 MWh"}',
            "reported 300 MWh is 1,000 times the computed 300.00 kWh: kWh and MWh mixed up?",
        ),
        (
            '{energy: "300 Wh"}',
            "reported 300 Wh is a thousandth of the computed 300,000.0 Wh: Wh and kWh mixed up?",
        ),
        (
            '{co2eq: "60 t"}',
            "reported 60 t is 1,000 times the computed 60.0 kg: kg and t mixed up?",
        ),
        (
            "{energy_kwh: 300000}",
            # A number of Wh written in energy_kwh.
            "reported 300,000 kWh is 1,000 times the computed 300.00 kWh: Wh and kWh mixed up?",
        ),
    ],
)
def test_a_figure_a_thousand_times_off_names_the_slip(footprint, reported, message) -> None:
    result = footprint(
        f"""
        gpu_hours: 1000
        gpu_power_w: 300
        carbon_intensity_kg_per_kwh: 0.2
        reported: {reported}
        """
    )
    assert result.consistency.status == "inconsistent"
    assert result.consistency.message == message


# --- locations, through codecarbon's data ------------------------------------------------------


def located(footprint, location: str) -> carbon.Footprint:
    return footprint(
        f"""
        gpu_hours: 1000
        gpu_power_w: 1000
        location: {location}
        """
    )


def test_country_intensity_from_codecarbon(footprint) -> None:
    result = located(footprint, "{country: FRA}")
    assert result.carbon_intensity_kg_per_kwh == pytest.approx(0.056039)
    assert result.co2eq_kg == pytest.approx(1000 * 0.056039)
    assert result.location == "France"
    assert result.intensity_basis == "lifecycle"
    source = result.intensity_source or ""
    assert source.startswith("codecarbon 3.")
    assert "Our World in Data energy mix (global_energy_mix.json), 2023; lifecycle: " in source


def test_aws_region_is_mapped_to_its_state(footprint) -> None:
    result = located(footprint, "{cloud: aws, region: us-west-2}")
    oregon = located(footprint, "{country: USA, region: oregon}")
    assert result.carbon_intensity_kg_per_kwh == oregon.carbon_intensity_kg_per_kwh
    assert result.carbon_intensity_kg_per_kwh == pytest.approx(0.1655, abs=0.0005)
    assert result.location == "Oregon, United States (AWS us-west-2)"
    assert result.intensity_basis == "combustion"
    source = result.intensity_source or ""
    assert "codecarbon" in source
    assert "EPA eGRID2023 (usa_emissions.json), 2023; combustion: " in source
    assert "without lifecycle emissions" in source


def test_canadian_province_says_it_counts_fossil_combustion_only(footprint) -> None:
    # 3.9 g/kWh for Quebec is not comparable with the 29 g/kWh lifecycle figure BigCode used for
    # Montreal: the provenance must say what the number counts.
    result = located(footprint, "{country: CAN, region: quebec}")
    assert result.carbon_intensity_kg_per_kwh == pytest.approx(0.0039, abs=0.0001)
    assert result.location == "Quebec, Canada"
    assert result.intensity_basis == "fossil combustion only"
    assert (result.intensity_source or "").endswith(
        "provincial generation mix (canada_energy_mix.json), 2023; fossil combustion only: coal, "
        "oil and gas burned; hydro, nuclear, wind, solar and biomass count as zero, so it is "
        "below a lifecycle figure"
    )
    canada = located(footprint, "{country: CAN}")
    assert canada.intensity_basis == "lifecycle"
    assert canada.carbon_intensity_kg_per_kwh > 10 * result.carbon_intensity_kg_per_kwh


def test_chinese_province(footprint) -> None:
    result = located(footprint, "{country: CHN, region: Inner Mongolia}")
    assert result.location == "Inner Mongolia, China"
    assert result.carbon_intensity_kg_per_kwh == pytest.approx(0.6479)
    assert result.intensity_basis == "CO2 of generation"
    source = result.intensity_source or ""
    assert "MEE/NBS provincial electricity CO2 emission factors" in source
    assert "CO2 only, without lifecycle emissions" in source
    # codecarbon's own aliases are accepted too.
    assert located(footprint, "{country: CHN, region: neimenggu}").location == result.location


@pytest.mark.parametrize(
    ("location", "kg", "place", "basis"),
    [
        ("{country: SWE, region: SE3}", 0.027, "bidding zone SE3, Sweden", "generation mix"),
        ("{country: NOR, region: no4}", 0.0517, "bidding zone NO4, Norway", "generation mix"),
        ("{country: FIN, region: FI}", 0.072, "bidding zone FI, Finland", "not documented"),
    ],
)
def test_nordic_bidding_zones(footprint, location, kg, place, basis) -> None:
    result = located(footprint, location)
    assert result.carbon_intensity_kg_per_kwh == pytest.approx(kg)
    assert result.location == place
    assert result.intensity_basis == basis
    assert "ENTSO-E generation per bidding zone (nordic_emissions.json)" in (
        result.intensity_source or ""
    )


def test_gcp_region(footprint) -> None:
    result = located(footprint, "{cloud: gcp, region: us-central1}")
    assert result.carbon_intensity_kg_per_kwh == pytest.approx(0.43)
    assert result.location == "Council Bluffs, USA (GCP us-central1)"
    assert result.intensity_basis == "lifecycle"
    assert "codecarbon" in (result.intensity_source or "")


def test_azure_region(footprint) -> None:
    result = located(footprint, "{cloud: azure, region: westeurope}")
    netherlands = located(footprint, "{country: NLD}")
    assert result.carbon_intensity_kg_per_kwh == netherlands.carbon_intensity_kg_per_kwh
    assert result.location == "Netherlands (Azure westeurope)"


@pytest.mark.parametrize(
    ("location", "message"),
    [
        (
            "{cloud: aws, region: us-west-3}",
            "unknown aws region 'us-west-3' (did you mean us-west-2?)",
        ),
        (
            "{cloud: gcp, region: us-centrl1}",
            "unknown gcp region 'us-centrl1' (did you mean us-central1?)",
        ),
        (
            "{cloud: azure, region: westeurop}",
            "unknown azure region 'westeurop' (did you mean westeurope?)",
        ),
        (
            "{country: CAN, region: quebc}",
            "unknown region 'quebc' in CAN (did you mean quebec?); codecarbon has alberta, "
            "british columbia, manitoba, new brunswick, newfoundland and labrador, northwest "
            "territories, nova scotia, nunavut, ontario, prince edward island, quebec, "
            "saskatchewan, yukon",
        ),
        (
            "{country: SWE, region: SE5}",
            "unknown region 'SE5' in SWE (did you mean SE4?); codecarbon has SE1, SE2, SE3, SE4",
        ),
        (
            "{country: XXX}",
            "codecarbon has no data for country 'XXX'; use an ISO 3166-1 alpha-3 code such as FRA, "
            "or give carbon_intensity_kg_per_kwh",
        ),
        (
            "{country: FRA, region: paris}",
            "codecarbon has regional data only for US states (USA), Canadian provinces (CAN), "
            "Chinese provinces (CHN) and the Nordic bidding zones (SWE: SE1-SE4, NOR: NO1-NO5, "
            "FIN: FI), not FRA; drop the region to use the country's intensity",
        ),
    ],
)
def test_unknown_location_is_located_error(load, location: str, message: str) -> None:
    project = load(training(f"gpu_hours: 10\ngpu_power_w: 100\nlocation: {location}\n"))
    with pytest.raises(GovcardError) as caught:
        carbon.footprints(project)
    assert str(caught.value) == f"project.yaml:9:17: models[0].training.location: {message}"


def test_an_unknown_chinese_province_lists_the_provinces(load) -> None:
    # codecarbon would silently use China's national figure for Tibet.
    project = load(
        training("gpu_hours: 10\ngpu_power_w: 100\nlocation: {country: CHN, region: tibet}\n")
    )
    with pytest.raises(GovcardError) as caught:
        carbon.footprints(project)
    message = str(caught.value)
    assert message.startswith(
        "project.yaml:9:17: models[0].training.location: unknown region 'tibet' in CHN; "
        "codecarbon has anhui, beijing, chongqing,"
    )
    assert message.endswith(", xinjiang, yunnan, zhejiang")


def test_every_unknown_location_is_reported(load) -> None:
    project = load(
        """\
        project: {name: X}
        models:
          - id: a
            name: A
            training: {location: {cloud: aws, region: mars-1}}
          - id: b
            name: B
            training: {location: {country: ZZZ}}
        """
    )
    with pytest.raises(GovcardError) as caught:
        carbon.footprints(project)
    assert [(p.line, p.column, p.path) for p in caught.value.problems] == [
        (5, 26, "models[0].training.location"),
        (8, 26, "models[1].training.location"),
    ]


# --- JSON --------------------------------------------------------------------------------------


def test_as_json(bigcode) -> None:
    data = bigcode["starcoderbase"].as_json()
    for key in (
        "id",
        "gpu_hours",
        "energy_kwh",
        "pue",
        "facility_energy_kwh",
        "carbon_intensity_kg_per_kwh",
        "intensity_source",
        "co2eq_kg",
        "consistency",
    ):
        assert key in data, key
    assert data["id"] == "starcoderbase"
    assert data["energy_kwh"] == 89_671.68
    assert data["facility_energy_kwh"] == 107_606.016
    assert data["co2eq_kg"] == 16_673.5521792
    assert data["consistency"] == {
        "status": "consistent",
        "message": bigcode["starcoderbase"].consistency.message,
    }
    assert data["steps"] == bigcode["starcoderbase"].steps


def test_as_json_of_an_incomplete_footprint(footprint) -> None:
    data = footprint("gpu_hours: 5\n").as_json()
    assert data["co2eq_kg"] is None
    assert data["energy_kwh"] is None
    assert data["consistency"]["status"] == "unverified"


# --- unit slips: errors with a hint, and warnings ------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "message"),
    [
        (
            "gpu_power_w: 0.4",
            "8:20: models[0].training.gpu_power_w: 0.4 W per GPU is less than any training "
            "accelerator draws: kW? 0.4 kW is 400 W, typical of one GPU; give gpu_power_w in watts",
        ),
        (
            "gpu_power_w: 2.5",
            "8:20: models[0].training.gpu_power_w: 2.5 W per GPU is less than any training "
            "accelerator draws: kW? 2.5 kW is 2,500 W, more than one GPU draws (a node's power? "
            "divide it by its GPUs); give gpu_power_w in watts",
        ),
        (
            "carbon_intensity_kg_per_kwh: 244",
            "8:36: models[0].training.carbon_intensity_kg_per_kwh: 244 kgCO2e/kWh is more than "
            "any grid emits (coal power is about 1 kg/kWh): g/kWh? 244 g/kWh is 0.244 kg/kWh; "
            "give carbon_intensity_kg_per_kwh in kgCO2e/kWh, at most 2",
        ),
        (
            "carbon_intensity_kg_per_kwh: 5000",
            "8:36: models[0].training.carbon_intensity_kg_per_kwh: 5,000 kgCO2e/kWh is more than "
            "any grid emits (coal power is about 1 kg/kWh): give carbon_intensity_kg_per_kwh in "
            "kgCO2e/kWh, at most 2",
        ),
    ],
)
def test_a_unit_slip_is_a_located_error_with_a_hint(errors, fact: str, message: str) -> None:
    assert errors(training(f"gpu_hours: 10\n{fact}\n")) == [f"project.yaml:{message}"]


def test_a_unit_slip_exits_2_with_one_line_and_writes_nothing(write) -> None:
    from support import run

    write(training("gpu_hours: 10\ngpu_power_w: 0.4\ncarbon_intensity_kg_per_kwh: 0.1\n"))
    for args in (["carbon", "project.yaml"], ["render", "project.yaml", "-o", "out"]):
        result = run(*args)
        assert result.exit_code == 2
        assert "Traceback" not in result.output
        assert result.stderr.splitlines() == [
            "project.yaml:8:20: models[0].training.gpu_power_w: 0.4 W per GPU is less than any "
            "training accelerator draws: kW? 0.4 kW is 400 W, typical of one GPU; give "
            "gpu_power_w in watts"
        ]
    assert not Path("out").exists()


@pytest.mark.parametrize(
    ("facts", "warning"),
    [
        (
            "gpu_power_w: 12\ncarbon_intensity_kg_per_kwh: 0.1",
            "project.yaml:8:20: models[0].training.gpu_power_w: 12 W per GPU is low for training "
            "hardware (a T4 draws at most 70 W): check that it is the average power of one GPU, "
            "in watts",
        ),
        (
            "gpu_power_w: 3200\ncarbon_intensity_kg_per_kwh: 0.1",
            "project.yaml:8:20: models[0].training.gpu_power_w: 3,200 W per GPU is more than a "
            "single accelerator's board power (an H100 SXM draws at most 700 W): is it a node's "
            "power? give the watts of one GPU",
        ),
        (
            "hardware: 8 x A100 SXM4 80GB\ngpu_power_w: 500\ncarbon_intensity_kg_per_kwh: 0.1",
            "project.yaml:9:20: models[0].training.gpu_power_w: 500 W per GPU is above the 400 W "
            "board power published for the NVIDIA A100 SXM4 80GB named in hardware: check the "
            "figure",
        ),
        (
            "gpu_power_w: 300\ncarbon_intensity_kg_per_kwh: 1.5",
            "project.yaml:9:36: models[0].training.carbon_intensity_kg_per_kwh: 1.5 kgCO2e/kWh "
            "is above the most carbon-intensive grids (coal power is about 1 kg/kWh): check the "
            "figure and its unit",
        ),
        (
            "gpu_power_w: 300\ncarbon_intensity_kg_per_kwh: 0.1\npue: 2.5",
            "project.yaml:10:12: models[0].training.pue: PUE 2.5 is above what data centres "
            "report (about 1.1 to 2): check the figure",
        ),
    ],
)
def test_a_suspicious_value_is_a_located_warning(write, facts: str, warning: str) -> None:
    from support import run

    write(training(f"gpu_hours: 10\n{facts}\n"))
    (result,) = carbon.footprints(loader.load("project.yaml"))
    assert result.warnings == [warning]
    assert result.as_json()["warnings"] == [warning]
    for command in ("carbon", "validate"):
        printed = run(command, "project.yaml")
        assert printed.exit_code == 0
        assert printed.stderr.splitlines() == [f"warning: {warning}"]
    assert run("validate", "project.yaml").stdout == "project.yaml: valid (0 datasets, 1 model)\n"


def test_plausible_values_warn_of_nothing(bigcode) -> None:
    assert [f.warnings for f in bigcode.values()] == [[], []]


# --- the power of a known accelerator, assumed --------------------------------------------------


def test_a_known_accelerator_gives_its_published_board_power(footprint) -> None:
    result = footprint(
        """
        hardware: 512 x NVIDIA A100-SXM4-80GB
        gpu_count: 256
        days: 11.8
        carbon_intensity_kg_per_kwh: 0.1
        """
    )
    source = (
        "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/"
        "nvidia-a100-datasheet-nvidia-us-2188504-web.pdf"
    )
    assert result.method == "computed"
    assert result.gpu_power_w == 400
    assert result.gpu_power_assumed == (
        "the published board power (TDP) of the NVIDIA A100 SXM4 80GB"
    )
    assert result.gpu_power_sources == [source]
    assert result.steps[1] == (
        "average power per GPU not stated: 400 W assumed, the published board power (TDP) of the "
        f"NVIDIA A100 SXM4 80GB named in hardware ({source}); a training run usually draws less, "
        "so the energy is an upper bound"
    )
    assert result.steps[2] == "IT energy = 72,499.2 GPU-h x 400 W / 1000 = 28,999.68 kWh"
    assert result.missing == []
    data = result.as_json()
    assert (data["gpu_power_w"], data["gpu_power_assumed"]) == (400, result.gpu_power_assumed)


def test_a_stated_power_is_not_an_assumption(footprint) -> None:
    result = footprint(
        "hardware: 8 x A100 SXM4 80GB\ngpu_hours: 10\ngpu_power_w: 280\n"
        "carbon_intensity_kg_per_kwh: 0.1\n"
    )
    assert (result.gpu_power_w, result.gpu_power_assumed, result.gpu_power_sources) == (
        280,
        None,
        [],
    )


def test_an_ambiguous_hardware_names_the_candidates(footprint) -> None:
    # An A100 80GB is 400 W as an SXM4 module and 300 W as a PCIe card: nothing is assumed.
    result = footprint(
        "hardware: 512 x A100 80GB\ngpu_hours: 10\ncarbon_intensity_kg_per_kwh: 0.1\n"
    )
    assert result.method == "incomplete"
    assert result.missing == ["gpu_power_w"]
    assert result.notes == [
        "the hardware '512 x A100 80GB' could be NVIDIA A100 SXM4 80GB (400 W) or NVIDIA A100 "
        "PCIe 80GB (300 W): name the board in hardware, or give gpu_power_w"
    ]
    assert result.consistency.message == (
        "cannot compute the footprint: missing gpu_power_w; " + result.notes[0]
    )


@pytest.mark.parametrize(
    ("hardware", "watts", "name"),
    [
        ("512 x A100 SXM4 80GB", 400, "NVIDIA A100 SXM4 80GB"),
        ("8 x NVIDIA A100-PCIE-40GB", 250, "NVIDIA A100 PCIe 40GB"),
        ("A100 PCI-E 80 GB", 300, "NVIDIA A100 PCIe 80GB"),
        ("A100 SXM4", 400, "NVIDIA A100 SXM4 40GB or NVIDIA A100 SXM4 80GB"),
        ("8x H100 SXM5", 700, "NVIDIA H100 SXM"),
        ("NVIDIA H100 PCIe", 350, "NVIDIA H100 PCIe"),
        ("Tesla V100-SXM2-16GB", 300, "NVIDIA V100 SXM2"),
        ("Tesla V100-PCIE-32GB", 250, "NVIDIA V100 PCIe"),
        ("NVIDIA A10", 150, "NVIDIA A10"),
        ("NVIDIA L4", 72, "NVIDIA L4"),
        ("Tesla T4", 70, "NVIDIA T4"),
        ("TPU v4-512", 192, "Google TPU v4 (per chip)"),
        ("TPUv4 pod", 192, "Google TPU v4 (per chip)"),
    ],
)
def test_known_accelerators(hardware: str, watts: float, name: str) -> None:
    found = accelerators.recognise(hardware)
    assert found is not None
    assert (found.watts, found.name) == (watts, name)


@pytest.mark.parametrize(
    ("hardware", "candidates"),
    [
        ("512 x A100 80GB", ["a100-sxm4-80gb", "a100-pcie-80gb"]),
        ("96 x Tesla V100", ["v100-sxm2", "v100-pcie"]),
        ("NVIDIA H100 80GB HBM3", ["h100-sxm", "h100-pcie"]),
        ("A100 SXM4 and H100 SXM", ["a100-sxm4-40gb", "a100-sxm4-80gb", "h100-sxm"]),
    ],
)
def test_ambiguous_accelerators(hardware: str, candidates: list[str]) -> None:
    found = accelerators.recognise(hardware)
    assert found is not None
    assert found.watts is None
    assert [board.id for board in found.boards] == candidates


@pytest.mark.parametrize("hardware", ["4 x A10G", "TPU v3-8", "CPU only", "8 x MI250X"])
def test_unknown_or_unsourced_accelerators_assume_nothing(hardware: str) -> None:
    # The A10G has no published board power: it is not in the table, and not an A10.
    assert accelerators.recognise(hardware) is None


def test_every_board_power_has_a_vendor_source_and_recognises_its_own_name() -> None:
    boards = accelerators.boards()
    assert len({board.id for board in boards}) == len(boards)
    for board in boards:
        assert board.source.startswith("https://"), board.id
        assert 50 <= board.watts <= 1000, board.id
        found = accelerators.recognise(board.name)
        assert found is not None and board in found.boards, board.id
