"""Is a figure readable? Checks that every figure of the course must pass.

A figure fails when a reader could miss or misread what it shows:

- two series of one Axes draw the same points (within a pixel) in the same line style and
  marker, and neither label says so ("under X", "same as X"): the legend lists a series the
  reader cannot see;
- two legend entries differ by colour alone (same line style, same marker, same hatch):
  a reader with a colour-vision deficiency, or a grey-scale print, cannot tell them apart;
- an axis whose data are whole numbers (layers, steps, epochs) has a fractional tick;
- text (a tick label, an axis label, a title, a legend) reaches past the figure's edge,
  or an annotation overlaps the legend;
- the figure is narrower than :data:`MIN_WIDTH_PX` pixels or its tick labels are smaller
  than :data:`MIN_TICK_PX` pixels (JupyterLab's body text is 14 px).

:func:`audit_figure` returns the problems as sentences; :func:`check_figure` raises
:class:`FigureAuditError` with them. With the environment variable
``COURSE_FIGURE_AUDIT=1``, :func:`~course_utils.plots.style.use_course_style` makes
``plt.show()`` check every open figure first, so that running a notebook under nbval
checks all of its figures (``tests/conftest.py`` sets it for the test suite).

The palette itself is checked under simulated colour-vision deficiencies:
:func:`simulate_cvd` applies the full-severity matrices of Machado, Oliveira & Fernandes
(2009), "A Physiologically-based Model for Simulation of Color Vision Deficiency", and
:func:`delta_e` measures the CIE 1976 colour difference of the results.
"""

from __future__ import annotations

import itertools
import os

import numpy as np

__all__ = [
    "MIN_WIDTH_PX",
    "MIN_TICK_PX",
    "NOTE_WORDS",
    "CVD_MATRICES",
    "FigureAuditError",
    "audit_figure",
    "check_figure",
    "simulate_cvd",
    "delta_e",
    "audit_enabled",
    "install_show_audit",
]

#: The narrowest figure, in pixels, that uses a JupyterLab notebook's width reasonably.
MIN_WIDTH_PX = 600
#: The smallest tick-label size in pixels (JupyterLab's body text is 14 px).
MIN_TICK_PX = 11.0
#: Words in a legend label that say a series is drawn under another one on purpose.
NOTE_WORDS = ("under ", "same as", "hidden", "coincide", "overlap", "identical")

#: Machado, Oliveira & Fernandes (2009), severity 1.0, acting on linear RGB.
CVD_MATRICES = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}


class FigureAuditError(AssertionError):
    """A figure a reader could misread; the message lists every problem found."""


def audit_enabled() -> bool:
    """True when ``COURSE_FIGURE_AUDIT`` is set to 1 (figures are checked on ``plt.show()``)."""
    return os.environ.get("COURSE_FIGURE_AUDIT", "") == "1"


# --- colours ---------------------------------------------------------------------------


