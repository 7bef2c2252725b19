"""Import codecarbon `emissions.csv` files: energy and emissions as measured by its trackers.

Their header differs across codecarbon versions (12, 31, 38 columns), so columns are read by name.
`energy_consumed` is kWh and already includes PUE (the `pue` column only records the factor);
`emissions` is kg.

A tracker appends a row at every flush with the run's totals so far: duration, energy and
emissions grow row by row under one `run_id`. A run's figures are therefore those of its last row,
the one with the longest duration; adding up its rows would count its early part once per flush
(a two-flush run read as 1.5 times what it measured). Different runs add up: the runs of one
file (a resumed job) and those of several files (one per GPU or node). A file listed twice, two
files with the same content, or one `run_id` in two files would count a run twice, and are errors.
Files of codecarbon 1.x have no `run_id` column; each of their rows is a run.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from govcard.errors import GovcardError, Problem
from govcard.loader import read_regular_file

REQUIRED = ("emissions", "energy_consumed")
MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 1_000_000
"""A tracker flushing every two minutes writes this many rows in about four years."""
MAX_RUNS = 100_000
"""Distinct run_ids in one file; a job that restarts every hour makes this many in 11 years."""
MAX_PROBLEMS = 100
MAX_DISTINCT = 20
"""Distinct PUEs and places kept; a real file has one or a few."""
MAX_LISTED = 10
"""Run ids named in an error message."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Measurement:
    """The runs of one or several emissions.csv files, each counted once, added up."""

    files: tuple[str, ...]
    rows: int
    """Rows of the counted runs, earlier flushes included."""
    runs: int
    """Runs counted: distinct run_ids (each row, in a file without a run_id column)."""
    energy_kwh: float
    """Energy as codecarbon measured it, PUE included."""
    it_energy_kwh: float
    """Energy before PUE: each run's energy divided by its own `pue` (1.0 when not recorded)."""
    co2eq_kg: float
    pues: tuple[float, ...]
    """The distinct PUE values codecarbon applied, as recorded (the first MAX_DISTINCT)."""
    duration_s: float | None
    """The runs' durations added up (device time, not wall-clock time, for parallel runs)."""
    places: tuple[str, ...]
    """Distinct `country_iso_code/region` values, as recorded (the first MAX_DISTINCT, then how
    many more)."""
    rows_without_run_id: int = 0
    """Rows counted each as a run because their file has no run_id column."""


@dataclass
class _Run:
    """One run of a file: where it starts and the row that holds its totals."""

    first_line: int
    rows: int = 0
    duration: float = -1.0
    energy: float = 0.0
    it_energy: float = 0.0
    co2: float = 0.0
    pue: float | None = None
    place: str = ""


@dataclass
class _File:
    name: str
    digest: str
    has_run_ids: bool
    has_duration: bool
    runs: dict[str, _Run] = field(default_factory=dict)
    """Runs by run_id, in the order they start."""
    rows: int = 0
    """Rows of the selected runs."""
    run_ids: dict[str, int] = field(default_factory=dict)
    """Every run_id in the file and the line it starts on (the first MAX_RUNS)."""
    # Rows of a file without run ids, added up as they are read (each is a run).
    loose: _Run | None = None
    pues: dict[float, None] = field(default_factory=dict)
    places: dict[str, None] = field(default_factory=dict)


def read(path: Path, run_id: str | None = None) -> Measurement:
    """One emissions.csv (optionally one run of it); raise `GovcardError` located in the file."""
    name = str(path)

    def at(_item: int | None, _subject: str, message: str) -> Problem:
        return Problem(name, 0, 0, message)

    return measure([(name, path)], run_id, at)


def measure(
    files: Sequence[tuple[str, Path]],
    run_id: str | None,
    at: Callable[[int | None, str, str], Problem],
) -> Measurement:
    """The runs of `files` (each a name as the project gives it and its path), added up.

    Problems inside a file are located in it. One about a listed file as a whole (unreadable,
    listed twice, a copy of another) comes from `at(its index, its name, message)`, and a
    `run_id` found in no file from `at(None, the run_id, message)`. Every problem is raised at
    once.
    """
    problems: list[Problem] = []
    read_files: list[_File] = []
    seen_paths: dict[Path, int] = {}
    seen_digests: dict[str, str] = {}
    seen_runs: dict[str, tuple[str, int]] = {}
    for index, (name, path) in enumerate(files):
        resolved = path.resolve()
        if resolved in seen_paths:
            first = files[seen_paths[resolved]][0]
            also = f" (as {first})" if first != name else ""
            problems.append(at(index, name, f"is listed twice{also}; list each file once"))
            continue
        seen_paths[resolved] = index
        try:
            found = _read(name, path, run_id)
        except GovcardError as exc:
            problems.extend(p if p.line else at(index, name, p.message) for p in exc.problems)
            continue
        if found.digest in seen_digests:
            problems.append(
                at(
                    index,
                    name,
                    f"has the same content as {seen_digests[found.digest]}: the same "
                    "measurement twice; list it once",
                )
            )
            continue
        seen_digests[found.digest] = name
        for key, line in found.run_ids.items():
            if key in seen_runs:
                other, other_line = seen_runs[key]
                problems.append(
                    Problem(
                        name,
                        line,
                        1,
                        f"run_id {key!r} is also in {other} (line {other_line}): the same run "
                        "would count twice; remove the copy, or keep one file per GPU or node",
                    )
                )
            else:
                seen_runs[key] = (name, line)
        read_files.append(found)
    if problems:
        raise GovcardError(problems)
    if run_id is not None and not any(run_id in f.runs for f in read_files):
        raise GovcardError([at(None, run_id, _no_such_run(run_id, read_files))])
    return _total(read_files)


