"""The propagation explorer: per-layer std and histograms for an init x activation x depth.

The science is :mod:`course_utils.propagation`; this module draws it. Notebook 04.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np

from ..activations import ACTIVATIONS
from ..plots import PALETTE, finite
from ..propagation import (
    HIST_RANGE,
    INIT_LABELS,
    PROPAGATION_INITS,
    PropagationResult,
    compute_propagation,
)
from .base import Explorer
from .limits import FiniteLogLocator, _decade_limits, _stepped_limit

__all__ = [
    "propagation_explorer",
]


def _fate(values) -> tuple[str, int | None]:
    """What a per-layer std does, read in the order it is computed (forward, or backward).

    ``("finite", None)`` while every value is finite and above 0; ``("vanished", k)`` when
    the std reaches 0 at the k-th value (1-based), whatever follows (a nan after a 0 is
    0/0, not an overflow); ``("overflowed", k)`` when a value is inf or nan first.
    """
    values = np.asarray(values, dtype=float)
    for k, v in enumerate(values, start=1):
        if v == 0:
            return "vanished", k
        if not np.isfinite(v):
            return "overflowed", k
    return "finite", None


def _ratio_phrase(what: str, values, layers, overflow_layer=None) -> str:
    """'activations x0.21', 'gradients vanish by layer 3', 'activations overflow by layer 74'.

    ``values`` in the order they are computed, ``layers`` their layer numbers;
    ``overflow_layer``, if known, the first layer whose values (not just their std) are
    inf or nan.
    """
    fate, k = _fate(values)
    if fate == "vanished":
        return f"{what} vanish by layer {layers[k - 1]}"
    if fate == "overflowed":
        return f"{what} overflow by layer {overflow_layer or layers[k - 1]}"
    return f"{what} x{values[-1] / values[0]:.2g}"


def _std_phrase(values, i: int) -> str:
    """The std of the histogram's layer (index ``i`` of ``values``, in computed order)."""
    std = values[i]
    if np.isfinite(std) and std > 0:
        return f"std {std:.3g}"
    fate, _ = _fate(values[: i + 1])
    if fate == "vanished":
        return "std 0 (vanished)" if std == 0 else "vanished to 0"  # then 0/0: nan
    return "overflowed (inf/nan)"


