"""Geometry of the server-drawn SVG charts: the template only places what is computed here.
Colours are CSS classes (no inline style: the CSP stays strict)."""

from dataclasses import dataclass

from .dashboard import Dashboard

CELL_W, CELL_H, LEFT, TOP = 72, 34, 90, 28


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    level: str
    label: str
    title: str


@dataclass(frozen=True)
class Label:
    x: int
    y: int
    text: str


@dataclass
class Heatmap:
    width: int
    height: int
    cells: list[Cell]
    columns: list[Label]
    rows: list[Label]
    cell_w: int = CELL_W
    cell_h: int = CELL_H


def heatmap(dashboard: Dashboard, *, years: str) -> Heatmap:
    cells, rows = [], []
    for r, (band, band_cells) in enumerate(dashboard.rows):
        y = TOP + r * CELL_H
        rows.append(Label(x=LEFT - 8, y=y + CELL_H // 2 + 4, text=f"{band[0]}-{band[1]} {years}"))
        for c, cell in enumerate(band_cells):
            label = "—" if cell.rate is None else f"{cell.rate} %"
            cells.append(
                Cell(
                    x=LEFT + c * CELL_W,
                    y=y,
                    level=cell.level,
                    label=label,
                    title=f"{cell.week.label}, {band[0]}-{band[1]} {years}: "
                    f"{cell.taken}/{cell.capacity}",
                )
            )
    columns = [
        Label(x=LEFT + c * CELL_W + CELL_W // 2, y=TOP - 10, text=f"S{week.number}")
        for c, week in enumerate(dashboard.weeks)
    ]
    return Heatmap(
        width=LEFT + CELL_W * max(len(dashboard.weeks), 1) + 10,
        height=TOP + CELL_H * max(len(dashboard.bands), 1) + 10,
        cells=cells,
        columns=columns,
        rows=rows,
    )


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str
    title: str
    kind: str = ""


@dataclass
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    baseline: int


def bar_chart(
    values: list[tuple[str, float, str, str]],
    *,
    bar_w: int = 24,
    gap: int = 6,
    height: int = 160,
) -> BarChart:
    """Bars for (label, value, title, css kind) tuples, scaled to the largest value."""
    top = max((v for _l, v, _t, _k in values), default=0) or 1
    plot = height - 30
    bars = []
    for i, (label, value, title, kind) in enumerate(values):
        h = round(plot * value / top)
        bars.append(
            Bar(
                x=10 + i * (bar_w + gap),
                y=10 + plot - h,
                width=bar_w,
                height=h,
                label=label,
                title=title,
                kind=kind,
            )
        )
    return BarChart(
        width=20 + len(values) * (bar_w + gap), height=height, bars=bars, baseline=10 + plot
    )