def _no_such_run(run_id: str, files: list[_File]) -> str:
    where = ", ".join(f.name for f in files)
    known = [f"{key} ({f.name}:{line})" for f in files for key, line in f.run_ids.items()]
    if not known:
        return f"no run_id {run_id!r} in {where}, which has no run ids; remove codecarbon_run_id"
    shown = ", ".join(known[:MAX_LISTED])
    more = f" and {len(known) - MAX_LISTED:,} more" if len(known) > MAX_LISTED else ""
    return f"no run_id {run_id!r} in {where}; its runs are {shown}{more}"


def _read(name: str, path: Path, run_id: str | None) -> _File:
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
    except GovcardError as exc:
        # read_regular_file names the file by its path; the project names it as written.
        raise GovcardError([Problem(name, 0, 0, p.message) for p in exc.problems]) from None
    text = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    digest = hashlib.sha256(raw).hexdigest()
    try:
        return _runs(name, digest, reader, run_id)
    except csv.Error as exc:  # a field over csv's limit of 128 KB, say
        raise GovcardError.at(
            name, f"is not a CSV file codecarbon wrote: {exc}", reader.reader.line_num, 1
        ) from None


def _runs(name: str, digest: str, reader: csv.DictReader[str], run_id: str | None) -> _File:
    header = reader.fieldnames or []
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise GovcardError.at(
            name, f"no {' or '.join(missing)} column; is this codecarbon's emissions.csv?", 1, 1
        )
    found = _File(name, digest, has_run_ids="run_id" in header, has_duration="duration" in header)
    numbers = (*REQUIRED, *(c for c in ("pue", "duration") if c in header))
    problems: list[Problem] = []
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
        key = (row.get("run_id") or "").strip() if found.has_run_ids else ""
        if key and key not in found.run_ids:
            if len(found.run_ids) >= MAX_RUNS:
                raise GovcardError.at(
                    name,
                    f"has more than {MAX_RUNS:,} runs; is this codecarbon's emissions.csv?",
                    line,
                    1,
                )
            found.run_ids[key] = line
        if run_id is not None and key != run_id:
            continue
        values = _numbers(name, line, row, numbers, problems)
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
            place = ""
        found.rows += 1
        if key:
            run = found.runs.setdefault(key, _Run(first_line=line))
            run.rows += 1
            duration = values.get("duration", 0.0)
            # The row with the longest duration holds the run's totals; on a tie, the later one.
            if duration >= run.duration:
                _take(run, values, place, duration)
        else:
            # A row without a run_id is a run of its own, added up as it is read.
            loose = found.loose = found.loose or _Run(first_line=line, duration=0.0)
            loose.rows += 1
            loose.energy += values.get("energy_consumed", 0.0)
            loose.it_energy += values.get("energy_consumed", 0.0) / (values.get("pue") or 1.0)
            loose.co2 += values.get("emissions", 0.0)
            loose.duration += values.get("duration", 0.0)
            _remember(found, values.get("pue"), place)
    if len(problems) > MAX_PROBLEMS:
        stop = f"stopped after the first {MAX_PROBLEMS} problems; fix these and run again"
        raise GovcardError([*problems[:MAX_PROBLEMS], Problem(name, 0, 0, stop)])
    if problems:
        raise GovcardError(problems)
    if found.rows == 0 and run_id is None:
        raise GovcardError.at(name, "has no rows; run a codecarbon tracker first")
    for run in found.runs.values():
        _remember(found, run.pue, run.place)
    return found


def _numbers(
    name: str, line: int, row: dict[str, str], columns: tuple[str, ...], problems: list[Problem]
) -> dict[str, float]:
    values: dict[str, float] = {}
    for column in columns:
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
    return values


def _take(run: _Run, values: dict[str, float], place: str, duration: float) -> None:
    run.duration = duration
    run.energy = values.get("energy_consumed", 0.0)
    run.pue = values.get("pue")
    run.it_energy = run.energy / (run.pue or 1.0)
    run.co2 = values.get("emissions", 0.0)
    run.place = place


def _remember(found: _File, pue: float | None, place: str) -> None:
    if pue is not None and len(found.pues) < MAX_DISTINCT:
        found.pues[pue] = None
    if place:
        found.places[place] = None


def _total(files: list[_File]) -> Measurement:
    energy = it_energy = co2 = duration = 0.0
    rows = runs = loose_rows = 0
    pues: dict[float, None] = {}
    places: dict[str, None] = {}
    for found in files:
        rows += found.rows
        counted = list(found.runs.values())
        if found.loose is not None:
            counted.append(found.loose)
            runs += found.loose.rows
            loose_rows += found.loose.rows
        runs += len(found.runs)
        for run in counted:
            energy += run.energy
            it_energy += run.it_energy
            co2 += run.co2
            duration += max(run.duration, 0.0)
        pues.update(found.pues)
        places.update(found.places)
    return Measurement(
        files=tuple(f.name for f in files),
        rows=rows,
        runs=runs,
        energy_kwh=energy,
        it_energy_kwh=it_energy,
        co2eq_kg=co2,
        pues=tuple(pues)[:MAX_DISTINCT],
        duration_s=duration if all(f.has_duration for f in files) else None,
        places=_first(tuple(places)),
        rows_without_run_id=loose_rows,
    )


def _first(places: tuple[str, ...]) -> tuple[str, ...]:
    if len(places) <= MAX_DISTINCT:
        return places
    return (*places[:MAX_DISTINCT], f"and {len(places) - MAX_DISTINCT:,} more")
