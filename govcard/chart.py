"""The site's carbon chart: each model's training CO2eq, computed and reported, as an SVG.

The scale is logarithmic, one gridline per power of ten, so that a 149 kg model stays visible next
to a 16.7 t one; it starts a decade below the smallest figure, so the shortest bar spans at least
one decade. Each model is a block of rows (its name, its bar, its figures, the verdict on the
reported figure) as wide as the chart, so the text keeps its size on a phone, where the page
scales the chart down to the screen: drawn 440 units wide with text of at least 14 units, the
chart shown 358 px wide on a 390 px screen prints no text below 11 px. The legend is in the
picture. It is made here, at build time, and holds no script.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from govcard import carbon, units
from govcard.derive import ModelView

WIDTH = 440
MARGIN = 12
TEXT = 14
"""The smallest text, in SVG units: 11.4 px when the chart is shown 358 px wide."""
NAME = 15
HEADING = 16
LINE = 18
"""From one line of text to the next."""
BAR = 18
MARKER_OVERHANG = 5
"""How far the reported figure's mark reaches above and below the bar."""
GAP = 18
"""Between two models."""
COMPUTED_COLOUR = "#2e7d32"
REPORTED_COLOUR = "#000000"
GRID_COLOUR = "#c8c8c8"
VERDICT_COLOURS = {"agrees": "#1b5e20", "differs": "#b3261e", "missing": "#555555"}
TITLE = "Training emissions by model, CO2eq"
AXIS_TITLE = "CO2eq, log scale: each gridline is 10 times the last"
# Text widths are estimated, the picture holding no script to measure them: 0.62 em a character
# (0.7 em in bold) is generous for the common default sans-serif fonts (DejaVu Sans, the widest,
# averages about 0.6 em over figures and lower case).
EM_WIDTH = 0.62
BOLD_EM_WIDTH = 0.7


@dataclass(frozen=True)
class Row:
    """One model in the chart: its computed and reported CO2eq (either may be missing)."""

    name: str
    computed_kg: float | None
    reported: units.Quantity | None

    @property
    def figures(self) -> list[str]:
        """The figures in words: "computed 149.1 kg", "reported 124 kg"."""
        computed = "none" if self.computed_kg is None else units.format_mass_kg(self.computed_kg)
        reported = "none" if self.reported is None else self.reported.text
        return [f"computed {computed}", f"reported {reported}"]


@dataclass(frozen=True)
class Verdict:
    """What the chart says of a model's reported figure against the computed one."""

    kind: Literal["agrees", "differs", "missing"]
    """"missing" when there is no figure to compare with."""
    text: str


def rows(models: list[ModelView]) -> list[Row]:
    """The models with a computed or a reported CO2eq, in the order of the facts."""
    found = [Row(v.model.name, _computed_kg(v), _reported_co2(v)) for v in models]
    return [r for r in found if r.computed_kg is not None or r.reported is not None]


def _reported_co2(view: ModelView) -> units.Quantity | None:
    """The CO2eq the project reported for a model's training, as printed."""
    training = view.model.training
    return training.reported.co2eq_quantity() if training and training.reported else None


def _computed_kg(view: ModelView) -> float | None:
    return view.footprint.co2eq_kg if view.footprint else None


def verdict(row: Row) -> Verdict:
    """Whether the reported figure agrees with the computed one, within the carbon account's
    tolerance (see `carbon.matches`), and if not, by how much it differs."""
    if row.computed_kg is None:
        return Verdict("missing", "not computed: facts missing")
    if row.reported is None:
        return Verdict("missing", "not reported")
    if carbon.matches(row.reported, row.computed_kg):
        return Verdict("agrees", "reported agrees with computed")
    return Verdict("differs", f"reported is {_difference(row.reported.value, row.computed_kg)}")


def _difference(reported: float, computed: float) -> str:
    side = "above" if reported > computed else "below"
    if reported == 0 or computed == 0:
        return f"{side} computed"
    ratio = reported / computed
    if 0.5 <= ratio <= 2:
        return f"{abs(ratio - 1) * 100:.1f}% {side} computed"
    if ratio > 2:
        return f"{units.format_number(round(ratio))} times computed"
    return f"1/{units.format_number(round(1 / ratio))} of computed"


def decade_label(exponent: int) -> str:
    """A gridline's label: 10**exponent kg in the unit `units.format_mass_kg` would use, without
    decimals (a power of ten is exact): "100 kg", "1 t", "10,000 t", "0.1 g"."""
    if exponent >= 3:
        return f"{units.format_number(10 ** (exponent - 3))} t"
    if exponent >= 0:
        return f"{10**exponent} kg"
    if exponent >= -3:
        return f"{10 ** (exponent + 3)} g"
    return f"{Decimal(10) ** (exponent + 3):f} g"


@dataclass(frozen=True)
class Scale:
    """A log10 scale from 10**low to 10**high kg, drawn from x = left to x = right."""

    low: int
    high: int
    left: float
    right: float

    @classmethod
    def fitting(cls, values: list[float], width: float) -> Scale:
        """From a decade below the smallest positive value to the decade at or above the
        largest (1 to 10 kg when no value is positive: zero has no place on a log scale), inset
        so that the labels of its ends, centred on their gridlines, stay inside `width`."""
        positive = [v for v in values if v > 0]
        low, high = 0, 1
        if positive:
            low = math.floor(math.log10(min(positive))) - 1
            high = max(low + 1, math.ceil(math.log10(max(positive))))
        inset = max(MARGIN, max(text_width(decade_label(e), TEXT) for e in (low, high)) / 2 + 2)
        return cls(low, high, inset, width - inset)

    def x(self, kg: float) -> float:
        """Where `kg` (positive) lies."""
        fraction = (math.log10(kg) - self.low) / (self.high - self.low)
        return self.left + fraction * (self.right - self.left)

    def decades(self) -> range:
        """The powers of ten from one end to the other, as exponents."""
        return range(self.low, self.high + 1)

    def labelled(self) -> list[int]:
        """The decades whose gridline is labelled: every one, or every second, third... when
        the labels would otherwise touch."""
        room = (self.right - self.left) / (self.high - self.low)
        widest = max(text_width(decade_label(e), TEXT) for e in self.decades())
        step = max(1, math.ceil((widest + 10) / room))
        return list(self.decades()[::step])


