"""The playground: its presets, its data sets, its pure frame function and its controls.

Expected values come from closed forms (the presets' variances, the moons' circles, the
blobs' centres), Monte Carlo with tolerances from the sample size, a hand-written numpy
forward pass and finite differences; the symmetry of zero init is read from the drawing.
"""

from __future__ import annotations

import contextlib
import io
import math
import time

import numpy as np
import pytest

import course_utils as cu
from course_utils import playground as pg
from course_utils.plots.playground import EDGE_STYLES
from figure_tools import course_style
from stats_tools import mean_se, var_se, within_se


@pytest.fixture(scope="module")
def style():
    with course_style():
        yield


def _build(**kwargs):
    with contextlib.redirect_stdout(io.StringIO()):  # outside a kernel the Output prints
        return cu.widgets.playground(**kwargs)


# --- the presets ------------------------------------------------------------------------
@pytest.mark.parametrize("name, scale", list(pg.PRESETS.items()))
@pytest.mark.parametrize("fan_in, fan_out", [(200, 300), (16, 4000)])
def test_each_preset_draws_the_variance_it_names(name, scale, fan_in, fan_out):
    """n_in Var(W) = 0, 0.01, 1, 100: within 5 standard errors of the draws' own spread."""
    w = pg.preset_initializer(name)(fan_in, fan_out, rng=3)
    assert w.shape == (fan_in, fan_out)
    if scale == 0.0:
        assert not w.any()
        return
    var, se = var_se(w, mean=0.0)
    assert within_se(var, scale / fan_in, se), (name, var, scale / fan_in, se)
    mean, mse = mean_se(w)
    assert within_se(mean, 0.0, mse)


def test_a_planted_wrong_variance_fails_the_preset_check():
    """The check above has teeth: 1.1 / n_in drawn where 1 / n_in is named fails it."""
    w = np.random.default_rng(3).normal(0.0, math.sqrt(1.1 / 200), size=(200, 300))
    var, se = var_se(w, mean=0.0)
    assert not within_se(var, 1.0 / 200, se)


def test_the_inits_offered_are_the_presets_then_every_parameter_free_initializer():
    assert pg.PLAYGROUND_INITS[:4] == ["zero", "too small", "appropriate", "too large"]
    for name in pg.PLAYGROUND_INITS[4:]:
        cu.get_initializer(name)(3, 4, rng=0)  # draws without a parameter
    assert "he_normal" in pg.PLAYGROUND_INITS and "xavier_normal" in pg.PLAYGROUND_INITS
    assert "kaiming_normal" not in pg.PLAYGROUND_INITS  # an alias, not a second entry


# --- the data sets ----------------------------------------------------------------------
@pytest.mark.parametrize("make, k", [(cu.make_moons, 2), (cu.make_blobs, 3)])
def test_moons_and_blobs_are_seeded_and_balanced(make, k):
    X, y = make(301, rng=4)
    assert X.shape == (301, 2) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(k))
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1
    np.testing.assert_array_equal(X, make(301, rng=4)[0])
    assert not np.array_equal(X, make(301, rng=5)[0])


def test_moons_lie_on_their_two_half_circles():
    X, y = cu.make_moons(500, noise=0.0, rng=0)
    up, down = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*up.T), 1.0)
    assert (up[:, 1] >= 0).all()
    np.testing.assert_allclose(np.hypot(1 - down[:, 0], 0.5 - down[:, 1]), 1.0)
    assert (down[:, 1] <= 0.5).all()


def test_moons_noise_is_the_std_of_the_jitter():
    clean, _ = cu.make_moons(4000, noise=0.0, rng=1)
    noisy, _ = cu.make_moons(4000, noise=0.2, rng=1)  # the same angles, then the jitter
    var, se = var_se(noisy - clean, mean=0.0)
    assert within_se(var, 0.04, se)


