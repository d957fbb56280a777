"""course_utils.convolution: im2col against a direct sum, conv and CNN backward passes
against finite differences (the zero padding included), and bad input."""

from __future__ import annotations

import numpy as np
import pytest

import course_utils as cu
from course_utils.convolution import col2im, conv2d, conv2d_backward, im2col
from stats_tools import central_difference


def direct_conv(X, K):
    """The definition, loop by loop: z[i,y,x,o] = sum X[i,y+dy-p,x+dx-p,c] K[dy,dx,c,o]."""
    n, h, w, _ = X.shape
    k, c_out = K.shape[0], K.shape[3]
    p = k // 2
    z = np.zeros((n, h, w, c_out))
    for y in range(h):
        for x in range(w):
            for dy in range(k):
                for dx in range(k):
                    yy, xx = y + dy - p, x + dx - p
                    if 0 <= yy < h and 0 <= xx < w:  # zero padding outside
                        z[:, y, x] += X[:, yy, xx] @ K[dy, dx]
    return z


@pytest.mark.parametrize(
    "k, shape, c_out", [(3, (2, 5, 4, 3), 2), (5, (1, 6, 6, 2), 3), (1, (2, 3, 3, 1), 4)]
)
def test_conv2d_is_the_definition_with_zero_padding(k, shape, c_out):
    rng = np.random.default_rng(0)
    X = rng.normal(size=shape)
    K = rng.normal(size=(k, k, shape[3], c_out))
    b = rng.normal(size=c_out)
    np.testing.assert_allclose(conv2d(X, K, b), direct_conv(X, K) + b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_im2col_zeroes_the_border_of_a_reused_pad_buffer(k):
    """The CNN hands im2col the last call's padded copy: whatever its border holds (nan
    here), the taps on the padding must come out 0, as a fresh zero padding gives."""
    from course_utils.convolution import _im2col

    rng = np.random.default_rng(7)
    X = rng.normal(size=(2, 5, 4, 3))
    p = k // 2
    dirty = np.full((2, 5 + 2 * p, 4 + 2 * p, 3), np.nan)
    out = np.full((2 * 5 * 4, k * k * 3), np.nan)
    np.testing.assert_array_equal(_im2col(X, k, out, dirty), im2col(X, k))
    assert np.isfinite(out).all()


def test_a_cnn_forward_after_another_is_the_definition():
    """Buffers (patch matrices, padded copies) carry over between calls: the second
    batch's first preactivation must still be the zero-padded convolution of its own X."""
    rng = np.random.default_rng(8)
    net = cu.CNN(input_shape=(6, 5, 2), channels=(3, 4), rng=0)
    net.forward(rng.normal(size=(3, 6, 5, 2)) * 100.0)
    X = rng.normal(size=(3, 6, 5, 2))
    net.forward(X)
    expected = direct_conv(X, net.weights[0]) + net.biases[0]
    np.testing.assert_allclose(net.preactivations[0], expected, rtol=1e-12, atol=1e-12)


def test_col2im_is_the_adjoint_of_im2col():
    """<im2col(X), C> = <X, col2im(C)> for every X and C: the backward pass is exact."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2, 4, 5, 3))
    C = rng.normal(size=(2 * 4 * 5, 3 * 3 * 3))
    assert np.vdot(im2col(X, 3), C) == pytest.approx(np.vdot(X, col2im(C, X.shape, 3)), rel=1e-12)


def test_the_input_gradient_is_col2im_of_delta_times_the_kernel():
    """The backward pass computes dL/dX as a conv with the flipped kernel: it must equal
    the adjoint of im2col applied to delta K^T (the textbook col2im form)."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(2, 5, 4, 3))
    K = rng.normal(size=(3, 3, 3, 2))
    delta = rng.normal(size=(2, 5, 4, 2))
    gx, _, _ = conv2d_backward(X, K, delta)
    expected = col2im(delta.reshape(-1, 2) @ K.reshape(-1, 2).T, X.shape, 3)
    np.testing.assert_allclose(gx, expected, rtol=1e-12, atol=1e-12)


def test_conv2d_backward_matches_finite_differences_border_included():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(2, 4, 4, 2))
    K = rng.normal(size=(3, 3, 2, 3))
    b = rng.normal(size=3)
    R = rng.normal(size=(2, 4, 4, 3))  # L = <R, conv(X)>

    def loss(X, K, b):
        return float(np.vdot(R, conv2d(X, K, b)))

    gx, gk, gb = conv2d_backward(X, K, R)
    eps = 1e-6
    for arr, grad, idx in [
        (
            X,
            gx,
            [(0, 0, 0, 0), (1, 3, 3, 1), (0, 0, 2, 1), (1, 2, 1, 0)],
        ),  # corners, border, inside
        (K, gk, [(0, 0, 0, 0), (2, 2, 1, 2), (1, 1, 0, 1)]),
        (b, gb, [(0,), (2,)]),
    ]:
        for i in idx:
            up, down = arr.copy(), arr.copy()
            up[i] += eps
            down[i] -= eps
            args_up = [up if a is arr else a for a in (X, K, b)]
            args_down = [down if a is arr else a for a in (X, K, b)]
            fd = (loss(*args_up) - loss(*args_down)) / (2 * eps)
            assert grad[i] == pytest.approx(fd, rel=1e-6, abs=1e-8), i


