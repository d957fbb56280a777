"""Signal propagation at initialization, measured and predicted, layer by layer.

What notebook 04 computes: many random networks at once (``sample_network_pass``), the
per-layer std of activations and back-propagated gradients, their histograms, the
saturated fraction, and the mean-field prediction beside them (``compute_propagation``).
The propagation explorer draws what this module computes.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, fields

import numpy as np

from . import theory
from ._validation import as_rng, check_batch, check_choice, check_finite_number, check_positive_int
from .activations import ACTIVATIONS, _derivative_from_output, get_activation
from .initializers import INITIALIZERS, get_initializer
from .network import MLP
from .plots import color_for

__all__ = [
    "PROPAGATION_INITS",
    "NETWORK_WEIGHT_BUDGET",
    "SATURATION",
    "PropagationResult",
    "sample_network_pass",
    "compute_propagation",
]


#: The initializers the propagation explorer offers: key -> (initializer name, params).
#: Any other initializer name that needs no parameter is accepted too.
PROPAGATION_INITS = {
    "N(0,1)": ("normal", {"std": 1.0}),
    "N(0,0.01)": ("normal", {"std": 0.01}),
    "standard_uniform": ("standard_uniform", {}),
    "lecun_normal": ("lecun_normal", {}),
    "xavier_normal": ("xavier_normal", {}),
    "xavier_uniform": ("xavier_uniform", {}),
    "he_normal": ("he_normal", {}),
}

#: How the explorer and the summaries write the two plain normals: N(0, s^2), s the std.
INIT_LABELS = {"N(0,1)": "N(0, 1)", "N(0,0.01)": "N(0, 0.01^2)"}


#: Above this many weights (width^2 x (depth + 1)) method="auto" samples the network
#: layer by layer instead of drawing every weight (see compute_propagation).
NETWORK_WEIGHT_BUDGET = 2**19


#: |h| above this counts as a saturated tanh unit (Glorot & Bengio 2010 watch the same).
SATURATION = 0.97


@dataclass(frozen=True)
class PropagationResult:
    """One random network's activations and gradients, layer by layer, beside the theory.

    Per-layer arrays have shape (depth,) and index hidden layers 1..depth. ``activations``
    and ``gradients`` hold every recorded value of each layer, shape
    (depth, n_samples * width): h_l = phi(z_l) and dL/dh_l.
    """

    depth: int
    width: int
    init: str
    scale: float
    activation: str
    bias_std: float
    sigma_w2: float
    method: str
    n_samples: int
    layers: np.ndarray
    activation_std: np.ndarray
    gradient_std: np.ndarray
    saturated: np.ndarray
    activations: np.ndarray
    gradients: np.ndarray
    predicted: object  # theory.PropagationPrediction
    first_nonfinite_layer: int | None
    layer: int
    #: (density, edges, mean, std) of the histogram layer's (value - mean) / std on [-4, 4]
    activation_hist: tuple
    gradient_hist: tuple
    color: str
    summary: str
    #: Per layer, the median over inputs of each input's std across the layer's units.
    activation_median_std: np.ndarray | None = None
    gradient_median_std: np.ndarray | None = None


def _init_spec(init) -> tuple[str, dict]:
    if isinstance(init, str) and init in PROPAGATION_INITS:
        return PROPAGATION_INITS[init]
    if isinstance(init, str) and init in INITIALIZERS and init not in ("normal", "uniform"):
        return init, {}
    raise ValueError(
        f"init must be one of {', '.join(map(repr, PROPAGATION_INITS))} or an initializer "
        f"name that needs no parameter; received {init!r}"
    )


#: At most this many values recorded over all layers when ``n_samples`` is None: 4096 a
#: layer over 50 layers, notebook 04's deepest networks. Deeper ones record fewer inputs,
#: so that a move of the explorer stays fast, but never under 2048 values a layer (nor
#: under 2 inputs).
AUTO_SAMPLE_BUDGET = 4096 * 50


def _auto_samples(width: int, depth: int = 1) -> int:
    """About 4096 recorded values a layer (4 to 256 inputs), within AUTO_SAMPLE_BUDGET."""
    n = int(np.clip(4096 // width, 4, 256))
    floor = min(n, max(2, -(-2048 // width)))
    return max(floor, min(n, AUTO_SAMPLE_BUDGET // (width * depth)))


def _network_pass(width, depth, act, init_fn, bias_std, X, grad_out, rng):
    """Forward and backward through ``cu.MLP([width] * (depth + 2), ..., rng=rng)``.

    Returns (activations, activation gradients), each of shape (depth, n, width): what
    the MLP's own passes record, in the same operations (so the same numbers), written
    into two arrays; without what the propagation does not read (the output layer's
    forward, dL/dW, dL/db, the per-layer overflow checks), a fifth of a pass at depth 100.
    """
    net = MLP([width] * (depth + 2), act, init_fn, bias_std=bias_std, rng=rng)
    n = X.shape[0]
    acts, grads = np.empty((depth, n, width)), np.empty((depth, n, width))
    fast = net._fast_kernels()  # None for an activation that is not the course's own
    zs = []  # the pre-activations, kept only where the derivative needs them
    h = X
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for i in range(depth):
            z = h @ net.weights[i]
            if net.forward_multipliers[i] != 1.0:
                z *= net.forward_multipliers[i]
            z += net.biases[i]
            if fast is None or fast[0] is None:
                acts[i] = act.forward(z)
            else:
                fast[0](z, acts[i])
            if fast is None:
                zs.append(z)
            h = acts[i]
        delta = np.asarray(grad_out, dtype=np.float64)
        for i in range(depth, 0, -1):  # weights i map h_i (acts[i - 1]) to z_(i + 1)
            if net.forward_multipliers[i] != 1.0:
                delta = delta * net.forward_multipliers[i]
            np.matmul(delta, net.weights[i].T, out=grads[i - 1])
            if i == 1:
                break
            if fast is None:
                delta = np.multiply(grads[i - 1], act.derivative(zs[i - 1]))
            else:
                delta = fast[1](acts[i - 1], grads[i - 1], np.empty_like(grads[i - 1]))
    return acts, grads


def _registered(act, name: str) -> bool:
    """Whether ``act`` is the course's own activation called ``name``."""
    return act.name == name and ACTIVATIONS.get(name) is act


