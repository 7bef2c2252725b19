"""Render the cards: a Governance Card, a Hugging Face model card per model, governance.json.

Rendering happens in memory; files are written only once everything rendered, into a staging
folder that then takes the output folder's place in one atomic step (govcard.output), so a failure
or a kill leaves the old output as it was. Templates come from `--template-dir` first, then the
packaged defaults, which are also reachable as `default:NAME` so a user template can extend one
and replace a single block; the user's templates run in Jinja's sandbox.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import stat
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from govcard import markdown, output
from govcard.derive import Derived, ModelView, hub_dataset, license_view
from govcard.errors import GovcardError, printable
from govcard.schema import Dataset

if TYPE_CHECKING:
    import jinja2
    from huggingface_hub import EvalResultEntry

GOVERNANCE_CARD = "GOVERNANCE.md"
GOVERNANCE_JSON = "governance.json"
GOVERNANCE_TEMPLATE = "governance_card.md.j2"
MODEL_TEMPLATE = "model_card.md.j2"
DATASET_TEMPLATE = "dataset_card.md.j2"
EU_DOCUMENTS = {
    "eu/training-content-summary.md": "eu/training_content_summary.md.j2",
    "eu/model-documentation.md": "eu/model_documentation.md.j2",
}
# Where each model card is, relative to the output directory.
MODEL_CARD_PATH = "models/{id}/README.md"
# Beside it, the evaluation results in the Hub's `.eval_results/` form: the one file of that
# folder govcard writes, so that results others add to the model repo stay theirs.
EVAL_RESULTS_FILE = "govcard.yaml"
EVAL_RESULTS_PATH = "models/{id}/.eval_results/" + EVAL_RESULTS_FILE
# From out/models/<id>/README.md to out/GOVERNANCE.md.
DEFAULT_GOVERNANCE_LINK = "../../GOVERNANCE.md"


def packaged_templates() -> Path:
    """The folder of the default templates shipped in the package."""
    return Path(str(files("govcard").joinpath("templates")))


def environment(template_dir: Path | None = None) -> jinja2.Environment:
    """A Jinja environment: user templates first, then the defaults (also as `default:`).

    The environment of the default templates is kept, so its compiled templates serve every later
    render in the process (a live preview, a benchmark); one with user templates is made anew.
    """
    if template_dir is None:
        return _default_environment()
    if not template_dir.is_dir():
        raise GovcardError.at(str(template_dir), "template directory not found")
    return _make_environment(template_dir)


@cache
def _default_environment() -> jinja2.Environment:
    return _make_environment(None)


def _make_environment(template_dir: Path | None) -> jinja2.Environment:
    import jinja2

    packaged = jinja2.FileSystemLoader(packaged_templates())
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        loaders.append(_user_loader(template_dir))
    loaders += [jinja2.PrefixLoader({"default": packaged}, delimiter=":"), packaged]
    options: dict[str, Any] = dict(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=markdown.finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # Templates from --template-dir may come from a stranger's pull request: they run in Jinja's
    # sandbox, which keeps them away from Python's internals (no os.popen through __globals__).
    env = _sandbox()(**options) if template_dir is not None else jinja2.Environment(**options)
    env.filters.update(markdown.FILTERS)
    return env


# What a user template may make with one operator: enough for any card, not a memory bomb.
MAX_TEMPLATE_VALUE = 10_000_000
MAX_TEMPLATE_BYTES = 1_000_000


@cache
def _sandbox() -> type[jinja2.Environment]:
    """Jinja's immutable sandbox, with `*` and `**` bounded (a string repeated a billion times,
    `10 ** 10 ** 10`)."""
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Sandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and _big_power(left, right):
                raise SecurityError(f"{left!r} ** {right!r} is too large a number")
            if operator == "*" and _big_repeat(left, right):
                raise SecurityError(f"a repetition of more than {MAX_TEMPLATE_VALUE:,} items")
            return super().call_binop(context, operator, left, right)

    return Sandbox


def _big_power(base: Any, exponent: Any) -> bool:
    if not isinstance(exponent, int | float) or isinstance(exponent, bool):
        return False
    if isinstance(base, int) and isinstance(exponent, int):
        return exponent > 0 and abs(base) > 1 and exponent * abs(base).bit_length() > 4096
    return False


def _big_repeat(left: Any, right: Any) -> bool:
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(times, int):
            return len(sequence) * times > MAX_TEMPLATE_VALUE
    return False


def _user_loader(template_dir: Path) -> jinja2.BaseLoader:
    """A loader of the templates in `template_dir` that reads only regular files inside it (no
    link out of it, no FIFO or device), of at most MAX_TEMPLATE_BYTES."""
    import jinja2

    root = template_dir.resolve()

    class UserLoader(jinja2.FileSystemLoader):
        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str, Callable[[], bool]]:
            pieces = jinja2.loaders.split_template_path(template)
            path = template_dir.joinpath(*pieces)
            try:
                real = path.resolve(strict=True)
            except (OSError, RuntimeError):
                raise jinja2.TemplateNotFound(template) from None
            if not real.is_relative_to(root):
                raise GovcardError.at(str(path), "a template must not link out of --template-dir")
            try:
                mode = os.stat(real).st_mode
                if not stat.S_ISREG(mode):
                    raise GovcardError.at(str(path), "a template must be a regular file")
                with open(real, "rb") as handle:
                    data = handle.read(MAX_TEMPLATE_BYTES + 1)
            except OSError as exc:
                raise GovcardError.at(
                    str(path), f"cannot read the template: {exc.strerror}"
                ) from None
            if len(data) > MAX_TEMPLATE_BYTES:
                raise GovcardError.at(
                    str(path), f"a template may have at most {MAX_TEMPLATE_BYTES:,} bytes"
                )
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise GovcardError.at(str(path), "a template must be UTF-8 text") from None
            mtime = os.stat(real).st_mtime
            return text, str(path), lambda: _unchanged(real, mtime)

    return UserLoader(template_dir)


def _unchanged(path: Path, mtime: float) -> bool:
    try:
        return os.stat(path).st_mtime == mtime
    except OSError:
        return False


def front_matter(view: ModelView) -> str:
    """The model card's YAML metadata, made with huggingface_hub's card data classes."""
    return metadata_yaml(card_metadata(view))


def card_metadata(view: ModelView) -> dict[str, Any]:
    """The model card's Hub metadata as huggingface_hub's `ModelCardData` makes it."""
    from huggingface_hub import EvalResult, ModelCardData

    model = view.model
    license_fields: dict[str, Any] = {}
    if view.license is not None:
        license_fields["license"] = view.license.id
        if view.license.other:
            license_fields.update(license_name=view.license.name, license_link=view.license.url)
    # huggingface_hub groups results by task, dataset type and config, not by dataset name:
    # results on one dataset type with different names need a config of their own to stay apart.
    names: dict[tuple[str, str], set[str]] = {}
    for e in model.evaluation:
        names.setdefault((e.task, e.dataset_id or e.dataset), set()).add(e.dataset)
    results = [
        EvalResult(
            task_type=e.task,
            dataset_type=e.dataset_id or e.dataset,
            dataset_name=e.dataset,
            dataset_config=e.dataset_config
            or (e.dataset if len(names[(e.task, e.dataset_id or e.dataset)]) > 1 else None),
            metric_type=e.metric,
            metric_value=e.value,
            source_url=e.source,
        )
        for e in model.evaluation
    ]
    data = ModelCardData(
        base_model=view.base_hub_id,
        language=model.languages or None,
        datasets=view.hub_datasets or None,
        library_name=model.library_name,
        metrics=model.metrics or None,
        pipeline_tag=model.pipeline_tag,
        tags=model.tags or None,
        model_name=model.name if results else None,
        eval_results=results or None,
        co2_eq_emissions=co2_metadata(view),
        **license_fields,
    )
    return dict(data.to_dict())  # type: ignore[no-untyped-call]


def eval_result_entries(view: ModelView) -> list[EvalResultEntry]:
    """A model's evaluation results as huggingface_hub's `EvalResultEntry`, for the Hub's
    `.eval_results/*.yaml`: those on a Hub dataset (ORG/NAME), the benchmark whose leaderboard
    lists them. The task is the dataset config, else the benchmark's `default` task; the notes
    name the result's dataset and metric, which the format has no field for."""
    from huggingface_hub import EvalResultEntry

    entries = []
    for result in view.model.evaluation:
        dataset = hub_dataset(result)
        if dataset is None:
            continue
        entries.append(
            EvalResultEntry(
                dataset_id=dataset,
                task_id=result.dataset_config or "default",
                value=result.value,
                source_url=result.source,
                notes=f"{result.dataset}, {result.metric}",
            )
        )
    return entries


