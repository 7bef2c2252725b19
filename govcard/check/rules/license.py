"""The card's own license: is there one, is it a Hub license id, does `other` or `openrail` say which.

Sets `ctx.own`, which the later families read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from govcard import licenses
from govcard.check import text
from govcard.check.context import OwnLicense, shown, specific_rail
from govcard.check.model import Rule
from govcard.check.rules.derivative import names_the_parents_terms, unverified

if TYPE_CHECKING:
    from govcard.check.context import Context
    from govcard.lineage import Parent

RULES = (
    Rule(
        "front-matter-missing",
        "warning",
        "No YAML front matter at the top",
        "The Hub reads the license and other metadata only from the YAML block at the top of README.md; the card names its license only in the text.",
        "Start the card with a --- line, the metadata (at least `license:`), and another --- line.",
    ),
    Rule(
        "license-missing",
        "error",
        "No license at all",
        "Neither the metadata nor the text names a license, so nobody can tell under which terms the model may be used, and a RAIL parent's restrictions cannot flow down.",
        "Add `license:` with a Hub license id, e.g. bigcode-openrail-m (for a derivative, the parent's license).",
    ),
    Rule(
        "derivative-license-unnamed",
        "error",
        "A derivative that only refers to a license, naming none",
        'With no `license:` and a text that says only "refer to the original model\'s license" or "inherits the base model\'s license", readers must find the parent and its terms themselves; a derivative of a restricted model must carry its parent\'s terms, and its card must say which they are.',
        "Add `license:` with the parent's license id (and license_name and license_link for `other`).",
    ),
    Rule(
        "license-metadata-missing",
        "warning",
        "The license is named in the text but not in the metadata",
        "The Hub shows, filters and links the license from `license:` in the metadata only.",
        "Add `license:` with the Hub license id of the license the text names.",
    ),
    Rule(
        "license-unknown",
        "warning",
        "The license is not a Hub license id",
        "The Hub only recognises its own license ids; anything else is shown as unknown.",
        "Use a Hub license id, or `license: other` with license_name and license_link.",
    ),
    Rule(
        "license-other-unidentified",
        "error",
        "`license: other` and nothing says which license",
        "With `license: other`, only license_link or a link in the card tells readers the terms; without one, nobody can act on the card.",
        "Add `license_name:` (a slug) and `license_link:` (the license text, e.g. LICENSE.md in the repo).",
    ),
    Rule(
        "license-other-incomplete",
        "warning",
        "`license: other` without license_name or license_link",
        "The Hub requires license_name and license_link when the license is `other`; the card links its license only in the text.",
        "Add `license_name:` (a slug) and `license_link:` (the license text).",
    ),
    Rule(
        "openrail-variant-unknown",
        "error",
        "Only the `openrail` family tag, and no license named or linked",
        "The family tag does not say which of the OpenRAIL licenses applies, so nobody can tell which use restrictions bind users.",
        "Use the exact license id, e.g. bigcode-openrail-m or creativeml-openrail-m, or link the license text.",
    ),
    Rule(
        "openrail-family-tag",
        "info",
        "`license: openrail` where the card names or links the exact license",
        "The text says which OpenRAIL license applies, but the Hub shows only the family.",
        "Use the exact license id in the metadata, e.g. creativeml-openrail-m.",
    ),
    Rule(
        "derivative-license-prose-only",
        "error",
        "A derivative of a Llama, Gemma, Qwen or non-commercial model names its license in prose only",
        "Those licenses ask that a derivative be shared with a copy of the license or a link to it (Llama §1.b.i, Gemma §3.1, Qwen §3.a, CC BY-NC §3(a)(1)(C)); a card that names its license in prose, with no `license:`, license_link or link, gives recipients no way to read the terms they are bound by.",
        "Add `license:` with the parent's license id (and license_name and license_link for `other`), or link the license text in the card.",
    ),
    Rule(
        "rail-license-text-missing",
        "error",
        "A RAIL license named in prose only, with no id and no link",
        "A RAIL license binds recipients through its text: a card that names it without its Hub id, a license_link or a link gives them no way to read the use restrictions.",
        "Add `license:` with the Hub id (e.g. bigcode-openrail-m), or license_link, or link the license text in the card.",
    ),
)


def check(ctx: Context) -> None:
    """Settle the card's own license."""
    ctx.own = _license(ctx, ctx.metadata, ctx.rail_parents)


