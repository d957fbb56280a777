"""Checks on finite width and residual nets: dead chains, residual growth, squared norms."""

from __future__ import annotations

import math

import numpy as np

from .feedback import _check_formula

__all__ = [
    "check_p_dead",
    "check_residual_growth",
    "check_squared_norm_second_moment",
]


def check_p_dead(p_dead) -> None:
    """Notebook 07, exercise 1: ``p_dead(width, depth)`` = 1 - (1 - 2^-width)^depth.

    In a He-ReLU network with Gaussian weights a layer of width n has no live unit with
    probability 2^-n, independently of the other layers; the output is exactly 0 as soon
    as one layer is dead. Ten layers of width 1: 1 - 2^-10 = 0.99902.
    """
    args = [(1, 10), (1, 1), (2, 10), (8, 50), (32, 100)]
    cases = [(f"width {n}, depth {d}", (n, d), 1.0 - (1.0 - 2.0**-n) ** d) for n, d in args]
    _check_formula(
        p_dead,
        "p_dead",
        cases,
        show=lambda v: f"{float(v):.6g}",
        hint="a layer is dead when all n of its units are (probability 2^-n); the chain "
        "survives only if every layer does.",
        mistakes=[
            (lambda n, d: (1.0 - 2.0**-n) ** d, "that is the probability the signal survives."),
            (lambda n, d: 2.0 ** (-n * d), "that is the probability that every unit dies."),
            (lambda n, d: d * 2.0**-n, "that is a union bound; layers survive independently."),
            (
                lambda n, d: 1.0 - (1.0 - 2.0**-d) ** n,
                "width and depth are swapped: a layer of n units is dead with probability "
                "2^-n, and there are depth such layers.",
            ),
        ],
        correct=f"1 - (1 - 2^-n)^L: ten layers of width 1 give {1 - 2.0**-10:.5f}, "
        f"fifty of width 8 only {1 - (1 - 2.0**-8) ** 50:.3f}.",
    )


def check_residual_growth(residual_growth) -> None:
    """Notebook 07, exercise 2: ``residual_growth(n_blocks, branch_scale)`` = (1 + 2 s^2)^L.

    A residual block x + s relu(x W_1) W_2 with He weights (Var 2/n) in both layers: the
    branch multiplies E|x|^2 by 2 (He doubles, ReLU halves, He doubles), and the cross
    term has mean zero, so every block multiplies E|x|^2 by 1 + 2 s^2.
    """
    args = [(1, 1.0), (10, 1.0), (30, 1 / math.sqrt(30)), (50, 0.0), (20, 0.5)]
    cases = [(f"{n} blocks, s = {s:.4g}", (n, s), (1.0 + 2.0 * s * s) ** n) for n, s in args]
    _check_formula(
        residual_growth,
        "residual_growth",
        cases,
        show=lambda v: f"{float(v):.6g}",
        hint="E|x + s F(x)|^2 = |x|^2 + s^2 E|F(x)|^2 (the cross term has mean 0); "
        "E|F(x)|^2 = 2 |x|^2 for He -> ReLU -> He.",
        mistakes=[
            (lambda n, s: (1.0 + s * s) ** n, "the branch gain is 2, not 1: He -> ReLU -> He."),
            (lambda n, s: (1.0 + 2.0 * s) ** n, "s scales the std; the variance gets s^2."),
            (lambda n, s: 1.0 + 2.0 * s * s * n, "blocks multiply their factors; they do not add."),
            (
                lambda n, s: (1.0 + 3.0 * s * s) ** n,
                "the branch gain g is 2 (He doubles, ReLU halves, He doubles); 3 is the whole "
                "block's factor 1 + g at s = 1.",
            ),
            (
                lambda n, s: (2.0 * s * s) ** n,
                "the skip connection keeps x: each block multiplies E|x|^2 by 1 + 2 s^2, "
                "not 2 s^2.",
            ),
        ],
        correct=f"(1 + 2 s^2)^L: plain branches give 3^30 = {3.0**30:.3g} after 30 blocks, "
        f"s = 1/sqrt(30) gives {(1 + 2 / 30) ** 30:.3f} (below e^2 = {math.e**2:.3f}).",
    )


def check_squared_norm_second_moment(squared_norm_second_moment) -> None:
    """Notebook 07, exercise 3: E[M^2] for M = |x_L|^2 / |x_0|^2 in a He-ReLU net: prod(1 + 5/n).

    One layer: M_l = (2/n) chi^2_K with K ~ Binomial(n, 1/2), so E[M_l^2] =
    (4/n^2) E[K^2 + 2K] = (4/n^2)(n^2/4 + n/4 + n) = 1 + 5/n; layers are independent.
    """
    from ..finite_width import squared_norm_second_moment as exact

    widths = [[1] * 10, [4] * 5, [256] * 30, [3] * 7]  # square layers: one width per net
    cases = [
        (f"widths {w[:4]}{'...' if len(w) > 4 else ''} ({len(w)} layers)", (w,), exact(w, "relu"))
        for w in widths
    ]
    _check_formula(
        squared_norm_second_moment,
        "squared_norm_second_moment",
        cases,
        show=lambda v: f"{float(v):.6g}",
        hint="per layer E[M_l^2] = (4/n^2) E[chi^2_K^2] with E[chi^2_k^2] = k^2 + 2k and "
        "K ~ Binomial(n, 1/2); layers are independent, so they multiply.",
        mistakes=[
            (
                lambda w: math.exp(5.0 * sum(1.0 / n for n in w)),
                "that is the wide-layer approximation; the exact factor per layer is 1 + 5/n.",
            ),
            (
                lambda w: float(np.prod([1.0 + 2.0 / n for n in w])),
                "1 + 2/n is a linear layer's; ReLU adds the randomness of which units live.",
            ),
            (
                lambda w: 1.0 + 5.0 * sum(1.0 / n for n in w),
                "layers multiply their factors; they do not add.",
            ),
            (
                lambda w: float(np.prod([1.0 + 5.0 / n for n in w])) - 1.0,
                "that is Var(M) = E[M^2] - 1; the question asks for E[M^2].",
            ),
            (
                lambda w: float(np.prod([1.0 + 1.0 / n for n in w])),
                "E[chi^2_k^2] = k^2 + 2k: the 2k (the chi-square's own variance) is missing.",
            ),
            (
                lambda w: float(np.prod([1.0 + 4.0 / n for n in w])),
                "K is random: E[K^2] = n^2/4 + n/4 (Binomial(n, 1/2)), not (n/2)^2.",
            ),
        ],
        correct=f"prod(1 + 5/n): ten layers of width 1 give 6^10 = {6.0**10:.4g} while "
        f"E[M] = 1; thirty of width 256 give {exact([256] * 30, 'relu'):.3f}.",
    )
