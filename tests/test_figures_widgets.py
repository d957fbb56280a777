"""Each explorer's draw (course_utils/widgets.py), read back from the artists of its figure.

An explorer is a pure compute function and a draw into one figure made once. Here each
explorer is built headlessly (Agg, the course style), moved with ``refresh`` (compute +
draw, no PNG) and its figure read back: the data of every line, histogram and image, the
titles and legends, the scales and ticks, and that nothing is clipped after the layout is
frozen. Expected values come from the compute result or a closed form, never from a run.
"""

from __future__ import annotations

import contextlib
import io
import math

import matplotlib
import numpy as np
import pytest

import course_utils as cu
from course_utils import widgets
from figure_tools import (
    assert_data_in_view,
    assert_every_labelled_series_in_legend,
    assert_integer_ticks,
    assert_nothing_clipped,
    course_style,
    image_value_at,
    legend_texts,
    span_y,
    xy,
)

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

MPL_BEFORE_3_9 = tuple(int(p) for p in matplotlib.__version__.split(".")[:2]) < (3, 9)


@pytest.fixture(scope="module")
def style():
    """The course style for the whole module: each explorer is built once and moved, as in a
    notebook (so every move after the first draws into the frozen first layout)."""
    with course_style():
        yield


def _build(factory, **kwargs):
    """Build an explorer; outside a kernel its Output widget prints: swallow that."""
    with contextlib.redirect_stdout(io.StringIO()):
        return factory(**kwargs)


@pytest.fixture(scope="module")
def compounding(style):
    return _build(widgets.compounding_explorer)


@pytest.fixture(scope="module")
def propagation(style):
    return _build(widgets.propagation_explorer, depth=4, width=16)


@pytest.fixture(scope="module")
def training(style):
    return _build(widgets.training_explorer, depth=3, epochs=2)


# --- compounding (notebooks 00 and 01) ----------------------------------------------------
@pytest.mark.parametrize(
    "factor, depth", [(1.1, 50), (0.97, 3), (1.0, 15), (1.5, 100), (0.5, 100), (1.02, 37)]
)
def test_compounding_draws_factor_to_the_k_and_says_whether_it_stays_in_the_band(
    compounding, factor, depth
):
    ex = compounding
    ex.refresh(factor=factor, depth=depth)
    ax = ex.figure.axes[0]
    up, down, yours, dot = ax.get_lines()
    expected = np.cumprod([1.0] + [factor] * depth)  # factor^k by repeated multiplication
    np.testing.assert_array_equal(xy(yours)[0], np.arange(depth + 1))
    np.testing.assert_allclose(xy(yours)[1], expected, rtol=1e-12)
    assert xy(dot)[0].tolist() == [depth]
    assert xy(dot)[1][0] == pytest.approx(expected[-1], rel=1e-12)
    k = np.arange(101)
    np.testing.assert_allclose(xy(up)[1], np.cumprod([1.0] + [1.1] * 100), rtol=1e-12)
    np.testing.assert_allclose(xy(down)[1], np.cumprod([1.0] + [0.9] * 100), rtol=1e-12)
    np.testing.assert_array_equal(xy(up)[0], k)
    (band,) = ax.patches
    assert span_y(band) == (0.5, 2.0)
    verdict = "stays in the band" if 0.5 <= expected[-1] <= 2.0 else "leaves the band"
    power = str(depth).translate(SUPERSCRIPT)
    assert ax.get_title() == f"{factor:.3f}{power} = {expected[-1]:.3g}: the product {verdict}"
    assert legend_texts(ax) == ["1.1ᵏ", "0.9ᵏ", "band [0.5, 2]", "your factor"]
    assert_every_labelled_series_in_legend(ax)
    # the x axis follows the depth by steps (kept over a drag): the curve fills 2/3 of it
    lo, hi = ax.get_xlim()
    assert ax.get_yscale() == "log" and lo == 0 and hi in (10, 15, 20, 30, 40, 50, 60, 80, 100)
    assert max(depth, 10) <= hi < 1.5 * max(depth, 10)
    assert_data_in_view(ax, yours)
    assert_data_in_view(ax, dot)
    assert_integer_ticks(ax.xaxis)
    if MPL_BEFORE_3_9 and (factor, depth) == (0.5, 100):
        # matplotlib 3.8 (the floor) draws 10^-30's label 1.2 px wider than the frozen layout
        # allows: the layout, made at the defaults, is not re-measured on this move
        pytest.xfail("matplotlib 3.8 clips the widest y label by about 1 px at 0.5^100")
    assert_nothing_clipped(ex.figure)