def test_a_corner_pixel_of_a_3x3_same_conv_sees_4_of_9_inputs():
    X = np.ones((1, 8, 8, 1))
    z = conv2d(X, np.ones((3, 3, 1, 1)))[0, :, :, 0]
    assert z[0, 0] == 4 and z[0, 3] == 6 and z[3, 3] == 9


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_cnn_backward_matches_finite_differences(activation):
    rng = np.random.default_rng(3)
    net = cu.CNN((5, 5, 2), (3, 4), 3, activation=activation, init="xavier_normal", rng=0)
    for b in net.biases:
        b[:] = rng.normal(0, 0.1, size=b.shape)
    X = rng.normal(size=(3, 5, 5, 2))
    y = np.array([0, 2, 1])

    def loss():
        return cu.softmax_cross_entropy(net.forward(X), y)[0]

    value, grad = cu.softmax_cross_entropy(net.forward(X), y)
    net.backward(grad, compute_input_grad=True)
    grads = [g.copy() for g in net.grads]
    input_grad = net.input_grad.copy()
    eps = 1e-6
    for p, g in zip(net.params, grads):
        for flat in rng.choice(p.size, size=min(4, p.size), replace=False):
            i = np.unravel_index(flat, p.shape)
            assert g[i] == pytest.approx(central_difference(p, i, loss, eps), rel=1e-5, abs=1e-8)
    for i in [(0, 0, 0, 0), (2, 4, 4, 1), (1, 2, 3, 0)]:
        Xu, Xd = X.copy(), X.copy()
        Xu[i] += eps
        Xd[i] -= eps
        fd = (
            cu.softmax_cross_entropy(net.forward(Xu), y)[0]
            - cu.softmax_cross_entropy(net.forward(Xd), y)[0]
        ) / (2 * eps)
        assert input_grad[i] == pytest.approx(fd, rel=1e-5, abs=1e-8)


def test_cnn_records_every_layer_and_reads_flat_digits():
    net = cu.CNN(channels=(4, 6), rng=0)
    X, _ = cu.load_digits()
    out = net.forward(X[:5])  # flat (5, 64) is read as (5, 8, 8, 1)
    assert out.shape == (5, 10)
    assert [a.shape for a in net.activations] == [(5, 8, 8, 4), (5, 8, 8, 6)]
    assert [z.shape for z in net.preactivations] == [(5, 8, 8, 4), (5, 8, 8, 6)]
    net.backward(np.ones((5, 10)))
    assert [g.shape for g in net.weight_grads] == [w.shape for w in net.weights]
    assert [g.shape for g in net.activation_grads] == [(5, 8, 8, 4), (5, 8, 8, 6)]


def test_fit_trains_a_cnn_on_the_digits():
    X, y = cu.load_digits()
    net = cu.CNN(channels=(8,), rng=0)
    hist = cu.fit(
        net, X[:400], y[:400], epochs=3, lr=0.05, batch_size=32, optimizer="momentum", rng=0
    )
    assert hist.loss[-1] < 0.5 * hist.initial_loss
    assert hist.grad_norms.shape == (3, 2)


def test_pytorch_conv_default_is_uniform_one_over_sqrt_fan_in():
    K = cu.convolution.pytorch_conv_default((3, 3, 16, 32), rng=0)
    bound = 1 / np.sqrt(16 * 9)
    assert K.shape == (3, 3, 16, 32) and np.abs(K).max() <= bound
    assert np.abs(K).max() > 0.99 * bound
    flat = cu.framework_default("pytorch_linear", 144, 32, rng=0)
    np.testing.assert_array_equal(K.reshape(144, 32), flat)  # the same draws, reshaped


@pytest.mark.parametrize(
    "call, words",
    [
        (
            lambda: conv2d(np.zeros((2, 4, 4)), np.zeros((3, 3, 1, 1))),
            ["X must have shape", "(2, 4, 4)"],
        ),
        (
            lambda: conv2d(np.zeros((2, 4, 4, 2)), np.zeros((3, 3, 1, 1))),
            ["X must have shape", "1)"],
        ),
        (lambda: conv2d(np.zeros((1, 4, 4, 1)), np.zeros((2, 2, 1, 1))), ["odd k", "(2, 2, 1, 1)"]),
        (lambda: cu.CNN(kernel_size=4), ["kernel_size must be odd", "4"]),
        (lambda: cu.CNN(channels=()), ["channels", "()"]),
        (lambda: cu.CNN(init="he_nromal"), ["did you mean 'he_normal'"]),
        (
            lambda: cu.CNN(rng=0).forward(np.zeros((3, 63))),
            ["(n_samples, 8, 8, 1) or (n_samples, 64)", "(3, 63)"],
        ),
        (lambda: cu.CNN(rng=0).forward(np.full((1, 64), np.nan)), ["inf or nan"]),
        (lambda: cu.CNN(rng=0).backward(np.zeros((1, 10))), ["call forward"]),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, words):
    with pytest.raises((ValueError, TypeError, RuntimeError)) as err:
        call()
    for word in words:
        assert word in str(err.value)
