"""Grid carbon intensity by location, from codecarbon's bundled data, with its provenance.

codecarbon's lookups are internal classes (pinned to >=3.3,<4 and tested), and its public behaviour
falls back silently to the country or the world average when a region is unknown. Here every
location is checked against codecarbon's data first, so an unknown one is an error, never a guess.
codecarbon imports pandas, so it is imported only when a lookup is needed; it is the carbon extra
(`pip install 'govcard[carbon]'`), and a lookup without it raises `extras.MissingExtra`.
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
    """A grid carbon intensity and where it came from."""

    kg_per_kwh: float
    source: str
    """E.g. "codecarbon 3.3.2, EPA eGRID2023 (US states), 2023"."""
    place: str
    """The place it applies to, e.g. "Oregon, USA (AWS us-west-2)"."""


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
        return Intensity(found.kg_per_kwh, found.source, f"{found.place} ({label})")
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
        return Intensity(
            kg,
            f"{version}, Our World in Data energy mix (global_energy_mix.json), {year}",
            country_name,
        )
    name = region.lower()
    if country == "USA":
        states = data.get_country_emissions_data("usa")
        known = [k for k in states if not k.startswith("_")]
        dataset = f"{states['_source']['name'].split(',')[0]}, {states['_source']['year']}"
    elif country == "CAN":
        known = list(data.get_country_energy_mix_data("can"))
        dataset = "provincial generation mix (canada_energy_mix.json), 2023"
    else:
        raise UnknownLocation(
            f"codecarbon has regional data only for US states and Canadian provinces, not {country}; "
            "drop the region to use the country's intensity"
        )
    if name not in known:
        raise UnknownLocation(f"unknown region {region!r} in {country}{_did_you_mean(name, known)}")
    geo = GeoMetadata(country_iso_code=country, country_name=country_name, region=name)
    kg = _per_kwh(emissions.get_region_emissions, geo)
    return Intensity(kg, f"{version}, {dataset}", f"{name.title()}, {country_name}")