def propagation_explorer(
    depth: int = 30,
    width: int = 256,
    init: str = "xavier_normal",
    activation: str = "tanh",
) -> Explorer:
    """Sliders for depth, width, init, weight scale, activation, bias std and a layer.

    Left: the std of activations (circles) and of back-propagated gradients (squares)
    layer by layer, measured on a random network, with the mean-field prediction as a
    line. Right: histograms of the chosen layer's activations and gradients (the
    gradients with the predicted Gaussian). One figure, updated in place: a move redraws
    the points, lines, bars and titles over a cached background (the legend and the
    panels' labels); the two axes of the left panel, whose limits follow the data (the
    depth by steps: 8, 10, 15, 20, 30...; the std on a ladder of decades), have a cached layer of
    their own. A wide, deep network is sampled layer by layer (see
    :func:`compute_propagation`; past 50 layers it records fewer inputs): on the course's
    2-core machine a move takes about 27 ms at the defaults and 35-47 ms at depth 100,
    dragged slider by slider (``python benchmarks/widgets.py``). Introduced in
    notebook 04.
    """
    import ipywidgets as widgets

    style = {"description_width": "initial"}
    controls = {
        "depth": widgets.IntSlider(value=depth, min=1, max=100, description="depth"),
        "width": widgets.SelectionSlider(
            options=[2**k for k in range(1, 11)], value=width, description="width"
        ),
        "init": widgets.Dropdown(  # N(0, s^2) labels, the short keys as values
            options=[(INIT_LABELS.get(k, k), k) for k in PROPAGATION_INITS],
            value=init,
            description="init",
        ),
        "scale": widgets.FloatLogSlider(
            value=1.0, base=10, min=-1, max=math.log10(4), step=0.01, description="x weight std"
        ),
        "activation": widgets.Dropdown(
            options=list(ACTIVATIONS), value=activation, description="activation"
        ),
        "bias_std": widgets.FloatSlider(
            value=0.0, min=0.0, max=1.0, step=0.01, description="bias std"
        ),
        "layer": widgets.IntSlider(value=depth, min=1, max=depth, description="histogram layer"),
    }
    for control in controls.values():
        control.style = style
    controls["depth"].observe(lambda ch: setattr(controls["layer"], "max", ch["new"]), "value")

    fig = plt.figure(figsize=(8.0, 3.6), layout="none")
    grid = fig.add_gridspec(
        2,
        2,
        width_ratios=(1.5, 1),
        left=0.115,  # room for the y label beside tick labels such as 1e+146
        right=0.98,
        bottom=0.13,
        top=0.84,
        wspace=0.22,
        hspace=0.6,
    )
    ax = fig.add_subplot(grid[:, 0])
    ax_h, ax_g = fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])
    blue, orange = PALETTE["blue"], PALETTE["orange"]
    (act_meas,) = ax.plot([], [], "o", ms=4, color=blue)
    (act_pred,) = ax.plot([], [], "-", color=blue, lw=1.5)
    (grad_meas,) = ax.plot([], [], "s", ms=4, color=orange)
    (grad_pred,) = ax.plot([], [], "-", color=orange, lw=1.5)
    marker = ax.axvline(1, color="0.5", lw=1, ls=":")
    # Few ticks and plain-text labels: every tick label is text to lay out on each redraw.
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(FiniteLogLocator(numticks=7))  # few labels to draw
    ax.yaxis.set_major_formatter(mticker.LogFormatter())
    ax.yaxis.set_minor_locator(mticker.NullLocator())
    ax.xaxis.set_major_locator(mticker.MaxNLocator(5, integer=True))
    ax.set_xlabel("hidden layer l")
    ax.set_ylabel("std: points measured, lines theory")
    ax.xaxis.set_zorder(1.6)  # it follows the depth: drawn after the y axis, which stays cached
    # Above the left axes, where no data goes, and drawn before every axes (zorder -1): it
    # stays in the cached background and needs no overlap check on a move.
    fig.legend(
        [(act_meas, act_pred), (grad_meas, grad_pred)],
        ["activations h", "gradients dL/dh"],
        loc="lower left",
        bbox_to_anchor=(0.115, 0.84),
        ncol=2,
        fontsize=8,
        borderaxespad=0.1,
    ).set_zorder(-1)
    # above the axes' ticks and spines (zorder 2.5): those stay in the cached background
    hist = {"fill": True, "alpha": 0.6, "zorder": 3}
    act_hist = ax_h.stairs(np.zeros(1), [0.0, 1.0], color=blue, **hist)
    grad_hist = ax_g.stairs(np.zeros(1), [0.0, 1.0], color=orange, **hist)
    (gauss,) = ax_g.plot([], [], color="k", lw=1, zorder=3.1)
    for axis in (ax_h, ax_g):  # fixed limits: the axes stay in the cached background
        axis.set_yticks([])
        axis.set_xlim(-HIST_RANGE, HIST_RANGE)
        axis.set_ylim(0.0, 1.0)  # bars scaled so that the tallest reaches 1 / 1.15
        axis.xaxis.set_major_locator(mticker.MultipleLocator(2))
    # What each panel shows is said once, by its static labels (in the cached background); a
    # move redraws only the layer and the std in the titles (text costs most of a redraw).
    ax_h.set_ylabel("activations", fontsize=8, labelpad=2)
    ax_g.set_ylabel("gradients", fontsize=8, labelpad=2)
    ax_g.set_xlabel("(value - mean) / std; line: theory", fontsize=8, labelpad=1)
    title = fig.suptitle("", fontsize=11)

    def draw(r: PropagationResult) -> None:
        p = r.predicted
        act_meas.set_data(*finite(r.layers, r.activation_std, positive=True))
        act_pred.set_data(*finite(r.layers, p.activation_std, positive=True))
        grad_meas.set_data(*finite(r.layers, r.gradient_std, positive=True))
        grad_pred.set_data(*finite(r.layers, p.gradient_std, positive=True))
        marker.set_xdata([r.layer, r.layer])
        ax.set_xlim(0.5, _stepped_limit(r.depth, 1.0) + 0.5)  # by steps, kept over a drag
        ax.set_ylim(
            *_decade_limits(r.activation_std, p.activation_std, r.gradient_std, p.gradient_std)
        )
        forward = _ratio_phrase("activations", r.activation_std, r.layers, r.first_nonfinite_layer)
        grads_nan = _fate(r.activation_std)[0] == "overflowed" and not all(
            np.isfinite(r.gradient_std)
        )
        if grads_nan:  # what comes back through an overflowed layer is nan
            title.set_text(f"{forward}, so the gradients are nan")
        else:
            backward = _ratio_phrase("gradients", r.gradient_std[::-1], r.layers[::-1])
            # 'over N layers' when it fits: a vanishing phrase names its layers already
            over = "" if "vanish" in forward + backward else f" over {r.depth} layers"
            title.set_text(f"{forward} forward, {backward} backward{over}")
        top = {}
        for hist, (density, edges, _, _), key in (
            (act_hist, r.activation_hist, "act"),
            (grad_hist, r.gradient_hist, "grad"),
        ):
            top[key] = max(density.max(), 1e-300) * 1.15
            hist.set_data(density / top[key], edges)
        i = r.layer - 1
        act_std = _std_phrase(r.activation_std, i)
        grad_std = _std_phrase(r.gradient_std[::-1], r.depth - 1 - i)  # computed top down
        if grads_nan and not np.isfinite(r.gradient_std[i]):
            grad_std = "nan (forward overflow)"
        ax_h.set_title(f"layer {r.layer}: {act_std}", fontsize=9)
        _, edges, mean, std = r.gradient_hist
        sd = p.gradient_std[i]
        if np.isfinite(sd) and sd > 0 and np.isfinite(std) and std > 0:
            # the theory's N(0, sd^2) in the histogram's units x = (g - mean) / std
            x = np.linspace(edges[0], edges[-1], 121)
            g = mean + std * x
            pdf = std * np.exp(-0.5 * (g / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
            gauss.set_data(x, pdf / top["grad"])
        else:
            gauss.set_data([], [])
        ax_g.set_title(grad_std, fontsize=9)  # the layer above's: said once, in its title

    # The histograms' axes are fixed (std units, bars scaled to the panel): only their
    # bars, the theory line and the titles change on a move.
    changing = [act_meas, act_pred, grad_meas, grad_pred, marker, title, act_hist, grad_hist]
    # Both axes of the left panel follow the data (the depth; the decades of the std): they
    # are drawn first, in a cached layer of their own over the background, redrawn only
    # when their limits move (a far cheaper render than the whole background).
    changing += [gauss, ax_h.title, ax_g.title, ax.xaxis, ax.yaxis]
    explorer = Explorer(
        controls=controls, compute=compute_propagation, draw=draw, figure=fig, changing=changing
    )
    explorer.widget.children[0].layout.flex_flow = "row wrap"
    return explorer
