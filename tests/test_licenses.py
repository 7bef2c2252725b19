"""The license catalog: the RAIL licenses' use restrictions and sharing obligations, as data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from importlib.resources import files

import pytest

from govcard import derive, licenses
from govcard.licenses import hub_license_ids
from govcard.schema import OtherLicense

RESTRICTION_IDS = {
    "bigcode-openrail-m": list("abcdefghijklmn"),
    "bigscience-openrail-m": list("abcdefghijklm"),
    "bigscience-bloom-rail-1.0": [str(n) for n in range(1, 14)],
    "creativeml-openrail-m": list("abcdefghijk"),
    "openrail++": list("abcdefghijk"),
    "openrail": [],
}
CATALOG = licenses.catalog()
ENTRIES = list(CATALOG.values())
IDS = [entry.id for entry in ENTRIES]


def test_catalog_holds_exactly_the_rail_licenses() -> None:
    assert sorted(CATALOG) == sorted(RESTRICTION_IDS)


def test_every_catalog_file_is_loaded_under_its_own_name() -> None:
    folder = files("govcard").joinpath("data/licenses")
    names = sorted(item.name for item in folder.iterdir() if item.name.endswith(".json"))
    assert names == sorted(f"{license_id}.json" for license_id in CATALOG)


@pytest.mark.parametrize("license_id", sorted(RESTRICTION_IDS))
def test_restrictions_are_those_of_the_license(license_id: str) -> None:
    entry = CATALOG[license_id]
    assert [r.id for r in entry.restrictions] == RESTRICTION_IDS[license_id]


def test_restriction_counts() -> None:
    assert {key: len(entry.restrictions) for key, entry in CATALOG.items()} == {
        "bigcode-openrail-m": 14,
        "bigscience-openrail-m": 13,
        "bigscience-bloom-rail-1.0": 13,
        "creativeml-openrail-m": 11,
        "openrail++": 11,
        "openrail": 0,
    }


def test_only_openrail_is_the_family_tag() -> None:
    assert [entry.id for entry in ENTRIES if entry.family_only] == ["openrail"]
    family = CATALOG["openrail"]
    assert list(family.restrictions) == []
    assert family.restrictions_section is None
    assert "variant unknown" in family.name


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_entry_is_well_formed(entry: licenses.LicenseInfo) -> None:
    assert entry.id in hub_license_ids()
    assert licenses.rail(entry.id) is entry
    assert entry.url.startswith("https://")
    assert isinstance(entry.date, dt.date)
    assert entry.name and entry.version
    if not entry.family_only:
        assert entry.restrictions_section == "Attachment A"


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_restrictions_are_complete(entry: licenses.LicenseInfo) -> None:
    ids = [r.id for r in entry.restrictions]
    assert len(ids) == len(set(ids))
    for restriction in entry.restrictions:
        assert restriction.title.strip() and restriction.title[0].isupper(), restriction.id
        assert restriction.summary.endswith("."), restriction.id
        assert "\n" not in restriction.summary, restriction.id


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_topics_are_unique_slugs(entry: licenses.LicenseInfo) -> None:
    topics = [r.topic for r in entry.restrictions]
    assert len(topics) == len(set(topics))
    assert [t for t in topics if not re.fullmatch(r"[a-z]+(-[a-z]+)*", t)] == []


def test_same_title_same_topic_across_licenses() -> None:
    topic_of: dict[str, set[str]] = {}
    for entry in ENTRIES:
        for restriction in entry.restrictions:
            topic_of.setdefault(restriction.title, set()).add(restriction.topic)
    assert {title: topics for title, topics in topic_of.items() if len(topics) > 1} == {}


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_obligation_sections_belong_to_stated_obligations(entry: licenses.LicenseInfo) -> None:
    stated = entry.obligations.stated()
    assert set(entry.obligation_sections) <= set(stated)
    assert set(entry.obligation_sections) == set(stated)


def test_every_rail_license_asks_to_pass_on_its_restrictions() -> None:
    for entry in ENTRIES:
        assert entry.obligations.restrictions_flow_down, entry.id
        assert entry.obligations.copy_of_license, entry.id
        assert entry.obligations.keep_notices, entry.id


def test_bigcode_obligations() -> None:
    obligations = CATALOG["bigcode-openrail-m"].obligations
    assert obligations.document_modifications is True
    assert obligations.keep_documentation is True
    assert obligations.change_notices is False
    assert obligations.use_latest_version is False
    assert obligations.stated() == [
        "restrictions_flow_down",
        "copy_of_license",
        "keep_documentation",
        "document_modifications",
        "keep_notices",
    ]


def test_openrail_plus_plus_has_no_use_latest_version() -> None:
    assert CATALOG["openrail++"].obligations.use_latest_version is False
    for license_id in (
        "bigscience-openrail-m",
        "bigscience-bloom-rail-1.0",
        "creativeml-openrail-m",
    ):
        assert CATALOG[license_id].obligations.use_latest_version is True, license_id


def test_obligation_text_covers_every_obligation() -> None:
    names = [f.name for f in dataclasses.fields(licenses.Obligations)]
    assert list(licenses.OBLIGATION_TEXT) == names
    for name, sentence in licenses.OBLIGATION_TEXT.items():
        assert sentence.endswith("."), name


def test_non_rail_license_has_no_catalog_entry() -> None:
    assert licenses.rail("apache-2.0") is None
    assert licenses.rail("mit") is None
    assert "apache-2.0" in hub_license_ids()
    assert "apache2" not in hub_license_ids()


def test_license_view_of_a_non_rail_license() -> None:
    view = derive.license_view("apache-2.0")
    assert view is not None
    assert view.rail is None
    assert view.id == "apache-2.0"
    assert view.name == hub_license_ids()["apache-2.0"]
    assert view.url is None
    assert view.other is False


def test_license_view_of_a_rail_license() -> None:
    view = derive.license_view("bigcode-openrail-m")
    assert view is not None
    assert view.rail is CATALOG["bigcode-openrail-m"]
    assert view.name == "BigCode Open RAIL-M v1"
    assert view.url == CATALOG["bigcode-openrail-m"].url


def test_license_view_of_other_and_none() -> None:
    view = derive.license_view(
        OtherLicense(id="other", name="my-license", link="https://example.org/l")
    )
    assert view is not None
    assert (view.id, view.name, view.url, view.rail, view.other) == (
        "other",
        "my-license",
        "https://example.org/l",
        None,
        True,
    )
    assert derive.license_view(None) is None
