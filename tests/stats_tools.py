"""Monte Carlo standard errors and finite differences, shared by the tests.

Every Monte Carlo comparison in the suite asks "within k standard errors?", with the
standard error estimated from the same draws; every backward pass is compared with
:func:`central_difference`.
"""

from __future__ import annotations

import math

import numpy as np


def mean_se(values) -> tuple[float, float]:
    """The sample mean and its standard error s / sqrt(N)."""
    values = np.asarray(values, dtype=float).ravel()
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(values.size))


def var_se(values, *, mean: float | None = None) -> tuple[float, float]:
    """The sample variance and its standard error sqrt((m4 - m2^2) / N).

    With ``mean`` given (a known mean, e.g. 0 for a zero-mean initializer) the variance is
    the second moment about it; otherwise about the sample mean.
    """
    values = np.asarray(values, dtype=float).ravel()
    d = values - (values.mean() if mean is None else mean)
    m2 = float(np.mean(d**2))
    return m2, math.sqrt(max(float(np.mean(d**4)) - m2**2, 0.0) / values.size)


def within_se(measured: float, expected: float, se: float, k: float = 5.0) -> bool:
    """True when ``measured`` lies within ``k`` standard errors of ``expected``."""
    return abs(measured - expected) <= k * se


def central_difference(p, i, loss, eps: float = 1e-6) -> float:
    """``(loss() at p[i] + eps - loss() at p[i] - eps) / (2 eps)``, with ``p[i]`` restored.

    ``p`` is an array the loss reads (a parameter, an input), changed in place; the error
    of the estimate is O(eps^2) times the loss's third derivative, plus rounding of order
    (machine eps) |loss| / eps.
    """
    old = p[i]
    p[i] = old + eps
    up = loss()
    p[i] = old - eps
    down = loss()
    p[i] = old
    return (up - down) / (2 * eps)
