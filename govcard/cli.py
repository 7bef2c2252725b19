"""The `govcard` command: a thin layer over the library.

Only click is imported at start-up; each command imports what it needs, so `govcard --help`
stays fast. Library errors (`GovcardError`) become one line per problem on stderr and exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from govcard import __version__

if TYPE_CHECKING:
    from govcard.carbon import Footprint
    from govcard.derive import Derived


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from govcard.errors import GovcardError

        try:
            return super().invoke(ctx)
        except GovcardError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            # Commands that write swap their output atomically and say so themselves.
            click.echo("govcard: interrupted", err=True)
            ctx.exit(130)


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="govcard")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Governance Cards, OpenRAIL-M model cards, a compliance check and carbon accounting, from one
    project.yaml of governance facts.

    \b
    Start with:
      govcard init myproject
      govcard validate myproject/project.yaml
      govcard render myproject/project.yaml -o out/
      govcard check out/models/
      govcard site build myproject/project.yaml -o site/

    Exit codes: 0 success, 1 problems found, 2 bad usage or invalid input.
    """
    if ctx.invoked_subcommand is None:
        click.echo(_overview(ctx))


def _overview(ctx: click.Context) -> str:
    """`govcard` alone: the commands in a line each, and the next step to take here."""
    import os

    group = ctx.command
    assert isinstance(group, click.Group)
    lines = [
        f"govcard {__version__}: governance documentation from one project.yaml",
        "",
        "Commands:",
    ]
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is not None:
            lines.append(f"  {name:<9} {command.get_short_help_str(70)}")
    if os.path.isfile("project.yaml"):
        step = "govcard validate project.yaml, then govcard render project.yaml -o out/"
    else:
        step = "govcard init . (writes a starter project.yaml here)"
    lines += ["", f"Next: {step}", "Help on a command: govcard COMMAND --help"]
    return "\n".join(lines)


def _require(extra: str) -> None:
    """Stop the running command with one line naming `extra` when it is not installed."""
    from govcard import extras

    extras.require(extra, click.get_current_context().command_path)


# Paths stay strings here: pathlib costs start-up time that `govcard --help` need not pay.
_FILE = click.Path(dir_okay=True)
_template_dir = click.option(
    "--template-dir",
    type=click.Path(file_okay=False, exists=True),
    help="Templates that replace the defaults of the same name (or extend default:NAME).",
)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=_FILE)
def validate(files: tuple[str, ...]) -> None:
    """Check project files against the schema, and their locations and measurement files.

    Every problem is reported at once, as file:line:column: path: what is wrong. Facts that are
    valid but suspicious (a power per GPU below 30 W, say) are warned about on stderr, as
    govcard carbon does.

    \b
    Example:
      govcard validate examples/bigcode/project.yaml
    """
    from govcard import validation
    from govcard.errors import GovcardError

    problems = []
    for file in files:
        try:
            project, warnings = validation.check(file)
        except GovcardError as exc:
            problems.extend(exc.problems)
            continue
        for warning in warnings:
            click.echo(f"warning: {warning}", err=True)
        facts = project.facts
        click.echo(
            f"{file}: valid ({_count(len(facts.datasets), 'dataset')}, {_count(len(facts.models), 'model')})"
        )
    if problems:
        raise GovcardError(problems)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@cli.command(name="carbon")
@click.argument("file", type=_FILE)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A readable table, or JSON for other tools.",
)
@click.option("--strict", is_flag=True, help="Exit 1 when a reported figure is inconsistent.")
def carbon_command(file: str, output_format: str, strict: bool) -> None:
    """Recompute each model's training energy and CO2eq and check the reported figures.

    IT energy = GPU-hours x W / 1000; facility energy = IT energy x PUE;
    CO2eq = facility energy x grid intensity. A reported figure is consistent when it is within
    the larger of 0.5% and half a unit of its last printed digit. Suspicious facts (a power per
    GPU below 30 W, say) are warned about on stderr. With --strict, an inconsistent figure makes
    the command exit 1 (for CI).

    \b
    Example:
      govcard carbon examples/bigcode/project.yaml --format json
    """
    from govcard import carbon, validation

    results = carbon.footprints(validation.load(file))
    for result in results:
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
    if output_format == "json":
        import json

        document = {"models": [r.as_json() for r in results]}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        click.echo(_carbon_table(results), nl=False)
    if strict and any(r.consistency.status == "inconsistent" for r in results):
        raise click.exceptions.Exit(1)