def eval_results(view: ModelView) -> str | None:
    """The model's `.eval_results/govcard.yaml`, written with huggingface_hub's
    `eval_result_entries_to_yaml`; None when no result is on a Hub dataset."""
    import yaml
    from huggingface_hub import eval_result_entries_to_yaml

    entries = eval_result_entries(view)
    if not entries:
        return None
    data = eval_result_entries_to_yaml(entries)
    return str(yaml.dump(data, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False))


def metadata_yaml(metadata: dict[str, Any]) -> str:
    """Card metadata as `CardData.to_yaml()` writes it, through libyaml when it is available.

    huggingface_hub dumps with PyYAML's pure-Python emitter, which takes half of a render; the C
    emitter with the same options writes the same text (a test compares the two).
    """
    import yaml

    if not metadata:
        return ""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = str(yaml.dump(metadata, Dumper=dumper, allow_unicode=True, sort_keys=False))
    if "\\U" in text:
        # libyaml escapes characters beyond the BMP (emoji) that PyYAML writes as they are.
        text = str(yaml.dump(metadata, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False))
    return text


def co2_metadata(view: ModelView) -> dict[str, Any] | None:
    """The Hub's `co2_eq_emissions`, in grams: the figure the project published, with its source,
    when there is one (the card's body recomputes and judges it); else govcard's computation."""
    training = view.model.training
    if training is None:
        return None
    footprint = view.footprint
    reported = training.reported.co2eq_quantity() if training.reported is not None else None
    if reported is not None:
        assert training.reported is not None
        grams = reported.value * 1000
        source = f"reported: {reported.text}" + (
            f" ({training.reported.source})" if training.reported.source else ""
        )
    elif footprint is not None and footprint.co2eq_kg is not None:
        grams = footprint.co2eq_kg * 1000
        source = f"computed by govcard from training facts; intensity: {footprint.intensity_source}"
    else:
        return None
    data: dict[str, Any] = {"emissions": _grams(grams), "source": source}
    if training.training_type:
        data["training_type"] = training.training_type
    if footprint is not None and footprint.location:
        data["geographical_location"] = footprint.location
    if training.hardware:
        data["hardware_used"] = training.hardware
    return data


