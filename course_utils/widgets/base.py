"""The Explorer: a pure compute function, a figure redrawn in place, a thin widget wrapper.

Moving a control calls ``compute(**params)`` (pure: tests and benchmarks call it directly),
then ``draw(result)`` (updates the artists of one figure made once), then shows
``result.summary`` (a line of text) and the figure in an ``ipywidgets.Output``.

The fast path (:meth:`Explorer.render_png`): the first display is a full render. After
it, the artists that a move changes (``changing``, declared by each explorer) are marked
animated, and so is every static artist drawn after one of them in the same axes (a
legend, the spines: the draw order stays the full render's). Everything else is rendered
once into a background (Agg ``copy_from_bbox``); a move restores it, draws the animated
artists over it in the full render's order and encodes the buffer once. Axes drawn first
of all the animated artists (an x axis that follows the data) get a cached layer of their
own over the background, redrawn only when their state changes. The background
is re-rendered whenever its signature changes: the scales and position of every axes,
each of its limits that a cached artist follows (:func:`~.background.limits_shown`: a
static y axis and a horizontal band do not follow the x limits), each axis' locator and
formatter, and the data, text, colour, alpha and visibility of every static artist; so it
is never stale, whatever a draw changes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.spines import Spine
from matplotlib.text import Text

from .background import artist_state, axis_state, limits_shown
from .glyphs import GlyphCanvas

__all__ = [
    "Explorer",
]


#: Explorers draw at 80 dpi (static figures at 100): an 8 x 3.6 in explorer is 640 px
#: wide with 11 px tick labels, and each move renders 36% fewer pixels.
EXPLORER_DPI = 80


class Explorer:
    """A set of controls, a pure compute function and a figure that is redrawn in place.

    Parameters
    ----------
    controls : dict of str -> ipywidgets value widget
        Their ``value`` s are the keyword arguments of ``compute``.
    compute : callable
        ``compute(**params) -> result``; pure; ``result.summary`` is a one-line string.
    draw : callable
        ``draw(result)`` updates the artists of ``figure`` (never makes a new figure).
    figure : matplotlib.figure.Figure
        Made once, closed to pyplot (so the notebook does not show it twice).
    changing : iterable of Artist, optional
        The artists ``draw`` changes on a move (lines, titles, an axis whose limits follow
        the data...): drawn on every move over a cached background. None: every move
        renders the whole figure.

    Attributes
    ----------
    widget : ipywidgets.VBox
        What the notebook displays: the controls above an ``Output`` with the summary
        line and the figure.
    result
        The result of the last update.
    """

    def __init__(
        self,
        *,
        controls: dict,
        compute: Callable,
        draw: Callable,
        figure,
        changing: Iterable[Artist] | None = None,
    ):
        import ipywidgets as widgets

        self.controls = dict(controls)
        self.compute = compute
        self.draw = draw
        self.figure = figure
        plt.close(figure)
        figure.set_dpi(EXPLORER_DPI)  # a move renders fewer pixels than a static figure
        # what render_png draws with, whatever the notebook's backend: Agg, its changing
        # titles composited from cached glyphs (see .glyphs)
        GlyphCanvas(figure)
        self._changing = list(changing) if changing is not None else None
        self._fast = None  # the blitting state, set after the first (full) display
        self.output = widgets.Output()
        self.widget = widgets.VBox(
            [widgets.HBox(list(self.controls.values())), *self._extra_rows(), self.output],
            layout=widgets.Layout(width="100%"),
        )
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.result = None
        self._on_change(None)  # the first display is what a control move shows
        self._freeze_layout()
        if self._changing is not None:
            self._fast = _FastPath(figure, self._changing)

    def _extra_rows(self) -> list:
        """Widget rows between the controls and the output (none here)."""
        return []

    def _freeze_layout(self) -> None:
        """Keep the axes where the first draw's layout engine put them.

        Constrained layout measures every label on every draw, about a third of a
        redraw; the first layout stays good as values change, so later moves skip it.
        """
        if self.figure.get_layout_engine() is not None:
            self.figure.set_layout_engine("none")

    def params(self) -> dict:
        """The current values of the controls, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def refresh(self, **overrides):
        """Compute and redraw (no display): the work one slider move costs, minus the PNG."""
        self.result = self.compute(**{**self.params(), **overrides})
        self.draw(self.result)
        return self.result

    def render_png(self) -> bytes:
        """The figure as PNG bytes, as the inline backend would send it to the browser.

        The first display is a full render (``savefig``, the layout engine's one run);
        later ones take the fast path: the cached background, the changed artists drawn
        over it, the buffer encoded once (see the module's docstring).
        """
        if self._fast is None:
            return render_png_full(self.figure)
        return self._fast.render_png()

    def render_png_full(self) -> bytes:
        """The figure rendered from scratch, no cache: what the fast path must equal."""
        return render_png_full(self.figure)

    def _show(self, text: str) -> None:
        """Replace the output area with ``text`` and the figure."""
        from IPython.display import Image, display

        # The PNG is rendered once, as laid out (constrained layout): displaying the figure
        # itself would go through the inline backend's bbox_inches="tight", a second draw.
        png = Image(data=self.render_png(), format="png")
        with self.output:
            self.output.clear_output(wait=True)
            print(text)
            display(png)

    def update(self, **overrides):
        """Refresh, then show the summary line and the figure in the output area."""
        result = self.refresh(**overrides)
        self._show(result.summary)
        return result

    def _on_change(self, _change) -> None:
        self.update()

    def describe(self) -> str:
        """What the explorer is, in words: ``the compounding explorer (factor, depth)``."""
        name = getattr(self.compute, "__name__", "")
        what = name[len("compute_") :].replace("_", " ") if name.startswith("compute_") else ""
        return f"{f'the {what} explorer' if what else 'an explorer'} ({', '.join(self.controls)})"

    def _repr_mimebundle_(self, **kwargs):
        """The widget's view, and as text/plain a note on what it is (not the VBox repr).

        A notebook stores both; a front-end that cannot show the widget (JupyterLab before
        the cell runs, a static render) shows the note instead of ``VBox(children=...``.
        """
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = stored_view_note(self.describe())
        return bundle

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"Explorer({getattr(self.compute, '__name__', 'compute')}: {params})"


