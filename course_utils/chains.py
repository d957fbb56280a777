"""Chains of layers with nothing but weights: where a deep network's explosions come from.

A linear layer of width n maps ``x`` to ``W x``. Stack many and the size of the signal is
multiplied at every step: with ``W_ij ~ N(0, std^2)`` each step multiplies the squared
norm by a ``std^2 * chi^2_n`` variable, about ``n std^2``, so the log of the norm grows by
about ``ln(std sqrt(n))`` per step. With ``std = 1`` and ``n = 512`` that is
``0.5 ln 512 = 3.12`` per step, and float32's largest number (3.4e38, ``ln = 88.7``)
is reached after about 28 steps. Introduced in notebook 01.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validation import as_rng, check_choice, check_finite_number, check_positive_int

__all__ = [
    "stable_factor_range",
    "ChainResult",
    "matrix_chain",
    "predicted_escape_step",
    "FLOAT_DTYPES",
]

#: The floating-point types a chain can run in: float32 is what PyTorch, JAX and Keras
#: compute in by default; float64 is numpy's default.
FLOAT_DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class ChainResult:
    """The norm of ``x`` after each step of a matrix chain ``x <- W x``.

    Attributes
    ----------
    n : int
        The width: every ``W`` is ``(n, n)`` and ``x`` has ``n`` entries.
    std : float
        The standard deviation of the entries of every ``W``.
    dtype : str
        "float32" or "float64": the type the chain was computed in.
    norms : ndarray of shape (steps + 1,), float64
        ``norms[k]`` is the Euclidean norm of ``x`` after ``k`` steps (``norms[0]`` is the
        start). At the step that overflowed it is ``inf`` and ``nan`` after it (the chain
        stops there); from the step that underflowed it is exactly 0 (``W @ 0 = 0``).
    overflow_step : int or None
        The first step at which ``x`` held inf or nan.
    underflow_step : int or None
        The first step at which every entry of ``x`` was exactly 0.
    """

    n: int
    std: float
    dtype: str
    norms: np.ndarray
    overflow_step: int | None
    underflow_step: int | None

    @property
    def steps(self) -> int:
        """How many steps the chain was asked to run."""
        return len(self.norms) - 1

    @property
    def summary(self) -> str:
        """One line: how the chain ended ("overflowed at step 29", "underflowed ...", ...)."""
        head = f"std {self.std:.4g}, n = {self.n}, {self.dtype}:"
        if self.overflow_step is not None:
            return f"{head} overflowed at step {self.overflow_step}"
        if self.underflow_step is not None:
            return f"{head} underflowed to exactly 0 at step {self.underflow_step}"
        return (
            f"{head} stayed finite, |x| went from {self.norms[0]:.3g} to "
            f"{self.norms[-1]:.3g} in {self.steps} steps"
        )


def matrix_chain(n: int = 512, std: float = 1.0, steps: int = 100, *, dtype="float32", rng=None):
    """Run ``x <- W x`` for ``steps`` steps with a fresh ``W ~ N(0, std^2)`` at every step.

    The start ``x`` has ``n`` independent N(0, 1) entries (norm about ``sqrt(n)``). Each
    step draws a new ``(n, n)`` matrix, as each layer of a deep network has its own
    weights. Each step multiplies ``|x|^2`` by ``std^2 chi^2_n``: about ``n std^2``, so
    ``std = 1`` explodes, ``std = 0.01`` (with n = 512) shrinks and ``std = 1 / sqrt(n)``
    keeps the norm of order 1.

    Parameters
    ----------
    n : int, default 512
        The width.
    std : float, default 1.0
        Standard deviation of the weights (>= 0).
    steps : int, default 100
        How many matrices to multiply.
    dtype : {"float32", "float64"}, default "float32"
        The arithmetic. Deep-learning frameworks use float32 (largest 3.4e38, smallest
        subnormal 1.4e-45); float64 lasts longer (1.8e308) but explodes just as fast.
    rng : int, np.random.Generator or None
        Seed or generator for the start vector and the matrices.

    Returns
    -------
    ChainResult
        The norm after every step, and the steps at which ``x`` overflowed (held inf or
        nan) or underflowed (became exactly 0). The chain stops at either event. No
        RuntimeWarning is emitted: overflow is a result, reported in ``summary``.

    Notes
    -----
    Introduced in notebook 01 ("the matrix chain"). Weights and ``x`` are stored in
    ``dtype``; the norms are computed in float64 so that a finite ``x`` has a finite norm.
    """
    n = check_positive_int("n", n)
    std = check_finite_number("std", std, minimum=0.0)
    steps = check_positive_int("steps", steps)
    dtype = check_choice("dtype", dtype, FLOAT_DTYPES)
    gen = as_rng(rng)
    kind = np.dtype(dtype)
    scale = kind.type(std)
    x = gen.standard_normal(n, dtype=kind)
    norms = np.full(steps + 1, np.nan)
    norms[0] = np.linalg.norm(x.astype(np.float64))
    overflow_step = underflow_step = None
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for k in range(1, steps + 1):
            w = gen.standard_normal((n, n), dtype=kind)
            w *= scale
            x = w @ x
            if not np.isfinite(x).all():
                overflow_step, norms[k] = k, np.inf
                break
            if not x.any():
                underflow_step, norms[k:] = k, 0.0
                break
            norms[k] = np.linalg.norm(x.astype(np.float64))
    return ChainResult(n, std, dtype, norms, overflow_step, underflow_step)


def predicted_escape_step(n: int, std: float = 1.0, *, dtype="float32", start: float = 1.0):
    """The step at which a typical entry of the chain leaves the range of ``dtype``.

    After ``k`` steps of :func:`matrix_chain` a typical entry is about
    ``start * (std sqrt(n))^k``. It passes the largest finite number ``M`` when

    .. math:: k = \\frac{\\ln(M / \\text{start})}{\\ln(\\text{std}\\,\\sqrt{n})}

    (``std sqrt(n) > 1``), and the smallest subnormal ``m`` when
    ``k = ln(m / start) / ln(std sqrt(n))`` (``std sqrt(n) < 1``).

    Parameters
    ----------
    n : int
        The width.
    std : float, default 1.0
        Standard deviation of the weights (> 0).
    dtype : {"float32", "float64"}, default "float32"
    start : float, default 1.0
        The size of a typical entry at step 0.

    Returns
    -------
    float or None
        The (real-valued) step; the chain's first overflowing or underflowing step is
        near it (a little earlier for overflow, since the largest of ``n`` entries gets
        there first). None when ``std sqrt(n) == 1`` (to 1e-12): the typical entry
        neither grows nor shrinks. For n = 512 and std = 1 in float32 it is 28.4.
        Introduced in notebook 01.
    """
    n = check_positive_int("n", n)
    std = check_finite_number("std", std, minimum=0.0, strict=True)
    dtype = check_choice("dtype", dtype, FLOAT_DTYPES)
    start = check_finite_number("start", start, minimum=0.0, strict=True)
    info = np.finfo(dtype)
    growth = math.log(std) + 0.5 * math.log(n)
    if abs(growth) < 1e-12:  # std = 1/sqrt(n), up to rounding
        return None
    limit = float(info.max) if growth > 0 else float(info.smallest_subnormal)
    return (math.log(limit) - math.log(start)) / growth


def stable_factor_range(depth: int, band=(0.5, 2.0)) -> tuple[float, float]:
    """The factors f whose product f ** depth stays inside ``band``: (lo**(1/depth), hi**(1/depth)).

    For depth 50 and the band [0.5, 2] this is about 1 +- 0.014.
    """
    depth = check_positive_int("depth", depth)
    lo, hi = band
    return lo ** (1.0 / depth), hi ** (1.0 / depth)
