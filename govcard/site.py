"""`govcard site`: a MkDocs-Material site of the cards, built offline for a static host.

The generated MkDocs project is plain (a `mkdocs.yml` with the material theme, the search and tags
plugins, and Markdown pages), so it also builds with MkDocs' successors. The site works from the
files alone: no Google Fonts, no plugin that downloads, `use_directory_urls: false`, and the carbon
chart is an SVG made at build time (`govcard.chart`).
"""

from __future__ import annotations

import html
import logging
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from govcard import __version__, eu, markdown, output, render, units
from govcard.chart import carbon_chart
from govcard.derive import Derived, LicenseView, ModelView
from govcard.errors import GovcardError

SITE_MODEL_PATH = "models/{id}.md"
CHART = "assets/carbon.svg"
# A folder govcard replaces holds a .govcard.json that says which kind it is (see govcard.output).
SITE = output.Kind(
    name="site",
    refusal="holds files govcard did not write ({files}); "
    "build the site into an empty or new directory, or one govcard built",
)
SOURCE = output.Kind(
    name="site source",
    refusal="holds files govcard did not write ({files}); "
    "keep the source in an empty or new directory, or one govcard wrote",
)
PAGES = ("index", "datasets", "carbon", "license", "not-disclosed", "glossary", "cite", "tags")
EU_PAGES = {
    "eu/training-content-summary.md": "Public summary of training content",
    "eu/model-documentation.md": "Model documentation",
}
PAGE_TITLES = {
    "datasets": "Datasets",
    "carbon": "Carbon footprint",
    "license": "Licenses",
    "not-disclosed": "Not disclosed",
    "glossary": "Glossary",
    "cite": "Cite this card",
    "tags": "Tags",
}
# Downloads beside the pages: the facts as written, and the facts with every derived figure.
FACTS_FILE = "project.yaml"
STYLESHEET = "stylesheets/govcard.css"
# Theme overrides (a footer with the facts' provenance), copied from templates/site/theme/.
THEME_DIR = "overrides"
THEME_FILES = {"main.html": f"{THEME_DIR}/main.html", "govcard.css": f"docs/{STYLESHEET}"}
# What a carbon verdict says to a reader of the home table.
VERDICTS = {"consistent": "agree", "inconsistent": "disagree", "unverified": "not checked"}


@dataclass(frozen=True)
class Term:
    """A glossary entry: the term as it appears in the text, and what it means."""

    term: str
    definition: str

    @property
    def anchor(self) -> str:
        """The id of the term's heading on the glossary page (the one MkDocs would give it)."""
        return re.sub(r"[^a-z0-9]+", "-", self.term.lower()).strip("-")


# Shown on the glossary page; on every other page, the first use of a term links to its entry, and
# every use shows its definition as a tooltip (a Markdown abbreviation). Terms match whole words,
# case-sensitively, so each is written as the cards write it.
GLOSSARY = (
    Term(
        "CO2eq",
        "Carbon dioxide equivalent: greenhouse gases counted as the mass of CO2 that would warm "
        "the climate as much.",
    ),
    Term(
        "PUE",
        "Power usage effectiveness: a data centre's total energy divided by the energy its "
        "computers draw; 1.2 means 20% more for cooling and power conversion.",
    ),
    Term(
        "GPU-hours",
        "The number of GPUs times the hours they ran: 512 GPUs for 10 hours are 5,120 GPU-hours.",
    ),
    Term(
        "carbon intensity",
        "Grid carbon intensity: how much CO2eq the electricity grid emits per kWh delivered "
        "where the training ran, in kgCO2e/kWh.",
    ),
    Term(
        "OpenRAIL-M",
        "An Open Responsible AI License for a model: free to use, share and modify, with use "
        "restrictions that carry over to every derivative.",
    ),
    Term(
        "derivative",
        "A model made from another: fine-tuned, quantized, merged, distilled or with adapters. "
        "Under an OpenRAIL license it keeps the parent's use restrictions.",
    ),
    Term(
        "opt-out",
        "A person's request to leave their data out of a dataset, and the process that handles it.",
    ),
    Term(
        "PII",
        "Personally identifiable information: names, emails, keys, passwords and other data that "
        "identify a person.",
    ),
    Term(
        "Hub",
        "The Hugging Face Hub, where models, datasets and Spaces are published.",
    ),
    Term(
        "model card",
        "The README.md of a model on the Hub: what the model is, how it was made, and how it "
        "may be used.",
    ),
)


