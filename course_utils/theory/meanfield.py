"""The mean-field variance map, its iteration over depth, and the gradient factor chi_1.

A layer z' = h W + b with W_ij ~ (0, sigma_w^2 / n) and b_j ~ (0, sigma_b^2) turns
pre-activations of second moment q into pre-activations of second moment
q' = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2 (z ~ N(0, 1)), and multiplies the second
moment of back-propagated gradients by chi_1 = sigma_w^2 E[phi'(sqrt(q) z)^2]
(Poole et al. 2016; Schoenholz et al. 2017). Introduced in notebook 04.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validation import check_finite_number, check_positive_int
from ..activations import _derivative_from_output, get_activation
from .quadrature import _gaussian_nodes

__all__ = [
    "weight_variance",
    "variance_map",
    "iterate_variance_map",
    "chi_1",
    "PropagationPrediction",
    "predict_propagation",
]


def _moments(act, q: float) -> tuple[float, float, float]:
    """(E[phi(u)], E[phi(u)^2], E[phi'(u)^2]) for u ~ N(0, q), q finite and >= 0."""
    u, w = _gaussian_nodes(q)
    with np.errstate(all="ignore"):
        h = act.forward(u)
        d = _derivative_from_output(act, u, h)
        return float(w @ h), float(w @ (h * h)), float(w @ (d * d))


def _check_map_args(activation, sigma_w2, sigma_b2):
    act = get_activation(activation)
    sigma_w2 = check_finite_number("sigma_w2", sigma_w2, minimum=0.0)
    sigma_b2 = check_finite_number("sigma_b2", sigma_b2, minimum=0.0)
    return act, sigma_w2, sigma_b2


def weight_variance(init, fan_in: int, fan_out: int, **params) -> float:
    """Var(W_ij) of a named initializer, from its formula (no sampling).

    =========================================  ==========================================
    initializer                                Var(W_ij)
    =========================================  ==========================================
    zeros                                      0
    normal(std) / uniform(limit)               std^2 / limit^2 / 3
    standard_uniform                           1 / (3 fan_in)
    variance_scaling(scale, mode)              scale / fan(mode), any distribution
    xavier_* / glorot_* (gain)                 gain^2 * 2 / (fan_in + fan_out)
    he_* / kaiming_* (gain, mode)              gain^2 / fan(mode)
    lecun_*                                    1 / fan_in
    orthogonal(gain)                           gain^2 / max(fan_in, fan_out)
    =========================================  ==========================================

    Parameters
    ----------
    init : str or callable
        A name of :data:`course_utils.INITIALIZERS`, or what
        :func:`course_utils.get_initializer` returned for one.
    fan_in, fan_out : int
        The layer's shape ``(fan_in, fan_out)``.
    **params
        The initializer's parameters (``std`` for ``normal``, ``gain``, ``mode``, ...).

    Returns
    -------
    float
        The variance of one weight. The mean-field ``sigma_w2`` of a layer is
        ``fan_in * weight_variance(...)`` (notebook 04).
    """
    from ..initializers import INITIALIZERS, get_initializer, initializer_variance

    if callable(init):
        name = getattr(init, "__name__", None)
        params = {**getattr(init, "params", {}), **params}
        if name not in INITIALIZERS or not (INITIALIZERS[name] is init or hasattr(init, "params")):
            raise TypeError(
                f"init must be an initializer name or what get_initializer returned; received "
                f"{init!r}. For your own initializer, measure it: np.var(init(fan_in, fan_out, "
                "rng=0))"
            )
    else:
        name = init
    get_initializer(name, **params)  # an unknown name, parameter or a bad value raises here
    if name == "constant":
        raise ValueError(
            "init 'constant' has zero variance and a non-zero mean; the mean-field recursion "
            "assumes zero-mean weights. Use 'zeros' or a random initializer."
        )
    fan_in = check_positive_int("fan_in", fan_in)
    fan_out = check_positive_int("fan_out", fan_out)
    # the formula is the table's (initializers.NAMED_INITS and the few others), defaults
    # included (gain sqrt(2) and mode "fan_in" for he_*); get_initializer checked the names
    return initializer_variance(name, fan_in, fan_out, **params)


def variance_map(q: float, activation, *, sigma_w2: float = 1.0, sigma_b2: float = 0.0) -> float:
    """One layer of the mean-field variance map: q' = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2.

    .. math:: q_{l+1} = \\sigma_w^2\\,\\mathbb{E}_{z\\sim N(0,1)}
              \\big[\\phi(\\sqrt{q_l}\\,z)^2\\big] + \\sigma_b^2

    ``q`` is the second moment of a layer's pre-activations (per unit, over inputs and
    weights); weights have variance ``sigma_w2 / fan_in`` and biases ``sigma_b2``. The
    expectation is a quadrature against the Gaussian density (composite Gauss-Legendre,
    accurate to ~1e-10 where plain Gauss-Hermite trips on relu's kink and, at large q,
    on tanh's bend), not a sample. Poole et al. (2016), "Exponential
    expressivity in deep neural networks through transient chaos". Notebook 04.
    """
    q = check_finite_number("q", q, minimum=0.0)
    act, sigma_w2, sigma_b2 = _check_map_args(activation, sigma_w2, sigma_b2)
    return sigma_w2 * _moments(act, q)[1] + sigma_b2


def iterate_variance_map(
    q0: float, depth: int, activation, *, sigma_w2: float = 1.0, sigma_b2: float = 0.0
) -> np.ndarray:
    """Apply :func:`variance_map` ``depth`` times: ``[q0, q1, ..., q_depth]``, shape (depth + 1,).

    A value that overflows float64 (linear or relu layers with sigma_w2 far above their
    fixed point) is inf from there on. For relu with He init (sigma_w2 = 2) every entry
    equals q0; for a linear network q_l = sigma_w2^l q0 + sigma_b2 (1 + ... + sigma_w2^(l-1)).
    Notebook 04.
    """
    q0 = check_finite_number("q0", q0, minimum=0.0)
    depth = check_positive_int("depth", depth, minimum=0)
    act, sigma_w2, sigma_b2 = _check_map_args(activation, sigma_w2, sigma_b2)
    qs = np.full(depth + 1, np.inf)
    qs[0] = q0
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in range(depth):
            q_next = sigma_w2 * _moments(act, qs[layer])[1] + sigma_b2
            if not math.isfinite(q_next):
                break
            qs[layer + 1] = q_next
    return qs


def chi_1(q: float, activation, *, sigma_w2: float = 1.0) -> float:
    """The gradient factor of one layer: chi_1 = sigma_w^2 E[phi'(sqrt(q) z)^2].

    Back-propagation through a layer whose pre-activations have second moment ``q``
    multiplies the second moment of the gradient by chi_1 (in a network of equal widths,
    with the usual assumption that the backward weights act as if independent of the
    forward ones). chi_1 > 1 explodes gradients, < 1 vanishes them; at the fixed point
    q* it is Poole et al.'s (2016) chi_1, whose value 1 is the edge of chaos (notebook 06).
    Schoenholz et al. (2017), "Deep Information Propagation". Notebook 04.
    """
    q = check_finite_number("q", q, minimum=0.0)
    act, sigma_w2, _ = _check_map_args(activation, sigma_w2, 0.0)
    return sigma_w2 * _moments(act, q)[2]


@dataclass(frozen=True)
class PropagationPrediction:
    """Mean-field prediction for hidden layers 1..depth (each array has shape (depth,)).

    Attributes
    ----------
    layers : ndarray of int
        1, 2, ..., depth.
    q : ndarray
        Second moment of the pre-activations z_l.
    activation_mean, activation_std : ndarray
        Mean and std of h_l = phi(z_l) over units and inputs.
    chi : ndarray
        chi_1 at q_l: the factor by which layer l multiplies the gradient's second moment.
    gradient_std : ndarray
        Std of dL/dh_l, back-propagated from an output gradient of the given second moment.
    """

    layers: np.ndarray
    q: np.ndarray
    activation_mean: np.ndarray
    activation_std: np.ndarray
    chi: np.ndarray
    gradient_std: np.ndarray


def predict_propagation(
    depth: int,
    activation,
    *,
    sigma_w2: float = 1.0,
    sigma_b2: float = 0.0,
    input_second_moment: float = 1.0,
    output_grad_second_moment: float = 1.0,
) -> PropagationPrediction:
    """Predict the std of activations and gradients, layer by layer, from mean-field theory.

    For a network of ``depth`` hidden layers that all have the same width (input and
    output too), weights of variance ``sigma_w2 / width`` and biases of variance
    ``sigma_b2``:

    .. math::
        q_1 = \\sigma_w^2 m_\\text{in} + \\sigma_b^2,\\quad q_{l+1} = \\sigma_w^2
        \\mathbb{E}[\\phi(\\sqrt{q_l} z)^2] + \\sigma_b^2;\\qquad
        G_L = \\sigma_w^2 m_\\text{out},\\quad G_{l} = G_{l+1}\\,\\chi_1(q_{l+1})

    where m_in is the inputs' second moment, m_out the output gradient's, and G_l the
    second moment of dL/dh_l (its std, since it has mean zero). Overflowed values are inf.
    Notebook 04 draws these lines over the measured points.
    """
    depth = check_positive_int("depth", depth)
    act, sigma_w2, sigma_b2 = _check_map_args(activation, sigma_w2, sigma_b2)
    m_in = check_finite_number("input_second_moment", input_second_moment, minimum=0.0)
    m_out = check_finite_number("output_grad_second_moment", output_grad_second_moment, minimum=0.0)
    q = np.full(depth, np.inf)
    mean = np.full(depth, np.nan)
    second = np.full(depth, np.inf)
    dsq = np.full(depth, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        q_l = sigma_w2 * m_in + sigma_b2
        for layer in range(depth):
            if not math.isfinite(q_l):
                break
            q[layer] = q_l
            mean[layer], second[layer], dsq[layer] = _moments(act, q_l)
            q_l = sigma_w2 * second[layer] + sigma_b2
        chi = sigma_w2 * dsq
        grad2 = np.empty(depth)
        grad2[-1] = sigma_w2 * m_out
        for layer in range(depth - 2, -1, -1):
            grad2[layer] = grad2[layer + 1] * chi[layer + 1]
        act_std = np.sqrt(np.maximum(second - mean**2, 0.0))
    return PropagationPrediction(
        layers=np.arange(1, depth + 1),
        q=q,
        activation_mean=mean,
        activation_std=act_std,
        chi=chi,
        gradient_std=np.sqrt(grad2),
    )