def test_blobs_are_gaussians_around_centres_on_a_circle():
    n, k, noise, radius = 6000, 4, 0.3, 2.0
    X, y = cu.make_blobs(n, n_classes=k, noise=noise, radius=radius, rng=2)
    for c in range(k):
        pts = X[y == c]
        centre = radius * np.array([math.cos(2 * math.pi * c / k), math.sin(2 * math.pi * c / k)])
        for axis in range(2):
            mean, se = mean_se(pts[:, axis])
            assert within_se(mean, centre[axis], se)
            var, vse = var_se(pts[:, axis], mean=centre[axis])
            assert within_se(var, noise**2, vse)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: cu.make_moons(1), "n_samples"),
        (lambda: cu.make_moons(10, noise=-1.0), "noise"),
        (lambda: cu.make_blobs(10, n_classes=1), "n_classes"),
        (lambda: cu.make_blobs(10, radius=0.0), "radius"),
        (lambda: pg.PlaygroundConfig(dataset="spiral"), "dataset"),
        (lambda: pg.PlaygroundConfig(init="xavier"), "init"),
        (lambda: pg.PlaygroundConfig(lr=0.0), "lr"),
        (lambda: pg.preset_initializer("tiny"), "preset"),
    ],
)
def test_bad_input_names_the_argument(call, words):
    with pytest.raises((ValueError, TypeError), match=words):
        call()


# --- the frame computation --------------------------------------------------------------
def _snapshot(state):
    return (
        [w.copy() for w in state.net.weights],
        [b.copy() for b in state.net.biases],
        list(state.losses),
        state.step,
        [v.copy() for v in (state.optimizer.velocity or [])],
    )


def test_the_frame_function_is_pure_and_repeatable():
    state = pg.start_playground(steps_per_frame=7)
    first = pg.playground_frame(state)  # builds the optimizer's state on the copy only
    before = _snapshot(first.state)
    a = pg.playground_frame(first.state)
    b = pg.playground_frame(first.state)
    after = _snapshot(first.state)
    for x, z in zip(before, after):
        if isinstance(x, list) and x and isinstance(x[0], np.ndarray):
            for u, v in zip(x, z):
                np.testing.assert_array_equal(u, v)
        else:
            assert x == z
    assert a.state.step == b.state.step == 14
    for u, v in zip(a.weights, b.weights):
        np.testing.assert_array_equal(u, v)
    assert a.summary == b.summary
    assert len(a.state.losses) == 15  # the loss after k steps, k = 0..14
    assert a.steps == 7


def test_frame_at_step_zero_matches_a_plain_numpy_forward_pass():
    state = pg.start_playground(dataset="blobs", activation="tanh", hidden_layers=2, width=5)
    frame = pg.playground_frame(state, 0)
    h = state.X
    for w, b in zip(state.net.weights[:-1], state.net.biases[:-1]):
        h = np.tanh(h @ w + b)
    z = h @ state.net.weights[-1] + state.net.biases[-1]
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(len(state.y)), state.y]))
    assert frame.state.losses == [pytest.approx(loss, rel=1e-12)]
    assert frame.accuracy == pytest.approx(np.mean(p.argmax(axis=1) == state.y))
    np.testing.assert_allclose(frame.activations[-1], z, rtol=1e-12, atol=1e-14)
    assert frame.chance_loss == pytest.approx(math.log(3))
    assert frame.probabilities.shape == (40, 40, 3)
    np.testing.assert_allclose(frame.probabilities.sum(axis=-1), 1.0)


def test_frame_weight_gradients_match_finite_differences():
    state = pg.start_playground(hidden_layers=2, width=3, n_points=20, activation="tanh")
    frame = pg.playground_frame(state, 0)

    def loss(net):
        z = net.forward(state.X)
        return cu.softmax_cross_entropy(z, state.y)[0]

    net, eps = state.net, 1e-6
    for layer, grad in enumerate(frame.weight_grads):
        for i, j in [(0, 0), (1, 1), (-1, -1)]:
            w = net.weights[layer]
            saved = w[i, j]
            w[i, j] = saved + eps
            up = loss(net)
            w[i, j] = saved - eps
            down = loss(net)
            w[i, j] = saved
            assert grad[i, j] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-10)


