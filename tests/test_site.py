"""`govcard site`: the built MkDocs-Material site, offline, strict, escaped, replaced atomically.

Most tests write a small project.yaml into the test's own directory (see `workdir`) and run
`govcard site build` as a user would; the BigCode example is built once per module. Built pages
are read with `html.parser`, so a `<script>` counts only when it is a script element.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import run, snapshot

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"
EXAMPLE_MODELS = {
    "santacoder": "SantaCoder",
    "starcoderbase": "StarCoderBase",
    "starcoder": "StarCoder",
}
# Models of the example whose footprint govcard computes (StarCoder has no compute facts).
EXAMPLE_COMPUTED = ["SantaCoder", "StarCoderBase"]
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
SVG = "{http://www.w3.org/2000/svg}"
GOVCARD = [sys.executable, "-m", "govcard"]


# --- helpers -----------------------------------------------------------------------------------


def pages(site: Path) -> dict[str, str]:
    """Every HTML page of a built site, by relative path."""
    return {
        p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(site.rglob("*.html"))
    }


def leftovers(folder: Path) -> list[str]:
    """Hidden entries a build left behind (its work folder is `.<output>.*`)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


class Page(HTMLParser):
    """The parts of a page that matter here: script elements, loaded resources, handlers, links."""

    # Elements whose content a browser reads as text, not markup.
    RAW_TEXT = ("title", "textarea")

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.resources: list[tuple[str, str]] = []  # (tag, URL) the browser loads by itself
        self.links: list[str] = []  # <a href>
        self.handlers: list[tuple[str, str, str | None]] = []  # (tag, on* attribute, value)
        self.images: list[str] = []
        self._raw_text = 0
        self._script: dict[str, str | None] | None = None
        self._script_text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.RAW_TEXT:
            self._raw_text += 1
        if self._raw_text:
            return
        found = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name, value))
        if tag == "script":
            self._script, self._script_text = found, []
            if found.get("src"):
                self.resources.append((tag, str(found["src"])))
        elif tag == "link" and found.get("href"):
            self.resources.append((tag, str(found["href"])))
        elif tag in ("img", "source", "iframe", "embed", "video", "audio") and found.get("src"):
            self.resources.append((tag, str(found["src"])))
            if tag == "img":
                self.images.append(str(found["src"]))
        elif tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.RAW_TEXT:
            self._raw_text = max(0, self._raw_text - 1)
        elif tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._script_text)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)


