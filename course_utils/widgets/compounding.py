"""The compounding explorer: factor ** depth, and the band of factors that stay usable.

Introduced in notebooks 00 and 01.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np

from .._validation import check_finite_number, check_positive_int
from ..chains import stable_factor_range
from ..plots import PALETTE, log_tick_formatter, superscript
from .base import Explorer
from .limits import FiniteLogLocator, _decade_limits, _stepped_limit

__all__ = [
    "CompoundingResult",
    "stable_factor_range",
    "compute_compounding",
    "compounding_explorer",
]


@dataclass(frozen=True)
class CompoundingResult:
    """``factor ** k`` for k = 0..depth, and what it means."""

    factor: float
    depth: int
    k: np.ndarray
    values: np.ndarray
    final: float
    band: tuple
    in_band: bool
    summary: str


def compute_compounding(factor: float = 1.1, depth: int = 50, band=(0.5, 2.0)):
    """Pure compute of the compounding explorer: ``factor ** k`` for k = 0..depth."""
    factor = check_finite_number("factor", factor, minimum=0.0, strict=True)
    depth = check_positive_int("depth", depth)
    k = np.arange(depth + 1)
    with np.errstate(over="ignore", under="ignore"):
        values = factor ** k.astype(float)
    final = float(values[-1])
    in_band = band[0] <= final <= band[1]
    lo, hi = stable_factor_range(depth, band)
    where = "inside" if in_band else "outside"
    summary = (
        f"{factor:.3f}^{depth} = {final:.4g}: {where} the band [{band[0]:g}, {band[1]:g}]; "
        f"at depth {depth} only factors in [{lo:.4f}, {hi:.4f}] stay inside"
    )
    return CompoundingResult(factor, depth, k, values, final, tuple(band), in_band, summary)


def compounding_explorer(factor: float = 1.1, depth: int = 50) -> Explorer:
    """Sliders for a per-layer factor and a depth; plots factor ** k on a log scale.

    The 1.1 and 0.9 curves stay as references, and the band [0.5, 2] shows where a
    signal is still usable. Introduced in notebook 00, used in 01.
    """
    import ipywidgets as widgets

    controls = {
        "factor": widgets.FloatSlider(
            value=factor,
            min=0.5,
            max=1.5,
            step=0.01,
            description="factor",
            readout_format=".3f",
            continuous_update=True,
        ),
        "depth": widgets.IntSlider(
            value=depth, min=1, max=100, step=1, description="depth", continuous_update=True
        ),
    }
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    k = np.arange(101)
    (up,) = ax.plot(k, 1.1**k, color=PALETTE["vermillion"], lw=1, ls="--", label="1.1ᵏ")
    (down,) = ax.plot(k, 0.9**k, color=PALETTE["sky"], lw=1, ls="--", label="0.9ᵏ")
    band = ax.axhspan(0.5, 2.0, color=PALETTE["green"], alpha=0.12, lw=0, label="band [0.5, 2]")
    band.set_zorder(1.7)  # after both axes (the cached axis layer), redrawn: it follows y
    (line,) = ax.plot([], [], color=PALETTE["blue"], lw=2.2, label="your factor")
    (dot,) = ax.plot([], [], "o", color=PALETTE["blue"])
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(FiniteLogLocator())
    ax.yaxis.set_major_formatter(log_tick_formatter())
    ax.yaxis.set_minor_locator(mticker.NullLocator())
    ax.set_ylim(1e-6, 1e6)
    ax.set_xlabel("depth k")
    # Both axes follow the data (x the depth, y the decades of factor^k): drawn first of the
    # artists a move draws, in a cached layer of their own, redrawn when their limits move.
    ax.xaxis.set_zorder(1.6)
    ax.xaxis.set_major_locator(mticker.MaxNLocator(6, integer=True))  # depths: whole numbers
    ax.set_ylabel("factorᵏ (log scale)")
    ax.legend(loc="upper left")

    def draw(r: CompoundingResult) -> None:
        line.set_data(r.k, r.values)
        dot.set_data([r.depth], [r.final])
        ax.set_xlim(0, _stepped_limit(r.depth))  # by steps: a drag of the depth keeps it
        lo = min(1e-6, r.values.min() / 10) if r.values.min() > 0 else 1e-6
        hi = max(1e6, r.values.max() * 10) if math.isfinite(r.values.max()) else 1e6
        # whole decades: a drag of the factor keeps them for many steps, and with them the
        # cached layer of the axes
        ax.set_ylim(*_decade_limits([lo, hi], margin=1.0))
        verdict = "stays in the band" if r.in_band else "leaves the band"
        # plain-text superscript: mathtext would be parsed anew on every move
        ax.set_title(f"{r.factor:.3f}{superscript(r.depth)} = {r.final:.3g}: the product {verdict}")

    return Explorer(
        controls=controls,
        compute=compute_compounding,
        draw=draw,
        figure=fig,
        # the band and the reference curves follow the limits too
        changing=[ax.yaxis, ax.xaxis, band, up, down, line, dot, ax.title],
    )
