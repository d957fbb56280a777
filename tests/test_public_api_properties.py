"""Property-based tests of the public API (docs/ARCHITECTURE.md's contract).

Hypothesis generates shapes, dtypes, NaN/inf, negative and zero sizes, wrong types and
unknown names. Every call either returns a finite result of the promised shape, or raises
ValueError/TypeError whose message names the argument at fault; never a bare numpy error,
never a RuntimeWarning (warnings are turned into errors here, so one fails the test).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import course_utils as cu
from course_utils.activations import ACTIVATIONS
from course_utils.initializers import INITIALIZERS

# A few seconds for the whole file: enough examples to reach every branch of the checks.
FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run and machine
    database=None,  # nothing written into the repository
)

sizes = st.one_of(
    st.integers(-3, 12),
    st.sampled_from([0, 1, 2.0, 2.5, True, None, "3", float("nan")]),
)
numbers = st.one_of(
    st.floats(-3, 3, allow_nan=False),
    st.sampled_from([0.0, -1.0, float("nan"), float("inf"), -float("inf"), None, "1", True]),
)
rngs = st.one_of(
    st.integers(0, 2**16),
    st.none(),
    st.builds(np.random.default_rng, st.integers(0, 100)),
    st.sampled_from([-1, 1.5, "seed", np.random.RandomState(0)]),
)


def names(valid):
    """Valid names, near misses (typos, case) and things that are not names at all."""
    valid = sorted(valid)
    return st.one_of(
        st.sampled_from(valid),
        st.sampled_from(valid).map(lambda s: s[:-1]),
        st.sampled_from(valid).map(str.upper),
        st.text(max_size=6),
        st.sampled_from([None, 3, 1.0, ["relu"]]),
    )


def outcome(call, *, arguments):
    """Run ``call()``; return its value, or None after checking the error it raised."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning (or any warning) fails the test
        try:
            return call()
        except (ValueError, TypeError) as exc:
            message = str(exc)
            assert any(name in message for name in arguments), (
                f"{type(exc).__name__} does not name an argument {arguments}: {message}"
            )
            assert not message.startswith(("operands could not", "could not broadcast")), message
            return None


def _finite(a):
    return bool(np.all(np.isfinite(np.asarray(a, dtype=float))))


@FAST
@given(
    name=st.sampled_from(sorted(set(INITIALIZERS) - {"normal", "uniform", "constant"})),
    fan_in=sizes,
    fan_out=sizes,
    rng=rngs,
)
def test_named_initializers(name, fan_in, fan_out, rng):
    fn = INITIALIZERS[name]
    w = outcome(lambda: fn(fan_in, fan_out, rng=rng), arguments=["fan_in", "fan_out", "rng"])
    if w is not None:
        assert w.shape == (fan_in, fan_out) and w.dtype == np.float64 and _finite(w)


@FAST
@given(
    fan_in=sizes,
    fan_out=sizes,
    scale=numbers,
    mode=names(["fan_in", "fan_out", "fan_avg"]),
    distribution=names(["normal", "truncated_normal", "uniform"]),
    rng=rngs,
)
def test_variance_scaling(fan_in, fan_out, scale, mode, distribution, rng):
    w = outcome(
        lambda: cu.variance_scaling(
            fan_in, fan_out, scale=scale, mode=mode, distribution=distribution, rng=rng
        ),
        arguments=["fan_in", "fan_out", "scale", "mode", "distribution", "rng"],
    )
    if w is not None:
        assert w.shape == (fan_in, fan_out) and _finite(w)
        assert scale > 0


@FAST
@given(std=numbers, limit=numbers, value=numbers, fan=sizes)
def test_parametrised_initializers(std, limit, value, fan):
    for fn, kwargs, arg in (
        (cu.normal, {"std": std}, "std"),
        (cu.uniform, {"limit": limit}, "limit"),
        (cu.constant, {"value": value}, "value"),
    ):
        w = outcome(lambda fn=fn, kw=kwargs: fn(fan, 3, **kw), arguments=[arg, "fan_in"])
        if w is not None:
            assert w.shape == (fan, 3) and _finite(w)


@FAST
@given(
    name=names(INITIALIZERS),
    params=st.dictionaries(
        st.sampled_from(["gain", "gian", "std", "mode", "scale", "limit", "value"]),
        numbers,
        max_size=2,
    ),
)
def test_get_initializer(name, params):
    init = outcome(
        lambda: cu.get_initializer(name, **params),
        arguments=["name", "initializer", *params],
    )
    if init is not None:
        w = init(4, 3, rng=0)
        assert w.shape == (4, 3) and _finite(w)


