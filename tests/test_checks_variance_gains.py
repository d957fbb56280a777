"""The exercise checks of notebooks 02 and 03: right answers pass, wrong ones get feedback.

Each check must print one line starting with ``Correct:`` for a right answer and ``Not yet:``
for a stub, a wrong answer or one that raises, and must never raise itself.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import course_utils as cu
from course_utils import checks


def _line(capsys) -> str:
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out
    return out


def _assert_not_yet(check, answer, capsys, *expected_words):
    check(answer)  # must not raise
    out = _line(capsys)
    assert out.startswith("Not yet:"), out
    for word in expected_words:
        assert word in out, (word, out)


def _boom(*_args):
    raise RuntimeError("learner bug")


# --- right answers ---------------------------------------------------------------------
def var_product(mean_w, var_w, mean_x, var_x):
    return var_w * var_x + var_w * mean_x**2 + mean_w**2 * var_x


def xavier_uniform(fan_in, fan_out, rng):
    a = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))


def truncated_normal(fan_in, fan_out, std, rng):
    sigma = std / cu.truncated_normal_std_factor()
    w = rng.normal(0.0, sigma, size=(fan_in, fan_out))
    outside = np.abs(w) > 2 * sigma
    while outside.any():
        w[outside] = rng.normal(0.0, sigma, size=outside.sum())
        outside = np.abs(w) > 2 * sigma
    return w


def gain_estimate(phi, rng):
    z = rng.standard_normal(200_000)
    return 1 / np.sqrt(np.mean(phi(z) ** 2))


def leaky_relu_gain(a):
    return math.sqrt(2 / (1 + a**2))


def relu_stack_second_moment(depth, gain):
    return (gain**2 / 2) ** depth


RIGHT = [
    (checks.check_var_product, var_product),
    (checks.check_xavier_uniform, xavier_uniform),
    (checks.check_truncated_normal, truncated_normal),
    (checks.check_gain_estimate, gain_estimate),
    (checks.check_leaky_relu_gain, leaky_relu_gain),
    (checks.check_relu_stack_second_moment, relu_stack_second_moment),
]
RIGHT_IDS = [c.__name__ for c, _ in RIGHT]


@pytest.mark.parametrize("check, answer", RIGHT, ids=RIGHT_IDS)
def test_right_answer_is_correct(check, answer, capsys):
    assert check(answer) is None
    assert _line(capsys).startswith("Correct:")


def test_package_initializers_pass_the_weight_checks(capsys):
    """The package's own draws are right answers too (the checks hold them to the same rule)."""
    checks.check_xavier_uniform(lambda i, o, rng: cu.xavier_uniform(i, o, rng=rng))
    assert _line(capsys).startswith("Correct:")
    checks.check_truncated_normal(
        lambda i, o, std, rng: cu.variance_scaling(
            i, o, scale=std**2 * i, distribution="truncated_normal", rng=rng
        )
    )
    assert _line(capsys).startswith("Correct:")


@pytest.mark.parametrize("check, answer", RIGHT, ids=RIGHT_IDS)
def test_stub_raising_and_non_functions_get_not_yet(check, answer, capsys):
    n_args = answer.__code__.co_argcount

    def stub(*_args):
        return None

    def ellipsis(*_args):
        return ...

    _assert_not_yet(check, stub, capsys, "returned None")
    _assert_not_yet(check, ellipsis, capsys)
    _assert_not_yet(check, _boom, capsys, "RuntimeError", "learner bug")
    _assert_not_yet(check, 42, capsys, "not a function")
    _assert_not_yet(check, lambda: 1.0, capsys, "TypeError")  # wrong arity
    _assert_not_yet(check, lambda *a: "a string", capsys)
    assert n_args >= 1


def test_xavier_feedback_matches_the_design_examples(capsys):
    _assert_not_yet(
        checks.check_xavier_uniform,
        lambda i, o, rng: None,
        capsys,
        "returned None. Hint: Var(U[-a, a]) = a^2 / 3.",
    )
    checks.check_xavier_uniform(xavier_uniform)
    out = _line(capsys)
    assert out.startswith("Correct: std 0.05") and "bound 0.0926, shape (400, 300)." in out


def _two_humps(fan_in, fan_out, rng):
    """|w| near a with probability p, near 0 otherwise; p makes E[w^2] = a^2 / 3."""
    a = np.sqrt(6 / (fan_in + fan_out))
    p = (1 / 3 - 0.04 / 3) / (1 - 0.04 / 3)  # E[v^2] = p * ~1 + (1 - p) * 0.2^2 / 3
    size = (fan_in, fan_out)
    v = np.where(rng.random(size) < p, 1 - 0.01 * rng.random(size), 0.2 * rng.random(size))
    return a * v * rng.choice([-1.0, 1.0], size=size)


