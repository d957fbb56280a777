"""Figures of a network at initialization, layer by layer: histograms, std per layer."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .style import finite, get_ax, integer_ticks, log_axis, marker_for

__all__ = [
    "plot_layer_histograms",
    "plot_std_per_layer",
]


def plot_layer_histograms(
    values_by_layer, *, axes=None, bins: int = 41, value_range=None, color=None, label=None
):
    """Small multiples: one density histogram per layer, on shared axes.

    Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward
    neural networks", figs 6-7, as small multiples: with a shared x axis a shrinking
    spread is seen at a glance. Each panel's title gives the layer and its std.
    Introduced in notebook 04.

    Parameters
    ----------
    values_by_layer : sequence of ndarray
        The values of layer 1, 2, ... (any shape; non-finite values are left out).
    axes : sequence of matplotlib Axes, optional
        One per layer (e.g. a row of ``plt.subplots(rows, n, sharex=True, sharey=True)``);
        a new row of panels is made when None.
    bins : int
    value_range : (float, float), optional
        The histogram range; default: +- the largest 4 std over the layers.
    color : str, optional
    label : str, optional
        Written as the y label of the first panel (e.g. the initializer's name).

    Returns
    -------
    list of Axes
    """
    values = [np.ravel(np.asarray(v, dtype=float)) for v in values_by_layer]
    values = [v[np.isfinite(v)] for v in values]
    if axes is None:
        _, axes = plt.subplots(
            1, len(values), sharex=True, sharey=True, figsize=(1.8 * len(values), 2.2)
        )
    axes = list(np.atleast_1d(axes))
    if value_range is None:
        half = max((4 * v.std() for v in values if v.size), default=1.0) or 1.0
        value_range = (-half, half)
    for k, (ax, v) in enumerate(zip(axes, values), 1):
        lo, hi = value_range
        if np.any((v >= lo) & (v <= hi)):  # else its density is 0/0: no bars, no warning
            # what ax.hist(density=True) draws, as one filled outline instead of `bins` bars
            density, edges = np.histogram(v, bins=bins, range=value_range, density=True)
            ax.stairs(density, edges, fill=True, color=color, alpha=0.8)
            ax.set_ylim(bottom=0.0)
        ax.set_title(f"layer {k}: std {v.std():.3g}" if v.size else f"layer {k}: overflow")
        ax.set_yticks([])
        ax.grid(False)
    if label:
        axes[0].set_ylabel(label)
    return axes


def plot_std_per_layer(
    result, quantity: str = "activation", *, ax=None, color=None, label=None, marker=None
):
    """Measured std per layer as points, the mean-field prediction as a line, on a log axis.

    ``result`` is what :func:`course_utils.widgets.compute_propagation` returns (any object
    with ``layers``, ``activation_std``, ``gradient_std`` and ``predicted`` holding the
    same two std arrays will do). Overflowed or zero values are left out. The colour
    defaults to ``result.color`` (the course colour of its initializer). Introduced in
    notebook 04.

    Parameters
    ----------
    result : PropagationResult
    quantity : {"activation", "gradient"}
        The std of h_l or of dL/dh_l.
    ax : matplotlib Axes, optional
    color, label : str, optional
    marker : str, optional
        Of the measured points; default the initializer's course marker
        (:data:`~course_utils.plots.style.INIT_MARKERS`), so that two initializers on one
        axes differ by more than colour (circles for an unknown name).

    Returns
    -------
    Axes
    """
    if quantity not in ("activation", "gradient"):
        raise ValueError(f"quantity must be 'activation' or 'gradient'; received {quantity!r}")
    ax = get_ax(ax)
    color = color or getattr(result, "color", None)
    measured = getattr(result, f"{quantity}_std")
    theory = getattr(result.predicted, f"{quantity}_std")
    ax.plot(*finite(result.layers, theory, positive=True), "-", color=color, lw=1.2)
    marker = marker or marker_for(getattr(result, "init", ""), "o")
    points = finite(result.layers, measured, positive=True)
    ax.plot(*points, ls="none", marker=marker, ms=3, color=color, label=label)
    log_axis(ax, "y")
    ax.set_xlabel("hidden layer l")
    integer_ticks(ax.xaxis)
    ax.set_ylabel(f"std of {'h' if quantity == 'activation' else 'dL/dh'} (log scale)")
    return ax
