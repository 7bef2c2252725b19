"""Lineage: which model a card's model was made from, and under which license.

The parent comes from the metadata (`base_model`, a string or a list, and the Hub's `base_model:`
tags), from `--base-card`, or, when those name no model of the catalog, from the card's text: a
model of the catalog (`data/base-models.tsv`, with sources) named right next to a specific cue
("fine-tuned from StarCoderBase", "a LoRA for SDXL", "StarCoder fine-tuned on ..."). A name alone,
or a vague cue ("images based on text prompts", "same architecture as SDXL"), is no parent.
"""

from __future__ import annotations

import re
import string
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from govcard import licenses

if TYPE_CHECKING:
    from govcard.cards import Card


class Base(NamedTuple):
    """A model of the catalog: a repo id or a name as written in cards, and its license."""

    match: str
    license: str
    """A Hub license id, or `other:<license_name>`."""
    shown: str
    source: str
    org: str
    """Who published it: the repo's organisation (for a name, that of the repo it stands for)."""


def _base(match: str, license_id: str, shown: str, source: str) -> Base:
    repo = match if "/" in match else source.removeprefix("as ").split(";")[0]
    return Base(match, license_id, shown, source, repo.split("/")[0].lower())


class Parent(NamedTuple):
    """The model a card derives from, its license, and how that was found."""

    shown: str
    license: str | None
    """As `Base.license`; None when the parent is not in the catalog."""
    how: str
    line: int
    relation: str
    """How the card's model was made from it: "fine-tune", "adapter", "quantized version",
    "merge" or "derivative"."""


class Catalog(NamedTuple):
    """The base models, by lowercase repo id and by name."""

    repos: dict[str, Base]
    names: dict[str, Base]
    """By `squash`ed name."""
    pattern: re.Pattern[str]
    """Any repo id or name."""
    starting: dict[str, re.Pattern[str]]
    """`pattern`'s names and repo ids, by their first letter."""
    publishers: dict[str, set[str]]
    """Who published each model, by its `squash`ed name or repo name."""
    inside: dict[str, frozenset[str]]
    """For each stem, the two letters that come before it inside a name ("ar" for the "coder"
    of "starcoder"): a stem after other letters ("decoder") starts no name."""
    before: dict[str, tuple[str, ...]]
    """For each stem, the words that come before its word in a name ("stable" for the
    "diffusion" of "stable diffusion")."""
    finders: dict[str, re.Pattern[str]]
    """For each stem, where it may start or end a name: after no letter or digit (or after the
    letters a name has before it, "ar" for "starcoder"), and before what a name has after it
    past one separator ("2" for the "llama" of "Llama 2", not "llama materials") unless a name
    ends there after its word before ("code llama"). Tried where the stem is (`_stem_positions`)."""


# Parts of the names of the families the text is searched for (StarCoder, SantaCoder, BLOOM,
# Stable Diffusion, SDXL, SD 3, Llama 2/3.x/4, Code Llama, Gemma, PaliGemma, Qwen 1, DeepSeek
# Coder...), found all at once (`_stem_positions`) before the pattern is tried where a name could
# start around them (a search of every position with the whole pattern, or a find per name, would
# cost more than the rest of the check). The other models of the catalog (StarChat, Stable
# Cascade, DreamShaper...) are recognised by base_model.
STEMS = ("coder", "bloom", "sd", "diffusion", "llama", "gemma", "qwen", "deepseek")
# Stems of names that are recognised in base_model ids only ("panagoa/nllb-200-distilled-600M-kbd"
# is an NLLB-200 model, "facebook/mms-tts-ara" an MMS TTS model), not searched for in the text:
# cards name NLLB and MMS as tools far more often than as parents.
_ID_ONLY = ("nllb", "mms")
ID_STEMS = (*STEMS, *_ID_ONLY)
# The stems of the names of the families beyond RAIL, which a title is read for (`from_title`).
_BEYOND_STEMS = ("llama", "gemma", "qwen")


@lru_cache(maxsize=4096)
def squash(text: str) -> str:
    """Lowercase letters and digits only: "Stable Diffusion XL" -> "stablediffusionxl"."""
    return _NOT_NAME.sub("", text.lower())


_NOT_NAME = re.compile(r"[^a-z0-9+]")


