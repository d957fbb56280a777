"""Monte Carlo standard errors, shared by the tests: a tolerance comes from the sample size.

Every Monte Carlo comparison in the suite asks "within k standard errors?", with the
standard error estimated from the same draws.
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
