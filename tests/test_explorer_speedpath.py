"""The explorers' fast path (a cached background, the changed artists drawn over it) shows
exactly what a full render from scratch shows, after any sequence of moves.

Each explorer is built once, as in a notebook, then moved through a sequence of settings
that change its data, its titles and its axis limits (so its background must be
re-rendered), and that put a changing artist over a legend (so the legends must be drawn
over it again). After every move the PNG of ``render_png`` (the fast path) is decoded and
compared pixel by pixel with ``render_png_full`` (``savefig`` of the same figure, every
artist drawn in order, no cache). The counts of the fast path's branches show that the
sequence took each of them.
"""

from __future__ import annotations

import contextlib
import io
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from course_utils import widgets
from course_utils.widgets.base import Explorer
from figure_tools import course_style


@pytest.fixture(scope="module")
def style():
    with course_style():
        yield


def _build(factory, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):  # outside a kernel the Output prints
        return factory(**kwargs)


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"), dtype=np.int16)


def assert_fast_equals_full(explorer, where: str) -> None:
    fast, full = _pixels(explorer.render_png()), _pixels(explorer.render_png_full())
    assert fast.shape == full.shape, where
    differ = np.abs(fast - full).max(axis=-1) > 0
    assert not differ.any(), (
        f"{where}: {int(differ.sum())} pixels differ from a full render "
        f"(rows {np.flatnonzero(differ.any(axis=1))[[0, -1]]}, "
        f"columns {np.flatnonzero(differ.any(axis=0))[[0, -1]]})"
    )


def _walk(explorer, moves) -> dict:
    """Move through ``moves`` (dicts of control values), checking every frame."""
    before = dict(explorer._fast.counts)
    assert_fast_equals_full(explorer, "first move")
    for move in moves:
        explorer.refresh(**move)
        assert_fast_equals_full(explorer, f"after {move}")
        assert_fast_equals_full(explorer, f"again after {move}")  # the cached background
    return {k: explorer._fast.counts[k] - before[k] for k in before}


def test_the_first_display_is_a_full_render_and_moves_take_the_fast_path(style):
    ex = _build(widgets.compounding_explorer)
    assert ex._fast is not None and ex._fast.counts["new_background"] == 0
    assert all(a.get_animated() for a in ex._fast.animated)
    assert not any(a.get_animated() for a in ex._fast.static)


def test_compounding_fast_path_equals_a_full_render(style):
    ex = _build(widgets.compounding_explorer)
    moves = [
        {"factor": 1.2, "depth": 50},  # title and curve only
        {"factor": 1.5, "depth": 100},  # 1.5^100 > 1e6: the y limits grow
        {"factor": 0.5, "depth": 100},  # and shrink below 1e-6
        {"factor": 1.0, "depth": 5},  # x limits to 10: the curve crosses the legend
        {"factor": 1.01, "depth": 5},
        {"factor": 1.1, "depth": 50},  # back to the first settings
    ]
    counts = _walk(ex, moves)
    # the limits moved: the axis layer is redrawn; the background is built once
    assert counts["leading_redrawn"] >= 4 and counts["new_background"] == 1, counts
    assert counts["overlays_cached"] >= 1 and counts["overlays_redrawn"] >= 1, counts


def test_propagation_fast_path_equals_a_full_render(style):
    ex = _build(widgets.propagation_explorer, depth=6, width=16)
    moves = [
        {"scale": 2.0},  # gradients grow: y limits and both histograms' limits move
        {"activation": "relu", "init": "he_normal", "scale": 1.0},
        {"depth": 3, "layer": 1},  # x limits and the marker line
        {"depth": 20, "layer": 20, "width": 8, "bias_std": 0.5},
        {"init": "N(0,0.01)", "activation": "relu", "scale": 0.1, "depth": 20},
        {"depth": 6, "layer": 6, "width": 16, "init": "xavier_normal", "activation": "tanh"},
    ]
    counts = _walk(ex, moves)
    # both axes of the left panel follow the data in a layer of their own: their limits
    # move, that layer is redrawn, and the background stays
    assert counts["leading_redrawn"] >= 3 and counts["new_background"] == 1, counts  # built once
    # the legend sits above the axes, in the background: no move draws over it
    assert counts["overlays_cached"] >= 1 and counts["overlays_redrawn"] == 0, counts


def test_edge_of_chaos_fast_path_equals_a_full_render(style):
    ex = _build(widgets.edge_of_chaos_explorer)
    moves = [
        {"sigma_w2": 4.0, "sigma_b2": 0.3},  # chaotic: c* < 1, both titles change
        {"sigma_w2": 1.0, "sigma_b2": 0.0},  # the edge: xi_c infinite
        {"sigma_w2": 0.6, "sigma_b2": 0.25},  # the point under the legend
        {"sigma_w2": 0.5, "sigma_b2": 0.3},  # ordered, c-map near 1 across the legend
        {"sigma_w2": 1.5, "sigma_b2": 0.05},
    ]
    counts = _walk(ex, moves)
    assert counts["new_background"] == 1, counts  # made once: nothing of it moves here
    assert counts["overlays_cached"] >= 1 and counts["overlays_redrawn"] >= 1, counts


