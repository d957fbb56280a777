"""Offline data for the course: the real handwritten digits and 2-D toy sets.

Nothing is downloaded: the digits ship inside the package (``course_utils/data``, with
their licence and citation in ``data/README.md``); the toy sets are generated from ``rng``.
"""

from __future__ import annotations

import gzip
from importlib import resources

import numpy as np

from ._validation import as_rng, check_finite_number, check_positive_int

__all__ = ["load_digits", "train_test_split", "make_spirals", "make_circles", "DIGITS_FILE"]

DIGITS_FILE = "digits.csv.gz"


def load_digits(*, scale: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The UCI handwritten digits: 1797 images of 8x8 pixels, 10 classes.

    Alpaydin & Kaynak (1998), UCI "Optical Recognition of Handwritten Digits" (the same
    file scikit-learn ships), read from the package, never downloaded.

    Parameters
    ----------
    scale : bool, default True
        Divide the pixel counts (0..16) by 16, so that inputs lie in [0, 1].

    Returns
    -------
    X : ndarray of shape (1797, 64), float64
        One flattened 8x8 image per row.
    y : ndarray of shape (1797,), int64
        The digit, 0..9.
    """
    ref = resources.files("course_utils") / "data" / DIGITS_FILE
    try:
        with ref.open("rb") as fh, gzip.open(fh, "rt") as text:
            data = np.loadtxt(text, delimiter=",", dtype=np.float64)
    except FileNotFoundError as exc:  # a broken install, not the learner's fault
        raise FileNotFoundError(
            f"the digits data ({ref}) is missing from the course_utils installation; "
            "reinstall with: python -m pip install -e ."
        ) from exc
    X = np.ascontiguousarray(data[:, :64])
    y = data[:, 64].astype(np.int64)
    if scale:
        X /= 16.0
    return X, y


def train_test_split(X, y, *, test_fraction: float = 0.25, rng=None):
    """Shuffle and split ``(X, y)``; returns ``X_train, X_test, y_train, y_test``."""
    frac = check_finite_number("test_fraction", test_fraction, minimum=0.0, strict=True)
    if frac >= 1:
        raise ValueError(f"test_fraction must be in (0, 1); received {test_fraction!r}")
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length; received {len(X)} and {len(y)}")
    order = as_rng(rng).permutation(len(X))
    n_test = max(1, round(frac * len(X)))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def make_spirals(n_samples: int = 400, *, n_classes: int = 2, noise: float = 0.2, rng=None):
    """Interleaved spirals in 2-D, one arm per class: not linearly separable.

    Returns ``X`` of shape (n_samples, 2) and integer labels ``y`` of shape (n_samples,).
    Each arm turns about 1.5 times; ``noise`` is the std of Gaussian jitter of the angle.
    """
    n_samples = check_positive_int("n_samples", n_samples, minimum=2)
    n_classes = check_positive_int("n_classes", n_classes, minimum=2)
    noise = check_finite_number("noise", noise, minimum=0.0)
    gen = as_rng(rng)
    y = np.arange(n_samples) % n_classes
    r = gen.uniform(0.05, 1.0, size=n_samples)
    theta = 3.0 * np.pi * r + 2.0 * np.pi * y / n_classes + gen.normal(0, noise, n_samples)
    X = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    return X, y.astype(np.int64)


def make_circles(n_samples: int = 400, *, factor: float = 0.5, noise: float = 0.08, rng=None):
    """Two concentric circles (radius 1 and ``factor``), class 1 inside.

    Returns ``X`` of shape (n_samples, 2) and integer labels ``y`` of shape (n_samples,).
    """
    n_samples = check_positive_int("n_samples", n_samples, minimum=2)
    factor = check_finite_number("factor", factor, minimum=0.0, strict=True)
    if factor >= 1:
        raise ValueError(f"factor must be in (0, 1); received {factor!r}")
    noise = check_finite_number("noise", noise, minimum=0.0)
    gen = as_rng(rng)
    y = np.arange(n_samples) % 2
    angle = gen.uniform(0, 2 * np.pi, size=n_samples)
    radius = np.where(y == 1, factor, 1.0)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += gen.normal(0, noise, size=X.shape)
    return X, y.astype(np.int64)
