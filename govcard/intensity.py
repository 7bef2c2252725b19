"""Grid carbon intensity by location, from codecarbon's bundled data, with its provenance.

codecarbon's lookups are internal classes (pinned to >=3.3,<4 and tested), and its public behaviour
falls back silently to the country or the world average when a region is unknown. Here every
location is checked against codecarbon's data first, so an unknown one is an error, never a guess.
codecarbon imports pandas, so it is imported only when a lookup is needed; it is the carbon extra,
and a lookup without it raises `extras.MissingExtra`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from govcard import extras
from govcard.schema import Location


class UnknownLocation(ValueError):
    """A location codecarbon has no intensity for."""


@dataclass(frozen=True)
class Intensity:
    """A grid carbon intensity, where it came from, and what kind of figure it is."""

    kg_per_kwh: float
    source: str
    """E.g. "codecarbon 3.3.2, EPA eGRID2023 (US states), 2023"."""
    place: str
    """The place it applies to, e.g. "Oregon, USA (AWS us-west-2)"."""
    basis: Basis


@dataclass(frozen=True)
class Basis:
    """What an intensity counts: a short label for tables, and the sentence that explains it."""

    label: str
    """E.g. "lifecycle", "fossil combustion only"."""
    explanation: str

    def __str__(self) -> str:
        return f"{self.label}: {self.explanation}"


LIFECYCLE = Basis(
    "lifecycle",
    "every source's emissions over its life cycle, hydro, nuclear and wind included (Ember, via "
    "Our World in Data)",
)
US_COMBUSTION = Basis(
    "combustion",
    "CO2e the state's power plants emit burning fuel (EPA eGRID), without lifecycle emissions",
)
FOSSIL_COMBUSTION = Basis(
    "fossil combustion only",
    "coal, oil and gas burned; hydro, nuclear, wind, solar and biomass count as zero, so it is "
    "below a lifecycle figure",
)
CHINA_GENERATION = Basis(
    "CO2 of generation",
    "CO2 only, without lifecycle emissions, averaged over the province's generation and its "
    "exchanges with other provinces (MEE/NBS)",
)
NORDIC_MIX = Basis(
    "generation mix",
    "the zone's production mix (ENTSO-E) times codecarbon's factor per source, lifecycle for "
    "low-carbon sources and combustion for fossil fuels; a lower bound where some generation has "
    "no factor",
)
FINLAND = Basis(
    "not documented",
    "one figure for Finland carried over from an earlier codecarbon release, its method not given",
)
COUNTRY_MIX = Basis(
    "generation mix",
    "the country's generation mix times codecarbon's factor per source, combustion for fossil "
    "fuels and lifecycle for the others",
)
GOOGLE = Basis(
    "lifecycle",
    "Google's published average for the region, from Electricity Maps with lifecycle factors",
)


def basis_of(country: str | None, region: str | None, cloud: str | None = None) -> Basis | None:
    """What codecarbon's bundled figure for a place counts (None for a place it has no data of),
    without importing codecarbon: for a place recorded in an emissions.csv."""
    if cloud == "gcp":
        return GOOGLE
    if country is None:
        return None
    country = country.upper()
    if not region:
        return LIFECYCLE
    if country == "USA":
        return US_COMBUSTION
    if country == "CAN":
        return FOSSIL_COMBUSTION
    if country == "CHN":
        return CHINA_GENERATION
    if region.upper() == "FI" and country == "FIN":
        return FINLAND
    if region.upper() in _NORDIC_ZONES.get(country, ()):
        return NORDIC_MIX
    return None


_NORDIC_ZONES = {
    "SWE": ("SE1", "SE2", "SE3", "SE4"),
    "NOR": ("NO1", "NO2", "NO3", "NO4", "NO5"),
    "FIN": ("FI",),
}
REGIONAL = (
    "US states (USA), Canadian provinces (CAN), Chinese provinces (CHN) and the Nordic bidding "
    "zones (SWE: SE1-SE4, NOR: NO1-NO5, FIN: FI)"
)


@dataclass(frozen=True)
class _CloudRegion:
    country: str
    region: str | None
    place: str


@cache
def cloud_regions() -> dict[tuple[str, str], _CloudRegion]:
    """AWS and Azure regions and where they are (govcard's data/cloud-regions.tsv)."""
    text = files("govcard").joinpath("data/cloud-regions.tsv").read_text(encoding="utf-8")
    regions = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            provider, region, country, subregion, place = line.split("\t")
            regions[(provider, region)] = _CloudRegion(country, subregion or None, place)
    return regions


def lookup(location: Location) -> Intensity:
    """The intensity at `location`; raises `UnknownLocation` naming what is known instead."""
    return _lookup(location.cloud, location.country, location.region)


@cache
def _lookup(cloud: str | None, country: str | None, region: str | None) -> Intensity:
    if cloud == "gcp":
        assert region is not None
        return _gcp(region)
    if cloud is not None:
        assert region is not None
        known = cloud_regions()
        where = known.get((cloud, region))
        if where is None:
            names = [r for (p, r) in known if p == cloud]
            raise UnknownLocation(
                f"unknown {cloud} region {region!r}{_did_you_mean(region, names)}"
            )
        found = _grid(where.country, where.region)
        label = f"{cloud.upper() if cloud == 'aws' else 'Azure'} {region}"
        return Intensity(found.kg_per_kwh, found.source, f"{found.place} ({label})", found.basis)
    assert country is not None
    return _grid(country, region)


def _did_you_mean(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _codecarbon() -> tuple[Any, Any, str]:
    """codecarbon's emissions calculator, its data and its version; every lookup starts here."""
    from importlib.metadata import version

    extras.require("carbon", "a grid intensity lookup by location")
    from codecarbon.core.emissions import Emissions
    from codecarbon.input import DataSource

    source = DataSource()  # type: ignore[no-untyped-call]
    return Emissions(source), source, f"codecarbon {version('codecarbon')}"


def _per_kwh(compute: Any, *args: Any) -> float:
    from codecarbon.core.units import Energy

    return float(compute(Energy.from_energy(kWh=1), *args))


def _gcp(region: str) -> Intensity:
    emissions, data, version = _codecarbon()
    from codecarbon.external.geography import CloudMetadata

    table = data.get_cloud_emissions_data()
    rows = table[(table["provider"] == "gcp") & (table["region"] == region)]
    if rows.empty:
        names = sorted(table.loc[table["provider"] == "gcp", "region"])
        raise UnknownLocation(f"unknown gcp region {region!r}{_did_you_mean(region, names)}")
    kg = _per_kwh(emissions.get_cloud_emissions, CloudMetadata(provider="gcp", region=region))
    row = rows.iloc[0]
    place = ", ".join(str(p) for p in (row["city"], row["country_name"]) if isinstance(p, str))
    return Intensity(
        kg,
        f"{version}, Google Cloud region carbon data (cloud/impact.csv)",
        f"{place} (GCP {region})",
        GOOGLE,
    )


def _grid(country: str, region: str | None) -> Intensity:
    emissions, data, version = _codecarbon()
    from codecarbon.external.geography import GeoMetadata

    mix = data.get_global_energy_mix_data()
    if country not in mix:
        raise UnknownLocation(
            f"codecarbon has no data for country {country!r}{_did_you_mean(country, list(mix))}; "
            "use an ISO 3166-1 alpha-3 code such as FRA, or give carbon_intensity_kg_per_kwh"
        )
    country_name = mix[country]["country_name"]
    if region is None:
        geo = GeoMetadata(country_iso_code=country, country_name=country_name)
        kg = _per_kwh(emissions.get_country_emissions, geo)
        year = mix[country].get("year")
        basis = LIFECYCLE if mix[country].get("carbon_intensity") is not None else COUNTRY_MIX
        return Intensity(
            kg,
            f"{version}, Our World in Data energy mix (global_energy_mix.json), {year}",
            country_name,
            basis,
        )
    regions = _regions(data, country)
    if regions is None:
        raise UnknownLocation(
            f"codecarbon has regional data only for {REGIONAL}, not {country}; drop the region "
            "to use the country's intensity"
        )
    key = region.upper() if country in _NORDIC_ZONES else " ".join(region.lower().split())
    if key not in regions.names:
        raise UnknownLocation(
            f"unknown region {region!r} in {country}{_did_you_mean(key, list(regions.names))}; "
            f"codecarbon has {', '.join(regions.listed)}"
        )
    geo = GeoMetadata(country_iso_code=country, country_name=country_name, region=key)
    kg = _per_kwh(emissions.get_region_emissions, geo)
    basis = FINLAND if country == "FIN" else regions.basis
    place = f"{regions.names[key]}, {country_name}"
    return Intensity(kg, f"{version}, {regions.dataset}", place, basis)


@dataclass(frozen=True)
class _Regions:
    names: dict[str, str]
    """Every accepted name (lowercase, or a bidding zone's code) and the name to print."""
    listed: list[str]
    """The names an error lists: one per region."""
    dataset: str
    basis: Basis


def _regions(data: Any, country: str) -> _Regions | None:
    """The regions codecarbon has figures for in `country`; None when it has none."""
    if country == "USA":
        states = data.get_country_emissions_data("usa")
        names = {k: k.title() for k in states if not k.startswith("_") and k != "usa"}
        source = states["_source"]
        dataset = f"{source['name'].split(',')[0]} (usa_emissions.json), {source['year']}"
        return _Regions(names, sorted(names), dataset, US_COMBUSTION)
    if country == "CAN":
        names = {k: k.title() for k in data.get_country_energy_mix_data("can")}
        dataset = "provincial generation mix (canada_energy_mix.json), 2023"
        return _Regions(names, sorted(names), dataset, FOSSIL_COMBUSTION)
    if country == "CHN":
        table = data.get_china_provincial_emissions_data()
        provinces = table["data"].values()
        names = {alias: p["description"] for p in provinces for alias in p["names"]}
        dataset = (
            "MEE/NBS provincial electricity CO2 emission factors "
            f"(china_provincial_emissions.json), {table['metadata']['year']}"
        )
        return _Regions(names, sorted(p["names"][0] for p in provinces), dataset, CHINA_GENERATION)
    if country in _NORDIC_ZONES:
        zones = data.get_nordic_country_energy_mix_data()["data"]
        names = {z: f"bidding zone {z}" for z in _NORDIC_ZONES[country] if z in zones}
        years = ", ".join(sorted({str(zones[z]["year"]) for z in names}))
        dataset = f"ENTSO-E generation per bidding zone (nordic_emissions.json), {years}"
        return _Regions(names, list(names), dataset, NORDIC_MIX)
    return None