@dataclass(frozen=True)
class SiteLicense:
    """A license on the Licenses page: its anchor there, its terms, and the models under it."""

    anchor: str
    license: LicenseView
    models: list[ModelView]


@dataclass(frozen=True)
class ModelRow:
    """A model's row of the home page's table, each cell Markdown (None: the facts do not say)."""

    model: Markup
    parameters: str | None
    license: Markup | None
    base_model: Markup | None
    released: str | None
    computed: str | None
    reported: str | None
    verdict: Markup | None
    hub: Markup | None


@dataclass(frozen=True)
class DatasetRow:
    """A dataset's row of the home page's table, each cell Markdown (None: the facts do not say)."""

    dataset: Markup
    size: str | None
    languages: str | None
    opt_outs: str | None
    opt_out_link: Markup | None


@dataclass(frozen=True)
class Event:
    """A dated line of a dataset's timeline."""

    date: Any
    text: str


def timeline(dataset: Any) -> list[Event]:
    """A dataset's versions and opt-out figures: in date order when every event is dated, else
    in the order of the facts (versions in turn, each with its opt-out removal)."""
    events: list[Event] = []
    for v in dataset.versions:
        text = f"Version {v.version} released" if v.date else f"Version {v.version}"
        if v.changes:
            text += f": {v.changes}"
        events.append(Event(v.date, text))
        if v.opt_outs_removed_until:
            events.append(
                Event(
                    v.opt_outs_removed_until,
                    f"Opt-out requests up to this date removed from version {v.version}",
                )
            )
    o = dataset.opt_out
    if o is not None and o.as_of is not None:
        figures = [
            f"{label} {value:,}"
            for label, value in (
                ("requests:", o.requests),
                ("people:", o.people),
                ("repositories removed:", o.repositories_removed),
                ("files removed:", o.files_removed),
            )
            if value is not None
        ]
        events.append(
            Event(
                o.as_of,
                "Opt-out figures as of this date" + (f" ({'; '.join(figures)})" if figures else ""),
            )
        )
    if all(e.date is not None for e in events):
        return sorted(events, key=lambda e: e.date)
    return events


def metadata_table(metadata: dict[str, Any]) -> str:
    """The Hub metadata of a card as a readable Markdown table."""
    rows = []
    for key, value in metadata.items():
        if key == "model-index":
            results = sum(len(entry.get("results", [])) for entry in value)
            shown = f"{results} evaluation result{'s' if results != 1 else ''} (see Evaluation)"
        elif key == "co2_eq_emissions" and isinstance(value, dict):
            from govcard.units import format_mass_kg

            shown = f"{value['emissions']:,} g ({format_mass_kg(value['emissions'] / 1000)})"
            shown += "".join(
                f"; {k.replace('_', ' ')}: {v}" for k, v in value.items() if k != "emissions"
            )
        elif isinstance(value, list):
            shown = ", ".join(str(item) for item in value)
        else:
            shown = str(value)
        rows.append(f"| `{key}` | {markdown.cell(shown)} |")
    return "| Metadata | Value |\n|---|---|\n" + "\n".join(rows) + "\n"


def site_licenses(models: list[ModelView]) -> list[SiteLicense]:
    """Every license the models use, once, in the order the models name them."""
    found: dict[str, SiteLicense] = {}
    for view in models:
        license = view.license
        if license is None:
            continue
        # Licenses of kind `other` share the id: their slug names them.
        anchor = f"license-other-{license.name}" if license.other else f"license-{license.id}"
        if anchor not in found:
            found[anchor] = SiteLicense(anchor, license, [])
        found[anchor].models.append(view)
    return list(found.values())