# --- propagation (notebook 04) --------------------------------------------------------------
def _density(values, bins=40):
    """What the explorer's histograms promise: the finite values in std units,
    (v - mean) / std, over [-4, 4], as a density (counts / (n * bin width))."""
    v = values[np.isfinite(values)]
    edges = np.linspace(-4.0, 4.0, bins + 1)
    if v.size == 0 or not v.std() > 0:  # overflowed or vanished: no bars
        return np.zeros(bins), edges
    counts, edges = np.histogram((v - v.mean()) / v.std(), bins=edges)
    return counts / (v.size * 8.0 / bins), edges


def _finite_positive(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = np.isfinite(y) & (y > 0)
    return x[keep], y[keep]


@pytest.mark.parametrize(
    "params",
    [
        dict(depth=6, width=16, init="he_normal", activation="relu", layer=3),
        dict(depth=3, width=32, init="xavier_normal", activation="tanh", layer=3, bias_std=0.2),
        dict(depth=100, width=1024, init="N(0,1)", scale=4.0, activation="linear", layer=2),
        dict(depth=50, width=32, init="xavier_normal", activation="tanh", layer=50),  # nb 04
    ],
    ids=["he-relu", "xavier-tanh", "overflow", "notebook-04"],
)
def test_propagation_draws_measured_and_predicted_std_and_the_layer_histograms(propagation, params):
    ex = propagation
    r = ex.refresh(**params)
    ax, ax_h, ax_g = ex.figure.axes
    act_meas, act_pred, grad_meas, grad_pred, marker = ax.get_lines()
    layers = np.arange(1, r.depth + 1)
    with np.errstate(all="ignore"):
        act_std = np.where(
            np.isfinite(r.activations).all(axis=1), r.activations.std(axis=1), np.nan
        )
        grad_std = np.where(np.isfinite(r.gradients).all(axis=1), r.gradients.std(axis=1), np.nan)
    p = r.predicted
    for line, values in [
        (act_meas, act_std),
        (act_pred, p.activation_std),
        (grad_meas, grad_std),
        (grad_pred, p.gradient_std),
    ]:
        ex_x, ex_y = _finite_positive(layers, values)
        np.testing.assert_array_equal(xy(line)[0], ex_x)
        np.testing.assert_allclose(xy(line)[1], ex_y, rtol=1e-10)
        assert_data_in_view(ax, line)
    assert xy(act_meas)[0].size, "nothing measured is drawn"
    if params.get("init") == "N(0,1)":  # overflowed layers are left out, not drawn
        assert r.first_nonfinite_layer is not None
        assert xy(act_meas)[0].max() < r.first_nonfinite_layer
    assert xy(marker)[0].tolist() == [r.layer, r.layer]
    lo, hi = ax.get_xlim()  # by steps of the depth (kept over a drag), 2/3 of it filled
    assert (
        lo == 0.5
        and hi - 0.5 in (1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 40, 50, 60, 80, 100, 150, 200)
        and r.depth <= hi - 0.5 < 1.5 * r.depth
    )
    # points measured, lines theory; activations and gradients by colour and by marker
    assert act_meas.get_marker() == "o" and grad_meas.get_marker() == "s"
    assert act_pred.get_linestyle() == grad_pred.get_linestyle() == "-"
    assert act_meas.get_color() == act_pred.get_color() != grad_meas.get_color()
    (legend,) = ex.figure.legends  # above the left axes, where no data goes
    assert [t.get_text() for t in legend.get_texts()] == ["activations h", "gradients dL/dh"]
    assert ax.get_yscale() == "log"
    lo, hi = np.log10(ax.get_ylim())  # whole decades: most moves keep the y axis
    assert lo == round(lo) and hi == round(hi)
    assert_integer_ticks(ax.xaxis)

    i = r.layer - 1
    for axis, values, std in [
        (ax_h, r.activations[i], act_std[i]),
        (ax_g, r.gradients[i], grad_std[i]),
    ]:
        (stairs,) = axis.patches
        drawn = stairs.get_data()
        density, edges = _density(values)
        np.testing.assert_allclose(drawn.edges, edges)
        top = max(density.max(), 1e-300) * 1.15  # bars scaled: the tallest at 1 / 1.15
        np.testing.assert_allclose(drawn.values, density / top)
        assert axis.get_xlim() == (-4.0, 4.0) and axis.get_ylim() == (0.0, 1.0)  # fixed
        assert stairs.get_zorder() > axis.xaxis.get_zorder()  # ticks stay in the background
        assert f"layer {r.layer}" in ax_h.get_title()  # said once, above both panels
        if np.isfinite(std) and std > 0:
            assert f"std {std:.3g}" in axis.get_title()
        else:  # what happened, never a bare 'std nan'
            assert "std nan" not in axis.get_title()
            assert "overflow" in axis.get_title() or "vanished" in axis.get_title()
    (gauss,) = ax_g.get_lines()
    sd = p.gradient_std[i]
    gx, gy = xy(gauss)
    if np.isfinite(sd) and sd > 0:  # the predicted N(0, sd^2), in the bars' units and scale
        g = r.gradients[i]
        m, s = g.mean(), g.std()
        assert gx[0] == pytest.approx(edges[0]) and gx[-1] == pytest.approx(edges[-1])
        pdf = s * np.exp(-((m + s * gx) ** 2) / (2 * sd**2)) / math.sqrt(2 * math.pi * sd**2)
        np.testing.assert_allclose(gy, pdf / (max(_density(g)[0].max(), 1e-300) * 1.15))
    else:  # the theory overflowed too: no curve
        assert gx.size == 0
    assert ex.figure._suptitle.get_text()  # the finding (its wording: test_explorer_verdicts)
    assert_nothing_clipped(ex.figure)


def test_propagation_title_changes_with_the_finding(propagation):
    ex = propagation
    ex.refresh(depth=8, width=16, init="he_normal", activation="relu")
    first = ex.figure._suptitle.get_text()
    ex.refresh(depth=8, width=16, init="N(0,0.01)", activation="relu")
    assert ex.figure._suptitle.get_text() != first


def test_propagation_titles_say_vanish_or_overflow_never_a_bare_nan(propagation):
    """N(0, 0.01^2) x 0.1 with ReLU: every std shrinks to 0 (then 0/0 gives nan): the
    titles say it vanished; N(0, 1) x 4, linear: the forward pass overflows, and the
    gradients that come back through it are nan: the titles say so."""
    ex = propagation
    r = ex.refresh(depth=100, width=64, init="N(0,0.01)", scale=0.1, activation="relu", layer=1)
    title = ex.figure._suptitle.get_text()
    zero = int(np.flatnonzero(r.activation_std == 0)[0]) + 1  # the first layer at std 0
    assert f"activations vanish by layer {zero} forward" in title, title
    assert "gradients vanish by layer" in title and "overflow" not in title, title
    grad_title = ex.figure.axes[2].get_title()
    if not np.isfinite(r.gradient_std[0]):  # layer 1, after the gradients reached 0
        assert "vanished" in grad_title and "std nan" not in grad_title, grad_title
    r = ex.refresh(depth=100, width=1024, init="N(0,1)", scale=4.0, activation="linear", layer=50)
    title = ex.figure._suptitle.get_text()
    assert f"activations overflow by layer {r.first_nonfinite_layer}" in title, title
    assert "gradients are nan" in title
    assert "std nan" not in ex.figure.axes[2].get_title()
    assert_nothing_clipped(ex.figure)


# --- training (notebook 05) ------------------------------------------------------------------
def _training_result(history, *, depth, epochs, verdict="some verdict"):
    return widgets.TrainingResult(
        "he_normal", depth, "relu", "momentum", 0.005, epochs, 64, history, 0.5, verdict, ""
    )


@pytest.fixture(scope="module")
def short_run():
    return widgets.compute_training("he_normal", depth=3, epochs=2)


def test_training_draws_the_loss_per_epoch_and_the_last_update_ratios(training, short_run):
    ex = training
    r = short_run
    ex.draw(r)
    ax, ax_r = ex.figure.axes
    h = r.history
    train, test, ln10 = ax.get_lines()
    np.testing.assert_array_equal(xy(train)[0], [0, 1, 2])
    np.testing.assert_allclose(xy(train)[1], [h.initial_loss, *h.loss])
    np.testing.assert_array_equal(xy(test)[0], [1, 2])
    np.testing.assert_allclose(xy(test)[1], h.val_loss)
    assert xy(ln10)[1].tolist() == [math.log(10)] * 2
    ratio, rule = ax_r.get_lines()
    assert len(h.update_ratio[-1]) == 3  # one ratio per weight layer
    np.testing.assert_array_equal(xy(ratio)[0], [1, 2, 3])
    np.testing.assert_allclose(xy(ratio)[1], h.update_ratio[-1])
    assert xy(rule)[1].tolist() == [1e-3, 1e-3]
    for axis, line in [(ax, train), (ax, test), (ax_r, ratio)]:
        assert_data_in_view(axis, line)
        assert line.get_alpha() == 1.0
    assert train.get_marker() != test.get_marker()  # not colour alone
    assert ax.get_xlim() == (-0.2, 2.2) and ax_r.get_xlim() == (0.5, 3.5)
    assert legend_texts(ax) == ["training", "test", "ln 10"]
    assert legend_texts(ax_r) == ["1e-3"]
    assert_every_labelled_series_in_legend(ax)
    assert_every_labelled_series_in_legend(ax_r)
    assert ax.get_yscale() == ax_r.get_yscale() == "log"
    assert r.verdict in ex.figure._suptitle.get_text()
    assert_integer_ticks(ax.xaxis)
    assert_integer_ticks(ax_r.xaxis)
    assert_nothing_clipped(ex.figure)
    ex.draw_pending(ex.params(), True)  # a control moved: the last run fades
    assert all(line.get_alpha() == 0.3 for line in (train, test, ratio))


def test_training_draws_a_diverged_run_up_to_its_last_finite_epoch(training):
    ex = training
    history = cu.History(
        loss=[2.0, 1.5, math.inf],
        val_loss=[2.2, 1.7, math.nan],
        initial_loss=2.5,
        update_ratio=np.array([[1e-3, 2e-3], [5e-3, 0.0], [np.nan, np.nan]]),
        diverged_at=3,
    )
    ex.draw(_training_result(history, depth=2, epochs=3, verdict="diverged in epoch 3"))
    ax, ax_r = ex.figure.axes
    train, test, _ = ax.get_lines()
    assert xy(train)[0].tolist() == [0, 1, 2] and xy(train)[1].tolist() == [2.5, 2.0, 1.5]
    assert xy(test)[0].tolist() == [1, 2] and xy(test)[1].tolist() == [2.2, 1.7]
    assert xy(ax_r.get_lines()[0])[0].size == 0  # the last epoch has no finite ratio
    assert all(np.isfinite(ax.get_ylim())) and all(np.isfinite(ax_r.get_ylim()))
    assert "diverged in epoch 3" in ex.figure._suptitle.get_text()
    assert_integer_ticks(ax.xaxis)
    assert_integer_ticks(ax_r.xaxis)
    assert_nothing_clipped(ex.figure)


def test_training_layout_fits_the_widest_tick_labels_of_any_run(style):
    """The layout is frozen at the first display (nothing trained yet); a later run with
    losses near 1e+08 and update ratios from 1e-12 to 1e+3 still fits: nothing clipped."""
    ex = _build(widgets.training_explorer, depth=3, epochs=3)
    history = cu.History(
        loss=[3e8, 5e8, 7e8],
        val_loss=[4e8, 6e8, 8e8],
        initial_loss=2.3,
        update_ratio=np.array([[1e-12, 2e3]] * 3),
        diverged_at=None,
    )
    ex.draw(_training_result(history, depth=2, epochs=3))
    ax, ax_r = ex.figure.axes
    ex.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # the wide labels the run brings (which ones depends on matplotlib's locator version)
    assert max(len(t) for t in labels) >= len("1e+07"), labels
    assert_nothing_clipped(ex.figure)


# --- edge of chaos (notebook 06) -----------------------------------------------------------
@pytest.fixture(scope="module")
def chaos(style):
    """The edge-of-chaos explorer over a coarser grid of the same phase diagram (fast)."""
    real = cu.theory.phase_diagram

    def coarse(activation="tanh", sigma_w2=None, sigma_b2=None):
        return real(activation, sigma_w2[::5], sigma_b2[::5])  # 0.5, 1, ..., 4 x 0, 0.1, ...

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cu.theory, "phase_diagram", coarse)
        explorer = _build(widgets.edge_of_chaos_explorer)
    explorer.expected_diagram = real("tanh", np.linspace(0.5, 4.0, 8), np.linspace(0.0, 0.3, 4))
    return explorer