def test_one_sgd_step_is_w_minus_lr_times_the_gradient():
    state = pg.start_playground(optimizer="sgd", lr=0.3, hidden_layers=1, width=4)
    at_init = pg.playground_frame(state, 0)
    after = pg.playground_frame(state, 1)
    for w0, g, w1 in zip(at_init.weights, at_init.weight_grads, after.weights):
        np.testing.assert_allclose(w1, w0 - 0.3 * g, rtol=1e-12, atol=1e-15)
    assert after.state.losses[0] == pytest.approx(at_init.state.losses[0])


def test_a_diverging_run_stops_and_says_so_without_a_warning():
    state = pg.start_playground(init="too large", activation="linear", lr=1.0, optimizer="sgd")
    with np.errstate(all="raise"):
        for _ in range(40):
            frame = pg.playground_frame(state, 10)
            state = frame.state
            if state.stopped:
                break
    assert state.stopped and "diverged at step" in state.stopped
    assert state.stopped in frame.summary
    again = pg.playground_frame(state, 10)  # a stopped run takes no more steps
    assert again.state.step == state.step and again.steps == 0


def test_with_config_keeps_the_run_for_training_settings_and_restarts_for_the_rest():
    state = pg.playground_frame(pg.start_playground(), 20).state
    faster = pg.with_config(state, pg.PlaygroundConfig(lr=0.3))
    assert faster.step == 20 and faster.optimizer.lr == 0.3 and state.optimizer.lr == 0.1
    np.testing.assert_array_equal(faster.optimizer.velocity[0], state.optimizer.velocity[0])
    adam = pg.with_config(state, pg.PlaygroundConfig(optimizer="adam"))
    assert adam.step == 20 and type(adam.optimizer).__name__ == "Adam"
    for w, v in zip(adam.net.weights, state.net.weights):
        np.testing.assert_array_equal(w, v)
    for change in ({"dataset": "moons"}, {"width": 9}, {"init": "zero"}, {"noise": 0.2}):
        assert pg.with_config(state, pg.PlaygroundConfig(**change)).step == 0, change


# --- zero init: symmetry, read from the drawing -------------------------------------------
def _drawn_edges(figure_plot):
    """{layer: {(i, j): (sign, width)}} from the network's collections (segments' ends)."""
    out = {}
    nodes = figure_plot.node_xy
    for sign, coll in figure_plot.edges.items():
        for seg, width in zip(
            coll.get_segments(), np.broadcast_to(coll.get_linewidths(), (len(coll.get_segments()),))
        ):
            (x0, y0), (x1, y1) = seg
            layer = int(round(x0))
            i = int(np.argmin(np.abs(nodes[layer][:, 1] - y0)))
            j = int(np.argmin(np.abs(nodes[layer + 1][:, 1] - y1)))
            out.setdefault(layer, {})[(i, j)] = (sign, float(width))
    return out


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_zero_init_keeps_every_edge_of_a_layer_equal_while_it_trains(style, activation):
    ex = _build(init="zero", activation=activation, width=6, hidden_layers=2)
    for _ in range(10):
        ex.advance()
    assert ex.state.step == 50
    drawn = _drawn_edges(ex.plot)
    sizes = ex.state.net.layer_sizes
    for layer, edges in drawn.items():
        assert len(edges) == sizes[layer] * sizes[layer + 1]  # every edge is drawn
        assert len(set(edges.values())) == 1, (layer, set(edges.values()))
    assert all(sign == "0" for e in drawn.values() for sign, _ in e.values())


