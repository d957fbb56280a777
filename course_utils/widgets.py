"""Interactive explorers: pure compute, a plot that updates in place, a thin widget wrapper.

Every explorer is an :class:`Explorer`: moving a control calls ``compute(**params)`` (pure:
tests and benchmarks call it directly), then ``draw(result)`` (updates the artists of one
figure made once), then shows ``result.summary`` (a line of text) and the figure in an
``ipywidgets.Output``. Each explorer in a notebook sits next to a static figure that makes
the same point for a reader without a kernel.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from ._validation import check_finite_number, check_positive_int
from .plots import PALETTE


class Explorer:
    """A set of controls, a pure compute function and a figure that is redrawn in place.

    Parameters
    ----------
    controls : dict of str -> ipywidgets value widget
        Their ``value`` s are the keyword arguments of ``compute``.
    compute : callable
        ``compute(**params) -> result``; pure; ``result.summary`` is a one-line string.
    draw : callable
        ``draw(result)`` updates the artists of ``figure`` (never makes a new figure).
    figure : matplotlib.figure.Figure
        Made once, closed to pyplot (so the notebook does not show it twice).

    Attributes
    ----------
    widget : ipywidgets.VBox
        What the notebook displays: the controls above an ``Output`` with the summary
        line and the figure.
    result
        The result of the last update.
    """

    def __init__(self, *, controls: dict, compute: Callable, draw: Callable, figure):
        import ipywidgets as widgets

        self.controls = dict(controls)
        self.compute = compute
        self.draw = draw
        self.figure = figure
        plt.close(figure)
        self.output = widgets.Output()
        self.widget = widgets.VBox(
            [widgets.HBox(list(self.controls.values())), self.output],
            layout=widgets.Layout(width="100%"),
        )
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.result = None
        self.update()

    def params(self) -> dict:
        """The current values of the controls, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def refresh(self, **overrides):
        """Compute and redraw (no display): the work one slider move costs, minus the PNG."""
        self.result = self.compute(**{**self.params(), **overrides})
        self.draw(self.result)
        return self.result

    def render_png(self) -> bytes:
        """The figure as PNG bytes, as the inline backend would send it to the browser."""
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png")
        return buf.getvalue()

    def update(self, **overrides):
        """Refresh, then show the summary line and the figure in the output area."""
        from IPython.display import display

        result = self.refresh(**overrides)
        with self.output:
            self.output.clear_output(wait=True)
            print(result.summary)
            display(self.figure)
        return result

    def _on_change(self, _change) -> None:
        self.update()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"Explorer({getattr(self.compute, '__name__', 'compute')}: {params})"


# --- compounding: factor ** depth (notebooks 00 and 01) -------------------------------
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


def stable_factor_range(depth: int, band=(0.5, 2.0)) -> tuple[float, float]:
    """The factors f whose product f ** depth stays inside ``band``: (lo**(1/depth), hi**(1/depth)).

    For depth 50 and the band [0.5, 2] this is about 1 +- 0.014.
    """
    depth = check_positive_int("depth", depth)
    lo, hi = band
    return lo ** (1.0 / depth), hi ** (1.0 / depth)


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
    ax.plot(k, 1.1**k, color=PALETTE["vermillion"], lw=1, ls="--", label="1.1$^k$")
    ax.plot(k, 0.9**k, color=PALETTE["sky"], lw=1, ls="--", label="0.9$^k$")
    ax.axhspan(0.5, 2.0, color=PALETTE["green"], alpha=0.12, lw=0, label="band [0.5, 2]")
    (line,) = ax.plot([], [], color=PALETTE["blue"], lw=2.2, label="your factor")
    (dot,) = ax.plot([], [], "o", color=PALETTE["blue"])
    ax.set_yscale("log")
    ax.set_ylim(1e-6, 1e6)
    ax.set_xlabel("depth k")
    ax.set_ylabel("factor$^k$ (log scale)")
    ax.legend(loc="upper left")

    def draw(r: CompoundingResult) -> None:
        line.set_data(r.k, r.values)
        dot.set_data([r.depth], [r.final])
        ax.set_xlim(0, max(r.depth, 10))
        lo = min(1e-6, r.values.min() / 10) if r.values.min() > 0 else 1e-6
        hi = max(1e6, r.values.max() * 10) if math.isfinite(r.values.max()) else 1e6
        ax.set_ylim(max(lo, 1e-300), min(hi, 1e300))
        verdict = "stays in the band" if r.in_band else "leaves the band"
        ax.set_title(f"{r.factor:.3f}$^{{{r.depth}}}$ = {r.final:.3g}: the product {verdict}")

    return Explorer(controls=controls, compute=compute_compounding, draw=draw, figure=fig)
