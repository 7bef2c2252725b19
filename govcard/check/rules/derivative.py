"""Derivatives: a model made from another (fine-tune, adapter, quantization, merge) keeps its
parent's license terms and documentation."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from govcard import licenses
from govcard.check import text
from govcard.check.context import OwnLicense, shown, specific_rail
from govcard.check.model import Rule

if TYPE_CHECKING:
    from govcard.cards import Card
    from govcard.check.context import Context
    from govcard.lineage import Parent

RULES = (
    Rule(
        "derivative-detected",
        "info",
        "The card describes a derivative of a model with license terms",
        "A derivative inherits its parent license's terms: a RAIL license's use restrictions and documentation duties, or the Llama, Gemma, Qwen or non-commercial terms.",
        "Nothing to fix; set base_model in the metadata if it is missing.",
    ),
    Rule(
        "derivative-license-drops-restrictions",
        "error",
        "A derivative's license drops the parent's restrictions",
        "A fine-tune, adapter, quantization, merge or distillation must be shared under terms that keep its parent's: a RAIL license's use restrictions, Gemma's prohibited uses (§3.1), non-commercial and share-alike terms; a Llama or Qwen derivative may not claim terms more permissive than the agreement every recipient is bound by. The terms are data with the license sections they come from (govcard license show ID).",
        "License the model under the parent's license (or one with all its restrictions).",
    ),
    Rule(
        "derivative-license-unverified",
        "warning",
        "A derivative's license cannot be compared with its parent's",
        "The card's license is one govcard does not know, so it cannot tell whether the parent's restrictions are kept.",
        "Use the parent's Hub license id, or list the parent's use restrictions in the card.",
    ),
    Rule(
        "derivative-modifications-undescribed",
        "warning",
        "A derivative does not say how it was changed",
        "RAIL licenses ask for documentation of modifications (training data, method, quantization, merge).",
        "Say how the model was made from its parent (fine-tuning data and method, quantization, merge).",
    ),
    Rule(
        "derivative-sections-dropped",
        "warning",
        "A derivative drops sections of its parent's card",
        "The parent's documentation should be kept, in the same or better quality.",
        "Add each missing section of the parent's card, with content.",
    ),
)

# How a derivative was made, said anywhere in its card ("fine-tuned with DreamBooth for 15,000
# steps", "4-bit GPTQ quantization", "a merge of").
_MODIFICATION = (
    "fine-tun",
    "fine tun",
    "finetun",
    "train",
    "quantiz",
    "quantis",
    "merg",
    "distill",
    "dreambooth",
    " lora",
    "lora ",
    "adapter",
    "gguf",
    "gptq",
    "awq",
    "convert",
    "pruned",
    "epoch",
    "steps",
    "learning rate",
    "learning_rate",
)


def check(ctx: Context) -> None:
    """The derivative rules, for a card with a RAIL parent (or held to a license by --license)."""
    parents = ctx.rail_parents
    for p in parents:
        # A base the metadata or --base-card names needs no note; one inferred from the text does.
        if p.how.startswith("the card's text"):
            ctx.add(
                "derivative-detected",
                p.line,
                f"{p.relation} of {p.shown}, licensed {p.license}; found in {p.how}",
            )
    if parents and not ctx.own.settled:
        ctx.own = _derivative_license(ctx, ctx.own, parents)
    for index, (parent, entry) in enumerate(ctx.term_parents):
        if index == 0 and parent.how.startswith("the card's text"):
            ctx.add(
                "derivative-detected",
                parent.line,
                f"{parent.relation} of {parent.shown}, licensed {parent.license}; found in {parent.how}",
            )
        if not ctx.own.settled:
            ctx.own = _keeps_terms(ctx, ctx.own, parent, entry)
    if parents and ctx.options.license is None:
        _modifications(ctx, parents[0])
        if ctx.options.base_card is not None:
            _sections(ctx, ctx.options.base_card)


def unverified(ctx: Context, parents: list[Parent]) -> bool:
    parent = parents[0]
    ctx.add(
        "derivative-license-unverified",
        ctx.card.key_line("license"),
        f"{parent.relation} of {parent.shown} ({parent.license}, found in {parent.how}); "
        "govcard cannot tell whether the card's license keeps the parent's use restrictions",
    )
    return True


def _derivative_license(ctx: Context, own: OwnLicense, parents: list[Parent]) -> OwnLicense:
    """Whether the card's license keeps every parent's restrictions: one finding if not."""
    line = ctx.card.key_line("license")
    for parent in parents:
        parent_info = specific_rail(parent.license)
        assert parent_info is not None
        if own.rail is None and not own.unrestricted:
            unverified(ctx, [parent])
            return own._replace(settled=True)
        dropped = [
            r
            for r in parent_info.restrictions
            if own.rail is None or r.topic not in own.rail.topics
        ]
        if not dropped:
            continue
        if own.rail is None:
            what = f"which has no use restrictions: all {len(dropped)} of the parent's are dropped"
        else:
            what = f"the {own.rail.name}, which drops " + ", ".join(
                f"({r.id}) {r.title}" for r in dropped
            )
        if parent.how == "--license":
            message = (
                f"held to {parent_info.id} by --license, the card is licensed {own.shown}, {what}"
            )
            fix = f"License the model under {parent_info.id}."
        else:
            message = (
                f"{parent.relation} of {parent.shown} ({parent_info.id}, found in {parent.how}) "
                f"is licensed {own.shown}, {what}"
            )
            fix = f"License the model under {parent_info.id}, as the parent's license requires."
        ctx.add("derivative-license-drops-restrictions", line, message, fix)
        return own._replace(settled=True)
    return own


def _modifications(ctx: Context, parent: Parent) -> None:
    lowered, end = ctx.card.lowered, len(ctx.card.body)
    if not any(lowered.find(cue, 0, end) >= 0 for cue in _MODIFICATION):
        ctx.add(
            "derivative-modifications-undescribed",
            ctx.card.body_start,
            f"{parent.relation} of {parent.shown} that does not say how it was made "
            "(training, fine-tuning, quantization, merging)",
        )


def _has_content(ctx: Context, heading: Any) -> bool:
    headings = ctx.card.headings
    index = headings.index(heading)
    end = next((h.line for h in headings[index + 1 :] if h.level <= heading.level), None)
    start = heading.line - ctx.card.body_start + 1
    stop = (end - ctx.card.body_start) if end else len(ctx.card.body_lines)
    return any(line.strip() for line in ctx.card.body_lines[start:stop])


def _sections(ctx: Context, base: Card) -> None:
    parent_sections = _top_sections(base)
    own = {_normalise(h.title): h for h in ctx.card.headings}
    missing = [
        h.title
        for h in parent_sections
        if _normalise(h.title) not in own or not _has_content(ctx, own[_normalise(h.title)])
    ]
    if missing:
        ctx.add(
            "derivative-sections-dropped",
            ctx.card.body_start,
            f"sections of the parent card ({base.path}) missing or empty here: {', '.join(missing)}",
        )


def _top_sections(card: Card) -> list[Any]:
    headings = [
        h for h in card.headings if _normalise(h.title) not in {"tableofcontents", "contents"}
    ]
    if headings and headings[0].level == 1 and sum(h.level == 1 for h in headings) == 1:
        headings = headings[1:]
    if not headings:
        return []
    top = min(h.level for h in headings)
    return [h for h in headings if h.level <= max(top, 2)]


def _normalise(title: str) -> str:
    return re.sub(r"[^a-z0-9]", "", title.lower())


# --- the license families beyond RAIL -------------------------------------------------------

# Hub ids that grant less than a permissive license but have no entry of their own.
_NOT_PERMISSIVE = frozenset(
    {"other", "openrail", "cc", "deepfloyd-if-license", "intel-research", "apple-amlr", "c-uda"}
)


class _Grants(NamedTuple):
    """What a derivative's own license grants, as far as the catalogs tell."""

    known: bool
    family: str | None
    noncommercial: bool
    permissive: bool
    """No use restrictions and commercial use allowed (apache-2.0, mit, cc-by-4.0, gpl...)."""


