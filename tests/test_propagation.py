"""The propagation explorer (notebook 04): its compute against cu.MLP, sampling, bad input."""

from __future__ import annotations

import contextlib
import io
import math
import warnings

import matplotlib
import numpy as np
import pytest

import course_utils as cu
from course_utils import widgets

matplotlib.use("Agg")


def direct_pass(width, depth, activation, init, *, bias_std=0.0, scale=1.0, n=16, seed=0):
    """What compute_propagation(method="network") documents, written out with cu.MLP."""
    data_seed, network_seed = np.random.SeedSequence(seed).spawn(2)
    network = np.random.default_rng(network_seed)
    net = cu.MLP([width] * (depth + 2), activation, init, bias_std=bias_std, rng=network)
    for w in net.weights:
        w *= scale
    data = np.random.default_rng(data_seed)
    X = data.standard_normal((n, width))
    grad_out = data.standard_normal((n, width))
    net.forward(X)
    net.backward(grad_out)
    return net


@pytest.mark.parametrize(
    "activation, init, bias_std, scale, sigma_w2",
    [
        ("tanh", "xavier_normal", 0.0, 1.0, 1.0),  # 24 * 2 / (24 + 24)
        ("relu", "he_normal", 0.3, 0.8, 2 * 0.8**2),  # 24 * 0.8^2 * 2 / 24
        ("linear", "N(0,1)", 0.0, 1.0, 24.0),  # 24 * 1
    ],
)
def test_compute_agrees_with_a_direct_forward_and_backward_pass(
    activation, init, bias_std, scale, sigma_w2
):
    width, depth, seed = 24, 7, 5
    r = widgets.compute_propagation(
        depth,
        width,
        init,
        scale,
        activation,
        bias_std,
        layer=3,
        n_samples=16,
        method="network",
        rng=seed,
    )
    name = {"N(0,1)": cu.get_initializer("normal", std=1.0)}.get(init, init)
    net = direct_pass(width, depth, activation, name, bias_std=bias_std, scale=scale, seed=seed)
    acts = np.array([a.ravel() for a in net.activations])
    grads = np.array([g.ravel() for g in net.activation_grads])
    np.testing.assert_allclose(r.activation_std, acts.std(axis=1), rtol=1e-12)
    np.testing.assert_allclose(r.gradient_std, grads.std(axis=1), rtol=1e-12)
    np.testing.assert_allclose(r.saturated, (np.abs(acts) > 0.97).mean(axis=1))
    counts, edges, mean, std = r.activation_hist  # of (h - mean) / std, on [-4, 4]
    assert (mean, std) == pytest.approx((acts[2].mean(), acts[2].std()), rel=1e-12)
    x = (acts[2] - mean) / std
    inside = np.mean((x >= edges[0]) & (x <= edges[-1]))
    assert counts @ np.diff(edges) == pytest.approx(inside)  # a density over all values
    assert r.method == "network" and r.layer == 3 and r.layers.tolist() == list(range(1, 8))
    assert r.sigma_w2 == pytest.approx(sigma_w2, rel=1e-12)
    expected = cu.theory.predict_propagation(
        depth, activation, sigma_w2=sigma_w2, sigma_b2=bias_std**2
    )
    np.testing.assert_allclose(r.predicted.activation_std, expected.activation_std, rtol=1e-12)
    np.testing.assert_allclose(r.predicted.gradient_std, expected.gradient_std, rtol=1e-12)


@pytest.mark.parametrize("activation", [*cu.ACTIVATIONS, "custom"])
def test_the_network_pass_gives_the_mlps_own_numbers(activation):
    """_network_pass skips what the propagation does not read, never what it does."""
    from course_utils.propagation import _network_pass

    act = (
        cu.Activation("custom", lambda z: np.sin(z), lambda z: np.cos(z), r"\sin z")
        if activation == "custom"
        else cu.get_activation(activation)
    )
    width, depth = 12, 5
    init = cu.get_initializer("xavier_normal")
    data = np.random.default_rng(4)
    X, G = data.standard_normal((6, width)), data.standard_normal((6, width))
    acts, grads = _network_pass(width, depth, act, init, 0.3, X, G, np.random.default_rng(8))
    net = cu.MLP([width] * (depth + 2), act, init, bias_std=0.3, rng=np.random.default_rng(8))
    net.forward(X)
    net.backward(G)
    assert np.array_equal(acts, np.stack(net.activations), equal_nan=True)
    assert np.array_equal(grads, np.stack(net.activation_grads), equal_nan=True)


