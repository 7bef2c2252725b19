"""What a card's text shows about its license: searches that run on `Card.lowered`.

Words may be split by spaces, line breaks or Markdown marks; bounded gaps and a bounded number of
occurrences keep every search linear on hostile cards.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from govcard import licenses, lineage

LICENSE_FILES = (
    "LICENSE",
    "LICENSE.md",
    "LICENSE.txt",
    "LICENSE-MODEL",
    "license.txt",
    "license.md",
)
# These run on `Card.lowered`; words may be split by spaces, line breaks or Markdown marks, and
# the bounded gaps ({0,60}) keep them linear on long cards.
_REFERENCE = re.compile(
    r"use[\s*_/-]+(?:based[\s*_/-]+)?restrictions|usage[\s*_/-]+restrictions|attachment[\s*]+a\b"
    r"|restrictions[\s*]+(?:set[\s*]+out|listed|specified|contained)[\s*]+in"
    r"|restrictions[\s*]+(?:in|of)[\s*]+the[^.]{0,60}?licen[cs]e|subject[\s*]+to[\s*]+the[^.]{0,60}?restrictions"
    r"|comply[\s*]+with[\s*]+the[\s*]+restrictions"
)
_DENIAL = re.compile(r"\b(?:no|not|without|free of|never)[\s*]+(?:any[\s*]+|the[\s*]+)?$")
# Addresses (each read once, so the search stays linear), and Markdown links to a LICENSE file.
_ADDRESS = re.compile(r"https?://[^\s)\]>\"']{1,300}")
# The file's name may say whose license it is: "QWEN_RESEARCH_LICENSE.txt", "LICENSE-MIT".
_LICENSE_FILE_LINK = re.compile(
    r"\]\((?:\./)?(?:[\w.-]+/){0,3}(?:[\w-]{0,30}[_-])?licen[cs]e[\w.-]{0,20}\)"
    # or the file named as code: "`LICENSE` contains the complete terms", but not a metadata key
    # ("`license_name`")
    r"|`(?:\./)?(?:[\w-]{0,30}[_-])?licen[cs]e(?:[-.][\w.-]{1,20})?`"
)
# Up to a license's name within a sentence: a full stop ends it, but not the one in a version
# ("under the [Apache-2.0 license](LICENSE)").
_NAME_BEFORE = r"(?:[^.\n]|\.(?=\d)){0,40}?licen[cs]e"
_LICENSE_STATEMENT = re.compile(
    r"licen[cs]ed[\s*]+(?:under|according[\s*]+to)|released[\s*]+under|distributed[\s*]+under"
    r"|available[\s*]+under"
    rf"|under[\s*]+(?:the|a|an)[\s*]+{_NAME_BEFORE}|^#{{1,6}}[\s*]+licen[cs]e"
    # "License: ...", and a labelled field "**License for base weights**: ..."
    r"|licen[cs]e(?:[ \t]+(?:for|of)[ \t]+[\w -]{1,30}?)?[\s*]*:[\s*]*\[?\w"
    # "governed by the ... License", "governed by [META LLAMA 3 COMMUNITY LICENSE](LICENSE)"
    rf"|governed[\s*]+by[\s*]+(?:(?:the|a|an)[\s*]+|\[){_NAME_BEFORE}|^\*\*licen[cs]e\*\*[ \t]+\w"
    rf"|compl(?:y|ies|iance)[\s*]+with[\s*]+(?:the|a|an|its)[\s*]+{_NAME_BEFORE}",
    re.MULTILINE,
)
# Licenses without use restrictions, as cards name them in prose: one pattern per name, each
# starting with a literal, so that each search runs at the speed of a plain find.
_OTHER_LICENSES = tuple(
    re.compile(pattern)
    for pattern in (
        r"apache[\s-]+(?:licen[cs]e[\s,]+)?(?:version[\s]+|v)?2(?:\.0)?",
        r"mit(?<=\bmit)[\s-]+licen[cs]e",
        r"gpl(?:(?<=\bgpl)|(?<=\b[al]gpl))[\s-]*v?[23]",
        r"bsd(?<=\bbsd)[\s-]+[23]",
        r"cc(?<=\bcc)[\s-]+by(?:[\s-]+(?:nc|sa|nd))*[\s-]+[1-4]\.0",
        r"creative[\s]+commons",
    )
)


def other_license(lowered: str) -> re.Match[str] | None:
    """The first license without use restrictions a lowercase text names in prose."""
    found = [m for pattern in _OTHER_LICENSES if (m := pattern.search(lowered)) is not None]
    return min(found, key=lambda m: m.start()) if found else None


# How many occurrences of a word a search around words looks at: real cards have a few dozen;
# a hostile one with a million stays linear.
_MAX_OCCURRENCES = 256


def _line_start(text: str, position: int, reach: int = 90) -> int:
    """The start of the line that holds a position, looking back at most `reach` characters."""
    low = max(0, position - reach)
    newline = text.rfind("\n", low, position)
    return newline + 1 if newline >= 0 else low


def incorporates(lowered: str) -> bool:
    """Whether the card states that the license's use restrictions apply: a phrase such as "subject
    to the use restrictions", outside headings and not denied ("no use restrictions")."""
    # Every phrase has "restrictions" or "attachment a": only the text around those is searched.
    for word in ("restrictions", "attachment"):
        position = lowered.find(word)
        for _ in range(_MAX_OCCURRENCES):
            if position < 0:
                break
            for match in _REFERENCE.finditer(
                lowered, _line_start(lowered, position), position + 90
            ):
                line_start = _line_start(lowered, match.start())
                if lowered[line_start : match.start()].lstrip().startswith("#"):
                    continue
                if _DENIAL.search(lowered[max(line_start, match.start() - 30) : match.start()]):
                    continue
                return True
            position = lowered.find(word, position + 1)
    return False


