"""Exercise feedback: compare the learner's answer with the expected one, and say so kindly.

Every ``check_*`` function prints one line that starts with ``Correct:`` or ``Not yet:``
(with what was expected, what came, and a hint) and returns None. It never raises on a
wrong, missing or crashing answer, so a notebook runs top to bottom with the stubs in it.
"""

from __future__ import annotations

import functools
import math
import traceback

import numpy as np

CORRECT = "Correct:"
NOT_YET = "Not yet:"


def report(ok: bool, message: str, hint: str | None = None) -> bool:
    """Print one feedback line; return ``ok`` for callers that chain checks."""
    if ok:
        print(f"{CORRECT} {message}")
    else:
        print(f"{NOT_YET} {message}" + (f" Hint: {hint}" if hint else ""))
    return ok


def is_stub(value) -> bool:
    """True for what an untouched stub gives back: None or Ellipsis."""
    return value is None or value is Ellipsis


def call_safely(fn, *args, name: str | None = None, **kwargs):
    """Call the learner's ``fn``; return ``(value, error_line)`` instead of raising."""
    name = name or getattr(fn, "__name__", "your function")
    if not callable(fn):
        return None, f"{name} is not a function (received {type(fn).__name__})."
    try:
        return fn(*args, **kwargs), None
    except NotImplementedError:
        return None, f"{name} is still a stub (it raised NotImplementedError)."
    except Exception as exc:  # noqa: BLE001 - a learner's bug is feedback, not a crash
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return None, (
            f"{name} raised {type(exc).__name__}: {exc} (line {where.lineno} of your code)."
        )


def close_enough(got, expected, *, rtol: float = 1e-6, atol: float = 0.0) -> bool:
    """True when ``got`` is a finite number (or array) within tolerance of ``expected``."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    return bool(
        got.shape == np.shape(expected)
        and np.all(np.isfinite(got))
        and np.allclose(got, expected, rtol=rtol, atol=atol)
    )


def as_number(answer, name: str):
    """``(float, None)`` for a finite real number, else ``(None, what is wrong)``.

    Every correct form passes: a Python or NumPy scalar, and a 0-d array (what
    ``np.mean`` of an array or ``np.asarray(x).sum()`` can give). A bool, a string,
    a list, an array with more than one element, NaN and inf are named in the reply.
    """
    if is_stub(answer):
        return None, f"{name} is still {answer!r}."
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer[()]
    if isinstance(answer, (bool, np.bool_)) or not isinstance(
        answer, (int, float, np.integer, np.floating)
    ):
        shape = getattr(answer, "shape", None)
        what = f"an array of shape {shape}" if shape is not None else repr(answer)[:60]
        return None, f"{name} should be one number; received {what}."
    if not math.isfinite(answer):
        return None, f"{name} should be a finite number; received {float(answer)!r}."
    return float(answer), None


def as_count(answer, name: str):
    """``(int, None)`` for a whole number in any correct form, else ``(None, what is wrong)``.

    An int, a NumPy integer, a whole-number float such as ``np.ceil(...)``'s 49.0, or a
    0-d array of one of these all pass; 48.5 is refused with the value shown.
    """
    value, problem = as_number(answer, name)
    if problem:
        return None, problem
    if value != math.floor(value):
        return None, f"{name} should be a whole number; received {value:.6g}."
    return int(value), None


# --- notebook 00 -------------------------------------------------------------------
def check_depth_to_exceed(answer, factor: float = 1.1, threshold: float = 100.0) -> None:
    """Notebook 00: the smallest depth L with factor ** L > threshold (49 for 1.1 and 100)."""
    expected = math.floor(math.log(threshold) / math.log(factor)) + 1
    if is_stub(answer):
        report(False, "depth is still None.", f"try a few values: {factor} ** 40, {factor} ** 50.")
        return
    count, problem = as_count(answer, "depth")  # 49, np.int64(49), np.ceil(...)'s 49.0 all pass
    if problem:
        report(False, problem, "a depth is a whole number of layers, such as 40 or 50.")
        return
    answer = count
    if answer == expected:
        report(
            True,
            f"{factor} ** {answer} = {factor**answer:.1f} > {threshold:g}, "
            f"while {factor} ** {answer - 1} = {factor ** (answer - 1):.1f}.",
        )
    elif factor**answer > threshold:
        report(
            False,
            f"{factor} ** {answer} = {factor**answer:.1f} is above {threshold:g}, "
            "but a smaller depth already is.",
            "you want the first depth that crosses, solve factor ** L = threshold for L.",
        )
    else:
        report(
            False,
            f"{factor} ** {answer} = {factor**answer:.1f} is not above {threshold:g} yet.",
            "L = log(threshold) / log(factor), rounded up.",
        )


# --- notebook 01: the band, the overflow step, identical hidden units ---------------
def _show(show, value) -> str:
    """``show(value)``, or a short repr when the learner's value does not fit the format."""
    try:
        return show(value)
    except Exception:  # noqa: BLE001 - a strange answer is feedback, not a crash
        return repr(value)[:80]


def _check_cases(fn, name: str, cases, *, same, show, hint: str, correct=None) -> None:
    """Call ``fn(*args)`` for each ``(label, args, expected)``; report the first miss or all.

    ``correct``, when given, is the ``Correct:`` line instead of the list of values.
    """
    for label, args, expected in cases:
        got, error = call_safely(fn, *args, name=name)
        if error:
            report(False, error, hint)
            return
        if is_stub(got):
            report(False, f"{name} returned {got!r} for {label}.", hint)
            return
        if not same(got, expected):
            report(
                False,
                f"for {label} expected {_show(show, expected)}, received {_show(show, got)}.",
                hint,
            )
            return
    report(
        True,
        correct or "; ".join(f"{label}: {_show(show, exp)}" for label, _, exp in cases) + ".",
    )


