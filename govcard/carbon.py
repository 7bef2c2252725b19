"""Carbon accounting: energy and CO2eq of training, recomputed from facts and checked against
what the project reported.

    IT energy (kWh)       = GPU-hours x average power per GPU (W) / 1000
    facility energy (kWh) = IT energy x PUE
    CO2eq (kg)            = facility energy x grid carbon intensity (kgCO2e/kWh)

Published reports follow different conventions (PUE left out, PUE in the CO2 but not the energy),
and print rounded figures. A reported figure is consistent when it lies within the larger of 0.5%
and half a unit of its last printed digit of the computed one ("124 kg" stands for 123.5 to 124.5
kg); when it is not, the other convention that reproduces it, or the unit slip, is named.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from govcard import accelerators, intensity, measurements, units
from govcard.errors import GovcardError, Problem
from govcard.extras import MissingExtra
from govcard.loader import Project
from govcard.schema import Model, Reported, Training

RELATIVE_TOLERANCE = 0.005
LOW_WATTS = 30.0
"""Below this average power per GPU a figure is suspicious (a T4 draws at most 70 W)."""
HIGH_WATTS = 1200.0
"""Above this, more than any single accelerator's published board power."""
HIGH_INTENSITY = 1.2
"""kgCO2e/kWh above the most carbon-intensive grids (coal power is about 1 kg/kWh)."""
HIGH_PUE = 2.0
"""Data centres report PUEs of about 1.1 to 2."""
EXPLICIT_INTENSITY = "explicit value stated in the project's facts"
MISSING_WORDS = {
    "gpu_hours (or gpu_count and days)": "the GPU-hours",
    "gpu_power_w": "the average power per GPU",
    "carbon_intensity_kg_per_kwh or location": "the grid carbon intensity or the location",
}
Status = Literal["consistent", "inconsistent", "unverified"]


@dataclass(frozen=True)
class Consistency:
    """Whether the reported figures agree with the computed ones, and why."""

    status: Status
    message: str


@dataclass(frozen=True)
class Footprint:
    """A model's training footprint: every figure, where it came from and how it was computed."""

    id: str
    method: Literal["computed", "codecarbon", "incomplete"]
    gpu_hours: float | None
    gpu_power_w: float | None
    energy_kwh: float | None
    """IT energy: what the GPUs drew, before PUE."""
    pue: float | None
    facility_energy_kwh: float | None
    carbon_intensity_kg_per_kwh: float | None
    intensity_source: str | None
    location: str | None
    co2eq_kg: float | None
    consistency: Consistency
    steps: list[str] = field(default_factory=list)
    """The computation, one line per step, for cards and reports."""
    missing: list[str] = field(default_factory=list)
    """Facts that would be needed to compute what is missing (keys of project.yaml)."""
    intensity_basis: str | None = None
    """What the intensity counts, in a word or two: "lifecycle", "combustion", "fossil combustion
    only", ...; the intensity source explains it. None for a figure the facts give."""
    gpu_power_assumed: str | None = None
    """When gpu_power_w was not given: whose published board power was assumed instead."""
    gpu_power_sources: list[str] = field(default_factory=list)
    """Where that board power is published."""
    notes: list[str] = field(default_factory=list)
    """What would complete the facts, beyond the missing keys (an ambiguous hardware, say)."""
    warnings: list[str] = field(default_factory=list)
    """Plausible but suspicious facts, located (file:line:column: path: message)."""

    @property
    def missing_described(self) -> list[str]:
        """The missing facts in words, for cards."""
        return [MISSING_WORDS[key] for key in self.missing]

    def as_json(self) -> dict[str, Any]:
        """JSON-ready figures, to the 15 significant digits a double holds: no floating-point
        noise (72499.2, not 72499.20000000001), and a tiny run is not rounded to 0."""
        fields = asdict(self)
        data: dict[str, Any] = {}
        for key, value in fields.items():
            if key in ("intensity_basis", "gpu_power_assumed", "gpu_power_sources"):
                continue
            data[key] = float(units.exact(value)) if isinstance(value, float) else value
            if key == "gpu_power_w":
                data["gpu_power_assumed"] = self.gpu_power_assumed
                data["gpu_power_sources"] = self.gpu_power_sources
            if key == "intensity_source":
                data["intensity_basis"] = self.intensity_basis
        return data


