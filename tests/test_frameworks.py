"""Framework defaults (notebook 11): closed forms, Monte Carlo, PyTorch's gain, deep ReLU stacks."""

from __future__ import annotations

import math

import numpy as np
import pytest

import course_utils as cu
from course_utils import frameworks as fw
from notebook_tools import feedback
from stats_tools import var_se, within_se

NAMES = list(fw.FRAMEWORK_DEFAULTS)


def within_5_se(sample: np.ndarray, expected_var: float) -> tuple[bool, str]:
    """Is the sample's variance (about a known mean of 0) within 5 standard errors of expected?"""
    measured, se = var_se(sample, mean=0.0)
    return within_se(
        measured, expected_var, se
    ), f"{measured:.6g} vs {expected_var:.6g} (se {se:.2g})"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("fan_in, fan_out", [(300, 200), (64, 512)])
def test_weight_variance_closed_form_and_monte_carlo(name, fan_in, fan_out):
    var_w, _ = fw.framework_variance(name, fan_in, fan_out)
    closed = {
        "pytorch_linear": 1 / (3 * fan_in),
        "keras_dense": 2 / (fan_in + fan_out),
        "flax_dense": 1 / fan_in,
        "gpt2": 0.02**2,
    }[name]
    assert var_w == pytest.approx(closed, rel=1e-12)
    w = np.concatenate(
        [fw.framework_default(name, fan_in, fan_out, rng=seed).ravel() for seed in range(4)]
    )
    ok, msg = within_5_se(w, var_w)
    assert ok, f"{name}: {msg}"
    assert abs(w.mean()) <= 5 * w.std() / math.sqrt(w.size)


@pytest.mark.parametrize("name", NAMES)
def test_bias_variance(name):
    fan_in, fan_out = 100, 50_000
    b = fw.framework_bias(name, fan_in, fan_out, rng=3)
    _, var_b = fw.framework_variance(name, fan_in, fan_out)
    assert b.shape == (fan_out,)
    if name == "pytorch_linear":
        assert np.abs(b).max() <= 1 / math.sqrt(fan_in)
        ok, msg = within_5_se(b, 1 / (3 * fan_in))
        assert ok and var_b == pytest.approx(1 / (3 * fan_in)), msg
    else:
        assert var_b == 0.0 and not b.any()


def test_pytorch_effective_gain_is_one_over_sqrt_3():
    """kaiming_uniform_(a=sqrt 5): gain sqrt(2/6), bound gain sqrt(3/n) = 1/sqrt(n)."""
    gain = cu.calculate_gain("leaky_relu", math.sqrt(5))
    assert gain == pytest.approx(1 / math.sqrt(3), rel=1e-12)
    assert fw.pytorch_linear_gain() == gain
    fan_in, fan_out = 256, 400
    bound = gain * math.sqrt(3 / fan_in)  # cu.kaiming_uniform's formula
    assert bound == pytest.approx(1 / math.sqrt(fan_in), rel=1e-12)
    w = cu.kaiming_uniform(fan_in, fan_out, gain=gain, rng=7)
    assert np.abs(w).max() <= bound
    assert np.array_equal(w, cu.standard_uniform(fan_in, fan_out, rng=7))
    assert np.array_equal(w, fw.framework_default("pytorch_linear", fan_in, fan_out, rng=7))
    # effective gain relative to LeCun, by Monte Carlo: Var(W) = gain^2 / fan_in
    ok, msg = within_5_se(w, gain**2 / fan_in)
    assert ok, msg
    assert math.sqrt(fan_in * w.var()) == pytest.approx(1 / math.sqrt(3), rel=0.01)


def test_flax_default_is_a_truncated_normal_with_lecun_variance():
    fan_in, fan_out = 200, 300
    w = fw.framework_default("flax_dense", fan_in, fan_out, rng=1)
    std = 1 / math.sqrt(fan_in)
    limit = 2 * std / cu.truncated_normal_std_factor()  # cut at 2 of the uncorrected stds
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.95 * limit  # the cut is reached, so it is in effect
    ok, msg = within_5_se(w, std**2)
    assert ok, msg


def test_keras_default_is_glorot_uniform():
    fan_in, fan_out = 120, 80
    w = fw.framework_default("keras_dense", fan_in, fan_out, rng=5)
    assert np.array_equal(w, cu.glorot_uniform(fan_in, fan_out, rng=5))
    assert np.abs(w).max() <= math.sqrt(6 / (fan_in + fan_out))


def test_gpt2_residual_std_makes_the_stream_variance_depth_free():
    assert fw.gpt2_residual_std(12) == pytest.approx(0.02 / math.sqrt(24))
    d = 64
    for n_layer in (3, 12, 48):
        total = 2 * n_layer * d * fw.gpt2_residual_std(n_layer) ** 2
        assert total == pytest.approx(d * 0.02**2)


