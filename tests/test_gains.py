"""Gains and the numbers notebooks 02 and 03 state, computed by the package and checked.

Quadrature against Monte Carlo (5 standard errors), closed forms for ReLU and leaky ReLU,
the truncated-normal factor at several cuts, and the 30-layer ReLU claim through cu.MLP.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import course_utils as cu
from course_utils.theory import (
    gauss_hermite,
    gaussian_expectation,
    monte_carlo_gain,
    second_moment_gain,
)

ACTS = ["linear", "relu", "leaky_relu", "tanh", "sigmoid", "selu", "gelu", "silu"]


@pytest.mark.parametrize("name", ACTS)
def test_quadrature_gain_matches_monte_carlo(name):
    """Two independent estimates of 1 / sqrt(E[phi(z)^2]) agree within 5 standard errors."""
    exact = second_moment_gain(name)
    for seed in (11, 12):
        g, se = monte_carlo_gain(name, 400_000, rng=seed)
        assert abs(g - exact) < 5 * se, (name, seed, g, exact, se)


def test_monte_carlo_standard_error_is_honest():
    """The delta-method se matches the spread of 40 independent small estimates."""
    estimates = [monte_carlo_gain("tanh", 5_000, rng=s)[0] for s in range(40)]
    se = monte_carlo_gain("tanh", 5_000, rng=99)[1]
    spread = float(np.std(estimates, ddof=1))
    # the sample sd of 40 draws is within about +-35% of the truth with high probability
    assert 0.65 * se < spread < 1.35 * se, (spread, se)


def _leaky(a: float) -> cu.Activation:
    return cu.Activation(
        f"leaky_{a}",
        lambda z: np.where(z > 0, z, a * z),
        lambda z: np.where(z > 0, 1.0, a),
    )


@pytest.mark.parametrize("a", [0.0, 0.01, 0.2, 0.5, 1.0, 3.0])
def test_leaky_relu_gain_closed_form(a):
    """E[leaky(z)^2] = (1 + a^2) / 2 for z ~ N(0, 1), so the gain is sqrt(2 / (1 + a^2))."""
    closed = math.sqrt(2.0 / (1.0 + a * a))
    assert second_moment_gain(_leaky(a)) == pytest.approx(closed, rel=1e-10)
    assert cu.calculate_gain("leaky_relu", a) == pytest.approx(closed, rel=1e-12)
    g, se = monte_carlo_gain(_leaky(a), 400_000, rng=5)
    assert abs(g - closed) < 5 * se


def test_relu_gain_is_sqrt2_and_halves_any_symmetric_input():
    """E[relu(z)^2] = Var(z) / 2 for any zero-mean symmetric z, Gaussian or not."""
    assert second_moment_gain("relu") == pytest.approx(math.sqrt(2), rel=1e-12)
    assert cu.calculate_gain("relu") == pytest.approx(math.sqrt(2), rel=1e-12)
    rng = np.random.default_rng(4)
    n = 1_000_000
    for z in (rng.normal(0, 1.7, n), rng.uniform(-2, 2, n), rng.laplace(0, 0.5, n)):
        s = np.maximum(z, 0) ** 2
        se = s.std() / math.sqrt(n)
        assert abs(s.mean() - np.mean(z**2) / 2) < 5 * se


def test_the_table_against_the_measured_gains():
    """The comparisons notebook 03 draws, pinned: tanh's 5/3 is 4.7% above the measured
    1.593; SELU's constants make its measured gain 1 (LeCun), PyTorch's 3/4 is below it;
    sigmoid's table value 1 is far below its second-moment gain because of its mean 1/2."""
    g_tanh = second_moment_gain("tanh")
    assert g_tanh == pytest.approx(1.5925, abs=5e-4)
    assert 1.04 < cu.calculate_gain("tanh") / g_tanh < 1.05
    # SELU: E[selu(z)^2] = 1 by construction (Klambauer et al. 2017); the quadrature error
    # of 201 Gauss-Hermite points on a function with a kink at 0 is far below 1e-4
    assert second_moment_gain("selu") == pytest.approx(1.0, abs=1e-4)
    assert cu.calculate_gain("selu") == 0.75
    sig = cu.get_activation("sigmoid").forward
    assert gaussian_expectation(sig) == pytest.approx(0.5, abs=1e-12)
    second = gaussian_expectation(lambda z: sig(z) ** 2)
    assert 0.25 / second > 0.8  # the constant 1/2 is over 80% of what the next layer sees
    assert second_moment_gain("sigmoid") == pytest.approx(1 / math.sqrt(second))


def test_tanh_fixed_point_at_five_thirds():
    """Iterating q <- g^2 E[tanh(sqrt(q) z)^2]: g = 1.593 keeps q = 1, g = 5/3 settles a bit
    higher (activations' std about 0.65), g = 1 lets q fade towards 0."""

    x, w = gauss_hermite(101)

    def settle(g, q=1.0, steps=200):
        for _ in range(steps):
            q = g * g * float(w @ np.tanh(math.sqrt(q) * x) ** 2)
        return q

    g = second_moment_gain("tanh")
    assert settle(g) == pytest.approx(1.0, abs=1e-6)
    q53 = settle(5 / 3)
    assert 1.1 < q53 < 1.3
    assert math.sqrt(q53) / (5 / 3) == pytest.approx(0.651, abs=0.002)  # std of tanh(z)
    assert settle(1.0) < 0.01