@pytest.mark.parametrize(
    "sigma_w2, sigma_b2", [(0.8, 0.0), (1.0, 0.0), (1.5, 0.05), (3.0, 0.05), (4.0, 0.3)]
)
def test_edge_of_chaos_draws_the_point_its_correlation_map_and_c_star(chaos, sigma_w2, sigma_b2):
    r = chaos.refresh(sigma_w2=sigma_w2, sigma_b2=sigma_b2)
    ax1, ax2 = chaos.figure.axes
    (image,) = ax1.get_images()
    d = chaos.expected_diagram
    for i, b in enumerate(d.sigma_b2):
        for j, w in enumerate(d.sigma_w2):
            assert image_value_at(ax1, image, w, b) == pytest.approx(np.log2(d.chi_1[i, j]))
    point = [line for line in ax1.get_lines() if line.get_label() == "your net"][0]
    assert (xy(point)[0].tolist(), xy(point)[1].tolist()) == ([sigma_w2], [sigma_b2])
    assert_data_in_view(ax1, point)
    identity, curve, star = ax2.get_lines()
    assert xy(identity)[0].tolist() == xy(identity)[1].tolist() == [0, 1]
    np.testing.assert_array_equal(xy(curve)[0], r.c)
    np.testing.assert_allclose(xy(curve)[1], r.c_next)
    c_star = r.scales.c_star
    assert xy(star)[0].tolist() == xy(star)[1].tolist() == [c_star]
    # c* is a fixed point of the drawn map, and the map ends at c_{l+1}(1) = 1
    assert np.interp(c_star, *xy(curve)) == pytest.approx(c_star, abs=2e-3)
    assert xy(curve)[1][-1] == pytest.approx(1.0, abs=1e-6)
    if sigma_b2 == 0.0 and sigma_w2 <= 1.0:  # q* = 0: c_{l+1} = 1 - sigma_w^2 (1 - c_l)
        np.testing.assert_allclose(xy(curve)[1], 1 - sigma_w2 * (1 - r.c), atol=1e-12)
        assert r.scales.chi_1 == pytest.approx(sigma_w2)
    chi = r.scales.chi_1
    phase = "ordered" if chi < 1 - 5e-3 else "chaotic" if chi > 1 + 5e-3 else "at the edge of chaos"
    assert ax1.get_title() == f"chi_1 = {chi:.3f}: {phase}"
    xi = "infinite" if math.isinf(r.scales.xi_c) else f"{r.scales.xi_c:.3g} layers"
    assert ax2.get_title() == f"c* = {c_star:.3f}, xi_c = {xi}"
    assert legend_texts(ax1) == ["chi_1 = 1", "your net"]
    assert legend_texts(ax2) == ["c_{l+1} = c_l", "correlation map", "stable c*"]
    for ax in (ax1, ax2):
        assert_every_labelled_series_in_legend(ax)
    assert ax2.get_xlim() == (0, 1) and ax2.get_ylim() == (0, 1.02)
    assert_nothing_clipped(chaos.figure)


