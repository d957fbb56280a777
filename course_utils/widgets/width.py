"""The width explorer: width, parametrization and learning rate -> the coordinate check.

What it computes is science, in :func:`course_utils.parametrization.compute_width_explorer`.
Notebook 10.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..parametrization import (
    EXPLORER_LRS,
    EXPLORER_WIDTHS,
    PARAMETRIZATIONS,
    WidthResult,
    compute_width_explorer,
)
from ..plots import PALETTE, integer_ticks
from .base import Explorer
from .limits import FiniteLogLocator

__all__ = ["width_explorer", "WIDTH_YLIM"]

WIDTH_YLIM = (1e-3, 1e3)  # mean |change|: values outside are drawn at the edge


def width_explorer(width: int = 256, parametrization: str = "standard", lr: float = 1e-2):
    """Pick a width, a parametrization and an Adam learning rate: how far each layer moves.

    Solid lines: the chosen width; dashed: the base width 64, the same seed. Under
    "standard" the wide network's layers move further per step; under "mup" the two
    coincide. The summary line gives the logits' change at both widths and their ratio.
    Introduced in notebook 10.
    """
    import ipywidgets as widgets

    controls = {
        "width": widgets.SelectionSlider(
            options=list(EXPLORER_WIDTHS), value=width, description="width",
            continuous_update=False,
        ),
        "parametrization": widgets.ToggleButtons(
            options=list(PARAMETRIZATIONS), value=parametrization, description="param.",
        ),
        "lr": widgets.SelectionSlider(
            options=[(f"{v:g}", v) for v in EXPLORER_LRS], value=lr, description="Adam lr",
            continuous_update=False,
        ),
    }  # fmt: skip
    fig, ax = plt.subplots(figsize=(6.4, 3.4), layout="constrained")
    markers, colours = ("o", "s", "^"), (PALETTE["blue"], PALETTE["orange"], PALETTE["green"])
    layers = ("hidden 1", "hidden 2", "output")
    wide, base = [], []
    for name, mk, col in zip(layers, markers, colours):
        (line,) = ax.plot([], [], marker=mk, color=col, lw=2, ls="-", label=f"{name}, chosen width")
        (ref,) = ax.plot([], [], marker=mk, color=col, lw=1, ls="--", mfc="none",
                         label=f"{name}, width 64")  # fmt: skip
        wide.append(line)
        base.append(ref)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(FiniteLogLocator())
    ax.set_ylim(*WIDTH_YLIM)
    ax.set_xlim(0.8, 3.2)
    ax.set_xlabel("Adam step t")
    ax.set_ylabel("mean |x_t - x_0|")
    integer_ticks(ax.xaxis)
    # below the axes, where no curve goes; drawn before them (zorder -1), it stays in the
    # cached background whatever the curves do
    fig.legend(loc="outside lower center", ncol=3, fontsize=7).set_zorder(-1)
    ax.set_title(" ")

    def draw(r: WidthResult) -> None:
        steps = np.arange(1, r.change.shape[1])
        lo, hi = WIDTH_YLIM
        for k in range(len(layers)):
            wide[k].set_data(steps, np.clip(r.change[1, 1:, k], lo, hi))
            base[k].set_data(steps, np.clip(r.change[0, 1:, k], lo, hi))
        ratio = r.change[1, -1, -1] / r.change[0, -1, -1]
        ax.set_title(
            f"{r.parametrization}, width {r.width}: the logits move {ratio:.2g}x "
            f"as far as at width {r.base_width}"
        )

    return Explorer(
        controls=controls,
        compute=compute_width_explorer,
        draw=draw,
        figure=fig,
        changing=[*wide, *base, ax.title],
    )
