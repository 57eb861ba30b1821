"""The report's charts as inline SVG, drawn by matplotlib (no browser script, no network: the file stays
self-contained and prints as it shows). Each bar is an SVG group with the id `mark-<chart>-<n>`, which the tests
count in a real browser.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("svg")  # no display, no GUI toolkit: the SVG backend only

from matplotlib import rcParams  # noqa: E402  (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402

rcParams["svg.fonttype"] = "none"  # text stays text: small, searchable, printable
rcParams["svg.hashsalt"] = "migrate"  # the same data gives the same file
rcParams["font.family"] = "sans-serif"
rcParams["font.size"] = 9

VERDICT_COLOURS = {"Ready": "#2e7d32", "Ready with conditions": "#f9a825", "Unknown": "#757575",
                   "Not ready": "#c62828"}
BLUE, GREY = "#1565c0", "#90a4ae"


def bars(name: str, labels: Sequence[str], values: Sequence[float], *, colours: Sequence[str] | None = None,
         unit: str = "", width: float = 6.4) -> str:
    """A horizontal bar per label, biggest first as given, with its value at its end."""
    height = max(1.2, 0.32 * len(labels) + 0.6)
    figure = Figure(figsize=(width, height))
    axes = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]
    drawn = axes.barh(positions, values, color=list(colours or [BLUE] * len(labels)))
    for index, (bar, value) in enumerate(zip(drawn, values)):
        bar.set_gid(f"mark-{name}-{index}")
        axes.annotate(_number(value) + unit, (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                      xytext=(3, 0), textcoords="offset points", va="center")
    axes.set_yticks(positions, [_short(label) for label in labels])
    _plain(axes)
    axes.set_xlim(0, max(list(values) + [1]) * 1.18)
    return _svg(figure)


def paired_bars(name: str, labels: Sequence[str], first: Sequence[float], second: Sequence[float],
                legend: tuple[str, str], unit: str = "") -> str:
    """Two bars per label (e.g. in use now and after the waves), side by side."""
    height = max(1.4, 0.45 * len(labels) + 0.8)
    figure = Figure(figsize=(6.4, height))
    axes = figure.add_subplot()
    positions = [float(i) for i in range(len(labels))][::-1]
    one = axes.barh([p + 0.2 for p in positions], first, height=0.38, color=GREY, label=legend[0])
    two = axes.barh([p - 0.2 for p in positions], second, height=0.38, color=BLUE, label=legend[1])
    for index, bar in enumerate(list(one) + list(two)):
        bar.set_gid(f"mark-{name}-{index}")
        axes.annotate(_number(bar.get_width()) + unit, (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                      xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    axes.set_yticks(positions, [_short(label) for label in labels])
    axes.legend(loc="lower right", frameon=False)
    _plain(axes)
    axes.set_xlim(0, max(list(first) + list(second) + [1]) * 1.2)
    return _svg(figure)


def _plain(axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(axis="y", length=0)


def _svg(figure: Figure) -> str:
    figure.tight_layout()
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    text = out.getvalue()
    return text[text.index("<svg"):]  # inline in HTML: no XML declaration or doctype


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.1f}"


def _short(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