@FAST
@given(nonlinearity=names(["linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]), p=numbers)
def test_calculate_gain(nonlinearity, p):
    g = outcome(
        lambda: cu.calculate_gain(nonlinearity, None if p is None else p),
        arguments=["nonlinearity", "param", "activation"],
    )
    if g is not None:
        assert math.isfinite(g) and g > 0


@FAST
@given(name=names(ACTIVATIONS), x=st.sampled_from([0.0, 1.0, -40.0, 40.0, 1e300, -1e300]))
def test_get_activation(name, x):
    act = outcome(lambda: cu.get_activation(name), arguments=["activation", "name"])
    if act is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = act.forward(np.array([x]))
            d = act.derivative(np.array([x]))
        assert y.shape == d.shape == (1,)


@FAST
@given(
    layer_sizes=st.one_of(
        st.lists(st.integers(-1, 6), min_size=0, max_size=4),
        st.sampled_from([None, 5, "3,4", [3.5, 2], [2, True]]),
    ),
    activation=names(ACTIVATIONS),
    init=names(INITIALIZERS),
    rng=rngs,
)
def test_mlp_construction(layer_sizes, activation, init, rng):
    net = outcome(
        lambda: cu.MLP(layer_sizes, activation=activation, init=init, rng=rng),
        arguments=["layer_sizes", "activation", "init", "initializer", "rng"],
    )
    if net is not None:
        assert [w.shape for w in net.weights] == list(zip(layer_sizes[:-1], layer_sizes[1:]))


batches = st.one_of(
    st.tuples(st.integers(0, 5), st.integers(1, 5)).map(lambda s: np.ones(s)),
    st.integers(1, 5).map(np.ones),
    st.sampled_from(
        [
            np.array([[np.nan, 1.0, 2.0]]),
            np.array([[np.inf, 1.0, 2.0]]),
            np.ones((2, 3), dtype=np.float32),
            np.ones((2, 3), dtype=np.int64),
            np.ones((2, 3, 1)),
            [[1.0, 2.0, 3.0]],
            "abc",
            None,
            np.array([["a", "b", "c"]]),
        ]
    ),
)


@FAST
@given(X=batches)
def test_forward_and_backward(X):
    net = cu.MLP([3, 4, 2], activation="tanh", rng=0)
    out = outcome(lambda: net.forward(X), arguments=["X"])
    if out is not None:
        n = np.shape(X)[0]
        assert out.shape == (n, 2) and _finite(out)
        grads = net.backward(np.ones_like(out))
        assert [g.shape for g in net.weight_grads] == [(3, 4), (4, 2)]
        assert all(_finite(g) for g in grads)


@FAST
@given(
    X=batches,
    y=st.sampled_from(
        [np.array([0, 1]), np.array([0]), np.array([0, 5]), np.array([0.5, 1.0]), None, "01"]
    ),
    epochs=sizes,
    lr=numbers,
    batch_size=sizes,
    optimizer=names(["sgd", "momentum", "adam"]),
)
def test_fit(X, y, epochs, lr, batch_size, optimizer):
    net = cu.MLP([3, 4, 2], activation="tanh", rng=0)
    hist = outcome(
        lambda: cu.fit(
            net, X, y, epochs=epochs, lr=lr, batch_size=batch_size, optimizer=optimizer, rng=0
        ),
        arguments=["X", "y", "epochs", "lr", "batch_size", "optimizer"],
    )
    if hist is not None:
        assert len(hist.loss) == epochs and _finite(hist.loss)


@FAST
@given(
    logits=batches,
    y=st.sampled_from([np.array([0]), np.array([0, 2]), np.array([[0]]), np.array([0.0]), None]),
)
def test_softmax_cross_entropy(logits, y):
    res = outcome(lambda: cu.softmax_cross_entropy(logits, y), arguments=["logits", "y"])
    if res is not None:
        loss, grad = res
        assert grad.shape == np.shape(logits)
        # overflowed logits (an exploded network) give a non-finite loss, quietly: fit
        # stops on it and says in which epoch; finite logits always give a finite loss
        assert math.isfinite(loss) or not _finite(logits)


@FAST
@given(pred=batches, target=batches)
def test_mse(pred, target):
    res = outcome(lambda: cu.mse(pred, target), arguments=["pred", "target"])
    if res is not None:
        value, grad = res
        assert grad.shape == np.shape(pred)
        assert math.isfinite(value) or not (_finite(pred) and _finite(target))


def test_the_property_tests_can_fail():
    """A planted bare numpy error is caught by ``outcome``: the harness is not vacuous."""
    with pytest.raises(AssertionError, match="does not name an argument"):
        outcome(lambda: np.ones(3) @ np.ones(4), arguments=["X"])
    with pytest.raises(RuntimeWarning):
        outcome(lambda: np.log(np.zeros(1)), arguments=["X"])
