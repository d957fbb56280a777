"""Checks on the variance rule: Var(wx), Glorot's uniform bound, the truncated normal."""

from __future__ import annotations

import math

import numpy as np

from .feedback import _check_formula, call_safely, is_stub, report

__all__ = [
    "check_var_product",
    "check_xavier_uniform",
    "check_truncated_normal",
]


_WEIGHT_SEED = 12345  # the seed the weight checks hand to the learner's function


def check_var_product(var_product) -> None:
    """Notebook 02, exercise 1: ``var_product(mean_w, var_w, mean_x, var_x)`` = Var(w x).

    For independent w and x:

    .. math:: \\operatorname{Var}(wx) = \\operatorname{Var}(w)\\operatorname{Var}(x)
              + \\operatorname{Var}(w)\\,E[x]^2 + E[w]^2 \\operatorname{Var}(x),

    which is Var(w) Var(x) only when both means are zero, and Var(w) E[x^2] when E[w] = 0.
    Checked on four cases, one of them a sigmoid-like x (mean 0.5, variance 0.04).
    """

    def exact(mw, vw, mx, vx):
        return vw * vx + vw * mx**2 + mw**2 * vx

    args = [(0.0, 0.01, 0.0, 1.0), (0.0, 0.02, 0.5, 0.04), (0.3, 0.01, 0.0, 2.0)]
    args.append((0.2, 0.05, -1.0, 0.5))
    cases = [
        (f"mean_w={a[0]:g}, var_w={a[1]:g}, mean_x={a[2]:g}, var_x={a[3]:g}", a, exact(*a))
        for a in args
    ]
    _check_formula(
        var_product,
        "var_product",
        cases,
        show=lambda v: f"{float(v):.6g}",
        hint="Var(wx) = E[w^2 x^2] - (E[w] E[x])^2 = E[w^2] E[x^2] - E[w]^2 E[x]^2, "
        "and E[w^2] = Var(w) + E[w]^2 (the same for x).",
        mistakes=[
            (
                lambda mw, vw, mx, vx: vw * vx,
                "that is the zero-mean answer Var(w) Var(x); with means, "
                "E[w^2] = Var(w) + E[w]^2 and E[x^2] = Var(x) + E[x]^2 add two terms.",
            ),
            (
                lambda mw, vw, mx, vx: (vw + mw**2) * (vx + mx**2),
                "that is E[w^2 x^2], the second moment; subtract (E[w] E[x])^2 to get "
                "the variance.",
            ),
        ],
        correct="Var(wx) = Var(w) Var(x) + Var(w) E[x]^2 + E[w]^2 Var(x). For a "
        f"sigmoid-like x (mean 0.5, variance 0.04) and Var(w) = 0.02 that is "
        f"{exact(0.0, 0.02, 0.5, 0.04):.4f}, of which Var(w) Var(x) is only "
        f"{0.02 * 0.04:.4f}: the mean carries most of it.",
    )


def _std_se(std: float, kurtosis: float, n: int) -> float:
    """Standard error of a sample std from ``n`` draws: std * sqrt((kurtosis - 1) / (4 n))."""
    return std * math.sqrt((kurtosis - 1.0) / (4.0 * n))


def _draw_weights(fn, name: str, args, shape, stub_hint: str):
    """Call ``fn(*args)`` for a weight matrix; return ``(w, None)`` or ``(None, (msg, hint))``."""
    got, error = call_safely(fn, *args, name=name)
    if error:
        return None, (error, stub_hint)
    if is_stub(got):
        return None, (f"{name} returned {got!r}.", stub_hint)
    try:
        w = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return None, (
            f"{name} returned a {type(got).__name__}, not an array of numbers.",
            stub_hint,
        )
    if w.shape != shape:
        return None, (
            f"{name} returned shape {w.shape}, expected {shape} = (fan_in, fan_out).",
            "pass size=(fan_in, fan_out) to the rng's draw; the course stores a weight "
            "matrix as (fan_in, fan_out).",
        )
    if not np.all(np.isfinite(w)):
        return None, (f"{name} returned inf or nan values.", stub_hint)
    return w, None