def _grants(own: OwnLicense) -> _Grants:
    if own.terms is not None:
        entry = own.terms
        return _Grants(
            True, entry.family, entry.noncommercial is not None, entry.family == "permissive"
        )
    if own.rail is not None:
        return _Grants(True, "openrail", False, False)
    shown = own.shown or ""
    if own.unrestricted and shown in licenses.hub_license_ids():
        noncommercial = "-nc" in shown
        if noncommercial:
            return _Grants(True, "cc-nc" if shown.startswith("cc-") else None, True, False)
        if shown not in _NOT_PERMISSIVE:
            return _Grants(True, "permissive", False, True)
    return _Grants(False, None, False, False)


def _more(entry: licenses.Terms) -> str:
    """What a permissive license grants that a restricted one does not."""
    more = []
    if entry.use_policy is not None:
        more.append(f"use outside the {entry.use_policy.name} (§{entry.use_policy.section})")
    if entry.scale_limit is not None:
        more.append(f"use at any scale (§{entry.scale_limit.section})")
    withheld = [t for t in entry.other_terms if t.binds is not None][:1]
    if withheld:
        more.append(", ".join(t.title[0].lower() + t.title[1:] for t in withheld))
    return "; ".join(more) or "terms without the parent's conditions"


def _research_only(entry: licenses.Terms) -> licenses.OtherTerm | None:
    return next((t for t in entry.other_terms if t.id == "research-only"), None)


