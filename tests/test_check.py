"""`govcard check`: every rule failing and passing, the command's interface, its four formats,
the cards `govcard render` writes, bad inputs, and the public model cards of the corpus.

Cards are copied from tests/fixtures/cards/ (or written) into the test's own directory and checked
by their plain names, so findings read exactly as a user sees them: `card.md:2:1: license-unknown
error: ...`. Bad inputs (binary, non-UTF-8, oversized, YAML bombs) are written by the tests.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from govcard import licenses, lineage, report
from govcard.cards import MAX_BYTES, decode, parse
from govcard.check import RULES, FileResult, Finding, Options, check_text
from govcard.cli import cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cards"
EXAMPLE = ROOT / "examples" / "bigcode" / "project.yaml"
CORPUS = Path("/work/shared/corpus/model-cards")

BIGCODE_URL = "https://huggingface.co/spaces/bigcode/bigcode-model-license-agreement"
RAIL_IDS = sorted(i for i, info in licenses.catalog().items() if not info.family_only)


# --- helpers -----------------------------------------------------------------------------------


def run(*args: str, input: bytes | str | None = None) -> Result:
    """`govcard check ARGS`, as a user runs it."""
    result = CliRunner().invoke(cli, ["check", *args], prog_name="govcard", input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    return result


def report_of(*args: str, input: bytes | str | None = None) -> tuple[int, dict[str, Any]]:
    """The exit code and the JSON report of `govcard check ARGS --format json`."""
    result = run(*args, "--format", "json", input=input)
    assert result.exit_code in (0, 1), result.output
    assert result.stderr == ""
    return result.exit_code, json.loads(result.stdout)


class Found(NamedTuple):
    rule: str
    severity: str
    line: int
    message: str
    fix: str


def findings(*args: str, input: bytes | str | None = None) -> list[Found]:
    """The findings of the one card that `govcard check ARGS` checks."""
    _, document = report_of(*args, input=input)
    (file,) = document["files"]
    return [Found(**f) for f in file["findings"]]


def where(found: list[Found]) -> list[tuple[str, str, int]]:
    """(rule, severity, line) of each finding, in the order reported."""
    return [(f.rule, f.severity, f.line) for f in found]


def rules_of(found: list[Found]) -> set[str]:
    return {f.rule for f in found}


def copy_card(name: str, target: str | None = None) -> str:
    """Copy a fixture card (or a fixture folder) into the current directory; return its path."""
    source = FIXTURES / name
    destination = Path(target or name)
    destination.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, destination)
    else:
        shutil.copy(source, destination)
    return str(destination)


def relabel(name: str, license_lines: str, target: str = "card.md") -> str:
    """A fixture card with its `license:` line replaced (the rest, line numbers included, kept)."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert len(re.findall(r"^license: ", text, flags=re.M)) == 1
    Path(target).write_text(
        re.sub(r"^license: .*$", license_lines, text, count=1, flags=re.M), encoding="utf-8"
    )
    return target