@cache
def catalog() -> Catalog:
    """The catalog of base models (`data/base-models.tsv`)."""
    text = (licenses.DATA / "base-models.tsv").read_text(encoding="utf-8")
    repos: dict[str, Base] = {}
    names: dict[str, Base] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            kind, match, license_id, shown, source = line.split("\t")
            base = _base(match, license_id, shown, source)
            if kind == "repo":
                repos[match.lower()] = base
            else:
                names[squash(match)] = base
    by_length = sorted(
        [
            *((r[0], re.escape(r)) for r in repos),
            *((b.match[0].lower(), _name_regex(b.match)) for b in names.values()),
        ],
        key=lambda item: len(item[1]),
        reverse=True,
    )
    # "BLOOMZ-7b1-mt" is BLOOMZ, "StarCoderData" is not StarCoder; nor is a "Bloom filter" or
    # "the StarCoder training dataset" a model, nor a name with a source file's extension, a
    # program ("stable-diffusion.cpp", "llama2.c").
    end = (
        r"(?![a-z0-9])(?!\.(?:cpp|c|h|py|rs|go|js)\b)"
        r"(?![\s*_-]+(?:filters?\b|(?:training[\s_-]+)?(?:data|dataset|corpus)\b))"
    )
    pattern = re.compile(rf"(?:{'|'.join(regex for _, regex in by_length)}){end}")
    # The same, by first letter: a name is tried where one may start with a pattern of the names
    # that start with its letter, not all of them.
    grouped: dict[str, list[str]] = {}
    for first, regex in by_length:
        grouped.setdefault(first, []).append(regex)
    starting = {
        first: re.compile(rf"(?:{'|'.join(group)}){end}") for first, group in grouped.items()
    }
    publishers: dict[str, set[str]] = {}
    for key, base in [*names.items(), *((squash(r.split("/")[1]), b) for r, b in repos.items())]:
        publishers.setdefault(key, set()).add(base.org)
    inside = {
        stem: frozenset(
            match[i - 2 : i]
            for match in [*repos, *(b.match.lower() for b in names.values())]
            for i in _occurrences(match, stem)
            if i >= 2 and match[i - 1].isalnum()
        )
        for stem in STEMS
    }
    before = {
        stem: tuple(
            sorted(
                {
                    word
                    for match in [
                        *(repo.split("/")[1] for repo in repos),
                        *(b.match.lower() for b in names.values()),
                    ]
                    for words in [re.split(r"[\s_-]+", match)]
                    for index, word in enumerate(words)
                    if index and word.startswith(stem)
                    for word in [words[index - 1]]
                }
            )
        )
        for stem in STEMS
    }
    finders: dict[str, re.Pattern[str]] = {}
    for stem in STEMS:
        following: set[str] = set()
        for match in [*repos, *(b.match.lower() for b in names.values())]:
            for i in _occurrences(match, stem):
                rest = match[i + len(stem) :]
                following.add(rest[1:2] if rest[:1] in " -_" else rest[:1])
        alone = any(squash(b.match) == stem for b in names.values())
        word = re.escape(stem)
        # The stem first, so that the search looks for it as a literal; then where it stands.
        within = [f"(?<={re.escape(letters)}{word})" for letters in sorted(inside[stem])]
        ends = [rf"(?<={re.escape(w)}[\s\S]{word})" for w in before[stem]]
        chars = "".join(re.escape(c) for c in sorted(following) if c)
        right = "" if alone else "(?:" + "|".join([f"(?=[ _-]?[{chars}])", *ends]) + ")"
        left = rf"(?<![^\W_]{word}){right}"
        finders[stem] = re.compile(word + "(?:" + "|".join([*within, left]) + ")")
    return Catalog(repos, names, pattern, starting, publishers, inside, before, finders)


def _occurrences(text: str, part: str) -> list[int]:
    found: list[int] = []
    position = text.find(part)
    while position >= 0:
        found.append(position)
        position = text.find(part, position + 1)
    return found


def _name_regex(name: str) -> str:
    # "Stable Diffusion XL" also as "stable-diffusion-xl", "stable_diffusion_xl", "StableDiffusionXL";
    # "SD 1.5" also as "SD1.5", "sd-1.5".
    parts = [re.escape(part) for part in name.lower().split(" ")]
    return r"[\s_-]?".join(parts)


