"""Checks on gains: the leaky-ReLU gain, a gain by Monte Carlo, a ReLU stack's second moment."""

from __future__ import annotations

import math

import numpy as np

from .feedback import _check_formula, as_number, call_safely, close_enough, is_stub, report
from .variance import _WEIGHT_SEED

__all__ = [
    "check_gain_estimate",
    "check_leaky_relu_gain",
    "check_relu_stack_second_moment",
]


def _recording(phi):
    """``phi`` wrapped so that every array it is called with is kept in ``seen``."""
    seen: list[np.ndarray] = []

    def wrapped(z):
        seen.append(np.array(z, dtype=float).ravel())
        return phi(z)

    return wrapped, seen


def _draws_problem(seen, n_min: int):
    """``(msg, hint)`` unless ``seen`` holds at least ``n_min`` distinct N(0, 1)-like draws."""
    z = np.unique(np.concatenate(seen)) if seen else np.zeros(0)
    how = "draw z = rng.standard_normal(100_000) (or more) and apply phi to it."
    if z.size < n_min:
        return (
            f"phi was applied to {z.size:,} distinct values; the exercise asks for at least "
            f"{n_min:,} draws z ~ N(0, 1).",
            how,
        )
    mean, var = float(z.mean()), float(z.var())
    if abs(mean) > 5 / math.sqrt(z.size) or abs(var - 1) > 5 * math.sqrt(2 / z.size):
        return (
            f"the values phi was applied to have mean {mean:.4f} and variance {var:.4f}; "
            "draws z ~ N(0, 1) have mean 0 and variance 1.",
            "rng.standard_normal(n) (or rng.normal(0.0, 1.0, n)) draws from N(0, 1); "
            "rng.uniform, another scale or a grid of points is not what the exercise asks.",
        )
    return None


def check_gain_estimate(my_gain) -> None:
    """Notebook 03, exercise 2: ``my_gain(phi, rng)`` estimates g = 1 / sqrt(E[phi(z)^2]).

    ``z ~ N(0, 1)``, at least 100 000 draws from ``rng``; ``phi`` is an element-wise numpy
    function. Checked for tanh, relu and sigmoid against
    :func:`course_utils.theory.second_moment_gain` (quadrature), within 5 standard errors
    of an estimate from 100 000 draws (the delta method: se(g) = g sd(phi^2) / (2 E[phi^2]
    sqrt(n))), so any estimate from more draws passes too. The check watches what ``phi``
    is applied to: at least 100 000 distinct values with the mean and variance of N(0, 1)
    draws, and the same seed giving the same estimate while another seed gives another
    (drawn from ``rng``, not from ``np.random`` or a grid). Usual slips (returning
    E[phi^2], the gain squared, or 1 / std(phi(z)), which forgets the mean) get their own
    hint.
    """
    from ..activations import get_activation
    from ..theory import gaussian_expectation

    name = getattr(my_gain, "__name__", "my_gain")
    n_draws = 100_000
    stub_hint = "draw z = rng.standard_normal(100_000) and return 1 / np.sqrt(np.mean(phi(z)**2))."
    rows = []
    for act in ("tanh", "relu", "sigmoid"):
        phi = get_activation(act).forward
        m = gaussian_expectation(lambda z, phi=phi: phi(z) ** 2)
        m4 = gaussian_expectation(lambda z, phi=phi: phi(z) ** 4)
        mean = gaussian_expectation(phi)
        g = 1.0 / math.sqrt(m)
        se = g * math.sqrt(m4 - m * m) / (2.0 * m * math.sqrt(n_draws))
        watched, seen = _recording(phi)
        got, error = call_safely(my_gain, watched, np.random.default_rng(_WEIGHT_SEED), name=name)
        if error:
            report(False, error, stub_hint)
            return
        if is_stub(got):
            report(False, f"{name} returned {got!r}.", stub_hint)
            return
        value, problem = as_number(got, f"the result of {name}")
        if problem:
            report(False, problem, "return one number: 1 / np.sqrt(np.mean(phi(z) ** 2)).")
            return
        problem = _draws_problem(seen, n_draws)
        if problem:
            report(False, f"for {act}: " + problem[0], problem[1])
            return
        if act == "tanh":  # drawn from the rng it was given?
            again, _ = call_safely(my_gain, phi, np.random.default_rng(_WEIGHT_SEED), name=name)
            other, _ = call_safely(my_gain, phi, np.random.default_rng(_WEIGHT_SEED + 1), name=name)
            rng_hint = "draw z from the rng argument (rng.standard_normal), never from np.random."
            if as_number(again, "g")[0] != value:
                report(
                    False,
                    f"two generators with the same seed gave {name} different gains.",
                    rng_hint,
                )
                return
            if as_number(other, "g")[0] == value:
                report(
                    False,
                    f"generators with different seeds gave {name} the same gain {value:.6f}.",
                    rng_hint,
                )
                return
        if abs(value - g) > 5 * se:
            slips = [
                (m, "that is E[phi(z)^2]; the gain is 1 / sqrt of it."),
                (1 / m, "that is the gain squared (the scale); take its square root."),
                (math.sqrt(m), "that is sqrt(E[phi(z)^2]); the gain is its inverse."),
                (
                    1 / math.sqrt(m - mean**2),
                    "that is 1 / std(phi(z)), which leaves out the mean; the next layer "
                    "sees the second moment E[phi(z)^2], mean included.",
                ),
            ]
            hint = next(
                (h for v, h in slips if close_enough(value, v, rtol=0.03)),
                "the gain g makes g^2 E[phi(z)^2] = 1 for z ~ N(0, 1).",
            )
            report(
                False,
                f"for {act} expected {g:.4f} (+- {5 * se:.4f}), received {value:.4f}.",
                hint,
            )
            return
        rows.append(f"{act} {value:.3f}")
    report(
        True,
        ", ".join(rows) + ": each within 5 standard errors of the exact gain (quadrature).",
    )


