"""The exercise checks of notebook 09: every right form passes, every mistake is named.

Each check prints one line starting with ``Correct:`` or ``Not yet:`` and never raises.
For each: the notebook's solution, other correct ways to write it, a stub, a crashing
answer and the plausible mistakes, asserted on the feedback text.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import checks


def _line(capsys, check, answer) -> str:
    assert check(answer) is None
    out = capsys.readouterr()
    assert out.err == ""
    assert out.out.count("\n") == 1
    return out.out


def _correct(capsys, check, answer):
    out = _line(capsys, check, answer)
    assert out.startswith("Correct:"), out


def _not_yet(capsys, check, answer, *words):
    out = _line(capsys, check, answer)
    assert out.startswith("Not yet:"), out
    for word in words:
        assert word in out, (word, out)


def _boom(*_args):
    raise RuntimeError("learner bug")


# --- exercise 1: Var(q . k) ----------------------------------------------------------------
def qk_variance(d_k, var_q, var_k):  # the notebook's solution
    return d_k * var_q * var_k


@pytest.mark.parametrize(
    "answer",
    [
        qk_variance,
        lambda d, a, b: np.float64(d) * a * b,
        lambda d, a, b: np.asarray(sum(a * b for _ in range(d))),  # a 0-d array, summed
        lambda d, a, b: np.full(d, a * b).sum(),
    ],
)
def test_qk_variance_accepts_every_correct_form(capsys, answer):
    _correct(capsys, checks.check_qk_variance, answer)


@pytest.mark.parametrize(
    "answer, words",
    [
        (lambda d, a, b: math.sqrt(d) * a * b, ["sqrt(d_k) is the std"]),
        (lambda d, a, b: a * b, ["that is one term"]),
        (lambda d, a, b: d * (a + b), ["product of their variances"]),
        (lambda d, a, b: d * d * a * b, ["not d_k^2"]),
        (lambda d, a, b: None, ["returned None"]),
        (lambda d, a, b: ..., ["returned Ellipsis"]),
        (_boom, ["raised RuntimeError"]),
        (lambda d, a, b: "d_k", ["expected 64, received"]),
        (42, ["not a function"]),
    ],
)
def test_qk_variance_names_each_mistake(capsys, answer, words):
    _not_yet(capsys, checks.check_qk_variance, answer, *words)


# --- exercise 2: GPT-2's residual std for 12 layers ------------------------------------------
@pytest.mark.parametrize(
    "answer",
    [0.02 / math.sqrt(2 * 12), np.float64(0.02) / np.sqrt(24), np.asarray(0.0040825), 0.00408],
)
def test_gpt2_residual_std_accepts_every_correct_form(capsys, answer):
    _correct(capsys, checks.check_gpt2_residual_std, answer)


@pytest.mark.parametrize(
    "answer, words",
    [
        (0.02 / math.sqrt(12), ["two per block"]),
        (0.02 / 24, ["scales it by 1/N"]),
        (0.02 / 12, ["not 1/12"]),
        (0.02**2 / 24, ["asks for the std"]),
        (0.02, ["unscaled std"]),
        (0.02 * math.sqrt(24), ["not multiplied"]),
        (0.004, ["expected 0.0040825, received 0.0040000"]),
        (None, ["still None"]),
        (np.array([0.004, 0.004]), ["one number"]),
        (float("nan"), ["finite"]),
        (True, ["one number"]),
    ],
)
def test_gpt2_residual_std_names_each_mistake(capsys, answer, words):
    _not_yet(capsys, checks.check_gpt2_residual_std, answer, *words)


# --- exercise 3: the pre-LN stream after L blocks --------------------------------------------
def stream_variance(n_blocks, embed_var, branch_var):  # the notebook's solution
    return embed_var + 2 * n_blocks * branch_var


@pytest.mark.parametrize(
    "answer",
    [
        stream_variance,
        lambda L, e, v: e + sum(v for _ in range(2 * L)),
        lambda L, e, v: np.asarray(e) + np.float64(2 * L) * v,
    ],
)
def test_stream_variance_accepts_every_correct_form(capsys, answer):
    _correct(capsys, checks.check_stream_variance, answer)


@pytest.mark.parametrize(
    "answer, words",
    [
        (lambda L, e, v: e + L * v, ["two branches"]),
        (lambda L, e, v: 2 * L * v, ["starts from the embedding"]),
        (lambda L, e, v: e * (1 + v) ** (2 * L), ["they do not multiply", "notebook 07"]),
        (lambda L, e, v: e + v, ["its own two branches"]),
        (lambda L, e, v: None, ["returned None"]),
        (_boom, ["raised RuntimeError"]),
    ],
)
def test_stream_variance_names_each_mistake(capsys, answer, words):
    _not_yet(capsys, checks.check_stream_variance, answer, *words)