def _carbon_table(results: list[Footprint]) -> str:
    from govcard.units import format_energy_kwh, format_mass_kg, format_number

    if not results:
        return "No model has training facts.\n"

    def cell(value: float | None, fmt: Any) -> str:
        return "-" if value is None else str(fmt(value))

    header = (
        "model",
        "GPU-hours",
        "IT energy",
        "PUE",
        "facility energy",
        "kgCO2e/kWh",
        "CO2eq",
        "verdict",
    )
    rows = [
        (
            r.id,
            cell(r.gpu_hours, format_number),
            cell(r.energy_kwh, format_energy_kwh),
            cell(r.pue, format_number),
            cell(r.facility_energy_kwh, format_energy_kwh),
            cell(r.carbon_intensity_kg_per_kwh, lambda v: format_number(round(v, 5))),
            cell(r.co2eq_kg, format_mass_kg),
            r.consistency.status,
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(text.ljust(widths[i]) for i, text in enumerate(row)).rstrip()
        for row in (header, *rows)
    ]
    lines.append("")
    for r in results:
        lines.append(f"{r.id}: {r.consistency.status}: {r.consistency.message}")
        if r.intensity_source:
            where = f" ({r.location})" if r.location else ""
            lines.append(f"  intensity: {r.intensity_source}{where}")
        lines.extend(f"  {step}" for step in r.steps)
    return "\n".join(lines) + "\n"


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option(
    "--base-card",
    type=click.Path(dir_okay=False),
    metavar="PATH|hub:ORG/NAME[@REV]",
    help="The parent model's card, for a derivative: a file, or the README.md of a model repo "
    "on the Hub (kept in the Hugging Face cache; HF_HUB_OFFLINE=1 uses the cached copy).",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="Hub endpoint for --base-card hub:... (default: HF_ENDPOINT, else the public Hub).",
)
@click.option(
    "--timeout",
    type=float,
    default=60,  # govcard.publish.DEFAULT_TIMEOUT_S
    envvar="GOVCARD_HUB_TIMEOUT",
    show_envvar=True,
    show_default=True,
    metavar="SECONDS",
    callback=lambda ctx, param, value: _seconds(ctx, param, value),  # defined below
    help="How long to wait for the Hub on each request of --base-card hub:... (to connect, send, "
    "or receive the next part of the answer).",
)
@click.option(
    "--license", "license_id", help="Check against this license, whatever the cards' metadata says."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="Findings as text, JSON, GitHub workflow commands or SARIF 2.1.0.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--ignore", multiple=True, metavar="RULE", help="Skip a rule (repeatable).")
@click.option(
    "--fix",
    is_flag=True,
    help="Add what is missing and fixable (license metadata, the notice, the terms block, the "
    "Built with line) to each card in place, then check; nothing else in a file changes.",
)
def check(
    paths: tuple[str, ...],
    base_card: str | None,
    endpoint: str | None,
    timeout: float,
    license_id: str | None,
    output_format: str,
    strict: bool,
    ignore: tuple[str, ...],
    fix: bool,
) -> None:
    """Check model cards against their license's requirements (for CI and pre-commit).

    PATHS are card files, directories (every Markdown card inside) or - for stdin. Defaults
    come from [tool.govcard.check] in pyproject.toml (ignore = [...], severity = {rule = level}).
    Exit 0: no error findings; 1: error findings; 2: bad usage or an unreadable path.

    \b
    Example:
      govcard check out/models/*/README.md
      govcard check README.md --base-card parent/README.md --format github
      govcard check README.md --base-card hub:bigcode/starcoder
      govcard check --fix README.md
    """
    from pathlib import Path

    from govcard import cards, report
    from govcard import check as checking
    from govcard.errors import GovcardError
    from govcard.licenses import hub_license_ids, terms

    ignored, severity = checking.load_config(Path.cwd())
    for rule in ignore:
        checking.validate_rule(rule, "--ignore")
    if license_id is not None and license_id not in hub_license_ids() and not terms(license_id):
        raise GovcardError.at("--license", f"{license_id!r} is not a Hub license id")
    if fix and "-" in paths:
        raise GovcardError.at("--fix", "fixes cards in place; give files, not - (stdin)")
    base = None
    if base_card is not None:
        from govcard import hubcard  # imports huggingface_hub only to fetch a card

        location = Path(base_card)
        hub = hubcard.is_hub_spec(base_card)
        if hub:
            location = hubcard.fetch_card(base_card, endpoint, timeout)
        try:
            base = cards.read(location)
        except cards.Unreadable as exc:
            raise GovcardError.at(base_card, str(exc)) from None
        if hub:
            # Findings name the parent as given, not by its path in the Hugging Face cache.
            base.path = base_card
    options = checking.Options(
        base_card=base,
        license=license_id,
        ignore=ignored | set(ignore),
        severity=severity,
        strict=strict,
    )
    missing = [p for p in paths if p != "-" and not Path(p).exists()]
    if missing:
        raise GovcardError.at(missing[0], "no such file or directory")
    if fix:
        from govcard.check.fix import fix_file

        for path in paths:
            folder = Path(path).is_dir()
            files = checking.card_files(Path(path)) if folder else [Path(path)]
            for file in files:
                if folder and not checking.files.is_walked_card(file, options):
                    continue  # not a model card: the check skips it, and so does --fix
                for change in fix_file(file, options):
                    click.echo(f"{file}: fixed: {change}", err=True)
    results = []
    for path in paths:
        if path == "-":
            if sys.stdin is None:  # started with standard input closed
                raise GovcardError.at(
                    "<stdin>", "standard input is closed; give card files instead"
                )
            try:
                raw = sys.stdin.buffer.read(cards.MAX_BYTES + 1)
            except (OSError, ValueError) as exc:
                raise GovcardError.at("<stdin>", f"cannot read standard input: {exc}") from None
            results.append(checking.check_bytes(raw, "<stdin>", options))
        else:
            results.extend(checking.check_paths([Path(path)], options))
    click.echo(report.FORMATS[output_format](results), nl=False)
    if any(f.severity == "error" for r in results for f in r.findings):
        raise click.exceptions.Exit(1)


@contextmanager
def _writing(where: str) -> Iterator[None]:
    """For the commands that write a folder: Ctrl-C ends with one line and exit 130, and a
    report that stdout cannot take (a full disk, a closed pipe) with one line and exit 2."""
    from govcard.errors import GovcardError
    from govcard.output import Interrupted

    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(where, "interrupted; the previous output is unchanged") from None
    except OSError as exc:
        if not getattr(exc, "govcard_stdout", False):
            raise
        raise GovcardError.at("<stdout>", f"could not write: {exc.strerror or exc}") from None


def _say(text: str) -> None:
    """`click.echo` to stdout; if stdout cannot take it, later writes go nowhere (so the exit
    does not fail again) and the error is raised for `_writing` to report."""
    import os

    try:
        click.echo(text)
    except OSError as exc:
        try:
            fd = sys.stdout.fileno()
        except (OSError, ValueError, AttributeError):
            fd = None
        if fd is not None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fd)
            os.close(devnull)
        exc.govcard_stdout = True  # type: ignore[attr-defined]
        raise