def text_width(text: str, size: float, bold: bool = False) -> float:
    """An upper estimate of the width of `text` printed at `size` units."""
    return len(text) * size * (BOLD_EM_WIDTH if bold else EM_WIDTH)


def _fit(text: str, size: float, room: float, bold: bool = False) -> str:
    """`text`, cut short with an ellipsis if it would be wider than `room`."""
    if text_width(text, size, bold) <= room:
        return text
    keep = max(1, int(room / (size * (BOLD_EM_WIDTH if bold else EM_WIDTH))) - 1)
    return text[:keep].rstrip() + "\u2026"


def _text(x: float, y: float, text: str, attributes: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}"{attributes}>{html.escape(text)}</text>'


def _mark(x: float, top: float, bottom: float) -> str:
    return (
        f'<line class="reported" x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" '
        f'stroke="{REPORTED_COLOUR}" stroke-width="3"/>'
    )


def _vertical(x: float, top: float, bottom: float, colour: str) -> str:
    return f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" stroke="{colour}"/>'


def carbon_chart(models: list[ModelView]) -> str | None:
    """The chart as SVG text, or None when no model has a computed or reported CO2eq."""
    chart = rows(models)
    if not chart:
        return None
    room = WIDTH - 2 * MARGIN
    values = [v for r in chart for v in (r.computed_kg, r.reported and r.reported.value) if v]
    scale = Scale.fitting(values, WIDTH)
    y = HEADING + 8.0
    body = [_text(MARGIN, y, TITLE, f' font-size="{HEADING}" font-weight="bold"')]
    # The legend: a swatch of the bar, then the mark of a reported figure.
    y += 10
    body.append(
        f'<rect x="{MARGIN}" y="{y + 4:.1f}" width="22" height="12" fill="{COMPUTED_COLOUR}"/>'
    )
    body.append(_text(MARGIN + 30, y + 15, "computed from the project's facts"))
    y += LINE + 4
    body.append(_mark(MARGIN + 11, y + 1, y + 19))
    body.append(_text(MARGIN + 30, y + 15, "reported by the project"))
    y += LINE + 4
    described = []
    for row in chart:
        y += GAP + NAME
        name = _fit(row.name, NAME, room, bold=True)
        body.append(_text(MARGIN, y, name, f' font-size="{NAME}" font-weight="bold" class="name"'))
        top = y + 8
        bottom = top + BAR
        body.extend(
            _vertical(
                scale.x(10.0**e), top - MARKER_OVERHANG, bottom + MARKER_OVERHANG, GRID_COLOUR
            )
            for e in scale.decades()
        )
        if row.computed_kg:
            body.append(
                f'<rect class="bar" x="{scale.left:.1f}" y="{top:.1f}" '
                f'width="{scale.x(row.computed_kg) - scale.left:.1f}" height="{BAR}" '
                f'fill="{COMPUTED_COLOUR}"/>'
            )
        if row.reported is not None and row.reported.value > 0:
            x = scale.x(row.reported.value)
            body.append(_mark(x, top - MARKER_OVERHANG, bottom + MARKER_OVERHANG))
        y = bottom + MARKER_OVERHANG
        together = " \u00b7 ".join(row.figures)
        for text in [together] if text_width(together, TEXT) <= room else row.figures:
            y += LINE
            body.append(_text(MARGIN, y, text, ' class="figures"'))
        said = verdict(row)
        y += LINE
        colour = VERDICT_COLOURS[said.kind]
        body.append(_text(MARGIN, y, said.text, f' fill="{colour}" class="verdict"'))
        described.append(f"{row.name}: {', '.join(row.figures)}; {said.text}.")
    y += GAP
    body.append(
        f'<line x1="{scale.left:.1f}" x2="{scale.right:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
        'stroke="#000000"/>'
    )
    body.extend(_vertical(scale.x(10.0**e), y, y + 5, "#000000") for e in scale.decades())
    y += 5 + LINE
    body.extend(
        _text(scale.x(10.0**e), y, decade_label(e), ' text-anchor="middle" class="tick"')
        for e in scale.labelled()
    )
    y += LINE + 4
    body.append(_text(MARGIN, y, AXIS_TITLE, ' class="axis"'))
    height = math.ceil(y + MARGIN)
    summary = (
        f"Computed and reported training CO2eq of each model, on a logarithmic scale from "
        f"{decade_label(scale.low)} to {decade_label(scale.high)}. " + " ".join(described)
    )
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="chart-title chart-desc" '
            f'font-family="sans-serif" font-size="{TEXT}">',
            f'<title id="chart-title">{TITLE}</title>',
            f'<desc id="chart-desc">{html.escape(summary)}</desc>',
            '<rect width="100%" height="100%" fill="#ffffff"/>',
            *body,
            "</svg>",
            "",
        ]
    )
