"""How far `govcard check` agrees with labels written by readers of the cards and the licenses.

A card's verdict is "fail" when the check reports an error, else "pass"; the labels say what a
careful license reader decided (tests/labels/POLICY.md) before the check was run on the cards.

Run: python tests/labels/agreement.py LABELS.tsv CARDS_FOLDER [--scope rail,plain]
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

from govcard import check


@dataclass(frozen=True)
class Label:
    """One card as its reader labelled it."""

    file: str
    repository: str
    scope: str
    verdict: str
    defects: str
    reasoning: str


@dataclass
class Agreement:
    """The check's verdicts against the labels."""

    cards: int = 0
    agreed: int = 0
    caught: int = 0
    """Labelled fail, and the check fails it."""
    false_alarms: int = 0
    """Labelled pass, and the check fails it."""
    missed: int = 0
    """Labelled fail, and the check passes it."""
    disagreements: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.agreed / self.cards if self.cards else 0.0

    @property
    def precision(self) -> float:
        flagged = self.caught + self.false_alarms
        return self.caught / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        failing = self.caught + self.missed
        return self.caught / failing if failing else 1.0

    def summary(self) -> str:
        return (
            f"{self.agreed} of {self.cards} cards agree ({self.share:.1%}); precision "
            f"{self.precision:.2f}, recall {self.recall:.2f} (fail caught {self.caught}, "
            f"false alarms {self.false_alarms}, missed {self.missed})"
        )


def read_labels(path: Path) -> list[Label]:
    """The labels of a TSV file (lines starting with # are comments)."""
    with path.open(encoding="utf-8") as handle:
        rows = csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return [
            Label(
                row["file"],
                row["repository"],
                row["scope"],
                row["verdict"],
                row["defects"],
                row["reasoning"],
            )
            for row in rows
        ]


def measure(labels: list[Label], folder: Path, scopes: set[str]) -> Agreement:
    """Check every labelled card of the scopes in `folder` and compare the verdicts."""
    result = Agreement()
    for label in labels:
        if label.scope not in scopes:
            continue
        findings = check.check_file(folder / label.file, check.Options()).findings
        errors = [f for f in findings if f.severity == "error"]
        verdict = "fail" if errors else "pass"
        result.cards += 1
        if verdict == label.verdict:
            result.agreed += 1
            result.caught += verdict == "fail"
            continue
        if verdict == "fail":
            result.false_alarms += 1
            said = "; ".join(f"{f.rule}: {f.message}" for f in errors)
        else:
            result.missed += 1
            said = "no error"
        result.disagreements.append(
            f"{label.file}: labelled {label.verdict} ({label.defects}; {label.reasoning}); "
            f"check: {said}"
        )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labels", type=Path)
    parser.add_argument("cards", type=Path)
    parser.add_argument("--scope", default="rail,plain", help="comma-separated scopes")
    args = parser.parse_args()
    result = measure(read_labels(args.labels), args.cards, set(args.scope.split(",")))
    print(result.summary())
    for line in result.disagreements:
        print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