def check_band_edges(band_edges) -> None:
    """Notebook 01, exercise 1: ``band_edges(depth)`` returns ``(lo, hi)``.

    The factors ``f`` with ``0.5 <= f ** depth <= 2`` are ``[0.5 ** (1/depth), 2 ** (1/depth)]``;
    for depth 50 about ``1 +- 0.014``. Checked at depths 50, 10 and 200.
    """
    from .chains import stable_factor_range

    _check_cases(
        band_edges,
        "band_edges",
        [(f"depth {d}", (d,), stable_factor_range(d)) for d in (50, 10, 200)],
        same=lambda got, exp: close_enough(got, exp, rtol=1e-6),
        show=lambda t: f"({float(t[0]):.5f}, {float(t[1]):.5f})",
        hint="solve f ** depth = 2 for f (the upper edge) and f ** depth = 0.5 "
        "(the lower edge); return (lower, upper), unrounded.",
    )


def check_overflow_step(overflow_step) -> None:
    """Notebook 01, exercise 2: ``overflow_step(n)``, the first k with sqrt(n) ** k > float32 max.

    A typical entry of the N(0, 1) matrix chain grows by sqrt(n) per step from about 1;
    float32 ends at 3.4e38. Checked for n = 512 (29), 64 and 4096.
    """
    from .chains import predicted_escape_step

    def same(got, exp):
        count, problem = as_count(got, "overflow_step")  # 29, 29.0, np.int64(29), 0-d arrays
        return problem is None and count == exp

    _check_cases(
        overflow_step,
        "overflow_step",
        [
            (f"n = {n}", (n,), math.floor(predicted_escape_step(n, 1.0, dtype="float32")) + 1)
            for n in (512, 64, 4096)
        ],
        same=same,
        show=lambda k: f"{as_number(k, 'k')[0]:g}" if as_number(k, "k")[1] is None else repr(k),
        hint="after k steps a typical entry is about sqrt(n) ** k: solve "
        "sqrt(n) ** k = np.finfo(np.float32).max for k with logarithms, then take the "
        "next whole step.",
    )


def distinct_columns(w, tol: float = 1e-8) -> int:
    """How many different columns ``w`` has: columns within ``tol`` in every entry count once.

    In a weight matrix ``(fan_in, fan_out)`` a column is one hidden unit's incoming
    weights, so this counts the distinct hidden units (notebook 01, exercise 3).
    """
    reps: list[np.ndarray] = []
    for col in np.asarray(w, dtype=float).T:
        if not any(np.max(np.abs(col - r)) <= tol for r in reps):
            reps.append(col)
    return len(reps)


def check_distinct_units(n_distinct_units) -> None:
    """Notebook 01, exercise 3: ``n_distinct_units(W)`` counts the different columns of W.

    Checked on a constant matrix (1 unit), a random one (all distinct), an all-zero one
    (1), one whose columns are c and 2c (2 units though its rank is 1), and one with three
    patterns repeated and a 1e-12 jitter (3).
    """
    rng = np.random.default_rng(1)
    c = rng.normal(size=(16, 1))
    three = np.repeat(rng.normal(size=(16, 3)), 4, axis=1) + 1e-12 * rng.normal(size=(16, 12))
    matrices = {
        "a constant 16 x 8 matrix": np.full((16, 8), 0.1),
        "a random 16 x 8 matrix": rng.normal(size=(16, 8)),
        "an all-zero 16 x 8 matrix": np.zeros((16, 8)),
        "columns c, 2c, c, 2c": np.hstack([c, 2 * c, c, 2 * c]),
        "3 patterns x 4 copies, jitter 1e-12": three,
    }
    _check_cases(
        n_distinct_units,
        "n_distinct_units",
        [(label, (w,), distinct_columns(w)) for label, w in matrices.items()],
        same=lambda got, exp: as_count(got, "n_distinct_units") == (exp, None),  # 1, 1.0, 0-d
        show=lambda k: f"{as_number(k, 'k')[0]:g}" if as_number(k, "k")[1] is None else repr(k),
        hint="compare each column W[:, j] with the columns already counted; two units are "
        "the same when every entry differs by at most 1e-8. Rank is not the same thing: "
        "c and 2c are different units.",
    )


# --- notebook 02: the variance of a product, Xavier uniform, the truncated normal ------
_WEIGHT_SEED = 12345  # the seed the weight checks hand to the learner's function


def _mistake_hint(fn, name: str, cases, mistakes, default: str) -> str:
    """The hint of the known mistake ``fn`` makes on every case, else ``default``.

    ``mistakes`` is a list of ``(formula, hint)``; ``formula(*args)`` is what a learner with
    that misconception would return. Calling ``fn`` here never raises (see call_safely).
    """
    for formula, hint in mistakes:
        hits = 0
        for _, args, _ in cases:
            got, error = call_safely(fn, *args, name=name)
            if error or is_stub(got) or not close_enough(got, formula(*args), rtol=1e-6):
                break
            hits += 1
        if hits == len(cases):
            return hint
    return default


def _check_formula(fn, name: str, cases, *, show, hint: str, mistakes=(), correct=None):
    """Check a formula the learner wrote: each ``(label, args, expected)`` to rtol 1e-6.

    A known mistake (see :func:`_mistake_hint`) gets its own hint; ``correct`` replaces
    the list of values in the ``Correct:`` line.
    """

    def same(got, exp):
        return not isinstance(got, bool) and close_enough(got, exp, rtol=1e-6)

    hint = _mistake_hint(fn, name, cases, mistakes, hint)
    _check_cases(fn, name, cases, same=same, show=show, hint=hint, correct=correct)


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
    from .initializers import TRUNCATION, truncated_normal_std_factor

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


# --- notebook 03: the leaky-ReLU gain, a gain by Monte Carlo, a ReLU stack ------------
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
    from .activations import get_activation
    from .theory import gaussian_expectation

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
    from .initializers import calculate_gain

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


