"""The Explorer: a pure compute function, a figure redrawn in place, a thin widget wrapper.

Moving a control calls ``compute(**params)`` (pure: tests and benchmarks call it directly),
then ``draw(result)`` (updates the artists of one figure made once), then shows
``result.summary`` (a line of text) and the figure in an ``ipywidgets.Output``.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "Explorer",
]


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
            [widgets.HBox(list(self.controls.values())), *self._extra_rows(), self.output],
            layout=widgets.Layout(width="100%"),
        )
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.result = None
        self._on_change(None)  # the first display is what a control move shows
        self._freeze_layout()

    def _extra_rows(self) -> list:
        """Widget rows between the controls and the output (none here)."""
        return []

    def _freeze_layout(self) -> None:
        """Keep the axes where the first draw's layout engine put them.

        Constrained layout measures every label on every draw, about a third of a
        redraw; the first layout stays good as values change, so later moves skip it.
        """
        if self.figure.get_layout_engine() is not None:
            self.figure.set_layout_engine("none")

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

    def _show(self, text: str) -> None:
        """Replace the output area with ``text`` and the figure."""
        from IPython.display import Image, display

        # The PNG is rendered once, as laid out (constrained layout): displaying the figure
        # itself would go through the inline backend's bbox_inches="tight", a second draw.
        png = Image(data=self.render_png(), format="png")
        with self.output:
            self.output.clear_output(wait=True)
            print(text)
            display(png)

    def update(self, **overrides):
        """Refresh, then show the summary line and the figure in the output area."""
        result = self.refresh(**overrides)
        self._show(result.summary)
        return result

    def _on_change(self, _change) -> None:
        self.update()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"Explorer({getattr(self.compute, '__name__', 'compute')}: {params})"


def _log_limits(*arrays) -> tuple[float, float]:
    vals = np.concatenate([np.ravel(a) for a in arrays])
    with np.errstate(invalid="ignore"):
        vals = vals[np.isfinite(vals) & (vals > 0)]
    if vals.size == 0:
        return 1e-3, 1e3
    return max(vals.min() / 3, 1e-300), min(vals.max() * 3, 1e300)
