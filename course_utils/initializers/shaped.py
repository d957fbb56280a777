"""``initialize(name, shape)``: any named initializer for a dense or a convolution shape.

A dense weight is ``(fan_in, fan_out)``; a convolution kernel ``(kh, kw, c_in, c_out)``
(the course's layout, Keras' too), whose fans :func:`~.rules.compute_fans` gives as
fan_in = c_in kh kw and fan_out = c_out kh kw (He et al. 2015, eqs. 10 and 14). Every
initializer but orthogonal draws its entries independently with the variance its rule
gives for those fans; orthogonal is drawn on the kernel flattened to
``(kh kw c_in, c_out)`` and reshaped, as PyTorch's ``orthogonal_`` and Keras'
``Orthogonal`` do. Notebook 08.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_choice
from .named import ALIASES, NAMED_INITS
from .registry import INITIALIZERS, get_initializer
from .rules import compute_fans, constant, normal, orthogonal, uniform, variance_scaling

__all__ = ["initialize"]


def initialize(name: str, shape, *, rng=None, **params) -> np.ndarray:
    """An array of ``shape`` drawn by the initializer ``name`` (a key of INITIALIZERS).

    Parameters
    ----------
    name : str
        ``"he_normal"``, ``"xavier_uniform"``, ``"orthogonal"``, ``"normal"`` (with
        ``std=``), ... any name :func:`course_utils.get_initializer` knows.
    shape : tuple of int
        ``(fan_in, fan_out)`` or ``(kh, kw, c_in, c_out)`` (any receptive field before
        the two channel axes).
    rng : int, np.random.Generator or None
    **params
        The initializer's own parameters (``gain=``, ``mode=``, ``std=``, ...).

    Returns
    -------
    ndarray of ``shape``, float64

    Notes
    -----
    For a dense shape this is ``get_initializer(name, **params)(fan_in, fan_out, rng=rng)``,
    the same draws. For a kernel, Var(K) = scale / n with n the conv fan the rule's mode
    names (the std of ``normal`` and the limit of ``uniform`` ignore the fans, as they do
    for a dense layer). PyTorch's ``(c_out, c_in, kh, kw)`` holds the same numbers as
    ``np.transpose(kernel, (3, 2, 0, 1))``.
    """
    check_choice("name", name, INITIALIZERS, what="initializer")
    fan_in, fan_out = compute_fans(shape)
    shape = tuple(int(s) for s in shape)
    fn = get_initializer(name, **params)  # checks the parameters' names and values
    if len(shape) == 2:
        return fn(fan_in, fan_out, rng=rng)
    rows, cols = fan_in, shape[-1]  # the flattened kernel (kh kw c_in, c_out)
    key = ALIASES.get(name, name)
    if key == "zeros":
        return np.zeros(shape)
    if key == "constant":
        return constant(rows, cols, **params).reshape(shape)
    if key in ("normal", "uniform", "orthogonal"):  # no fan in the rule: the flat matrix
        draw = {"normal": normal, "uniform": uniform, "orthogonal": orthogonal}[key]
        return draw(rows, cols, rng=rng, **params).reshape(shape)
    if key in NAMED_INITS:
        spec = NAMED_INITS[key]
        scale, mode = spec.scale_and_mode(**params)
        distribution = spec.distribution
    else:  # variance_scaling
        scale = params.get("scale", 1.0)
        mode = params.get("mode", "fan_in")
        distribution = params.get("distribution", "normal")
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    # variance_scaling in fan_in mode draws the flat (fan_in, c_out) matrix with variance
    # scale' / fan_in: scale' = scale fan_in / n gives the conv rule's scale / n.
    flat = variance_scaling(
        rows, cols, scale=scale * fan_in / n, mode="fan_in", distribution=distribution, rng=rng
    )
    return flat.reshape(shape)
