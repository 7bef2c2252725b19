"""`govcard check` on the license families beyond RAIL (Llama, Gemma, Qwen, CC NC, permissive):
the relicensing matrix of `derivative-license-drops-restrictions`, the duties a card can show
(rules/duties.py), template placeholders, the terms catalog's data, and `govcard check --fix`.

Cards are written into the test's own directory and checked by their plain names through the CLI
(`govcard check CARD --format json`), with the helpers of tests/test_check.py.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_check import Found, findings, rules_of, run, where

from govcard import licenses, lineage
from govcard.check import text as check_text_module

DROPS = "derivative-license-drops-restrictions"
LLAMA3 = "meta-llama/Meta-Llama-3-8B-Instruct"
LLAMA3_SHOWN = "Llama 3 8B Instruct (meta-llama/Meta-Llama-3-8B-Instruct)"
LLAMA31 = "meta-llama/Llama-3.1-8B"
GEMMA = "google/gemma-2b"
QWEN_RESEARCH = "Qwen/Qwen1.5-0.5B"
PLATYPUS = "garage-bAInd/Platypus2-13B"
COMMAND_R = "CohereForAI/c4ai-command-r-plus"
MISTRAL = "mistralai/Mistral-7B-Instruct-v0.2"

LLAMA3_NOTICE = (
    "Meta Llama 3 is licensed under the Meta Llama 3 Community License, Copyright © Meta "
    "Platforms, Inc. All Rights Reserved."
)
GEMMA_NOTICE = "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms"
TONGYI_LINK = "https://github.com/QwenLM/Qwen/blob/main/Tongyi%20Qianwen%20LICENSE%20AGREEMENT"
BODY = "# Poet\n\nFine-tuned on poems.\n"


def card(metadata: str, body: str = BODY, name: str = "card.md") -> str:
    """Write a card: front matter with `metadata` (license first, so on line 2), a blank line,
    then `body` (which starts on line 6 when the metadata has two lines)."""
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{metadata}\n---\n\n{body}", encoding="utf-8")
    return name


def errors(found: list[Found]) -> list[Found]:
    return [f for f in found if f.severity == "error"]


def the_drop(found: list[Found], line: int = 2) -> Found:
    """The one finding of a card whose license drops its parent's terms."""
    assert where(found) == [(DROPS, "error", line)], found
    return found[0]


# --- 1. the relicensing matrix ------------------------------------------------------------------


@pytest.mark.parametrize("child", ["mit", "apache-2.0"])
def test_llama3_relicensed_permissively_is_an_error(workdir: Path, child: str) -> None:
    drop = the_drop(findings(card(f"license: {child}\nbase_model: {LLAMA3}")))
    assert drop.message.startswith(
        f"derivative of {LLAMA3_SHOWN} (Meta Llama 3 Community License Agreement, found in "
        f"base_model in the metadata) is licensed {child}, which grants what the Meta Llama 3 "
        "Community License Agreement does not: use outside the Meta Llama 3 Acceptable Use "
        "Policy (§1.b.iv); use at any scale (§2)"
    ), drop.message
    assert drop.fix == (
        "License the model under the parent's license (license: llama3), as it requires."
    )


@pytest.mark.parametrize(
    ("child", "body"),
    [
        ("llama3", ""),
        # Narrower on commerce, and the card says the parent's terms apply as well.
        ("cc-by-nc-4.0", "Use must also comply with the Meta Llama 3 Acceptable Use Policy.\n"),
        (
            "cc-by-nc-4.0",
            "## License\n\nThe CC BY-NC 4.0 license; the base weights: Llama 3 Community License.\n",
        ),
    ],
)
def test_llama3_kept_or_narrowed_is_no_error(workdir: Path, child: str, body: str) -> None:
    found = findings(card(f"license: {child}\nbase_model: {LLAMA3}", f"# Suzume\n\n{body}"))
    assert errors(found) == [], found
    # Only the duties of the Llama 3 license remain (the card shows none of them).
    assert {(f.rule, f.severity) for f in found} == {
        ("license-display-missing", "warning"),
        ("license-notice-missing", "warning"),
        ("license-name-prefix-missing", "warning"),
    }


LLAMA4 = "meta-llama/Llama-4-Scout-17B-16E-Instruct"


@pytest.mark.parametrize(
    ("base", "child"),
    [(LLAMA4, "llama3.1"), (LLAMA4, "llama3"), (LLAMA4, "llama2")],
)
def test_an_older_agreement_of_the_family_without_a_restriction_of_the_parents_is_an_error(
    workdir: Path, base: str, child: str
) -> None:
    """An older license of the parent's family that lacks a term withholding a grant from every
    model under the parent's (held-out card 1136: a Llama 4 quantization tagged llama3.1; every
    Llama 4 model is multimodal, and Llama 4's policy grants no rights in them in the EU) grants
    more than the parent's license does."""
    drop = the_drop(findings(card(f"license: {child}\nbase_model: {base}")))
    assert (
        "an agreement without the Llama 4 Community License Agreement's \"Llama 4 multimodal "
        "models: no rights for EU-domiciled individuals/companies"
    ) in drop.message, drop.message


@pytest.mark.parametrize(
    ("base", "child", "body"),
    [
        # Llama 3.2's EU clause binds its multimodal models only; the 1B is a text model (and a
        # reader of held-out card 916 took a llama3 tag on it for a slip).
        ("meta-llama/Llama-3.2-1B-Instruct", "llama3", ""),
        ("meta-llama/Llama-3.2-1B-Instruct", "llama3.1", ""),
        # Llama 3's agreement has every restriction of 3.1's (held-out card 606).
        (LLAMA31, "llama3", ""),
        # A newer agreement of the family is the licensor's current terms (held-out card 1210:
        # a Llama 3.x merge under llama3.3), though Llama 3.1 dropped Llama 3's output clause.
        (LLAMA3, "llama3.1", ""),
        (
            "Qwen/Qwen-72B-Chat",
            "other\nlicense_name: qwen\nlicense_link: https://huggingface.co/Qwen/Qwen2.5-72B/blob/main/LICENSE",
            "",
        ),
        (LLAMA4, "llama4", ""),
        # The card says the parent's agreement applies as well.
        (LLAMA4, "llama3.1", "Use is also subject to the Llama 4 Community License.\n"),
    ],
)
def test_another_agreement_of_the_family_that_keeps_the_parents_restrictions_is_no_error(
    workdir: Path, base: str, child: str, body: str
) -> None:
    found = findings(card(f"license: {child}\nbase_model: {base}", f"# Llama Poet\n\n{body}"))
    assert errors(found) == [], found


def test_llama3_under_a_bare_nc_license_drops_its_use_policy(workdir: Path) -> None:
    # CC BY-NC grants every non-commercial use, the ones Llama's policy forbids included.
    drop = the_drop(findings(card(f"license: cc-by-nc-4.0\nbase_model: {LLAMA3}")))
    assert "which drops the Meta Llama 3 Acceptable Use Policy (§1.b.iv)" in drop.message


def test_llama3_under_the_openrail_family_tag_is_a_license_finding(workdir: Path) -> None:
    found = findings(card(f"license: openrail\nbase_model: {LLAMA3}"))
    assert where(found) == [("openrail-variant-unknown", "error", 2)]


def test_llama3_under_an_unknown_license_is_a_license_finding(workdir: Path) -> None:
    found = findings(card(f"license: my-own-license\nbase_model: {LLAMA3}"))
    # license-unknown says it; the parent's duties still stand.
    assert where(found) == [
        ("license-unknown", "warning", 2),
        ("license-display-missing", "warning", 5),
        ("license-notice-missing", "warning", 5),
        ("license-name-prefix-missing", "warning", 6),
    ]
    assert found[0].message.startswith("'my-own-license' is not a Hub license id")


def test_llama3_under_an_other_license_that_names_llama3_cannot_be_compared(
    workdir: Path,
) -> None:
    path = card(
        "license: other\nlicense_name: poet-license\n"
        f"license_link: https://example.com/poet/LICENSE\nbase_model: {LLAMA3}",
        BODY + "\n## License\n\nThe Meta Llama 3 Community License applies to the base weights.\n",
    )
    found = findings(path)
    assert where(found)[0] == ("derivative-license-unverified", "warning", 2)
    assert found[0].message == (
        f"derivative of {LLAMA3_SHOWN} (Meta Llama 3 Community License Agreement, found in "
        "base_model in the metadata); govcard cannot tell whether the card's license keeps the "
        "parent's terms"
    )
    assert found[0].fix == (
        "Use the parent's license (llama3) or say in the card how its terms are kept."
    )


def test_llama3_under_an_other_license_that_never_names_llama3_drops_it(workdir: Path) -> None:
    # NVIDIA's Minitron card (corpus 094): a license of its own, and no word of Llama's.
    path = card(
        "license: other\nlicense_name: poet-license\n"
        f"license_link: https://example.com/poet/LICENSE\nbase_model: {LLAMA3}"
    )
    drop = the_drop(findings(path))
    assert drop.message == (
        f"derivative of {LLAMA3_SHOWN} (Meta Llama 3 Community License Agreement, found in "
        "base_model in the metadata) is licensed other ('poet-license'), and never names the "
        "Meta Llama 3 Community License Agreement, which a derivative must be shared with "
        "(§1.b.i)"
    )