# Cues right before a name, as words: "fine-tuned from", "a LoRA for", "based on the",
# "quantized version of". The words before a name are read backwards: fillers ("the", "of",
# "bigcode's") are skipped, and the first other word must be a cue.
_CUE = re.compile(
    r"fine-?tun\w*|tun(?:ed|ing|es?)|finetun\w*|based|derived|distill\w*|quanti[sz]\w*|merge[sd]?"
    r"|merging|adapters?|lora|lycoris|dreambooth|controlnet|checkpoints?|convert\w*|conversions?"
    r"|gguf|ggml|gptq|awq|exl2|continu\w*|initiali[sz]ed|built|trained|training|further|variants?"
    r"|derivative|prun\w*|instruction-tuned|replicas?"
)
_FILLER = re.compile(
    r"the|a|an|on|of|from|for|to|top|with|upon|version|versions|model|models|weights|checkpoint"
    r"|original|official|base|pre-?trained|it|its|this|[\w.-]+'s|[\w.-]+/|\d+(?:\.\d+)?[bm]?"
)
# Words are what lies between these; a comma or a full stop stays in the word, so that a cue
# of another clause does not count.
_WORD = re.compile(r"[^\s*_`\[\(\"'\u2019:]+")
_CUE_AFTER = re.compile(
    r"[\s*_`\]\)\"'\u2019-]+(?:[\w.-]+[\s_-]+){0,3}(?:fine[\s-]?tun|finetun|lora|lycoris|dreambooth|adapter"
    r"|merg|gguf|gptq|awq|quantiz|-?based)"
)
_LABEL = re.compile(
    r"[\s>*_#|-]*((?:base|parent|original|foundation|underlying|backbone)[\s_-]*"
    r"(?:model|llm|lm|checkpoint)?s?)"
    r"[\s*_]*(?:\([^)\n]{0,20}\)[\s*_]*)?[:|]"
)
_RELATIONS = (
    ("adapter", re.compile(r"lora|lycoris|adapter|dreambooth|controlnet")),
    ("quantized version", re.compile(r"quanti|gguf|ggml|gptq|awq|exl2")),
    ("merge", re.compile(r"merg")),
    ("fine-tune", re.compile(r"tun|train")),
)
_QUANTIZED_TITLE = re.compile(r"(?i)(?<![a-z0-9])(?:gguf|gptq|awq|exl2|ggml)(?![a-z0-9])")
_METADATA_RELATIONS = {
    "adapter": "adapter",
    "quantized": "quantized version",
    "merge": "merge",
    "finetune": "fine-tune",
}


def parents(card: Card, base_card: Card | None = None) -> list[Parent]:
    """The models the card's model derives from: from the metadata and --base-card, else from
    the text. A parent named in the metadata that the catalog does not know is returned with no
    license, and the text is still searched."""
    metadata = card.metadata or {}
    relation = _METADATA_RELATIONS.get(str(metadata.get("base_model_relation")), "derivative")
    if relation == "derivative" and _QUANTIZED_TITLE.search(card.title[:200]):
        relation = "quantized version"  # "Llama-3-8B-Instruct-GGUF", with no base_model_relation
    found = [
        Parent(*_known(item, how), card.key_line(key), relation)
        for item, how, key in _metadata_ids(metadata)
    ]
    if base_card is not None and base_card.metadata:
        license_id = base_card.metadata.get("license")
        found.append(
            Parent(
                f"the model of {base_card.path}",
                license_id if isinstance(license_id, str) else None,
                "--base-card",
                1,
                relation,
            )
        )
    if any(p.license is not None for p in found):
        return found
    found += from_text(card)
    if any(p.license is not None for p in found):
        return found
    return found + from_title(card)


def from_title(card: Card) -> list[Parent]:
    """The model a card's title names its model after, for the families beyond RAIL only
    ("Nous-Hermes-Llama2-13b", "Ovis1.6-Gemma2-9B"): Llama 3 and later ask a derivative's name
    to begin with "Llama", and a model named after Llama or Gemma is read as made from it. A
    licensor's own card is not its own derivative."""
    title = card.title[:200].lower()
    short = _abbreviated(title)
    if short is not None:
        line = card.title_line
        how = f"the card's title {quote(card.title)}, named after {short.shown}"
        return [Parent(short.shown, short.license, how, line, "derivative")]
    if not any(stem in title for stem in _BEYOND_STEMS):
        return []  # no name of those families: the names' pattern is not tried on it
    known = catalog()
    own = _identity(card)
    licensors = known.publishers.get(own, set()) if own else set()
    for match in known.pattern.finditer(title):
        if match.start() and title[match.start() - 1].isalnum():
            continue
        base = known.names.get(squash(match.group()))
        if base is None or base.org in licensors or licenses.rail(base.license) is not None:
            continue
        line = card.title_line
        how = f"the card's title {quote(card.title)}, named after {base.shown}"
        return [Parent(base.shown, base.license, how, line, "derivative")]
    return []


