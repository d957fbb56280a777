"""Explorer text drawn from cached glyphs looks like matplotlib's own text.

``course_utils.widgets.glyphs`` draws an explorer's plain text from glyph masks that
matplotlib's Agg rasterised once. The same string is drawn on two identical figures, one
with matplotlib's Agg canvas and one with the glyph canvas, and the pixels are compared.
Under matplotlib 3.11 and later the glyph path is taken and may differ from matplotlib's
by what it leaves out: a glyph is placed at the nearest quarter pixel (at most 1/8 px
off, so an edge pixel's coverage moves by at most an eighth of its range, 32 of 255, and a
few pixels where two glyphs' edges meet by more) and GPOS kerning is not applied (the
strings here have no kerned pair). Before 3.11 every text takes matplotlib's own path, so
the pixels must be equal.
"""

from __future__ import annotations

import io
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.font_manager import FontProperties
from PIL import Image

from course_utils.widgets import glyphs
from course_utils.widgets.glyphs import GLYPHS_USED, GlyphCanvas, GlyphRendererAgg

#: Titles as the explorers write them (no kerned pair such as "AV" or "To").
STRINGS = [
    "activations x0.21 forward, gradients x1.9 backward over 100 layers",
    "layer 100: std 0.123",
    "gradients vanish by layer 3 (ratio 1e-05)",
    "N(0, 0.01^2) x 1.50; sigma_w^2 = 2.00",
    "σ_w² = 1.9 − 0.1, stream std 0.53",
    "two lines:\nstd 0.53 forward",  # matplotlib lays the lines out, each drawn here
]


def _render(canvas_cls, text: str, **kw) -> np.ndarray:
    fig = plt.figure(figsize=(6.0, 0.8), dpi=80)
    canvas_cls(fig)
    fig.text(kw.pop("x", 0.5), kw.pop("y", 0.5), text, **kw)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    return np.asarray(Image.open(buf).convert("RGB"), dtype=np.int16)


def _ink(pixels: np.ndarray) -> np.ndarray:
    return 255 - pixels.min(axis=-1)  # on white: how dark each pixel is


def _compare(text: str, **kw) -> tuple[np.ndarray, np.ndarray]:
    return _render(FigureCanvasAgg, text, **dict(kw)), _render(GlyphCanvas, text, **dict(kw))


@pytest.mark.parametrize("text", STRINGS)
@pytest.mark.parametrize(
    "kw",
    [
        {"fontsize": 11, "ha": "center", "va": "top", "x": 0.5, "y": 0.9},
        {"fontsize": 9, "ha": "left", "va": "baseline", "x": 0.0123, "y": 0.4567},
        {"fontsize": 8, "ha": "right", "va": "center", "x": 0.98765, "y": 0.5},
    ],
    ids=["11pt-center-top", "9pt-left-baseline", "8pt-right-center"],
)
def test_glyph_text_looks_like_matplotlib_text(text, kw):
    stock, mine = _compare(text, **kw)
    assert stock.shape == mine.shape
    if not GLYPHS_USED:
        assert np.array_equal(stock, mine), "before 3.11 text takes matplotlib's own path"
        return
    a, b = _ink(stock), _ink(mine)
    inked = np.count_nonzero(a)
    assert inked > 5 * len(text.replace(" ", "")), "the text was drawn"
    far = np.count_nonzero(np.abs(a - b) > 64)
    assert far <= max(3, 0.01 * inked), f"{far} of {inked} inked pixels differ by more than 64"
    for axis in (0, 1):  # the ink's extent: the same rows and columns, to a pixel
        ra, rb = np.flatnonzero(a.any(axis=axis)), np.flatnonzero(b.any(axis=axis))
        assert abs(ra[0] - rb[0]) <= 1 and abs(ra[-1] - rb[-1]) <= 1, (axis, ra, rb)
    total = a.sum()
    assert abs(b.sum() - total) <= 0.02 * total, "the glyphs carry as much ink as matplotlib's"


@pytest.mark.parametrize("angle", [90, 30])
def test_a_rotated_line_looks_like_matplotlibs(angle):
    """A rotated line is cached whole, as matplotlib draws it, at a quarter-pixel phase."""
    kw = {"fontsize": 10, "ha": "center", "va": "center", "rotation": angle}
    fig_kw = {"x": 0.3141, "y": 0.5}
    stock, mine = _compare("std: points measured, lines theory", **kw, **fig_kw)
    if not GLYPHS_USED:
        assert np.array_equal(stock, mine)
        return
    a, b = _ink(stock), _ink(mine)
    assert np.count_nonzero(np.abs(a - b) > 64) <= 0.01 * np.count_nonzero(a)
    assert abs(int(b.sum()) - int(a.sum())) <= 0.02 * a.sum()


