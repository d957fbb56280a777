"""course_utils.recurrent: BPTT against finite differences, the recurrent matrices'
closed forms and Monte Carlo moments, the gradient through time, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

import course_utils as cu
from course_utils.recurrent import (
    gradient_through_time,
    pytorch_rnn_default,
    recurrent_matrix,
    spectral_radius,
)
from stats_tools import central_difference, var_se, within_se


@pytest.mark.parametrize(
    "activation, recurrent_init",
    [("tanh", "orthogonal"), ("relu", "identity"), ("sigmoid", "gaussian")],
)
def test_bptt_matches_finite_differences(activation, recurrent_init):
    rng = np.random.default_rng(0)
    net = cu.RNN(3, 5, 4, activation=activation, recurrent_init=recurrent_init, rng=0)
    for b in net.biases:
        b[:] = rng.normal(0, 0.1, size=b.shape)
    X = rng.normal(size=(2, 6, 3))
    y = np.array([1, 3])

    def loss(X=X):
        return cu.softmax_cross_entropy(net.forward(X), y)[0]

    _, grad = cu.softmax_cross_entropy(net.forward(X), y)
    net.backward(grad, compute_input_grad=True)
    grads = [g.copy() for g in net.grads]
    input_grad = net.input_grad.copy()
    eps = 1e-6
    for p, g in zip(net.params, grads):
        for flat in rng.choice(p.size, size=min(5, p.size), replace=False):
            i = np.unravel_index(flat, p.shape)
            assert g[i] == pytest.approx(central_difference(p, i, loss), rel=1e-5, abs=1e-9)
    for i in [
        (0, 0, 0),
        (1, 5, 2),
        (0, 3, 1),
    ]:  # the first step's input reaches the loss through 5 steps
        Xu, Xd = X.copy(), X.copy()
        Xu[i] += eps
        Xd[i] -= eps
        assert input_grad[i] == pytest.approx((loss(Xu) - loss(Xd)) / (2 * eps), rel=1e-5, abs=1e-9)


def test_hidden_grads_are_dl_dh_t_through_every_later_step():
    """dL/dh_t by finite differences: perturb h_t's pre-activation path via a direct check
    of the recursion dL/dh_{t-1} = (dL/dh_t * phi'(z_t)) W_h^T, and the last one = readout."""
    rng = np.random.default_rng(1)
    net = cu.RNN(2, 4, 3, rng=1)
    X = rng.normal(size=(3, 5, 2))
    out = net.forward(X)
    g = rng.normal(size=out.shape)
    net.backward(g)
    G, Z = net.hidden_grads, net.preactivations
    assert G.shape == Z.shape == net.hidden_states.shape == (3, 5, 4)
    np.testing.assert_allclose(G[:, -1], g @ net.weights[2].T)
    for t in range(4, 0, -1):
        np.testing.assert_allclose(
            G[:, t - 1], (G[:, t] * (1 - np.tanh(Z[:, t]) ** 2)) @ net.weights[1].T
        )
    np.testing.assert_allclose(net.hidden_states, np.tanh(Z))


@pytest.mark.parametrize(
    "activation, recurrent_init",
    [("tanh", "orthogonal"), ("relu", "identity"), ("linear", "gaussian")],
)
def test_recorded_hidden_grads_match_finite_differences_wrt_each_hidden_state(
    activation, recurrent_init
):
    """dL/dh_t against a central difference: h_t nudged, the recursion re-run from t + 1 to
    T here (np.tanh, not the net's kernel), the readout and the loss."""
    rng = np.random.default_rng(5)
    net = cu.RNN(3, 4, 3, activation=activation, recurrent_init=recurrent_init, rng=5)
    for b in net.biases:
        b[:] = rng.normal(0, 0.1, size=b.shape)
    X, y = rng.normal(size=(2, 6, 3)), np.array([0, 2])
    _, grad = cu.softmax_cross_entropy(net.forward(X), y)
    net.backward(grad)
    H, G = net.hidden_states.copy(), net.hidden_grads.copy()
    (wx, wh, wo), (b, bo) = net.weights, net.biases
    phi = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0), "linear": lambda z: z}[activation]

    def loss_from(t, h):  # h = h_t (t counted from 0), then steps t + 1 .. T - 1
        for s in range(t + 1, X.shape[1]):
            h = phi(X[:, s] @ wx + h @ wh + b)
        return cu.softmax_cross_entropy(h @ wo + bo, y)[0]

    eps = 1e-6
    for i, t, j in [(0, 0, 0), (1, 0, 3), (0, 2, 1), (1, 4, 2), (0, 5, 0), (1, 5, 3)]:
        up, down = H[:, t].copy(), H[:, t].copy()
        up[i, j] += eps
        down[i, j] -= eps
        fd = (loss_from(t, up) - loss_from(t, down)) / (2 * eps)
        assert G[i, t, j] == pytest.approx(fd, rel=1e-6, abs=1e-10)