@cli.group()
def site() -> None:
    """Build or preview a MkDocs-Material site of the cards (works offline, on any static host).

    Needs the site extra (its error says how to install it).

    \b
    Example:
      govcard site build examples/bigcode/project.yaml -o site/
      govcard site serve examples/bigcode/project.yaml
    """


def _site_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise click.BadParameter(
            "give the site's address as http(s)://host/path/, e.g. https://example.org/governance/"
        )
    return value if value.endswith("/") else value + "/"


@site.command(name="build")
@click.argument("file", type=_FILE)
@click.option(
    "-o",
    "--output",
    default="site",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where the built site goes; replaced as a whole, and only if it is a govcard site.",
)
@click.option(
    "--keep-source",
    type=click.Path(file_okay=False),
    help="Also keep the generated MkDocs project (mkdocs.yml and pages) here, to edit or build with another tool; replaced as a whole, and only if govcard wrote it.",
)
@click.option(
    "--site-url",
    callback=_site_url,
    metavar="URL",
    help="Where the site will be served, e.g. https://example.org/governance/; the 404 page links from it. Without it, the 404 page's links are relative.",
)
@_template_dir
def site_build(
    file: str, output: str, keep_source: str | None, site_url: str | None, template_dir: str | None
) -> None:
    """Build the site of a project: home, Governance Card, model cards, datasets, carbon, licenses, tags.

    \b
    Example:
      govcard site build examples/bigcode/project.yaml -o site/ --keep-source site-src/
    """
    _require("site")
    from pathlib import Path

    from govcard import derive, validation
    from govcard import site as sites

    with _writing(output):
        derived = derive.derive(validation.load(file))
        sites.build(
            derived,
            Path(output),
            Path(keep_source) if keep_source else None,
            Path(template_dir) if template_dir else None,
            inputs=(Path(file),),
            site_url=site_url,
        )
        _say(
            f"built the site in {output}"
            + (f"; its MkDocs project is in {keep_source}" if keep_source else "")
        )


