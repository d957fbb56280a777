"""The playground: watch a small network train on a 2-D set, frame by frame, from each init.

Play, pause, step and reset, with every other control live while it plays. Notebook 05
(first look: notebook 01). The science is :mod:`course_utils.playground` (a pure frame
function); the figure is :class:`course_utils.plots.playground.PlaygroundFigure`.

How it stays responsive (JupyterLab 4, ipywidgets 8, ipykernel 6 and 7): Play starts a
background thread that computes a frame, renders its PNG and assigns it to an
``ipywidgets.Image`` (and the summary to an ``HTML``), then sleeps until the next frame is
due. A widget's trait change is a comm message on IOPub, which ipykernel sends from any
thread (thread-safe since ipykernel 4.3, ipython/ipykernel#149; the pattern of ipywidgets'
"Asynchronous widgets" page, "Updating a widget in the background"). The cell has
returned, so the kernel's main thread is idle and handles the frontend's messages (a
control moved, Pause pressed) as they come; a loop in the cell itself would block them
until it ended (jupyter-widgets/ipywidgets#1349). The thread never prints or displays:
output from a thread into an ``Output`` widget is dropped or misrouted under ipykernel 7
(jupyter-widgets/ipywidgets#4020, ipython/ipykernel#1451), so the ``Output`` holds the
two widgets, displayed once, and only their values change. One lock serialises the state
and the figure between the thread and the control callbacks; a moved control takes effect
at the next frame (:func:`course_utils.playground.with_config`).
"""

from __future__ import annotations

import struct
import threading
import time
import zlib

import numpy as np

from ..playground import (
    PLAYGROUND_DATASETS,
    PLAYGROUND_INITS,
    PlaygroundConfig,
    playground_frame,
    start_playground,
    with_config,
)
from .base import _FastPath, render_png_full

__all__ = ["Playground", "playground", "PLAYGROUND_LRS", "FRAME_PERIOD_S"]

#: The learning rates offered (a dropdown: typed values would need a range check).
PLAYGROUND_LRS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
#: One frame every this many seconds while playing (at most; a slower frame just waits less).
FRAME_PERIOD_S = 0.1
_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear", "leaky_relu", "selu", "gelu", "silu")