def _reproducibility_problem(fn, name: str, make_args, w):
    """``(msg, hint)`` if ``fn`` ignores its ``rng`` argument, else None.

    ``w`` came from ``fn(*make_args(default_rng(_WEIGHT_SEED)))``: the same seed must give the
    same weights, another seed different ones.
    """
    again, _ = call_safely(fn, *make_args(np.random.default_rng(_WEIGHT_SEED)), name=name)
    other, _ = call_safely(fn, *make_args(np.random.default_rng(_WEIGHT_SEED + 1)), name=name)
    hint = (
        "draw every number from the rng argument (rng.uniform, rng.normal), never from np.random."
    )
    try:
        same_seed = np.array_equal(np.asarray(again, dtype=float), w)
        other_seed = np.array_equal(np.asarray(other, dtype=float), w)
    except (TypeError, ValueError):
        same_seed, other_seed = False, True
    if not same_seed:
        return f"two generators with the same seed gave {name} different weights.", hint
    if other_seed:
        return f"generators with different seeds gave {name} the same weights.", hint
    return None


def check_xavier_uniform(my_xavier_uniform, fan_in: int = 400, fan_out: int = 300) -> None:
    """Notebook 02, exercise 2: ``my_xavier_uniform(fan_in, fan_out, rng)`` against the package.

    The answer must be a ``(fan_in, fan_out)`` array from U[-a, a] with
    ``a = sqrt(6 / (fan_in + fan_out))`` (Glorot & Bengio 2010, eq. 16), drawn from ``rng``,
    as :func:`course_utils.xavier_uniform` draws it. Checked: shape; reproducible from the
    seed; std within 5 standard errors of a / sqrt(3) (at these fans and at (50, 200));
    mean within 5 standard errors of 0; every |w| <= a with the largest close to a; half
    of them below a / 2 (the flat shape, which a normal with the right std fails).
    """
    name = getattr(my_xavier_uniform, "__name__", "my_xavier_uniform")
    stub_hint = "Var(U[-a, a]) = a^2 / 3."

    def draw(n_in, n_out, seed=_WEIGHT_SEED):
        rng = np.random.default_rng(seed)
        return _draw_weights(my_xavier_uniform, name, (n_in, n_out, rng), (n_in, n_out), stub_hint)

    def std_problem(w):
        n_in, n_out = w.shape
        std = math.sqrt(2.0 / (n_in + n_out))
        if abs(w.std() - std) <= 5 * _std_se(std, 1.8, w.size):  # U[-a, a]: kurtosis 9/5
            return None
        return (
            f"std {w.std():.4f}, expected {std:.4f} (fan_in={n_in}, fan_out={n_out}).",
            "Glorot asks Var(W) = 2 / (fan_in + fan_out), and Var(U[-a, a]) = a^2 / 3, "
            "so a = sqrt(6 / (fan_in + fan_out)).",
        )

    w, problem = draw(fan_in, fan_out)
    if problem is None:
        problem = _reproducibility_problem(
            my_xavier_uniform, name, lambda rng: (fan_in, fan_out, rng), w
        )
    if problem is None:
        problem = std_problem(w)
    if problem is None:
        other, problem = draw(50, 200)
        problem = problem or std_problem(other)
    if problem:
        report(False, *problem)
        return
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    top = float(np.abs(w).max())
    inner = float(np.mean(np.abs(w) < bound / 2))
    if abs(float(w.mean())) > 5 * w.std() / math.sqrt(w.size):
        report(
            False, f"mean {w.mean():.4f}, expected 0.", "draw from U[-a, a], symmetric around 0."
        )
    elif top > bound * (1 + 1e-9) or top < 0.99 * bound:
        report(
            False,
            f"the largest |w| is {top:.4f}; a uniform on [-a, a] with a = {bound:.4f} "
            "reaches a and never goes beyond it.",
            "use rng.uniform(-a, a, size=...): a normal with the same std has tails beyond a.",
        )
    elif abs(inner - 0.5) > 5 * math.sqrt(0.25 / w.size):
        report(
            False,
            f"{inner:.1%} of the weights lie within a / 2 of zero; a uniform puts 50% there.",
            "draw from the flat distribution U[-a, a] (rng.uniform).",
        )
    else:
        report(True, f"std {w.std():.4f}, bound {bound:.4f}, shape {w.shape}.")


