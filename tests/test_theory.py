"""course_utils.theory: quadrature against Monte Carlo and closed forms (notebook 04)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import course_utils as cu
from course_utils import theory

N_MC = 400_000
Z_MC = np.random.default_rng(2024).standard_normal(N_MC)


def mc_mean(values):
    """Monte Carlo mean and its standard error."""
    return values.mean(), values.std(ddof=1) / math.sqrt(values.size)


# --- the variance map and chi_1 against Monte Carlo ----------------------------------
CASES = [
    (act, q, sw2, sb2)
    for act in ("tanh", "relu", "linear")
    for q, sw2, sb2 in [(0.3, 1.0, 0.0), (1.0, 2.0, 0.05), (3.0, 1.5, 0.0), (40.0, 1.0, 0.2)]
] + [("tanh", 1000.0, 1000.0, 0.0), ("relu", 5e4, 2.0, 0.0)]


@pytest.mark.parametrize("act, q, sw2, sb2", CASES)
def test_variance_map_matches_monte_carlo(act, q, sw2, sb2):
    phi = cu.get_activation(act)
    mean, se = mc_mean(sw2 * phi(math.sqrt(q) * Z_MC) ** 2 + sb2)
    got = theory.variance_map(q, act, sigma_w2=sw2, sigma_b2=sb2)
    assert abs(got - mean) < 5 * se, (got, mean, se)


@pytest.mark.parametrize("act, q, sw2, sb2", CASES)
def test_chi_1_matches_monte_carlo(act, q, sw2, sb2):
    dphi = cu.get_activation(act).derivative
    mean, se = mc_mean(sw2 * dphi(math.sqrt(q) * Z_MC) ** 2)
    got = theory.chi_1(q, act, sigma_w2=sw2)
    assert abs(got - mean) <= 5 * se + 1e-12 * abs(mean), (got, mean, se)


@pytest.mark.parametrize("act", ["tanh", "relu", "linear"])
def test_recursion_matches_a_monte_carlo_recursion(act):
    """Three layers of the map, each step estimated by Monte Carlo from the previous estimate.

    The error of step l carries into step l+1 through the map's slope, so the tolerance
    adds the fresh standard error of each step to the carried one, times 5.
    """
    phi = cu.get_activation(act)
    sw2, sb2 = (1.0, 0.1) if act == "tanh" else (1.7, 0.1)
    qs = theory.iterate_variance_map(0.8, 3, act, sigma_w2=sw2, sigma_b2=sb2)
    rng = np.random.default_rng(7)
    q_mc, err = 0.8, 0.0
    for layer in range(1, 4):
        z = rng.standard_normal(N_MC)
        slope = (
            theory.variance_map(q_mc * 1.001, act, sigma_w2=sw2, sigma_b2=sb2)
            - theory.variance_map(q_mc, act, sigma_w2=sw2, sigma_b2=sb2)
        ) / (0.001 * q_mc)
        q_mc, se = mc_mean(sw2 * phi(math.sqrt(q_mc) * z) ** 2 + sb2)
        err = abs(slope) * err + se
        assert abs(qs[layer] - q_mc) < 5 * err, (layer, qs[layer], q_mc, err)


def test_iterate_is_the_map_applied_again_and_again():
    qs = theory.iterate_variance_map(0.5, 6, "tanh", sigma_w2=1.3, sigma_b2=0.02)
    assert qs.shape == (7,) and qs[0] == 0.5
    for a, b in zip(qs[:-1], qs[1:]):
        assert b == pytest.approx(theory.variance_map(a, "tanh", sigma_w2=1.3, sigma_b2=0.02))


# --- closed forms --------------------------------------------------------------------
@pytest.mark.parametrize("q0", [0.01, 1.0, 7.5, 300.0])
def test_relu_with_he_keeps_q_constant(q0):
    qs = theory.iterate_variance_map(q0, 30, "relu", sigma_w2=2.0)
    np.testing.assert_allclose(qs, q0, rtol=1e-12)


def test_relu_with_xavier_halves_q_every_layer():
    qs = theory.iterate_variance_map(1.0, 30, "relu", sigma_w2=1.0)
    np.testing.assert_allclose(qs, 0.5 ** np.arange(31), rtol=1e-12)


@pytest.mark.parametrize("sw2", [0.25, 1.0, 3.0])
def test_linear_multiplies_q_by_sigma_w2(sw2):
    qs = theory.iterate_variance_map(2.0, 12, "linear", sigma_w2=sw2)
    np.testing.assert_allclose(qs, 2.0 * sw2 ** np.arange(13), rtol=1e-12)
    with_bias = theory.iterate_variance_map(2.0, 12, "linear", sigma_w2=sw2, sigma_b2=0.3)
    np.testing.assert_allclose(with_bias[1:], sw2 * with_bias[:-1] + 0.3, rtol=1e-12)


def test_linear_overflow_is_inf_not_a_warning():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        qs = theory.iterate_variance_map(1.0, 120, "linear", sigma_w2=1024.0)
    assert np.isfinite(qs[:100]).all() and np.isinf(qs[-1])


def test_tanh_chi_at_known_points():
    # tanh'(0) = 1: at q = 0 every unit is in the linear regime, chi_1 = sigma_w^2.
    assert theory.chi_1(0.0, "tanh", sigma_w2=1.7) == pytest.approx(1.7, rel=1e-12)
    # q = 1, against an independent rule (a trapezoid on 400 001 points):
    u = np.linspace(-12, 12, 400_001)
    dens = np.exp(-u * u / 2) / math.sqrt(2 * math.pi)
    ref = np.sum((1 - np.tanh(u) ** 2) ** 2 * dens) * (u[1] - u[0])
    assert theory.chi_1(1.0, "tanh") == pytest.approx(ref, rel=1e-9)
    # q -> inf: E[sech^4(sqrt(q) z)] -> (4/3) / sqrt(2 pi q), since the integral of sech^4 is 4/3.
    q = 1e6
    assert theory.chi_1(q, "tanh") == pytest.approx(4 / 3 / math.sqrt(2 * math.pi * q), rel=1e-4)


def test_tanh_edge_of_chaos_at_sigma_b2_005():
    """Poole et al. (2016): with sigma_b^2 = 0.05, chi_1 = 1 at sigma_w^2 about 1.76."""

    def chi_at_fixed_point(sw2):
        q_star = theory.iterate_variance_map(1.0, 400, "tanh", sigma_w2=sw2, sigma_b2=0.05)[-1]
        return theory.chi_1(q_star, "tanh", sigma_w2=sw2)

    assert chi_at_fixed_point(1.70) < 1 < chi_at_fixed_point(1.82)


# --- the per-layer prediction --------------------------------------------------------
def test_prediction_is_the_recursion_and_the_chi_product():
    p = theory.predict_propagation(8, "tanh", sigma_w2=1.2, sigma_b2=0.1)
    np.testing.assert_array_equal(p.layers, np.arange(1, 9))
    qs = theory.iterate_variance_map(1.2 + 0.1, 7, "tanh", sigma_w2=1.2, sigma_b2=0.1)
    np.testing.assert_allclose(p.q, qs, rtol=1e-12)
    chis = [theory.chi_1(q, "tanh", sigma_w2=1.2) for q in qs]
    np.testing.assert_allclose(p.chi, chis, rtol=1e-12)
    expected_g2 = 1.2 * np.array([np.prod(chis[k + 1 :]) for k in range(8)])
    np.testing.assert_allclose(p.gradient_std**2, expected_g2, rtol=1e-12)
    phi = cu.get_activation("tanh")
    mean, se = mc_mean(phi(math.sqrt(p.q[3]) * Z_MC) ** 2)
    assert abs(p.activation_std[3] ** 2 - mean) < 5 * se  # tanh is odd: mean 0


def test_prediction_for_a_linear_network_is_a_power_of_sigma_w2():
    sw2, depth = 1.3, 10
    p = theory.predict_propagation(depth, "linear", sigma_w2=sw2, input_second_moment=2.0)
    layers = np.arange(1, depth + 1)
    np.testing.assert_allclose(p.activation_std**2, 2.0 * sw2**layers, rtol=1e-12)
    np.testing.assert_allclose(p.gradient_std**2, sw2 ** (depth + 1 - layers), rtol=1e-12)


def test_relu_prediction_has_the_half_normal_mean():
    p = theory.predict_propagation(3, "relu", sigma_w2=2.0)
    # relu(sqrt(q) z): mean sqrt(q / (2 pi)), second moment q / 2, with q = 2 throughout.
    np.testing.assert_allclose(p.activation_mean, math.sqrt(2 / (2 * math.pi)), rtol=1e-12)
    np.testing.assert_allclose(p.activation_std**2, 1 - 1 / math.pi, rtol=1e-12)
    np.testing.assert_allclose(p.chi, 1.0, rtol=1e-12)


# --- weight_variance -----------------------------------------------------------------
@pytest.mark.parametrize(
    "name, params",
    [
        ("normal", {"std": 0.3}),
        ("uniform", {"limit": 0.2}),
        ("standard_uniform", {}),
        ("variance_scaling", {"scale": 2.0, "mode": "fan_avg", "distribution": "truncated_normal"}),
        ("xavier_normal", {}),
        ("glorot_uniform", {"gain": 5 / 3}),
        ("he_normal", {}),
        ("kaiming_uniform", {"mode": "fan_out"}),
        ("lecun_uniform", {}),
        ("orthogonal", {"gain": 2.0}),
        ("zeros", {}),
    ],
)
def test_weight_variance_matches_sampled_weights(name, params):
    fan_in, fan_out = 300, 200
    init = cu.get_initializer(name, **params)
    w2 = np.concatenate([init(fan_in, fan_out, rng=s).ravel() ** 2 for s in range(4)])
    mean, se = mc_mean(w2)
    got = theory.weight_variance(name, fan_in, fan_out, **params)
    assert abs(got - mean) <= 5 * se, (got, mean, se)
    assert theory.weight_variance(init, fan_in, fan_out) == got  # a bound initializer too


# --- bad input -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: theory.variance_map(-1.0, "tanh"), ValueError, "q must be >= 0"),
        (lambda: theory.variance_map(float("nan"), "tanh"), ValueError, "q must be finite"),
        (lambda: theory.variance_map(1.0, "tanhh"), ValueError, "did you mean 'tanh'"),
        (lambda: theory.variance_map(1.0, "tanh", sigma_w2=-2), ValueError, "sigma_w2"),
        (lambda: theory.chi_1("1", "relu"), TypeError, "q must be a real number"),
        (lambda: theory.iterate_variance_map(1.0, 2.5, "relu"), TypeError, "depth"),
        (lambda: theory.predict_propagation(0, "relu"), ValueError, "depth must be"),
        (lambda: theory.weight_variance("xavir_normal", 3, 3), ValueError, "did you mean"),
        (lambda: theory.weight_variance("normal", 3, 3), ValueError, "needs std"),
        (lambda: theory.weight_variance("he_normal", 3, 3, std=1), TypeError, "no parameter .std."),
        (lambda: theory.weight_variance("constant", 3, 3, value=1), ValueError, "zero-mean"),
        (lambda: theory.weight_variance(np.ones, 3, 3), TypeError, "measure it"),
        (lambda: theory.weight_variance("lecun_normal", 0, 3), ValueError, "fan_in"),
    ],
)
def test_bad_input_is_named(call, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(")):
        call()


def test_the_quadrature_rule_is_built_once_for_every_q_up_to_one():
    """Its nodes in z and its weights depend on q only past q = 1; they are shared, read-only."""
    from course_utils.theory.quadrature import _gaussian_nodes

    (u1, w1), (u2, w2) = _gaussian_nodes(0.25), _gaussian_nodes(0.81)
    assert w1 is w2
    np.testing.assert_allclose(u1 / 0.5, u2 / 0.9, rtol=1e-15)  # the same z, times sqrt(q)
    with pytest.raises(ValueError):
        w1[0] = 1.0  # a caller cannot change what the next one reads
    assert _gaussian_nodes(4.0)[1].size > w1.size  # narrower panels in z past q = 1
