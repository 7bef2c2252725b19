"""Import a codecarbon `emissions.csv`: energy and emissions as measured by its trackers.

Its header differs across codecarbon versions (12, 31, 38 columns), so columns are read by name.
`energy_consumed` is kWh and already includes PUE (the `pue` column only records the factor);
`emissions` is kg. Each row is one run or flush: rows are summed, or filtered by `run_id`.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from govcard.errors import GovcardError, Problem
from govcard.loader import read_regular_file

REQUIRED = ("emissions", "energy_consumed")
MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 1_000_000
"""A tracker flushing every two minutes writes this many rows in about four years."""
MAX_PROBLEMS = 100
MAX_DISTINCT = 20
"""Distinct PUEs and places kept; a real file has one or a few."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Measurement:
    """The sum of the selected rows of one emissions.csv."""

    file: str
    rows: int
    energy_kwh: float
    """Energy as codecarbon measured it, PUE included."""
    it_energy_kwh: float
    """Energy before PUE: each row's energy divided by its own `pue` (1.0 when not recorded)."""
    co2eq_kg: float
    pues: tuple[float, ...]
    """The distinct PUE values codecarbon applied, as recorded (the first MAX_DISTINCT)."""
    duration_s: float | None
    places: tuple[str, ...]
    """Distinct `country_iso_code/region` values, as recorded (the first MAX_DISTINCT, then how
    many more)."""


def read(path: Path, run_id: str | None = None) -> Measurement:
    """Sum an emissions.csv (optionally one run); raise `GovcardError` located in the file."""
    name = str(path)
    try:
        raw = read_regular_file(
            path, MAX_BYTES, what="codecarbon's emissions.csv", noun="an emissions.csv"
        )
        raw.decode("utf-8-sig")  # only to refuse a file that is not UTF-8; read lazily below
    except FileNotFoundError:
        raise GovcardError.at(
            name, "no such file; codecarbon_csv is relative to project.yaml"
        ) from None
    except UnicodeDecodeError:
        raise GovcardError.at(
            name, "is not a UTF-8 text file; give codecarbon's emissions.csv"
        ) from None
    except OSError as exc:
        raise GovcardError.at(name, f"cannot read: {exc.strerror}") from None
    text = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    try:
        return _sum(name, reader, run_id)
    except csv.Error as exc:  # a field over csv's limit of 128 KB, say
        raise GovcardError.at(
            name, f"is not a CSV file codecarbon wrote: {exc}", reader.reader.line_num, 1
        ) from None


def _sum(name: str, reader: csv.DictReader[str], run_id: str | None) -> Measurement:
    header = reader.fieldnames or []
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise GovcardError.at(
            name, f"no {' or '.join(missing)} column; is this codecarbon's emissions.csv?", 1, 1
        )
    problems: list[Problem] = []
    energy = it_energy = co2 = duration = 0.0
    has_duration = "duration" in header
    pues: dict[float, None] = {}
    places: dict[str, None] = {}
    runs: dict[str, None] = {}
    rows = 0
    for row in reader:
        line = reader.line_num
        if line > MAX_ROWS:
            raise GovcardError.at(
                name,
                f"has more than {MAX_ROWS:,} lines; is this codecarbon's emissions.csv?",
                line,
                1,
            )
        if len(problems) > MAX_PROBLEMS:
            break
        if run_id is not None and row.get("run_id") != run_id:
            if len(runs) <= MAX_DISTINCT:  # one more than are shown, to say there are more
                runs[row.get("run_id") or ""] = None
            continue
        rows += 1
        values: dict[str, float] = {}
        for column in (*REQUIRED, *(c for c in ("pue", "duration") if c in header)):
            raw = (row.get(column) or "").strip()
            try:
                value = float(raw)
            except ValueError:
                value = math.nan
            if not math.isfinite(value) or value < 0:
                if column in REQUIRED or raw:
                    shown = raw if len(raw) <= 60 else raw[:57] + "..."
                    problems.append(
                        Problem(name, line, 1, f"{column}: expected a number >= 0, got {shown!r}")
                    )
                continue
            values[column] = value
        energy += values.get("energy_consumed", 0.0)
        it_energy += values.get("energy_consumed", 0.0) / (values.get("pue") or 1.0)
        co2 += values.get("emissions", 0.0)
        duration += values.get("duration", 0.0)
        if "pue" in values:
            pues[values["pue"]] = None
        place = "/".join(p for p in (row.get("country_iso_code"), row.get("region")) if p)
        bad = _CONTROL.search(place)
        if bad is not None:
            problems.append(
                Problem(
                    name,
                    line,
                    1,
                    f"country_iso_code/region: contains the control character "
                    f"U+{ord(bad.group()):04X}; remove it",
                )
            )
        elif place:
            places[place] = None
    if len(problems) > MAX_PROBLEMS:
        stop = f"stopped after the first {MAX_PROBLEMS} problems; fix these and run again"
        raise GovcardError([*problems[:MAX_PROBLEMS], Problem(name, 0, 0, stop)])
    if problems:
        raise GovcardError(problems)
    if rows == 0 and run_id is not None:
        raise UnknownRun.of(name, run_id, header, list(runs))
    if rows == 0:
        raise GovcardError.at(name, "has no rows; run a codecarbon tracker first")
    return Measurement(
        file=name,
        rows=rows,
        energy_kwh=energy,
        co2eq_kg=co2,
        it_energy_kwh=it_energy,
        pues=tuple(pues)[:MAX_DISTINCT],
        duration_s=duration if has_duration else None,
        places=_first(tuple(places)),
    )


class UnknownRun(GovcardError):
    """A `codecarbon_run_id` the file has no rows of."""

    @classmethod
    def of(cls, name: str, run_id: str, header: Sequence[str], runs: list[str]) -> UnknownRun:
        """The error for `run_id`, naming the runs the file has (the first MAX_DISTINCT)."""
        if "run_id" not in header:
            message = "has no run_id column; remove codecarbon_run_id to sum the whole file"
        elif not runs:
            message = "has no rows; run a codecarbon tracker first"
        else:
            listed = [repr(r if len(r) <= 60 else r[:57] + "...") for r in runs[:MAX_DISTINCT]]
            more = ", ..." if len(runs) > MAX_DISTINCT else ""
            message = f"has no run_id {run_id!r}; its run ids are {', '.join(listed)}{more}"
        return cls([Problem(name, 0, 0, message)])


def _first(places: tuple[str, ...]) -> tuple[str, ...]:
    if len(places) <= MAX_DISTINCT:
        return places
    return (*places[:MAX_DISTINCT], f"and {len(places) - MAX_DISTINCT:,} more")
