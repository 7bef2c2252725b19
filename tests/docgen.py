"""Reference pages generated from the code, so the docs cannot drift from it.

`pytest --update-golden` rewrites them; tests/test_docs.py fails when a committed page is stale.
"""

from __future__ import annotations

import click

from govcard import licenses
from govcard.check import RULES
from govcard.cli import cli
from govcard.schema import markdown_reference

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
    lines = ["# Check rules", "", GENERATED, "", "| Rule | Severity | What |", "|---|---|---|"]
    lines += [f"| [`{r.id}`](#{r.id}) | {r.severity} | {r.title} |" for r in RULES.values()]
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
    """The license catalog: each RAIL license's restrictions and obligations."""
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
                "| | Restriction | Topic | Terms |",
                "|---|---|---|---|",
            ]
            lines += [
                f"| {r.id} | **{r.title}.** {r.summary} | `{r.topic}` | {', '.join(f'“{t}”' for t in r.terms)} |"
                for r in info.restrictions
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
    return "\n".join(lines)


PAGES = {
    "reference/cli.md": cli_reference,
    "reference/rules.md": rules_reference,
    "reference/licenses.md": licenses_reference,
    "reference/project-yaml.md": markdown_reference,
}


def _gallery() -> dict[str, str]:
    """Every example's Governance Card and model cards, as govcard renders them."""
    from pathlib import Path

    from govcard import derive, loader, render

    root = Path(__file__).resolve().parents[1]
    pages: dict[str, str] = {}
    index = [
        "# Gallery",
        "",
        GENERATED,
        "",
        "The cards govcard renders from each example in `examples/`:",
        "",
    ]
    for project_file in sorted(root.glob("examples/*/project.yaml")):
        name = project_file.parent.name
        derived = derive.derive(loader.load(project_file))
        outputs = render.render(derived)
        facts = derived.project.facts
        index.append(
            f"- **{facts.project.name}** (`examples/{name}/project.yaml`): "
            f"[Governance Card]({name}/GOVERNANCE.md)"
            + "".join(
                f", [{v.model.name}]({name}/models/{v.model.id}/README.md)" for v in derived.models
            )
        )
        for relative, text in outputs.items():
            if relative.endswith(".md"):
                pages[f"gallery/{name}/{relative}"] = text
    index += [
        "",
        "Build any example's site with `govcard site build examples/NAME/project.yaml -o site/`.",
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
