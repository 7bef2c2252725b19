"""Reference pages and the gallery generated from the code, so the docs cannot drift from it.

`pytest --update-golden` rewrites them; tests/test_docs.py fails when a committed page is stale.
The gallery's screenshots of each example's site are taken by tests/screenshots.py.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path

import click
import yaml
from pydantic import BaseModel

from govcard import licenses
from govcard.check import RULES, registry
from govcard.cli import cli
from govcard.schema import ProjectFile, markdown_reference

ROOT = Path(__file__).resolve().parents[1]
GENERATED = (
    "<!-- Generated from the code by tests/docgen.py; `pytest --update-golden` rewrites it. -->"
)


def _commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += [(path, command), *_commands(command, path)]
        else:
            found.append((path, command))
    return found


def cli_reference() -> str:
    """Every command's --help, as click prints it."""
    lines = ["# Command-line reference", "", GENERATED, ""]
    for path, command in [("govcard", cli), *_commands(cli, "govcard")]:
        context = click.Context(
            command,
            info_name=path,
            terminal_width=100,
            max_content_width=100,
            help_option_names=["-h", "--help"],
        )
        lines += [f"## `{path}`", "", "```text", command.get_help(context).rstrip(), "```", ""]
    return "\n".join(lines)


def rules_reference() -> str:
    """Every check rule: id, severity, why and fix."""
    lines = [
        "# Check rules",
        "",
        GENERATED,
        "",
        "Errors are only for what a careful reader of the license would call a breach (a",
        "derivative whose license drops its parent's use restrictions) or a card nobody can act",
        "on (no license, `license: other` or `openrail` that names and links nothing, a RAIL",
        "license named in prose only); naming the specific license with access to its text",
        "incorporates its restrictions by reference, and listing them in full is a note. One",
        "defect gives one finding. The policy: "
        "[OpenRAIL-M licenses](../concepts/openrail.md#the-verdict-policy-of-govcard-check).",
        "",
        "Rules come in families, one module of `govcard/check/rules/` each, run in this order:",
        "",
    ]
    for family in registry.FAMILIES:
        name = family.__name__.rsplit(".", 1)[1]
        summary = " ".join((family.__doc__ or "").split("\n\n")[0].split())
        lines.append(f"- `{name}`: {summary}")
    lines += ["", "| Rule | Family | Severity | What |", "|---|---|---|---|"]
    lines += [
        f"| [`{r.id}`](#{r.id}) | `{family.__name__.rsplit('.', 1)[1]}` | {r.severity} | {r.title} |"
        for family in registry.FAMILIES
        for r in family.RULES
    ]
    lines.append("")
    for r in RULES.values():
        lines += [
            f"## {r.id}",
            "",
            f"**{r.severity}** — {r.title}.",
            "",
            f"- Why: {r.why}",
            f"- Fix: {r.fix}",
            "",
        ]
    return "\n".join(lines)


def licenses_reference() -> str:
    """The license catalog: each RAIL license's restrictions and obligations, then the
    families beyond RAIL with each term's section and words."""
    lines = ["# License catalog", "", GENERATED, ""]
    lines += [
        "govcard's data on the RAIL licenses of the Hub (`govcard/data/licenses/*.json`). Model cards",
        "list the restrictions from here; `govcard check` looks for each restriction's terms or title.",
        "Every other Hub license id is known as having no use restrictions.",
        "",
    ]
    for info in licenses.catalog().values():
        lines += [f"## {info.name} (`{info.id}`)", ""]
        lines += [
            f"Version {info.version}, {info.date.isoformat()}: <{info.url}>",
            "",
            f"Text read from: {info.source}",
            "",
        ]
        if info.family_only:
            lines += [
                "The family tag does not name a variant, so no restrictions can be listed.",
                "",
            ]
        else:
            lines += [
                f"Use restrictions ({info.restrictions_section}):",
                "",
                "| | Restriction | Topic |",
                "|---|---|---|",
            ]
            lines += [
                f"| {r.id} | **{r.title}.** {r.summary} | `{r.topic}` |" for r in info.restrictions
            ]
            lines.append("")
        lines += ["Obligations when sharing:", ""]
        for name, text in licenses.OBLIGATION_TEXT.items():
            mark = "yes" if getattr(info.obligations, name) else "no"
            where = (
                f" ({info.obligation_sections[name]})" if name in info.obligation_sections else ""
            )
            lines.append(f"- {mark}: {text}{where}")
        lines.append("")
    lines += [
        "# Beyond RAIL: Llama, Gemma, Qwen, non-commercial and permissive licenses",
        "",
        "govcard's data on the licenses most derivatives on the Hub inherit",
        "(`govcard/data/terms/*.json`), each term quoted from the license text with its section.",
        "`govcard check` holds a derivative to its parent's terms by the `derivatives` rule;",
        "`govcard license show ID` prints a terms block to paste into a card.",
        "",
    ]
    for entry in licenses.terms_catalog().values():
        where = f"`license: {entry.hub_id}`" + (
            f" with `license_name: {entry.id}`" if entry.hub_id == "other" else ""
        )
        lines += [
            f"## {entry.name} (`{entry.id}`)",
            "",
            f"Family `{entry.family}`; in a card's metadata: {where}; <{entry.url}>",
            "",
            f"Text read from: {entry.source}",
            "",
            f"A derivative's license: **{entry.derivatives}** ({_DERIVATIVES[entry.derivatives]}).",
            "",
            "| Term | Section | The license's words |",
            "|---|---|---|",
        ]
        for name, term in _terms(entry):
            quote = " ".join(term.quote.split()).replace("|", "\\|")
            lines.append(f"| {name} | {term.section} | {quote} |")
        lines.append("")
    return "\n".join(lines)


