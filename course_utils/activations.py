"""Activation functions, each with its derivative right beside it.

An :class:`Activation` has a ``name``, ``forward(z)`` and ``derivative(z)`` (d phi / dz,
evaluated at the pre-activation ``z``). All work element-wise on float arrays and stay
quiet (no RuntimeWarning) on huge inputs: an exploding network is a lesson, not a crash.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import check_choice

__all__ = ["Activation", "ACTIVATIONS", "get_activation", "erf", "SELU_ALPHA", "SELU_LAMBDA"]

#: SELU constants, Klambauer, Unterthiner, Mayr & Hochreiter (2017), "Self-Normalizing
#: Neural Networks": the fixed point (mean 0, variance 1) of the SELU map under LeCun init.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946
_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def erf(x) -> np.ndarray:
    """Vectorised error function, absolute error below 1.5e-7.

    Abramowitz & Stegun (1964), formula 7.1.26; numpy has no ``erf`` and the course
    does not depend on SciPy. Used by the exact (erf-based) GELU.
    """
    x = np.asarray(x, dtype=float)
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return s * (1.0 - poly * np.exp(-a * a))


@dataclass(frozen=True)
class Activation:
    """An activation function phi with its derivative.

    Attributes
    ----------
    name : str
    forward : callable, ndarray -> ndarray
        phi(z), element-wise.
    derivative : callable, ndarray -> ndarray
        phi'(z), element-wise, at the pre-activation z.
    formula : str
        The definition in LaTeX, for plots and docs.
    """

    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    formula: str = ""

    def __call__(self, z):
        """Apply phi element-wise: ``act(z)`` is ``act.forward(z)``."""
        return self.forward(z)

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


# --- linear -------------------------------------------------------------------------
def _linear(z):
    return np.asarray(z, dtype=float)


def _linear_grad(z):
    return np.ones_like(z, dtype=float)


# --- relu ---------------------------------------------------------------------------
def _relu(z):
    return np.maximum(z, 0.0)


def _relu_grad(z):
    return (np.asarray(z) > 0).astype(float)


# --- leaky relu (slope 0.01, PyTorch's default) ---------------------------------------
LEAKY_SLOPE = 0.01


def _leaky_relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _leaky_relu_grad(z):
    return np.where(np.asarray(z) > 0, 1.0, LEAKY_SLOPE)


# --- tanh ---------------------------------------------------------------------------
def _tanh(z):
    return np.tanh(z)


def _tanh_grad(z):
    t = np.tanh(z)
    return 1.0 - t * t


# --- sigmoid (stable for large |z|) ---------------------------------------------------
def _sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_grad(z):
    s = _sigmoid(z)
    return s * (1.0 - s)


# --- selu ---------------------------------------------------------------------------
def _selu(z):
    z = np.asarray(z, dtype=float)
    neg = SELU_ALPHA * np.expm1(np.minimum(z, 0.0))  # min(): no overflow for large z
    return SELU_LAMBDA * np.where(z > 0, z, neg)


def _selu_grad(z):
    z = np.asarray(z, dtype=float)
    return SELU_LAMBDA * np.where(z > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(z, 0.0)))


# --- gelu (exact, erf-based) -----------------------------------------------------------
def _gelu(z):
    z = np.asarray(z, dtype=float)
    return 0.5 * z * (1.0 + erf(z / _SQRT2))


def _gelu_grad(z):
    z = np.asarray(z, dtype=float)
    cdf = 0.5 * (1.0 + erf(z / _SQRT2))
    pdf = _INV_SQRT_2PI * np.exp(-0.5 * np.minimum(z * z, 1e4))
    return cdf + z * pdf


# --- silu (swish) ---------------------------------------------------------------------
def _silu(z):
    z = np.asarray(z, dtype=float)
    return z * _sigmoid(z)


def _silu_grad(z):
    s = _sigmoid(z)
    return s * (1.0 + np.asarray(z, dtype=float) * (1.0 - s))


def _derivative_from_output(act: Activation, z, h) -> np.ndarray:
    """phi'(z), given h = phi(z) too: tanh's and sigmoid's from h, as they compute it.

    The course's tanh' is 1 - tanh(z)^2 and sigmoid' is s (1 - s) with s = sigmoid(z); from
    the h already computed they are the same numbers, without a second tanh or sigmoid
    (the costliest part of a wide layer's pass, or of a quadrature's). Any other
    activation: its own derivative of z.
    """
    if ACTIVATIONS.get(act.name) is act:
        if act.name == "tanh":
            d = h * h
            return np.subtract(1.0, d, out=d)
        if act.name == "sigmoid":
            return h * (1.0 - h)
    return act.derivative(z)


def _quiet(fn):
    """Run ``fn`` with floating-point warnings off: inf and nan pass through silently."""

    def wrapped(z):
        with np.errstate(all="ignore"):
            return fn(z)

    wrapped.__name__ = fn.__name__
    return wrapped


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("linear", _quiet(_linear), _quiet(_linear_grad), r"\phi(z) = z"),
        Activation("relu", _quiet(_relu), _quiet(_relu_grad), r"\phi(z) = \max(z, 0)"),
        Activation(
            "leaky_relu",
            _quiet(_leaky_relu),
            _quiet(_leaky_relu_grad),
            r"\phi(z) = \max(z, 0.01 z)",
        ),
        Activation("tanh", _quiet(_tanh), _quiet(_tanh_grad), r"\phi(z) = \tanh z"),
        Activation(
            "sigmoid", _quiet(_sigmoid), _quiet(_sigmoid_grad), r"\phi(z) = 1 / (1 + e^{-z})"
        ),
        Activation(
            "selu",
            _quiet(_selu),
            _quiet(_selu_grad),
            r"\phi(z) = \lambda\,[z > 0]\,z + \lambda\alpha\,[z \le 0]\,(e^z - 1)",
        ),
        Activation("gelu", _quiet(_gelu), _quiet(_gelu_grad), r"\phi(z) = z\,\Phi(z)"),
        Activation("silu", _quiet(_silu), _quiet(_silu_grad), r"\phi(z) = z\,\sigma(z)"),
    )
}


def get_activation(name) -> Activation:
    """Return the :class:`Activation` called ``name`` (an Activation is returned as is).

    Names: linear, relu, leaky_relu (slope 0.01), tanh, sigmoid, selu, gelu (exact,
    erf-based), silu. An unknown name raises ``ValueError`` with the closest match.
    """
    if isinstance(name, Activation):
        return name
    check_choice("activation", name, ACTIVATIONS, what="activation")
    return ACTIVATIONS[name]