def stored_view_note(what: str) -> str:
    """The text/plain an interactive cell stores beside its widget view: what it is."""
    return (
        f"Explorer: {what}. Run this cell in JupyterLab to get its controls; "
        "the static figure above shows the same."
    )


def render_png_full(figure) -> bytes:
    """The whole figure rendered from scratch by ``savefig``, every artist drawn in order.

    Artists marked animated (the fast path's) are drawn too: the flags are lifted for the
    render and put back after it. Nothing of the fast path's cache is used.
    """
    animated = [a for a in figure.findobj() if a.get_animated()]
    for a in animated:
        a.set_animated(False)
    try:
        buf = io.BytesIO()
        figure.savefig(buf, format="png", dpi=figure.dpi)
        return buf.getvalue()
    finally:
        for a in animated:
            a.set_animated(True)


def encode_png(rgba) -> bytes:
    """An (h, w, 4) uint8 buffer as PNG bytes, zlib level 1: RGB rows unfiltered when opaque.

    Measured on the 672 x 240 px edge-of-chaos figure: matplotlib's writer (``savefig``'s,
    Pillow at its default level 6, RGBA) 14 ms and 41 kB; Pillow at level 1, RGB 7 ms and
    36 kB (level 0 saves 2 ms more but sends 480 kB a move). On the 672 x 304 px
    gradient-through-time figure, rows left unfiltered (the playground's encoder: adaptive
    filters cost more than they save on flat colours) take 4 ms against Pillow's 8, for
    the same pixels and size. A figure that is not opaque goes through Pillow as RGBA.
    """
    from PIL import Image

    arr = np.asarray(rgba)
    if arr[..., 3].min() == 255:
        from .playground import encode_png_unfiltered

        return encode_png_unfiltered(arr)
    buf = io.BytesIO()
    Image.fromarray(arr, "RGBA").save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _draw_order(figure) -> list:
    """Every top-level artist of ``figure`` and of its axes, in the order a full draw takes.

    Figure children by zorder (stable, as ``Figure.draw``); inside an axes its patch, then
    its children by zorder (stable, as ``Axes.draw``). Entries are ``(axes or None, artist)``.
    """
    order = []
    top = sorted(
        (a for a in figure.get_children() if a is not figure.patch), key=lambda a: a.get_zorder()
    )
    order.append((None, figure.patch))
    for artist in top:
        if isinstance(artist, Axes):
            children = [c for c in artist.get_children() if c is not artist.patch]
            order.append((artist, artist.patch))
            order.extend((artist, c) for c in sorted(children, key=lambda a: a.get_zorder()))
        else:
            order.append((None, artist))
    return order