_UNSTATED = re.compile(
    r"[\s*:#_-]*(?:licen[cs]e[\s*]*:[\s*]*)?(?:not\b|none\b|unknown|n/a|tbd|unspecified|to be)"
)


def license_statement(lowered: str, end: int) -> re.Match[str] | None:
    """Where the body states a license ("licensed under", "## License" and a line), unless it
    says there is none ("License: not stated")."""
    for match in _LICENSE_STATEMENT.finditer(lowered, 0, end):
        after = match.end()
        if match.group().startswith("#"):  # a heading: what its section says first
            after = lowered.find("\n", after)
            after = len(lowered) if after < 0 else after
        elif match.group()[-1].isalnum():
            after -= 1  # "license: n" ends in the value's first letter
        if not _UNSTATED.match(lowered, after, after + 60):
            return match
    return None


def heading_with(word: str, lowered: str, end: int | None = None) -> int | None:
    """Where the first Markdown heading that contains a word starts (before `end`), if there is
    one."""
    stop = len(lowered) if end is None else end
    # The word first, as a find, then whether its line is a heading; a text that names the word
    # on many lines (a quoted license) is searched for its headings instead.
    position = lowered.find(word, 0, stop)
    for _ in range(_MAX_OCCURRENCES):
        if position < 0:
            return None
        line_start = lowered.rfind("\n", 0, position) + 1
        if lowered.startswith("#", line_start):
            return line_start
        line_end = lowered.find("\n", position, stop)
        if line_end < 0:
            return None
        position = lowered.find(word, line_end, stop)
    match = _heading_pattern(word).search(lowered, line_end, stop)
    return None if match is None else match.start() + 1


@cache
def _heading_pattern(word: str) -> re.Pattern[str]:
    # A newline and "#" first, so that the search runs as a find of them; then the rest of the line.
    return re.compile(rf"\n#[^\n]*?{re.escape(word)}")


def links_a_license(lowered: str) -> bool:
    """Whether a lowercase card links a license text: an address that says license, terms or
    agreement, or a Markdown link to a LICENSE file in the repo ("[license](LICENSE.md)")."""
    for address in _ADDRESS.finditer(lowered):
        if any(word in address.group() for word in ("licen", "/terms", "agreement", "eula")):
            return True
    return _LICENSE_FILE_LINK.search(lowered) is not None


