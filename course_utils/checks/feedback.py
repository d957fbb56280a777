"""The feedback machinery every check shares: one line, ``Correct:`` or ``Not yet:``.

Every ``check_*`` function prints one line that starts with ``Correct:`` or ``Not yet:``
(with what was expected, what came, and a hint) and returns None. It never raises on a
wrong, missing or crashing answer, so a notebook runs top to bottom with the stubs in it.
This module holds what they share: reporting, calling the learner's code safely, reading
a number or a count in any correct form, and running a list of cases.
"""

from __future__ import annotations

import math
import traceback

import numpy as np

__all__ = [
    "CORRECT",
    "NOT_YET",
    "report",
    "is_stub",
    "call_safely",
    "close_enough",
    "as_number",
    "as_count",
]


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