# --- width and parametrization (notebook 10) ----------------------------------------------
@pytest.fixture(scope="module")
def width(style):
    return _build(widgets.width_explorer, width=128)


@pytest.mark.parametrize(
    "n, par, lr",
    [(128, "standard", 0.01), (512, "mup", 0.001), (64, "ntk", 0.1), (256, "ntk", 1e-4)],
)
def test_width_explorer_draws_the_coordinate_check_of_both_widths(width, n, par, lr):
    r = width.refresh(width=n, parametrization=par, lr=lr)
    (ax,) = width.figure.axes
    lines = ax.get_lines()
    assert len(lines) == 6
    expected = [
        cu.parametrization.coord_check(
            lambda w, rng: cu.width_mlp(w, par, base_width=64, zero_readout=False, rng=rng),
            [w],
            *_width_batch(),
            steps=3,
            optimizer="adam",
            lr=lr,
            rng=10,
        ).change[0]
        for w in (n, 64)
    ]
    lo, hi = widgets.width.WIDTH_YLIM
    for k in range(3):
        chosen, base = lines[2 * k], lines[2 * k + 1]
        np.testing.assert_array_equal(xy(chosen)[0], [1, 2, 3])
        np.testing.assert_allclose(xy(chosen)[1], np.clip(expected[0][1:, k], lo, hi))
        np.testing.assert_allclose(xy(base)[1], np.clip(expected[1][1:, k], lo, hi))
        assert chosen.get_linestyle() == "-" and base.get_linestyle() == "--"
    ratio = r.change[1, -1, -1] / r.change[0, -1, -1]
    assert ax.get_title() == f"{par}, width {n}: the logits move {ratio:.2g}x as far as at width 64"
    assert f"width {n}, {par}, Adam lr {lr:g}" in r.summary
    if n == 64:  # the same seed at the same width: the two curves are one
        np.testing.assert_array_equal(r.change[0], r.change[1])
    assert ax.get_yscale() == "log" and ax.get_ylim() == pytest.approx(widgets.width.WIDTH_YLIM)
    (legend,) = width.figure.legends  # below the axes, where no curve goes
    assert [t.get_text() for t in legend.get_texts()] == [ln.get_label() for ln in lines]
    assert_integer_ticks(ax.xaxis)
    assert_nothing_clipped(width.figure)


