"""Notebook 06: the input-output Jacobian, LSUV, and the edge of chaos for tanh.

Closed forms where they exist (orthogonal chains, q* = 0 and sigma_w^2 = 1 without bias),
finite differences for the Jacobian, an independent quadrature for the critical point,
and Monte Carlo with tolerances from the sample size for the correlation map.
"""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest

import course_utils as cu
from course_utils import theory
from course_utils.isometry import input_output_jacobian, jacobian_singular_values, lsuv


# --- the Jacobian ---------------------------------------------------------------------------
def _forward(weights, biases, x, phi, last_linear):
    h = x
    for i, (w, b) in enumerate(zip(weights, biases)):
        z = h @ w + b
        h = z if (last_linear and i == len(weights) - 1) else phi(z)
    return h


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_jacobian_matches_finite_differences(activation):
    gen = np.random.default_rng(0)
    sizes = [7, 9, 6, 8, 5]
    weights = [gen.normal(0, 1.2 / math.sqrt(a), (a, b)) for a, b in zip(sizes, sizes[1:])]
    biases = [gen.normal(0, 0.3, b) for b in sizes[1:]]
    x = gen.standard_normal(sizes[0])
    phi = cu.get_activation(activation).forward
    jac = input_output_jacobian(weights, x, activation=activation, biases=biases)
    eps = 1e-6
    fd = np.empty_like(jac)
    for i in range(sizes[0]):
        e = np.zeros(sizes[0])
        e[i] = eps
        fd[i] = (
            _forward(weights, biases, x + e, phi, False)
            - _forward(weights, biases, x - e, phi, False)
        ) / (2 * eps)
    # central differences: truncation ~ eps^2 |f'''| ~ 1e-12, round-off ~ 1e-16 / eps = 1e-10
    # (relu: x is a generic point, no unit sits within eps of its kink)
    np.testing.assert_allclose(jac, fd, atol=1e-7)


def test_jacobian_of_an_mlp_has_a_linear_last_layer():
    net = cu.MLP([6, 10, 10, 4], "tanh", "xavier_normal", bias_std=0.2, rng=3)
    x = np.random.default_rng(1).standard_normal(6)
    jac = input_output_jacobian(net, x)
    eps = 1e-6
    fd = np.stack(
        [
            (net.forward((x + e)[None])[0] - net.forward((x - e)[None])[0]) / (2 * eps)
            for e in np.eye(6) * eps
        ]
    )
    np.testing.assert_allclose(jac, fd, atol=1e-7)
    assert jac.shape == (6, 4)


def test_orthogonal_linear_chain_has_every_singular_value_gain_to_the_depth():
    gen = np.random.default_rng(2)
    gain, depth, width = 1.1, 20, 30
    weights = [cu.orthogonal(width, width, gain=gain, rng=gen) for _ in range(depth)]
    s = jacobian_singular_values(weights, gen.standard_normal(width), activation="linear")
    np.testing.assert_allclose(s, gain**depth, rtol=1e-10)