def _to_linear(rgb: np.ndarray) -> np.ndarray:
    """Convert sRGB in [0, 1] to linear RGB (IEC 61966-2-1)."""
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def simulate_cvd(color, kind: str) -> np.ndarray:
    """A colour as seen with ``kind`` ("protanopia", "deuteranopia" or "tritanopia").

    Returns linear RGB in [0, 1]. ``color`` is anything matplotlib reads as a colour.
    """
    from matplotlib.colors import to_rgb

    if kind not in CVD_MATRICES:
        raise ValueError(f"kind must be one of {sorted(CVD_MATRICES)}; received {kind!r}")
    lin = _to_linear(np.asarray(to_rgb(color), dtype=float))
    return np.clip(CVD_MATRICES[kind] @ lin, 0.0, 1.0)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    """Linear sRGB to CIELAB under the D65 white point."""
    xyz = (
        np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
        @ linear_rgb
    )
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    d = 6 / 29
    f = np.where(t > d**3, np.cbrt(t), t / (3 * d**2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a, b, *, kind: str | None = None) -> float:
    """CIE 1976 colour difference of two colours, seen normally or with ``kind``.

    About 2.3 is the smallest difference people notice side by side; lines in a plot need
    much more (the course's palette keeps at least 10 under every simulation).
    """
    from matplotlib.colors import to_rgb

    def lab(c):
        lin = simulate_cvd(c, kind) if kind else _to_linear(np.asarray(to_rgb(c), dtype=float))
        return _lab(lin)

    return float(np.linalg.norm(lab(a) - lab(b)))


# --- the figure checks -------------------------------------------------------------------


def _axes_name(ax, index: int) -> str:
    title = ax.get_title() or ax.get_title(loc="left") or ""
    first = title.splitlines()[0] if title else ""
    return f"axes {index} ({first[:50]!r})" if first else f"axes {index}"


def _noted(*labels: str) -> bool:
    return any(word in label.lower() for label in labels for word in NOTE_WORDS)


def _data_lines(ax):
    """Visible, labelled lines in data coordinates with at least two finite points."""
    out = []
    for line in ax.get_lines():
        label = str(line.get_label())
        if not line.get_visible() or label.startswith("_"):
            continue
        if not line.get_transform().contains_branch(ax.transData):
            continue  # axhline / axvline: blended transforms
        x = np.asarray(line.get_xdata(), dtype=float)
        y = np.asarray(line.get_ydata(), dtype=float)
        if x.size >= 2 and x.shape == y.shape:
            out.append((line, label, x, y))
    return out


def _style(line) -> tuple:
    """Line style (with its dash pattern: get_linestyle says '--' for any) and marker."""
    marker = line.get_marker()
    marker = None if marker in (None, "", " ", "None", "none") else str(marker)
    dashes = getattr(line, "_unscaled_dash_pattern", (None, None))[1]
    return (str(line.get_linestyle()), tuple(dashes) if dashes else None, marker)


def _coinciding(ax, name: str) -> list[str]:
    problems = []
    lines = _data_lines(ax)
    display = {}
    for line, _label, x, y in lines:
        with np.errstate(all="ignore"):
            display[id(line)] = ax.transData.transform(np.column_stack([x, y]))
    for (l1, a, x1, _), (l2, b, x2, _) in itertools.combinations(lines, 2):
        if x1.shape != x2.shape or _style(l1) != _style(l2) or _noted(a, b):
            continue
        p, q = display[id(l1)], display[id(l2)]
        both = np.isfinite(p).all(axis=1) & np.isfinite(q).all(axis=1)
        if both.sum() >= 2 and np.all(np.abs(p[both] - q[both]) <= 1.0):
            problems.append(
                f"{name}: {a!r} and {b!r} draw the same points (within 1 px) in the same "
                f"style, so one hides the other; give one a distinct line style or say "
                f"'(under {a})' in its label"
            )
    return problems


def _handle_key(handle):
    """What, besides colour, tells a legend entry apart (None: not comparable)."""
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if isinstance(handle, Line2D):
        return ("line", *_style(handle))
    if isinstance(handle, Patch):
        dashes = getattr(handle, "_unscaled_dash_pattern", (None, None))[1]
        return ("patch", handle.get_hatch() or "", str(handle.get_linestyle()), dashes)
    if isinstance(handle, PathCollection):
        paths = handle.get_paths()
        if not paths:
            return None
        return ("marker", np.round(paths[0].vertices, 3).tobytes())
    return None


def _colour_only(ax, name: str) -> list[str]:
    legend = ax.get_legend()
    if legend is None or not legend.get_visible():
        return []
    handles = getattr(legend, "legend_handles", None) or getattr(legend, "legendHandles", [])
    labels = [t.get_text() for t in legend.get_texts()]
    problems = []
    for (h1, a), (h2, b) in itertools.combinations(zip(handles, labels), 2):
        k1, k2 = _handle_key(h1), _handle_key(h2)
        if k1 is not None and k1 == k2:
            problems.append(
                f"{name}: legend entries {a!r} and {b!r} differ by colour alone; give them "
                f"distinct line styles, markers or hatches"
            )
    return problems


def _integer_axis(ax, name: str) -> list[str]:
    if ax.get_xscale() != "linear":
        return []
    lines = _data_lines(ax)
    if not lines:
        return []
    xs = np.concatenate([x[np.isfinite(x)] for _, _, x, _ in lines])
    if xs.size < 3 or not np.all(xs == np.round(xs)) or np.ptp(xs) < 2:
        return []
    lo, hi = sorted(ax.get_xlim())
    ticks = [t for t in ax.xaxis.get_majorticklocs() if lo - 1e-9 <= t <= hi + 1e-9]
    bad = [t for t in ticks if abs(t - round(t)) > 1e-9]
    if bad:
        return [
            f"{name}: the x data are whole numbers but the axis has fractional ticks "
            f"{[float(t) for t in bad][:4]}; use cu.plots.integer_ticks(ax.xaxis)"
        ]
    return []


def _clipped(fig, renderer) -> list[str]:
    problems = []
    box = fig.bbox
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        tight = ax.get_tightbbox(renderer)
        if tight is None:
            continue
        over = [
            box.x0 - tight.x0,
            box.y0 - tight.y0,
            tight.x1 - box.x1,
            tight.y1 - box.y1,
        ]
        if max(over) > 1.0:
            sides = [s for s, o in zip(("left", "bottom", "right", "top"), over) if o > 1.0]
            problems.append(
                f"{_axes_name(ax, i)}: its labels reach {max(over):.0f} px past the "
                f"figure's {' and '.join(sides)} edge (clipped)"
            )
    for text in fig.texts:
        if text.get_visible() and text.get_text():
            ext = text.get_window_extent(renderer)
            if ext.x0 < box.x0 - 1 or ext.x1 > box.x1 + 1 or ext.y0 < box.y0 - 1:
                problems.append(f"figure text {text.get_text()[:40]!r} is clipped")
            elif ext.y1 > box.y1 + 1:
                problems.append(f"figure text {text.get_text()[:40]!r} is clipped")
    return problems


def _legend_collisions(ax, name: str, renderer) -> list[str]:
    legend = ax.get_legend()
    if legend is None or not legend.get_visible():
        return []
    lbox = legend.get_window_extent(renderer)
    problems = []
    for text in ax.texts:
        if not text.get_visible() or not text.get_text().strip():
            continue
        tbox = text.get_window_extent(renderer)
        w = min(lbox.x1, tbox.x1) - max(lbox.x0, tbox.x0)
        h = min(lbox.y1, tbox.y1) - max(lbox.y0, tbox.y0)
        if w > 1 and h > 1:
            problems.append(f"{name}: the text {text.get_text()[:40]!r} overlaps the legend")
    return problems


def _sizes(fig) -> list[str]:
    problems = []
    width = fig.get_figwidth() * fig.dpi
    if width < MIN_WIDTH_PX:
        problems.append(
            f"the figure is {width:.0f} px wide, under {MIN_WIDTH_PX} px: it leaves most "
            f"of the notebook's width empty and shrinks its text"
        )
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible() or not ax.axison:
            continue
        for axis in (ax.xaxis, ax.yaxis):
            labels = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
            if labels:
                px = labels[0].get_fontsize() * fig.dpi / 72
                if px < MIN_TICK_PX - 1e-9:
                    problems.append(
                        f"{_axes_name(ax, i)}: tick labels are {px:.1f} px, under "
                        f"{MIN_TICK_PX:g} px"
                    )
                    break
    return problems


def audit_figure(fig, *, laid_out: bool = False) -> list[str]:
    """Every readability problem of ``fig``, one sentence each (an empty list: none).

    The figure is laid out first (constrained layout places everything, ticks and texts
    are measured) without rasterizing a pixel. ``laid_out=True`` skips that: the caller
    has just rendered the figure at its own size and dpi (as the notebook's inline
    backend does on ``plt.show()``), so every position is final.
    """
    if not callable(getattr(fig.canvas, "get_renderer", None)):
        # closed by pyplot (the inline backend closes what it showed): measure with Agg
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    if not laid_out:
        fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    problems = []
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        name = _axes_name(ax, i)
        problems += _coinciding(ax, name)
        problems += _colour_only(ax, name)
        problems += _integer_axis(ax, name)
        problems += _legend_collisions(ax, name, renderer)
    problems += _clipped(fig, renderer)
    problems += _sizes(fig)
    return problems


def check_figure(fig, *, laid_out: bool = False) -> None:
    """Raise :class:`FigureAuditError` listing every problem :func:`audit_figure` finds."""
    problems = audit_figure(fig, laid_out=laid_out)
    if problems:
        title = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
        head = f"figure {title[:60]!r}" if title else "a figure"
        raise FigureAuditError(f"{head} is hard to read:\n- " + "\n- ".join(problems))


def install_show_audit() -> None:
    """Make ``plt.show()`` run :func:`check_figure` on every open figure (idempotent).

    Under the notebook's inline backend the figures are shown first and checked after:
    showing renders each one at its size and dpi, so the check reuses that layout
    instead of laying the figure out a second time (about 120 ms a figure); a figure the
    show did not draw is laid out by the check. Under any other backend they are checked
    before the show. Either way a failing figure raises :class:`FigureAuditError` and
    every figure is closed.
    """
    import matplotlib
    import matplotlib.pyplot as plt

    if getattr(plt.show, "_course_audit", False):
        return
    original = plt.show

    def show(*args, **kwargs):
        figures = [plt.figure(num) for num in plt.get_fignums()]
        try:
            if "inline" not in matplotlib.get_backend():
                for fig in figures:
                    check_figure(fig)
                return original(*args, **kwargs)
            drawn = set()
            hooks = [
                (
                    fig.canvas,
                    fig.canvas.mpl_connect("draw_event", lambda _e, f=fig: drawn.add(id(f))),
                )
                for fig in figures
            ]
            try:
                result = original(*args, **kwargs)
            finally:
                for canvas, cid in hooks:
                    canvas.mpl_disconnect(cid)
            for fig in figures:
                check_figure(fig, laid_out=id(fig) in drawn)
            return result
        except FigureAuditError:
            plt.close("all")
            raise

    show._course_audit = True
    show.__doc__ = original.__doc__
    plt.show = show