class Playground:
    """Controls, a Play/Pause toggle, Step and Reset, and one figure redrawn each frame.

    ``widget`` is what the notebook shows. ``frame`` is the last frame drawn;
    :meth:`step` and :meth:`reset` are what the buttons do; :meth:`render_png` gives the
    PNG of the figure (the fast path of :class:`course_utils.widgets.Explorer`).
    """

    def __init__(self, config: PlaygroundConfig, *, edges: str = "weight", resolution: int = 40):
        import ipywidgets as widgets

        from ..plots.playground import PlaygroundFigure

        self.resolution = resolution
        self._lock = threading.RLock()
        self._thread = None
        self._stop = threading.Event()
        style = {"description_width": "initial"}
        c = config
        slider = dict(continuous_update=False, style=style)
        self.controls = {
            "dataset": widgets.Dropdown(
                options=list(PLAYGROUND_DATASETS), value=c.dataset, description="data"
            ),
            "n_points": widgets.IntSlider(
                value=c.n_points, min=20, max=1000, step=20, description="points", **slider
            ),
            "noise": widgets.FloatSlider(
                value=c.noise, min=0.0, max=0.5, step=0.05, description="noise", **slider
            ),
            "hidden_layers": widgets.IntSlider(
                value=c.hidden_layers, min=1, max=6, description="hidden layers", **slider
            ),
            "width": widgets.IntSlider(value=c.width, min=1, max=64, description="width", **slider),
            "activation": widgets.Dropdown(
                options=list(_ACTIVATIONS), value=c.activation, description="activation"
            ),
            "init": widgets.Dropdown(options=PLAYGROUND_INITS, value=c.init, description="init"),
            "optimizer": widgets.Dropdown(
                options=["sgd", "momentum", "adam"], value=c.optimizer, description="optimizer"
            ),
            "lr": widgets.Dropdown(options=list(PLAYGROUND_LRS), value=c.lr, description="lr"),
            "steps_per_frame": widgets.IntSlider(
                value=c.steps_per_frame, min=1, max=50, description="steps/frame", **slider
            ),
        }
        self.edges = widgets.ToggleButtons(
            options=["weight", "gradient"], value=edges, description="edges"
        )
        self.play_button = widgets.ToggleButton(value=False, description="Play", icon="play")
        self.step_button = widgets.Button(description="Step", icon="step-forward")
        self.reset_button = widgets.Button(description="Reset", icon="undo")
        for control in self.controls.values():
            control.style = style
            control.observe(self._on_control, names="value")
        self.edges.observe(self._on_control, names="value")
        self.play_button.observe(self._on_play, names="value")
        self.step_button.on_click(lambda _b: self.step())
        self.reset_button.on_click(lambda _b: self.reset())
        self.summary = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.output = widgets.Output()
        row = widgets.Layout(flex_flow="row wrap")
        self.widget = widgets.VBox(
            [
                widgets.HBox(list(self.controls.values()), layout=row),
                widgets.HBox(
                    [self.edges, self.play_button, self.step_button, self.reset_button], layout=row
                ),
                self.output,
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.plot = PlaygroundFigure()
        self.figure = self.plot.figure
        import matplotlib.pyplot as plt

        from .glyphs import GlyphCanvas

        plt.close(self.figure)
        GlyphCanvas(self.figure)  # Agg, its changing titles from cached glyphs
        self.state = start_playground(config)
        self.frame = playground_frame(self.state, 0, resolution=resolution)
        self.plot.update(self.frame, edges=edges)
        self._fast = None
        self.plot.freeze_layout()  # one layout run, kept (as Explorer does)
        self._show()
        self._fast = _FastPath(self.figure, self.plot.changing)
        self._fast.encode = encode_png_unfiltered
        from IPython.display import display

        with self.output:  # displayed once; a frame only changes their values
            display(self.summary, self.image)

    # -- settings ---------------------------------------------------------------------
    def config(self) -> PlaygroundConfig:
        """The settings the controls show."""
        return PlaygroundConfig(**{name: c.value for name, c in self.controls.items()})

    @property
    def playing(self) -> bool:
        """True while Play is pressed."""
        return self.play_button.value

    # -- drawing -------------------------------------------------------------------------
    def render_png(self) -> bytes:
        """The figure as PNG bytes (after the first display: the cached background).

        The fast path of :class:`~course_utils.widgets.Explorer`, encoded by
        :func:`encode_png_unfiltered` (half the time of Pillow's adaptive filters).
        """
        if self._fast is None:
            return render_png_full(self.figure)
        return self._fast.render_png()

    def render_png_full(self) -> bytes:
        """The figure rendered from scratch, no cache: what the fast path must equal."""
        return render_png_full(self.figure)

    def _show(self) -> None:
        self._show_summary()
        self.image.value = self.render_png()

    def advance(self, steps: int | None = None):
        """Compute and draw the next frame (no PNG): the work of one frame, minus the PNG."""
        with self._lock:
            self.state = with_config(self.state, self.config())
            self.frame = playground_frame(self.state, steps, resolution=self.resolution)
            self.state = self.frame.state
            self.plot.update(self.frame, edges=self.edges.value)
            return self.frame

    def redraw(self) -> None:
        """Draw the current state again (a control moved while paused), and show it."""
        with self._lock:
            self.advance(0)
            self._show()

    # -- the buttons -----------------------------------------------------------------------
    def step(self):
        """Pause if playing, then advance exactly one frame and show it (the Step button)."""
        self.pause()
        with self._lock:
            self.advance()
            self._show()
        return self.frame

    def reset(self):
        """Pause if playing, then go back to step 0 of the current settings (the Reset button)."""
        self.pause()
        with self._lock:
            self.state = start_playground(self.config())
            self.advance(0)
            self._show()
        return self.frame

    def play(self) -> None:
        """Start playing (what pressing Play does)."""
        self.play_button.value = True

    def pause(self) -> None:
        """Stop playing; return once the playing thread has finished its frame."""
        self.play_button.value = False
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10.0)

    def _on_play(self, change) -> None:
        self.play_button.description = "Pause" if change.new else "Play"
        self.play_button.icon = "pause" if change.new else "play"
        if change.new:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="playground", daemon=True)
            self._thread.start()
        else:
            self._stop.set()
            with self._lock:  # after the thread's last frame: say it is paused
                self._show_summary()

    def _show_summary(self) -> None:
        """The summary line: every control's value (edges too), the run, playing or not."""
        state = "playing" if self.playing else "paused"
        edges = "|w|" if self.edges.value == "weight" else "|dL/dW|"
        self.summary.value = f"<code>{self.frame.summary}; edges by {edges} [{state}]</code>"

    def _on_control(self, _change) -> None:
        if self.playing:  # the thread's next frame reads the new settings
            return
        self.redraw()

    def _loop(self) -> None:
        """The playing thread: a frame, its PNG, then wait for the next one; never prints."""
        try:
            while not self._stop.is_set():
                start = time.monotonic()
                with self._lock:
                    if self._stop.is_set():
                        break
                    self.advance()
                    self._show()
                    stopped = self.state.stopped
                if stopped:
                    self.play_button.value = False  # a diverged run or the step cap: pause
                    break
                self._stop.wait(max(0.005, FRAME_PERIOD_S - (time.monotonic() - start)))
        except Exception as exc:  # shown in the summary, never on stderr
            self.summary.value = f"<code>the playground stopped: {type(exc).__name__}: {exc}</code>"
            self.play_button.value = False

    def _repr_mimebundle_(self, **kwargs):
        """The widget's view, and as text/plain what it is (not the VBox repr).

        A notebook stores both; JupyterLab before the cell runs, or a static render, shows
        the note instead of ``VBox(children=...``.
        """
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = (
            "Playground: a small network trained frame by frame (play, pause, step, reset). "
            "Run this cell in JupyterLab to get its controls; the static figure above "
            "shows the same."
        )
        return bundle

    def __repr__(self) -> str:
        return f"Playground({self.frame.summary})"


