"""`govcard site`: a MkDocs-Material site of the cards, built offline for a static host.

The generated MkDocs project is plain (a `mkdocs.yml` with the material theme, the search and tags
plugins, and Markdown pages), so it also builds with MkDocs' successors. The site works from the
files alone: no Google Fonts, no plugin that downloads, `use_directory_urls: false`, and the carbon
chart is an SVG made here.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from govcard import markdown, render
from govcard.derive import Derived, ModelView
from govcard.errors import GovcardError

SITE_MODEL_PATH = "models/{id}.md"
CHART = "assets/carbon.svg"
# What a built MkDocs site always has; an output folder without it is not ours to replace.
SITE_MARKER = "search/search_index.json"
PAGES = ("index", "datasets", "carbon", "license", "tags")


@dataclass(frozen=True)
class Event:
    """A dated line of a dataset's timeline."""

    date: Any
    text: str


def timeline(dataset: Any) -> list[Event]:
    """A dataset's versions and opt-out figures in date order (undated events last, in order)."""
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
    dated = sorted((e for e in events if e.date is not None), key=lambda e: e.date)
    return dated + [e for e in events if e.date is None]


def carbon_chart(models: list[ModelView]) -> str | None:
    """A horizontal bar chart of each model's computed CO2eq (kg), with reported figures marked."""
    rows = [
        (v.model.name, v.footprint.co2eq_kg, _reported_kg(v))
        for v in models
        if v.footprint and v.footprint.co2eq_kg is not None
    ]
    if not rows:
        return None
    from govcard.units import format_mass_kg

    top = max(max(kg, reported or 0) for _, kg, reported in rows) or 1.0
    label_width, bar_width, row_height = 220, 420, 34
    width = label_width + bar_width + 140
    height = 40 + row_height * len(rows) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'role="img" aria-labelledby="title" font-family="sans-serif" font-size="13">',
        '<title id="title">Training emissions by model (kg CO2eq, computed; a black line marks the reported figure)</title>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{label_width}" y="22" font-weight="bold">Training emissions, kg CO2eq (computed)</text>',
    ]
    for i, (name, kg, reported) in enumerate(rows):
        y = 40 + i * row_height
        length = max(1.0, kg / top * bar_width)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end">{html.escape(name)}</text>'
        )
        parts.append(
            f'<rect class="bar" x="{label_width}" y="{y + 4}" width="{length:.1f}" height="20" fill="#2e7d32"/>'
        )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + 18}">{html.escape(format_mass_kg(kg))}</text>'
        )
        if reported is not None:
            x = label_width + reported / top * bar_width
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + 28}" stroke="#000" stroke-width="2"><title>reported {html.escape(format_mass_kg(reported))}</title></line>'
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _reported_kg(view: ModelView) -> float | None:
    training = view.model.training
    quantity = training.reported.co2eq_quantity() if training and training.reported else None
    return quantity.value if quantity else None


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
        {"Models": [{v.model.name: SITE_MODEL_PATH.format(id=v.model.id)} for v in derived.models]},
    ]
    if derived.project.facts.datasets:
        nav.append({"Datasets": "datasets.md"})
    nav += [{"Carbon": "carbon.md"}, {"Licenses": "license.md"}, {"Tags": "tags.md"}]
    if not derived.models:
        nav.remove(nav[2])
    config: dict[str, Any] = {
        "site_name": f"{project.name} governance",
        "site_description": f"Governance documentation of {project.name}, generated by govcard.",
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
    pages["governance.md"] = _with_tags(
        render._render(env, render.GOVERNANCE_TEMPLATE, common), ["governance"]
    )
    for view in derived.models:
        context = render.model_context(common, view, "../governance.md")
        context["front_matter"] = Markup("")
        card = render._render(env, render.MODEL_TEMPLATE, context)
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
        pages[f"{name}.md"] = render._render(env, f"site/{name}.md.j2", {**common, **extra})
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
    """A model card as a site page: Hub metadata as a table under the title, tags for the tags page."""
    metadata_text = render.front_matter(view)
    import yaml

    metadata = yaml.safe_load(metadata_text) if metadata_text else {}
    body = card.split("---\n", 2)[2].lstrip("\n") if card.startswith("---\n") else card
    title, _, rest = body.partition("\n")
    tags = ["models", *(view.model.tags or [])]
    if view.license is not None:
        tags.append(view.license.id)
    table = metadata_table(metadata) if metadata else ""
    return _with_tags(f"{title}\n\n{table}{rest}", tags)


def _with_tags(page: str, tags: list[str]) -> str:
    import yaml

    unique = list(dict.fromkeys(tags))
    return "---\n" + yaml.safe_dump({"tags": unique}, sort_keys=False) + "---\n\n" + page


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(" ".join(record.getMessage().split()))


def build_site(source: Path, site_dir: Path) -> None:
    """Build the MkDocs project in `source` into `site_dir`, strictly; warnings are errors."""
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
        build(config)
    except MkDocsException as exc:
        details = "; ".join(handler.messages[:3]) or str(exc)
        raise GovcardError.at(
            str(source / "mkdocs.yml"), f"the site did not build cleanly: {details}"
        ) from None
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous[0])
        logger.propagate = previous[1]


def build(
    derived: Derived,
    out_dir: Path,
    keep_source: Path | None = None,
    template_dir: Path | None = None,
) -> None:
    """Generate and build the site into `out_dir`, replacing an earlier govcard site atomically."""
    if out_dir.exists() and (
        not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / SITE_MARKER).is_file())
    ):
        raise GovcardError.at(
            str(out_dir),
            "holds files that are not a govcard site; build into an empty or new directory",
        )
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=parent))
    try:
        source = keep_source if keep_source is not None else work / "source"
        if keep_source is not None and keep_source.exists():
            shutil.rmtree(keep_source)
        generate(derived, source, template_dir)
        built = work / "site"
        build_site(source, built)
        if out_dir.exists():
            os.replace(out_dir, work / "previous")
        os.replace(built, out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)


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
            f"    site.generate(project, Path({str(source)!r}), hooks={hooks!r})\n",
            encoding="utf-8",
        )
        mkdocs_serve(
            config_file=str(source / "mkdocs.yml"),
            dev_addr=f"127.0.0.1:{port}",
            watch=[str(project_file)],
        )