def _hub_link(hub_id: str, kind: str = "") -> Markup:
    return markdown.link(hub_id, f"https://huggingface.co/{kind}{hub_id}")


def model_rows(derived: Derived, licenses: list[SiteLicense]) -> list[ModelRow]:
    """The home page's table of models: what a reader compares at a glance."""
    anchors = {id(v): lic.anchor for lic in licenses for v in lic.models}
    rows = []
    for view in derived.models:
        m = view.model
        page = SITE_MODEL_PATH.format(id=m.id)
        base: Markup | None = None
        if view.base is not None:
            base = markdown.link(view.base.name, SITE_MODEL_PATH.format(id=view.base.id))
        elif view.base_hub_id is not None:
            # A Hub id has an owner ("bigcode/starcoderbase"); anything else is shown as written.
            shown = view.base_hub_id
            base = _hub_link(shown) if "/" in shown else markdown.escape(shown)
        footprint = view.footprint
        computed = footprint.co2eq_kg if footprint is not None else None
        reported = _reported_text(view)
        verdict = None
        if footprint is not None and computed is not None and reported is not None:
            verdict = markdown.link(
                VERDICTS[footprint.consistency.status], f"carbon.md#carbon-{m.id}"
            )
        rows.append(
            ModelRow(
                model=markdown.link(m.name, page),
                parameters=units.format_count_short(m.parameters) if m.parameters else None,
                license=markdown.link(view.license.name, f"license.md#{anchors[id(view)]}")
                if view.license is not None
                else None,
                base_model=base,
                released=m.release_date.isoformat() if m.release_date else None,
                computed=units.format_mass_kg(computed) if computed is not None else None,
                reported=reported,
                verdict=verdict,
                hub=_hub_link(m.hub_id) if m.hub_id else None,
            )
        )
    return rows


def _reported_text(view: ModelView) -> str | None:
    training = view.model.training
    quantity = training.reported.co2eq_quantity() if training and training.reported else None
    return quantity.text if quantity else None


def dataset_rows(derived: Derived) -> list[DatasetRow]:
    """The home page's table of datasets: size, languages, and how a person gets out of one."""
    rows = []
    for d in derived.project.facts.datasets:
        size = d.size
        if size is None:
            sized = [v for v in d.versions if v.size]
            size = f"{sized[-1].size} (version {sized[-1].version})" if sized else None
        honoured = []
        o = d.opt_out
        if o is not None:
            for label, value in (
                ("people", o.people),
                ("requests", o.requests),
                ("repositories removed", o.repositories_removed),
                ("files removed", o.files_removed),
            ):
                if value is not None:
                    honoured.append(f"{value:,} {label}")
            if honoured and o.as_of:
                honoured[-1] += f" (as of {o.as_of.isoformat()})"
        removed = [v for v in d.versions if v.opt_outs_removed_until]
        if removed:
            last = removed[-1]
            honoured.append(
                f"requests up to {last.opt_outs_removed_until} removed from version {last.version}"
            )
        tool = o.tool if o is not None else None
        rows.append(
            DatasetRow(
                dataset=markdown.link(d.name, f"datasets.md#dataset-{d.id}"),
                size=size,
                languages=", ".join(d.languages) or None,
                opt_outs="; ".join(honoured) or None,
                opt_out_link=markdown.link(tool.name, tool.url) if tool and tool.url else None,
            )
        )
    return rows


def glossary_links(page: str, relative: str) -> str:
    """A page (at `relative` in docs/) with the first use of each glossary term linked to the
    term's entry on the glossary page."""
    glossary = "../" * relative.count("/") + "glossary.md"
    return markdown.link_first_uses(page, {t.term: f"{glossary}#{t.anchor}" for t in GLOSSARY})


def abbreviations() -> str:
    """The glossary as Markdown abbreviations, for the end of a page."""
    return "".join(f"*[{t.term}]: {t.definition}\n" for t in GLOSSARY)


def _bibtex(text: str) -> str:
    """Text as a BibTeX field value: its special characters escaped."""
    text = text.replace("\\", "\\textbackslash ")
    for char in "{}%&#_$":
        text = text.replace(char, "\\" + char)
    return text.replace("~", "\\textasciitilde ").replace("^", "\\textasciicircum ")


