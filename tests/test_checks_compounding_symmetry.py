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
    (units, lambda W: 1.0, "for a random 16 x 8 matrix expected 8, received 1"),  # right once
    (units, lambda W: n_distinct_units(W) + 0.5, "expected 1, received 1.5"),
    (units, lambda W: np.array([n_distinct_units(W)]), "received array([1])"),
    (over, lambda n: np.array([overflow_step(n)]), "received array([29])"),
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
        (over, lambda n: np.asarray(overflow_step(n)), "n = 512: 29"),  # a 0-d array
        (over, lambda n: np.ceil(np.log(F32_MAX) / np.log(np.sqrt(n))), "n = 512: 29"),
        (units, n_distinct_units, "columns c, 2c, c, 2c: 2"),
        # a count in any correct form: a float from a sum, a NumPy scalar, a 0-d array
        (units, lambda W: float(n_distinct_units(W)), "columns c, 2c, c, 2c: 2"),
        (units, lambda W: np.float64(n_distinct_units(W)), "jitter 1e-12: 3"),
        (units, lambda W: np.asarray(n_distinct_units(W)), "an all-zero 16 x 8 matrix: 1"),
        (units, lambda W: np.int64(n_distinct_units(W)), "a random 16 x 8 matrix: 8"),
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


# --- notebook 00: the depth at which 1.1 per layer passes 100 -------------------------------
depth_check = checks.check_depth_to_exceed


@pytest.mark.parametrize(
    "answer",
    [
        49,
        np.int64(49),
        49.0,
        np.ceil(math.log(100) / math.log(1.1)),  # np.float64(49.0): the solution's own route
        np.asarray(49),
        np.asarray(49.0),
        math.ceil(math.log(100) / math.log(1.1)),
        int(np.floor(np.log(100) / np.log(1.1))) + 1,
    ],
    ids=["int", "int64", "float", "np.ceil", "0-d int", "0-d float", "math.ceil", "floor+1"],
)
def test_depth_accepts_every_form_of_49(capsys, answer):
    line = _run(capsys, depth_check, answer)
    assert line == "Correct: 1.1 ** 49 = 106.7 > 100, while 1.1 ** 48 = 97.0.", line


@pytest.mark.parametrize(
    "answer, words",
    [
        (None, "depth is still None"),
        (48, "1.1 ** 48 = 97.0 is not above 100 yet"),
        (np.float64(48.0), "1.1 ** 48 = 97.0 is not above 100 yet"),
        (50, "1.1 ** 50 = 117.4 is above 100, but a smaller depth already is"),
        (math.log(100) / math.log(1.1), "whole number; received 48.3177"),  # not rounded
        (round(math.log(100) / math.log(1.1)), "1.1 ** 48 = 97.0 is not above 100"),  # rounded
        ("49", "one number; received '49'"),
        (True, "one number; received True"),
        (np.array([49]), "one number; received an array of shape (1,)"),
        (float("inf"), "finite number"),
    ],
)
def test_depth_wrong_answers_name_the_mistake(capsys, answer, words):
    line = _run(capsys, depth_check, answer)
    assert line.startswith("Not yet:") and words in line and "Hint:" in line, line


def test_depth_expected_value_is_derived():
    assert 1.1**48 < 100 < 1.1**49
