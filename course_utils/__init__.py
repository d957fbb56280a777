"""course_utils: the helpers of the course on weight initialization in deep neural networks.

The notebooks teach; this package carries what would distract from the lesson:
initializers, activations, a network that records its insides, training, offline data,
plots, widgets and exercise checks. Import it as ``import course_utils as cu``.
"""

from . import checks, finite_width, frameworks, isometry, plots, theory, widgets
from .activations import ACTIVATIONS, Activation, get_activation
from .chains import ChainResult, matrix_chain, predicted_escape_step
from .datasets import load_digits, make_circles, make_spirals, train_test_split
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
from .plots import use_course_style
from .training import SGD, Adam, History, Momentum, fit, get_optimizer, train_step

__version__ = "0.1.0"