# --- notebook 04: the variance map, layer by layer -------------------------------------
#: The Monte Carlo that exercise 1 of notebook 04 allows: this many draws per layer.
MC_DRAWS_04 = 10**6


def _tanh_map_mc_se(depth: int, n_draws: int) -> float:
    """Standard error of sqrt(E[h_depth^2]) computed with ``n_draws`` draws per layer.

    The map q_{l+1} = E[tanh(sqrt(q_l) z)^2] (sigma_w^2 = 1, q_1 = 1) run by Monte Carlo
    instead of quadrature: layer l's mean of f_l(z) = tanh(sqrt(q_l) z)^2 has an error
    eps_l, and to first order (delta method) the answer moves by sum_l c_l eps_l with
    c_l = prod_{k > l} m'(q_k) / (2 std), m(q) = E[tanh(sqrt(q) z)^2]. Fresh draws at
    each layer give Var = sum_l c_l^2 Var(f_l) / N; one draw of z reused at every layer
    gives Var(sum_l c_l f_l(z)) / N, the larger of the two here. Both by quadrature.
    """
    from .theory import gauss_hermite, gaussian_expectation

    def m(q):
        return gaussian_expectation(lambda u: np.tanh(u) ** 2, q)

    qs = [1.0]
    for _ in range(depth):
        qs.append(m(qs[-1]))
    std = math.sqrt(qs[depth])
    slope = [(m(q * (1 + 1e-5)) - m(q * (1 - 1e-5))) / (2e-5 * q) for q in qs[:depth]]
    c = np.array([np.prod(slope[i + 1 : depth]) / (2 * std) for i in range(depth)])
    x, w = gauss_hermite(101)
    f = np.array([np.tanh(math.sqrt(q) * x) ** 2 for q in qs[:depth]])
    fresh = np.sum(c**2 * (f**2 @ w - (f @ w) ** 2))
    joint = c @ f
    reused = joint**2 @ w - (joint @ w) ** 2
    return math.sqrt(max(fresh, reused) / n_draws)


def check_predicted_std(std_10) -> None:
    """Notebook 04, exercise 1: the std of h_10 in a tanh network with sigma_w^2 = 1, no bias.

    q_1 = sigma_w^2 E[x^2] = 1, q_{l+1} = E[tanh(sqrt(q_l) z)^2]; the answer is
    sqrt(E[tanh(sqrt(q_10) z)^2]) = 0.22847 by quadrature. Accepted within the error of
    the least exact method the exercise allows, a Monte Carlo of 10^6 draws per layer:
    four of its standard errors (see :func:`_tanh_map_mc_se`), about 0.0031.
    """
    from .theory import iterate_variance_map, predict_propagation

    expected = float(predict_propagation(10, "tanh", sigma_w2=1.0).activation_std[-1])
    got, problem = as_number(std_10, "std_10")
    if problem:
        report(False, problem, "start from q = 1 at layer 1 and apply the map nine times.")
        return
    se = _tanh_map_mc_se(10, MC_DRAWS_04)
    tol = 4 * se
    if abs(got - expected) <= tol:
        report(
            True,
            f"std of h_10 = {got:.4f}; quadrature gives {expected:.5f} (accepted: within "
            f"{tol:.4f}, four standard errors of a Monte Carlo with 10^6 draws per layer).",
        )
        return
    q = iterate_variance_map(1.0, 10, "tanh", sigma_w2=1.0)  # q[l - 1] is q_l
    stds = predict_propagation(12, "tanh", sigma_w2=1.0).activation_std
    mistakes = [
        (
            math.sqrt(q[9]),
            "that is the std of the pre-activation z_10 (here equal to that of h_9, since "
            "sigma_w^2 = 1): h_10 = tanh(z_10) needs one more step of the map.",
        ),
        (q[9], "that is q_10, the second moment of z_10; take tanh, then the square root."),
        (
            expected**2,
            "that is E[h_10^2], the second moment; the std is its square root (tanh is odd, "
            "so the mean is 0).",
        ),
        (stds[10], "that is layer 11: q_1 = 1 belongs to layer 1, so apply the map 9 times."),
    ]
    hint = next(
        (h for value, h in mistakes if abs(got - value) <= tol),
        "q_{l+1} = E[tanh(sqrt(q_l) z)^2] with q_1 = 1; the std of h_10 is "
        "sqrt(E[tanh(sqrt(q_10) z)^2]).",
    )
    if hint.startswith("q_{l+1}") and abs(got - expected) <= 10 * tol:
        hint = (
            "close: if you used Monte Carlo, take at least 10^6 draws per layer (the standard "
            f"error is then {se:.4f}), or the Gauss-Hermite points of section 2."
        )
    report(
        False,
        f"std_10 = {got:.5f}, expected {expected:.5f} (within {tol:.4f}).",
        hint,
    )


def _std_band(sigma_w: float, depth: int):
    """(largest relative distance of a layer's predicted std from layer 1's, prediction)."""
    from .theory import predict_propagation

    p = predict_propagation(depth, "tanh", sigma_w2=sigma_w * sigma_w)
    std = p.activation_std
    return float(np.max(np.abs(std / std[0] - 1.0))), p


@functools.lru_cache(maxsize=4)
def smallest_sigma_w_keeping_std(depth: int = 50, tolerance: float = 0.1) -> float:
    """The smallest sigma_w for which every layer's predicted std stays within ``tolerance``.

    Bisection on [1, 3] (tanh, no bias, E[x^2] = 1): the largest distance from layer 1's
    std falls as sigma_w grows (1.8935 for 50 layers and 10%).
    """
    lo, hi = 1.0, 3.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if _std_band(mid, depth)[0] <= tolerance:
            hi = mid
        else:
            lo = mid
    return hi