# A license file of a repo on the Hub ("huggingface.co/org/name/blob/main/LICENSE.txt").
_HUB_LICENSE_FILE = re.compile(
    r"(?:huggingface\.co|hf\.co)/[\w.-]+/[\w.-]+/(?:blob|resolve|raw)/[^/\s)]+/(?:[\w.-]+/){0,3}"
    r"[\w.-]{0,30}licen[cs]e[\w.-]{0,20}(?![\w/])"
)


def links_a_license_file(lowered: str) -> bool:
    """Whether a lowercase text links a license file of a repo rather than a license's page: a
    relative link ("[license](LICENSE.txt)") or a file of a repo on the Hub. Such a file may
    hold any license, the parent's agreement included."""
    return (
        _LICENSE_FILE_LINK.search(lowered) is not None
        or _HUB_LICENSE_FILE.search(lowered) is not None
    )


def linked_terms(lowered: str) -> list[str]:
    """The ids of the terms-catalog licenses whose addresses a short lowercase text holds
    ("[CC BY-NC-4.0](https://creativecommons.org/licenses/by-nc/4.0/)"), in catalog order."""
    searcher, ids = _term_links()
    held = {ids[index] for index, _, _ in searcher.find_matches_as_indexes(lowered, True)}
    return [i for i in dict.fromkeys(ids) if i in held]


@cache
def _term_links() -> tuple[Any, list[str]]:
    """An automaton of every address of the terms catalog (all of them in one pass: there are
    about 80), and the license id of each."""
    import ahocorasick_rs

    links = [(e.id, link) for e in licenses.terms_catalog().values() for link in e.links]
    return ahocorasick_rs.AhoCorasick([link for _, link in links]), [i for i, _ in links]


@cache
def _rail_names() -> re.Pattern[str]:
    """Any name or address of a specific RAIL license, longest first."""
    alternatives = [
        r"[\s_-]*".join(re.escape(word) for word in alias.split())
        for info in licenses.catalog().values()
        for alias in (*info.aliases, *info.links)
    ]
    return re.compile("|".join(sorted(alternatives, key=len, reverse=True)))


@cache
def _rail_by_name() -> dict[str, str]:
    return {
        re.sub(r"[\s_-]", "", alias): info.id
        for info in licenses.catalog().values()
        for alias in (*info.aliases, *info.links, info.id)
    }


def rail_named(text: str) -> tuple[licenses.LicenseInfo, int] | None:
    """The first specific RAIL license a lowercase text names or links, and where."""
    # Every name and address has "rail" or "licen" in it: only the text around those is searched,
    # unless there are so many that one search of the whole text is cheaper.
    positions: list[int] = []
    for word in ("rail", "licen"):
        position = text.find(word)
        while position >= 0 and len(positions) < _MAX_OCCURRENCES:
            positions.append(position)
            position = text.find(word, position + 1)
    best = None
    if len(positions) >= _MAX_OCCURRENCES:
        best = _rail_names().search(text)
    for position in sorted(positions) if best is None else ():
        best = _rail_names().search(text, max(0, position - 60), position + 60)
        if best is not None:
            break
    if best is None:
        return None
    info = licenses.rail(_rail_by_name()[re.sub(r"[\s_-]", "", best.group())])
    return (info, best.start()) if info is not None else None


@cache
def unrestricted_names() -> frozenset[str]:
    """License ids and license_names known to carry no RAIL use restrictions: the Hub's other
    ids, and the `other:` licenses of the base-model catalog."""
    others = {b.license.removeprefix("other:") for b in lineage.catalog().repos.values()}
    hub = set(licenses.hub_license_ids()) - licenses.rail_ids() - {"other"}
    return frozenset(hub | {o for o in others if o not in licenses.rail_ids()})


# A line that gives a license as a value ("License: apache-2.0", the Hub template's
# "- **License:** [More Information Needed]"): "license" first, so that the search is a find.
_LICENSE_VALUE = re.compile(r"licen[cs]e\**[ \t]*:[ \t]*\**[ \t]*([^\n]{1,160})")
_TOKEN = re.compile(r"[a-z0-9][a-z0-9.+-]*[a-z0-9+]|[a-z0-9]")