@pytest.mark.parametrize("cut", [1.0, 2.0, 3.0])
def test_truncated_normal_factor_against_quadrature_and_monte_carlo(cut):
    """The std of N(0, 1) cut to [-c, c]: closed form vs a fine Riemann sum vs sampling."""
    factor = cu.truncated_normal_std_factor(cut)
    x = np.linspace(-cut, cut, 200_001)
    pdf = np.exp(-0.5 * x * x)

    # The trapezoid rule written out: np.trapezoid is numpy >= 2 only, and the floor is 1.26.
    def trapezoid(f):
        return float(np.sum(f[1:] + f[:-1]) * (x[1] - x[0]) / 2)

    riemann = math.sqrt(trapezoid(x * x * pdf) / trapezoid(pdf))
    assert factor == pytest.approx(riemann, rel=1e-8)
    z = np.random.default_rng(int(cut * 10)).standard_normal(2_000_000)
    kept = z[np.abs(z) <= cut]
    m2, m4 = np.mean(kept**2), np.mean(kept**4)
    se_std = math.sqrt((m4 - m2 * m2) / kept.size) / (2 * math.sqrt(m2))
    assert abs(kept.std() - factor) < 5 * se_std


# --- the 30-layer ReLU stack (notebook 03) ------------------------------------------------
DEPTH, WIDTH, SEEDS = 30, 512, (0, 1, 2, 3)
# One ReLU layer multiplies a single input's E[h^2] by (2/n) sum_j relu(z_j)^2 / E[...],
# a mean-1 factor with variance (4 E[relu(z)^4] - 1) / n = 5 / n. Over L layers log E[h_L^2]
# is about N(-s2 / 2, s2) with s2 = 5 L / n (log-normal with mean 1). A batch average is no
# wider (deep ReLU layers make the inputs nearly parallel, so it is close to one input).
S2 = 5 * DEPTH / WIDTH
# geometric mean over the seeds: 5 standard errors of the mean log, plus the -s2/2 offset
LOG_TOL = 5 * math.sqrt(S2 / len(SEEDS)) + S2 / 2


def _last_second_moment(init, seed):
    x = np.random.default_rng(100 + seed).standard_normal((128, WIDTH))
    net = cu.MLP([WIDTH] * (DEPTH + 2), activation="relu", init=init, rng=seed)
    net.forward(x)
    assert len(net.activations) == DEPTH
    return float(np.mean(net.activations[-1] ** 2))


@pytest.fixture(scope="module")
def stack():
    return {
        init: np.array([_last_second_moment(init, s) for s in SEEDS])
        for init in ("he_normal", "xavier_normal")
    }


def test_he_keeps_the_second_moment_near_one(stack):
    log_gm = float(np.mean(np.log(stack["he_normal"])))
    assert abs(log_gm) < LOG_TOL, (np.exp(log_gm), math.exp(LOG_TOL))
    assert math.exp(LOG_TOL) < 5  # the tolerance is a factor below 5, not orders of magnitude


def test_xavier_on_relu_drops_it_to_two_to_the_minus_depth(stack):
    log_gm = float(np.mean(np.log(stack["xavier_normal"])))
    assert abs(log_gm - DEPTH * math.log(0.5)) < LOG_TOL


def test_he_and_xavier_differ_by_exactly_two_to_the_depth_on_the_same_seed(stack):
    """Same seed, same normal draws: Xavier's weights are He's over sqrt(2) on square layers,
    and ReLU is positively homogeneous, so the ratio is exactly 2^-30 (the noise is shared)."""
    np.testing.assert_allclose(stack["xavier_normal"] / stack["he_normal"], 2.0**-DEPTH, rtol=1e-9)


@pytest.mark.parametrize("q", [0.01, 1.0, 4.0, 100.0, 1e4])
def test_gaussian_expectation_against_closed_forms(q):
    """The public quadrature is the accurate one: ReLU's kink and tanh's bend at any q."""
    relu = lambda u: np.maximum(u, 0.0)  # noqa: E731
    assert gaussian_expectation(relu, q) == pytest.approx(math.sqrt(q / (2 * math.pi)), rel=1e-9)
    assert gaussian_expectation(lambda u: relu(u) ** 2, q) == pytest.approx(q / 2, rel=1e-9)
    assert gaussian_expectation(lambda u: u**4, q) == pytest.approx(3 * q * q, rel=1e-9)


def test_tanh_slope_at_large_q_against_its_asymptotics():
    """E[tanh'(u)^2], u ~ N(0, q), tends to (4/3) / sqrt(2 pi q): the integral of sech^4
    is 4/3 and the density is 1/sqrt(2 pi q) across tanh's bend; the next term is O(1/q)."""
    for q in (1e3, 1e4):
        got = gaussian_expectation(lambda u: (1 - np.tanh(u) ** 2) ** 2, q)
        assert got == pytest.approx(4 / 3 / math.sqrt(2 * math.pi * q), rel=2e-3 * 1e3 / q)
    # the old public rule (101 Gauss-Hermite nodes) was 7x off at q = 1000: now refused
    x, w = gauss_hermite(101)
    hermite = float(np.dot(w, (1 - np.tanh(math.sqrt(1e3) * x) ** 2) ** 2))
    assert abs(hermite / (4 / 3 / math.sqrt(2 * math.pi * 1e3)) - 1) > 1


def test_selu_second_moment_gain_is_exactly_one():
    """SELU's constants make E[selu(z)^2] = 1 (Klambauer et al. 2017): gain 1 to 1e-9."""
    assert second_moment_gain("selu") == pytest.approx(1.0, abs=1e-9)
