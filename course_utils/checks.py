"""Exercise feedback: compare the learner's answer with the expected one, and say so kindly.

Every ``check_*`` function prints one line that starts with ``Correct:`` or ``Not yet:``
(with what was expected, what came, and a hint) and returns None. It never raises on a
wrong, missing or crashing answer, so a notebook runs top to bottom with the stubs in it.
"""

from __future__ import annotations

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


# --- notebook 00 -------------------------------------------------------------------
def check_depth_to_exceed(answer, factor: float = 1.1, threshold: float = 100.0) -> None:
    """Notebook 00: the smallest depth L with factor ** L > threshold (49 for 1.1 and 100)."""
    expected = math.floor(math.log(threshold) / math.log(factor)) + 1
    if is_stub(answer):
        report(False, "depth is still None.", f"try a few values: {factor} ** 40, {factor} ** 50.")
        return
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
        report(False, f"depth should be a whole number of layers; received {answer!r}.")
        return
    answer = int(answer)
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


def _check_cases(fn, name: str, cases, *, same, show, hint: str) -> None:
    """Call ``fn(*args)`` for each ``(label, args, expected)``; report the first miss or all."""
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
    report(True, "; ".join(f"{label}: {_show(show, exp)}" for label, _, exp in cases) + ".")


def check_band_edges(band_edges) -> None:
    """Notebook 01, exercise 1: ``band_edges(depth)`` returns ``(lo, hi)``.

    The factors ``f`` with ``0.5 <= f ** depth <= 2`` are ``[0.5 ** (1/depth), 2 ** (1/depth)]``;
    for depth 50 about ``1 +- 0.014``. Checked at depths 50, 10 and 200.
    """
    from .widgets import stable_factor_range

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
        return (
            not isinstance(got, bool)
            and isinstance(got, (int, float, np.integer, np.floating))
            and float(got) == exp
        )

    _check_cases(
        overflow_step,
        "overflow_step",
        [
            (f"n = {n}", (n,), math.floor(predicted_escape_step(n, 1.0, dtype="float32")) + 1)
            for n in (512, 64, 4096)
        ],
        same=same,
        show=lambda k: f"{k:g}" if isinstance(k, (int, float, np.number)) else repr(k),
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
        same=lambda got, exp: (
            not isinstance(got, bool) and isinstance(got, (int, np.integer)) and got == exp
        ),
        show=str,
        hint="compare each column W[:, j] with the columns already counted; two units are "
        "the same when every entry differs by at most 1e-8. Rank is not the same thing: "
        "c and 2c are different units.",
    )