def render(project_yaml: str, out: str = "out") -> str:
    """Write project.yaml, run `govcard render` into `out`, return `out`."""
    Path("project.yaml").write_text(project_yaml, encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", "project.yaml", "-o", out], prog_name="govcard")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def cards(workdir: Path) -> Callable[..., str]:
    """cards(name, target=None) copies a fixture into the test's directory (see copy_card)."""
    return copy_card


# --- every rule: a failing case, exactly ------------------------------------------------------


class Case(NamedTuple):
    """A card (a fixture, or text written by the test) and the findings it must give."""

    setup: Callable[[], list[str]]
    """Writes the card(s) into the current directory and returns the arguments of the check."""
    expected: list[tuple[str, str, int, tuple[str, ...]]]
    """(rule, severity, line, words the message contains), in the order reported."""


def _fixture(name: str) -> Callable[[], list[str]]:
    """Copy a fixture card as card.md (a fixture folder under its own name)."""
    return lambda: [copy_card(name, None if (FIXTURES / name).is_dir() else "card.md")]


def _text(text: str | bytes, name: str = "card.md") -> Callable[[], list[str]]:
    def setup() -> list[str]:
        data = text.encode("utf-8") if isinstance(text, str) else text
        Path(name).write_bytes(data)
        return [name]

    return setup


def _relabelled(name: str, license_lines: str) -> Callable[[], list[str]]:
    return lambda: [relabel(name, license_lines)]


def _without_license_file() -> list[str]:
    # A folder name used by no other test: `check` caches folder listings by name.
    return [copy_card("with-license-file/README.md", "no-license-file/README.md")]


def _child_against_parent() -> list[str]:
    copy_card("parent")
    return [copy_card("child"), "--base-card", "parent/README.md"]


def _big_sparse_file() -> list[str]:
    with open("card.md", "wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    return ["card.md"]


DERIVATIVE_IN_PROSE = (
    "---\nbase_model: bigcode/starcoder\n---\n# SQLCoder-Mini\n\nFine-tuned on SQL.\n\n"
    "License: BigCode Open RAIL-M v1\n"
)

FAILING: dict[str, Case] = {
    "card-unreadable: binary": Case(
        _text(b"---\nlicense: mit\n---\n\x00\x01\x02 weights\n"),
        [("card-unreadable", "error", 1, ("binary", "NUL bytes"))],
    ),
    "card-unreadable: not UTF-8": Case(
        _text(b"---\nlicense: mit\n---\ncaf\xe9 au lait\n"),
        [("card-unreadable", "error", 1, ("not UTF-8", "byte 0xe9 on line 4"))],
    ),
    "card-unreadable: over 10 MB": Case(
        _big_sparse_file,
        [("card-unreadable", "error", 1, ("10,485,761 bytes", "at most 10,485,760"))],
    ),
    "front-matter-missing": Case(
        _text("# A card\n\nLicensed under the MIT license.\n", "README.md"),
        [("front-matter-missing", "warning", 3, ("text names a license", "no `license:`"))],
    ),
    "front-matter-invalid: unclosed": Case(
        _text("---\nlicense: mit\n\n# A card\n", "README.md"),
        [("front-matter-invalid", "error", 1, ("not closed by a --- line",))],
    ),
    "front-matter-invalid: a list": Case(
        _text("---\n- license: mit\n- tags: [a]\n---\n# A card\n"),
        [("front-matter-invalid", "error", 2, ("is a list", "not a mapping"))],
    ),
    "front-matter-invalid: a string": Case(
        _text("---\njust some words\n---\n# A card\n"),
        [("front-matter-invalid", "error", 2, ("is a str", "not a mapping"))],
    ),
    "front-matter-invalid: bad YAML": Case(
        _text("---\nlicense: mit\nbase_model: [a, b\nlanguage: en\n---\n# A card\n"),
        [("front-matter-invalid", "error", 4, ("not valid YAML",))],
    ),
    "license-missing": Case(
        _fixture("license-missing.md"),
        [("license-missing", "error", 1, ("no license in the metadata or the text",))],
    ),
    "license-missing: empty value": Case(
        _text("---\nlicense:\ntags: [x]\n---\n# A card\n"),
        [("license-missing", "error", 1, ("no license",))],
    ),
    "license-missing: no front matter": Case(
        _text("# A card\n\nNo metadata at all.\n", "README.md"),
        [("license-missing", "error", 1, ("no front matter", "names no license"))],
    ),
    "license-missing: empty file": Case(
        _text("", "README.md"),
        [("license-missing", "error", 1, ("no front matter",))],
    ),
    "license-missing: a derivative": Case(
        _text("---\nbase_model: bigscience/bloom-560m\n---\n# Riddles\n\nFine-tuned on riddles.\n"),
        [
            (
                "license-missing",
                "error",
                1,
                ("no license", "as a derivative of BLOOM-560M", "bigscience-bloom-rail-1.0"),
            )
        ],
    ),
    "license-metadata-missing": Case(
        _text("---\ntags: [x]\n---\n# A\n\n## License\n\nApache 2.0\n"),
        [("license-metadata-missing", "warning", 6, ("text names a license",))],
    ),
    "derivative-license-unnamed": Case(
        _text(
            "---\nbase_model: bigscience/bloom-560m\n---\n# A\n\nFine-tuned on poems.\n\n"
            "- **License:** see the original model's license\n"
        ),
        [
            (
                "derivative-license-unnamed",
                "error",
                8,
                ("names none", "as a derivative of BLOOM-560M", "bigscience-bloom-rail-1.0"),
            )
        ],
    ),
    "license-unknown": Case(
        _fixture("license-unknown.md"),
        [("license-unknown", "warning", 2, ("'apache2'", "not a Hub license id", "apache-2.0?"))],
    ),
    "license-unknown: a list": Case(
        _text("---\ntags: [x]\nlicense: [mit, apache-2.0]\n---\n# A card\n"),
        [("license-unknown", "warning", 3, ("one Hub license id", "['mit', 'apache-2.0']"))],
    ),
    "license-other-unidentified": Case(
        _fixture("license-other-incomplete.md"),
        [
            (
                "license-other-unidentified",
                "error",
                2,
                ("license_name 'acme-research'", "no license_link", "no LICENSE file"),
            )
        ],
    ),
    "license-other-unidentified: neither": Case(
        _text("---\nlicense: other\n---\n# A card\n"),
        [("license-other-unidentified", "error", 2, ("no license_name and no license_link",))],
    ),
    "license-other-incomplete": Case(
        _text(
            "---\nlicense: other\nlicense_name: acme\n---\n# A card\n\nSee the [license](LICENSE.md).\n"
        ),
        [("license-other-incomplete", "warning", 2, ("without license_link", "links its license"))],
    ),
    "openrail-variant-unknown": Case(
        _fixture("openrail-family.md"),
        [
            (
                "openrail-variant-unknown",
                "error",
                2,
                ("openrail", "family", "neither names nor links"),
            )
        ],
    ),
    "openrail-variant-unknown: another license named": Case(
        _text(
            "---\nlicense: openrail\n---\n# A\n\nCode under the [Apache 2.0 license](LICENSE).\n"
        ),
        [("openrail-variant-unknown", "error", 2, ("no OpenRAIL license but 'apache 2.0'",))],
    ),
    "openrail-family-tag": Case(
        _relabelled("derivative-starcoder.md", "license: openrail"),
        [("openrail-family-tag", "info", 5, ("family tag", "names the BigCode Open RAIL-M v1"))],
    ),
    "co2-malformed": Case(
        _fixture("co2-malformed.md"),
        [("co2-malformed", "warning", 4, ("number of grams", "'17 kg'"))],
    ),
    "co2-malformed: scalar": Case(
        _text("---\nlicense: mit\nco2_eq_emissions: 1.5 t\n---\n# A card\n"),
        [("co2-malformed", "warning", 3, ("number of grams", "'1.5 t'"))],
    ),
    "co2-malformed: negative": Case(
        _text("---\nlicense: mit\nco2_eq_emissions:\n  emissions: -3\n---\n# A card\n"),
        [("co2-malformed", "warning", 4, ("must not be negative", "-3"))],
    ),
    "co2-malformed: no emissions": Case(
        _text("---\nlicense: mit\nco2_eq_emissions:\n  source: codecarbon\n---\n# A card\n"),
        [("co2-malformed", "warning", 3, ("no emissions value",))],
    ),
    "co2-malformed: boolean": Case(
        _text("---\nlicense: mit\nco2_eq_emissions: yes\n---\n# A card\n"),
        [("co2-malformed", "warning", 3, ("number of grams", "True"))],
    ),
    "co2-contradicts-body": Case(
        _fixture("co2-contradicts-body.md"),
        [("co2-contradicts-body", "warning", 4, ("7,540 g", "line 13 says 30.16 kg"))],
    ),
    "co2-contradicts-body: kg written as grams": Case(
        _fixture("co2-kg-as-grams.md"),
        [("co2-contradicts-body", "warning", 3, ("0.0279 g", "0.0279 Kg", "kg written as grams"))],
    ),
    "base-model-malformed": Case(
        _fixture("base-model-malformed.md"),
        [("base-model-malformed", "warning", 3, ("org/name", "'bert base'"))],
    ),
    "base-model-malformed: a number in a list": Case(
        _text("---\nlicense: mit\nbase_model:\n- org/name\n- 7\n---\n# A card\n"),
        [("base-model-malformed", "warning", 3, ("org/name", "got 7"))],
    ),
    "base-model-malformed: empty list": Case(
        _text("---\nlicense: mit\nbase_model: []\n---\n# A card\n"),
        [("base-model-malformed", "warning", 3, ("org/name", "got []"))],
    ),
    "rail-license-text-missing": Case(
        _text(DERIVATIVE_IN_PROSE),
        [
            (
                "rail-license-text-missing",
                "error",
                8,
                (
                    "BigCode Open RAIL-M v1 is named in the text only",
                    "must carry bigcode-openrail-m",
                ),
            )
        ],
    ),
    "derivative-license-prose-only": Case(
        _text(
            "---\nbase_model: meta-llama/Llama-3.1-8B\n---\n# Poet\n\nFine-tuned on poems.\n\n"
            "License: Meta Llama 3 Community License\n"
        ),
        [
            (
                "derivative-license-prose-only",
                "error",
                8,
                ("names llama3", "Llama 3.1 Community License Agreement or a link to it"),
            )
        ],
    ),
    "rail-restrictions-missing": Case(
        _text(
            "---\nlicense: creativeml-openrail-m\n---\n# Painter\n\nTrained from scratch.\n\n"
            "## License\n\nShare it with a copy of the license and the attribution notices.\n"
        ),
        [
            (
                "rail-restrictions-missing",
                "info",
                8,
                (
                    "CreativeML OpenRAIL-M applies by reference",
                    "neither lists its 11 use restrictions",
                ),
            )
        ],
    ),
    "derivative-detected: a repo id after 'fine-tuned from'": Case(
        _fixture("derivative-body-repo.md"),
        [
            (
                "derivative-detected",
                "info",
                7,
                (
                    "fine-tune of StarCoderBase (bigcode/starcoderbase)",
                    "licensed bigcode-openrail-m",
                    '"This model is fine-tuned from bigcode/starcoderbase on shell scripts."',
                ),
            )
        ],
    ),
    "derivative-detected: a model name after 'based on'": Case(
        _fixture("derivative-body-name.md"),
        [("derivative-detected", "info", 8, ("StarCoderPlus", "based on StarCoderPlus"))],
    ),
    "derivative-license-drops-restrictions": Case(
        _fixture("derivative-body-sd.md"),
        [
            (
                "derivative-license-drops-restrictions",
                "error",
                2,
                (
                    "fine-tune of Stable Diffusion v1-5 (runwayml/stable-diffusion-v1-5)",
                    "creativeml-openrail-m",
                    "This is a fine-tuned version of runwayml/stable-diffusion-v1-5",
                    "licensed mit",
                    "all 11 of the parent's are dropped",
                ),
            ),
            ("derivative-detected", "info", 10, ("Stable Diffusion v1-5",)),
        ],
    ),
    "derivative-license-unverified": Case(
        _relabelled(
            "derivative-starcoder.md",
            "license: other\nlicense_name: acme\nlicense_link: https://example.org/acme-license",
        ),
        [
            (
                "derivative-license-unverified",
                "warning",
                5,
                ("StarCoderBase (bigcode/starcoderbase)", "bigcode-openrail-m", "cannot tell"),
            )
        ],
    ),
    "derivative-modifications-undescribed": Case(
        _fixture("derivative-no-modifications.md"),
        [
            (
                "derivative-modifications-undescribed",
                "warning",
                6,
                ("StarCoder (bigcode/starcoder)", "does not say how it was made"),
            )
        ],
    ),
    "license-notice-missing": Case(
        _text(
            "---\nlicense: gemma\nbase_model: google/gemma-2b\n---\n# Gemma-2B-Poems\n\n"
            "Fine-tuned on poems.\n"
        ),
        [
            (
                "license-notice-missing",
                "warning",
                5,
                ("Gemma Terms of Use", "Gemma is provided under and subject to", "§3.1"),
            )
        ],
    ),
    "license-display-missing": Case(
        _text(
            "---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n---\n"
            "# Llama-3.1-Poems-8B\n\nFine-tuned on poems.\n\n"
            "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta "
            "Platforms, Inc. All Rights Reserved.\n"
        ),
        [("license-display-missing", "warning", 5, ('"Built with Llama"', "§1.b.i"))],
    ),
    "license-name-prefix-missing": Case(
        _text(
            "---\nlicense: llama3\nbase_model: meta-llama/Meta-Llama-3-8B-Instruct\n---\n"
            "# Suzume\n\n**Built with Meta Llama 3**\n\nFine-tuned on poems.\n\n"
            "Meta Llama 3 is licensed under the Meta Llama 3 Community License, Copyright © Meta "
            "Platforms, Inc. All Rights Reserved.\n"
        ),
        [("license-name-prefix-missing", "warning", 5, ('"Llama 3"', '"Suzume"'))],
    ),
    "template-placeholder": Case(
        _text(
            "---\nlicense: mit\n---\n# A model\n\n## Training data\n\n"
            "[More Information Needed]\n\n## Evaluation\n\n[More Information Needed]\n"
        ),
        [("template-placeholder", "warning", 8, ("2 template placeholders", "More Information"))],
    ),
    "license-conflict": Case(
        _text(
            "---\nlicense: mit\n---\n# M\n\n## License\n\nReleased under the Apache License 2.0.\n"
        ),
        [("license-conflict", "warning", 6, ("metadata says mit", "names apache-2.0"))],
    ),
    "derivative-parents-conflict": Case(
        _text(
            "---\nlicense: gemma\nbase_model:\n- google/gemma-2b\n- bigcode/starcoder\n---\n"
            "# Gemma-StarCoder-Merge\n\nA merge made with mergekit; use is subject to the use "
            "restrictions.\n\nGemma is provided under and subject to the Gemma Terms of Use found "
            "at ai.google.dev/gemma/terms\n"
        ),
        [
            (
                "derivative-license-drops-restrictions",
                "error",
                2,
                ("StarCoder (bigcode/starcoder)", "licensed gemma"),
            ),
            (
                "derivative-parents-conflict",
                "warning",
                3,
                ("Gemma 2B (google/gemma-2b) (gemma)", "(openrail)"),
            ),
        ],
    ),
    "derivative-sections-dropped": Case(
        _child_against_parent,
        [
            (
                "derivative-sections-dropped",
                "warning",
                5,
                ("parent/README.md", "missing or empty here: Limitations, Evaluation"),
            ),
        ],
    ),
}


def test_every_rule_has_a_failing_case() -> None:
    covered = {rule for case in FAILING.values() for rule, *_ in case.expected}
    assert covered == set(RULES)


@pytest.mark.parametrize("name", list(FAILING))
def test_rule_fails(workdir: Path, name: str) -> None:
    case = FAILING[name]
    found = findings(*case.setup())
    assert where(found) == [(rule, severity, line) for rule, severity, line, _ in case.expected]
    for finding, (*_, words) in zip(found, case.expected, strict=True):
        for word in words:
            assert word in finding.message, finding
        assert finding.fix  # a finding always says what to do
        assert finding.severity == RULES[finding.rule].severity


# --- every rule: a passing case ----------------------------------------------------------------

CLEAN = [
    "rail-original.md",
    "rail-by-reference.md",
    "derivative-starcoder.md",
    "co2-consistent.md",
    "license-other-complete.md",
    "base-model-list.md",
    "with-license-file",
    "parent",
]


@pytest.mark.parametrize("name", CLEAN)
def test_clean_card_has_no_findings(tmp_path: Path, name: str) -> None:
    # Absolute paths: the LICENSE file beside with-license-file/README.md must be found.
    target = tmp_path / name
    if (FIXTURES / name).is_dir():
        shutil.copytree(FIXTURES / name, target)
    else:
        shutil.copy(FIXTURES / name, target)
    code, document = report_of(str(target))
    assert [f["findings"] for f in document["files"]] == [[]]
    assert code == 0


PASSING: dict[str, list[Callable[[], list[str]]]] = {
    "card-unreadable": [_fixture("rail-original.md")],
    "front-matter-missing": [_text("---\n---\n# Only a title\n", "README.md")],
    "front-matter-invalid": [_fixture("rail-original.md"), _text("---\n---\n# Title\n")],
    "license-missing": [_fixture("rail-original.md"), _text(DERIVATIVE_IN_PROSE)],
    "license-metadata-missing": [_fixture("rail-original.md"), _fixture("license-missing.md")],
    "derivative-license-unnamed": [
        _fixture("rail-original.md"),
        _text(
            "---\nbase_model: bigscience/bloom-560m\n---\n# A\n\nFine-tuned on poems.\n\n"
            "- **License:** [the original model's](https://huggingface.co/spaces/bigscience/license)\n"
        ),
    ],
    "license-unknown": [_fixture("license-other-complete.md"), _fixture("openrail-family.md")],
    "license-other-unidentified": [_fixture("license-other-complete.md")],
    "license-other-incomplete": [_fixture("license-other-complete.md")],
    "openrail-variant-unknown": [
        _fixture("rail-original.md"),
        _relabelled("derivative-starcoder.md", "license: openrail"),
    ],
    "openrail-family-tag": [_fixture("rail-original.md"), _fixture("openrail-family.md")],
    "co2-malformed": [_fixture("co2-consistent.md"), _fixture("co2-contradicts-body.md")],
    "co2-contradicts-body": [
        _fixture("co2-consistent.md"),
        _text("---\nlicense: mit\nco2_eq_emissions: {emissions: 12}\n---\n# No figures here\n"),
    ],
    "base-model-malformed": [
        _fixture("base-model-list.md"),
        _fixture("derivative-starcoder.md"),
        _text("---\nlicense: mit\nbase_model: distilroberta-base\n---\n# A legacy id\n"),
    ],
    "rail-license-text-missing": [
        _fixture("rail-by-reference.md"),
        _fixture("with-license-file"),
        _text(
            DERIVATIVE_IN_PROSE.replace(
                "BigCode Open RAIL-M v1", "[BigCode Open RAIL-M v1](LICENSE)"
            )
        ),
    ],
    "derivative-license-prose-only": [
        _text(
            "---\nbase_model: meta-llama/Llama-3.1-8B\n---\n# Poet\n\nFine-tuned on poems.\n\n"
            "License: [Llama 3.1](https://llama.meta.com/llama3_1/license/)\n"
        ),
        _text(
            "---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n---\n# Poet\n\n"
            "Fine-tuned on poems.\n\nLicense: Llama 3.1 Community License\n"
        ),
    ],
    "rail-restrictions-missing": [_fixture("rail-original.md"), _fixture("rail-by-reference.md")],
    "derivative-detected": [_fixture("derivative-starcoder.md"), _fixture("rail-original.md")],
    "derivative-license-drops-restrictions": [
        _fixture("derivative-starcoder.md"),
        _relabelled("derivative-body-sd.md", "license: creativeml-openrail-m"),
    ],
    "derivative-license-unverified": [_fixture("derivative-starcoder.md")],
    "derivative-modifications-undescribed": [
        _fixture("derivative-starcoder.md"),
        _fixture("derivative-body-repo.md"),
    ],
    "license-notice-missing": [
        _text(
            "---\nlicense: gemma\nbase_model: google/gemma-2b\n---\n# Gemma-2B-Poems\n\n"
            "Fine-tuned on poems.\n\nGemma is provided under and subject to the Gemma Terms of\n"
            "Use found at ai.google.dev/gemma/terms\n"
        )
    ],
    "license-display-missing": [
        _text(
            "---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n---\n"
            "# Llama-3.1-Poems-8B\n\n**Built with Llama**\n\nFine-tuned on poems.\n"
        )
    ],
    "license-name-prefix-missing": [
        _text(
            "---\nlicense: llama3\nbase_model: meta-llama/Meta-Llama-3-8B-Instruct\n---\n"
            "# Llama-3-Suzume-8B\n\nFine-tuned on poems.\n"
        ),
        _text(
            "---\nlicense: llama3\nbase_model: meta-llama/Meta-Llama-3-8B-Instruct\n"
            "base_model_relation: quantized\n---\n# Suzume GGUF\n\nA 4-bit GGUF.\n"
        ),
    ],
    "template-placeholder": [
        _text("---\nlicense: mit\n---\n# A model\n\nJinja slots open with `{{`.\n")
    ],
    "license-conflict": [
        _text("---\nlicense: mit\n---\n# M\n\n## License\n\nThe MIT License; see LICENSE.\n"),
        _text(
            "---\nlicense: apache-2.0\n---\n# M\n\n## License\n\nThe weights: Apache License "
            "2.0. The training data: the MIT License.\n"
        ),
    ],
    "derivative-parents-conflict": [
        _text(
            "---\nlicense: llama2\nbase_model:\n- meta-llama/Llama-2-7b-hf\n"
            "- CohereForAI/c4ai-command-r-plus\n---\n# Llama-2-Merge\n\nA merge with mergekit.\n"
        )
    ],
    "derivative-sections-dropped": [
        lambda: [
            copy_card("parent"),
            copy_card("child-complete"),
            "--base-card",
            "parent/README.md",
        ]
    ],
}


def test_every_rule_has_a_passing_case() -> None:
    assert set(PASSING) == set(RULES)


@pytest.mark.parametrize(
    ("rule", "index"), [(rule, i) for rule, setups in PASSING.items() for i in range(len(setups))]
)
def test_rule_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: str, index: int
) -> None:
    # A folder of its own per case, since `check` caches folder listings by name.
    folder = tmp_path / f"pass-{rule}-{index}"
    folder.mkdir()
    monkeypatch.chdir(folder)
    args = PASSING[rule][index]()
    if "with-license-file" in args[0]:
        args[0] = str(folder / "with-license-file")
    _, document = report_of(*args)
    assert document["files"], document
    found = [f for file in document["files"] for f in file["findings"]]
    assert rule not in {f["rule"] for f in found}, found


# --- the rules in more detail ------------------------------------------------------------------


def test_restrictions_listed_by_title_are_recognised(cards) -> None:
    """with-license-file lists the BLOOM license's restrictions by their titles."""
    # An absolute path: `check` caches folder listings by name.
    path = Path.cwd() / cards("with-license-file")
    assert findings(str(path)) == []


@pytest.mark.parametrize(
    ("license_id", "dropped"),
    [
        ("apache-2.0", "which has no use restrictions: all 14 of the parent's are dropped"),
        ("mit", "which has no use restrictions: all 14 of the parent's are dropped"),
        ("bigscience-openrail-m", "the BigScience OpenRAIL-M, which drops (c) Malware"),
        ("bigscience-bloom-rail-1.0", "the BigScience BLOOM RAIL 1.0, which drops (c) Malware"),
        (
            "creativeml-openrail-m",
            "the CreativeML OpenRAIL-M, which drops (c) Malware, (f) Undisclosed "
            "machine-generated content, (h) Impersonating humans to deceive",
        ),
        (
            "openrail++",
            "the CreativeML Open RAIL++-M, which drops (c) Malware, (f) Undisclosed "
            "machine-generated content, (h) Impersonating humans to deceive",
        ),
    ],
)
def test_bigcode_derivative_relabelled(workdir: Path, license_id: str, dropped: str) -> None:
    found = findings(relabel("derivative-starcoder.md", f"license: {license_id}"))
    assert where(found) == [("derivative-license-drops-restrictions", "error", 5)]
    assert found[0].message == (
        "derivative of StarCoderBase (bigcode/starcoderbase) (bigcode-openrail-m, found in "
        f"base_model in the metadata) is licensed {license_id}, {dropped}"
    )
    assert found[0].fix == (
        "License the model under bigcode-openrail-m, as the parent's license requires."
    )


@pytest.mark.parametrize(
    "license_id", ["creativeml-openrail-m", "openrail++", "bigscience-bloom-rail-1.0"]
)
def test_stable_diffusion_derivative_under_a_license_with_every_topic(
    workdir: Path, license_id: str
) -> None:
    """A license with every topic of the parent's keeps its restrictions (corpus 024, 025)."""
    found = findings(relabel("derivative-body-sd.md", f"license: {license_id}"))
    assert "derivative-license-drops-restrictions" not in rules_of(found)
    assert "derivative-detected" in rules_of(found)


def test_derivative_of_a_known_base_in_the_metadata_needs_no_note(cards) -> None:
    assert findings(cards("derivative-starcoder.md")) == []


def test_base_model_is_matched_case_insensitively(workdir: Path) -> None:
    text = (FIXTURES / "derivative-starcoder.md").read_text(encoding="utf-8")
    Path("card.md").write_text(
        text.replace(
            "base_model: bigcode/starcoderbase", "base_model: BigCode/StarCoderBase"
        ).replace("license: bigcode-openrail-m", "license: mit"),
        encoding="utf-8",
    )
    assert where(findings("card.md")) == [("derivative-license-drops-restrictions", "error", 5)]


def test_base_model_list_with_a_rail_base(workdir: Path) -> None:
    Path("card.md").write_text(
        "---\nlicense: apache-2.0\nbase_model:\n- org/other\n- bigscience/bloom-560m\n---\n"
        "# Merged\n\n## Merging\n\nAveraged.\n",
        encoding="utf-8",
    )
    found = findings("card.md")
    drops = [f for f in found if f.rule == "derivative-license-drops-restrictions"]
    assert where(drops) == [("derivative-license-drops-restrictions", "error", 2)]
    assert "BLOOM-560M (bigscience/bloom-560m) (bigscience-bloom-rail-1.0" in drops[0].message


def test_title_naming_the_base_is_not_a_derivative(workdir: Path) -> None:
    """The licensor's own card mentions its name next to 'based on' without being derived."""
    Path("card.md").write_text(
        "---\nlicense: bigcode-openrail-m\nlicense_link: " + BIGCODE_URL + "\n---\n\n"
        "# StarCoder\n\nTools based on StarCoder must keep its use restrictions, and share a copy of "
        "the license with attribution notices.\n",
        encoding="utf-8",
    )
    assert "derivative-detected" not in rules_of(findings("card.md"))


# --- lineage: who the parent is ------------------------------------------------------------------


def _card(metadata: str, body: str) -> str:
    Path("card.md").write_text(f"---\n{metadata}\n---\n{body}", encoding="utf-8")
    return "card.md"


def _drops(found: list[Found]) -> list[Found]:
    return [f for f in found if f.rule == "derivative-license-drops-restrictions"]


@pytest.mark.parametrize(
    "sentence",
    [
        "A LoRA for Stable Diffusion XL that draws pixel art.",
        "An SDXL LoRA that draws pixel art.",
        "Fine-tuned from [stabilityai/stable-diffusion-xl-base-1.0](https://huggingface.co/"
        "stabilityai/stable-diffusion-xl-base-1.0) on pixel art.",
    ],
)
def test_stable_diffusion_xl_in_prose_is_xl(workdir: Path, sentence: str) -> None:
    (drop,) = _drops(findings(_card("license: mit", f"# Pixels\n\n{sentence}\n")))
    assert "Stable Diffusion XL base 1.0" in drop.message
    assert "(openrail++," in drop.message


@pytest.mark.parametrize(
    "sentence",
    [
        "This model generates images based on text prompts, like Stable Diffusion.",
        "It follows the same architecture as SDXL.",
        "We compare it with StarCoder and BLOOM.",
        "Duplicates are found with a Bloom filter.",
        "It was trained on the StarCoder training dataset.",
        "StarCoder and its derivatives must not be used to write malware.",
    ],
)
def test_vague_cues_make_no_derivative(workdir: Path, sentence: str) -> None:
    found = findings(_card("license: mit", f"# Mine\n\n{sentence} Trained from scratch.\n"))
    assert found == []


def test_an_unknown_base_model_does_not_stop_the_text(workdir: Path) -> None:
    path = _card(
        "license: apache-2.0\nbase_model: someone/sql-coder-sft",
        "# SQL\n\nThis model is fine-tuned from StarCoderBase on SQL.\n",
    )
    (drop,) = _drops(findings(path))
    assert drop.message.startswith("fine-tune of StarCoderBase (bigcode-openrail-m, found in")


def test_legacy_ids_and_lists_of_base_models(workdir: Path) -> None:
    assert (
        findings(_card("license: mit\nbase_model: gpt2", "# Tiny\n\nFine-tuned on poems.\n")) == []
    )
    path = _card(
        "license: apache-2.0\nbase_model:\n- bigcode/starcoder\n- bigcode/santacoder\n"
        "base_model_relation: merge",
        "# Merged\n\nA merge of two models.\n",
    )
    (drop,) = _drops(findings(path))  # one defect, one finding
    assert drop.message.startswith("merge of StarCoder (bigcode/starcoder) (bigcode-openrail-m")


def test_hub_tags_name_the_base_model_and_the_license(workdir: Path) -> None:
    path = _card(
        "tags:\n- lora\n- base_model:adapter:stabilityai/stable-diffusion-xl-base-1.0\n"
        "- license:apache-2.0",
        "# Pixels\n\nTrained with DreamBooth.\n",
    )
    (drop,) = _drops(findings(path))
    assert "found in the tag base_model:adapter:stabilityai/stable-diffusion-xl-base-1.0" in (
        drop.message
    )
    assert "licensed apache-2.0" in drop.message


def test_a_licensor_card_of_its_own_model_is_no_derivative(workdir: Path) -> None:
    metadata = "license: other\nlicense_name: sai-nc-community\nlicense_link: LICENSE.md"
    body = "SDXL-Turbo is a distilled version of SDXL 1.0, trained for real-time synthesis.\n"
    assert findings(_card(metadata, f"# SDXL-Turbo Model Card\n\n{body}")) == []
    # The same words in another publisher's card are a derivative relicensed.
    (drop,) = _drops(findings(_card(metadata, f"# Quick Pixels\n\n{body}")))
    assert "licensed other" in drop.message and "no use restrictions" in drop.message


def test_a_non_rail_base_is_not_stable_diffusion_1(workdir: Path) -> None:
    # Stable Diffusion 3 is under the Stability AI Community License, not a RAIL license: mit
    # drops its terms, not creativeml-openrail-m's.
    path = _card("license: mit", "# Fast\n\nA LoRA fine-tuned from Stable Diffusion 3 Medium.\n")
    (drop,) = _drops(findings(path))
    assert "of Stable Diffusion 3 (Stability AI Community License Agreement" in drop.message
    assert "openrail" not in drop.message


def test_modifications_told_in_prose_count(workdir: Path) -> None:
    path = _card(
        "license: creativeml-openrail-m\nbase_model: runwayml/stable-diffusion-v1-5",
        "# Cats\n\nFine-tuned with DreamBooth for 15,000 steps with prior preservation. Use is "
        "subject to the use restrictions of the license.\n",
    )
    assert findings(path) == []


def test_the_base_model_catalog_is_well_formed() -> None:
    known = lineage.catalog()
    hub = licenses.hub_license_ids()
    for base in [*known.repos.values(), *known.names.values()]:
        assert base.license in hub or base.license.startswith("other:"), base
        assert base.shown and base.source, base
    for base in known.names.values():
        # Inference finds a name by one of its stems (in the text, or in base_model ids only).
        assert any(stem in base.match.lower() for stem in lineage.ID_STEMS), base
        assert base.source.startswith("as ") and "/" in base.source, base
    for info in licenses.catalog().values():
        # rail_named searches only around "rail" and "licen".
        for alias in (*info.aliases, *info.links):
            assert "rail" in alias or "licen" in alias, alias


def _stems_by_finders(body: str, end: int) -> list[tuple[int, str]]:
    """What `lineage._stem_positions` must return: each stem's first mentions as its own finder
    finds them in the body, one search per stem."""
    known = lineage.catalog()
    found = []
    for stem in lineage.STEMS:
        for count, match in enumerate(known.finders[stem].finditer(body, 0, end)):
            if count >= lineage._MAX_PER_STEM:
                break
            found.append((match.start(), stem))
    return sorted(found)


def test_stems_are_found_in_real_cards_as_each_finder_finds_them() -> None:
    if not CORPUS.is_dir():
        pytest.skip("the real-card corpus is not beside the repository")
    known = lineage.catalog()
    for path in sorted(CORPUS.glob("*.md")):
        card = parse(decode(path.read_bytes()), path.name)
        body, end = card.lowered, len(card.body)
        assert lineage._stem_positions(body, end, known) == _stems_by_finders(body, end), path


_STEM_TEXT = st.lists(
    st.sampled_from(
        [
            *lineage.STEMS,
            "sdiffusion",
            "starcoder",
            "decoder",
            "sdxl",
            "llama 2",
            "meta llama 3",
            "stable diffusion",
            "qwen2",
            "gemma-2",
            " ",
            "-",
            "_",
            "\n",
            "é",
            "\u2019",
            "🤗",
            "x",
            "2",
        ]
    ),
    max_size=60,
).map("".join)


@given(text=_STEM_TEXT, chunk=st.sampled_from([1, 2, 3, 5, 8, 13, 1 << 16]))
@settings(max_examples=300, deadline=None)
def test_stems_are_found_across_chunks_as_each_finder_finds_them(text: str, chunk: int) -> None:
    """The search goes chunk by chunk: a stem cut by a chunk's end, or "sdiffusion" (two stems
    in one) across it, is found once, where it is."""
    original = lineage._CHUNK
    lineage._CHUNK = chunk
    try:
        for end in (len(text), len(text) // 2):
            found = lineage._stem_positions(text, end, lineage.catalog())
            assert found == _stems_by_finders(text, end)
    finally:
        lineage._CHUNK = original


@given(text=_STEM_TEXT, chunk=st.sampled_from([1, 2, 3, 5, 8, 13, 1 << 16]))
@settings(max_examples=300, deadline=None)
def test_every_occurrence_of_a_stem_is_a_hit_once(text: str, chunk: int) -> None:
    """The automaton's hits, chunk by chunk, are every occurrence of every stem, also where two
    stems overlap ("sdiffusion")."""
    projection = text.encode("ascii", "replace")
    hits = []
    for start in range(0, len(text), chunk):
        stop = min(start + chunk, len(text))
        hits += lineage._hits(projection, start, stop, frozenset(lineage.STEMS))
    expected = [
        (position, stem)
        for stem in lineage.STEMS
        for position in range(len(text))
        if text.startswith(stem, position)
    ]
    assert sorted(hits) == sorted(expected)
    assert hits == sorted(hits)


def test_a_stem_with_many_hits_that_are_no_names_is_searched_on_by_its_finder() -> None:
    """A card full of "decoder" (hits of the stem "coder" that start no name) past the number
    of hits read one by one, and only then a parent: it is found, as its finder finds it."""
    text = "an encoder-decoder " * (lineage._MAX_HITS + 10) + "fine-tuned from starcoder. "
    text += "sd 1.5 " * (lineage._MAX_PER_STEM + 10)
    found = lineage._stem_positions(text, len(text), lineage.catalog())
    assert found == _stems_by_finders(text, len(text))
    assert ("coder" in {stem for _, stem in found}) and len(found) == 1 + lineage._MAX_PER_STEM


def test_co2_fix_gives_the_grams(cards) -> None:
    (malformed,) = findings(cards("co2-malformed.md"))
    assert malformed.fix == "Write the emissions as a number of grams: 17000."
    (contradiction,) = findings(cards("co2-contradicts-body.md", "other.md"))
    assert contradiction.message == "the metadata says 7,540 g (7.5 kg) but line 13 says 30.16 kg"
    assert contradiction.fix == (
        "If line 13 is right, write co2_eq_emissions.emissions: 30160 (grams)."
    )
    (kg_as_grams,) = findings(cards("co2-kg-as-grams.md"))
    assert kg_as_grams.fix == "If line 10 is right, write co2_eq_emissions.emissions: 27.9 (grams)."


def test_co2_in_tonnes_in_the_body_agrees(workdir: Path) -> None:
    Path("card.md").write_text(
        "---\nlicense: mit\nco2_eq_emissions: 16680000\n---\n# M\n\nCO2 emissions: 16.68 t.\n",
        encoding="utf-8",
    )
    assert findings("card.md") == []


def test_sections_dropped_compares_with_the_parent_card(cards) -> None:
    cards("parent")
    path = cards("child")
    # Without --base-card the child is not known to be a derivative.
    assert findings(path) == []
    found = findings(path, "--base-card", "parent/README.md")
    assert where(found) == [("derivative-sections-dropped", "warning", 5)]
    assert found[0].message == (
        "sections of the parent card (parent/README.md) missing or empty here: "
        "Limitations, Evaluation"
    )
    # A parent named by --base-card needs no derivative-detected note.
    complete = cards("child-complete") + "/README.md"
    assert findings(complete, "--base-card", "parent/README.md") == []


def test_base_card_license_is_the_parents(cards) -> None:
    cards("parent")
    cards("child-complete")
    relabel("child-complete/README.md", "license: mit", "child-complete/README.md")
    found = findings("child-complete/README.md", "--base-card", "parent/README.md")
    assert where(found) == [("derivative-license-drops-restrictions", "error", 2)]
    assert found[0].message.startswith(
        "derivative of the model of parent/README.md (bigcode-openrail-m, found in --base-card) "
        "is licensed mit, which has no use restrictions"
    )


def test_a_license_file_beside_the_card_gives_the_license_text(tmp_path: Path) -> None:
    folder = tmp_path / "card"
    shutil.copytree(FIXTURES / "with-license-file", folder)
    assert findings(str(folder / "README.md")) == []
    for name in ("LICENSE.md", "LICENSE.txt", "LICENSE-MODEL"):
        other = tmp_path / f"card-{name}"
        other.mkdir()
        shutil.copy(folder / "README.md", other / "README.md")
        (other / name).write_text("the license\n", encoding="utf-8")
        assert findings(str(other / "README.md")) == [], name


def test_license_file_lookup_does_not_depend_on_earlier_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two folders with the same relative name, one with a LICENSE file, checked in turn."""
    card = "---\nlicense: other\nlicense_name: lumen\n---\n# Lumen\n\nA text model.\n"
    for name, with_license in (("first", False), ("second", True)):
        folder = tmp_path / name / "license-probe"
        folder.mkdir(parents=True)
        (folder / "README.md").write_text(card, encoding="utf-8")
        if with_license:
            shutil.copy(FIXTURES / "with-license-file" / "LICENSE", folder / "LICENSE")
        monkeypatch.chdir(tmp_path / name)
        found = findings("license-probe/README.md")
        expected = (
            [("license-other-incomplete", "warning", 2)]
            if with_license
            else [("license-other-unidentified", "error", 2)]
        )
        assert where(found) == expected, f"{name}: {found}"


def test_saying_there_are_no_use_restrictions_does_not_incorporate_them(workdir: Path) -> None:
    """Incorporation by reference needs words that point at the license's restrictions; a card
    that denies having any, next to a license link, does not carry them."""
    Path("card.md").write_text(
        "---\nlicense: bigcode-openrail-m\nlicense_link: " + BIGCODE_URL + "\n---\n\n# Quick\n\n"
        "This model has no use restrictions: do what you want with it.\n\n## License\n\n"
        "Share it with attribution notices and a copy of the license.\n",
        encoding="utf-8",
    )
    assert "rail-restrictions-missing" in rules_of(findings("card.md"))


# --- the command -------------------------------------------------------------------------------


def test_clean_card_text_output(cards) -> None:
    result = run(cards("rail-original.md"))
    assert result.exit_code == 0
    assert result.stdout == "1 card checked: 0 errors, 0 warnings, 0 notes\n"
    assert result.stderr == ""


def test_text_output(cards) -> None:
    cards("license-unknown.md", "card.md")
    cards("openrail-family.md")
    result = run("card.md", "openrail-family.md")
    assert result.exit_code == 1
    assert result.stdout == (
        "card.md:2:1: license-unknown warning: 'apache2' is not a Hub license id (did you mean "
        "apache-2.0?)\n"
        "  fix: Use a Hub license id, or `license: other` with license_name and license_link.\n"
        "openrail-family.md:2:1: openrail-variant-unknown error: license: openrail names the "
        "family, not the license, and the card neither names nor links the license\n"
        "  fix: Use the exact license id, e.g. bigcode-openrail-m or creativeml-openrail-m, or "
        "link the license text.\n"
        "2 cards checked: 1 error, 1 warning, 0 notes\n"
    )


def test_json_output(cards) -> None:
    cards("license-unknown.md", "card.md")
    cards("rail-original.md", "clean.md")
    code, document = report_of("card.md", "clean.md")
    assert code == 0
    assert document == {
        "files": [
            {
                "path": "card.md",
                "findings": [
                    {
                        "rule": "license-unknown",
                        "severity": "warning",
                        "line": 2,
                        "message": "'apache2' is not a Hub license id (did you mean apache-2.0?)",
                        "fix": "Use a Hub license id, or `license: other` with license_name and "
                        "license_link.",
                    }
                ],
            },
            {"path": "clean.md", "findings": []},
        ],
        "summary": {"files": 2, "error": 0, "warning": 1, "info": 0},
    }


def test_github_output(cards) -> None:
    cards("license-unknown.md", "card.md")
    cards("openrail-family.md", "family.md")
    cards("derivative-body-name.md", "derived.md")
    result = run("card.md", "family.md", "derived.md", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::warning file=card.md,line=2,col=1,title=license-unknown::'apache2' is not a Hub license "
        "id (did you mean apache-2.0?). Fix: Use a Hub license id, or `license: other` with "
        "license_name and license_link.",
        "::error file=family.md,line=2,col=1,title=openrail-variant-unknown::license: openrail "
        "names the family, not the license, and the card neither names nor links the license. "
        "Fix: Use the exact license id, e.g. bigcode-openrail-m or creativeml-openrail-m, or link "
        "the license text.",
        "::notice file=derived.md,line=8,col=1,title=derivative-detected::derivative of "
        "StarCoderPlus, licensed bigcode-openrail-m; found in the card's text: \"OpenHelper is a "
        'chat assistant for programmers, based on StarCoderPlus.". Fix: Nothing to fix; set '
        "base_model in the metadata if it is missing.",
    ]


def test_github_output_escapes_properties_and_data(workdir: Path) -> None:
    name = "50%: a,b\nc.md"
    Path(name).write_text("---\nlicense: 50%\n---\n# A card\n", encoding="utf-8")
    result = run(name, "--format", "github")
    assert result.exit_code == 0
    assert result.stdout == (
        "::warning file=50%25%3A a%2Cb%0Ac.md,line=2,col=1,title=license-unknown::'50%25' is not a "
        "Hub license id. Fix: Use a Hub license id, or `license: other` with license_name and "
        "license_link.\n"
    )


def test_github_escaping_of_messages() -> None:
    result = FileResult(
        "a:b,c.md", [Finding("license-unknown", "error", 3, "50%\r\nsure: yes, no", "fix: 1,2")]
    )
    assert report.github([result]) == (
        "::error file=a%3Ab%2Cc.md,line=3,col=1,title=license-unknown::"
        "50%25%0D%0Asure: yes, no. Fix: fix: 1,2\n"
    )
    assert report.github([FileResult("x.md")]) == ""


def test_sarif_output(cards) -> None:
    names = [
        cards(name)
        for name in (
            "license-unknown.md",
            "openrail-family.md",
            "derivative-body-sd.md",
            "rail-no-obligations.md",
            "rail-original.md",
        )
    ]
    _, document = report_of(*names)
    result = run(*names, "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    assert "sarif" in log["$schema"]
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "govcard"
    assert isinstance(driver["version"], str)
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert rule_ids == list(RULES)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] == RULES[rule["id"]].title
        assert rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    results = sarif_run["results"]
    expected = [
        (file["path"], f["rule"], f["severity"], f["line"])
        for file in document["files"]
        for f in file["findings"]
    ]
    assert len(results) == len(expected) > 0
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for item, (path, rule, severity, line) in zip(results, expected, strict=True):
        assert item["ruleId"] == rule
        assert item["ruleId"] in rule_ids
        assert driver["rules"][item["ruleIndex"]]["id"] == item["ruleId"]
        assert item["level"] == levels[severity]
        assert item["message"]["text"]
        (location,) = item["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == path
        assert physical["region"]["startLine"] == line >= 1
    assert {item["level"] for item in results} == {"error", "warning", "note"}


def test_sarif_of_clean_cards_has_no_results(cards) -> None:
    result = run(cards("rail-original.md"), "--format", "sarif")
    assert result.exit_code == 0
    log = json.loads(result.stdout)
    assert log["runs"][0]["results"] == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(RULES)


def test_strict_makes_warnings_errors_in_every_format(cards) -> None:
    path = cards("license-unknown.md")
    assert run(path).exit_code == 0
    result = run(path, "--strict")
    assert result.exit_code == 1
    assert "license-unknown error:" in result.stdout
    assert where(findings(path, "--strict")) == [("license-unknown", "error", 2)]
    sarif = json.loads(run(path, "--strict", "--format", "sarif").stdout)
    assert [r["level"] for r in sarif["runs"][0]["results"]] == ["error"]
    assert run(path, "--strict", "--format", "github").stdout.startswith("::error ")


def test_notes_alone_pass_even_when_strict(cards) -> None:
    path = cards("derivative-body-repo.md")
    assert run(path).exit_code == 0
    assert run(path, "--strict").exit_code == 0
    assert where(findings(path, "--strict")) == [("derivative-detected", "info", 7)]


def test_exit_codes(cards) -> None:
    clean = cards("rail-original.md")
    warning = cards("license-unknown.md")
    error = cards("openrail-family.md")
    assert run(clean).exit_code == 0
    assert run(warning).exit_code == 0
    assert run(warning, "--strict").exit_code == 1
    assert run(error).exit_code == 1
    assert run(clean, warning).exit_code == 0
    assert run(clean, error, warning).exit_code == 1


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (["missing.md"], "missing.md: no such file or directory\n"),
        (["card.md", "missing/"], "missing/: no such file or directory\n"),
        (["card.md", "--ignore", "no-such-rule"], "--ignore: unknown rule 'no-such-rule'\n"),
        (
            ["card.md", "--ignore", "rail-restriction-missing"],
            "--ignore: unknown rule 'rail-restriction-missing' (did you mean "
            "rail-restrictions-missing?)\n",
        ),
        (["card.md", "--license", "apache"], "--license: 'apache' is not a Hub license id\n"),
        (
            ["card.md", "--base-card", "missing.md"],
            "missing.md: cannot read the file: No such file or directory\n",
        ),
    ],
)
def test_usage_errors_exit_2(cards, args: list[str], stderr: str) -> None:
    cards("rail-original.md", "card.md")
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == stderr


def test_click_usage_errors_exit_2(cards) -> None:
    cards("rail-original.md", "card.md")
    assert run().exit_code == 2
    assert run("card.md", "--format", "xml").exit_code == 2


def test_stdin(cards) -> None:
    text = (FIXTURES / "openrail-family.md").read_bytes()
    result = run("-", input=text)
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "<stdin>:2:1: openrail-variant-unknown error: license: openrail"
    )
    # With a BOM and CRLF line endings, the lines are the same.
    crlf = b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n")
    assert where(findings("-", input=crlf)) == [("openrail-variant-unknown", "error", 2)]
    clean = (FIXTURES / "rail-original.md").read_bytes()
    assert run("-", input=clean).stdout == "1 card checked: 0 errors, 0 warnings, 0 notes\n"


def test_stdin_with_files(cards) -> None:
    path = cards("openrail-family.md")
    _, document = report_of(path, "-", input=(FIXTURES / "license-unknown.md").read_bytes())
    assert [f["path"] for f in document["files"]] == [path, "<stdin>"]
    assert document["summary"] == {"files": 2, "error": 1, "warning": 1, "info": 0}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"---\nlicense: mit\n---\n\x00\x00", "binary"),
        (b"---\nlicense: mit\n---\n\xff\n", "not UTF-8"),
        (b"---\nlicense: mit\n---\n" + b"a" * MAX_BYTES, "larger than 10,485,760 bytes"),
    ],
    ids=["binary", "latin-1", "oversized"],
)
def test_stdin_unreadable(workdir: Path, data: bytes, words: str) -> None:
    found = findings("-", input=data)
    assert where(found) == [("card-unreadable", "error", 1)]
    assert words in found[0].message


def test_directory_walk(workdir: Path) -> None:
    card = "---\nlicense: mit\n---\n# A card\n"
    files = {
        "cards/README.md": "# A README without metadata\n",
        "cards/notes.md": "# Notes without metadata\n",
        "cards/rule.md": "---\nA thematic break, then text.\n",
        "cards/model.md": card,
        "cards/UPPER.MD": card,
        "cards/data.txt": "not markdown\n",
        "cards/sub/README.md": "---\nlicense: apache2\n---\n# Sub\n",
        "cards/.git/README.md": "# hidden\n",
        "cards/node_modules/pkg/README.md": "# a package\n",
        "cards/venv/README.md": "# a virtualenv\n",
        "cards/.hidden/README.md": "# hidden\n",
    }
    for name, text in files.items():
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text(text, encoding="utf-8")
    Path("cards/binary.md").write_bytes(b"\x00\x01")
    Path("cards/late.md").write_text("# Late\n\n---\nlicense: mit\n---\n", encoding="utf-8")
    files["cards/card-of-x.md"] = "# Model card for X\n\nA model.\n"
    Path("cards/card-of-x.md").write_text(files["cards/card-of-x.md"], encoding="utf-8")
    code, document = report_of("cards")
    assert code == 1
    # Markdown files without front matter are checked when they look like cards (README.md, a
    # `license:` line out of place, "model card" in the title); other notes are not cards.
    assert {f["path"]: [x["rule"] for x in f["findings"]] for f in document["files"]} == {
        "cards/README.md": ["license-missing"],
        "cards/UPPER.MD": [],
        "cards/binary.md": ["card-unreadable"],
        "cards/card-of-x.md": ["license-missing"],
        "cards/late.md": ["front-matter-missing"],
        "cards/model.md": [],
        "cards/sub/README.md": ["license-unknown"],
    }
    assert [f["path"] for f in document["files"]] == sorted(f["path"] for f in document["files"])
    # Front matter that is not at the top is named where it is.
    (late,) = findings("cards/late.md")
    assert (late.rule, late.line) == ("front-matter-missing", 4)
    assert "a `license:` line on line 4 is not in front matter at the top" in late.message
    # A file named on the command line is checked even without front matter.
    assert where(findings("cards/notes.md")) == [("license-missing", "error", 1)]


def test_directory_walk_stays_inside_and_reads_each_file_once(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "README.md").write_text("---\nlicense: apache2\n---\n# Outside\n", encoding="utf-8")
    root = tmp_path / "repo"
    (root / "models" / "a").mkdir(parents=True)
    (root / "models" / "a" / "README.md").write_text(
        "---\nlicense: mit\n---\n# A\n", encoding="utf-8"
    )
    (root / "models" / "loop").symlink_to(root)  # a link to a parent folder
    (root / "models" / "away").symlink_to(outside)  # a link to a folder outside
    (root / "models" / "far.md").symlink_to(outside / "README.md")  # a file outside
    (root / "models" / "again.md").symlink_to(root / "models" / "a" / "README.md")  # twice
    _, document = report_of(str(root))
    assert [f["path"] for f in document["files"]] == [str(root / "models" / "a" / "README.md")]


def test_ignore(cards) -> None:
    path = cards("derivative-body-sd.md")
    found = findings(path, "--ignore", "derivative-detected")
    assert rules_of(found) == {"derivative-license-drops-restrictions"}
    warning = cards("license-unknown.md")
    assert run(warning, "--strict", "--ignore", "license-unknown").exit_code == 0


def test_config_in_pyproject(cards) -> None:
    path = cards("derivative-no-modifications.md")
    assert run(path).exit_code == 0
    Path("pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n[tool.govcard.check]\n"
        'ignore = ["derivative-detected"]\n'
        'severity = { derivative-modifications-undescribed = "error" }\n',
        encoding="utf-8",
    )
    result = run(path)
    assert result.exit_code == 1
    assert where(findings(path)) == [("derivative-modifications-undescribed", "error", 6)]
    # --ignore adds to the configured ignores.
    assert findings(path, "--ignore", "derivative-modifications-undescribed") == []
    assert findings(cards("derivative-body-repo.md")) == []


def test_config_raises_a_severity(cards) -> None:
    path = cards("derivative-body-repo.md")
    Path("pyproject.toml").write_text(
        '[tool.govcard.check]\nseverity = { derivative-detected = "error" }\n',
        encoding="utf-8",
    )
    assert run(path).exit_code == 1
    assert where(findings(path)) == [("derivative-detected", "error", 7)]


def test_config_of_a_parent_folder(cards) -> None:
    Path("pyproject.toml").write_text(
        '[tool.govcard.check]\nignore = ["license-unknown"]\n', encoding="utf-8"
    )
    Path("sub").mkdir()
    cards("license-unknown.md", "sub/card.md")
    os.chdir("sub")
    assert findings("card.md") == []


def test_pyproject_without_a_check_section(cards) -> None:
    Path("pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert where(findings(cards("license-unknown.md"))) == [("license-unknown", "warning", 2)]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('ignore = ["no-such-rule"]', " [tool.govcard.check]: unknown rule 'no-such-rule'"),
        (
            'severity = { license-missing = "fatal" }',
            " [tool.govcard.check]: severity of license-missing must be one of error, warning, "
            "info, got 'fatal'",
        ),
        ('severity = { no-such-rule = "error" }', " [tool.govcard.check]: unknown rule"),
        ("colour = true", " [tool.govcard.check]: unknown setting 'colour'"),
        ('ignore = "license-missing"', " [tool.govcard.check]: ignore must be a list"),
        ("ignore = [", ": cannot read: "),
    ],
)
def test_bad_config_exits_2(cards, config: str, message: str) -> None:
    path = cards("rail-original.md")
    Path("pyproject.toml").write_text(f"[tool.govcard.check]\n{config}\n", encoding="utf-8")
    result = run(path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(str(Path.cwd() / "pyproject.toml") + message)
    assert result.stderr.count("\n") == 1


def test_license_option_holds_the_card_to_a_license(cards) -> None:
    mit = cards("co2-consistent.md")  # licensed apache-2.0, no use restrictions listed
    assert findings(mit) == []
    (found,) = findings(mit, "--license", "bigcode-openrail-m")
    assert (found.rule, found.severity, found.line) == (
        "derivative-license-drops-restrictions",
        "error",
        2,
    )
    assert found.message == (
        "held to bigcode-openrail-m by --license, the card is licensed apache-2.0, which has no "
        "use restrictions: all 14 of the parent's are dropped"
    )
    # A license without use restrictions asks for none.
    partial = cards("rail-restrictions-partial.md")
    assert findings(partial, "--license", "apache-2.0") == []
    # A license with every restriction of the one held to keeps them.
    assert findings(cards("rail-original.md"), "--license", "bigscience-bloom-rail-1.0") == []
    (weaker,) = findings(cards("rail-no-obligations.md"), "--license", "bigcode-openrail-m")
    assert weaker.rule == "derivative-license-drops-restrictions"
    assert "the CreativeML Open RAIL++-M, which drops (c) Malware" in weaker.message


# --- what govcard render writes passes ---------------------------------------------------------


def _all_findings(document: dict[str, Any]) -> list[tuple[str, str, int, str]]:
    return [
        (file["path"], f["rule"], f["line"], f["message"])
        for file in document["files"]
        for f in file["findings"]
    ]


def test_rendered_example_passes(workdir: Path) -> None:
    out = render(EXAMPLE.read_text(encoding="utf-8"))
    code, document = report_of(out)
    assert _all_findings(document) == []
    assert sorted(f["path"] for f in document["files"]) == [
        "out/models/santacoder/README.md",
        "out/models/starcoder/README.md",
        "out/models/starcoderbase/README.md",
    ]
    assert code == 0
    assert run(out, "--strict").exit_code == 0


@pytest.mark.parametrize(
    "example", sorted(p.parent.name for p in (ROOT / "examples").glob("*/project.yaml"))
)
def test_every_rendered_example_passes(workdir: Path, example: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["render", str(ROOT / "examples" / example / "project.yaml"), "-o", "out"],
        prog_name="govcard",
    )
    assert result.exit_code == 0, result.output
    code, document = report_of("out", "--strict")
    assert document["files"]
    assert _all_findings(document) == []
    assert code == 0


RENDERED = {
    **{lic: f"license: {lic}" for lic in [*RAIL_IDS, "apache-2.0"]},
    "other": "license: {id: other, name: acme-model-license, link: https://example.org/license}",
    "bigcode derivative": "license: bigcode-openrail-m\n    base_model: bigcode/starcoderbase\n"
    "    training: {training_type: fine-tuning, hardware: 8 x A100}",
    "stable diffusion derivative": "license: creativeml-openrail-m\n"
    "    base_model: runwayml/stable-diffusion-v1-5",
    "bloom derivative": "license: bigscience-bloom-rail-1.0\n    base_model: bigscience/bloom-560m",
}


def test_rendered_licenses_cover_the_catalog() -> None:
    assert set(RAIL_IDS) == {
        "bigcode-openrail-m",
        "bigscience-openrail-m",
        "bigscience-bloom-rail-1.0",
        "creativeml-openrail-m",
        "openrail++",
    }


@pytest.mark.parametrize("name", list(RENDERED))
def test_rendered_card_passes(workdir: Path, name: str) -> None:
    out = render(
        "project: {name: Demo}\nmodels:\n  - id: m\n    name: M\n"
        f"    {RENDERED[name]}\n    limitations: Can be wrong.\n"
    )
    code, document = report_of(out)
    assert [f["path"] for f in document["files"]] == ["out/models/m/README.md"]
    assert _all_findings(document) == []
    assert code == 0


def test_rendered_project_with_every_license_passes(workdir: Path) -> None:
    models = "".join(
        f"  - id: m{i}\n    name: M{i}\n    {value}\n" for i, value in enumerate(RENDERED.values())
    )
    out = render("project: {name: Demo}\nmodels:\n" + models)
    code, document = report_of(out, "--strict")
    assert len(document["files"]) == len(RENDERED)
    assert _all_findings(document) == []
    assert code == 0


# --- bad inputs --------------------------------------------------------------------------------


def test_bom_and_crlf_are_read(workdir: Path) -> None:
    text = (FIXTURES / "rail-original.md").read_bytes()
    Path("crlf.md").write_bytes(text.replace(b"\n", b"\r\n"))
    Path("bom.md").write_bytes(b"\xef\xbb\xbf" + text.replace(b"\n", b"\r\n"))
    Path("cr.md").write_bytes(text.replace(b"\n", b"\r"))
    code, document = report_of("crlf.md", "bom.md", "cr.md")
    assert _all_findings(document) == []
    assert code == 0
    wrong = (FIXTURES / "co2-contradicts-body.md").read_bytes().replace(b"\n", b"\r\n")
    Path("wrong.md").write_bytes(b"\xef\xbb\xbf" + wrong)
    (found,) = findings("wrong.md")
    assert (found.rule, found.line) == ("co2-contradicts-body", 4)
    assert "line 13 says 30.16 kg" in found.message


def _bomb(levels: int = 9) -> str:
    """A billion-laughs YAML block: 9**levels strings, if expanded."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines)


def test_alias_bomb_in_unused_keys_is_harmless(workdir: Path) -> None:
    Path("card.md").write_text(f"---\n{_bomb()}\nlicense: mit\n---\n# A card\n", encoding="utf-8")
    assert findings("card.md") == []


def test_directory_of_2000_cards(workdir: Path) -> None:
    folder = Path("many")
    folder.mkdir()
    for i in range(2000):
        license_id = "apache2" if i % 100 == 0 else "mit"
        (folder / f"card-{i:04}.md").write_text(
            f"---\nlicense: {license_id}\n---\n# Card {i}\n\nA small card.\n", encoding="utf-8"
        )
    code, document = report_of("many")
    assert code == 0
    assert document["summary"] == {"files": 2000, "error": 0, "warning": 20, "info": 0}
    result = run("many")
    assert result.stdout.endswith("2000 cards checked: 0 errors, 20 warnings, 0 notes\n")


def test_file_at_the_size_limit_is_read(workdir: Path) -> None:
    head = b"---\nlicense: mit\n---\n# Big\n\n"
    line = b"A long card, with many words on many lines.\n"
    body = line * ((MAX_BYTES - len(head)) // len(line))
    Path("card.md").write_bytes(head + body + b"x" * (MAX_BYTES - len(head) - len(body)))
    assert Path("card.md").stat().st_size == MAX_BYTES
    assert findings("card.md") == []


# Inputs that must be checked in bounded time. Each runs as its own `govcard check` process, all at
# once, with a shared bound far above what a linear check needs (well under a second each) and
# generous enough for a busy machine: it catches a hang, not a slow run.
DEADLINE_S = 300


def _write_adversarial(folder: Path) -> dict[str, list[str]]:
    """Write the adversarial inputs into `folder`; return the arguments of each check."""
    cases: dict[str, list[str]] = {}
    bomb = _bomb(10)
    for key, value in (
        ("license", "license: *l9"),
        ("co2_eq_emissions", "license: mit\nco2_eq_emissions: *l9"),
        ("co2_eq_emissions.emissions", "license: mit\nco2_eq_emissions: {emissions: *l9}"),
        ("base_model", "license: mit\nbase_model: *l9"),
    ):
        path = folder / f"bomb-{key}.md"
        path.write_text(f"---\n{bomb}\n{value}\n---\n# A card\n", encoding="utf-8")
        cases[f"alias bomb in {key}"] = [str(path)]
    rail = f"---\nlicense: bigcode-openrail-m\nlicense_link: {BIGCODE_URL}\n---\n# A card\n\n"
    long_lines = {
        "a long line of URL starts": rail + "http://" * 150_000 + "\n",
        "a long derivative line without a repo id": rail + "fine-tuned " + "a." * 500_000 + "\n",
        "a long run of spaces in the front matter": "---\nlicense: mit\ntitle: x"
        + " " * 1_000_000
        + "y\n---\n# A card\n",
        "a 1 MB card with a CO2 figure on every line": "---\nlicense: mit\n"
        "co2_eq_emissions: 5\n---\n# A card\n\n" + "5 g CO2\n" * 131_000,
    }
    for i, (name, text) in enumerate(long_lines.items()):
        path = folder / f"long-{i}.md"
        path.write_text(text, encoding="utf-8")
        cases[name] = [str(path)]
    (folder / "plain.md").write_text("---\nlicense: apache2\n---\n# A card\n", encoding="utf-8")
    cases["a plain card (a control for the harness)"] = [str(folder / "plain.md")]
    loops = folder / "loops"
    loops.mkdir()
    (loops / "README.md").write_text("---\nlicense: mit\n---\n# A card\n", encoding="utf-8")
    (loops / "up").symlink_to("..")
    (loops / "up-again").symlink_to("..")
    cases["a folder with two symlinks to its parent"] = [str(loops)]
    return cases


def _limit_memory() -> None:  # pragma: no cover - runs in the child process
    import resource

    limit = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class Outcome(NamedTuple):
    returncode: int | None
    """None when the check did not finish by the deadline."""
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def adversarial(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    folder = tmp_path_factory.mktemp("adversarial")
    cases = _write_adversarial(folder)
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-m", "govcard", "check", *args],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=_limit_memory if sys.platform.startswith("linux") else None,
        )
        for name, args in cases.items()
    }
    deadline = time.monotonic() + DEADLINE_S
    outcomes: dict[str, Outcome] = {}
    try:
        for name, process in processes.items():
            try:
                stdout, stderr = process.communicate(timeout=max(0.1, deadline - time.monotonic()))
                outcomes[name] = Outcome(process.returncode, stdout, stderr)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
                outcomes[name] = Outcome(None, "", "")
        yield outcomes
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()


ADVERSARIAL_RULES = {
    "a plain card (a control for the harness)": "license-unknown",
    "alias bomb in license": "license-unknown",
    "alias bomb in co2_eq_emissions": "co2-malformed",
    "alias bomb in co2_eq_emissions.emissions": "co2-malformed",
    "alias bomb in base_model": "base-model-malformed",
    "a long line of URL starts": None,
    "a long derivative line without a repo id": None,
    "a long run of spaces in the front matter": None,
    "a 1 MB card with a CO2 figure on every line": None,
    "a folder with two symlinks to its parent": None,
}


@pytest.mark.parametrize("name", list(ADVERSARIAL_RULES))
def test_adversarial_input_is_checked_in_bounded_time(
    adversarial: dict[str, Outcome], name: str
) -> None:
    outcome = adversarial[name]
    assert outcome.returncode is not None, f"{name}: not checked within {DEADLINE_S} s"
    assert "Traceback" not in outcome.stderr, outcome.stderr[-2000:]
    assert outcome.returncode in (0, 1), outcome.stderr
    rule = ADVERSARIAL_RULES[name]
    if rule is not None:
        assert f" {rule} {RULES[rule].severity}: " in outcome.stdout
        assert max(len(line) for line in outcome.stdout.splitlines()) < 500


# --- hostile input: bounded time, one line, never a traceback ----------------------------------

LINEAR = {
    "a heading with a long run of spaces": lambda n: "# " + " " * (500_000 * n) + "x\n",
    "a card of empty headings": lambda n: "#\n" * (100_000 * n),
    "a CO2 line of digits": lambda n: "co2 " + "1" * (20_000 * n) + " x\n",
    "a CO2 line of thousands": lambda n: "co2 " + "1," * (100_000 * n) + " x\n",
    "license words": lambda n: "license " * (50_000 * n),
    "address starts": lambda n: "http://" * (50_000 * n) + " license",
    "rail words": lambda n: "rail " * (50_000 * n),
    "restrictions words": lambda n: "restrictions " * (50_000 * n),
    "derivative cues": lambda n: "fine-tuned from stable diffusion " * (10_000 * n),
    "a title of brackets": lambda n: "# " + "(" * (500_000 * n) + "\n",
    "one line of licen": lambda n: "x" + "licen" * (50_000 * n),
    "license labels before long runs of spaces": lambda n: (
        ("license" + " " * 1000 + "\n") * (500 * n)
    ),
    "stems that start no name": lambda n: "decoder qwencoder " * (50_000 * n),
    "names without a cue": lambda n: "sd1 llama 2 gemma-2 sdiffusion " * (20_000 * n),
}


@pytest.mark.parametrize("name", list(LINEAR))
@pytest.mark.parametrize("license_id", ["other", "openrail", "bigcode-openrail-m"])
def test_worst_case_inputs_take_linear_time(name: str, license_id: str) -> None:
    """Four times the input takes about four times the time, not sixteen: a ratio of CPU times
    in one test, not a wall-clock deadline a busy machine could break."""

    def cost(n: int) -> float:
        text = f"---\nlicense: {license_id}\nco2_eq_emissions: 5\n---\n" + LINEAR[name](n)
        best = math.inf
        for _ in range(3):
            start = time.process_time()
            check_text(text, "card.md", Options())
            best = min(best, time.process_time() - start)
        return max(best, 1e-4)

    small, large = cost(1), cost(4)
    assert large / small < 10, f"{name}: {small:.4f} s, then {large:.4f} s for four times the input"


@pytest.mark.parametrize(
    ("value", "rule", "words"),
    [
        ("!!bool maybe", "front-matter-invalid", "resolves but cannot read"),
        ("!!int ''", "front-matter-invalid", "resolves but cannot read"),
        ("!!float ''", "front-matter-invalid", "resolves but cannot read"),
        ("!!timestamp foo", "front-matter-invalid", "resolves but cannot read"),
        ("9" * 5000, "front-matter-invalid", "4300 digits"),
        ("9" * 400, "co2-malformed", "finite number of grams"),
        (".inf", "co2-malformed", "finite number of grams, got inf"),
        ("-.inf", "co2-malformed", "must not be negative"),
        (".nan", "co2-malformed", "number of grams, got nan"),
    ],
)
def test_values_yaml_cannot_use_are_one_finding(
    workdir: Path, value: str, rule: str, words: str
) -> None:
    path = _card(f"license: mit\nco2_eq_emissions: {value}", "# A card\n")
    (found,) = findings(path)
    assert (found.rule, found.line) == (rule, 3)
    assert words in found.message


def test_front_matter_has_a_size_limit(workdir: Path) -> None:
    path = _card("license: mit\ntags:\n" + "- tag\n" * 200_000, "# A card\n")
    (found,) = findings(path)
    assert found.rule == "front-matter-invalid"
    assert "the front matter is 1,200,020 characters; govcard reads at most 1,048,576" in (
        found.message
    )


def test_special_files_are_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.md"
    zero.symlink_to("/dev/zero")
    card = tmp_path / "card.md"
    card.write_text("---\nlicense: mit\n---\n# A card\n", encoding="utf-8")
    commands = {
        "fifo": ([str(fifo)], 1),
        "/dev/zero": (["/dev/zero"], 1),
        "a link to /dev/zero": ([str(zero)], 1),
        "--base-card fifo": ([str(card), "--base-card", str(fifo)], 2),
    }
    for name, (args, code) in commands.items():
        # A generous bound: a FIFO used to block forever and /dev/zero to fill the memory.
        result = subprocess.run(
            [sys.executable, "-m", "govcard", "check", *args],
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == code, (name, result)
        assert "not a regular file" in result.stdout + result.stderr, name
        assert "Traceback" not in result.stderr, name


def test_closed_stdin_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "govcard", "check", "-"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: os.close(0),
    )
    assert result.returncode == 2
    assert result.stderr == "<stdin>: standard input is closed; give card files instead\n"


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tmp_path: Path) -> None:
    name = os.fsdecode(b"\xff\xfe.md")
    (tmp_path / name).write_text("---\nlicense: apache2\n---\n# A card\n", encoding="utf-8")
    for args in ([str(tmp_path / name)], [str(tmp_path)]):
        for output in ("text", "json", "github", "sarif"):
            result = subprocess.run(
                [sys.executable, "-m", "govcard", "check", *args, "--format", output],
                capture_output=True,
                timeout=120,
                env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
            )
            assert result.returncode == 0, result.stderr
            shown = result.stdout.decode("utf-8")  # valid UTF-8, the name's bytes escaped
            assert "xff" in shown and "xfe.md" in shown, (args, output)


def test_ctrl_c_is_one_line(tmp_path: Path) -> None:
    # A check waiting on standard input, interrupted as a user would, once it is running.
    started = (
        "import sys; from govcard.cli import main; sys.argv = ['govcard', 'check', '-']; "
        "print('started', file=sys.stderr, flush=True); main()"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", started],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    assert process.stderr.readline() == "started\n"
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert (process.returncode, stderr) == (130, "govcard: interrupted\n")


def test_a_very_deep_tree_is_walked(tmp_path: Path) -> None:
    folder = tmp_path
    for _ in range(1200):  # deeper than Python's recursion limit
        folder = folder / "d"
        folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: apache2\n---\n# Deep\n", encoding="utf-8")
    try:
        _, document = report_of(str(tmp_path))
        assert [len(f["findings"]) for f in document["files"]] == [1]
    finally:
        # shutil.rmtree, as pytest cleans up, recurses: take the tree down from the bottom.
        (folder / "README.md").unlink()
        while folder != tmp_path:
            folder.rmdir()
            folder = folder.parent


def test_terminal_escapes_and_newlines_never_reach_the_terminal(workdir: Path) -> None:
    name = "evil\x1b]0;owned\x07\n0 cards checked.md"
    Path(name).write_text(
        '---\nlicense: "apache\\e[2J\\n2 cards checked: 0 errors"\n---\n# A card\n',
        encoding="utf-8",
    )
    result = run(name)
    lines = result.stdout.splitlines()
    assert len(lines) == 3  # the finding, its fix, the summary
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b]0;owned\\x07\\n0 cards checked.md:2:1: license-unknown" in lines[0]
    assert "\\x1b[2J\\n2 cards checked" in lines[0]
    github = run(name, "--format", "github").stdout
    assert "\x1b" not in github and github.count("\n") == 1


# --- the corpus of public model cards ---------------------------------------------------------

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the corpus of public model cards is not at {CORPUS}"
)


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[Found]]:
    """The findings of every corpus card, by file name (each card named on the command line)."""
    paths = sorted(str(p) for p in CORPUS.glob("*.md"))
    result = CliRunner().invoke(cli, ["check", *paths, "--format", "json"], prog_name="govcard")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    assert [f["path"] for f in document["files"]] == paths
    return {Path(f["path"]).name: [Found(**x) for x in f["findings"]] for f in document["files"]}


