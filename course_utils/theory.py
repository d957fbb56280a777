"""Signal-propagation theory: Gaussian expectations, variance maps and measured gains.

Gaussian expectations by quadrature, the mean-field variance map, the gradient factor
chi, and gains measured for any activation.

Poole, Lahiri, Raghu, Sohl-Dickstein & Ganguli (2016), "Exponential expressivity in deep
neural networks through transient chaos"; Schoenholz, Gilmer, Ganguli & Sohl-Dickstein
(2017), "Deep Information Propagation".
"""

from __future__ import annotations

import math

import numpy as np

from ._validation import as_rng, check_finite_number, check_positive_int
from .activations import get_activation

__all__ = ["gauss_hermite", "gaussian_expectation", "second_moment_gain", "monte_carlo_gain"]


def gauss_hermite(n_points: int = 101) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights for E[f(z)], z ~ N(0, 1): ``E[f(z)] ~= sum(w * f(x))``.

    Probabilists' Gauss-Hermite quadrature (``numpy.polynomial.hermite_e``), weights
    normalised to sum to 1.
    """
    n_points = check_positive_int("n_points", n_points)
    x, w = np.polynomial.hermite_e.hermegauss(n_points)
    return x, w / w.sum()


def gaussian_expectation(f, q: float = 1.0, n_points: int = 101) -> float:
    """E[f(sqrt(q) z)] for z ~ N(0, 1), by Gauss-Hermite quadrature (no sampling)."""
    q = check_finite_number("q", q, minimum=0.0)
    x, w = gauss_hermite(n_points)
    with np.errstate(all="ignore"):
        return float(np.dot(w, f(math.sqrt(q) * x)))


def second_moment_gain(activation, n_points: int = 201) -> float:
    """The gain g that keeps the second moment: g = 1 / sqrt(E[phi(z)^2]), z ~ N(0, 1).

    With Var(W) = g^2 / n_in and unit-variance pre-activations, the next layer's
    pre-activations have variance g^2 E[phi(z)^2] = 1. For relu this is sqrt(2).
    """
    phi = get_activation(activation).forward
    return 1.0 / math.sqrt(gaussian_expectation(lambda z: phi(z) ** 2, 1.0, n_points))


def monte_carlo_gain(activation, n_samples: int = 1_000_000, *, rng=0) -> tuple[float, float]:
    """Monte Carlo estimate of :func:`second_moment_gain` and its standard error.

    Draws z ~ N(0, 1), estimates m = E[phi(z)^2] and returns ``(1 / sqrt(m), se)`` where
    ``se`` follows from the delta method: se(g) = g * se(m) / (2 m).
    """
    n_samples = check_positive_int("n_samples", n_samples, minimum=2)
    phi = get_activation(activation).forward
    z = as_rng(rng).standard_normal(n_samples)
    s = phi(z) ** 2
    m = float(s.mean())
    se_m = float(s.std(ddof=1) / math.sqrt(n_samples))
    g = 1.0 / math.sqrt(m)
    return g, g * se_m / (2.0 * m)
