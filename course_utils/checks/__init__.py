"""Exercise checks, grouped by topic, and the feedback machinery they share.

Every ``check_*`` prints one line that starts with ``Correct:`` or ``Not yet:`` (what was
expected, what came, a hint that names the mistake) and returns None; it never raises on
a wrong, missing or crashing answer. :mod:`.feedback` holds what they share; each other
module is one topic: :mod:`.compounding`, :mod:`.symmetry`, :mod:`.variance`,
:mod:`.gains`, :mod:`.propagation`, :mod:`.training`, :mod:`.isometry`,
:mod:`.finite_width`, :mod:`.frameworks`, :mod:`.attention`. ``cu.checks.<name>``
reaches every one.
"""

from .architectures import (
    EXERCISE_KERNEL,
    check_conv_fans,
    check_he_conv_std,
    check_spectral_radius,
)
from .attention import (
    check_gpt2_residual_std,
    check_qk_variance,
    check_stream_variance,
)
from .compounding import (
    check_band_edges,
    check_depth_to_exceed,
    check_overflow_step,
)
from .feedback import (
    CORRECT,
    NOT_YET,
    as_count,
    as_number,
    call_safely,
    close_enough,
    is_stub,
    report,
)
from .finite_width import (
    check_p_dead,
    check_residual_growth,
    check_squared_norm_second_moment,
)
from .frameworks import (
    INITIALIZER_QUIZ,
    check_initializer_choices,
    check_pytorch_variance,
)
from .gains import (
    check_gain_estimate,
    check_leaky_relu_gain,
    check_relu_stack_second_moment,
)
from .isometry import (
    check_critical_sigma_w2,
    check_lsuv_layer,
)
from .parametrization import (
    check_adam_step_change,
    check_mup_adam_lrs,
)
from .propagation import (
    TANH_MAP_MC_DRAWS,
    check_predicted_std,
    check_sigma_w_keeps_std,
    smallest_sigma_w_keeping_std,
)
from .symmetry import (
    check_distinct_units,
    distinct_columns,
)
from .training import (
    check_adam_step,
    check_stalled_loss,
    check_update_ratio,
)
from .variance import (
    check_truncated_normal,
    check_var_product,
    check_xavier_uniform,
)

__all__ = [
    "CORRECT",
    "NOT_YET",
    "report",
    "is_stub",
    "call_safely",
    "close_enough",
    "as_number",
    "as_count",
    "check_depth_to_exceed",
    "check_band_edges",
    "check_overflow_step",
    "distinct_columns",
    "check_distinct_units",
    "check_var_product",
    "check_xavier_uniform",
    "check_truncated_normal",
    "check_gain_estimate",
    "check_leaky_relu_gain",
    "check_relu_stack_second_moment",
    "TANH_MAP_MC_DRAWS",
    "check_predicted_std",
    "smallest_sigma_w_keeping_std",
    "check_sigma_w_keeps_std",
    "check_stalled_loss",
    "check_update_ratio",
    "check_adam_step",
    "check_lsuv_layer",
    "check_critical_sigma_w2",
    "check_p_dead",
    "check_residual_growth",
    "check_squared_norm_second_moment",
    "check_pytorch_variance",
    "EXERCISE_KERNEL",
    "check_conv_fans",
    "check_he_conv_std",
    "check_spectral_radius",
    "check_qk_variance",
    "check_gpt2_residual_std",
    "check_stream_variance",
    "INITIALIZER_QUIZ",
    "check_initializer_choices",
    "check_adam_step_change",
    "check_mup_adam_lrs",
]
