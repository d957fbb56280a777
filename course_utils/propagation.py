"""Signal propagation at initialization, measured and predicted, layer by layer.

What notebook 04 computes: many random networks at once (``sample_network_pass``), the
per-layer std of activations and back-propagated gradients, their histograms, the
saturated fraction, and the mean-field prediction beside them (``compute_propagation``).
The propagation explorer draws what this module computes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import theory
from ._validation import as_rng, check_batch, check_choice, check_finite_number, check_positive_int
from .activations import get_activation
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


def _auto_samples(width: int) -> int:
    """About 4096 recorded values a layer, at least 4 and at most 256 inputs."""
    return int(np.clip(4096 // width, 4, 256))


def _network_pass(width, depth, act, init_fn, bias_std, X, grad_out, seed):
    """Forward and backward through ``cu.MLP([width] * (depth + 2), ..., rng=seed)``."""
    net = MLP([width] * (depth + 2), act, init_fn, bias_std=bias_std, rng=seed)
    net.forward(X)
    net.backward(grad_out)
    return net.activations, net.activation_grads


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

    Returns
    -------
    activations, preactivations, activation_grads : list of ndarray (n_networks, n)
        For hidden layers 1..depth, as :class:`course_utils.MLP` records them.
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
    shape = X.shape
    hs, zs, ks = [X], [], []
    with np.errstate(all="ignore"):
        for layer in range(depth + 1):
            k = s * s * np.einsum("ij,ij->i", hs[-1], hs[-1])[:, None] + sb * sb
            z = np.sqrt(k) * gen.standard_normal(shape)
            zs.append(z)
            ks.append(k)
            if layer < depth:
                hs.append(act.forward(z))
        grads = [None] * depth
        delta = grad_out
        for layer in range(depth, 0, -1):  # weights `layer` map h_layer to z_(layer + 1)
            h, z, k = hs[layer], zs[layer], ks[layer]
            norm = np.sqrt(np.einsum("ij,ij->i", delta, delta))[:, None]
            x = norm * gen.standard_normal(shape)
            a_x = s * np.einsum("ij,ij->i", h, x)[:, None] + sb * norm * gen.standard_normal(
                (shape[0], 1)
            )
            z_delta = np.einsum("ij,ij->i", z, delta)[:, None]
            inv_k = np.divide(1.0, k, out=np.zeros_like(k), where=k > 0)
            g = s * (x + s * h * ((z_delta - a_x) * inv_k))
            grads[layer - 1] = g
            delta = g * act.derivative(zs[layer - 1])
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


def _median_input_std(values: np.ndarray, n_inputs: int) -> np.ndarray:
    """Per layer, the median over inputs of one input's std across the layer's units."""
    with np.errstate(all="ignore"):
        per_input = values.reshape(values.shape[0], n_inputs, -1).std(axis=2)
        return np.median(per_input, axis=1)


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


def _layer_std(values: np.ndarray) -> np.ndarray:
    """Std of each row, nan where a row holds inf or nan (an overflowed layer)."""
    with np.errstate(all="ignore"):
        out = values.std(axis=1)
    out[~np.isfinite(values).all(axis=1)] = np.nan
    return out


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
        Inputs (one network) or networks (sampled); None: about 4096 values a layer.
    method : {"auto", "network", "sampled"}
        ``network`` draws the weights of one ``cu.MLP([width] * (depth + 2), activation,
        init, bias_std=bias_std, rng=rng)`` and runs X (then grad_out) through it, both
        drawn in that order from ``np.random.default_rng((rng, 1))``. ``sampled`` runs
        :func:`sample_network_pass` (one input per network, Gaussian weights of the
        init's variance: the shape of the weights' distribution does not matter in wide
        layers, only its variance). ``auto`` samples when the network would hold more than
        :data:`NETWORK_WEIGHT_BUDGET` weights, so that a slider move stays fast.
    rng : int
        Seed.

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
    n = _auto_samples(width) if n_samples is None else check_positive_int("n_samples", n_samples)
    check_choice("method", method, ("auto", "network", "sampled"))
    seed = check_positive_int("rng", rng, minimum=0)
    if method == "auto":
        method = "sampled" if width * width * (depth + 1) > NETWORK_WEIGHT_BUDGET else "network"

    var_w = scale**2 * theory.weight_variance(name, width, width, **params)
    sigma_w2 = width * var_w
    data = np.random.default_rng((seed, 1))
    X = data.standard_normal((n, width))
    grad_out = data.standard_normal((n, width))
    if method == "network":
        base = get_initializer(name, **params)
        init_fn = base if scale == 1.0 else _scaled(base, scale)
        acts, grads = _network_pass(width, depth, act, init_fn, bias_std, X, grad_out, seed)
    else:
        acts, _, grads = sample_network_pass(
            X, depth, act, math.sqrt(var_w), bias_std, grad_out, rng=seed
        )
    A = np.stack(acts).reshape(depth, -1)
    G = np.stack(grads).reshape(depth, -1)
    act_std, grad_std = _layer_std(A), _layer_std(G)
    with np.errstate(invalid="ignore"):
        saturated = (np.abs(A) > SATURATION).mean(axis=1)
    bad = ~(np.isfinite(A).all(axis=1))
    first_bad = int(np.argmax(bad)) + 1 if bad.any() else None
    pred = theory.predict_propagation(depth, act, sigma_w2=sigma_w2, sigma_b2=bias_std**2)
    act_median, grad_median = _median_input_std(A, n), _median_input_std(G, n)

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
                    ends = [
                        theory.predict_propagation(
                            depth,
                            act,
                            sigma_w2=sigma_w2,
                            sigma_b2=bias_std**2,
                            input_second_moment=m,
                        )
                        for m in starts
                    ]
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
