"""fit, the optimizers and the training loop's buffers: hand-computed steps, determinism,
learning, divergence reported quietly, clear errors, and the He-vs-Xavier claim of notebook 05.
"""

from __future__ import annotations

import math
import tracemalloc
import warnings

import numpy as np
import pytest

import course_utils as cu
from course_utils.training import train_step
from notebook_tools import feedback

LN10 = math.log(10)


@pytest.fixture(scope="module")
def digits():
    """The digits split 3:1, pixels centred per pixel and scaled by one global std."""
    X, y = cu.load_digits()
    Xtr, Xte, ytr, yte = cu.train_test_split(X, y, rng=0)
    mean, std = Xtr.mean(axis=0), Xtr.std()
    return (Xtr - mean) / std, (Xte - mean) / std, ytr, yte


# --- optimizers against steps computed by hand ------------------------------------------
def _problem():
    rng = np.random.default_rng(3)
    w, b = rng.normal(size=(2, 3)), rng.normal(size=3)
    g1 = [rng.normal(size=(2, 3)), rng.normal(size=3)]
    g2 = [rng.normal(size=(2, 3)), rng.normal(size=3)]
    return w, b, g1, g2


def test_sgd_step_by_hand():
    w, b, g1, _ = _problem()
    w0, b0 = w.copy(), b.copy()
    norms = cu.SGD(0.1).step([w, b], g1)
    np.testing.assert_allclose(w, w0 - 0.1 * g1[0], rtol=1e-15)
    np.testing.assert_allclose(b, b0 - 0.1 * g1[1], rtol=1e-15)
    np.testing.assert_allclose(norms, [0.1 * np.linalg.norm(g) for g in g1], rtol=1e-12)


def test_momentum_two_steps_by_hand():
    w, b, g1, g2 = _problem()
    w0 = w.copy()
    opt = cu.get_optimizer("momentum", 0.1)
    opt.step([w, b], g1)
    norms = opt.step([w, b], g2)
    v2 = 0.9 * g1[0] + g2[0]  # v1 = g1 (v starts at 0), v2 = mu v1 + g2
    np.testing.assert_allclose(w, w0 - 0.1 * g1[0] - 0.1 * v2, rtol=1e-13)
    assert norms[0] == pytest.approx(0.1 * np.linalg.norm(v2), rel=1e-12)


