"""Every figure function of course_utils/plots.py, read back from its artists.

nbval compares text only, so a plot can silently show the wrong data. Each test draws
headlessly (Agg, the course style of cu.use_course_style), reads the artists back (line
data, bar heights, image values, scatter offsets, titles, labels, legend texts, scales,
ticks, extents) and compares them with values computed here, from the input or a closed
form; and checks the conventions the course promises (title, legend, log scale, integer
ticks on layer/step/epoch axes, nothing clipped at the default size).
"""

from __future__ import annotations

import math
import re
import warnings

import matplotlib.colors as mcolors
import numpy as np
import pytest

import course_utils as cu
from course_utils import plots
from course_utils.chains import ChainResult
from figure_tools import (
    assert_every_labelled_series_in_legend,
    assert_integer_ticks,
    assert_nothing_clipped,
    bar_histogram,
    course_style,
    image_value_at,
    legend_texts,
    span_y,
    step_histogram,
    xy,
)
from notebook_tools import NOTEBOOKS, code_cells, load, source

SUPERSCRIPT = dict(zip("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


@pytest.fixture(autouse=True)
def _style():
    with course_style():
        yield


def styles(lines) -> list[tuple]:
    """What tells lines apart besides colour."""
    return [(line.get_linestyle(), line.get_marker()) for line in lines]


# --- notebooks 00 and 01 --------------------------------------------------------------------
@pytest.mark.parametrize("depth", [4, 50])
def test_plot_compounding_draws_each_power_and_states_where_it_ends(depth):
    factors = [1.1, 1.0, 0.9]
    ax = plots.plot_compounding(factors, depth=depth)
    lines = ax.get_lines()
    assert len(lines) == len(factors)
    finals = []
    for f, line in zip(factors, lines):
        x, y = xy(line)
        expected = np.cumprod([1.0] + [f] * depth)  # f^k by repeated multiplication
        np.testing.assert_array_equal(x, np.arange(depth + 1))
        np.testing.assert_allclose(y, expected, rtol=1e-12)
        assert f"{expected[-1]:.3g}" in line.get_label()
        finals.append(expected[-1])
    (band,) = [p for p in ax.patches if p.get_label().startswith("band")]
    assert span_y(band) == (0.5, 2.0)
    assert ax.get_yscale() == "log" and ax.get_xlim() == (0, depth)
    assert_every_labelled_series_in_legend(ax)
    title = ax.get_title()
    assert title and all(f"{v:.3g}" in title for v in finals), title
    assert len(set(styles(lines))) == len(lines), "colour is the only thing telling lines apart"
    assert_integer_ticks(ax.xaxis)
    assert_nothing_clipped(ax.figure)


def _chain(norms, *, std=1.0):
    norms = np.asarray(norms, dtype=float)
    bad = ~np.isfinite(norms)
    zero = norms == 0
    return ChainResult(
        n=4,
        std=std,
        dtype="float64",
        norms=norms,
        overflow_step=int(np.argmax(bad)) if bad.any() else None,
        underflow_step=int(np.argmax(zero)) if zero.any() else None,
    )


def test_plot_chain_norms_draws_finite_norms_and_marks_how_each_chain_ended():
    k = np.arange(6.0)
    chains = [
        _chain([*10.0 ** k[:4], np.inf, np.nan]),  # overflows at step 4
        _chain([*0.1 ** k[:4], 0.0, 0.0]),  # exactly 0 from step 4
        _chain(1.0 + k),
    ]
    ax = plots.plot_chain_norms(chains, labels=["big", "small", "right"])
    lines = ax.get_lines()
    series = [line for line in lines if not line.get_label().startswith("_")]
    ends = [line for line in lines if line.get_label().startswith("_")]
    expected = [(k[:4], 10.0 ** k[:4]), (k[:4], 0.1 ** k[:4]), (k, 1.0 + k)]
    for line, (ex, ey) in zip(series, expected):
        x, y = xy(line)
        np.testing.assert_array_equal(x, ex)
        np.testing.assert_allclose(y, ey)
    # the ends: an upward triangle at the overflowed chain's last finite step, downward at 0
    assert [(e.get_marker(), *xy(e)[0], *xy(e)[1]) for e in ends] == [
        ("^", 3.0, 1000.0),
        ("v", 3.0, pytest.approx(1e-3)),
    ]
    assert [e.get_color() for e in ends] == [series[0].get_color(), series[1].get_color()]
    assert len(set(styles(series))) == 3, "colour is the only thing telling chains apart"
    assert legend_texts(ax) == [
        "big: overflowed at step 4",
        "small: exactly 0 from step 4",
        "right",
    ]
    assert ax.get_yscale() == "log" and ax.get_xlim() == (0, 5)
    assert_every_labelled_series_in_legend(ax)
    assert_integer_ticks(ax.xaxis)
    assert_nothing_clipped(ax.figure)


def test_plot_chain_norms_labels_default_to_the_std():
    ax = plots.plot_chain_norms([_chain([1.0, 0.5], std=0.0625)])
    assert legend_texts(ax) == ["std 0.0625"]


def test_plot_weight_matrices_shows_each_matrix_on_a_symmetric_scale():
    ramp = np.arange(12.0).reshape(4, 3) - 5.0
    matrices = {"zeros": np.zeros((4, 3)), "ramp": ramp, "constant": np.full((4, 3), 0.3)}
    axes = plots.plot_weight_matrices(matrices)
    assert [ax.get_title() for ax in axes] == list(matrices)
    for ax, (name, w) in zip(axes, matrices.items()):
        (image,) = ax.get_images()
        np.testing.assert_array_equal(image.get_array(), w)
        vmax = np.abs(w).max() or 1.0
        assert image.get_clim() == (-vmax, vmax), name
        for i in range(w.shape[0]):  # row i is input i, column j hidden unit j
            for j in range(w.shape[1]):
                assert image_value_at(ax, image, j, i) == w[i, j]
        assert ax.get_xlabel() == "hidden unit"
        assert_integer_ticks(ax.xaxis)
        assert_integer_ticks(ax.yaxis)
    assert axes[0].get_ylabel() == "input"
    assert_nothing_clipped(axes[0].figure)


# --- notebook 04 ------------------------------------------------------------------------------
def test_plot_layer_histograms_draws_each_layers_density_on_one_range():
    rng = np.random.default_rng(0)
    layers = [rng.normal(0, s, 500) for s in (1.0, 0.5, 0.1)]
    layers[1][:7] = np.inf  # left out, not drawn
    layers.append(np.full(10, np.nan))  # an overflowed layer: nothing finite
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would reach a notebook's stderr
        axes = plots.plot_layer_histograms(layers, bins=11, label="xavier_normal")
    finite = [v[np.isfinite(v)] for v in layers]
    half = 4 * max(v.std() for v in finite if v.size)
    for k, (ax, v) in enumerate(zip(axes, finite), 1):
        if v.size:
            heights, edges = bar_histogram(ax)
            np.testing.assert_allclose(edges, np.linspace(-half, half, 12))
            inside = v[np.abs(v) <= half]
            counts = np.array(
                [np.sum((inside >= a) & (inside < b)) for a, b in zip(edges[:-1], edges[1:])]
            )
            counts[-1] += np.sum(inside == half)
            np.testing.assert_allclose(heights, counts / (v.size * (edges[1] - edges[0])))
            assert ax.get_title() == f"layer {k}: std {v.std():.3g}"
        else:
            assert not ax.patches and ax.get_title() == f"layer {k}: overflow"
    assert axes[0].get_ylabel() == "xavier_normal"
    assert all(ax.get_xlim() == axes[0].get_xlim() for ax in axes)  # shared x axis
    assert_nothing_clipped(axes[0].figure)


def test_plot_layer_histograms_keeps_a_given_range():
    inside = [-0.9, -0.6, -0.3, 0.1, 0.2, 0.4, 0.7]  # 2, 1, 3, 1 per bin of width 0.5
    values = [np.array([*inside, 3.0, -2.0]), np.array([5.0, 6.0])]  # layer 2: all outside
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        axes = plots.plot_layer_histograms(values, bins=4, value_range=(-1, 1))
    heights, edges = bar_histogram(axes[0])
    np.testing.assert_allclose(edges, [-1, -0.5, 0, 0.5, 1])
    # a density over the 7 points inside the range
    np.testing.assert_allclose(heights, np.array([2, 1, 3, 1]) / (7 * 0.5))
    assert not axes[1].patches and axes[1].get_title() == "layer 2: std 0.5"


def _propagation_like(layers, act, grad, act_pred, grad_pred, color=None):
    from types import SimpleNamespace

    predicted = SimpleNamespace(activation_std=np.array(act_pred), gradient_std=np.array(grad_pred))
    return SimpleNamespace(
        layers=np.array(layers),
        activation_std=np.array(act),
        gradient_std=np.array(grad),
        predicted=predicted,
        color=color,
    )


@pytest.mark.parametrize("quantity", ["activation", "gradient"])
def test_plot_std_per_layer_draws_measured_points_on_the_predicted_line(quantity):
    r = cu.widgets.compute_propagation(
        depth=5, width=16, init="he_normal", activation="relu", method="network", n_samples=16
    )
    ax = plots.plot_std_per_layer(r, quantity, label="He")
    theory, measured = ax.get_lines()
    values = {"activation": r.activations, "gradient": r.gradients}[quantity]
    np.testing.assert_array_equal(xy(measured)[0], np.arange(1, 6))
    np.testing.assert_allclose(xy(measured)[1], values.std(axis=1), rtol=1e-12)
    np.testing.assert_allclose(xy(theory)[1], getattr(r.predicted, f"{quantity}_std"))
    assert measured.get_marker() == plots.INIT_MARKERS["he_normal"]  # by initializer
    other = plots.plot_std_per_layer(r, quantity, marker="x")
    assert other.get_lines()[1].get_marker() == "x"
    assert measured.get_linestyle() == "None" and theory.get_linestyle() == "-"
    assert measured.get_label() == "He" and theory.get_label().startswith("_")
    assert measured.get_color() == theory.get_color() == plots.INIT_COLORS["he_normal"]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "hidden layer l"
    assert ax.get_ylabel() == {"activation": "std of h", "gradient": "std of dL/dh"}[quantity] + (
        " (log scale)"
    )
    ax.legend()
    assert legend_texts(ax) == ["He"]
    assert_integer_ticks(ax.xaxis)
    assert_nothing_clipped(ax.figure)


def test_plot_std_per_layer_leaves_out_zero_and_overflowed_layers():
    r = _propagation_like(
        [1, 2, 3, 4],
        [1.0, 0.0, np.nan, 2.0],
        [1, 1, 1, 1],
        [1, 0.5, 0.25, np.inf],
        [1, 1, 1, 1],
        "#123456",
    )
    theory, measured = plots.plot_std_per_layer(r).get_lines()
    assert xy(measured)[0].tolist() == [1, 4] and xy(measured)[1].tolist() == [1.0, 2.0]
    assert xy(theory)[0].tolist() == [1, 2, 3] and xy(theory)[1].tolist() == [1, 0.5, 0.25]
    assert measured.get_color() == "#123456"
    ax = plots.plot_std_per_layer(r, "gradient", marker="D")
    assert ax.get_lines()[1].get_marker() == "D"
    with pytest.raises(ValueError, match="quantity"):
        plots.plot_std_per_layer(r, "weights")


# --- notebook 05 ------------------------------------------------------------------------------
def _histories():
    return {
        "he_normal": cu.History(loss=[1.0, 0.5, 0.25], initial_loss=2.0),
        "N(0,1)": cu.History(loss=[3.0, math.inf], initial_loss=5.0, diverged_at=2),
        "zeros": cu.History(loss=[math.log(10)] * 3, initial_loss=math.log(10)),
    }


def test_plot_loss_curves_draws_epoch_0_to_E_and_marks_divergence():
    histories = _histories()
    ax = plots.plot_loss_curves(histories, reference=math.log(10), reference_label="ln 10")
    series = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    curves, reference = series[:3], series[3]
    expected = {
        "he_normal": ([0, 1, 2, 3], [2.0, 1.0, 0.5, 0.25]),
        "N(0,1)": ([0, 1], [5.0, 3.0]),  # epoch 2's inf is left out
        "zeros": ([0, 1, 2, 3], [math.log(10)] * 4),
    }
    for line, (name, (ex, ey)) in zip(curves, expected.items()):
        np.testing.assert_array_equal(xy(line)[0], ex)
        np.testing.assert_allclose(xy(line)[1], ey)
        assert line.get_color() == plots.color_for(name)
    (cross,) = [line for line in ax.get_lines() if line.get_marker() == "x"]
    assert (xy(cross)[0].tolist(), xy(cross)[1].tolist()) == ([1.0], [3.0])
    assert cross.get_color() == plots.color_for("N(0,1)")
    assert xy(reference)[1].tolist() == [math.log(10)] * 2
    assert legend_texts(ax) == ["he_normal", "N(0,1): diverged in epoch 2", "zeros", "ln 10"]
    # equal curves stay visible: each run its own marker, earlier ones wider
    assert len({line.get_marker() for line in curves}) == 3
    widths = [line.get_linewidth() for line in curves]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    assert ax.get_ylabel() == "training loss (log scale)"
    assert_every_labelled_series_in_legend(ax)
    assert_integer_ticks(ax.xaxis)
    assert_nothing_clipped(ax.figure)


def test_plot_loss_curves_validation_and_plain_lists_start_at_epoch_1():
    runs = {"a": cu.History(loss=[2.0, 1.0], val_loss=[2.5, 1.5], initial_loss=3.0)}
    ax = plots.plot_loss_curves(runs, key="val_loss")
    assert xy(ax.get_lines()[0])[0].tolist() == [1, 2]
    assert xy(ax.get_lines()[0])[1].tolist() == [2.5, 1.5]
    assert ax.get_ylabel() == "validation loss (log scale)"
    ax = plots.plot_loss_curves({"b": [0.5, 0.25, 0.125]})
    assert xy(ax.get_lines()[0])[0].tolist() == [1, 2, 3]


def test_plot_seed_band_spans_lowest_to_highest_seed_with_the_median():
    # per epoch the median differs from the mean (a mean drawn as the median would show)
    runs = np.array([[3.0, 2.0, 1.5, 1.0], [1.0, 4.0, 0.5, 2.0], [2.5, 2.2, 0.6, 5.0]])
    epochs = np.array([0, 1, 2, 3])
    ax = plots.plot_seed_band(runs, label="he_normal", epochs=epochs)
    (band,) = ax.collections
    vertices = band.get_paths()[0].vertices
    lows = [vertices[vertices[:, 0] == e, 1].min() for e in epochs]
    highs = [vertices[vertices[:, 0] == e, 1].max() for e in epochs]
    ordered = np.sort(runs, axis=0)  # three seeds: lowest, middle, highest per epoch
    np.testing.assert_array_equal(lows, ordered[0])
    np.testing.assert_array_equal(highs, ordered[2])
    (median,) = ax.get_lines()
    np.testing.assert_array_equal(xy(median)[0], epochs)
    np.testing.assert_array_equal(xy(median)[1], ordered[1])
    assert median.get_label() == "he_normal (3 seeds)"
    assert median.get_color() == plots.color_for("he_normal")
    ax.set_xlabel("epoch")
    ax.legend()
    assert_every_labelled_series_in_legend(ax)
    assert_integer_ticks(ax.xaxis)
    assert_nothing_clipped(ax.figure)


def test_plot_update_ratios_draws_finite_ratios_per_layer_with_the_rule_of_thumb():
    ratios = {
        "zeros": [np.nan, np.nan, np.nan],
        "he_normal": [1e-3, 0.0, 2e-3],
        "N(0,1)": [1.0, 2.0, 3.0],
    }
    ax = plots.plot_update_ratios(ratios)
    zeros, he, big, rule = ax.get_lines()
    assert xy(zeros)[0].size == 0 and zeros.get_label() == "zeros (no finite ratio)"
    assert xy(he)[0].tolist() == [1, 3] and xy(he)[1].tolist() == [1e-3, 2e-3]
    assert xy(big)[0].tolist() == [1, 2, 3] and xy(big)[1].tolist() == [1.0, 2.0, 3.0]
    assert xy(rule)[1].tolist() == [1e-3, 1e-3] and rule.get_linestyle() == ":"
    assert legend_texts(ax) == ["zeros (no finite ratio)", "he_normal", "N(0,1)", "0.001"]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "layer l"
    assert len(set(styles([zeros, he, big]))) == 3, "colour is the only thing telling runs apart"
    assert_every_labelled_series_in_legend(ax)
    assert_integer_ticks(ax.xaxis)
    assert_nothing_clipped(ax.figure)


class _Ramp:
    """A two-class 'network' whose class-1 probability is sigmoid(4 (x - 0.2)), whatever y."""

    def forward(self, X):
        return np.column_stack([np.zeros(len(X)), 4.0 * (X[:, 0] - 0.2)])


def test_plot_decision_boundary_shades_the_class_1_probability_and_shows_the_data():
    X = np.array([[-1.0, -0.5], [1.0, 0.5], [0.0, 1.0], [0.5, -1.0]])
    y = np.array([0, 1, 0, 1])
    resolution, margin = 30, 0.3
    ax = plots.plot_decision_boundary(_Ramp(), X, y, resolution=resolution, margin=margin)
    contours, points = ax.collections
    np.testing.assert_allclose(contours.levels, np.linspace(0, 1, 11))
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    step = (hi[0] - lo[0]) / (resolution - 1)
    tol = 4.0 / 4 * step  # the largest slope of the probability times one grid step
    filled = 0
    for k, path in enumerate(contours.get_paths()):
        if len(path.vertices) == 0:
            continue
        px, py = path.vertices[:, 0], path.vertices[:, 1]
        assert px.min() >= lo[0] - 1e-9 and px.max() <= hi[0] + 1e-9
        assert py.min() >= lo[1] - 1e-9 and py.max() <= hi[1] + 1e-9
        p = 1 / (1 + np.exp(-4.0 * (px - 0.2)))
        assert np.all(p >= contours.levels[k] - tol) and np.all(p <= contours.levels[k + 1] + tol)
        filled += 1
    assert filled >= 5  # p runs from 0.004 to 0.996 over the plane: most bands are drawn
    np.testing.assert_array_equal(points.get_offsets(), X)
    colours = [mcolors.to_hex(c) for c in points.get_facecolors()]
    class_colour = {0: plots.PALETTE["blue"].lower(), 1: plots.PALETTE["vermillion"].lower()}
    assert colours == [class_colour[int(c)] for c in y]
    assert ax.get_aspect() == 1.0
    assert_nothing_clipped(ax.figure)


# --- notebook 06 ------------------------------------------------------------------------------
def test_plot_log_singular_values_counts_each_log10_and_what_falls_below_the_floor():
    spectra = {
        "orthogonal": np.ones(20),  # log10 = 0 exactly
        "Gaussian": np.array([0.0, 1e-20, 1e-3, 1e-3, 10.0, 1.0]),
    }
    lo, hi, bins = -16.0, 2.0, 72
    ax = plots.plot_log_singular_values(spectra)
    outlines = [p for p in ax.patches if not p.get_label().startswith("_")]
    step = (hi - lo) / bins
    for patch, s in zip(outlines, spectra.values()):
        counts, edges = step_histogram(patch)
        centres = (edges[:-1] + edges[1:]) / 2
        np.testing.assert_allclose(centres, lo + step * np.arange(bins + 1), atol=1e-9)
        # each value at its bin centre, those below 1e-16 at -16: count by nearest centre
        logs = np.log10(np.maximum(s, 1e-16))
        expected = np.bincount(np.rint((logs - lo) / step).astype(int), minlength=bins + 1)
        np.testing.assert_array_equal(counts, expected)
    assert legend_texts(ax) == ["orthogonal", "Gaussian (2 of 6 < 1e-16)"]
    assert outlines[0].get_edgecolor() == mcolors.to_rgba(plots.INIT_COLORS["orthogonal"])
    assert outlines[1].get_edgecolor() != outlines[0].get_edgecolor()
    assert any(xy(line)[0].tolist() == [0.0, 0.0] for line in ax.get_lines())  # log10 1
    assert ax.get_xlabel() == "log10 singular value of J" and ax.get_ylabel() == "count"
    assert len({(p.get_linestyle(), p.get_hatch()) for p in outlines}) == len(outlines), (
        "colour is the only thing telling the spectra apart"
    )
    assert_every_labelled_series_in_legend(ax)
    assert_nothing_clipped(ax.figure)


@pytest.fixture(scope="module")
def small_diagram():
    return cu.theory.phase_diagram("tanh", np.linspace(0.5, 4.0, 8), np.linspace(0.0, 0.3, 4))


def test_plot_phase_diagram_shows_log2_chi_1_where_each_grid_point_is(small_diagram):
    d = small_diagram
    ax = plots.plot_phase_diagram(d, points={"your net": (1.5, 0.1)})
    (image,) = ax.get_images()
    log_chi = np.log2(d.chi_1)
    np.testing.assert_allclose(image.get_array(), log_chi)
    lim = np.abs(log_chi).max()
    np.testing.assert_allclose(image.get_clim(), (-lim, lim))
    for i, b in enumerate(d.sigma_b2):  # row i is sigma_b2[i], column j sigma_w2[j]
        for j, w in enumerate(d.sigma_w2):
            assert image_value_at(ax, image, w, b) == pytest.approx(log_chi[i, j])
    critical, point = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    np.testing.assert_allclose(xy(critical)[0], d.critical_sigma_w2)
    np.testing.assert_allclose(xy(critical)[1], d.sigma_b2)
    # without bias tanh is critical at sigma_w^2 = 1 (chi_1 = sigma_w^2 at q* = 0)
    assert xy(critical)[0][0] == pytest.approx(1.0, abs=1e-6)
    assert (xy(point)[0].tolist(), xy(point)[1].tolist()) == ([1.5], [0.1])
    # "ordered" is written where chi_1 < 1, "chaotic" where chi_1 > 1
    to_data = ax.transAxes + ax.transData.inverted()
    for text in ax.texts:
        wx, by = to_data.transform(text.get_position())
        value = image_value_at(ax, image, wx, by)
        assert (value < 0) if text.get_text() == "ordered" else (value > 0), text.get_text()
    assert sorted(t.get_text() for t in ax.texts) == ["chaotic", "ordered"]
    assert legend_texts(ax) == ["chi_1 = 1", "your net"]
    (colorbar,) = [a for a in ax.figure.axes if a is not ax]
    assert colorbar.get_ylabel() == "log2 chi_1"
    assert_every_labelled_series_in_legend(ax)
    assert_nothing_clipped(ax.figure)


# --- helpers the explorers draw with -----------------------------------------------------
def test_log_tick_formatter_writes_powers_of_ten_in_superscript():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1e-3, 1e3], [1e-3, 1e3])
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 1e3)
    ax.yaxis.set_major_formatter(plots.log_tick_formatter())
    fig.canvas.draw()
    shown = {
        round(math.log10(t.get_loc())): t.label1.get_text()
        for t in ax.yaxis.get_major_ticks()
        if 1e-3 <= t.get_loc() <= 1e3
    }
    assert shown == {e: "10" + "".join(SUPERSCRIPT[c] for c in str(e)) for e in range(-3, 4)}