def test_tanh_kernel_is_tanh_up_to_rounding():
    """The exp form (and the kernel the RNN picks) against np.tanh: within 2^-51 everywhere
    (|x| up to 25, and 1e-300 .. 1e2 either sign), within 6 ulp where |x| >= 0.5 (the bound
    in its docstring), exact at 0, +-inf, nan and past exp's overflow."""
    from course_utils._rnn_kernels import tanh_exp, tanh_kernel

    x = np.concatenate(
        [np.linspace(-25, 25, 20001), np.logspace(-300, 2, 600), -np.logspace(-300, 2, 600)]
    )
    edges = np.array([0.0, np.inf, -np.inf, np.nan, 400.0, -400.0, 1e300, -1e300])
    x = np.concatenate([x, edges])
    ref = np.tanh(x)
    fin, wide = np.isfinite(ref), np.abs(x) >= 0.5
    for kernel in (tanh_exp, tanh_kernel()):
        out = np.empty_like(x)
        with np.errstate(over="ignore", invalid="ignore"):
            kernel(x, out, np.empty_like(x))
        assert np.abs(out[fin] - ref[fin]).max() <= 2.0**-51
        assert (np.abs(out[wide] - ref[wide]) / np.spacing(np.abs(ref[wide]))).max() <= 6
        np.testing.assert_array_equal(out[-edges.size :], ref[-edges.size :])  # nan == nan


def test_weight_gradients_in_blocks_of_steps_equal_one_gemm():
    """The blocked weight gradient (each GEMM small enough for one BLAS thread) is the one
    stacked GEMM up to rounding, for each path; BPTT at notebook 08's T = 64 pixel-by-pixel
    size, where W_h's gradient is blocked, against finite differences."""
    from course_utils._rnn_kernels import steps_product

    rng = np.random.default_rng(6)
    for S, n, p, q in [(63, 32, 32, 32), (5, 3, 4, 2), (3, 64, 256, 256), (64, 32, 1, 32)]:
        A, B = rng.normal(size=(S, n, p)), rng.normal(size=(S, n, q))
        want = A.reshape(S * n, p).T @ B.reshape(S * n, q)
        np.testing.assert_allclose(steps_product(A, B), want, rtol=1e-12, atol=1e-12)
    net = cu.RNN(1, 32, 10, rng=6)
    X, y = rng.normal(size=(32, 64, 1)), rng.integers(0, 10, size=32)
    _, grad = cu.softmax_cross_entropy(net.forward(X), y)
    net.backward(grad)
    g = net.weight_grads[1].copy()
    for i in [(0, 0), (5, 17), (31, 2)]:
        fd = central_difference(
            net.weights[1], i, lambda: cu.softmax_cross_entropy(net.forward(X), y)[0]
        )
        assert g[i] == pytest.approx(fd, rel=1e-5, abs=1e-9)
    one = cu.RNN(2, 3, 2, rng=0)  # T = 1: h_0 = 0, so W_h gets no gradient
    one.forward(rng.normal(size=(4, 1, 2)))
    assert np.array_equal(one.backward(rng.normal(size=(4, 2)))[1], np.zeros((3, 3)))