def test_adam_two_steps_by_hand():
    w, b, g1, g2 = _problem()
    w0 = w.copy()
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    opt = cu.get_optimizer("adam", lr)
    opt.step([w, b], g1)
    norms = opt.step([w, b], g2)
    expected = w0.copy()
    m = v = 0.0
    for t, g in enumerate((g1[0], g2[0]), 1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        step = lr * m_hat / (np.sqrt(v_hat) + eps)
        expected -= step
    np.testing.assert_allclose(w, expected, rtol=1e-12)
    assert norms[0] == pytest.approx(np.linalg.norm(step), rel=1e-10)
    # the first step is lr g / (|g| + eps): about lr for every weight, whatever g's scale
    for scale in (1e-5, 1.0, 1e5):
        w_first, g = w0.copy(), g1[0] * scale
        cu.Adam(lr).step([w_first], [g])
        np.testing.assert_allclose(w0 - w_first, lr * g / (np.abs(g) + eps), rtol=1e-12)
        np.testing.assert_allclose(np.abs(w0 - w_first), lr, rtol=1e-2)


def test_fit_one_full_batch_step_is_gradient_descent_by_hand():
    """One linear layer, one step over the whole set: W <- W - lr X^T (softmax - onehot) / n."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 4)), rng.integers(0, 3, 12)
    net = cu.MLP([4, 3], activation="linear", init="xavier_normal", bias_std=0.1, rng=1)
    w0, b0 = net.weights[0].copy(), net.biases[0].copy()
    z = X @ w0 + b0
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(12), y] -= 1
    hist = cu.fit(net, X, y, epochs=1, lr=0.3, batch_size=12, optimizer="sgd", rng=0)
    np.testing.assert_allclose(net.weights[0], w0 - 0.3 * X.T @ p / 12, rtol=1e-12)
    np.testing.assert_allclose(net.biases[0], b0 - 0.3 * p.sum(axis=0) / 12, rtol=1e-12)
    grad = X.T @ p / 12
    assert hist.grad_norms[0, 0] == pytest.approx(np.linalg.norm(grad), rel=1e-12)
    ratio = 0.3 * np.linalg.norm(grad) / np.linalg.norm(w0)  # |W| before the update
    assert hist.update_ratio[0, 0] == pytest.approx(ratio, rel=1e-12)
    after = 0.3 * np.linalg.norm(grad) / np.linalg.norm(net.weights[0])
    assert abs(after / ratio - 1) > 1e-6  # the test tells before from after
    loss0 = -np.mean(np.log(np.exp(z[np.arange(12), y]) / np.exp(z).sum(axis=1)))
    assert hist.initial_loss == pytest.approx(loss0, rel=1e-12)
    assert hist.loss[0] == pytest.approx(loss0, rel=1e-12)  # the loss before the step


# --- the training loop's buffers -----------------------------------------------------------
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear", "gelu"])
def test_reused_buffers_give_the_same_numbers(activation):
    rng = np.random.default_rng(0)
    X, g = rng.normal(size=(9, 5)), rng.normal(size=(9, 3))
    net = cu.MLP([5, 7, 6, 3], activation=activation, bias_std=0.1, rng=2)
    out = net.forward(X).copy()
    net.backward(g)
    plain = [a.copy() for a in net.weight_grads + net.bias_grads + net.activation_grads]
    acts = [a.copy() for a in net.activations]
    for _ in range(2):  # the second call writes into the buffers made by the first
        np.testing.assert_allclose(net.forward(X, reuse_buffers=True), out, rtol=1e-13)
        net.backward(g, reuse_buffers=True, compute_input_grad=False)
        again = net.weight_grads + net.bias_grads + net.activation_grads
        for a, b in zip(plain, again):
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-15)
        for a, b in zip(acts, net.activations):
            np.testing.assert_allclose(b, a, rtol=1e-13)
    assert net.input_grad is None


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_updating_layers_during_backward_equals_stepping_after_it(name):
    """train_step updates each layer as backward finishes with it; same result as step()."""
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(16, 6)), rng.integers(0, 4, 16)
    a, b = (cu.MLP([6, 8, 8, 4], activation="tanh", bias_std=0.1, rng=3) for _ in range(2))
    opt_a, opt_b = cu.get_optimizer(name, 0.05), cu.get_optimizer(name, 0.05)
    rec = np.zeros((2, 3))
    for _ in range(3):
        value, _ = train_step(a, opt_a, X, y, record=rec)
        expected, grad = cu.softmax_cross_entropy(b.forward(X), y)
        b.backward(grad)
        opt_b.step(b.params, b.grads)
        assert value == pytest.approx(expected, rel=1e-12)
    for p, q in zip(a.params, b.params):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)


def test_a_training_step_allocates_no_batch_sized_array():
    """After the first step, a step allocates nothing as large as one layer's activations."""
    width, batch = 128, 128
    net = cu.MLP([width] * 5, activation="relu", init="he_normal", rng=0)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(batch, width)), rng.integers(0, width, batch)
    for name in ("sgd", "momentum", "adam"):
        opt = cu.get_optimizer(name, 1e-3)
        record = np.zeros((2, net.n_layers))
        train_step(net, opt, X, y, record=record)  # makes the buffers
        tracemalloc.start()
        try:
            train_step(net, opt, X, y, record=record)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        one_layer = batch * width * 8  # 128 KiB of float64
        assert peak < one_layer, (name, peak)


# --- fit -----------------------------------------------------------------------------------
def test_fit_is_deterministic_for_a_seed_and_differs_across_seeds(digits):
    Xtr, _, ytr, _ = digits

    def run(init_seed, shuffle_seed):
        net = cu.MLP([64, 32, 10], activation="tanh", init="xavier_normal", rng=init_seed)
        hist = cu.fit(net, Xtr, ytr, epochs=2, lr=0.05, batch_size=64, rng=shuffle_seed)
        return hist, net

    (h1, n1), (h2, n2) = run(0, 0), run(0, 0)
    assert h1.loss == h2.loss and h1.step_loss == h2.step_loss
    np.testing.assert_array_equal(h1.update_ratio, h2.update_ratio)
    for a, b in zip(n1.weights, n2.weights):
        np.testing.assert_array_equal(a, b)
    h3, _ = run(0, 1)  # other shuffling
    h4, _ = run(1, 0)  # other initial weights
    assert h3.step_loss != h1.step_loss and h4.step_loss != h1.step_loss


