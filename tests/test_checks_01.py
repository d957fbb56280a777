"""Notebook 01's exercise checks answer back and never raise.

Each check prints one line: ``Correct:`` for a right answer, ``Not yet:`` (with what was
expected, what came and a hint) for a stub, a wrong answer or one that raises.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import checks
from course_utils.chains import predicted_escape_step

F32_MAX = float(np.finfo(np.float32).max)


def _run(capsys, check, answer):
    assert check(answer) is None
    out = capsys.readouterr()
    assert out.err == ""
    lines = out.out.strip().splitlines()
    assert len(lines) == 1, out.out
    return lines[0]


def _stub(*args, **kwargs): ...  # your code here


def _raises(*args, **kwargs):
    raise IndexError("list index out of range")


def _not_implemented(*args, **kwargs):
    raise NotImplementedError


# The learner's right answers, as the notebook's solutions write them.
def band_edges(depth):
    return 0.5 ** (1 / depth), 2 ** (1 / depth)


def overflow_step(n):
    k = np.log(np.finfo(np.float32).max) / np.log(np.sqrt(n))
    return int(np.floor(k)) + 1


def n_distinct_units(W, tol=1e-8):
    units = []
    for column in W.T:
        if not any(np.max(np.abs(column - u)) <= tol for u in units):
            units.append(column)
    return len(units)


band, over, units = checks.check_band_edges, checks.check_overflow_step, checks.check_distinct_units
NOT_YET = [
    (band, _stub, "returned None for depth 50"),
    (band, _raises, "raised IndexError"),
    (band, _not_implemented, "still a stub"),
    (band, lambda d: (2 ** (1 / d), 0.5 ** (1 / d)), "received (1.01396, 0.98623)"),
    (band, lambda d: (0.986, 1.014), "expected (0.98623, 1.01396)"),  # rounded
    (band, lambda d: (1 - math.log(2) / d, 1 + math.log(2) / d), "(0.98614, 1.01386)"),
    (band, lambda d: "1 +- 0.014", "received '1 +- 0.014'"),
    (band, 42, "not a function"),
    (over, _stub, "returned None for n = 512"),
    (over, _raises, "raised IndexError"),
    (over, lambda n: np.log(np.finfo(np.float32).max) / np.log(np.sqrt(n)), "received 28.4444"),
    (over, lambda n: overflow_step(n) - 1, "expected 29, received 28"),
    (over, lambda n: 29, "for n = 64 expected 43"),  # right for 512 only
    (over, lambda n: True, "received True"),
    (over, lambda n: "29", "received '29'"),
    (units, _stub, "returned None for a constant 16 x 8 matrix"),
    (units, _raises, "raised IndexError"),
    (units, lambda W: int(np.linalg.matrix_rank(W)), "expected 1, received 0"),  # rank
    (units, lambda W: W.shape[1], "for a constant 16 x 8 matrix expected 1, received 8"),
    (units, lambda W: len({tuple(col) for col in W.T}), "jitter 1e-12 expected 3, received 12"),
    (units, lambda W: 1.0, "received 1"),  # a float is not a count
]


@pytest.mark.parametrize(
    "check, answer, words",
    NOT_YET,
    ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(NOT_YET)],
)
def test_not_yet(capsys, check, answer, words):
    line = _run(capsys, check, answer)
    assert line.startswith("Not yet:") and words in line and "Hint:" in line, line


@pytest.mark.parametrize(
    "check, answer, words",
    [
        (band, band_edges, "depth 50: (0.98623, 1.01396)"),
        (band, lambda d: np.array(band_edges(d)), "depth 10: (0.93303, 1.07177)"),
        (over, overflow_step, "n = 512: 29"),
        (over, lambda n: float(overflow_step(n)), "n = 64: 43"),
        (over, lambda n: np.int64(overflow_step(n)), "n = 4096: 22"),
        (units, n_distinct_units, "columns c, 2c, c, 2c: 2"),
    ],
)
def test_correct(capsys, check, answer, words):
    line = _run(capsys, check, answer)
    assert line.startswith("Correct:") and words in line, line


def test_band_edges_expected_values_are_derived():
    for depth in (10, 50, 200):
        lo, hi = band_edges(depth)
        assert lo**depth == pytest.approx(0.5, rel=1e-12) and hi**depth == pytest.approx(2.0)


def test_overflow_step_expected_values_are_derived():
    for n in (512, 64, 4096):
        k = overflow_step(n)
        assert math.sqrt(n) ** k > F32_MAX >= math.sqrt(n) ** (k - 1)
        assert k == math.floor(predicted_escape_step(n)) + 1


def test_distinct_columns_reference():
    rng = np.random.default_rng(0)
    c = rng.normal(size=(5, 1))
    assert checks.distinct_columns(np.full((5, 4), 0.3)) == 1
    assert checks.distinct_columns(np.zeros((5, 4))) == 1
    assert checks.distinct_columns(rng.normal(size=(5, 4))) == 4
    assert checks.distinct_columns(np.hstack([c, 2 * c, c])) == 2
    assert checks.distinct_columns(np.hstack([c, c + 1e-9])) == 1
    assert checks.distinct_columns(np.hstack([c, c + 1e-6])) == 2