def footprints(project: Project) -> list[Footprint]:
    """The footprint of every model that has training facts, in file order.

    Raises `GovcardError` with every unknown location and unreadable measurement file, located.
    """
    results: list[Footprint] = []
    problems: list[Problem] = []
    for index, model in enumerate(project.facts.models):
        if model.training is None:
            continue
        try:
            results.append(footprint(model, model.training, project, index))
        except intensity.UnknownLocation as exc:
            problems.append(project.problem(("models", index, "training", "location"), str(exc)))
        except MissingExtra as exc:
            # Once, at the first location: every other one needs the same install.
            at = ("models", index, "training", "location")
            advice = (
                f"looking up its grid intensity {exc.advice}, or give carbon_intensity_kg_per_kwh"
            )
            raise GovcardError([project.problem(at, advice)]) from None
        except GovcardError as exc:
            problems.extend(exc.problems)
    if problems:
        raise GovcardError(problems)
    return results


def footprint(model: Model, training: Training, project: Project, index: int) -> Footprint:
    """One model's footprint (see `footprints`)."""
    if training.codecarbon_csv is not None:
        return _measured(model.id, training, project, index)
    steps: list[str] = []
    missing: list[str] = []
    notes: list[str] = []
    gpu_hours = training.total_gpu_hours()
    if gpu_hours is None:
        missing.append("gpu_hours (or gpu_count and days)")
    elif training.gpu_hours is None:
        steps.append(
            f"GPU-hours = {units.format_number(training.gpu_count or 0)} GPUs x "
            f"{units.format_number(training.days or 0)} days x 24 h = {units.format_number(gpu_hours)} GPU-h"
        )
    board = accelerators.recognise(training.hardware) if training.hardware else None
    power = training.gpu_power_w
    assumed = None
    sources: list[str] = []
    if power is None and board is not None and board.watts is not None:
        power = board.watts
        assumed = f"the published board power (TDP) of the {board.name}"
        sources = list(board.sources)
        steps.append(
            f"average power per GPU not stated: {units.format_number(power)} W assumed, {assumed} "
            f"named in hardware ({', '.join(sources)}); a training run usually draws less, so "
            "the energy is an upper bound"
        )
    elif power is None:
        missing.append("gpu_power_w")
        # Named when the power is what stands between the GPU-hours and the energy.
        if board is not None and gpu_hours is not None:
            candidates = " or ".join(
                f"{b.name} ({units.format_number(b.watts)} W)" for b in board.boards
            )
            notes.append(
                f"the hardware {training.hardware!r} could be {candidates}: name the board in "
                "hardware, or give gpu_power_w"
            )
    energy = None
    if gpu_hours is not None and power is not None:
        energy = gpu_hours * power / 1000
        steps.append(
            f"IT energy = {units.format_number(gpu_hours)} GPU-h x "
            f"{units.format_number(power)} W / 1000 = {units.format_energy_kwh(energy)}"
        )
    pue = training.pue
    facility = None
    if energy is not None:
        pue = 1.0 if pue is None else pue
        facility = energy * pue
        if training.pue is None:
            steps.append("PUE not stated: 1.0 assumed, no data-centre overhead counted")
        else:
            steps.append(
                f"facility energy = {units.format_energy_kwh(energy)} x PUE {units.format_number(pue)}"
                f" = {units.format_energy_kwh(facility)}"
            )
    grid, source, place, basis = _intensity(training)
    if grid is None:
        missing.append("carbon_intensity_kg_per_kwh or location")
    co2 = None
    if facility is not None and grid is not None:
        co2 = facility * grid
        shown = (
            f"{units.format_number(co2, 2)} kg ({units.format_mass_kg(co2)})"
            if co2 >= 1
            else units.format_mass_kg(co2)
        )
        steps.append(
            f"CO2eq = {units.format_energy_kwh(facility)} x {units.format_number(round(grid, 6))} "
            f"kgCO2e/kWh = {shown}"
        )
    if co2 is None:
        consistency = Consistency(
            "unverified",
            "; ".join([f"cannot compute the footprint: missing {', '.join(missing)}", *notes]),
        )
    else:
        assert energy is not None and facility is not None and pue is not None
        consistency = check(training.reported, energy, facility, co2, pue)
    return Footprint(
        id=model.id,
        method="computed" if co2 is not None else "incomplete",
        gpu_hours=gpu_hours,
        gpu_power_w=power,
        energy_kwh=energy,
        pue=pue,
        facility_energy_kwh=facility,
        carbon_intensity_kg_per_kwh=grid,
        intensity_source=source,
        intensity_basis=basis,
        location=place,
        co2eq_kg=co2,
        consistency=consistency,
        steps=steps,
        missing=missing,
        gpu_power_assumed=assumed,
        gpu_power_sources=sources,
        notes=notes,
        warnings=_warnings(training, board, project, index),
    )


