"""Read a drawn matplotlib figure back: what the tests of tests/test_figures_*.py share.

nbval compares text only, so these helpers look at the artists themselves (line data,
bar heights, image values, labels, scales, ticks, extents) on the Agg backend.
"""

from __future__ import annotations

import contextlib
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import course_utils as cu  # noqa: E402


@contextlib.contextmanager
def course_style():
    """The notebooks' style (cu.use_course_style) for one test; rcParams restored after."""
    with matplotlib.rc_context():
        cu.use_course_style()
        try:
            yield
        finally:
            plt.close("all")


def xy(line) -> tuple[np.ndarray, np.ndarray]:
    """A Line2D's data as float arrays."""
    return (
        np.asarray(line.get_xdata(), dtype=float),
        np.asarray(line.get_ydata(), dtype=float),
    )


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None, "no legend on these axes"
    return [t.get_text() for t in legend.get_texts()]


def labelled_artists(ax) -> list:
    """Every artist of ``ax`` with a label a legend would show (not '_...')."""
    artists = [*ax.lines, *ax.patches, *ax.collections, *ax.images]
    return [a for a in artists if a.get_label() and not a.get_label().startswith("_")]


def assert_every_labelled_series_in_legend(ax) -> None:
    texts = legend_texts(ax)
    missing = [a.get_label() for a in labelled_artists(ax) if a.get_label() not in texts]
    assert not missing, f"labelled series missing from the legend: {missing}"


def ticks_in_view(axis) -> np.ndarray:
    lo, hi = sorted(axis.get_view_interval())
    span = hi - lo
    locs = np.asarray(axis.get_majorticklocs(), dtype=float)
    return locs[(locs >= lo - 1e-9 * span) & (locs <= hi + 1e-9 * span)]


def assert_integer_ticks(axis) -> None:
    """An axis that counts layers, steps or epochs has only whole-number tick marks."""
    ticks = ticks_in_view(axis)
    assert ticks.size, "no tick in view"
    assert np.allclose(ticks, np.round(ticks), atol=1e-9), f"non-integer ticks {ticks}"


def assert_nothing_clipped(fig, *, tol_px: float = 1.0) -> None:
    """Everything drawn lies inside the figure, and each legend inside its axes."""
    if not hasattr(fig.canvas, "get_renderer"):  # an explorer's figure, closed to pyplot
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)  # what its savefig to PNG draws with
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.get_tightbbox(renderer)  # inches
    width, height = fig.get_size_inches()
    tol = tol_px / fig.dpi
    assert box.x0 >= -tol and box.y0 >= -tol, f"clipped at the left/bottom: {box}"
    assert box.x1 <= width + tol and box.y1 <= height + tol, (
        f"clipped at the right/top: {box} in a {width} x {height} inch figure"
    )
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        lb, ab = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
        assert (
            lb.x0 >= ab.x0 - tol_px
            and lb.y0 >= ab.y0 - tol_px
            and lb.x1 <= ab.x1 + tol_px
            and lb.y1 <= ab.y1 + tol_px
        ), f"legend {legend_texts(ax)} sticks out of its axes: {lb} vs {ab}"


def assert_data_in_view(ax, line) -> None:
    """Every point of ``line`` lies inside the axes' view limits (none cut off)."""
    x, y = xy(line)
    x0, x1 = sorted(ax.get_xlim())
    y0, y1 = sorted(ax.get_ylim())
    assert np.all((x >= x0) & (x <= x1)), f"x outside [{x0}, {x1}]: {x}"
    assert np.all((y >= y0) & (y <= y1)), f"y outside [{y0}, {y1}]: {y}"


def step_histogram(patch) -> tuple[np.ndarray, np.ndarray]:
    """(counts, edges) of an ``ax.hist(..., histtype="step")`` outline polygon."""
    v = patch.get_xy()
    return v[1:-1:2, 1], v[1::2, 0]


def bar_histogram(ax) -> tuple[np.ndarray, np.ndarray]:
    """(heights, edges) of the one histogram on ``ax``: ``ax.stairs`` or ``ax.hist``'s bars."""
    steps = [p for p in ax.patches if isinstance(p, matplotlib.patches.StepPatch)]
    if steps:
        (step,) = steps
        data = step.get_data()
        return np.asarray(data.values, dtype=float), np.asarray(data.edges, dtype=float)
    bars = [p for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle)]
    heights = np.array([b.get_height() for b in bars])
    edges = np.array([b.get_x() for b in bars] + [bars[-1].get_x() + bars[-1].get_width()])
    return heights, edges


def image_value_at(ax, image, x, y) -> float:
    """The value the image shows at data point (x, y), found through its drawn extent."""
    px, py = ax.transData.transform((x, y))
    return float(image.get_cursor_data(SimpleNamespace(x=px, y=py, inaxes=ax)))


def span_y(patch) -> tuple[float, float]:
    """The y extent of an ``axhspan``: a Rectangle since matplotlib 3.9, a Polygon before."""
    if hasattr(patch, "get_height"):
        return (patch.get_y(), patch.get_y() + patch.get_height())
    ys = np.asarray(patch.get_xy(), dtype=float)[:, 1]
    return (float(ys.min()), float(ys.max()))
