"""Dynamical isometry and LSUV: the input-output Jacobian at init, and data-driven scaling.

A deep network maps an input x to h_L; its Jacobian J = dh_L/dx is a product of one factor
per layer. If every singular value of J is near 1 (dynamical isometry), every direction of
the input reaches the output, and every direction of the gradient reaches the input,
undistorted. Saxe, McClelland & Ganguli (2014); Pennington, Schoenholz & Ganguli (2017).
LSUV (Mishkin & Matas 2016) sets the scale of each layer from a batch of data instead of
from a formula. Both are introduced in notebook 06.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._validation import as_rng, check_batch, check_finite_number, check_positive_int
from .activations import get_activation
from .initializers import orthogonal

__all__ = ["input_output_jacobian", "jacobian_singular_values", "LSUVResult", "lsuv"]


def _layers(net_or_weights, activation, biases):
    """(weights, biases, activation, last_is_linear) from an MLP or a list of weight matrices."""
    if hasattr(net_or_weights, "weights") and hasattr(net_or_weights, "activation"):
        net = net_or_weights
        return list(net.weights), list(net.biases), net.activation, True
    if isinstance(net_or_weights, np.ndarray) or not isinstance(net_or_weights, Sequence):
        raise TypeError(
            "net_or_weights must be a cu.MLP or a list of weight matrices (fan_in, fan_out); "
            f"received {type(net_or_weights).__name__}"
        )
    weights = [np.asarray(w, dtype=float) for w in net_or_weights]
    if not weights:
        raise ValueError("net_or_weights is an empty list; give at least one weight matrix")
    for i, (a, b) in enumerate(zip(weights, weights[1:] + [None])):
        if a.ndim != 2:
            raise ValueError(f"weights[{i}] must be a 2-d (fan_in, fan_out) array; shape {a.shape}")
        if b is not None and b.ndim == 2 and a.shape[1] != b.shape[0]:
            raise ValueError(
                f"weights[{i}] has shape {a.shape} but weights[{i + 1}] has shape {b.shape}: "
                "fan_out of one layer must equal fan_in of the next"
            )
    if biases is None:
        biases = [np.zeros(w.shape[1]) for w in weights]
    else:
        biases = [np.asarray(b, dtype=float) for b in biases]
        if len(biases) != len(weights) or any(
            b.shape != (w.shape[1],) for b, w in zip(biases, weights)
        ):
            raise ValueError(
                "biases must hold one vector of length fan_out per weight matrix; received "
                f"shapes {[b.shape for b in biases]}"
            )
    return weights, biases, get_activation(activation), False


def input_output_jacobian(net_or_weights, x, *, activation="tanh", biases=None) -> np.ndarray:
    """The Jacobian of a deep network's output with respect to one input, at ``x``.

    With z_l = h_{l-1} W_l + b_l and h_l = phi(z_l) (row vectors, the course's convention),

    .. math:: J = \\frac{\\partial h_L}{\\partial x} = W_1 D_1 W_2 D_2 \\cdots W_L D_L,
              \\qquad D_l = \\operatorname{diag}(\\phi'(z_l)),

    so ``J[i, j] = d h_L[j] / d x[i]``, shape (n_in, n_out). (In column convention, as in
    Pennington et al. 2017, it is the transpose, D_L W_L ... D_1 W_1: the same singular
    values.)

    Parameters
    ----------
    net_or_weights : MLP or list of ndarray
        A :class:`course_utils.MLP` (its activation, biases, and its linear last layer:
        D_L = I), or a list of weight matrices ``(fan_in, fan_out)`` with ``activation``
        after every layer, the last one included (the deep net of Pennington et al.).
    x : ndarray of shape (n_in,)
        One input.
    activation : str or Activation, default "tanh"
        Used with a list of weights only.
    biases : list of ndarray, optional
        With a list of weights: one (fan_out,) vector per layer; zeros by default.

    Returns
    -------
    ndarray of shape (n_in, n_out). Notebook 06.
    """
    weights, biases, act, last_linear = _layers(net_or_weights, activation, biases)
    h = np.asarray(x, dtype=float)
    if h.shape != (weights[0].shape[0],):
        raise ValueError(
            f"x must be one input of shape ({weights[0].shape[0]},); received shape {h.shape}"
        )
    jac = np.eye(h.size)
    with np.errstate(all="ignore"):
        for i, (w, b) in enumerate(zip(weights, biases)):
            z = h @ w + b
            jac = jac @ w
            if last_linear and i == len(weights) - 1:
                h = z
            else:
                jac *= act.derivative(z)  # right-multiplying by D_l scales the columns
                h = act.forward(z)
    return jac


def jacobian_singular_values(net_or_weights, x, *, activation="tanh", biases=None) -> np.ndarray:
    """Singular values of :func:`input_output_jacobian`, largest first, shape (min(n_in, n_out),).

    Dynamical isometry means all of them near 1. At init, orthogonal weights on a tanh
    network near its critical point give that; Gaussian weights spread them over orders of
    magnitude (the product of L random matrices); ReLU never does, since half the
    entries of every D_l are 0 (many singular values are exactly 0). Pennington, Schoenholz
    & Ganguli (2017), "Resurrecting the sigmoid in deep learning through dynamical
    isometry: theory and practice". Notebook 06.
    """
    jac = input_output_jacobian(net_or_weights, x, activation=activation, biases=biases)
    if not np.all(np.isfinite(jac)):
        raise ValueError("the Jacobian holds inf or nan: the network overflowed at this input")
    return np.linalg.svd(jac, compute_uv=False)


@dataclass(frozen=True)
class LSUVResult:
    """What :func:`lsuv` did, layer by layer (each array has one entry per weight matrix).

    Attributes
    ----------
    variances_before : ndarray
        Var(z_l) over the batch (all units, all samples) before LSUV touched layer l, with
        the layers below already rescaled (and, with ``orthogonal=True``, this layer's
        weights already orthogonal).
    variances : ndarray
        Var(z_l) when LSUV stopped on layer l.
    iterations : ndarray of int
        Rescalings of layer l (0 when it was already within ``tol``).
    converged : ndarray of bool
        |Var(z_l) - 1| <= tol reached within ``max_iter``.
    tol, max_iter
        The settings used.
    """

    variances_before: np.ndarray
    variances: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    tol: float
    max_iter: int

    @property
    def all_converged(self) -> bool:
        """True when every layer reached unit variance within ``tol``."""
        return bool(self.converged.all())

    @property
    def summary(self) -> str:
        """One line: how many layers converged, and the first that did not."""
        n = self.converged.size
        if self.all_converged:
            most = int(self.iterations.max())
            return (
                f"LSUV: all {n} layers at Var(z) = 1 +- {self.tol:g} after at most "
                f"{most} rescaling{'' if most == 1 else 's'} each"
            )
        bad = int(np.flatnonzero(~self.converged)[0])
        return (
            f"LSUV: {int(self.converged.sum())} of {n} layers converged; layer {bad + 1} "
            f"stopped at Var(z) = {self.variances[bad]:.4g} after {int(self.iterations[bad])} "
            f"rescalings (max_iter = {self.max_iter}, tol = {self.tol:g})"
        )


def lsuv(
    net, X, *, tol: float = 0.01, max_iter: int = 10, orthogonal_first: bool = True, rng=None
) -> LSUVResult:
    """Layer-sequential unit-variance init (Mishkin & Matas 2016, "All you need is a good init").

    1. With ``orthogonal_first`` (the paper's recipe), replace every weight matrix with an
       orthogonal one of the same shape (:func:`course_utils.orthogonal`, gain 1).
    2. For l = 1, ..., L in turn: pass the batch ``X`` through the layers already done,
       compute the variance v of this layer's pre-activations z_l = h_{l-1} W_l + b_l over
       all units and samples, and while |v - 1| > ``tol`` and fewer than ``max_iter``
       rescalings were made, set W_l <- W_l / sqrt(v).

    With zero biases one rescaling is exact; with biases the loop needs a few. A layer
    that cannot reach 1 (its biases alone have variance above 1 + tol, or its input is
    constant so v = 0) stops at ``max_iter`` or at once and is reported in
    :attr:`LSUVResult.converged`, never by looping forever. The net is changed in place.

    What it does not do: it fixes only the forward scale on one batch; gradients, the
    shape of the Jacobian's spectrum (isometry), dead ReLU units and what happens once
    training moves the weights are not its business.

    Parameters
    ----------
    net : MLP
        Its ``weights`` are rescaled in place; the last (linear) layer too.
    X : ndarray of shape (n_samples, n_in)
        A data batch, n_samples >= 2.
    tol : float, default 0.01
        Accept |Var(z_l) - 1| <= tol.
    max_iter : int, default 10
        At most this many rescalings per layer.
    orthogonal_first : bool, default True
    rng : int, Generator or None, default None
        For the orthogonal matrices.

    Returns
    -------
    LSUVResult. Notebook 06.
    """
    if not (hasattr(net, "weights") and hasattr(net, "activation") and hasattr(net, "forward")):
        raise TypeError(f"net must be a cu.MLP; received {type(net).__name__}")
    tol = check_finite_number("tol", tol, minimum=0.0, strict=True)
    max_iter = check_positive_int("max_iter", max_iter)
    X = check_batch("X", X, net.weights[0].shape[0], min_samples=2)
    gen = as_rng(rng)
    if orthogonal_first:
        for i, w in enumerate(net.weights):
            net.weights[i] = orthogonal(*w.shape, rng=gen)
    n = len(net.weights)
    before, after = np.empty(n), np.empty(n)
    iterations, converged = np.zeros(n, dtype=int), np.zeros(n, dtype=bool)
    h = X
    with np.errstate(all="ignore"):
        for i, (w, b) in enumerate(zip(net.weights, net.biases)):
            z = h @ w + b
            v = before[i] = float(np.var(z))
            while abs(v - 1.0) > tol and iterations[i] < max_iter:
                if not (math.isfinite(v) and v > 0):
                    break  # nothing to divide by: report it, do not loop
                w *= 1.0 / math.sqrt(v)
                iterations[i] += 1
                z = h @ w + b
                v = float(np.var(z))
            after[i], converged[i] = v, abs(v - 1.0) <= tol
            h = z if i == n - 1 else net.activation.forward(z)
    return LSUVResult(before, after, iterations, converged, tol, max_iter)