def _known(repo_id: str, how: str) -> tuple[str, str | None, str]:
    """A base model's name, license and how it was found: by its repo id in the catalog, else
    by a model name of the catalog at the start of a word of its repo name ("TheBloke/Llama-2-7B-fp16"
    is a Llama 2 model: Llama 3 and later even ask derivatives' names to begin with "Llama")."""
    known = catalog()
    base = known.repos.get(repo_id.lower())
    if base is not None:
        return f"{base.shown} ({repo_id})", base.license, how
    name = repo_id.rsplit("/", 1)[-1].lower()
    short = _abbreviated(name)
    if short is not None:
        return repo_id, short.license, f"{how}, named after {short.shown}"
    if len(name) > 96 or not any(stem in name for stem in ID_STEMS):
        return repo_id, None, how  # not a Hub repo name, or no name of the catalog is in it
    for match in known.pattern.finditer(name):
        if match.start() == 0 or not name[match.start() - 1].isalnum():
            named = known.names.get(squash(match.group()))
            if named is not None:
                return repo_id, named.license, f"{how}, named after {named.shown}"
    return repo_id, None, how


# Names that begin "L3-" or "L3.1-" are Llama 3 and 3.x models, by a convention of the Hub's
# fine-tuners (Sao10K/L3-8B-Stheno-v3.2, L3-70B-Euryale, DavidAU/L3.1-Dark-Reasoning-...-8B):
# read at the start of a repo name or a title only.
_ABBREVIATED = re.compile(r"l(3(?:\.[1-3])?)[-_ ]")


def _abbreviated(name: str) -> Base | None:
    match = _ABBREVIATED.match(name)
    return None if match is None else catalog().names.get(squash(f"llama {match.group(1)}"))


def _metadata_ids(metadata: dict[str, Any]) -> list[tuple[str, str, str]]:
    value = metadata.get("base_model")
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    ids = [(item, "base_model in the metadata", "base_model") for item in items if item]
    tags = metadata.get("tags")
    if isinstance(tags, list):
        for tag in tags:
            # The Hub tags derivatives "base_model:<id>" or "base_model:<relation>:<id>".
            if isinstance(tag, str) and tag.startswith("base_model:"):
                repo = tag.rsplit(":", 1)[1]
                if repo and all(repo.lower() != i[0].lower() for i in ids):
                    ids.append((repo, f"the tag {tag}", "tags"))
    return [i for i in ids if isinstance(i[0], str)]


def from_text(card: Card) -> list[Parent]:
    """Parents named in the body next to a derivative cue, in order of appearance."""
    known = catalog()
    # A licensor's card of a model it made from its own (SDXL-Turbo from SDXL, BLOOMZ from
    # BLOOM) is no derivative in the sense of the license: the licensor holds the rights.
    licensors: set[str] | None = None  # read when a name is found
    body = card.lowered  # the body, then the front matter: only the body is searched
    found: dict[str, Parent] = {}
    covered = 0
    # A family found once is not looked for again: a card names its parent first, and later
    # mentions of the family ("Llama 2" in its license, prompts, benchmarks) add nothing.
    done: set[str] = set()
    for stem_at, stem in _stem_positions(body, len(card.body), known):
        if stem_at < covered or stem in done:
            continue  # in a name already read ("sd" in "stable-diffusion-xl-base-1.0/sd_xl")
        match = _name_around(known, body, stem_at, stem)
        if match is None:
            continue
        covered = match.end()
        position = match.start()
        text = match.group()
        base = known.repos.get(text) or known.names.get(squash(text))
        if base is None or base.shown in found:
            continue
        if licensors is None:
            own = _identity(card)
            licensors = known.publishers.get(own, set()) if own else set()
        if base.org in licensors:
            continue
        cue = (
            _cue_before(body, position, own)
            or _cue_after(body, match.end())
            or _label_before(body, position)
        )
        if cue is None:
            continue
        offset = body.count("\n", 0, position)
        line = card.line_around(position)
        relation = next((r for r, p in _RELATIONS if p.search(cue)), "derivative")
        shown = f"{base.shown} ({base.match})" if "/" in text else base.shown
        done.add(stem)
        found[base.shown] = Parent(
            shown,
            base.license,
            f"the card's text: {quote(line)}",
            card.body_start + offset,
            relation,
        )
    return list(found.values())


