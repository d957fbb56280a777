"""Every figure of the course, in one style.

Each plotting function takes ``ax=None`` (a new figure is made when it is None) and
returns the Axes it drew on. Titles state the finding; axes carry labels; values that
span orders of magnitude go on log scales; non-finite values are left out, not drawn.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

#: Okabe & Ito's colour-blind-safe palette (2008), "Color Universal Design".
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: One colour per initializer, the same in every notebook.
INIT_COLORS = {
    "zeros": PALETTE["black"],
    "small": PALETTE["sky"],
    "normal": PALETTE["vermillion"],
    "standard_uniform": PALETTE["purple"],
    "lecun_normal": PALETTE["yellow"],
    "xavier_normal": PALETTE["blue"],
    "xavier_uniform": PALETTE["blue"],
    "he_normal": PALETTE["green"],
    "he_uniform": PALETTE["green"],
    "orthogonal": PALETTE["orange"],
    "N(0,0.01)": PALETTE["sky"],  # the labels notebooks 04 and 05 use for "small", "normal"
    "N(0,1)": PALETTE["vermillion"],
    "N(0, 0.01^2)": PALETTE["sky"],  # the same, as legends write them (std 0.01, std 1)
    "N(0, 1)": PALETTE["vermillion"],
}

_CYCLE = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple")]
#: Line styles of the series of one plot, so that colour is never the only cue.
_LINESTYLES = ("-", "--", "-.", (0, (1, 1)))


def use_course_style() -> None:
    """Apply the course's plot style (colour-blind-safe palette, modest size and dpi).

    Call once in each notebook's set-up cell. Figures are 6.4 x 3.6 inches at 80 dpi, so
    stored notebooks stay small enough to review.
    """
    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 3.6),
            "figure.dpi": 80,
            "savefig.dpi": 80,
            "figure.constrained_layout.use": True,
            "axes.prop_cycle": mpl.cycler(color=_CYCLE),
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "legend.frameon": False,
            "lines.linewidth": 1.8,
            "image.cmap": "viridis",
            "svg.hashsalt": "course",  # deterministic SVG ids
        }
    )


def color_for(name: str, default: str | None = None) -> str:
    """The course colour of an initializer name (falls back to ``default`` or black)."""
    return INIT_COLORS.get(name, default or PALETTE["black"])


def get_ax(ax=None, **subplot_kw):
    """Return ``ax``, or the Axes of a new figure when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(**subplot_kw)
    return ax