def test_gemma_relicensed_non_commercial_drops_its_restrictions(workdir: Path) -> None:
    drop = the_drop(findings(card(f"license: cc-by-nc-4.0\nbase_model: {GEMMA}")))
    assert drop.message == (
        "derivative of Gemma 2B (google/gemma-2b) (Gemma Terms of Use, found in base_model in "
        "the metadata) is licensed cc-by-nc-4.0, which drops the use restrictions the Gemma "
        "Terms of Use requires in any license a derivative is shared under (§3.1, condition 1)"
    )
    assert drop.fix.startswith("License the model under the parent's license (license: gemma)")


@pytest.mark.parametrize(
    "license_lines",
    [
        "license: gemma",
        "license: other\nlicense_name: gemma-terms-of-use\n"
        "license_link: https://ai.google.dev/gemma/terms",
    ],
)
def test_gemma_kept_is_no_error(workdir: Path, license_lines: str) -> None:
    found = findings(card(f"{license_lines}\nbase_model: {GEMMA}"))
    # Gemma asks for its notice only: no display line, no name prefix.
    assert [(f.rule, f.severity) for f in found] == [("license-notice-missing", "warning")]


def test_qwen_research_relicensed_commercially_is_an_error(workdir: Path) -> None:
    path = card(
        f"license: other\nlicense_name: tongyi-qianwen\nlicense_link: {TONGYI_LINK}\n"
        f"base_model: {QWEN_RESEARCH}"
    )
    drop = the_drop(findings(path))
    assert drop.message == (
        "derivative of Qwen1.5 0.5B (Qwen/Qwen1.5-0.5B) (Tongyi Qianwen RESEARCH LICENSE "
        "AGREEMENT, found in base_model in the metadata) is licensed other ('tongyi-qianwen'), "
        "which allows commercial use; the Tongyi Qianwen RESEARCH LICENSE AGREEMENT is "
        "non-commercial (§2.a)"
    )
    assert drop.fix == (
        "License the model under the parent's license (license: other, license_name: "
        "tongyi-qianwen-research, license_link: https://github.com/QwenLM/Qwen/blob/main/"
        "Tongyi%20Qianwen%20RESEARCH%20LICENSE%20AGREEMENT), as it requires."
    )


def test_qwen_research_relicensed_mit_is_an_error(workdir: Path) -> None:
    drop = the_drop(findings(card(f"license: mit\nbase_model: {QWEN_RESEARCH}")))
    assert "is licensed mit, which allows commercial use" in drop.message
    assert "is non-commercial (§2.a)" in drop.message


def test_qwen_research_relicensed_under_cc_by_nc_grants_more_than_research(workdir: Path) -> None:
    # The research licenses allow research and evaluation only (§1.i), CC BY-NC every
    # non-commercial use (corpus-style card: a Qwen2.5-3B classifier under cc-by-nc-sa-4.0).
    drop = the_drop(findings(card(f"license: cc-by-nc-sa-4.0\nbase_model: {QWEN_RESEARCH}")))
    assert drop.message.endswith(
        "is licensed cc-by-nc-sa-4.0, which grants every non-commercial use; the Tongyi Qianwen "
        "RESEARCH LICENSE AGREEMENT allows research and evaluation only (§1.i)"
    )


def test_qwen_research_under_cc_by_nc_that_keeps_the_research_terms_is_no_error(
    workdir: Path,
) -> None:
    body = (
        BODY
        + "\n## License\n\nCC BY-NC 4.0, and the Tongyi Qianwen Research License of the base.\n"
    )
    found = findings(card(f"license: cc-by-nc-4.0\nbase_model: {QWEN_RESEARCH}", body))
    assert [f for f in found if f.severity == "error"] == []


def test_a_base_model_label_names_the_parent(workdir: Path) -> None:
    body = "# Poet\n\n- **Base model:** [Gemma 2B](https://huggingface.co/google/gemma-2b)\n"
    found = findings(card("license: mit", body))
    assert ("derivative-detected", "info", 7) in where(found)
    drop = next(f for f in found if f.rule == "derivative-license-drops-restrictions")
    assert drop.message.startswith(
        "derivative of Gemma (Gemma Terms of Use, found in the card's text: \"- **Base model:** "
    )


def test_a_base_model_named_mid_sentence_is_no_label(workdir: Path) -> None:
    body = "# Poet\n\nCompared with the base model: Gemma 2B, it writes better poems.\n"
    assert findings(card("license: mit", body)) == []


def test_an_nllb_base_model_is_known_by_its_name(workdir: Path) -> None:
    # NLLB-200 is named in base_model ids only ("nllb" is not searched for in the text).
    drop = the_drop(findings(card("license: mit\nbase_model: someone/nllb-200-distilled-600M-kbd")))
    assert drop.message.startswith(
        "derivative of someone/nllb-200-distilled-600M-kbd (Creative Commons "
    )
    assert "named after NLLB-200" in drop.message


@pytest.mark.parametrize(
    ("base", "shown"),
    [("DavidAU/L3.1-Dark-Reasoning-8B", "Llama 3.1"), ("Sao10K/L3-70B-Euryale-v2.1", "Llama 3")],
)
def test_an_l3_repo_name_is_a_llama3_model(workdir: Path, base: str, shown: str) -> None:
    # The Hub's fine-tuners' convention: "L3-" and "L3.1-" begin Llama 3 and 3.1 model names.
    drop = the_drop(findings(card(f"license: apache-2.0\nbase_model: {base}")))
    assert f"found in base_model in the metadata, named after {shown})" in drop.message


def test_an_l3_title_is_a_llama3_model_and_l3_elsewhere_is_not(workdir: Path) -> None:
    drop = the_drop(findings(card("license: mit", "# L3-8B-Poet\n\nPoems.\n")))
    assert 'the card\'s title "L3-8B-Poet", named after Llama 3)' in drop.message
    assert findings(card("license: mit", "# Poet-L3-8B\n\nPoems at level L3-2.\n")) == []


def test_a_catalog_repo_outranks_its_l3_name(workdir: Path) -> None:
    # Stheno v3.2 is a Llama 3 fine-tune under CC BY-NC (shared corpus 089): a merge of it under
    # llama3 drops its non-commercial term.
    drop = the_drop(findings(card("license: llama3\nbase_model: Sao10K/L3-8B-Stheno-v3.2")))
    assert "is licensed llama3, which allows commercial use" in drop.message


def test_no_metadata_license_and_a_stated_license_that_drops_the_parents(workdir: Path) -> None:
    # SOLAR-0-70b's card (held-out set 4, 722): a Llama 2 fine-tune, no license in the metadata,
    # and a License line naming CC BY-NC by its address only.
    body = (
        "# Solar\n\nA fine tune of Llama 2.\n\n"
        "* **License**: Fine-tuned checkpoints are licensed under the Non-Commercial Creative "
        "Commons license ([CC BY-NC-4.0](https://creativecommons.org/licenses/by-nc/4.0/))\n"
    )
    found = findings(card("language: en", body))
    drops = [f for f in found if f.rule == DROPS]
    assert [(f.severity, f.line) for f in drops] == [("error", 9)]
    assert drops[0].message.endswith(
        "has no license in its metadata, and line 9 says cc-by-nc-4.0, which drops the Llama 2 "
        "Acceptable Use Policy (§1.b.iv): it grants every non-commercial use"
    )


def test_a_license_in_extra_gated_prompt_is_stated(workdir: Path) -> None:
    # GGUF copies of Meta's repos carry the agreement in the gate only (held-out set 4, 729).
    metadata = (
        f"base_model: {LLAMA31}\nextra_gated_prompt: |\n"
        "  LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\n  Llama 3.1 Version Release Date: July 23, 2024"
    )
    found = findings(card(metadata, "# Llama-3.1-8B-GGUF\n\nBuilt with Llama\n"))
    assert errors(found) == []
    missing = next(f for f in found if f.rule == "license-metadata-missing")
    assert (missing.line, missing.message) == (
        3,
        "extra_gated_prompt names the Llama 3.1 Community License Agreement, but the metadata "
        "has no `license:`",
    )


def test_a_deepseek_coder_fine_tune_under_apache_drops_its_use_restrictions(workdir: Path) -> None:
    # Held-out set 4, 713: the DeepSeek License asks its use restrictions to be an enforceable
    # provision of any license of a derivative (§4.a), as Gemma's does.
    drop = the_drop(
        findings(
            card("license: apache-2.0\nbase_model: deepseek-ai/deepseek-coder-7b-instruct-v1.5")
        )
    )
    assert drop.message == (
        "derivative of deepseek-ai/deepseek-coder-7b-instruct-v1.5 (DeepSeek License Agreement, "
        "found in base_model in the metadata, named after DeepSeek Coder) is licensed apache-2.0, "
        "which drops the use restrictions the DeepSeek License Agreement requires in any license "
        "a derivative is shared under (§4.a)"
    )


