"""Figures of training runs: loss curves, seed bands, update:data ratios, boundaries."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from .style import _MARKERS, PALETTE, color_for, finite, get_ax, integer_ticks, log_axis, marker_for

__all__ = [
    "plot_loss_curves",
    "plot_seed_band",
    "plot_update_ratios",
    "plot_decision_boundary",
]


def _loss_points(history) -> tuple[np.ndarray, np.ndarray]:
    """Epochs 0..E and the loss at each (epoch 0: before training), from a History or a list."""
    initial = getattr(history, "initial_loss", None)
    losses = list(getattr(history, "loss", history))
    values = np.array(([initial] if initial is not None else []) + losses, dtype=float)
    start = 0 if initial is not None else 1
    return np.arange(start, start + len(values)), values


def plot_loss_curves(histories, *, ax=None, reference=None, reference_label=None, key="loss"):
    """Training loss per epoch, one line per run, on a log axis; diverged runs marked.

    Epoch 0 is the loss before the first update (``history.initial_loss``). A run whose
    loss became inf or nan ends with a cross at its last finite epoch, and its legend
    entry says in which epoch it diverged. Runs are drawn from the widest line to the
    thinnest, each with its own marker, so that runs with equal losses stay visible.
    Introduced in notebook 05.

    Parameters
    ----------
    histories : dict of str -> History
        Label (an initializer name or label, which picks the course colour) -> history.
    ax : matplotlib Axes, optional
    reference : float, optional
        A horizontal reference line, e.g. ``ln 10`` for ten classes.
    reference_label : str, optional
    key : {"loss", "val_loss"}
        Which curve to draw (``val_loss`` has no epoch 0).

    Returns
    -------
    Axes
    """
    ax = get_ax(ax)
    n = len(histories)
    for k, (label, hist) in enumerate(histories.items()):
        if key == "loss":
            epochs, values = _loss_points(hist)
        else:
            values = np.asarray(getattr(hist, key), dtype=float)
            epochs = np.arange(1, len(values) + 1)
        color = color_for(label, default=None)
        diverged = getattr(hist, "diverged_at", None)
        text = f"{label}: diverged in epoch {diverged}" if diverged else label
        x, y = finite(epochs, values, positive=True)
        # earlier runs drawn wider and with other markers, so that equal curves stay visible
        ax.plot(
            x,
            y,
            "-",
            marker=_MARKERS[k % len(_MARKERS)],
            ms=4,
            lw=1.2 + 1.6 * (n - 1 - k) / max(n - 1, 1),
            color=color,
            label=text,
        )
        if diverged and len(x):
            ax.plot([x[-1]], [y[-1]], "x", ms=10, mew=2.5, color=color)
    if reference is not None:
        ax.axhline(reference, color=PALETTE["black"], lw=1, ls=":", label=reference_label)
    log_axis(ax, "y")
    ax.set_xlabel("epoch")
    integer_ticks(ax.xaxis)
    ax.set_ylabel(f"{'training' if key == 'loss' else 'validation'} loss (log scale)")
    ax.legend(loc="best")
    return ax


def plot_seed_band(runs, *, ax=None, color=None, label=None, epochs=None):
    """The spread of several seeds: a band from the lowest to the highest run, the median on top.

    Introduced in notebook 05 (He et al. 2015, fig. 3, in miniature), so that a claim
    rests on several runs rather than one lucky seed.

    Parameters
    ----------
    runs : array-like of shape (n_seeds, n_points)
        One row per seed (e.g. the loss at epochs 0..E).
    epochs : array-like of shape (n_points,), optional
        The x values (default 0..n_points-1).

    Returns
    -------
    Axes
    """
    ax = get_ax(ax)
    runs = np.atleast_2d(np.asarray(runs, dtype=float))
    x = np.arange(runs.shape[1]) if epochs is None else np.asarray(epochs)
    color = color or color_for(label or "", default=None)
    ax.fill_between(x, runs.min(axis=0), runs.max(axis=0), color=color, alpha=0.25, lw=0)
    ax.plot(
        x,
        np.median(runs, axis=0),
        color=color,
        marker=marker_for(label or "", "o"),
        markevery=max(1, len(x) // 10),
        ms=4,
        label=f"{label} ({len(runs)} seeds)",
    )
    if np.all(np.mod(x, 1) == 0):  # epochs
        integer_ticks(ax.xaxis)
    return ax


def plot_update_ratios(ratios, *, ax=None, reference=1e-3):
    """Per-layer update:data ratio ``|update of W| / |W|``, one line per run, log axis.

    Zeros and non-finite ratios (weights that are all zero) are left out; a run with no
    finite ratio at all says so in the legend. The dotted line is the rule of thumb
    ``reference`` (1e-3). Introduced in notebook 05.

    Parameters
    ----------
    ratios : dict of str -> array of shape (n_layers,)
        Label -> ratio per layer (e.g. ``history.update_ratio[0]``, the first epoch).
    ax : matplotlib Axes, optional
    reference : float or None

    Returns
    -------
    Axes
    """
    ax = get_ax(ax)
    for k, (label, r) in enumerate(ratios.items()):
        r = np.asarray(r, dtype=float)
        layers = np.arange(1, len(r) + 1)
        x, y = finite(layers, r, positive=True)
        color = color_for(label, default=None)
        if len(x) == 0:
            label += " (no finite ratio)"
        ax.plot(x, y, "-", marker=_MARKERS[k % len(_MARKERS)], ms=3, color=color, label=label)
    if reference is not None:
        ax.axhline(reference, color=PALETTE["black"], lw=1, ls=":", label=f"{reference:g}")
    log_axis(ax, "y")
    ax.set_xlabel("layer l")
    integer_ticks(ax.xaxis)
    ax.set_ylabel("|update of W| / |W| (log scale)")
    ax.legend(loc="best")
    return ax


def plot_decision_boundary(net, X, y, *, ax=None, resolution: int = 150, margin: float = 0.3):
    """The class-1 probability of a two-class network over the plane, with the data on top.

    Blue for class 0, vermillion for class 1 (the course palette); the contour at 0.5 is
    the decision boundary. ``X`` is (n_samples, 2), ``y`` integer labels 0 or 1.
    Introduced in notebook 05 (the playground idea: a 2-D set shows what the net learned).

    Returns
    -------
    Axes
    """
    ax = get_ax(ax)
    X = np.asarray(X, dtype=float)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    gx, gy = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    grid = np.column_stack([a.ravel() for a in np.meshgrid(gx, gy)])
    with np.errstate(all="ignore"):
        logits = net.forward(grid)
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p = (p[:, 1] / p.sum(axis=1)).reshape(resolution, resolution)
    cmap = mpl.colors.LinearSegmentedColormap.from_list(
        "two_classes", [PALETTE["blue"], "#ffffff", PALETTE["vermillion"]]
    )
    ax.contourf(gx, gy, np.nan_to_num(p, nan=0.5), levels=np.linspace(0, 1, 11), cmap=cmap)
    colors = np.where(np.asarray(y) == 1, PALETTE["vermillion"], PALETTE["blue"])
    ax.scatter(X[:, 0], X[:, 1], c=colors, s=6, edgecolors="white", linewidths=0.3)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    return ax