def check_sigma_w_keeps_std(sigma_w, depth: int = 50, tolerance: float = 0.1) -> None:
    """Notebook 04, exercise 2: the smallest sigma_w keeping a tanh net's std within 10%.

    Weights N(0, sigma_w^2 / n), no bias, inputs of second moment 1: every layer's
    predicted activation std must stay within ``tolerance`` of layer 1's, and sigma_w
    must be the smallest that does, to 0.01 (a scan upwards in steps of 0.01 gives the
    first grid value at or above the edge 1.8935; a bisection may land a hair below it).
    A larger sigma_w keeps the std too, but makes chi_1 and the gradients grow more: the
    feedback gives both.
    """
    got, problem = as_number(sigma_w, "sigma_w")
    if problem is None and got <= 0:
        problem = f"sigma_w should be positive; received {got!r}."
    if problem:
        report(False, problem, "try values between 1 and 3.")
        return
    edge = smallest_sigma_w_keeping_std(depth, tolerance)
    off, p = _std_band(got, depth)
    std = p.activation_std
    grows = p.gradient_std[0] / p.gradient_std[-1]
    price = (
        f"chi_1 = {p.chi[-1]:.3f} per layer, so gradients change x{grows:.3g} from layer "
        f"{depth} back to layer 1"
    )
    if edge - 1e-3 <= got <= edge + 0.01:
        where = (
            f"at most {off:.2%} from layer 1's {std[0]:.3f}), and no smaller sigma_w does "
            f"(the edge is {edge:.5f})"
            if got >= edge
            else f"{off:.3%} from layer 1's {std[0]:.3f}: a hair below the edge "
            f"{edge:.5f}, within a bisection's rounding)"
        )
        report(
            True,
            f"sigma_w = {got:.5g}: the std stays between {std.min():.3f} and {std.max():.3f} "
            f"over {depth} layers ({where}. The price: {price}.",
        )
    elif got > edge:
        squared = edge - 1e-3 <= math.sqrt(got) <= edge + 0.01
        report(
            False,
            f"sigma_w = {got:.5g} keeps the std within {tolerance:.0%} (at most {off:.2%} off), "
            f"but it is not the smallest that does. Its price: {price}.",
            "that looks like sigma_w^2: predict_propagation takes sigma_w2=sigma_w**2, the "
            "check takes sigma_w itself."
            if squared
            else "the exercise asks for the smallest sigma_w, to 0.01: every step up makes "
            "chi_1 larger and the gradients explode faster. Scan upwards from 1 in steps of 0.01.",
        )
    else:
        worst = int(np.argmax(np.abs(std / std[0] - 1.0)))
        report(
            False,
            f"sigma_w = {got:.5g}: the std goes from {std[0]:.3f} at layer 1 to "
            f"{std[worst]:.3f} at layer {worst + 1} ({off:.2%} off, more than "
            f"{tolerance:.0%}).",
            "a larger sigma_w moves the map's fixed point away from 0; scan values between "
            "1 and 3 with cu.theory.predict_propagation(50, 'tanh', sigma_w2=sigma_w**2).",
        )


# --- notebook 05: the stalled loss, the update:data ratio, one Adam step ------------------
def check_stalled_loss(stalled_loss, n_classes: int = 10) -> None:
    """Notebook 05, exercise 1: the cross-entropy of a network whose logits are all equal.

    softmax gives every class 1 / n_classes, so the loss is -ln(1 / n) = ln n: 2.3026
    for the ten digits, whatever the label. Computed, so to 1e-4 (2.3026 passes, the
    rounded 2.303 gets a hint).
    """
    expected = math.log(n_classes)
    got, problem = as_number(stalled_loss, "stalled_loss")
    if problem:
        report(False, problem, "equal logits: what probability does softmax give each class?")
        return
    if close_enough(got, expected, rtol=1e-4):
        report(
            True,
            f"stalled_loss = {got:.4f} = ln {n_classes}: softmax gives every class "
            f"1/{n_classes}, and -ln(1/{n_classes}) = {expected:.4f}.",
        )
        return
    mistakes = [
        (1.0 / n_classes, "that is the probability of the right class, not the loss."),
        (math.log10(n_classes), "that is log base 10; cross-entropy uses the natural log."),
        (math.log2(n_classes), "that is log base 2; cross-entropy uses the natural log."),
        (-expected, "a loss is -log(probability): positive."),
    ]
    hint = next(
        (h for value, h in mistakes if close_enough(got, value, rtol=1e-4)),
        "cross-entropy is -ln(probability of the right class), and with equal logits that "
        f"probability is 1/{n_classes}.",
    )
    if abs(got - expected) <= 5e-3 and hint.startswith("cross-entropy"):
        hint = "that is ln 10 rounded; compute it (np.log), do not type the digits."
    report(False, f"stalled_loss = {got:.6g}, expected {expected:.6f}.", hint)


def _ratio_cases():
    rng = np.random.default_rng(5)
    w = rng.normal(0.0, 0.05, size=(64, 32))
    g = rng.normal(0.0, 0.002, size=(64, 32))
    small, g2 = rng.normal(0.0, 0.01, size=(32, 32)), g[:32]
    return [
        ("W ~ N(0, 0.05^2) (64, 32), lr 0.01", (w, g, 0.01), 0.01 * _fro(g) / _fro(w)),
        ("W ~ N(0, 0.01^2) (32, 32), lr 0.1", (small, g2, 0.1), 0.1 * _fro(g2) / _fro(small)),
    ]


def _fro(a) -> float:
    return float(np.sqrt(np.sum(np.square(a))))


