"""A license's terms as a block for a model card's "## License" section, or as JSON.

For fine-tuners without a project.yaml (`govcard license show ID`): the block names the license
with a link to its text, lists what it asks of whoever shares the model or a derivative, each duty
with the section of the license that states it, and, for a RAIL license, its use restrictions in
the words the rendered model cards use (the `restrictions` macro of `_macros.md.j2`). The block
starts with `<!-- govcard license show ID -->`, so `govcard check --fix` can find a block it wrote
and write it again with `markdown()`.

Both catalogs are read: the RAIL licenses (`licenses.catalog()`) and the license families beyond
RAIL (`licenses.terms_catalog()`). The output depends on the catalog alone: the same license gives
the same bytes on every run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from govcard import licenses
from govcard.licenses import OBLIGATION_TEXT, LicenseInfo, Terms
from govcard.markdown import code, escape, link

Entry = LicenseInfo | Terms
"""A license of either catalog."""


def entries() -> dict[str, Entry]:
    """Every license govcard knows, by id: the RAIL catalog, then the terms catalog."""
    return {**licenses.catalog(), **licenses.terms_catalog()}


def family(entry: Entry) -> str:
    """`rail` for the RAIL catalog, else the terms catalog's family (llama, gemma, qwen, ...)."""
    return "rail" if isinstance(entry, LicenseInfo) else entry.family


