"""Activations and the MLP's backward pass against finite differences; quiet overflow."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import course_utils as cu
from stats_tools import central_difference

NAMES = ["linear", "relu", "leaky_relu", "tanh", "sigmoid", "selu", "gelu", "silu"]


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_central_difference(name):
    act = cu.get_activation(name)
    z = np.linspace(-4, 4, 801)
    z = z[np.abs(z) > 1e-3]  # relu family: no derivative at 0
    h = 1e-6
    numeric = (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    # central difference error ~ h^2 f''' + eps/h ~ 1e-10; erf-based gelu is exact to ~1e-7
    np.testing.assert_allclose(act.derivative(z), numeric, atol=2e-6 if name == "gelu" else 1e-8)


def test_activation_values_against_definitions():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(cu.get_activation("sigmoid")(z), 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(cu.get_activation("silu")(z), z / (1 + np.exp(-z)))
    exact_gelu = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in z])
    np.testing.assert_allclose(cu.get_activation("gelu")(z), exact_gelu, atol=2e-7)
    erf_grid = np.linspace(-5, 5, 1001)
    np.testing.assert_allclose(
        cu.activations.erf(erf_grid), [math.erf(v) for v in erf_grid], atol=1.5e-7
    )
    selu = cu.get_activation("selu")(z)
    lam, alpha = cu.activations.SELU_LAMBDA, cu.activations.SELU_ALPHA
    np.testing.assert_allclose(selu, np.where(z > 0, lam * z, lam * alpha * np.expm1(z)))


@pytest.mark.parametrize("name", NAMES)
def test_activations_are_quiet_on_huge_and_nonfinite_input(name):
    act = cu.get_activation(name)
    z = np.array([-1e308, -800.0, 800.0, 1e308, np.inf, -np.inf, np.nan])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        act.forward(z)
        act.derivative(z)


def numeric_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        g[it.multi_index] = central_difference(x, it.multi_index, f, h)
    return g


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "selu", "gelu", "silu"])
def test_mlp_backward_matches_finite_differences(activation):
    rng = np.random.default_rng(0)
    net = cu.MLP([5, 7, 6, 3], activation=activation, init="xavier_normal", bias_std=0.1, rng=1)
    X = rng.normal(size=(4, 5))
    y = np.array([0, 2, 1, 2])

    def loss():
        return cu.softmax_cross_entropy(net.forward(X), y)[0]

    value, grad = cu.softmax_cross_entropy(net.forward(X), y)
    net.backward(grad)
    analytic_w = [g.copy() for g in net.weight_grads]
    analytic_b = [g.copy() for g in net.bias_grads]
    analytic_h = [g.copy() for g in net.activation_grads]
    for i in range(net.n_layers):
        np.testing.assert_allclose(analytic_w[i], numeric_grad(loss, net.weights[i]), atol=1e-7)
        np.testing.assert_allclose(analytic_b[i], numeric_grad(loss, net.biases[i]), atol=1e-7)
    Xc = X.copy()
    num_x = numeric_grad(lambda: cu.softmax_cross_entropy(net.forward(Xc), y)[0], Xc)
    net.forward(X)
    net.backward(grad)
    np.testing.assert_allclose(net.input_grad, num_x, atol=1e-7)

    # dL/dh of each hidden layer: perturb h_l and run the rest of the network
    net.forward(X)
    for layer in range(net.n_layers - 1):
        h = net.activations[layer].copy()

        def rest(h=h, layer=layer):
            out = h
            for j in range(layer + 1, net.n_layers):
                out = out @ net.weights[j] + net.biases[j]
                if j < net.n_layers - 1:
                    out = net.activation(out)
            return cu.softmax_cross_entropy(out, y)[0]

        np.testing.assert_allclose(analytic_h[layer], numeric_grad(rest, h), atol=1e-7)


def test_mse_gradient_and_records():
    net = cu.MLP([3, 4, 2], activation="tanh", rng=0)
    X = np.random.default_rng(1).normal(size=(5, 3))
    target = np.random.default_rng(2).normal(size=(5, 2))
    out = net.forward(X)
    assert len(net.preactivations) == len(net.activations) == 1
    np.testing.assert_allclose(net.activations[0], np.tanh(net.preactivations[0]))
    _, grad = cu.mse(out, target)
    net.backward(grad)
    w = net.weights[0]
    num = numeric_grad(lambda: cu.mse(net.forward(X), target)[0], w)
    net.forward(X)
    np.testing.assert_allclose(net.backward(grad)[0], num, atol=1e-8)


def test_softmax_cross_entropy_closed_forms():
    loss, grad = cu.softmax_cross_entropy(np.zeros((4, 10)), np.array([0, 1, 2, 3]))
    assert loss == pytest.approx(math.log(10))  # equal logits: ln(10) = 2.303
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-15)
    logits = np.array([[1000.0, 0.0]])  # stable for large logits
    assert cu.softmax_cross_entropy(logits, np.array([0]))[0] == pytest.approx(0.0)
    np.testing.assert_allclose(cu.softmax(np.array([[0.0, math.log(3)]])), [[0.25, 0.75]])


def test_exploding_network_reports_first_overflowed_layer_quietly():
    """40 linear layers whose weights are far too large: inf/nan, no RuntimeWarning, layer named.

    Each layer multiplies the typical entry by std * sqrt(n) = 1e10, so entries pass
    float64's largest value (1.8e308, 10^308.25) after about 308.25 / 10 = 31 layers.
    """
    n, factor = 64, 1e10
    big = cu.get_initializer("normal", std=factor / math.sqrt(n))
    net = cu.MLP([n] * 41, activation="linear", init=big, rng=0)
    X = np.random.default_rng(0).normal(size=(16, n))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = net.forward(X)
        net.backward(np.ones_like(out))
    assert not np.isfinite(out).all()
    predicted = math.log10(np.finfo(float).max) / math.log10(factor)
    assert predicted - 2 <= net.first_nonfinite_layer <= predicted + 2
    finite = []  # the same chain in plain numpy, independently
    h = X
    with np.errstate(all="ignore"):
        for w in net.weights:
            h = h @ w
            finite.append(bool(np.isfinite(h).all()))
    expected = finite.index(False) + 1
    assert net.first_nonfinite_layer == expected
    assert f"layer {expected} of 40 overflowed" in net.overflow_message


def test_finite_network_reports_nothing():
    net = cu.MLP([8, 8, 2], rng=0)
    net.forward(np.ones((2, 8)))
    assert net.first_nonfinite_layer is None and net.overflow_message is None


def test_mlp_same_seed_same_weights():
    a, b, c = (cu.MLP([5, 4, 3], init="he_normal", rng=s) for s in (1, 1, 2))
    for wa, wb, wc in zip(a.weights, b.weights, c.weights):
        np.testing.assert_array_equal(wa, wb)
        assert not np.array_equal(wa, wc)


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: cu.get_activation("reLu"), ValueError, ["'reLu'", "did you mean 'relu'"]),
        (lambda: cu.MLP([4], rng=0), ValueError, ["layer_sizes", "[4]"]),
        (lambda: cu.MLP("64,10", rng=0), TypeError, ["layer_sizes", "'64,10'"]),
        (lambda: cu.MLP([4, 0, 2], rng=0), ValueError, ["layer_sizes[1]", "0"]),
        (lambda: cu.MLP([4, 2], init="he_norml", rng=0), ValueError, ["did you mean 'he_normal'"]),
        (
            lambda: cu.MLP([4, 2], rng=0).forward(np.ones((3, 5))),
            ValueError,
            ["X", "(n_samples, 4)", "(3, 5)"],
        ),
        (lambda: cu.MLP([4, 2], rng=0).backward(np.ones((3, 2))), RuntimeError, ["forward"]),
        (
            lambda: cu.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])),
            ValueError,
            ["0..2", "3"],
        ),
        (
            lambda: cu.MLP([4, 2], init=lambda i, o, rng: np.zeros((o, i)), rng=0),
            ValueError,
            ["(2, 4)", "(4, 2)"],
        ),
    ],
)
def test_bad_input_is_explained(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


@pytest.mark.parametrize("name", list(cu.ACTIVATIONS))
def test_the_derivative_from_the_output_is_the_derivative_itself(name):
    """tanh' and sigmoid' read off h = phi(z) are the very numbers phi'(z) computes."""
    from course_utils.activations import _derivative_from_output

    act = cu.get_activation(name)
    z = np.random.default_rng(2).standard_normal(1000) * 4.0
    z[:3] = [0.0, 40.0, -40.0]  # saturated: tanh' and sigmoid' underflow the same way
    h = act.forward(z)
    assert np.array_equal(_derivative_from_output(act, z, h.copy()), act.derivative(z))