def check_truncated_normal(
    my_truncated_normal, fan_in: int = 400, fan_out: int = 300, std: float = 0.05
) -> None:
    """Notebook 02, exercise 3: ``my_truncated_normal(fan_in, fan_out, std, rng)``.

    The answer must be a ``(fan_in, fan_out)`` array drawn (from ``rng``) from N(0, sigma^2)
    cut at +-2 sigma, with ``sigma = std / 0.8796...`` so that the std of what is kept is
    ``std`` (the truncated-normal correction of Keras and JAX). Checked: shape;
    reproducible; nothing beyond the cut and some values near it; no pile-up on the cut
    (np.clip); the std within 5 standard errors; 71.5% of the values within one sigma.
    """
    from ..initializers import TRUNCATION, truncated_normal_std_factor

    name = getattr(my_truncated_normal, "__name__", "my_truncated_normal")
    factor = truncated_normal_std_factor(TRUNCATION)
    sigma = std / factor
    cut = TRUNCATION * sigma
    n = fan_in * fan_out
    # moments of N(0, 1) restricted to [-c, c]: mass, E[z^2], E[z^4], P(|z| < 1)
    c = TRUNCATION
    pdf_c = math.exp(-0.5 * c * c) / math.sqrt(2 * math.pi)
    mass = math.erf(c / math.sqrt(2))
    m2 = 1 - 2 * c * pdf_c / mass
    m4 = 3 * m2 - 2 * c**3 * pdf_c / mass
    inner_expected = math.erf(1 / math.sqrt(2)) / mass
    stub_hint = (
        f"cutting N(0, sigma^2) at 2 sigma lowers its std by the factor {factor:.4f}: "
        "take sigma = std / cu.truncated_normal_std_factor(), draw, redraw what falls outside."
    )
    w, problem = _draw_weights(
        my_truncated_normal,
        name,
        (fan_in, fan_out, std, np.random.default_rng(_WEIGHT_SEED)),
        (fan_in, fan_out),
        stub_hint,
    )
    if problem is None:
        problem = _reproducibility_problem(
            my_truncated_normal, name, lambda rng: (fan_in, fan_out, std, rng), w
        )
    if problem:
        report(False, *problem)
        return
    top = float(np.abs(w).max())
    on_cut = float(np.mean(np.abs(w) >= top * (1 - 1e-12)))
    got_std = float(w.std())
    inner = float(np.mean(np.abs(w) < sigma))
    rescale_hint = (
        f"scale before you cut: draw with sigma = std / {factor:.4f} and redraw what falls "
        "beyond 2 sigma; then the std is std on average and the cut is exactly 2 sigma."
    )
    if on_cut > 1e-3:
        report(
            False,
            f"{on_cut:.1%} of the weights sit exactly on +-{top:.4f}.",
            "np.clip piles the tails onto the edge; redraw them instead.",
        )
    elif np.mean(w == 0) > 1e-3:
        report(
            False,
            f"{np.mean(w == 0):.1%} of the weights are exactly 0.",
            "the values beyond the cut were set to 0; redraw them "
            "from the same normal until none is left beyond 2 sigma.",
        )
    elif abs(got_std - std) <= 1e-9 * std:
        report(
            False,
            f"the std is exactly {got_std:.9f}: the weights were rescaled by their own "
            f"sample std after the cut, which moves the cut with the sample (largest |w| "
            f"{top:.5f}, against 2 sigma = {cut:.5f}).",
            rescale_hint,
        )
    elif top > cut * (1 + 1e-9):
        report(
            False,
            f"the largest |w| is {top:.4f}, beyond the cut 2 sigma = {cut:.4f}.",
            "redraw the values with |w| > 2 sigma until none is left.",
        )
    elif top < 0.99 * cut:
        if abs(top - 2 * std) <= 0.01 * 2 * std and abs(got_std - std * factor) <= 0.02 * std:
            hint = (
                f"that is N(0, std^2) cut at 2 std: cutting lowered its std to {got_std:.4f}, "
                f"{factor:.4f} x std. Draw with sigma = std / {factor:.4f} and cut at 2 sigma."
            )
        elif abs(top - 2 * std) <= 0.01 * 2 * std:
            hint = f"the cut is at 2 std = {2 * std:.4f}; it belongs at 2 sigma = {cut:.4f}."
        elif abs(top - 2 * std * factor) <= 0.01 * 2 * std:
            hint = (
                f"that is sigma = std x {factor:.4f}; the correction divides: std / {factor:.4f}."
            )
        else:
            hint = stub_hint
        report(
            False,
            f"the largest |w| is {top:.4f}, well inside the cut 2 sigma = {cut:.4f} "
            f"(sigma = std / {factor:.4f}), which a normal cut there comes close to.",
            hint,
        )
    elif abs(got_std - std) > 5 * _std_se(std, m4 / m2**2, n):
        report(False, f"std {got_std:.4f}, expected {std:.4f}.", stub_hint)
    elif abs(inner - inner_expected) > 5 * math.sqrt(inner_expected * (1 - inner_expected) / n):
        report(
            False,
            f"{inner:.1%} of the weights lie within one sigma of zero; a normal cut at "
            f"2 sigma puts {inner_expected:.1%} there.",
            stub_hint,
        )
    else:
        report(True, f"std {got_std:.4f}, every |w| <= 2 sigma = {cut:.4f}, shape {w.shape}.")
