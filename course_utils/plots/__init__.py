"""Every figure of the course, in one style.

Each plotting function takes ``ax=None`` (a new figure is made when it is None) and
returns the Axes it drew on. Titles state the finding; axes carry labels; values that
span orders of magnitude go on log scales; non-finite values are left out, not drawn.
:mod:`.style` holds the palette and shared helpers; the figures are grouped by topic:
:mod:`.chains`, :mod:`.propagation`, :mod:`.training`, :mod:`.isometry`.
"""

from .chains import (
    plot_chain_norms,
    plot_compounding,
    plot_weight_matrices,
)
from .isometry import (
    plot_log_singular_values,
    plot_phase_diagram,
)
from .playground import (
    PlaygroundFigure,
    plot_playground_filmstrip,
)
from .propagation import (
    plot_layer_histograms,
    plot_std_per_layer,
)
from .style import (
    INIT_COLORS,
    INIT_MARKERS,
    PALETTE,
    color_for,
    finite,
    get_ax,
    integer_ticks,
    log_axis,
    log_tick_formatter,
    marker_for,
    superscript,
    use_course_style,
)
from .training import (
    plot_decision_boundary,
    plot_loss_curves,
    plot_seed_band,
    plot_update_ratios,
)

__all__ = [
    "PALETTE",
    "INIT_COLORS",
    "INIT_MARKERS",
    "use_course_style",
    "color_for",
    "marker_for",
    "get_ax",
    "finite",
    "superscript",
    "integer_ticks",
    "log_axis",
    "log_tick_formatter",
    "plot_compounding",
    "plot_chain_norms",
    "plot_weight_matrices",
    "plot_layer_histograms",
    "plot_std_per_layer",
    "plot_loss_curves",
    "plot_seed_band",
    "plot_update_ratios",
    "plot_decision_boundary",
    "plot_log_singular_values",
    "plot_phase_diagram",
    "PlaygroundFigure",
    "plot_playground_filmstrip",
]