def _warnings(
    training: Training, board: accelerators.Recognised | None, project: Project, index: int
) -> list[str]:
    """Facts that are valid but suspicious: a unit slip that still lands in range, say."""
    found: list[tuple[str, str]] = []
    watts = training.gpu_power_w
    if watts is not None:
        shown = f"{units.format_number(watts)} W per GPU"
        if watts < LOW_WATTS:
            found.append(
                (
                    "gpu_power_w",
                    f"{shown} is low for training hardware (a T4 draws at most 70 W): check that "
                    "it is the average power of one GPU, in watts",
                )
            )
        elif watts > HIGH_WATTS:
            found.append(
                (
                    "gpu_power_w",
                    f"{shown} is more than a single accelerator's board power (an H100 SXM draws "
                    "at most 700 W): is it a node's power? give the watts of one GPU",
                )
            )
        elif board is not None and board.watts is not None and watts > board.watts:
            found.append(
                (
                    "gpu_power_w",
                    f"{shown} is above the {units.format_number(board.watts)} W board power "
                    f"published for the {board.name} named in hardware: check the figure",
                )
            )
    grid = training.carbon_intensity_kg_per_kwh
    if grid is not None and grid > HIGH_INTENSITY:
        found.append(
            (
                "carbon_intensity_kg_per_kwh",
                f"{units.format_number(grid)} kgCO2e/kWh is above the most carbon-intensive grids "
                "(coal power is about 1 kg/kWh): check the figure and its unit",
            )
        )
    if training.pue is not None and training.pue > HIGH_PUE:
        found.append(
            (
                "pue",
                f"PUE {units.format_number(training.pue)} is above what data centres report "
                "(about 1.1 to 2): check the figure",
            )
        )
    return [str(project.problem(("models", index, "training", key), text)) for key, text in found]


def _intensity(
    training: Training,
) -> tuple[float | None, str | None, str | None, str | None]:
    """The intensity, its provenance (with what it counts), the place and what it counts."""
    if training.carbon_intensity_kg_per_kwh is not None:
        return training.carbon_intensity_kg_per_kwh, EXPLICIT_INTENSITY, None, None
    if training.location is not None:
        found = intensity.lookup(training.location)
        return found.kg_per_kwh, f"{found.source}; {found.basis}", found.place, found.basis.label
    return None, None, None, None


def _measured(model_id: str, training: Training, project: Project, index: int) -> Footprint:
    names = training.codecarbon_files()
    key: tuple[str | int, ...] = ("models", index, "training", "codecarbon_csv")

    def at(item: int | None, subject: str, message: str) -> Problem:
        # A problem with a file as a whole points at its name, one with the run id at the id.
        if item is None:
            return project.problem(("models", index, "training", "codecarbon_run_id"), message)
        where = (*key, item) if isinstance(training.codecarbon_csv, list) else key
        return project.problem(where, f"{subject} {message}")

    listed = [(name, project.directory / name) for name in names]
    measured = measurements.measure(listed, training.codecarbon_run_id, at)
    facility = measured.energy_kwh
    energy = measured.it_energy_kwh
    pue = facility / energy if energy else 1.0
    grid = measured.co2eq_kg / facility if facility else None
    files = names[0] if len(names) == 1 else f"{len(names)} files ({', '.join(names)})"
    basis = None
    basis_note = None
    if len(measured.places) == 1:
        country, _, region = measured.places[0].partition("/")
        basis = intensity.basis_of(country, region or None)
        if basis is not None:
            basis_note = (
                f"codecarbon's bundled figure for {measured.places[0]} is {basis} (unless the "
                "tracker used a cloud region's or a live Electricity Maps figure)"
            )
    runs = _count(measured.runs, "run")
    recorded = (
        ", ".join(units.format_number(p) for p in measured.pues) or "not recorded, 1.0 assumed"
    )
    steps = [
        f"codecarbon measured {units.format_energy_kwh(facility)} (PUE included; recorded PUE: "
        f"{recorded}) and {units.format_mass_kg(measured.co2eq_kg)} CO2eq in {runs} of {files}"
    ]
    if measured.rows > measured.runs:
        steps.append(
            f"each run counts once, by its last row: codecarbon's rows hold a run's totals so far "
            f"({_count(measured.rows, 'row')} for {runs})"
        )
    if measured.rows_without_run_id:
        steps.append(
            f"{_count(measured.rows_without_run_id, 'row')} without a run_id (codecarbon 1.x) "
            "count each as a run"
        )
    steps.append(f"IT energy = each run's energy / its PUE = {units.format_energy_kwh(energy)}")
    return Footprint(
        id=model_id,
        method="codecarbon",
        gpu_hours=None,
        gpu_power_w=None,
        energy_kwh=energy,
        pue=pue,
        facility_energy_kwh=facility,
        carbon_intensity_kg_per_kwh=grid,
        intensity_source=f"codecarbon measurement ({files}, {runs} of "
        f"{_count(measured.rows, 'row')})" + (f"; {basis_note}" if basis_note else ""),
        intensity_basis=basis.label if basis else None,
        location=", ".join(measured.places) or None,
        co2eq_kg=measured.co2eq_kg,
        consistency=check(training.reported, energy, facility, measured.co2eq_kg, pue),
        steps=steps,
    )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def matches(reported: units.Quantity, computed: float) -> bool:
    """Within the larger of 0.5% and half a unit of the reported figure's last printed digit."""
    tolerance = max(RELATIVE_TOLERANCE * abs(computed), reported.tolerance)
    return abs(reported.value - computed) <= tolerance * (1 + 1e-9)