def test_training_fast_path_equals_a_full_render(style):
    ex = _build(widgets.training_explorer, depth=3, epochs=2)
    assert_fast_equals_full(ex, "first display")
    ex.controls["init"].value = "N(0, 1)"  # a control move: title, nothing trained
    assert_fast_equals_full(ex, "pending, nothing trained yet")
    with contextlib.redirect_stdout(io.StringIO()):
        ex.train()  # the losses set the limits: a new background
    assert_fast_equals_full(ex, "after training N(0, 1)")
    ex.controls["depth"].value = 4  # pending: the curves fade (alpha), the title changes
    assert_fast_equals_full(ex, "pending after a run")
    assert_fast_equals_full(ex, "pending after a run, again")
    ex.controls["init"].value = "he_normal"
    with contextlib.redirect_stdout(io.StringIO()):
        ex.train()  # smaller losses: the limits move again
    assert_fast_equals_full(ex, "after training he_normal")
    assert ex._fast.counts["new_background"] >= 3, ex._fast.counts


def test_gradient_through_time_fast_path_equals_a_full_render(style):
    ex = _build(widgets.gradient_through_time_explorer, T=20)
    moves = [
        {"recurrent_init": "pytorch_rnn", "T": 120},  # the ratio vanishes: y limits grow down
        {"recurrent_init": "identity", "activation": "relu", "scale": 1.5},  # and up
        {"T": 5, "scale": 1.0},  # x limits shrink; the curve crosses the legend
        {"recurrent_init": "gaussian", "activation": "linear", "scale": 0.5},
        {"T": 20, "recurrent_init": "orthogonal", "activation": "tanh", "scale": 1.0},
    ]
    counts = _walk(ex, moves)
    # the y limits moved by decades: the axis layer is redrawn, the background built once
    assert counts["leading_redrawn"] >= 4 and counts["new_background"] == 1, counts
    # the legend is drawn before the axes: no overlay to redraw, whatever crosses it
    assert counts["overlays_redrawn"] == 0 and not ex._fast.costly, counts
    # T alone (the ratio stays 1: the y limits stay): the axis layer is redrawn over the
    # cached background (the spectrum's frame and the legend) when T's step changes
    counts = _walk(ex, [{"T": T, "activation": "linear"} for T in (20, 7, 200, 64)])
    assert counts["new_background"] == 0, counts
    ax = ex.figure.axes[0]
    assert ex._fast.leading == [ax.yaxis, ax.xaxis]
    assert counts["leading_redrawn"] == 3, counts  # T = 20 was the last move's: kept
    counts = _walk(ex, [{"T": 64, "scale": 0.95, "activation": "linear"}])  # axis kept
    assert counts["leading_redrawn"] == 0 and counts["overlays_cached"] == 3, counts


def test_a_change_the_explorer_did_not_declare_is_never_stale(style):
    """Correct by construction: an explorer that declares only its line as changing, and
    whose draw also changes a title, a text, a legend's label, a colour and the limits:
    the background's signature sees each change, so every frame still equals a full one."""
    import ipywidgets

    fig, ax = plt.subplots(figsize=(4, 3))
    (line,) = ax.plot([], [], label="data")
    (ref,) = ax.plot([0, 10], [0, 10], ls="--", label="reference")
    note = ax.text(0.5, 0.5, "", transform=ax.transAxes)
    ax.legend(loc="upper left")

    def compute(a=1.0):
        return SimpleNamespace(a=a, summary=f"a = {a}")

    def draw(result):
        a = result.a
        x = np.linspace(0, 10, 50)
        line.set_data(x, a * x)
        ax.set_ylim(0, max(10, 10 * a))
        ax.set_title(f"slope {a:g}")
        note.set_text(f"a = {a:g}")
        ref.set_color("C1" if a > 1 else "C2")
        ax.get_legend().get_texts()[1].set_text(f"reference ({'steeper' if a > 1 else 'not'})")

    slider = ipywidgets.FloatSlider(value=1.0, min=0.1, max=3.0)
    ex = _build(
        Explorer, controls={"a": slider}, compute=compute, draw=draw, figure=fig, changing=[line]
    )
    counts = _walk(ex, [{"a": 0.5}, {"a": 0.9}, {"a": 2.0}, {"a": 3.0}, {"a": 1.0}])
    assert counts["new_background"] >= 5, counts


