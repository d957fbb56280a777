"""Bad input gets a clear error: the argument, the value received, what is allowed.

Each case is one that once passed silently or failed with a bare numpy error (issue 10).
"""

from __future__ import annotations

import numpy as np
import pytest

import course_utils as cu


def _digits_like(n=40, d=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, 3, size=n)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_fit_refuses_non_finite_data(bad):
    X, y = _digits_like()
    X[7, 2] = bad
    net = cu.MLP([6, 5, 3], rng=0)
    with pytest.raises(ValueError, match=r"X holds 1 inf or nan entries \(the first in row 7\)"):
        cu.fit(net, X, y, epochs=1, lr=0.1, batch_size=8, rng=0)


def test_fit_refuses_non_finite_validation_and_mse_targets():
    X, y = _digits_like()
    net = cu.MLP([6, 5, 3], rng=0)
    Xv = X[:5].copy()
    Xv[0, 0] = np.nan
    with pytest.raises(ValueError, match="validation X_val holds 1 inf or nan"):
        cu.fit(net, X, y, epochs=1, lr=0.1, batch_size=8, validation=(Xv, y[:5]), rng=0)
    reg = cu.MLP([6, 5, 1], rng=0)
    t = np.zeros(len(X))
    t[3] = np.inf
    with pytest.raises(ValueError, match="y holds inf or nan targets"):
        cu.fit(reg, X, t, epochs=1, lr=0.1, batch_size=8, loss="mse", rng=0)


def test_forward_refuses_non_finite_input_but_overflow_inside_stays_quiet():
    net = cu.MLP([4, 4, 4], rng=0)
    with pytest.raises(ValueError, match="X holds 2 inf or nan"):
        net.forward(np.array([[np.nan, 0, 0, 0], [0, np.inf, 0, 0]]))
    # an exploding network is a lesson: huge finite input overflows inside, quietly
    big = cu.MLP([4] * 40, activation="linear", init=cu.get_initializer("normal", std=1e10), rng=0)
    with np.errstate(all="raise"):
        out = big.forward(np.ones((1, 4)))
    assert not np.isfinite(out).all() and big.first_nonfinite_layer is not None


def test_one_sample_gets_a_hint():
    net = cu.MLP([4, 3, 2], rng=0)
    with pytest.raises(
        ValueError, match=r"received shape \(4,\) \(one sample\? use X\[None, :\]\)"
    ):
        net.forward(np.zeros(4))


@pytest.mark.parametrize("scale", [0.0, -0.5])
def test_variance_scaling_refuses_a_scale_that_is_not_positive(scale):
    with pytest.raises(ValueError, match=rf"scale must be > 0.0; received {scale}.*cu.zeros"):
        cu.variance_scaling(3, 4, scale=scale)


def test_get_initializer_checks_parameters_when_got():
    with pytest.raises(TypeError, match="no parameter 'gian'; did you mean 'gain'"):
        cu.get_initializer("he_normal", gian=2.0)
    with pytest.raises(TypeError, match="'lecun_normal' takes no parameter 'gain'"):
        cu.get_initializer("lecun_normal", gain=2.0)
    with pytest.raises(ValueError, match="std must be > 0.0; received -1.0"):
        cu.get_initializer("normal", std=-1.0)
    init = cu.get_initializer("constant", value=0.5)  # a positional-or-keyword parameter
    assert np.all(init(2, 3, rng=0) == 0.5)
    assert cu.get_initializer("he_normal", gain=1.0, mode="fan_out")(4, 2, rng=0).shape == (4, 2)


def test_mse_refuses_a_target_of_another_shape_even_of_the_same_size():
    pred = np.arange(12.0).reshape(4, 3)
    with pytest.raises(
        ValueError, match=r"target must have the shape of pred, \(4, 3\); received shape \(3, 4\)"
    ):
        cu.mse(pred, pred.T)
    # the one convenience kept: a 1-d target for a one-output network
    value, grad = cu.mse(np.ones((4, 1)), np.zeros(4))
    assert value == 1.0 and grad.shape == (4, 1)


def test_cross_entropy_on_1d_logits_names_the_shape():
    with pytest.raises(
        ValueError, match=r"logits must have shape \(n_samples, n_classes\); received shape \(3,\)"
    ):
        cu.softmax_cross_entropy(np.zeros(3), np.array([1]))
    with pytest.raises(ValueError, match="logits must have shape"):
        cu.softmax(np.zeros(3))


def test_x_shape_check_is_one_helper():
    """Every batch check goes through _validation.check_batch: the same words everywhere."""
    from pathlib import Path

    src = Path(cu.__file__).parent
    for module in ("network.py", "training.py", "isometry.py", "propagation.py"):
        text = (src / module).read_text()
        assert "check_batch(" in text, module
        assert "received shape {X.shape}" not in text, module