def _agreement(reported: units.Quantity, computed: float) -> str | None:
    """None when `reported` does not match `computed`; "" when it is `computed` as printed; else
    the words that say it matches only within 0.5%."""
    if reported.rounds_to(computed):
        return ""
    if matches(reported, computed):
        return (
            f" within 0.5%, not to its last digit (the computed figure printed so is "
            f"{units.rounded_like(computed, reported)})"
        )
    return None


def _slip(reported: units.Quantity, *computed: float) -> str | None:
    """A hint when `reported` is 1,000 times one of the `computed` figures: a unit slip."""
    for ratio in (1000, -1000):
        factor = ratio if ratio > 0 else 1 / -ratio
        for value in computed:
            if value and matches(reported, value * factor):
                pair = units.neighbour_units(reported.unit, ratio)
                how = "1,000 times" if ratio > 0 else "a thousandth of"
                return f"{how} the computed {units.shown_against(value, reported)}" + (
                    f": {pair} mixed up?" if pair else ": a unit mixed up?"
                )
    return None


def check(
    reported: Reported | None, energy: float, facility: float, co2: float, pue: float
) -> Consistency:
    """Compare reported energy and CO2eq with the computed figures; name the convention followed.

    A figure matches when it is within half a unit of its last printed digit ("124 kg" is
    123.5-124.5 kg) or within 0.5% (a rounded input such as an intensity printed to three digits);
    a match of the second kind says so. Each computed figure is shown in the reported figure's
    unit with one more digit, so that the comparison can be read.
    """
    reported_energy = reported.energy_quantity() if reported else None
    reported_co2 = reported.co2eq_quantity() if reported else None
    if reported_energy is None and reported_co2 is None:
        return Consistency("unverified", "no reported figures to compare")
    ok = True
    notes: list[str] = []
    has_overhead = pue != 1.0
    if reported_co2 is not None:
        shown = units.shown_against(co2, reported_co2)
        agreement = _agreement(reported_co2, co2)
        without_pue = co2 / pue
        slip = _slip(reported_co2, co2)
        if agreement is not None:
            notes.append(f"reported {reported_co2.text} matches the computed {shown}{agreement}")
        elif has_overhead and matches(reported_co2, without_pue):
            ok = False
            notes.append(
                f"reported {reported_co2.text} matches the figure without PUE "
                f"({units.shown_against(without_pue, reported_co2)}); with the stated PUE "
                f"{units.format_number(pue)} it is {shown}"
            )
        elif slip is not None:
            ok = False
            notes.append(f"reported {reported_co2.text} is {slip}")
        else:
            ok = False
            off = (reported_co2.value - co2) / co2 * 100 if co2 else float("inf")
            notes.append(
                f"reported {reported_co2.text} differs from the computed {shown} ({off:+.1f}%)"
            )
    if reported_energy is not None:
        text = reported_energy.text
        as_facility = _agreement(reported_energy, facility) if has_overhead else None
        as_it = _agreement(reported_energy, energy)
        slip = _slip(reported_energy, energy, facility)
        if as_facility is not None:
            notes.append(f"reported {text} is the facility energy, PUE included{as_facility}")
        elif as_it is not None:
            notes.append(
                f"reported {text} is the IT energy before PUE{as_it}"
                if has_overhead
                else f"reported {text} matches the computed energy{as_it}"
            )
        elif slip is not None:
            ok = False
            notes.append(f"reported {text} is {slip}")
        else:
            ok = False
            notes.append(
                f"reported {text} matches neither the IT energy "
                f"({units.shown_against(energy, reported_energy)}) nor the facility energy "
                f"({units.shown_against(facility, reported_energy)})"
                if has_overhead
                else f"reported {text} differs from the computed energy "
                f"({units.shown_against(energy, reported_energy)})"
            )
    return Consistency("consistent" if ok else "inconsistent", "; ".join(notes))