def citation(derived: Derived) -> dict[str, str]:
    """A BibTeX entry and a CITATION.cff for the governance documentation, from the facts alone
    (no build date: the year is the facts' `as_of`, when they say it)."""

    import yaml

    project = derived.project.facts.project
    authors = [o.name for o in project.organizations] or [project.name]
    title = f"{project.name} governance: the Governance Card, model cards and carbon account"
    key = (re.sub(r"[^a-z0-9]+", "_", project.name.lower()).strip("_") or "project") + "_governance"
    fields = [
        ("title", "{" + _bibtex(title) + "}"),
        ("author", "{" + " and ".join("{" + _bibtex(name) + "}" for name in authors) + "}"),
    ]
    if project.as_of:
        fields.append(("year", str(project.as_of.year)))
    if project.homepage:
        fields.append(("url", "{" + _bibtex(str(project.homepage)) + "}"))
    note = f"Generated by govcard {__version__}"
    if project.as_of:
        note += f" from the facts as of {project.as_of.isoformat()}"
    fields.append(("note", "{" + _bibtex(note) + "}"))
    bibtex = f"@misc{{{key},\n" + ",\n".join(f"  {k} = {v}" for k, v in fields) + "\n}"
    cff: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "If you use this governance documentation, please cite it as below.",
        "type": "dataset",
        "title": title,
        "authors": [{"name": name} for name in authors],
    }
    if project.as_of:
        cff["date-released"] = project.as_of.isoformat()
    if project.homepage:
        cff["url"] = str(project.homepage)
    return {
        "bibtex": bibtex,
        "cff": yaml.safe_dump(cff, sort_keys=False, allow_unicode=True).rstrip("\n"),
    }


def mkdocs_config(derived: Derived) -> dict[str, Any]:
    """The generated mkdocs.yml: plain, offline, strict link and anchor validation."""
    project = derived.project.facts.project
    nav: list[Any] = [
        {"Home": "index.md"},
        {"Governance Card": "governance.md"},
        {
            "Models": [
                {html.escape(v.model.name): SITE_MODEL_PATH.format(id=v.model.id)}
                for v in derived.models
            ]
        },
    ]
    if derived.project.facts.datasets:
        nav.append({"Datasets": "datasets.md"})
    nav += [{"Carbon": "carbon.md"}, {"Licenses": "license.md"}]
    nav.append({"Regulatory": [{title: path} for path, title in EU_PAGES.items()]})
    nav += [
        {"Not disclosed": "not-disclosed.md"},
        {"Glossary": "glossary.md"},
        {"Cite this card": "cite.md"},
        {"Tags": "tags.md"},
    ]
    if not derived.models:
        nav.remove(nav[2])
    config: dict[str, Any] = {
        # The theme prints these as HTML: facts go in escaped.
        "site_name": html.escape(f"{project.name} governance"),
        "site_description": html.escape(
            f"Governance documentation of {project.name}, generated by govcard."
        ),
        "use_directory_urls": False,
        "theme": {
            "name": "material",
            "custom_dir": THEME_DIR,
            "font": False,
            "features": ["navigation.sections", "search.highlight", "content.tooltips"],
            # Light or dark as the reader's system is set, with a toggle to switch.
            "palette": [
                {
                    "media": "(prefers-color-scheme: light)",
                    "scheme": "default",
                    "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"},
                },
                {
                    "media": "(prefers-color-scheme: dark)",
                    "scheme": "slate",
                    "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"},
                },
            ],
        },
        "plugins": ["search", "tags"],
        "markdown_extensions": ["tables", "attr_list", "abbr", {"toc": {"permalink": True}}],
        "extra_css": [STYLESHEET],
        # For the footer of every page (overrides/main.html): the facts' date, never the build's.
        "extra": {
            "govcard": {
                "version": __version__,
                "as_of": project.as_of.isoformat() if project.as_of else None,
            }
        },
        "validation": {
            "omitted_files": "warn",
            "absolute_links": "warn",
            "unrecognized_links": "warn",
            "anchors": "warn",
        },
        "nav": nav,
    }
    return config


