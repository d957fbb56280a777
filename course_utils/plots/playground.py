"""The playground's figure: decision boundary, loss per step, the network's edges, histograms.

One :class:`PlaygroundFigure` is made once and updated in place from each
:class:`~course_utils.playground.PlaygroundFrame` (the widget redraws it frame by frame);
:func:`plot_playground_filmstrip` draws frames of the four presets side by side for a reader
without a kernel. Colour is never the only cue: classes have markers, positive edges are
solid and negative ones dashed, zero edges dotted.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.ticker import NullFormatter

from .style import PALETTE, integer_ticks, log_tick_formatter

__all__ = [
    "WIDE_LAYER",
    "MAX_LAYERS",
    "EDGE_STYLES",
    "HIST_EDGES",
    "class_colors",
    "boundary_rgb",
    "log_magnitude_histogram",
    "PlaygroundFigure",
    "plot_playground_filmstrip",
]

#: A layer with more units than this on either side is drawn as a per-layer summary.
WIDE_LAYER = 16
#: The most weight layers a figure has artists for (hidden layers + 1).
MAX_LAYERS = 7
#: How an edge is drawn by the sign of its value: (colour, line style, label).
EDGE_STYLES = {
    "+": (PALETTE["blue"], "-", "positive (solid)"),
    "-": (PALETTE["vermillion"], "--", "negative (dashed)"),
    "0": ("#999999", ":", "exactly 0 (dotted)"),
}
_CLASS_COLORS = [PALETTE["blue"], PALETTE["vermillion"], PALETTE["green"], PALETTE["purple"]]
_CLASS_MARKERS = ["o", "s", "^", "D"]
#: Bins of log10 |value| in the histograms: the first holds everything below 1e-12 (exact
#: zeros too), the last everything from 1e4 up (inf too).
HIST_EDGES = np.arange(-12.5, 4.51, 0.5)
_MIN_WIDTH, _MAX_WIDTH = 0.3, 4.0


def class_colors(n_classes: int) -> np.ndarray:
    """(n_classes, 3) RGB of the classes (the course palette)."""
    from matplotlib.colors import to_rgb

    return np.array([to_rgb(c) for c in _CLASS_COLORS[:n_classes]])


def boundary_rgb(probabilities: np.ndarray) -> np.ndarray:
    """The grid's colour: each class's colour weighted by its probability, lightened.

    ``probabilities`` (h, w, k) -> (h, w, 3): a sure point has its class's colour mixed
    half with white; an unsure one a blend (grey-ish where the classes tie).
    """
    p = np.nan_to_num(probabilities, nan=1.0 / probabilities.shape[-1])
    return 0.5 + 0.5 * (p @ class_colors(p.shape[-1]))


def log_magnitude_histogram(values) -> np.ndarray:
    """Fractions of ``values`` per bin of log10 |value| (:data:`HIST_EDGES`); nan left out."""
    v = np.abs(np.asarray(values, dtype=float).ravel())
    v = v[~np.isnan(v)]
    if v.size == 0:
        return np.zeros(len(HIST_EDGES) - 1)
    with np.errstate(divide="ignore"):
        logs = np.log10(v)
    n_bins, lo, width = len(HIST_EDGES) - 1, HIST_EDGES[0], HIST_EDGES[1] - HIST_EDGES[0]
    index = np.clip(np.floor((logs - lo) / width), 0, n_bins - 1).astype(np.intp)
    return np.bincount(index, minlength=n_bins) / v.size


def _node_y(n: int) -> np.ndarray:
    """Heights of n nodes in a column (at most WIDE_LAYER drawn: a wide column is a bar)."""
    if n == 1:
        return np.zeros(1)
    return np.linspace(-1.0, 1.0, n) * min(1.0, 0.15 * (n - 1))


class PlaygroundFigure:
    """The playground's one figure, made once; :meth:`update` draws a frame into it.

    Panels: the decision boundary over the data; the network, every edge coloured and
    styled by its sign and as wide as |weight| or |gradient| (``edges``); the loss per step
    with ln(n_classes); per-layer histograms of log10 |activation| and log10 |dL/dW|.
    ``changing`` lists the artists a frame changes (for the explorer's fast redraw).
    """

    def __init__(self, *, figsize=(9.0, 5.8)):
        fig = plt.figure(figsize=figsize, layout="constrained")
        grid = fig.add_gridspec(2, 3, height_ratios=[1.15, 1.0])
        self.figure = fig
        self.ax_boundary = fig.add_subplot(grid[0, 0])
        self.ax_net = fig.add_subplot(grid[0, 1:])
        self.ax_loss = fig.add_subplot(grid[1, 0])
        self.ax_act = fig.add_subplot(grid[1, 1])
        self.ax_grad = fig.add_subplot(grid[1, 2])
        self._make_boundary()
        self._make_network()
        self._make_loss()
        self._make_histograms()
        # The settings line: drawn in the boundary axes under its image, so that it sits in
        # the cached background (a figure-level text after the axes would be redrawn, or
        # checked for overlaps, on every frame); the suptitle only reserves its room in
        # the layout and is emptied by :meth:`freeze_layout`.
        self._room = fig.suptitle("settings", fontsize=10)
        self.title = self.ax_boundary.text(
            0.5, 0.995, "", transform=fig.transFigure, ha="center", va="top", fontsize=10
        )
        self.title.set(zorder=0.5, clip_on=False, in_layout=False)
        self.layout = None  # (layer sizes, data id) the static parts were drawn for
        self.edge_values = []  # per layer: the values the edges were drawn from
        self.changing = [
            self.image,
            *self.points,
            self.nodes,
            self.bars,
            *self.edges.values(),
            *self.wide_texts,
            self.loss_line,
            self.loss_now,
            *self.act_stairs,
            *self.grad_stairs,
        ]

    # -- the panels, made once ----------------------------------------------------------
    def _make_boundary(self):
        ax = self.ax_boundary
        self.image = ax.imshow(
            np.ones((2, 2, 3)),
            origin="lower",
            extent=(-1, 1, -1, 1),
            interpolation="bilinear",
            zorder=0.6,
        )
        ax.set_axisbelow(True)  # the (empty) axes under the image: in the cached background
        self.points = [
            ax.plot([], [], ls="none", marker=m, ms=3.2, mew=0, color=c, label=f"_class {k}")[0]
            for k, (m, c) in enumerate(zip(_CLASS_MARKERS, _CLASS_COLORS))
        ]
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        ax.set_aspect("equal")
        ax.set_title("decision boundary", fontsize=10).set_zorder(0.55)  # in the background

    def _make_network(self):
        ax = self.ax_net
        (self.nodes,) = ax.plot([], [], "o", ms=6, mfc="white", mec="k", ls="none", zorder=3)
        self.bars = LineCollection([], colors="k", linewidths=7, zorder=3)
        ax.add_collection(self.bars)
        self.edges = {}  # one collection per sign, every layer's edges in it
        for sign, (color, style, _) in EDGE_STYLES.items():
            self.edges[sign] = LineCollection([], colors=color, linestyles=style, zorder=2)
            ax.add_collection(self.edges[sign])
        self.wide_texts = [
            ax.text(0, 0, "", ha="center", va="bottom", fontsize=8) for _ in range(MAX_LAYERS)
        ]
        self.layer_labels = [
            ax.text(0, -1.28, "", ha="center", va="top", fontsize=8, zorder=1)
            for _ in range(MAX_LAYERS + 1)
        ]
        handles = [
            Line2D([], [], color=c, ls=s, lw=2, label=lab) for c, s, lab in EDGE_STYLES.values()
        ]
        legend = ax.legend(handles=handles, loc="upper center", fontsize=8, ncols=3)
        legend.set_zorder(1)  # under the edges: it stays in the cached background
        ax.set_ylim(-1.45, 1.5)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(" ", fontsize=10).set_zorder(1)  # under the edges: in the background

    def _make_loss(self):
        ax = self.ax_loss
        (self.loss_line,) = ax.plot(
            [], [], "-", color=PALETTE["blue"], lw=1.5, label="loss", zorder=2.6
        )
        (self.loss_now,) = ax.plot([], [], "o", color=PALETTE["blue"], ms=4, zorder=2.6)
        self.chance = ax.axhline(
            math.log(2), color="k", ls=":", lw=1, label="ln 2 = 0.693", zorder=1.55
        )
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(log_tick_formatter())
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("step")
        integer_ticks(ax.xaxis)
        self.loss_legend = ax.legend(loc="lower left", fontsize=8)
        self.loss_legend.set_zorder(1.6)
        ax.set_title(" ", fontsize=10).set_zorder(1.7)  # under the line: in the background

    def _make_histograms(self):
        ticks = [-12, -8, -4, 0, 4]
        labels = ["≤1e-12", "1e-8", "1e-4", "1", "≥1e4"]
        self.act_stairs, self.grad_stairs = [], []
        for ax, stairs, title, color in [
            (self.ax_act, self.act_stairs, "activations |h| per layer", PALETTE["green"]),
            (
                self.ax_grad,
                self.grad_stairs,
                "weight gradients |dL/dW| per layer",
                PALETTE["orange"],
            ),
        ]:
            for _ in range(MAX_LAYERS):
                stairs.append(
                    ax.stairs(
                        np.zeros(len(HIST_EDGES) - 1),
                        HIST_EDGES,
                        baseline=0.0,
                        fill=True,
                        color=color,
                        alpha=0.8,
                        zorder=2.6,  # over the spines (2.5): those stay in the background
                    )
                )
            ax.set_xlim(HIST_EDGES[0], HIST_EDGES[-1])
            ax.set_xticks(ticks, labels)
            ax.set_xlabel("magnitude (log scale)")
            ax.set_title(title, fontsize=10).set_zorder(1.9)  # under the bars: in the background
            ax.grid(False)

    def freeze_layout(self) -> None:
        """Run the layout engine once, with the widest labels any frame shows, and keep it.

        The loss axis is laid out at its widest limits (1e-6 to 1e6, where :meth:`update`
        clamps it), so that no later frame's tick labels are clipped at the left.
        """
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        saved = self.ax_loss.get_ylim()
        self.ax_loss.set_ylim(1e-6, 1e6)
        # the canvas the figure has (the playground's glyph canvas), else a plain Agg one
        canvas = self.figure.canvas
        (canvas if isinstance(canvas, FigureCanvasAgg) else FigureCanvasAgg(self.figure)).draw()
        self.figure.set_layout_engine("none")
        self._room.set_text("")
        self.ax_loss.set_ylim(*saved)

    # -- drawing a frame -----------------------------------------------------------------
    def _lay_out(self, frame) -> None:
        """The parts that change only with the data or the architecture."""
        s = frame.state
        sizes = s.net.layer_sizes
        key = (tuple(sizes), id(s.X))
        if key == self.layout:
            return
        self.layout = key
        x0, x1, y0, y1 = frame.grid_x[0], frame.grid_x[-1], frame.grid_y[0], frame.grid_y[-1]
        self.image.set_extent((x0, x1, y0, y1))
        self.ax_boundary.set_xlim(x0, x1)
        self.ax_boundary.set_ylim(y0, y1)
        for k, pts in enumerate(self.points):
            mine = s.y == k
            pts.set_data(s.X[mine, 0], s.X[mine, 1])
            pts.set_label(f"_class {k}")  # told apart by marker and colour, no legend
        # network: one column per layer; a wide layer is a bar
        self.node_xy = [
            np.column_stack([np.full(n, i), _node_y(n)]) if n <= WIDE_LAYER else None
            for i, n in enumerate(sizes)
        ]
        dots = [xy for xy in self.node_xy if xy is not None]
        nodes = np.concatenate(dots) if dots else np.zeros((0, 2))
        self.nodes.set_data(nodes[:, 0], nodes[:, 1])
        self.bars.set_segments(
            [[(i, -1.0), (i, 1.0)] for i, n in enumerate(sizes) if n > WIDE_LAYER]
        )
        self.ax_net.set_xlim(-0.4, len(sizes) - 0.6)
        names = ["input", *[f"hidden {i}" for i in range(1, len(sizes) - 1)], "output"]
        for i, label in enumerate(self.layer_labels):
            label.set_text(f"{names[i]}\n{sizes[i]} units" if i < len(sizes) else "")
            label.set_position((i, -1.28))
        # histograms: one row per weight layer
        L = len(sizes) - 1
        rows = [*[f"hidden {i}" for i in range(1, L)], "output"]
        for ax in (self.ax_act, self.ax_grad):
            ax.set_ylim(0.5, L + 0.95)
            ax.set_yticks(
                np.arange(1, L + 1),
                rows if ax is self.ax_act else [f"W{i}" for i in range(1, L + 1)],
            )
        k = s.n_classes
        self.chance.set_ydata([math.log(k)] * 2)
        self.chance.set_label(f"ln {k} = {math.log(k):.3f}")
        self.loss_legend.remove()
        self.loss_legend = self.ax_loss.legend(loc="lower left", fontsize=8)
        self.loss_legend.set_zorder(1.6)

    def _draw_edges(self, values: list, what: str) -> None:
        """Every edge by the sign of its value, as wide as |value| / the network's largest."""
        finite = [np.abs(v[np.isfinite(v)]) for v in values]
        vmax = max((float(f.max()) for f in finite if f.size), default=0.0)
        self.vmax = vmax
        self.edge_values = [np.array(v) for v in values]
        usable = vmax > 0 and np.isfinite(vmax)

        def width(mag):
            if not usable:
                return np.full(np.shape(mag), _MIN_WIDTH)
            return _MIN_WIDTH + (_MAX_WIDTH - _MIN_WIDTH) * np.nan_to_num(mag / vmax, nan=1.0)

        segments = {sign: [] for sign in self.edges}
        widths = {sign: [] for sign in self.edges}
        for i, text in enumerate(self.wide_texts):
            text.set_text("")
            if i >= len(values):
                continue
            v = values[i]
            signs = {"+": v > 0, "-": v < 0, "0": v == 0}
            a, b = self.node_xy[i], self.node_xy[i + 1]
            if a is not None and b is not None:  # every edge
                ii, jj = np.nonzero(np.ones(v.shape, dtype=bool))
                for sign, mask in signs.items():
                    flat = mask.ravel()
                    segments[sign].append(np.stack([a[ii[flat]], b[jj[flat]]], axis=1))
                    widths[sign].append(width(np.abs(v.ravel()[flat])))
                continue
            # a per-layer summary: one edge per sign, as wide as its mean |value|
            for k, (sign, mask) in enumerate(signs.items()):
                if mask.any():
                    y = 0.5 - 0.5 * k
                    segments[sign].append(np.array([[(i, y), (i + 1, y)]], dtype=float))
                    widths[sign].append(width(np.array([np.abs(v[mask]).mean()])))
            pos, neg = signs["+"].mean(), signs["-"].mean()
            text.set_text(f"{pos:.0%} +\n{neg:.0%} -")
            text.set_position((i + 0.5, 0.72))
        for sign, coll in self.edges.items():
            segs = segments[sign]
            coll.set_segments(np.concatenate(segs) if segs else np.zeros((0, 2, 2)))
            coll.set_linewidths(np.concatenate(widths[sign]) if segs else [_MIN_WIDTH])

    def update(self, frame, *, edges: str = "weight") -> None:
        """Draw ``frame`` (a PlaygroundFrame); ``edges``: "weight" or "gradient"."""
        if edges not in ("weight", "gradient"):
            raise ValueError(f"edges must be 'weight' or 'gradient'; received {edges!r}")
        self._lay_out(frame)
        s = frame.state
        self.image.set_data(boundary_rgb(frame.probabilities))
        values = frame.weights if edges == "weight" else frame.weight_grads
        self._draw_edges(values, "w" if edges == "weight" else "dL/dW")
        # the loss per step (at most about 2000 points drawn)
        losses = np.asarray(s.losses, dtype=float)
        stride = max(1, len(losses) // 2000)
        steps = np.arange(len(losses))[::stride]
        shown = losses[::stride]
        keep = np.isfinite(shown) & (shown > 0)
        self.loss_line.set_data(steps[keep], shown[keep])
        last = losses[-1]
        ok = math.isfinite(last) and last > 0
        self.loss_now.set_data([len(losses) - 1] if ok else [], [last] if ok else [])
        xmax = 50
        while xmax < len(losses) - 1:
            xmax *= 2
        self.ax_loss.set_xlim(0, xmax)
        finite = losses[np.isfinite(losses) & (losses > 0)]
        lo = min(float(finite.min()) if finite.size else 1.0, frame.chance_loss)
        hi = max(float(finite.max()) if finite.size else 1.0, frame.chance_loss)
        self.ax_loss.set_ylim(
            10.0 ** max(-6, math.floor(math.log10(lo))),
            10.0 ** min(6, math.ceil(math.log10(hi * 1.01))),
        )
        # static (so in the cached background) until the run stops: the step and the loss
        # are the dot, and the summary line above the figure
        title = f"stopped: {s.stopped}" if s.stopped else "full-batch loss per step"
        if self.ax_loss.get_title() != title:
            self.ax_loss.set_title(title, fontsize=10)
        name = "|w|" if edges == "weight" else "|dL/dW|"
        wide = max(frame.state.net.layer_sizes) > WIDE_LAYER
        title = f"edge width ∝ {name}" + (
            f" (a layer over {WIDE_LAYER} wide: one edge per sign, mean {name})" if wide else ""
        )
        if self.ax_net.get_title() != title:  # static: in the cached background
            self.ax_net.set_title(title, fontsize=10)
        # the histograms, one row per layer (each row's tallest bin 0.85 high)
        grads = frame.weight_grads
        for stairs, arrays in [(self.act_stairs, frame.activations), (self.grad_stairs, grads)]:
            for i, st in enumerate(stairs):
                if i < len(arrays):
                    h = log_magnitude_histogram(arrays[i])
                    top = h.max()
                    st.set_data(i + 1 + 0.85 * h / (top if top > 0 else 1.0), HIST_EDGES, i + 1)
                    st.set_visible(True)
                else:
                    st.set_visible(False)
        from ..playground import settings_text

        self.title.set_text(settings_text(s.config))  # static: changes with the settings


def plot_playground_filmstrip(frames: dict, *, edges: str = "weight"):
    """Rows of frames, one row per run: the decision boundary and the network at each step.

    ``frames``: ``{row label: [PlaygroundFrame, ...]}`` (the same steps in every row, as
    :func:`course_utils.playground.filmstrip_frames` makes them). Every edge is drawn
    (solid positive, dashed negative, dotted zero), as wide as its |weight| (``edges=
    "gradient"``: |dL/dW|) over the largest of that frame. Returns the figure.
    """
    if edges not in ("weight", "gradient"):
        raise ValueError(f"edges must be 'weight' or 'gradient'; received {edges!r}")
    rows = list(frames)
    n_cols = max(len(f) for f in frames.values())

    def pick(frame):
        return frame.weights if edges == "weight" else frame.weight_grads

    vmax = max(  # one scale for the whole figure: the sizes compare across runs
        float(np.abs(v[np.isfinite(v)]).max(initial=0.0))
        for f in frames.values()
        for fr in f
        for v in pick(fr)
    )
    fig = plt.figure(figsize=(max(3.3 * n_cols, 7.6), 1.7 * len(rows) + 0.4), layout=None)
    grid = fig.add_gridspec(
        len(rows),
        2 * n_cols,
        width_ratios=[1, 1.3] * n_cols,
        left=0.09,
        right=0.99,
        bottom=0.06,
        top=1 - 0.45 / fig.get_figheight(),
        wspace=0.08,
        hspace=0.35,
    )
    for r, label in enumerate(rows):
        for c, frame in enumerate(frames[label]):
            ax_b, ax_n = fig.add_subplot(grid[r, 2 * c]), fig.add_subplot(grid[r, 2 * c + 1])
            s = frame.state
            x0, x1, y0, y1 = frame.grid_x[0], frame.grid_x[-1], frame.grid_y[0], frame.grid_y[-1]
            ax_b.imshow(boundary_rgb(frame.probabilities), origin="lower", extent=(x0, x1, y0, y1))
            for k in range(s.n_classes):
                pts = s.X[s.y == k]
                ax_b.plot(
                    pts[:, 0],
                    pts[:, 1],
                    ls="none",
                    marker=_CLASS_MARKERS[k],
                    ms=2,
                    mew=0,
                    color=_CLASS_COLORS[k],
                )
            ax_b.set_xticks([])
            ax_b.set_yticks([])
            ax_b.grid(False)
            ax_b.set_title(f"step {s.step}: loss {s.losses[-1]:.2g}", fontsize=8)
            if c == 0:
                ax_b.set_ylabel(label, fontsize=8)
            _static_network(ax_n, pick(frame), vmax)
    return fig


def _static_network(ax, values, vmax: float) -> None:
    """The network's edges on ``ax`` once (the filmstrip): width ∝ sqrt(|value| / vmax)."""
    sizes = [v.shape[0] for v in values] + [values[-1].shape[1]]
    cols = [np.column_stack([np.full(n, i), _node_y(n)]) for i, n in enumerate(sizes)]
    for sign, (color, style, _) in EDGE_STYLES.items():
        segs, mags = [], []
        for i, v in enumerate(values):
            mask = {"+": v > 0, "-": v < 0, "0": v == 0}[sign]
            ii, jj = np.nonzero(mask)
            segs.append(np.stack([cols[i][ii], cols[i + 1][jj]], axis=1))
            mags.append(np.abs(v[mask]))
        mag = np.concatenate(mags)
        widths = _MIN_WIDTH + (_MAX_WIDTH - _MIN_WIDTH) * np.sqrt(mag / vmax if vmax > 0 else mag)
        coll = LineCollection(
            np.concatenate(segs), colors=color, linestyles=style, linewidths=widths
        )
        ax.add_collection(coll, autolim=False)
    nodes = np.concatenate(cols)
    ax.plot(nodes[:, 0], nodes[:, 1], "o", ms=3, mfc="white", mec="k", mew=0.6, zorder=3)
    ax.set_xlim(-0.3, len(sizes) - 0.7)
    ax.set_ylim(-1.15, 1.15)
    ax.set_axis_off()
