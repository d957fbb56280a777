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
    assert counts["new_background"] >= 4, counts  # limits changed: background re-rendered
    assert counts["overlays_cached"] >= 1 and counts["overlays_redrawn"] >= 1, counts


def test_propagation_fast_path_equals_a_full_render(style):
    ex = _build(widgets.propagation_explorer, depth=6, width=16)
    moves = [
        {"scale": 2.0},  # gradients grow: y limits and both histograms' limits move
        {"activation": "relu", "init": "he_normal", "scale": 1.0},
        {"depth": 3, "layer": 1},  # x limits and the marker line through the legend
        {"depth": 20, "layer": 20, "width": 8, "bias_std": 0.5},
        {"init": "N(0,0.01)", "activation": "relu", "scale": 0.1, "depth": 20},
        {"depth": 6, "layer": 6, "width": 16, "init": "xavier_normal", "activation": "tanh"},
    ]
    counts = _walk(ex, moves)
    assert counts["new_background"] >= 3, counts
    assert counts["overlays_cached"] >= 1 and counts["overlays_redrawn"] >= 1, counts


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
    # everything that follows the left axes' limits is animated, so the background is made
    # once; the curve crossing the figure legend takes both overlay branches
    assert counts["new_background"] == 1, counts
    assert counts["overlays_cached"] >= 1 and counts["overlays_redrawn"] >= 1, counts


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
