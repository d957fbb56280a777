"""course_utils: the helpers of the course on weight initialization in deep neural networks.

The notebooks teach; this package carries what would distract from the lesson:
initializers, activations, a network that records its insides, training, offline data,
plots, widgets and exercise checks. Import it as ``import course_utils as cu``.
"""

import importlib

from . import (
    attention,
    convolution,
    finite_width,
    frameworks,
    isometry,
    lr_transfer,
    pointer_grid,
    recurrent,
    reproductions,
    theory,
    transformer,
)
from .activations import ACTIVATIONS, Activation, get_activation
from .chains import ChainResult, matrix_chain, predicted_escape_step
from .convolution import CNN
from .datasets import (
    load_digits,
    make_blobs,
    make_circles,
    make_moons,
    make_spirals,
    train_test_split,
)
from .environment import check_environment
from .frameworks import framework_bias, framework_default, framework_mlp, framework_variance
from .initializers import (
    INITIALIZERS,
    calculate_gain,
    compute_fans,
    constant,
    get_initializer,
    glorot_normal,
    glorot_uniform,
    he_normal,
    he_uniform,
    initialize,
    kaiming_normal,
    kaiming_uniform,
    lecun_normal,
    lecun_uniform,
    normal,
    orthogonal,
    standard_uniform,
    truncated_normal_std_factor,
    uniform,
    variance_scaling,
    xavier_normal,
    xavier_uniform,
    zeros,
)
from .isometry import jacobian_singular_values, lsuv
from .losses import mse, softmax, softmax_cross_entropy
from .network import MLP, ResidualMLP
from .parametrization import PARAMETRIZATIONS, coord_check, width_mlp
from .recurrent import RNN
from .training import (
    SGD,
    Adam,
    History,
    Momentum,
    clip_grad_norm,
    fit,
    get_optimizer,
    train_step,
)
from .transformer import Transformer, pointer_task

__version__ = "0.1.0"

# PEP 562: the modules that need matplotlib or ipywidgets load when first touched, so
# ``import course_utils`` costs the maths only (docs/ARCHITECTURE.md, "Imports").
_LAZY_MODULES = ("checks", "plots", "widgets")
_LAZY_NAMES = {"use_course_style": "plots"}


def __getattr__(name: str):
    """Load ``cu.plots``, ``cu.widgets``, ``cu.checks`` and ``cu.use_course_style`` on use."""
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")


def __dir__():
    """The public names, the lazy ones included (for tab completion)."""
    return sorted(set(globals()) | set(_LAZY_MODULES) | set(_LAZY_NAMES))
