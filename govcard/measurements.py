"""Import a codecarbon `emissions.csv`: energy and emissions as measured by its trackers.

Its header differs across codecarbon versions (12, 31, 38 columns), so columns are read by name.
`energy_consumed` is kWh and already includes PUE (the `pue` column only records the factor);
`emissions` is kg. Each row is one run or flush: rows are summed, or filtered by `run_id`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from govcard.errors import GovcardError, Problem

REQUIRED = ("emissions", "energy_consumed")
MAX_BYTES = 50 * 1024 * 1024


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
    """The distinct PUE values codecarbon applied, as recorded."""
    duration_s: float | None
    places: tuple[str, ...]
    """Distinct `country_iso_code/region` values, as recorded."""


def read(path: Path, run_id: str | None = None) -> Measurement:
    """Sum an emissions.csv (optionally one run); raise `GovcardError` located in the file."""
    name = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise GovcardError.at(name, f"is larger than {MAX_BYTES:,} bytes")
        text = path.read_bytes().decode("utf-8-sig")
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
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise GovcardError.at(
            name, f"no {' or '.join(missing)} column; is this codecarbon's emissions.csv?", 1, 1
        )
    problems: list[Problem] = []
    energy = it_energy = co2 = duration = 0.0
    has_duration = "duration" in header
    pues: list[float] = []
    places: list[str] = []
    rows = 0
    for row in reader:
        line = reader.line_num
        if run_id is not None and row.get("run_id") != run_id:
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
                    problems.append(
                        Problem(name, line, 1, f"{column}: expected a number >= 0, got {raw!r}")
                    )
                continue
            values[column] = value
        energy += values.get("energy_consumed", 0.0)
        it_energy += values.get("energy_consumed", 0.0) / (values.get("pue") or 1.0)
        co2 += values.get("emissions", 0.0)
        duration += values.get("duration", 0.0)
        if "pue" in values and values["pue"] not in pues:
            pues.append(values["pue"])
        place = "/".join(p for p in (row.get("country_iso_code"), row.get("region")) if p)
        if place and place not in places:
            places.append(place)
    if problems:
        raise GovcardError(problems)
    if rows == 0:
        which = f" with run_id {run_id!r}" if run_id is not None else ""
        raise GovcardError.at(name, f"has no rows{which}; run a codecarbon tracker first")
    return Measurement(
        file=name,
        rows=rows,
        energy_kwh=energy,
        co2eq_kg=co2,
        it_energy_kwh=it_energy,
        pues=tuple(pues),
        duration_s=duration if has_duration else None,
        places=tuple(places),
    )