def test_fit_learns_the_digits(digits):
    Xtr, Xte, ytr, yte = digits
    net = cu.MLP([64, 64, 10], activation="relu", init="he_normal", rng=0)
    hist = cu.fit(
        net,
        Xtr,
        ytr,
        epochs=4,
        lr=0.01,
        batch_size=32,
        optimizer="momentum",
        rng=0,
        validation=(Xte, yte),
    )
    assert hist.accuracy[-1] > 0.9 and hist.val_accuracy[-1] > 0.85
    assert hist.loss[-1] < hist.initial_loss / 4
    assert hist.grad_norms.shape == hist.update_ratio.shape == (4, 2)
    assert len(hist.val_loss) == 4 and hist.diverged_at is None
    assert "4 epochs" in repr(hist)


def test_fit_callback_sees_every_epoch(digits):
    Xtr, _, ytr, _ = digits
    seen = []
    net = cu.MLP([64, 16, 10], rng=0)
    cu.fit(
        net,
        Xtr,
        ytr,
        epochs=3,
        lr=0.05,
        batch_size=128,
        callback=lambda e, h: seen.append((e, len(h.loss))),
        rng=0,
    )
    assert seen == [(1, 1), (2, 2), (3, 3)]


def test_divergence_is_reported_without_a_warning(digits):
    """N(0, 1) weights, 6 ReLU layers of width 64: logits start near 8^6, the loss overflows."""
    Xtr, _, ytr, _ = digits
    net = cu.MLP(
        [64] * 6 + [10], activation="relu", init=cu.get_initializer("normal", std=1.0), rng=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = cu.fit(net, Xtr, ytr, epochs=5, lr=0.01, batch_size=64, optimizer="momentum", rng=0)
    assert hist.diverged_at == 1 and len(hist.loss) == 1
    assert not math.isfinite(hist.loss[-1]) and not math.isfinite(hist.step_loss[-1])
    assert all(math.isfinite(v) for v in hist.step_loss[:-1])
    assert "diverged at epoch 1" in repr(hist)


def test_zero_init_never_moves_the_hidden_weights(digits):
    Xtr, _, ytr, _ = digits
    net = cu.MLP([64, 32, 32, 10], activation="tanh", init="zeros", rng=0)
    hist = cu.fit(net, Xtr, ytr, epochs=2, lr=0.1, batch_size=64, optimizer="adam", rng=0)
    assert all(not w.any() for w in net.weights)  # even Adam cannot break the symmetry
    # only the output bias learns: at best the class frequencies, whose entropy is ~ln 10
    freq = np.bincount(ytr) / len(ytr)
    entropy = -np.sum(freq * np.log(freq))
    assert min(hist.loss) > entropy - 0.01 and entropy > LN10 - 0.01


# --- He et al. (2015), fig. 3 in miniature -------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_30_relu_layers_he_trains_and_xavier_stays_at_ln10(digits, seed):
    """30 ReLU layers of width 64, SGD with momentum, the same budget for both inits.

    Xavier (fan_avg = fan_in here) gives each ReLU layer half the variance it needs, so the
    logits start about 2^-15 times smaller than He's: softmax is uniform and the loss is
    ln 10 to four digits, and so are the gradients that would move it. He keeps the scale.
    """
    Xtr, _, ytr, _ = digits
    losses = {}
    for init in ("he_normal", "xavier_normal"):
        net = cu.MLP([64] + [64] * 29 + [10], activation="relu", init=init, rng=seed)
        hist = cu.fit(
            net, Xtr, ytr, epochs=5, lr=0.002, batch_size=32, optimizer="momentum", rng=seed
        )
        losses[init] = hist.loss
    assert all(abs(v - LN10) < 0.01 for v in losses["xavier_normal"]), losses
    assert losses["he_normal"][-1] < LN10 - 0.8, losses


def test_xavier_relu_net_is_he_net_scaled_layer_by_layer(digits):
    """Notebook 05's claim: same seed, zero biases, so Xavier's logits are He's times a constant.

    Both initializers scale the same standard normals, and relu(c x) = c relu(x) for c > 0,
    so the ratio of the logits is the product of the per-layer std ratios, exactly (up to
    rounding): sqrt(2^-29 * 64 / 74) for 64-wide layers.
    """
    Xtr = digits[0][:50]
    sizes = [64] + [64] * 29 + [10]
    he = cu.MLP(sizes, activation="relu", init="he_normal", rng=3).forward(Xtr)
    xavier = cu.MLP(sizes, activation="relu", init="xavier_normal", rng=3).forward(Xtr)
    np.testing.assert_allclose(xavier, he * np.sqrt(2.0**-29 * 64 / 74), rtol=1e-9)


# --- errors -------------------------------------------------------------------------------------
def _net():
    return cu.MLP([4, 3], rng=0)


X4, Y4 = np.ones((5, 4)), np.array([0, 1, 2, 0, 1])


def fit_with(**changes):
    """Call fit on a tiny valid problem with some arguments changed."""
    kwargs = {"X": X4, "y": Y4, "epochs": 1, "lr": 0.1, "batch_size": 2, **changes}
    X, y = kwargs.pop("X"), kwargs.pop("y")
    return lambda: cu.fit(_net(), X, y, **kwargs)


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (fit_with(epochs=0), ValueError, ["epochs", "0"]),
        (fit_with(lr=-1), ValueError, ["lr", "-1"]),
        (fit_with(batch_size=1.5), TypeError, ["batch_size", "1.5"]),
        (fit_with(optimizer="adamm"), ValueError, ["'adamm'", "did you mean 'adam'"]),
        (fit_with(optimizer=3), TypeError, ["optimizer", "3"]),
        (fit_with(X=np.ones((5, 3))), ValueError, ["(n_samples, 4)", "(5, 3)"]),
        (fit_with(y=Y4[:3]), ValueError, ["y", "(3,)"]),
        (fit_with(y=Y4 * 0.5), ValueError, ["integer class labels", "float64"]),
        (fit_with(y=Y4 + 5), ValueError, ["0..2", "7"]),
        (fit_with(loss="hinge"), ValueError, ["'hinge'", "cross_entropy"]),
        (fit_with(validation=X4), TypeError, ["validation", "pair"]),
        (fit_with(validation=(np.ones((2, 5)), Y4[:2])), ValueError, ["validation", "(2, 5)"]),
        (lambda: train_step(_net(), "sgd", X4, Y4), TypeError, ["optimizer", "'sgd'"]),
        (lambda: cu.get_optimizer("momentum", 0), ValueError, ["lr", "0"]),
        (lambda: cu.Adam(0.1, beta2=1.0), ValueError, ["beta2", "[0, 1)", "1.0"]),
    ],
)
def test_bad_input_is_explained(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


# --- the training explorer (notebook 05) -----------------------------------------------------
def test_compute_training_is_pure_and_reports_what_happened():
    from course_utils import widgets

    a = widgets.compute_training("he_normal", depth=4, epochs=2)
    b = widgets.compute_training("he_normal", depth=4, epochs=2)
    assert a.history.step_loss == b.history.step_loss and a.summary == b.summary
    assert "\n" not in a.summary and "he_normal, 4 relu layers, momentum" in a.summary
    assert a.verdict.startswith("training: loss") and a.test_accuracy > 0.5
    stalled = widgets.compute_training("zeros", depth=3, epochs=1)
    assert "stalled at ln 10" in stalled.summary and "1 epoch:" in stalled.summary
    diverged = widgets.compute_training("N(0, 1)", depth=10, epochs=2)
    assert diverged.verdict == "diverged in epoch 1"
    with pytest.raises(ValueError, match="'he'"):
        widgets.compute_training("he")


def test_training_explorer_trains_only_on_the_button(monkeypatch):
    import contextlib
    import io

    import matplotlib

    from course_utils import widgets

    matplotlib.use("Agg")
    calls = []
    real = widgets.compute_training

    def counting(**params):
        calls.append(params)
        return real(**params)

    # the explorer calls compute_training from its own module: patch it there
    monkeypatch.setattr(widgets.training, "compute_training", counting)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):  # outside a kernel the Output widget prints
        ex = widgets.training_explorer(depth=3, epochs=2)
        ex.controls["depth"].value = 4
        ex.controls["optimizer"].value = "adam"
        assert calls == [] and ex.result is None
        assert "adam (lr 0.001): not trained yet, press Train." in out.getvalue()
        fig = ex.figure
        ex.button.click()
    assert len(calls) == 1 and calls[0]["epochs"] == 2 and callable(calls[0]["callback"])
    assert ex.figure is fig and ex.progress.value == 2 and ex.progress.description == "epoch 2/2"
    assert ex.result.summary in out.getvalue() and "4 relu layers, adam" in ex.result.summary
    x, y = fig.axes[0].lines[0].get_data()
    np.testing.assert_allclose(y, [ex.result.history.initial_loss, *ex.result.history.loss])
    with contextlib.redirect_stdout(out):
        ex.controls["init"].value = "zeros"
    assert "(faded: the last run)" in out.getvalue() and len(calls) == 1
    assert ex.render_png()[:4] == b"\x89PNG"