class _FastPath:
    """The cached background of one figure and the artists drawn over it on every move."""

    def __init__(self, figure, changing):
        self.figure = figure
        self.canvas = figure.canvas
        order = _draw_order(figure)
        changing = {id(a) for a in changing}
        first_in = {}  # axes (or None: the figure) -> index of its first changing artist
        for i, (axes, artist) in enumerate(order):
            if id(artist) in changing:
                first_in.setdefault(id(axes), i)
        first_any = min(first_in.values(), default=len(order))
        animated = []
        for i, (axes, artist) in enumerate(order):
            after = i > first_in.get(id(axes), len(order)) or (axes is None and i > first_any)
            if id(artist) in changing or after:
                animated.append(artist)
        for artist in animated:
            artist.set_animated(True)
        self.animated = animated  # in draw order
        # static artists drawn after a changing one: cheap ones (spines, empty texts) are
        # drawn on every move; costly ones (legends, labels) only when a move's artists
        # overlap them (else they sit in the second cached layer)
        cheap = [
            a
            for a in animated
            if id(a) not in changing
            and (isinstance(a, Spine) or (isinstance(a, Text) and not a.get_text()))
        ]
        cheap_ids = {id(a) for a in cheap}
        self.costly = [a for a in animated if id(a) not in changing and id(a) not in cheap_ids]
        self.every_move = [a for a in animated if id(a) in changing or id(a) in cheap_ids]
        # the axes drawn first on a move (an x axis that follows the data): a layer of their
        # own over the background, redrawn only when one of them changes (axis_state)
        self.leading = []
        for artist in animated:
            if not isinstance(artist, Axis):
                break
            self.leading.append(artist)
        self.after_leading = animated[len(self.leading) :]
        self.drawn = [a for a in self.every_move if a not in self.leading]
        self.shapes = [a for a in self.drawn if isinstance(a, (Line2D, Patch))]
        self.laid_out = [a for a in self.drawn if not isinstance(a, (Line2D, Patch))]
        self.animated_ids = animated_ids = {id(a) for a in animated}
        self.static = [a for _, a in order if id(a) not in animated_ids]
        # which limits of each axes its cached artists (static, costly) follow
        self.every_move_ids = ids = {id(a) for a in self.every_move}
        self.limits_shown = {
            id(ax): limits_shown(ax, [c for c in ax.get_children() if id(c) not in ids])
            for ax in figure.axes
        }
        self.signature = self.leading_state = None
        self.background = None
        self.costly_boxes = None
        #: how many renders took each path (tests read it): a new background, the leading
        #: axes redrawn, the cached layers with the overlays cached too, with them redrawn
        self.counts = {"new_background": 0, "leading_redrawn": 0}
        self.counts.update(overlays_cached=0, overlays_redrawn=0)
        #: the function that turns the rendered buffer into PNG bytes (the playground sets
        #: a faster one of its own)
        self.encode = encode_png

    def background_signature(self) -> tuple:
        """Everything the background shows; when it changes, the background is re-rendered."""
        fig = self.figure
        sig = [tuple(fig.get_size_inches()), fig.dpi, tuple(fig.patch.get_facecolor())]
        for ax in fig.axes:
            sig.append((tuple(ax.get_position().bounds), ax.get_xscale(), ax.get_yscale()))
            x_shown, y_shown = self.limits_shown[id(ax)]
            sig.append((x_shown and tuple(ax.get_xlim()), y_shown and tuple(ax.get_ylim())))
            for axis in (ax.xaxis, ax.yaxis):
                if id(axis) in self.every_move_ids:
                    continue
                sig.append(
                    (
                        id(axis.get_major_locator()),
                        id(axis.get_major_formatter()),
                        id(axis.get_minor_locator()),
                        id(axis.get_minor_formatter()),
                        axis.get_label_text(),
                    )
                )
        # the static artists and the costly overlays (cached in the second layer)
        for artist in [*self.static, *self.costly]:
            if isinstance(artist, (Axis, Axes)):
                continue  # its limits, scale, locators and label are above
            for a in artist.findobj(include_self=True):
                sig.append(artist_state(a))
        return tuple(sig)

    def _extent(self, artist, renderer):
        """A box (display pixels) holding every pixel ``artist`` draws.

        Padded for antialiasing, line widths and markers.
        """
        from matplotlib.legend import Legend
        from matplotlib.transforms import Bbox

        if isinstance(artist, Axis):
            # its axes (gridlines), its ticks' length, and every tick label it holds (a
            # superset of those drawn: the last draw laid them out, so this is cheap)
            tick = max(artist.get_tick_params().get("length", 0.0) or 0.0, 10.0)
            texts = [artist.label, artist.offsetText]
            for t in artist.majorTicks + artist.minorTicks:
                texts += [t.label1, t.label2]
            boxes = [artist.axes.bbox.padded(tick * self.figure.dpi / 72)]
            boxes += [
                t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()
            ]
            box = Bbox.union(boxes)
        elif isinstance(artist, Legend) and not artist.get_frame_on():
            # no frame: its handles and labels (its own extent adds the border padding)
            parts = [artist._legend_handle_box]
            if artist.get_title().get_text():
                parts.append(artist._legend_title_box)
            box = Bbox.union([p.get_window_extent(renderer) for p in parts])
        elif isinstance(artist, Spine):  # its line only (its window extent adds the ticks)
            box = artist.get_transform().transform_path(artist.get_path()).get_extents()
        else:
            box = artist.get_window_extent(renderer)
            if artist.get_clip_on() and artist.get_clip_box() is not None:
                box = Bbox.intersection(box, artist.get_clip_box()) or Bbox.null()
        return box.padded(self._pad(artist))

    def _pad(self, artist) -> float:
        pad = 1.5  # antialiasing and pixel snapping spread ink by about a pixel
        if isinstance(artist, (Line2D, Patch)):  # a stroke spreads half its width each way
            pad += (artist.get_linewidth() or 0.0) * self.figure.dpi / 72 / 2
        if isinstance(artist, Line2D) and artist.get_marker() not in (None, "", "None", " "):
            # half the marker and its edge (extents already add half a marker: counted twice)
            pad += (
                (artist.get_markersize() + artist.get_markeredgewidth()) * self.figure.dpi / 72 / 2
            )
        return pad

    def _touches(self, artist, box, renderer) -> bool:
        """Whether ``artist`` can draw a pixel inside ``box`` (a line: its path, padded)."""
        mine = self._extent(artist, renderer)
        if mine.width <= 0 or mine.height <= 0 or not mine.overlaps(box):
            return False
        if isinstance(artist, Line2D) and len(artist.get_xydata()) > 0:
            path = artist.get_transform().transform_path(artist.get_path())
            if len(path.vertices) == 1:
                return True  # one marker: its padded box overlaps
            return path.intersects_bbox(box.padded(self._pad(artist)), filled=False)
        return True

    def _overlays_clear(self, renderer, artists) -> bool:
        """Whether none of ``artists`` can share a pixel with a costly overlay.

        A costly overlay is a legend or a label drawn after a changing artist; when no
        pixel is shared, the order of the two does not matter.
        """
        if not self.costly:
            return True
        if self.costly_boxes is None:  # static: measured once per background
            self.costly_boxes = [self._extent(a, renderer) for a in self.costly]
        return not any(
            self._touches(artist, box, renderer)
            for artist in artists
            if artist.get_visible()
            for box in self.costly_boxes
        )

    def render_png(self) -> bytes:
        signature = self.background_signature()
        if signature != self.signature or self.background is None:
            # layer 0: the static artists drawn before every animated one
            self.canvas.draw()  # animated artists are left out of a canvas draw
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
            self.signature, self.leading_state = signature, None
            self.counts["new_background"] += 1
        leading_state = [axis_state(a) for a in self.leading]
        if leading_state != self.leading_state:
            # layer 1: the leading axes over layer 0; layer 2: the costly overlays over
            # layer 1, in the full render's order
            self.canvas.restore_region(self.background)
            for artist in self.leading:
                self.figure.draw_artist(artist)
            self.with_leading = self.canvas.copy_from_bbox(self.figure.bbox)
            for artist in self.costly:
                self.figure.draw_artist(artist)
            self.with_overlays = self.canvas.copy_from_bbox(self.figure.bbox)
            self.leading_state = [axis_state(a) for a in self.leading]  # as laid out
            self.costly_boxes = None
            self.counts["leading_redrawn"] += bool(self.leading)
        renderer = self.canvas.get_renderer()
        # Lines, patches and spines are measured before the draw; texts and axes after it
        # (the draw lays out what their check measures); an overlap sends the move to
        # the slow path: the overlays drawn over layer 1, in the full render's order.
        clear = self._overlays_clear(renderer, self.shapes)
        if clear:
            self.canvas.restore_region(self.with_overlays)
            for artist in self.drawn:
                self.figure.draw_artist(artist)
            clear = self._overlays_clear(renderer, self.laid_out)
        if not clear:
            self.canvas.restore_region(self.with_leading)
            for artist in self.after_leading:
                self.figure.draw_artist(artist)
        self.counts["overlays_cached" if clear else "overlays_redrawn"] += 1
        return self.encode(self.canvas.buffer_rgba())
