"""The exercise checks of notebook 05: every correct form passes, every plausible mistake is named.

Each check prints one line, ``Correct:`` or ``Not yet:``, and never raises; the numbers it
prints differ where the answer differs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import checks

B1, B2, EPS = 0.9, 0.999, 1e-8


def _line(check, answer, capsys) -> str:
    check(answer)  # must not raise
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out
    return out


def _boom(*_args):
    raise RuntimeError("learner bug")


# --- exercise 1: the loss of a stalled network ---------------------------------------------
@pytest.mark.parametrize(
    "answer",
    [
        -np.log(1 / 10),
        np.log(10),
        math.log(10),
        -math.log(0.1),
        np.float32(np.log(10)),
        np.array(np.log(10)),
        2.3026,
        2.302585,
    ],
)
def test_stalled_loss_accepts_every_correct_form(answer, capsys):
    out = _line(checks.check_stalled_loss, answer, capsys)
    assert out.startswith("Correct:") and "2.3026" in out, out


@pytest.mark.parametrize(
    "answer, words",
    [
        (0.1, "probability of the right class"),
        (1.0, "log base 10"),
        (math.log2(10), "log base 2"),
        (-np.log(10), "positive"),
        (2.303, "rounded"),  # typed digits, not computed
        (2.3, "rounded"),
        (1.5, "-ln(probability of the right class)"),
        (None, "still None"),
        ("2.3026", "one number"),
        ([2.3026], "one number"),
        (float("nan"), "finite"),
    ],
)
def test_stalled_loss_names_each_mistake(answer, words, capsys):
    out = _line(checks.check_stalled_loss, answer, capsys)
    assert out.startswith("Not yet:") and words in out, out


# --- exercise 2: the update:data ratio ------------------------------------------------------
@pytest.mark.parametrize(
    "answer",
    [
        lambda w, grad, lr: np.linalg.norm(lr * grad) / np.linalg.norm(w),  # the solution
        lambda w, grad, lr: lr * np.linalg.norm(grad) / np.linalg.norm(w),
        lambda w, grad, lr: np.sqrt(np.sum((lr * grad) ** 2) / np.sum(w**2)),
        lambda w, grad, lr: np.linalg.norm(-lr * grad, "fro") / np.linalg.norm(w, "fro"),
        lambda w, grad, lr: np.linalg.norm((lr * grad).ravel()) / np.linalg.norm(w.ravel()),
        lambda w, grad, lr: np.array(np.linalg.norm(lr * grad) / np.linalg.norm(w)),  # 0-d
    ],
)
def test_update_ratio_accepts_every_correct_form(answer, capsys):
    out = _line(checks.check_update_ratio, answer, capsys)
    assert out.startswith("Correct:"), out


def _fro(a):
    return np.linalg.norm(a)


@pytest.mark.parametrize(
    "answer, words",
    [
        (lambda w, g, lr: _fro(g) / _fro(w), "multiply by lr"),
        (lambda w, g, lr: (lr * _fro(g) / _fro(w)) ** 2, "not their squares"),
        (lambda w, g, lr: np.mean(np.abs(lr * g) / np.abs(w)), "not entry by entry"),
        (lambda w, g, lr: lr * _fro(g) / _fro(w - lr * g), "after the update"),
        (lambda w, g, lr: lr * _fro(g) / _fro(w + lr * g), "after a step"),
        (lambda w, g, lr: lr * np.std(g) / np.std(w), "ratio of stds"),
        (lambda w, g, lr: _fro(lr * g) / np.linalg.norm(w, 2), "np.linalg.norm(lr * grad)"),
        (lambda w, g, lr: np.linalg.norm(lr * g, 2) / np.linalg.norm(w, 2), "largest singular"),
        (lambda w, g, lr: None, "returned None"),
        (_boom, "RuntimeError"),
        ("not a function", "not a function"),
    ],
)
def test_update_ratio_names_each_mistake(answer, words, capsys):
    out = _line(checks.check_update_ratio, answer, capsys)
    assert out.startswith("Not yet:") and words in out, out


def test_update_ratio_after_the_update_prints_numbers_that_differ(capsys):
    """The review's case: 'expected 0.0004156, received 0.0004156' showed no difference."""
    out = _line(checks.check_update_ratio, lambda w, g, lr: lr * _fro(g) / _fro(w - lr * g), capsys)
    expected = out.split("expected ")[1].split(",")[0]
    received = (
        out.split("received ")[1].split(".")[0] + "." + out.split("received ")[1].split(".")[1]
    )
    assert expected != received, out


