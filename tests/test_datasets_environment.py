"""Offline data, the environment check, the first explorer and the first exercise check."""

from __future__ import annotations

import hashlib
import math
import warnings
from importlib import resources

import numpy as np
import pytest

import course_utils as cu


def test_digits_are_the_real_uci_digits_shipped_offline():
    X, y = cu.load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert sorted(np.unique(y)) == list(range(10))
    assert np.bincount(y).min() >= 170  # about 180 images of each digit
    raw, _ = cu.load_digits(scale=False)
    assert np.array_equal(raw, np.round(raw)) and raw.max() == 16  # counts of on pixels
    data = resources.files("course_utils") / "data"
    assert (data / "README.md").is_file()
    assert "Alpaydin" in (data / "README.md").read_text()
    digest = hashlib.sha256((data / "digits.csv.gz").read_bytes()).hexdigest()
    assert digest.startswith("09f66e6d")  # the file scikit-learn ships, unchanged


def test_a_digit_looks_like_a_digit():
    """The first image is a 0: its centre is empty and its ring is inked."""
    X, y = cu.load_digits(scale=False)
    assert y[0] == 0
    img = X[0].reshape(8, 8)
    assert img[3:5, 3:5].mean() < 4 and img[1:7, 1:7].mean() > 5


def test_train_test_split():
    X, y = cu.load_digits()
    Xtr, Xte, ytr, yte = cu.train_test_split(X, y, test_fraction=0.25, rng=0)
    assert len(Xte) == round(0.25 * 1797) and len(Xtr) + len(Xte) == 1797
    again = cu.train_test_split(X, y, test_fraction=0.25, rng=0)
    np.testing.assert_array_equal(Xte, again[1])
    with pytest.raises(ValueError, match=r"test_fraction.*\(0, 1\).*1\.5"):
        cu.train_test_split(X, y, test_fraction=1.5, rng=0)


@pytest.mark.parametrize("make", [cu.make_spirals, cu.make_circles])
def test_toy_sets_are_seeded_and_balanced(make):
    X, y = make(300, rng=4)
    assert X.shape == (300, 2) and set(np.unique(y)) == {0, 1}
    assert abs(np.mean(y) - 0.5) < 0.01
    np.testing.assert_array_equal(X, make(300, rng=4)[0])
    assert not np.array_equal(X, make(300, rng=5)[0])


def test_circles_have_the_radii_asked_for():
    X, y = cu.make_circles(2000, factor=0.4, noise=0.0, rng=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.4)


def test_environment_ok_here(capsys):
    assert cu.check_environment() is True
    out = capsys.readouterr().out
    assert "numpy" in out and "All set" in out


@pytest.mark.parametrize(
    "change, words",
    [
        ({"jupyterlab_widgets": None}, ["jupyterlab_widgets is missing", "pip install"]),
        ({"jupyterlab_widgets": "1.1.0"}, ["needs jupyterlab_widgets 3.x", "pip install"]),
        ({"ipywidgets": "7.8.1"}, ["too old", "ipywidgets>=8.1"]),
        ({"ipywidgets": "8.0.6"}, ["ipywidgets 8.0.6 is too old", "ipywidgets>=8.1"]),
        ({"numpy": "1.25.2"}, ["numpy 1.25.2 is too old", "numpy>=1.26"]),
        ({"matplotlib": "3.7.5"}, ["matplotlib 3.7.5 is too old", "matplotlib>=3.8"]),
        ({"jupyterlab": "3.6.7"}, ["jupyterlab 3.6.7 is too old", "jupyterlab>=4"]),
        ({"ipywidgets": None}, ["ipywidgets is not installed"]),
    ],
)
def test_environment_problems_are_one_line_each_with_a_fix(change, words):
    ok = {
        "numpy": "2.0",
        "matplotlib": "3.9",
        "ipywidgets": "8.1.5",
        "jupyterlab": "4.2",
        "jupyterlab_widgets": "3.0.13",
        "ipykernel": "6.0",
    }
    assert cu.environment.environment_problems(ok) == []
    problems = cu.environment.environment_problems({**ok, **change})
    assert len(problems) == 1
    for word in words:
        assert word in problems[0]


def test_compounding_compute_pins_the_course_numbers():
    up = cu.widgets.compute_compounding(1.1, 50)
    down = cu.widgets.compute_compounding(0.9, 50)
    assert f"{up.final:.2f}" == "117.39" and f"{down.final:.5f}" == "0.00515"
    assert up.final == pytest.approx(math.exp(50 * math.log(1.1)), rel=1e-12)
    lo, hi = cu.widgets.stable_factor_range(50)
    assert 1 - lo == pytest.approx(0.014, abs=0.0005) and hi - 1 == pytest.approx(0.014, abs=0.0005)
    assert cu.widgets.compute_compounding(hi * 0.999, 50).in_band
    assert not cu.widgets.compute_compounding(hi * 1.001, 50).in_band
    with pytest.raises(ValueError, match="factor"):
        cu.widgets.compute_compounding(-1.0, 50)


def test_compounding_explorer_updates_in_place():
    import matplotlib

    matplotlib.use("Agg")
    ex = cu.widgets.compounding_explorer()
    fig = ex.figure
    first = ex.result.summary
    ex.controls["factor"].value = 0.9  # as a slider move would
    assert ex.figure is fig and ex.result.summary != first
    assert "0.900^50 = 0.005154" in ex.result.summary
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex.refresh(factor=1.5, depth=100)  # 1.5^100 = 4e17: still plotted, no warning
    assert ex.render_png()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "answer, verdict",
    [(None, "Not yet"), (48, "Not yet"), (60, "Not yet"), ("49", "Not yet"), (49, "Correct")],
)
def test_check_depth_to_exceed(answer, verdict, capsys):
    assert cu.checks.check_depth_to_exceed(answer) is None
    out = capsys.readouterr().out
    assert out.startswith(verdict), out
    assert out.count("\n") == 1


def test_call_safely_turns_a_crash_into_feedback():
    def broken(x):
        return 1 / 0

    value, err = cu.checks.call_safely(broken, 1)
    assert value is None and "ZeroDivisionError" in err and "broken" in err


def test_environment_floors_are_pyprojects():
    """check_environment() reads its floors from the installed metadata; both match pyproject."""
    import re

    from test_repository import tomllib

    from notebook_tools import ROOT

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    want = {re.match(r"([\w\-.]+)", d).group(1).lower(): d.split(">=")[1].strip() for d in deps}
    assert cu.environment.required_floors() == want
    assert cu.environment._DEFAULT_FLOORS == want


@pytest.mark.parametrize(
    "version, floor, older",
    [
        ("8.0.6", "8.1", True),
        ("8.1", "8.1", False),
        ("8.1.0rc1", "8.1", False),
        ("4", "4.0.0", False),
        ("3.99", "4", True),
        ("10.0", "9.9", False),
        ("1.26.0", "1.26", False),
    ],
)
def test_version_comparison(version, floor, older):
    assert cu.environment._older(version, floor) is older