def finite(x, y, *, positive: bool = False):
    """Keep only the points where both ``x`` and ``y`` are finite (and y > 0 if ``positive``).

    Use ``positive=True`` before a log axis, where zeros and negatives cannot be drawn.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(x) & np.isfinite(y)
        if positive:
            keep &= y > 0
    return x[keep], y[keep]


_SUPERSCRIPT = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def superscript(n: int) -> str:
    """An integer in Unicode superscript digits (``superscript(-6)`` is '⁻⁶').

    Plain text draws much faster than mathtext, which matters in explorers redrawn on
    every slider move.
    """
    return str(int(n)).translate(_SUPERSCRIPT)


def integer_ticks(axis) -> None:
    """Put tick marks on whole numbers only, for an axis that counts layers, steps or epochs."""
    from matplotlib.ticker import MaxNLocator

    # the steps of matplotlib's default AutoLocator: 0, 10, ..., 50 rather than 0, 6, ..., 48
    axis.set_major_locator(MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True))


def log_tick_formatter():
    """Tick labels 10⁻⁶ ... 10⁶ for a log axis, in plain text (no mathtext to parse)."""
    from matplotlib.ticker import FuncFormatter

    def fmt(value, _pos):
        if not np.isfinite(value) or value <= 0:
            return ""
        exponent = np.log10(value)
        if abs(exponent - round(exponent)) > 1e-9:
            return ""
        return f"10{superscript(round(exponent))}"

    return FuncFormatter(fmt)


def plot_compounding(factors, depth: int = 50, *, band=(0.5, 2.0), ax=None):
    """Plot ``factor ** k`` for k = 0..depth on a log scale, one line per factor.

    The shaded band is where a signal is still usable; the title states how far the
    factors end from 1. Introduced in notebooks 00 and 01.
    """
    ax = get_ax(ax)
    k = np.arange(depth + 1)
    factors = np.atleast_1d(np.asarray(factors, dtype=float))
    for i, f in enumerate(factors):
        ls = _LINESTYLES[i % len(_LINESTYLES)]
        ax.plot(k, f**k, ls=ls, label=f"{f:g}$^k$ → {f**depth:.3g} at k={depth}")
    if band is not None:
        ax.axhspan(*band, color=PALETTE["green"], alpha=0.12, lw=0, label=f"band {band}")
    ax.set_yscale("log")
    ax.set_xlabel("depth k (number of factors multiplied)")
    ax.set_ylabel("product (log scale)")
    ax.set_xlim(0, depth)
    integer_ticks(ax.xaxis)
    ends = ", ".join(f"{f**depth:.3g}" for f in factors)
    ends = ("the products end at " if len(factors) > 1 else "the product ends at ") + ends
    ax.set_title(f"After {depth} factors {ends}")
    ax.legend(loc="upper left")
    return ax


# --- notebook 01: the matrix chain and the symmetric hidden layer ----------------------
def plot_chain_norms(results, *, labels=None, ax=None):
    """Plot ``|x|`` after each step of matrix chains (:func:`course_utils.matrix_chain`).

    Log scale; only finite, positive norms are drawn. A chain that overflowed ends with an
    upward triangle at its last finite step, one that underflowed to exactly 0 with a
    downward triangle; the legend says at which step. Introduced in notebook 01.

    Parameters
    ----------
    results : sequence of ChainResult
    labels : sequence of str, optional
        One per result (default: the weights' std).
    ax : matplotlib Axes, optional
    """
    ax = get_ax(ax)
    labels = labels or [f"std {r.std:.3g}" for r in results]
    for i, (r, label, color) in enumerate(zip(results, labels, _CYCLE)):
        ls = _LINESTYLES[i % len(_LINESTYLES)]
        steps = np.arange(len(r.norms))
        keep = np.isfinite(r.norms) & (r.norms > 0)
        if r.overflow_step is not None:
            label += f": overflowed at step {r.overflow_step}"
        elif r.underflow_step is not None:
            label += f": exactly 0 from step {r.underflow_step}"
        ax.plot(steps[keep], r.norms[keep], color=color, ls=ls, label=label)
        last = steps[keep][-1]
        if r.overflow_step is not None:
            ax.plot([last], [r.norms[last]], "^", color=color, ms=8)
        elif r.underflow_step is not None:
            ax.plot([last], [r.norms[last]], "v", color=color, ms=8)
    ax.set_yscale("log")
    ax.set_xlabel("step k (number of matrices applied)")
    ax.set_ylabel("|x| after k steps (log scale)")
    ax.set_xlim(0, max(len(r.norms) - 1 for r in results))
    integer_ticks(ax.xaxis)
    ax.legend(loc="best")
    return ax


def plot_weight_matrices(matrices, *, axes=None):
    """Show weight matrices ``(fan_in, fan_out)`` side by side, one column per hidden unit.

    Each panel has its own symmetric colour scale (``[-max|W|, max|W|]``; an all-zero
    matrix is drawn at the middle colour). Identical hidden units show up as identical
    columns. Introduced in notebook 01 (zero and constant init).

    Parameters
    ----------
    matrices : dict of str -> ndarray of shape (fan_in, fan_out)
        Panel title -> matrix.
    axes : sequence of matplotlib Axes, optional
        One per matrix; a new row of panels is made when None.

    Returns
    -------
    list of Axes
    """
    if axes is None:
        _, axes = plt.subplots(1, len(matrices), figsize=(2.6 * len(matrices), 3.4))
    axes = list(np.atleast_1d(axes))
    for ax, (title, w) in zip(axes, matrices.items()):
        w = np.asarray(w, dtype=float)
        vmax = float(np.max(np.abs(w))) or 1.0
        ax.imshow(w, cmap="PuOr", vmin=-vmax, vmax=vmax, aspect="auto", interpolation="nearest")
        ax.set_title(title)
        ax.set_xlabel("hidden unit")
        integer_ticks(ax.xaxis)
        integer_ticks(ax.yaxis)
        ax.grid(False)
    axes[0].set_ylabel("input")
    return axes


# --- notebook 04: a network at initialization, layer by layer --------------------------
def plot_layer_histograms(
    values_by_layer, *, axes=None, bins: int = 41, value_range=None, color=None, label=None
):
    """Small multiples: one density histogram per layer, on shared axes.

    Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward
    neural networks", figs 6-7, as small multiples: with a shared x axis a shrinking
    spread is seen at a glance. Each panel's title gives the layer and its std.
    Introduced in notebook 04.

    Parameters
    ----------
    values_by_layer : sequence of ndarray
        The values of layer 1, 2, ... (any shape; non-finite values are left out).
    axes : sequence of matplotlib Axes, optional
        One per layer (e.g. a row of ``plt.subplots(rows, n, sharex=True, sharey=True)``);
        a new row of panels is made when None.
    bins : int
    value_range : (float, float), optional
        The histogram range; default: +- the largest 4 std over the layers.
    color : str, optional
    label : str, optional
        Written as the y label of the first panel (e.g. the initializer's name).

    Returns
    -------
    list of Axes
    """
    values = [np.ravel(np.asarray(v, dtype=float)) for v in values_by_layer]
    values = [v[np.isfinite(v)] for v in values]
    if axes is None:
        _, axes = plt.subplots(
            1, len(values), sharex=True, sharey=True, figsize=(1.8 * len(values), 2.2)
        )
    axes = list(np.atleast_1d(axes))
    if value_range is None:
        half = max((4 * v.std() for v in values if v.size), default=1.0) or 1.0
        value_range = (-half, half)
    for k, (ax, v) in enumerate(zip(axes, values), 1):
        lo, hi = value_range
        if np.any((v >= lo) & (v <= hi)):  # else its density is 0/0: no bars, no warning
            ax.hist(v, bins=bins, range=value_range, density=True, color=color, alpha=0.8)
        ax.set_title(f"layer {k}: std {v.std():.3g}" if v.size else f"layer {k}: overflow")
        ax.set_yticks([])
        ax.grid(False)
    if label:
        axes[0].set_ylabel(label)
    return axes


def plot_std_per_layer(
    result, quantity: str = "activation", *, ax=None, color=None, label=None, marker=None
):
    """Measured std per layer as points, the mean-field prediction as a line, on a log axis.

    ``result`` is what :func:`course_utils.widgets.compute_propagation` returns (any object
    with ``layers``, ``activation_std``, ``gradient_std`` and ``predicted`` holding the
    same two std arrays will do). Overflowed or zero values are left out. The colour
    defaults to ``result.color`` (the course colour of its initializer). Introduced in
    notebook 04.

    Parameters
    ----------
    result : PropagationResult
    quantity : {"activation", "gradient"}
        The std of h_l or of dL/dh_l.
    ax : matplotlib Axes, optional
    color, label : str, optional
    marker : str, optional
        Of the measured points; default circles for activations, squares for gradients
        (as in the propagation explorer), so that the two differ by more than colour.

    Returns
    -------
    Axes
    """
    if quantity not in ("activation", "gradient"):
        raise ValueError(f"quantity must be 'activation' or 'gradient'; received {quantity!r}")
    ax = get_ax(ax)
    color = color or getattr(result, "color", None)
    measured = getattr(result, f"{quantity}_std")
    theory = getattr(result.predicted, f"{quantity}_std")
    ax.plot(*finite(result.layers, theory, positive=True), "-", color=color, lw=1.2)
    marker = marker or ("o" if quantity == "activation" else "s")
    points = finite(result.layers, measured, positive=True)
    ax.plot(*points, ls="none", marker=marker, ms=3, color=color, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("hidden layer l")
    integer_ticks(ax.xaxis)
    ax.set_ylabel(f"std of {'h' if quantity == 'activation' else 'dL/dh'} (log scale)")
    return ax


# --- notebook 05: training from each init -------------------------------------------------
_MARKERS = ("o", "s", "^", "D", "v", "P")


def _loss_points(history) -> tuple[np.ndarray, np.ndarray]:
    """Epochs 0..E and the loss at each (epoch 0: before training), from a History or a list."""
    initial = getattr(history, "initial_loss", None)
    losses = list(getattr(history, "loss", history))
    values = np.array(([initial] if initial is not None else []) + losses, dtype=float)
    start = 0 if initial is not None else 1
    return np.arange(start, start + len(values)), values


def plot_loss_curves(histories, *, ax=None, reference=None, reference_label=None, key="loss"):
    """Training loss per epoch, one line per run, on a log axis; diverged runs marked.

    Epoch 0 is the loss before the first update (``history.initial_loss``). A run whose
    loss became inf or nan ends with a cross at its last finite epoch, and its legend
    entry says in which epoch it diverged. Runs are drawn from the widest line to the
    thinnest, each with its own marker, so that runs with equal losses stay visible.
    Introduced in notebook 05.

    Parameters
    ----------
    histories : dict of str -> History
        Label (an initializer name or label, which picks the course colour) -> history.
    ax : matplotlib Axes, optional
    reference : float, optional
        A horizontal reference line, e.g. ``ln 10`` for ten classes.
    reference_label : str, optional
    key : {"loss", "val_loss"}
        Which curve to draw (``val_loss`` has no epoch 0).

    Returns
    -------
    Axes
    """
    ax = get_ax(ax)
    n = len(histories)
    for k, (label, hist) in enumerate(histories.items()):
        if key == "loss":
            epochs, values = _loss_points(hist)
        else:
            values = np.asarray(getattr(hist, key), dtype=float)
            epochs = np.arange(1, len(values) + 1)
        color = color_for(label, default=None)
        diverged = getattr(hist, "diverged_at", None)
        text = f"{label}: diverged in epoch {diverged}" if diverged else label
        x, y = finite(epochs, values, positive=True)
        # earlier runs drawn wider and with other markers, so that equal curves stay visible
        ax.plot(
            x,
            y,
            "-",
            marker=_MARKERS[k % len(_MARKERS)],
            ms=4,
            lw=1.2 + 1.6 * (n - 1 - k) / max(n - 1, 1),
            color=color,
            label=text,
        )
        if diverged and len(x):
            ax.plot([x[-1]], [y[-1]], "x", ms=10, mew=2.5, color=color)
    if reference is not None:
        ax.axhline(reference, color=PALETTE["black"], lw=1, ls=":", label=reference_label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    integer_ticks(ax.xaxis)
    ax.set_ylabel(f"{'training' if key == 'loss' else 'validation'} loss (log scale)")
    ax.legend(loc="best")
    return ax


def plot_seed_band(runs, *, ax=None, color=None, label=None, epochs=None):
    """The spread of several seeds: a band from the lowest to the highest run, the median on top.

    Introduced in notebook 05 (He et al. 2015, fig. 3, in miniature), so that a claim
    rests on several runs rather than one lucky seed.

    Parameters
    ----------
    runs : array-like of shape (n_seeds, n_points)
        One row per seed (e.g. the loss at epochs 0..E).
    epochs : array-like of shape (n_points,), optional
        The x values (default 0..n_points-1).

    Returns
    -------
    Axes
    """
    ax = get_ax(ax)
    runs = np.atleast_2d(np.asarray(runs, dtype=float))
    x = np.arange(runs.shape[1]) if epochs is None else np.asarray(epochs)
    color = color or color_for(label or "", default=None)
    ax.fill_between(x, runs.min(axis=0), runs.max(axis=0), color=color, alpha=0.25, lw=0)
    ax.plot(x, np.median(runs, axis=0), color=color, label=f"{label} ({len(runs)} seeds)")
    if np.all(np.mod(x, 1) == 0):  # epochs
        integer_ticks(ax.xaxis)
    return ax


def plot_update_ratios(ratios, *, ax=None, reference=1e-3):
    """Per-layer update:data ratio ``|update of W| / |W|``, one line per run, log axis.

    Zeros and non-finite ratios (weights that are all zero) are left out; a run with no
    finite ratio at all says so in the legend. The dotted line is the rule of thumb
    ``reference`` (1e-3). Introduced in notebook 05.

    Parameters
    ----------
    ratios : dict of str -> array of shape (n_layers,)
        Label -> ratio per layer (e.g. ``history.update_ratio[0]``, the first epoch).
    ax : matplotlib Axes, optional
    reference : float or None

    Returns
    -------
    Axes
    """
    ax = get_ax(ax)
    for k, (label, r) in enumerate(ratios.items()):
        r = np.asarray(r, dtype=float)
        layers = np.arange(1, len(r) + 1)
        x, y = finite(layers, r, positive=True)
        color = color_for(label, default=None)
        if len(x) == 0:
            label += " (no finite ratio)"
        ax.plot(x, y, "-", marker=_MARKERS[k % len(_MARKERS)], ms=3, color=color, label=label)
    if reference is not None:
        ax.axhline(reference, color=PALETTE["black"], lw=1, ls=":", label=f"{reference:g}")
    ax.set_yscale("log")
    ax.set_xlabel("layer l")
    integer_ticks(ax.xaxis)
    ax.set_ylabel("|update of W| / |W| (log scale)")
    ax.legend(loc="best")
    return ax


def plot_decision_boundary(net, X, y, *, ax=None, resolution: int = 150, margin: float = 0.3):
    """The class-1 probability of a two-class network over the plane, with the data on top.

    Blue for class 0, vermillion for class 1 (the course palette); the contour at 0.5 is
    the decision boundary. ``X`` is (n_samples, 2), ``y`` integer labels 0 or 1.
    Introduced in notebook 05 (the playground idea: a 2-D set shows what the net learned).

    Returns
    -------
    Axes
    """
    ax = get_ax(ax)
    X = np.asarray(X, dtype=float)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    gx, gy = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    grid = np.column_stack([a.ravel() for a in np.meshgrid(gx, gy)])
    with np.errstate(all="ignore"):
        logits = net.forward(grid)
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p = (p[:, 1] / p.sum(axis=1)).reshape(resolution, resolution)
    cmap = mpl.colors.LinearSegmentedColormap.from_list(
        "two_classes", [PALETTE["blue"], "#ffffff", PALETTE["vermillion"]]
    )
    ax.contourf(gx, gy, np.nan_to_num(p, nan=0.5), levels=np.linspace(0, 1, 11), cmap=cmap)
    colors = np.where(np.asarray(y) == 1, PALETTE["vermillion"], PALETTE["blue"])
    ax.scatter(X[:, 0], X[:, 1], c=colors, s=6, edgecolors="white", linewidths=0.3)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    return ax


# --- notebook 06: Jacobian spectra and the order-to-chaos phase diagram --------------------
def plot_log_singular_values(
    spectra, *, ax=None, floor: float = 1e-16, value_range=(-16.0, 2.0), bins: int = 72
):
    """Histograms of log10 of singular values, one outline per entry of ``spectra``.

    Dynamical isometry is a spike at 0 (every singular value 1). Values below ``floor``
    (zeros, and float64's round-off floor) are drawn at log10(floor), and the count of such
    values goes into the legend label. Introduced in notebook 06.

    Parameters
    ----------
    spectra : dict of str -> ndarray
        Label (an initializer name picks the course colour) -> singular values.
    ax : matplotlib Axes, optional
    floor : float, default 1e-16
    value_range : (float, float)
        The log10 range of the x axis.
    bins : int

    Returns
    -------
    Axes
    """
    ax = get_ax(ax)
    lo, hi = value_range
    step = (hi - lo) / bins
    edges = lo + step * (np.arange(bins + 2) - 0.5)  # bins centred on lo, lo + step, ...
    spare = [c for c in _CYCLE if c not in {INIT_COLORS.get(k) for k in spectra}]
    for i, (label, s) in enumerate(spectra.items()):
        s = np.asarray(s, dtype=float)
        n_floor = int(np.sum(s < floor))
        logs = np.log10(np.maximum(s, floor))
        text = label if n_floor == 0 else f"{label} ({n_floor} of {s.size} < {floor:.0e})"
        color = INIT_COLORS.get(label) or spare[i % len(spare)]
        ls = _LINESTYLES[i % len(_LINESTYLES)]
        ax.hist(logs, bins=edges, histtype="step", lw=1.6, ls=ls, color=color, label=text)
    ax.axvline(0.0, color="0.4", lw=0.8, ls=":")
    ax.set_xlabel("log10 singular value of J")
    ax.set_ylabel("count")
    ax.legend(loc="upper left")
    return ax


def plot_phase_diagram(diagram, *, ax=None, points=None, colorbar: bool = True):
    """chi_1 over (sigma_w^2, sigma_b^2) with the chi_1 = 1 line: ordered left, chaotic right.

    ``diagram`` is what :func:`course_utils.theory.phase_diagram` returns; ``points`` is
    an optional dict label -> (sigma_w2, sigma_b2) to mark; the grid's axes must be evenly
    spaced (drawn as an image). The colour is log2(chi_1), so
    halving and doubling per layer sit symmetric about the critical line. Notebook 06.
    """
    ax = get_ax(ax)
    with np.errstate(divide="ignore"):
        log_chi = np.log2(diagram.chi_1)
    lim = float(np.nanmax(np.abs(log_chi[np.isfinite(log_chi)])))
    w, b = diagram.sigma_w2, diagram.sigma_b2
    dw, db = (w[-1] - w[0]) / (w.size - 1) / 2, (b[-1] - b[0]) / (b.size - 1) / 2
    # an image (one cell per grid point, the axes evenly spaced) renders much faster than
    # a mesh, which matters in the explorer redrawn on every move
    mesh = ax.imshow(
        log_chi,
        origin="lower",
        aspect="auto",
        extent=(w[0] - dw, w[-1] + dw, b[0] - db, b[-1] + db),
        cmap="PuOr_r",
        vmin=-lim,
        vmax=lim,
        interpolation="nearest",
    )
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label="log2 chi_1")
    ax.plot(diagram.critical_sigma_w2, diagram.sigma_b2, color="k", lw=2, label="chi_1 = 1")
    for i, (label, (w2, b2)) in enumerate((points or {}).items()):
        ax.plot(w2, b2, "o", ms=7, mec="k", color=_CYCLE[(i + 1) % len(_CYCLE)], label=label)
    ax.text(0.04, 0.9, "ordered", transform=ax.transAxes, fontsize=10)
    ax.text(0.75, 0.1, "chaotic", transform=ax.transAxes, fontsize=10)
    ax.set_xlabel("sigma_w^2 = n Var(W)")
    ax.set_ylabel("sigma_b^2 = Var(b)")
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 0.55))
    return ax