def _forward_into(act, z: np.ndarray, out: np.ndarray) -> None:
    """Write phi(z) into ``out``: tanh and relu directly (the same numbers), others copied."""
    if _registered(act, "tanh"):
        np.tanh(z, out=out)
    elif _registered(act, "relu"):
        np.maximum(z, 0.0, out=out)
    else:
        out[...] = act.forward(z)


def sample_network_pass(X, depth, activation, weight_std, bias_std, grad_out, *, rng=None):
    """Forward and backward passes of ``len(X)`` independent Gaussian networks, one input each.

    Each network has ``depth`` hidden layers and a linear output layer, all of width
    ``n = X.shape[1]``, weights N(0, weight_std^2) and biases N(0, bias_std^2), but its
    n^2 weights are never drawn. Given a layer's input h, its output z = h W + b is
    Gaussian, z ~ N(0, K I) with K = weight_std^2 |h|^2 + bias_std^2, so it is sampled
    directly; the backward pass uses the weights conditioned on that output (with
    A = (weight_std h, bias_std) and fresh x ~ N(0, |delta|^2 I) of size n + 1):

    .. math:: \\frac{\\partial L}{\\partial h} = s\\,\\Big(x_{1:n} + s\\,h\\,
              \\frac{z\\cdot\\delta - A\\cdot x}{K}\\Big)

    so the pair (forward, backward) has exactly the distribution of the drawn network's.
    It costs O(n depth) a network instead of O(n^2 depth): width 1024 x depth 100 in a
    few milliseconds. Used by :func:`compute_propagation` for wide, deep networks.

    Parameters
    ----------
    X, grad_out : ndarray of shape (n_networks, n)
        One input and one output gradient dL/d(output) per network.
    depth : int
    activation : str or Activation
    weight_std, bias_std : float
    rng : int, np.random.Generator or None
        One stream: the forward pass's noise is drawn first, layer by layer, then the
        backward pass's.

    Returns
    -------
    activations, preactivations, activation_grads : ndarray of shape (depth, n_networks, n)
        For hidden layers 1..depth, as :class:`course_utils.MLP` records them (entry
        ``l - 1`` is layer l's).
    """
    X = check_batch("X", X, what="n_networks")
    grad_out = check_batch("grad_out", grad_out, X.shape[1], what="n_networks")
    if grad_out.shape != X.shape:
        raise ValueError(
            f"grad_out must have the shape of X, {X.shape}; received shape {grad_out.shape}"
        )
    depth = check_positive_int("depth", depth)
    act = get_activation(activation)
    s = check_finite_number("weight_std", weight_std, minimum=0.0)
    sb = check_finite_number("bias_std", bias_std, minimum=0.0)
    gen = as_rng(rng)
    n_nets, n = X.shape
    forward_noise = gen.standard_normal((depth + 1, n_nets, n))
    backward_noise = gen.standard_normal((depth, n_nets, n + 1))
    hs = np.empty((depth + 1, n_nets, n))  # hs[l]: h_l, hs[0] the input
    zs = np.empty((depth + 1, n_nets, n))  # zs[l]: z_(l + 1), zs[depth] the output's
    ks = np.empty((depth + 1, n_nets))  # the variance each network's z was drawn with
    hs[0] = X
    with np.errstate(all="ignore"):
        for layer in range(depth + 1):
            h = hs[layer]
            ks[layer] = s * s * np.einsum("ij,ij->i", h, h) + sb * sb
            np.multiply(np.sqrt(ks[layer])[:, None], forward_noise[layer], out=zs[layer])
            if layer < depth:
                _forward_into(act, zs[layer], hs[layer + 1])
        inv_k = np.divide(1.0, ks, out=np.zeros_like(ks), where=ks > 0)
        grads = np.empty((depth, n_nets, n))
        delta = grad_out
        for layer in range(depth, 0, -1):  # weights `layer` map h_layer to z_(layer + 1)
            h, z = hs[layer], zs[layer]
            x, x_bias = backward_noise[layer - 1, :, :n], backward_noise[layer - 1, :, n]
            # norm * x ~ N(0, |delta|^2 I), and norm * x_bias its bias entry
            norm = np.sqrt(np.einsum("ij,ij->i", delta, delta))
            a_x = norm * (s * np.einsum("ij,ij->i", h, x) + sb * x_bias)
            z_delta = np.einsum("ij,ij->i", z, delta)
            g = grads[layer - 1]
            np.multiply((s * norm)[:, None], x, out=g)
            g += (s * s * (z_delta - a_x) * inv_k[layer])[:, None] * h
            if layer > 1:
                delta = _derivative_from_output(act, zs[layer - 1], h)
                delta *= g
    return hs[1:], zs[:depth], grads