# --- exercise 3: one Adam step --------------------------------------------------------------
def adam_algorithm_1(w, g, m, v, t, lr=1e-3):
    m = B1 * m + (1 - B1) * g
    v = B2 * v + (1 - B2) * g**2
    m_hat, v_hat = m / (1 - B1**t), v / (1 - B2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + EPS), m, v


def adam_efficient(w, g, m, v, t, lr=1e-3):
    """Kingma & Ba 2015, section 2: the 'efficient' ordering with eps_hat = eps."""
    m = B1 * m + (1 - B1) * g
    v = B2 * v + (1 - B2) * g**2
    alpha_t = lr * math.sqrt(1 - B2**t) / (1 - B1**t)
    return w - alpha_t * m / (np.sqrt(v) + EPS), m, v


def adam_in_place(w, g, m, v, t, lr=1e-3):
    m *= B1
    m += (1 - B1) * g
    v *= B2
    v += (1 - B2) * g * g
    w -= lr * (m / (1 - B1**t)) / (np.sqrt(v / (1 - B2**t)) + EPS)
    return w, m, v


def adam_as_lists(w, g, m, v, t, lr=1e-3):
    return [list(a) for a in adam_algorithm_1(w, g, m, v, t, lr)]


@pytest.mark.parametrize("answer", [adam_algorithm_1, adam_in_place, adam_as_lists])
def test_adam_accepts_algorithm_1_in_every_form(answer, capsys):
    out = _line(checks.check_adam_step, answer, capsys)
    assert out.startswith("Correct:") and "match cu.Adam" in out, out


def test_adam_accepts_kingma_and_bas_efficient_ordering_and_names_it(capsys):
    out = _line(checks.check_adam_step, adam_efficient, capsys)
    assert out.startswith("Correct:") and "efficient ordering" in out, out
    # the difference it makes, derived: eps / sqrt(1 - b2) = 31.6 eps on step 1, so the
    # 1e-6 gradient (sqrt(v_hat) = 1e-6) moves lr (1e-6 / (1e-6 + 3.16e-7)) = 0.76 lr, not 0.99 lr
    lr = 0.01
    assert f"{lr * 1e-6 / (1e-6 + EPS / math.sqrt(1 - B2)):.5f}" in out, out
    assert f"{lr * 1e-6 / (1e-6 + EPS):.5f}" in out, out


def _variant(kind):
    step = checks.training._adam_variant(kind)
    return lambda w, g, m, v, t, lr=1e-3: step(w, g, m, v, t, lr)


@pytest.mark.parametrize(
    "kind, words",
    [
        ("no correction", "3.2 times too large"),
        ("only m corrected", "32 times too large"),
        ("only v corrected", "correct m too"),
        ("t + 1", "t + 1"),
        ("eps inside sqrt", "outside the square root"),
        ("plus", "against the gradient"),
        ("hat state", "not m_hat and v_hat"),
        ("default lr", "not a fixed 0.001"),
        ("swapped averages", "the old average keeps weight b1"),
        ("swapped betas", "b1 = 0.9 belongs to m"),
    ],
)
def test_adam_names_each_mistake(kind, words, capsys):
    out = _line(checks.check_adam_step, _variant(kind), capsys)
    assert out.startswith("Not yet:") and words in out, out


def test_adam_mistakes_are_really_different_from_adam():
    """Each named mistake differs from Algorithm 1 on the check's own cases."""
    w, g = np.array([0.5, -0.2, 0.1, 0.3]), np.array([1e-6, -1e-3, 1.0, -1e3])
    z = np.zeros(4)
    right = adam_algorithm_1(w, g, z, z, 1, 0.01)
    for kind in checks.training._ADAM_MISTAKES:
        got = checks.training._adam_variant(kind)(w, g, z, z, 1, 0.01)
        assert not all(np.allclose(a, b, rtol=1e-6) for a, b in zip(got, right)), kind


@pytest.mark.parametrize(
    "answer, words",
    [
        (lambda *a: None, "returned None"),
        (lambda *a: (1, 2), "expected w ="),
        (_boom, "RuntimeError"),
    ],
)
def test_adam_rejects_the_rest_with_feedback(answer, words, capsys):
    out = _line(checks.check_adam_step, answer, capsys)
    assert out.startswith("Not yet:") and words in out, out


def test_adam_order_hint_for_a_right_step_returned_in_the_wrong_order(capsys):
    def wrong_order(w, g, m, v, t, lr=1e-3):
        w, m, v = adam_algorithm_1(w, g, m, v, t, lr)
        return m, v, w

    out = _line(checks.check_adam_step, wrong_order, capsys)
    assert out.startswith("Not yet:") and "order (w, m, v)" in out, out
