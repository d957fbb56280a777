"""course_utils.attention: every backward against central finite differences, and Var(q . k).

A finite-difference check perturbs each checked entry by +-1e-6 and compares
(L(+) - L(-)) / 2e-6 with the analytic gradient of L = sum(out * R), R a fixed random
array; the central difference's error is O(eps^2) times the third derivative plus
rounding of order 1e-16 / eps, so 1e-6 relative to the gradient's scale is tight. The
Monte Carlo test's tolerance is 5 standard errors from the sample itself.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import attention as att
from stats_tools import var_se, within_se

EPS = 1e-6


def _fd_check(f, inputs, grads, R, n_check=25, seed=0):
    """Compare ``grads`` with central differences of sum(f(*inputs) * R) on sampled entries."""
    rng = np.random.default_rng(seed)
    for a, g in zip(inputs, grads):
        assert g.shape == a.shape
        scale = max(np.abs(g).max(), 1e-12)
        flat = rng.choice(a.size, size=min(n_check, a.size), replace=False)
        for i in flat:
            idx = np.unravel_index(i, a.shape)
            old = a[idx]
            a[idx] = old + EPS
            lp = float(np.sum(f(*inputs) * R))
            a[idx] = old - EPS
            lm = float(np.sum(f(*inputs) * R))
            a[idx] = old
            fd = (lp - lm) / (2 * EPS)
            assert abs(fd - g[idx]) <= 1e-6 * scale + 1e-9, (idx, fd, g[idx])


def test_layer_norm_output_has_zero_mean_and_unit_second_moment_per_position():
    rng = np.random.default_rng(1)
    x = rng.normal(3.0, 5.0, size=(4, 5, 64))
    y, _ = att.layer_norm(x, np.ones(64), np.zeros(64), eps=0.0)
    np.testing.assert_allclose(y.mean(axis=-1), 0.0, atol=1e-12)
    np.testing.assert_allclose((y * y).mean(axis=-1), 1.0, rtol=1e-12)


def test_layer_norm_backward_matches_finite_differences():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 4, 6))
    gamma, beta = rng.normal(1.0, 0.3, 6), rng.normal(0.0, 0.3, 6)
    R = rng.normal(size=x.shape)
    y, cache = att.layer_norm(x, gamma, beta)
    dx, dg, db = att.layer_norm_backward(R, cache)
    _fd_check(lambda a, g, b: att.layer_norm(a, g, b)[0], [x, gamma, beta], [dx, dg, db], R)


@pytest.mark.parametrize("causal", [False, True])
def test_attention_backward_matches_finite_differences(causal):
    rng = np.random.default_rng(3)
    q, k, v = (rng.normal(size=(2, 3, 5, 4)) for _ in range(3))
    R = rng.normal(size=v.shape)
    out, probs, cache = att.attention(q, k, v, causal=causal)
    grads = att.attention_backward(R, cache)
    _fd_check(lambda a, b, c: att.attention(a, b, c, causal=causal)[0], [q, k, v], grads, R)


def test_causal_mask_gives_no_weight_to_later_positions_and_rows_sum_to_one():
    rng = np.random.default_rng(4)
    q, k, v = (rng.normal(size=(2, 2, 6, 4)) for _ in range(3))
    _, probs, _ = att.attention(q, k, v, causal=True)
    upper = np.triu(np.ones((6, 6), dtype=bool), 1)
    assert np.all(probs[..., upper] == 0.0)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-12)
    # the first position can only attend to itself: its output is its own value
    np.testing.assert_allclose(att.attention(q, k, v, causal=True)[0][..., 0, :], v[..., 0, :])


def test_attention_scale_defaults_to_one_over_sqrt_dk():
    rng = np.random.default_rng(5)
    q, k, v = (rng.normal(size=(1, 1, 3, 16)) for _ in range(3))
    a = att.attention(q, k, v)[1]
    b = att.attention(q / 4.0, k, v, scale=1.0)[1]
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_attention_entropy_is_ln_m_for_uniform_rows_and_zero_for_one_hot():
    p = np.zeros((2, 4, 4))
    p[0] = 0.25
    p[1, :, 2] = 1.0
    h = att.attention_entropy(p)
    np.testing.assert_allclose(h[0], math.log(4.0))
    np.testing.assert_allclose(h[1], 0.0)


def test_gelu_tanh_is_within_1e_3_of_the_exact_gelu_and_its_grad_matches_fd():
    from course_utils import get_activation

    x = np.linspace(-6, 6, 2001)
    assert np.max(np.abs(att.gelu_tanh(x) - get_activation("gelu")(x))) < 1e-3
    fd = (att.gelu_tanh(x + EPS) - att.gelu_tanh(x - EPS)) / (2 * EPS)
    np.testing.assert_allclose(att.gelu_tanh_grad(x), fd, atol=1e-8)


def test_mlp_backward_matches_finite_differences():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 3, 5))
    W1, b1 = rng.normal(size=(5, 20)), rng.normal(size=20)
    W2, b2 = rng.normal(size=(20, 5)) / 4, rng.normal(size=5)
    R = rng.normal(size=x.shape)
    out, cache = att.mlp(x, W1, b1, W2, b2)
    grads = att.mlp_backward(R, cache)
    _fd_check(lambda *a: att.mlp(*a)[0], [x, W1, b1, W2, b2], grads, R)


@pytest.mark.parametrize("d_k", [4, 64])
def test_var_of_q_dot_k_is_d_k_for_unit_variance_entries(d_k):
    rng = np.random.default_rng(7)
    n = 100_000
    q, k = rng.normal(size=(n, d_k)), rng.normal(size=(n, d_k))
    var, se = var_se(np.einsum("ij,ij->i", q, k), mean=0.0)
    assert within_se(var, d_k, se), (var, d_k, se)
