"""The gradient-through-time explorer: |dL/dh_t| back from step T, and the spectrum of W_h.

The science is :func:`course_utils.recurrent.gradient_through_time`. Notebook 08.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np

from ..plots import PALETTE, log_tick_formatter
from ..recurrent import RECURRENT_INITS, GradientThroughTime, gradient_through_time
from .base import Explorer
from .limits import FiniteLogLocator, _decade_limits, _stepped_limit

__all__ = ["GTT_ACTIVATIONS", "gradient_through_time_explorer"]

#: The activations the explorer offers.
GTT_ACTIVATIONS = ("tanh", "relu", "linear")

_CIRCLE = np.linspace(0.0, 2.0 * np.pi, 121)


def _ylim(ratio: np.ndarray) -> tuple[float, float]:
    """Log limits that hold every finite positive ratio and the band [1e-2, 1e2].

    Whole decades (several at once over a wide range), so that most moves keep the limits
    and with them the cached layer of the axes.
    """
    good = ratio[np.isfinite(ratio) & (ratio > 0)]
    lo = min(1e-3, float(good.min()) / 3) if good.size else 1e-3
    hi = max(1e3, float(good.max()) * 3) if good.size else 1e3
    return _decade_limits([lo, hi], margin=1.0)


def gradient_through_time_explorer(
    T: int = 64, recurrent_init: str = "orthogonal", scale: float = 1.0, activation: str = "tanh"
) -> Explorer:
    """Sequence length, recurrent init, its scale and the activation of an RNN at init.

    Left: rms |dL/dh_t| / |dL/dh_T| for t = 1..T on a log scale (a 64-unit RNN, 32
    sequences of one N(0, 1) input a step); right: the eigenvalues of W_h beside the unit circle.
    The summary line gives every control's value, the ratio at t = 1 and the spectral
    radius. Introduced in notebook 08.
    """
    import ipywidgets as widgets

    controls = {
        "T": widgets.IntSlider(value=T, min=2, max=200, step=1, description="T"),
        "recurrent_init": widgets.Dropdown(
            options=list(RECURRENT_INITS), value=recurrent_init, description="W_h"
        ),
        "scale": widgets.FloatSlider(
            value=scale, min=0.5, max=1.5, step=0.05, description="scale", readout_format=".2f"
        ),
        "activation": widgets.Dropdown(
            options=list(GTT_ACTIVATIONS), value=activation, description="phi"
        ),
    }
    for control in controls.values():
        control.continuous_update = False
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.8), width_ratios=(1.6, 1.0))
    band = ax1.axhspan(1e-2, 1e2, color=PALETTE["green"], alpha=0.12, lw=0, label="within 100x")
    band.set_zorder(1.7)  # after both axes (the cached axis layer), redrawn: it follows y
    one = ax1.axhline(1.0, color="0.5", lw=1, ls=":", label="no change")
    (curve,) = ax1.plot([], [], color=PALETTE["blue"], lw=2, label="|dL/dh_t| / |dL/dh_T|")
    (first,) = ax1.plot([], [], "o", color=PALETTE["vermillion"], ms=6, label="t = 1")
    ax1.set_yscale("log")
    ax1.yaxis.set_major_locator(FiniteLogLocator())
    ax1.yaxis.set_major_formatter(log_tick_formatter())
    ax1.yaxis.set_minor_locator(mticker.NullLocator())
    ax1.xaxis.set_major_locator(mticker.MaxNLocator(nbins=5, integer=True))  # redrawn each move
    ax1.set_xlabel("time step t")
    ax1.set_ylabel("gradient ratio (log)")
    ax1.xaxis.set_zorder(1.6)  # drawn after the y axis, which stays in the cached background
    ax2.plot(np.cos(_CIRCLE), np.sin(_CIRCLE), color="0.4", lw=1, ls="--", label="unit circle")
    (eig,) = ax2.plot([], [], "o", ms=3, color=PALETTE["blue"], label="eigenvalues of W_h")
    (rim,) = ax2.plot([], [], color=PALETTE["vermillion"], lw=1.2, ls="-.", label="spectral radius")
    ax2.set_aspect("equal")
    ax2.set_xlim(-1.7, 1.7)
    ax2.set_ylim(-1.7, 1.7)
    # static: drawn before the changing eigenvalues (zorder 1 < 2), so it stays in the
    # cached background rather than being drawn again over them on every move
    ax2.set_title("spectrum of W_h").set_zorder(1)
    ax2.set_xlabel("Re")
    ax2.set_ylabel("Im")
    # one legend below both axes, where no data goes; drawn before them (zorder -1), it stays
    # in the cached background and the x axis, redrawn on a move, needs no overlap check
    handles = [*ax1.get_legend_handles_labels()[0], *ax2.get_legend_handles_labels()[0]]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=8).set_zorder(-1)

    def draw(r: GradientThroughTime) -> None:
        shown = np.where(np.isfinite(r.ratio), r.ratio, np.nan)
        curve.set_data(r.t, shown)
        first.set_data([1], [shown[0]])
        ax1.set_xlim(0.5, _stepped_limit(r.T) + 0.5)  # by steps, kept over a drag of T
        ax1.set_ylim(*_ylim(r.ratio))
        # the finding only: the settings are on the controls and in the summary line above
        # the figure, and so is the spectral radius (the rim)
        value = f"{r.ratio[0]:.2g}x" if math.isfinite(r.ratio[0]) else "overflow"
        ax1.set_title(f"{r.verdict}: {value} at t = 1")
        eig.set_data(r.eigenvalues.real, r.eigenvalues.imag)
        rim.set_data(r.radius * np.cos(_CIRCLE), r.radius * np.sin(_CIRCLE))

    return Explorer(
        controls=controls,
        compute=gradient_through_time,
        draw=draw,
        figure=fig,
        # the left axes (x follows T, y the decades of the ratio) are drawn first, in a
        # cached layer redrawn only when their limits move; the band, the data and the left
        # title on every move; the spectrum's frame and title, the circle and the legend
        # stay in the cached background
        changing=[band, one, curve, first, eig, rim, ax1.title, ax1.xaxis, ax1.yaxis],
    )