def _width_batch():
    gen = np.random.default_rng(10)  # compute_width_explorer's default seed and batch of 8
    return gen.normal(size=(8, 64)), gen.integers(0, 10, 8)


# --- the playground (notebooks 01 and 05) --------------------------------------------------
@pytest.mark.parametrize(
    "settings",
    [
        dict(dataset="spirals", init="appropriate", width=6),
        dict(dataset="blobs", init="too small", width=8, edges="gradient"),
        dict(dataset="moons", init="he_normal", activation="relu", width=20),  # wide: summaries
    ],
    ids=["spirals", "blobs-gradients", "moons-wide"],
)
def test_playground_draws_its_frame(style, settings):
    from course_utils.plots.playground import HIST_EDGES, WIDE_LAYER

    ex = _build(widgets.playground, **settings)
    for _ in range(4):
        frame = ex.advance()
    s, plot = frame.state, ex.plot
    # the boundary: each class's colour weighted by its probability, half white
    rgb = np.asarray(plot.image.get_array(), dtype=float)
    colors = np.array([matplotlib.colors.to_rgb(c) for c in ["#0072B2", "#D55E00", "#009E73"]])
    expected = 0.5 + 0.5 * frame.probabilities @ colors[: s.n_classes]
    np.testing.assert_allclose(rgb, expected, rtol=1e-12)
    extent = [frame.grid_x[0], frame.grid_x[-1], frame.grid_y[0], frame.grid_y[-1]]
    assert list(plot.image.get_extent()) == extent
    for k in range(s.n_classes):
        px, py = xy(plot.points[k])
        np.testing.assert_array_equal(px, s.X[s.y == k, 0])
        np.testing.assert_array_equal(py, s.X[s.y == k, 1])
    markers = {plot.points[k].get_marker() for k in range(s.n_classes)}
    assert len(markers) == s.n_classes  # classes by marker, not colour alone
    # the loss per step, and ln(n_classes)
    lx, ly = xy(plot.loss_line)
    np.testing.assert_array_equal(lx, np.arange(s.step + 1))
    np.testing.assert_allclose(ly, s.losses)
    assert xy(plot.chance)[1].tolist() == [math.log(s.n_classes)] * 2
    assert legend_texts(plot.ax_loss) == ["loss", f"ln {s.n_classes} = {math.log(s.n_classes):.3f}"]
    assert_every_labelled_series_in_legend(plot.ax_loss)
    assert_data_in_view(plot.ax_loss, plot.loss_line)
    assert_integer_ticks(plot.ax_loss.xaxis)
    assert plot.ax_loss.get_yscale() == "log"
    # the edges: one segment per weight of a narrow layer, as wide as |value| / the largest
    values = frame.weights if settings.get("edges", "weight") == "weight" else frame.weight_grads
    sizes = s.net.layer_sizes
    vmax = max(np.abs(v).max() for v in values)
    drawn = sum(len(c.get_segments()) for c in plot.edges.values())
    narrow = [i for i in range(len(values)) if max(sizes[i], sizes[i + 1]) <= WIDE_LAYER]
    wide = len(values) - len(narrow)
    signs_per_wide = sum(
        len({np.sign(x) for x in values[i].ravel()}) for i in range(len(values)) if i not in narrow
    )
    assert drawn == sum(values[i].size for i in narrow) + signs_per_wide
    for sign, coll in plot.edges.items():
        widths = np.broadcast_to(coll.get_linewidths(), (len(coll.get_segments()),))
        for seg, width in zip(coll.get_segments(), widths):
            layer = int(round(seg[0][0]))
            if layer in narrow:
                v = values[layer]
                expected_w = 0.3 + 3.7 * np.abs(v[v > 0 if sign == "+" else v < 0]) / vmax
                assert np.isclose(expected_w, width).any(), (sign, layer, width)
    assert any(t.get_text() for t in plot.wide_texts) == (wide > 0)
    assert legend_texts(plot.ax_net) == [
        "positive (solid)",
        "negative (dashed)",
        "exactly 0 (dotted)",
    ]
    # the histograms: the fraction of each layer's values per bin of log10 |value|
    for stairs, arrays in [
        (plot.act_stairs, frame.activations),
        (plot.grad_stairs, frame.weight_grads),
    ]:
        for i, a in enumerate(arrays):
            v = np.abs(a.ravel())
            with np.errstate(divide="ignore"):
                logs = np.clip(np.log10(v), -12.5 + 1e-9, 4.5 - 1e-9)
            counts = np.histogram(logs, bins=np.arange(-12.5, 4.51, 0.5))[0] / v.size
            data = stairs[i].get_data()
            np.testing.assert_allclose(data.edges, HIST_EDGES)
            assert data.baseline == i + 1
            np.testing.assert_allclose(data.values, i + 1 + 0.85 * counts / counts.max())
        assert not any(st.get_visible() for st in stairs[len(arrays) :])
    assert f"{s.config.n_points} points" in plot.title.get_text()
    assert_nothing_clipped(ex.figure)


