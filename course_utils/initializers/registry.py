"""Initializers by name: the INITIALIZERS table, get_initializer and the closed-form variance.

Every name (aliases included) maps to a function; ``get_initializer`` binds parameters
and checks their names and values when it is called; ``initializer_variance`` gives
Var(W_ij) from the same table the functions draw from.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable

import numpy as np

from .._validation import check_choice
from . import named as _named
from .named import ALIASES, NAMED_INITS, NamedInit, _draw_named, _fan
from .rules import constant, normal, orthogonal, uniform, variance_scaling, zeros

__all__ = [
    "initializer_variance",
    "INITIALIZERS",
    "initializer_params",
    "get_initializer",
]


def _make_named(name: str, spec: NamedInit) -> Callable[..., np.ndarray]:
    """The function of a table entry that has no hand-written one (with its docstring)."""

    def init(fan_in: int, fan_out: int, *, rng=None, **params) -> np.ndarray:
        return _draw_named(name, fan_in, fan_out, rng=rng, **params)

    init.__name__ = name
    init.__doc__ = (
        f"{name}: variance_scaling(distribution={spec.distribution!r}, mode="
        f"{spec.mode or 'mode'!r}, scale={spec.scale if spec.scale is not None else 'gain**2'})"
        f". {spec.source}"
    )
    init.defaults = spec.defaults()
    return init


def _other_variance(name: str, fan_in: int, fan_out: int, params: dict) -> float:
    """Var(W_ij) of the initializers that are not a row of NAMED_INITS."""
    if name == "zeros":
        return 0.0
    if name == "normal":
        return float(params["std"]) ** 2
    if name == "uniform":
        return float(params["limit"]) ** 2 / 3.0
    if name == "variance_scaling":
        mode = params.get("mode", "fan_in")
        return float(params.get("scale", 1.0)) / _fan(fan_in, fan_out, mode)
    if name == "orthogonal":  # unit-norm rows or columns, times the gain
        return float(params.get("gain", 1.0)) ** 2 / max(fan_in, fan_out)
    raise ValueError(f"initializer {name!r} has no closed-form variance (a constant has none)")


def initializer_variance(name: str, fan_in: int, fan_out: int, **params) -> float:
    """Var(W_ij) that the named initializer draws with, from the table (no sampling)."""
    name = ALIASES.get(name, name)
    if name in NAMED_INITS:
        scale, mode = NAMED_INITS[name].scale_and_mode(**params)
        return scale / _fan(fan_in, fan_out, mode)
    return _other_variance(name, fan_in, fan_out, params)


#: Every initializer by name (aliases included): the named functions of this module for
#: the rows of NAMED_INITS (a row without one gets a generated function), and the others.
INITIALIZERS: dict[str, Callable[..., np.ndarray]] = {
    "zeros": zeros,
    "constant": constant,
    "normal": normal,
    "uniform": uniform,
    "variance_scaling": variance_scaling,
    "orthogonal": orthogonal,
}


for _name, _spec in NAMED_INITS.items():
    INITIALIZERS[_name] = getattr(_named, _name, None) or _make_named(_name, _spec)


for _alias, _name in ALIASES.items():
    INITIALIZERS[_alias] = INITIALIZERS[_name]


# Parameters an initializer cannot do without, so get_initializer can ask for them.
_REQUIRED = {"constant": ("value",), "normal": ("std",), "uniform": ("limit",)}


def initializer_params(fn, name: str | None = None) -> list[str] | None:
    """The parameter names an initializer takes (None when they cannot be known).

    A row of :data:`NAMED_INITS` answers from the table; any other function from its
    signature (the keyword parameters after ``fan_in, fan_out``, ``rng`` left out).
    """
    key = ALIASES.get(name, name) if isinstance(name, str) else None
    if key in NAMED_INITS and INITIALIZERS.get(key) is getattr(fn, "__wrapped__", fn):
        return list(NAMED_INITS[key].defaults())
    if hasattr(fn, "defaults"):
        return list(fn.defaults)
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # a builtin without a signature: nothing to check
        return None
    if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return None
    takes_keyword = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [
        p.name
        for p in list(signature.parameters.values())[2:]  # after fan_in, fan_out
        if p.kind in takes_keyword and p.name != "rng"
    ]


def _check_params(fn, name: str, params: dict) -> None:
    """Refuse a parameter ``fn`` does not take, with a did-you-mean, and try the values.

    Checked when the initializer is got, so ``get_initializer("he_normal", gian=2.0)``
    fails at once, naming ``gian``, not later inside an MLP with a bare TypeError.
    """
    allowed = initializer_params(fn, name)
    if allowed is None:
        return
    for key in params:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}? " if close else ""
            takes = ", ".join(map(repr, allowed)) if allowed else "no parameters"
            raise TypeError(
                f"initializer {name!r} takes no parameter {key!r}; {hint}it takes: {takes}"
            )
    fn(2, 2, rng=0, **params)  # a bad value raises here, with the initializer's own message


def get_initializer(name, **params) -> Callable[..., np.ndarray]:
    """Look up an initializer by name and bind its parameters.

    Returns a callable ``init(fan_in, fan_out, *, rng=None) -> ndarray (fan_in, fan_out)``.

    >>> init = get_initializer("he_normal")
    >>> small = get_initializer("normal", std=0.01)

    A callable passed as ``name`` is returned as it is (with ``params`` bound). An
    unknown name raises ``ValueError`` with the closest match ("did you mean ...").
    """
    if callable(name):
        fn = name
    else:
        check_choice("name", name, INITIALIZERS, what="initializer")
        fn = INITIALIZERS[name]
        missing = [p for p in _REQUIRED.get(name, ()) if p not in params]
        if missing:
            raise ValueError(
                f"initializer {name!r} needs {', '.join(missing)}: e.g. "
                f"get_initializer({name!r}, {missing[0]}=0.01)"
            )
    if not params:
        return fn
    _check_params(fn, name if isinstance(name, str) else fn.__name__, params)

    def init(fan_in, fan_out, *, rng=None):
        return fn(fan_in, fan_out, rng=rng, **params)

    init.__name__ = getattr(fn, "__name__", "init")
    init.__doc__ = f"{init.__name__} with {params}"
    init.params = dict(params)
    return init
