"""Interactive explorers: pure compute, a plot that updates in place, a thin widget wrapper.

Every explorer is an :class:`Explorer`: moving a control calls ``compute(**params)`` (pure:
tests and benchmarks call it directly), then ``draw(result)`` (updates the artists of one
figure made once), then shows ``result.summary`` (a line of text) and the figure in an
``ipywidgets.Output``. Each explorer in a notebook sits next to a static figure that makes
the same point for a reader without a kernel.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np

from . import theory
from ._validation import (
    as_rng,
    check_batch,
    check_choice,
    check_finite_number,
    check_positive_int,
)
from .activations import ACTIVATIONS, get_activation
from .initializers import INITIALIZERS, get_initializer
from .network import MLP
from .plots import PALETTE, color_for, finite, integer_ticks, log_tick_formatter, superscript


class Explorer:
    """A set of controls, a pure compute function and a figure that is redrawn in place.

    Parameters
    ----------
    controls : dict of str -> ipywidgets value widget
        Their ``value`` s are the keyword arguments of ``compute``.
    compute : callable
        ``compute(**params) -> result``; pure; ``result.summary`` is a one-line string.
    draw : callable
        ``draw(result)`` updates the artists of ``figure`` (never makes a new figure).
    figure : matplotlib.figure.Figure
        Made once, closed to pyplot (so the notebook does not show it twice).

    Attributes
    ----------
    widget : ipywidgets.VBox
        What the notebook displays: the controls above an ``Output`` with the summary
        line and the figure.
    result
        The result of the last update.
    """

    def __init__(self, *, controls: dict, compute: Callable, draw: Callable, figure):
        import ipywidgets as widgets

        self.controls = dict(controls)
        self.compute = compute
        self.draw = draw
        self.figure = figure
        plt.close(figure)
        self.output = widgets.Output()
        self.widget = widgets.VBox(
            [widgets.HBox(list(self.controls.values())), *self._extra_rows(), self.output],
            layout=widgets.Layout(width="100%"),
        )
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.result = None
        self._on_change(None)  # the first display is what a control move shows
        self._freeze_layout()

    def _extra_rows(self) -> list:
        """Widget rows between the controls and the output (none here)."""
        return []

    def _freeze_layout(self) -> None:
        """Keep the axes where the first draw's layout engine put them.

        Constrained layout measures every label on every draw, about a third of a
        redraw; the first layout stays good as values change, so later moves skip it.
        """
        if self.figure.get_layout_engine() is not None:
            self.figure.set_layout_engine("none")

    def params(self) -> dict:
        """The current values of the controls, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def refresh(self, **overrides):
        """Compute and redraw (no display): the work one slider move costs, minus the PNG."""
        self.result = self.compute(**{**self.params(), **overrides})
        self.draw(self.result)
        return self.result

    def render_png(self) -> bytes:
        """The figure as PNG bytes, as the inline backend would send it to the browser."""
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png")
        return buf.getvalue()

    def _show(self, text: str) -> None:
        """Replace the output area with ``text`` and the figure."""
        from IPython.display import Image, display

        # The PNG is rendered once, as laid out (constrained layout): displaying the figure
        # itself would go through the inline backend's bbox_inches="tight", a second draw.
        png = Image(data=self.render_png(), format="png")
        with self.output:
            self.output.clear_output(wait=True)
            print(text)
            display(png)

    def update(self, **overrides):
        """Refresh, then show the summary line and the figure in the output area."""
        result = self.refresh(**overrides)
        self._show(result.summary)
        return result

    def _on_change(self, _change) -> None:
        self.update()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"Explorer({getattr(self.compute, '__name__', 'compute')}: {params})"


# --- compounding: factor ** depth (notebooks 00 and 01) -------------------------------
@dataclass(frozen=True)
class CompoundingResult:
    """``factor ** k`` for k = 0..depth, and what it means."""

    factor: float
    depth: int
    k: np.ndarray
    values: np.ndarray
    final: float
    band: tuple
    in_band: bool
    summary: str