def test_work_arrays_are_reused_unless_a_record_is_kept():
    """A second step of the same shape writes into the first one's arrays (no new memory);
    a record the caller kept (a view of one) keeps its values, and the step is the same."""
    rng = np.random.default_rng(7)
    net = cu.RNN(2, 5, 3, rng=7)
    X1, X2, g = rng.normal(size=(4, 6, 2)), rng.normal(size=(4, 6, 2)), rng.normal(size=(4, 3))

    def step(X):
        out = net.forward(X)
        net.backward(g)
        return out, [a.ctypes.data for a in (net._Xt, net._Z, net._H, net._G)]

    out1, where1 = step(X1)
    out2, where2 = step(X2)
    assert where2 == where1  # nothing kept: the same memory
    kept = (net.hidden_states, net.hidden_grads, net.preactivations)
    values = [k.copy() for k in kept]
    out3, where3 = step(X1)
    for k, v in zip(kept, values):
        np.testing.assert_array_equal(k, v)  # a kept record is never overwritten
    assert where3[1:] != where2[1:]
    fresh = cu.RNN(2, 5, 3, rng=7)
    np.testing.assert_array_equal(out3, fresh.forward(X1))
    np.testing.assert_array_equal(out1, out3)
    fresh.backward(g)
    np.testing.assert_array_equal(net.hidden_grads, fresh.hidden_grads)


def test_recurrent_matrices_closed_forms():
    n = 50
    assert np.array_equal(recurrent_matrix("identity", n, scale=0.5), 0.5 * np.eye(n))
    Q = recurrent_matrix("orthogonal", n, scale=1.2, rng=0)
    np.testing.assert_allclose(Q.T @ Q, 1.44 * np.eye(n), atol=1e-12)
    assert np.allclose(np.abs(np.linalg.eigvals(Q)), 1.2)
    assert spectral_radius(
        recurrent_matrix("spectral_radius", n, scale=0.9, rng=0)
    ) == pytest.approx(0.9)
    U = recurrent_matrix("pytorch_rnn", n, rng=0)
    assert np.abs(U).max() <= 1 / math.sqrt(n)
    np.testing.assert_array_equal(U, pytorch_rnn_default(n, n, rng=0))


@pytest.mark.parametrize(
    "name, var", [("gaussian", lambda n, s: s**2 / n), ("pytorch_rnn", lambda n, s: s**2 / (3 * n))]
)
def test_recurrent_matrix_variance_monte_carlo(name, var):
    n, s = 400, 1.3
    W = recurrent_matrix(name, n, scale=s, rng=2)
    m2, se = var_se(W, mean=0.0)
    assert within_se(m2, var(n, s), se)


def test_circular_law_the_spectral_radius_of_a_gaussian_matrix_is_near_its_scale():
    """Var = s^2 / n: the eigenvalues fill the disc of radius s; the largest modulus
    approaches s from above by O(n^-1/2) (we accept 15% at n = 128)."""
    for s in (0.5, 1.0):
        rho = spectral_radius(recurrent_matrix("gaussian", 128, scale=s, rng=3))
        assert abs(rho - s) < 0.15 * s
    eig = np.linalg.eigvals(recurrent_matrix("gaussian", 128, rng=4))
    inside = np.mean(np.abs(eig) < 0.5)  # uniform on the disc: a quarter inside radius 1/2
    assert abs(inside - 0.25) < 5 * math.sqrt(0.25 * 0.75 / 128)


def test_pytorch_rnn_input_weights_use_the_hidden_size():
    W = pytorch_rnn_default(3, 100, rng=0)
    assert np.abs(W).max() <= 0.1 and np.abs(W).max() > 0.09