XAVIER_WRONG = {
    "fan_in only": (
        lambda i, o, rng: rng.uniform(-np.sqrt(3 / i), np.sqrt(3 / i), size=(i, o)),
        "expected 0.0535 (fan_in=400, fan_out=300)",
    ),
    "bound without sqrt(3)": (
        lambda i, o, rng: rng.uniform(-np.sqrt(2 / (i + o)), np.sqrt(2 / (i + o)), size=(i, o)),
        "std 0.03",
    ),
    "transposed": (lambda i, o, rng: xavier_uniform(o, i, rng), "shape (300, 400)"),
    "normal, right std": (
        lambda i, o, rng: rng.normal(0, np.sqrt(2 / (i + o)), size=(i, o)),
        "largest |w|",
    ),
    "triangular, right std": (
        lambda i, o, rng: (xavier_uniform(i, o, rng) + xavier_uniform(i, o, rng)) / np.sqrt(2),
        "largest |w|",
    ),
    "two humps inside [-a, a], right std": (lambda i, o, rng: _two_humps(i, o, rng), "a / 2"),
    "shifted": (lambda i, o, rng: xavier_uniform(i, o, rng) + 0.01, "mean"),
    "global random state": (
        lambda i, o, rng: xavier_uniform(i, o, np.random.default_rng()),
        "same seed",
    ),
    "its own fixed seed": (
        lambda i, o, rng: xavier_uniform(i, o, np.random.default_rng(0)),
        "different seeds",
    ),
    "hard-coded for 400 x 300": (
        lambda i, o, rng: rng.uniform(-0.0926, 0.0926, size=(i, o)),
        "(fan_in=50, fan_out=200)",
    ),
    "nan": (lambda i, o, rng: np.full((i, o), np.nan), "inf or nan"),
}


@pytest.mark.parametrize("answer, words", XAVIER_WRONG.values(), ids=XAVIER_WRONG.keys())
def test_xavier_wrong_answers(answer, words, capsys):
    _assert_not_yet(checks.check_xavier_uniform, answer, capsys, words)


def _cut_normal(fan_in, fan_out, sigma, rng):
    return truncated_normal(fan_in, fan_out, sigma * cu.truncated_normal_std_factor(), rng)


def _squeezed(fan_in, fan_out, std, rng):
    """A right truncated normal with its inner values pulled 10% towards zero."""
    w = truncated_normal(fan_in, fan_out, std, rng)
    cut = 2 * std / cu.truncated_normal_std_factor()
    return np.where(np.abs(w) > 0.9 * cut, w, 0.9 * w)


TRUNC_WRONG = {
    "no correction": (lambda i, o, std, rng: _cut_normal(i, o, std, rng), "well inside the cut"),
    "plain normal": (lambda i, o, std, rng: rng.normal(0, std, size=(i, o)), "beyond the cut"),
    "clipped": (
        lambda i, o, std, rng: np.clip(
            rng.normal(0, std / 0.8796, size=(i, o)), -2 * std / 0.8796, 2 * std / 0.8796
        ),
        "exactly on",
    ),
    "uniform, right std": (
        lambda i, o, std, rng: rng.uniform(-np.sqrt(3) * std, np.sqrt(3) * std, size=(i, o)),
        "well inside the cut",
    ),
    "right cut, std too small": (lambda i, o, std, rng: _squeezed(i, o, std, rng), "std 0.04"),
    "transposed": (lambda i, o, std, rng: truncated_normal(o, i, std, rng), "shape"),
    "global random state": (
        lambda i, o, std, rng: truncated_normal(i, o, std, np.random.default_rng()),
        "same seed",
    ),
}


@pytest.mark.parametrize("answer, words", TRUNC_WRONG.values(), ids=TRUNC_WRONG.keys())
def test_truncated_normal_wrong_answers(answer, words, capsys):
    _assert_not_yet(checks.check_truncated_normal, answer, capsys, words)


def test_truncated_normal_catches_a_wrong_shape_inside_the_cut(capsys):
    """Right std, right cut, values near the cut, but not a normal's shape: a 3-point mixture."""

    def mixture(fan_in, fan_out, std, rng):
        sigma = std / cu.truncated_normal_std_factor()
        cut = 2 * sigma
        # half the draws at +-cut * u with u ~ U[0.99, 1], half near zero, scaled to the std
        w = rng.uniform(-1, 1, size=(fan_in, fan_out)) * 0.2 * sigma
        far = rng.random((fan_in, fan_out)) < 0.5
        w[far] = np.sign(rng.standard_normal(far.sum())) * rng.uniform(0.99, 1, far.sum()) * cut
        return w * std / w.std()

    _assert_not_yet(checks.check_truncated_normal, mixture, capsys)


