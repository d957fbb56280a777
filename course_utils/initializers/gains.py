"""calculate_gain: the recommended gain for an activation, with PyTorch's values."""

from __future__ import annotations

import math

from .._validation import check_choice, check_finite_number

__all__ = [
    "calculate_gain",
]


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for an activation, with PyTorch's values.

    ============  ==========================  =========================================
    name          gain                        where it comes from
    ============  ==========================  =========================================
    linear        1
    sigmoid       1                           (a convention, not a derivation)
    tanh          5/3                         an empirical choice (notebook 03)
    relu          sqrt(2)                     E[relu(z)^2] = Var(z)/2 (He et al. 2015)
    leaky_relu    sqrt(2 / (1 + a^2))         ``param`` is the slope a, default 0.01
    selu          3/4                         PyTorch's choice (notebook 03)
    ============  ==========================  =========================================

    Activations the table lacks (gelu, silu) have no agreed gain; measure one with
    :func:`course_utils.theory.monte_carlo_gain` (notebook 03).
    """
    known = ("linear", "identity", "sigmoid", "tanh", "relu", "leaky_relu", "selu")
    if isinstance(nonlinearity, str) and nonlinearity in ("gelu", "silu"):
        raise ValueError(
            f"nonlinearity must be one of {', '.join(map(repr, known))}; received "
            f"{nonlinearity!r}: calculate_gain has no entry for it (nor has PyTorch's "
            f"table); measure it with course_utils.theory.monte_carlo_gain({nonlinearity!r}) "
            "as notebook 03 does"
        )
    check_choice("nonlinearity", nonlinearity, known)
    if nonlinearity != "leaky_relu" and param is not None:
        raise ValueError(
            f"param is only used by 'leaky_relu'; received param={param!r} "
            f"for nonlinearity={nonlinearity!r}"
        )
    if nonlinearity in ("linear", "identity", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "selu":
        return 3.0 / 4.0
    slope = 0.01 if param is None else check_finite_number("param", param)
    return math.sqrt(2.0 / (1.0 + slope**2))