def test_zero_init_with_sigmoid_moves_but_every_hidden_unit_stays_the_same(style):
    """sigmoid(0) = 1/2: the weights move, yet each hidden unit keeps its twins' edges."""
    # blobs: 200 points in 3 classes are not balanced (67, 67, 66), so the output moves
    ex = _build(dataset="blobs", init="zero", activation="sigmoid", width=5, hidden_layers=2)
    for _ in range(20):
        ex.advance()
    drawn = _drawn_edges(ex.plot)
    sizes = ex.state.net.layer_sizes
    assert any(sign != "0" for e in drawn.values() for sign, _ in e.values())  # it trained
    for layer, edges in drawn.items():
        grid = np.empty((sizes[layer], sizes[layer + 1]), dtype=object)
        for (i, j), value in edges.items():
            grid[i, j] = value
        if layer + 1 < len(sizes) - 1:  # into a hidden layer: the same for every unit j
            for row in grid:
                assert len(set(row)) == 1, (layer, row)
        if layer > 0:  # out of a hidden layer: the same from every unit i
            for col in grid.T:
                assert len(set(col)) == 1, (layer, col)


def test_a_planted_broken_symmetry_is_seen_in_the_drawing(style):
    """The reading above has teeth: one weight nudged in a zero net shows as another edge."""
    ex = _build(init="zero", activation="tanh", width=4, hidden_layers=1)
    ex.state.net.weights[0][0, 1] = 0.5
    ex.advance(0)
    edges = _drawn_edges(ex.plot)[0]
    assert len(set(edges.values())) == 2 and edges[(0, 1)][0] == "+"
    assert EDGE_STYLES["+"][1] == "-" and EDGE_STYLES["-"][1] == "--"  # not colour alone


# --- the widget: buttons, the playing thread, the fast path ------------------------------
def test_step_advances_exactly_one_frame_and_reset_goes_back(style):
    ex = _build(steps_per_frame=4)
    png = ex.image.value
    ex.step()
    assert ex.state.step == 4 and ex.image.value != png
    assert "step 4:" in ex.summary.value and "[paused]" in ex.summary.value
    ex.step()
    assert ex.state.step == 8
    ex.reset()
    assert ex.state.step == 0 and ex.state.losses == ex.frame.state.losses


def _wait(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_play_runs_frames_on_a_thread_pause_stops_them_and_controls_act_while_playing(style):
    ex = _build(steps_per_frame=2)
    ex.play()
    try:
        _wait(lambda: ex.state.step >= 6)
        ex.controls["lr"].value = 0.3  # a control moved while it plays
        step_then = ex.state.step
        _wait(lambda: ex.state.step >= step_then + 4)
        assert ex.state.config.lr == 0.3 and "lr 0.3" in ex.summary.value
        assert ex.state.step > step_then  # the run went on, not restarted
        ex.controls["dataset"].value = "moons"  # a new data set starts again
        _wait(lambda: ex.state.config.dataset == "moons")
    finally:
        ex.pause()
    assert not ex._thread.is_alive()
    stopped_at, png = ex.state.step, ex.image.value
    time.sleep(0.4)
    assert ex.state.step == stopped_at and ex.image.value == png  # paused: nothing moves
    assert "[paused]" in ex.summary.value and ex.play_button.description == "Play"
    assert ex.state.step % 2 == 0


def test_the_fast_path_shows_what_a_full_render_shows(style):
    from PIL import Image

    def pixels(png):
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)

    ex = _build(width=6)
    moves = [{}, {"edges": "gradient"}, {"width": 20}, {"dataset": "blobs"}, {"init": "zero"}]
    for move in moves:
        for name, value in move.items():
            (ex.edges if name == "edges" else ex.controls[name]).value = value
        for _ in range(3):
            ex.advance()
            fast, full = pixels(ex.render_png()), pixels(ex.render_png_full())
            assert fast.shape == full.shape
            assert not (fast != full).any(), (move, int((fast != full).any(axis=-1).sum()))
    assert ex._fast.counts["new_background"] >= 3 and ex._fast.counts["overlays_cached"] > 0
