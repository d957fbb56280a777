"""Axis limits and ticks that let an explorer's cached layers survive a drag.

An axis whose limits follow the data is drawn in a cached layer of its own (see
:mod:`course_utils.widgets.base`), redrawn only when its limits move: these helpers make
them move by steps (a ladder of decades for a log axis, 10, 15, 20, 30, ... for a depth or
a length), so that most moves of a slider keep them; and keep a log axis' ticks finite at
the float range.
"""

from __future__ import annotations

import math

import matplotlib.ticker as mticker
import numpy as np

__all__ = ["FiniteLogLocator"]


def _log_limits(*arrays, margin: float = 3.0) -> tuple[float, float]:
    """Log limits around every finite positive value, ``margin`` times beyond them."""
    vals = np.concatenate([np.ravel(a) for a in arrays])
    with np.errstate(invalid="ignore"):
        vals = vals[np.isfinite(vals) & (vals > 0)]
    if vals.size == 0:
        return 1e-3, 1e3
    # Python floats: an overflow to inf is clamped, never warned about
    return max(float(vals.min()) / margin, 1e-300), min(float(vals.max()) * margin, 1e300)


#: The exponents a log axis' limits snap to, on either side of 1: fine near 1 (a healthy
#: network's std), coarse far from it, so that a drag keeps them for many steps.
_DECADE_RUNGS = (0, 1, 2, 3, 4, 6, 10, 15, 20, 30, 50, 100, 150, 200, 300)


def _rung_below(e: int) -> int:
    """The largest exponent of the ladder (+-_DECADE_RUNGS) at or below ``e``."""
    if e >= 0:
        return max(r for r in _DECADE_RUNGS if r <= e)
    return -min((r for r in _DECADE_RUNGS if r >= -e), default=_DECADE_RUNGS[-1])


def _decade_limits(*arrays, margin: float = 3.0) -> tuple[float, float]:
    """Log limits around every finite positive value, ``margin`` x beyond, on a ladder.

    Each limit snaps outwards to 10^k with |k| in 0, 1, 2, 3, 4, 6, 10, 15, 20, 30, 50,
    100, 150, 200, 300: whole decades near 1, ever coarser past them, so that a drag
    keeps the limits (and with them the cached layer of the axes) for many steps even
    where each step moves the data by several decades, and the data still fill a good
    part of the axis.
    """
    lo, hi = _log_limits(*arrays, margin=margin)
    a = _rung_below(math.floor(math.log10(lo)))
    b = max(-_rung_below(-math.ceil(math.log10(hi))), a + 1)  # never an empty range
    return max(10.0**a, 1e-300), min(10.0**b, 1e300)


#: The mantissas of :func:`_stepped_limit`: 10, 15, 20, 30, 40, 50, 60, 80, 100, 150, ...
_LIMIT_STEPS = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def _stepped_limit(n: float, minimum: float = 10.0) -> float:
    """The smallest of 10, 15, 20, 30, 40, 50, 60, 80, 100, 150, ... that is >= ``n``.

    An axis that follows a depth or a length by these steps keeps its limits (and with
    them its cached layer) over most of a drag of the slider, and its data always fill
    more than two thirds of it (three quarters past 10).
    """
    n = max(float(n), minimum)
    decade = 10.0 ** math.floor(math.log10(n))
    return next(decade * m for m in _LIMIT_STEPS if decade * m >= n - 1e-9)


class FiniteLogLocator(mticker.LogLocator):
    """Matplotlib's LogLocator without the ticks past the float range.

    Near limits of 1e-300 and 1e300 (an overflowing network's std) LogLocator also places
    a tick a stride beyond each limit, 1e400 = inf, on which the log formatter fails
    (OverflowError: cannot convert float infinity to integer). Those ticks are dropped,
    and the overflow warning of computing them is not shown.
    """

    def tick_values(self, vmin, vmax):
        """The ticks of LogLocator between ``vmin`` and ``vmax``, the non-finite ones left out."""
        with np.errstate(over="ignore"):
            ticks = np.asarray(super().tick_values(vmin, vmax))
        return ticks[np.isfinite(ticks) & (ticks > 0)]
