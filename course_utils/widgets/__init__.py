"""Interactive explorers: pure compute, a plot that updates in place, a thin widget wrapper.

Every explorer is an :class:`Explorer` (:mod:`.base`): moving a control calls
``compute(**params)`` (pure: tests and benchmarks call it directly), then ``draw(result)``
(updates the artists of one figure made once), then shows ``result.summary`` (a line of
text) and the figure in an ``ipywidgets.Output``. One explorer a module:
:mod:`.compounding`, :mod:`.propagation`, :mod:`.training`, :mod:`.chaos`, and the
:mod:`.playground` (play, pause, step, reset: a thread draws its frames). Each explorer
in a notebook sits next to a static figure that makes the same point for a reader without
a kernel. What the propagation explorer computes is science, in
:mod:`course_utils.propagation`; it is re-exported here so ``cu.widgets.<name>`` keeps
working.
"""

from ..propagation import (
    NETWORK_WEIGHT_BUDGET,
    PROPAGATION_INITS,
    SATURATION,
    PropagationResult,
    compute_propagation,
    sample_network_pass,
)
from .base import Explorer
from .chaos import ChaosResult, compute_edge_of_chaos, edge_of_chaos_explorer
from .compounding import (
    CompoundingResult,
    compounding_explorer,
    compute_compounding,
    stable_factor_range,
)
from .playground import Playground, playground
from .propagation import propagation_explorer
from .recurrent import gradient_through_time_explorer
from .training import (
    LOSS_BAND,
    TRAINING_INITS,
    TRAINING_LRS,
    TrainingExplorer,
    TrainingResult,
    compute_training,
    training_explorer,
)
from .transformer import (
    TransformerInitResult,
    compute_transformer_init,
    transformer_explorer,
)
from .width import width_explorer

__all__ = [
    "Explorer",
    "CompoundingResult",
    "compute_compounding",
    "compounding_explorer",
    "stable_factor_range",
    "PROPAGATION_INITS",
    "NETWORK_WEIGHT_BUDGET",
    "SATURATION",
    "PropagationResult",
    "sample_network_pass",
    "compute_propagation",
    "propagation_explorer",
    "TRAINING_INITS",
    "TRAINING_LRS",
    "LOSS_BAND",
    "TrainingResult",
    "compute_training",
    "TrainingExplorer",
    "training_explorer",
    "ChaosResult",
    "compute_edge_of_chaos",
    "edge_of_chaos_explorer",
    "TransformerInitResult",
    "compute_transformer_init",
    "transformer_explorer",
    "gradient_through_time_explorer",
    "width_explorer",
    "Playground",
    "playground",
]
