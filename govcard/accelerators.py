"""Published board powers of training accelerators, recognised in a free-text hardware fact.

When a model's training facts name the hardware ("512 x A100 SXM4 80GB") but give no
`gpu_power_w`, the footprint assumes the board power its vendor publishes (the maximum, TDP),
and says so: a run usually draws less, so the energy is an upper bound. A text that could be
several boards of different powers ("A100 80GB": SXM4 400 W or PCIe 300 W) assumes nothing and
names the candidates. The table, with a source per row, is `data/accelerator-power.tsv`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class Board:
    """An accelerator and its published board power."""

    id: str
    name: str
    watts: float
    source: str
    match: tuple[tuple[frozenset[str], ...], ...]
    """Alternatives; each a sequence of words, a word being the set of spellings it accepts."""

    @property
    def family(self) -> str:
        """The first word of its first alternative: "a100"."""
        return min(self.match[0][0])

    def matched_words(self, words: set[str]) -> int:
        """How many words of its best alternative appear in `words`."""
        return max(sum(1 for word in alternative if word & words) for alternative in self.match)

    def matches(self, words: set[str]) -> bool:
        """Whether every word of one of its alternatives appears in `words`; a memory size
        ("80gb") only when `words` give one (the size does not change a board's power)."""
        sized = any(_SIZE_WORD.fullmatch(word) for word in words)
        return any(
            all(word & words for word in alternative if sized or not _is_size(word))
            for alternative in self.match
        )


@dataclass(frozen=True)
class Recognised:
    """What a hardware text says about the board power: one figure, or the candidates."""

    watts: float | None
    """The published board power when the text names boards of a single power."""
    boards: tuple[Board, ...]
    """The boards it names (when `watts` is set), or the candidates it could be."""

    @property
    def name(self) -> str:
        """The boards' names: "NVIDIA A100 SXM4 80GB" or "... 40GB or NVIDIA A100 SXM4 80GB"."""
        return " or ".join(board.name for board in self.boards)

    @property
    def sources(self) -> tuple[str, ...]:
        """The boards' sources, each once."""
        return tuple(dict.fromkeys(board.source for board in self.boards))


@cache
def boards() -> tuple[Board, ...]:
    """The table in data/accelerator-power.tsv."""
    text = files("govcard").joinpath("data/accelerator-power.tsv").read_text(encoding="utf-8")
    found = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            id_, name, watts, match, source = line.split("\t")
            alternatives = tuple(
                tuple(frozenset(word.split("/")) for word in alternative.split())
                for alternative in match.split(" | ")
            )
            found.append(Board(id_, name, float(watts), source, alternatives))
    return tuple(found)


_SIZE = re.compile(r"(\d+)\s*(gb|gib)\b")
_SIZE_WORD = re.compile(r"\d+gb")
_PCIE = re.compile(r"\bpci[\s_-]*e(?:xpress)?\b")
_WORD = re.compile(r"[a-z0-9]+")


def _is_size(word: frozenset[str]) -> bool:
    return all(_SIZE_WORD.fullmatch(spelling) for spelling in word)


def words(hardware: str) -> set[str]:
    """The words of a hardware text: lowercased, "80 GB" as "80gb", "PCI-E" as "pcie"."""
    text = _PCIE.sub("pcie", _SIZE.sub(r"\1gb", hardware.lower()))
    return set(_WORD.findall(text))


def recognise(hardware: str) -> Recognised | None:
    """The boards a hardware text names, with their power when they agree on one ("A100 SXM4":
    400 W, whether 40GB or 80GB); the candidates when it names boards of different powers, or a
    family without saying which board ("A100 80GB": SXM4 or PCIe); None when it names none."""
    found = words(hardware)
    matching = tuple(board for board in boards() if board.matches(found))
    if matching and len({board.watts for board in matching}) == 1:
        return Recognised(matching[0].watts, matching)
    if matching:
        return Recognised(None, matching)
    family = [board for board in boards() if board.family in found]
    if not family:
        return None
    best = max(board.matched_words(found) for board in family)
    candidates = tuple(b for b in family if b.matched_words(found) == best)
    # One candidate is a near miss ("TPU v3" is not a TPU v4), not a choice to offer.
    return Recognised(None, candidates) if len(candidates) > 1 else None
