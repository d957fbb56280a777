"""Finite width: how far one random network's signal strays from the average one.

Xavier's and He's rules fix the *mean* of the squared norm ``E[|x_l|^2]`` layer by layer.
One network of finite width does not follow the mean: with Gaussian weights, layer ``l``
multiplies the squared norm by a random factor ``R_l`` whose law does not depend on the
input (the weights are rotation invariant), so ``ln(|x_L|^2 / |x_0|^2) = sum_l ln R_l`` is a
sum of independent terms, approximately normal with a variance that adds up layer by layer:

* linear layers with ``Var(W) = 1 / n_in``: ``R = chi^2_n / n`` and
  ``Var(ln R) = psi_1(n / 2)`` (the trigamma function), about ``2 / n`` for wide layers;
* ReLU layers with He's ``Var(W) = 2 / n_in``: ``R = (2 / n) chi^2_K`` with
  ``K ~ Binomial(n, 1/2)`` live units; ``Var(R) = 5 / n`` exactly, so
  ``Var(ln R)`` is about ``5 / n`` for wide layers (Hanin 2018, "Which Neural Net
  Architectures Give Rise to Exploding and Vanishing Gradients?"; Hanin & Rolnick 2018,
  "How to Start Training: The Effect of Initialization and Architecture"); with
  probability ``2^-n`` no unit is live and the signal is exactly 0 from there on.

So the spread of ``ln |x_L|^2`` grows with ``sum_l 1 / n_l``, the depth-to-width ratio,
while the mean stays where the variance rule put it. Everything here is exact (no
scipy: the digamma and trigamma values at half-integers follow from a recurrence).
Introduced in notebook 07.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._validation import as_rng, check_choice, check_finite_number, check_positive_int

__all__ = [
    "EULER_GAMMA",
    "FINITE_WIDTH_ACTIVATIONS",
    "LayerLogRatio",
    "log_chi_square_moments",
    "mean_log_abs_normal",
    "layer_log_ratio_moments",
    "log_norm_spread",
    "survival_probability",
    "squared_norm_second_moment",
    "sample_log_norm_ratios",
    "residual_second_moment",
]

#: The Euler-Mascheroni constant, gamma = -psi(1).
EULER_GAMMA = 0.5772156649015329

#: The two layer types with an exact finite-width theory here: "linear" (Var(W) = 1/n_in,
#: LeCun / Xavier on square layers) and "relu" (He, Var(W) = 2/n_in).
FINITE_WIDTH_ACTIVATIONS = ("linear", "relu")

_SIGMA_W2 = {"linear": 1.0, "relu": 2.0}


def _log_chi_square_table(max_dof: int) -> tuple[np.ndarray, np.ndarray]:
    """E[ln chi^2_k] and Var[ln chi^2_k] for k = 1 .. max_dof (index k - 1).

    ``E[ln chi^2_k] = psi(k/2) + ln 2`` and ``Var[ln chi^2_k] = psi_1(k/2)``, with
    ``psi(1/2) = -gamma - 2 ln 2``, ``psi(1) = -gamma``, ``psi_1(1/2) = pi^2/2``,
    ``psi_1(1) = pi^2/6`` and the recurrences ``psi(x+1) = psi(x) + 1/x``,
    ``psi_1(x+1) = psi_1(x) - 1/x^2``.
    """
    k = np.arange(1, max_dof + 1)
    mean = np.empty(max_dof)
    var = np.empty(max_dof)
    for parity, psi0, psi1 in (
        (1, -EULER_GAMMA - 2 * math.log(2.0), math.pi**2 / 2),  # x = 1/2, 3/2, ...
        (0, -EULER_GAMMA, math.pi**2 / 6),  # x = 1, 2, ...
    ):
        sel = k % 2 == parity
        xs = k[sel][:-1] / 2.0  # psi(x_j) = psi(x_0) + sum_{i<j} 1 / x_i
        mean[sel] = psi0 + np.concatenate(([0.0], np.cumsum(1.0 / xs))) + math.log(2.0)
        var[sel] = psi1 - np.concatenate(([0.0], np.cumsum(1.0 / xs**2)))
    return mean, var


def log_chi_square_moments(dof: int) -> tuple[float, float]:
    """Exact mean and variance of ``ln chi^2_k``: ``(psi(k/2) + ln 2, psi_1(k/2))``.

    Parameters
    ----------
    dof : int
        The degrees of freedom k >= 1 (a sum of k squared N(0, 1) draws).

    Returns
    -------
    (float, float)
        For k = 1: ``(-gamma - ln 2, pi^2 / 2) = (-1.2704, 4.9348)``. For large k the
        variance is about ``2 / k`` (the delta method on ``Var(chi^2_k) = 2k``).
    """
    dof = check_positive_int("dof", dof)
    mean, var = _log_chi_square_table(dof)
    return float(mean[-1]), float(var[-1])


def mean_log_abs_normal() -> float:
    """``E[ln |w|]`` for ``w ~ N(0, 1)``: ``-(gamma + ln 2) / 2 = -0.6352``.

    Half of ``E[ln chi^2_1] = psi(1/2) + ln 2 = -gamma - ln 2``. A width-1 linear chain
    with ``Var(w) = 1`` has ``E[x_L^2] = 1`` at every depth, yet its median ``|x_L|`` is
    about ``exp(-0.635 L)``. Notebook 07.
    """
    return -(EULER_GAMMA + math.log(2.0)) / 2.0


def _check_activation(activation) -> str:
    return check_choice("activation", activation, FINITE_WIDTH_ACTIVATIONS)


def _check_widths(widths) -> list[int]:
    if isinstance(widths, (str, bytes)) or not isinstance(widths, (Sequence, np.ndarray)):
        raise TypeError(
            f"widths must be a list of layer widths like [8, 8, 8]; received {widths!r}"
        )
    if len(widths) == 0:
        raise ValueError("widths must hold at least one layer width; received an empty list")
    return [check_positive_int(f"widths[{i}]", int(n) if isinstance(n, np.integer) else n)
            for i, n in enumerate(widths)]  # fmt: skip


@dataclass(frozen=True)
class LayerLogRatio:
    """The law of ``ln R`` for one layer, ``R = |x_out|^2 / |x_in|^2`` on square layers.

    Attributes
    ----------
    mean, variance : float
        Mean and variance of ``ln R``; for "relu", given that some unit is live.
    p_dead : float
        Probability that no unit of the layer is live (``2^-n`` for "relu", 0 for
        "linear"): then ``R = 0`` and every later layer outputs exactly 0.
    """

    mean: float
    variance: float
    p_dead: float


def layer_log_ratio_moments(width: int, activation: str = "linear") -> LayerLogRatio:
    """Exact mean and variance of ``ln(|x_out|^2 / |x_in|^2)`` for one square Gaussian layer.

    The layer is ``x_out = phi(x_in W)`` with ``W`` of shape ``(n, n)``, i.i.d.
    ``N(0, sigma_w^2 / n)``. Given ``x_in``, ``x_in W ~ N(0, sigma_w^2 |x_in|^2 / n I)``,
    so ``R = (sigma_w^2 / n) sum_j phi(g_j)^2`` with ``g ~ N(0, I_n)``, whatever ``x_in``:

    * "linear" (``sigma_w^2 = 1``): ``R = chi^2_n / n``, ``E[ln R] = psi(n/2) + ln 2 - ln n``,
      ``Var(ln R) = psi_1(n/2)`` (``pi^2/2 = 4.93`` at n = 1, about ``2/n`` for large n);
    * "relu" (He, ``sigma_w^2 = 2``): ``R = (2/n) chi^2_K`` with ``K ~ Binomial(n, 1/2)``
      live units; given ``K >= 1`` the moments follow from the law of total variance
      over ``K`` (about ``5/n`` for large n); ``P(K = 0) = 2^-n``.

    Parameters
    ----------
    width : int
        n, the layer's width (fan_in = fan_out = n).
    activation : {"linear", "relu"}

    Returns
    -------
    LayerLogRatio
        ``mean``, ``variance`` (given survival) and ``p_dead``. Notebook 07.
    """
    n = check_positive_int("width", width)
    act = _check_activation(activation)
    m, v = _log_chi_square_table(n)
    scale = math.log(_SIGMA_W2[act] / n)
    if act == "linear":
        return LayerLogRatio(mean=scale + m[-1], variance=float(v[-1]), p_dead=0.0)
    k = np.arange(1, n + 1)
    log_pmf = np.array(
        [math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) for j in k]
    ) - n * math.log(2.0)
    p_dead = 2.0**-n
    p = np.exp(log_pmf) / (1.0 - p_dead)  # P(K = k | K >= 1)
    mean = float(np.dot(p, m))
    var = float(np.dot(p, v + m**2) - mean**2)
    return LayerLogRatio(mean=scale + mean, variance=max(var, 0.0), p_dead=p_dead)


def log_norm_spread(widths, activation: str = "linear") -> float:
    """Predicted ``Var(ln |x_L|^2)`` over random networks: ``sum_l Var(ln R_l)``.

    The factors ``R_l`` of the layers are independent, so their logs' variances add; for
    "relu" it is the variance over the networks whose signal survived every layer.
    About ``2 sum_l 1/n_l`` (linear) or ``5 sum_l 1/n_l`` (He-ReLU) for wide layers.

    Parameters
    ----------
    widths : sequence of int
        The width ``n_l`` of each square layer, ``l = 1 .. L``.
    activation : {"linear", "relu"}
    """
    act = _check_activation(activation)
    return float(sum(layer_log_ratio_moments(n, act).variance for n in _check_widths(widths)))


def survival_probability(widths, activation: str = "relu") -> float:
    """``P(x_L != 0) = prod_l (1 - 2^-n_l)`` for He-ReLU layers (1 for linear ones).

    A layer with no live unit outputs exactly 0, and so does every layer after it. For
    ten layers of width 1 the output is exactly 0 with probability ``1 - 2^-10``.
    """
    act = _check_activation(activation)
    widths = _check_widths(widths)
    if act == "linear":
        return 1.0
    return float(np.prod([1.0 - 2.0**-n for n in widths]))


def squared_norm_second_moment(widths, activation: str = "linear") -> float:
    """``E[M^2] / E[M]^2`` for ``M = |x_L|^2 / |x_0|^2``: exactly ``prod_l (1 + c / n_l)``.

    ``c = 2`` for linear layers (``Var(chi^2_n / n) = 2/n``) and ``c = 5`` for He-ReLU
    (``E[R^2] = (4/n^2) E[K^2 + 2K] = 1 + 5/n``), dead networks counted as ``M = 0``.
    ``E[M] = 1`` in both cases (the variance rule), so this is ``1 + Var(M)``: about
    ``exp(c sum_l 1/n_l)`` when every layer is wide (Hanin & Rolnick 2018).
    """
    act = _check_activation(activation)
    c = 2.0 if act == "linear" else 5.0
    return float(np.prod([1.0 + c / n for n in _check_widths(widths)]))


def sample_log_norm_ratios(widths, activation: str = "linear", n_networks: int = 1000, *, rng=None):
    """Draw ``ln(|x_l|^2 / |x_0|^2)``, l = 1..L, for ``n_networks`` random square networks.

    Each layer's output is drawn from its exact law given its input instead of drawing
    the ``n x n`` weights: for ``W`` i.i.d. ``N(0, sigma_w^2 / n)`` and a fixed ``x``,
    ``x W`` is ``N(0, sigma_w^2 |x|^2 / n I_n)``, a fresh Gaussian vector per layer. One
    input per network. Costs ``n`` draws per layer instead of ``n^2``.

    Parameters
    ----------
    widths : sequence of int
        Width of each layer (square layers, ``sigma_w^2`` 1 for linear, 2 for He-ReLU).
    activation : {"linear", "relu"}
    n_networks : int
    rng : int, Generator or None

    Returns
    -------
    ndarray of shape (n_networks, L)
        Column ``l - 1`` is ``ln(|x_l|^2 / |x_0|^2)``; ``-inf`` once a ReLU network died.
    """
    act = _check_activation(activation)
    widths = _check_widths(widths)
    n_networks = check_positive_int("n_networks", n_networks)
    gen = as_rng(rng)
    out = np.empty((n_networks, len(widths)))
    total = np.zeros(n_networks)
    sigma_w2 = _SIGMA_W2[act]
    with np.errstate(divide="ignore"):
        for layer, n in enumerate(widths):
            g = gen.standard_normal((n_networks, n))
            if act == "relu":
                np.maximum(g, 0.0, out=g)
            total = total + np.log(sigma_w2 / n * np.einsum("ij,ij->i", g, g))
            out[:, layer] = total
    return out


def residual_second_moment(n_blocks: int, branch_scale: float = 1.0, branch_gain: float = 1.0):
    """Predicted ``E|x_l|^2 / E|x_0|^2``, l = 0..n_blocks, for ``x_l = x_{l-1} + s F(x_{l-1})``.

    The branch's last weights are zero-mean and independent of ``x``, so the cross term
    vanishes in expectation and ``E|x_l|^2 = (1 + s^2 g) E|x_{l-1}|^2``, where the branch
    gain ``g = E|F(x)|^2 / |x|^2`` is the product of the branch layers' ``sigma_w^2``
    and activation second-moment factors: 1 for two linear Xavier layers, 2 for He ->
    ReLU -> He. Hence ``(1 + s^2 g)^l``: exponential in depth for ``s = 1``, at most
    ``e^g`` for ``s = 1/sqrt(L)``, exactly 1 with a zero-initialized last layer.

    Returns
    -------
    ndarray of shape (n_blocks + 1,)
        Notebook 07.
    """
    n_blocks = check_positive_int("n_blocks", n_blocks, minimum=0)
    s = check_finite_number("branch_scale", branch_scale)
    g = check_finite_number("branch_gain", branch_gain, minimum=0.0)
    return (1.0 + s * s * g) ** np.arange(n_blocks + 1)