# --- gradient through time (notebook 08) ----------------------------------------------------
@pytest.fixture(scope="module")
def gradient_through_time(style):
    return _build(widgets.gradient_through_time_explorer, T=12)


@pytest.mark.parametrize(
    "params",
    [
        {"T": 12, "recurrent_init": "orthogonal", "scale": 1.0, "activation": "linear"},
        {"T": 200, "recurrent_init": "pytorch_rnn", "scale": 1.0, "activation": "tanh"},
        {"T": 80, "recurrent_init": "identity", "scale": 1.5, "activation": "relu"},
        {"T": 2, "recurrent_init": "gaussian", "scale": 0.5, "activation": "tanh"},
        {"T": 64, "recurrent_init": "spectral_radius", "scale": 1.2, "activation": "linear"},
    ],
)
def test_gradient_through_time_draws_the_ratio_per_step_and_the_spectrum(
    gradient_through_time, params
):
    ex = gradient_through_time
    r = ex.refresh(**params)
    ax1, ax2 = ex.figure.axes
    curve, first = [
        ln for ln in ax1.get_lines() if ln.get_label() in ("|dL/dh_t| / |dL/dh_T|", "t = 1")
    ]
    np.testing.assert_array_equal(xy(curve)[0], np.arange(1, params["T"] + 1))
    np.testing.assert_allclose(xy(curve)[1], r.ratio)
    assert xy(first)[0].tolist() == [1] and xy(first)[1][0] == pytest.approx(r.ratio[0])
    # a closed form: linear and orthogonal keep every step's norm; a scaled identity gives s^(T-t)
    if params["recurrent_init"] == "orthogonal" and params["activation"] == "linear":
        np.testing.assert_allclose(xy(curve)[1], 1.0, rtol=1e-10)
    if params["recurrent_init"] == "identity":
        assert r.radius == pytest.approx(params["scale"])
    lo, hi = ax1.get_ylim()
    good = r.ratio[np.isfinite(r.ratio) & (r.ratio > 0)]
    assert lo <= good.min() and hi >= good.max() and ax1.get_yscale() == "log"
    lo, hi = ax1.get_xlim()  # by steps of T (kept over a drag), 2/3 of it filled
    T = max(params["T"], 10)
    assert (
        lo == 0.5
        and hi - 0.5 in (1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 40, 50, 60, 80, 100, 150, 200)
        and T <= hi - 0.5 < 1.5 * T
    )
    assert_integer_ticks(ax1.xaxis)
    eig, rim = [
        ln for ln in ax2.get_lines() if ln.get_label() in ("eigenvalues of W_h", "spectral radius")
    ]
    np.testing.assert_allclose(xy(eig)[0] + 1j * xy(eig)[1], r.eigenvalues)
    np.testing.assert_allclose(np.hypot(*xy(rim)), r.radius)
    assert r.radius == pytest.approx(float(np.abs(r.eigenvalues).max()))
    value = f"{r.ratio[0]:.2g}x" if np.isfinite(r.ratio[0]) else "overflow"
    assert ax1.get_title() == f"{r.verdict}: {value} at t = 1"  # the settings: the summary
    assert ax2.get_title() == "spectrum of W_h"
    assert f"spectral radius of W_h {r.radius:.3f}" in r.summary
    for word in (f"T = {params['T']}", params["recurrent_init"], f"{params['scale']:.2f}"):
        assert word in r.summary
    (legend,) = ex.figure.legends  # one legend below both axes, for every labelled series
    shown = [t.get_text() for t in legend.get_texts()]
    assert shown == [
        "within 100x",
        "no change",
        "|dL/dh_t| / |dL/dh_T|",
        "t = 1",
        "unit circle",
        "eigenvalues of W_h",
        "spectral radius",
    ]
    for ax in (ax1, ax2):
        labels = [a.get_label() for a in [*ax.get_lines(), *ax.patches]]
        assert {lab for lab in labels if not lab.startswith("_")} <= set(shown)
    if MPL_BEFORE_3_9 and params["T"] == 200:
        # matplotlib 3.8 (the floor) draws the smallest y label (PyTorch's default over 200
        # steps) 1.3 px wider than the layout, frozen at the defaults, allows
        pytest.xfail("matplotlib 3.8 clips the widest y label by about 1 px at T = 200")
    assert_nothing_clipped(ex.figure)


