"""The named initializers: one row of a table each, all special cases of variance_scaling.

Glorot (Xavier), He (Kaiming), LeCun and the "standard" U[+-1/sqrt(fan_in)]; each row
of ``NAMED_INITS`` says its distribution, mode and scale (or gain), and its source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validation import check_choice, check_finite_number
from .rules import _POSITIVE_GAIN, variance_scaling

__all__ = [
    "standard_uniform",
    "xavier_normal",
    "xavier_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "glorot_normal",
    "glorot_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "NamedInit",
    "NAMED_INITS",
    "ALIASES",
]


def standard_uniform(fan_in: int, fan_out: int, *, rng=None) -> np.ndarray:
    """The "standard" heuristic U[-1/sqrt(fan_in), 1/sqrt(fan_in)]; variance 1/(3 fan_in).

    Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward
    neural networks", eq. 1, call it the commonly used heuristic and compare it with
    their normalized initialization. It is also what PyTorch's ``nn.Linear`` does by
    default (``kaiming_uniform_(a=sqrt(5))``): a gain of 1/sqrt(3) relative to LeCun.
    Equals ``variance_scaling(scale=1/3, mode="fan_in", distribution="uniform")``.
    """
    return _draw_named("standard_uniform", fan_in, fan_out, rng=rng)


def xavier_normal(fan_in: int, fan_out: int, *, gain: float = 1.0, rng=None) -> np.ndarray:
    """Glorot (Xavier) normal: N(0, gain^2 * 2 / (fan_in + fan_out)).

    Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward
    neural networks": the compromise between the forward rule n_in Var(W) = 1 and the
    backward rule n_out Var(W) = 1. Equals
    ``variance_scaling(scale=gain**2, mode="fan_avg", distribution="normal")``.
    Introduced in notebook 02.
    """
    return _draw_named("xavier_normal", fan_in, fan_out, rng=rng, gain=gain)


def xavier_uniform(fan_in: int, fan_out: int, *, gain: float = 1.0, rng=None) -> np.ndarray:
    """Glorot (Xavier) uniform: U[-a, a] with a = gain * sqrt(6 / (fan_in + fan_out)).

    Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward
    neural networks", eq. 16 ("normalized initialization"). Same variance as
    :func:`xavier_normal`. Equals
    ``variance_scaling(scale=gain**2, mode="fan_avg", distribution="uniform")``.
    Introduced in notebook 02.
    """
    return _draw_named("xavier_uniform", fan_in, fan_out, rng=rng, gain=gain)


def he_normal(
    fan_in: int, fan_out: int, *, gain: float = math.sqrt(2.0), mode: str = "fan_in", rng=None
) -> np.ndarray:
    """He (Kaiming) normal: N(0, gain^2 / fan), gain sqrt(2) for ReLU.

    He, Zhang, Ren & Sun (2015), "Delving Deep into Rectifiers: Surpassing Human-Level
    Performance on ImageNet Classification": ReLU zeroes half of its input, which halves
    the second moment, so Var(W) = 2 / n_in keeps it constant. ``mode="fan_out"`` keeps
    the gradients' variance instead. Equals
    ``variance_scaling(scale=gain**2, mode=mode, distribution="normal")``.
    Introduced in notebook 03.
    """
    return _draw_named("he_normal", fan_in, fan_out, rng=rng, gain=gain, mode=mode)


def he_uniform(
    fan_in: int, fan_out: int, *, gain: float = math.sqrt(2.0), mode: str = "fan_in", rng=None
) -> np.ndarray:
    """He (Kaiming) uniform: U[-a, a] with a = gain * sqrt(3 / fan).

    He et al. (2015), "Delving Deep into Rectifiers". Same variance as :func:`he_normal`.
    Equals ``variance_scaling(scale=gain**2, mode=mode, distribution="uniform")``.
    """
    return _draw_named("he_uniform", fan_in, fan_out, rng=rng, gain=gain, mode=mode)


def lecun_normal(fan_in: int, fan_out: int, *, rng=None) -> np.ndarray:
    """LeCun normal: N(0, 1 / fan_in), the forward rule alone.

    LeCun, Bottou, Orr & Müller (1998), "Efficient BackProp". The default of Flax's
    ``Dense`` and the init SELU networks need (Klambauer et al. 2017, "Self-Normalizing
    Neural Networks"). Equals ``variance_scaling(scale=1, mode="fan_in")``.
    """
    return _draw_named("lecun_normal", fan_in, fan_out, rng=rng)


def lecun_uniform(fan_in: int, fan_out: int, *, rng=None) -> np.ndarray:
    """LeCun uniform: U[-a, a] with a = sqrt(3 / fan_in); variance 1 / fan_in.

    LeCun et al. (1998), "Efficient BackProp". Equals
    ``variance_scaling(scale=1, mode="fan_in", distribution="uniform")``.
    """
    return _draw_named("lecun_uniform", fan_in, fan_out, rng=rng)


glorot_normal = xavier_normal  # aliases, not copies (ALIASES below)


glorot_uniform = xavier_uniform


kaiming_normal = he_normal


kaiming_uniform = he_uniform


@dataclass(frozen=True)
class NamedInit:
    """One named special case of :func:`variance_scaling`: Var(W) = scale / n(mode).

    ``mode=None`` makes the mode a parameter (default ``"fan_in"``, also ``"fan_out"``),
    as He's; ``scale=None`` makes the scale ``gain**2`` with ``gain`` as its default.
    Drawing (the named functions), :func:`initializer_variance` (and so
    ``theory.weight_variance`` and ``frameworks``) and :func:`get_initializer`'s check of
    parameter names all read this one record.
    """

    distribution: str
    mode: str | None
    scale: float | None
    gain: float = 1.0
    source: str = ""

    def defaults(self) -> dict:
        """The parameters this initializer takes, with their defaults."""
        out = {} if self.scale is not None else {"gain": self.gain}
        return out if self.mode is not None else {**out, "mode": "fan_in"}

    def scale_and_mode(self, **params) -> tuple[float, str]:
        """``(scale, mode)`` for these parameters, each checked."""
        params = {**self.defaults(), **params}
        scale = self.scale
        if scale is None:
            gain = check_finite_number(
                "gain", params["gain"], minimum=0.0, strict=True, hint=_POSITIVE_GAIN
            )
            scale = gain**2
        mode = self.mode or check_choice("mode", params["mode"], ("fan_in", "fan_out"))
        return scale, mode


#: Every named special case of variance_scaling, one line each (aliases below).
NAMED_INITS: dict[str, NamedInit] = {
    "standard_uniform": NamedInit(
        "uniform", "fan_in", 1.0 / 3.0, source="Glorot & Bengio 2010, eq. 1"
    ),
    "xavier_normal": NamedInit("normal", "fan_avg", None, 1.0, "Glorot & Bengio 2010"),
    "xavier_uniform": NamedInit("uniform", "fan_avg", None, 1.0, "Glorot & Bengio 2010, eq. 16"),
    "he_normal": NamedInit("normal", None, None, math.sqrt(2.0), "He et al. 2015"),
    "he_uniform": NamedInit("uniform", None, None, math.sqrt(2.0), "He et al. 2015"),
    "lecun_normal": NamedInit("normal", "fan_in", 1.0, source="LeCun et al. 1998"),
    "lecun_uniform": NamedInit("uniform", "fan_in", 1.0, source="LeCun et al. 1998"),
}


#: Other names for the same initializers (Keras and PyTorch spellings).
ALIASES = {
    "glorot_normal": "xavier_normal",
    "glorot_uniform": "xavier_uniform",
    "kaiming_normal": "he_normal",
    "kaiming_uniform": "he_uniform",
}


def _fan(fan_in: int, fan_out: int, mode: str) -> float:
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]


def _draw_named(name: str, fan_in, fan_out, *, rng=None, **params) -> np.ndarray:
    spec = NAMED_INITS[ALIASES.get(name, name)]
    scale, mode = spec.scale_and_mode(**params)
    return variance_scaling(
        fan_in, fan_out, scale=scale, mode=mode, distribution=spec.distribution, rng=rng
    )