def generate(
    derived: Derived,
    source: Path,
    template_dir: Path | None = None,
    hooks: tuple[str, ...] = (),
    site_url: str | None = None,
) -> None:
    """Write the MkDocs project (mkdocs.yml, docs/ and the theme's overrides) into `source`.

    Files whose content is unchanged are not rewritten, so a live preview that regenerates the
    project before each build does not trigger itself again.
    """
    import yaml

    env = render.environment(template_dir)
    common = render.common_context(derived, model_path=SITE_MODEL_PATH)
    pages: dict[str, str] = {}
    project_name = derived.project.facts.project.name
    pages["governance.md"] = _with_meta(
        render.render_template(env, render.GOVERNANCE_TEMPLATE, common),
        f"{project_name} Governance Card",
        ["governance"],
    )
    licenses = site_licenses(derived.models)
    anchors = {id(v): lic.anchor for lic in licenses for v in lic.models}
    for view in derived.models:
        context = render.model_context(
            common,
            view,
            "../governance.md",
            with_front_matter=False,
            license_link=f"../license.md#{anchors[id(view)]}" if view.license else None,
        )
        card = render.render_template(env, render.MODEL_TEMPLATE, context)
        pages[SITE_MODEL_PATH.format(id=view.model.id)] = model_page(card, view)
    chart = carbon_chart(derived.models)
    totals = [
        v.footprint.co2eq_kg
        for v in derived.models
        if v.footprint and v.footprint.co2eq_kg is not None
    ]
    extra = {
        "timelines": {d.id: timeline(d) for d in derived.project.facts.datasets},
        "chart": CHART if chart else None,
        "total_co2_kg": sum(totals) if totals else None,
        "computed_models": len(totals),
        "licenses": licenses,
        "model_rows": model_rows(derived, licenses),
        "dataset_rows": dataset_rows(derived),
        "card_gaps": [gap.partition(": ")[::2] for gap in derived.gaps],  # (where, what)
        "eu_gaps": eu.gaps(derived),
        "glossary": GLOSSARY,
        "citation": citation(derived),
    }
    for name in PAGES:
        if name == "datasets" and not derived.project.facts.datasets:
            continue
        page = render.render_template(env, f"site/{name}.md.j2", {**common, **extra})
        # The home page's title is the site's name (already escaped in mkdocs.yml).
        pages[f"{name}.md"] = page if name == "index" else _with_meta(page, PAGE_TITLES[name], [])
    documents = render.eu_documents(derived, env, common)
    for relative, title in EU_PAGES.items():
        pages[relative] = _with_meta(documents[relative], title, ["regulatory"])
    for relative, page in pages.items():
        if relative != "glossary.md":
            pages[relative] = glossary_links(page, relative).rstrip("\n") + "\n\n" + abbreviations()
    pages[render.GOVERNANCE_JSON] = render.governance_json(derived)
    # The facts as written, byte for byte (read_text would turn CRLF into LF).
    pages[FACTS_FILE] = derived.project.file.read_bytes().decode("utf-8")
    if chart:
        pages[CHART] = chart
    config = mkdocs_config(derived)
    if site_url is not None:
        # MkDocs links the 404 page from the site's root path: its URL's, when it is known.
        config["site_url"] = site_url
    if hooks:
        config["hooks"] = list(hooks)
    files = {f"docs/{relative}": text for relative, text in pages.items()}
    theme = render.packaged_templates() / "site" / "theme"
    for name, relative in THEME_FILES.items():
        files[relative] = (theme / name).read_text(encoding="utf-8")
    files["mkdocs.yml"] = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    for relative, text in files.items():
        target = source / relative
        if target.is_file() and target.read_bytes() == text.encode("utf-8"):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")


