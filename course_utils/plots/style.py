"""The course's one plot style and the helpers every figure shares.

A colour-blind-safe palette (Okabe & Ito), one colour per initializer, line styles and
markers so that colour is never the only cue, integer ticks on counting axes, and
log-scale tick labels that read as powers of ten.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import LogLocator

__all__ = [
    "PALETTE",
    "INIT_COLORS",
    "INIT_MARKERS",
    "marker_for",
    "use_course_style",
    "color_for",
    "get_ax",
    "finite",
    "superscript",
    "integer_ticks",
    "log_tick_formatter",
    "log_axis",
]


#: Okabe & Ito's colour-blind-safe palette (2008), "Color Universal Design".
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}


#: One colour per initializer, the same in every notebook.
INIT_COLORS = {
    "zeros": PALETTE["black"],
    "small": PALETTE["sky"],
    "normal": PALETTE["vermillion"],
    "standard_uniform": PALETTE["purple"],
    "lecun_normal": PALETTE["yellow"],
    "xavier_normal": PALETTE["blue"],
    "xavier_uniform": PALETTE["blue"],
    "he_normal": PALETTE["green"],
    "he_uniform": PALETTE["green"],
    "orthogonal": PALETTE["orange"],
    "N(0,0.01)": PALETTE["sky"],  # the labels notebooks 04 and 05 use for "small", "normal"
    "N(0,1)": PALETTE["vermillion"],
    "N(0, 0.01^2)": PALETTE["sky"],  # the same, as legends write them (std 0.01, std 1)
    "N(0, 1)": PALETTE["vermillion"],
}


#: One marker per initializer, so that two initializers never differ by colour alone (Xavier
#: and LeCun draw the same points on square layers: circles under triangles stay visible).
INIT_MARKERS = {
    "zeros": "x",
    "small": "v",
    "N(0,0.01)": "v",
    "N(0, 0.01^2)": "v",
    "normal": "D",
    "N(0,1)": "D",
    "N(0, 1)": "D",
    "standard_uniform": "P",
    "lecun_normal": "^",
    "xavier_normal": "o",
    "xavier_uniform": "o",
    "he_normal": "s",
    "he_uniform": "s",
    "orthogonal": "*",
}


_CYCLE = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple")]


#: Line styles of the series of one plot, so that colour is never the only cue.
_LINESTYLES = ("-", "--", "-.", (0, (1, 1)))
#: The default cycle pairs each colour with its own line style (six of each), so that a
#: plot that sets neither still tells its series apart without colour.
_CYCLE_LINESTYLES = (*_LINESTYLES, (0, (5, 1.5)), (0, (3, 1, 1, 1, 1, 1)))


def use_course_style() -> None:
    """Apply the course's plot style (colour-blind-safe palette, modest size and dpi).

    Call once in each notebook's set-up cell. Figures are 6.4 x 3.6 inches at 100 dpi
    (640 px wide, tick labels 10 pt = 14 px, JupyterLab's body size), and the colour cycle
    gives each colour its own line style. With ``COURSE_FIGURE_AUDIT=1`` in the environment
    (the test suite sets it), ``plt.show()`` checks every figure first
    (:mod:`course_utils.plots.audit`).
    """
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.constrained_layout.use": True,
            "axes.prop_cycle": mpl.cycler(color=_CYCLE) + mpl.cycler(linestyle=_CYCLE_LINESTYLES),
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "legend.frameon": False,
            "lines.linewidth": 1.8,
            "image.cmap": "viridis",
            "svg.hashsalt": "course",  # deterministic SVG ids
        }
    )
    from .audit import audit_enabled, install_show_audit

    if audit_enabled():  # the test suite checks every figure a notebook shows
        install_show_audit()


def color_for(name: str, default: str | None = None) -> str:
    """The course colour of an initializer name (falls back to ``default`` or black)."""
    return INIT_COLORS.get(name, default or PALETTE["black"])


def marker_for(name: str, default: str = "o") -> str:
    """The course marker of an initializer name (falls back to ``default``)."""
    return INIT_MARKERS.get(name, default)


def get_ax(ax=None, **subplot_kw):
    """Return ``ax``, or the Axes of a new figure when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(**subplot_kw)
    return ax


def finite(x, y, *, positive: bool = False):
    """Keep only the points where both ``x`` and ``y`` are finite (and y > 0 if ``positive``).

    Use ``positive=True`` before a log axis, where zeros and negatives cannot be drawn.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(x) & np.isfinite(y)
        if positive:
            keep &= y > 0
    return x[keep], y[keep]


_SUPERSCRIPT = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def superscript(n: int) -> str:
    """An integer in Unicode superscript digits (``superscript(-6)`` is '⁻⁶').

    Plain text draws much faster than mathtext, which matters in explorers redrawn on
    every slider move.
    """
    return str(int(n)).translate(_SUPERSCRIPT)


def integer_ticks(axis) -> None:
    """Put tick marks on whole numbers only, for an axis that counts layers, steps or epochs."""
    from matplotlib.ticker import MaxNLocator

    # the steps of matplotlib's default AutoLocator: 0, 10, ..., 50 rather than 0, 6, ..., 48
    axis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))


def log_tick_formatter():
    """Tick labels 10⁻⁶ ... 10⁶ for a log axis, in plain text (no mathtext to parse)."""
    from matplotlib.ticker import FuncFormatter

    def fmt(value, _pos):
        if not np.isfinite(value) or value <= 0:
            return ""
        exponent = np.log10(value)
        if abs(exponent - round(exponent)) > 1e-9:
            return ""
        return f"10{superscript(round(exponent))}"

    return FuncFormatter(fmt)


#: Above this many decades a log axis draws no minor ticks (they would be 8 a decade).
MINOR_LOG_DECADES = 3


class SparseLogMinorLocator(LogLocator):
    """Minor ticks at 2..9 x 10^k while the view spans at most MINOR_LOG_DECADES decades."""

    def tick_values(self, vmin, vmax):
        """Those of :class:`~matplotlib.ticker.LogLocator`, or none over a wider view."""
        lo, hi = sorted((float(vmin), float(vmax)))
        if lo > 0 and np.isfinite(hi) and np.log10(hi / lo) > MINOR_LOG_DECADES:
            return np.array([])
        return super().tick_values(vmin, vmax)


def log_axis(ax, which: str = "y") -> None:
    """Put ``ax``'s x or y axis on a log scale the way the course draws it.

    Major labels in plain text (:func:`log_tick_formatter`), and minor ticks only while
    the view spans at most three decades: over seven decades matplotlib would lay out 72
    minor ticks on every layout pass, which more than doubled the time to draw a
    two-panel loss-curve figure (1.4 s against 0.55 s).
    """
    if which not in ("x", "y"):
        raise ValueError(f"which must be 'x' or 'y'; received {which!r}")
    axis = ax.xaxis if which == "x" else ax.yaxis
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis.set_major_formatter(log_tick_formatter())
    axis.set_minor_locator(SparseLogMinorLocator(subs="auto"))


_MARKERS = ("o", "s", "^", "D", "v", "P")
