"""Checks on symmetry: how many hidden units a zero or constant init keeps distinct."""

from __future__ import annotations

import numpy as np

from .feedback import _check_cases, as_count, as_number

__all__ = [
    "distinct_columns",
    "check_distinct_units",
]


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