@needs_corpus
def test_corpus_every_card_gets_a_result(corpus: dict[str, list[Found]]) -> None:
    names = sorted(p.name for p in CORPUS.glob("*.md"))
    assert len(names) >= 30
    assert sorted(corpus) == names


@needs_corpus
def test_corpus_directory_walk_does_not_crash() -> None:
    result = CliRunner().invoke(cli, ["check", str(CORPUS)], prog_name="govcard")
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert re.search(r"^\d+ cards checked: \d+ errors", result.stdout, flags=re.M)


def _corpus_card(corpus: dict[str, list[Found]], prefix: str) -> list[Found]:
    (name,) = [n for n in corpus if n.startswith(prefix)]
    return corpus[name]


@needs_corpus
def test_corpus_starcoder_has_no_errors(corpus: dict[str, list[Found]]) -> None:
    assert [f for f in _corpus_card(corpus, "001-bigcode-starcoder") if f.severity == "error"] == []


@needs_corpus
def test_corpus_dalle_mini_co2_contradicts_body(corpus: dict[str, list[Found]]) -> None:
    found = [f for f in _corpus_card(corpus, "030-dalle-mini") if f.rule == "co2-contradicts-body"]
    assert len(found) == 1
    assert found[0].severity == "warning"
    assert "7,540 g" in found[0].message and "30.16 kg" in found[0].message
    assert "30160 (grams)" in found[0].fix


