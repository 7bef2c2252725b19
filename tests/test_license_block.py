"""`govcard license show` and `govcard license list`: a license's terms as a model card block."""

from __future__ import annotations

import json

import pytest
from support import govcard_bounded, run

from govcard import license_block, licenses
from govcard.licenses import OBLIGATION_TEXT, LicenseInfo, Terms

RAIL = sorted(licenses.catalog())
TERMS = sorted(licenses.terms_catalog())
ALL = RAIL + TERMS
_NOT_TERMS = {
    "id",
    "hub_id",
    "name",
    "family",
    "derivatives",
    "version",
    "date",
    "url",
    "source",
    "aliases",
    "links",
    "other_terms",
}

# The Terms fields that hold one term each (a section and a quote); `other_terms` holds a list.
TERM_FIELDS = [name for name in Terms._fields if name not in _NOT_TERMS]


def show(license_id: str, *options: str) -> str:
    result = run("license", "show", license_id, *options)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


def catalog_terms(entry: Terms) -> list[tuple[str, str, str]]:
    """(id, section, quote) of every term of a terms-catalog entry."""
    found = [
        (name, term.section, term.quote)
        for name in TERM_FIELDS
        if (term := getattr(entry, name)) is not None
    ]
    return found + [(t.id, t.section, t.quote) for t in entry.other_terms]


def markdown_html(text: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")
    return str(markdown_it.MarkdownIt("commonmark").render(text))


def test_the_catalogs_are_not_empty_and_ids_do_not_clash() -> None:
    assert RAIL and TERMS
    assert not set(RAIL) & set(TERMS)


@pytest.mark.parametrize("license_id", ALL)
def test_every_license_renders_a_block(license_id: str) -> None:
    entry = license_block.lookup(license_id)
    assert entry is not None and entry.id == license_id
    text = show(license_id)
    assert text == license_block.markdown(entry)
    lines = text.splitlines()
    assert lines[:2] == [f"<!-- govcard license show {license_id} -->", "## License"]
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert f"]({entry.url})" in lines[3]
    assert "### Obligations when you share this model or a derivative" in lines
    assert "None" not in text and "\t" not in text
    # The same block through `--format markdown`.
    assert show(license_id, "--format", "markdown") == text


@pytest.mark.parametrize("license_id", TERMS)
def test_the_block_has_every_term_with_its_section(license_id: str) -> None:
    entry = licenses.terms(license_id)
    assert entry is not None
    text = show(license_id)
    for name, section, _quote in catalog_terms(entry):
        assert f"{section})" in text, (name, section)
    obligations = text.split("### Obligations when you share this model or a derivative\n\n")[1]
    bullets = obligations.split("\n\n")[0].splitlines()
    assert bullets and all(line.startswith("- **") for line in bullets)
    # Each bullet ends with the section that states it.
    assert all(line.endswith(")") for line in bullets)
    if entry.notice:
        assert f"`{entry.notice.text}`" in text
    if entry.display:
        assert all(f"“{phrase}”" in text for phrase in entry.display.phrases)
    if entry.name_prefix:
        assert f"“{entry.name_prefix.prefix}”" in text
    if entry.use_policy:
        assert f"[{entry.use_policy.name}]({entry.use_policy.url})" in text
    if entry.noncommercial:
        assert "non-commercial purposes only" in text
    if entry.family == "permissive":
        assert "places no use restrictions" in text


@pytest.mark.parametrize("license_id", RAIL)
def test_a_rail_block_has_the_restrictions_and_obligations_of_the_cards(license_id: str) -> None:
    info = licenses.rail(license_id)
    assert info is not None
    text = show(license_id)
    assert "### Use restrictions" in text
    for r in info.restrictions:
        # The wording of the rendered model cards (the `restrictions` macro).
        assert f"- **({r.id}) {r.title}.** {r.summary}\n" in text
    for name in info.obligations.stated():
        where = info.obligation_sections.get(name)
        assert OBLIGATION_TEXT[name] in text
        if where:
            assert f"{where})" in text
    if info.family_only:
        assert "without saying which variant" in text


def test_the_rail_restrictions_are_those_of_a_rendered_model_card() -> None:
    from govcard import render
    from govcard.derive import LicenseView

    info = licenses.rail("bigcode-openrail-m")
    assert info is not None
    macro = render.environment().from_string(
        '{% import "_macros.md.j2" as m %}{{ m.restrictions(license, "this model") }}'
    )
    expected = macro.render(license=LicenseView(info.id, info.name, info.url, info)).strip()
    assert expected in show("bigcode-openrail-m")


def test_a_llama_block_reads_as_a_fine_tuner_needs_it() -> None:
    text = show("llama3.1")
    assert "(`llama3.1`)" in text
    assert (
        "- **Attribution notice.** Keep this notice, word for word, in a “Notice” text file "
        "shipped with every copy: `Llama 3.1 is licensed under the Llama 3.1 Community License, "
        "Copyright © Meta Platforms, Inc. All Rights Reserved.` (§1.b.iii)\n"
    ) in text
    assert "“Built with Llama”" in text and "with “Llama”." in text
    assert "[Llama 3.1 Acceptable Use Policy](https://llama.meta.com/llama3_1/use-policy)" in text
    assert "### Other terms" in text and "700 million monthly active users" in text
    assert "### Use restrictions" not in text


@pytest.mark.parametrize("license_id", ALL)
def test_json_round_trips_and_lists_the_terms(license_id: str) -> None:
    entry = license_block.lookup(license_id)
    assert entry is not None
    output = show(license_id, "--format", "json")
    document = json.loads(output)
    assert document == license_block.as_json(entry)
    assert output == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert document["id"] == license_id
    assert document["url"] == entry.url
    terms = document["terms"]
    assert all(t["section"] is None or isinstance(t["section"], str) for t in terms)
    if isinstance(entry, Terms):
        listed = [(t["id"], t["section"], t["quote"]) for t in terms]
        assert sorted(listed) == sorted(catalog_terms(entry))
        assert document["family"] == entry.family
        assert document["derivatives"] == entry.derivatives
    else:
        assert isinstance(entry, LicenseInfo)
        restrictions = [t for t in terms if t["kind"] == "restriction"]
        assert [(t["id"], t["title"], t["text"]) for t in restrictions] == [
            (r.id, r.title, r.summary) for r in entry.restrictions
        ]
        obligations = [t["id"] for t in terms if t["kind"] == "obligation"]
        assert obligations == entry.obligations.stated()
        assert document["family"] == "rail"


def test_json_names_the_card_metadata() -> None:
    assert json.loads(show("llama3", "--format", "json"))["metadata"] == {"license": "llama3"}
    qwen = licenses.terms("qwen")
    assert qwen is not None and qwen.hub_id == "other"
    assert json.loads(show("qwen", "--format", "json"))["metadata"] == {
        "license": "other",
        "license_name": "qwen",
        "license_link": qwen.url,
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("LLAMA3.1", "llama3.1"),
        ("Llama-3.1", "llama3.1"),
        ("Llama 3.1 Community License", "llama3.1"),
        ("  gemma ", "gemma"),
        ("BigScience OpenRAIL-M", "bigscience-openrail-m"),
        ("openrail", "openrail"),
        ("openrail++", "openrail++"),
        ("Open RAIL++", "openrail++"),
        ("CC-BY-NC-4.0", "cc-by-nc-4.0"),
    ],
)
def test_lookup_takes_aliases_and_any_case(given: str, expected: str) -> None:
    entry = license_block.lookup(given)
    assert entry is not None and entry.id == expected
    assert show(given) == show(expected)


