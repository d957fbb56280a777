"""The public API of docs/ARCHITECTURE.md, called exactly as written there.

Notebooks, tests and outside checks rely on these names and signatures: this file
fails if one is renamed, loses a keyword or changes what it returns.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import course_utils as cu


def kwonly_defaults(fn):
    sig = inspect.signature(fn)
    return {
        n: p.default for n, p in sig.parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
    }


def test_variance_scaling_signature():
    assert kwonly_defaults(cu.variance_scaling) == {
        "scale": 1.0,
        "mode": "fan_in",
        "distribution": "normal",
        "rng": None,
    }
    w = cu.variance_scaling(3, 5, scale=1.0, mode="fan_in", distribution="normal", rng=None)
    assert w.shape == (3, 5)


def test_named_initializers_signatures():
    assert cu.zeros(2, 3).shape == (2, 3)
    assert cu.constant(2, 3, 0.1).shape == (2, 3)
    assert cu.normal(2, 3, std=0.1, rng=None).shape == (2, 3)
    assert cu.uniform(2, 3, limit=0.1, rng=None).shape == (2, 3)
    for f in (cu.xavier_normal, cu.xavier_uniform, cu.glorot_normal, cu.glorot_uniform):
        assert kwonly_defaults(f) == {"gain": 1.0, "rng": None}
        assert f(2, 3, gain=1.0, rng=None).shape == (2, 3)
    for f in (cu.he_normal, cu.he_uniform, cu.kaiming_normal, cu.kaiming_uniform):
        assert kwonly_defaults(f) == {"gain": math.sqrt(2), "mode": "fan_in", "rng": None}
        assert f(2, 3, gain=math.sqrt(2), mode="fan_in", rng=None).shape == (2, 3)
    for f in (cu.lecun_normal, cu.lecun_uniform):
        assert f(2, 3, rng=None).shape == (2, 3)
    assert kwonly_defaults(cu.orthogonal) == {"gain": 1.0, "rng": None}
    assert cu.orthogonal(2, 3, gain=1.0, rng=None).shape == (2, 3)


def test_get_initializer_and_get_activation_every_name():
    names = [
        "zeros", "xavier_normal", "xavier_uniform", "glorot_normal", "glorot_uniform",
        "he_normal", "he_uniform", "kaiming_normal", "kaiming_uniform", "lecun_normal",
        "lecun_uniform", "orthogonal",
    ]  # fmt: skip
    for name in names:
        assert cu.get_initializer(name)(4, 2, rng=0).shape == (4, 2), name
    for name in ["linear", "relu", "leaky_relu", "tanh", "sigmoid", "selu", "gelu", "silu"]:
        act = cu.get_activation(name)
        assert act.name == name and act.forward(np.zeros(3)).shape == (3,)
        assert act.derivative(np.ones(3)).shape == (3,)


def test_calculate_gain_contract():
    assert cu.calculate_gain("leaky_relu", param=None) == pytest.approx(
        math.sqrt(2 / (1 + 0.01**2))
    )


def test_mlp_forward_backward_and_records():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 6))
    net = cu.MLP([6, 5, 4, 3], activation="tanh", init="xavier_normal", rng=0)
    out = net.forward(X)
    assert out.shape == (8, 3)
    assert len(net.preactivations) == len(net.activations) == 2
    assert [a.shape for a in net.activations] == [(8, 5), (8, 4)]
    grads = net.backward(np.ones_like(out))
    assert [g.shape for g in grads] == [w.shape for w in net.weights]
    assert [g.shape for g in net.weight_grads] == [(6, 5), (5, 4), (4, 3)]
    assert [g.shape for g in net.activation_grads] == [(8, 5), (8, 4)]
    assert [w.shape for w in net.weights] == [(6, 5), (5, 4), (4, 3)]
    assert [b.shape for b in net.biases] == [(5,), (4,), (3,)]
    assert all(w.dtype == np.float64 for w in net.weights)


def test_fit_and_history():
    X, y = cu.load_digits()
    net = cu.MLP([64, 32, 10], activation="relu", init="he_normal", rng=0)
    history = cu.fit(net, X, y, epochs=2, lr=0.05, batch_size=64, optimizer="momentum", rng=0)
    assert len(history.loss) == len(history.accuracy) == 2
    assert isinstance(history, cu.History)
    for opt in ("sgd", "momentum", "adam"):
        net = cu.MLP([64, 16, 10], rng=1)
        h = cu.fit(net, X[:200], y[:200], epochs=1, lr=0.01, batch_size=50, optimizer=opt, rng=0)
        assert np.isfinite(h.loss[0])


def test_import_loads_the_maths_only():
    """PEP 562: matplotlib and ipywidgets load when a plot, widget or check is first used."""
    import subprocess
    import sys

    code = (
        "import sys, course_utils as cu\n"
        "heavy = ('matplotlib', 'ipywidgets')\n"
        "assert not [m for m in heavy if m in sys.modules], sorted(sys.modules)\n"
        "cu.use_course_style\n"
        "assert 'matplotlib.pyplot' in sys.modules\n"
        "assert callable(cu.checks.report) and callable(cu.widgets.Explorer)\n"
        "assert {'plots', 'widgets', 'checks', 'use_course_style'} <= set(dir(cu))\n"
        "try:\n"
        "    cu.no_such_name\n"
        "except AttributeError as e:\n"
        "    assert 'no_such_name' in str(e)\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_one_rng_convention():
    """Every public function that draws takes a keyword ``rng`` defaulting to None.

    The one exception is an explorer's pure ``compute_*`` function, whose seed is one of its
    parameters with a fixed default, so that the same controls always show the same figure.
    """
    import importlib
    import inspect
    import pkgutil

    import course_utils as cu

    seen, wrong = 0, []
    for info in pkgutil.walk_packages(cu.__path__, "course_utils."):
        if info.name.rsplit(".", 1)[-1].startswith("_"):
            continue  # _validation.as_rng is the normaliser itself
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != info.name:
                continue
            targets = [obj]
            if inspect.isclass(obj):
                targets = [obj.__init__]
            for fn in targets:
                if not callable(fn):
                    continue
                try:
                    param = inspect.signature(fn).parameters.get("rng")
                except (TypeError, ValueError):
                    continue
                if param is None:
                    continue
                seen += 1
                if name.startswith("compute_"):
                    continue
                if param.kind is not param.KEYWORD_ONLY or param.default is not None:
                    wrong.append(f"{info.name}.{name}: {param}")
    assert seen > 20 and not wrong, wrong
    a, b = cu.MLP([3, 4, 2]), cu.MLP([3, 4, 2])
    assert not np.array_equal(a.weights[0], b.weights[0])  # no hidden shared seed
    assert np.array_equal(cu.MLP([3, 4, 2], rng=5).weights[0], cu.MLP([3, 4, 2], rng=5).weights[0])