def _lacks(ctx: Context, own: OwnLicense, entry: licenses.Terms) -> str | None:
    """What an older license of the parent's family lacks of the parent's: a term that
    withholds a grant from every model under the parent's license (a Llama 3.1 tag on a Llama 4
    model drops Llama 4's EU clause). A newer agreement is the licensor's current terms, which
    readers take a derivative to keep (a Llama 3.x merge under llama3.3). A term that binds some
    models only (Llama 3.2's EU clause binds its multimodal ones) is not asked for: govcard cannot
    tell which the parent is."""
    if own.terms is None or not own.terms.date or not entry.date or own.terms.date >= entry.date:
        return None
    kept = {t.id for t in own.terms.other_terms}
    term = next((t for t in entry.other_terms if t.binds == "all" and t.id not in kept), None)
    if term is None or names_the_parents_terms(ctx, entry):
        return None
    return f'an agreement without the {entry.name}\'s "{term.title}" ({term.section})'


def _dropped(ctx: Context, own: OwnLicense, parent: Parent, entry: licenses.Terms) -> str | None:
    """What the card's license drops of a restricted parent license's terms: None if nothing,
    "" if the catalogs cannot tell."""
    if own.shown == entry.id or (own.terms is not None and own.terms.id == entry.id):
        return None
    grants = _grants(own)
    if entry.no_derivatives is not None and parent.relation != "quantized version":
        return (
            f"but the {entry.name} allows no adapted material to be shared "
            f"(§{entry.no_derivatives.section})"
        )
    if entry.noncommercial is not None and grants.known and not grants.noncommercial:
        return (
            f"which allows commercial use; the {entry.name} is non-commercial "
            f"(§{entry.noncommercial.section})"
        )
    if entry.share_alike is not None and own.terms is not None and own.terms.share_alike is None:
        return f"which drops share-alike: adaptations keep the same license elements (§{entry.share_alike.section})"
    if grants.family == entry.family:
        return _lacks(ctx, own, entry)
    if entry.derivatives == "same-terms":
        if not grants.known:
            return ""
        if entry.share_alike is not None:
            return f"which drops share-alike: adaptations keep the same license elements (§{entry.share_alike.section})"
        section = f" (§{entry.flow_down.section})" if entry.flow_down else ""
        return f"which drops the use restrictions the {entry.name} requires in any license a derivative is shared under{section}"
    if entry.derivatives == "not-more-permissive":
        if grants.permissive:
            return f"which grants what the {entry.name} does not: {_more(entry)}"
        if (
            grants.noncommercial
            and entry.use_policy is not None
            and grants.family != "openrail"
            and not names_the_parents_terms(ctx, entry)
        ):
            # Narrower on commerce, but it grants every non-commercial use, the ones the
            # parent's use policy forbids included: a CC BY-NC license drops Llama's policy as
            # it drops a RAIL license's use restrictions. A parent license with a
            # non-commercial license of its own (Stability AI's, §II) is mirrored by it, as its
            # readers took it (corpus 070): whether the policy is kept, govcard cannot tell.
            if any(t.id == "noncommercial-tier" for t in entry.other_terms):
                return ""
            return (
                f"which drops the {entry.use_policy.name} (§{entry.use_policy.section}): "
                "it grants every non-commercial use"
            )
        research = _research_only(entry)
        if (
            grants.noncommercial
            and research is not None
            and (own.terms is None or _research_only(own.terms) is None)
            and not names_the_parents_terms(ctx, entry)
        ):
            # A license for research and evaluation only: CC BY-NC grants every other
            # non-commercial use as well.
            return (
                f"which grants every non-commercial use; the {entry.name} allows research "
                f"and evaluation only (§{research.section})"
            )
        if grants.noncommercial:
            return None  # narrower than the parent's: commercial use is not granted
        return ""
    return None


