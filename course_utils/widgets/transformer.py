"""The transformer-at-init explorer: stream std, gradient norm and attention entropy per block.

The science is :func:`course_utils.transformer.init_statistics`; this module draws it.
Notebook 09.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np

from .._validation import check_choice, check_positive_int
from ..plots import PALETTE
from ..transformer import NORM_POSITIONS, TRANSFORMER_INITS, init_statistics
from .base import Explorer
from .limits import FiniteLogLocator

__all__ = [
    "TRANSFORMER_WIDTHS",
    "TRANSFORMER_MAX_LAYERS",
    "STREAM_YLIM",
    "GRAD_YLIM",
    "TransformerInitResult",
    "compute_transformer_init",
    "transformer_explorer",
]

#: The widths the explorer offers, and its deepest stack (a move stays within 50 ms).
TRANSFORMER_WIDTHS = (16, 32, 64)
TRANSFORMER_MAX_LAYERS = 8
#: Fixed y ranges (log) that hold every setting's values (measured over the whole control
#: grid: stream std 0.026 to 3.1, gradient norm 0.0048 to 12); fixed axes redraw fast.
STREAM_YLIM, GRAD_YLIM = (1e-2, 10.0), (1e-3, 100.0)
_N_SAMPLES, _VOCAB, _SEQ = 8, 6, 6


@dataclass(frozen=True)
class TransformerInitResult:
    """Per-block statistics of one fresh transformer, and the line that says what they show."""

    d_model: int
    n_layers: int
    init: str
    norm: str
    stream_std: np.ndarray
    grad_norm: np.ndarray
    entropy: np.ndarray
    max_entropy: float
    summary: str


def compute_transformer_init(
    d_model: int = 32, n_layers: int = 4, init: str = "gpt2", norm: str = "pre", seed: int = 0
) -> TransformerInitResult:
    """Pure compute of the explorer: :func:`~course_utils.transformer.init_statistics`.

    8 pointer-task sequences of 6 tokens (vocabulary 6), 4 heads; the seed is fixed so
    the same controls always show the same figure.
    """
    d_model = check_positive_int("d_model", d_model)
    n_layers = check_positive_int("n_layers", n_layers)
    check_choice("init", init, TRANSFORMER_INITS, what="transformer init")
    check_choice("norm", norm, NORM_POSITIONS, what="norm position")
    s = init_statistics(
        d_model, n_layers, init, norm, vocab_size=_VOCAB, seq_len=_SEQ,
        n_samples=_N_SAMPLES, n_heads=4, seed=seed,
    )  # fmt: skip
    g = s["grad_norm"]
    summary = (
        f"d_model {d_model}, {n_layers} blocks, init {init}, {norm}-LN: stream std "
        f"{s['stream_std'][0]:.3g} -> {s['stream_std'][-1]:.3g}; gradient norm block 1 "
        f"{g[0]:.3g}, block {n_layers} {g[-1]:.3g} (ratio {g[-1] / g[0]:.3g}); attention "
        f"entropy {s['entropy'].min():.3f}-{s['entropy'].max():.3f} nats "
        f"(uniform: ln {_SEQ} = {s['max_entropy']:.3f})"
    )
    return TransformerInitResult(
        d_model, n_layers, init, norm, s["stream_std"], g, s["entropy"], s["max_entropy"],
        summary,
    )  # fmt: skip


def transformer_explorer(
    d_model: int = 32, n_layers: int = 4, init: str = "gpt2", norm: str = "pre"
) -> Explorer:
    """Controls for width, depth, init and norm position; three per-block panels at init.

    Left: the std of the residual stream after the embedding (block 0) and each block.
    Middle: each block's weight-gradient norm. Right: the last position's attention
    entropy, against ln T for uniform attention. Notebook 09.
    """
    import ipywidgets as widgets

    controls = {
        "d_model": widgets.Dropdown(
            options=list(TRANSFORMER_WIDTHS), value=d_model, description="d_model"
        ),
        "n_layers": widgets.IntSlider(
            value=n_layers,
            min=1,
            max=TRANSFORMER_MAX_LAYERS,
            step=1,
            description="blocks",
            continuous_update=False,
        ),
        "init": widgets.ToggleButtons(options=list(TRANSFORMER_INITS), value=init),
        "norm": widgets.ToggleButtons(options=list(NORM_POSITIONS), value=norm),
    }
    fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.4), layout="constrained")
    ax_s, ax_g, ax_e = axes
    # zorder above the legend and spines: those stay in the cached background (base.py)
    (stream,) = ax_s.plot([], [], "o-", color=PALETTE["blue"], zorder=6)
    (grad,) = ax_g.plot([], [], "s--", color=PALETTE["vermillion"], zorder=6)
    (ent,) = ax_e.plot([], [], "^-", color=PALETTE["green"], label="mean over heads", zorder=6)
    (uniform,) = ax_e.plot([], [], ":", color="0.4", label=f"uniform, ln {_SEQ}")
    for ax, ylabel in (
        (ax_s, "stream std (log)"),
        (ax_g, "gradient norm (log)"),
        (ax_e, "entropy (nats)"),
    ):
        ax.set_xlabel("block")
        ax.set_ylabel(ylabel)
        ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
        ax.set_xlim(-0.3, TRANSFORMER_MAX_LAYERS + 0.3)
    ax_s.set_yscale("log")
    ax_g.set_yscale("log")
    for axis in (ax_s, ax_g):
        axis.yaxis.set_major_locator(FiniteLogLocator())
    ax_s.set_ylim(*STREAM_YLIM)
    ax_g.set_ylim(*GRAD_YLIM)
    ax_e.set_ylim(0.0, math.log(_SEQ) * 1.15)
    ax_e.legend(loc="lower left")
    ax_s.set_title("residual stream")
    ax_g.set_title("gradient per block")
    ax_e.set_title("attention of the last position")
    title = fig.suptitle(" ")

    def draw(r: TransformerInitResult) -> None:
        blocks = np.arange(1, r.n_layers + 1)
        stream.set_data(np.arange(r.n_layers + 1), r.stream_std)
        grad.set_data(blocks, r.grad_norm)
        ent.set_data(blocks, r.entropy)
        uniform.set_data([0, TRANSFORMER_MAX_LAYERS], [r.max_entropy] * 2)
        ratio = r.grad_norm[-1] / r.grad_norm[0]
        # the finding only: the settings are on the controls and in the summary line
        title.set_text(
            f"stream std {r.stream_std[-1]:.2g} at the end, gradient last/first x{ratio:.2g}"
        )

    return Explorer(
        controls=controls,
        compute=compute_transformer_init,
        draw=draw,
        figure=fig,
        changing=[stream, grad, ent, title],
    )