@pytest.mark.parametrize("license_id", ALL)
def test_every_alias_finds_its_license(license_id: str) -> None:
    entry = license_block.entries()[license_id]
    for alias in entry.aliases:
        found = license_block.lookup(alias)
        assert found is not None and found.id == license_id, alias


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("llama3.9", " (did you mean llama3.3?)"),
        ("bigscience-openrail", " (did you mean bigscience-openrail-m?)"),
        ("xyzzy", ""),
        ("gpl-3.0", ""),
    ],
)
def test_an_unknown_license_is_one_line_and_exit_2(given: str, hint: str) -> None:
    for options in ((), ("--format", "json")):
        result = run("license", "show", given, *options)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == (
            f"govcard license show: {given!r} is not a license govcard knows{hint}; "
            "see govcard license list\n"
        )


def test_an_unknown_license_with_control_characters_stays_on_one_line() -> None:
    result = run("license", "show", "evil\x1b[2J\nname")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "\x1b" not in result.stderr


def test_a_bad_format_is_a_usage_error() -> None:
    result = run("license", "show", "mit", "--format", "html")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_the_output_is_the_same_bytes_on_every_run() -> None:
    first = {i: (show(i), show(i, "--format", "json")) for i in ALL}
    assert first == {i: (show(i), show(i, "--format", "json")) for i in ALL}
    listing = run("license", "list").stdout
    assert listing == run("license", "list").stdout


@pytest.mark.parametrize("license_id", ["bigscience-openrail-m", "llama3.1", "cc-by-nc-sa-4.0"])
def test_a_new_process_prints_the_same_bytes(license_id: str) -> None:
    child = govcard_bounded("license", "show", license_id)
    assert child.returncode == 0, child.stderr
    assert child.stdout == show(license_id)


@pytest.mark.parametrize("license_id", ALL)
def test_the_block_makes_a_valid_hub_card(license_id: str) -> None:
    from huggingface_hub import ModelCard

    entry = license_block.lookup(license_id)
    assert entry is not None
    metadata = license_block.as_json(entry)["metadata"]
    front = "".join(f"{key}: {json.dumps(value)}\n" for key, value in metadata.items())
    block = show(license_id)
    card = ModelCard(f"---\n{front}---\n\n# my-finetune\n\n{block}")
    assert card.data.to_dict() == metadata
    assert block in card.text
    # As CommonMark (the Hub renders cards so): one h2, lists of bullets, links, no raw HTML
    # but the marker comment.
    html = markdown_html(block)
    assert html.count("<h2>") == 1 and "<h2>License</h2>" in html
    assert html.startswith("<!-- govcard license show ")
    assert f'<a href="{entry.url}">' in html
    assert html.count("<h3>") == block.count("\n### ")
    assert html.count("<li>") == sum(line.startswith("- ") for line in block.splitlines())
    assert "<script" not in html and "&lt;" not in html


def test_the_list_has_a_line_per_license() -> None:
    result = run("license", "list")
    assert result.exit_code == 0
    header, *lines = result.stdout.splitlines()
    assert header.split()[:3] == ["id", "family", "name"]
    assert [line.split()[0] for line in lines] == ALL
    for line in lines:
        entry = license_block.lookup(line.split()[0])
        assert entry is not None
        assert f"  {license_block.family(entry)}  " in line
        assert entry.name in line
        assert " ".join(entry.source.split()) in line


def test_the_list_as_json() -> None:
    result = run("license", "list", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)["licenses"]
    assert [row["id"] for row in rows] == ALL
    for row in rows:
        entry = license_block.lookup(row["id"])
        assert entry is not None
        assert row == {
            "id": entry.id,
            "name": entry.name,
            "family": license_block.family(entry),
            "url": entry.url,
            "source": entry.source,
        }
    assert {row["family"] for row in rows} >= {"rail", "llama", "permissive"}