def test_gaussian_linear_chain_spreads_its_log_singular_values_with_depth():
    width = 100
    spreads = []
    for depth in (1, 4, 16):
        gen = np.random.default_rng(depth)
        weights = [gen.normal(0, 1 / math.sqrt(width), (width, width)) for _ in range(depth)]
        s = jacobian_singular_values(weights, np.ones(width), activation="linear")
        top = np.log(s[: width // 2])  # the upper half stays far above float64's noise floor
        spreads.append(top.std())
    assert spreads[0] < spreads[1] < spreads[2], spreads
    # products of random matrices: the log singular values spread about linearly in depth
    assert spreads[2] > 3 * spreads[0], spreads


def test_relu_jacobian_loses_about_half_its_directions_per_layer_pattern():
    gen = np.random.default_rng(4)
    width = 60
    weights = [cu.orthogonal(width, width, gain=math.sqrt(2), rng=gen) for _ in range(10)]
    s = jacobian_singular_values(weights, gen.standard_normal(width), activation="relu")
    # rank <= the number of active units in any layer (about width / 2)
    assert np.sum(s > 1e-10 * s[0]) <= 0.75 * width


def test_jacobian_bad_inputs():
    w = [np.eye(3), np.eye(4)]
    with pytest.raises(ValueError, match="weights\\[0\\] has shape"):
        input_output_jacobian(w, np.ones(3))
    with pytest.raises(ValueError, match="x must be one input of shape \\(3,\\)"):
        input_output_jacobian([np.eye(3)], np.ones(4))
    with pytest.raises(TypeError, match="net_or_weights"):
        input_output_jacobian(np.eye(3), np.ones(3))
    with pytest.raises(ValueError, match="empty"):
        input_output_jacobian([], np.ones(3))
    with pytest.raises(ValueError, match="biases"):
        input_output_jacobian([np.eye(3)], np.ones(3), biases=[np.ones(4)])
    with pytest.raises(ValueError, match="unknown activation"):
        input_output_jacobian([np.eye(3)], np.ones(3), activation="tanhh")


# --- LSUV -------------------------------------------------------------------------------------
def _preactivation_variances(net, X):
    h, out = X, []
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        z = h @ w + b
        out.append(np.var(z))
        h = z if i == net.n_layers - 1 else net.activation.forward(z)
    return np.array(out)


@pytest.mark.parametrize("activation, std", [("tanh", 0.01), ("relu", 0.5)])
def test_lsuv_reaches_unit_variance_within_tol(activation, std):
    X, _ = cu.load_digits()
    net = cu.MLP([64] + [50] * 12 + [10], activation, cu.get_initializer("normal", std=std), rng=0)
    res = lsuv(net, X[:200], tol=0.01, max_iter=10, rng=0)
    assert res.all_converged and np.all(res.iterations <= 10)
    v = _preactivation_variances(net, X[:200])
    assert np.all(np.abs(v - 1) <= 0.01), v
    np.testing.assert_allclose(v, res.variances, rtol=1e-12)


def test_lsuv_with_biases_needs_several_rescalings_and_still_converges():
    gen = np.random.default_rng(5)
    net = cu.MLP([20, 30, 30, 5], "tanh", bias_std=0.5, rng=1)
    res = lsuv(
        net, gen.standard_normal((300, 20)), tol=1e-3, max_iter=50, orthogonal_first=False, rng=0
    )
    assert res.all_converged and res.iterations.max() > 1


def test_lsuv_respects_max_iter_when_it_cannot_converge():
    gen = np.random.default_rng(6)
    net = cu.MLP([20, 30, 30, 5], "tanh", bias_std=3.0, rng=1)  # Var(z) >= ~9 whatever W is
    res = lsuv(net, gen.standard_normal((100, 20)), max_iter=7, rng=0)
    assert not res.all_converged
    assert res.iterations[0] == 7 and not res.converged[0]
    assert "layer 1 stopped" in res.summary and "max_iter = 7" in res.summary


def test_lsuv_stops_at_once_on_a_constant_layer():
    net = cu.MLP([5, 8, 3], "tanh", rng=0)
    res = lsuv(
        net, np.zeros((10, 5)), rng=0
    )  # zero input, zero biases: Var(z) = 0, nothing to scale
    assert res.iterations[0] == 0 and not res.converged[0]
    assert np.all(np.isfinite(net.weights[0]))


def test_lsuv_bad_inputs():
    net = cu.MLP([5, 8, 3], "tanh", rng=0)
    X = np.ones((4, 5))
    with pytest.raises(ValueError, match="tol must be > 0"):
        lsuv(net, X, tol=0, rng=0)
    with pytest.raises(ValueError, match="max_iter must be an integer >= 1"):
        lsuv(net, X, max_iter=0, rng=0)
    with pytest.raises(TypeError, match="max_iter"):
        lsuv(net, X, max_iter=2.5, rng=0)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples >= 2, 5\)"):
        lsuv(net, np.ones((4, 6)), rng=0)
    with pytest.raises(ValueError, match="inf or nan"):
        lsuv(net, np.full((4, 5), np.nan), rng=0)
    with pytest.raises(TypeError, match="net must be a cu.MLP"):
        lsuv([np.eye(5)], X, rng=0)


# --- the edge of chaos --------------------------------------------------------------------------
@pytest.mark.parametrize("sigma_w2, sigma_b2", [(1.5, 0.05), (3.0, 0.2), (0.8, 0.1), (2.0, 0.0)])
def test_q_star_is_a_fixed_point_of_the_variance_map(sigma_w2, sigma_b2):
    q = theory.fixed_point("tanh", sigma_w2=sigma_w2, sigma_b2=sigma_b2)
    assert q > 0
    assert theory.variance_map(q, "tanh", sigma_w2=sigma_w2, sigma_b2=sigma_b2) == pytest.approx(
        q, rel=1e-10
    )


def test_q_star_is_zero_without_bias_up_to_sigma_w2_one_and_vectorises():
    assert theory.fixed_point("tanh", sigma_w2=0.9, sigma_b2=0.0) == 0.0
    assert theory.fixed_point("tanh", sigma_w2=1.0, sigma_b2=0.0) == 0.0
    w2 = np.array([0.9, 1.5, 3.0])
    q = theory.fixed_point("tanh", sigma_w2=w2, sigma_b2=0.1)
    each = [theory.fixed_point("tanh", sigma_w2=s, sigma_b2=0.1) for s in w2]
    np.testing.assert_allclose(q, each, rtol=1e-12)


def test_chi_1_at_fixed_point_agrees_with_chi_1():
    q = theory.fixed_point("tanh", sigma_w2=2.5, sigma_b2=0.1)
    assert theory.chi_1_at_fixed_point("tanh", sigma_w2=2.5, sigma_b2=0.1) == pytest.approx(
        theory.chi_1(q, "tanh", sigma_w2=2.5), rel=1e-12
    )


def test_critical_sigma_w2_without_bias_is_exactly_one():
    # q* = 0 below it, so chi_1 = sigma_w^2 tanh'(0)^2 = sigma_w^2: the crossing is at 1.
    # Bisection stops at 1e-10; just above 1, q* ~ 3 (sigma_w^2 - 1) / 2 is tiny and the
    # quadrature's relative error (1e-10) moves the root by far less than 1e-6.
    assert theory.critical_sigma_w2("tanh", 0.0) == pytest.approx(1.0, abs=1e-6)


def _gh_critical(sigma_b2, n=201):
    """An independent route: Gauss-Hermite quadrature, q* by plain iteration, bisection."""
    z, w = np.polynomial.hermite_e.hermegauss(n)
    w = w / w.sum()

    def chi(s):
        q = 1.0
        for _ in range(2000):
            q = s * w @ np.tanh(math.sqrt(q) * z) ** 2 + sigma_b2
        return s * w @ (1 - np.tanh(math.sqrt(q) * z) ** 2) ** 2

    lo, hi = 1.0, 3.0
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if chi(mid) > 1 else (mid, hi)
    return (lo + hi) / 2


def test_critical_sigma_w2_at_the_course_bias_is_about_1_76():
    crit = theory.critical_sigma_w2("tanh", 0.05)
    # The course's number, to the two decimals it is quoted with.
    assert abs(crit - 1.76) < 0.005
    # Against an independent quadrature: at q* ~ 0.57 both rules compute the expectations
    # to better than 1e-10 (Gauss-Hermite with 201 nodes is exact to ~1e-14 for q <= 1),
    # chi_1 changes by ~0.1 per unit of sigma_w^2 at the crossing, so the roots agree to
    # ~1e-9; q* by 2000 iterations converges geometrically (chi_q ~ 0.6). 1e-6 is the bar.
    assert crit == pytest.approx(_gh_critical(0.05), abs=1e-6)
    assert theory.chi_1_at_fixed_point("tanh", sigma_w2=crit, sigma_b2=0.05) == pytest.approx(
        1.0, abs=1e-8
    )


def test_phase_diagram_critical_line_matches_bisection():
    pd = theory.phase_diagram("tanh")
    assert pd.chi_1.shape == (pd.sigma_b2.size, pd.sigma_w2.size)
    row = int(np.argmin(np.abs(pd.sigma_b2 - 0.05)))
    # linear interpolation between grid points 0.05 apart: chi_1 is smooth, error << 5e-3
    assert pd.critical_sigma_w2[row] == pytest.approx(
        theory.critical_sigma_w2("tanh", pd.sigma_b2[row]), abs=5e-3
    )
    assert np.all(np.diff(pd.critical_sigma_w2) > 0)  # more bias: the edge moves right


def test_correlation_map_fixes_one_with_slope_chi_1():
    kw = {"sigma_w2": 2.0, "sigma_b2": 0.05}
    assert theory.correlation_map(1.0, "tanh", **kw) == pytest.approx(1.0, abs=1e-10)
    chi = theory.chi_1_at_fixed_point("tanh", **kw)
    eps = 1e-5
    slope = (1.0 - theory.correlation_map(1.0 - eps, "tanh", **kw)) / eps
    assert slope == pytest.approx(chi, rel=1e-3)


def test_correlation_map_against_monte_carlo():
    kw = {"sigma_w2": 3.0, "sigma_b2": 0.1}
    q = theory.fixed_point("tanh", **kw)
    c = 0.4
    gen = np.random.default_rng(7)
    n = 400_000
    z1, z2 = gen.standard_normal((2, n))
    prod = np.tanh(math.sqrt(q) * z1) * np.tanh(math.sqrt(q) * (c * z1 + math.sqrt(1 - c * c) * z2))
    mc = (kw["sigma_w2"] * prod.mean() + kw["sigma_b2"]) / q
    se = kw["sigma_w2"] * prod.std() / math.sqrt(n) / q
    assert abs(theory.correlation_map(c, "tanh", **kw) - mc) < 5 * se


_ERF = cu.Activation(
    "erf",
    np.vectorize(math.erf, otypes=[float]),
    lambda u: 2.0 / math.sqrt(math.pi) * np.exp(-np.square(u)),
    r"\phi(z) = \mathrm{erf}(z)",
)


@pytest.mark.parametrize("q", [0.05, 0.5, 2.5, 9.0])
def test_correlation_map_of_erf_matches_the_arcsine_kernel(q):
    # Williams (1998), "Computation with infinite neural networks": for (u1, u2) Gaussian
    # with variance q and correlation c, E[erf(u1) erf(u2)] = (2/pi) arcsin(2 q c / (1 + 2q)),
    # and by Price's theorem E[erf'(u1) erf'(u2)] is its c-derivative over q.
    from course_utils.theory.chaos import _pair_means

    c = np.array([-0.5, 0.0, 0.3, 0.9, 0.999, 1.0])
    k = 2 * q / (1 + 2 * q)
    mapped = theory.correlation_map(c, _ERF, sigma_w2=1.0, q=q)
    assert np.abs(q * mapped - 2 / math.pi * np.arcsin(k * c)).max() < 1e-13
    slopes = _pair_means(_ERF, q, c, slopes=True)[1]  # measured: 1.2e-12 at q = 0.5, c = 1
    assert np.abs(q * slopes - 2 / math.pi * k / np.sqrt(1 - (k * c) ** 2)).max() < 1e-11


@pytest.mark.parametrize("q", [0.27, 1.0, 2.55, 9.0])
def test_correlation_map_of_tanh_matches_a_finer_independent_rule(q):
    # The product of the 1-d rule (8 nodes on panels 0.25 wide in u, 640 to 1216 nodes an
    # axis, accurate to ~1e-10 alone) against the tensor rule of 24-node panels (48 to 192).
    from course_utils.theory.chaos import _pair_means
    from course_utils.theory.quadrature import _z_rule

    z, w = _z_rule(q)
    s = math.sqrt(q)
    for c in (-0.5, 0.0, 0.3, 0.9, 0.999, 1.0):
        u2 = s * (c * z[:, None] + math.sqrt(1 - c * c) * z[None, :])
        ref = (w * np.tanh(s * z)) @ np.tanh(u2) @ w
        ref_slope = (w * (1 - np.tanh(s * z) ** 2)) @ (1 - np.tanh(u2) ** 2) @ w
        mean, slope = _pair_means(cu.get_activation("tanh"), q, np.array([c]), slopes=True)
        assert abs(mean[0] - ref) < 1e-12 * q
        assert abs(slope[0] - ref_slope) < 1e-11


def test_tanh_on_the_grid_by_exponentials_equals_numpy_tanh():
    from course_utils.theory.chaos import _on_grid

    tanh = cu.get_activation("tanh")
    alpha = np.array([[-30.0, -3.0, -1e-9, 0.0, 0.4, 2.0, 25.0]])
    beta = np.array([[-20.0, -0.5, 0.0, 1e-9, 0.3, 19.0]])
    t, d = _on_grid(tanh, alpha, beta, slopes=True)
    u = alpha[..., :, None] + beta[..., None, :]
    assert np.abs(t - np.tanh(u)).max() < 1e-15
    assert np.abs(d - (1 - np.tanh(u) ** 2)).max() < 1e-15
    big = _on_grid(tanh, 200 * alpha, beta, slopes=False)[0]  # e^(2 alpha) would overflow
    assert np.array_equal(big, np.tanh(200 * alpha[..., :, None] + beta[..., None, :]))


def test_depth_scales_ordered_phase():
    kw = {"sigma_w2": 1.3, "sigma_b2": 0.05}
    ds = theory.depth_scales("tanh", **kw)
    assert ds.c_star == 1.0 and ds.chi_c == ds.chi_1 < 1
    assert ds.xi_c == pytest.approx(-1 / math.log(ds.chi_1), rel=1e-12)
    # xi_q from the measured decay of q_l - q*
    qs = theory.iterate_variance_map(ds.q_star + 1e-4, 3, "tanh", **kw)
    ratio = (qs[3] - ds.q_star) / (qs[2] - ds.q_star)
    assert -1 / math.log(ratio) == pytest.approx(ds.xi_q, rel=1e-3)


def test_depth_scales_chaotic_phase_and_divergence_at_the_edge():
    ds = theory.depth_scales("tanh", sigma_w2=3.0, sigma_b2=0.05)
    assert ds.chi_1 > 1 and 0 < ds.c_star < 1 and ds.chi_c < 1
    assert theory.correlation_map(ds.c_star, "tanh", sigma_w2=3.0, sigma_b2=0.05) == pytest.approx(
        ds.c_star, abs=1e-8
    )
    crit = theory.critical_sigma_w2("tanh", 0.05)
    near = theory.depth_scales("tanh", sigma_w2=crit, sigma_b2=0.05)
    assert near.xi_c > 1e4 > ds.xi_c


def test_edge_of_chaos_bad_inputs():
    with pytest.raises(ValueError, match="sigma_w2 must be >= 0.0; received -1.0"):
        theory.fixed_point("tanh", sigma_w2=-1.0)
    with pytest.raises(ValueError, match="sigma_b2 must hold finite numbers"):
        theory.fixed_point("tanh", sigma_b2=[0.1, np.nan])
    with pytest.raises(ValueError, match="no finite fixed point"):
        theory.fixed_point("relu", sigma_w2=3.0)
    with pytest.raises(ValueError, match="do not bracket"):
        theory.critical_sigma_w2("tanh", 0.05, bounds=(2.0, 4.0))
    with pytest.raises(ValueError, match="low < high"):
        theory.critical_sigma_w2("tanh", 0.05, bounds=(3.0, 1.0))
    with pytest.raises(ValueError, match="c must be a correlation in \\[-1, 1\\]"):
        theory.correlation_map(1.5, "tanh", sigma_w2=2.0)
    with pytest.raises(ValueError, match="increasing"):
        theory.phase_diagram("tanh", sigma_w2=[2.0, 1.0])


# --- the exercises' checks ----------------------------------------------------------------------
def _printed(fn, *args):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(*args)
    return buf.getvalue()


def test_check_lsuv_layer_catches_an_uncapped_loop():
    def uncapped(W, b, h, tol, max_iter):
        v, n = np.var(h @ W + b), 0
        while abs(v - 1) > tol:
            W, n = W / np.sqrt(v), n + 1
            v = np.var(h @ W + b)
        return W, n

    out = _printed(cu.checks.check_lsuv_layer, uncapped)
    assert out.startswith("Not yet:") and "cap" in out


def test_check_critical_sigma_w2_feedback():
    assert _printed(cu.checks.check_critical_sigma_w2, None).startswith("Not yet:")
    assert "sigma_b^2 = 0.05" in _printed(
        cu.checks.check_critical_sigma_w2, theory.critical_sigma_w2("tanh", 0.05)
    )
    assert _printed(
        cu.checks.check_critical_sigma_w2, theory.critical_sigma_w2("tanh", 0.1)
    ).startswith("Correct:")


# --- the explorer ---------------------------------------------------------------------------
def test_edge_of_chaos_compute_and_a_tabulated_bracket_keep_c_star():
    from course_utils.widgets import compute_edge_of_chaos

    for w2, b2 in [(3.0, 0.05), (4.0, 0.3), (1.9, 0.05), (1.2, 0.05), (1.0, 0.0)]:
        r = compute_edge_of_chaos(w2, b2)
        plain = theory.depth_scales("tanh", sigma_w2=w2, sigma_b2=b2)
        assert r.scales == plain
        assert f"sigma_w^2 = {w2:.2f}" in r.summary and f"sigma_b^2 = {b2:.3f}" in r.summary
        assert r.c_next.shape == r.c.shape and np.all(np.isfinite(r.c_next))
        # the explorer's tabulated map brackets c* (where it is < 1): starting there, or
        # from a bracket that does not hold c* (ignored), finds the same c*
        above = r.c_next - r.c > 0
        cross = np.flatnonzero(above[:-1] & ~above[1:])
        for bracket in [(r.c[cross[0]], r.c[cross[0] + 1])] if cross.size else [(0.1, 0.2)]:
            for given in (bracket, (0.0, 0.01)):
                kw = {"sigma_w2": w2, "sigma_b2": b2, "c_bracket": given}
                assert theory.depth_scales("tanh", **kw).c_star == pytest.approx(
                    plain.c_star, abs=1e-9
                )
    assert "chaotic" in compute_edge_of_chaos(3.0, 0.05).summary
    assert "ordered" in compute_edge_of_chaos(1.2, 0.05).summary


def test_edge_of_chaos_explorer_moves_change_summary_and_figure():
    import matplotlib

    matplotlib.use("Agg")
    explorer = cu.widgets.edge_of_chaos_explorer()
    first_summary, first_png = explorer.result.summary, explorer.render_png()
    for name, value in [("sigma_w2", 3.0), ("sigma_b2", 0.2)]:
        explorer.refresh(**{name: value})
        assert explorer.result.summary != first_summary
        assert explorer.render_png() != first_png


def test_edge_of_chaos_bad_explorer_input():
    from course_utils.widgets import compute_edge_of_chaos

    with pytest.raises(ValueError, match="sigma_w2 must be > 0.0"):
        compute_edge_of_chaos(0.0, 0.05)
    with pytest.raises(ValueError, match="sigma_b2 must be >= 0.0"):
        compute_edge_of_chaos(1.5, -0.1)
