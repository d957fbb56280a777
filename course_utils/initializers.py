"""Weight initializers: one general rule and its named special cases.

Every initializer returns a weight matrix of shape ``(fan_in, fan_out)``, so a dense
layer is ``X @ W + b`` with ``X`` of shape ``(n_samples, fan_in)``. PyTorch stores
``nn.Linear.weight`` as ``(out, in)``: the transpose of ours, with the same fans.

The general rule (notebook 02) is :func:`variance_scaling`:

.. math:: \\operatorname{Var}(W_{ij}) = \\frac{\\text{scale}}{n},\\qquad
          n \\in \\{n_\\text{in},\\ n_\\text{out},\\ (n_\\text{in} + n_\\text{out})/2\\}.

Glorot (Xavier), He (Kaiming) and LeCun initializers are one-line special cases of it.
"""

from __future__ import annotations

import difflib
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import as_rng, check_choice, check_finite_number, check_positive_int

__all__ = [
    "MODES",
    "DISTRIBUTIONS",
    "TRUNCATION",
    "truncated_normal_std_factor",
    "compute_fans",
    "variance_scaling",
    "zeros",
    "constant",
    "normal",
    "uniform",
    "standard_uniform",
    "xavier_normal",
    "xavier_uniform",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "orthogonal",
    "calculate_gain",
    "get_initializer",
    "initializer_variance",
    "INITIALIZERS",
    "NAMED_INITS",
    "ALIASES",
    "NamedInit",
]

MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("normal", "truncated_normal", "uniform")
#: Truncated normals are cut at this many standard deviations (as in Keras, JAX and TF).
TRUNCATION = 2.0


def truncated_normal_std_factor(cut: float = TRUNCATION) -> float:
    """Standard deviation of a standard normal truncated to ``[-cut, cut]``.

    .. math:: \\sigma_\\text{trunc}^2 = 1 - \\frac{2 c\\,\\varphi(c)}{2\\Phi(c) - 1}

    For ``cut = 2`` this is 0.8796...: a normal cut at two standard deviations has a
    std about 12% smaller than the one asked for, so :func:`variance_scaling` divides
    by this factor first (notebook 02, "the truncated-normal correction").
    """
    c = check_finite_number("cut", cut, minimum=0.0, strict=True)
    pdf = math.exp(-0.5 * c * c) / math.sqrt(2.0 * math.pi)
    mass = math.erf(c / math.sqrt(2.0))  # = 2 Phi(c) - 1
    return math.sqrt(1.0 - 2.0 * c * pdf / mass)


def compute_fans(shape) -> tuple[int, int]:
    """Return ``(fan_in, fan_out)`` for a weight shape.

    ``(fan_in, fan_out)`` for a dense layer; for a convolution kernel
    ``(*receptive_field, in_channels, out_channels)`` (the Keras layout) each fan is
    multiplied by the receptive-field size. PyTorch's conv layout
    ``(out, in, kh, kw)`` has the channels first: transpose before calling.
    """
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError(
            f"shape must have at least 2 dimensions (fan_in, fan_out); received {shape!r}"
        )
    for i, s in enumerate(shape):
        check_positive_int(f"shape[{i}]", s)
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def _check_fans(fan_in, fan_out) -> tuple[int, int]:
    return check_positive_int("fan_in", fan_in), check_positive_int("fan_out", fan_out)


def _truncated_standard_normal(rng: np.random.Generator, size, cut: float) -> np.ndarray:
    """Draw N(0, 1) restricted to [-cut, cut] by resampling the draws that fall outside."""
    out = rng.standard_normal(size)
    bad = np.abs(out) > cut
    # Each round keeps a fraction erf(cut / sqrt 2) of the redraws (95.4% for cut = 2), so a
    # draw is still outside after k rounds with probability 0.046^k: the cap is never met
    # for a sane cut, and a tiny one (cut = 1e-3 keeps 0.08%) fails clearly, not forever.
    for _ in range(_MAX_REDRAWS):
        if not bad.any():
            return out
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > cut
    if not bad.any():
        return out
    raise ValueError(
        f"cut = {cut} keeps too few draws: {int(bad.sum())} of {out.size} were still outside "
        f"[-{cut}, {cut}] after {_MAX_REDRAWS} rounds of redrawing; use cut >= 0.5"
    )


_MAX_REDRAWS = 200