# --- exercise checks (notebook 05) -----------------------------------------------------------
def test_exercise_checks_answer_back_and_never_raise():
    checks = cu.checks
    assert feedback(checks.check_stalled_loss, math.log(10)).startswith("Correct:")
    assert "natural log" in feedback(checks.check_stalled_loss, 1.0)
    assert feedback(checks.check_stalled_loss, None).startswith("Not yet:")

    def ratio(w, grad, lr):
        return np.linalg.norm(lr * grad) / np.linalg.norm(w)

    assert feedback(checks.check_update_ratio, ratio).startswith("Correct:")
    assert "multiply by lr" in feedback(checks.check_update_ratio, lambda w, g, lr: ratio(w, g, 1))
    assert feedback(checks.check_update_ratio, lambda w, g, lr: 1 / 0).startswith("Not yet:")

    def adam_step(w, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v

    assert feedback(checks.check_adam_step, adam_step).startswith("Correct:")

    def uncorrected(w, g, m, v, t, lr=1e-3):
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g**2
        return w - lr * m / (np.sqrt(v) + 1e-8), m, v

    assert "3.2 times too large" in feedback(checks.check_adam_step, uncorrected)
    assert feedback(checks.check_adam_step, lambda *a: None).startswith("Not yet:")
    assert feedback(checks.check_adam_step, lambda *a: (1, 2)).startswith("Not yet:")


# --- plots of notebook 05 ----------------------------------------------------------------------
def test_training_plots_draw_what_is_finite_and_say_what_is_not():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = cu.History(loss=[1.0, 0.5], initial_loss=2.0)
    bad = cu.History(loss=[float("nan")], initial_loss=5e4, diverged_at=1)
    ax = cu.plots.plot_loss_curves({"he_normal": ok, "N(0,1)": bad}, reference=LN10)
    (x, y), (xb, yb) = ax.lines[0].get_data(), ax.lines[1].get_data()
    assert list(x) == [0, 1, 2] and list(y) == [2.0, 1.0, 0.5]
    assert list(xb) == [0] and list(yb) == [5e4]  # the nan epoch is left out, a cross marks it
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "N(0,1): diverged in epoch 1" in labels
    ax = cu.plots.plot_update_ratios({"zeros": [np.nan, np.nan], "he_normal": [1e-3, 2e-3]})
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "zeros (no finite ratio)" in labels and len(ax.lines[1].get_xdata()) == 2
    ax = cu.plots.plot_seed_band([[3.0, 2.0], [1.0, 4.0], [2.0, 3.0]], label="he_normal")
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [2.0, 3.0])  # the median
    X, y = cu.make_circles(40, rng=0)
    net = cu.MLP([2, 8, 2], activation="tanh", rng=0)
    ax = cu.plots.plot_decision_boundary(net, X, y, resolution=20)
    assert len(ax.collections) >= 2  # the filled contours and the points
    plt.close("all")
