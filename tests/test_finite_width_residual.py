"""Notebook 07: finite-width fluctuations and residual networks, against closed forms.

Every Monte Carlo comparison uses a tolerance of 5 standard errors computed from the
sample size (and, where the exact variance is known, from that variance); every closed
form is checked against an independent route (a recurrence against its starting values,
an exact sum against a simulation, a sampler against real weight matrices).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import course_utils as cu
from course_utils import checks
from course_utils import finite_width as fw
from notebook_tools import feedback
from stats_tools import mean_se, var_se

GAMMA = 0.5772156649015329


_mean_se, _var_se = mean_se, var_se


# --- section 1: the width-1 He-ReLU chain ------------------------------------------------
def _he_relu_width1_chain(n_chains, depth, seed):
    """x_L of n_chains chains x_l = relu(w_l x_{l-1}), x_0 = 1, w ~ N(0, 2) (He at width 1)."""
    rng = np.random.default_rng(seed)
    x = np.ones(n_chains)
    for _ in range(depth):
        x = np.maximum(rng.normal(0.0, math.sqrt(2.0), n_chains) * x, 0.0)
    return x


def test_width1_relu_chain_is_exactly_zero_with_probability_1_minus_2_to_minus_10():
    n, depth = 400_000, 10
    x = _he_relu_width1_chain(n, depth, seed=1)
    expected = 1 - 2.0**-depth
    se = math.sqrt(expected * (1 - expected) / n)  # binomial standard error
    assert abs(np.mean(x == 0.0) - expected) < 5 * se
    assert 1 - fw.survival_probability([1] * depth, "relu") == pytest.approx(expected, rel=1e-15)
    assert fw.survival_probability([1] * depth, "linear") == 1.0


def test_width1_relu_chain_keeps_the_mean_square_while_shallow():
    """E[relu(w x)^2] = x^2 for Var(w) = 2; Var(x_L^2) = 6^L - 1 gives the tolerance."""
    n, depth = 400_000, 4
    x = _he_relu_width1_chain(n, depth, seed=2)
    assert abs(np.mean(x**2) - 1.0) < 5 * math.sqrt((6.0**depth - 1) / n)


# --- section 2: the width-1 linear chain ---------------------------------------------------
def test_mean_log_abs_normal_closed_form_and_monte_carlo():
    closed = -(GAMMA + math.log(2.0)) / 2
    assert fw.mean_log_abs_normal() == pytest.approx(closed, rel=1e-15)
    assert round(closed, 3) == -0.635
    w = np.random.default_rng(3).standard_normal(1_000_000)
    mean, se = _mean_se(np.log(np.abs(w)))
    assert abs(mean - closed) < 5 * se


@pytest.mark.parametrize("dof", [1, 2, 3, 8, 51])
def test_log_chi_square_moments_against_monte_carlo(dof):
    mean, var = fw.log_chi_square_moments(dof)
    z = np.random.default_rng(dof).standard_normal((400_000, dof))
    logs = np.log(np.einsum("ij,ij->i", z, z))
    m, se_m = _mean_se(logs)
    v, se_v = _var_se(logs)
    assert abs(m - mean) < 5 * se_m
    assert abs(v - var) < 5 * se_v


def test_log_chi_square_moments_known_values_and_large_dof():
    assert fw.log_chi_square_moments(1) == pytest.approx((-GAMMA - math.log(2), math.pi**2 / 2))
    assert fw.log_chi_square_moments(2) == pytest.approx((-GAMMA + math.log(2), math.pi**2 / 6))
    # psi(3/2) = psi(1/2) + 2, psi_1(3/2) = pi^2/2 - 4
    assert fw.log_chi_square_moments(3) == pytest.approx(
        (-GAMMA - math.log(2) + 2, math.pi**2 / 2 - 4)
    )
    # large k: Var(ln chi^2_k) = 2/k + 2/k^2 + O(1/k^3), E = ln k - 1/k + O(1/k^2)
    k = 4001
    mean, var = fw.log_chi_square_moments(k)
    assert var == pytest.approx(2 / k + 2 / k**2, rel=1e-6)
    assert mean == pytest.approx(math.log(k) - 1 / k, abs=1e-6)


def test_linear_width1_chain_keeps_the_mean_square_on_average():
    """E[x_L^2] = 1 exactly; Var(x_L^2) = E[w^4]^L - 1 = 3^L - 1 is finite (E[w^8] too)."""
    n, depth = 400_000, 5
    w = np.random.default_rng(4).standard_normal((n, depth))
    x2 = np.prod(w**2, axis=1)
    assert abs(x2.mean() - 1.0) < 5 * math.sqrt((3.0**depth - 1) / n)


def test_linear_width1_chain_log_is_a_sum_with_mean_minus_0635_per_layer():
    n, depth = 200_000, 20
    log_x = np.log(np.abs(np.random.default_rng(5).standard_normal((n, depth)))).sum(axis=1)
    se = math.sqrt(depth * math.pi**2 / 8 / n)
    assert abs(log_x.mean() - depth * fw.mean_log_abs_normal()) < 5 * se
    v, se_v = _var_se(log_x)
    assert abs(v - depth * math.pi**2 / 8) < 5 * se_v
    assert np.median(np.abs(np.exp(log_x))) < math.exp(-0.5 * depth)  # the typical chain vanishes


# --- section 3: width n --------------------------------------------------------------------
@pytest.mark.parametrize(
    "widths, activation",
    [([4] * 8, "linear"), ([32] * 8, "linear"), ([2, 8, 32], "linear"), ([16] * 8, "relu"),
     ([64] * 4, "relu"), ([4] * 3, "relu")],
)  # fmt: skip
def test_spread_of_log_norm_matches_the_exact_sum(widths, activation):
    ln_m = fw.sample_log_norm_ratios(widths, activation, 40_000, rng=6)[:, -1]
    alive = ln_m[np.isfinite(ln_m)]
    expected_alive = fw.survival_probability(widths, activation)
    se_alive = math.sqrt(expected_alive * (1 - expected_alive) / ln_m.size)
    assert abs(alive.size / ln_m.size - expected_alive) <= 5 * se_alive + 1e-12
    v, se_v = _var_se(alive)
    assert abs(v - fw.log_norm_spread(widths, activation)) < 5 * se_v
    mean_pred = sum(fw.layer_log_ratio_moments(n, activation).mean for n in widths)
    m, se_m = _mean_se(alive)
    assert abs(m - mean_pred) < 5 * se_m


def test_spread_grows_with_the_sum_of_inverse_widths():
    depth = 8
    spreads = []
    for n in (256, 64, 16, 4):  # sum 1/n grows
        ln_m = fw.sample_log_norm_ratios([n] * depth, "linear", 5_000, rng=n)[:, -1]
        spreads.append(ln_m.var())
    assert all(a < b for a, b in zip(spreads, spreads[1:])), spreads
    # the same sum of 1/width, made of different depths, gives about the same spread
    a = fw.sample_log_norm_ratios([32] * 2, "linear", 20_000, rng=7)[:, -1]
    b = fw.sample_log_norm_ratios([128] * 8, "linear", 20_000, rng=8)[:, -1]
    (va, sa), (vb, sb) = _var_se(a), _var_se(b)
    assert abs(va - vb) < 5 * math.hypot(sa, sb)


@pytest.mark.parametrize("n", [1, 2, 4, 9])
def test_relu_layer_log_ratio_given_survival_against_direct_simulation(n):
    """One He-ReLU layer: ln((2/n) sum relu(g)^2) over the draws with some live unit."""
    g = np.maximum(np.random.default_rng(20 + n).standard_normal((800_000, n)), 0.0)
    s = np.einsum("ij,ij->i", g, g)
    exact = fw.layer_log_ratio_moments(n, "relu")
    p = exact.p_dead
    assert abs(np.mean(s == 0) - p) < 5 * math.sqrt(p * (1 - p) / s.size)
    ln_r = np.log(2.0 / n * s[s > 0])
    m, se_m = _mean_se(ln_r)
    v, se_v = _var_se(ln_r)
    assert abs(m - exact.mean) < 5 * se_m
    assert abs(v - exact.variance) < 5 * se_v


@pytest.mark.parametrize("activation, c", [("linear", 2.0), ("relu", 5.0)])
def test_per_layer_spread_tends_to_c_over_width(activation, c):
    for n in (1024, 4096):
        v = fw.layer_log_ratio_moments(n, activation).variance
        assert n * v == pytest.approx(c, rel=4.0 / n * c)  # correction O(1/n)
    small = [n * fw.layer_log_ratio_moments(n, activation).variance for n in (2, 4, 16)]
    assert min(small) > c  # narrow layers spread more than the limit


@pytest.mark.parametrize("activation, sigma_w2", [("linear", 1.0), ("relu", 2.0)])
def test_sampler_matches_networks_with_real_weight_matrices(activation, sigma_w2):
    """The shortcut x W ~ N(0, sigma_w^2 |x|^2 / n) against full (n, n) Gaussian matrices."""
    n, depth, nets = 4, 3, 60_000
    rng = np.random.default_rng(9)
    x0 = rng.standard_normal((nets, n))
    x = x0
    for _ in range(depth):
        w = rng.normal(0.0, math.sqrt(sigma_w2 / n), size=(nets, n, n))
        x = np.einsum("bi,bij->bj", x, w)
        if activation == "relu":
            x = np.maximum(x, 0.0)
    with np.errstate(divide="ignore"):
        real = np.log(np.sum(x**2, axis=1) / np.sum(x0**2, axis=1))
    short = fw.sample_log_norm_ratios([n] * depth, activation, nets, rng=10)[:, -1]
    pa, pb = np.isfinite(real).mean(), np.isfinite(short).mean()
    p = fw.survival_probability([n] * depth, activation)
    assert abs(pa - pb) <= 5 * math.sqrt(2 * p * (1 - p) / nets) + 1e-12
    ra, sb = real[np.isfinite(real)], short[np.isfinite(short)]
    (ma, sma), (mb, smb) = _mean_se(ra), _mean_se(sb)
    assert abs(ma - mb) < 5 * math.hypot(sma, smb)
    (va, sva), (vb, svb) = _var_se(ra), _var_se(sb)
    assert abs(va - vb) < 5 * math.hypot(sva, svb)


@pytest.mark.parametrize("n", [1, 2, 5, 16])
def test_relu_layer_second_moment_is_1_plus_5_over_n_by_exact_binomial_sum(n):
    k = np.arange(n + 1)
    pmf = np.array([math.comb(n, j) for j in k]) / 2.0**n
    exact = float(np.sum(pmf * (2.0 / n) ** 2 * (k**2 + 2 * k)))  # E[chi^2_k^2] = k^2 + 2k
    assert fw.squared_norm_second_moment([n], "relu") == pytest.approx(exact, rel=1e-12)
    assert fw.squared_norm_second_moment([n], "linear") == pytest.approx(1 + 2 / n)


@pytest.mark.parametrize("widths, activation", [([16, 16], "relu"), ([8, 8, 8], "linear")])
def test_squared_norm_second_moment_against_monte_carlo(widths, activation):
    m = np.exp(fw.sample_log_norm_ratios(widths, activation, 300_000, rng=11)[:, -1])
    mean, se = _mean_se(m)
    assert abs(mean - 1.0) < 5 * se  # the variance rule: E[M] = 1
    mean2, se2 = _mean_se(m**2)
    assert abs(mean2 - fw.squared_norm_second_moment(widths, activation)) < 5 * se2


# --- section 4: residual networks ----------------------------------------------------------
def _stream_ratios(net_kwargs, n_nets, width, n_blocks, seed0):
    rows = []
    rng = np.random.default_rng(seed0)
    for seed in range(n_nets):
        net = cu.ResidualMLP(width, width, n_blocks, 2, rng=seed0 + seed, **net_kwargs)
        net.forward(rng.standard_normal((1, width)))
        sq = np.array([float(np.sum(x**2)) for x in net.stream])
        rows.append(sq / sq[0])
    return np.array(rows)


@pytest.mark.parametrize(
    "kwargs, gain",
    [
        (dict(activation="linear", init="xavier_normal", branch_scale=0.7), 1.0),
        (dict(activation="linear", init="xavier_normal", branch_scale=1.0), 1.0),
        (dict(activation="relu", init="he_normal", branch_scale=0.5), 2.0),
    ],
)
def test_residual_variance_per_block_matches_closed_form(kwargs, gain):
    n_blocks = 5
    ratios = _stream_ratios(kwargs, 1500, 16, n_blocks, seed0=1000)
    predicted = fw.residual_second_moment(n_blocks, kwargs["branch_scale"], gain)
    assert predicted == pytest.approx((1 + kwargs["branch_scale"] ** 2 * gain) ** np.arange(6))
    mean = ratios.mean(axis=0)
    se = ratios.std(axis=0, ddof=1) / math.sqrt(len(ratios))
    assert np.all(np.abs(mean[1:] - predicted[1:]) < 5 * se[1:]), (mean, predicted, se)


def test_zero_init_last_makes_every_block_the_identity_exactly():
    net = cu.ResidualMLP(5, 12, 7, 3, zero_init_last=True, rng=0)
    X = np.random.default_rng(0).standard_normal((4, 5))
    out = net.forward(X)
    assert len(net.stream) == 8 and len(net.branch_outputs) == 7
    for x in net.stream[1:]:
        assert np.array_equal(x, net.stream[0])
    assert np.array_equal(out, X @ net.input_weights @ net.output_weights)
    assert all(not w2.any() for _, w2 in net.branch_weights)


def test_branch_scale_scales_each_branch_and_plain_blocks_add_it():
    X = np.random.default_rng(1).standard_normal((3, 4))
    a = cu.ResidualMLP(4, 6, 3, 2, branch_scale=1.0, rng=5)
    b = cu.ResidualMLP(4, 6, 3, 2, branch_scale=0.25, rng=5)
    a.forward(X)
    b.forward(X)
    first_a = (
        a.stream[0] + np.maximum(a.stream[0] @ a.branch_weights[0][0], 0) @ a.branch_weights[0][1]
    )
    assert np.allclose(a.stream[1], first_a)
    assert np.allclose(b.branch_outputs[0], 0.25 * a.branch_outputs[0])
    assert "ResidualMLP(n_in=4, width=6, n_blocks=3" in repr(b)


# --- bad inputs ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: cu.ResidualMLP(0, 4, 2, 1, rng=0), ValueError, ["n_in", "0"]),
        (lambda: cu.ResidualMLP(3, 4, -1, 1, rng=0), ValueError, ["n_blocks", "-1"]),
        (lambda: cu.ResidualMLP(3, 4.5, 2, 1, rng=0), TypeError, ["width", "4.5"]),
        (
            lambda: cu.ResidualMLP(3, 4, 2, 1, branch_scale="big", rng=0),
            TypeError,
            ["branch_scale"],
        ),
        (
            lambda: cu.ResidualMLP(3, 4, 2, 1, branch_scale=math.inf, rng=0),
            ValueError,
            ["branch_scale"],
        ),
        (
            lambda: cu.ResidualMLP(3, 4, 2, 1, zero_init_last=1, rng=0),
            TypeError,
            ["zero_init_last"],
        ),
        (lambda: cu.ResidualMLP(3, 4, 2, 1, activation="relux", rng=0), ValueError, ["relux"]),
        (lambda: cu.ResidualMLP(3, 4, 2, 1, init="xavir", rng=0), ValueError, ["xavir"]),
        (
            lambda: cu.ResidualMLP(3, 4, 2, 1, rng=0).forward(np.ones((2, 5))),
            ValueError,
            ["(2, 5)"],
        ),
        (lambda: fw.layer_log_ratio_moments(0), ValueError, ["width", "0"]),
        (lambda: fw.layer_log_ratio_moments(4, "tanh"), ValueError, ["tanh", "'linear'"]),
        (lambda: fw.log_norm_spread([]), ValueError, ["widths"]),
        (lambda: fw.log_norm_spread("abc"), TypeError, ["widths", "'abc'"]),
        (lambda: fw.log_norm_spread([4, 0]), ValueError, ["widths[1]", "0"]),
        (lambda: fw.log_chi_square_moments(1.5), TypeError, ["dof", "1.5"]),
        (lambda: fw.sample_log_norm_ratios([4], "relu", 0), ValueError, ["n_networks"]),
        (lambda: fw.residual_second_moment(-2), ValueError, ["n_blocks", "-2"]),
        (lambda: fw.residual_second_moment(3, branch_gain=-1), ValueError, ["branch_gain"]),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


# --- the exercise checks -------------------------------------------------------------------
def p_dead(width, depth):
    return 1 - (1 - 2.0**-width) ** depth


def residual_growth(n_blocks, branch_scale):
    return (1 + 2 * branch_scale**2) ** n_blocks


def squared_norm_second_moment(widths):
    return float(np.prod([1 + 5 / n for n in widths]))


def _boom(*_args):
    raise RuntimeError("learner bug")


@pytest.mark.parametrize(
    "check, right, mistakes",
    [
        (
            checks.check_p_dead,
            p_dead,
            [(lambda n, d: (1 - 2.0**-n) ** d, "survives"), (lambda n, d: d * 2.0**-n, "union")],
        ),
        (
            checks.check_residual_growth,
            residual_growth,
            [(lambda n, s: (1 + s * s) ** n, "gain is 2"), (lambda n, s: (1 + 2 * s) ** n, "std")],
        ),
        (
            checks.check_squared_norm_second_moment,
            squared_norm_second_moment,
            [
                (lambda w: math.exp(5 * sum(1 / n for n in w)), "approximation"),
                (lambda w: float(np.prod([1 + 2 / n for n in w])), "linear"),
            ],
        ),
    ],
)
def test_checks_give_feedback(check, right, mistakes):
    assert feedback(check, right).startswith("Correct:")
    assert feedback(check, lambda *a: None).startswith("Not yet:")
    out = feedback(check, _boom)
    assert out.startswith("Not yet:") and "RuntimeError" in out
    assert feedback(check, lambda *a: True).startswith("Not yet:")
    for wrong, word in mistakes:
        out = feedback(check, wrong)
        assert out.startswith("Not yet:") and word in out, out