def _x_axis_explorer(*, vertical_line: bool):
    """A line and the x axis redrawn on a move; a y axis, a band and (maybe) a vertical
    line at x = 2 in the cached background. ``a`` sets the x limits, ``b`` the y limits."""
    import ipywidgets

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.axhspan(0.2, 0.6, color="C2", alpha=0.3)  # follows the y limits only
    if vertical_line:
        ax.axvline(2.0, color="C3", lw=3, zorder=1)  # follows the x limits
    (line,) = ax.plot([], [], zorder=3)
    ax.xaxis.set_zorder(1.6)  # after the y axis (1.5), which stays in the background

    def compute(a=4.0, b=1.0):
        return SimpleNamespace(a=a, b=b, summary=f"a = {a}, b = {b}")

    def draw(result):
        line.set_data([0, result.a], [0, result.b])
        ax.set_xlim(0, result.a)
        ax.set_ylim(0, result.b)

    controls = {"a": ipywidgets.FloatSlider(value=4.0), "b": ipywidgets.FloatSlider(value=1.0)}
    return _build(
        Explorer,
        controls=controls,
        compute=compute,
        draw=draw,
        figure=fig,
        changing=[line, ax.xaxis],
    )


def test_limits_shown_follows_each_cached_artists_transform(style):
    from course_utils.widgets.background import limits_shown

    fig, ax = plt.subplots()
    ax.set_yscale("log")
    band, hline, vline = ax.axhspan(1e-2, 1e2), ax.axhline(1.0), ax.axvline(3.0)
    (line,) = ax.plot([1, 2], [1, 10])
    limits = (ax.get_xlim(), ax.get_ylim())
    assert limits_shown(ax, [ax.patch, *ax.spines.values(), ax.title]) == (False, False)
    assert limits_shown(ax, [ax.yaxis, band, hline]) == (False, True)
    assert limits_shown(ax, [ax.xaxis, vline]) == (True, False)
    assert limits_shown(ax, [band, vline]) == (True, True)
    assert limits_shown(ax, [line]) == (True, True)
    legend = ax.legend([line], ["data"])
    assert limits_shown(ax, [legend]) == (True, True)  # loc="best": placed by the data
    legend = ax.legend([line], ["data"], loc="upper left")
    assert limits_shown(ax, [legend]) == (False, False)  # at a fixed place in the axes
    legend = ax.legend([line], ["data"], loc="lower left", bbox_to_anchor=(1.5, 3.0))
    assert limits_shown(ax, [legend]) == (False, False)  # anchored in axes coordinates
    anchored = {"bbox_to_anchor": (1.5, 3.0), "bbox_transform": ax.transData}
    legend = ax.legend([line], ["data"], loc="lower left", **anchored)
    assert limits_shown(ax, [legend]) == (True, True)  # anchored at a data point
    assert (ax.get_xlim(), ax.get_ylim()) == limits  # the probe puts the limits back
    plt.close(fig)


def test_the_background_follows_only_the_limits_its_artists_follow(style):
    """Moving the x limits keeps a background that holds a y axis and a horizontal band
    (the x axis is redrawn over it), and re-renders one that also holds a vertical line
    at x = 2 (else it would stay where the old limits put it); the y limits re-render both."""
    x_moves = [{"a": 3.0}, {"a": 8.0}, {"a": 2.5}]
    for vertical_line in (False, True):
        ex = _x_axis_explorer(vertical_line=vertical_line)
        counts = _walk(ex, x_moves)
        # the first frame makes the background; then only the vertical line needs new ones
        assert counts["new_background"] == (4 if vertical_line else 1), counts
        counts = _walk(ex, [{"b": 2.0}, {"b": 0.5}])
        assert counts["new_background"] == 2, counts


def test_encode_png_keeps_every_pixel_opaque_or_not():
    from course_utils.widgets.base import encode_png

    gen = np.random.default_rng(3)
    rgba = gen.integers(0, 256, size=(7, 5, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    opaque = Image.open(io.BytesIO(encode_png(rgba)))
    assert opaque.mode == "RGB" and np.array_equal(np.asarray(opaque), rgba[..., :3])
    rgba[2, 3, 3] = 17  # one translucent pixel: the alpha channel is kept
    translucent = Image.open(io.BytesIO(encode_png(rgba)))
    assert translucent.mode == "RGBA" and np.array_equal(np.asarray(translucent), rgba)


@pytest.mark.parametrize("formatter", ["LogFormatter", "LogFormatterSciNotation"])
def test_log_axes_at_the_float_range_draw(style, formatter):
    """An overflowing std can put the limits at 1e-300 and 1e300: the ticks stay finite."""
    import matplotlib.ticker as mticker

    from course_utils.widgets.limits import FiniteLogLocator

    fig, ax = plt.subplots()
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(FiniteLogLocator(numticks=7))
    ax.yaxis.set_major_formatter(getattr(mticker, formatter)())
    ax.set_ylim(1e-300, 1e300)
    fig.canvas.draw()  # matplotlib's own LogLocator places 1e400 = inf here, and fails
    ticks = ax.yaxis.get_majorticklocs()
    assert np.isfinite(ticks).all() and ticks.min() <= 1e-250 and ticks.max() >= 1e250
    plt.close(fig)
