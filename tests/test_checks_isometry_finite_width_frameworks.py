"""The exercise checks of notebooks 06, 07 and 11: every right form passes, every mistake is named.

Each check prints one line starting with ``Correct:`` for a right answer and ``Not yet:`` (what
was expected, what came, a hint) for a stub, a wrong answer or one that raises; it never
raises itself. For each check: the notebook's solution, the other correct ways to write it,
and the plausible mistakes, each asserted on the feedback text.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import checks, theory


def _line(capsys, check, answer) -> str:
    assert check(answer) is None  # a check never raises and returns nothing
    out = capsys.readouterr()
    assert out.err == ""
    return out.out


def _correct(capsys, check, answer) -> str:
    out = _line(capsys, check, answer)
    assert out.startswith("Correct:"), out
    return out


def _not_yet(capsys, check, answer, *words) -> str:
    out = _line(capsys, check, answer)
    assert out.startswith("Not yet:"), out
    for word in words:
        assert word in out, (word, out)
    return out


def _boom(*_args):
    raise RuntimeError("learner bug")


# --- notebook 06, exercise 1: one LSUV layer with a cap ----------------------------------------
def lsuv_layer(W, b, h, tol=0.01, max_iter=10):  # the notebook's solution
    n_iter = 0
    v = np.var(h @ W + b)
    while abs(v - 1) > tol and n_iter < max_iter:
        W = W / np.sqrt(v)
        n_iter += 1
        v = np.var(h @ W + b)
    return W, n_iter


def lsuv_for_loop(W, b, h, tol=0.01, max_iter=10):  # a for loop with break, in place
    W = W.copy()
    n_iter = 0
    for _ in range(max_iter):
        v = np.var(h @ W + b)
        if abs(v - 1) <= tol:
            break
        W /= np.sqrt(v)
        n_iter += 1
    return [W, np.float64(n_iter)]  # a list, and a whole-number float count


def lsuv_array_count(W, b, h, tol=0.01, max_iter=10):  # n_iter as a 0-d array
    W_new, n = lsuv_layer(W, b, h, tol, max_iter)
    return W_new, np.asarray(n)


def lsuv_uncapped(W, b, h, tol=0.01, max_iter=10):
    v, n = np.var(h @ W + b), 0
    while abs(v - 1) > tol:
        W, n = W / np.sqrt(v), n + 1
        v = np.var(h @ W + b)
    return W, n


def lsuv_do_while(W, b, h, tol=0.01, max_iter=10):  # rescale first, test afterwards
    n_iter = 0
    while True:
        v = np.var(h @ W + b)
        W = W / np.sqrt(v)
        n_iter += 1
        v = np.var(h @ W + b)
        if abs(v - 1) <= tol or n_iter >= max_iter:
            return W, n_iter


def lsuv_by_variance(W, b, h, tol=0.01, max_iter=10):  # divides by v, not sqrt(v)
    n_iter, v = 0, np.var(h @ W + b)
    while abs(v - 1) > tol and n_iter < max_iter:
        W, n_iter = W / v, n_iter + 1
        v = np.var(h @ W + b)
    return W, n_iter


def lsuv_off_by_one(W, b, h, tol=0.01, max_iter=10):  # counts the tests, not the rescalings
    W_new, n = lsuv_layer(W, b, h, tol, max_iter)
    return W_new, n + 1 if n < max_iter else n


def lsuv_gives_up_early(W, b, h, tol=0.01, max_iter=10):  # a cap of 5 whatever it is told
    return lsuv_layer(W, b, h, tol, min(max_iter, 5))


def lsuv_fractional_count(W, b, h, tol=0.01, max_iter=10):
    W_new, n = lsuv_layer(W, b, h, tol, max_iter)
    return W_new, n + 0.5


def lsuv_not_a_multiple(W, b, h, tol=0.01, max_iter=10):
    W_new, n = lsuv_layer(W, b, h, tol, max_iter)
    return W_new + 1e-3, n


def lsuv_only_w(W, b, h, tol=0.01, max_iter=10):
    return lsuv_layer(W, b, h, tol, max_iter)[0]


@pytest.mark.parametrize("answer", [lsuv_layer, lsuv_for_loop, lsuv_array_count])
def test_lsuv_check_accepts_every_correct_form(capsys, answer):
    out = _correct(capsys, checks.check_lsuv_layer, answer)
    assert "after 0 rescalings" in out and "after 10 rescalings" in out


@pytest.mark.parametrize(
    "answer, words",
    [
        (lsuv_uncapped, ["did not return within", "cap"]),
        (lsuv_do_while, ["already within tol", "0 rescalings", "before the first rescaling"]),
        (lsuv_by_variance, ["Var(z) =", "(biases of std 0.3)", "not v"]),
        (lsuv_off_by_one, ["n_iter = ", "rescalings.", "add 1 to n_iter"]),
        (lsuv_gives_up_early, ["stopped after 5 rescalings", "expected all 10"]),
        (lsuv_fractional_count, ["n_iter should be a whole number", "received 2.5"]),
        (lsuv_not_a_multiple, ["not a positive multiple of W"]),
        (lsuv_only_w, ["should return (W_new, n_iter)"]),
        (lambda *a: None, ["returned None for biases of std 0.3"]),
        (_boom, ["RuntimeError: learner bug"]),
        ("not a function", ["not a function"]),
    ],
)
def test_lsuv_check_names_each_mistake(capsys, answer, words):
    _not_yet(capsys, checks.check_lsuv_layer, answer, *words)


def test_lsuv_check_within_tol_case_really_starts_within_tol():
    # the do-while defect is only caught if the check's second layer starts inside tol
    gen = np.random.default_rng(6)
    h = gen.standard_normal((256, 50))
    w = gen.normal(0.0, 0.5, size=(50, 40))
    w_within = w * math.sqrt(1.004 / np.var(h @ w))
    assert abs(np.var(h @ w_within) - 1.0) == pytest.approx(0.004, rel=1e-9)
    assert lsuv_layer(w_within, np.zeros(40), h)[1] == 0
    assert lsuv_do_while(w_within, np.zeros(40), h)[1] == 1


# --- notebook 06, exercise 2: the critical sigma_w^2 at sigma_b^2 = 0.1 -------------------------
def _bisect(sigma_b2=0.1, steps=30):
    lo, hi = 1.0, 3.0
    for _ in range(steps):
        mid = (lo + hi) / 2
        if theory.chi_1_at_fixed_point("tanh", sigma_w2=mid, sigma_b2=sigma_b2) > 1:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def test_critical_check_accepts_every_correct_form(capsys):
    exact = theory.critical_sigma_w2("tanh", 0.1)
    for answer in (_bisect(), np.float64(_bisect()), np.asarray(_bisect()), exact + 9e-4):
        out = _correct(capsys, checks.check_critical_sigma_w2, answer)
        assert "sigma_b^2 = 0.1" in out
    # 12 halvings of [1, 3] already reach 2 * 2^-12 < 1e-3
    _correct(capsys, checks.check_critical_sigma_w2, _bisect(steps=12))


@pytest.mark.parametrize(
    "answer, words",
    [
        (theory.critical_sigma_w2("tanh", 0.05), ["value at sigma_b^2 = 0.05"]),
        (math.sqrt(theory.critical_sigma_w2("tanh", 0.1)), ["that is sigma_w"]),
        (1.0, ["critical point without bias"]),
        (theory.critical_sigma_w2("tanh", 0.1) + 0.01, ["expected", "(to 1e-3)", "bisect"]),
        (None, ["still None"]),
        (np.array([1.99, 2.0]), ["one number", "shape (2,)"]),
        (float("nan"), ["finite number"]),
        ("1.99", ["one number"]),
    ],
)
def test_critical_check_names_each_mistake(capsys, answer, words):
    _not_yet(capsys, checks.check_critical_sigma_w2, answer, *words)


def test_critical_check_prints_enough_digits_to_show_a_difference(capsys):
    exact = theory.critical_sigma_w2("tanh", 0.1)
    out = _not_yet(capsys, checks.check_critical_sigma_w2, exact + 2e-3)
    assert f"{exact + 2e-3:.4f}" in out and f"{exact:.4f}" in out


# --- notebook 07: dead chains, residual growth, the squared norm's second moment ---------------
def p_dead(width, depth):
    return 1 - (1 - 2.0**-width) ** depth


def residual_growth(n_blocks, branch_scale):
    return (1 + 2 * branch_scale**2) ** n_blocks


def squared_norm_second_moment(widths):
    return float(np.prod([1 + 5 / n for n in widths]))


P_DEAD_RIGHT = [
    p_dead,
    lambda n, d: 1 - math.pow(1 - 0.5**n, d),
    lambda n, d: np.asarray(1 - (1 - np.exp2(-n)) ** d),  # a 0-d array
    lambda n, d: 1 - math.exp(d * math.log1p(-(2.0**-n))),
]
RESIDUAL_RIGHT = [
    residual_growth,
    lambda n, s: math.exp(n * math.log1p(2 * s * s)),
    lambda n, s: np.prod(np.full(n, 1 + 2 * s**2)),  # a NumPy scalar (1.0 for 0 blocks too)
]
SQUARED_RIGHT = [
    squared_norm_second_moment,
    lambda w: math.prod(1 + 5 / n for n in w),
    lambda w: np.prod(1 + 5 / np.asarray(w, dtype=float)),  # a NumPy scalar
]


@pytest.mark.parametrize(
    "check, answer",
    [(checks.check_p_dead, a) for a in P_DEAD_RIGHT]
    + [(checks.check_residual_growth, a) for a in RESIDUAL_RIGHT]
    + [(checks.check_squared_norm_second_moment, a) for a in SQUARED_RIGHT],
)
def test_07_checks_accept_every_correct_form(capsys, check, answer):
    _correct(capsys, check, answer)


@pytest.mark.parametrize(
    "check, answer, words",
    [
        (checks.check_p_dead, lambda n, d: (1 - 2.0**-n) ** d, ["survives"]),
        (checks.check_p_dead, lambda n, d: 2.0 ** (-n * d), ["every unit dies"]),
        (checks.check_p_dead, lambda n, d: d * 2.0**-n, ["union bound"]),
        (checks.check_p_dead, lambda n, d: 1 - (1 - 2.0**-d) ** n, ["swapped"]),
        (checks.check_p_dead, lambda n, d: 0.999, ["expected 0.999023, received 0.999"]),
        (checks.check_residual_growth, lambda n, s: (1 + s * s) ** n, ["gain is 2"]),
        (checks.check_residual_growth, lambda n, s: (1 + 2 * s) ** n, ["s^2"]),
        (checks.check_residual_growth, lambda n, s: 1 + 2 * s * s * n, ["do not add"]),
        (checks.check_residual_growth, lambda n, s: (1 + 3 * s * s) ** n, ["1 + g at s = 1"]),
        (checks.check_residual_growth, lambda n, s: (2 * s * s) ** n, ["skip connection"]),
        (
            checks.check_squared_norm_second_moment,
            lambda w: math.exp(5 * sum(1 / n for n in w)),
            ["wide-layer approximation"],
        ),
        (
            checks.check_squared_norm_second_moment,
            lambda w: float(np.prod([1 + 2 / n for n in w])),
            ["linear layer"],
        ),
        (
            checks.check_squared_norm_second_moment,
            lambda w: 1 + 5 * sum(1 / n for n in w),
            ["do not add"],
        ),
        (
            checks.check_squared_norm_second_moment,
            lambda w: float(np.prod([1 + 5 / n for n in w])) - 1,
            ["Var(M)"],
        ),
        (
            checks.check_squared_norm_second_moment,
            lambda w: float(np.prod([1 + 1 / n for n in w])),
            ["own variance"],
        ),
        (
            checks.check_squared_norm_second_moment,
            lambda w: float(np.prod([1 + 4 / n for n in w])),
            ["K is random"],
        ),
    ],
)
def test_07_checks_name_each_mistake(capsys, check, answer, words):
    _not_yet(capsys, check, answer, *words)


@pytest.mark.parametrize(
    "check",
    [checks.check_p_dead, checks.check_residual_growth, checks.check_squared_norm_second_moment],
)
def test_07_checks_stub_crash_and_bool(capsys, check):
    _not_yet(capsys, check, lambda *a: None, "returned None")
    _not_yet(capsys, check, _boom, "RuntimeError")
    _not_yet(capsys, check, lambda *a: True)


def test_squared_norm_check_uses_square_layers_only():
    # the exercise says "square layers": a net of square layers has one width throughout
    import inspect

    source = inspect.getsource(checks.check_squared_norm_second_moment)
    line = next(ln for ln in source.splitlines() if ln.strip().startswith("widths = "))
    for case in eval(line.split("=", 1)[1].split("#")[0]):  # noqa: S307 - our own source
        assert len(set(case)) == 1, case


# --- notebook 11: PyTorch's variance, the quiz -----------------------------------------------
@pytest.mark.parametrize(
    "answer",
    [
        lambda n: 1 / (3 * n),
        lambda n: (math.sqrt(2 / 6) * math.sqrt(3 / n)) ** 2 / 3,
        lambda n: np.float64(1.0) / (3 * n),
        lambda n: np.asarray(1 / (3 * n)),
    ],
)
def test_pytorch_variance_check_accepts_every_correct_form(capsys, answer):
    _correct(capsys, checks.check_pytorch_variance, answer)


@pytest.mark.parametrize(
    "answer, words",
    [
        (lambda n: 1 / n, ["LeCun"]),
        (lambda n: 1 / math.sqrt(n), ["b^2 / 3"]),
        (lambda n: 1 / n**2, ["square the bound"]),
        (lambda n: 2 / n, ["He's 2 / fan_in"]),
        (lambda n: 1 / (3 * n) * 1.001, ["expected 0.00520833, received 0.00521354"]),
        (lambda n: None, ["returned None"]),
        (_boom, ["RuntimeError"]),
    ],
)
def test_pytorch_variance_check_names_each_mistake(capsys, answer, words):
    _not_yet(capsys, checks.check_pytorch_variance, answer, *words)


QUIZ_RIGHT = {
    "tanh_mlp": "xavier_uniform",
    "relu_cnn": "he_normal",
    "selu_mlp": "lecun_normal",
    "rnn_recurrent_weights": "orthogonal",
    "deep_linear_net": "orthogonal",
}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"tanh_mlp": "orthogonal"},  # notebook 06: the near-isometric choice for tanh
        {"tanh_mlp": "lecun_uniform", "deep_linear_net": "glorot_normal"},
        {"selu_mlp": "lecun_uniform"},  # Var(W) = 1 / n_in, as SELU asks
        {"relu_cnn": "Kaiming_Uniform"},  # names are not case-sensitive
    ],
)
def test_quiz_accepts_every_correct_answer(capsys, changes):
    out = _correct(capsys, checks.check_initializer_choices, {**QUIZ_RIGHT, **changes})
    assert "all 5 right" in out


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"selu_mlp": "he_normal"}, ["4 of 5 right", "Klambauer"]),
        ({"relu_cnn": "xavier_uniform"}, ["4 of 5 right", "ReLU halves"]),
        ({"relu_cnn": "orthogonal"}, ["4 of 5 right", "2 / n"]),
        ({"tanh_mlp": "he_normal"}, ["4 of 5 right", "slope 1"]),
        ({"rnn_recurrent_weights": "xavier_normal"}, ["4 of 5 right", "every time step"]),
        ({"deep_linear_net": "zeros"}, ["4 of 5 right", "gain 1"]),
        ({"tanh_mlp": None}, ["4 of 5 right", "Still None: tanh_mlp"]),
        ({"extra": "zeros"}, ["unknown keys"]),
        ({"tanh_mlp": 3}, ["received 3"]),
    ],
)
def test_quiz_names_each_mistake(capsys, changes, words):
    _not_yet(capsys, checks.check_initializer_choices, {**QUIZ_RIGHT, **changes}, *words)


def test_quiz_stub_does_not_give_the_answers(capsys):
    out = _not_yet(
        capsys, checks.check_initializer_choices, dict.fromkeys(QUIZ_RIGHT), "Still None"
    )
    assert "lecun_normal" not in out and "orthogonal" not in out
    _not_yet(capsys, checks.check_initializer_choices, None, "should be a dict")
