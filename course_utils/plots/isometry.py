"""Figures of isometry and chaos: Jacobian singular values, the order-to-chaos diagram."""

from __future__ import annotations

import numpy as np

from .style import _CYCLE, _LINESTYLES, _MARKERS, INIT_COLORS, get_ax

__all__ = [
    "plot_log_singular_values",
    "plot_phase_diagram",
]


def plot_log_singular_values(
    spectra, *, ax=None, floor: float = 1e-16, value_range=(-16.0, 2.0), bins: int = 72
):
    """Histograms of log10 of singular values, one outline per entry of ``spectra``.

    Dynamical isometry is a spike at 0 (every singular value 1). Values below ``floor``
    (zeros, and float64's round-off floor) are drawn at log10(floor), and the count of such
    values goes into the legend label. Introduced in notebook 06.

    Parameters
    ----------
    spectra : dict of str -> ndarray
        Label (an initializer name picks the course colour) -> singular values.
    ax : matplotlib Axes, optional
    floor : float, default 1e-16
    value_range : (float, float)
        The log10 range of the x axis.
    bins : int

    Returns
    -------
    Axes
    """
    ax = get_ax(ax)
    lo, hi = value_range
    step = (hi - lo) / bins
    edges = lo + step * (np.arange(bins + 2) - 0.5)  # bins centred on lo, lo + step, ...
    spare = [c for c in _CYCLE if c not in {INIT_COLORS.get(k) for k in spectra}]
    for i, (label, s) in enumerate(spectra.items()):
        s = np.asarray(s, dtype=float)
        n_floor = int(np.sum(s < floor))
        logs = np.log10(np.maximum(s, floor))
        text = label if n_floor == 0 else f"{label} ({n_floor} of {s.size} < {floor:.0e})"
        color = INIT_COLORS.get(label) or spare[i % len(spare)]
        ls = _LINESTYLES[i % len(_LINESTYLES)]
        ax.hist(logs, bins=edges, histtype="step", lw=1.6, ls=ls, color=color, label=text)
    ax.axvline(0.0, color="0.4", lw=0.8, ls=":")
    ax.set_xlabel("log10 singular value of J")
    ax.set_ylabel("count")
    ax.legend(loc="upper left")
    return ax


def plot_phase_diagram(diagram, *, ax=None, points=None, colorbar: bool = True):
    """chi_1 over (sigma_w^2, sigma_b^2) with the chi_1 = 1 line: ordered left, chaotic right.

    ``diagram`` is what :func:`course_utils.theory.phase_diagram` returns; ``points`` is
    an optional dict label -> (sigma_w2, sigma_b2) to mark; the grid's axes must be evenly
    spaced (drawn as an image). The colour is log2(chi_1), so
    halving and doubling per layer sit symmetric about the critical line. Notebook 06.
    """
    ax = get_ax(ax)
    with np.errstate(divide="ignore"):
        log_chi = np.log2(diagram.chi_1)
    lim = float(np.nanmax(np.abs(log_chi[np.isfinite(log_chi)])))
    w, b = diagram.sigma_w2, diagram.sigma_b2
    dw, db = (w[-1] - w[0]) / (w.size - 1) / 2, (b[-1] - b[0]) / (b.size - 1) / 2
    # an image (one cell per grid point, the axes evenly spaced) renders much faster than
    # a mesh, which matters in the explorer redrawn on every move
    mesh = ax.imshow(
        log_chi,
        origin="lower",
        aspect="auto",
        extent=(w[0] - dw, w[-1] + dw, b[0] - db, b[-1] + db),
        cmap="PuOr_r",
        vmin=-lim,
        vmax=lim,
        interpolation="nearest",
    )
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label="log2 chi_1")
    ax.plot(diagram.critical_sigma_w2, diagram.sigma_b2, color="k", lw=2, label="chi_1 = 1")
    for i, (label, (w2, b2)) in enumerate((points or {}).items()):
        marker = _MARKERS[i % len(_MARKERS)]  # colour is never the only cue
        ax.plot(w2, b2, marker, ms=7, mec="k", color=_CYCLE[(i + 1) % len(_CYCLE)], label=label)
    ax.text(0.04, 0.9, "ordered", transform=ax.transAxes, fontsize=10)
    ax.text(0.75, 0.1, "chaotic", transform=ax.transAxes, fontsize=10)
    ax.set_xlabel("sigma_w^2 = n Var(W)")
    ax.set_ylabel("sigma_b^2 = Var(b)")
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 0.55))
    return ax
