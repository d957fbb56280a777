"""What the fast path's cached background shows, so that it is re-rendered when that changes.

:func:`artist_state` is what of one static artist shows (data, text, colour, alpha...);
:func:`limits_shown` says which of an axes' limits its cached artists follow. Both feed the
background's signature in :class:`course_utils.widgets.base._FastPath`; :func:`axis_state`
keys the layer of the axes drawn first on a move.
"""

from __future__ import annotations

import hashlib

import numpy as np
from matplotlib.collections import Collection
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Annotation, Text

__all__ = ["artist_state", "axis_state", "limits_shown"]

#: Points (in each artist's own coordinates) at which a transform is probed.
_PROBE = np.array([[0.25, 0.5], [2.0, 3.0], [0.75, 7.0]])


def _digest(values) -> str:
    arr = np.ascontiguousarray(np.asarray(values, dtype=float))
    return hashlib.blake2b(arr.tobytes(), digest_size=8).hexdigest() + str(arr.shape)


def artist_state(artist) -> tuple:
    """What of a static artist shows in the background: data, text, colour, alpha, ..."""
    base = (type(artist).__name__, artist.get_visible(), artist.get_alpha(), artist.get_zorder())
    if isinstance(artist, Text):
        return (
            *base,
            artist.get_text(),
            tuple(artist.get_position()),
            str(artist.get_color()),
            artist.get_fontsize(),
            artist.get_rotation(),
        )
    if isinstance(artist, Line2D):
        return (
            *base,
            _digest(artist.get_xydata()),
            str(artist.get_color()),
            artist.get_linestyle(),
            artist.get_linewidth(),
            str(artist.get_marker()),
        )
    if isinstance(artist, Patch):
        return (
            *base,
            _digest(artist.get_path().vertices),
            _digest(artist.get_patch_transform().get_matrix()),
            tuple(artist.get_facecolor()),
            tuple(artist.get_edgecolor()),
        )
    if isinstance(artist, Collection):
        paths = artist.get_paths()
        return (
            *base,
            len(paths),
            *(_digest(p.vertices) for p in paths[:50]),
            _digest(artist.get_offsets()),
            _digest(artist.get_facecolor()),
        )
    if isinstance(artist, AxesImage):
        return (*base, _digest(artist.get_array()), tuple(artist.get_extent()), artist.get_clim())
    return base


def axis_state(axis) -> tuple:
    """What an axis draws: its limits, scale, locators and formatters, label, every tick.

    Taken after a draw (which lays the ticks out), it equals the next one taken before a
    draw exactly when nothing of the axis changed in between.
    """
    tickers = (axis.get_major_locator(), axis.get_major_formatter())
    tickers += (axis.get_minor_locator(), axis.get_minor_formatter())
    parts = ("tick1line", "tick2line", "gridline", "label1", "label2")
    return (
        tuple(float(v) for v in axis.get_view_interval()),
        axis.get_scale(),
        axis.get_visible(),
        axis.get_zorder(),
        *(id(t) for t in tickers),
        artist_state(axis.label),
        artist_state(axis.offsetText),
        *(
            artist_state(getattr(tick, part))
            for tick in (*axis.majorTicks, *axis.minorTicks)
            for part in parts
        ),
    )


def _moved(interval, scale: str):
    """Other limits than ``interval`` on the same scale, or None for a scale not probed."""
    lo, hi = interval
    if scale == "log" and lo > 0 and hi > 0:
        return lo / 2, hi * 2
    if scale == "linear":
        return lo - 1 - abs(lo), hi + 1 + abs(hi)
    return None


def _probe(artist) -> np.ndarray:
    """Where ``artist`` puts the probe points (a legend: the corners of its anchor box)."""
    if isinstance(artist, Legend):
        return np.asarray(artist.get_bbox_to_anchor().get_points())
    return artist.get_transform().transform(_PROBE)


def limits_shown(ax, cached) -> tuple[bool, bool]:
    """Whether ``cached`` (artists of ``ax`` kept in the background) follow its x, y limits.

    The axes' patch and spines follow neither; an axis follows its own limits only (its
    gridlines span the axes the other way); a line, patch or text follows a limit when its
    transform moves as that limit does (probed: the limits are moved, then put back), a
    legend at a fixed ``loc`` when its anchor box does; anything else (a legend placed by
    the data, loc="best", a collection, an image, an annotation) follows both.
    """
    shown, probed = [False, False], []
    for artist in cached:
        if artist is ax.patch or artist in ax.spines.values():
            continue  # in axes coordinates (a spine's path follows the limits it is drawn at)
        if artist is ax.xaxis or artist is ax.yaxis:
            shown[artist is ax.yaxis] = True
        elif isinstance(artist, Legend) and getattr(artist, "_loc", 0) != 0:
            probed.append(artist)  # placed by its anchor box (loc="best" reads the data)
        elif isinstance(artist, (Line2D, Patch, Text)) and not isinstance(artist, Annotation):
            probed.append(artist)
        else:
            return True, True
    for i, (name, scale) in enumerate(
        (("intervalx", ax.get_xscale()), ("intervaly", ax.get_yscale()))
    ):
        if shown[i] or not probed:
            continue
        saved = tuple(float(v) for v in getattr(ax.viewLim, name))
        moved = _moved(saved, scale)
        if moved is None:
            shown[i] = True
            continue
        before = [_probe(a) for a in probed]
        setattr(ax.viewLim, name, moved)
        try:
            after = [_probe(a) for a in probed]
        finally:
            setattr(ax.viewLim, name, saved)
        # a non-finite point (a log of a negative) says nothing: count it as following
        shown[i] = any(
            not (np.isfinite(b).all() and np.isfinite(c).all() and np.array_equal(b, c))
            for b, c in zip(before, after)
        )
    return shown[0], shown[1]