def _cue_before(body: str, position: int, own: str) -> str | None:
    words = _WORD.findall(body, max(0, position - 90), position)
    if position and body[position - 1].isalnum():
        words.pop()  # the org of a repo id, or a word cut by the window
    for index in range(len(words) - 1, max(-1, len(words) - 9), -1):
        word = words[index]
        if _CUE.fullmatch(word):
            return None if _sibling(words[:index], own) else str(word)
        if not _FILLER.fullmatch(word):
            return None
    return None


def _sibling(before: list[str], own: str) -> bool:
    """Whether the words before a cue make it about another model of the card's authors: news
    of a release ("We released **WizardCoder-33B-V1.1** trained from deepseek-coder-33b-base"
    on WizardCoder-15B's card), a model named with its size that is not the card's own."""
    for word in reversed(before[-4:]):
        if word in _AUXILIARIES:
            continue
        subject = squash(word)
        return bool(own) and _SIZED.fullmatch(word) is not None and subject != own
    return False


_AUXILIARIES = frozenset({"is", "was", "were", "are", "be", "been", "being", "has", "have", "had"})
# A model's name with its size: "wizardcoder-33b-v1.1", "llama-2-7b", "qwen2.5-3b".
_SIZED = re.compile(r"[a-z][\w.-]*?[-_]\d+(?:\.\d+)?[bm](?:[-_.][\w.-]*)?")


def _label_before(body: str, position: int) -> str | None:
    """A label that starts the name's line ("- **Base model:** ", "| Original model | "): a
    field of the card that names the parent."""
    match = _LABEL.match(body, body.rfind("\n", 0, position) + 1, position)
    return None if match is None else str(match.group(1))


def _cue_after(body: str, end: int) -> str | None:
    match = _CUE_AFTER.match(body, end, end + 40)
    if match is None or _BLANK_LINE.search(match.group()):
        return None  # a cue of the next paragraph is about something else ("# StarCoder-Thing")
    return str(match.group())


_BLANK_LINE = re.compile(r"\n[ \t]*\n")


# Real cards name a family a few dozen times; a card that quotes a license names its family
# hundreds of times ("the Llama Materials"). A parent is named before that, so each stem is read up
# to this many mentions, and the search stays linear and short on a card built to name one a
# million times.
_MAX_PER_STEM = 120
# The stems are found in one pass of an Aho-Corasick automaton (SIMD-accelerated, in Rust) over the
# text's ASCII projection, chunk by chunk, and each hit is then tried with its stem's finder. A stem
# whose hits go past _MAX_HITS before it has _MAX_PER_STEM mentions (a card full of "decoder") is
# searched on from there by its finder alone, as one search in C, so that no card costs a Python
# step per character. (A search of an average card takes about 4 µs per stem, the automaton about
# 4 µs for all of them.)
_CHUNK = 1 << 16
_MAX_HITS = 4 * _MAX_PER_STEM


def _stem_positions(body: str, end: int, known: Catalog) -> list[tuple[int, str]]:
    """Where a stem may start or end a name (see `Catalog.finders`), in order: each stem's first
    _MAX_PER_STEM mentions in the body (its first `end` characters)."""
    # One byte per character ("?" for what is not ASCII), so offsets in it are offsets in the
    # body; the stems are ASCII, so they are found in it exactly where they are in the body.
    projection = body[:end].encode("ascii", "replace")
    positions: list[tuple[int, str]] = []
    mentions = dict.fromkeys(STEMS, 0)
    hits = dict.fromkeys(STEMS, 0)
    searched = set(STEMS)
    start = 0
    while start < end and searched:
        stop = min(start + _CHUNK, end)
        for position, stem in _hits(projection, start, stop, frozenset(searched)):
            if stem not in searched:
                continue
            hits[stem] += 1
            if known.finders[stem].match(body, position, end) is not None:
                positions.append((position, stem))
                mentions[stem] += 1
                if mentions[stem] >= _MAX_PER_STEM:
                    searched.discard(stem)
                    continue
            if hits[stem] >= _MAX_HITS:
                searched.discard(stem)
                for match in known.finders[stem].finditer(body, position + 1, end):
                    if mentions[stem] >= _MAX_PER_STEM:
                        break
                    positions.append((match.start(), stem))
                    mentions[stem] += 1
        start = stop
    return sorted(positions)