def test_news_of_a_sibling_model_makes_no_parent(workdir: Path) -> None:
    # WizardCoder-15B's card (corpus 014) tells of a sibling: "[2024/01/04] We released
    # **WizardCoder-33B-V1.1** trained from deepseek-coder-33b-base".
    body = (
        "# Poet-15B\n\n[2024/01/04] We released **Poet-33B-V1.1** trained from "
        "deepseek-coder-33b-base.\n"
    )
    assert findings(card("license: apache-2.0", body)) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "This model is based on [deepseek-coder-6.7b-base](https://huggingface.co/deepseek-ai/deepseek-coder-6.7b-base).",
        "**Poet-6.7B** is fine-tuned from deepseek-coder-6.7b-base.",
    ],
)
def test_a_deepseek_parent_named_in_the_text_is_found(workdir: Path, sentence: str) -> None:
    # Held-out set 8, 1113 (OpenCodeInterpreter-DS-6.7B, apache-2.0): DeepSeek models are read
    # in the text as the other families are; the card's own model may be the sentence's subject.
    found = findings(card("license: apache-2.0", f"# Poet-6.7B\n\n{sentence}\n"))
    assert where(errors(found)) == [(DROPS, "error", 2)]
    assert "(DeepSeek License Agreement, found in the card's text:" in errors(found)[0].message


def test_a_license_file_named_as_code_points_to_the_license(workdir: Path) -> None:
    # Held-out set 5, 801: a License section naming the DeepSeek Coder Model License and
    # "`LICENSE` contains the complete terms".
    body = (
        "# Coder\n\n## License\n\nDeepSeek Coder Model License v1.0. `LICENSE` contains the "
        "complete terms and must accompany redistributed derivatives.\n"
    )
    found = findings(card("license: other\nbase_model: deepseek-ai/deepseek-coder-1.3b-base", body))
    assert rules_of(found) == {"license-other-incomplete"}


def test_an_other_license_with_a_parent_govcard_does_not_know_is_unverified(
    workdir: Path,
) -> None:
    # Held-out set 5, 805: the license may be the unknown parent's own (Google's HAI-DEF terms).
    metadata = (
        "license: other\nlicense_name: health-ai-developer-foundations\n"
        "license_link: https://developers.google.com/health-ai-developer-foundations/terms\n"
        "base_model:\n- google/medsiglip-448\n- google/gemma-3-4b-it"
    )
    assert rules_of(findings(card(metadata))) == {"derivative-license-unverified"}


def test_a_bare_apache_license_line_is_apache(workdir: Path) -> None:
    # Held-out set 5, 807: no license id, and "**License:** Apache" in the text.
    body = "# Poet\n\nFine-tuned on poems.\n\n- **License:** Apache\n"
    found = findings(card(f"base_model: {LLAMA3}", body))
    drop = next(f for f in found if f.rule == DROPS)
    assert "line 9 says apache-2.0, which grants what the Meta Llama 3" in drop.message


def test_a_base_model_label_with_a_hub_address_names_the_repo(workdir: Path) -> None:
    # Held-out set 5, 808: the link's text is no catalog name; its Hub address is a repo id.
    body = (
        "# Linnix\n\nDistilled.\n\n- Base model: [Qwen2.5-3B-Instruct]"
        "(https://huggingface.co/Qwen/Qwen2.5-3B-Instruct)\n"
    )
    drop = next(f for f in findings(card("license: apache-2.0", body)) if f.rule == DROPS)
    assert drop.message.startswith("derivative of Qwen2.5 3B Instruct (Qwen/Qwen2.5-3B-Instruct)")


def test_a_name_inside_a_hub_address_is_no_parent(workdir: Path) -> None:
    # Corpus 087: a link to the card's own quantizations names Llama 3 in its address only.
    body = "# Poet\n\n[GGUF quants](https://huggingface.co/someone/llama-3-70B-poet-GGUF)\n"
    assert findings(card("license: apache-2.0", body)) == []


@pytest.mark.parametrize(
    ("base", "license_name"),
    [
        ("deepseek-ai/deepseek-math-7b-base", "DeepSeek License Agreement"),
        ("unsloth/deepseek-r1-distill-llama-8b-unsloth-bnb-4bit", "Llama 3.1 Community"),
    ],
)
def test_deepseek_math_and_the_r1_llama_distills_keep_their_licenses(
    workdir: Path, base: str, license_name: str
) -> None:
    # Held-out set 5, 813 and 826: DeepSeekMath is under the DeepSeek License; R1's Llama
    # distills are Llama 3.1 and 3.3 models (DeepSeek-R1's README, License section).
    drop = the_drop(findings(card(f"license: apache-2.0\nbase_model: {base}")))
    assert f"({license_name}" in drop.message


@pytest.mark.parametrize(
    "statement",
    [
        "- **License:** Refer to the original model's license",
        "## License\n\nThis model inherits the license of its base model.",
    ],
)
def test_a_derivative_that_only_refers_to_a_license_is_an_error(
    workdir: Path, statement: str
) -> None:
    # Held-out sets 3 and 5 (603, 831): no license id, and a text that names no license.
    found = findings(
        card(f"base_model: {LLAMA31}", f"# Poet\n\nFine-tuned on poems.\n\n{statement}\n")
    )
    assert where(found)[:1] == [("derivative-license-unnamed", "error", 9)]
    assert found[0].message == (
        "the text refers to a license but names none, and the metadata has no `license:`; as a "
        "derivative of Llama 3.1 8B (meta-llama/Llama-3.1-8B) it must carry llama3.1"
    )


def test_a_derivative_that_refers_to_its_parents_license_by_name_is_no_error(
    workdir: Path,
) -> None:
    # Held-out set 2, 507: the pasted Meta card names the "Licensing Agreement for Llama 2".
    body = (
        "# Chat\n\nFine-tuned on poems.\n\n**License** A custom commercial license is available.\n"
        "Use in any way prohibited by the Acceptable Use Policy and Licensing Agreement for Llama 2.\n"
    )
    assert errors(findings(card("base_model: meta-llama/Llama-2-13b-chat-hf", body))) == []


def test_platypus_base_model_is_share_alike() -> None:
    assert lineage.catalog().repos[PLATYPUS.lower()].license == "cc-by-nc-sa-4.0"


def test_share_alike_parent_relicensed_without_share_alike_is_an_error(workdir: Path) -> None:
    drop = the_drop(findings(card(f"license: cc-by-nc-4.0\nbase_model: {PLATYPUS}")))
    assert "share-alike" in drop.message
    assert "(§3(b)(1))" in drop.message


def test_share_alike_parent_relicensed_commercially_is_an_error(workdir: Path) -> None:
    drop = the_drop(findings(card(f"license: apache-2.0\nbase_model: {PLATYPUS}")))
    assert "is licensed apache-2.0, which allows commercial use" in drop.message
    assert "NonCommercial-ShareAlike 4.0 International Public License is non-commercial" in (
        drop.message
    )


def test_share_alike_parent_kept_is_no_error(workdir: Path) -> None:
    assert findings(card(f"license: cc-by-nc-sa-4.0\nbase_model: {PLATYPUS}")) == []


def test_non_commercial_parent(workdir: Path) -> None:
    assert lineage.catalog().repos[COMMAND_R.lower()].license == "cc-by-nc-4.0"
    drop = the_drop(findings(card(f"license: apache-2.0\nbase_model: {COMMAND_R}")))
    assert drop.message == (
        "derivative of C4AI Command R+ (CohereForAI/c4ai-command-r-plus) (Creative Commons "
        "Attribution-NonCommercial 4.0 International Public License, found in base_model in the "
        "metadata) is licensed apache-2.0, which allows commercial use; the Creative Commons "
        "Attribution-NonCommercial 4.0 International Public License is non-commercial (§2(a)(1))"
    )
    assert findings(card(f"license: cc-by-nc-4.0\nbase_model: {COMMAND_R}")) == []


def test_a_permissive_parent_may_be_relicensed(workdir: Path) -> None:
    assert findings(card(f"license: mit\nbase_model: {MISTRAL}")) == []


def test_an_unknown_repo_is_a_parent_by_its_family_name(workdir: Path) -> None:
    drop = the_drop(findings(card("license: mit\nbase_model: someone/Llama-2-7b-chat-finetune")))
    assert drop.message.startswith(
        "derivative of someone/Llama-2-7b-chat-finetune (Llama 2 Community License Agreement, "
        "found in base_model in the metadata, named after Llama 2) is licensed mit"
    ), drop.message


def test_a_name_that_only_contains_llama_is_no_parent(workdir: Path) -> None:
    assert findings(card("license: mit\nbase_model: someone/TinyLlama-1.1B")) == []


