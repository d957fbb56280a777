"""Every figure of the course, in one style.

Each plotting function takes ``ax=None`` (a new figure is made when it is None) and
returns the Axes it drew on. Titles state the finding; axes carry labels; values that
span orders of magnitude go on log scales; non-finite values are left out, not drawn.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

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
}

_CYCLE = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple")]


def use_course_style() -> None:
    """Apply the course's plot style (colour-blind-safe palette, modest size and dpi).

    Call once in each notebook's set-up cell. Figures are 6.4 x 3.6 inches at 80 dpi, so
    stored notebooks stay small enough to review.
    """
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 80,
            "savefig.dpi": 80,
            "figure.constrained_layout.use": True,
            "axes.prop_cycle": mpl.cycler(color=_CYCLE),
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


def color_for(name: str, default: str | None = None) -> str:
    """The course colour of an initializer name (falls back to ``default`` or black)."""
    return INIT_COLORS.get(name, default or PALETTE["black"])


def get_ax(ax=None, **subplot_kw):
    """Return ``ax``, or the Axes of a new figure when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(**subplot_kw)
    return ax


def finite(x, y):
    """Keep only the points where both ``x`` and ``y`` are finite (and y > 0 for log axes)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


def plot_compounding(factors, depth: int = 50, *, band=(0.5, 2.0), ax=None):
    """Plot ``factor ** k`` for k = 0..depth on a log scale, one line per factor.

    The shaded band is where a signal is still usable; the title states how far the
    factors end from 1. Introduced in notebooks 00 and 01.
    """
    ax = get_ax(ax)
    k = np.arange(depth + 1)
    factors = np.atleast_1d(np.asarray(factors, dtype=float))
    for f in factors:
        ax.plot(k, f**k, label=f"{f:g}$^k$ → {f**depth:.3g} at k={depth}")
    if band is not None:
        ax.axhspan(*band, color=PALETTE["green"], alpha=0.12, lw=0, label=f"band {band}")
    ax.set_yscale("log")
    ax.set_xlabel("depth k (number of factors multiplied)")
    ax.set_ylabel("product (log scale)")
    ax.set_xlim(0, depth)
    ax.legend(loc="upper left")
    return ax
