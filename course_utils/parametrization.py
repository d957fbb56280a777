"""Width and parametrization: standard, NTK and muP tables, the coordinate check, lr sweeps.

A parametrization says how three things scale with the width of each layer: the variance
of the initial weights, a constant *forward multiplier* on the layer's product
(``z = m * (h @ W) + b``), and the layer's learning rate. Each is a small table here, by
layer role (input: finite fan-in to the width; hidden: width to width; output: width to a
finite fan-out; bias) and optimizer (SGD-like, Adam-like), written as exponents of the
width multipliers ``m_in = fan_in / base_width`` and ``m_out = fan_out / base_width`` (1
for a finite dimension: the input's fan-in, the output's fan-out). At ``width ==
base_width`` every multiplier is 1, so each parametrization is the standard one there,
and only the way things change with width differs, as in the ``mup`` package.

- ``"standard"``: the course's networks as they always were (every exponent 0).
- ``"ntk"``: the neural-tangent parametrization (Jacot, Gabriel & Hongler 2018; Yang & Hu
  2021, "Tensor Programs IV", its NTP, a = 1/2, b = 0, c = 0): weights of O(1) variance
  under a multiplier ``1/sqrt(fan_in)`` and one global learning rate. The function at
  initialization is the standard one, draw for draw; SGD's effective rate on a hidden or
  output weight is ``lr / m_in``.
- ``"mup"``: the maximal-update parametrization, Yang et al. (2022), "Tensor Programs V:
  Tuning Large Neural Networks via Zero-Shot Hyperparameter Transfer", Table 8 (the form
  with a ``1/fan_in`` multiplier on the readout), which the ``mup`` package implements:
  ``MuReadout`` multiplies its input by ``1/width_mult`` and, after ``set_base_shapes``,
  its weights by ``sqrt(width_mult)`` (a variance constant in width); ``MuAdam`` divides the
  rate of every matrix with two infinite dimensions by ``fan_in / base_fan_in``; ``MuSGD``
  multiplies the rate of every vector-like parameter (input weights, hidden biases, the
  readout) by its width multiplier and divides that of a hidden matrix by
  ``m_in / m_out``. Table 3 of the same paper is the equivalent form without multipliers:
  ``tests/test_parametrization.py`` checks that both give the same effective exponents.

Introduced in notebook 10.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ._validation import as_rng, check_choice, check_finite_number, check_positive_int

__all__ = [
    "Rule",
    "PARAMETRIZATIONS",
    "layer_roles",
    "layer_scales",
    "lr_multipliers",
    "optimizer_kind",
    "width_mlp",
    "CoordCheck",
    "coord_check",
    "relative_change",
    "EXPLORER_WIDTHS",
    "EXPLORER_LRS",
    "WidthResult",
    "compute_width_explorer",
]


@dataclass(frozen=True)
class Rule:
    """One row of a parametrization table: exponents of ``(m_in, m_out)``.

    Each field ``(a, b)`` stands for the factor ``m_in**a * m_out**b`` applied to the
    standard network's quantity: ``init_var`` to the initializer's variance,
    ``multiplier`` to the layer's product ``h @ W`` (standard: 1), ``lr_sgd`` and
    ``lr_adam`` to the global learning rate under an SGD-like and an Adam-like optimizer.
    """

    init_var: tuple[float, float] = (0.0, 0.0)
    multiplier: tuple[float, float] = (0.0, 0.0)
    lr_sgd: tuple[float, float] = (0.0, 0.0)
    lr_adam: tuple[float, float] = (0.0, 0.0)


_SAME = Rule()

PARAMETRIZATIONS: dict[str, dict[str, Rule]] = {
    # every network of the course before notebook 10: nothing depends on width
    "standard": {"input": _SAME, "hidden": _SAME, "output": _SAME, "bias": _SAME},
    # Jacot et al. 2018; Yang & Hu 2021 (TP IV): W ~ N(0, sigma^2), multiplier 1/sqrt(fan_in)
    # on every layer whose fan-in is the width, one learning rate for all
    "ntk": {
        "input": _SAME,
        "hidden": Rule(init_var=(1.0, 0.0), multiplier=(-0.5, 0.0)),
        "output": Rule(init_var=(1.0, 0.0), multiplier=(-0.5, 0.0)),
        "bias": _SAME,
    },
    # Yang et al. 2022 (TP V), Table 8, as microsoft/mup implements it
    "mup": {
        "input": Rule(lr_sgd=(0.0, 1.0)),  # SGD LR fan_out; Adam LR 1
        "hidden": Rule(lr_sgd=(-1.0, 1.0), lr_adam=(-1.0, 0.0)),  # SGD 1 (square); Adam 1/fan_in
        "output": Rule(init_var=(1.0, 0.0), multiplier=(-1.0, 0.0), lr_sgd=(1.0, 0.0)),
        "bias": Rule(lr_sgd=(0.0, 1.0)),  # "all biases": SGD LR fan_out; Adam LR 1
    },
}


def _check_parametrization(parametrization: str) -> str:
    check_choice("parametrization", parametrization, PARAMETRIZATIONS, what="parametrization")
    return parametrization


def layer_roles(n_layers: int) -> list[str]:
    """``"input"``, ``"hidden"``..., ``"output"`` for ``n_layers`` weight matrices.

    A single layer maps a finite dimension to a finite one: it is called "input" and
    every table leaves it alone (both its multipliers are 1).
    """
    n_layers = check_positive_int("n_layers", n_layers)
    if n_layers == 1:
        return ["input"]
    return ["input"] + ["hidden"] * (n_layers - 2) + ["output"]


def _multipliers(layer_sizes: Sequence[int], base_width) -> list[tuple[float, float]]:
    """``(m_in, m_out)`` of every layer: width / base_width, 1 for the finite ends."""
    L = len(layer_sizes) - 1
    out = []
    for i in range(L):
        m_in = 1.0 if i == 0 else layer_sizes[i] / base_width
        m_out = 1.0 if i == L - 1 else layer_sizes[i + 1] / base_width
        out.append((m_in, m_out))
    return out


def _factor(exponents: tuple[float, float], m: tuple[float, float]) -> float:
    a, b = exponents
    return (m[0] ** a if a else 1.0) * (m[1] ** b if b else 1.0)


def _check_base_width(parametrization: str, base_width):
    if base_width is None:
        if parametrization != "standard":
            raise ValueError(
                f"parametrization={parametrization!r} needs base_width, the width at which "
                "it equals the standard one (for example base_width=64); received None"
            )
        return None
    return check_positive_int("base_width", base_width)


def layer_scales(layer_sizes: Sequence[int], parametrization: str = "standard", base_width=None):
    """Per layer, ``(variance factor, forward multiplier)`` of a parametrization.

    The variance factor multiplies the variance of the weights the initializer drew (an
    MLP scales its draws by its square root); the forward multiplier ``m`` makes the
    layer compute ``z = m * (h @ W) + b``. Under "standard" both are 1 everywhere.
    """
    _check_parametrization(parametrization)
    base_width = _check_base_width(parametrization, base_width)
    sizes = [check_positive_int(f"layer_sizes[{i}]", n) for i, n in enumerate(layer_sizes)]
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least two entries; received {sizes!r}")
    if base_width is None:
        return [(1.0, 1.0)] * (len(sizes) - 1)
    table = PARAMETRIZATIONS[parametrization]
    roles = layer_roles(len(sizes) - 1)
    return [
        (_factor(table[role].init_var, m), _factor(table[role].multiplier, m))
        for role, m in zip(roles, _multipliers(sizes, base_width))
    ]


def optimizer_kind(optimizer) -> str:
    """``"adam"`` for Adam (by name or object), ``"sgd"`` for SGD and momentum.

    The ``mup`` package's rule: an optimizer that normalizes the gradient entry by entry
    takes ``MuAdam``'s table, an SGD-like one ``MuSGD``'s.
    """
    from .optimizers import OPTIMIZERS, Adam

    if isinstance(optimizer, str):
        check_choice("optimizer", optimizer, OPTIMIZERS, what="optimizer")
        return "adam" if optimizer == "adam" else "sgd"
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(
            f"optimizer must be 'sgd', 'momentum', 'adam' or an optimizer object; received "
            f"{optimizer!r}"
        )
    return "adam" if isinstance(optimizer, Adam) else "sgd"


def lr_multipliers(
    layer_sizes: Sequence[int], parametrization: str, optimizer="sgd", base_width=None
) -> list[float] | None:
    """The learning-rate multiplier of every parameter ``[W_0, b_0, W_1, b_1, ...]``.

    None under "standard" (one rate for all). ``optimizer`` is a name or an optimizer
    object; momentum takes SGD's table, as ``MuSGD`` wraps any SGD-like optimizer.
    """
    kind = optimizer_kind(optimizer)
    layer_scales(layer_sizes, parametrization, base_width)  # checks the rest
    if parametrization == "standard":
        return None
    table = PARAMETRIZATIONS[parametrization]
    field = "lr_adam" if kind == "adam" else "lr_sgd"
    out = []
    sizes = list(layer_sizes)
    for role, m in zip(layer_roles(len(sizes) - 1), _multipliers(sizes, base_width)):
        out.append(_factor(getattr(table[role], field), m))
        out.append(_factor(getattr(table["bias"], field), (1.0, m[1])))
    return out


def width_mlp(
    width: int,
    parametrization: str = "standard",
    *,
    base_width: int = 64,
    n_hidden: int = 2,
    n_in: int = 64,
    n_out: int = 10,
    zero_readout: bool | None = None,
    rng=None,
):
    """The lesson's network: ``n_in -> width x n_hidden -> n_out``, ReLU, He-normal init.

    ``zero_readout`` (default: True under "mup", else False) sets the output weights to
    zero, as ``MuReadout(readout_zero_init=True)`` and Tensor Programs V recommend: under
    muP the readout at init shrinks like ``1/sqrt(width)`` anyway.
    """
    from .network import MLP

    width = check_positive_int("width", width)
    n_hidden = check_positive_int("n_hidden", n_hidden)
    sizes = [n_in] + [width] * n_hidden + [n_out]
    base = None if parametrization == "standard" else base_width
    net = MLP(sizes, "relu", "he_normal", parametrization=parametrization, base_width=base, rng=rng)
    if zero_readout is None:
        zero_readout = parametrization == "mup"
    if zero_readout:
        net.weights[-1][...] = 0.0
    return net


@dataclass(frozen=True)
class CoordCheck:
    """A coordinate check: per width, step and layer, the size of the activations.

    Attributes
    ----------
    widths : ndarray of int, shape (n_widths,)
    layers : tuple of str
        ``"hidden 1"``, ..., ``"output"`` (the logits).
    size : ndarray, shape (n_widths, steps + 1, n_layers)
        Mean ``|x_t|`` over the coordinates, the batch and the repeats: the ``l1`` that
        the ``mup`` package's ``get_coord_data`` records (t = 0 is initialization).
    change : ndarray, shape (n_widths, steps + 1, n_layers)
        Mean ``|x_t - x_0|``: how far each coordinate moved after t steps.
    steps, optimizer, lr, repeats
        The settings.
    """

    widths: np.ndarray
    layers: tuple
    size: np.ndarray
    change: np.ndarray
    steps: int
    optimizer: str
    lr: float
    repeats: int


def coord_check(
    make_net: Callable,
    widths: Sequence[int],
    X,
    y,
    *,
    steps: int = 3,
    optimizer: str = "adam",
    lr: float = 1e-2,
    rng=None,
    repeats: int = 1,
    loss: str = "cross_entropy",
) -> CoordCheck:
    """Train ``make_net(width, rng=seed)`` for ``steps`` full-batch steps; record activations.

    The coordinate check of Yang et al. (2022) and the ``mup`` package's
    ``get_coord_data``: after every step, the batch ``X`` goes through the network and
    the mean absolute value of every hidden activation and of the output is recorded,
    with its change since initialization. Under a parametrization that is right for
    width, neither grows nor vanishes as the width grows.

    Parameters
    ----------
    make_net : callable
        ``make_net(width, rng=seed)`` -> an MLP (for example :func:`width_mlp` with its
        parametrization bound).
    widths : sequence of int
    X, y : ndarray
        One batch and its labels (or targets), used for every step.
    steps, repeats : int
        Optimizer steps; networks per width (fresh seeds, averaged).
    optimizer : {"sgd", "momentum", "adam"}
    lr : float
        Global learning rate; each layer's own rate is ``lr`` times the network's
        multiplier (:func:`lr_multipliers`).
    rng : int, Generator or None
        Draws one seed per network.
    """
    from .optimizers import get_optimizer
    from .training import train_step

    if isinstance(widths, (str, bytes)) or not isinstance(widths, (Sequence, np.ndarray)):
        raise TypeError(f"widths must be a list of ints like [64, 256]; received {widths!r}")
    widths = [check_positive_int(f"widths[{i}]", w) for i, w in enumerate(widths)]
    if not widths:
        raise ValueError("widths is empty; give at least one width, like [64, 256]")
    if not callable(make_net):
        raise TypeError(f"make_net must be a function make_net(width, rng); received {make_net!r}")
    steps = check_positive_int("steps", steps)
    repeats = check_positive_int("repeats", repeats)
    lr = check_finite_number("lr", lr, minimum=0.0, strict=True)
    optimizer_kind(optimizer)
    gen = as_rng(rng)
    seeds = gen.integers(0, 2**32, size=(len(widths), repeats))
    X = np.asarray(X, dtype=np.float64)
    size, change, layers = None, None, None
    for wi, width in enumerate(widths):
        for r in range(repeats):
            net = make_net(width, rng=int(seeds[wi, r]))
            opt = get_optimizer(optimizer, lr)
            with np.errstate(all="ignore"):
                first = _record(net, X)
                if size is None:
                    n_layers = len(first)
                    layers = tuple(f"hidden {k + 1}" for k in range(n_layers - 1)) + ("output",)
                    size = np.zeros((len(widths), steps + 1, n_layers))
                    change = np.zeros_like(size)
                for t in range(steps + 1):
                    if t == 0:
                        acts = first
                    elif t < steps:  # the forward pass of step t + 1 sees the weights after t
                        _, out = train_step(net, opt, X, y, loss=loss)
                        acts = [*net.activations, out]
                    else:
                        acts = _record(net, X)
                    for k, (a, a0) in enumerate(zip(acts, first)):
                        size[wi, t, k] += np.mean(np.abs(a)) / repeats
                        change[wi, t, k] += np.mean(np.abs(a - a0)) / repeats
                    if t == 0:
                        train_step(net, opt, X, y, loss=loss)
    return CoordCheck(
        np.array(widths), layers, size, change, steps, str(optimizer), float(lr), repeats
    )


def _record(net, X) -> list[np.ndarray]:
    """Copies of every hidden activation and of the output of ``net`` on ``X``."""
    out = net.forward(X)
    return [a.copy() for a in net.activations] + [out.copy()]


def relative_change(before: Sequence[np.ndarray], after: Sequence[np.ndarray]) -> np.ndarray:
    """``|W_after - W_before| / |W_before|`` (Frobenius) for each pair of weight matrices."""
    return np.array(
        [
            math.sqrt(float(np.sum((a - b) ** 2))) / math.sqrt(float(np.sum(b**2)))
            for b, a in zip(before, after)
        ]
    )


# --- what the width explorer computes ------------------------------------------------
EXPLORER_WIDTHS = (64, 128, 256, 512)  # 1024 takes ~4x a move's budget of 50 ms
EXPLORER_LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)


@dataclass(frozen=True)
class WidthResult:
    """The coordinate check of one width beside the base width's, for the explorer.

    ``change[0]`` is the base width's, ``change[1]`` the chosen width's: each
    ``(steps + 1, n_layers)``, the mean ``|x_t - x_0|`` of every layer after t Adam steps.
    """

    width: int
    parametrization: str
    lr: float
    base_width: int
    layers: tuple
    change: np.ndarray
    summary: str


def compute_width_explorer(
    width: int = 256,
    parametrization: str = "standard",
    lr: float = 1e-2,
    *,
    base_width: int = 64,
    steps: int = 3,
    batch: int = 8,
    seed: int = 10,
) -> WidthResult:
    """Pure compute of the width explorer: Adam's coordinate check at ``width`` and the base.

    A ``64 -> width -> width -> 10`` ReLU MLP (:func:`width_mlp`, its readout drawn, not
    zeroed, so the first step already moves every layer) on a fixed Gaussian batch with
    random labels; the same seed at both widths.
    """
    width = check_positive_int("width", width)
    _check_parametrization(parametrization)
    lr = check_finite_number("lr", lr, minimum=0.0, strict=True)
    gen = np.random.default_rng(seed)
    X, y = gen.normal(size=(batch, 64)), gen.integers(0, 10, batch)

    def make(w, rng):
        return _fresh_copy(w, parametrization, base_width, rng)

    runs = [
        coord_check(make, [w], X, y, steps=steps, optimizer="adam", lr=lr, rng=seed)
        for w in (base_width, width)
    ]  # one call per width: the same network seed at both
    change = np.concatenate([cc.change for cc in runs])
    last = change[:, -1]
    ratio = last[1, -1] / last[0, -1] if last[0, -1] > 0 else math.inf
    summary = (
        f"width {width}, {parametrization}, Adam lr {lr:g}: after {steps} steps the logits "
        f"moved {last[1, -1]:.3g} (width {base_width}: {last[0, -1]:.3g}, ratio {ratio:.3g}), "
        f"hidden 2 moved {last[1, -2]:.3g} ({last[0, -2]:.3g})"
    )
    return WidthResult(width, parametrization, lr, base_width, runs[0].layers, change, summary)


@functools.lru_cache(maxsize=6)
def _initial_net(width: int, parametrization: str, base_width: int, seed: int):
    """The explorer's network at init, drawn once (a million Gaussians cost ~20 ms)."""
    return width_mlp(width, parametrization, base_width=base_width, zero_readout=False, rng=seed)


def _fresh_copy(width, parametrization, base_width, seed):
    """A new network with the cached initial weights (copying is ten times cheaper)."""
    net = copy.deepcopy(_initial_net(width, parametrization, base_width, seed))
    net.__dict__.pop("_buffers", None)
    return net