#: The histograms' fixed range, in std: (value - mean) / std in [-4, 4] (the explorer's axes
#: stay put, so a move redraws only the bars).
HIST_RANGE = 4.0


def _histogram(values, bins: int = 40):
    """Density of the finite values in std units, (v - mean) / std, over [-4, 4].

    Returns (density, edges, mean, std); no finite values, or std 0 or not finite: zero bars.
    """
    v = values[np.isfinite(values)]
    edges = np.linspace(-HIST_RANGE, HIST_RANGE, bins + 1)
    with np.errstate(over="ignore", invalid="ignore"):
        m, sd = (float(v.mean()), float(v.std())) if v.size else (math.nan, math.nan)
        if not (np.isfinite(sd) and sd > 0 and np.isfinite(m)):
            return np.zeros(bins), edges, m, sd
        counts, edges = np.histogram((v - m) / sd, bins=edges)
    return counts / (v.size * (edges[1] - edges[0])), edges, m, sd


def _per_input_std(values: np.ndarray, n_inputs: int) -> tuple[np.ndarray, np.ndarray]:
    """Per layer: the pooled std of every value, and the median input's std over its units.

    ``values`` has shape (depth, n_inputs * width), each input's units together. The pooled
    variance is the mean of the inputs' variances plus the variance of their means (every
    input has ``width`` values), the same number as ``values.std(axis=1)`` without another
    pass over the values; nan where a layer holds inf or nan (an overflowed layer).
    """
    with np.errstate(all="ignore"):
        per_input = values.reshape(values.shape[0], n_inputs, -1)
        means = per_input.mean(axis=2)
        stds = per_input.std(axis=2)
        pooled = np.sqrt(np.mean(stds**2, axis=1) + means.var(axis=1))
        median = np.median(stds, axis=1)
    pooled[~np.isfinite(values).all(axis=1)] = np.nan
    return pooled, median