@pytest.mark.parametrize("which", ["x", "y"])
def test_log_axis_keeps_minor_ticks_only_over_at_most_three_decades(which):
    import matplotlib.pyplot as plt

    def minor_locs(lo, hi):
        fig, ax = plt.subplots()
        ax.plot([lo, hi], [lo, hi])
        plots.log_axis(ax, which)
        (ax.set_xlim if which == "x" else ax.set_ylim)(lo, hi)
        axis = ax.xaxis if which == "x" else ax.yaxis
        fig.canvas.draw()
        assert (ax.get_xscale() if which == "x" else ax.get_yscale()) == "log"
        assert {t.label1.get_text() for t in axis.get_major_ticks() if t.get_loc() == 10.0} == {
            "10¹"
        }
        plt.close(fig)
        return [v for v in axis.get_minorticklocs() if lo <= v <= hi]

    # three decades: 2..9 in each, 24 in all; four and seven decades: none
    assert sorted(round(v, 6) for v in minor_locs(1.0, 1e3)) == sorted(
        round(m * 10.0**k, 6) for k in range(3) for m in range(2, 10)
    )
    assert minor_locs(1.0, 1e4) == []
    assert minor_locs(1e-2, 1e5) == []


def test_log_axis_names_a_bad_axis():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="which must be 'x' or 'y'; received 'z'"):
        plots.log_axis(ax, "z")
    plt.close(fig)


# --- the callers' half of the title convention -------------------------------------------
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_figure_gets_a_title(path):
    """plots.py leaves the finding to the caller (only plot_compounding titles itself): every
    plot cell of a lesson (one ending in plt.show()) sets a title or a suptitle."""
    untitled = [
        i
        for i, cell in enumerate(code_cells(load(path)), 1)
        if "plt.show()" in source(cell)
        and not re.search(r"\.set_title\(|suptitle\(|plt\.title\(", source(cell))
    ]
    assert not untitled, f"{path.name}: plot cells {untitled} set no title"
