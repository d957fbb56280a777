"""Initializers against their closed forms and against Monte Carlo estimates.

A Monte Carlo variance is compared within 5 standard errors, the standard error of a
mean of w^2 over N draws being std(w^2) / sqrt(N) (estimated from the same draws).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import course_utils as cu
from stats_tools import var_se, within_se

FAN_IN, FAN_OUT = 400, 300
Z = 5.0  # standard errors allowed


def mc_variance_ok(w: np.ndarray, expected_var: float) -> tuple[bool, str]:
    """Zero-mean variance estimate within Z standard errors of the expected value."""
    sq = np.ravel(w) ** 2
    est, se = sq.mean(), sq.std(ddof=1) / math.sqrt(sq.size)
    return abs(
        est - expected_var
    ) < Z * se, f"measured {est:.6g} +- {se:.2g}, expected {expected_var:.6g}"


# name, callable, closed-form variance, uniform bound (None for unbounded)
CASES = [
    (
        "xavier_normal",
        lambda r: cu.xavier_normal(FAN_IN, FAN_OUT, rng=r),
        2 / (FAN_IN + FAN_OUT),
        None,
    ),
    (
        "xavier_uniform",
        lambda r: cu.xavier_uniform(FAN_IN, FAN_OUT, rng=r),
        2 / (FAN_IN + FAN_OUT),
        math.sqrt(6 / (FAN_IN + FAN_OUT)),
    ),
    (
        "xavier_uniform_gain",
        lambda r: cu.xavier_uniform(FAN_IN, FAN_OUT, gain=5 / 3, rng=r),
        (5 / 3) ** 2 * 2 / (FAN_IN + FAN_OUT),
        5 / 3 * math.sqrt(6 / (FAN_IN + FAN_OUT)),
    ),
    ("he_normal", lambda r: cu.he_normal(FAN_IN, FAN_OUT, rng=r), 2 / FAN_IN, None),
    (
        "he_normal_fan_out",
        lambda r: cu.he_normal(FAN_IN, FAN_OUT, mode="fan_out", rng=r),
        2 / FAN_OUT,
        None,
    ),
    (
        "he_uniform",
        lambda r: cu.he_uniform(FAN_IN, FAN_OUT, rng=r),
        2 / FAN_IN,
        math.sqrt(6 / FAN_IN),
    ),
    ("lecun_normal", lambda r: cu.lecun_normal(FAN_IN, FAN_OUT, rng=r), 1 / FAN_IN, None),
    (
        "lecun_uniform",
        lambda r: cu.lecun_uniform(FAN_IN, FAN_OUT, rng=r),
        1 / FAN_IN,
        math.sqrt(3 / FAN_IN),
    ),
    (
        "standard_uniform",
        lambda r: cu.standard_uniform(FAN_IN, FAN_OUT, rng=r),
        1 / (3 * FAN_IN),
        1 / math.sqrt(FAN_IN),
    ),
    ("normal", lambda r: cu.normal(FAN_IN, FAN_OUT, std=0.3, rng=r), 0.09, None),
    ("uniform", lambda r: cu.uniform(FAN_IN, FAN_OUT, limit=0.3, rng=r), 0.03, 0.3),
    (
        "truncated_fan_avg",
        lambda r: cu.variance_scaling(
            FAN_IN, FAN_OUT, scale=2.0, mode="fan_avg", distribution="truncated_normal", rng=r
        ),
        2.0 / ((FAN_IN + FAN_OUT) / 2),
        2 * math.sqrt(2.0 / ((FAN_IN + FAN_OUT) / 2)) / cu.truncated_normal_std_factor(),
    ),
    ("orthogonal_tall", lambda r: cu.orthogonal(FAN_IN, FAN_OUT, rng=r), 1 / FAN_IN, None),
]


@pytest.mark.parametrize("name, draw, var, bound", CASES, ids=[c[0] for c in CASES])
def test_variance_matches_closed_form_by_monte_carlo(name, draw, var, bound):
    w = np.concatenate([draw(seed).ravel() for seed in range(8)])  # ~1e6 draws
    ok, msg = mc_variance_ok(w, var)
    assert ok, f"{name}: {msg}"
    assert abs(w.mean()) < Z * w.std() / math.sqrt(w.size), f"{name}: mean {w.mean():.3g}"
    if bound is not None:
        assert np.abs(w).max() <= bound
        # the draws fill the interval: the largest |w| is within 1% of the bound
        assert np.abs(w).max() > 0.99 * bound


@pytest.mark.parametrize(
    "mode, n", [("fan_in", FAN_IN), ("fan_out", FAN_OUT), ("fan_avg", (FAN_IN + FAN_OUT) / 2)]
)
@pytest.mark.parametrize("distribution", cu.initializers.DISTRIBUTIONS)
def test_variance_scaling_every_mode_and_distribution(mode, n, distribution):
    w = cu.variance_scaling(FAN_IN, FAN_OUT, scale=3.0, mode=mode, distribution=distribution, rng=1)
    assert w.shape == (FAN_IN, FAN_OUT) and w.dtype == np.float64
    ok, msg = mc_variance_ok(w, 3.0 / n)
    assert ok, msg


def test_truncated_normal_factor_closed_form_and_monte_carlo():
    c = cu.truncated_normal_std_factor()
    assert c == pytest.approx(0.8796256610342398, rel=1e-12)  # Keras/TF's constant
    z = np.random.default_rng(3).standard_normal(2_000_000)
    kept = z[np.abs(z) <= 2.0]
    ok, msg = mc_variance_ok(kept, c**2)
    assert ok, msg
    # the correction makes the truncated draws keep the std asked for
    w = cu.variance_scaling(
        1000, 1000, scale=1.0, mode="fan_in", distribution="truncated_normal", rng=0
    )
    assert np.abs(w).max() <= 2 / math.sqrt(1000) / c
    ok, msg = mc_variance_ok(w, 1 / 1000)
    assert ok, msg


def test_named_initializers_are_special_cases_of_variance_scaling():
    pairs = [
        (
            cu.xavier_normal(30, 20, rng=5),
            cu.variance_scaling(30, 20, scale=1, mode="fan_avg", rng=5),
        ),
        (
            cu.he_uniform(30, 20, rng=5),
            cu.variance_scaling(30, 20, scale=2, distribution="uniform", rng=5),
        ),
        (cu.lecun_normal(30, 20, rng=5), cu.variance_scaling(30, 20, scale=1, rng=5)),
    ]
    for a, b in pairs:
        np.testing.assert_allclose(a, b, rtol=1e-12)  # gain**2 vs 2: one ulp
    assert cu.glorot_uniform is cu.xavier_uniform and cu.kaiming_normal is cu.he_normal


@pytest.mark.parametrize("shape", [(64, 64), (128, 32), (32, 128)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_is_orthogonal(shape, gain):
    w = cu.orthogonal(*shape, gain=gain, rng=0)
    assert w.shape == shape
    small = min(shape)
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, gain**2 * np.eye(small), atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(w, compute_uv=False), gain, rtol=1e-12)


def test_orthogonal_is_haar_not_biased():
    """Haar-distributed Q has E[Q_11] = 0; an uncorrected QR has a positive diagonal bias."""
    first = np.array([cu.orthogonal(8, 8, rng=s)[0, 0] for s in range(4000)])
    # Var(Q_11) = 1/8 for Haar; the mean of 4000 draws has se sqrt(1/8/4000)
    assert abs(first.mean()) < Z * math.sqrt(1 / 8 / 4000)


def test_zeros_and_constant():
    assert not cu.zeros(3, 4).any() and cu.zeros(3, 4).shape == (3, 4)
    np.testing.assert_array_equal(cu.constant(3, 4, 0.5), np.full((3, 4), 0.5))


def test_calculate_gain_matches_pytorch_table():
    assert cu.calculate_gain("linear") == 1.0
    assert cu.calculate_gain("sigmoid") == 1.0
    assert cu.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert cu.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert cu.calculate_gain("selu") == pytest.approx(0.75)
    assert cu.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert cu.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    # the relu gain is the second-moment gain: 1 / sqrt(E[relu(z)^2]) = sqrt(2)
    assert cu.theory.second_moment_gain("relu") == pytest.approx(math.sqrt(2), rel=1e-10)


def test_compute_fans():
    assert cu.compute_fans((5, 7)) == (5, 7)
    assert cu.compute_fans((3, 3, 16, 32)) == (144, 288)


def test_get_initializer_every_name_and_binding():
    for name in cu.INITIALIZERS:
        if name in ("constant", "normal", "uniform"):
            continue
        w = cu.get_initializer(name)(6, 4, rng=0)
        assert w.shape == (6, 4), name
    small = cu.get_initializer("normal", std=0.01)
    np.testing.assert_allclose(small(5, 5, rng=1), cu.normal(5, 5, std=0.01, rng=1))
    assert cu.get_initializer("constant", value=2.0)(2, 2).sum() == 8.0


# ---- reproducibility -----------------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["xavier_normal", "xavier_uniform", "he_normal", "orthogonal", "lecun_uniform"]
)
def test_same_seed_same_numbers_different_seed_different(name):
    f = cu.get_initializer(name)
    np.testing.assert_array_equal(f(10, 10, rng=7), f(10, 10, rng=7))
    assert not np.array_equal(f(10, 10, rng=7), f(10, 10, rng=8))
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(f(10, 10, rng=g1), f(10, 10, rng=g2))


# ---- bad input: the message names the argument, the value and what is allowed ----------
@pytest.mark.parametrize(
    "call, exc, words",
    [
        (
            lambda: cu.get_initializer("xavir_normal"),
            ValueError,
            ["'xavir_normal'", "did you mean 'xavier_normal'", "choose from"],
        ),
        (
            lambda: cu.variance_scaling(4, 4, mode="fan_mean"),
            ValueError,
            ["mode", "'fan_mean'", "'fan_avg'"],
        ),
        (
            lambda: cu.variance_scaling(4, 4, distribution="gaussian"),
            ValueError,
            ["distribution", "'gaussian'", "'normal'"],
        ),
        (lambda: cu.variance_scaling(4, 4, scale=-1.0), ValueError, ["scale", "-1.0", "> 0"]),
        (
            lambda: cu.variance_scaling(4, 4, scale=0.0),
            ValueError,
            ["scale", "0.0", "> 0", "cu.zeros"],
        ),
        (lambda: cu.he_normal(4, 4, gain=0), ValueError, ["gain", "> 0", "cu.zeros"]),
        (lambda: cu.xavier_normal(0, 4), ValueError, ["fan_in", "0", ">= 1"]),
        (lambda: cu.xavier_normal(4.5, 4), TypeError, ["fan_in", "4.5", "integer"]),
        (lambda: cu.he_normal(4, 4, mode="fan_avg"), ValueError, ["mode", "'fan_avg'", "'fan_in'"]),
        (lambda: cu.normal(4, 4, std=float("nan")), ValueError, ["std", "nan", "finite"]),
        (
            lambda: cu.xavier_normal(4, 4, rng="seed"),
            TypeError,
            ["rng", "'seed'", "np.random.Generator"],
        ),
        (
            lambda: cu.xavier_normal(4, 4, rng=np.random.RandomState(0)),
            TypeError,
            ["rng", "RandomState", "default_rng"],
        ),
        (lambda: cu.calculate_gain("relu6"), ValueError, ["'relu6'", "did you mean 'relu'"]),
        (lambda: cu.calculate_gain("gelu"), ValueError, ["'gelu'", "monte_carlo_gain"]),
        (lambda: cu.calculate_gain("tanh", 0.1), ValueError, ["param", "leaky_relu"]),
        (lambda: cu.get_initializer("normal"), ValueError, ["'normal'", "std"]),
        (lambda: cu.compute_fans((5,)), ValueError, ["shape", "(5,)"]),
    ],
)
def test_bad_input_is_explained(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


@pytest.mark.parametrize(
    "name", sorted(cu.initializers.NAMED_INITS) + sorted(cu.initializers.ALIASES)
)
def test_each_table_row_draws_the_variance_the_table_states(name):
    """Drawing and the closed form come from the same row: Monte Carlo within 5 SE."""
    fan_in, fan_out = 300, 200
    w = cu.INITIALIZERS[name](fan_in, fan_out, rng=7)
    var = cu.initializers.initializer_variance(name, fan_in, fan_out)
    assert var == cu.theory.weight_variance(name, fan_in, fan_out)
    measured, se = var_se(w)
    assert within_se(measured, var, se)


def test_adding_an_initializer_is_one_row():
    """A new row gets a function, a variance and a parameter check, with no other code."""
    from course_utils.initializers.named import NamedInit
    from course_utils.initializers.registry import _check_params, _make_named, initializer_params

    row = NamedInit("truncated_normal", "fan_out", None, 2.0, "a made-up row")
    cu.initializers.NAMED_INITS["demo_init"] = row
    try:
        fn = _make_named("demo_init", row)
        assert cu.initializers.initializer_variance("demo_init", 50, 40) == 4.0 / 40
        assert cu.initializers.initializer_variance("demo_init", 50, 40, gain=1.0) == 1.0 / 40
        assert initializer_params(fn, "demo_init") == ["gain"]
        w = fn(400, 400, rng=0, gain=1.0)
        measured, se = var_se(w)
        assert within_se(measured, 1.0 / 400, se) and np.abs(w).max() <= 2 / 0.8796 / 20 + 1e-12
        with pytest.raises(TypeError, match="did you mean 'gain'"):
            _check_params(fn, "demo_init", {"gian": 1.0})
    finally:
        del cu.initializers.NAMED_INITS["demo_init"]


def test_truncated_normal_redraw_loop_is_capped():
    """A cut that keeps almost nothing fails with a clear error instead of looping forever."""
    from course_utils.initializers.rules import _truncated_standard_normal

    with pytest.raises(ValueError, match=r"cut = 0.0001 keeps too few draws.*after 200 rounds"):
        _truncated_standard_normal(np.random.default_rng(0), (100, 100), 1e-4)
    x = _truncated_standard_normal(np.random.default_rng(0), (100, 100), 2.0)
    assert np.abs(x).max() <= 2.0