def test_sigma_w2_is_width_times_the_weight_variance():
    r = widgets.compute_propagation(3, 40, "standard_uniform", 2.0, "tanh", method="network")
    assert r.sigma_w2 == pytest.approx(40 * 4.0 / (3 * 40))
    r = widgets.compute_propagation(3, 40, "N(0,0.01)", 1.0, "tanh", method="network")
    assert r.sigma_w2 == pytest.approx(40 * 1e-4)


def per_network_moments(acts, grads):
    """Mean over units of h^2 and of g^2, one row per network: arrays (n_networks, depth)."""
    h2 = np.stack([np.mean(a**2, axis=1) for a in acts], axis=1)
    g2 = np.stack([np.mean(g**2, axis=1) for g in grads], axis=1)
    return h2, g2


@pytest.mark.parametrize(
    "activation, init_std2, bias_std", [("tanh", 1.0, 0.0), ("relu", 2.0, 0.8), ("tanh", 2.5, 0.5)]
)
def test_sampled_networks_have_the_distribution_of_drawn_ones(activation, init_std2, bias_std):
    """Per-network second moments and their spread across networks, within 5 standard errors."""
    width, depth, n_nets = 8, 4, 3000
    std = math.sqrt(init_std2 / width)
    rng = np.random.default_rng(11)
    X = rng.standard_normal((n_nets, width))
    G = rng.standard_normal((n_nets, width))
    acts, _, grads = widgets.sample_network_pass(X, depth, activation, std, bias_std, G, rng=3)
    sampled = per_network_moments(acts, grads)
    drawn_rows = ([], [])
    for k in range(n_nets):  # one drawn network per input, as in the sampled pass
        net = cu.MLP(
            [width] * (depth + 2),
            activation,
            cu.get_initializer("normal", std=std),
            bias_std=bias_std,
            rng=100 + k,
        )
        net.forward(X[k : k + 1])
        net.backward(G[k : k + 1])
        for rows, recs in zip(drawn_rows, (net.activations, net.activation_grads)):
            rows.append([np.mean(r**2) for r in recs])
    drawn = tuple(np.array(rows) for rows in drawn_rows)
    for s, d in zip(sampled, drawn):
        for stat in (lambda m: m, lambda m: m**2):  # the mean and the spread across networks
            a, b = stat(s), stat(d)
            se = np.sqrt(a.var(axis=0, ddof=1) / n_nets + b.var(axis=0, ddof=1) / n_nets)
            assert np.all(np.abs(a.mean(axis=0) - b.mean(axis=0)) < 5 * se), (a.mean(0), b.mean(0))


@pytest.mark.parametrize("activation", ["relu", "linear"])
def test_sampled_backward_pass_is_the_transpose_of_the_forward_one(activation):
    """Without biases, relu and linear nets are 1-homogeneous: g_l . h_l = grad_out . output.

    Euler's identity holds for every hidden layer l of the one network that produced both
    passes; a backward pass drawn with independent weights would break it.
    """
    rng = np.random.default_rng(4)
    X = rng.standard_normal((50, 32))
    G = rng.standard_normal((50, 32))
    acts, _, grads = widgets.sample_network_pass(X, 6, activation, 0.3, 0.0, G, rng=9)
    dots = np.stack([np.einsum("ij,ij->i", g, h) for g, h in zip(grads, acts)], axis=1)
    np.testing.assert_allclose(dots, dots[:, :1].repeat(6, axis=1), rtol=1e-9)
    net = cu.MLP([32] * 8, activation, "he_normal", rng=0)  # the identity holds there too
    net.forward(X)
    net.backward(G)
    first = np.einsum("ij,ij->i", net.activation_grads[0], net.activations[0])
    last = np.einsum("ij,ij->i", net.activation_grads[-1], net.activations[-1])
    np.testing.assert_allclose(first, last, rtol=1e-9)


def test_sampled_linear_network_follows_sigma_w2_to_the_power_l():
    """For linear layers E[h_l^2] = sigma_w^2^l exactly, at any width."""
    r = widgets.compute_propagation(
        12, 32, "lecun_normal", 1.1, "linear", n_samples=3000, method="sampled"
    )
    h2 = (r.activations.reshape(12, 3000, 32) ** 2).mean(axis=2)  # per network
    se = h2.std(axis=1, ddof=1) / math.sqrt(3000)
    expected = 1.21 ** np.arange(1, 13)
    assert np.all(np.abs(h2.mean(axis=1) - expected) < 5 * se)


def test_auto_method_samples_only_big_networks():
    small = widgets.compute_propagation(10, 64)
    big = widgets.compute_propagation(100, 1024)
    assert small.method == "network" and big.method == "sampled"
    assert big.activations.shape == (100, big.n_samples * 1024)


