"""Parametrizations (standard, NTK, muP), per-parameter learning rates and the coordinate check.

Each table is checked against the paper's exponents (Yang et al. 2022, "Tensor Programs V",
Tables 3 and 8; Yang & Hu 2021, "Tensor Programs IV", the NTK parametrization); every
per-layer learning rate against a step computed by hand from the gradient; the forward
multipliers' backward pass against finite differences; "standard" against the network
without the keyword, bit for bit.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import course_utils as cu
from course_utils import lr_transfer, parametrization
from course_utils.optimizers import Adam, Momentum
from course_utils.parametrization import PARAMETRIZATIONS, coord_check, width_mlp
from course_utils.training import train_step

ROLES = ("input", "hidden", "output", "bias")

# Tensor Programs V, Table 8 (muP with a 1/fan_in readout multiplier; what mup implements),
# as exponents of (fan_in, fan_out) of the infinite dimensions, for a square hidden layer.
# init variance: relative to the standard 1/fan_in (input, hidden) and to 1/fan_in for the
# output ("1" in the table = fan_in^+1 times 1/fan_in).
TABLE_8 = {
    "input": {"init_var": (0, 0), "multiplier": (0, 0), "lr_sgd": (0, 1), "lr_adam": (0, 0)},
    "hidden": {"init_var": (0, 0), "multiplier": (0, 0), "lr_sgd": (0, 0), "lr_adam": (-1, 0)},
    "output": {"init_var": (1, 0), "multiplier": (-1, 0), "lr_sgd": (1, 0), "lr_adam": (0, 0)},
    "bias": {"init_var": (0, 0), "multiplier": (0, 0), "lr_sgd": (0, 1), "lr_adam": (0, 0)},
}
# Tensor Programs V, Table 3 (no multipliers): effective init variance relative to 1/fan_in,
# effective SGD and Adam learning rates.
TABLE_3 = {
    "input": {"init_var": (0, 0), "sgd": (0, 1), "adam": (0, 0)},
    "hidden": {"init_var": (0, 0), "sgd": (0, 0), "adam": (-1, 0)},
    "output": {"init_var": (-1, 0), "sgd": (-1, 0), "adam": (-1, 0)},
    "bias": {"init_var": (0, 0), "sgd": (0, 1), "adam": (0, 0)},
}


def _square(exps):
    """Exponent of the width n for a square hidden layer (fan_in = fan_out = n)."""
    return exps[0] + exps[1]


def effective(rule):
    """Effective exponents of a (multiplier, init, lr) rule: what the network computes.

    W_eff = m W: Var(W_eff) = m^2 Var(W); an SGD step on W moves W_eff by m^2 lr dL/dW_eff;
    an Adam step (scale-free) moves W_eff by m lr (Yang et al. 2022, section 3 and Table 8).
    """
    m, v = np.array(rule.multiplier), np.array(rule.init_var)
    return {
        "init_var": tuple(v + 2 * m),
        "sgd": tuple(np.array(rule.lr_sgd) + 2 * m),
        "adam": tuple(np.array(rule.lr_adam) + m),
    }


def test_standard_table_is_all_zeros():
    for role in ROLES:
        rule = PARAMETRIZATIONS["standard"][role]
        assert rule == parametrization.Rule(), role


@pytest.mark.parametrize("role", ROLES)
def test_mup_table_is_table_8_of_tensor_programs_v(role):
    rule = PARAMETRIZATIONS["mup"][role]
    expected = TABLE_8[role]
    for field in ("init_var", "multiplier", "lr_adam"):
        assert tuple(getattr(rule, field)) == expected[field], field
    # SGD's hidden rate is m_out / m_in in mup (MuSGD's fanin_fanout_mult_ratio): 1 if square
    got = rule.lr_sgd if role != "hidden" else (0, _square(rule.lr_sgd))
    assert tuple(got) == expected["lr_sgd"]


@pytest.mark.parametrize("role", ROLES)
def test_mup_is_equivalent_to_table_3(role):
    eff = effective(PARAMETRIZATIONS["mup"][role])
    for key, exps in TABLE_3[role].items():
        if role == "hidden":
            assert _square(eff[key]) == _square(exps), key
        else:
            assert eff[key] == exps, (role, key)


def test_ntk_is_tensor_programs_iv_ntp():
    """NTP: multiplier n^-1/2 on layers whose fan-in is the width, O(1) weights, one lr.

    So the effective init is the standard one, and SGD's effective rate is lr / n.
    """
    for role in ("hidden", "output"):
        rule = PARAMETRIZATIONS["ntk"][role]
        assert rule.multiplier == (-0.5, 0.0) and rule.init_var == (1.0, 0.0)
        assert rule.lr_sgd == rule.lr_adam == (0.0, 0.0)
        eff = effective(rule)
        assert eff["init_var"] == (0, 0) and eff["sgd"] == (-1, 0)
    assert (
        PARAMETRIZATIONS["ntk"]["input"]
        == PARAMETRIZATIONS["ntk"]["bias"]
        == parametrization.Rule()
    )


def test_layer_scales_and_lr_multipliers_read_the_table():
    sizes = [64, 256, 256, 10]  # m = 4 at base 64
    assert parametrization.layer_scales(sizes, "mup", 64) == [(1.0, 1.0), (1.0, 1.0), (4.0, 0.25)]
    assert parametrization.layer_scales(sizes, "ntk", 64) == [(1.0, 1.0), (4.0, 0.5), (4.0, 0.5)]
    assert parametrization.layer_scales(sizes, "standard") == [(1.0, 1.0)] * 3
    #                      W0   b0   W1   b1   W2   b2
    assert cu.MLP(sizes, parametrization="mup", base_width=64).lr_multipliers("adam") == [
        1.0, 1.0, 0.25, 1.0, 1.0, 1.0,
    ]  # fmt: skip
    assert parametrization.lr_multipliers(sizes, "mup", "sgd", 64) == [4, 4, 1, 4, 4, 1]
    assert parametrization.lr_multipliers(sizes, "mup", "momentum", 64) == [4, 4, 1, 4, 4, 1]
    # a rectangular hidden layer 256 -> 128: MuSGD divides by m_in / m_out = 2
    rect = parametrization.lr_multipliers([64, 256, 128, 10], "mup", "sgd", 64)
    assert rect == [4, 4, 0.5, 2, 2, 1]
    assert parametrization.lr_multipliers(sizes, "standard", "adam") is None
    assert cu.MLP(sizes).lr_multipliers(Adam(0.1)) is None


def test_at_the_base_width_every_parametrization_is_standard():
    X = np.random.default_rng(0).normal(size=(5, 8))
    ref = cu.MLP([8, 16, 16, 3], "relu", "he_normal", rng=3)
    for par in ("ntk", "mup"):
        net = cu.MLP([8, 16, 16, 3], "relu", "he_normal", rng=3, parametrization=par, base_width=16)
        np.testing.assert_array_equal(net.forward(X), ref.forward(X))
        assert net.lr_multipliers("adam") == net.lr_multipliers("sgd") == [1.0] * 6


def test_standard_is_bit_for_bit_the_network_without_the_keyword():
    X = np.random.default_rng(1).normal(size=(40, 6))
    y = np.arange(40) % 3
    for opt in ("sgd", "momentum", "adam"):
        a = cu.MLP([6, 9, 7, 3], "tanh", rng=5)
        b = cu.MLP([6, 9, 7, 3], "tanh", rng=5, parametrization="standard", base_width=None)
        ha = cu.fit(a, X, y, epochs=3, lr=0.05, batch_size=8, optimizer=opt, rng=2)
        hb = cu.fit(b, X, y, epochs=3, lr=0.05, batch_size=8, optimizer=opt, rng=2)
        assert ha.step_loss == hb.step_loss
        for wa, wb in zip(a.params, b.params):
            np.testing.assert_array_equal(wa, wb)
    assert repr(cu.MLP([2, 3])) == "MLP([2, 3], activation='tanh', init='xavier_normal')"


def test_ntk_draws_the_standard_function_and_mup_shrinks_the_readout_like_one_over_sqrt_m():
    X = np.random.default_rng(2).normal(size=(7, 8))
    sp = cu.MLP([8, 64, 64, 4], "relu", "he_normal", rng=9)
    ntk = cu.MLP([8, 64, 64, 4], "relu", "he_normal", rng=9, parametrization="ntk", base_width=16)
    mup = cu.MLP([8, 64, 64, 4], "relu", "he_normal", rng=9, parametrization="mup", base_width=16)
    out = sp.forward(X)
    np.testing.assert_allclose(ntk.forward(X), out, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mup.forward(X), out / math.sqrt(64 / 16), rtol=1e-12, atol=1e-12)
    # stored weights: NTK's are O(1) (He's variance 2 / fan_in times fan_in / base)
    np.testing.assert_allclose(ntk.weights[1], sp.weights[1] * 2.0, rtol=1e-15)


@pytest.mark.parametrize("par", ["ntk", "mup"])
def test_backward_with_forward_multipliers_matches_finite_differences(par):
    rng = np.random.default_rng(4)
    net = cu.MLP([5, 8, 8, 3], "tanh", rng=2, parametrization=par, base_width=2, bias_std=0.1)
    X, y = rng.normal(size=(6, 5)), rng.integers(0, 3, 6)

    def loss():
        return cu.softmax_cross_entropy(net.forward(X), y)[0]

    _, g = cu.softmax_cross_entropy(net.forward(X), y)
    net.backward(g)
    grads = [a.copy() for a in net.grads]
    input_grad = net.input_grad.copy()
    h = 1e-6
    for p, gp in zip(net.params, grads):
        for idx in [(0,) * p.ndim, tuple(s - 1 for s in p.shape)]:
            p[idx] += h
            up = loss()
            p[idx] -= 2 * h
            down = loss()
            p[idx] += h
            assert (up - down) / (2 * h) == pytest.approx(gp[idx], rel=1e-5, abs=1e-9)
    X[1, 2] += h
    up = loss()
    X[1, 2] -= 2 * h
    down = loss()
    X[1, 2] += h
    assert (up - down) / (2 * h) == pytest.approx(input_grad[1, 2], rel=1e-5, abs=1e-9)


def _hand_steps(net, X, y, opt_name, lr, mults, steps):
    """The expected parameters after ``steps`` full-batch steps, from the formulas."""
    ref = [p.copy() for p in net.params]
    state = [dict(v=np.zeros_like(p), m=np.zeros_like(p), s=np.zeros_like(p)) for p in ref]
    shadow = cu.MLP(
        net.layer_sizes, net.activation, rng=0, parametrization=net.parametrization,
        base_width=net.base_width,
    )  # fmt: skip
    for t in range(1, steps + 1):
        for dst, src in zip(shadow.params, ref):
            dst[...] = src
        _, g = cu.softmax_cross_entropy(shadow.forward(X), y)
        shadow.backward(g)
        for k, (p, gk) in enumerate(zip(ref, shadow.grads)):
            rate = lr * mults[k]
            st = state[k]
            if opt_name == "sgd":
                p -= rate * gk
            elif opt_name == "momentum":
                st["v"] = 0.9 * st["v"] + gk
                p -= rate * st["v"]
            else:
                st["m"] = 0.9 * st["m"] + 0.1 * gk
                st["s"] = 0.999 * st["s"] + 0.001 * gk**2
                m_hat, s_hat = st["m"] / (1 - 0.9**t), st["s"] / (1 - 0.999**t)
                p -= rate * m_hat / (np.sqrt(s_hat) + 1e-8)
    return ref


@pytest.mark.parametrize("opt_name", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("path", ["layered", "generic"])
def test_per_layer_learning_rates_against_a_hand_computed_step(opt_name, path):
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(10, 4)), rng.integers(0, 3, 10)
    net = cu.MLP([4, 16, 16, 3], "tanh", rng=1, parametrization="mup", base_width=4, bias_std=0.1)
    mults = net.lr_multipliers(opt_name)
    assert len(set(mults)) > 1  # the test means something: the rates differ by layer
    expected = _hand_steps(net, X, y, opt_name, 0.01, mults, steps=2)
    opt = cu.get_optimizer(opt_name, 0.01)
    # "generic": forward, backward, then optimizer.step (train_step's path with clip_norm);
    # "layered": fit's fast path, each layer updated inside the backward pass
    clip = 1e12 if path == "generic" else None  # never clips
    for _ in range(2):
        train_step(net, opt, X, y, clip_norm=clip)
    assert opt.lr_multipliers == mults  # given by train_step from the network
    for got, want in zip(net.params, expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_fit_applies_the_multipliers_and_a_planted_defect_is_caught():
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(8, 4)), rng.integers(0, 3, 8)
    net = cu.MLP([4, 32, 32, 3], "relu", rng=2, parametrization="mup", base_width=4)
    expected = _hand_steps(net, X, y, "adam", 0.01, net.lr_multipliers("adam"), steps=1)
    wrong = _hand_steps(net, X, y, "adam", 0.01, [1.0] * 6, steps=1)  # the defect: one rate
    cu.fit(net, X, y, epochs=1, lr=0.01, batch_size=8, optimizer="adam", rng=0)
    np.testing.assert_allclose(net.weights[1], expected[2], rtol=1e-12)
    assert not np.allclose(net.weights[1], wrong[2], rtol=1e-3)


def test_an_optimizer_given_multipliers_keeps_them_and_a_foreign_one_is_refused():
    net = cu.MLP([4, 8, 3], parametrization="mup", base_width=4, rng=0)
    X, y = np.ones((2, 4)), np.array([0, 1])
    opt = Momentum(0.1, lr_multipliers=[1, 1, 1, 1])
    train_step(net, opt, X, y)
    assert opt.lr_multipliers == [1.0] * 4
    assert "lr_multipliers=[1, 1, 1, 1]" in repr(opt)

    class Plain:
        def step(self, params, grads):
            return [0.0] * len(params)

    with pytest.raises(TypeError, match="takes no lr_multipliers"):
        train_step(net, Plain(), X, y)


def test_bad_input_gets_a_clear_error():
    with pytest.raises(ValueError, match="did you mean 'mup'"):
        cu.MLP([4, 8, 3], parametrization="mu", base_width=4)
    with pytest.raises(ValueError, match="needs base_width"):
        cu.MLP([4, 8, 3], parametrization="mup")
    with pytest.raises(ValueError, match="base_width"):
        cu.MLP([4, 8, 3], parametrization="ntk", base_width=0)
    with pytest.raises(ValueError, match="lr_multipliers has 2 entries but there are 4"):
        cu.SGD(0.1, lr_multipliers=[1, 2]).step([np.ones(2)] * 4, [np.ones(2)] * 4)
    with pytest.raises(ValueError, match=r"lr_multipliers\[1\]"):
        Adam(0.1, lr_multipliers=[1.0, -2.0])
    with pytest.raises(TypeError, match="lr_multipliers must be a list"):
        cu.SGD(0.1, lr_multipliers="big")
    X, y = np.ones((2, 4)), np.array([0, 1])

    def make(width, rng):
        return width_mlp(width, n_in=4, n_out=2, rng=rng)

    with pytest.raises(TypeError, match="widths must be a list"):
        coord_check(make, 64, X, y)
    with pytest.raises(ValueError, match="widths is empty"):
        coord_check(make, [], X, y)
    with pytest.raises(ValueError, match=r"widths\[1\]"):
        coord_check(make, [8, -8], X, y)
    with pytest.raises(TypeError, match="make_net must be a function"):
        coord_check(None, [8], X, y)
    with pytest.raises(ValueError, match="unknown optimizer"):
        coord_check(make, [8], X, y, optimizer="adamw")
    with pytest.raises(ValueError, match="steps"):
        coord_check(make, [8], X, y, steps=0)


def test_coord_check_records_the_size_and_change_of_every_layer():
    rng = np.random.default_rng(8)
    X, y = rng.normal(size=(16, 64)), rng.integers(0, 10, 16)

    def make(width, rng):
        return width_mlp(width, "standard", rng=rng)

    cc = coord_check(make, [32, 64], X, y, steps=2, optimizer="adam", lr=1e-3, rng=3, repeats=2)
    assert cc.layers == ("hidden 1", "hidden 2", "output")
    assert cc.size.shape == cc.change.shape == (2, 3, 3)
    assert np.all(cc.change[:, 0] == 0) and np.all(cc.change[:, 1:] > 0)
    # t = 0: the mean |activation| of the two fresh networks the seeds give
    seeds = np.random.default_rng(3).integers(0, 2**32, size=(2, 2))
    fresh = [make(32, rng=int(s)) for s in seeds[0]]
    expect = np.mean([np.mean(np.abs(n.forward(X))) for n in fresh])
    assert cc.size[0, 0, 2] == pytest.approx(expect, rel=1e-12)
    assert inspect.signature(coord_check).parameters["rng"].kind is inspect.Parameter.KEYWORD_ONLY


def test_coord_check_standard_grows_with_width_mup_stays_flat():
    """Adam's first step moves a hidden unit by lr sum_i |x_i| ~ n under SP; muP divides the
    hidden rate by m = n / 64 (the ratio 1024 / 64 = 16 leaves a wide margin either way)."""
    rng = np.random.default_rng(10)
    X, y = rng.normal(size=(32, 64)), rng.integers(0, 10, 32)
    out = {}
    for par in ("standard", "mup"):

        def make(width, rng, par=par):
            return width_mlp(width, par, zero_readout=False, rng=rng)

        cc = coord_check(make, [64, 1024], X, y, steps=1, optimizer="adam", lr=1e-2, rng=0)
        out[par] = cc.change[1, 1, 1] / cc.change[0, 1, 1]  # hidden 2 after one step
    assert out["standard"] > 4
    assert 0.5 < out["mup"] < 2


def test_width_mlp_zero_readout_by_default_under_mup_only():
    assert np.all(width_mlp(128, "mup", rng=0).weights[-1] == 0)
    assert np.any(width_mlp(128, "ntk", rng=0).weights[-1] != 0)
    assert np.any(width_mlp(128, "mup", zero_readout=False, rng=0).weights[-1] != 0)


def test_relative_change_is_the_frobenius_ratio():
    a, b = np.ones((2, 2)), np.full((2, 2), 1.5)
    assert parametrization.relative_change([a], [b]) == pytest.approx([0.5])


# --- the stored learning-rate sweep -------------------------------------------------------
def test_the_stored_sweep_has_every_setting():
    sweep = lr_transfer.load_lr_sweep()
    s = sweep["settings"]
    assert s == lr_transfer.SWEEP
    for opt, lrs in s["log2_lrs"].items():
        for par in s["parametrizations"]:
            arr = sweep["loss"][opt][par]
            assert arr.shape == (len(s["widths"]), len(lrs), len(s["seeds"]), len(s["epochs"]))
            assert np.isfinite(arr).mean() > 0.5


# A slice re-run: widths 64 and 128, seed 0, learning rates below the edge of stability, where
# a run is not chaotic: the float64 training differs between BLAS kernels by rounding only
# (about 1e-12), far below the 4 decimals stored, so the re-run rounds to the stored value
# except when it sits on a rounding boundary: 1e-4 (one unit of the last stored decimal).
SLICE = [("adam", "standard", 0, -10), ("adam", "mup", 1, -8), ("sgd", "standard", 0, -4),
         ("sgd", "ntk", 1, -2), ("sgd", "mup", 1, -4)]  # fmt: skip


@pytest.mark.parametrize("opt, par, width_index, log2_lr", SLICE)
def test_a_slice_of_the_sweep_reruns_to_the_stored_values(opt, par, width_index, log2_lr):
    sweep = lr_transfer.load_lr_sweep()
    s = sweep["settings"]
    j = s["log2_lrs"][opt].index(log2_lr)
    stored = sweep["loss"][opt][par][width_index, j, 0]
    got = lr_transfer.train_loss_curve(
        s["widths"][width_index], par, opt, 2.0**log2_lr, seed=s["seeds"][0], epochs=s["epochs"]
    )
    np.testing.assert_allclose(got, stored, rtol=0, atol=1e-4)


def test_best_lrs_takes_the_mean_over_seeds_and_never_picks_a_diverged_rate():
    losses = np.array([[[[3.0], [1.0]], [[0.5], [np.nan]], [[2.0], [2.0]]]])  # 1 width, 3 lrs
    assert lr_transfer.best_lrs(losses, [-3, -2, -1]).tolist() == [0.125]
    losses[0, 1, 1, 0] = 0.1
    assert lr_transfer.best_lrs(losses, [-3, -2, -1]).tolist() == [0.25]


def test_the_public_api_as_docs_architecture_writes_it():
    net = cu.MLP([64, 128, 10], parametrization="standard", base_width=None)
    assert net.lr_multipliers("adam") is None
    assert cu.MLP([64, 128, 10], parametrization="mup", base_width=64).lr_multipliers("sgd")
    X, y = np.zeros((4, 64)), np.arange(4)
    cc = cu.coord_check(
        lambda width, rng: cu.width_mlp(width, "mup", rng=rng),
        [64, 128],
        X,
        y,
        steps=2,
        optimizer="sgd",
        lr=0.1,
        rng=0,
    )
    assert cc.size.shape == cc.change.shape == (2, 3, 3)
    for name in ("SGD", "Momentum", "Adam", "OPTIMIZERS", "get_optimizer"):
        assert getattr(cu.training, name) is getattr(cu.optimizers, name)  # old imports work