@needs_corpus
def test_corpus_biomedical_ner_kg_written_as_grams(corpus: dict[str, list[Found]]) -> None:
    found = [f for f in _corpus_card(corpus, "032-d4data") if f.rule == "co2-contradicts-body"]
    assert len(found) == 1
    assert "kg written as grams" in found[0].message


@needs_corpus
def test_corpus_wizardcoder_drops_the_malware_restriction(corpus: dict[str, list[Found]]) -> None:
    found = _corpus_card(corpus, "014-wizardlm-wizardcoder")
    drops = [f for f in found if f.rule == "derivative-license-drops-restrictions"]
    assert len(drops) == 1
    assert "licensed bigscience-openrail-m, the BigScience OpenRAIL-M, which drops (c) Malware" in (
        drops[0].message
    )
    assert "StarCoder" in drops[0].message
    assert "derivative-detected" in rules_of(found)


@needs_corpus
def test_corpus_rexxliferaj_mit_drops_every_restriction(corpus: dict[str, list[Found]]) -> None:
    found = _corpus_card(corpus, "021-nateraw")
    drops = [f for f in found if f.rule == "derivative-license-drops-restrictions"]
    assert len(drops) == 1
    assert "CompVis/stable-diffusion-v1-4" in drops[0].message
    assert "licensed mit" in drops[0].message
    assert "creativeml-openrail-m" in drops[0].message


@needs_corpus
def test_corpus_non_rail_controls_are_clean(corpus: dict[str, list[Found]]) -> None:
    for prefix in ("031-distilbert", "035-google-bert", "036-microsoft-phi-2"):
        assert _corpus_card(corpus, prefix) == [], prefix


@needs_corpus
def test_corpus_findings_are_well_formed(corpus: dict[str, list[Found]]) -> None:
    counts = Counter(f.rule for found in corpus.values() for f in found)
    assert set(counts) <= set(RULES)
    for name, found in corpus.items():
        lines = len((CORPUS / name).read_bytes().splitlines()) + 1
        for f in found:
            assert 1 <= f.line <= lines, (name, f)
            assert f.severity in ("error", "warning", "info")
            assert f.message and f.fix