@pytest.mark.parametrize(
    "check, answer, words",
    [
        (checks.check_var_product, lambda mw, vw, mx, vx: vw * vx, "zero-mean answer"),
        (
            checks.check_var_product,
            lambda mw, vw, mx, vx: (vw + mw**2) * (vx + mx**2),
            "second moment",
        ),
        (checks.check_var_product, lambda mw, vw, mx, vx: vw * (vx + mx**2), "expected"),
        (
            checks.check_gain_estimate,
            lambda phi, rng: 1 / np.std(phi(rng.normal(size=10**5))),
            "leaves out the mean",
        ),
        (
            checks.check_gain_estimate,
            lambda phi, rng: np.mean(phi(rng.normal(size=10**5)) ** 2),
            "1 / sqrt of it",
        ),
        (checks.check_gain_estimate, lambda phi, rng: 5 / 3, "for tanh"),
        (checks.check_gain_estimate, lambda phi, rng: np.array([1.59, 1.59]), "one number"),
        (checks.check_gain_estimate, lambda phi, rng: True, "one number"),
        (checks.check_leaky_relu_gain, lambda a: math.sqrt(2 / 1 + a**2), "brackets"),
        (checks.check_leaky_relu_gain, lambda a: 2 / (1 + a**2), "gain squared"),
        (checks.check_leaky_relu_gain, lambda a: math.sqrt(2), "a = 0.01"),
        (checks.check_relu_stack_second_moment, lambda d, g: g ** (2 * d), "halves"),
        (checks.check_relu_stack_second_moment, lambda d, g: (g / 2) ** d, "gain^2"),
        (checks.check_relu_stack_second_moment, lambda d, g: d * g * g / 2, "multiply"),
        (checks.check_relu_stack_second_moment, lambda d, g: 2.0**-d, "expected"),
    ],
)
def test_formula_wrong_answers(check, answer, words, capsys):
    _assert_not_yet(check, answer, capsys, words)


def test_gain_check_tolerance_rejects_a_close_but_biased_estimate(capsys):
    """A 2% bias is over 5 standard errors of a 100 000-draw tanh estimate: it must not pass."""
    checks.check_gain_estimate(lambda phi, rng: 1.02 * gain_estimate(phi, rng))
    assert _line(capsys).startswith("Not yet:")


# --- review: each plausible mistake is named, each correct form passes ---------------------
def _correct_line(check, answer, capsys) -> str:
    check(answer)
    out = _line(capsys)
    assert out.startswith("Correct:"), out
    return out


@pytest.mark.parametrize(
    "answer",
    [
        leaky_relu_gain,
        lambda a: np.sqrt(2 / (1 + a**2)),  # a NumPy scalar
        lambda a: np.asarray(math.sqrt(2 / (1 + a * a))),  # a 0-d array
        lambda a: 1 / math.sqrt((1 + a**2) / 2),
        lambda a: cu.calculate_gain("leaky_relu", a),
    ],
)
def test_leaky_relu_gain_accepts_every_correct_form(answer, capsys):
    _correct_line(checks.check_leaky_relu_gain, answer, capsys)


@pytest.mark.parametrize(
    "answer, words",
    [
        # the two numbers shown must differ: 1.4141429 vs 1.4140722 (not 1.4141 and 1.4141)
        (lambda a: math.sqrt(2) / (1 + a**2), "expected 1.4141429, received 1.4140722"),
        (lambda a: math.sqrt(2) / (1 + a**2), "square root must cover the whole fraction"),
        (lambda a: math.sqrt(2 / (1 + a)), "second moment by a^2"),
        (lambda a: math.sqrt((1 + a**2) / 2), "its inverse"),
        (lambda a: math.sqrt(2 / 1 + a**2), "expected 1.4141429, received 1.4142489"),
    ],
)
def test_leaky_relu_gain_mistakes_are_named_with_digits_that_differ(answer, words, capsys):
    _assert_not_yet(checks.check_leaky_relu_gain, answer, capsys, words)


def _gain_from(z, phi):
    return 1 / np.sqrt(np.mean(phi(z) ** 2))


