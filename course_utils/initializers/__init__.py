"""Weight initializers: one general rule and its named special cases.

Every initializer returns a weight matrix of shape ``(fan_in, fan_out)``, so a dense
layer is ``X @ W + b`` with ``X`` of shape ``(n_samples, fan_in)``. PyTorch stores
``nn.Linear.weight`` as ``(out, in)``: the transpose of ours, with the same fans.

The general rule (notebook 02) is :func:`variance_scaling`:

.. math:: \\operatorname{Var}(W_{ij}) = \\frac{\\text{scale}}{n},\\qquad
          n \\in \\{n_\\text{in},\\ n_\\text{out},\\ (n_\\text{in} + n_\\text{out})/2\\}.

Glorot (Xavier), He (Kaiming) and LeCun initializers are one-line special cases of it.

The package: :mod:`.rules` (variance_scaling and the initializers that are not one of its
rows), :mod:`.named` (the table NAMED_INITS and its named functions), :mod:`.registry`
(every name, get_initializer, the closed-form variance), :mod:`.gains` (calculate_gain),
:mod:`.shaped` (initialize: any initializer for a dense or a convolution shape).
"""

from . import gains, named, registry, rules, shaped
from .gains import (
    calculate_gain,
)
from .named import (
    ALIASES,
    NAMED_INITS,
    NamedInit,
    glorot_normal,
    glorot_uniform,
    he_normal,
    he_uniform,
    kaiming_normal,
    kaiming_uniform,
    lecun_normal,
    lecun_uniform,
    standard_uniform,
    xavier_normal,
    xavier_uniform,
)
from .registry import (
    INITIALIZERS,
    get_initializer,
    initializer_variance,
)
from .rules import (
    DISTRIBUTIONS,
    MODES,
    TRUNCATION,
    compute_fans,
    constant,
    normal,
    orthogonal,
    truncated_normal_std_factor,
    uniform,
    variance_scaling,
    zeros,
)
from .shaped import initialize

__all__ = [
    "gains",
    "named",
    "registry",
    "rules",
    "shaped",
    "initialize",
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
