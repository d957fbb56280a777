"""The training explorer: train a small net on the digits from each init, with a Train button.

Notebook 05.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np

from .._validation import check_choice, check_positive_int
from ..activations import get_activation
from ..initializers import get_initializer
from ..network import MLP
from ..plots import PALETTE, finite, integer_ticks, log_tick_formatter
from .base import Explorer
from .limits import FiniteLogLocator, _log_limits

__all__ = [
    "TRAINING_INITS",
    "TRAINING_LRS",
    "LN10",
    "TrainingResult",
    "LOSS_BAND",
    "compute_training",
    "TrainingExplorer",
    "training_explorer",
]


#: The initializers the training explorer offers: label -> (initializer name, params).
TRAINING_INITS = {  # N(0, s^2) names the std s, as the notebooks' legends do
    "zeros": ("zeros", {}),
    "N(0, 0.01^2)": ("normal", {"std": 0.01}),
    "xavier_normal": ("xavier_normal", {}),
    "he_normal": ("he_normal", {}),
    "N(0, 1)": ("normal", {"std": 1.0}),
}


#: The learning rate the training explorer uses with each optimizer (momentum mu = 0.9).
TRAINING_LRS = {"sgd": 0.02, "momentum": 0.005, "adam": 0.001}


LN10 = math.log(10.0)


@functools.lru_cache(maxsize=1)
def _digits_split():
    """The digits split 3:1 (seed 0), pixels centred and scaled by one std of the training set.

    Read and split once per session (the gzipped CSV took a read on every Train press);
    the arrays are read-only, since every run shares them.
    """
    from ..datasets import load_digits, train_test_split

    X, y = load_digits()
    Xtr, Xte, ytr, yte = train_test_split(X, y, rng=0)
    mean, std = Xtr.mean(axis=0), Xtr.std()
    out = ((Xtr - mean) / std, (Xte - mean) / std, ytr, yte)
    for a in out:
        a.setflags(write=False)
    return out


@dataclass(frozen=True)
class TrainingResult:
    """A short training run of :func:`compute_training` and what it came to."""

    init: str
    depth: int
    activation: str
    optimizer: str
    lr: float
    epochs: int
    width: int
    history: object  # training.History
    test_accuracy: float
    verdict: str
    summary: str


#: A loss within this of ln 10 counts as "at ln 10"; a change below it as "not moving".
LOSS_BAND = 0.05


def _verdict(hist) -> str:
    """What the loss curve shows: diverged, stalled at ln 10, above it (falling or not), training.

    The curve is the loss before training, then after each epoch. Stalled: the last epoch
    ends within LOSS_BAND of ln 10 and moved less than LOSS_BAND. Above ln 10: worse than
    a uniform guess, falling if the last epoch lowered it. Otherwise the run is training
    (below ln 10, or passing ln 10 on its way down or up).
    """
    if hist.diverged_at is not None:
        return f"diverged in epoch {hist.diverged_at}"
    curve = [hist.initial_loss, *hist.loss]
    first, prev, last = curve[0], curve[-2], curve[-1]
    moves = f"loss {first:.4g} -> {last:.4g}"
    near, still = abs(last - LN10) <= LOSS_BAND, abs(last - prev) <= LOSS_BAND
    if near and still:
        return f"stalled at ln 10 = {LN10:.3f}: {moves}"
    if last > LN10 + LOSS_BAND:
        trend = "falling" if last < prev else "not falling"
        return f"above ln 10 = {LN10:.3f} and {trend}: {moves}"
    if near:
        trend = "falling" if last < prev else "rising"
        return f"{trend} through ln 10 = {LN10:.3f}: {moves}"
    return f"training: {moves}"


def _one_two_five(value, _pos=None) -> str:
    """Plain-text log-axis labels at 1, 2 and 5 times a power of ten (no mathtext per move)."""
    if not np.isfinite(value) or value <= 0:
        return ""
    mantissa = value / 10.0 ** math.floor(math.log10(value))
    return f"{value:g}" if any(abs(mantissa - m) < 1e-6 for m in (1, 2, 5)) else ""


def _lay_out_for_widest_labels(fig, axes_labels) -> None:
    """Run the figure's layout engine once with each y axis labelled by its widest label.

    ``axes_labels``: (axis, formatter, candidate values). The widest label is measured
    with the Agg renderer; every tick of that axis shows it for one draw (its limits set
    to a decade so that it has ticks), the layout engine places the axes, and the layout is
    frozen there; labels, limits and formatters are then put back as they were.
    """
    from .glyphs import GlyphCanvas

    canvas = GlyphCanvas(fig)  # the explorer's own canvas: the same text metrics
    renderer = canvas.get_renderer()
    saved = []
    for axis, formatter, values in axes_labels:
        fmt = formatter if callable(formatter) else formatter.__call__
        labels = [fmt(float(v), 0) for v in np.ravel(values)]
        probe = fig.text(0, 0, "", fontsize=axis.get_ticklabels()[0].get_fontsize())

        def width(label, probe=probe):
            probe.set_text(label)
            return probe.get_window_extent(renderer).width

        widest = max((lb for lb in labels if lb), key=width)
        probe.remove()
        lims = axis.axes.get_ylim()
        saved.append((axis, axis.get_major_formatter(), axis.get_minor_formatter(), lims))
        axis.set_major_formatter(mticker.FuncFormatter(lambda _v, _p, w=widest: w))
        axis.set_minor_formatter(mticker.NullFormatter())
        axis.axes.set_ylim(1.0, 10.0)
    canvas.draw()  # the layout engine measures the widest labels
    fig.set_layout_engine("none")
    for axis, major, minor, lims in saved:
        axis.set_major_formatter(major)
        axis.set_minor_formatter(minor)
        axis.axes.set_ylim(*lims)


def _settings(init, depth, activation, optimizer) -> str:
    return f"{init}, {depth} {activation} layers, {optimizer} (lr {TRAINING_LRS[optimizer]:g})"


def compute_training(
    init: str = "he_normal",
    depth: int = 10,
    activation: str = "relu",
    optimizer: str = "momentum",
    *,
    epochs: int = 5,
    width: int = 64,
    batch_size: int = 32,
    rng=0,
    callback=None,
) -> TrainingResult:
    """Pure compute of the training explorer: a short training run on the digits.

    An MLP ``[64] + [width] * (depth - 1) + [10]`` (``depth`` weight layers) is built
    with ``init`` (a key of :data:`TRAINING_INITS`) and trained for ``epochs`` epochs with
    ``optimizer`` at the learning rate of :data:`TRAINING_LRS`, on 3/4 of the digits
    (standardized), the rest held out for the test accuracy. ``callback(epoch, history)``
    is passed to :func:`course_utils.fit` (the explorer's progress bar). Introduced in
    notebook 05.
    """
    from ..training import OPTIMIZERS, fit

    if init not in TRAINING_INITS:
        raise ValueError(
            f"init must be one of {', '.join(map(repr, TRAINING_INITS))}; received {init!r}"
        )
    depth = check_positive_int("depth", depth)
    epochs = check_positive_int("epochs", epochs)
    width = check_positive_int("width", width)
    act = get_activation(activation)
    check_choice("optimizer", optimizer, OPTIMIZERS, what="optimizer")
    name, params = TRAINING_INITS[init]
    Xtr, Xte, ytr, yte = _digits_split()
    net = MLP(
        [Xtr.shape[1]] + [width] * (depth - 1) + [10],
        activation=act,
        init=get_initializer(name, **params),
        rng=rng,
    )
    lr = TRAINING_LRS[optimizer]
    hist = fit(
        net,
        Xtr,
        ytr,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        optimizer=optimizer,
        validation=(Xte, yte),
        rng=rng,
        callback=callback,
    )
    test_accuracy = hist.val_accuracy[-1] if hist.val_accuracy else float("nan")
    verdict = _verdict(hist)
    ran = len(hist.loss)
    summary = (
        f"{_settings(init, depth, act.name, optimizer)}, {ran} epoch{'s' * (ran != 1)}: "
        f"{verdict}; test accuracy {test_accuracy:.1%}"
    )
    return TrainingResult(
        init, depth, act.name, optimizer, lr, epochs, width, hist, test_accuracy, verdict, summary
    )


class TrainingExplorer(Explorer):
    """An explorer whose compute is a training run: a Train button runs it, not every control.

    Shaped like :class:`Explorer` (``compute``, ``draw``, ``figure``, ``output``,
    ``widget``, ``result``, ``refresh``, ``update``), with a Train button and an
    ``ipywidgets.IntProgress`` that counts epochs (through ``fit``'s callback). Moving a
    control only says, in the summary line and the figure's title, that the settings
    changed and the curves shown are the last run's (drawn faded); Train runs
    ``compute(**params, callback=...)``, then draws and prints the summary.

    Parameters
    ----------
    controls, compute, draw, figure
        As for :class:`Explorer`.
    draw_pending : callable
        ``draw_pending(params, has_run) -> str`` marks the figure as not trained for
        ``params`` yet (``has_run``: a previous run is still drawn) and returns the line
        to print.
    epochs : int
        The progress bar's maximum.
    """

    def __init__(
        self, *, controls, compute, draw, draw_pending, figure, epochs: int, changing=None
    ):
        import ipywidgets as widgets

        self.draw_pending = draw_pending
        self.epochs = epochs
        self.button = widgets.Button(description="Train", button_style="primary", icon="play")
        self.button.on_click(lambda _button: self.train())
        self.progress = widgets.IntProgress(
            value=0, min=0, max=epochs, description=f"epoch 0/{epochs}"
        )
        super().__init__(
            controls=controls, compute=compute, draw=draw, figure=figure, changing=changing
        )
        self.widget.children[0].layout.flex_flow = "row wrap"

    def _extra_rows(self) -> list:
        import ipywidgets as widgets

        return [widgets.HBox([self.button, self.progress])]

    def _progress(self, epoch: int, _history) -> None:
        self.progress.value = epoch
        self.progress.description = f"epoch {epoch}/{self.epochs}"

    def train(self):
        """Run the training for the current settings (what the Train button does)."""
        self._progress(0, None)
        self.button.disabled = True
        try:
            return self.update(callback=self._progress, epochs=self.epochs)
        finally:
            self.button.disabled = False

    def show_pending(self) -> str:
        """Say that the current settings are not trained yet; keep the last run faded."""
        text = self.draw_pending(self.params(), self.result is not None)
        self._show(text)
        return text

    def _on_change(self, _change) -> None:
        self.show_pending()


def training_explorer(
    init: str = "he_normal",
    depth: int = 10,
    activation: str = "relu",
    optimizer: str = "momentum",
    *,
    epochs: int = 5,
) -> TrainingExplorer:
    """Pick init, depth, activation and optimizer; press Train for a short run on the digits.

    Left: training and test loss per epoch (log scale) with ln 10, the loss of a network
    that has learned nothing. Right: the update:data ratio per layer in the last epoch,
    with the 1e-3 rule of thumb. A progress bar counts the epochs; nothing retrains when
    a control moves. Introduced in notebook 05.
    """
    import ipywidgets as widgets

    style = {"description_width": "initial"}
    controls = {
        "init": widgets.Dropdown(options=list(TRAINING_INITS), value=init, description="init"),
        "depth": widgets.IntSlider(
            value=depth, min=2, max=30, description="layers", continuous_update=False
        ),
        "activation": widgets.Dropdown(
            options=["relu", "tanh"], value=activation, description="activation"
        ),
        "optimizer": widgets.Dropdown(
            options=list(TRAINING_LRS), value=optimizer, description="optimizer"
        ),
    }
    for control in controls.values():
        control.style = style

    fig, (ax, ax_r) = plt.subplots(1, 2, figsize=(8.0, 3.2), layout="constrained")
    (train_line,) = ax.plot([], [], "-o", ms=3, color=PALETTE["blue"], label="training")
    (test_line,) = ax.plot([], [], "-s", ms=3, color=PALETTE["orange"], label="test")
    ax.axhline(LN10, color="k", lw=1, ls=":", label="ln 10")
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(FiniteLogLocator())
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(_one_two_five))
    ax.yaxis.set_minor_formatter(mticker.FuncFormatter(_one_two_five))
    ax.set_xlabel("epoch")
    integer_ticks(ax.xaxis)
    ax.set_ylabel("loss (log scale)")
    ax.legend(loc="lower left", fontsize=8)
    (ratio_line,) = ax_r.plot([], [], "-o", ms=3, color=PALETTE["green"])
    ax_r.axhline(1e-3, color="k", lw=1, ls=":", label="1e-3")
    ax_r.set_yscale("log")
    ax_r.yaxis.set_major_locator(FiniteLogLocator())
    ax_r.yaxis.set_major_formatter(log_tick_formatter())
    ax_r.yaxis.set_minor_formatter(mticker.NullFormatter())
    ax_r.set_xlabel("layer l")
    integer_ticks(ax_r.xaxis)
    ax_r.set_ylabel("|update| / |W|, last epoch")
    ax_r.legend(loc="lower left", fontsize=8)
    title = fig.suptitle("Press Train to train a network with these settings", fontsize=11)
    lines = (train_line, test_line, ratio_line)
    # The layout is frozen after the first display: lay it out once with the widest tick
    # labels either axis can show (the loss from 1e-6 to 1e+12, the ratio from 1e-12 to
    # 1e+3), so that no later run's labels (say 5e+08) are clipped at the left.
    _lay_out_for_widest_labels(
        fig,
        [
            (ax.yaxis, _one_two_five, 10.0 ** np.arange(-6, 13)[:, None] * [1, 2, 5]),
            (ax_r.yaxis, log_tick_formatter(), 10.0 ** np.arange(-12, 4)),
        ],
    )

    def draw(r: TrainingResult) -> None:
        h = r.history
        epochs_run = np.arange(len(h.loss) + 1)
        train_line.set_data(*finite(epochs_run, [h.initial_loss, *h.loss], positive=True))
        test_line.set_data(*finite(epochs_run[1:], h.val_loss, positive=True))
        ratio = h.update_ratio[-1] if len(h.update_ratio) else np.zeros(0)
        ratio_line.set_data(*finite(np.arange(1, len(ratio) + 1), ratio, positive=True))
        for line in lines:
            line.set_alpha(1.0)
        ax.set_xlim(-0.2, r.epochs + 0.2)
        losses = [h.initial_loss, *h.loss, *h.val_loss, LN10]
        ax.set_ylim(*_log_limits(losses))
        ax_r.set_xlim(0.5, r.depth + 0.5)
        ax_r.set_ylim(*_log_limits(ratio, 1e-3))
        title.set_text(f"{r.init}, {r.depth} {r.activation} layers, {r.optimizer}: {r.verdict}")

    def draw_pending(params: dict, has_run: bool) -> str:
        settings = _settings(**params)
        for line in lines:
            line.set_alpha(0.3)
        last = " (faded: the last run)" if has_run else ""
        title.set_text(f"{settings}: press Train{last}")
        return f"{settings}: not trained yet, press Train{last}."

    return TrainingExplorer(
        controls=controls,
        compute=compute_training,
        draw=draw,
        draw_pending=draw_pending,
        figure=fig,
        epochs=epochs,
        changing=[*lines, title],
    )
