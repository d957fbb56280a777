"""The exercise checks of notebook 04: every correct form passes, every plausible mistake is named.

Each check prints one line, ``Correct:`` or ``Not yet:``, and never raises. Exercise 1's
tolerance is the error of a 10^6-draw Monte Carlo, so the test measures that error.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import course_utils as cu
from course_utils import checks

EXPECTED_10 = float(cu.theory.predict_propagation(10, "tanh", sigma_w2=1.0).activation_std[-1])


def _line(check, answer, capsys) -> str:
    check(answer)  # must not raise
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out
    return out


def _quadrature_std_10() -> float:
    z, w = np.polynomial.hermite_e.hermegauss(100)
    w = w / w.sum()
    q = 1.0
    for _ in range(9):
        q = np.sum(w * np.tanh(np.sqrt(q) * z) ** 2)
    return float(np.sqrt(np.sum(w * np.tanh(np.sqrt(q) * z) ** 2)))


def _monte_carlo_std_10(n_draws: int, seed: int, *, reuse: bool) -> float:
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n_draws)
    q = 1.0
    for _ in range(10):
        if not reuse:
            z = rng.standard_normal(n_draws)
        q = np.mean(np.tanh(np.sqrt(q) * z) ** 2)
    return math.sqrt(q)


# --- exercise 1: the std of h_10 ----------------------------------------------------------
@pytest.mark.parametrize(
    "answer",
    [
        _quadrature_std_10(),  # the solution
        EXPECTED_10,  # the package's one-liner
        np.float64(EXPECTED_10),
        np.array(EXPECTED_10),  # a 0-d array
        0.228,  # three digits, rounded
        0.2285,
        _monte_carlo_std_10(10**6, 0, reuse=False),  # fresh draws at every layer
        _monte_carlo_std_10(10**6, 1, reuse=True),  # one draw of z reused at every layer
    ],
)
def test_predicted_std_accepts_every_correct_form(answer, capsys):
    out = _line(checks.check_predicted_std, answer, capsys)
    assert out.startswith("Correct:") and "0.22847" in out, out


def test_predicted_std_tolerance_is_the_monte_carlo_error():
    """The delta-method standard error matches the spread of real Monte Carlo runs."""
    n, runs = 20_000, 40
    for reuse in (False, True):
        values = [_monte_carlo_std_10(n, seed, reuse=reuse) for seed in range(runs)]
        spread = np.std(values, ddof=1)
        predicted = checks.propagation._tanh_map_mc_se(10, n)
        # the larger of the two schemes' errors; the sample std of 40 runs is good to ~25%
        assert spread < 1.5 * predicted, (reuse, spread, predicted)
    assert 0.6 * predicted < spread  # the reused-draw scheme is the one that sets it
    assert 4 * checks.propagation._tanh_map_mc_se(10, 10**6) == pytest.approx(0.0031, abs=2e-4)


@pytest.mark.parametrize(
    "answer, words",
    [
        (math.sqrt(cu.theory.iterate_variance_map(1.0, 9, "tanh")[-1]), "pre-activation z_10"),
        (cu.theory.iterate_variance_map(1.0, 9, "tanh")[-1], "that is q_10"),
        (EXPECTED_10**2, "second moment"),
        (cu.theory.predict_propagation(11, "tanh").activation_std[-1], "layer 11"),
        (EXPECTED_10 + 0.006, "10^6 draws per layer"),  # a Monte Carlo with too few draws
        (0.5, "q_{l+1} = E[tanh(sqrt(q_l) z)^2]"),
        (None, "still None"),
        ("0.2285", "one number"),
        ([0.2285], "one number"),
        (np.array([0.2, 0.3]), "one number"),
        (float("nan"), "finite"),
        (True, "one number"),
    ],
)
def test_predicted_std_names_each_mistake(answer, words, capsys):
    out = _line(checks.check_predicted_std, answer, capsys)
    assert out.startswith("Not yet:") and words in out, out


def test_predicted_std_prints_numbers_that_differ(capsys):
    out = _line(checks.check_predicted_std, 0.2408, capsys)
    assert "0.24080" in out and "0.22847" in out


# --- exercise 2: the smallest sigma_w that keeps the std ----------------------------------
def _scan_upwards(step: float) -> float:
    for sigma_w in np.arange(1.0, 3.0, step):
        std = cu.theory.predict_propagation(50, "tanh", sigma_w2=sigma_w**2).activation_std
        if np.max(np.abs(std / std[0] - 1)) <= 0.1:
            return float(sigma_w)
    raise AssertionError("no sigma_w found")


def test_the_edge_is_where_the_std_leaves_the_band():
    edge = checks.smallest_sigma_w_keeping_std()
    for sigma_w, inside in ((edge * (1 + 1e-6), True), (edge * (1 - 1e-6), False)):
        std = cu.theory.predict_propagation(50, "tanh", sigma_w2=sigma_w**2).activation_std
        assert bool(np.max(np.abs(std / std[0] - 1)) <= 0.1) is inside
    assert 1.89 < edge < 1.90


@pytest.mark.parametrize(
    "answer",
    [
        _scan_upwards(0.01),  # the solution: 1.9000000000000008
        1.9,
        1.90,
        np.float64(1.9),
        np.array(1.9),
        checks.smallest_sigma_w_keeping_std(),  # a bisection to full precision
        1.8935,  # a bisection rounded to 4 decimals, a hair below the edge
        1.9035,
    ],
)
def test_sigma_w_accepts_the_smallest_in_every_form(answer, capsys):
    out = _line(checks.check_sigma_w_keeps_std, answer, capsys)
    assert out.startswith("Correct:") and "chi_1" in out and "1.89352" in out, out


@pytest.mark.parametrize(
    "answer, words",
    [
        (10, "not the smallest"),  # the review's case: saturated, gradients x1.7e18
        (2.0, "not the smallest"),
        (1.92, "not the smallest"),
        (_scan_upwards(0.01) ** 2, "looks like sigma_w^2"),
        (1.89, "more than 10%"),  # the last value that fails
        (1.0, "more than 10%"),
        (0.5, "more than 10%"),
        (-1.9, "positive"),
        (0, "positive"),
        (None, "still None"),
        ("1.9", "one number"),
        ([1.9], "one number"),
        (float("inf"), "finite"),
    ],
)
def test_sigma_w_names_each_mistake(answer, words, capsys):
    out = _line(checks.check_sigma_w_keeps_std, answer, capsys)
    assert out.startswith("Not yet:") and words in out, out


def test_sigma_w_shows_the_price_of_a_large_sigma_w(capsys):
    out = _line(checks.check_sigma_w_keeps_std, 10, capsys)
    assert "1.68e+18" in out and "5.545" in out


def test_checks_of_notebook_04_never_raise_on_a_crashing_answer(capsys):
    class Weird:
        def __float__(self):
            raise RuntimeError("learner bug")

    for check in (checks.check_predicted_std, checks.check_sigma_w_keeps_std):
        assert _line(check, Weird(), capsys).startswith("Not yet:")