def _keeps_terms(
    ctx: Context, own: OwnLicense, parent: Parent, entry: licenses.Terms
) -> OwnLicense:
    """Whether the card's license keeps a restricted parent license's terms: one finding if not."""
    if own.shown is None:
        # No license in the metadata: the license the text states is the card's.
        return _stated_keeps_terms(ctx, own, parent, entry)
    dropped = _dropped(ctx, own, parent, entry)
    if dropped is None:
        return _stated_keeps_terms(ctx, own, parent, entry)
    if dropped == "":
        if own.rail is None and own.terms is None and not own.unrestricted and own.shown != "other":
            return own  # license-unknown already says the license is not one the Hub knows
        if (
            own.shown == "other"
            and own.terms is None
            and entry.copy_of_license is not None
            and all(p.license is not None for p in ctx.parents)
            and not names_the_parents_terms(ctx, entry)
        ):
            if ctx.license_file:
                # A license of its own whose text is a file of a repo ("the [Nexusflow community
                # license](.../LICENSE.txt)"): it may be the parent's agreement with terms
                # added, which govcard cannot read. What the text states is still compared.
                stated = _stated_keeps_terms(ctx, own, parent, entry)
                if stated.settled:
                    return stated
            else:
                # A license of its own that never names the parent's, and no text of it: the
                # copy of the parent's license that a derivative must be shared with is not
                # there. (With another parent govcard does not know, the license may be that
                # parent's: it cannot tell.)
                dropped = (
                    f"and never names the {entry.name}, which a derivative must be shared "
                    f"with (§{entry.copy_of_license.section})"
                )
    if dropped == "":
        ctx.add(
            "derivative-license-unverified",
            ctx.card.key_line("license"),
            f"{parent.relation} of {parent.shown} ({entry.name}, found in {parent.how}); "
            "govcard cannot tell whether the card's license keeps the parent's terms",
            f"Use the parent's license ({entry.id}) or say in the card how its terms are kept.",
        )
        return own._replace(settled=True)
    where = f"license: {entry.hub_id}" + (
        f", license_name: {entry.id}, license_link: {entry.url}" if entry.hub_id == "other" else ""
    )
    licensed = own.shown
    name = ctx.metadata.get("license_name")
    if own.shown == "other" and isinstance(name, str) and name:
        licensed = f"other ({shown(name)})"
    if parent.how == "--license":
        message = f"held to {entry.id} by --license, the card is licensed {licensed}, {dropped}"
    else:
        message = (
            f"{parent.relation} of {parent.shown} ({entry.name}, found in {parent.how}) "
            f"is licensed {licensed}, {dropped}"
        )
    ctx.add(
        "derivative-license-drops-restrictions",
        ctx.card.key_line("license"),
        message,
        f"License the model under the parent's license ({where}), as it requires.",
    )
    return own._replace(settled=True)


def names_the_parents_terms(ctx: Context, entry: licenses.Terms) -> bool:
    """Whether the card says that the parent's license applies as well: a line about a license
    that names it ("License for the base weights: Llama 2"), its use policy, or a statement that
    use is subject to the parent's restrictions."""
    pattern = _parent_name(entry.name)
    if any(pattern.search(line.lower()) for _, line in ctx.card.lines_with("licen")):
        return True
    lowered = ctx.card.lowered
    if entry.use_policy is not None and entry.use_policy.name.lower() in lowered:
        return True
    return text.incorporates(lowered)


@lru_cache(maxsize=64)
def _parent_name(license_name: str) -> re.Pattern[str]:
    """The model a license is named after, as cards write it: "Llama 2" for the Llama 2
    Community License Agreement, also "llama-2" or "Llama2" (a repo id), but not "Llama 2.5"
    or "Llama 23"."""
    name = re.split(r" (?:community|licen[cs]e|terms|research)\b", license_name.lower())[0]
    words = name.removeprefix("meta ").split()
    version = r"(?!\.?\d)" if words[-1][-1].isdigit() else ""
    return re.compile(r"[\s_-]*".join(re.escape(word) for word in words) + version)


def _stated_keeps_terms(
    ctx: Context, own: OwnLicense, parent: Parent, entry: licenses.Terms
) -> OwnLicense:
    """Whether the licenses the body states (a License section, a `License:` line) keep the
    parent's terms too: a card that says apache-2.0 in its text grants it, whatever its
    metadata says."""
    own_id = own.terms.id if own.terms is not None else own.shown
    for license_id, line, where in ctx.stated_licenses:
        if license_id == own_id:
            continue
        stated = OwnLicense(
            license_id,
            specific_rail(license_id),
            license_id in text.unrestricted_names(),
            False,
            licenses.terms(license_id),
        )
        dropped = _dropped(ctx, stated, parent, entry)
        if dropped:
            metadata = (
                "has no license in its metadata, and"
                if own.shown is None
                else f"is licensed {own.shown} in its metadata, but"
            )
            ctx.add(
                "derivative-license-drops-restrictions",
                line,
                f"{parent.relation} of {parent.shown} ({entry.name}, found in {parent.how}) "
                f"{metadata} {where} says {license_id}, {dropped}",
                f"Say in the text the license the metadata gives ({entry.id}), and no other."
                if own.shown is not None
                else f"License the model under the parent's license ({entry.id}), as it requires.",
            )
            return own._replace(settled=True)
    return own