def test_framework_mlp_uses_weights_and_biases():
    net = fw.framework_mlp("pytorch_linear", [50, 40, 30], "relu", rng=0)
    assert [w.shape for w in net.weights] == [(50, 40), (40, 30)]
    assert np.abs(net.weights[0]).max() <= 1 / math.sqrt(50)
    assert np.abs(net.biases[1]).max() <= 1 / math.sqrt(40) and net.biases[1].any()
    again = fw.framework_mlp("pytorch_linear", [50, 40, 30], "relu", rng=0)
    assert all(np.array_equal(a, b) for a, b in zip(net.params, again.params))
    keras = fw.framework_mlp("keras_dense", [50, 40, 30], "tanh", rng=0)
    assert not any(b.any() for b in keras.biases)


def _per_layer_factor(seed: int, width: int = 256, depth: int = 30) -> float:
    """Geometric-mean factor per layer of std(h_l), layers 1..depth: PyTorch weights, no bias."""

    def init(fan_in, fan_out, *, rng=None):
        return fw.framework_default("pytorch_linear", fan_in, fan_out, rng=rng)

    net = cu.MLP([width] * (depth + 2), "relu", init, rng=seed)
    net.forward(np.random.default_rng((seed, 1)).standard_normal((64, width)))
    std = np.array([h.std() for h in net.activations])
    return float((std[-1] / std[0]) ** (1 / (depth - 1)))


def test_pytorch_default_shrinks_a_relu_stack_by_sqrt_one_sixth_per_layer():
    """sigma_w^2 = 1/3 and ReLU's 1/2: E[h^2] x 1/6 per layer, the std x sqrt(1/6)."""
    factors = np.array([_per_layer_factor(seed) for seed in range(6)])
    predicted = math.sqrt(fw.framework_variance("pytorch_linear", 256, 256)[0] * 256 / 2)
    assert predicted == pytest.approx(math.sqrt(1 / 6))
    se = factors.std(ddof=1) / math.sqrt(len(factors))
    assert abs(factors.mean() - predicted) <= 5 * se + 1e-4, (factors, predicted)
    # and the mean-field recursion says the same layer by layer
    pred = cu.theory.predict_propagation(30, "relu", sigma_w2=1 / 3).activation_std
    assert (pred[-1] / pred[0]) ** (1 / 29) == pytest.approx(math.sqrt(1 / 6), rel=1e-6)


def test_unknown_names_and_bad_arguments_are_clear():
    with pytest.raises(ValueError, match="did you mean 'pytorch_linear'"):
        fw.framework_default("pytorch_lineer", 3, 4)
    with pytest.raises(ValueError, match="did you mean 'keras_dense'"):
        fw.framework_bias("keras_dens", 3, 4)
    with pytest.raises(ValueError, match="choose from: 'pytorch_linear'"):
        fw.framework_variance("caffe", 3, 4)
    with pytest.raises(TypeError, match="name must be a string"):
        fw.framework_default(None, 3, 4)
    with pytest.raises(ValueError, match="fan_in must be an integer >= 1; received 0"):
        fw.framework_default("gpt2", 0, 4)
    with pytest.raises(TypeError, match="fan_out must be an integer"):
        fw.framework_variance("gpt2", 3, 4.5)
    with pytest.raises(ValueError, match="n_layers"):
        fw.gpt2_residual_std(0)
    with pytest.raises(ValueError, match="did you mean 'flax_dense'"):
        fw.framework_mlp("flax", [3, 4], "relu", rng=0)


# --- notebook 11's exercise checks ---------------------------------------------------------
def test_check_pytorch_variance_feedback():
    assert feedback(cu.checks.check_pytorch_variance, lambda n: 1 / (3 * n)).startswith("Correct:")
    out = feedback(cu.checks.check_pytorch_variance, lambda n: 1 / n)
    assert out.startswith("Not yet:") and "LeCun" in out
    out = feedback(cu.checks.check_pytorch_variance, lambda n: 1 / math.sqrt(n))
    assert "b^2 / 3" in out
    assert feedback(cu.checks.check_pytorch_variance, lambda n: None).startswith("Not yet:")
    assert feedback(cu.checks.check_pytorch_variance, lambda n: 1 / 0).startswith("Not yet:")


def test_check_initializer_choices_feedback():
    right = {
        "tanh_mlp": "xavier_uniform",
        "relu_cnn": "kaiming_normal",
        "selu_mlp": "lecun_normal",
        "rnn_recurrent_weights": "orthogonal",
        "deep_linear_net": "xavier_normal",
    }
    assert feedback(cu.checks.check_initializer_choices, right).startswith("Correct: all 5")
    lecun = {**right, "tanh_mlp": "lecun_uniform", "deep_linear_net": "lecun_uniform"}
    assert feedback(cu.checks.check_initializer_choices, lecun).startswith("Correct: all 5")
    out = feedback(cu.checks.check_initializer_choices, {**right, "selu_mlp": "he_normal"})
    assert out.startswith("Not yet: 4 of 5 right.") and "Klambauer" in out
    stub = dict.fromkeys(right)
    out = feedback(cu.checks.check_initializer_choices, stub)
    assert "Still None" in out and "lecun_normal" not in out  # a stub is not given the answers
    assert feedback(cu.checks.check_initializer_choices, None).startswith("Not yet:")
    out = feedback(cu.checks.check_initializer_choices, {**right, "extra": "zeros"})
    assert out.startswith("Not yet:") and "unknown keys" in out