def model_page(card: str, view: ModelView) -> str:
    """A model card as a site page: its Hub metadata as a table at the end, tags for the tags page."""
    metadata = render.card_metadata(view)
    body = card.split("---\n", 2)[2].lstrip("\n") if card.startswith("---\n") else card
    tags = ["models", *(view.model.tags or [])]
    if view.license is not None:
        tags.append(view.license.id)
    table = f"\n## Hub metadata\n\n{metadata_table(metadata)}" if metadata else ""
    return _with_meta(body.rstrip("\n") + "\n" + table, view.model.name, tags)


def _with_meta(page: str, title: str, tags: list[str]) -> str:
    """The page with MkDocs front matter: its title, escaped (the theme prints it as HTML), and
    its tags, added to any the template wrote."""
    import yaml

    meta: dict[str, Any] = {}
    if page.startswith("---\n"):
        _, header, page = page.split("---\n", 2)
        meta = yaml.safe_load(header) or {}
    meta["title"] = html.escape(title)
    merged = list(dict.fromkeys([*meta.get("tags", []), *tags]))
    if merged:
        meta["tags"] = merged
    return (
        "---\n"
        + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
        + "---\n\n"
        + page.lstrip("\n")
    )


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(" ".join(record.getMessage().split()))


def build_site(source: Path, site_dir: Path, shown: str | None = None) -> None:
    """Build the MkDocs project in `source` into `site_dir`, strictly; warnings are errors.

    An error names `shown` (the kept source's mkdocs.yml) or, for a temporary source, the site.
    The built site carries govcard's marker (`.govcard.json`), so a later build may replace it.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    previous = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        config = load_config(
            config_file=str(source / "mkdocs.yml"), strict=True, site_dir=str(site_dir)
        )
        _add_govcard_plugin(config)
        build(config)
    except MkDocsException as exc:
        details = "; ".join(handler.messages[:3]) or str(exc)
        raise GovcardError.at(
            shown or "the generated site (keep it with --keep-source to inspect it)",
            f"the site did not build cleanly: {details}",
        ) from None
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous[0])
        logger.propagate = previous[1]
    _reproducible_sitemap(site_dir)
    output.stamp(site_dir, SITE)


def _add_govcard_plugin(config: Any) -> None:
    """Mark the site's name and the page titles as HTML that is already escaped, and give the
    404 page relative links when the site's URL is not known (`relative_error_page`).

    mkdocs.yml and the pages' front matter hold them escaped, since the theme prints them as HTML;
    but the theme also escapes some itself (`title="{{ config.site_name | e }}"`), which showed
    "R&D" as "R&amp;amp;D". As Markup, Jinja's escape leaves them as they are. (A kept source built
    by another tool shows them escaped twice there, never unescaped.)
    """
    from mkdocs.plugins import BasePlugin

    class Govcard(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
        def on_nav(self, nav: Any, /, *, config: Any, files: Any) -> Any:
            return escaped_nav(nav)

        def on_page_markdown(self, markdown: str, /, *, page: Any, config: Any, files: Any) -> str:
            escaped_page(page)
            return markdown

        def on_template_context(self, context: Any, /, *, template_name: str, config: Any) -> Any:
            return relative_error_page(context, template_name, config)

    escaped_config(config)
    config.plugins["govcard"] = Govcard()


def relative_error_page(context: Any, template_name: str, config: Any) -> Any:
    """Without a `site_url`, MkDocs links the 404 page from the server's root ("/assets/..."),
    which breaks on a host that serves the site from a subpath; relative links work there."""
    from mkdocs.utils import is_error_template, normalize_url

    if is_error_template(template_name) and not config.site_url:
        context["base_url"] = "."
        context["extra_css"] = [normalize_url(str(path), None, ".") for path in config.extra_css]
    return context


def escaped_config(config: Any) -> Any:
    """The MkDocs config with its site name marked as escaped HTML (see `_add_govcard_plugin`)."""
    config["site_name"] = Markup(config["site_name"])
    return config


def escaped_nav(nav: Any) -> Any:
    """The navigation with every title marked as escaped HTML."""
    items = list(nav.items)
    while items:
        item = items.pop()
        if isinstance(getattr(item, "title", None), str):
            item.title = Markup(item.title)
        items.extend(getattr(item, "children", None) or [])
    return nav


def escaped_page(page: Any) -> None:
    """Mark a page's front-matter title as escaped HTML."""
    title = page.meta.get("title")
    if isinstance(title, str):
        page.meta["title"] = Markup(title)