def _within(measured, theory_value, factor: float = 2.0) -> bool:
    return bool(
        np.isfinite(measured)
        and np.isfinite(theory_value)
        and theory_value > 0
        and 1 / factor <= measured / theory_value <= factor
    )


def _why_they_part(what, pooled, median, theory_value, *, width, saturated, spread) -> str:
    """A clause saying why a measured std and the theory part by more than 2x ('' if not).

    ``spread`` is ``(start, low, high)``: the theory's own prediction for two inputs whose
    |x|^2 / n starts two standard deviations below and above 1 (``start`` = their ratio).
    """
    if not np.isfinite(pooled) or _within(pooled, theory_value):
        return ""
    if _within(median, theory_value):
        start, low, high = spread
        apart = bool(np.isfinite(high) and low > 0 and high / low > 2 * start)
        cause = (
            f"the variance map amplifies the differences between inputs: two whose |x|^2/n "
            f"starts 2 sd apart (ratio {start:.2f}) end {high / low:.2g}x apart by the theory "
            "itself, so the few that drift up grow"
            if apart
            else "a few inputs far from the rest dominate the pooled std"
        )
        return (
            f"; {what}: the pooled std is set by a few inputs that grew, the median input "
            f"follows the theory ({cause})"
        )
    ratio = median / theory_value if theory_value > 0 else float("nan")
    if saturated > 0.5:
        cause = (
            f"{saturated:.0%} of the units are saturated, so each layer's factor averages "
            "over the few that are not"
        )
    else:
        cause = (
            f"at width {width} each layer multiplies by a random factor, and the product "
            "drifts from the theory's (notebook 07)"
        )
    grown = ", and a few inputs that grew set the pooled std" if pooled > 10 * median > 0 else ""
    return f"; {what}: even the median input is at {ratio:.2g}x the theory ({cause}){grown}"


@functools.lru_cache(maxsize=256)
def _prediction(depth: int, act, sigma_w2: float, sigma_b2: float, input_second_moment=1.0):
    """:func:`course_utils.theory.predict_propagation`, computed once per setting.

    Pure, and unchanged by most moves of the explorer (the histogram layer, the width
    under a variance-scaling init...), while at depth 100 it costs more than the sampled
    pass. Its arrays are shared between results, so they are read-only.
    """
    pred = theory.predict_propagation(
        depth,
        act,
        sigma_w2=sigma_w2,
        sigma_b2=sigma_b2,
        input_second_moment=input_second_moment,
    )
    for field in fields(pred):
        value = getattr(pred, field.name)
        if isinstance(value, np.ndarray):
            value.setflags(write=False)
    return pred