def check_leaky_relu_gain(leaky_relu_gain) -> None:
    """Notebook 03, exercise 1: ``leaky_relu_gain(a)`` = sqrt(2 / (1 + a^2)).

    Leaky ReLU with slope ``a`` keeps E[phi(z)^2] = (1 + a^2) Var(z) / 2 of a symmetric
    input, so the gain is sqrt(2 / (1 + a^2)): sqrt(2) at a = 0 (ReLU), 1 at a = 1 (the
    identity). He et al. (2015) derive it for PReLU. Checked at a = 0, 0.01, 0.2, 1, 5.
    """
    from ..initializers import calculate_gain

    cases = [
        (f"a = {a:g}", (a,), calculate_gain("leaky_relu", a)) for a in (0.0, 0.01, 0.2, 1.0, 5.0)
    ]
    _check_formula(
        leaky_relu_gain,
        "leaky_relu_gain",
        cases,
        show=lambda v: f"{float(v):.7f}",  # sqrt(2) / (1 + a^2) differs in the 5th digit
        hint="E[phi(z)^2] = E[z^2; z > 0] + a^2 E[z^2; z < 0] = (1 + a^2) Var(z) / 2, and the "
        "gain g makes g^2 E[phi(z)^2] = Var(z).",
        mistakes=[
            (
                lambda a: math.sqrt(2 / 1 + a**2),
                "mind the brackets: sqrt(2 / (1 + a**2)). numpy-ml shipped exactly this bug.",
            ),
            (
                lambda a: math.sqrt(2) / (1 + a**2),
                "that is sqrt(2) / (1 + a^2): the square root must cover the whole fraction, "
                "sqrt(2 / (1 + a**2)).",
            ),
            (
                lambda a: math.sqrt(2 / (1 + a)),
                "that is sqrt(2 / (1 + a)): the negative half is scaled by a, so its second "
                "moment by a^2; use sqrt(2 / (1 + a**2)).",
            ),
            (lambda a: 2 / (1 + a**2), "that is the gain squared (the scale); take its root."),
            (
                lambda a: math.sqrt((1 + a**2) / 2),
                "that is sqrt(E[phi(z)^2]), the factor leaky ReLU keeps; the gain is its "
                "inverse, sqrt(2 / (1 + a**2)).",
            ),
        ],
        correct="gain sqrt(2 / (1 + a^2)): 1.4142 at a = 0 (ReLU), 1.0000 at a = 1 (the "
        "identity), as cu.calculate_gain('leaky_relu', a) gives.",
    )


def check_relu_stack_second_moment(relu_stack_second_moment) -> None:
    """Notebook 03, exercise 3: ``relu_stack_second_moment(depth, gain)`` = (gain^2 / 2)^depth.

    A stack of ``depth`` square ReLU layers with Var(W) = gain^2 / n multiplies the second
    moment E[x^2] by gain^2 / 2 per layer (the weights multiply it by gain^2, ReLU halves
    it). Checked: He (gain sqrt 2) keeps 1; Xavier on square layers (gain 1) gives 2^-30
    after 30 layers; and three more cases.
    """
    args = [(1, 1.0), (30, math.sqrt(2.0)), (30, 1.0), (10, 5.0 / 3.0), (4, 2.0)]
    cases = [(f"depth {d}, gain {g:.4g}", (d, g), (g * g / 2.0) ** d) for d, g in args]
    _check_formula(
        relu_stack_second_moment,
        "relu_stack_second_moment",
        cases,
        show=lambda v: f"{float(v):.6g}",
        hint="one layer: the weights multiply E[x^2] by n Var(W) = gain^2, ReLU halves it; "
        "layers multiply.",
        mistakes=[
            (lambda d, g: g ** (2 * d), "ReLU halves the second moment in every layer."),
            (lambda d, g: (g / 2) ** d, "the gain scales the std, so the variance gets gain^2."),
            (lambda d, g: d * g * g / 2, "layers multiply their factors; they do not add."),
        ],
        correct=f"(gain^2 / 2)^depth: He keeps {1.0:.0f}, Xavier on 30 square ReLU layers "
        f"gives 2^-30 = {2.0**-30:.3g}.",
    )