def check_update_ratio(update_ratio) -> None:
    """Notebook 05, exercise 2: ``update_ratio(w, grad, lr)`` = |lr grad| / |W| (Frobenius).

    |W| is the norm of the weights before the step, as CS231n's notes compute it and as
    ``cu.fit`` records it. Compared to 1e-6 and shown to 8 digits, so that dividing by the
    updated weights (1e-5 off here) shows in the numbers, and gets its own hint.
    """
    cases = _ratio_cases()
    mistakes = [
        (lambda w, g, lr: _fro(g) / _fro(w), "the update is lr * grad: multiply by lr."),
        (
            lambda w, g, lr: (lr * _fro(g) / _fro(w)) ** 2,
            "take the norms themselves (square roots of the sums of squares), not their squares.",
        ),
        (
            lambda w, g, lr: float(np.mean(np.abs(lr * g) / np.abs(w))),
            "divide the two norms of whole matrices, not entry by entry.",
        ),
        (
            lambda w, g, lr: lr * _fro(g) / _fro(w - lr * g),
            "that divides by |W| after the update; the ratio compares the step with the "
            "weights it changes, before the step (as cu.fit and CS231n do).",
        ),
        (
            lambda w, g, lr: lr * _fro(g) / _fro(w + lr * g),
            "that divides by |W| after a step; the ratio uses the weights before the step.",
        ),
        (
            lambda w, g, lr: lr * float(np.std(g)) / float(np.std(w)),
            "a ratio of stds subtracts the means first; the ratio is one of Frobenius norms, "
            "np.linalg.norm(lr * grad) / np.linalg.norm(w).",
        ),
        (
            lambda w, g, lr: lr * float(np.linalg.norm(g, 2)) / float(np.linalg.norm(w, 2)),
            "np.linalg.norm(a, 2) of a matrix is its largest singular value; the ratio uses "
            "the Frobenius norm, np.linalg.norm's default.",
        ),
    ]
    _check_formula(
        update_ratio,
        "update_ratio",
        cases,
        show=lambda v: f"{float(v):.8g}",
        hint="np.linalg.norm(lr * grad) / np.linalg.norm(w).",
        mistakes=mistakes,
        correct="update_ratio matches |lr grad| / |W| on both cases "
        f"({', '.join(f'{exp:.4g}' for _, _, exp in cases)}).",
    )


_B1, _B2, _EPS = 0.9, 0.999, 1e-8


def _adam_reference(w, g, m, v, t, lr=1e-3, beta1=_B1, beta2=_B2, eps=_EPS):
    """One Adam step by the course's optimizer, from the state (m, v) after t - 1 steps."""
    from .training import Adam

    opt = Adam(lr, beta1, beta2, eps)
    opt.t, opt.m, opt.v = t - 1, [np.array(m, dtype=float)], [np.array(v, dtype=float)]
    w = np.array(w, dtype=float)
    opt.step([w], [np.asarray(g, dtype=float)])
    return w, opt.m[0], opt.v[0]


def _adam_variant(kind: str):
    """``(w, g, m, v, t, lr) -> (w, m, v)``: Adam's efficient ordering, or a known mistake."""

    def step(w, g, m, v, t, lr):
        b1, b2, eps = _B1, _B2, _EPS
        if kind == "swapped averages":
            m, v = b1 * g + (1 - b1) * m, b2 * g * g + (1 - b2) * v
        elif kind == "swapped betas":
            m, v = b2 * m + (1 - b2) * g, b1 * v + (1 - b1) * g * g
        else:
            m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        c1, c2 = 1 - b1**t, 1 - b2**t
        if kind == "t + 1":
            c1, c2 = 1 - b1 ** (t + 1), 1 - b2 ** (t + 1)
        m_hat, v_hat = m / c1, v / c2
        if kind == "efficient":  # Kingma & Ba, section 2: alpha_t and eps-hat = eps
            return w - lr * math.sqrt(c2) / c1 * m / (np.sqrt(v) + eps), m, v
        if kind == "no correction":
            m_hat, v_hat = m, v
        elif kind == "only m corrected":
            v_hat = v
        elif kind == "only v corrected":
            m_hat = m
        if kind == "eps inside sqrt":
            step_ = lr * m_hat / np.sqrt(v_hat + eps)
        else:
            step_ = lr * m_hat / (np.sqrt(v_hat) + eps)
        if kind == "plus":
            return w + step_, m, v
        if kind == "hat state":
            return w - step_, m_hat, v_hat
        if kind == "default lr":
            return w - step_ * (1e-3 / lr), m, v
        return w - step_, m, v

    return step


_ADAM_MISTAKES = {
    "no correction": "divide m by (1 - b1^t) and v by (1 - b2^t): without it step 1 is "
    "(1 - b1) / sqrt(1 - b2) = 3.2 times too large.",
    "only m corrected": "correct v too, v_hat = v / (1 - b2^t): with m_hat alone step 1 is "
    "1 / sqrt(1 - b2) = 32 times too large.",
    "only v corrected": "correct m too, m_hat = m / (1 - b1^t): with v_hat alone step 1 is "
    "(1 - b1) = 0.1 of what it should be.",
    "t + 1": "t counts steps from 1, and the first step uses 1 - b1^1 and 1 - b2^1: your "
    "correction uses t + 1.",
    "eps inside sqrt": "eps goes outside the square root: sqrt(v_hat) + eps, not "
    "sqrt(v_hat + eps) (which moves a 1e-6 gradient by a tenth of lr).",
    "plus": "a step goes against the gradient: w - lr m_hat / (...), not w + ...",
    "hat state": "return the running m and v, not m_hat and v_hat: the next step corrects "
    "again from the raw averages.",
    "default lr": "use the lr the check passes (0.01 on step 1), not a fixed 0.001.",
    "swapped averages": "m = b1 m + (1 - b1) g: the old average keeps weight b1, the new "
    "gradient gets 1 - b1 (the same for v with b2).",
    "swapped betas": "b1 = 0.9 belongs to m (the gradient), b2 = 0.999 to v (its square).",
}


