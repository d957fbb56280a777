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
