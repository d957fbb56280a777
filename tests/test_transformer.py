"""cu.Transformer: parameter gradients against finite differences, its init, its records.

The whole network's gradient is checked by central differences (eps 1e-6) on a tiny
model, for both norm positions and every init, with large embeddings so that every
gradient is far above rounding. The init stds are checked by Monte Carlo with 5 standard
errors from the sample; ``readout_zero`` by the exact value ln V.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import course_utils as cu
from course_utils.transformer import Transformer, transformer_init_stds
from stats_tools import var_se, within_se

EPS = 1e-6


def _tiny(norm, init, **kw):
    return Transformer(
        5, 4, d_model=8, n_heads=2, n_layers=2, norm=norm, init=init, embedding_std=0.7,
        rng=0, **kw,
    )  # fmt: skip


def _data(seed=1, n=3, V=5, T=4):
    rng = np.random.default_rng(seed)
    return rng.integers(0, V, (n, T)), rng.integers(0, V, n)


@pytest.mark.parametrize("norm", ["pre", "post"])
@pytest.mark.parametrize("init", ["gpt2", "gpt2_unscaled", "xavier"])
def test_every_parameter_gradient_matches_finite_differences(norm, init):
    net = _tiny(norm, init)
    X, y = _data()
    loss, g = cu.softmax_cross_entropy(net.forward(X), y)
    net.backward(g)
    rng = np.random.default_rng(2)
    assert len(net.params) == len(net.grads)
    for p, grad in zip(net.params, net.grads):
        assert grad.shape == p.shape
        scale = max(np.abs(grad).max(), 1e-8)
        for i in rng.choice(p.size, size=min(6, p.size), replace=False):
            idx = np.unravel_index(i, p.shape)
            old = p[idx]
            p[idx] = old + EPS
            lp = cu.softmax_cross_entropy(net.forward(X), y)[0]
            p[idx] = old - EPS
            lm = cu.softmax_cross_entropy(net.forward(X), y)[0]
            p[idx] = old
            fd = (lp - lm) / (2 * EPS)
            assert abs(fd - grad[idx]) <= 1e-5 * scale + 1e-10, (idx, fd, grad[idx])


def test_records_have_the_documented_shapes():
    net = Transformer(7, 5, d_model=16, n_heads=4, n_layers=3, rng=0)
    X, y = _data(n=6, V=7, T=5)
    out = net.forward(X)
    assert out.shape == (6, 7)
    assert len(net.stream) == 4 and all(s.shape == (6, 5, 16) for s in net.stream)
    assert len(net.attention) == 3 and all(a.shape == (6, 4, 5, 5) for a in net.attention)
    np.testing.assert_allclose(net.attention[0].sum(axis=-1), 1.0, rtol=1e-12)
    net.backward(cu.softmax_cross_entropy(out, y)[1])
    assert net.block_grad_norms.shape == (3,) and np.all(net.block_grad_norms > 0)
    assert len(net.weights) == len(net.weight_grads) == 2 + 4 * 3 + 1
    ids = {id(p) for p in net.params}
    assert all(id(w) in ids for w in net.weights)


def test_block_grad_norm_is_the_norm_of_the_blocks_four_weight_gradients():
    net = Transformer(6, 4, d_model=8, n_heads=2, n_layers=2, rng=3)
    X, y = _data(n=5, V=6)
    net.backward(cu.softmax_cross_entropy(net.forward(X), y)[1])
    wg = net.weight_grads[2:-1]  # four per block
    for i in range(2):
        expect = math.sqrt(sum(float(np.sum(g * g)) for g in wg[4 * i : 4 * i + 4]))
        assert net.block_grad_norms[i] == pytest.approx(expect, rel=1e-12)


def test_readout_zero_gives_exactly_ln_v_and_gradient_only_in_the_readout():
    V = 8
    net = Transformer(V, 6, d_model=16, n_heads=2, n_layers=2, readout_zero=True, rng=0)
    X, y = _data(n=10, V=V, T=6)
    out = net.forward(X)
    assert np.all(out == 0.0)  # every logit exactly 0: each sample's loss is ln V
    loss, g = cu.softmax_cross_entropy(out, y)
    assert loss == pytest.approx(math.log(V), rel=4e-16)  # the mean of 10 equal values
    net.backward(g)
    assert np.abs(net.weight_grads[-1]).max() > 0
    assert all(np.all(gr == 0) for gr in net.weight_grads[:-1])


@pytest.mark.parametrize("n_layers", [1, 6])
def test_gpt2_init_stds_by_monte_carlo(n_layers):
    d = 64
    net = Transformer(50, 16, d_model=d, n_heads=4, n_layers=n_layers, init="gpt2", rng=5)
    resid = 0.02 / math.sqrt(2 * n_layers)  # Hugging Face / nanoGPT c_proj rule
    draws = {"qkv": [], "proj": [], "emb": [net.wte, net.wpe]}
    for blk in net.blocks:
        draws["qkv"] += [blk["W_qkv"], blk["W_in"]]
        draws["proj"] += [blk["W_o"], blk["W_out"]]
    for key, std in (("qkv", 0.02), ("proj", resid), ("emb", 0.02)):
        values = np.concatenate([a.ravel() for a in draws[key]])
        var, se = var_se(values, mean=0.0)
        assert within_se(var, std**2, se), (key, var, std**2, se)
        assert abs(values.mean()) <= 5 * std / math.sqrt(values.size)


def test_xavier_and_unscaled_init_stds_by_monte_carlo():
    d, V = 64, 40
    for init in ("xavier", "gpt2_unscaled"):
        net = Transformer(V, 8, d_model=d, n_heads=4, n_layers=2, init=init, rng=6)
        stds = transformer_init_stds(init, d, 2, V)
        if init == "xavier":
            assert stds["mlp_in"] == pytest.approx(math.sqrt(2 / (5 * d)))
        else:
            assert set(stds.values()) == {0.02}
        for name, key in (("qkv", "W_qkv"), ("attn_proj", "W_o"), ("mlp_in", "W_in")):
            values = np.concatenate([b[key].ravel() for b in net.blocks])
            var, se = var_se(values, mean=0.0)
            assert within_se(var, stds[name] ** 2, se), (init, name, var)
        var, se = var_se(net.readout, mean=0.0)
        assert within_se(var, stds["readout"] ** 2, se)


def test_embedding_std_is_a_parameter():
    net = Transformer(200, 50, d_model=64, embedding_std=0.5, rng=1)
    var, se = var_se(np.concatenate([net.wte.ravel(), net.wpe.ravel()]), mean=0.0)
    assert within_se(var, 0.25, se)


def test_same_seed_same_network_and_fit_trains_it():
    V, T = 5, 5
    rng = np.random.default_rng(0)
    X = rng.integers(0, V, (128, T))
    y = X[:, 0].copy()  # copy the first token: the last position must attend to it
    a = Transformer(V, T, d_model=16, n_heads=2, n_layers=1, rng=4)
    b = Transformer(V, T, d_model=16, n_heads=2, n_layers=1, rng=4)
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params))
    hist = cu.fit(a, X, y, epochs=30, lr=1e-2, batch_size=32, optimizer="adam", rng=0)
    assert hist.initial_loss > 1.4 and hist.loss[-1] < 0.2
    assert a.predict(X).shape == (128,)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"norm": "middle"}, "unknown norm position 'middle'"),
        ({"init": "xavir"}, "did you mean 'xavier'"),
        ({"d_model": 10, "n_heads": 4}, "d_model must be a multiple of n_heads"),
        ({"n_layers": 0}, "n_layers must be an integer >= 1"),
        ({"embedding_std": -1.0}, "embedding_std must be >= 0"),
    ],
)
def test_bad_arguments_get_a_clear_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Transformer(5, 4, **kwargs)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros((3, 5), dtype=int), r"shape \(n_samples, 4\).*received shape \(3, 5\)"),
        (np.zeros(4, dtype=int), r"received shape \(4,\)"),
        (np.full((2, 4), 5), "tokens in 0..4; received tokens from 5 to 5"),
        (np.full((2, 4), -1), "tokens in 0..4"),
        (np.full((2, 4), 0.5), "whole-number tokens"),
    ],
)
def test_bad_input_gets_a_clear_error(X, match):
    net = Transformer(5, 4, d_model=8, n_heads=2, n_layers=1, rng=0)
    with pytest.raises(ValueError, match=match):
        net.forward(X)


def test_bad_grad_out_and_string_input_are_refused():
    net = Transformer(5, 4, d_model=8, n_heads=2, n_layers=1, rng=0)
    with pytest.raises(TypeError, match="integer tokens"):
        net.forward(np.array([["a"] * 4]))
    net.forward(np.zeros((2, 4), dtype=int))
    with pytest.raises(ValueError, match=r"grad_out must have the shape.*\(2, 5\)"):
        net.backward(np.zeros((2, 4)))