def bare_license(value: str) -> str | None:
    """The license a `License:` line gives by a bare name: "Apache" (the Apache License has had
    one version in use since 2004)."""
    words = " ".join(value.strip(" \t*_`.[]()").split())
    return "apache-2.0" if words in ("apache", "apache license", "apache licence") else None


def prose_license_id(match: re.Match[str]) -> str | None:
    """The Hub license id of a license `other_license` found in prose, when it says which."""
    words = re.sub(r"[\s_-]+", " ", match.group()).strip()
    if words.startswith("apache"):
        return "apache-2.0"
    if words.startswith("mit"):
        return "mit"
    if words.startswith("cc"):
        return "cc-" + "-".join(words.split()[1:])
    return None


def license_values(lowered: str, end: int) -> list[tuple[str, int]]:
    """The values of the body's `License:` lines (a line that starts, past list and emphasis
    marks, with "License:"), and where each starts."""
    found: list[tuple[str, int]] = []
    for count, match in enumerate(_LICENSE_VALUE.finditer(lowered, 0, end)):
        if count >= _MAX_OCCURRENCES:
            break
        line_start = lowered.rfind("\n", 0, match.start()) + 1
        if lowered[line_start : match.start()].strip(" \t-*>#") == "":
            found.append((match.group(1), match.start()))
    return found


def hub_ids_in(value: str, spelled_out: bool = False) -> list[str]:
    """The Hub license ids a short value names as words ("apache-2.0", "llama3.1", "gemma");
    `spelled_out`: only ids that cannot be a plain word of a text ("cc-by-nc-4.0", not "mit")."""
    known = licenses.hub_license_ids()
    return [
        token
        for token in _TOKEN.findall(value)
        if token in known
        and token != "other"
        and (not spelled_out or any(c.isdigit() or c == "-" for c in token))
    ]


@cache
def _names() -> tuple[tuple[tuple[str, re.Pattern[str]], ...], dict[str, str]]:
    """Every name of a license of the catalogs, as patterns grouped by a word the names of each
    group hold ("llama", "gemma", "apache"...), and each name's license id."""
    by_name: dict[str, str] = {}
    for entry in licenses.terms_catalog().values():
        for alias in entry.aliases:
            by_name[_key(alias)] = entry.id
    for info in licenses.catalog().values():
        if not info.family_only:
            for alias in info.aliases:
                by_name[_key(alias)] = info.id
    groups: dict[str, list[str]] = {}
    for name in by_name:
        word = next((w for w in name.split() if w not in _GENERIC), name.split()[0])
        groups.setdefault(word[:5], []).append(name)
    return tuple(
        (
            word,
            re.compile(
                "|".join(
                    r"[\s_-]*".join(re.escape(part) for part in name.split())
                    for name in sorted(names, key=len, reverse=True)
                )
            ),
        )
        for word, names in sorted(groups.items())
    ), by_name


# Words of license names that say nothing about which license it is.
_GENERIC = frozenset(
    [
        "the",
        "a",
        "license",
        "licence",
        "agreement",
        "community",
        "terms",
        "of",
        "use",
        "version",
        "international",
        "public",
        "meta",
        "google",
    ]
)


def _key(name: str) -> str:
    return " ".join(name.replace("-", " ").replace("_", " ").split())


def named(lowered: str) -> list[str]:
    """The ids of the catalog licenses a lowercase text names, in order, without repeats."""
    # Every name holds "licen" or "terms" (a test checks it): only the text around those is
    # searched, as `text.rail_named` does.
    groups, by_name = _names()
    hits: dict[int, str] = {}
    for word in ("licen", "terms"):
        position = lowered.find(word)
        for _ in range(64):
            if position < 0:
                break
            start = max(0, position - 90)
            window = lowered[start : position + 60]
            # Only the names that hold a word the window has are tried.
            for key, pattern in groups:
                if key in window:
                    for match in pattern.finditer(window):
                        license_id = by_name.get(_key(match.group()))
                        if license_id is not None:
                            hits.setdefault(start + match.start(), license_id)
            position = lowered.find(word, position + 1)
    found: list[str] = []
    for _, license_id in sorted(hits.items()):
        if license_id not in found:
            found.append(license_id)
    return found
