"""The general rule, variance_scaling, and the initializers that are not one of its rows.

Every initializer returns a weight matrix of shape ``(fan_in, fan_out)``, so a dense
layer is ``X @ W + b``. ``variance_scaling`` draws Var(W_ij) = scale / n with n the
fan_in, the fan_out or their mean (notebook 02); zeros, constant, normal, uniform and
orthogonal are here too.
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import as_rng, check_choice, check_finite_number, check_positive_int

__all__ = [
    "MODES",
    "DISTRIBUTIONS",
    "TRUNCATION",
    "truncated_normal_std_factor",
    "compute_fans",
    "variance_scaling",
    "zeros",
    "constant",
    "normal",
    "uniform",
    "orthogonal",
]


MODES = ("fan_in", "fan_out", "fan_avg")


DISTRIBUTIONS = ("normal", "truncated_normal", "uniform")


#: Truncated normals are cut at this many standard deviations (as in Keras, JAX and TF).
TRUNCATION = 2.0


def truncated_normal_std_factor(cut: float = TRUNCATION) -> float:
    """Standard deviation of a standard normal truncated to ``[-cut, cut]``.

    .. math:: \\sigma_\\text{trunc}^2 = 1 - \\frac{2 c\\,\\varphi(c)}{2\\Phi(c) - 1}

    For ``cut = 2`` this is 0.8796...: a normal cut at two standard deviations has a
    std about 12% smaller than the one asked for, so :func:`variance_scaling` divides
    by this factor first (notebook 02, "the truncated-normal correction").
    """
    c = check_finite_number("cut", cut, minimum=0.0, strict=True)
    pdf = math.exp(-0.5 * c * c) / math.sqrt(2.0 * math.pi)
    mass = math.erf(c / math.sqrt(2.0))  # = 2 Phi(c) - 1
    return math.sqrt(1.0 - 2.0 * c * pdf / mass)


def compute_fans(shape) -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` for a weight shape.

    ``(fan_in, fan_out)`` for a dense layer; for a convolution kernel
    ``(*receptive_field, in_channels, out_channels)`` (the Keras layout) each fan is
    multiplied by the receptive-field size. PyTorch's conv layout
    ``(out, in, kh, kw)`` has the channels first: transpose before calling.
    """
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError(
            f"shape must have at least 2 dimensions (fan_in, fan_out); received {shape!r}"
        )
    for i, s in enumerate(shape):
        check_positive_int(f"shape[{i}]", s)
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def _check_fans(fan_in, fan_out) -> tuple[int, int]:
    return check_positive_int("fan_in", fan_in), check_positive_int("fan_out", fan_out)


def _truncated_standard_normal(rng: np.random.Generator, size, cut: float) -> np.ndarray:
    """Draw N(0, 1) restricted to [-cut, cut] by resampling the draws that fall outside."""
    out = rng.standard_normal(size)
    bad = np.abs(out) > cut
    # Each round keeps a fraction erf(cut / sqrt 2) of the redraws (95.4% for cut = 2), so a
    # draw is still outside after k rounds with probability 0.046^k: the cap is never met
    # for a sane cut, and a tiny one (cut = 1e-3 keeps 0.08%) fails clearly, not forever.
    for _ in range(_MAX_REDRAWS):
        if not bad.any():
            return out
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > cut
    if not bad.any():
        return out
    raise ValueError(
        f"cut = {cut} keeps too few draws: {int(bad.sum())} of {out.size} were still outside "
        f"[-{cut}, {cut}] after {_MAX_REDRAWS} rounds of redrawing; use cut >= 0.5"
    )


_MAX_REDRAWS = 200