def test_colour_and_alpha_are_matplotlibs():
    kw = {"fontsize": 11, "ha": "center", "va": "center", "color": "tab:red", "alpha": 0.5}
    stock, mine = _compare("activations x0.21 forward", **kw)
    if not GLYPHS_USED:
        assert np.array_equal(stock, mine)
        return
    # the darkest pixels (full coverage) have matplotlib's colour at half alpha over white
    darkest = _ink(stock) == _ink(stock).max()
    assert np.abs(mine[darkest] - stock[darkest]).max() <= 2


def test_widths_are_matplotlibs_advances():
    """Under 3.11 a line is as wide as matplotlib measures it (it lays lines out by advances)."""
    if not GLYPHS_USED:
        pytest.skip("before 3.11 every text is measured by matplotlib itself")
    stock, mine = RendererAgg(10, 10, 80), GlyphRendererAgg(10, 10, 80)
    for size in (8, 9, 11):
        prop = FontProperties(size=size)
        for text in [*(t for t in STRINGS if "\n" not in t), "lp", "  ", "f"]:  # one line
            w0, h0, d0 = stock.get_text_width_height_descent(text, prop, False)
            w1, h1, d1 = mine.get_text_width_height_descent(text, prop, False)
            assert abs(w1 - w0) <= 1.0, (text, size, w0, w1)  # GPOS kerning: under a pixel
            assert (h1, d1) == (h0, d0), (text, size)


@pytest.mark.parametrize(
    "text, kw",
    [
        ("$\\sigma_w^2 = 2/n$", {}),  # mathtext
        ("missing 漢 glyph", {}),  # not in DejaVu Sans: font fallback or a warning
    ],
    ids=["mathtext", "missing-glyph"],
)
def test_what_the_glyph_path_cannot_draw_is_matplotlibs_own(text, kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a missing glyph warns, on both canvases
        stock, mine = _compare(text, fontsize=11, ha="center", va="center", **kw)
    assert np.array_equal(stock, mine)


def test_a_clipped_text_leaves_no_ink_outside_its_clip_box():
    def render(canvas_cls):
        fig = plt.figure(figsize=(3.0, 1.0), dpi=80)
        canvas_cls(fig)
        ax = fig.add_axes((0.3, 0.2, 0.4, 0.6))
        ax.set_axis_off()
        ax.text(0.5, 0.5, "activations x0.21 forward", ha="center", va="center", clip_on=True)
        fig.canvas.draw()
        bbox = ax.bbox
        pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(np.int16)
        plt.close(fig)
        return pixels, bbox

    (stock, box), (mine, _) = render(FigureCanvasAgg), render(GlyphCanvas)
    height = mine.shape[0]
    outside = np.ones(mine.shape[:2], bool)
    rows = slice(int(height - np.ceil(box.y1)), int(height - np.floor(box.y0)))
    outside[rows, int(np.floor(box.x0)) : int(np.ceil(box.x1))] = False
    assert _ink(stock)[~outside].any(), "the text is drawn inside the box"
    assert not _ink(mine)[outside].any(), "ink outside the clip box"
    assert _ink(mine)[~outside].sum() == pytest.approx(_ink(stock)[~outside].sum(), rel=0.02)


def test_the_caches_stay_bounded(monkeypatch):
    if not GLYPHS_USED:
        pytest.skip("nothing is cached before 3.11")
    monkeypatch.setattr(glyphs, "MAX_ENTRIES", 20)
    glyphs.clear_glyph_cache()
    renderer = GlyphRendererAgg(400, 40, 80)
    gc = renderer.new_gc()
    prop = FontProperties(size=9)
    for start in range(0, 200, 10):  # 200 characters, 10 a string, at moving phases
        text = "".join(chr(0x41 + (start + k) % 58) for k in range(10))
        renderer.draw_text(gc, 5.0 + start / 40, 20.0, text, prop, 0)
    sizes = [sum(map(len, cache.values())) for cache in (glyphs._MASKS, glyphs._METRICS)]
    assert all(0 < n <= 2 * 20 + 10 for n in sizes), sizes
    glyphs.clear_glyph_cache()


def test_texts_are_laid_out_where_matplotlib_lays_them_out():
    """The glyph canvas measures lines and fonts as matplotlib does: the same text boxes."""

    def boxes(canvas_cls):
        fig = plt.figure(figsize=(6.0, 2.0), dpi=80)
        canvas_cls(fig)
        texts = [
            fig.text(0.5, 0.9, text, fontsize=size, ha=ha, va=va)
            for text, size, ha, va in [
                (STRINGS[1], 9, "center", "baseline"),
                (STRINGS[2], 11, "left", "top"),
                (STRINGS[4], 8, "right", "center"),
                (STRINGS[5], 10, "center", "bottom"),  # two lines
            ]
        ]
        fig.canvas.draw()
        out = [t.get_window_extent().extents for t in texts]
        plt.close(fig)
        return np.array(out)

    np.testing.assert_allclose(boxes(GlyphCanvas), boxes(FigureCanvasAgg), atol=1e-9)