def test_a_family_name_in_the_title_makes_a_parent(workdir: Path) -> None:
    path = card("license: apache-2.0", "# Cool-Llama3-8B\n\nA chat model for poems.\n")
    drop = the_drop(findings(path))
    assert drop.message.startswith(
        "derivative of Llama 3 (Meta Llama 3 Community License Agreement, found in the card's "
        'title "Cool-Llama3-8B", named after Llama 3) is licensed apache-2.0, which '
        "grants what"
    ), drop.message


def test_a_rail_family_name_in_the_title_makes_no_parent(workdir: Path) -> None:
    # Title inference is for the families beyond RAIL; a RAIL base needs a cue or base_model.
    path = card("license: mit", "# My-StarCoder-Thing\n\nA chat model for poems.\n")
    assert findings(path) == []


def test_license_option_holds_a_card_to_llama3(workdir: Path) -> None:
    found = findings(card("license: mit"), "--license", "llama3")
    drop = the_drop(found)
    assert drop.message.startswith(
        "held to llama3 by --license, the card is licensed mit, which grants what the Meta Llama 3 "
        "Community License Agreement does not"
    ), drop.message


def test_a_merge_keeps_every_parents_terms(workdir: Path) -> None:
    path = card(
        f"license: llama3\nbase_model:\n- {LLAMA3}\n- {GEMMA}\nbase_model_relation: merge",
        "# Llama-3-Gemma-Merge\n\nA merge of two models.\n",
    )
    found = findings(path)
    # The merge itself is flagged too: Llama's and Gemma's terms cannot both govern it.
    assert [f.rule for f in found if f.rule == "derivative-parents-conflict"] == [
        "derivative-parents-conflict"
    ]
    drop = the_drop([f for f in found if f.rule != "derivative-parents-conflict"])
    assert drop.message == (
        "merge of Gemma 2B (google/gemma-2b) (Gemma Terms of Use, found in base_model in the "
        "metadata) is licensed llama3, which drops the use restrictions the Gemma Terms of Use "
        "requires in any license a derivative is shared under (§3.1, condition 1)"
    )


@pytest.mark.parametrize(
    ("parent", "name"),
    [
        ("NousResearch/Meta-Llama-3-8B-Instruct", "Meta Llama 3 Community License Agreement"),
        ("Qwen/Qwen-7B", "Tongyi Qianwen LICENSE AGREEMENT"),
        ("Qwen/Qwen2.5-72B-Instruct", "Qwen LICENSE AGREEMENT"),
    ],
)
def test_a_parent_under_license_other_keeps_its_terms(
    workdir: Path, parent: str, name: str
) -> None:
    # The catalog writes these parents' licenses as other:<license_name>.
    assert lineage.catalog().repos[parent.lower()].license.startswith("other:")
    drop = the_drop(findings(card(f"license: mit\nbase_model: {parent}")))
    assert f"({name}, found in base_model in the metadata) is licensed mit, which grants" in (
        drop.message
    )


def test_a_rail_title_followed_by_a_cue_paragraph_makes_no_parent(workdir: Path) -> None:
    # A cue after a name counts within its paragraph only; the title inference skips RAIL
    # families on purpose.
    path = card("license: mit", "# My-StarCoder-Thing\n\nFine-tuned on poems.\n")
    assert findings(path) == []


# --- 2. duties ----------------------------------------------------------------------------------

LLAMA3_CARD = f"license: llama3\nbase_model: {LLAMA3}"
TITLE = "# Llama-3-Poet-8B\n\n"
DISPLAY = "**Built with Meta Llama 3**\n\n"
MADE = "Fine-tuned on poems.\n\n"


def test_a_card_that_shows_every_duty_has_no_findings(workdir: Path) -> None:
    assert findings(card(LLAMA3_CARD, TITLE + DISPLAY + MADE + LLAMA3_NOTICE + "\n")) == []


def test_display_missing(workdir: Path) -> None:
    found = findings(card(LLAMA3_CARD, TITLE + MADE + LLAMA3_NOTICE + "\n"))
    assert where(found) == [("license-display-missing", "warning", 5)]
    assert found[0].message == (
        f"the Meta Llama 3 Community License Agreement of {LLAMA3_SHOWN} asks a derivative to "
        'display "Built with Meta Llama 3" (§1.b.i); the card does not'
    )
    assert found[0].fix == "Add the line **Built with Meta Llama 3** near the top of the card."


def test_display_inside_a_quoted_license_text_is_not_shown(workdir: Path) -> None:
    quoted = (
        "## License\n\nIf you distribute a derivative, you shall prominently display “Built with "
        "Meta Llama 3” on a related website, user interface, blogpost, about page, or product "
        "documentation.\n\n"
    )
    found = findings(card(LLAMA3_CARD, TITLE + MADE + quoted + LLAMA3_NOTICE + "\n"))
    assert where(found) == [("license-display-missing", "warning", 5)]


def test_name_prefix_missing(workdir: Path) -> None:
    found = findings(card(LLAMA3_CARD, "# Suzume\n\n" + DISPLAY + MADE + LLAMA3_NOTICE + "\n"))
    assert where(found) == [("license-name-prefix-missing", "warning", 6)]
    assert found[0].message == (
        f"the Meta Llama 3 Community License Agreement of {LLAMA3_SHOWN} asks a model made from "
        'it to have a name that begins with "Llama 3" (§1.b.i); the card calls it "Suzume"'
    )


@pytest.mark.parametrize(
    "title",
    [
        "# Llama-3-Suzume-8B",
        "# Model Card",
        "# [Llama-3-Suzume-8B](https://huggingface.co/lightblue/suzume-llama-3-8B-multilingual)",
        # The heading the Open LLM Leaderboard's bot appends to cards (held-out card 630).
        "# [Open LLM Leaderboard Evaluation Results](https://huggingface.co/spaces/"
        "open-llm-leaderboard/open_llm_leaderboard)",
        "# lightblue/Llama-3-Suzume-8B",
    ],
)
def test_name_prefix_kept_or_no_name(workdir: Path, title: str) -> None:
    path = card(LLAMA3_CARD, f"{title}\n\n" + DISPLAY + MADE + LLAMA3_NOTICE + "\n")
    assert findings(path) == []


def test_a_quantization_keeps_its_parents_name(workdir: Path) -> None:
    path = card(
        LLAMA3_CARD + "\nbase_model_relation: quantized",
        "# Suzume-GGUF\n\n" + DISPLAY + "4-bit quantization.\n\n" + LLAMA3_NOTICE + "\n",
    )
    assert findings(path) == []


def test_a_quantization_is_known_by_its_title_too(workdir: Path) -> None:
    # QuantFactory, TheBloke and bartowski seldom set base_model_relation; "GGUF" in the title
    # says what the repo is.
    path = card(
        LLAMA3_CARD, "# Suzume-GGUF\n\n" + DISPLAY + "Quantized.\n\n" + LLAMA3_NOTICE + "\n"
    )
    assert findings(path) == []


def test_notice_missing(workdir: Path) -> None:
    found = findings(card(LLAMA3_CARD, TITLE + DISPLAY + MADE))
    assert where(found) == [("license-notice-missing", "warning", 5)]
    assert found[0].message == (
        f"the Meta Llama 3 Community License Agreement of {LLAMA3_SHOWN} asks copies to keep the "
        f'notice "{LLAMA3_NOTICE}" (§1.b.iii); neither the card nor a NOTICE file beside it has it'
    )
    assert found[0].fix == f"Add the notice to a NOTICE file or the card: {LLAMA3_NOTICE}"


@pytest.mark.parametrize("name", ["NOTICE", "Notice", "NOTICE.md"])
def test_notice_in_a_file_beside_the_card(tmp_path: Path, name: str) -> None:
    folder = tmp_path / f"model-{name.replace('.', '-')}"
    folder.mkdir()
    readme = folder / "README.md"
    readme.write_text(f"---\n{LLAMA3_CARD}\n---\n\n{TITLE}{DISPLAY}{MADE}", encoding="utf-8")
    (folder / name).write_text(LLAMA3_NOTICE + "\n", encoding="utf-8")
    assert findings(str(readme)) == []
    # A NOTICE file in another folder is not beside the card.
    other = tmp_path / f"other-{name.replace('.', '-')}"
    other.mkdir()
    (other / "README.md").write_bytes(readme.read_bytes())
    assert where(findings(str(other / "README.md"))) == [("license-notice-missing", "warning", 5)]


def test_llama31_duties(workdir: Path) -> None:
    found = findings(card(f"license: llama3.1\nbase_model: {LLAMA31}"))
    assert where(found) == [
        ("license-display-missing", "warning", 5),
        ("license-notice-missing", "warning", 5),
        ("license-name-prefix-missing", "warning", 6),
    ]
    of = "the Llama 3.1 Community License Agreement of Llama 3.1 8B (meta-llama/Llama-3.1-8B)"
    assert found[0].message.startswith(f'{of} asks a derivative to display "Built with Llama"')
    assert found[1].message.startswith(
        f'{of} asks copies to keep the notice "Llama 3.1 is licensed under the Llama 3.1 '
        "Community License"
    )
    assert f'{of} asks a model made from it to have a name that begins with "Llama" ' in (
        found[2].message
    )
    notice = licenses.terms("llama3.1")
    assert notice is not None and notice.notice is not None
    shown = "# Llama-Poet-8B\n\n**Built with Llama**\n\n" + MADE + notice.notice.text + "\n"
    assert findings(card(f"license: llama3.1\nbase_model: {LLAMA31}", shown)) == []