def encode_png_unfiltered(rgba) -> bytes:
    """An (h, w, 4) uint8 buffer as an RGB PNG: no row filter, zlib level 1 (pure numpy).

    Measured on the playground's 768 x 496 px frame: 11 ms and 181 kB, against Pillow's
    26 ms and 206 kB at level 1 (its adaptive filters cost more than they save on a figure
    of flat colours); the same pixels. The alpha channel is dropped (the figure is opaque).
    """
    arr = np.asarray(rgba)
    h, w = arr.shape[:2]
    raw = np.empty((h, 1 + 3 * w), dtype=np.uint8)
    raw[:, 0] = 0  # filter type 0 (none) for every row
    raw[:, 1:].reshape(h, w, 3)[...] = arr[..., :3]
    data = zlib.compress(raw.tobytes(), 1)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def playground(
    dataset: str = "spirals",
    init: str = "appropriate",
    *,
    activation: str = "tanh",
    hidden_layers: int = 3,
    width: int = 8,
    optimizer: str = "momentum",
    lr: float = 0.1,
    n_points: int = 200,
    noise: float = 0.1,
    steps_per_frame: int = 5,
    edges: str = "weight",
) -> Playground:
    """Pick a 2-D data set, a network and an initialization; press Play and watch it train.

    The four presets of deeplearning.ai's "Initializing neural networks" (zero, too small,
    appropriate, too large: Var(W) = 0, 0.01, 1, 100 over n_in) or any initializer of the
    course; full-batch steps with sgd, momentum (0.9) or Adam. One figure: the decision
    boundary over the data, the loss per step with ln(n_classes), the network with every
    edge coloured and styled by its sign and as wide as |weight| or |gradient| (layers
    wider than 16 units as a summary), and per-layer histograms of |activation| and
    |dL/dW|. Play and Pause, Step (one frame), Reset (step 0). Notebook 05.
    """
    config = PlaygroundConfig(
        dataset=dataset,
        n_points=n_points,
        noise=noise,
        hidden_layers=hidden_layers,
        width=width,
        activation=activation,
        init=init,
        optimizer=optimizer,
        lr=lr,
        steps_per_frame=steps_per_frame,
    )
    return Playground(config, edges=edges)