def _license(ctx: Context, metadata: dict[str, Any], parents: list[Parent]) -> OwnLicense:
    value = metadata.get("license")
    key = "license"
    if value is None:
        tags = metadata.get("tags")
        tagged = (
            [t for t in tags if isinstance(t, str) and t.startswith("license:")]
            if isinstance(tags, list)
            else []
        )
        if tagged:
            value, key = tagged[0].removeprefix("license:"), "tags"
    if value is None:
        return _no_license(ctx, parents)
    known = licenses.hub_license_ids()
    if isinstance(value, str) and value not in ("other", "openrail"):
        # The usual cases first, before the line is looked up for a finding.
        rail = specific_rail(value)
        if rail is not None:
            return OwnLicense(value, rail, False, False)
        if value in known:
            return OwnLicense(value, None, True, False, licenses.terms(value))
    line = ctx.card.key_line(key)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        ctx.add(
            "license-unknown",
            line,
            f"license must be one Hub license id, got a list: {shown(value)}",
        )
        rail = next((info for v in value if (info := specific_rail(v)) is not None), None)
        found = next((entry for v in value if (entry := licenses.terms(v)) is not None), None)
        return OwnLicense(
            ", ".join(value),
            rail,
            all(v in text.unrestricted_names() for v in value),
            False,
            found,
        )
    if not isinstance(value, str):
        ctx.add("license-unknown", line, f"license must be one Hub license id, got {shown(value)}")
        return OwnLicense(None, None, False, False)
    if value == "other":
        return _other(ctx, metadata, line)
    if value == "openrail":
        return _family_tag(ctx, metadata, line, parents)
    import difflib

    close = difflib.get_close_matches(value, list(known), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    ctx.add("license-unknown", line, f"{value!r} is not a Hub license id{hint}")
    named = text.rail_named(value.lower())
    return OwnLicense(value, named[0] if named else None, False, False)


def _no_license(ctx: Context, parents: list[Parent]) -> OwnLicense:
    card = ctx.card
    named = ctx.named_in_text()
    statement = text.license_statement(card.lowered, len(card.body))
    gate = None if named is not None or statement is not None else _gate_license(ctx)
    stated = named is not None or statement is not None or gate is not None
    parent = parents[0] if parents else None
    duty = (
        f"; as a {parent.relation} of {parent.shown} it must carry {parent.license}"
        if parent
        else ""
    )
    no_front = card.metadata is None
    if not stated:
        where = (
            "no front matter, and the text names no license"
            if no_front
            else "no license in the metadata or the text"
        )
        ctx.add("license-missing", card.front_start, where + duty)
        return OwnLicense(None, None, False, True)
    restricted = parent or next(
        (
            p
            for p, entry in ctx.term_parents
            if entry.derivatives != "any" and not names_the_parents_terms(ctx, entry)
        ),
        None,
    )
    if (
        restricted is not None
        and statement is not None
        and named is None
        and gate is None
        and not ctx.stated_licenses
        and not ctx.linked
    ):
        ctx.add(
            "derivative-license-unnamed",
            card.body_start + card.lowered.count("\n", 0, statement.start()),
            "the text refers to a license but names none, and the metadata has no `license:`; "
            f"as a {restricted.relation} of {restricted.shown} it must carry {restricted.license}",
        )
        return OwnLicense(None, None, False, True)
    if parent is not None and named is not None and not ctx.linked:
        info, line = named
        ctx.add(
            "rail-license-text-missing",
            line,
            f"the {info.name} is named in the text only, with no license id, license_link or link "
            f"to its text{duty}",
        )
        return OwnLicense(None, info, False, True)
    bound = next(((p, e) for p, e in ctx.term_parents if e.copy_of_license is not None), None)
    kept = [
        (license_id, line)
        for license_id, line, _ in ctx.stated_licenses
        if bound is not None
        and (terms := licenses.terms(license_id)) is not None
        and terms.family == bound[1].family
    ]
    if bound is not None and gate is None and kept and not ctx.linked:
        # "License: Meta Llama 3 Community License" as plain text: the parent's terms by name,
        # and nothing to read. (A license that drops them is the derivative family's finding.)
        (bound_parent, entry), (stated_id, line) = bound, kept[0]
        assert entry.copy_of_license is not None
        ctx.add(
            "derivative-license-prose-only",
            line,
            f"the text names {stated_id}, with no license id in the metadata, license_link or link "
            "to its text; "
            f"as a {bound_parent.relation} of {bound_parent.shown} it must be shared with the "
            f"{entry.name} or a link to it (§{entry.copy_of_license.section})",
        )
        return OwnLicense(None, None, False, True)
    rule = "front-matter-missing" if no_front else "license-metadata-missing"
    what = f"the {named[0].name}" if named else "a license"
    line = (
        named[1]
        if named
        else card.body_start + card.lowered.count("\n", 0, statement.start() if statement else 0)
    )
    message = f"the text names {what}, but the metadata has no `license:`"
    if gate is not None:
        line = card.key_line("extra_gated_prompt")
        message = f"extra_gated_prompt names the {gate}, but the metadata has no `license:`"
    misplaced = card.text.find("\nlicense:")
    if no_front and misplaced >= 0:
        line = card.text.count("\n", 0, misplaced) + 2
        message = (
            f"a `license:` line on line {line} is not in front matter at the top, where the "
            "Hub reads it"
        )
    ctx.add(rule, line, message)
    return OwnLicense(None, named[0] if named else None, False, False)


def _gate_license(ctx: Context) -> str | None:
    """The license the metadata's `extra_gated_prompt` names, the text a gated repo asks users
    to accept (Meta's Llama repos and their GGUF copies put the whole agreement there)."""
    card = ctx.card
    if "extra_gated_prompt" not in card.keys:
        return None
    named = text.named(card.lowered[len(card.body) + 1 :])
    if not named:
        return None
    entry = licenses.terms(named[0]) or licenses.rail(named[0])
    return entry.name if entry is not None else named[0]


def _other(ctx: Context, metadata: dict[str, Any], line: int) -> OwnLicense:
    name, link = metadata.get("license_name"), metadata.get("license_link")
    # license_name and license_link say which license; only without them does the text.
    named = (
        text.rail_named(f"{name or ''} {link or ''}".lower())
        if name or link
        else ctx.named_in_text()
    )
    rail = named[0] if named else None
    found = None if rail else licenses.terms_named(name, link)
    if found is None and rail is None and not name and not link:
        # Nor for the terms catalog: the License section or a License: line says which.
        found = next(
            (e for i, _, _ in ctx.stated_licenses if (e := licenses.terms(i)) is not None), None
        )
    unrestricted = isinstance(name, str) and name.lower() in text.unrestricted_names()
    if not ctx.linked:
        what = f"license_name {name!r} but" if name else "no license_name and"
        ctx.add(
            "license-other-unidentified",
            line,
            f"license: other with {what} no license_link, no link to a license text and no LICENSE file",
        )
        return OwnLicense("other", rail, unrestricted, True, found)
    missing = [k for k, v in (("license_name", name), ("license_link", link)) if not v]
    if missing:
        ctx.add(
            "license-other-incomplete",
            line,
            f"license: other without {' and '.join(missing)} (the card links its license in the text)",
        )
    return OwnLicense("other", rail, unrestricted, False, found)


def _family_tag(
    ctx: Context, metadata: dict[str, Any], line: int, parents: list[Parent]
) -> OwnLicense:
    named = text.rail_named(str(metadata.get("license_link") or "").lower()) or ctx.named_in_text()
    if named is not None:
        ctx.add(
            "openrail-family-tag",
            line,
            f"license: openrail is the family tag; the card names the {named[0].name}",
            f"Write `license: {named[0].id}`.",
        )
        return OwnLicense("openrail", named[0], False, False)
    other = text.other_license(ctx.card.lowered)
    if ctx.linked and other is None:
        ctx.add(
            "openrail-family-tag",
            line,
            "license: openrail is the family tag; the card links a license text but does not name the variant",
        )
        return OwnLicense("openrail", None, False, bool(parents) and unverified(ctx, parents))
    ctx.add(
        "openrail-variant-unknown",
        line,
        "license: openrail names the family, not the license, and the card neither names nor links the license"
        if other is None
        else f"license: openrail names the family, and the card names no OpenRAIL license but {other.group()!r}",
    )
    return OwnLicense("openrail", None, False, True)