def variance_scaling(
    fan_in: int,
    fan_out: int,
    *,
    scale: float = 1.0,
    mode: str = "fan_in",
    distribution: str = "normal",
    rng=None,
) -> np.ndarray:
    """The one general rule: draw a ``(fan_in, fan_out)`` matrix with variance ``scale / n``.

    .. math:: \\operatorname{Var}(W_{ij}) = \\frac{\\text{scale}}{n},\\quad
              n = \\begin{cases} n_\\text{in} & \\text{mode = fan\\_in}\\\\
                                n_\\text{out} & \\text{mode = fan\\_out}\\\\
                                (n_\\text{in}+n_\\text{out})/2 & \\text{mode = fan\\_avg}
                  \\end{cases}

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs and outputs of the layer; the result has shape ``(fan_in, fan_out)``.
    scale : float, default 1.0
        Target variance times ``n`` (a gain ``g`` gives ``scale = g**2``).
    mode : {"fan_in", "fan_out", "fan_avg"}
        ``fan_in`` keeps the forward signal's variance, ``fan_out`` the backward
        gradient's, ``fan_avg`` is Glorot's compromise.
    distribution : {"normal", "truncated_normal", "uniform"}
        ``normal``: N(0, scale/n). ``truncated_normal``: cut at 2 std and rescaled so
        the std is still ``sqrt(scale/n)``. ``uniform``: U[-a, a] with
        ``a = sqrt(3 scale / n)``, because Var(U[-a, a]) = a^2 / 3.
    rng : int, np.random.Generator or None
        Source of randomness (notebooks pass explicit seeds).

    Returns
    -------
    ndarray of shape (fan_in, fan_out), float64

    Notes
    -----
    This is the shape of Keras' and JAX's ``VarianceScaling``. Introduced in notebook 02.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    scale = check_finite_number(
        "scale",
        scale,
        minimum=0.0,
        strict=True,
        hint="as Keras refuses scale <= 0; for all-zero weights use cu.zeros",
    )
    check_choice("mode", mode, MODES)
    check_choice("distribution", distribution, DISTRIBUTIONS)
    rng = as_rng(rng)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    std = math.sqrt(scale / n)
    size = (fan_in, fan_out)
    if distribution == "normal":
        return rng.normal(0.0, std, size=size)
    if distribution == "truncated_normal":
        std = std / truncated_normal_std_factor(TRUNCATION)
        return std * _truncated_standard_normal(rng, size, TRUNCATION)
    bound = math.sqrt(3.0) * std  # Var(U[-a, a]) = a^2 / 3
    return rng.uniform(-bound, bound, size=size)


def zeros(fan_in: int, fan_out: int, *, rng=None) -> np.ndarray:
    """All-zero weights: every hidden unit computes the same thing forever (notebook 01).

    ``rng`` is accepted (and ignored) so that every initializer has the same signature.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    return np.zeros((fan_in, fan_out))


def constant(fan_in: int, fan_out: int, value: float, *, rng=None) -> np.ndarray:
    """Every weight equal to ``value``: symmetric, hidden units never differ (notebook 01)."""
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    value = check_finite_number("value", value)
    return np.full((fan_in, fan_out), value)


def normal(fan_in: int, fan_out: int, *, std: float, rng=None) -> np.ndarray:
    """Weights drawn from N(0, std^2), with a std that ignores the layer's width.

    ``std=1`` explodes a deep net and ``std=0.01`` makes it vanish (notebook 01).
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    std = check_finite_number(
        "std", std, minimum=0.0, strict=True, hint="for all-zero weights use cu.zeros"
    )
    return as_rng(rng).normal(0.0, std, size=(fan_in, fan_out))


def uniform(fan_in: int, fan_out: int, *, limit: float, rng=None) -> np.ndarray:
    """Weights drawn from U[-limit, limit]; their variance is limit^2 / 3."""
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    limit = check_finite_number(
        "limit", limit, minimum=0.0, strict=True, hint="for all-zero weights use cu.zeros"
    )
    return as_rng(rng).uniform(-limit, limit, size=(fan_in, fan_out))


def orthogonal(fan_in: int, fan_out: int, *, gain: float = 1.0, rng=None) -> np.ndarray:
    """A (semi-)orthogonal matrix times ``gain``, uniformly distributed (Haar measure).

    Saxe, McClelland & Ganguli (2014), "Exact solutions to the nonlinear dynamics of
    learning in deep linear neural networks". For a tall or square result
    (fan_in >= fan_out) the columns are orthonormal: ``W.T @ W = gain**2 * I``; for a
    wide one the rows are: ``W @ W.T = gain**2 * I``. Every singular value equals
    ``gain``, so a deep linear chain neither grows nor shrinks any direction
    (dynamical isometry, notebook 06).
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    gain = check_finite_number(
        "gain", gain, minimum=0.0, strict=True, hint="for all-zero weights use cu.zeros"
    )
    rng = as_rng(rng)
    rows, cols = max(fan_in, fan_out), min(fan_in, fan_out)
    a = rng.standard_normal((rows, cols))
    q, r = np.linalg.qr(a)  # q: (rows, cols) with orthonormal columns
    # Fix the signs so that q is Haar-distributed (Mezzadri 2007), not biased by QR.
    d = np.sign(np.diag(r))
    d[d == 0] = 1.0
    q = q * d
    if fan_in < fan_out:
        q = q.T
    return gain * q


_POSITIVE_GAIN = "for all-zero weights use cu.zeros"
