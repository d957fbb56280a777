"""Notebook 01's numbers, computed by the package: compounding, the matrix chain, symmetry.

Tolerances are derived, not copied from outputs. One step of ``x <- W x`` with
``W ~ N(0, std^2)`` multiplies ``|x|^2`` by ``std^2 chi^2_n``, so the increment of
``ln|x|`` has mean ``ln(std sqrt n) + E[ln(chi^2_n / n)] / 2 ~= ln(std sqrt n) - 1/(2n)``
and standard deviation ``sqrt(Var(ln chi^2_n)) / 2 ~= sqrt(2/n) / 2 = sqrt(1/(2n))``.
"""

from __future__ import annotations

import math
import warnings

import matplotlib
import numpy as np
import pytest

import course_utils as cu
from course_utils.widgets import compute_compounding, stable_factor_range

matplotlib.use("Agg")

N = 512
F32_MAX = float(np.finfo(np.float32).max)
F32_TINY = float(np.finfo(np.float32).smallest_subnormal)
STEP_SD = math.sqrt(1 / (2 * N))  # sd of one step's increment of ln|x|
SEEDS = [0, 1, 2, 3, 4]


# --- compounding -----------------------------------------------------------------------
def test_compounding_numbers_the_course_prints():
    up, down = compute_compounding(1.1, 50), compute_compounding(0.9, 50)
    assert up.final == pytest.approx(math.exp(50 * math.log(1.1)), rel=1e-12)
    assert down.final == pytest.approx(math.exp(50 * math.log(0.9)), rel=1e-12)
    assert f"{up.final:.2f}" == "117.39"
    assert f"{down.final:.5f}" == "0.00515"
    assert not up.in_band and not down.in_band


def test_band_at_depth_50_is_about_one_plus_minus_0_014():
    lo, hi = stable_factor_range(50)
    assert lo**50 == pytest.approx(0.5, rel=1e-12) and hi**50 == pytest.approx(2.0, rel=1e-12)
    # 2^(1/L) = exp(ln 2 / L) = 1 + ln2/L + (ln2/L)^2/2 + ...: the second-order term bounds the gap
    d = math.log(2) / 50
    assert abs((hi - 1) - d) < d**2 and abs((1 - lo) - d) < d**2
    assert round(hi - 1, 3) == 0.014 and round(1 - lo, 3) == 0.014
    assert compute_compounding(hi * 0.999, 50).in_band
    assert not compute_compounding(hi * 1.001, 50).in_band


# --- the matrix chain ------------------------------------------------------------------
def _increments(result):
    norms = result.norms[np.isfinite(result.norms) & (result.norms > 0)]
    return np.diff(np.log(norms))


@pytest.mark.parametrize("seed", SEEDS)
def test_n01_chain_overflows_float32_within_25_to_35_steps(seed):
    r = cu.matrix_chain(N, std=1.0, steps=100, rng=seed)
    # ln|x| grows by 0.5 ln n per step from ln sqrt(n) (entries ~1); float32 ends at ln(3.4e38).
    predicted = math.log(F32_MAX) / (0.5 * math.log(N))
    assert predicted == pytest.approx(cu.predicted_escape_step(N, 1.0), rel=1e-12)
    # The largest of n entries is ~sqrt(2 ln 2n) = 3.7 times the typical one: it crosses
    # ln(3.7) / (0.5 ln n) = 0.4 steps early; the random walk adds 5 sd * sqrt(29) * STEP_SD
    # = 0.85 in ln units, 0.3 steps. So the first overflow is within [predicted - 1, predicted + 1].
    assert r.overflow_step is not None and r.underflow_step is None
    assert predicted - 1 <= r.overflow_step <= predicted + 1
    assert 25 <= r.overflow_step <= 35
    assert r.summary.endswith(f"overflowed at step {r.overflow_step}")
    k = r.overflow_step
    assert np.all(np.isfinite(r.norms[:k])) and r.norms[k] == np.inf
    assert np.all(np.isnan(r.norms[k + 1 :]))
    inc = _increments(r)
    mean = 0.5 * math.log(N) - 1 / (2 * N)
    assert np.all(np.abs(inc - mean) < 5 * STEP_SD), inc


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_small_chain_underflows_to_exactly_zero(seed):
    r = cu.matrix_chain(N, std=0.01, steps=100, rng=seed)
    assert r.underflow_step is not None and r.overflow_step is None
    assert np.all(r.norms[r.underflow_step :] == 0.0)
    assert np.all(r.norms[: r.underflow_step] > 0)
    predicted = (math.log(F32_TINY) - 0.0) / math.log(0.01 * math.sqrt(N))
    assert predicted == pytest.approx(cu.predicted_escape_step(N, 0.01), rel=1e-12)
    # Every entry must round to 0: the largest (~3.7x typical) needs ln(3.7)/1.49 = 0.9 more
    # steps; the walk adds 5 sd * sqrt(70) * STEP_SD = 1.3 ln units = 0.9 steps; subnormals
    # lose precision on the way. Allow 3 steps either side.
    assert abs(r.underflow_step - predicted) <= 3
    assert "underflowed to exactly 0" in r.summary


