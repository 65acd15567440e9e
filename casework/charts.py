"""Bar charts drawn on the server as inline SVG: no script, no animation, readable without
colour.

A chart is a title (its accessible name), a short description, labels along the x axis and up
to six series of numbers. Each series has a Designsystemet colour *and* a fill pattern (solid,
stripes, dots, cross-hatch, lines) shown in the legend, every bar carries its value as a
tooltip, and the same figures follow in a table (`casework/_chart.html`).
"""

from dataclasses import dataclass, field

# (Designsystemet colour variable, pattern id) per series, in order.
SERIES_STYLES = (
    ("var(--ds-color-accent-base-default)", "solid"),
    ("var(--ds-color-warning-base-default)", "stripes"),
    ("var(--ds-color-danger-base-default)", "dots"),
    ("var(--ds-color-success-base-default)", "cross"),
    ("var(--ds-color-brand1-base-default)", "hlines"),
    ("var(--ds-color-info-base-default)", "vlines"),
)

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 48
MAX_X_LABELS = 12


@dataclass
class Chart:
    title: str
    labels: list
    series: list  # [(name, [number or None, ...]), ...]
    unit: str = ""
    description: str = ""
    stacked: bool = False
    key: str = "chart"
    geometry: dict = field(init=False, default_factory=dict)

    def __post_init__(self):
        self.series = list(self.series)[:len(SERIES_STYLES)]
        self.geometry = _geometry(self)


def _nice_max(value):
    """A round top for the y axis: four ticks of a round step (whole numbers from 4 up)."""
    if value <= 4:
        return 4
    quarter = value / 4
    magnitude = 10 ** (len(str(int(quarter))) - 1)
    steps = (1, 2, 3, 4, 5, 6, 8, 10) if magnitude == 1 else (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8,
                                                                    10)
    return 4 * next(step * magnitude for step in steps if step * magnitude >= quarter)


def _fmt(value):
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return f"{int(value):,}".replace(",", " ")


def _geometry(chart):
    n = max(len(chart.labels), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [[v or 0 for v in values] for _name, values in chart.series]
    if chart.stacked:
        totals = [sum(col) for col in zip(*values, strict=True)] if values else [0]
        top = _nice_max(max(totals or [0]))
    else:
        top = _nice_max(max((max(v) for v in values if v), default=0))
    slot = plot_w / n
    groups = 1 if chart.stacked else max(len(values), 1)
    bar_w = max(slot * 0.8 / groups, 1)
    bars = []
    for i, label in enumerate(chart.labels):
        base = 0
        for s, (name, series_values) in enumerate(chart.series):
            value = series_values[i] if i < len(series_values) else None
            h = (value or 0) / top * plot_h
            if chart.stacked:
                x = LEFT + i * slot + slot * 0.1
                y = TOP + plot_h - base - h
                base += h
            else:
                x = LEFT + i * slot + slot * 0.1 + s * bar_w
                y = TOP + plot_h - h
            colour, pattern = SERIES_STYLES[s]
            if not h:
                continue  # nothing to draw; the table still shows the zero
            bars.append({"x": round(x, 1), "y": round(y, 1), "w": round(bar_w, 1),
                         "h": round(h, 1), "colour": colour, "pattern": pattern,
                         "title": f"{label}, {name}: {_fmt(value)} {chart.unit}".strip()})
    every = max(1, -(-n // MAX_X_LABELS))
    x_labels = [{"x": round(LEFT + i * slot + slot / 2, 1), "text": str(label)}
                for i, label in enumerate(chart.labels) if i % every == 0]
    ticks = [{"y": round(TOP + plot_h - plot_h * k / 4, 1), "text": _fmt(top * k / 4)}
             for k in range(5)]
    legend = [{"name": name, "colour": SERIES_STYLES[s][0], "pattern": SERIES_STYLES[s][1]}
              for s, (name, _values) in enumerate(chart.series)]
    table = [{"label": label, "values": [_fmt(values[i] if i < len(values) else None)
                                         for _name, values in chart.series]}
             for i, label in enumerate(chart.labels)]
    return {"table": table, "width": WIDTH, "height": HEIGHT, "bars": bars, "x_labels": x_labels,
            "ticks": ticks, "legend": legend, "left": LEFT, "right": WIDTH - RIGHT,
            "baseline": TOP + plot_h, "label_y": TOP + plot_h + 18, "mid_x": WIDTH / 2,
            "mid_y": TOP + plot_h / 2, "empty": not any(
                v for series in values for v in series)}