def _hits(projection: bytes, start: int, stop: int, stems: frozenset[str]) -> list[tuple[int, str]]:
    """Every occurrence of the stems that starts in projection[start:stop], in order."""
    searcher, spans = _searcher(stems)
    window = projection[start : stop + _LONGEST - 1]
    return [
        (position, stem)
        for index, at, _ in searcher.find_matches_as_indexes(window)
        for stem, offset in spans[index]
        if (position := start + at + offset) < stop
    ]


def _overlaps(stems: tuple[str, ...]) -> dict[str, tuple[tuple[str, int], ...]]:
    """Two stems that can overlap in a text, each as one pattern ("sdiffusion": "sd" and
    "diffusion"): a leftmost-first search reports one match where two overlap."""
    pairs: dict[str, tuple[tuple[str, int], ...]] = {}
    for first in stems:
        for second in stems:
            for size in range(1, min(len(first), len(second))):
                if first.endswith(second[:size]):
                    offset = len(first) - size
                    pairs[first + second[size:]] = ((first, 0), (second, offset))
    return pairs


_PAIRS = _overlaps(STEMS)
_LONGEST = max(len(p) for p in (*STEMS, *_PAIRS))


@lru_cache(maxsize=256)
def _searcher(stems: frozenset[str]) -> tuple[Any, list[tuple[tuple[str, int], ...]]]:
    """An automaton for these stems, and the (stem, offset) pairs that each pattern stands for."""
    import ahocorasick_rs

    patterns: list[str] = []
    spans: list[tuple[tuple[str, int], ...]] = []
    for pair, parts in _PAIRS.items():
        if all(stem in stems for stem, _ in parts):
            patterns.append(pair)  # first, so that it wins over its parts
            spans.append(parts)
    for stem in sorted(stems):
        patterns.append(stem)
        spans.append(((stem, 0),))
    searcher = ahocorasick_rs.BytesAhoCorasick(
        [p.encode() for p in patterns], matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_FIRST
    )
    return searcher, spans


def _name_around(known: Catalog, body: str, position: int, stem: str) -> re.Match[str] | None:
    """The name or repo id that covers the position of a stem: tried from the start of the word
    it is in, of the word before when a name has one there ("stable diffusion" for its
    "diffusion"), and of an "org/" before either ("runwayml/stable-diffusion-v1-5"), farthest
    first."""
    start = _run_start(body, position, _ALNUM)
    starts = [start]
    if start >= 2 and body[start - 1] in " -_":
        for word in known.before[stem]:
            if body.startswith(word, start - 1 - len(word)):
                starts.append(start - 1 - len(word))
                break
    address = False
    for begin in list(starts):
        if begin >= 2 and body[begin - 1] == "/":
            org = _run_start(body, begin - 1, _REPO_CHARS)
            if body[org - 1 : org] in ("/", "."):
                # A path in an address: the link's text is read instead, but for a Hub
                # address, which is a repo id of the catalog or nothing.
                if not body.endswith(("huggingface.co/", "hf.co/"), max(0, org - 15), org):
                    return None
                starts, address = [org], True
                break
            if org < begin - 1:
                starts.append(org)
    for candidate in reversed(starts):
        pattern = known.starting.get(body[candidate])
        match = None if pattern is None else pattern.match(body, candidate)
        if match is not None and match.end() > position:
            if address and "/" not in match.group():
                return None  # a name inside a Hub address: only a repo id counts there
            return match
    return None


_ALNUM = string.ascii_lowercase + string.digits
_REPO_CHARS = _ALNUM + "_.-"


def _run_start(body: str, end: int, chars: str) -> int:
    """Where the run of `chars` that ends at `end` starts (at most 96 characters back)."""
    before = body[max(0, end - 96) : end]
    return end - (len(before) - len(before.rstrip(chars)))


def _identity(card: Card) -> str:
    """What the card calls its own model (its first title), `squash`ed: a card that is the model
    (the licensor's own card) is not its own derivative."""
    title = card.title[:200]
    return squash(_NOT_IDENTITY.sub("", title)) if title else ""


_NOT_IDENTITY = re.compile(r"(?i)model\s*card|\(.*?\)|[:|].*")


def quote(line: str) -> str:
    """A line of a card, shortened for a message."""
    text = " ".join(line.split())
    return f'"{text[:77]}..."' if len(text) > 80 else f'"{text}"'