def _walk_bound(steps, n):
    """5 sd of the log-norm random walk plus its drift: a bound on max_k |ln(|x_k|/|x_0|)|.

    ln(|x_k|/|x_0|) has mean ~ -k/(2n) and sd sqrt(k/(2n)); by Levy's inequality the
    maximum over k <= T exceeds a level at most twice as often as the end point does, so
    5 sd of the end point bounds the whole path with probability about 1 - 2e-6.
    """
    return steps / (2 * n) + 5 * math.sqrt(steps / (2 * n))


@pytest.mark.parametrize("seed", SEEDS)
def test_inverse_sqrt_n_chain_stays_order_one(seed):
    steps = 100
    r = cu.matrix_chain(N, std=1 / math.sqrt(N), steps=steps, rng=seed)
    assert r.overflow_step is None and r.underflow_step is None
    assert np.all(np.isfinite(r.norms))
    log_ratio = np.log(r.norms / r.norms[0])
    bound = _walk_bound(steps, N)  # 1.66: the norm stays within a factor e^1.66 = 5.3
    assert np.max(np.abs(log_ratio)) < bound
    assert cu.predicted_escape_step(N, 1 / math.sqrt(N)) is None
    assert "stayed finite" in r.summary


def test_the_order_one_bound_can_fail():
    """The bound above is sharp enough to catch a scale 10% off 1/sqrt(n)."""
    steps = 100
    r = cu.matrix_chain(N, std=1.1 / math.sqrt(N), steps=steps, rng=0)
    assert np.max(np.abs(np.log(r.norms / r.norms[0]))) > _walk_bound(steps, N)


def test_float64_lasts_longer_but_still_overflows():
    r = cu.matrix_chain(N, std=1.0, steps=300, dtype="float64", rng=0)
    predicted = math.log(np.finfo(np.float64).max) / (0.5 * math.log(N))
    assert predicted == pytest.approx(cu.predicted_escape_step(N, dtype="float64"), rel=1e-12)
    assert predicted - 1.5 <= r.overflow_step <= predicted + 1  # walk sd over 228 steps: 0.3 steps
    assert r.dtype == "float64"


def test_chain_is_quiet_and_reproducible():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = cu.matrix_chain(64, std=1.0, steps=60, rng=7)
        cu.matrix_chain(64, std=0.01, steps=200, rng=7)
    b = cu.matrix_chain(64, std=1.0, steps=60, rng=7)
    np.testing.assert_array_equal(a.norms, b.norms)
    assert a.steps == 60 and a.norms.shape == (61,)


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        (dict(n=0), ValueError, "n must be an integer >= 1"),
        (dict(n=2.5), TypeError, "n must be an integer"),
        (dict(std=-1.0), ValueError, "std must be >= 0"),
        (dict(std=float("nan")), ValueError, "std must be finite"),
        (dict(steps=0), ValueError, "steps"),
        (dict(dtype="float16"), ValueError, "'float32', 'float64'"),
        (dict(rng="seed"), TypeError, "rng"),
    ],
)
def test_matrix_chain_rejects_bad_input(kwargs, exc, words):
    with pytest.raises(exc, match=words):
        cu.matrix_chain(**{"n": 8, "steps": 3, **kwargs})


def test_predicted_escape_step_rejects_bad_input():
    with pytest.raises(ValueError, match="std must be > 0"):
        cu.predicted_escape_step(8, 0.0)
    with pytest.raises(ValueError, match="did you mean 'float32'"):
        cu.predicted_escape_step(8, dtype="flot32")