def _grams(grams: float) -> int | float:
    """Whole grams, or three significant digits below one gram (a short run is not 0 g)."""
    if grams == 0 or abs(grams) >= 0.5:
        return round(grams)
    return float(f"{grams:.3g}")


def governance_json(derived: Derived) -> str:
    """The validated facts and every derived figure, for other tools."""
    facts = derived.project.facts
    document = {
        "generator": "govcard",
        "schema_version": facts.schema_version,
        "facts": facts.model_dump(mode="json", exclude_none=True),
        "derived": {
            "carbon": [v.footprint.as_json() for v in derived.models if v.footprint is not None],
            "licenses": {
                v.model.id: {
                    "id": v.license.id,
                    "name": v.license.name,
                    "url": v.license.url,
                    "use_restrictions": [r.id for r in v.license.rail.restrictions]
                    if v.license.rail
                    else [],
                    "obligations": v.license.rail.obligations.stated() if v.license.rail else [],
                }
                for v in derived.models
                if v.license is not None
            },
            "gaps": derived.gaps,
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render(
    derived: Derived,
    template_dir: Path | None = None,
    governance_link: str = DEFAULT_GOVERNANCE_LINK,
    model_links: dict[str, str] | None = None,
) -> dict[str, str]:
    """Every output file, path relative to the output directory -> content.

    `governance_link` is where model cards link the Governance Card, and `model_links` where the
    Governance Card links each model's card (by model id), for cards published elsewhere.
    """
    env = environment(template_dir)
    common = common_context(derived)
    if model_links:
        common["model_paths"] = {**common["model_paths"], **model_links}
    outputs = {GOVERNANCE_CARD: render_template(env, GOVERNANCE_TEMPLATE, common)}
    for view in derived.models:
        context = model_context(common, view, governance_link)
        outputs[MODEL_CARD_PATH.format(id=view.model.id)] = render_template(
            env, MODEL_TEMPLATE, context
        )
        results = eval_results(view)
        if results is not None:
            outputs[EVAL_RESULTS_PATH.format(id=view.model.id)] = results
    facts = derived.project.facts
    for dataset in facts.datasets:
        context = {
            **common,
            "dataset": dataset,
            "dataset_license": license_view(dataset.license),
            "source_datasets": source_datasets(dataset, facts.datasets),
            "built_from": built_from(dataset, facts.datasets),
            "front_matter": Markup(dataset_front_matter(dataset, facts.datasets)),
        }
        outputs[f"datasets/{dataset.id}/README.md"] = render_template(
            env, DATASET_TEMPLATE, context
        )
    outputs.update(eu_documents(derived, env, common))
    outputs[GOVERNANCE_JSON] = governance_json(derived)
    return outputs


def eu_documents(
    derived: Derived, env: jinja2.Environment, common: dict[str, Any]
) -> dict[str, str]:
    """The EU AI Act documents: the training-content summary and the model documentation."""
    from govcard import eu

    regulatory = {**common, **eu.context(derived)}
    return {
        path: render_template(env, template, regulatory) for path, template in EU_DOCUMENTS.items()
    }


SIZE_CATEGORIES = [
    (1e3, "n<1K"),
    (1e4, "1K<n<10K"),
    (1e5, "10K<n<100K"),
    (1e6, "100K<n<1M"),
    (1e7, "1M<n<10M"),
    (1e8, "10M<n<100M"),
    (1e9, "100M<n<1B"),
    (1e10, "1B<n<10B"),
    (1e11, "10B<n<100B"),
    (1e12, "100B<n<1T"),
]


def size_category(items: int) -> str:
    """The Hub's `size_categories` value for a number of items."""
    return next((label for edge, label in SIZE_CATEGORIES if items < edge), "n>1T")


# The Hub's `language` takes ISO 639 codes and a few special values; language names (and
# programming languages) stay in the card's text, where the Hub would not misfile them.
_HUB_LANGUAGE = re.compile(r"[a-z]{2,3}|code|multilingual")


@dataclass(frozen=True)
class SourceDataset:
    """A dataset another was made from, as its card names it."""

    name: str
    hub_id: str | None


@dataclass(frozen=True)
class BuiltFrom:
    """One source of a dataset as its card shows it: its name, size, and Hub dataset if any."""

    name: str
    size: str | None
    hub_id: str | None


def built_from(dataset: Dataset, datasets: Sequence[Dataset]) -> list[BuiltFrom]:
    """The sources a dataset was built from, each with the Hub id of the dataset it names (one
    of the project's, or a Hub id), if any."""
    known = {d.id: d for d in datasets}
    return [
        BuiltFrom(
            s.name,
            s.size,
            None
            if s.dataset is None
            else known[s.dataset].hub_id
            if s.dataset in known
            else s.dataset,
        )
        for s in dataset.sources
    ]


def source_datasets(dataset: Dataset, datasets: Sequence[Dataset]) -> list[SourceDataset]:
    """The datasets `dataset` was made from (its `sources` that name a dataset): those of the
    project by name and Hub id (if it has one), the others by their Hub id."""
    known = {d.id: d for d in datasets}
    refs = [s.dataset for s in dataset.sources if s.dataset is not None]
    return [
        SourceDataset(known[ref].name, known[ref].hub_id)
        if ref in known
        else SourceDataset(ref, ref)
        for ref in dict.fromkeys(refs)
    ]


def dataset_card_metadata(dataset: Dataset, datasets: Sequence[Dataset]) -> dict[str, Any]:
    """A dataset card's Hub metadata, what the Hub filters datasets on, as huggingface_hub's
    `DatasetCardData` makes it: license, language, task and size categories, pretty name, and
    the source datasets that are on the Hub."""
    from huggingface_hub import DatasetCardData

    license_fields: dict[str, Any] = {}
    shown = license_view(dataset.license)
    if shown is not None:
        license_fields["license"] = shown.id
        if shown.other:
            license_fields.update(license_name=shown.name, license_link=shown.url)
    languages = [code for code in dataset.languages if _HUB_LANGUAGE.fullmatch(code)]
    if dataset.modality == "code" and "code" not in languages:
        languages.append("code")  # the Hub's language of source code
    sources = [s.hub_id for s in source_datasets(dataset, datasets) if s.hub_id is not None]
    data = DatasetCardData(
        pretty_name=dataset.name,
        language=languages or None,
        size_categories=[size_category(dataset.items)] if dataset.items is not None else None,
        source_datasets=list(dict.fromkeys(sources)) or None,
        task_categories=dataset.task_categories or None,
        **license_fields,
    )
    return dict(data.to_dict())  # type: ignore[no-untyped-call]


def dataset_front_matter(dataset: Dataset, datasets: Sequence[Dataset] = ()) -> str:
    """A dataset card's YAML metadata (see `dataset_card_metadata`)."""
    return metadata_yaml(dataset_card_metadata(dataset, datasets))


def common_context(derived: Derived, model_path: str = MODEL_CARD_PATH) -> dict[str, Any]:
    """What every template receives (documented in docs/guides/templates.md)."""
    from govcard.licenses import OBLIGATION_TEXT

    facts = derived.project.facts
    return {
        "project": facts.project,
        "datasets": facts.datasets,
        "models": derived.models,
        "obligation_text": OBLIGATION_TEXT,
        "model_paths": {v.model.id: model_path.format(id=v.model.id) for v in derived.models},
    }


def model_context(
    common: dict[str, Any], view: ModelView, governance_link: str, with_front_matter: bool = True
) -> dict[str, Any]:
    """What the model card template receives on top of the common context."""
    return {
        **common,
        "view": view,
        "model": view.model,
        "front_matter": Markup(front_matter(view) if with_front_matter else ""),
        "governance_link": governance_link,
    }


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render one template; a failure is a one-line error naming the template file and line."""
    import jinja2
    from jinja2.exceptions import SecurityError

    try:
        text = env.get_template(name).render(context)
    except GovcardError:
        raise
    except jinja2.TemplateSyntaxError as exc:
        raise GovcardError.at(
            exc.filename or name, f"template syntax error: {exc.message}", exc.lineno, 1
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise GovcardError.at(name, f"template not found: {exc.name}") from None
    except RecursionError as exc:
        file, line = _template_frame(exc, name)
        raise GovcardError.at(
            file,
            "template error: endless recursion (a macro, include or extends that calls itself)",
            line,
            1,
        ) from None
    except MemoryError as exc:
        file, line = _template_frame(exc, name)
        raise GovcardError.at(file, "template error: out of memory", line, 1) from None
    except SecurityError as exc:
        file, line = _template_frame(exc, name)
        raise GovcardError.at(
            file, f"template error: not allowed in a template: {exc}", line, 1
        ) from None
    except (jinja2.TemplateError, ValueError, TypeError, AttributeError) as exc:
        file, line = _template_frame(exc, name)
        raise GovcardError.at(file, f"template error: {exc}", line, 1) from None
    except Exception as exc:  # a user template can raise anything: 1/0, [][1], ...
        file, line = _template_frame(exc, name)
        raise GovcardError.at(
            file, f"template error: {type(exc).__name__}: {exc}", line, 1
        ) from None
    return tidy(text)


def _template_frame(exc: BaseException, name: str) -> tuple[str, int]:
    """The innermost template file and line of a rendering error (Jinja rewrites tracebacks)."""
    found = (name, 0)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".j2"):
            found = (frame.filename, frame.lineno or 0)
    return found


def tidy(text: str) -> str:
    """At most one blank line in a row outside code blocks, and one newline at the end."""
    lines: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        stripped = line.strip()
        if fence is None and stripped.startswith("```"):
            fence = stripped[: len(stripped) - len(stripped.lstrip("`"))]
        elif fence is not None and stripped.startswith(fence) and stripped.strip("`") == "":
            fence = None
        elif fence is None and not stripped and (not lines or not lines[-1].strip()):
            continue
        lines.append(line.rstrip() if fence is None else line)
    return "\n".join(lines).rstrip("\n") + "\n"


# --- writing -----------------------------------------------------------------------------------

_OWNED_TOP = {GOVERNANCE_CARD, GOVERNANCE_JSON, "models", "datasets", "eu"}


def write(outputs: dict[str, str], out_dir: Path, inputs: tuple[Path, ...] = ()) -> None:
    """Write all outputs into a staging folder, then swap it in place of `out_dir` (see
    govcard.output). `out_dir` must be missing, empty, or a folder govcard rendered: marked by
    its governance.json and holding nothing else."""

    def fill(staging: Path) -> None:
        for relative, text in sorted(outputs.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)

    output.replace(out_dir, OUTPUT, fill, inputs)


def _foreign_files(out_dir: Path) -> list[str]:
    if not out_dir.exists():
        return []
    if not out_dir.is_dir():
        return [out_dir.name]
    foreign = [p.name for p in sorted(out_dir.iterdir()) if p.name not in _OWNED_TOP]
    eu_folder = out_dir / "eu"
    if eu_folder.is_dir():
        known = {Path(path).name for path in EU_DOCUMENTS}
        foreign += [f"eu/{p.name}" for p in sorted(eu_folder.iterdir()) if p.name not in known]
    for kind in ("models", "datasets"):
        folder = out_dir / kind
        if not folder.is_dir():
            continue
        for card_folder in sorted(folder.iterdir()):
            if not card_folder.is_dir():
                foreign.append(f"{kind}/{card_folder.name}")
                continue
            extra = sorted(p.name for p in card_folder.iterdir() if p.name != "README.md")
            results = card_folder / ".eval_results"
            if kind == "models" and results.is_dir() and not results.is_symlink():
                extra.remove(results.name)
                extra += [
                    f"{results.name}/{p.name}"
                    for p in sorted(results.iterdir())
                    if p.name != EVAL_RESULTS_FILE
                ]
            foreign += [f"{kind}/{card_folder.name}/{name}" for name in extra]
    return foreign


OUTPUT = output.Kind(
    name="",
    marker=GOVERNANCE_JSON,
    refusal="holds files govcard did not write ({files}); "
    "render into an empty directory or one govcard wrote",
    foreign=_foreign_files,
)


DIFF_LINES_PER_FILE = 12
"""Lines of difference `render --check` shows for one changed file; the rest are counted."""
DIFF_LINES = 60
"""Lines of difference shown in all; past them, changed files are listed without a diff."""
DIFF_WIDTH = 160
"""Characters of a line of difference shown."""
MAX_DIFF_BYTES = 1_000_000
"""A file larger than this on either side is said to differ, without a diff (difflib's time
grows with the product of the two sides' lengths)."""


def differences(outputs: dict[str, str], out_dir: Path) -> list[str]:
    """What `write` would change on disk: changed, missing and stale files, each changed file
    followed by a short diff of its lines (indented, as long as the DIFF_LINES last)."""
    changes = []
    budget = DIFF_LINES
    for relative, text in sorted(outputs.items()):
        target = out_dir / relative
        data = text.encode("utf-8")
        try:
            is_file = stat.S_ISREG(target.stat().st_mode)
        except OSError:
            is_file = False
        if not is_file:  # a FIFO or a device in its place is not read
            changes.append(f"missing: {target}")
            continue
        on_disk = _read(target, max(len(data), MAX_DIFF_BYTES) + 1)
        if on_disk == data:
            continue
        changes.append(f"changed: {target}")
        if budget > 0:
            shown = short_diff(on_disk, data, min(DIFF_LINES_PER_FILE, budget))
            budget -= len(shown)
            changes += [f"  {line}" for line in shown]
    if out_dir.is_dir():
        on_disk_files = output.files_in(out_dir)
        changes += [f"stale: {out_dir / rel}" for rel in sorted(on_disk_files - set(outputs))]
    return changes


def short_diff(old: bytes | None, new: bytes, limit: int) -> list[str]:
    """At most `limit` lines saying how `new` differs from `old`: unified diff hunks with one
    line of context, each line cut to DIFF_WIDTH characters and control characters shown."""
    if old is None:
        return ["(the file on disk cannot be read)"]
    if max(len(old), len(new)) > MAX_DIFF_BYTES:
        return [f"(no diff: over {MAX_DIFF_BYTES:,} bytes)"]
    before = old.decode("utf-8", "replace").splitlines()
    after = new.decode("utf-8").splitlines()
    lines = list(difflib.unified_diff(before, after, lineterm="", n=1))[2:]  # no ---/+++ lines
    if not lines:
        return ["(only the line endings or the final newline differ)"]
    shown = [
        printable(line if len(line) <= DIFF_WIDTH else line[: DIFF_WIDTH - 3] + "...")
        for line in lines[: limit if len(lines) <= limit else limit - 1]
    ]
    if len(lines) > len(shown):
        shown.append(f"... {len(lines) - len(shown):,} more lines of difference")
    return shown


def _read(path: Path, limit: int) -> bytes | None:
    """At most `limit` bytes of the file at `path`, or None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return None
