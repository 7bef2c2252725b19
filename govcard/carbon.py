"""Carbon accounting: energy and CO2eq of training, recomputed from facts and checked against
what the project reported.

    IT energy (kWh)       = GPU-hours x average power per GPU (W) / 1000
    facility energy (kWh) = IT energy x PUE
    CO2eq (kg)            = facility energy x grid carbon intensity (kgCO2e/kWh)

Published reports follow different conventions (PUE left out, PUE in the CO2 but not the energy),
and print rounded figures. A reported figure is consistent when it lies within the larger of 0.5%
and one unit of its last printed digit of the computed one; when it is not, the other convention
that reproduces it is named.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from govcard import intensity, measurements, units
from govcard.errors import GovcardError, Problem
from govcard.extras import MissingExtra
from govcard.loader import Project
from govcard.schema import Model, Reported, Training

RELATIVE_TOLERANCE = 0.005
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

    @property
    def missing_described(self) -> list[str]:
        """The missing facts in words, for cards."""
        return [MISSING_WORDS[key] for key in self.missing]

    def as_json(self) -> dict[str, Any]:
        """JSON-ready figures, rounded to 6 decimals so float noise does not show."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, float):
                data[key] = round(value, 6)
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
    gpu_hours = training.total_gpu_hours()
    if gpu_hours is None:
        missing.append("gpu_hours (or gpu_count and days)")
    elif training.gpu_hours is None:
        steps.append(
            f"GPU-hours = {units.format_number(training.gpu_count or 0)} GPUs x "
            f"{units.format_number(training.days or 0)} days x 24 h = {units.format_number(gpu_hours)} GPU-h"
        )
    if training.gpu_power_w is None:
        missing.append("gpu_power_w")
    energy = None
    if gpu_hours is not None and training.gpu_power_w is not None:
        energy = gpu_hours * training.gpu_power_w / 1000
        steps.append(
            f"IT energy = {units.format_number(gpu_hours)} GPU-h x "
            f"{units.format_number(training.gpu_power_w)} W / 1000 = {units.format_energy_kwh(energy)}"
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
    grid, source, place = _intensity(training)
    if grid is None:
        missing.append("carbon_intensity_kg_per_kwh or location")
    co2 = None
    if facility is not None and grid is not None:
        co2 = facility * grid
        steps.append(
            f"CO2eq = {units.format_energy_kwh(facility)} x {units.format_number(round(grid, 6))} "
            f"kgCO2e/kWh = {units.format_number(co2, 2)} kg ({units.format_mass_kg(co2)})"
        )
    if co2 is None:
        consistency = Consistency(
            "unverified", f"cannot compute the footprint: missing {', '.join(missing)}"
        )
    else:
        assert energy is not None and facility is not None and pue is not None
        consistency = check(training.reported, energy, facility, co2, pue)
    return Footprint(
        id=model.id,
        method="computed" if co2 is not None else "incomplete",
        gpu_hours=gpu_hours,
        gpu_power_w=training.gpu_power_w,
        energy_kwh=energy,
        pue=pue,
        facility_energy_kwh=facility,
        carbon_intensity_kg_per_kwh=grid,
        intensity_source=source,
        location=place,
        co2eq_kg=co2,
        consistency=consistency,
        steps=steps,
        missing=missing,
    )


def _intensity(training: Training) -> tuple[float | None, str | None, str | None]:
    if training.carbon_intensity_kg_per_kwh is not None:
        return training.carbon_intensity_kg_per_kwh, EXPLICIT_INTENSITY, None
    if training.location is not None:
        found = intensity.lookup(training.location)
        return found.kg_per_kwh, found.source, found.place
    return None, None, None


def _measured(model_id: str, training: Training, project: Project, index: int) -> Footprint:
    assert training.codecarbon_csv is not None
    csv_path = project.directory / training.codecarbon_csv
    try:
        measured = measurements.read(csv_path, training.codecarbon_run_id)
    except GovcardError as exc:
        # A problem inside the file points into it; one with the file as a whole points at the key
        # (a run the file does not have at codecarbon_run_id).
        key = "codecarbon_run_id" if isinstance(exc, measurements.UnknownRun) else "codecarbon_csv"
        at_key = ("models", index, "training", key)
        raise GovcardError(
            [
                p if p.line else project.problem(at_key, f"{p.file} {p.message}")
                for p in exc.problems
            ]
        ) from None
    facility = measured.energy_kwh
    energy = measured.it_energy_kwh
    pue = facility / energy if energy else 1.0
    grid = measured.co2eq_kg / facility if facility else None
    rows = f"{measured.rows} row{'s' if measured.rows != 1 else ''}"
    recorded = (
        ", ".join(units.format_number(p) for p in measured.pues) or "not recorded, 1.0 assumed"
    )
    steps = [
        f"codecarbon measured {units.format_energy_kwh(facility)} (PUE included; recorded PUE: "
        f"{recorded}) and {units.format_number(measured.co2eq_kg, 2)} kg CO2eq over {rows} of "
        f"{training.codecarbon_csv}",
        f"IT energy = each row's energy / its PUE = {units.format_energy_kwh(energy)}",
    ]
    return Footprint(
        id=model_id,
        method="codecarbon",
        gpu_hours=None,
        gpu_power_w=None,
        energy_kwh=energy,
        pue=pue,
        facility_energy_kwh=facility,
        carbon_intensity_kg_per_kwh=grid,
        intensity_source=f"codecarbon measurement ({training.codecarbon_csv}, {rows})",
        location=", ".join(measured.places) or None,
        co2eq_kg=measured.co2eq_kg,
        consistency=check(training.reported, energy, facility, measured.co2eq_kg, pue),
        steps=steps,
    )


def matches(reported: units.Quantity, computed: float) -> bool:
    """Within the larger of 0.5% and one unit of the reported figure's last printed digit."""
    tolerance = max(RELATIVE_TOLERANCE * abs(computed), reported.resolution)
    return abs(reported.value - computed) <= tolerance * (1 + 1e-9)


def check(
    reported: Reported | None, energy: float, facility: float, co2: float, pue: float
) -> Consistency:
    """Compare reported energy and CO2eq with the computed figures; name the convention followed."""
    reported_energy = reported.energy_quantity() if reported else None
    reported_co2 = reported.co2eq_quantity() if reported else None
    if reported_energy is None and reported_co2 is None:
        return Consistency("unverified", "no reported figures to compare")
    ok = True
    notes: list[str] = []
    has_overhead = pue != 1.0
    if reported_co2 is not None:
        shown = units.format_mass_kg(co2)
        if matches(reported_co2, co2):
            notes.append(f"reported {reported_co2.text} matches the computed {shown}")
        elif has_overhead and matches(reported_co2, co2 / pue):
            ok = False
            notes.append(
                f"reported {reported_co2.text} matches the figure without PUE "
                f"({units.format_mass_kg(co2 / pue)}); with the stated PUE {units.format_number(pue)} "
                f"it is {shown}"
            )
        else:
            ok = False
            off = (reported_co2.value - co2) / co2 * 100 if co2 else float("inf")
            notes.append(
                f"reported {reported_co2.text} differs from the computed {shown} ({off:+.1f}%)"
            )
    if reported_energy is not None:
        if has_overhead and matches(reported_energy, facility):
            notes.append(f"reported {reported_energy.text} is the facility energy, PUE included")
        elif matches(reported_energy, energy):
            notes.append(
                f"reported {reported_energy.text} is the IT energy before PUE"
                if has_overhead
                else f"reported {reported_energy.text} matches the computed energy"
            )
        else:
            ok = False
            notes.append(
                f"reported {reported_energy.text} matches neither the IT energy "
                f"({units.format_energy_kwh(energy)}) nor the facility energy "
                f"({units.format_energy_kwh(facility)})"
            )
    return Consistency("consistent" if ok else "inconsistent", "; ".join(notes))