def _reproducible_sitemap(site_dir: Path) -> None:
    """MkDocs dates the sitemap with the build day (in <lastmod> and the gzip header); without the
    dates, a site built from the same facts is the same bytes on any day, and publishing it again
    moves nothing."""
    import gzip

    sitemap = site_dir / "sitemap.xml"
    if not sitemap.is_file():
        return
    text = re.sub(r"\s*<lastmod>[^<]*</lastmod>", "", sitemap.read_text(encoding="utf-8"))
    sitemap.write_text(text, encoding="utf-8")
    (site_dir / "sitemap.xml.gz").write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def build(
    derived: Derived,
    out_dir: Path,
    keep_source: Path | None = None,
    template_dir: Path | None = None,
    inputs: tuple[Path, ...] = (),
    site_url: str | None = None,
) -> None:
    """Generate and build the site into `out_dir`, replacing an earlier govcard site atomically;
    with `keep_source`, replace the MkDocs project kept there the same way first. `site_url` is
    where the site will be served, when known.

    Either folder must be missing, empty or one govcard wrote (its `.govcard.json` says so);
    anything else is refused before anything is written. `inputs` (the project file) must not be
    inside them.
    """
    protected = (*inputs, *([template_dir] if template_dir is not None else []))
    output.check_replaceable(out_dir, SITE, protected)
    if keep_source is not None:
        output.check_replaceable(keep_source, SOURCE, protected)
    if keep_source is None:
        with output.scratch(out_dir) as work:
            source = work / "source"
            generate(derived, source, template_dir, site_url=site_url)
            output.replace(out_dir, SITE, lambda staging: build_site(source, staging), protected)
        return
    site, kept = out_dir.resolve(), keep_source.resolve()
    if site.is_relative_to(kept) or kept.is_relative_to(site):
        raise GovcardError.at(
            str(keep_source), "must be outside the site folder, and the site folder outside it"
        )
    output.replace(
        keep_source,
        SOURCE,
        lambda staging: generate(derived, staging, template_dir, site_url=site_url),
        protected,
    )
    output.replace(
        out_dir,
        SITE,
        lambda staging: build_site(keep_source, staging, str(keep_source / "mkdocs.yml")),
        protected,
    )


def serve(file: str, port: int) -> None:
    """Generate the site's MkDocs project and serve it on localhost, regenerating it when the
    project file changes (a MkDocs hook, in the temporary project only)."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    from govcard import derive, loader

    project_file = Path(file).resolve()
    with tempfile.TemporaryDirectory(prefix="govcard-site-") as tmp:
        source = Path(tmp)
        hooks = ("govcard_hook.py",)
        generate(derive.derive(loader.load(project_file)), source, hooks=hooks)
        (source / hooks[0]).write_text(
            "from pathlib import Path\n\n"
            "from govcard import derive, loader, site\n\n\n"
            "def on_pre_build(config):\n"
            f"    project = derive.derive(loader.load({str(project_file)!r}))\n"
            f"    site.generate(project, Path({str(source)!r}), hooks={hooks!r})\n\n\n"
            "def on_config(config):\n"
            "    return site.escaped_config(config)\n\n\n"
            "def on_nav(nav, config, files):\n"
            "    return site.escaped_nav(nav)\n\n\n"
            "def on_page_markdown(markdown, page, config, files):\n"
            "    site.escaped_page(page)\n"
            "    return markdown\n",
            encoding="utf-8",
        )
        import socket

        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                raise GovcardError.at(
                    f"127.0.0.1:{port}", "the port is in use; pass another with --port"
                ) from None
        print(f"Serving the site on http://127.0.0.1:{port}/ (Ctrl+C stops)", flush=True)
        mkdocs_serve(
            config_file=str(source / "mkdocs.yml"),
            dev_addr=f"127.0.0.1:{port}",
            watch=[str(project_file)],
        )