def check_adam_step(adam_step) -> None:
    """Notebook 05, exercise 3: ``adam_step(w, g, m, v, t, lr)`` -> ``(w, m, v)`` after step t.

    Compared, to 1e-6, with :class:`course_utils.Adam` (Kingma & Ba's Algorithm 1) on a
    first step whose gradients span nine orders of magnitude and on a fifth step from a
    running state. Kingma & Ba's "efficient" ordering (their section 2: alpha_t = lr
    sqrt(1 - b2^t) / (1 - b1^t), then w - alpha_t m / (sqrt(v) + eps_hat)) with eps_hat = eps
    is Algorithm 1 with eps replaced by eps / sqrt(1 - b2^t) (31.6 eps on step 1): it is
    accepted, and the check says how much that changes each step (a quarter of the step of
    the 1e-6 gradient, nothing measurable for gradients far above eps). Ten plausible
    mistakes get their own hints.
    """
    rng = np.random.default_rng(7)
    g1 = np.array([1e-6, -1e-3, 1.0, -1e3])
    w1 = rng.normal(size=4)
    m5, v5 = rng.normal(0, 0.1, size=4), rng.uniform(0.001, 0.01, size=4)
    g5, w5 = rng.normal(size=4), rng.normal(size=4)
    zeros = np.zeros(4)
    cases = [
        ("step 1, gradients 1e-6 ... 1e3", (w1, g1, zeros, zeros, 1, 0.01)),
        ("step 5 from a running (m, v)", (w5, g5, m5, v5, 5, 0.001)),
    ]
    algorithm_1 = [(label, args, _adam_reference(*args)) for label, args in cases]
    efficient = [(label, args, _adam_variant("efficient")(*args)) for label, args in cases]

    def same(got, expected):
        try:
            parts = [np.asarray(a, dtype=float) for a in got]
        except (TypeError, ValueError):
            return False
        return len(parts) == 3 and all(
            close_enough(a, b, rtol=1e-6, atol=1e-12) for a, b in zip(parts, expected)
        )

    def show(value):
        return "w = " + np.array2string(np.asarray(value[0], dtype=float), precision=8)

    def fresh(*args):  # copies, so an answer that updates m and v in place is fine
        return adam_step(*(np.array(a) if isinstance(a, np.ndarray) else a for a in args))

    def matches(reference) -> bool:
        for _, args, expected in reference:
            got, error = call_safely(fresh, *args, name="adam_step")
            if error or is_stub(got) or not same(got, expected):
                return False
        return True

    w_first = algorithm_1[0][2][0]
    moved = np.abs(w_first - w1)
    if matches(efficient):
        moved_eff = np.abs(efficient[0][2][0] - w1)
        others = float(np.max(np.abs(moved_eff[1:] / moved[1:] - 1)))
        report(
            True,
            "both steps match Kingma & Ba's efficient ordering (alpha_t = lr sqrt(1 - b2^t) / "
            "(1 - b1^t), eps_hat = eps), which is Algorithm 1 with eps / sqrt(1 - b2^t) in "
            f"place of eps ({1 / math.sqrt(1 - _B2):.1f} eps on step 1): the 1e-6 gradient's "
            f"weight moved {moved_eff[0]:.5f} instead of {moved[0]:.5f}, the others within "
            f"{others:.2%} of cu.Adam's steps.",
        )
        return
    hint = (
        "m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; then w - lr m_hat / "
        "(sqrt(v_hat) + eps) with m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)."
    )
    if not matches(algorithm_1):
        for kind, mistake_hint in _ADAM_MISTAKES.items():
            variant = [(label, args, _adam_variant(kind)(*args)) for label, args in cases]
            if matches(variant):
                hint = mistake_hint
                break
        else:
            got, error = call_safely(fresh, *cases[0][1], name="adam_step")
            if not error and not is_stub(got):
                try:
                    parts = [np.asarray(a, dtype=float) for a in got]
                except (TypeError, ValueError):
                    parts = []
                if len(parts) == 3 and not same(parts, algorithm_1[0][2]):
                    expected = algorithm_1[0][2]
                    if same([parts[1], parts[2], parts[0]], expected) or same(
                        [parts[2], parts[0], parts[1]], expected
                    ):
                        hint = "return the three in the order (w, m, v)."
    _check_cases(
        fresh,
        "adam_step",
        algorithm_1,
        same=same,
        show=show,
        hint=hint,
        correct=f"both steps match cu.Adam; on step 1 every weight moved by "
        f"{moved.min():.4f} to {moved.max():.4f} (lr 0.01), "
        "though the gradients ranged from 1e-6 to 1e3.",
    )


