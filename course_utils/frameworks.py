"""What the frameworks do by default, reproduced from their documented formulas (notebook 11).

No framework is installed or imported: each default below is rebuilt from the
framework's own source or documentation, cited in its docstring, with the course's
initializers. Shapes follow the course: a weight matrix is ``(fan_in, fan_out)``
(PyTorch stores ``nn.Linear.weight`` as ``(out, in)``, the transpose, with the same fans).

==================  ==================================  =====================  ===========
name                weights                              Var(W_ij)              bias
==================  ==================================  =====================  ===========
pytorch_linear      U[-1/sqrt(fan_in), 1/sqrt(fan_in)]  1 / (3 fan_in)         U[+-1/sqrt(fan_in)]
keras_dense         glorot_uniform                      2 / (fan_in + fan_out) zeros
flax_dense          lecun_normal (truncated normal)     1 / fan_in             zeros
gpt2                N(0, 0.02^2)                        0.0004                 zeros
==================  ==================================  =====================  ===========
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._validation import as_rng, check_choice, check_positive_int
from .initializers import calculate_gain, get_initializer
from .theory import weight_variance

__all__ = [
    "FRAMEWORK_DEFAULTS",
    "GPT2_STD",
    "framework_default",
    "framework_bias",
    "framework_variance",
    "framework_mlp",
    "gpt2_residual_std",
    "pytorch_linear_gain",
]

#: The standard deviation GPT-2 draws every linear and embedding weight from.
GPT2_STD = 0.02


def pytorch_linear_gain() -> float:
    """The gain ``nn.Linear`` hands to ``kaiming_uniform_``: sqrt(2 / (1 + 5)) = 1/sqrt(3).

    ``reset_parameters`` calls ``kaiming_uniform_(weight, a=math.sqrt(5))``, whose
    nonlinearity defaults to ``"leaky_relu"``, so the gain is
    ``calculate_gain("leaky_relu", sqrt(5)) = sqrt(2 / (1 + 5)) = 0.5774``. Relative to
    LeCun's Var(W) = 1/fan_in this is the whole story: PyTorch's default has an effective
    gain of 1/sqrt(3). Notebook 11.
    """
    return calculate_gain("leaky_relu", math.sqrt(5.0))


# name -> (initializer name, its parameters, bias: "zeros" or "uniform_fan_in"). The
# initializer is the course's equivalent of the framework's default, with the source:
#
# pytorch_linear: ``torch/nn/modules/linear.py``, ``Linear.reset_parameters``, calls
#   ``kaiming_uniform_(weight, a=math.sqrt(5))`` (``bound = gain * sqrt(3 / fan_in)``, gain
#   ``sqrt(2 / (1 + a^2))``, :func:`pytorch_linear_gain`). With a = sqrt(5) the bound is
#   exactly ``1 / sqrt(fan_in)``: U[-1/sqrt(fan_in), 1/sqrt(fan_in)], variance
#   ``1 / (3 fan_in)``, which is the course's ``standard_uniform`` (the same draws); the
#   comment in ``reset_parameters`` says so and points to pytorch/pytorch issue 57109.
#   The bias is U[-1/sqrt(fan_in), 1/sqrt(fan_in)] too. ``nn.Conv2d`` does the same with
#   the receptive field in the fan.
# keras_dense: Keras 3 ``keras/src/layers/core/dense.py`` (``kernel_initializer=
#   "glorot_uniform"``, ``bias_initializer="zeros"``) and ``GlorotUniform`` =
#   ``VarianceScaling(scale=1.0, mode="fan_avg", distribution="uniform")`` in
#   ``keras/src/initializers/random_initializers.py``. (``VarianceScaling`` itself
#   defaults to ``distribution="truncated_normal"``, which the Dense default does not use.)
# flax_dense: ``flax/linen/linear.py`` (``default_kernel_init = lecun_normal()``,
#   ``default_bias_init = zeros_init()``); Flax re-exports JAX's
#   ``jax.nn.initializers.lecun_normal`` = ``variance_scaling(1.0, "fan_in",
#   "truncated_normal")``: a normal cut at 2 std and rescaled by 1/0.8796 so the variance
#   is still exactly 1 / fan_in, as the course's ``variance_scaling`` does.
# gpt2: Hugging Face ``transformers`` ``GPT2PreTrainedModel._init_weights``
#   (``normal_(mean=0.0, std=config.initializer_range)``, ``initializer_range=0.02``;
#   biases zero), after OpenAI's GPT-2 code. The residual projections (``c_proj``) get
#   ``0.02 / sqrt(2 n_layer)`` instead: see :func:`gpt2_residual_std`. Radford et al.
#   (2019), "Language Models are Unsupervised Multitask Learners".
FRAMEWORK_DEFAULTS = {
    "pytorch_linear": ("standard_uniform", {}, "uniform_fan_in"),
    "keras_dense": ("glorot_uniform", {}, "zeros"),
    "flax_dense": (
        "variance_scaling",
        {"scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal"},
        "zeros",
    ),
    "gpt2": ("normal", {"std": GPT2_STD}, "zeros"),
}


def _check_name(name) -> str:
    return check_choice("name", name, FRAMEWORK_DEFAULTS, what="framework default")


def framework_default(name: str, fan_in: int, fan_out: int, *, rng=None) -> np.ndarray:
    """A ``(fan_in, fan_out)`` weight matrix as a framework's dense layer draws it by default.

    Parameters
    ----------
    name : {"pytorch_linear", "keras_dense", "flax_dense", "gpt2"}
        ``pytorch_linear``: ``torch.nn.Linear`` (kaiming_uniform with a = sqrt(5), i.e.
        U[+-1/sqrt(fan_in)]); ``keras_dense``: ``keras.layers.Dense`` (glorot_uniform);
        ``flax_dense``: ``flax.linen.Dense`` (lecun_normal, a truncated normal);
        ``gpt2``: GPT-2's N(0, 0.02^2).
    fan_in, fan_out : int
    rng : int, np.random.Generator or None

    Returns
    -------
    ndarray of shape (fan_in, fan_out)

    Notes
    -----
    The closed-form variances are :func:`framework_variance`. An unknown name raises a
    ValueError with the closest match. The initializer behind each name, and its
    source, are in ``FRAMEWORK_DEFAULTS``. Introduced in notebook 11.
    """
    init, params, _ = FRAMEWORK_DEFAULTS[_check_name(name)]
    fan_in = check_positive_int("fan_in", fan_in)
    fan_out = check_positive_int("fan_out", fan_out)
    return get_initializer(init, **params)(fan_in, fan_out, rng=rng)


def framework_bias(name: str, fan_in: int, fan_out: int, *, rng=None) -> np.ndarray:
    """The bias vector, shape ``(fan_out,)``, a framework's dense layer starts from.

    PyTorch's ``nn.Linear`` draws it from U[-1/sqrt(fan_in), 1/sqrt(fan_in)] (variance
    ``1 / (3 fan_in)``, ``Linear.reset_parameters``); Keras, Flax and GPT-2 start from
    zeros. Notebook 11.
    """
    *_, kind = FRAMEWORK_DEFAULTS[_check_name(name)]
    fan_in = check_positive_int("fan_in", fan_in)
    fan_out = check_positive_int("fan_out", fan_out)
    if kind == "zeros":
        return np.zeros(fan_out)
    bound = 1.0 / math.sqrt(fan_in)
    return as_rng(rng).uniform(-bound, bound, size=fan_out)


def framework_variance(name: str, fan_in: int, fan_out: int) -> tuple[float, float]:
    """Closed-form ``(Var(W_ij), Var(b_j))`` of a framework's default dense layer.

    .. math:: \\text{pytorch\\_linear: } \\frac{1}{3 n_\\text{in}},\\ \\frac{1}{3 n_\\text{in}};
              \\quad \\text{keras\\_dense: } \\frac{2}{n_\\text{in} + n_\\text{out}},\\ 0;
              \\quad \\text{flax\\_dense: } \\frac{1}{n_\\text{in}},\\ 0;
              \\quad \\text{gpt2: } 0.02^2,\\ 0.

    ``fan_in * Var(W)`` is the mean-field ``sigma_w2`` of notebook 04 and ``Var(b)`` its
    ``sigma_b2``. Notebook 11.
    """
    init, params, kind = FRAMEWORK_DEFAULTS[_check_name(name)]
    var_w = weight_variance(init, fan_in, fan_out, **params)
    # the bias is U[-a, a] with a = 1/sqrt(fan_in), of variance a^2 / 3
    return var_w, (0.0 if kind == "zeros" else 1.0 / (3.0 * fan_in))


def framework_mlp(name: str, layer_sizes: Sequence[int], activation="relu", *, rng=None):
    """A :class:`course_utils.MLP` whose weights and biases are a framework's defaults.

    The weights come from :func:`framework_default` and the biases from
    :func:`framework_bias`, layer by layer, all from one generator seeded by ``rng``.
    Notebook 11 runs a 30-layer ReLU and tanh stack from each default.
    """
    from .network import MLP

    _check_name(name)
    gen = as_rng(rng)

    def init(fan_in, fan_out, *, rng=None):
        return framework_default(name, fan_in, fan_out, rng=rng)

    init.__name__ = name
    net = MLP(layer_sizes, activation, init, rng=gen)
    for b, (fan_in, fan_out) in zip(net.biases, zip(net.layer_sizes[:-1], net.layer_sizes[1:])):
        b[:] = framework_bias(name, fan_in, fan_out, rng=gen)
    return net


def gpt2_residual_std(n_layers: int, std: float = GPT2_STD) -> float:
    """GPT-2's std for the residual projections: ``std / sqrt(2 n_layers)``.

    Each of the ``n_layers`` blocks adds two branches (attention and MLP) to the residual
    stream, so ``2 n_layers`` terms of variance ``v`` add up to ``2 n_layers v``; dividing
    each projection's std by ``sqrt(2 n_layers)`` keeps the sum independent of depth.
    Radford et al. (2019), "Language Models are Unsupervised Multitask Learners", sec. 2.3
    ("we scale the weights of residual layers at initialization by a factor of 1/sqrt(N)
    where N is the number of residual layers"); Hugging Face's ``GPT2PreTrainedModel``
    uses ``initializer_range / sqrt(2 n_layer)`` for every ``c_proj.weight``. Notebook 11.
    """
    n_layers = check_positive_int("n_layers", n_layers)
    return float(std) / math.sqrt(2.0 * n_layers)