def test_plot_chain_norms_draws_only_finite_positive_values():
    chains = [cu.matrix_chain(64, std=s, steps=120, rng=0) for s in (1.0, 0.01, 0.125)]
    assert chains[0].overflow_step and chains[1].underflow_step
    ax = cu.plots.plot_chain_norms(chains, labels=["big", "small", "right"])
    for line in ax.get_lines():
        y = np.asarray(line.get_ydata(), dtype=float)
        assert y.size and np.all(np.isfinite(y)) and np.all(y > 0)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == f"big: overflowed at step {chains[0].overflow_step}"
    assert labels[1] == f"small: exactly 0 from step {chains[1].underflow_step}"
    assert ax.get_yscale() == "log"
    matplotlib.pyplot.close("all")


def test_plot_weight_matrices_one_panel_per_matrix():
    axes = cu.plots.plot_weight_matrices({"a": np.zeros((4, 3)), "b": np.eye(4, 3)})
    assert [ax.get_title() for ax in axes] == ["a", "b"]
    assert all(len(ax.get_images()) == 1 for ax in axes)
    matplotlib.pyplot.close("all")


# --- zero and constant init: the symmetry never breaks ---------------------------------
def _numerical_rank(w, rtol=1e-8):
    s = np.linalg.svd(w, compute_uv=False)
    return int(np.sum(s > rtol * s[0])) if s[0] > 0 else 0


@pytest.fixture(scope="module")
def digits():
    X, y = cu.load_digits()
    return X[:600], y[:600]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_constant_init_keeps_hidden_weights_rank_one(digits, optimizer):
    X, y = digits
    init = cu.get_initializer("constant", value=0.1)
    net = cu.MLP([64, 16, 10], activation="tanh", init=init, rng=0)
    w_start = net.weights[0].copy()
    cu.fit(net, X, y, epochs=5, lr=0.05, batch_size=50, optimizer=optimizer, rng=0)
    w1 = net.weights[0]
    assert np.abs(w1 - w_start).max() > 1e-6  # the weights moved (rounding is ~1e-17) ...
    assert _numerical_rank(w1) == 1  # ... but every column (hidden unit) the same way
    assert cu.checks.distinct_columns(w1) == 1
    assert cu.checks.distinct_columns(net.weights[1].T) == 1  # outgoing weights too


def test_zero_init_gives_hidden_weights_no_gradient(digits):
    X, y = digits
    net = cu.MLP([64, 16, 10], activation="tanh", init="zeros", rng=0)
    _, grad = cu.softmax_cross_entropy(net.forward(X), y)
    net.backward(grad)
    assert np.all(net.weight_grads[0] == 0) and np.all(net.weight_grads[1] == 0)
    assert np.abs(net.bias_grads[1]).max() > 0  # only the output bias learns
    cu.fit(net, X, y, epochs=3, lr=0.1, batch_size=50, optimizer="momentum", rng=0)
    assert np.all(net.weights[0] == 0) and np.all(net.weights[1] == 0)
    assert _numerical_rank(net.weights[0]) == 0


def test_random_init_breaks_the_symmetry(digits):
    X, y = digits
    net = cu.MLP([64, 16, 10], activation="tanh", init="xavier_normal", rng=0)
    cu.fit(net, X, y, epochs=5, lr=0.05, batch_size=50, optimizer="momentum", rng=0)
    assert _numerical_rank(net.weights[0]) == 16
    assert cu.checks.distinct_columns(net.weights[0]) == 16


def test_constant_init_first_hidden_gradient_cancels_then_moves_in_lockstep(digits):
    """All outputs equal at init: the softmax error sums to 0 over them, and W2's identical
    columns send back 0. W2 still learns; once its columns differ W1 moves, in lockstep."""
    X, y = digits
    init = cu.get_initializer("constant", value=0.1)
    net = cu.MLP([64, 16, 10], activation="tanh", init=init, rng=0)
    _, grad = cu.softmax_cross_entropy(net.forward(X), y)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)
    net.backward(grad)
    g1, g2 = net.weight_grads
    assert np.abs(g2).max() > 1e-4
    assert np.abs(g1).max() < 1e-12 * np.abs(g2).max()
    cu.fit(net, X, y, epochs=1, lr=0.1, batch_size=50, optimizer="momentum", rng=0)
    _, grad = cu.softmax_cross_entropy(net.forward(X), y)
    g1, _ = net.backward(grad)
    assert np.abs(g1).max() > 1e-5
    assert cu.checks.distinct_columns(g1, tol=1e-12) == 1
