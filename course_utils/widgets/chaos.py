"""The edge-of-chaos explorer: where a (sigma_w^2, sigma_b^2) point sits, and its maps.

Notebook 06.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from .. import theory
from .._validation import check_finite_number, check_positive_int
from ..plots import PALETTE
from .base import Explorer

__all__ = [
    "ChaosResult",
    "compute_edge_of_chaos",
    "edge_of_chaos_explorer",
]


@dataclass(frozen=True)
class ChaosResult:
    """One point of the tanh phase diagram and its correlation map."""

    sigma_w2: float
    sigma_b2: float
    scales: theory.DepthScales
    c: np.ndarray
    c_next: np.ndarray
    phase: str
    summary: str


def compute_edge_of_chaos(sigma_w2: float = 1.5, sigma_b2: float = 0.05, n_points: int = 21):
    """Pure compute of the edge-of-chaos explorer: q*, chi_1, c*, xi_c and the c-map curve."""
    sigma_w2 = check_finite_number("sigma_w2", sigma_w2, minimum=0.0, strict=True)
    sigma_b2 = check_finite_number("sigma_b2", sigma_b2, minimum=0.0)
    scales = theory.depth_scales("tanh", sigma_w2=sigma_w2, sigma_b2=sigma_b2)
    q_star = scales.q_star  # one fixed-point solve a move
    c = np.linspace(0.0, 1.0, check_positive_int("n_points", n_points, minimum=2))
    c_next = (
        theory.correlation_map(c, "tanh", sigma_w2=sigma_w2, sigma_b2=sigma_b2, q=q_star)
        if q_star > 0
        # q* = 0 (sigma_b^2 = 0, sigma_w^2 <= 1): the limit sigma_b^2 -> 0 of
        # (sigma_w^2 q* c + sigma_b^2) / q* with q* = sigma_b^2 / (1 - sigma_w^2) (tanh linear
        # near 0): fixed point c* = 1 with slope chi_1 = sigma_w^2
        else 1.0 - sigma_w2 * (1.0 - c)
    )
    if abs(scales.chi_1 - 1.0) < 5e-3:
        phase = "at the edge of chaos"
    else:
        phase = "ordered" if scales.chi_1 < 1 else "chaotic"
    xi = "infinite" if math.isinf(scales.xi_c) else f"{scales.xi_c:.3g} layers"
    summary = (
        f"sigma_w^2 = {sigma_w2:.2f}, sigma_b^2 = {sigma_b2:.3f}: q* = {scales.q_star:.3f}, "
        f"chi_1 = {scales.chi_1:.3f} ({phase}), c* = {scales.c_star:.3f}, xi_c = {xi}"
    )
    return ChaosResult(sigma_w2, sigma_b2, scales, c, c_next, phase, summary)


def edge_of_chaos_explorer(sigma_w2: float = 1.5, sigma_b2: float = 0.05) -> Explorer:
    """Sliders for sigma_w^2 and sigma_b^2 of a tanh net: where it sits, and its c-map.

    Left, the point on the phase diagram with the chi_1 = 1 line; right, the correlation
    map c_l -> c_{l+1} with its stable fixed point c*. The summary line gives q*, chi_1,
    the phase, c* and xi_c. Introduced in notebook 06.
    """
    import ipywidgets as widgets

    from ..plots import plot_phase_diagram

    controls = {
        "sigma_w2": widgets.FloatSlider(
            value=sigma_w2,
            min=0.5,
            max=4.0,
            step=0.05,
            description="sigma_w²",
            readout_format=".2f",
            continuous_update=False,
        ),
        "sigma_b2": widgets.FloatSlider(
            value=sigma_b2,
            min=0.0,
            max=0.3,
            step=0.01,
            description="sigma_b²",
            readout_format=".2f",
            continuous_update=False,
        ),
    }
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.0))
    diagram = theory.phase_diagram("tanh", np.linspace(0.5, 4.0, 36), np.linspace(0.0, 0.3, 16))
    plot_phase_diagram(diagram, ax=ax1, colorbar=False)  # the static figure has the colour key
    for ax in (ax1, ax2):
        ax.grid(False)  # fewer lines to draw on every move
    (point,) = ax1.plot([], [], "o", ms=9, mec="k", color=PALETTE["green"], label="your net")
    ax1.legend(loc="lower left", bbox_to_anchor=(0.0, 0.6))
    ax2.plot([0, 1], [0, 1], color="0.6", lw=1, ls=":", label="c_{l+1} = c_l")
    (curve,) = ax2.plot([], [], color=PALETTE["blue"], lw=2, label="correlation map")
    (star,) = ax2.plot([], [], "o", color=PALETTE["vermillion"], ms=7, label="stable c*")
    ax2.set_xlim(0, 1)
    ax2.set_ylim(0, 1.02)
    ax2.set_xlabel("c_l")
    ax2.set_ylabel("c_{l+1}")
    ax2.legend(loc="upper left")

    def draw(r: ChaosResult) -> None:
        point.set_data([r.sigma_w2], [r.sigma_b2])
        curve.set_data(r.c, r.c_next)
        star.set_data([r.scales.c_star], [r.scales.c_star])
        ax1.set_title(f"chi_1 = {r.scales.chi_1:.3f}: {r.phase}")
        xi = "infinite" if math.isinf(r.scales.xi_c) else f"{r.scales.xi_c:.3g} layers"
        ax2.set_title(f"c* = {r.scales.c_star:.3f}, xi_c = {xi}")

    return Explorer(
        controls=controls,
        compute=compute_edge_of_chaos,
        draw=draw,
        figure=fig,
        changing=[point, curve, star, ax1.title, ax2.title],
    )
