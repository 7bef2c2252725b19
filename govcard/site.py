"""`govcard site`: a MkDocs-Material site of the cards, built offline for a static host.

The generated MkDocs project is plain (a `mkdocs.yml` with the material theme, the search and tags
plugins, and Markdown pages), so it also builds with MkDocs' successors. The site works from the
files alone: no Google Fonts, no plugin that downloads, `use_directory_urls: false`, and the carbon
chart is an SVG made at build time (`govcard.chart`).
"""

from __future__ import annotations

import html
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from govcard import markdown, output, render
from govcard.chart import carbon_chart
from govcard.derive import Derived, ModelView
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
PAGES = ("index", "datasets", "carbon", "license", "tags")
EU_PAGES = {
    "eu/training-content-summary.md": "Public summary of training content",
    "eu/model-documentation.md": "Model documentation",
}
PAGE_TITLES = {
    "datasets": "Datasets",
    "carbon": "Carbon footprint",
    "license": "Licenses",
    "tags": "Tags",
}


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
    nav.append({"Tags": "tags.md"})
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
            "font": False,
            "features": ["navigation.sections", "search.highlight"],
        },
        "plugins": ["search", "tags"],
        "markdown_extensions": ["tables", "attr_list", {"toc": {"permalink": True}}],
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
    derived: Derived, source: Path, template_dir: Path | None = None, hooks: tuple[str, ...] = ()
) -> None:
    """Write the MkDocs project (mkdocs.yml and docs/) for the site into `source`.

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
    for view in derived.models:
        context = render.model_context(common, view, "../governance.md", with_front_matter=False)
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
    if chart:
        pages[CHART] = chart
    config = mkdocs_config(derived)
    if hooks:
        config["hooks"] = list(hooks)
    files = {f"docs/{relative}": text for relative, text in pages.items()}
    files["mkdocs.yml"] = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    for relative, text in files.items():
        target = source / relative
        if target.is_file() and target.read_text(encoding="utf-8") == text:
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
        _print_titles_once(config)
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


def _print_titles_once(config: Any) -> None:
    """Mark the site's name and the page titles as HTML that is already escaped.

    mkdocs.yml and the pages' front matter hold them escaped, since the theme prints them as HTML;
    but the theme also escapes some itself (`title="{{ config.site_name | e }}"`), which showed
    "R&D" as "R&amp;amp;D". As Markup, Jinja's escape leaves them as they are. (A kept source built
    by another tool shows them escaped twice there, never unescaped.)
    """
    from mkdocs.plugins import BasePlugin

    class Escaped(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
        def on_nav(self, nav: Any, /, *, config: Any, files: Any) -> Any:
            return escaped_nav(nav)

        def on_page_markdown(self, markdown: str, /, *, page: Any, config: Any, files: Any) -> str:
            escaped_page(page)
            return markdown

    escaped_config(config)
    config.plugins["govcard-escaped-titles"] = Escaped()


def escaped_config(config: Any) -> Any:
    """The MkDocs config with its site name marked as escaped HTML (see `_print_titles_once`)."""
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
    import re

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
) -> None:
    """Generate and build the site into `out_dir`, replacing an earlier govcard site atomically;
    with `keep_source`, replace the MkDocs project kept there the same way first.

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
            generate(derived, source, template_dir)
            output.replace(out_dir, SITE, lambda staging: build_site(source, staging), protected)
        return
    site, kept = out_dir.resolve(), keep_source.resolve()
    if site.is_relative_to(kept) or kept.is_relative_to(site):
        raise GovcardError.at(
            str(keep_source), "must be outside the site folder, and the site folder outside it"
        )
    output.replace(
        keep_source, SOURCE, lambda staging: generate(derived, staging, template_dir), protected
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