# --- notebook 06: one LSUV layer with a cap, the critical sigma_w^2 ------------------------
def _call_with_deadline(fn, *args, seconds: float = 2.0, name: str):
    """``call_safely`` with a time limit where the platform allows it (an uncapped loop)."""
    import signal
    import threading

    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        return call_safely(fn, *args, name=name)

    class _Deadline(BaseException):  # not an Exception: call_safely must not catch it
        pass

    def _raise(signum, frame):
        raise _Deadline

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return call_safely(fn, *args, name=name)
    except _Deadline:
        return None, f"{name} did not return within {seconds:g} s: does its loop have a cap?"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_lsuv_layer(lsuv_layer) -> None:
    """Notebook 06, exercise 1: ``lsuv_layer(W, b, h, tol, max_iter)`` -> ``(W_new, n_iter)``.

    W_new = W / sqrt(v), repeated while |v - 1| > tol and n_iter < max_iter, where v is the
    variance of h @ W + b over all entries. Case 1 (biases of std 0.3) converges in a few
    rescalings; case 2 starts within tol (Var(z) = 1.004, zero biases) and must come back
    unchanged after 0 rescalings, which a do-while loop (rescale first, test after) fails;
    case 3 (biases of std 2: Var(z) >= 4 whatever W is) cannot converge, and must stop
    after max_iter rescalings instead of looping forever (2 s limit where signals allow).
    Each case is compared with the loop itself: the same W_new and the same n_iter.
    """
    gen = np.random.default_rng(6)
    h = gen.standard_normal((256, 50))
    w = gen.normal(0.0, 0.5, size=(50, 40))
    hint = (
        "v = np.var(h @ W + b); while abs(v - 1) > tol and n_iter < max_iter: "
        "W = W / np.sqrt(v); n_iter += 1; v = ... again."
    )
    b_converges, b_cannot = gen.normal(0.0, 0.3, size=40), gen.normal(0.0, 2.0, size=40)
    w_within = w * math.sqrt(1.004 / np.var(h @ w))  # zero biases: Var(z) = 1.004 exactly
    cases = [
        ("biases of std 0.3", w, b_converges, True),
        ("a layer already within tol (Var(z) = 1.004)", w_within, np.zeros(40), True),
        ("biases of std 2 (cannot converge)", w, b_cannot, False),
    ]
    tol, max_iter = 0.01, 10

    def reference(w_start, b):
        w_ref, n_ref = w_start, 0
        v_ref = float(np.var(h @ w_ref + b))
        while abs(v_ref - 1.0) > tol and n_ref < max_iter:
            w_ref, n_ref = w_ref / math.sqrt(v_ref), n_ref + 1
            v_ref = float(np.var(h @ w_ref + b))
        return w_ref, n_ref

    lines = []
    for label, w_start, b, can in cases:
        w_ref, n_ref = reference(w_start, b)
        got, error = _call_with_deadline(
            lsuv_layer, w_start.copy(), b, h, tol, max_iter, name="lsuv_layer"
        )
        if error:
            report(False, f"{error} ({label})", hint)
            return
        if is_stub(got):
            report(False, f"lsuv_layer returned {got!r} for {label}.", hint)
            return
        try:
            w_new, n_iter = got
            w_new = np.asarray(w_new, dtype=float)
        except (TypeError, ValueError):
            report(False, f"lsuv_layer should return (W_new, n_iter); received {got!r:.80}.", hint)
            return
        n_iter, problem = as_count(n_iter, "n_iter")
        if problem:
            report(False, f"{problem} ({label})", "n_iter counts the rescalings: 0, 1, 2, ...")
            return
        if w_new.shape != w_start.shape or not np.all(np.isfinite(w_new)):
            report(
                False, f"W_new should be a finite array of shape {w_start.shape} ({label}).", hint
            )
            return
        scale = float(np.sum(w_new * w_start) / np.sum(w_start * w_start))
        if not (scale > 0 and np.allclose(w_new, scale * w_start, rtol=1e-9, atol=1e-12)):
            report(False, f"W_new is not a positive multiple of W ({label}).", "only rescale W.")
            return
        v = float(np.var(h @ w_new + b))
        if n_iter > max_iter:
            report(False, f"{n_iter} rescalings for {label}; the cap was {max_iter}.", hint)
            return
        if n_ref == 0 and (n_iter != 0 or not np.allclose(w_new, w_start, rtol=1e-12, atol=0)):
            report(
                False,
                f"{label}: expected W back unchanged after 0 rescalings; received "
                f"{n_iter} rescalings, Var(z) = {v:.4f} (W x {scale:.6f}).",
                "test |v - 1| > tol before the first rescaling (a while loop, not "
                "rescale-then-test): a layer that is already within tol is left alone.",
            )
            return
        if can and abs(v - 1.0) > tol:
            report(
                False,
                f"Var(z) = {v:.4f} after {n_iter} rescalings ({label}).",
                hint + " Divide by sqrt(v), not v: W / c divides Var(z) by c^2.",
            )
            return
        if can and n_iter != n_ref:
            report(
                False,
                f"{label}: Var(z) = {v:.4f}, but n_iter = {n_iter} while the loop made "
                f"{n_ref} rescalings.",
                "add 1 to n_iter at each rescaling, and only then.",
            )
            return
        if not can and n_iter != max_iter:
            report(
                False,
                f"{label}: stopped after {n_iter} rescalings at Var(z) = {v:.3f}; expected "
                f"all {max_iter}.",
                hint,
            )
            return
        if not np.allclose(w_new, w_ref, rtol=1e-9, atol=1e-12):
            report(
                False,
                f"{label}: W_new is W x {scale:.6f}, the loop gives W x "
                f"{float(np.sum(w_ref * w_start) / np.sum(w_start * w_start)):.6f}.",
                hint,
            )
            return
        lines.append(f"{label}: Var(z) = {v:.4f} after {n_iter} rescalings")
    report(True, "; ".join(lines) + ". The cap turned a loop that never ends into a report.")


def check_critical_sigma_w2(critical, sigma_b2: float = 0.1) -> None:
    """Notebook 06, exercise 2: the critical sigma_w^2 of tanh at sigma_b^2 = 0.1, to 1e-3.

    The root of chi_1(q*(sigma_w^2)) = 1, found by bisection; compared with
    :func:`course_utils.theory.critical_sigma_w2`.
    """
    from .theory import critical_sigma_w2

    expected = critical_sigma_w2("tanh", sigma_b2)
    got, problem = as_number(critical, "critical")
    hint = (
        "bisect on s in [0.5, 4]: chi = cu.theory.chi_1_at_fixed_point('tanh', sigma_w2=s, "
        f"sigma_b2={sigma_b2}); chi > 1 means s is too large."
    )
    if problem:
        report(False, problem, hint)
        return
    if abs(got - expected) <= 1e-3:
        report(
            True,
            f"critical sigma_w^2 = {got:.4f} at sigma_b^2 = {sigma_b2:g} (the package gives "
            f"{expected:.4f}); more bias pushes the edge of chaos to larger weights.",
        )
        return
    mistakes = [
        (critical_sigma_w2("tanh", 0.05), "that is the value at sigma_b^2 = 0.05."),
        (math.sqrt(expected), "that is sigma_w; the question asks for sigma_w^2."),
        (1.0, "1 is the critical point without bias; with sigma_b^2 > 0, q* > 0."),
    ]
    specific = next((h for v, h in mistakes if abs(got - v) <= 1e-3), hint)
    report(False, f"critical = {got:.4f}, expected {expected:.4f} (to 1e-3).", specific)