def test_gemma_notice(workdir: Path) -> None:
    found = findings(card(f"license: gemma\nbase_model: {GEMMA}"))
    assert where(found) == [("license-notice-missing", "warning", 5)]
    assert found[0].message == (
        "the Gemma Terms of Use of Gemma 2B (google/gemma-2b) asks copies to keep the notice "
        f'"{GEMMA_NOTICE}" (§3.1, condition 4); neither the card nor a NOTICE file beside it has it'
    )
    assert findings(card(f"license: gemma\nbase_model: {GEMMA}", BODY + GEMMA_NOTICE)) == []


def test_a_notice_wrapped_over_two_lines_is_shown(workdir: Path) -> None:
    wrapped = LLAMA3_NOTICE.replace("Llama 3 Community", "Llama 3\nCommunity")
    assert findings(card(LLAMA3_CARD, TITLE + DISPLAY + MADE + wrapped + "\n")) == []


def test_the_word_display_near_a_shown_duty_is_no_quotation(workdir: Path) -> None:
    body = (
        "# Llama-3-Display-Helper-8B\n\n"
        + DISPLAY
        + "Fine-tuned to write display ads.\n\n"
        + LLAMA3_NOTICE
        + "\n"
    )
    assert findings(card(LLAMA3_CARD, body)) == []


def test_no_duties_once_the_license_drops_the_terms(workdir: Path) -> None:
    # One defect, one finding: the card shows none of the duties, but its license is the defect.
    found = findings(card(f"license: mit\nbase_model: {LLAMA3}", "# Suzume\n\nFine-tuned.\n"))
    assert where(found) == [(DROPS, "error", 2)]


# --- 3. template placeholders -------------------------------------------------------------------


def test_more_information_needed_three_times(workdir: Path) -> None:
    body = (
        "# Poet\n\nA text model.\n\n## Uses\n\n[More Information Needed]\n\n## Bias\n\n"
        "[More Information Needed]\n\n## Training\n\n[More Information Needed]\n"
    )
    found = findings(card("license: mit", body))
    assert where(found) == [("template-placeholder", "warning", 11)]
    assert found[0].message == "3 template placeholders left, first [More Information Needed]"
    assert found[0].fix == "Fill in each section or remove it."


def test_a_template_slot(workdir: Path) -> None:
    found = findings(card("license: mit", "# Poet\n\nA text model.\n\n{{ card_data }}\n"))
    assert where(found) == [("template-placeholder", "warning", 9)]
    assert found[0].message == "1 template placeholder left, first {{ ... }}"


def test_a_lone_opening_brace_pair_is_no_placeholder(workdir: Path) -> None:
    body = "# Poet\n\nA text model. In Jinja, `{{` opens an expression.\n"
    assert findings(card("license: mit", body)) == []


def test_a_lone_opening_brace_pair_is_not_counted(workdir: Path) -> None:
    body = "# Poet\n\nIn Jinja, `{{` opens an expression.\n\n## Uses\n\n[More Information Needed]\n"
    found = findings(card("license: mit", body))
    assert where(found) == [("template-placeholder", "warning", 11)]
    assert found[0].message == "1 template placeholder left, first [More Information Needed]"


def test_a_slot_after_a_lone_opening_brace_pair(workdir: Path) -> None:
    body = (
        "# Poet\n\nIn Jinja, `{{` opens an expression.\n\n" + "A text model. " * 20 + "\n\n"
        "{{ card_data }}\n"
    )
    found = findings(card("license: mit", body))
    assert where(found) == [("template-placeholder", "warning", 11)]


# --- 4. the data --------------------------------------------------------------------------------

TERMS = licenses.DATA / "terms"
TERM_KEYS = (*licenses.TERM_FIELDS, "notice", "display", "name_prefix", "use_policy")


def _terms_files() -> list[Path]:
    files = sorted(TERMS.glob("*.json"))
    assert files
    return files


