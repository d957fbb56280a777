"""The playground's science: a small network trained step by step on a 2-D toy set.

What the playground shows (notebook 05; a first look in notebook 01): one of four 2-D data
sets, a small MLP drawn from one of deeplearning.ai's four presets (zero, too small,
appropriate, too large: Var(W) = {0, 0.01, 1, 100} / n_in, "Initializing neural networks")
or any initializer of the course, trained by full-batch steps. Everything here is pure:
:func:`start_playground` makes the state at step 0 from a :class:`PlaygroundConfig` (every
draw seeded), :func:`playground_frame` copies a state, takes its training steps and returns
the new state with what a frame draws (the class probabilities on a grid, every weight and
its gradient, each layer's activations and gradients), and :func:`with_config` carries a
state over to new settings. The widget (:mod:`course_utils.widgets.playground`) only draws.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, replace

import numpy as np

from ._validation import as_rng, check_choice, check_finite_number, check_positive_int
from .activations import ACTIVATIONS
from .datasets import make_blobs, make_circles, make_moons, make_spirals
from .initializers import INITIALIZERS, get_initializer, zeros
from .initializers.named import ALIASES
from .initializers.registry import _REQUIRED
from .losses import softmax, softmax_cross_entropy
from .network import MLP
from .training import OPTIMIZERS, get_optimizer, train_step

__all__ = [
    "PRESETS",
    "PLAYGROUND_DATASETS",
    "PLAYGROUND_INITS",
    "MAX_STEPS",
    "preset_initializer",
    "playground_data",
    "PlaygroundConfig",
    "PlaygroundState",
    "PlaygroundFrame",
    "start_playground",
    "with_config",
    "playground_frame",
    "filmstrip_frames",
]

#: deeplearning.ai's four presets ("Initializing neural networks"): n_in Var(W) of each,
#: drawn from N(0, scale / n_in) (zero: every weight exactly 0).
PRESETS = {"zero": 0.0, "too small": 0.01, "appropriate": 1.0, "too large": 100.0}

#: The data sets: name -> (generator, number of classes).
PLAYGROUND_DATASETS = {
    "spirals": (make_spirals, 2),
    "circles": (make_circles, 2),
    "moons": (make_moons, 2),
    "blobs": (make_blobs, 3),
}

#: Every initializer the playground offers: the four presets, then each initializer of the
#: course that needs no parameter (aliases left out).
PLAYGROUND_INITS = [
    *PRESETS,
    *(
        name
        for name in INITIALIZERS
        if name not in ALIASES and name not in _REQUIRED and name != "variance_scaling"
    ),
]

#: A run stops here and says so (every loop is capped).
MAX_STEPS = 20_000


def preset_initializer(name: str):
    """The initializer of one of :data:`PRESETS`: ``init(fan_in, fan_out, *, rng)``.

    Draws N(0, s / fan_in) with s = PRESETS[name]; "zero" gives exactly 0.
    """
    check_choice("preset", name, PRESETS, what="preset")
    scale = PRESETS[name]
    if scale == 0.0:
        return zeros
    std_times_root_n = math.sqrt(scale)

    def init(fan_in: int, fan_out: int, *, rng=None) -> np.ndarray:
        return as_rng(rng).normal(0.0, std_times_root_n / math.sqrt(fan_in), size=(fan_in, fan_out))

    init.__name__ = f"preset {name!r}: N(0, {scale:g}/n_in)"
    return init


def _initializer(name: str):
    check_choice("init", name, PLAYGROUND_INITS, what="initializer")
    return preset_initializer(name) if name in PRESETS else get_initializer(name)


def playground_data(dataset: str, n_points: int, noise: float, *, rng=None):
    """``(X, y, n_classes)``: ``n_points`` points of ``dataset`` with ``noise``, centred.

    Each generator's own noise parameter (spirals: of the angle; the others: of the
    coordinates) is set to ``noise``; X is centred on its mean and scaled by its largest
    std, so every set fills about the same square.
    """
    check_choice("dataset", dataset, PLAYGROUND_DATASETS, what="dataset")
    make, n_classes = PLAYGROUND_DATASETS[dataset]
    X, y = make(n_points, noise=noise, rng=rng)
    X = (X - X.mean(axis=0)) / X.std(axis=0).max()
    return X, y, n_classes


@dataclass(frozen=True)
class PlaygroundConfig:
    """Every setting of a playground run (the widget's controls; the seed is fixed)."""

    dataset: str = "spirals"
    n_points: int = 200
    noise: float = 0.1
    hidden_layers: int = 3
    width: int = 8
    activation: str = "tanh"
    init: str = "appropriate"
    optimizer: str = "momentum"
    lr: float = 0.1
    steps_per_frame: int = 5
    seed: int = 0

    def __post_init__(self):
        check_choice("dataset", self.dataset, PLAYGROUND_DATASETS, what="dataset")
        check_positive_int("n_points", self.n_points, minimum=4)
        check_finite_number("noise", self.noise, minimum=0.0)
        check_positive_int("hidden_layers", self.hidden_layers)
        check_positive_int("width", self.width)
        check_choice("activation", self.activation, ACTIVATIONS, what="activation")
        check_choice("init", self.init, PLAYGROUND_INITS, what="initializer")
        check_choice("optimizer", self.optimizer, OPTIMIZERS, what="optimizer")
        check_finite_number("lr", self.lr, minimum=0.0, strict=True)
        check_positive_int("steps_per_frame", self.steps_per_frame)

    @property
    def network(self) -> tuple:
        """What fixes the network at step 0: data, architecture, init, seed."""
        c = self
        return (c.dataset, c.n_points, c.noise, c.hidden_layers, c.width, c.activation)


@dataclass
class PlaygroundState:
    """A run at one step: the data, the network, the optimizer and the loss per step so far.

    ``losses[k]`` is the full-batch loss after k steps (``losses[0]`` at init), k = 0..step.
    Never changed in place by this module: :func:`playground_frame` returns a new state.
    """

    config: PlaygroundConfig
    X: np.ndarray
    y: np.ndarray
    n_classes: int
    net: MLP
    optimizer: object
    step: int = 0
    losses: list = field(default_factory=list)
    stopped: str | None = None  # why the run cannot go on (diverged, the step cap)


def start_playground(config: PlaygroundConfig | None = None, **settings) -> PlaygroundState:
    """The state at step 0 for ``config`` (or the defaults with ``settings``): seeded."""
    config = replace(config or PlaygroundConfig(), **settings)
    X, y, k = playground_data(config.dataset, config.n_points, config.noise, rng=config.seed)
    sizes = [2] + [config.width] * config.hidden_layers + [k]
    net = MLP(sizes, activation=config.activation, init=_initializer(config.init), rng=config.seed)
    return PlaygroundState(config, X, y, k, net, get_optimizer(config.optimizer, config.lr))


def with_config(state: PlaygroundState, config: PlaygroundConfig) -> PlaygroundState:
    """The run carried over to new settings (a new state; ``state`` is left as it was).

    A new data set, architecture, activation, init or seed starts again at step 0; a new
    optimizer keeps the weights and starts its own state (momentum, Adam's averages) from
    zero; a new learning rate or frame size keeps everything else.
    """
    old = state.config
    if (config.network, config.init, config.seed) != (old.network, old.init, old.seed):
        return start_playground(config)
    new = copy.copy(state)
    new.config = config
    if config.optimizer != old.optimizer:
        new.optimizer = get_optimizer(config.optimizer, config.lr)
    elif config.lr != old.lr:
        new.optimizer = copy.deepcopy(state.optimizer)
        new.optimizer.lr = config.lr
    return new


@dataclass(frozen=True)
class PlaygroundFrame:
    """What one frame draws, at the state after its steps (all arrays are copies).

    Attributes
    ----------
    state : PlaygroundState
        The run after this frame's steps (the next frame starts from it).
    steps : int
        The training steps this frame took.
    grid_x, grid_y : ndarray
        The grid's coordinates (``resolution`` each); ``probabilities`` is
        ``(resolution, resolution, n_classes)``, row = y.
    weights, weight_grads : list of ndarray
        Every layer's W and dL/dW (full batch, at the current weights).
    activations : list of ndarray
        Each hidden layer's h (n_points, width), then the output logits.
    activation_grads : list of ndarray
        dL/dh of each hidden layer, then dL/d(logits).
    accuracy : float
        On the training points.
    summary : str
        One line: the settings, the step, the loss against ln(n_classes).
    """

    state: PlaygroundState
    steps: int
    grid_x: np.ndarray
    grid_y: np.ndarray
    probabilities: np.ndarray
    weights: list
    weight_grads: list
    activations: list
    activation_grads: list
    accuracy: float
    summary: str

    @property
    def chance_loss(self) -> float:
        """ln(n_classes): the loss of a network that gives every class the same probability."""
        return math.log(self.state.n_classes)


def _clone(state: PlaygroundState) -> PlaygroundState:
    """A copy that shares nothing mutable with ``state`` (the data are read-only views)."""
    net = copy.copy(state.net)
    net.weights = [w.copy() for w in state.net.weights]
    net.biases = [b.copy() for b in state.net.biases]
    net.__dict__.pop("_buffers", None)  # the workspace is per network
    return replace(
        state, net=net, optimizer=copy.deepcopy(state.optimizer), losses=list(state.losses)
    )


def grid_extent(X: np.ndarray, margin: float = 0.25) -> tuple[float, float, float, float]:
    """``(x0, x1, y0, y1)``: the square around the data that the boundary is drawn on."""
    half = float(np.abs(X).max()) + margin
    return -half, half, -half, half


def playground_frame(
    state: PlaygroundState, steps: int | None = None, *, resolution: int = 40
) -> PlaygroundFrame:
    """Take ``steps`` full-batch training steps from a copy of ``state``; what a frame draws.

    ``steps`` defaults to the config's ``steps_per_frame``; 0 draws the state as it is.
    A step whose loss is inf or nan stops the run there (``state.stopped`` says so), as
    does :data:`MAX_STEPS`. Pure: ``state`` is not changed, and the same state and steps
    give the same frame.
    """
    steps = state.config.steps_per_frame if steps is None else int(steps)
    if steps < 0:
        raise ValueError(f"steps must be >= 0; received {steps}")
    new = _clone(state)
    net, X, y = new.net, new.X, new.y
    taken = 0
    with np.errstate(all="ignore"):
        if not new.losses and steps > 0:  # the loss at init, before the first step
            new.losses.append(float(softmax_cross_entropy(net.forward(X), y)[0]))
    while taken < steps and new.stopped is None:
        if new.step >= MAX_STEPS:
            new.stopped = f"stopped at the cap of {MAX_STEPS} steps"
            break
        value, _ = train_step(net, new.optimizer, X, y)  # the loss before this step
        if taken > 0:  # the first one is losses[-1] already
            new.losses.append(float(value))
        new.step += 1
        taken += 1
        if not math.isfinite(value):
            new.stopped = f"diverged at step {new.step - 1} (loss {value})"
    with np.errstate(all="ignore"):
        out = net.forward(X)
        value, grad = softmax_cross_entropy(out, y)
        net.backward(grad, compute_input_grad=False)
        if taken > 0 or not new.losses:
            new.losses.append(float(value))  # the loss at the weights drawn
        if new.stopped is None and not math.isfinite(value):
            new.stopped = f"diverged at step {new.step} (loss {value})"
        accuracy = float(np.mean(np.argmax(out, axis=1) == y))
        x0, x1, y0, y1 = grid_extent(X)
        gx, gy = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
        grid = np.column_stack([a.ravel() for a in np.meshgrid(gx, gy)])
        probs = softmax(net.forward(grid)).reshape(resolution, resolution, new.n_classes)
    activations = [a.copy() for a in net.activations[: net.n_layers - 1]] + [out.copy()]
    act_grads = [g.copy() for g in net.activation_grads] + [grad]
    frame = PlaygroundFrame(
        state=new,
        steps=taken,
        grid_x=gx,
        grid_y=gy,
        probabilities=probs,
        weights=[w.copy() for w in net.weights],
        weight_grads=[g.copy() for g in net.weight_grads],
        activations=activations,
        activation_grads=act_grads,
        accuracy=accuracy,
        summary="",
    )
    return replace(frame, summary=frame_summary(frame))


def settings_text(config: PlaygroundConfig) -> str:
    """The settings in words: data, network, init, optimizer, frame size."""
    c = config
    init = f"{c.init} (Var(W) = {PRESETS[c.init]:g}/n_in)" if c.init in PRESETS else c.init
    return (
        f"{c.dataset} ({c.n_points} points, noise {c.noise:g}), {c.hidden_layers} x {c.width} "
        f"{c.activation}, {init}, {c.optimizer} lr {c.lr:g}, {c.steps_per_frame} steps/frame"
    )


def status_text(frame: PlaygroundFrame) -> str:
    """The run in words: the step, the loss against ln(n_classes), the accuracy, a stop."""
    s = frame.state
    tail = f"; {s.stopped}" if s.stopped else ""
    return (
        f"step {s.step}: loss {s.losses[-1]:.4g} (ln {s.n_classes} = {frame.chance_loss:.3f}), "
        f"accuracy {frame.accuracy:.0%}{tail}"
    )


def frame_summary(frame: PlaygroundFrame) -> str:
    """One line: the settings, then the run (:func:`settings_text`, :func:`status_text`)."""
    return f"{settings_text(frame.state.config)} | {status_text(frame)}"


def filmstrip_frames(
    steps=(0, 100, 300, 1000), presets=tuple(PRESETS), **settings
) -> dict[str, list[PlaygroundFrame]]:
    """``{preset: [frame at each of steps]}``: one run per preset, the same settings.

    What the static filmstrip draws (notebook 05): every run starts from
    ``start_playground(init=preset, **settings)`` and is stopped at each of ``steps``.
    """
    steps = sorted(int(s) for s in steps)
    if not steps or steps[0] < 0:
        raise ValueError(f"steps must be step counts >= 0; received {steps}")
    out = {}
    for name in presets:
        state, done, frames = start_playground(init=name, **settings), 0, []
        for target in steps:
            frame = playground_frame(state, target - done)
            state, done = frame.state, target
            frames.append(frame)
        out[name] = frames
    return out
