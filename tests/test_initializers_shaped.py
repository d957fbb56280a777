"""cu.compute_fans against PyTorch's documented rule, and cu.initialize for convolution
shapes: the std each initializer draws (Monte Carlo, tolerance from the sample size),
orthogonal on the flattened kernel, the same draws as the dense functions, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

import course_utils as cu
from stats_tools import var_se, within_se

SHAPES = [(3, 3, 16, 32), (5, 5, 8, 4), (1, 1, 64, 16), (3, 3, 1, 48), (64, 128)]


def torch_rule(torch_shape):
    """torch.nn.init._calculate_fan_in_and_fan_out, as its docstring and source state it:
    for a tensor (out, in, *kernel), receptive = prod(kernel), fan_in = in * receptive,
    fan_out = out * receptive (a 2-D (out, in) tensor has receptive 1)."""
    receptive = math.prod(torch_shape[2:])
    return torch_shape[1] * receptive, torch_shape[0] * receptive


def to_torch(shape):
    """The course's (kh, kw, c_in, c_out) as PyTorch's (c_out, c_in, kh, kw).

    A dense (in, out) becomes (out, in)."""
    return (shape[-1], shape[-2], *shape[:-2])


@pytest.mark.parametrize("shape", SHAPES)
def test_compute_fans_is_pytorchs_documented_rule(shape):
    assert cu.compute_fans(shape) == torch_rule(to_torch(shape))


def test_compute_fans_of_the_exercise_kernel():
    assert cu.compute_fans((3, 3, 16, 32)) == (144, 288)
    assert cu.compute_fans((3, 3, 1, 32)) == (9, 288)  # depthwise (one input channel a group): k^2


@pytest.mark.parametrize("shape", SHAPES)
def test_compute_fans_agrees_with_torch_when_installed(shape):
    torch = pytest.importorskip("torch")
    t = torch.empty(to_torch(shape))
    assert cu.compute_fans(shape) == torch.nn.init._calculate_fan_in_and_fan_out(t)


CASES = [
    ("he_normal", {}, lambda fi, fo: 2 / fi),
    ("he_normal", {"mode": "fan_out"}, lambda fi, fo: 2 / fo),
    ("he_uniform", {"mode": "fan_out"}, lambda fi, fo: 2 / fo),
    ("xavier_normal", {}, lambda fi, fo: 2 / (fi + fo)),
    ("xavier_uniform", {"gain": 2.0}, lambda fi, fo: 8 / (fi + fo)),
    ("lecun_normal", {}, lambda fi, fo: 1 / fi),
    ("standard_uniform", {}, lambda fi, fo: 1 / (3 * fi)),
    (
        "variance_scaling",
        {"scale": 3.0, "mode": "fan_avg", "distribution": "truncated_normal"},
        lambda fi, fo: 6 / (fi + fo),
    ),
    ("normal", {"std": 0.01}, lambda fi, fo: 1e-4),
    ("uniform", {"limit": 0.3}, lambda fi, fo: 0.03),
]


@pytest.mark.parametrize("name, params, var", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
@pytest.mark.parametrize("shape", [(3, 3, 16, 32), (5, 5, 8, 4), (3, 3, 1, 48)])
def test_initialize_draws_the_rules_variance_for_conv_fans(name, params, var, shape):
    K = cu.initialize(name, shape, rng=11, **params)
    assert K.shape == shape and K.dtype == np.float64
    m2, se = var_se(K, mean=0.0)
    assert within_se(m2, var(*cu.compute_fans(shape)), se), (m2, var(*cu.compute_fans(shape)), se)


def test_the_variances_differ_by_what_the_fans_differ_by():
    """A 3x3 conv from 16 to 32 channels: fan_out / fan_in = 2, so He fan_in draws twice
    the variance of He fan_out (measured, 10^5 draws a side)."""
    a = cu.initialize("he_normal", (3, 3, 64, 128), rng=0)
    b = cu.initialize("he_normal", (3, 3, 64, 128), rng=1, mode="fan_out")
    (va, sa), (vb, sb) = var_se(a, mean=0.0), var_se(b, mean=0.0)
    assert within_se(va / vb, 2.0, 2.0 * math.hypot(sa / va, sb / vb))


def test_orthogonal_kernel_is_orthogonal_when_flattened():
    K = cu.initialize("orthogonal", (3, 3, 16, 32), rng=0, gain=1.5)
    flat = K.reshape(144, 32)
    np.testing.assert_allclose(flat.T @ flat, 2.25 * np.eye(32), atol=1e-12)
    wide = cu.initialize("orthogonal", (3, 3, 1, 32), rng=0).reshape(9, 32)  # rows orthonormal
    np.testing.assert_allclose(wide @ wide.T, np.eye(9), atol=1e-12)


@pytest.mark.parametrize(
    "name, params",
    [
        ("he_normal", {}),
        ("orthogonal", {"gain": 2.0}),
        ("normal", {"std": 0.1}),
        ("xavier_uniform", {}),
    ],
)
def test_a_dense_shape_gives_the_dense_functions_draws(name, params):
    np.testing.assert_array_equal(
        cu.initialize(name, (20, 30), rng=5, **params),
        cu.get_initializer(name, **params)(20, 30, rng=5),
    )


def test_zeros_and_constant_fill_the_shape():
    assert not cu.initialize("zeros", (3, 3, 2, 4)).any()
    assert (cu.initialize("constant", (3, 3, 2, 4), value=0.5) == 0.5).all()


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: cu.initialize("he_nromal", (3, 3, 1, 1)), ["did you mean 'he_normal'"]),
        (lambda: cu.initialize("he_normal", (3,)), ["at least 2 dimensions", "(3,)"]),
        (lambda: cu.initialize("he_normal", (3, 0, 1, 1)), ["shape[1]", "0"]),
        (
            lambda: cu.initialize("he_normal", (3, 3, 1, 1), gian=2.0),
            ["gian", "did you mean 'gain'"],
        ),
        (lambda: cu.initialize("normal", (3, 3, 1, 1)), ["needs std"]),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, words):
    with pytest.raises((ValueError, TypeError)) as err:
        call()
    for word in words:
        assert word in str(err.value)