# --- the transformer at init (notebook 09) ---------------------------------------------------
@pytest.fixture(scope="module")
def transformer(style):
    return _build(widgets.transformer_explorer, d_model=16, n_layers=2)


@pytest.mark.parametrize(
    "params",
    [
        {"d_model": 16, "n_layers": 2, "init": "gpt2", "norm": "pre"},
        {"d_model": 32, "n_layers": 8, "init": "xavier", "norm": "post"},
        {"d_model": 64, "n_layers": 1, "init": "gpt2_unscaled", "norm": "pre"},
        {"d_model": 32, "n_layers": 5, "init": "gpt2", "norm": "post"},
    ],
)
def test_transformer_explorer_draws_stream_gradient_and_entropy_per_block(transformer, params):
    r = transformer.refresh(**params)
    L = params["n_layers"]
    ax_s, ax_g, ax_e = transformer.figure.axes
    (stream,), (grad,) = ax_s.get_lines(), ax_g.get_lines()
    ent, uniform = ax_e.get_lines()
    # an independent route: the same network and batch, built here
    net = cu.Transformer(
        6, 6, d_model=params["d_model"], n_heads=4, n_layers=L, norm=params["norm"],
        init=params["init"], rng=0,
    )  # fmt: skip
    X, y = cu.pointer_task(8, 6, 6, rng=1)  # the explorer's batch and seed + 1
    net.backward(cu.softmax_cross_entropy(net.forward(X), y)[1])
    np.testing.assert_array_equal(xy(stream)[0], np.arange(L + 1))
    np.testing.assert_allclose(xy(stream)[1], [s.std() for s in net.stream], rtol=1e-12)
    np.testing.assert_array_equal(xy(grad)[0], np.arange(1, L + 1))
    np.testing.assert_allclose(xy(grad)[1], net.block_grad_norms, rtol=1e-12)
    ent_expected = [cu.attention.attention_entropy(a[:, :, -1]).mean() for a in net.attention]
    np.testing.assert_allclose(xy(ent)[1], ent_expected, rtol=1e-12)
    assert np.all(xy(ent)[1] <= math.log(6) + 1e-12)
    np.testing.assert_allclose(xy(uniform)[1], math.log(6))
    if params["norm"] == "post":  # a closed form: every block ends in a layer norm
        np.testing.assert_allclose(xy(stream)[1][1:], 1.0, atol=1e-3)
    for ax, values in ((ax_s, r.stream_std), (ax_g, r.grad_norm)):
        lo, hi = ax.get_ylim()
        assert ax.get_yscale() == "log" and lo <= values.min() and hi >= values.max()
    for ax in (ax_s, ax_g, ax_e):
        assert_integer_ticks(ax.xaxis)
    assert not any(ln.get_label()[0] != "_" for ln in (stream, grad))  # the y label says it
    assert_every_labelled_series_in_legend(ax_e)
    assert legend_texts(ax_e) == ["mean over heads", "uniform, ln 6"]
    for word in (f"d_model {params['d_model']}", f"{L} blocks", params["init"], params["norm"]):
        assert word in r.summary
    title = transformer.figure.texts[0].get_text()
    ratio = r.grad_norm[-1] / r.grad_norm[0]
    end = f"{r.stream_std[-1]:.2g}"
    assert title == f"stream std {end} at the end, gradient last/first x{ratio:.2g}"
    assert_nothing_clipped(transformer.figure)


def test_every_explorer_is_covered():
    """A new explorer gets a figure test here too."""
    explorers = {name for name in dir(widgets) if name.endswith("_explorer")}
    assert explorers == {
        "compounding_explorer",
        "propagation_explorer",
        "training_explorer",
        "edge_of_chaos_explorer",
        "gradient_through_time_explorer",
        "width_explorer",
        "transformer_explorer",
    }