@pytest.mark.parametrize(
    "answer",
    [
        gain_estimate,
        lambda phi, rng: _gain_from(rng.standard_normal(100_000), phi),  # exactly as asked
        lambda phi, rng: _gain_from(rng.normal(0.0, 1.0, size=(400, 500)), phi),  # a matrix
        lambda phi, rng: np.asarray(_gain_from(rng.standard_normal(10**6), phi)),  # 0-d array
        # in chunks: 10 x 20 000 draws, phi applied to each chunk
        lambda phi, rng: (
            1
            / np.sqrt(np.mean([np.mean(phi(rng.standard_normal(20_000)) ** 2) for _ in range(10)]))
        ),
        # phi applied twice to the same draws
        lambda phi, rng: (lambda z: 1 / np.sqrt(np.mean(phi(z) * phi(z))))(
            rng.standard_normal(100_000)
        ),
    ],
    ids=["solution", "100k", "matrix", "0-d", "chunks", "phi twice"],
)
def test_gain_estimate_accepts_every_correct_form(answer, capsys):
    _correct_line(checks.check_gain_estimate, answer, capsys)


@pytest.mark.parametrize(
    "answer, words",
    [
        (lambda phi, rng: _gain_from(rng.standard_normal(10_000), phi), "10,000 distinct values"),
        (
            lambda phi, rng: _gain_from(np.random.default_rng().standard_normal(10**5), phi),
            "same seed gave",
        ),
        (
            lambda phi, rng: _gain_from(np.random.default_rng(0).normal(size=10**5), phi),
            "same gain",
        ),
        (lambda phi, rng: _gain_from(rng.uniform(-1.0, 1.0, 10**5), phi), "variance 0.33"),
        (lambda phi, rng: _gain_from(rng.normal(0.0, 2.0, 10**5), phi), "variance 3.99"),
        (lambda phi, rng: _gain_from(np.linspace(-8, 8, 200_001), phi), "a grid of points"),
        (lambda phi, rng: _gain_from(np.full(10**5, 1.0), phi), "1 distinct values"),
    ],
    ids=["too few", "np.random", "fixed seed", "uniform", "std 2", "grid", "constant"],
)
def test_gain_estimate_enforces_draws_from_rng_and_their_number(answer, words, capsys):
    _assert_not_yet(checks.check_gain_estimate, answer, capsys, words)


def _cut_then_rescale(fan_in, fan_out, std, rng):
    """N(0, std^2) cut at 2 std, then scaled by its own sample std: the cut moves."""
    w = rng.normal(0.0, std, size=(fan_in, fan_out))
    outside = np.abs(w) > 2 * std
    while outside.any():
        w[outside] = rng.normal(0.0, std, size=outside.sum())
        outside = np.abs(w) > 2 * std
    return w * std / w.std()


def _cut_at(fan_in, fan_out, sigma, cut, rng):
    w = rng.normal(0.0, sigma, size=(fan_in, fan_out))
    outside = np.abs(w) > cut
    while outside.any():
        w[outside] = rng.normal(0.0, sigma, size=outside.sum())
        outside = np.abs(w) > cut
    return w


F = cu.truncated_normal_std_factor()


@pytest.mark.parametrize(
    "answer",
    [
        truncated_normal,
        # cut N(0, std^2) at 2 std, then divide by the exact factor: the same distribution
        lambda i, o, std, rng: _cut_at(i, o, std, 2 * std, rng) / F,
        # a unit truncated normal, scaled
        lambda i, o, std, rng: std / F * _cut_at(i, o, 1.0, 2.0, rng),
    ],
    ids=["solution", "cut then divide by 0.8796", "unit then scale"],
)
def test_truncated_normal_accepts_every_correct_form(answer, capsys):
    _correct_line(checks.check_truncated_normal, answer, capsys)


@pytest.mark.parametrize(
    "answer, words",
    [
        (_cut_then_rescale, "rescaled by their own sample std"),
        (_cut_then_rescale, "scale before you cut"),
        (lambda i, o, std, rng: _cut_at(i, o, std, 2 * std, rng), "0.8796 x std"),  # no fix
        (lambda i, o, std, rng: _cut_at(i, o, std / F, 2 * std, rng), "cut is at 2 std"),
        (lambda i, o, std, rng: _cut_at(i, o, std * F, 2 * std * F, rng), "divides"),
        (
            lambda i, o, std, rng: (lambda w: np.where(np.abs(w) > 2 * std / F, 0.0, w))(
                rng.normal(0.0, std / F, size=(i, o))
            ),
            "exactly 0",
        ),
    ],
    ids=["rescale: says so", "rescale: the fix", "uncorrected", "cut at 2 std", "times", "zeros"],
)
def test_truncated_normal_mistakes_are_named(answer, words, capsys):
    _assert_not_yet(checks.check_truncated_normal, answer, capsys, words)
