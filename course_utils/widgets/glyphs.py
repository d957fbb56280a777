"""Text an explorer redraws on every move, composited from cached glyphs.

Under matplotlib 3.11 a line of text costs about 0.25 ms a character to draw with Agg
(measured on the course's 2-core machine: 16 ms for a 66-character title): each draw
lays the string out with FreeType and HarfBuzz, then loads, hints and rasterises every
glyph again. An explorer's titles change on every move, so a string cache would miss;
their characters do not. :class:`GlyphCanvas` draws the figure with
:class:`GlyphRendererAgg`, which keeps each glyph's coverage mask (rasterised once, by
matplotlib's own Agg renderer, at a quarter-pixel phase) and its metrics, lays a line out
by the glyphs' hinted advances and pair kerning (both measured by matplotlib once, as 3.11
lays a line out) and blends the masks into the canvas in one pass: about 1 ms for that
title. A rotated line (an axis label, whose string does not change) is cached whole.

Matplotlib before 3.11 lays a line out with fractional advances and draws it as one
bitmap, 4x faster than 3.11 does: there every text takes matplotlib's own path
(:data:`GLYPHS_USED` is False). Under 3.11 and later, only plain single-font text takes
this path; mathtext, a clipping path, a character the font lacks (font fallback) or
per-text font features go to matplotlib's own ``draw_text``. Every render of an
explorer's figure, the full one included, goes through the same renderer, so the fast
path and a full render still show the same pixels.
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import findfont, get_font

__all__ = ["GLYPHS_USED", "GlyphCanvas", "GlyphRendererAgg", "clear_glyph_cache"]

#: Whether plain text is drawn from cached glyphs (matplotlib 3.11 and later: it lays a line
#: out by hinted, whole-pixel advances, which cached glyphs reproduce).
GLYPHS_USED = tuple(int(v) for v in matplotlib.__version__.split(".")[:2]) >= (3, 11)

#: Sub-pixel positions a glyph is rasterised at, per pixel and per axis.
PHASES = 4
#: At most this many cached masks and metrics (a cache past it starts again).
MAX_ENTRIES = 20_000

#: (font, size, dpi, flags, antialiased) -> {(char, phase x, phase y): (1 - coverage, row,
#: column)}, the offsets from the pen position
_MASKS: dict = {}
#: (font, size, dpi, flags) -> {char: (advance, x0, y0, x1, y1) in pixels, or None}
_METRICS: dict = {}


def clear_glyph_cache() -> None:
    """Forget every cached glyph mask and metric (tests; a changed font)."""
    _MASKS.clear()
    _METRICS.clear()
    _HEIGHTS.clear()


_FONTS: dict = {}  # the font properties that pick a font -> (path, FT2Font)
_HEIGHTS: dict = {}  # (font, size, dpi) -> (ascent, descent, line gap) in pixels


def _font_for(prop):
    """(path, FT2Font) of the font matplotlib picks first for ``prop`` (found once)."""
    key = (
        tuple(prop.get_family()),
        prop.get_style(),
        prop.get_variant(),
        prop.get_weight(),
        prop.get_stretch(),
        prop.get_file(),
    )
    found = _FONTS.get(key)
    if found is None:
        path = findfont(prop)
        found = _FONTS[key] = (path, get_font(path))
    return found


def _table(cache: dict, key) -> dict:
    """The per-font table of ``cache`` under ``key``; every table is dropped past MAX_ENTRIES."""
    table = cache.get(key)
    if table is None:
        if sum(map(len, cache.values())) > MAX_ENTRIES:
            cache.clear()
        table = cache[key] = {}
    return table


class GlyphRendererAgg(RendererAgg):
    """Agg, with plain text drawn from cached glyphs (a rotated line cached whole).

    Matplotlib's own Agg for everything else. See the module docstring.
    """

    def _plain_metrics(self, s, prop):
        """((pen x, ink bottom, ink top) per character, line width), or None if not drawable.

        The pen advances by each glyph's advance and each pair's kerning, both measured by
        matplotlib's Agg once (see :meth:`_measure` and :meth:`_kerning`).
        """
        if not GLYPHS_USED or not isinstance(s, str) or "\n" in s:
            return None
        path, font = _font_for(prop)
        size, dpi, flags = prop.get_size_in_points(), self.dpi, get_hinting_flag()
        table = _table(_METRICS, (path, size, dpi, flags))
        out, pen, previous, previous_advance = [], 0.0, None, 0.0
        for char in s:
            m = table.get(char, False)
            if m is False:
                m = _bounded(table, char, self._measure(font, char, prop, table))
            if m is None:
                return None
            if previous is not None:
                pair = previous + char
                kern = table.get(pair)
                if kern is None:
                    kern = self._kerning(pair, previous_advance, m[0], prop, table)
                    _bounded(table, pair, kern)
                pen += kern
            advance, bottom, top = m
            out.append((pen, bottom, top))
            pen += advance
            previous, previous_advance = char, advance
        return out, pen

    def _bars(self, prop, table) -> float:
        """The width of "||", which :meth:`_measure` and :meth:`_kerning` subtract."""
        bars = table.get(None)  # under None: no character nor pair
        if bars is None:
            bars = table[None] = RendererAgg.get_text_width_height_descent(self, "||", prop, False)[
                0
            ]
        return bars

    def _measure(self, font, char, prop, table):
        """(advance, ink bottom, ink top) of ``char`` in pixels, as matplotlib's Agg measures.

        The advance is the width of "|c|" less that of "||" (matplotlib 3.11 measures a
        line by its advances and kerning; the bar kerns with no glyph of the course's
        fonts); the ink's extent is that of ``char`` alone. None for a character the font
        lacks (matplotlib falls back to another font).
        """
        if font.get_char_index(ord(char)) == 0 and char != " ":
            return None
        measure = RendererAgg.get_text_width_height_descent
        width = measure(self, f"|{char}|", prop, False)[0] - self._bars(prop, table)
        _, h, d = measure(self, char, prop, False)
        return (width, -d, h - d) if h > 0 else (width, 0.0, 0.0)

    def _kerning(self, pair, advance_a, advance_b, prop, table) -> float:
        """The kerning of two characters (matplotlib's GPOS kerning: "rd" -0.22 px at 11 pt)."""
        width = RendererAgg.get_text_width_height_descent(self, f"|{pair}|", prop, False)[0]
        return width - self._bars(prop, table) - advance_a - advance_b

    def _get_font_height_metrics(self, prop):
        """(ascent, descent, line gap) of the font, in pixels, read once per font and size.

        Matplotlib 3.11 lays every line of text out with these: it asks the renderer, and
        else reads them from the font's OS/2 (or hhea) table on every layout (65 us, a
        tenth of an explorer's move). The same numbers, by the same formula, cached.
        """
        if not GLYPHS_USED:
            return None, None, None
        path, font = _font_for(prop)
        size = prop.get_size_in_points()
        key = (path, size, self.dpi)
        found = _HEIGHTS.get(key)
        if found is None:
            found = (None, None, None)  # matplotlib then measures "lp"
            for name, gap, ascent, descent in (
                ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                ("hhea", "lineGap", "ascent", "descent"),
            ):
                table = font.get_sfnt_table(name)
                if table is None:
                    continue
                scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * size * self.dpi / 72
                found = (table[ascent] * scale, -table[descent] * scale, table[gap] * scale)
                break
            _HEIGHTS[key] = found
        return found

    def get_text_width_height_descent(self, s, prop, ismath):
        """The advance width of ``s``; the height and descent of its ink, as 3.11 measures.

        The width runs from the pen's start to its end (the hinted advances, as matplotlib
        3.11 lays a line out); the height and descent are those of the glyphs' control
        boxes. Spaces only: their width, no height.
        """
        laid = None if ismath else self._plain_metrics(s, prop)
        if laid is None:
            return super().get_text_width_height_descent(s, prop, ismath)
        metrics, width = laid
        y0, y1 = math.inf, -math.inf
        for _, bottom, top in metrics:
            if top > bottom:
                y0, y1 = min(y0, bottom), max(y1, top)
        if y0 > y1:  # no ink at all (spaces only)
            return width, 0.0, 0.0
        return width, y1 - y0, max(-y0, 0.0)

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        """Blend ``s`` from cached glyph masks; matplotlib's own path when it cannot.

        A rotated line (an axis label: the same string on every move) is cached whole,
        as matplotlib's Agg rasterises it.
        """
        plain = not ismath and gc.get_clip_path()[0] is None
        if plain and mtext is not None:  # per-text OpenType features or language (3.11)
            get = getattr
            plain = (
                not get(mtext, "get_fontfeatures", lambda: None)()
                and not get(mtext, "get_language", lambda: None)()
            )
        laid = self._plain_metrics(s, prop) if plain else None
        if laid is None:
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        path, _ = _font_for(prop)
        size, flags, aa = prop.get_size_in_points(), get_hinting_flag(), gc.get_antialiased()
        table = _table(_MASKS, (path, size, self.dpi, flags, aa))
        if angle != 0:
            (ix, px), (iy, py) = _split(float(x)), _split(float(y))
            key = (s, float(angle), px, py)
            found = table.get(key)
            if found is None:
                found = _bounded(table, key, self._mask(s, px, py, prop, aa, angle, laid[1]))
            clear, row, column = found
            if clear.size:
                self._blend(gc, [(clear, iy + row, ix + column)])
            return None
        placed = []  # (1 - coverage, row, column) of each inked glyph, in canvas pixels
        iy, py = _split(float(y))
        for char, (pen, bottom, top) in zip(s, laid[0]):
            if top > bottom:
                ix, px = _split(x + pen)
                found = table.get((char, px, py))
                if found is None:
                    found = _bounded(table, (char, px, py), self._mask(char, px, py, prop, aa))
                clear, row, column = found
                if clear.size:
                    placed.append((clear, iy + row, ix + column))
        if placed:
            self._blend(gc, placed)
        return None

    def _mask(self, text, px, py, prop, aa, angle=0.0, width=0.0):
        """1 - the coverage of ``text`` drawn at (px, py) by matplotlib's Agg, its offset.

        Drawn in black on a transparent scratch canvas (room for ``width`` pixels of line
        in any direction): its alpha is the coverage.
        """
        pad = int(math.ceil(prop.get_size_in_points() * self.dpi / 72 * 2 + width)) + 8
        scratch = RendererAgg(3 * pad, 3 * pad, self.dpi)
        gc = scratch.new_gc()
        gc.set_foreground((0.0, 0.0, 0.0, 1.0))
        gc.set_antialiased(aa)
        RendererAgg.draw_text(scratch, gc, pad + px, pad + py, text, prop, angle)
        gc.restore()
        alpha = np.asarray(scratch.buffer_rgba())[..., 3]
        rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
        if not rows.size:
            return np.zeros((0, 0), np.float32), 0, 0
        r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        clear = 1.0 - alpha[r0:r1, c0:c1] / np.float32(255.0)
        return clear.astype(np.float32), int(r0) - pad, int(c0) - pad

    def _blend(self, gc, placed) -> None:
        """Blend the glyphs' masks, in gc's colour and alpha, into the canvas in one pass."""
        buf = np.asarray(self.buffer_rgba())
        height, width = buf.shape[:2]
        r0 = max(min(r for _, r, _ in placed), 0)
        c0 = max(min(c for _, _, c in placed), 0)
        r1 = min(max(r + g.shape[0] for g, r, _ in placed), height)
        c1 = min(max(c + g.shape[1] for g, _, c in placed), width)
        clip = gc.get_clip_rectangle()
        if clip is not None:  # display coordinates, y up; the buffer's rows run down
            cx0, cy0, cx1, cy1 = clip.extents
            c0, c1 = max(c0, int(math.floor(cx0))), min(c1, int(math.ceil(cx1)))
            r0, r1 = max(r0, int(height - math.ceil(cy1))), min(r1, int(height - cy0))
        if r1 <= r0 or c1 <= c0:
            return
        rows, cols = r1 - r0, c1 - c0
        clear = np.ones((rows, cols), np.float32)  # 1 - coverage, glyph over glyph as Agg
        for glyph, r, c in placed:
            r, c = r - r0, c - c0
            h, w = glyph.shape
            if r >= 0 and c >= 0 and r + h <= rows and c + w <= cols:
                clear[r : r + h, c : c + w] *= glyph
                continue
            a0, a1, b0, b1 = max(r, 0), min(r + h, rows), max(c, 0), min(c + w, cols)
            if a1 > a0 and b1 > b0:  # partly clipped
                clear[a0:a1, b0:b1] *= glyph[a0 - r : a1 - r, b0 - c : b1 - c]
        rgba = gc.get_rgb()
        alpha = gc.get_alpha() if len(rgba) == 3 or gc.get_forced_alpha() else rgba[3]
        cover = (1.0 - clear) * np.float32(alpha)
        region = buf[r0:r1, c0:c1].astype(np.float32)
        target = np.array([*rgba[:3], 1.0], np.float32) * 255.0
        region += (target - region) * cover[..., None]
        buf[r0:r1, c0:c1] = np.rint(region).astype(np.uint8)


def _bounded(table: dict, key, value):
    """``table[key] = value``, the table emptied first when it holds MAX_ENTRIES."""
    if len(table) >= MAX_ENTRIES:
        table.clear()
    table[key] = value
    return value


def _split(v: float) -> tuple[int, float]:
    """A coordinate as (whole pixels, phase in 1 / PHASES): 10.6 -> (10, 0.5)."""
    whole = math.floor(v)
    phase = round((v - whole) * PHASES) / PHASES
    if phase >= 1.0:
        whole, phase = whole + 1, 0.0
    return int(whole), phase


class GlyphCanvas(FigureCanvasAgg):
    """An Agg canvas that draws with :class:`GlyphRendererAgg` (an explorer's figure)."""

    def get_renderer(self, *args, **kwargs):
        """The canvas' renderer, made again when the figure's size or dpi changes."""
        w, h = self.figure.bbox.size
        key = (w, h, self.figure.dpi)
        if getattr(self, "_glyph_key", None) != key or not isinstance(
            getattr(self, "renderer", None), GlyphRendererAgg
        ):
            self.renderer = GlyphRendererAgg(w, h, self.figure.dpi)
            self._glyph_key = key
        return self.renderer