def compute_propagation(
    depth: int = 30,
    width: int = 256,
    init: str = "xavier_normal",
    scale: float = 1.0,
    activation: str = "tanh",
    bias_std: float = 0.0,
    layer: int | None = None,
    *,
    n_samples: int | None = None,
    method: str = "auto",
    rng: int = 0,
) -> PropagationResult:
    """Pure compute of the propagation explorer: measured and predicted std, layer by layer.

    A network of ``depth`` hidden layers, all of ``width`` units (input and output too),
    weights from ``init`` times ``scale``, biases N(0, bias_std^2), gets inputs
    X ~ N(0, 1) of shape (n_samples, width); the output gradient dL/d(output) is N(0, 1)
    too, so only the network shapes what comes back. Beside the measured std of h_l and
    dL/dh_l stands :func:`course_utils.theory.predict_propagation` with
    sigma_w^2 = width * scale^2 * Var(W) and sigma_b^2 = bias_std^2.

    Parameters
    ----------
    depth, width : int
        Hidden layers and units per layer.
    init : str
        A key of :data:`PROPAGATION_INITS` or an initializer name that needs no parameter.
    scale : float
        Multiplies every weight (the weight std), so sigma_w^2 scales by ``scale**2``.
    activation : str
        Any name of :data:`course_utils.ACTIVATIONS`.
    bias_std : float
    layer : int or None
        The layer whose histograms are kept (None or above ``depth``: the last layer).
    n_samples : int or None
        Inputs (one network) or networks (sampled); None: about 4096 values a layer,
        fewer past 50 layers (at most :data:`AUTO_SAMPLE_BUDGET` values in all, never
        under 2048 a layer).
    method : {"auto", "network", "sampled"}
        ``network`` draws the weights of one ``cu.MLP([width] * (depth + 2), activation,
        init, bias_std=bias_std, rng=network)`` and runs X (then grad_out) through it.
        ``sampled`` runs :func:`sample_network_pass` with ``rng=network`` (one input per
        network, Gaussian weights of the init's variance: the shape of the weights'
        distribution does not matter in wide layers, only its variance). ``auto`` samples
        when the network would hold more than :data:`NETWORK_WEIGHT_BUDGET` weights, so
        that a slider move stays fast.
    rng : int
        Seed. Two independent sub-streams, ``data, network =
        np.random.SeedSequence(rng).spawn(2)`` (each through ``np.random.default_rng``):
        ``data`` draws X, then grad_out; ``network`` draws the network (its weights, or
        the sampled pass).

    Returns
    -------
    PropagationResult
        With a one-line ``summary``. Introduced in notebook 04.
    """
    depth = check_positive_int("depth", depth)
    width = check_positive_int("width", width)
    name, params = _init_spec(init)
    scale = check_finite_number("scale", scale, minimum=0.0, strict=True)
    act = get_activation(activation)
    bias_std = check_finite_number("bias_std", bias_std, minimum=0.0)
    layer = depth if layer is None else min(check_positive_int("layer", layer), depth)
    if n_samples is None:
        n = _auto_samples(width, depth)
    else:
        n = check_positive_int("n_samples", n_samples)
    check_choice("method", method, ("auto", "network", "sampled"))
    seed = check_positive_int("rng", rng, minimum=0)
    if method == "auto":
        method = "sampled" if width * width * (depth + 1) > NETWORK_WEIGHT_BUDGET else "network"

    var_w = scale**2 * theory.weight_variance(name, width, width, **params)
    sigma_w2 = width * var_w
    data_seed, network_seed = np.random.SeedSequence(seed).spawn(2)
    data = np.random.default_rng(data_seed)
    X = data.standard_normal((n, width))
    grad_out = data.standard_normal((n, width))
    network_rng = np.random.default_rng(network_seed)
    if method == "network":
        base = get_initializer(name, **params)
        init_fn = base if scale == 1.0 else _scaled(base, scale)
        acts, grads = _network_pass(width, depth, act, init_fn, bias_std, X, grad_out, network_rng)
        A, G = acts.reshape(depth, -1), grads.reshape(depth, -1)
    else:
        acts, _, grads = sample_network_pass(
            X, depth, act, math.sqrt(var_w), bias_std, grad_out, rng=network_rng
        )
        A, G = acts.reshape(depth, -1), grads.reshape(depth, -1)
    (act_std, act_median), (grad_std, grad_median) = _per_input_std(A, n), _per_input_std(G, n)
    with np.errstate(invalid="ignore"):
        saturated = np.count_nonzero(np.abs(A) > SATURATION, axis=1) / A.shape[1]
    bad = ~(np.isfinite(A).all(axis=1))
    first_bad = int(np.argmax(bad)) + 1 if bad.any() else None
    pred = _prediction(depth, act, sigma_w2, bias_std**2)

    how = f"one network, {n} inputs" if method == "network" else f"{n} networks sampled by layer"
    summary = (
        f"{act.name}, {INIT_LABELS.get(init, init)} x {scale:.2f} (sigma_w^2 = {sigma_w2:.3g}), "
        f"width {width}, depth {depth}: activation std at layer {depth} {act_std[-1]:.3g} "
        f"(median input {act_median[-1]:.3g}, theory {pred.activation_std[-1]:.3g}); "
        f"gradient std at layer 1 {grad_std[0]:.3g} (median input {grad_median[0]:.3g}, "
        f"theory {pred.gradient_std[0]:.3g}); histograms of layer {layer}; {how}"
    )
    if first_bad is not None:
        summary += f"; overflow to inf/nan from layer {first_bad}"
    else:
        parts = [
            ("activations", act_std[-1], act_median[-1], pred.activation_std[-1], -1),
            ("gradients", grad_std[0], grad_median[0], pred.gradient_std[0], 0),
        ]
        # The theory run from inputs whose |x|^2 / n is 2 sd (sqrt(2 / width)) off 1: only
        # needed (two more predictions) where the median input follows the theory.
        starts = [max(1.0 + k * 2.0 * math.sqrt(2.0 / width), 0.0) for k in (-1, 1)]
        ratio = starts[1] / starts[0] if starts[0] > 0 else math.inf
        ends = []
        for what, pooled, median, theo, i in parts:
            if np.isfinite(pooled) and not _within(pooled, theo):
                field = "activation_std" if what == "activations" else "gradient_std"
                if _within(median, theo) and not ends:
                    ends = [_prediction(depth, act, sigma_w2, bias_std**2, m) for m in starts]
                spread = (
                    (ratio, *(float(getattr(e, field)[i]) for e in ends))
                    if ends
                    else (ratio, math.nan, math.nan)
                )
                note = _why_they_part(
                    what,
                    pooled,
                    median,
                    theo,
                    width=width,
                    saturated=float(saturated[i]),
                    spread=spread,
                )
                if note:
                    summary += note
                    break
    return PropagationResult(
        depth=depth,
        width=width,
        init=init,
        scale=scale,
        activation=act.name,
        bias_std=bias_std,
        sigma_w2=sigma_w2,
        method=method,
        n_samples=n,
        layers=np.arange(1, depth + 1),
        activation_std=act_std,
        gradient_std=grad_std,
        saturated=saturated,
        activations=A,
        gradients=G,
        predicted=pred,
        first_nonfinite_layer=first_bad,
        layer=layer,
        activation_hist=_histogram(A[layer - 1]),
        gradient_hist=_histogram(G[layer - 1]),
        color=color_for(init),  # the course colours know the labels N(0,1), N(0,0.01)
        summary=summary,
        activation_median_std=act_median,
        gradient_median_std=grad_median,
    )


def _scaled(init_fn, scale: float):
    def init(fan_in, fan_out, *, rng=None):
        return scale * init_fn(fan_in, fan_out, rng=rng)

    init.__name__ = getattr(init_fn, "__name__", "init")
    return init