def is_remote(url: str) -> bool:
    return bool(re.match(r"([a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE))


def table_after(page: str, heading_id: str) -> list[list[str]]:
    """The body rows of the first table after the heading with `heading_id`, as cell texts."""
    start = page.index(f'id="{heading_id}"')
    table = page[page.index("<tbody>", start) : page.index("</tbody>", start)]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL)
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str | None:
    """The page at `url`, or None while the server is not answering."""
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def poll(condition: Any, seconds: float, interval: float = 0.25) -> Any:
    """The first truthy value of `condition()` within `seconds`, else None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return None


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The BigCode example built into a fresh folder: `site/` and its MkDocs project `src/`."""
    folder = tmp_path_factory.mktemp("example")
    result = run(
        "site",
        "build",
        str(EXAMPLE),
        "-o",
        str(folder / "site"),
        "--keep-source",
        str(folder / "src"),
    )
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def built(write):
    """built(project_yaml, *options) -> the pages of `site build -o site`, by path."""

    def _built(text: str, *options: str) -> dict[str, str]:
        write(text)
        result = run("site", "build", "project.yaml", "-o", "site", *options)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("built the site in site"), result.stdout
        return pages(Path("site"))

    return _built


TWO_MODELS = """\
project: {name: Two}
models:
  - {id: a, name: Alpha, license: mit}
  - {id: b, name: Beta, license: apache-2.0}
"""


# --- the example site --------------------------------------------------------------------------


def test_example_site_has_every_page(example: Path) -> None:
    site = example / "site"
    expected = {
        "index.html",
        "governance.html",
        "datasets.html",
        "carbon.html",
        "license.html",
        "tags.html",
        *(f"models/{model}.html" for model in EXAMPLE_MODELS),
    }
    assert expected <= set(pages(site))
    assert (site / "assets" / "carbon.svg").is_file()
    assert (site / "search" / "search_index.json").is_file()
    assert not (site / "models" / "santacoder").exists()  # no directory URLs


def test_internal_links_end_in_html(example: Path) -> None:
    site = example / "site"
    for name, text in pages(site).items():
        for href in Page(text).links:
            if is_remote(href) or href.startswith(("#", "mailto:")):
                continue
            path = href.split("#")[0].split("?")[0]
            if not path:
                continue
            # Pages, images, and the facts to download.
            assert path.endswith((".html", ".svg", ".png", ".yaml", ".json")), (name, href)
            assert (site / Path(name).parent / path).resolve().is_file(), (name, href)
    index = Page(pages(site)["index.html"]).links
    for model in EXAMPLE_MODELS:
        assert f"models/{model}.html" in index


def test_generated_mkdocs_yml_is_plain_and_offline(example: Path) -> None:
    config = yaml.safe_load((example / "src" / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["use_directory_urls"] is False
    assert config["theme"]["name"] == "material"
    assert config["theme"]["font"] is False
    assert config["plugins"] == ["search", "tags"]
    assert config["validation"] == {
        "omitted_files": "warn",
        "absolute_links": "warn",
        "unrecognized_links": "warn",
        "anchors": "warn",
    }
    assert "hooks" not in config
    assert "site_url" not in config  # not known without --site-url
    # The stylesheet and theme overrides are files of the project, not downloads.
    assert config["extra_css"] == ["stylesheets/govcard.css"]
    assert (example / "src" / "docs" / "stylesheets" / "govcard.css").is_file()
    assert "extra_javascript" not in config
    assert config["theme"]["custom_dir"] == "overrides"
    assert sorted(
        p.relative_to(example / "src").as_posix() for p in (example / "src").iterdir()
    ) == [
        ".govcard.json",  # govcard's marker: the next build may replace this folder
        "docs",
        "mkdocs.yml",
        "overrides",
    ]


def test_palette_follows_the_system_setting_with_a_toggle(example: Path) -> None:
    config = yaml.safe_load((example / "src" / "mkdocs.yml").read_text(encoding="utf-8"))
    palette = config["theme"]["palette"]
    assert [(p["media"], p["scheme"]) for p in palette] == [
        ("(prefers-color-scheme: light)", "default"),
        ("(prefers-color-scheme: dark)", "slate"),
    ]
    assert all(p["toggle"]["name"] for p in palette)


def test_no_page_loads_anything_from_another_host(example: Path) -> None:
    site = example / "site"
    for name, text in pages(site).items():
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, name
        page = Page(text)
        assert page.resources, name
        remote = [(tag, url) for tag, url in page.resources if is_remote(url)]
        assert remote == [], name
    for css in site.rglob("*.css"):
        urls = re.findall(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", css.read_text())
        assert [u for u in urls if is_remote(u)] == [], css.name


@pytest.mark.parametrize("model_id", sorted(EXAMPLE_MODELS))
def test_model_page_shows_hub_metadata_as_a_table(example: Path, model_id: str) -> None:
    page = (example / "site" / "models" / f"{model_id}.html").read_text(encoding="utf-8")
    assert "model-index:" not in page
    assert "\n---\n" not in page and "<hr" not in page
    assert "license: bigcode-openrail-m" not in page
    assert re.search(
        r"<tr>\s*<td><code>license</code></td>\s*<td>bigcode-openrail-m</td>\s*</tr>", page
    ), page
    assert re.search(r"<td><code>library_name</code></td>\s*<td>transformers</td>", page)
    heading = re.search(r"<h1[^>]*>(.*?)<", page)
    assert heading is not None and heading[1] == EXAMPLE_MODELS[model_id]


def test_model_page_reports_emissions_and_evaluation_in_words(example: Path) -> None:
    page = (example / "site" / "models" / "starcoderbase.html").read_text(encoding="utf-8")
    # The Hub metadata carries the figure BigCode published, 16.68 t.
    assert re.search(r"<td><code>co2_eq_emissions</code></td>\s*<td>16,680,000 g \(16.68 t\)", page)
    assert re.search(
        r"<td><code>model-index</code></td>\s*<td>1 evaluation result \(see Evaluation\)</td>", page
    )


def test_carbon_page_embeds_the_chart(example: Path) -> None:
    site = example / "site"
    page = Page((site / "carbon.html").read_text(encoding="utf-8"))
    assert "assets/carbon.svg" in page.images
    chart = ET.parse(site / "assets" / "carbon.svg").getroot()
    assert chart.tag == f"{SVG}svg"
    bars = [e for e in chart.iter(f"{SVG}rect") if e.get("class") == "bar"]
    assert len(bars) == len(EXAMPLE_COMPUTED)
    labels = [e.text for e in chart.iter(f"{SVG}text") if e.get("class") == "name"]
    assert labels == EXAMPLE_COMPUTED
    widths = [float(bar.get("width", "0")) for bar in bars]
    assert widths[1] > widths[0] > 0  # StarCoderBase emitted about 100 times more


def test_chart_escapes_model_names(built) -> None:
    built(
        f"""\
        project: {{name: P}}
        models:
          - id: m
            name: "{SCRIPT} & M"
            training: {{gpu_hours: 10, gpu_power_w: 300, pue: 1.1, carbon_intensity_kg_per_kwh: 0.2}}
          - {{id: n, name: N}}
        """
    )
    raw = Path("site/assets/carbon.svg").read_text(encoding="utf-8")
    assert "<script" not in raw
    assert f"{ESCAPED_SCRIPT} &amp; M" in raw
    chart = ET.fromstring(raw)
    assert [e for e in chart.iter() if e.tag in ("script", f"{SVG}script")] == []
    assert len([e for e in chart.iter(f"{SVG}rect") if e.get("class") == "bar"]) == 1
    assert f"{SCRIPT} & M" in [e.text for e in chart.iter(f"{SVG}text")]


# --- the home page, what is not disclosed, provenance, glossary, citation -----------------------


def cells_with_links(page: str, heading_id: str) -> list[list[str]]:
    """Like `table_after`, with each link shown as `text (href)`."""
    start = page.index(f'id="{heading_id}"')
    table = page[page.index("<tbody>", start) : page.index("</tbody>", start)]
    linked = re.sub(r'<a href="([^"]*)"[^>]*>(.*?)</a>', r"\2 (\1)", table)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", linked, re.DOTALL)
    ]


def test_home_lists_every_model_at_a_glance(example: Path) -> None:
    page = (example / "site" / "index.html").read_text(encoding="utf-8")
    license = "BigCode Open RAIL-M v1 (license.html#license-bigcode-openrail-m)"
    assert cells_with_links(page, "models") == [
        [
            "SantaCoder (models/santacoder.html)",
            "1.1B",
            license,
            "—",
            "—",
            "149.1 kg",
            "124 kg",
            "disagree (carbon.html#carbon-santacoder)",
            "bigcode/santacoder (https://huggingface.co/bigcode/santacoder)",
        ],
        [
            "StarCoderBase (models/starcoderbase.html)",
            "15.5B",
            license,
            "—",
            "2023-05-04",
            "16.67 t",
            "16.68 t",
            "agree (carbon.html#carbon-starcoderbase)",
            "bigcode/starcoderbase (https://huggingface.co/bigcode/starcoderbase)",
        ],
        [
            "StarCoder (models/starcoder.html)",
            "15.5B",
            license,
            "StarCoderBase (models/starcoderbase.html)",
            "2023-05-04",
            "—",
            "—",
            "—",
            "bigcode/starcoder (https://huggingface.co/bigcode/starcoder)",
        ],
    ]
    site = example / "site"
    for target in ("carbon.html#carbon-santacoder", "license.html#license-bigcode-openrail-m"):
        name, anchor = target.split("#")
        assert f'id="{anchor}"' in (site / name).read_text(encoding="utf-8"), target


def test_home_lists_every_dataset_with_its_opt_out(example: Path) -> None:
    page = (example / "site" / "index.html").read_text(encoding="utf-8")
    in_the_stack = "Am I in The Stack? (https://huggingface.co/spaces/bigcode/in-the-stack)"
    assert cells_with_links(page, "datasets") == [
        [
            "The Stack (datasets.html#dataset-the-stack)",
            "6.4 TB (version 1.2)",
            "44 people (as of 2023-02-09); requests up to 2023-02-09 removed from version 1.2",
            in_the_stack,
        ],
        ["StarCoderData (datasets.html#dataset-starcoderdata)", "783 GB", "—", in_the_stack],
    ]
    assert 'id="dataset-the-stack"' in (example / "site" / "datasets.html").read_text("utf-8")
    figures = table_after(page, "participation")
    assert ["Participants", "675"] in figures and ["Countries", "62"] in figures


def test_home_leaves_out_columns_no_row_has(built) -> None:
    site = built(
        "project: {name: P}\n"
        "datasets:\n  - {id: d, name: D, languages: [en, fr]}\n"
        "models:\n  - {id: m, name: M, parameters: 999999999, license: mit}\n"
    )
    home = site["index.html"]
    assert re.findall(r"<th[^>]*>(.*?)</th>", home)[:5] == [
        "Model",
        "Parameters",
        "License",
        "Dataset",
        "Languages",
    ]
    assert cells_with_links(home, "models") == [
        ["M (models/m.html)", "1B", "MIT (license.html#license-mit)"]
    ]
    assert cells_with_links(home, "datasets") == [["D (datasets.html#dataset-d)", "en, fr"]]


def test_not_disclosed_page_lists_what_render_and_gaps_report(built) -> None:
    text = "project: {name: Sparse}\nmodels:\n  - {id: m, name: M}\n"
    page = built(text)["not-disclosed.html"]
    rendered = run("render", "project.yaml", "-o", "out")
    card_gaps = [line.removeprefix("gap: ") for line in rendered.stderr.splitlines()]
    assert card_gaps and all(line.startswith("models[m]: ") for line in card_gaps)
    assert table_after(page, "in-the-cards") == [
        gap.replace(": ", "\0", 1).split("\0") for gap in card_gaps
    ]
    listed = run("gaps", "project.yaml", "--for", "eu").stdout.splitlines()[:-1]
    rows = table_after(page, "for-the-eu-ai-act-documents")
    assert len(rows) == len(listed) > 0
    for row, line in zip(rows, listed, strict=True):
        path, what = row[1], row[2]
        assert line.split(": ", 1)[1] == f"{path}: {what} ({row[3]})"


def test_not_disclosed_page_says_when_nothing_is_missing(built) -> None:
    page = built("project: {name: Only}\n")["not-disclosed.html"]
    assert "The Governance Card and model cards lack nothing govcard looks for." in page


def test_every_page_shows_the_facts_provenance(example: Path) -> None:
    site = example / "site"
    from govcard import __version__

    every = pages(site)
    assert "404.html" in every
    for name, page in every.items():
        block = page[page.index('<aside class="govcard-provenance') :]
        block = block[: block.index("</aside>")]
        assert '<time datetime="2023-12-06">2023-12-06</time>' in block, name
        assert f"govcard {__version__}" in block, name
        links = Page(block).links
        for download in ("project.yaml", "governance.json", "cite.html"):
            (href,) = [link for link in links if link.endswith(download)]
            assert (site / Path(name).parent / href).resolve().is_file(), (name, href)
    assert (site / "project.yaml").read_bytes() == EXAMPLE.read_bytes()
    governance = json.loads((site / "governance.json").read_text(encoding="utf-8"))
    assert governance["facts"]["project"]["as_of"] == "2023-12-06"


def test_facts_without_a_date_say_so_and_never_use_the_build_date(built) -> None:
    site = built("project: {name: Undated}\n")
    for name, page in site.items():
        assert "The facts do not say what date they are as of" in page, name
        assert "<time" not in page, name
    assert "year =" not in site["cite.html"] and "date-released" not in site["cite.html"]


def test_two_builds_are_byte_identical(workdir: Path) -> None:
    for folder in ("one", "two"):
        assert run("site", "build", str(EXAMPLE), "-o", folder).exit_code == 0
    one, two = snapshot(Path("one")), snapshot(Path("two"))
    assert "index.html" in one and "search/search_index.json" in one
    assert one == two


def test_cite_page_builds_an_entry_from_the_facts(example: Path) -> None:
    src = (example / "src" / "docs" / "cite.md").read_text(encoding="utf-8")
    from govcard import __version__

    assert (
        "```bibtex\n"
        "@misc{bigcode_governance,\n"
        "  title = {BigCode governance: the Governance Card, model cards and carbon account},\n"
        "  author = {{Hugging Face} and {ServiceNow}},\n"
        "  year = 2023,\n"
        "  url = {https://www.bigcode-project.org},\n"
        f"  note = {{Generated by govcard {__version__} from the facts as of 2023-12-06}}\n"
        "}\n"
        "```\n"
    ) in src
    cff = yaml.safe_load(src.split("```yaml\n")[1].split("```")[0])
    assert cff["authors"] == [{"name": "Hugging Face"}, {"name": "ServiceNow"}]
    assert cff["date-released"] == "2023-12-06"
    assert "To cite StarCoder itself:" in src  # the models' own citations follow


def test_cite_entry_escapes_bibtex(built) -> None:
    built('project: {name: "R&D {Lab} 100%", organizations: [{name: "A_B #1"}]}\n')
    src = Path("site/cite.html").read_text(encoding="utf-8")
    assert "@misc{r_d_lab_100_governance," in src
    assert r"title = {R\&amp;D \{Lab\} 100\% governance" in src
    assert r"author = {{A\_B \#1}}" in src


def test_glossary_terms_are_explained_where_they_are_used(example: Path) -> None:
    site = example / "site"
    from govcard.site import GLOSSARY

    glossary = (site / "glossary.html").read_text(encoding="utf-8")
    for term in GLOSSARY:
        assert re.search(rf'<h2 id="{term.anchor}"[^>]*>{re.escape(term.term)}<', glossary), term
    carbon = (site / "carbon.html").read_text(encoding="utf-8")
    # The first use links to the term's entry, its text still an abbreviation with the definition.
    for name in ("PUE", "CO2eq"):
        term = next(t for t in GLOSSARY if t.term == name)
        linked = (
            f'<a href="glossary.html#{term.anchor}"><abbr title="{term.definition}">{name}</abbr>'
        )
        assert carbon.count(linked) == 1, name
        assert carbon.count(f'<abbr title="{term.definition}">{name}</abbr>') > 1, name
    # A nested page links up to the glossary. (Every glossary link's anchor exists: the strict
    # build fails on a link to a missing anchor.)
    model = Page((site / "models" / "starcoderbase.html").read_text(encoding="utf-8"))
    assert "../glossary.html#pue" in model.links
    for name, page in pages(site).items():
        # The definitions are not left as text on any page.
        assert "*[PUE]" not in page, name
        links = [href for href in Page(page).links if "glossary.html#" in href]
        assert len(links) == len(set(links)), name  # once a page, at the first use
    assert [h for h in Page(glossary).links if "glossary.html#" in h] == []


def glossary_linked(page: str, relative: str = "page.md") -> str:
    from govcard.site import glossary_links

    return glossary_links(page, relative)


def test_first_use_of_a_term_links_to_the_glossary() -> None:
    page = "PUE and CO2eq; then PUE again.\n\nLater, PUE and carbon intensity.\n"
    assert glossary_linked(page) == (
        "[PUE](glossary.md#pue) and [CO2eq](glossary.md#co2eq); then PUE again.\n\n"
        "Later, PUE and [carbon intensity](glossary.md#carbon-intensity).\n"
    )


@pytest.mark.parametrize("relative", ["models/starcoder.md", "eu/model-documentation.md"])
def test_nested_page_links_up_to_the_glossary(relative: str) -> None:
    assert glossary_linked("The PUE.", relative) == "The [PUE](../glossary.md#pue)."


def test_page_without_a_term_is_unchanged() -> None:
    page = "---\ntitle: T\n---\n\n# T\n\nNothing to explain (not PUEs, pue, GitHub).\n"
    assert glossary_linked(page) == page


# Places where a term is not running text; in each, the term stays as it is, and the next use in
# running text is linked instead.
NOT_RUNNING_TEXT = {
    "front matter": "---\ntitle: PUE\n\ntags: [PUE]\n---",
    "heading": "## PUE and more",
    "heading with an id": "## PUE { #pue-figure }",
    "setext heading": "PUE\n---",
    "fenced code": "```\nPUE = 1.2\n```",
    "fence in a longer fence": "~~~~\n~~~\nPUE\n~~~~",
    "indented code": "Text.\n\n    PUE = 1.2\n\n        PUE",
    "indented code in a list": "- item\n\n        PUE = 1.2",
    "indented code after a list": "- item\n\nText.\n\n    PUE = 1.2",
    "code span": "The `PUE` value.",
    "code span of two backticks": "The ``a ` PUE`` value.",
    "code element": "The <code>PUE</code> value.",
    "link text": "The [PUE figure](https://example.org) and [a [PUE] b](x.md).",
    "link target": "The [figure](https://example.org/PUE).",
    "reference link": "The [PUE][ref].\n\n[ref]: https://example.org/PUE",
    "image": "![PUE chart](chart.svg)",
    "HTML link": 'See <a href="x.html">the PUE</a>.',
    "HTML attribute": 'See <span title="PUE">this</span>.',
    "HTML block": "<div>\nPUE\n</div>",
    "autolink": "See <https://example.org/PUE>.",
    "bare URL": "See https://example.org/PUE now.",
    "attribute list": 'A paragraph.\n{: title="PUE" }',
    "abbreviation": "*[PUE]: Power usage effectiveness",
    "blockquote": "> PUE",
    "other words": "PUEs, pue, xPUE, PUE-like, !PUE and [x]PUE.",
}


@pytest.mark.parametrize("case", sorted(NOT_RUNNING_TEXT))
def test_term_is_linked_only_in_running_text(case: str) -> None:
    page = NOT_RUNNING_TEXT[case] + "\n\nThen PUE.\n"
    assert glossary_linked(page) == NOT_RUNNING_TEXT[case] + "\n\nThen [PUE](glossary.md#pue).\n"


@pytest.mark.parametrize(
    ("text", "linked"),
    [
        ("| Figure | PUE |", "| Figure | [PUE](glossary.md#pue) |"),
        ("- a\n    - the **PUE**", "- a\n    - the **[PUE](glossary.md#pue)**"),
        ("- a\n\n    the PUE", "- a\n\n    the [PUE](glossary.md#pue)"),
        ("Text\n    the PUE", "Text\n    the [PUE](glossary.md#pue)"),
        (r"An \[PUE\] in brackets", r"An \[[PUE](glossary.md#pue)\] in brackets"),
        ("Text.\n\n    ```\n\nThe PUE", "Text.\n\n    ```\n\nThe [PUE](glossary.md#pue)"),
    ],
    ids=[
        "table cell",
        "nested list item",
        "list paragraph",
        "continued line",
        "escaped brackets",
        "after a fence in indented code",
    ],
)
def test_term_in_running_text_is_linked(text: str, linked: str) -> None:
    assert glossary_linked(text) == linked


def test_license_terms_are_shown_once_and_linked_from_the_models(example: Path) -> None:
    site = example / "site"
    restriction = "You agree not to use them in these ways"
    shown = [name for name, page in pages(site).items() if restriction in page]
    # The Governance Card is a document of its own: it keeps its License section.
    assert shown == ["governance.html", "license.html"]
    for model in EXAMPLE_MODELS:
        page = Page((site / "models" / f"{model}.html").read_text(encoding="utf-8"))
        assert "../license.html#license-bigcode-openrail-m" in page.links, model
    # The model cards for the Hub still carry the terms in full.
    result = run("render", str(EXAMPLE), "-o", str(example / "cards"))
    assert result.exit_code == 0
    card = (example / "cards" / "models" / "starcoder" / "README.md").read_text(encoding="utf-8")
    assert "You agree not to use them in these ways" in card


def test_404_links_are_relative_unless_the_site_url_is_known(write, workdir: Path) -> None:
    write(TWO_MODELS)
    assert run("site", "build", "project.yaml", "-o", "here").exit_code == 0
    relative = Page(Path("here/404.html").read_text(encoding="utf-8"))
    assert "./assets/stylesheets/" in " ".join(url for _, url in relative.resources)
    assert all(not url.startswith("/") for _, url in relative.resources)
    assert all(not link.startswith("/") for link in relative.links)
    result = run(
        "site", "build", "project.yaml", "-o", "there", "--site-url", "https://example.org/gov"
    )
    assert result.exit_code == 0, result.output
    absolute = Page(Path("there/404.html").read_text(encoding="utf-8"))
    stylesheets = [url for tag, url in absolute.resources if url.endswith(".css")]
    assert stylesheets and all(url.startswith("/gov/") for url in stylesheets)
    assert "/gov/index.html" in absolute.links


@pytest.mark.parametrize("url", ["example.org/gov", "ftp://example.org/", "https://x.org/?a=1"])
def test_site_url_must_be_a_web_address(write, workdir: Path, url: str) -> None:
    write(TWO_MODELS)
    result = run("site", "build", "project.yaml", "-o", "site", "--site-url", url)
    assert result.exit_code == 2
    assert "give the site's address as http(s)://host/path/" in result.stderr
    assert not Path("site").exists()


def test_pages_opened_from_disk_say_search_needs_a_server(example: Path) -> None:
    home = (example / "site" / "index.html").read_text(encoding="utf-8")
    assert '<p class="govcard-from-disk" hidden>' in home
    assert "govcard site serve project.yaml" in home


# --- escaping: a fact is text on every page ----------------------------------------------------

HOSTILE_FIELDS = {
    "project-name": (
        'project: {name: "<script>alert(1)</script>"}\nmodels:\n  - {id: m, name: M}\n',
        ["index.html"],
    ),
    "model-name": (
        'project: {name: P}\nmodels:\n  - {id: m, name: "<script>alert(1)</script>"}\n',
        ["index.html", "models/m.html"],
    ),
    "dataset-name": (
        'project: {name: P}\ndatasets:\n  - {id: d, name: "<script>alert(1)</script>"}\n',
        ["datasets.html"],
    ),
    "descriptions": (
        "project: {name: P, description: '<script>alert(1)</script>'}\n"
        "datasets:\n  - {id: d, name: D, description: '<script>alert(1)</script>'}\n"
        "models:\n  - {id: m, name: M, description: '<script>alert(1)</script>'}\n",
        ["index.html", "datasets.html", "models/m.html"],
    ),
}


@pytest.mark.parametrize("field", sorted(HOSTILE_FIELDS))
def test_script_in_a_fact_is_text_on_every_page(built, field: str) -> None:
    text, shown_on = HOSTILE_FIELDS[field]
    site = built(text)
    for name in shown_on:
        assert ESCAPED_SCRIPT in site[name], name
    problems = []
    for name, page in site.items():
        scripts = [body for _, body in Page(page).scripts if "alert(1)" in body]
        lines = [line.strip() for line in page.splitlines() if SCRIPT in line]
        if scripts or lines:
            problems.append(
                f"{name}: {len(scripts)} <script> element(s) run the fact; the raw tag is on "
                f"{len(lines)} line(s), e.g. {lines[-1][:100]!r}"
            )
    assert problems == [], "\n".join(problems)


def test_quote_in_the_project_name_adds_no_attribute(built) -> None:
    site = built("""project: {name: 'Q" onmouseover="alert(2)'}\nmodels:\n  - {id: m, name: M}\n""")
    problems = [
        f"{name}: <{tag} {attr}={value!r}>"
        for name, page in site.items()
        for tag, attr, value in Page(page).handlers
        if "alert(2)" in (value or "")
    ]
    assert problems == [], "\n".join(problems)


class Decoded(HTMLParser):
    """A page as a browser reads it: every text and attribute value, with entities decoded."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.titles: list[str] = []
        self._in_title = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_title = tag == "title"
        self.attributes += [(tag, name, value) for name, value in attrs if value is not None]

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self._in_title:
            self.titles.append(data)


def test_titles_are_escaped_once(built) -> None:
    site = built(
        """\
        project: {name: "R&D <Lab>"}
        models:
          - {id: a, name: "Alpha & Co", license: mit}
          - {id: b, name: "<Beta> & \\"B\\"", license: mit}
        """,
        "--keep-source",
        "src",
    )
    problems = []
    for name, page in site.items():
        decoded = Decoded(page)
        for text in decoded.texts:
            if re.search(r"&(amp|lt|gt|quot|#x?[0-9a-f]+);", text):
                problems.append(f"{name}: text {text.strip()[:80]!r}")
        for tag, attribute, value in decoded.attributes:
            if re.search(r"&(amp|lt|gt|quot|#x?[0-9a-f]+);", value):
                problems.append(f"{name}: <{tag} {attribute}={value!r}>")
    assert problems == [], "escaped twice:\n" + "\n".join(problems)
    home = Decoded(site["index.html"])
    assert home.titles == ["R&D <Lab> governance"]
    assert ("a", "title", "R&D <Lab> governance") in home.attributes  # the logo's tooltip
    alpha = Decoded(site["models/a.html"])
    assert alpha.titles == ["Alpha & Co - R&D <Lab> governance"]
    shown = [text.strip() for text in alpha.texts]
    assert "Alpha & Co" in shown and '<Beta> & "B"' in shown  # the navigation
    # The kept MkDocs project holds them escaped: another tool that prints them raw stays safe.
    config = yaml.safe_load(Path("src/mkdocs.yml").read_text(encoding="utf-8"))
    assert config["site_name"] == "R&amp;D &lt;Lab&gt; governance"


# --- strict, atomic builds ---------------------------------------------------------------------

BROKEN_LINKS = {
    "missing-page": (
        "[the plan](nowhere.md)",
        "Doc file 'index.md' contains a link 'nowhere.md', but the target is not found among documentation files.",
    ),
    "missing-anchor": (
        "[the chart](carbon.md#no-such-anchor)",
        "Doc file 'index.md' contains a link 'carbon.md#no-such-anchor', but the doc 'carbon.md' does not contain an anchor '#no-such-anchor'.",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_LINKS))
def test_warning_stops_the_build_and_keeps_the_old_site(write, workdir: Path, case: str) -> None:
    link, warning = BROKEN_LINKS[case]
    write(TWO_MODELS)
    assert run("site", "build", "project.yaml", "-o", "site").exit_code == 0
    before = snapshot(Path("site"))
    write(f"# {{{{ project.name }}}}\n\nSee {link}.\n", "mine/site/index.md.j2")
    write(TWO_MODELS.replace("Two", "Changed"))
    result = run("site", "build", "project.yaml", "-o", "site", "--template-dir", "mine")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    message = result.stderr.rstrip("\n")
    assert re.fullmatch(
        r"the generated site \(keep it with --keep-source to inspect it\): the site did not build cleanly: .+",
        message,
    ), message
    assert warning in message
    assert "Traceback" not in result.output
    assert snapshot(Path("site")) == before
    assert leftovers(workdir) == []


def test_broken_site_template_keeps_no_half_built_output(write, workdir: Path) -> None:
    write(TWO_MODELS)
    write("# {{ project.name }}\n\n[gone](gone.md)\n", "mine/site/index.md.j2")
    result = run("site", "build", "project.yaml", "-o", "site", "--template-dir", "mine")
    assert result.exit_code == 2
    assert not Path("site").exists()
    assert leftovers(workdir) == []


@pytest.mark.parametrize("foreign", ["notes.txt", "docs/index.md", "search/other.json"])
def test_folder_with_foreign_files_is_refused(write, workdir: Path, foreign: str) -> None:
    write(TWO_MODELS)
    write("mine\n", f"site/{foreign}")
    before = snapshot(Path("site"))
    result = run("site", "build", "project.yaml", "-o", "site")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"site: holds files govcard did not write ({foreign.split('/')[0]}); "
        "build the site into an empty or new directory, or one govcard built\n"
    )
    assert "Traceback" not in result.output
    assert snapshot(Path("site")) == before
    assert leftovers(workdir) == []


USER_FOLDERS = {
    "notes": {"notes.md": "my own notes\n"},
    # An MkDocs project of the user's, under git: it has a mkdocs.yml, as a govcard source does.
    "mkdocs-project": {
        "mkdocs.yml": "site_name: Mine\n",
        "docs/index.md": "# Mine\n",
        ".git/HEAD": "ref: refs/heads/main\n",
        "notes.md": "my own notes\n",
    },
}


@pytest.mark.parametrize("folder", sorted(USER_FOLDERS))
def test_keep_source_folder_with_foreign_files_is_kept(write, workdir: Path, folder: str) -> None:
    # --keep-source is "also keep the generated MkDocs project here": a folder of the user's own
    # (say, their docs/) must be refused as the output folder is, not deleted.
    write(TWO_MODELS)
    for name, text in USER_FOLDERS[folder].items():
        write(text, f"mine/{name}")
    before = snapshot(Path("mine"))
    result = run("site", "build", "project.yaml", "-o", "site", "--keep-source", "mine")
    assert snapshot(Path("mine")) == before, "the user's files in the --keep-source folder changed"
    assert result.exit_code == 2, result.output
    names = sorted({name.split("/")[0] for name in USER_FOLDERS[folder]})
    shown = ", ".join(names[:3] + ([f"{len(names) - 3} more"] if len(names) > 3 else []))
    assert result.stderr == (
        f"mine: holds files govcard did not write ({shown}); "
        "keep the source in an empty or new directory, or one govcard wrote\n"
    )
    assert not Path("site").exists()
    assert leftovers(workdir) == []


def test_another_mkdocs_site_is_not_replaced(write, workdir: Path) -> None:
    # Every MkDocs site has search/search_index.json: only govcard's marker makes a site govcard's.
    write(TWO_MODELS)
    write('{"docs": []}\n', "site/search/search_index.json")
    write("<h1>Mine</h1>\n", "site/index.html")
    before = snapshot(Path("site"))
    result = run("site", "build", "project.yaml", "-o", "site")
    assert result.exit_code == 2
    assert result.stderr == (
        "site: holds files govcard did not write (index.html, search); "
        "build the site into an empty or new directory, or one govcard built\n"
    )
    assert snapshot(Path("site")) == before


def test_a_file_added_to_a_govcard_site_stops_the_next_build(write, workdir: Path) -> None:
    # A CNAME put into the built site for GitHub Pages is the user's: the site is not replaced
    # (and the CNAME deleted) while it is there.
    write(TWO_MODELS)
    assert run("site", "build", "project.yaml", "-o", "site").exit_code == 0
    write("governance.example.org\n", "site/CNAME")
    write("notes\n", "site/models/notes.txt")
    before = snapshot(Path("site"))
    write(TWO_MODELS.replace("Two", "Changed"))
    result = run("site", "build", "project.yaml", "-o", "site")
    assert result.exit_code == 2
    assert result.stderr == (
        "site: holds files govcard did not write (CNAME, models/notes.txt); "
        "build the site into an empty or new directory, or one govcard built\n"
    )
    assert snapshot(Path("site")) == before


def test_a_site_and_its_source_carry_govcard_s_marker(write, workdir: Path) -> None:
    write(TWO_MODELS)
    assert run("site", "build", "project.yaml", "-o", "site", "--keep-source", "src").exit_code == 0
    for folder, kind in (("site", "site"), ("src", "site source")):
        marker = json.loads(Path(folder, ".govcard.json").read_text(encoding="utf-8"))
        assert (marker["generator"], marker["kind"]) == ("govcard", kind)
        assert marker["files"] == sorted(set(snapshot(Path(folder))) - {".govcard.json"})
    # A kept source is replaced as a whole too: a page the project no longer has is gone.
    write(TWO_MODELS.replace("  - {id: b, name: Beta, license: apache-2.0}\n", ""))
    assert run("site", "build", "project.yaml", "-o", "site", "--keep-source", "src").exit_code == 0
    assert not Path("src/docs/models/b.md").exists()
    assert leftovers(workdir) == []


def test_rebuild_replaces_the_site_and_drops_stale_pages(write, workdir: Path) -> None:
    write(TWO_MODELS)
    assert run("site", "build", "project.yaml", "-o", "site").exit_code == 0
    assert Path("site/models/b.html").is_file()
    write(TWO_MODELS.replace("  - {id: b, name: Beta, license: apache-2.0}\n", ""))
    result = run("site", "build", "project.yaml", "-o", "site")
    assert result.exit_code == 0, result.output
    assert not Path("site/models/b.html").exists()
    assert Path("site/models/a.html").is_file()
    for name, page in pages(Path("site")).items():
        assert "Beta" not in page, name
        assert "models/b.html" not in page, name
    assert leftovers(workdir) == []


def test_generated_markdown_is_deterministic(workdir: Path) -> None:
    for source in ("one", "two"):
        result = run("site", "build", str(EXAMPLE), "-o", f"site-{source}", "--keep-source", source)
        assert result.exit_code == 0, result.output
    one, two = snapshot(Path("one")), snapshot(Path("two"))
    assert "mkdocs.yml" in one and "docs/index.md" in one
    assert one == two


def test_generated_markdown_is_independent_of_hash_seed(example: Path, workdir: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run(
        [*GOVCARD, "site", "build", str(EXAMPLE), "-o", "site", "--keep-source", "src"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert snapshot(Path("src")) == snapshot(example / "src")


# --- small projects ----------------------------------------------------------------------------

SMALL = {
    "only-a-name": "project: {name: Only}\n",
    "no-datasets": "project: {name: NoData}\nmodels:\n  - {id: m, name: M}\n",
    "no-models": "project: {name: NoModels}\ndatasets:\n  - {id: d, name: D}\n",
}


@pytest.mark.parametrize("case", sorted(SMALL))
def test_small_project_builds_cleanly(built, case: str) -> None:
    text = SMALL[case]
    site = built(text)
    assert {"index.html", "governance.html", "carbon.html", "license.html", "tags.html"} <= set(
        site
    )
    assert ("datasets.html" in site) == ("datasets:" in text)
    assert any(n.startswith("models/") for n in site) == ("models:" in text)
    assert not Path("site/assets/carbon.svg").exists()  # no footprint, no chart
    assert "carbon.svg" not in site["carbon.html"]


# --- datasets ----------------------------------------------------------------------------------

DATED = """\
project: {name: Dates}
datasets:
  - id: d
    name: D
    versions:
      - {version: "2.0", date: 2023-05-01, changes: Second., opt_outs_removed_until: 2023-04-01}
      - {version: "1.0", date: 2022-01-10, changes: First.}
      - {version: "1.5", date: 2022-09-30, opt_outs_removed_until: 2022-08-31}
    opt_out: {people: 12, requests: 1300, as_of: 2023-03-15}
"""


def test_dataset_timeline_is_in_date_order(built) -> None:
    rows = table_after(built(DATED)["datasets.html"], "versions-and-opt-out-timeline")
    assert rows == [
        ["2022-01-10", "Version 1.0 released: First."],
        ["2022-08-31", "Opt-out requests up to this date removed from version 1.5"],
        ["2022-09-30", "Version 1.5 released"],
        ["2023-03-15", "Opt-out figures as of this date (requests: 1,300; people: 12)"],
        ["2023-04-01", "Opt-out requests up to this date removed from version 2.0"],
        ["2023-05-01", "Version 2.0 released: Second."],
    ]


def test_example_timeline_lists_every_version_and_opt_out(example: Path) -> None:
    page = (example / "site" / "datasets.html").read_text(encoding="utf-8")
    rows = table_after(page, "versions-and-opt-out-timeline")
    dates = [date for date, _ in rows if date]
    assert dates == sorted(dates) == ["2022-11-15", "2023-02-09", "2023-02-09"]
    events = [event for _, event in rows]
    for version in ("1.0", "1.1", "1.2"):
        assert any(e.startswith(f"Version {version}") for e in events), version
    assert "Opt-out figures as of this date (people: 44)" in events


# --- site serve --------------------------------------------------------------------------------


@pytest.fixture
def serve(workdir: Path):
    """serve(port) -> the running `python -m govcard site serve project.yaml` (stopped after)."""
    started: list[subprocess.Popen[bytes]] = []

    def _serve(port: int) -> subprocess.Popen[bytes]:
        log = (workdir / "serve.log").open("wb")
        process = subprocess.Popen(
            [*GOVCARD, "site", "serve", "project.yaml", "--port", str(port)],
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        started.append(process)
        return process

    yield _serve
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def test_serve_rebuilds_when_the_project_file_changes(write, workdir: Path, serve) -> None:
    write(TWO_MODELS.replace("project: {name: Two}", "project: {name: Two, description: Before.}"))
    port = free_port()
    process = serve(port)
    url = f"http://127.0.0.1:{port}/index.html"

    def page() -> str | None:
        assert process.poll() is None, (workdir / "serve.log").read_text()
        return fetch(url)

    first = poll(page, 60)
    assert first is not None, "the preview did not answer within 60 s"
    assert "<p>Before.</p>" in first
    time.sleep(1)  # a distinct modification time for the watcher
    write(TWO_MODELS.replace("project: {name: Two}", "project: {name: Two, description: After.}"))

    def updated_page() -> str | None:
        text = page()
        return text if text and "<p>After.</p>" in text else None

    updated = poll(updated_page, 20)
    assert updated, "the served page did not show the new description within 20 s"
    assert "Before." not in updated


def test_serve_on_a_busy_port_says_so(write, workdir: Path) -> None:
    write(TWO_MODELS)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [*GOVCARD, "site", "serve", "project.yaml", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert "Traceback" not in result.stderr, result.stderr.splitlines()[-1]
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert str(port) in result.stderr
