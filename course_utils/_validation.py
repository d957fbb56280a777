"""Argument checks shared by the package: each error names the argument, the value and the rule."""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable

import numpy as np


def as_rng(rng) -> np.random.Generator:
    """Normalise ``rng`` (None, an int seed or a Generator) into a ``np.random.Generator``."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        if rng is not None and rng < 0:
            raise ValueError(f"rng must be a non-negative int seed; received {rng!r}")
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.RandomState):
        raise TypeError(
            "rng must be an int seed, a np.random.Generator or None; received a legacy "
            "np.random.RandomState. Use np.random.default_rng(seed) instead."
        )
    raise TypeError(
        f"rng must be an int seed, a np.random.Generator or None; received {rng!r} "
        f"of type {type(rng).__name__}"
    )


def check_positive_int(name: str, value, *, minimum: int = 1) -> int:
    """Return ``value`` as an int if it is an integer >= ``minimum``; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer >= {minimum}; received {value!r} "
            f"of type {type(value).__name__}"
        )
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; received {value!r}")
    return int(value)


def check_finite_number(
    name: str, value, *, minimum: float | None = None, strict: bool = False, hint: str = ""
) -> float:
    """Return ``value`` as a float if it is a finite real number (optionally bounded below).

    ``hint``, when given, is appended to the message of a value below the bound.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number; received {value!r} of type {type(value).__name__}"
        )
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; received {value!r}")
    if minimum is not None:
        tail = f" ({hint})" if hint else ""
        if strict and value <= minimum:
            raise ValueError(f"{name} must be > {minimum}; received {value!r}{tail}")
        if not strict and value < minimum:
            raise ValueError(f"{name} must be >= {minimum}; received {value!r}{tail}")
    return value


def check_choice(name: str, value, choices: Iterable[str], *, what: str | None = None) -> str:
    """Return ``value`` if it is one of ``choices``; else raise with a 'did you mean' hint."""
    choices = list(choices)
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a string, one of {', '.join(map(repr, choices))}; "
            f"received {value!r} of type {type(value).__name__}"
        )
    if value in choices:
        return value
    what = what or name
    close = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ValueError(
        f"unknown {what} {value!r}; {hint}choose from: {', '.join(map(repr, choices))}"
    )


def as_float_array(name: str, X) -> np.ndarray:
    """``X`` as a float64 array, or a TypeError naming the argument and what it received."""
    try:
        return np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be an array of numbers; received {type(X).__name__}"
        ) from None


def check_batch(
    name: str,
    X,
    n_features: int | None = None,
    *,
    min_samples: int = 1,
    finite: bool = True,
    what: str = "n_samples",
) -> np.ndarray:
    """Return ``X`` as a float64 array of shape ``(n_samples, n_features)``, or raise.

    The one check of a batch for the whole package (MLP.forward, fit, lsuv, the residual
    net, the propagation sampler). The message names the argument, the shape received and
    the shape wanted. ``finite=True`` refuses inf and nan in the data, and says how many
    entries and in which first row: training on them returns a history of garbage.
    """
    arr = as_float_array(name, X)
    want = f"({what}{f' >= {min_samples}' if min_samples > 1 else ''}, "
    want += f"{n_features if n_features is not None else 'n_features'})"
    if arr.ndim != 2 or (n_features is not None and arr.shape[1] != n_features):
        hint = ""
        if arr.ndim == 1 and n_features is not None and arr.shape[0] == n_features:
            hint = f" (one sample? use {name}[None, :])"
        raise ValueError(f"{name} must have shape {want}; received shape {arr.shape}{hint}")
    if arr.shape[0] < min_samples:
        raise ValueError(f"{name} must have shape {want}; received shape {arr.shape}")
    if finite and arr.size and not np.isfinite(arr).all():
        bad = ~np.isfinite(arr)
        row = int(np.argmax(bad.any(axis=1)))
        raise ValueError(
            f"{name} holds {int(bad.sum())} inf or nan entries (the first in row {row}); "
            "the data must be finite"
        )
    return arr