# --- notebook 07: dead chains, residual growth, the fluctuation of the squared norm -------
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
    from .finite_width import squared_norm_second_moment as exact

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


# --- notebook 08: PyTorch's effective variance, picking an initializer --------------------
def check_pytorch_variance(pytorch_variance) -> None:
    """Notebook 08, exercise 1: ``pytorch_variance(fan_in)`` = Var(W_ij) of ``nn.Linear``.

    ``kaiming_uniform_(a=sqrt(5))`` draws U[-b, b] with
    b = sqrt(2 / (1 + 5)) * sqrt(3 / fan_in) = 1 / sqrt(fan_in), so Var = b^2 / 3 =
    1 / (3 fan_in): a third of LeCun's 1 / fan_in. Checked at fan_in 64, 256 and 1000.
    """
    from .frameworks import framework_variance

    sizes = (64, 256, 1000)
    cases = [(f"fan_in={n}", (n,), framework_variance("pytorch_linear", n, n)[0]) for n in sizes]
    _check_formula(
        pytorch_variance,
        "pytorch_variance",
        cases,
        show=lambda v: f"{float(v):.6g}",
        hint="the bound is gain * sqrt(3 / fan_in) with gain = sqrt(2 / (1 + a^2)), a = sqrt(5); "
        "Var(U[-b, b]) = b^2 / 3.",
        mistakes=[
            (lambda n: 1.0 / n, "that is LeCun's 1 / fan_in; the gain sqrt(1/3) is missing."),
            (
                lambda n: 1.0 / math.sqrt(n),
                "that is the bound b = 1 / sqrt(fan_in); the variance of U[-b, b] is b^2 / 3.",
            ),
            (
                lambda n: 1.0 / n**2,
                "square the bound 1 / sqrt(fan_in), not fan_in: b^2 = 1 / fan_in.",
            ),
            (
                lambda n: 2.0 / n,
                "that is He's 2 / fan_in (gain sqrt 2, the ReLU gain); nn.Linear passes "
                "a = sqrt(5) to the leaky-ReLU gain sqrt(2 / (1 + a^2)).",
            ),
        ],
        correct="Var(W) = 1 / (3 fan_in): U[-1/sqrt(fan_in), 1/sqrt(fan_in)], "
        f"an effective gain of 1/sqrt(3) = {1 / math.sqrt(3):.4f} relative to LeCun.",
    )


#: Notebook 08's quiz: architecture -> (accepted answers, the reason).
INITIALIZER_QUIZ = {
    "tanh_mlp": (
        {"xavier_normal", "xavier_uniform", "glorot_normal", "glorot_uniform"}
        | {"lecun_normal", "lecun_uniform", "orthogonal"},
        "tanh is linear near 0 with slope 1, so the variance rule n Var(W) = 1 holds: Xavier "
        "(or LeCun, or orthogonal with gain 1, notebook 06's near-isometric choice).",
    ),
    "relu_cnn": (
        {"he_normal", "he_uniform", "kaiming_normal", "kaiming_uniform"},
        "ReLU halves the second moment, so Var(W) = 2 / n: He (fan_out, as torchvision's "
        "ResNet does, or fan_in).",
    ),
    "selu_mlp": (
        {"lecun_normal", "lecun_uniform"},
        "SELU's self-normalizing fixed point (mean 0, variance 1) needs Var(W) = 1 / n_in: "
        "LeCun normal (Klambauer et al. 2017), or LeCun uniform, which has the same variance.",
    ),
    "rnn_recurrent_weights": (
        {"orthogonal"},
        "the same matrix is applied at every time step: only an orthogonal one keeps every "
        "singular value of W^T at 1 (Keras' default recurrent_initializer).",
    ),
    "deep_linear_net": (
        {"xavier_normal", "xavier_uniform", "glorot_normal", "glorot_uniform"}
        | {"lecun_normal", "lecun_uniform", "orthogonal"},
        "a linear layer has gain 1: Xavier (or LeCun); orthogonal does even better, every "
        "singular value exactly 1 (Saxe et al. 2014).",
    ),
}


def check_initializer_choices(choices) -> None:
    """Notebook 08, exercise 2: a dict architecture -> initializer name for the quiz.

    Keys are those of :data:`INITIALIZER_QUIZ`; values are names from
    :data:`course_utils.INITIALIZERS`. Every wrong or missing answer gets its reason.
    """
    keys = list(INITIALIZER_QUIZ)
    if is_stub(choices) or not isinstance(choices, dict):
        report(
            False,
            f"choices should be a dict with the keys {', '.join(map(repr, keys))}; "
            f"received {type(choices).__name__}.",
            "fill in the dict in the cell above, one initializer name per architecture.",
        )
        return
    wrong, missing = [], []
    for key in keys:
        accepted, why = INITIALIZER_QUIZ[key]
        got = choices.get(key)
        if is_stub(got):
            missing.append(key)
        elif not isinstance(got, str) or got.lower() not in accepted:
            wrong.append(f"{key}: received {got!r}, expected one of {sorted(accepted)}; {why}")
    extra = sorted(set(choices) - set(keys), key=str)
    if extra:
        wrong.append(f"unknown keys {extra}; the architectures are {keys}")
    if wrong or missing:
        right = len(keys) - len(missing) - len([w for w in wrong if not w.startswith("unknown")])
        still = f" Still None: {', '.join(missing)}." if missing else ""
        first = f" {wrong[0]}" if wrong else ""
        report(
            False,
            f"{right} of {len(keys)} right.{still}{first}",
            "walk the path of section 1 for each weight matrix." if missing else None,
        )
        for line in wrong[1:]:
            print(f"  also: {line}")
        return
    shown = ", ".join(f"{key} -> {choices[key]}" for key in keys)
    report(True, f"all {len(keys)} right ({shown}).")
