"""Offline data for the course: the real handwritten digits and 2-D toy sets.

Nothing is downloaded: the digits ship inside the package (``course_utils/data``, with
their licence and citation in ``data/README.md``); the toy sets are generated from ``rng``.
"""

from __future__ import annotations

import gzip
from importlib import resources

import numpy as np

from ._validation import as_rng, check_finite_number, check_positive_int

__all__ = [
    "load_digits",
    "train_test_split",
    "make_spirals",
    "make_circles",
    "make_moons",
    "make_blobs",
    "DIGITS_FILE",
]

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


def make_moons(n_samples: int = 400, *, noise: float = 0.1, rng=None):
    """Two interleaved half circles ("two moons"), class 1 below and shifted right.

    Class 0 lies on the upper half of the unit circle, ``(cos t, sin t)`` for t in [0, pi];
    class 1 on the lower half circle ``(1 - cos t, 0.5 - sin t)``, the same shape turned
    over and shifted, so that each moon's tips reach into the other's hollow. Each point's
    angle is uniform on [0, pi]; ``noise`` is the std of Gaussian jitter added to both
    coordinates. Returns ``X`` of shape (n_samples, 2) and integer labels ``y`` of shape
    (n_samples,), the classes alternating (sizes differ by at most one).
    """
    n_samples = check_positive_int("n_samples", n_samples, minimum=2)
    noise = check_finite_number("noise", noise, minimum=0.0)
    gen = as_rng(rng)
    y = np.arange(n_samples) % 2
    t = gen.uniform(0.0, np.pi, size=n_samples)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    X = np.where((y == 1)[:, None], lower, upper)
    X += gen.normal(0.0, noise, size=X.shape)
    return X, y.astype(np.int64)


def make_blobs(
    n_samples: int = 400, *, n_classes: int = 3, noise: float = 0.3, radius: float = 1.0, rng=None
):
    """Gaussian blobs in 2-D, one per class, their centres evenly spaced on a circle.

    Class k is drawn from N(c_k, noise^2 I) with centre
    ``c_k = radius * (cos(2 pi k / n_classes), sin(2 pi k / n_classes))``: linearly
    separable when ``noise`` is small against the distance between neighbouring centres,
    ``2 radius sin(pi / n_classes)``. Returns ``X`` of shape (n_samples, 2) and integer
    labels ``y`` of shape (n_samples,), the classes taken in turn (sizes differ by at most one).
    """
    n_samples = check_positive_int("n_samples", n_samples, minimum=2)
    n_classes = check_positive_int("n_classes", n_classes, minimum=2)
    noise = check_finite_number("noise", noise, minimum=0.0)
    radius = check_finite_number("radius", radius, minimum=0.0, strict=True)
    gen = as_rng(rng)
    y = np.arange(n_samples) % n_classes
    angle = 2.0 * np.pi * y / n_classes
    X = radius * np.column_stack([np.cos(angle), np.sin(angle)])
    X += gen.normal(0.0, noise, size=X.shape)
    return X, y.astype(np.int64)
