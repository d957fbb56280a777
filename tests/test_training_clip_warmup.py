"""Gradient-norm clipping, learning-rate warm-up and networks other than the MLP in ``cu.fit``.

Each expected value is computed by hand from its definition: the clipped gradient of
Pascanu et al. (2013), Algorithm 1, and the linear warm-up ``lr * min(1, t / k)``.
"""

from __future__ import annotations

import numpy as np
import pytest

import course_utils as cu
from course_utils.training import train_step


def _data(n=24, n_in=5, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, n_in)), rng.integers(0, n_classes, n)


def test_clip_grad_norm_rescales_to_the_cap_and_keeps_the_direction():
    grads = [np.array([3.0, 0.0]), np.array([[0.0], [4.0]])]  # global norm 5
    total = cu.clip_grad_norm(grads, 1.0)
    assert total == pytest.approx(5.0)
    np.testing.assert_allclose(grads[0], [0.6, 0.0])
    np.testing.assert_allclose(grads[1], [[0.0], [0.8]])
    small = [np.array([0.3, 0.4])]  # norm 0.5 < 1: untouched
    assert cu.clip_grad_norm(small, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(small[0], [0.3, 0.4])


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), "1"])
def test_clip_grad_norm_refuses_a_bad_cap(bad):
    with pytest.raises((ValueError, TypeError), match="max_norm"):
        cu.clip_grad_norm([np.ones(2)], bad)


def test_a_clipped_sgd_step_moves_the_parameters_by_lr_times_the_cap():
    X, y = _data()
    net = cu.MLP([5, 8, 3], rng=1)
    before = [p.copy() for p in net.params]
    stats = {}
    train_step(net, cu.SGD(0.1), X, y, clip_norm=1e-3, stats=stats)
    assert stats["grad_norm"] > 1e-3  # this step really was clipped
    moved = np.sqrt(sum(np.sum((p - b) ** 2) for p, b in zip(net.params, before)))
    assert moved == pytest.approx(0.1 * 1e-3, rel=1e-12)


def test_a_cap_above_every_gradient_changes_nothing():
    X, y = _data()
    a, b = cu.MLP([5, 8, 3], rng=2), cu.MLP([5, 8, 3], rng=2)
    ha = cu.fit(a, X, y, epochs=3, lr=0.05, batch_size=8, optimizer="adam", rng=0)
    hb = cu.fit(b, X, y, epochs=3, lr=0.05, batch_size=8, optimizer="adam", rng=0, clip_norm=1e9)
    assert hb.clipped == [0, 0, 0] and ha.clipped == []
    for pa, pb in zip(a.params, b.params):
        np.testing.assert_allclose(pa, pb, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(ha.grad_norms, hb.grad_norms, rtol=1e-10)


def test_a_tiny_cap_clips_every_step_and_history_counts_them():
    X, y = _data()
    hist = cu.fit(cu.MLP([5, 8, 3], rng=3), X, y, epochs=2, lr=0.1, batch_size=8,
                  rng=0, clip_norm=1e-6)  # fmt: skip
    assert hist.clipped == [3, 3]  # 24 rows, batches of 8


def test_warmup_is_linear_then_constant_and_equals_a_hand_schedule():
    X, y = _data()
    k, lr = 4, 0.2
    net = cu.MLP([5, 8, 3], rng=4)
    hist = cu.fit(net, X, y, epochs=3, lr=lr, batch_size=8, rng=5, warmup_steps=k)
    expected = [lr * min(1.0, t / k) for t in range(1, 10)]
    np.testing.assert_allclose(hist.step_lr, expected, rtol=0, atol=1e-15)
    # the same steps by hand: the same shuffles, SGD at each step's rate
    ref = cu.MLP([5, 8, 3], rng=4)
    gen, opt, t = np.random.default_rng(5), cu.SGD(lr), 0
    for _ in range(3):
        order = gen.permutation(len(X))
        for start in range(0, len(X), 8):
            t += 1
            opt.lr = lr * min(1.0, t / k)
            idx = order[start : start + 8]
            train_step(ref, opt, X[idx], y[idx])
    for p, q in zip(net.params, ref.params):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)


def test_warmup_leaves_an_optimizer_object_at_its_own_rate():
    X, y = _data()
    opt = cu.Adam(0.01)
    cu.fit(cu.MLP([5, 8, 3], rng=6), X, y, epochs=1, lr=1.0, batch_size=8,
           optimizer=opt, rng=0, warmup_steps=100)  # fmt: skip
    assert opt.lr == 0.01


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"warmup_steps": -1}, "warmup_steps"),
        ({"clip_norm": 0.0}, "clip_norm"),
        ({"clip_norm": float("inf")}, "clip_norm"),
    ],  # fmt: skip
)
def test_bad_clip_or_warmup_is_explained(kwargs, words):
    X, y = _data()
    with pytest.raises(ValueError, match=words):
        cu.fit(cu.MLP([5, 3], rng=0), X, y, epochs=1, lr=0.1, batch_size=8, **kwargs)


class _SequenceLinear:
    """A linear classifier of the mean over time of (n, T, d) inputs: a non-MLP network."""

    def __init__(self, d, n_out, rng):
        self.W = np.random.default_rng(rng).standard_normal((d, n_out)) / np.sqrt(d)
        self.b = np.zeros(n_out)

    weights = property(lambda self: [self.W])
    weight_grads = property(lambda self: [self.gW])
    params = property(lambda self: [self.W, self.b])
    grads = property(lambda self: [self.gW, self.gb])

    def check_input(self, X, *, name="X"):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 3 or X.shape[2] != self.W.shape[0]:
            raise ValueError(f"{name} must have shape (n, T, {self.W.shape[0]}); got {X.shape}")
        return X

    def forward(self, X):
        self.m = X.mean(axis=1)
        return self.m @ self.W + self.b

    def backward(self, g):
        self.gW, self.gb = self.m.T @ g, g.sum(axis=0)


def test_fit_trains_any_network_with_its_own_input_check():
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 64)
    X = rng.standard_normal((64, 6, 4)) + 2.0 * (y[:, None, None] - 0.5)
    net = _SequenceLinear(4, 2, rng=8)
    hist = cu.fit(net, X, y, epochs=20, lr=0.5, batch_size=16, rng=0, validation=(X, y))
    assert hist.grad_norms.shape == (20, 1) and hist.update_ratio.shape == (20, 1)
    assert hist.loss[-1] < 0.5 * hist.initial_loss and hist.val_accuracy[-1] > 0.9
    with pytest.raises(ValueError, match=r"shape \(n, T, 4\)"):
        cu.fit(net, X[:, 0], y, epochs=1, lr=0.1, batch_size=8)