_DERIVATIVES = {
    "any": "any license; keep the attribution",
    "not-more-permissive": "no license that grants more: commercial use where the parent has "
    "none, use outside its use policy or at any scale",
    "same-terms": "a license that carries its restrictions or license elements",
    "none": "adapted material may not be shared; a format change (quantization) is not adaptation",
}


def _terms(entry: licenses.Terms) -> list[tuple[str, typing.Any]]:
    """A license's terms, as the reference lists them."""
    found: list[tuple[str, typing.Any]] = []
    for name in (*licenses.TERM_FIELDS, "notice", "display", "name_prefix", "use_policy"):
        term = getattr(entry, name)
        if term is not None:
            found.append((name.replace("_", " "), term))
    found += [(other.title, other) for other in entry.other_terms]
    return found


def _models_in(annotation: object) -> list[type[BaseModel]]:
    """The pydantic models a field's annotation allows (through Annotated, unions and lists)."""
    found: list[type[BaseModel]] = []
    stack = [annotation]
    while stack:
        tp = stack.pop()
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            found.append(tp)
        else:
            stack.extend(typing.get_args(tp))
    return found


def _example_text(value: object) -> str:
    if isinstance(value, dict):
        return "(a mapping, see below)" if value else "{}"
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6).strip()
    text = text.removesuffix("\n...").strip()
    return text if len(text) <= 60 else text[:57] + "..."


def _collect(
    model: type[BaseModel], data: dict[str, object], out: dict[str, dict[str, str]]
) -> None:
    for key, value in data.items():
        field = model.model_fields.get(key)
        if field is None:
            continue
        out.setdefault(model.__name__, {}).setdefault(key, _example_text(value))
        items = value if isinstance(value, list) else [value]
        for sub in _models_in(field.annotation):
            for item in items:
                if isinstance(item, dict):
                    _collect(sub, item, out)


def project_yaml_reference() -> str:
    """The schema reference, with an example of each key from the bundled examples."""
    found: dict[str, dict[str, str]] = {}
    for project_file in examples():
        _collect(ProjectFile, yaml.safe_load(project_file.read_text(encoding="utf-8")), found)
    return markdown_reference(found)


PAGES = {
    "reference/cli.md": cli_reference,
    "reference/rules.md": rules_reference,
    "reference/licenses.md": licenses_reference,
    "reference/project-yaml.md": project_yaml_reference,
}


@dataclass(frozen=True)
class Screenshot:
    """A screenshot of an example's built site in the gallery: docs/gallery/EXAMPLE/FILE."""

    file: str
    page: str
    width: int
    height: int
    alt: str


def screenshots(project_file: Path) -> list[Screenshot]:
    """The screenshots the gallery shows of an example's site: its home and first model page on a
    desktop, its home on a phone. `python tests/screenshots.py` takes them."""
    from govcard import loader
    from govcard.site import SITE_MODEL_PATH

    facts = loader.load(project_file).facts
    model = facts.models[0]
    return [
        Screenshot(
            "site-home.png",
            "index.html",
            1200,
            800,
            f"The home page of the {facts.project.name} site",
        ),
        Screenshot(
            "site-model.png",
            SITE_MODEL_PATH.format(id=model.id).removesuffix(".md") + ".html",
            1200,
            800,
            f"The {model.name} page of the {facts.project.name} site",
        ),
        Screenshot(
            "site-home-phone.png",
            "index.html",
            390,
            844,
            f"The {facts.project.name} home page on a phone",
        ),
    ]


def examples() -> list[Path]:
    """The project file of every example, in name order."""
    return sorted(ROOT.glob("examples/*/project.yaml"))


def _gallery() -> dict[str, str]:
    """Every example's Governance Card and model cards, as govcard renders them, and screenshots
    of its site."""
    from govcard import derive, loader, render

    pages: dict[str, str] = {}
    index = [
        "# Gallery",
        "",
        GENERATED,
        "",
        "The cards govcard renders from each example in `examples/`, and the site",
        "`govcard site build` makes of it.",
        "",
    ]
    for project_file in examples():
        name = project_file.parent.name
        derived = derive.derive(loader.load(project_file))
        outputs = render.render(derived)
        facts = derived.project.facts
        index += [
            f"## {facts.project.name}",
            "",
            f"`examples/{name}/project.yaml`: [Governance Card]({name}/GOVERNANCE.md)"
            + "".join(
                f", [{v.model.name}]({name}/models/{v.model.id}/README.md)" for v in derived.models
            ),
            "",
        ]
        index += [
            f'![{shot.alt}]({name}/{shot.file}){{ width="{shot.width // 2}" }}'
            for shot in screenshots(project_file)
        ]
        index.append("")
        for relative, text in outputs.items():
            if relative.endswith(".md"):
                pages[f"gallery/{name}/{relative}"] = text
    index += [
        "Build any example's site with `govcard site build examples/NAME/project.yaml -o site/` and",
        "look at it with `govcard site serve examples/NAME/project.yaml`: search needs the site served,",
        "it does not work from a file opened from disk.",
        "",
        "The screenshots are of the site as of their last regeneration: `python tests/screenshots.py`",
        "takes them again (needs the test extra and Chromium); run it when the site's look changes.",
        "",
    ]
    pages["gallery/index.md"] = "\n".join(index)
    return pages


def gallery_pages() -> dict[str, str]:
    """The gallery, computed once per test run."""
    global _GALLERY
    if _GALLERY is None:
        _GALLERY = _gallery()
    return _GALLERY


_GALLERY: dict[str, str] | None = None