@pytest.mark.parametrize("path", _terms_files(), ids=lambda p: p.stem)
def test_every_terms_file_loads_and_quotes_its_terms(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    entry = licenses.Terms.from_data(data)
    assert entry.id == path.stem
    assert licenses.terms(path.stem) == entry
    assert entry.derivatives in licenses.DERIVATIVES
    for key in TERM_KEYS:
        term = getattr(entry, key)
        if term is not None:
            assert term.section.strip() and term.quote.strip(), (path.stem, key)
    for other in entry.other_terms:
        assert other.section.strip() and other.quote.strip() and other.title.strip(), other
    for name in (*entry.aliases, *entry.links):
        assert "licen" in name or "terms" in name, (path.stem, name)
        assert name == name.lower(), (path.stem, name)
    if entry.notice is not None:
        assert entry.notice.text in entry.notice.quote, path.stem


def test_no_alias_or_link_is_inside_another_licenses() -> None:
    catalog = licenses.terms_catalog()
    for entry in catalog.values():
        for other in catalog.values():
            if other.id == entry.id:
                continue
            for name in (*entry.aliases, *entry.links):
                for theirs in (*other.aliases, *other.links):
                    assert name not in theirs, (entry.id, name, other.id, theirs)


# `other:` names the catalog used before the terms catalog existed (Stability AI's licenses).
_OLD_OTHER_NAMES = {"sai-nc-community", "stabilityai-ai-community", "stable-cascade-nc-community"}


def _base_rows() -> list[list[str]]:
    text = (licenses.DATA / "base-models.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    assert all(len(row) == 5 for row in rows)
    return rows


def test_every_base_model_license_resolves() -> None:
    hub = licenses.hub_license_ids()
    for kind, match, license_id, _, _ in _base_rows():
        assert kind in ("repo", "name"), match
        if not license_id.startswith("other:"):
            assert license_id in hub, (match, license_id)
            continue
        name = license_id.removeprefix("other:")
        assert (
            name in licenses.rail_ids()
            or licenses.terms(name) is not None
            or licenses.terms_named(name, None) is not None
            or name in _OLD_OTHER_NAMES
        ), (match, license_id)


def test_every_name_row_holds_a_stem() -> None:
    for kind, match, _, _, _ in _base_rows():
        if kind == "name":
            assert any(stem in match.lower() for stem in lineage.ID_STEMS), match


# --- 5. --fix -----------------------------------------------------------------------------------


def _fix(*paths: str) -> tuple[int, list[str]]:
    """`govcard check --fix PATHS`: the exit code and the lines it wrote to stderr."""
    result = run("--fix", *paths)
    return result.exit_code, result.stderr.splitlines()


def _is_subsequence(old: list[bytes], new: list[bytes]) -> bool:
    rest = iter(new)
    return all(any(line == candidate for candidate in rest) for line in old)


def _block(license_id: str) -> list[str]:
    """The lines of the terms block `govcard license show ID` writes into a card."""
    from govcard import license_block

    entry = license_block.lookup(license_id)
    assert entry is not None
    return license_block.markdown(entry).rstrip("\n").split("\n")


def _lines(lines: list[str], newline: str) -> list[bytes]:
    return [(line + newline).encode("utf-8") for line in lines]


def _fixed(path: Path, original: list[str], expected: list[str], newline: str, mode: int) -> None:
    """The card after --fix: exactly `expected` (the original lines with others inserted), in
    the original's line endings and file mode."""
    new = path.read_bytes().splitlines(keepends=True)
    assert _is_subsequence(_lines(original, newline), new)
    assert new == _lines(expected, newline)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode


def _written(lines: list[str], newline: str = "\n", mode: int | None = None) -> Path:
    """card.md made of `lines` with `newline` after each, and the file mode if given."""
    path = Path("card.md")
    path.write_bytes(b"".join(_lines(lines, newline)))
    if mode is not None:
        path.chmod(mode)
    return path


UNLICENSED = ["---", f"base_model: {LLAMA3}", "---", "", "# Llama-3-Poet-8B", "", "Fine-tuned."]
BUILT = ["", "**Built with Meta Llama 3**", ""]
# What --fix inserts after a title that a blank line follows: the blank line is the card's own.
INSERTED = ["", "**Built with Meta Llama 3**"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_fix_adds_the_license_and_its_terms_block(workdir: Path, newline: str) -> None:
    # The card already shows the "Built with" line: only the license and the block are missing.
    original = [*UNLICENSED[:5], *BUILT, *UNLICENSED[6:]]
    path = _written(original, newline, 0o640)
    code, said = _fix("card.md")
    assert code == 0
    assert said == [
        "card.md: fixed: added license: llama3 to the metadata",
        "card.md: fixed: added the Meta Llama 3 Community License Agreement terms block",
    ]
    block = _block("llama3")
    assert block[0] == "<!-- govcard license show llama3 -->"
    assert any(LLAMA3_NOTICE in line for line in block)
    expected = [*original[:2], "license: llama3", *original[2:], "", *block]
    _fixed(path, original, expected, newline, 0o640)
    first = path.read_bytes()
    assert findings("card.md") == []
    assert _fix("card.md") == (0, [])
    assert path.read_bytes() == first


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_fix_adds_the_built_with_line_in_the_first_run(workdir: Path, newline: str) -> None:
    path = _written(UNLICENSED, newline, 0o644)
    _fix("card.md")
    expected = [
        *UNLICENSED[:2],
        "license: llama3",
        *UNLICENSED[2:5],
        *INSERTED,
        *UNLICENSED[5:],
        "",
        *_block("llama3"),
    ]
    _fixed(path, UNLICENSED, expected, newline, 0o644)


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_second_fix_changes_nothing(workdir: Path, newline: str) -> None:
    path = _written(UNLICENSED, newline)
    _fix("card.md")
    first = path.read_bytes()
    assert _fix("card.md") == (0, [])
    assert path.read_bytes() == first


LICENSED = ["---", "license: llama3", f"base_model: {LLAMA3}", "---", "", "# Llama-3-Poet-8B", ""]
LICENSED += ["Fine-tuned."]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_fix_adds_the_built_with_line_and_the_block_once(workdir: Path, newline: str) -> None:
    path = _written(LICENSED, newline, 0o600)
    code, said = _fix("card.md")
    assert code == 0
    assert said == [
        'card.md: fixed: added "Built with Meta Llama 3"',
        "card.md: fixed: added the Meta Llama 3 Community License Agreement terms block",
    ]
    expected = [*LICENSED[:6], *INSERTED, *LICENSED[6:], "", *_block("llama3")]
    _fixed(path, LICENSED, expected, newline, 0o600)
    first = path.read_bytes()
    assert findings("card.md") == []
    assert _fix("card.md") == (0, [])
    assert path.read_bytes() == first


def test_fix_of_a_card_without_a_final_newline(workdir: Path) -> None:
    path = Path("card.md")
    path.write_bytes("\r\n".join(LICENSED).encode("utf-8"))
    _fix("card.md")
    expected = [*LICENSED[:6], *INSERTED, *LICENSED[6:], "", *_block("llama3")]
    assert path.read_bytes().splitlines(keepends=True) == _lines(expected, "\r\n")


def test_fix_leaves_a_laundered_license(workdir: Path) -> None:
    original = f"---\nlicense: mit\nbase_model: {LLAMA3}\n---\n\n# Poet\n\nFine-tuned.\n"
    Path("card.md").write_text(original, encoding="utf-8")
    result = run("--fix", "card.md", "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == ""
    assert Path("card.md").read_text(encoding="utf-8") == original
    (file,) = json.loads(result.stdout)["files"]
    assert [(f["rule"], f["severity"], f["line"]) for f in file["findings"]] == [
        (DROPS, "error", 2)
    ]


def test_fix_of_stdin_is_refused(workdir: Path) -> None:
    result = run("--fix", "-", input="---\nlicense: mit\n---\n# Poet\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["--fix: fixes cards in place; give files, not - (stdin)"]


QWEN_OTHER = ["---", "license: other", "license_name: tongyi-qianwen"]
QWEN_OTHER += ["base_model: Qwen/Qwen1.5-7B", "---", "", "# Poet", ""]


def test_fix_adds_the_license_link_of_a_named_license(workdir: Path) -> None:
    # The text links the license, so the card is only incomplete: --fix adds license_link.
    original = [*QWEN_OTHER, f"Fine-tuned on poems. [License]({TONGYI_LINK})"]
    path = _written(original, "\n", 0o644)
    assert where(findings("card.md")) == [
        ("license-other-incomplete", "warning", 2),
        ("license-notice-missing", "warning", 6),
    ]
    code, said = _fix("card.md")
    assert said == [
        f"card.md: fixed: added license_link: {TONGYI_LINK} to the metadata",
        "card.md: fixed: added the Tongyi Qianwen LICENSE AGREEMENT terms block",
    ]
    expected = [
        *original[:4],
        f"license_link: {TONGYI_LINK}",
        *original[4:],
        "",
        *_block("tongyi-qianwen"),
    ]
    _fixed(path, original, expected, "\n", 0o644)
    assert code == 0 and findings("card.md") == []


def test_fix_adds_the_license_link_when_nothing_links_the_license(workdir: Path) -> None:
    original = [*QWEN_OTHER, "Fine-tuned on poems."]
    path = _written(original, "\n")
    _, said = _fix("card.md")
    assert said[:1] == [f"card.md: fixed: added license_link: {TONGYI_LINK} to the metadata"]
    new = path.read_text(encoding="utf-8").split("\n")
    assert new[:6] == [*original[:4], f"license_link: {TONGYI_LINK}", "---"]
    assert "license-other-unidentified" not in rules_of(findings("card.md"))


def test_fix_leaves_a_card_whose_notice_file_has_the_notice(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    original = [*LICENSED[:6], *BUILT, *LICENSED[6:]]
    (folder / "README.md").write_bytes(b"".join(_lines(original, "\n")))
    (folder / "NOTICE").write_text(LLAMA3_NOTICE + "\n", encoding="utf-8")
    assert _fix(str(folder / "README.md")) == (0, [])
    assert (folder / "README.md").read_bytes() == b"".join(_lines(original, "\n"))


def test_fix_sees_a_notice_file_added_since_an_earlier_check(workdir: Path) -> None:
    original = [*LICENSED[:6], *BUILT, *LICENSED[6:]]
    Path("card.md").write_bytes(b"".join(_lines(original, "\n")))
    assert where(findings("card.md")) == [("license-notice-missing", "warning", 5)]
    Path("NOTICE").write_text(LLAMA3_NOTICE + "\n", encoding="utf-8")
    assert _fix("card.md") == (0, [])


def test_fix_adds_the_built_with_line_once_whatever_the_title(workdir: Path) -> None:
    original = [*LICENSED[:5], "# Llama-3-Display-Helper-8B", *LICENSED[6:], "", LLAMA3_NOTICE]
    path = _written(original, "\n")
    _fix("card.md")
    first = path.read_bytes()
    assert _fix("card.md") == (0, [])
    assert path.read_bytes() == first


def test_fix_of_an_empty_license_key_makes_no_duplicate_key(workdir: Path) -> None:
    original = ["---", "license:", *LICENSED[2:]]
    path = _written(original, "\n")
    _fix("card.md")
    front = path.read_text(encoding="utf-8").split("---\n")[1]
    assert sum(line.startswith("license:") for line in front.splitlines()) == 1, front


def test_fix_of_a_card_with_a_byte_order_mark(workdir: Path) -> None:
    path = Path("card.md")
    path.write_bytes(
        b"\xef\xbb\xbf# Llama-3-Poet-8B\n\nFine-tuned from Meta-Llama-3-8B-Instruct on poems.\n"
    )
    _fix("card.md")
    data = path.read_bytes()
    assert b"\xef\xbb\xbf" not in data[3:], data[:80]
    assert data.removeprefix(b"\xef\xbb\xbf").startswith(b"---\nlicense: llama3\n---\n")


def test_fix_of_a_folder_leaves_files_that_are_not_cards(workdir: Path) -> None:
    Path("repo").mkdir()
    card_lines = [*LICENSED[:6], *BUILT, *LICENSED[6:], "", LLAMA3_NOTICE]
    Path("repo/README.md").write_bytes(b"".join(_lines(card_lines, "\n")))
    notes = b"# Training notes\n\nWe fine-tuned from Llama 3 8B for two epochs.\n"
    Path("repo/notes.md").write_bytes(notes)
    # The check itself reads notes.md as no model card.
    document = json.loads(run("repo", "--format", "json").stdout)
    assert [f["path"] for f in document["files"]] == ["repo/README.md"]
    assert _fix("repo") == (0, [])
    assert Path("repo/notes.md").read_bytes() == notes


# --- what the text states, beside the metadata ---------------------------------------------------


def test_gemma_4_is_apache_licensed(workdir: Path) -> None:
    # Gemma 4 (April 2026) left the Gemma Terms of Use for Apache 2.0.
    found = findings(card("license: apache-2.0\nbase_model: someone/gemma-4-12b-it-tuned"))
    assert errors(found) == [], found


def test_a_license_line_that_grants_more_than_the_parent_is_an_error(workdir: Path) -> None:
    body = f"# Gemma-Tuned\n\n- **License:** Apache-2.0\n\n{GEMMA_NOTICE}\n"
    found = findings(card(f"license: gemma\nbase_model: {GEMMA}", body))
    drop = the_drop(found, line=8)
    assert "is licensed gemma in its metadata, but line 8 says apache-2.0" in drop.message
    assert "Gemma Terms of Use" in drop.message


def test_a_license_section_line_about_the_code_states_nothing_about_the_model(
    workdir: Path,
) -> None:
    body = (
        "# Gemma-Tuned\n\n## License\n\nThe model: the Gemma Terms of Use. The training code is "
        f"under the Apache License 2.0.\n\n{GEMMA_NOTICE}\n"
    )
    found = findings(card(f"license: gemma\nbase_model: {GEMMA}", body))
    assert errors(found) == [], found
    # The sentence names the Gemma terms for the model: no conflict either.
    assert "license-conflict" not in rules_of(found)


def test_what_follows_a_sentence_about_the_code_in_its_paragraph_is_about_the_code(
    workdir: Path,
) -> None:
    # Held-out set 6, 904: the paragraph about the training script goes on to link "the Apache
    # license" without saying "script" again; the weights are under the Llama 3.2 license.
    body = (
        "# Llama-3.2-1B-Tuned\n\n## Attribution and licenses\n\n**Built with Llama.** The weights"
        " are subject to the [Llama 3.2 Community License](LICENSE).\n\nThe training script"
        " derives from [x/y](https://github.com/x/y)\nunder MIT. The preserved copy has changes;"
        " see\nthe [Apache license](LICENSES/Apache-2.0.txt).\n"
    )
    found = findings(card("license: llama3.2\nbase_model: meta-llama/Llama-3.2-1B-Instruct", body))
    assert errors(found) == [], found


def test_a_sentence_about_the_model_after_one_about_the_code_is_read(workdir: Path) -> None:
    body = (
        "# Gemma-Tuned\n\n## License\n\nThe code is MIT. The model weights are released under"
        f" the Apache License 2.0.\n\n{GEMMA_NOTICE}\n"
    )
    found = findings(card(f"license: gemma\nbase_model: {GEMMA}", body))
    assert "the License section says apache-2.0" in the_drop(found, line=8).message


def test_a_license_file_named_for_its_license_is_a_license_text(workdir: Path) -> None:
    # Held-out set 6, 906: "See `QWEN_RESEARCH_LICENSE.txt` and `NOTICE` in this directory."
    metadata = f"license: other\nlicense_name: qwen-research\nbase_model: {QWEN_RESEARCH}"
    body = (
        "# Adapter\n\n## License\n\nGoverned by the Qwen Research License Agreement. See\n"
        "`QWEN_RESEARCH_LICENSE.txt` and `NOTICE` in this directory.\n"
    )
    assert "license-other-unidentified" not in rules_of(findings(card(metadata, body)))
    # A metadata key written as code names no file.
    body = "# Adapter\n\nSet `license_name` to the license's name.\n"
    assert "license-other-unidentified" in rules_of(findings(card(metadata, body)))


def test_a_license_line_that_links_the_base_model_s_license_states_one(workdir: Path) -> None:
    # Held-out set 7, 1021: "- **License:** [Same as base model (microsoft/phi-2)](.../LICENSE)".
    body = (
        "# Phi-2 QA\n\n- **License:** [Same as base model (microsoft/phi-2)]"
        "(https://huggingface.co/microsoft/phi-2/resolve/main/LICENSE)\n"
    )
    found = findings(card("base_model: microsoft/phi-2\nlibrary_name: peft", body))
    assert "license-missing" not in rules_of(found), found


def test_a_program_named_after_a_model_is_no_parent(workdir: Path) -> None:
    # Held-out set 7, 1035: stable-diffusion.cpp is the program that converted a FLUX.2 model.
    body = (
        "# FLUX.2 klein GGUF\n\nQuantized from `flux-2-klein-4b.safetensors` with `sd-cli -M"
        " convert` (stable-diffusion.cpp).\n"
    )
    found = findings(
        card("license: apache-2.0\nbase_model: black-forest-labs/FLUX.2-klein-4B", body)
    )
    assert errors(found) == [], found
    body = "# Tuned\n\nQuantized from Stable Diffusion 1.5 with stable-diffusion.cpp.\n"
    assert DROPS in rules_of(findings(card("license: apache-2.0", body)))


def test_a_license_section_naming_another_license_is_a_conflict(workdir: Path) -> None:
    body = "# A model\n\n## License\n\nReleased under the MIT License.\n"
    found = findings(card("license: apache-2.0", body))
    assert [(f.rule, f.severity, f.line) for f in found] == [("license-conflict", "warning", 7)]
    assert "the metadata says apache-2.0, but the License section names mit" in found[0].message


def test_tags_are_read_for_license_and_base_model_tags_only(workdir: Path) -> None:
    # Other tags are not parsed: a YAML slip in them is the Hub's to refuse.
    assert findings(card("license: mit\ntags: [a, b")) == []
    found = findings(card("tags:\n- license:apache-2.0\n- base_model:google/gemma-2b"))
    assert where(found)[0][0] == DROPS, found


def test_a_license_file_beside_the_card_naming_another_license_is_a_conflict(
    workdir: Path,
) -> None:
    folder = Path("model")
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: mit\n---\n\n# A model\n", encoding="utf-8")
    (folder / "LICENSE").write_text(
        "\n                                 Apache License\n"
        "                           Version 2.0, January 2004\n",
        encoding="utf-8",
    )
    found = findings(str(folder))
    assert [(f.rule, f.line) for f in found] == [("license-conflict", 2)], found
    assert "LICENSE beside the card is the Apache License, Version 2.0" in found[0].message
    (folder / "LICENSE").write_text("MIT License\n\nCopyright (c) 2026\n", encoding="utf-8")
    assert findings(str(folder)) == []


_LINKS = [link for entry in licenses.terms_catalog().values() for link in entry.links]


@given(
    parts=st.lists(
        st.one_of(
            st.sampled_from(_LINKS),
            st.sampled_from(_LINKS).map(lambda link: link[: len(link) // 2]),
            st.sampled_from(_LINKS).map(lambda link: link[len(link) // 3 :]),
            st.sampled_from(["https://", " ", "/", "-", "é", "[license](", ")"]),
        ),
        max_size=8,
    )
)
@settings(max_examples=300, deadline=None)
def test_linked_terms_are_the_licenses_whose_addresses_the_text_holds(parts: list[str]) -> None:
    """One pass of an automaton finds what a search for each address finds, also where one
    address holds another or two overlap."""
    text = "".join(parts)
    expected = [
        entry.id
        for entry in licenses.terms_catalog().values()
        if any(link in text for link in entry.links)
    ]
    assert check_text_module.linked_terms(text) == expected


# --- held-out set 8 ---------------------------------------------------------------------------


def test_a_license_the_weights_comply_with_is_stated(workdir: Path) -> None:
    # Held-out set 8, 1115 (ChatGLM3-6B): no license in the metadata; the License section puts the
    # code under "the [Apache-2.0 license](LICENSE)" (a version's full stop is no sentence's end)
    # and says the weights "need to comply with the [Model License](MODEL_LICENSE)".
    for sentence in (
        "The code in this repository is open-sourced under the [Apache-2.0 license](LICENSE).",
        "The use of the model weights needs to comply with the [Model License](MODEL_LICENSE).",
    ):
        body = f"# Chat\n\n## 协议 (License)\n\n{sentence}\n"
        found = findings(card("language:\n- en", body, name=f"{len(sentence)}.md"))
        assert where(found) == [("license-metadata-missing", "warning", 10)], found


@pytest.mark.parametrize(
    ("written", "named"),
    [
        ("Llama 2", True),
        ("meta-llama/Llama-2-7b-chat-hf", True),
        ("llama2", True),
        ("Llama_2", True),
        ("Llama 2.5", False),
        ("Llama 23", False),
        ("Llama", False),
    ],
)
def test_the_parents_license_is_named_however_its_model_is_written(
    workdir: Path, written: str, named: bool
) -> None:
    # Held-out set 8, 1101 (a Core ML conversion of Llama 2 under `license: other`): "For
    # [license](...) information ... refer to [meta-llama/Llama-2-7b-chat-hf](...)".
    body = f"# Poet\n\nFor license information, see the card of {written}.\n"
    metadata = (
        "license: other\nlicense_name: poet\nlicense_link: https://example.com/poet\n"
        "base_model: meta-llama/Llama-2-7b-chat-hf"
    )
    expected = "derivative-license-unverified" if named else DROPS
    assert rules_of(findings(card(metadata, body))) == {expected}


@pytest.mark.parametrize(
    "link",
    [
        "https://huggingface.co/acme/poet-13b/blob/main/LICENSE.txt",
        "LICENSE.txt",
        "./LICENSE",
    ],
)
def test_an_other_license_whose_text_is_a_file_of_the_repo_is_unverified(
    workdir: Path, link: str
) -> None:
    # Held-out set 8, 1133 (NexusRaven-V2-13B on Code Llama): "licensed under the [Nexusflow
    # community license](https://huggingface.co/Nexusflow/NexusRaven-V2-13B/blob/main/LICENSE.txt)".
    # The file may hold the parent's agreement with terms added; govcard cannot read it.
    body = f"# Poet\n\n## License\n\nLicensed under the [Acme community license]({link}).\n"
    metadata = "license: other\nbase_model: codellama/CodeLlama-13b-Instruct-hf"
    found = findings(card(metadata, body))
    assert "derivative-license-unverified" in rules_of(found)
    assert errors(found) == []


def test_an_other_license_whose_text_is_a_license_page_still_drops_the_parents(
    workdir: Path,
) -> None:
    # NVIDIA's Minitron card (corpus 094) links the NVIDIA Open Model License's page, not a file.
    body = (
        "# Poet\n\n## License\n\nLicensed under the [Acme Open Model License]"
        "(https://acme.example/licenses/open-model-license.pdf).\n"
    )
    metadata = "license: other\nlicense_name: acme\nbase_model: codellama/CodeLlama-13b-Instruct-hf"
    assert rules_of(errors(findings(card(metadata, body)))) == {DROPS}


def test_a_derivative_that_names_its_license_in_prose_only_is_an_error(workdir: Path) -> None:
    # Held-out set 8, 1110 (a LoRA of Llama 3.2 1B): no `license:`, and "License: Meta Llama 3
    # Community License" as plain text: recipients get a name, not the agreement.
    body = (
        "# Poet\n\nFine-tuned on poems.\n\n## License\n\nLicense: Meta Llama 3 Community License\n"
    )
    (found,) = findings(card(f"base_model: {LLAMA31}", body))
    assert (found.rule, found.severity, found.line) == (
        "derivative-license-prose-only",
        "error",
        9,
    )
    assert found.message == (
        "the text names llama3, with no license id in the metadata, license_link or link to its "
        "text; as a derivative of Llama 3.1 8B (meta-llama/Llama-3.1-8B) it must be shared with "
        "the Llama 3.1 Community License Agreement or a link to it (§1.b.i)"
    )


@pytest.mark.parametrize(
    "license_line",
    [
        "License: [Llama 3.1 Community License](https://llama.meta.com/llama3_1/license/)",
        "License: Llama 3.1 Community License, see [LICENSE](LICENSE)",
    ],
)
def test_a_derivative_that_links_the_license_it_names_is_no_prose_only_card(
    workdir: Path, license_line: str
) -> None:
    body = f"# Poet\n\nFine-tuned on poems.\n\n## License\n\n{license_line}\n"
    found = findings(card(f"base_model: {LLAMA31}", body))
    assert "derivative-license-prose-only" not in rules_of(found)
    assert errors(found) == []


def test_an_aya_expanse_adapter_relicensed_apache_drops_non_commercial(workdir: Path) -> None:
    # Held-out set 8, 1119: a LoRA of Aya Expanse 8B (CC BY-NC 4.0) whose text says
    # "License: Apache 2.0 (Cohere)".
    body = "# Poet\n\nA LoRA fine-tuned on poems.\n\n- **License:** Apache 2.0 (Cohere)\n"
    found = findings(card("base_model: CohereLabs/aya-expanse-8b\nlibrary_name: peft", body))
    (drop,) = errors(found)
    assert drop.rule == DROPS
    assert "Aya Expanse 8B (CohereLabs/aya-expanse-8b)" in drop.message
    assert "which allows commercial use" in drop.message


def test_a_qwen_1_8b_quantization_relicensed_mit_drops_the_research_license(
    workdir: Path,
) -> None:
    # Held-out set 9, 1215: a GGUF of Qwen-1_8B-Chat, which QwenLM's README puts under the
    # Tongyi Qianwen RESEARCH LICENSE AGREEMENT, published as mit.
    body = "# qwen-tune\n\nA 4bit quantized version in GGUF format of Qwen/Qwen-1_8B-Chat.\n"
    drop = the_drop(findings(card("license: mit\nbase_model: Qwen/Qwen-1_8B-Chat", body)))
    assert "Qwen 1.8B Chat (Qwen/Qwen-1_8B-Chat)" in drop.message, drop.message


def test_a_replica_of_a_model_is_made_from_it(workdir: Path) -> None:
    # Held-out set 9, 1218: "the LLaMAfied replica of [Qwen/Qwen-7B-Chat](...)", as gpl-3.0.
    body = (
        "# Qwen LLaMAfied 7B Chat\n\nThis is the LLaMAfied replica of "
        "[Qwen/Qwen-7B-Chat](https://huggingface.co/Qwen/Qwen-7B-Chat), recalibrated to fit "
        "the LLaMA structure.\n"
    )
    found = findings(card("license: gpl-3.0", body))
    assert where(found) == [(DROPS, "error", 2), ("derivative-detected", "info", 7)], found
    assert "Qwen 7B Chat (Qwen/Qwen-7B-Chat)" in found[0].message, found[0].message


def test_a_labelled_license_field_states_a_license(workdir: Path) -> None:
    # Held-out set 9, 1201: no metadata license, and "* **License for base weights**: ...
    # ([CC BY-NC-4.0](https://creativecommons.org/licenses/by-nc/4.0/))" in the text.
    body = (
        "# Camel-Platypus2-13B\n\n* **License for base weights**: Non-Commercial Creative "
        "Commons license ([CC BY-NC-4.0](https://creativecommons.org/licenses/by-nc/4.0/))\n"
    )
    found = findings(card("language:\n- en", body))
    assert errors(found) == [], found
    assert "license-metadata-missing" in rules_of(found)


SD35 = "stabilityai/stable-diffusion-3.5-large"
SAI = "other\nlicense_name: stabilityai-ai-community\nlicense_link: https://stability.ai/license"


def test_a_stable_diffusion_3_5_lora_relicensed_mit_drops_the_community_license(
    workdir: Path,
) -> None:
    drop = the_drop(findings(card(f"license: mit\nbase_model: {SD35}")))
    assert drop.message.startswith(
        f"derivative of Stable Diffusion 3.5 Large ({SD35}) (Stability AI Community License "
        "Agreement, found in base_model in the metadata) is licensed mit, which grants what the "
        "Stability AI Community License Agreement does not: use outside the Stability AI "
        "Acceptable Use Policy (§IV(b)); use at any scale (§III)"
    ), drop.message
    # Held-out set 10, 1323: no license in the metadata, "**License:** MIT" in the text.
    body = "# Carpets\n\nA LoRA.\n\n- **License:** MIT (or appropriate license for SD3.5-Large)\n"
    (drop,) = errors(findings(card(f"base_model: {SD35}\nlibrary_name: peft", body)))
    assert drop.rule == DROPS and "line 10 says mit" in drop.message, drop.message


def test_a_stable_diffusion_3_5_derivative_under_its_license_owes_the_notice_and_the_credit(
    workdir: Path,
) -> None:
    found = findings(card(f"license: {SAI}\nbase_model: {SD35}"))
    assert {(f.rule, f.severity) for f in found} == {
        ("license-display-missing", "warning"),
        ("license-notice-missing", "warning"),
    }
    body = (
        "# Carpets\n\n**Powered by Stability AI**\n\nThis Stability AI Model is licensed under the "
        "Stability AI Community License, Copyright © Stability AI Ltd. All Rights Reserved\n"
    )
    assert findings(card(f"license: {SAI}\nbase_model: {SD35}", body)) == []


def test_a_non_commercial_license_on_a_stability_derivative_cannot_be_judged(
    workdir: Path,
) -> None:
    # Corpus 070 (Flash SD3, cc-by-nc-4.0): the Stability license has a research and
    # non-commercial license of its own (§II), which a CC BY-NC license mirrors; its reader
    # passed the card. Whether the use policy is kept, govcard cannot tell.
    found = findings(
        card("license: cc-by-nc-4.0\nbase_model: stabilityai/stable-diffusion-3-medium")
    )
    assert where(found) == [("derivative-license-unverified", "warning", 2)], found


def test_a_tiny_aya_adapter_relicensed_apache_drops_non_commercial(workdir: Path) -> None:
    # Held-out set 10, 1322: a LoRA of CohereLabs/tiny-aya-base (non-commercial) as apache-2.0.
    metadata = (
        "license: apache-2.0\nbase_model: CohereLabs/tiny-aya-base\nbase_model_relation: adapter"
    )
    drop = the_drop(findings(card(metadata)))
    assert drop.message.startswith("adapter of Tiny Aya Base (CohereLabs/tiny-aya-base)")
    assert "which allows commercial use" in drop.message


def test_an_mms_tts_base_model_is_known_by_its_name(workdir: Path) -> None:
    # Held-out set 11, 1432: an apache-2.0 fine-tune of facebook/mms-tts-ara (CC BY-NC 4.0, as
    # Meta's MMS TTS repos are, one per language); "mms" is not searched for in the text.
    drop = the_drop(findings(card("license: apache-2.0\nbase_model: facebook/mms-tts-ara")))
    assert "named after MMS TTS" in drop.message and "which allows commercial use" in drop.message
    assert findings(card("license: mit", "# Speech\n\nWe compare with MMS TTS.\n")) == []