@site.command(name="serve")
@click.argument("file", type=_FILE)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port on localhost.",
)
def site_serve(file: str, port: int) -> None:
    """Preview the site on localhost; edits to the project file rebuild it.

    \b
    Example:
      govcard site serve examples/bigcode/project.yaml --port 8000
    """
    _require("site")
    from govcard import site as sites

    sites.serve(file, port)


def _seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A --timeout: seconds above 0, at most a day (click's float takes nan and inf, and sockets
    overflow on huge values); as govcard.publish.MAX_TIMEOUT_S."""
    if not 0 < value <= 86_400:
        raise click.BadParameter(f"{value:g} is not a number of seconds above 0 and at most 86400")
    return value


@cli.command()
@click.argument("file", type=_FILE)
@click.option(
    "--space", required=True, metavar="ORG/NAME", help="The static Space that receives the site."
)
@click.option(
    "--models",
    is_flag=True,
    help="Also put each model card (and GOVERNANCE.md) into its model repo.",
)
@click.option(
    "--datasets",
    is_flag=True,
    help="Also put each dataset card (and GOVERNANCE.md) into its dataset repo.",
)
@click.option(
    "--replace-cards",
    is_flag=True,
    help="Replace a README.md or GOVERNANCE.md in a model or dataset repo that govcard did not "
    "write (without it, publish stops and says how govcard's differs).",
)
@click.option(
    "--endpoint", metavar="URL", help="Hub endpoint (default: HF_ENDPOINT, else the public Hub)."
)
@click.option(
    "--token",
    metavar="TOKEN",
    help="Access token (default: HF_TOKEN, else the stored login). Never printed.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Read the repos and say, file by file, what would be added, changed or deleted; "
    "write nothing.",
)
@click.option("--create-pr", is_flag=True, help="Open pull requests instead of committing to main.")
@click.option(
    "--timeout",
    type=float,
    default=60,  # govcard.publish.DEFAULT_TIMEOUT_S
    envvar="GOVCARD_HUB_TIMEOUT",
    show_envvar=True,
    show_default=True,
    metavar="SECONDS",
    callback=_seconds,
    help="How long to wait for the Hub on each request (to connect, send, or receive the next "
    "part of the answer) before giving up. huggingface_hub retries a tree listing or an upload "
    "check up to 5 times.",
)
@_template_dir
def publish(
    file: str,
    space: str,
    models: bool,
    datasets: bool,
    replace_cards: bool,
    endpoint: str | None,
    token: str | None,
    dry_run: bool,
    create_pr: bool,
    timeout: float,
    template_dir: str | None,
) -> None:
    """Publish the site to a static Space, and the model and dataset cards to their repos.

    The cards go with --models and --datasets, each beside GOVERNANCE.md (and a model's
    evaluation results on Hub datasets, .eval_results/govcard.yaml). Every repo is read
    first; nothing is written unless all of them can be. Each then gets one atomic commit that
    adds and updates the changed files (and, in the Space, deletes the stale ones); a missing
    repo is created; running it again is safe. A README.md or GOVERNANCE.md in a model or
    dataset repo that govcard did not write is replaced only with --replace-cards: without it,
    publish says how govcard's differs and stops (exit 1). Nothing is published unless the site builds cleanly and every
    model card passes govcard check. Needs the site extra (its error says how to install it).

    \b
    Example:
      govcard publish examples/bigcode/project.yaml --space my-org/governance --models --dry-run
      govcard publish examples/bigcode/project.yaml --space my-org/governance --models --datasets
    """
    _require("site")
    import re

    from govcard import derive, validation
    from govcard import publish as publishing
    from govcard.errors import GovcardError

    if not re.fullmatch(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*", space):
        raise GovcardError.at("--space", f"{space!r} is not a Hub repository id like org/name")
    derived = derive.derive(validation.load(file))
    from pathlib import Path

    templates = Path(template_dir) if template_dir else None
    try:
        lines = publishing.build_and_publish(
            derived,
            space,
            models,
            endpoint,
            token,
            dry_run,
            create_pr,
            templates,
            timeout,
            datasets=datasets,
            replace_cards=replace_cards,
        )
    except publishing.Refusal as refusal:
        for line in refusal.report:
            click.echo(line)
        raise
    for line in lines:
        click.echo(line)


@cli.command()
@click.argument("file", type=_FILE)
@click.option(
    "--for",
    "documents",
    type=click.Choice(["eu", "fmti"]),
    default="eu",
    show_default=True,
    help="Which documents: eu (the training-content summary and the Model Documentation Form), "
    "or fmti (the indicators of the Foundation Model Transparency Index).",
)
def gaps(file: str, documents: str) -> None:
    """List, field by field, what the facts still lack for the EU AI Act documents or the FMTI.

    For eu, exit 1 when a required field is missing; optional gaps are listed but do not fail.
    For fmti, every indicator the facts do not disclose, or disclose partly, is listed with the
    facts that would answer it; none is required, so the exit is 0.

    \b
    Example:
      govcard gaps examples/bigcode/project.yaml --for eu
      govcard gaps examples/bigcode/project.yaml --for fmti
    """
    from govcard import derive, eu, validation

    derived = derive.derive(validation.load(file))
    if documents == "fmti":
        _fmti_gaps(file, derived)
        return
    found = eu.gaps(derived)
    for gap in found:
        kind = "required" if gap.required else "optional"
        click.echo(f"{gap.document}: {gap.path}: {gap.what} ({kind})")
    required = sum(gap.required for gap in found)
    optional = _count(len(found) - required, "optional fact")
    click.echo(f"{file}: {required} required and {optional} missing for {documents}")
    if required:
        raise click.exceptions.Exit(1)


def _fmti_gaps(file: str, derived: Derived) -> None:
    """`gaps --for fmti`: a line per indicator not disclosed in full, as `--for eu` writes them."""
    from govcard.exports import fmti

    found = fmti.gaps(derived)
    for row in found:
        answer = row.answer
        if answer is None:
            where, what = "(no field)", row.indicator.name
        elif row.hits and not row.missing:
            where, what = "(no field)", f"{row.indicator.name}: {'; '.join(answer.unrecorded)}"
        else:
            where = ", ".join(row.missing or [f.path for f in answer.facts])
            what = row.indicator.name
        status = "partly disclosed" if row.status == "partly" else "not disclosed"
        click.echo(f"fmti: {where}: {what} ({status})")
    partly = sum(row.status == "partly" for row in found)
    total = len(fmti.indicators())
    click.echo(
        f"{file}: {len(found) - partly} of {total} indicators not disclosed and {partly} partly "
        "disclosed for fmti"
    )


@cli.command()
@click.argument("file", type=_FILE)
@click.option(
    "-o",
    "--output",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Output directory; replaced as a whole, and only if govcard wrote it.",
)
@_template_dir
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; list the stale files with a short diff, and exit 1 if there are any.",
)
def render(file: str, output: str, template_dir: str | None, check: bool) -> None:
    """Render the Governance Card, a model card per model, governance.json and the exports.

    \b
    Writes OUTPUT/GOVERNANCE.md, OUTPUT/models/<id>/README.md (with the evaluation results
    on Hub datasets in OUTPUT/models/<id>/.eval_results/govcard.yaml), OUTPUT/governance.json,
    and OUTPUT/exports/<format>/ for every format of govcard export whose extra is installed (a
    format left out is named on stderr). What the facts do not say is left out of the cards; the
    gaps are listed on stderr.

    \b
    Example:
      govcard render examples/bigcode/project.yaml -o out/
      govcard render examples/bigcode/project.yaml -o out/ --check
    """
    from pathlib import Path

    from govcard import derive, validation
    from govcard import render as rendering

    with _writing(output):
        derived = derive.derive(validation.load(file))
        templates = Path(template_dir) if template_dir else None
        outputs = rendering.render(derived, templates)
        out_dir = Path(output)
        if check:
            changes = rendering.differences(outputs, out_dir)
            for change in changes:
                _say(change)
            if changes:
                raise click.exceptions.Exit(1)
            _say(f"{out_dir}: up to date ({_count(len(outputs), 'file')})")
            return
        inputs = (Path(file), *([templates] if templates else []))
        rendering.write(outputs, out_dir, inputs)
        _say(f"wrote {_count(len(outputs), 'file')} to {out_dir}")
    for gap in derived.gaps:
        click.echo(f"gap: {gap}", err=True)
    for warning in derived.warnings:
        click.echo(f"warning: {warning}", err=True)
    from govcard import exports

    for note in exports.skipped():
        click.echo(f"note: {note}", err=True)


def _export_formats() -> list[str]:
    from govcard.exports import FORMATS

    return list(FORMATS)


@cli.command()
@click.argument("file", type=_FILE)
@click.option(
    "--to",
    "to",
    required=True,
    type=click.Choice(_export_formats()),
    help="The format: fmti (a transparency report in the layout of the Foundation Model "
    "Transparency Index, as CSV).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    metavar="PATH",
    help="Where to write: the file, for a format that yields one file; else a folder, replaced "
    "as a whole and only if govcard wrote it. Default: out/exports/<format>/.",
)
def export(file: str, to: str, output: str | None) -> None:
    """Export the facts in a machine-readable format.

    Every export names the govcard version and the date the facts are as of (project.as_of),
    and is byte-identical from run to run. govcard render writes the same files under
    OUTPUT/exports/<format>/.

    \b
    Example:
      govcard export examples/bigcode/project.yaml --to fmti
      govcard export examples/bigcode/project.yaml --to fmti -o bigcode-fmti.csv
      govcard export examples/bigcode/project.yaml --to cyclonedx -o bom.json
    """
    from pathlib import Path

    from govcard import derive, exports, validation
    from govcard.errors import GovcardError
    from govcard.exports import writing

    exports.require(to, click.get_current_context().command_path)
    where = output or f"out/exports/{to}"
    with _writing(where):
        derived = derive.derive(validation.load(file))
        produced = exports.files(derived, to)
        if not produced:
            raise GovcardError.at(
                file,
                f"the facts hold nothing the {to} export writes ({exports.FORMATS[to].summary})",
            )
        if output is not None and len(produced) == 1:
            [text] = produced.values()
            writing.write_file(text, Path(output), inputs=(Path(file),))
            _say(f"wrote {output}")
            return
        writing.write_folder(produced, Path(where), inputs=(Path(file),))
        _say(f"wrote {_count(len(produced), 'file')} to {where}")


@cli.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "markdown"]),
    default="json",
    show_default=True,
    help="The JSON Schema, or a Markdown reference of every key.",
)
def schema(output_format: str) -> None:
    """Print the JSON Schema of project.yaml (editors use it to complete and check files).

    \b
    Example:
      govcard schema > project.schema.json
      govcard schema --format markdown > project-yaml.md
    """
    from govcard.schema import json_schema_text, markdown_reference

    click.echo(json_schema_text() if output_format == "json" else markdown_reference(), nl=False)


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing project.yaml.")
def init(directory: str, force: bool) -> None:
    """Write a commented starter project.yaml (and its JSON Schema) into DIRECTORY.

    \b
    Example:
      govcard init myproject && govcard validate myproject/project.yaml
    """
    from pathlib import Path

    from govcard import starter

    written = starter.write(Path(directory), force=force)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: edit {written[0]}, then run govcard validate {written[0]}")


@cli.group(name="license")
def license_group() -> None:
    """Print a license's terms for a model card's License section (no project.yaml needed).

    For fine-tuners: the obligations when sharing the model or a derivative, each with the
    section of the license that states it, and a RAIL license's use restrictions.

    \b
    Example:
      govcard license show llama3.1 >> README.md
      govcard license list
    """


@license_group.command(name="show")
@click.argument("license_id", metavar="ID")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="A '## License' block to paste into a model card, or JSON for other tools.",
)
def license_show(license_id: str, output_format: str) -> None:
    """Print the terms of license ID as Markdown for a model card, or as JSON.

    ID is a license id of `govcard license list`, or a name cards give it (the license_name of
    `license: other`, "Llama 3.1 Community License"), in any case.

    \b
    Example:
      govcard license show bigscience-openrail-m
      govcard license show llama3.1 --format json
    """
    from govcard import license_block
    from govcard.errors import GovcardError

    entry = license_block.lookup(license_id)
    if entry is None:
        close = license_block.suggestion(license_id)
        hint = f" (did you mean {close}?)" if close else ""
        raise GovcardError.at(
            click.get_current_context().command_path,
            f"{license_id!r} is not a license govcard knows{hint}; see govcard license list",
        )
    if output_format == "json":
        import json

        document = license_block.as_json(entry)
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        click.echo(license_block.markdown(entry), nl=False)


@license_group.command(name="list")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A line per license, or JSON for other tools.",
)
def license_list(output_format: str) -> None:
    """List the licenses govcard knows: id, family, name and where the text was read.

    \b
    Example:
      govcard license list
      govcard license list --format json
    """
    from govcard import license_block

    rows = [license_block.summary(entry) for entry in license_block.entries().values()]
    if output_format == "json":
        import json

        click.echo(json.dumps({"licenses": rows}, indent=2, ensure_ascii=False))
        return
    columns = ("id", "family", "name")
    widths = {key: max(len(key), *(len(row[key]) for row in rows)) for key in columns}
    click.echo("  ".join(key.ljust(widths[key]) for key in columns) + "  text read from")
    for row in rows:
        source = " ".join(row["source"].split())
        click.echo("  ".join(row[key].ljust(widths[key]) for key in columns) + f"  {source}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="govcard")