def stable_factor_range(depth: int, band=(0.5, 2.0)) -> tuple[float, float]:
    """The factors f whose product f ** depth stays inside ``band``: (lo**(1/depth), hi**(1/depth)).

    For depth 50 and the band [0.5, 2] this is about 1 +- 0.014.
    """
    depth = check_positive_int("depth", depth)
    lo, hi = band
    return lo ** (1.0 / depth), hi ** (1.0 / depth)


def compute_compounding(factor: float = 1.1, depth: int = 50, band=(0.5, 2.0)):
    """Pure compute of the compounding explorer: ``factor ** k`` for k = 0..depth."""
    factor = check_finite_number("factor", factor, minimum=0.0, strict=True)
    depth = check_positive_int("depth", depth)
    k = np.arange(depth + 1)
    with np.errstate(over="ignore", under="ignore"):
        values = factor ** k.astype(float)
    final = float(values[-1])
    in_band = band[0] <= final <= band[1]
    lo, hi = stable_factor_range(depth, band)
    where = "inside" if in_band else "outside"
    summary = (
        f"{factor:.3f}^{depth} = {final:.4g}: {where} the band [{band[0]:g}, {band[1]:g}]; "
        f"at depth {depth} only factors in [{lo:.4f}, {hi:.4f}] stay inside"
    )
    return CompoundingResult(factor, depth, k, values, final, tuple(band), in_band, summary)


def compounding_explorer(factor: float = 1.1, depth: int = 50) -> Explorer:
    """Sliders for a per-layer factor and a depth; plots factor ** k on a log scale.

    The 1.1 and 0.9 curves stay as references, and the band [0.5, 2] shows where a
    signal is still usable. Introduced in notebook 00, used in 01.
    """
    import ipywidgets as widgets

    controls = {
        "factor": widgets.FloatSlider(
            value=factor,
            min=0.5,
            max=1.5,
            step=0.01,
            description="factor",
            readout_format=".3f",
            continuous_update=True,
        ),
        "depth": widgets.IntSlider(
            value=depth, min=1, max=100, step=1, description="depth", continuous_update=True
        ),
    }
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    k = np.arange(101)
    ax.plot(k, 1.1**k, color=PALETTE["vermillion"], lw=1, ls="--", label="1.1ᵏ")
    ax.plot(k, 0.9**k, color=PALETTE["sky"], lw=1, ls="--", label="0.9ᵏ")
    ax.axhspan(0.5, 2.0, color=PALETTE["green"], alpha=0.12, lw=0, label="band [0.5, 2]")
    (line,) = ax.plot([], [], color=PALETTE["blue"], lw=2.2, label="your factor")
    (dot,) = ax.plot([], [], "o", color=PALETTE["blue"])
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(log_tick_formatter())
    ax.yaxis.set_minor_locator(mticker.NullLocator())
    ax.set_ylim(1e-6, 1e6)
    ax.set_xlabel("depth k")
    ax.set_ylabel("factorᵏ (log scale)")
    ax.legend(loc="upper left")

    def draw(r: CompoundingResult) -> None:
        line.set_data(r.k, r.values)
        dot.set_data([r.depth], [r.final])
        ax.set_xlim(0, max(r.depth, 10))
        lo = min(1e-6, r.values.min() / 10) if r.values.min() > 0 else 1e-6
        hi = max(1e6, r.values.max() * 10) if math.isfinite(r.values.max()) else 1e6
        ax.set_ylim(max(lo, 1e-300), min(hi, 1e300))
        verdict = "stays in the band" if r.in_band else "leaves the band"
        # plain-text superscript: mathtext would be parsed anew on every move
        ax.set_title(f"{r.factor:.3f}{superscript(r.depth)} = {r.final:.3g}: the product {verdict}")

    return Explorer(controls=controls, compute=compute_compounding, draw=draw, figure=fig)


# --- notebook 04: signal propagation, measured and predicted ---------------------------
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