def _squash(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def lookup(text: str) -> Entry | None:
    """The license `text` names: an id of either catalog, or one of its aliases (how cards name
    it, `license_name` slugs), in any case; then the same ignoring punctuation and spaces, when
    that names one license only. None when govcard does not know it."""
    known = entries()
    wanted = text.strip().lower()
    if wanted in known:
        return known[wanted]
    by_id = {license_id.lower(): entry for license_id, entry in known.items()}
    if wanted in by_id:
        return by_id[wanted]
    named = {entry.id for entry in known.values() if wanted in entry.aliases}
    if len(named) == 1:
        return known[named.pop()]
    squashed = _squash(wanted)
    if not squashed:
        return None
    loose = {
        entry.id
        for entry in known.values()
        for name in (entry.id, *entry.aliases)
        if _squash(name) == squashed
    }
    return known[loose.pop()] if len(loose) == 1 else None


def suggestion(text: str) -> str | None:
    """The id closest to a `text` that names no license, for a "did you mean" hint."""
    import difflib

    if len(text) > 60:
        return None
    close = difflib.get_close_matches(text.strip().lower(), list(entries()), n=1)
    return close[0] if close else None


# --- the terms, once for JSON and Markdown -----------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One term as the block lists it: its JSON object and its Markdown bullet (None when
    another bullet already says it, e.g. an attribution clause that is the notice's)."""

    data: dict[str, Any]
    bullet: str | None = None


def _where(section: str | None) -> str:
    """` (§1.b.i)`; a section that is not a number ("paragraph 2", "Attachment A") goes without §."""
    if not section:
        return ""
    mark = "§" if re.match(r"\d|[IVX]+\.", section) else ""
    return f" ({mark}{escape(section)})"


def _term(
    term_id: str, label: str, text: str, term: Any, markdown_text: str | None = None
) -> _Item:
    """An obligation of the terms catalog: govcard's sentence, the section, the license's words."""
    data = {
        "id": term_id,
        "kind": "obligation",
        "title": label,
        "text": text,
        "section": term.section,
        "quote": term.quote,
    }
    body = markdown_text if markdown_text is not None else escape(text)
    bullet = f"- **{escape(label)}.** {body}{_where(term.section)}"
    return _Item(data, bullet)


def _quoted(phrases: tuple[str, ...]) -> str:
    return " or ".join(f"“{phrase}”" for phrase in phrases)


_ATTRIBUTION = {
    "apache-2.0": "Keep the original's copyright, patent, trademark and attribution notices, and "
    "pass on the attribution notices of its NOTICE file if it has one.",
    "mit": "Include the original copyright notice and permission notice in all copies or "
    "substantial portions.",
}


def _terms_items(entry: Terms) -> list[_Item]:
    """The sharing duties of a license of the terms catalog, in the order a fine-tuner meets them."""
    cc = entry.id.startswith("cc-")
    items: list[_Item] = []
    if entry.copy_of_license:
        if cc:
            text = "Say that the model is licensed under this license, and include its text or a link to it."
            items.append(_term("copy_of_license", "Name the license", text, entry.copy_of_license))
        else:
            text = "Give everyone you share the model or a derivative with a copy of this license."
            items.append(
                _term("copy_of_license", "Copy of the license", text, entry.copy_of_license)
            )
    notice = entry.notice
    if notice:
        shipped = "shipped with every copy"
        where = f"in a “{notice.file}” text file {shipped}" if notice.file else shipped
        text = f"Keep this notice, word for word, {where}: {notice.text}"
        markdown_text = f"Keep this notice, word for word, {escape(where)}: {code(notice.text)}"
        item = _term("notice", "Attribution notice", text, notice, markdown_text)
        item.data.update(notice=notice.text, file=notice.file)
        items.append(item)
    if entry.attribution:
        said = notice is not None and (notice.section, notice.quote) == (
            entry.attribution.section,
            entry.attribution.quote,
        )
        if said:
            text = "Keep the attribution notice above with every copy."
        elif cc:
            text = "Credit the creators of the original model, and anyone they designate, in the reasonable manner they ask."
        else:
            text = _ATTRIBUTION.get(entry.id, f"As the license asks: “{entry.attribution.quote}”")
        item = _term("attribution", "Attribution", text, entry.attribution)
        items.append(replace(item, bullet=None) if said else item)
    if entry.display:
        phrases = _quoted(entry.display.phrases)
        text = f"Prominently display {phrases} with the model, for example in this card."
        item = _term("display", "Credit line", text, entry.display)
        item.data["phrases"] = list(entry.display.phrases)
        items.append(item)
    if entry.name_prefix:
        prefix = entry.name_prefix.prefix
        text = f"Start the name of this model, and of any model trained or improved with it, with “{prefix}”."
        item = _term("name_prefix", "Model name", text, entry.name_prefix)
        item.data["prefix"] = prefix
        items.append(item)
    if entry.change_notices:
        if cc:
            text = (
                "Say that you modified the model, and keep any indication of earlier modifications."
            )
        else:
            text = "Mark modified files with prominent notices that you changed them."
        items.append(_term("change_notices", "Changes", text, entry.change_notices))
    if entry.noncommercial:
        text = (
            "The model and its derivatives may be used and shared for non-commercial purposes only."
        )
        items.append(_term("noncommercial", "Non-commercial use only", text, entry.noncommercial))
    if entry.share_alike:
        text = "License a derivative you share under the same license elements: this license, a later version, or a compatible license."
        items.append(_term("share_alike", "Share-alike", text, entry.share_alike))
    if entry.no_derivatives:
        text = "This license does not let you share a derivative (an adapted or fine-tuned model); share unmodified copies only."
        items.append(_term("no_derivatives", "No derivatives", text, entry.no_derivatives))
    if entry.flow_down:
        items.append(_flow_down(entry))
    if entry.use_policy:
        policy = entry.use_policy
        rest = "is part of the license: the model and its derivatives must not be used in the ways it forbids."
        text = f"The {policy.name} ({policy.url}) {rest}"
        markdown_text = f"The {link(policy.name, policy.url)} {rest}"
        item = _term("use_policy", "Use policy", text, policy, markdown_text)
        item.data["policy"] = {"name": policy.name, "url": policy.url, "source": policy.source}
        items.append(item)
    return items


def _flow_down(entry: Terms) -> _Item:
    """What the license asks of the terms a derivative is shared under (its `derivatives` rule)."""
    assert entry.flow_down is not None
    label = "Terms of a derivative"
    if entry.derivatives == "not-more-permissive":
        keep = [
            *(["no commercial use"] if entry.noncommercial else []),
            *(["the use policy still applies"] if entry.use_policy else []),
        ]
        text = "Share a derivative only under terms that grant no more than this license does"
        text += f": {'; '.join(keep)}." if keep else "."
    elif entry.derivatives == "same-terms":
        text = "Carry this license's use restrictions into the terms of any derivative you share, as an enforceable provision."
    else:
        text = "Share a derivative only under terms that comply with this license."
    item = _term("flow_down", label, text, entry.flow_down)
    said = entry.share_alike is not None and (
        entry.share_alike.section,
        entry.share_alike.quote,
    ) == (entry.flow_down.section, entry.flow_down.quote)
    return replace(item, bullet=None) if said else item


def _other_items(entry: Terms) -> list[_Item]:
    """Terms beyond the sharing duties: a scale limit and the catalog's other terms, quoted."""
    items: list[_Item] = []
    if entry.scale_limit:
        term = entry.scale_limit
        data = {
            "id": "scale_limit",
            "kind": "other",
            "title": "Scale limit",
            "section": term.section,
            "quote": term.quote,
        }
        bullet = f"- **Scale limit.** “{escape(term.quote)}”{_where(term.section)}"
        items.append(_Item(data, bullet))
    for other in entry.other_terms:
        data = {
            "id": other.id,
            "kind": "other",
            "title": other.title,
            "section": other.section,
            "quote": other.quote,
        }
        title = other.title if other.title.endswith((".", "?", "!")) else f"{other.title}."
        bullet = f"- **{escape(title)}** “{escape(other.quote)}”{_where(other.section)}"
        items.append(_Item(data, bullet))
    return items


def _rail_items(info: LicenseInfo) -> list[_Item]:
    """A RAIL license's use restrictions, then the obligations it states (OBLIGATION_TEXT)."""
    items = [
        _Item(
            {
                "id": r.id,
                "kind": "restriction",
                "title": r.title,
                "topic": r.topic,
                "text": r.summary,
                "section": info.restrictions_section,
                "quote": None,
            }
        )
        for r in info.restrictions
    ]
    for name in info.obligations.stated():
        section = info.obligation_sections.get(name)
        data = {
            "id": name,
            "kind": "obligation",
            "text": OBLIGATION_TEXT[name],
            "section": section,
            "quote": None,
        }
        items.append(_Item(data, f"- {escape(OBLIGATION_TEXT[name])}{_where(section)}"))
    return items


def _items(entry: Entry) -> list[_Item]:
    if isinstance(entry, LicenseInfo):
        return _rail_items(entry)
    return [*_terms_items(entry), *_other_items(entry)]


# --- the outputs -------------------------------------------------------------------------------


def metadata(entry: Entry) -> dict[str, str]:
    """The model card metadata that names the license: its Hub id, or `license: other` with
    `license_name` and `license_link` for a license the Hub does not list."""
    hub_id = entry.id if isinstance(entry, LicenseInfo) else entry.hub_id
    if hub_id != "other":
        return {"license": hub_id}
    return {"license": "other", "license_name": entry.id, "license_link": entry.url}


def summary(entry: Entry) -> dict[str, Any]:
    """What `govcard license list --format json` says of a license."""
    return {
        "id": entry.id,
        "name": entry.name,
        "family": family(entry),
        "url": entry.url,
        "source": entry.source,
    }


def as_json(entry: Entry) -> dict[str, Any]:
    """A license's terms for tools: every term with its section and, for the terms catalog, the
    license's own words (`quote`); `text` is the sentence the Markdown block says."""
    document: dict[str, Any] = {
        "id": entry.id,
        "name": entry.name,
        "family": family(entry),
        "version": entry.version,
        "date": entry.date.isoformat() if isinstance(entry, LicenseInfo) else entry.date,
        "url": entry.url,
        "source": entry.source,
        "metadata": metadata(entry),
        "derivatives": None if isinstance(entry, LicenseInfo) else entry.derivatives,
        "terms": [item.data for item in _items(entry)],
    }
    return document


def markdown(entry: Entry) -> str:
    """The "## License" block of a model card, ending with a newline."""
    items = _items(entry)
    named = f"This model is licensed under the {link(entry.name, entry.url)} ({code(entry.id)})"
    if isinstance(entry, Terms) and entry.family == "permissive":
        named += ", which places no use restrictions on the model or its derivatives"
    lines = [
        f"<!-- govcard license show {entry.id} -->",
        "## License",
        "",
        f"{named}. Below is govcard's summary of its terms, each with the section of the license "
        "that states it; the license text governs.",
    ]
    if isinstance(entry, LicenseInfo):
        lines += ["", "### Use restrictions", "", _rail_restrictions(entry).strip("\n")]
    obligations = [i.bullet for i in items if i.data["kind"] == "obligation" and i.bullet]
    if obligations:
        lines += ["", "### Obligations when you share this model or a derivative", "", *obligations]
    others = [i.bullet for i in items if i.data["kind"] == "other" and i.bullet]
    if others:
        lines += ["", "### Other terms", "", *others]
    return "\n".join(lines) + "\n"


def _rail_restrictions(info: LicenseInfo) -> str:
    """The use restrictions as the model cards render them: the `restrictions` macro of the
    default templates, with "this model" as its subject."""
    from govcard import render
    from govcard.derive import LicenseView

    template = render.environment().from_string(
        '{% import "_macros.md.j2" as m %}{{ m.restrictions(license, "this model") }}'
    )
    return template.render(license=LicenseView(info.id, info.name, info.url, info))
