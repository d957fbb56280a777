"""The exercise checks of notebook 10: every right form passes, every mistake is named.

Each check prints one line, ``Correct:`` or ``Not yet:`` with what it expected, what came and
a hint; it never raises. For each: the notebook's solution, other correct forms, and every
plausible mistake, asserted on the printed feedback.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import checks


def _says(capsys, check, answer, verdict, *words) -> str:
    """Run ``check(answer)``: one line starting with ``verdict`` and holding ``words``."""
    assert check(answer) is None  # a check never raises and returns nothing
    out = capsys.readouterr()
    assert out.err == "" and out.out.startswith(verdict), out.out
    for word in words:
        assert word in out.out, (word, out.out)
    return out.out


def _boom(*_args):
    raise RuntimeError("learner bug")


# --- exercise 1: Adam's first step on a unit with n inputs --------------------------------
def adam_step_change(n, lr):  # the notebook's solution
    return lr * n * np.sqrt(2 / np.pi)


@pytest.mark.parametrize(
    "answer",
    [
        adam_step_change,
        lambda n, lr: lr * n * math.sqrt(2 / math.pi),
        lambda n, lr: np.asarray(n * lr * (2 / np.pi) ** 0.5),  # a 0-d array
        lambda n, lr: float(np.mean(np.full(n, lr * np.sqrt(2 / np.pi)).sum())),
    ],
)
def test_adam_step_change_accepts_the_solution_and_other_forms(capsys, answer):
    _says(capsys, checks.check_adam_step_change, answer, "Correct:", "16 times")


@pytest.mark.parametrize(
    "answer, words",
    [
        (lambda n, lr: lr * np.sqrt(n) * np.sqrt(2 / np.pi), ["not sqrt(n)", "add like n"]),
        (lambda n, lr: lr * np.sqrt(n), ["random-sign"]),
        (lambda n, lr: lr * n, ["E|x| = sqrt(2/pi)", "E[x^2]"]),
        (lambda n, lr: lr * n * 2 / np.pi, ["not 2/pi"]),
        (lambda n, lr: -lr * n * np.sqrt(2 / np.pi), ["positive number"]),
        (lambda n, lr: 2 * lr * n, ["each term of the change is lr |x_i|"]),
    ],
)
def test_adam_step_change_names_each_mistake(capsys, answer, words):
    _says(capsys, checks.check_adam_step_change, answer, "Not yet:", *words)


def test_adam_step_change_survives_stubs_and_crashes(capsys):
    def stub(n, lr): ...

    check = checks.check_adam_step_change
    _says(capsys, check, stub, "Not yet:", "returned None")
    _says(capsys, check, _boom, "Not yet:", "RuntimeError")
    _says(capsys, check, None, "Not yet:", "not a function")
    _says(capsys, check, lambda n, lr: "big", "Not yet:", "expected")


# --- exercise 2: muP's Adam learning rates by layer ---------------------------------------
def mup_adam_lrs(width, base_width, lr):  # the notebook's solution
    return lr, lr * base_width / width, lr


@pytest.mark.parametrize(
    "answer",
    [
        mup_adam_lrs,
        lambda w, b, lr: [lr, lr / (w / b), lr],
        lambda w, b, lr: np.array([lr, lr * b / w, lr]),
        lambda w, b, lr: {"input": lr, "hidden": lr * b / w, "output": np.float64(lr)},
    ],
)
def test_mup_adam_lrs_accepts_every_form(capsys, answer):
    _says(capsys, checks.check_mup_adam_lrs, answer, "Correct:", "0.000625")


@pytest.mark.parametrize(
    "answer, words",
    [
        (lambda w, b, lr: (lr, lr * w / b, lr), ["base/width"]),
        (lambda w, b, lr: (lr, lr * b / w, lr * b / w), ["forward multiplier"]),
        (lambda w, b, lr: (lr * b / w, lr * b / w, lr), ["finite"]),
        (lambda w, b, lr: (lr, lr * math.sqrt(b / w), lr), ["not 1/sqrt(fan_in)"]),
        (lambda w, b, lr: (lr * w / b, lr, lr * w / b), ["MuSGD"]),
        (lambda w, b, lr: (lr, lr, lr), ["standard parametrization"]),
        (lambda w, b, lr: (lr, 0.5 * lr, lr), ["aligned terms"]),  # no known mistake: the hint
    ],
)
def test_mup_adam_lrs_names_each_mistake(capsys, answer, words):
    out = _says(capsys, checks.check_mup_adam_lrs, answer, "Not yet:", *words)
    assert "expected (0.01, 0.000625, 0.01)" in out


def test_mup_adam_lrs_survives_wrong_shapes_stubs_and_crashes(capsys):
    check = checks.check_mup_adam_lrs
    _says(capsys, check, lambda w, b, lr: None, "Not yet:", "returned None")
    _says(capsys, check, _boom, "Not yet:", "RuntimeError")
    _says(capsys, check, lambda w, b, lr: (lr, lr), "Not yet:", "received (0.01, 0.01)")
    _says(capsys, check, lambda w, b, lr: {"input": lr}, "Not yet:", "KeyError")
    _says(capsys, check, lambda w, b, lr: "lr", "Not yet:", "expected")
    _says(capsys, check, lambda w, b, lr: (lr, np.nan, lr), "Not yet:", "expected")
    _says(capsys, check, None, "Not yet:", "not a function")