def _histogram(values, bins: int = 40):
    """Density histogram of the finite values over mean +- 4 std (within their range)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return np.zeros(bins), np.linspace(-1.0, 1.0, bins + 1)
    with np.errstate(over="ignore", invalid="ignore"):
        m, sd = float(v.mean()), float(v.std())
    lo, hi = max(v.min(), m - 4 * sd), min(v.max(), m + 4 * sd)
    if not (hi > lo and np.isfinite(hi - lo)):
        lo, hi = (m - 1.0, m + 1.0) if np.isfinite(m) else (v.min(), v.max())
    counts, edges = np.histogram(v, bins=bins, range=(lo, hi))
    return counts / (v.size * (edges[1] - edges[0])), edges


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
        f"{act.name}, {init} x {scale:.2f} (sigma_w^2 = {sigma_w2:.3g}), width {width}, depth "
        f"{depth}: activation std at layer {depth} {act_std[-1]:.3g} (median input "
        f"{act_median[-1]:.3g}, theory {pred.activation_std[-1]:.3g}); gradient std at layer 1 "
        f"{grad_std[0]:.3g} (median input {grad_median[0]:.3g}, theory "
        f"{pred.gradient_std[0]:.3g}); histograms of layer {layer}; {how}"
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


def _log_limits(*arrays) -> tuple[float, float]:
    vals = np.concatenate([np.ravel(a) for a in arrays])
    with np.errstate(invalid="ignore"):
        vals = vals[np.isfinite(vals) & (vals > 0)]
    if vals.size == 0:
        return 1e-3, 1e3
    return max(vals.min() / 3, 1e-300), min(vals.max() * 3, 1e300)


def _ratio_phrase(what: str, values) -> str:
    first, last = values[0], values[-1]
    if not (np.isfinite(first) and np.isfinite(last)) or first <= 0:
        return f"{what} overflow"
    return f"{what} x{last / first:.2g}"


def propagation_explorer(
    depth: int = 30,
    width: int = 256,
    init: str = "xavier_normal",
    activation: str = "tanh",
) -> Explorer:
    """Sliders for depth, width, init, weight scale, activation, bias std and a layer.

    Left: the std of activations (circles) and of back-propagated gradients (squares)
    layer by layer, measured on a random network, with the mean-field prediction as a
    line. Right: histograms of the chosen layer's activations and gradients (the
    gradients with the predicted Gaussian). One figure, updated in place; a wide, deep
    network is sampled layer by layer (see :func:`compute_propagation`), so every move
    redraws in well under 100 ms. Introduced in notebook 04.
    """
    import ipywidgets as widgets

    style = {"description_width": "initial"}
    controls = {
        "depth": widgets.IntSlider(value=depth, min=1, max=100, description="depth"),
        "width": widgets.SelectionSlider(
            options=[2**k for k in range(1, 11)], value=width, description="width"
        ),
        "init": widgets.Dropdown(options=list(PROPAGATION_INITS), value=init, description="init"),
        "scale": widgets.FloatLogSlider(
            value=1.0, base=10, min=-1, max=math.log10(4), step=0.01, description="x weight std"
        ),
        "activation": widgets.Dropdown(
            options=list(ACTIVATIONS), value=activation, description="activation"
        ),
        "bias_std": widgets.FloatSlider(
            value=0.0, min=0.0, max=1.0, step=0.01, description="bias std"
        ),
        "layer": widgets.IntSlider(value=depth, min=1, max=depth, description="histogram layer"),
    }
    for control in controls.values():
        control.style = style
    controls["depth"].observe(lambda ch: setattr(controls["layer"], "max", ch["new"]), "value")

    fig = plt.figure(figsize=(8.0, 3.6), layout="none")
    grid = fig.add_gridspec(
        2,
        2,
        width_ratios=(1.5, 1),
        left=0.115,  # room for the y label beside tick labels such as 1e+146
        right=0.98,
        bottom=0.13,
        top=0.84,
        wspace=0.22,
        hspace=0.6,
    )
    ax = fig.add_subplot(grid[:, 0])
    ax_h, ax_g = fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])
    blue, orange = PALETTE["blue"], PALETTE["orange"]
    (act_meas,) = ax.plot([], [], "o", ms=4, color=blue)
    (act_pred,) = ax.plot([], [], "-", color=blue, lw=1.5)
    (grad_meas,) = ax.plot([], [], "s", ms=4, color=orange)
    (grad_pred,) = ax.plot([], [], "-", color=orange, lw=1.5)
    marker = ax.axvline(1, color="0.5", lw=1, ls=":")
    # Few ticks and plain-text labels: every tick label is text to lay out on each redraw.
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(mticker.LogFormatter())
    ax.yaxis.set_minor_locator(mticker.NullLocator())
    ax.xaxis.set_major_locator(mticker.MaxNLocator(5, integer=True))
    ax.set_xlabel("hidden layer l")
    ax.set_ylabel("std: points measured, lines theory")
    ax.legend(
        [(act_meas, act_pred), (grad_meas, grad_pred)],
        ["activations h", "gradients dL/dh"],
        loc="lower left",
        fontsize=8,
    )
    act_hist = ax_h.stairs(np.zeros(1), [0.0, 1.0], fill=True, color=blue, alpha=0.6)
    grad_hist = ax_g.stairs(np.zeros(1), [0.0, 1.0], fill=True, color=orange, alpha=0.6)
    (gauss,) = ax_g.plot([], [], color="k", lw=1)
    for axis in (ax_h, ax_g):
        axis.set_yticks([])
        axis.xaxis.set_major_locator(mticker.MaxNLocator(4))
    title = fig.suptitle("", fontsize=11)

    def draw(r: PropagationResult) -> None:
        p = r.predicted
        act_meas.set_data(*finite(r.layers, r.activation_std, positive=True))
        act_pred.set_data(*finite(r.layers, p.activation_std, positive=True))
        grad_meas.set_data(*finite(r.layers, r.gradient_std, positive=True))
        grad_pred.set_data(*finite(r.layers, p.gradient_std, positive=True))
        marker.set_xdata([r.layer, r.layer])
        ax.set_xlim(0.5, r.depth + 0.5)
        ax.set_ylim(
            *_log_limits(r.activation_std, p.activation_std, r.gradient_std, p.gradient_std)
        )
        title.set_text(
            f"{_ratio_phrase('activations', r.activation_std)} forward, "
            f"{_ratio_phrase('gradients', r.gradient_std[::-1])} backward over {r.depth} layers"
        )
        for hist, (counts, edges), axis in (
            (act_hist, r.activation_hist, ax_h),
            (grad_hist, r.gradient_hist, ax_g),
        ):
            hist.set_data(counts, edges)
            axis.set_xlim(edges[0], edges[-1])
            axis.set_ylim(0, max(counts.max(), 1e-300) * 1.15)
        i = r.layer - 1
        ax_h.set_title(f"activations, layer {r.layer}: std {r.activation_std[i]:.3g}", fontsize=9)
        ax_g.set_title(
            f"gradients, layer {r.layer}: std {r.gradient_std[i]:.3g} (line: theory)", fontsize=9
        )
        edges = r.gradient_hist[1]
        sd = p.gradient_std[i]
        if np.isfinite(sd) and sd > 0:
            x = np.linspace(edges[0], edges[-1], 121)
            gauss.set_data(x, np.exp(-0.5 * (x / sd) ** 2) / (sd * math.sqrt(2 * math.pi)))
        else:
            gauss.set_data([], [])

    explorer = Explorer(controls=controls, compute=compute_propagation, draw=draw, figure=fig)
    explorer.widget.children[0].layout.flex_flow = "row wrap"
    return explorer


# --- notebook 05: training from each init, with a Train button --------------------------
#: The initializers the training explorer offers: label -> (initializer name, params).
TRAINING_INITS = {  # N(0, s^2) names the std s, as the notebooks' legends do
    "zeros": ("zeros", {}),
    "N(0, 0.01^2)": ("normal", {"std": 0.01}),
    "xavier_normal": ("xavier_normal", {}),
    "he_normal": ("he_normal", {}),
    "N(0, 1)": ("normal", {"std": 1.0}),
}
#: The learning rate the training explorer uses with each optimizer (momentum mu = 0.9).
TRAINING_LRS = {"sgd": 0.02, "momentum": 0.005, "adam": 0.001}
LN10 = math.log(10.0)


def _digits_split():
    """The digits split 3:1 (seed 0), pixels centred and scaled by one std of the training set."""
    from .datasets import load_digits, train_test_split

    X, y = load_digits()
    Xtr, Xte, ytr, yte = train_test_split(X, y, rng=0)
    mean, std = Xtr.mean(axis=0), Xtr.std()
    return (Xtr - mean) / std, (Xte - mean) / std, ytr, yte


@dataclass(frozen=True)
class TrainingResult:
    """A short training run of :func:`compute_training` and what it came to."""

    init: str
    depth: int
    activation: str
    optimizer: str
    lr: float
    epochs: int
    width: int
    history: object  # training.History
    test_accuracy: float
    verdict: str
    summary: str


#: A loss within this of ln 10 counts as "at ln 10"; a change below it as "not moving".
LOSS_BAND = 0.05


def _verdict(hist) -> str:
    """What the loss curve shows: diverged, stalled at ln 10, above it (falling or not), training.

    The curve is the loss before training, then after each epoch. Stalled: the last epoch
    ends within LOSS_BAND of ln 10 and moved less than LOSS_BAND. Above ln 10: worse than
    a uniform guess, falling if the last epoch lowered it. Otherwise the run is training
    (below ln 10, or passing ln 10 on its way down or up).
    """
    if hist.diverged_at is not None:
        return f"diverged in epoch {hist.diverged_at}"
    curve = [hist.initial_loss, *hist.loss]
    first, prev, last = curve[0], curve[-2], curve[-1]
    moves = f"loss {first:.4g} -> {last:.4g}"
    near, still = abs(last - LN10) <= LOSS_BAND, abs(last - prev) <= LOSS_BAND
    if near and still:
        return f"stalled at ln 10 = {LN10:.3f}: {moves}"
    if last > LN10 + LOSS_BAND:
        trend = "falling" if last < prev else "not falling"
        return f"above ln 10 = {LN10:.3f} and {trend}: {moves}"
    if near:
        trend = "falling" if last < prev else "rising"
        return f"{trend} through ln 10 = {LN10:.3f}: {moves}"
    return f"training: {moves}"


def _one_two_five(value, _pos=None) -> str:
    """Plain-text log-axis labels at 1, 2 and 5 times a power of ten (no mathtext per move)."""
    if not np.isfinite(value) or value <= 0:
        return ""
    mantissa = value / 10.0 ** math.floor(math.log10(value))
    return f"{value:g}" if any(abs(mantissa - m) < 1e-6 for m in (1, 2, 5)) else ""


def _settings(init, depth, activation, optimizer) -> str:
    return f"{init}, {depth} {activation} layers, {optimizer} (lr {TRAINING_LRS[optimizer]:g})"


def compute_training(
    init: str = "he_normal",
    depth: int = 10,
    activation: str = "relu",
    optimizer: str = "momentum",
    *,
    epochs: int = 5,
    width: int = 64,
    batch_size: int = 32,
    rng=0,
    callback=None,
) -> TrainingResult:
    """Pure compute of the training explorer: a short training run on the digits.

    An MLP ``[64] + [width] * (depth - 1) + [10]`` (``depth`` weight layers) is built
    with ``init`` (a key of :data:`TRAINING_INITS`) and trained for ``epochs`` epochs with
    ``optimizer`` at the learning rate of :data:`TRAINING_LRS`, on 3/4 of the digits
    (standardized), the rest held out for the test accuracy. ``callback(epoch, history)``
    is passed to :func:`course_utils.fit` (the explorer's progress bar). Introduced in
    notebook 05.
    """
    from .training import OPTIMIZERS, fit

    if init not in TRAINING_INITS:
        raise ValueError(
            f"init must be one of {', '.join(map(repr, TRAINING_INITS))}; received {init!r}"
        )
    depth = check_positive_int("depth", depth)
    epochs = check_positive_int("epochs", epochs)
    width = check_positive_int("width", width)
    act = get_activation(activation)
    check_choice("optimizer", optimizer, OPTIMIZERS, what="optimizer")
    name, params = TRAINING_INITS[init]
    Xtr, Xte, ytr, yte = _digits_split()
    net = MLP(
        [Xtr.shape[1]] + [width] * (depth - 1) + [10],
        activation=act,
        init=get_initializer(name, **params),
        rng=rng,
    )
    lr = TRAINING_LRS[optimizer]
    hist = fit(
        net,
        Xtr,
        ytr,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        optimizer=optimizer,
        validation=(Xte, yte),
        rng=rng,
        callback=callback,
    )
    test_accuracy = hist.val_accuracy[-1] if hist.val_accuracy else float("nan")
    verdict = _verdict(hist)
    ran = len(hist.loss)
    summary = (
        f"{_settings(init, depth, act.name, optimizer)}, {ran} epoch{'s' * (ran != 1)}: "
        f"{verdict}; test accuracy {test_accuracy:.1%}"
    )
    return TrainingResult(
        init, depth, act.name, optimizer, lr, epochs, width, hist, test_accuracy, verdict, summary
    )


class TrainingExplorer(Explorer):
    """An explorer whose compute is a training run: a Train button runs it, not every control.

    Shaped like :class:`Explorer` (``compute``, ``draw``, ``figure``, ``output``,
    ``widget``, ``result``, ``refresh``, ``update``), with a Train button and an
    ``ipywidgets.IntProgress`` that counts epochs (through ``fit``'s callback). Moving a
    control only says, in the summary line and the figure's title, that the settings
    changed and the curves shown are the last run's (drawn faded); Train runs
    ``compute(**params, callback=...)``, then draws and prints the summary.

    Parameters
    ----------
    controls, compute, draw, figure
        As for :class:`Explorer`.
    draw_pending : callable
        ``draw_pending(params, has_run) -> str`` marks the figure as not trained for
        ``params`` yet (``has_run``: a previous run is still drawn) and returns the line
        to print.
    epochs : int
        The progress bar's maximum.
    """

    def __init__(self, *, controls, compute, draw, draw_pending, figure, epochs: int):
        import ipywidgets as widgets

        self.draw_pending = draw_pending
        self.epochs = epochs
        self.button = widgets.Button(description="Train", button_style="primary", icon="play")
        self.button.on_click(lambda _button: self.train())
        self.progress = widgets.IntProgress(
            value=0, min=0, max=epochs, description=f"epoch 0/{epochs}"
        )
        super().__init__(controls=controls, compute=compute, draw=draw, figure=figure)
        self.widget.children[0].layout.flex_flow = "row wrap"

    def _extra_rows(self) -> list:
        import ipywidgets as widgets

        return [widgets.HBox([self.button, self.progress])]

    def _progress(self, epoch: int, _history) -> None:
        self.progress.value = epoch
        self.progress.description = f"epoch {epoch}/{self.epochs}"

    def train(self):
        """Run the training for the current settings (what the Train button does)."""
        self._progress(0, None)
        self.button.disabled = True
        try:
            return self.update(callback=self._progress, epochs=self.epochs)
        finally:
            self.button.disabled = False

    def show_pending(self) -> str:
        """Say that the current settings are not trained yet; keep the last run faded."""
        text = self.draw_pending(self.params(), self.result is not None)
        self._show(text)
        return text

    def _on_change(self, _change) -> None:
        self.show_pending()


def training_explorer(
    init: str = "he_normal",
    depth: int = 10,
    activation: str = "relu",
    optimizer: str = "momentum",
    *,
    epochs: int = 5,
) -> TrainingExplorer:
    """Pick init, depth, activation and optimizer; press Train for a short run on the digits.

    Left: training and test loss per epoch (log scale) with ln 10, the loss of a network
    that has learned nothing. Right: the update:data ratio per layer in the last epoch,
    with the 1e-3 rule of thumb. A progress bar counts the epochs; nothing retrains when
    a control moves. Introduced in notebook 05.
    """
    import ipywidgets as widgets

    style = {"description_width": "initial"}
    controls = {
        "init": widgets.Dropdown(options=list(TRAINING_INITS), value=init, description="init"),
        "depth": widgets.IntSlider(
            value=depth, min=2, max=30, description="layers", continuous_update=False
        ),
        "activation": widgets.Dropdown(
            options=["relu", "tanh"], value=activation, description="activation"
        ),
        "optimizer": widgets.Dropdown(
            options=list(TRAINING_LRS), value=optimizer, description="optimizer"
        ),
    }
    for control in controls.values():
        control.style = style

    fig, (ax, ax_r) = plt.subplots(1, 2, figsize=(8.0, 3.2), layout="constrained")
    (train_line,) = ax.plot([], [], "-o", ms=3, color=PALETTE["blue"], label="training")
    (test_line,) = ax.plot([], [], "-s", ms=3, color=PALETTE["orange"], label="test")
    ax.axhline(LN10, color="k", lw=1, ls=":", label="ln 10")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(_one_two_five))
    ax.yaxis.set_minor_formatter(mticker.FuncFormatter(_one_two_five))
    ax.set_xlabel("epoch")
    integer_ticks(ax.xaxis)
    ax.set_ylabel("loss (log scale)")
    ax.legend(loc="lower left", fontsize=8)
    (ratio_line,) = ax_r.plot([], [], "-o", ms=3, color=PALETTE["green"])
    ax_r.axhline(1e-3, color="k", lw=1, ls=":", label="1e-3")
    ax_r.set_yscale("log")
    ax_r.yaxis.set_major_formatter(log_tick_formatter())
    ax_r.yaxis.set_minor_formatter(mticker.NullFormatter())
    ax_r.set_xlabel("layer l")
    integer_ticks(ax_r.xaxis)
    ax_r.set_ylabel("|update| / |W|, last epoch")
    ax_r.legend(loc="lower left", fontsize=8)
    title = fig.suptitle("Press Train to train a network with these settings", fontsize=11)
    lines = (train_line, test_line, ratio_line)

    def draw(r: TrainingResult) -> None:
        h = r.history
        epochs_run = np.arange(len(h.loss) + 1)
        train_line.set_data(*finite(epochs_run, [h.initial_loss, *h.loss], positive=True))
        test_line.set_data(*finite(epochs_run[1:], h.val_loss, positive=True))
        ratio = h.update_ratio[-1] if len(h.update_ratio) else np.zeros(0)
        ratio_line.set_data(*finite(np.arange(1, len(ratio) + 1), ratio, positive=True))
        for line in lines:
            line.set_alpha(1.0)
        ax.set_xlim(-0.2, r.epochs + 0.2)
        losses = [h.initial_loss, *h.loss, *h.val_loss, LN10]
        ax.set_ylim(*_log_limits(losses))
        ax_r.set_xlim(0.5, r.depth + 0.5)
        ax_r.set_ylim(*_log_limits(ratio, 1e-3))
        title.set_text(f"{r.init}, {r.depth} {r.activation} layers, {r.optimizer}: {r.verdict}")

    def draw_pending(params: dict, has_run: bool) -> str:
        settings = _settings(**params)
        for line in lines:
            line.set_alpha(0.3)
        last = " (faded: the last run)" if has_run else ""
        title.set_text(f"{settings}: press Train{last}")
        return f"{settings}: not trained yet, press Train{last}."

    return TrainingExplorer(
        controls=controls,
        compute=compute_training,
        draw=draw,
        draw_pending=draw_pending,
        figure=fig,
        epochs=epochs,
    )


# --- notebook 06: the edge of chaos, where a (sigma_w^2, sigma_b^2) point sits ----------------
@dataclass(frozen=True)
class ChaosResult:
    """One point of the tanh phase diagram and its correlation map."""

    sigma_w2: float
    sigma_b2: float
    scales: theory.DepthScales
    c: np.ndarray
    c_next: np.ndarray
    phase: str
    summary: str


def compute_edge_of_chaos(sigma_w2: float = 1.5, sigma_b2: float = 0.05, n_points: int = 21):
    """Pure compute of the edge-of-chaos explorer: q*, chi_1, c*, xi_c and the c-map curve."""
    sigma_w2 = check_finite_number("sigma_w2", sigma_w2, minimum=0.0, strict=True)
    sigma_b2 = check_finite_number("sigma_b2", sigma_b2, minimum=0.0)
    q_star = theory.fixed_point("tanh", sigma_w2=sigma_w2, sigma_b2=sigma_b2)
    c = np.linspace(0.0, 1.0, check_positive_int("n_points", n_points, minimum=2))
    c_next = (
        theory.correlation_map(c, "tanh", sigma_w2=sigma_w2, sigma_b2=sigma_b2, q=q_star)
        if q_star > 0
        # q* = 0 (sigma_b^2 = 0, sigma_w^2 <= 1): the limit sigma_b^2 -> 0 of
        # (sigma_w^2 q* c + sigma_b^2) / q* with q* = sigma_b^2 / (1 - sigma_w^2) (tanh linear
        # near 0): fixed point c* = 1 with slope chi_1 = sigma_w^2
        else 1.0 - sigma_w2 * (1.0 - c)
    )
    above = c_next - c > 0  # the tabulated map brackets c* for the root search
    cross = np.flatnonzero(above[:-1] & ~above[1:])
    bracket = (c[cross[0]], min(c[cross[0] + 1], 1.0 - 1e-6)) if cross.size else None
    scales = theory.depth_scales("tanh", sigma_w2=sigma_w2, sigma_b2=sigma_b2, c_bracket=bracket)
    if abs(scales.chi_1 - 1.0) < 5e-3:
        phase = "at the edge of chaos"
    else:
        phase = "ordered" if scales.chi_1 < 1 else "chaotic"
    xi = "infinite" if math.isinf(scales.xi_c) else f"{scales.xi_c:.3g} layers"
    summary = (
        f"sigma_w^2 = {sigma_w2:.2f}, sigma_b^2 = {sigma_b2:.3f}: q* = {scales.q_star:.3f}, "
        f"chi_1 = {scales.chi_1:.3f} ({phase}), c* = {scales.c_star:.3f}, xi_c = {xi}"
    )
    return ChaosResult(sigma_w2, sigma_b2, scales, c, c_next, phase, summary)


def edge_of_chaos_explorer(sigma_w2: float = 1.5, sigma_b2: float = 0.05) -> Explorer:
    """Sliders for sigma_w^2 and sigma_b^2 of a tanh net: where it sits, and its c-map.

    Left, the point on the phase diagram with the chi_1 = 1 line; right, the correlation
    map c_l -> c_{l+1} with its stable fixed point c*. The summary line gives q*, chi_1,
    the phase, c* and xi_c. Introduced in notebook 06.
    """
    import ipywidgets as widgets

    from .plots import plot_phase_diagram

    controls = {
        "sigma_w2": widgets.FloatSlider(
            value=sigma_w2,
            min=0.5,
            max=4.0,
            step=0.05,
            description="sigma_w²",
            readout_format=".2f",
            continuous_update=False,
        ),
        "sigma_b2": widgets.FloatSlider(
            value=sigma_b2,
            min=0.0,
            max=0.3,
            step=0.01,
            description="sigma_b²",
            readout_format=".2f",
            continuous_update=False,
        ),
    }
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.0))
    diagram = theory.phase_diagram("tanh", np.linspace(0.5, 4.0, 36), np.linspace(0.0, 0.3, 16))
    plot_phase_diagram(diagram, ax=ax1, colorbar=False)  # the static figure has the colour key
    for ax in (ax1, ax2):
        ax.grid(False)  # fewer lines to draw on every move
    (point,) = ax1.plot([], [], "o", ms=9, mec="k", color=PALETTE["green"], label="your net")
    ax1.legend(loc="lower left", bbox_to_anchor=(0.0, 0.6))
    ax2.plot([0, 1], [0, 1], color="0.6", lw=1, ls=":", label="c_{l+1} = c_l")
    (curve,) = ax2.plot([], [], color=PALETTE["blue"], lw=2, label="correlation map")
    (star,) = ax2.plot([], [], "o", color=PALETTE["vermillion"], ms=7, label="stable c*")
    ax2.set_xlim(0, 1)
    ax2.set_ylim(0, 1.02)
    ax2.set_xlabel("c_l")
    ax2.set_ylabel("c_{l+1}")
    ax2.legend(loc="upper left")

    def draw(r: ChaosResult) -> None:
        point.set_data([r.sigma_w2], [r.sigma_b2])
        curve.set_data(r.c, r.c_next)
        star.set_data([r.scales.c_star], [r.scales.c_star])
        ax1.set_title(f"chi_1 = {r.scales.chi_1:.3f}: {r.phase}")
        xi = "infinite" if math.isinf(r.scales.xi_c) else f"{r.scales.xi_c:.3g} layers"
        ax2.set_title(f"c* = {r.scales.c_star:.3f}, xi_c = {xi}")

    return Explorer(controls=controls, compute=compute_edge_of_chaos, draw=draw, figure=fig)
