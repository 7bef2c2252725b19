"""Render the cards: a Governance Card, a Hugging Face model card per model, governance.json.

Rendering happens in memory; files are written only once everything rendered, into a temporary
directory that then replaces the output directory, so a failure leaves the old output as it was.
Templates come from `--template-dir` first, then the packaged defaults, which are also reachable
as `default:NAME` so a user template can extend one and replace a single block.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import traceback
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from govcard import markdown
from govcard.derive import Derived, ModelView
from govcard.errors import GovcardError

if TYPE_CHECKING:
    import jinja2

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
        loaders.append(jinja2.FileSystemLoader(template_dir))
    loaders += [jinja2.PrefixLoader({"default": packaged}, delimiter=":"), packaged]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=markdown.finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(markdown.FILTERS)
    return env


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
    """The Hub's `co2_eq_emissions`, in grams: computed if possible, else as reported."""
    training = view.model.training
    if training is None:
        return None
    grams: float | None = None
    footprint = view.footprint
    if footprint is not None and footprint.co2eq_kg is not None:
        grams = footprint.co2eq_kg * 1000
        source = f"computed by govcard from training facts; intensity: {footprint.intensity_source}"
    elif (
        training.reported is not None
        and (reported := training.reported.co2eq_quantity()) is not None
    ):
        grams = reported.value * 1000
        source = f"reported: {reported.text}" + (
            f" ({training.reported.source})" if training.reported.source else ""
        )
    if grams is None:
        return None
    data: dict[str, Any] = {"emissions": round(grams), "source": source}
    if training.training_type:
        data["training_type"] = training.training_type
    if footprint is not None and footprint.location:
        data["geographical_location"] = footprint.location
    if training.hardware:
        data["hardware_used"] = training.hardware
    return data


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
    for dataset in derived.project.facts.datasets:
        context = {
            **common,
            "dataset": dataset,
            "front_matter": Markup(dataset_front_matter(dataset)),
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


def dataset_front_matter(dataset: Any) -> str:
    """A dataset card's YAML metadata, made with huggingface_hub's `DatasetCardData`."""
    from huggingface_hub import DatasetCardData

    data = DatasetCardData(
        pretty_name=dataset.name,
        license=dataset.license,
        language=dataset.languages or None,
        size_categories=[size_category(dataset.items)] if dataset.items is not None else None,
        task_categories=dataset.task_categories or None,
    )
    return metadata_yaml(data.to_dict())  # type: ignore[no-untyped-call]


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

    try:
        text = env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise GovcardError.at(
            exc.filename or name, f"template syntax error: {exc.message}", exc.lineno, 1
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise GovcardError.at(name, f"template not found: {exc.name}") from None
    except (jinja2.TemplateError, ValueError, TypeError, AttributeError) as exc:
        file, line = _template_frame(exc, name)
        raise GovcardError.at(file, f"template error: {exc}", line, 1) from None
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


def write(outputs: dict[str, str], out_dir: Path) -> None:
    """Write all outputs into a fresh directory, then swap it in place of `out_dir`."""
    foreign = _foreign_files(out_dir)
    if foreign:
        raise GovcardError.at(
            str(out_dir),
            f"holds files govcard did not write ({', '.join(foreign[:3])}); "
            "render into an empty directory or one govcard wrote",
        )
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=parent))
    try:
        for relative, text in sorted(outputs.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
        previous = None
        if out_dir.exists():
            previous = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=parent))
            os.replace(out_dir, previous / "out")
        os.replace(staging, out_dir)
        if previous is not None:
            shutil.rmtree(previous)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


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
            foreign += [f"{kind}/{card_folder.name}/{name}" for name in extra]
    return foreign


def differences(outputs: dict[str, str], out_dir: Path) -> list[str]:
    """What `write` would change on disk: changed, missing and stale files."""
    changes = []
    for relative, text in sorted(outputs.items()):
        target = out_dir / relative
        if not target.is_file():
            changes.append(f"missing: {target}")
        elif target.read_text(encoding="utf-8") != text:
            changes.append(f"changed: {target}")
    if out_dir.is_dir():
        on_disk = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()}
        changes += [f"stale: {out_dir / rel}" for rel in sorted(on_disk - set(outputs))]
    return changes
