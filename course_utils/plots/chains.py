"""Figures of compounding and of the matrix chain: factor ** depth, norms per step, weights."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .style import _CYCLE, _LINESTYLES, PALETTE, get_ax, integer_ticks, log_axis

__all__ = [
    "plot_compounding",
    "plot_chain_norms",
    "plot_weight_matrices",
]


def plot_compounding(factors, depth: int = 50, *, band=(0.5, 2.0), ax=None):
    """Plot ``factor ** k`` for k = 0..depth on a log scale, one line per factor.

    The shaded band is where a signal is still usable; the title states how far the
    factors end from 1. Introduced in notebooks 00 and 01.
    """
    ax = get_ax(ax)
    k = np.arange(depth + 1)
    factors = np.atleast_1d(np.asarray(factors, dtype=float))
    for i, f in enumerate(factors):
        ls = _LINESTYLES[i % len(_LINESTYLES)]
        ax.plot(k, f**k, ls=ls, label=f"{f:g}$^k$ → {f**depth:.3g} at k={depth}")
    if band is not None:
        ax.axhspan(*band, color=PALETTE["green"], alpha=0.12, lw=0, label=f"band {band}")
    log_axis(ax, "y")
    ax.set_xlabel("depth k (number of factors multiplied)")
    ax.set_ylabel("product (log scale)")
    ax.set_xlim(0, depth)
    integer_ticks(ax.xaxis)
    ends = ", ".join(f"{f**depth:.3g}" for f in factors)
    ends = ("the products end at " if len(factors) > 1 else "the product ends at ") + ends
    ax.set_title(f"After {depth} factors {ends}")
    ax.legend(loc="upper left")
    return ax


def plot_chain_norms(results, *, labels=None, ax=None):
    """Plot ``|x|`` after each step of matrix chains (:func:`course_utils.matrix_chain`).

    Log scale; only finite, positive norms are drawn. A chain that overflowed ends with an
    upward triangle at its last finite step, one that underflowed to exactly 0 with a
    downward triangle; the legend says at which step. Introduced in notebook 01.

    Parameters
    ----------
    results : sequence of ChainResult
    labels : sequence of str, optional
        One per result (default: the weights' std).
    ax : matplotlib Axes, optional
    """
    ax = get_ax(ax)
    labels = labels or [f"std {r.std:.3g}" for r in results]
    for i, (r, label, color) in enumerate(zip(results, labels, _CYCLE)):
        ls = _LINESTYLES[i % len(_LINESTYLES)]
        steps = np.arange(len(r.norms))
        keep = np.isfinite(r.norms) & (r.norms > 0)
        if r.overflow_step is not None:
            label += f": overflowed at step {r.overflow_step}"
        elif r.underflow_step is not None:
            label += f": exactly 0 from step {r.underflow_step}"
        ax.plot(steps[keep], r.norms[keep], color=color, ls=ls, label=label)
        last = steps[keep][-1]
        if r.overflow_step is not None:
            ax.plot([last], [r.norms[last]], "^", color=color, ms=8)
        elif r.underflow_step is not None:
            ax.plot([last], [r.norms[last]], "v", color=color, ms=8)
    log_axis(ax, "y")
    ax.set_xlabel("step k (number of matrices applied)")
    ax.set_ylabel("|x| after k steps (log scale)")
    ax.set_xlim(0, max(len(r.norms) - 1 for r in results))
    integer_ticks(ax.xaxis)
    ax.legend(loc="best")
    return ax


def plot_weight_matrices(matrices, *, axes=None):
    """Show weight matrices ``(fan_in, fan_out)`` side by side, one column per hidden unit.

    Each panel has its own symmetric colour scale (``[-max|W|, max|W|]``; an all-zero
    matrix is drawn at the middle colour). Identical hidden units show up as identical
    columns. Introduced in notebook 01 (zero and constant init).

    Parameters
    ----------
    matrices : dict of str -> ndarray of shape (fan_in, fan_out)
        Panel title -> matrix.
    axes : sequence of matplotlib Axes, optional
        One per matrix; a new row of panels is made when None.

    Returns
    -------
    list of Axes
    """
    if axes is None:
        _, axes = plt.subplots(1, len(matrices), figsize=(2.6 * len(matrices), 3.4))
    axes = list(np.atleast_1d(axes))
    for ax, (title, w) in zip(axes, matrices.items()):
        w = np.asarray(w, dtype=float)
        vmax = float(np.max(np.abs(w))) or 1.0
        ax.imshow(w, cmap="PuOr", vmin=-vmax, vmax=vmax, aspect="auto", interpolation="nearest")
        ax.set_title(title)
        ax.set_xlabel("hidden unit")
        integer_ticks(ax.xaxis)
        integer_ticks(ax.yaxis)
        ax.grid(False)
    axes[0].set_ylabel("input")
    return axes