def test_gradient_through_time_closed_forms():
    # linear and orthogonal: every backward step is an isometry, the ratio is 1 at each t
    r = gradient_through_time(20, "orthogonal", 1.0, "linear")
    np.testing.assert_allclose(r.ratio, 1.0, rtol=1e-10)
    # linear and scaled identity: dL/dh_t = s^(T-t) dL/dh_T
    r = gradient_through_time(10, "identity", 0.8, "linear")
    np.testing.assert_allclose(r.ratio, 0.8 ** (10 - r.t), rtol=1e-12)
    assert r.verdict == "survives" and "T = 10" in r.summary and "0.80" in r.summary
    r = gradient_through_time(50, "pytorch_rnn", 1.0, "tanh")
    assert r.verdict == "vanishes" and r.ratio[0] < 1e-2
    r = gradient_through_time(50, "identity", 1.5, "linear")
    assert r.verdict == "explodes"


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
def test_bptt_without_weight_grads_gives_the_same_hidden_grads(activation):
    """``weight_grads=False`` (what gradient_through_time asks for) leaves dL/dh_t as it was."""
    gen = np.random.default_rng(5)
    X, dh = gen.standard_normal((4, 6, 2)), gen.standard_normal((4, 8))
    # two nets from one seed: neither reuses the other's work arrays
    net, bare = (cu.RNN(2, 8, 3, activation=activation, recurrent_init="gaussian", rng=1)
                 for _ in range(2))  # fmt: skip
    net.forward(X)
    bare.forward(X)
    full = net.backward_through_time(dh)
    np.testing.assert_array_equal(bare.backward_through_time(dh, weight_grads=False), full)
    assert len(net.weight_grads) == 3 and bare.weight_grads == [] and bare.bias_grads == []


def test_fit_trains_an_rnn_with_clipping():
    X, y = cu.load_digits()
    net = cu.RNN(8, 32, 10, rng=0)
    Xs = X[:300].reshape(-1, 8, 8) / 16
    hist = cu.fit(
        net,
        Xs,
        y[:300],
        epochs=3,
        lr=0.1,
        batch_size=32,
        optimizer="momentum",
        clip_norm=1.0,
        rng=0,
    )
    assert hist.loss[-1] < hist.initial_loss and len(hist.clipped) == 3


@pytest.mark.parametrize(
    "call, words",
    [
        (
            lambda: cu.RNN(8, 4, 2, rng=0).forward(np.zeros((3, 64))),
            ["(n_samples, T, 8)", "(3, 64)", "reshape"],
        ),
        (lambda: cu.RNN(8, 4, 2, rng=0).forward(np.full((1, 2, 8), np.inf)), ["inf or nan"]),
        (lambda: cu.RNN(8, 4, 2, recurrent_init="orthogonl"), ["did you mean 'orthogonal'"]),
        (lambda: cu.RNN(8, 4, 2, recurrent_scale=0), ["recurrent_scale must be > 0"]),
        (lambda: cu.RNN(8, 4, 2).backward(np.zeros((1, 2))), ["call forward"]),
        (lambda: recurrent_matrix("gauss", 4), ["did you mean 'gaussian'"]),
        (lambda: spectral_radius(np.zeros((2, 3))), ["square", "(2, 3)"]),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, words):
    with pytest.raises((ValueError, TypeError, RuntimeError)) as err:
        call()
    for word in words:
        assert word in str(err.value)


@pytest.mark.parametrize("init", ["spectral_radius", "orthogonal"])
@pytest.mark.parametrize("scale, words", [(0.0, "must be > 0.0; received 0.0"), (np.nan, "finite")])
def test_gradient_through_time_names_its_own_scale_argument(init, scale, words):
    """Its argument is ``scale``: the error must not name the RNN's ``recurrent_scale``."""
    with pytest.raises(ValueError) as err:
        gradient_through_time(10, init, scale)
    assert str(err.value).startswith("scale must be") and words in str(err.value)
