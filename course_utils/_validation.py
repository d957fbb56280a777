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
    name: str, value, *, minimum: float | None = None, strict: bool = False
) -> float:
    """Return ``value`` as a float if it is a finite real number (optionally bounded below)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number; received {value!r} of type {type(value).__name__}"
        )
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; received {value!r}")
    if minimum is not None:
        if strict and value <= minimum:
            raise ValueError(f"{name} must be > {minimum}; received {value!r}")
        if not strict and value < minimum:
            raise ValueError(f"{name} must be >= {minimum}; received {value!r}")
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
