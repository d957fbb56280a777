"""The exercise checks of notebook 08 (course_utils/checks/architectures.py): every right form
passes, every plausible mistake is named, by the feedback text each check prints."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_checks_isometry_finite_width_frameworks import _correct, _not_yet

from course_utils import checks


# --- exercise 1: the fans of a (3, 3, 16, 32) kernel ----------------------------------------
@pytest.mark.parametrize(
    "answer",
    [
        (144, 288),
        [144, 288],
        np.array([144, 288]),
        (144.0, 288.0),
        (np.int64(144), np.float64(288.0)),
    ],
)
def test_conv_fans_accepts_every_correct_form(capsys, answer):
    out = _correct(capsys, checks.check_conv_fans, answer)
    assert "144" in out and "288" in out


@pytest.mark.parametrize(
    "answer, words",
    [
        (None, ["still None"]),
        ((16, 32), ["channels alone", "k^2 = 9"]),
        ((288, 144), ["swapped"]),
        ((48, 96), ["not k = 3"]),
        ((4608, 4608), ["number of weights"]),
        ((144, 144), ["fan_out counts the output channels"]),
        ((288, 288), ["fan_in counts the input channels"]),
        ((144.5, 288), ["whole number", "144.5"]),
        (144, ["expected a pair"]),
        ((1, 2, 3), ["expected a pair"]),
        ("144, 288", ["expected a pair"]),
        ((100, 200), ["expected (fan_in, fan_out) = (144, 288)", "(100, 200)"]),
    ],
)
def test_conv_fans_names_each_mistake(capsys, answer, words):
    _not_yet(capsys, checks.check_conv_fans, answer, *words)


# --- exercise 2: He's std for the kernel --------------------------------------------------
@pytest.mark.parametrize(
    "answer",
    [
        math.sqrt(2 / 144),
        np.sqrt(2 / 144),
        np.asarray(np.sqrt(2 / 144)),
        float(np.float32(np.sqrt(2 / 144))),
    ],
)
def test_he_conv_std_accepts_every_correct_form(capsys, answer):
    assert "0.11785" in _correct(capsys, checks.check_he_conv_std, answer)


@pytest.mark.parametrize(
    "answer, words",
    [
        (None, ["still None"]),
        (2 / 144, ["variance", "square root"]),
        (math.sqrt(2 / 16), ["16 channels alone"]),
        (math.sqrt(2 / 288), ["fan_out", "LeCun"]),
        (math.sqrt(1 / 144), ["fan_out", "LeCun"]),
        (math.sqrt(2 / 48), ["not 3"]),
        (math.sqrt(4 / 432), ["Xavier", "gain sqrt 2"]),
        (math.sqrt(2 / 432), ["Xavier"]),
        (0.5, ["expected 0.11785", "0.50000"]),
        (np.array([0.1, 0.2]), ["one number"]),
        (float("nan"), ["finite"]),
        (True, ["one number"]),
    ],
)
def test_he_conv_std_names_each_mistake(capsys, answer, words):
    _not_yet(capsys, checks.check_he_conv_std, answer, *words)


def test_he_conv_std_prints_digits_that_tell_the_numbers_apart(capsys):
    out = _not_yet(capsys, checks.check_he_conv_std, math.sqrt(2 / 144) * 1.001)
    assert "0.11785" in out and "0.11797" in out


# --- exercise 3: the spectral radius ------------------------------------------------------
def _solution(W):
    return np.abs(np.linalg.eigvals(W)).max()


def _via_eig(W):
    return float(max(abs(v) for v in np.linalg.eig(W)[0]))


def _boom(W):
    raise RuntimeError("learner bug")


@pytest.mark.parametrize(
    "fn",
    [
        _solution,
        _via_eig,
        lambda W: np.asarray(_solution(W)),
        lambda W: np.max(np.abs(np.linalg.eigvals(W))),
    ],
)
def test_spectral_radius_accepts_every_correct_form(capsys, fn):
    out = _correct(capsys, checks.check_spectral_radius, fn)
    assert "largest |eigenvalue|" in out


@pytest.mark.parametrize(
    "fn, words",
    [
        (lambda W: ..., ["still Ellipsis"]),
        (lambda W: np.linalg.norm(W, 2), ["largest singular value", "spectral norm"]),
        (lambda W: np.max(np.linalg.eigvals(W).real), ["modulus", "complex or negative"]),
        (
            lambda W: np.max(np.abs(np.linalg.eigvals(W).real)),
            ["modulus of the complex eigenvalue"],
        ),
        (lambda W: np.max(np.abs(W)), ["largest |entry|"]),
        (lambda W: np.abs(np.linalg.eigvals(W)), ["one number"]),
        (_boom, ["raised RuntimeError", "learner bug"]),
        ("not a function", ["is not a function"]),
    ],
)
def test_spectral_radius_names_each_mistake(capsys, fn, words):
    _not_yet(capsys, checks.check_spectral_radius, fn, *words)
