"""Signal-propagation theory: Gaussian expectations, variance maps, chaos, measured gains.

- :mod:`.quadrature`: E[f(sqrt(q) z)] by quadrature; an activation's second-moment gain,
  by quadrature and by Monte Carlo.
- :mod:`.meanfield`: the variance map q -> q', its iteration over depth, chi_1, and what
  a named initializer's variance makes of them.
- :mod:`.chaos`: the fixed point q*, the correlation map, depth scales, the critical
  sigma_w^2 and the order-to-chaos phase diagram.

Poole, Lahiri, Raghu, Sohl-Dickstein & Ganguli (2016), "Exponential expressivity in deep
neural networks through transient chaos"; Schoenholz, Gilmer, Ganguli & Sohl-Dickstein
(2017), "Deep Information Propagation".
"""

from . import chaos, meanfield, quadrature
from .chaos import (
    DepthScales,
    PhaseDiagram,
    chi_1_at_fixed_point,
    correlation_map,
    critical_sigma_w2,
    depth_scales,
    fixed_point,
    iterate_correlation_map,
    phase_diagram,
)
from .meanfield import (
    PropagationPrediction,
    chi_1,
    iterate_variance_map,
    predict_propagation,
    variance_map,
    weight_variance,
)
from .quadrature import (
    gauss_hermite,
    gaussian_expectation,
    monte_carlo_gain,
    second_moment_gain,
)

__all__ = [
    "chaos",
    "meanfield",
    "quadrature",
    "gauss_hermite",
    "gaussian_expectation",
    "second_moment_gain",
    "monte_carlo_gain",
    "weight_variance",
    "variance_map",
    "iterate_variance_map",
    "chi_1",
    "PropagationPrediction",
    "predict_propagation",
    "fixed_point",
    "chi_1_at_fixed_point",
    "correlation_map",
    "iterate_correlation_map",
    "DepthScales",
    "depth_scales",
    "critical_sigma_w2",
    "PhaseDiagram",
    "phase_diagram",
]