@pytest.mark.parametrize("width", [1, 16, 32, 64, 256, 512, 1024])
@pytest.mark.parametrize("depth", [1, 30, 50, 51, 64, 100, 300])
def test_the_default_sample_records_4096_values_a_layer_and_caps_deep_networks(width, depth):
    """n_samples=None: about 4096 values a layer (4 to 256 inputs) up to 50 layers, the
    notebooks' numbers; deeper, at most 4096 x 50 values in all, but never under 2048
    values a layer nor under 2 inputs."""
    from course_utils.propagation import AUTO_SAMPLE_BUDGET

    n = cu.widgets.compute_propagation(depth=depth, width=width, activation="relu").n_samples
    usual = min(max(4096 // width, 4), 256)
    floor = min(usual, max(2, math.ceil(2048 / width)))
    if depth <= 50:
        assert n == usual
    assert floor <= n <= usual
    assert n * width * depth <= AUTO_SAMPLE_BUDGET or n == floor
    if n < usual:  # capped: the most inputs within the budget
        assert (n + 1) * width * depth > AUTO_SAMPLE_BUDGET


def test_the_largest_explorer_settings_record_fewer_inputs():
    assert cu.widgets.compute_propagation(depth=100, width=1024).n_samples == 2  # 2048 a layer
    assert cu.widgets.compute_propagation(depth=100, width=64).n_samples == 32  # 2048 a layer
    assert cu.widgets.compute_propagation(depth=64, width=1024).n_samples == 3  # 204800 // 65536


def test_overflow_is_reported_not_warned():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = widgets.compute_propagation(200, 64, "N(0,1)", 8.0, "linear", method="network")
    normal = cu.get_initializer("normal", std=1.0)
    net = direct_pass(64, 200, "linear", normal, scale=8.0, n=r.n_samples)
    assert r.first_nonfinite_layer == net.first_nonfinite_layer is not None
    assert f"overflow to inf/nan from layer {r.first_nonfinite_layer}" in r.summary
    assert np.isnan(r.activation_std[-1]) and np.isfinite(r.activation_std[0])


def test_layer_above_depth_shows_the_last_layer():
    r = widgets.compute_propagation(5, 16, layer=80)
    assert r.layer == 5


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"init": "xavir_normal"}, ValueError, "init must be one of"),
        ({"init": "normal"}, ValueError, "needs no parameter"),
        ({"depth": 0}, ValueError, "depth must be an integer >= 1"),
        ({"width": 2.5}, TypeError, "width must be an integer"),
        ({"scale": 0.0}, ValueError, "scale must be > 0"),
        ({"activation": "relu6"}, ValueError, "unknown activation"),
        ({"bias_std": -1}, ValueError, "bias_std must be >= 0"),
        ({"layer": 0}, ValueError, "layer must be an integer >= 1"),
        ({"method": "fast"}, ValueError, "unknown method 'fast'"),
        ({"rng": -3}, ValueError, "rng must be an integer >= 0"),
    ],
)
def test_bad_input_is_named(kwargs, error, words):
    with pytest.raises(error, match=words):
        widgets.compute_propagation(**kwargs)


def test_sample_network_pass_checks_shapes():
    with pytest.raises(ValueError, match="grad_out must have shape"):
        widgets.sample_network_pass(np.ones((3, 4)), 2, "tanh", 0.5, 0.0, np.ones((3, 5)))


def test_explorer_updates_one_figure_in_place():
    with contextlib.redirect_stdout(io.StringIO()):
        ex = widgets.propagation_explorer(depth=8, width=64)
    fig, n_artists = ex.figure, [len(ax.get_children()) for ax in ex.figure.axes]
    r = ex.refresh(depth=20, width=128, init="he_normal", activation="relu", layer=4)
    assert ex.figure is fig and [len(ax.get_children()) for ax in fig.axes] == n_artists
    assert "\n" not in r.summary and "relu, he_normal" in r.summary
    x, y = fig.axes[0].lines[0].get_data()
    np.testing.assert_allclose(y, r.activation_std)
    assert ex.render_png()[:4] == b"\x89PNG"


# The exercise checks of notebook 04 are tested in test_checks_04.py.


def test_the_explorer_writes_the_plain_normals_as_n_of_std_squared():
    """The dropdown and the summary say N(0, 0.01^2) (std 0.01), never N(0,0.01)."""
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        explorer = widgets.propagation_explorer(init="N(0,0.01)")
    labels = [label for label, _ in explorer.controls["init"].options]
    assert "N(0, 0.01^2)" in labels and "N(0, 1)" in labels and "N(0,0.01)" not in labels
    assert explorer.controls["init"].value == "N(0,0.01)"  # the key notebooks use
    r = widgets.compute_propagation(depth=3, width=8, init="N(0,0.01)")
    assert ", N(0, 0.01^2) x 1.00" in r.summary
