"""Checks on compounding: the depth a factor needs, the band of usable factors, overflow."""

from __future__ import annotations

import math

from .feedback import _check_cases, as_count, as_number, close_enough, is_stub, report

__all__ = [
    "check_depth_to_exceed",
    "check_band_edges",
    "check_overflow_step",
]


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


def check_band_edges(band_edges) -> None:
    """Notebook 01, exercise 1: ``band_edges(depth)`` returns ``(lo, hi)``.

    The factors ``f`` with ``0.5 <= f ** depth <= 2`` are ``[0.5 ** (1/depth), 2 ** (1/depth)]``;
    for depth 50 about ``1 +- 0.014``. Checked at depths 50, 10 and 200.
    """
    from ..chains import stable_factor_range

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
    from ..chains import predicted_escape_step

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