def variance_scaling(
    fan_in: int,
    fan_out: int,
    *,
    scale: float = 1.0,
    mode: str = "fan_in",
    distribution: str = "normal",
    rng=None,
) -> np.ndarray:
    """The one general rule: draw a ``(fan_in, fan_out)`` matrix with variance ``scale / n``.

    .. math:: \\operatorname{Var}(W_{ij}) = \\frac{\\text{scale}}{n},\\quad
              n = \\begin{cases} n_\\text{in} & \\text{mode = fan\\_in}\\\\
                                n_\\text{out} & \\text{mode = fan\\_out}\\\\
                                (n_\\text{in}+n_\\text{out})/2 & \\text{mode = fan\\_avg}
                  \\end{cases}

    Parameters
    ----------
    fan_in, fan_out : int
        Number of inputs and outputs of the layer; the result has shape ``(fan_in, fan_out)``.
    scale : float, default 1.0
        Target variance times ``n`` (a gain ``g`` gives ``scale = g**2``).
    mode : {"fan_in", "fan_out", "fan_avg"}
        ``fan_in`` keeps the forward signal's variance, ``fan_out`` the backward
        gradient's, ``fan_avg`` is Glorot's compromise.
    distribution : {"normal", "truncated_normal", "uniform"}
        ``normal``: N(0, scale/n). ``truncated_normal``: cut at 2 std and rescaled so
        the std is still ``sqrt(scale/n)``. ``uniform``: U[-a, a] with
        ``a = sqrt(3 scale / n)``, because Var(U[-a, a]) = a^2 / 3.
    rng : int, np.random.Generator or None
        Source of randomness (notebooks pass explicit seeds).

    Returns
    -------
    ndarray of shape (fan_in, fan_out), float64

    Notes
    -----
    This is the shape of Keras' and JAX's ``VarianceScaling``. Introduced in notebook 02.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    scale = check_finite_number(
        "scale",
        scale,
        minimum=0.0,
        strict=True,
        hint="as Keras refuses scale <= 0; for all-zero weights use cu.zeros",
    )
    check_choice("mode", mode, MODES)
    check_choice("distribution", distribution, DISTRIBUTIONS)
    rng = as_rng(rng)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    std = math.sqrt(scale / n)
    size = (fan_in, fan_out)
    if distribution == "normal":
        return rng.normal(0.0, std, size=size)
    if distribution == "truncated_normal":
        std = std / truncated_normal_std_factor(TRUNCATION)
        return std * _truncated_standard_normal(rng, size, TRUNCATION)
    bound = math.sqrt(3.0) * std  # Var(U[-a, a]) = a^2 / 3
    return rng.uniform(-bound, bound, size=size)


def zeros(fan_in: int, fan_out: int, *, rng=None) -> np.ndarray:
    """All-zero weights: every hidden unit computes the same thing forever (notebook 01).

    ``rng`` is accepted (and ignored) so that every initializer has the same signature.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    return np.zeros((fan_in, fan_out))


def constant(fan_in: int, fan_out: int, value: float, *, rng=None) -> np.ndarray:
    """Every weight equal to ``value``: symmetric, hidden units never differ (notebook 01)."""
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    value = check_finite_number("value", value)
    return np.full((fan_in, fan_out), value)


def normal(fan_in: int, fan_out: int, *, std: float, rng=None) -> np.ndarray:
    """Weights drawn from N(0, std^2), with a std that ignores the layer's width.

    ``std=1`` explodes a deep net and ``std=0.01`` makes it vanish (notebook 01).
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    std = check_finite_number(
        "std", std, minimum=0.0, strict=True, hint="for all-zero weights use cu.zeros"
    )
    return as_rng(rng).normal(0.0, std, size=(fan_in, fan_out))


def uniform(fan_in: int, fan_out: int, *, limit: float, rng=None) -> np.ndarray:
    """Weights drawn from U[-limit, limit]; their variance is limit^2 / 3."""
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    limit = check_finite_number(
        "limit", limit, minimum=0.0, strict=True, hint="for all-zero weights use cu.zeros"
    )
    return as_rng(rng).uniform(-limit, limit, size=(fan_in, fan_out))


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


def orthogonal(fan_in: int, fan_out: int, *, gain: float = 1.0, rng=None) -> np.ndarray:
    """A (semi-)orthogonal matrix times ``gain``, uniformly distributed (Haar measure).

    Saxe, McClelland & Ganguli (2014), "Exact solutions to the nonlinear dynamics of
    learning in deep linear neural networks". For a tall or square result
    (fan_in >= fan_out) the columns are orthonormal: ``W.T @ W = gain**2 * I``; for a
    wide one the rows are: ``W @ W.T = gain**2 * I``. Every singular value equals
    ``gain``, so a deep linear chain neither grows nor shrinks any direction
    (dynamical isometry, notebook 06).
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    gain = check_finite_number(
        "gain", gain, minimum=0.0, strict=True, hint="for all-zero weights use cu.zeros"
    )
    rng = as_rng(rng)
    rows, cols = max(fan_in, fan_out), min(fan_in, fan_out)
    a = rng.standard_normal((rows, cols))
    q, r = np.linalg.qr(a)  # q: (rows, cols) with orthonormal columns
    # Fix the signs so that q is Haar-distributed (Mezzadri 2007), not biased by QR.
    d = np.sign(np.diag(r))
    d[d == 0] = 1.0
    q = q * d
    if fan_in < fan_out:
        q = q.T
    return gain * q


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
            f"calculate_gain has no entry for {nonlinearity!r} (nor has PyTorch's table); "
            "measure it with course_utils.theory.monte_carlo_gain"
            f"({nonlinearity!r}) as notebook 03 does. Known: {', '.join(map(repr, known))}"
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


glorot_normal = xavier_normal  # aliases, not copies (ALIASES below)
glorot_uniform = xavier_uniform
kaiming_normal = he_normal
kaiming_uniform = he_uniform


# --- the table of named initializers ------------------------------------------------
_POSITIVE_GAIN = "for all-zero weights use cu.zeros"


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
    INITIALIZERS[_name] = globals().get(_name) or _make_named(_name, _spec)
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
