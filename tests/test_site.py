"""The static site builder (course_utils.site), without a browser.

A small course made here (two notebooks, a README) is built into a tmp dir and its HTML read
back; the real notebooks are prepared (figures, explorers, links) without nbconvert. The
browser test, tests/browser/test_site_browser.py, builds the real course and opens it.
"""

from __future__ import annotations

import base64
import html
import json
import re
import subprocess
import sys
import zlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from course_utils import site
from notebook_tools import NOTEBOOKS, load

ROOT = Path(__file__).resolve().parents[1]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _png(width=3, height=2) -> str:
    """A valid RGB PNG of ``width`` x ``height`` white pixels, base64."""
    import struct

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff" * 3 * width for _ in range(height))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return base64.b64encode(png).decode()


def _md(cid, text):
    return {"cell_type": "markdown", "id": cid, "metadata": {}, "source": text}


def _code(cid, text, outputs=(), n=1):
    return {
        "cell_type": "code",
        "id": cid,
        "metadata": {},
        "source": text,
        "execution_count": n,
        "outputs": list(outputs),
    }


def _image(png):
    return {
        "output_type": "display_data",
        "data": {"image/png": png, "text/plain": "<Figure size 640x360 with 1 Axes>"},
        "metadata": {},
    }


def _nb(cells):
    return {
        "cells": cells,
        "metadata": {"widgets": {"state": {}}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A two-notebook course and its README, built once into a site."""
    src = tmp_path_factory.mktemp("course")
    nbs = src / "notebooks"
    nbs.mkdir()
    png = _png()
    first = _nb(
        [
            _md(
                "h",
                "# 00 · First steps\n*About 5 minutes*\n\nThe rule $n \\operatorname{Var}(W) = 1$.",
            ),
            _md("s1", "## 1 · A product\n\n$$1.1^{50} = 117.39$$"),
            _code(
                "fig",
                'fig, ax = plt.subplots()\nax.set_title("Left panel")\n'
                'fig.suptitle("Ten per cent per layer compounds")\nplt.show()',
                [_image(png)],
                1,
            ),
            _md("f", "The product **explodes**. Then the explorer:"),
            _code(
                "ex",
                "cu.widgets.compounding_explorer(factor=1.1)",
                [
                    {
                        "output_type": "display_data",
                        "data": {
                            WIDGET_MIME: {"model_id": "abc"},
                            "text/plain": "VBox(children=(...))",
                        },
                        "metadata": {},
                    }
                ],
                2,
            ),
            _md(
                "n",
                "Next: [01 · Second](01_second.ipynb#2-·-A-section) and [the map](../README.md)",
            ),
        ]
    )
    second = _nb(
        [
            _md("h", "# 01 · Second\n*About 7 minutes*"),
            _md("s2", "## 2 · A section\n\nInline \\(x^2\\) math."),
            _code("fs", 'ax.set_title(f"std {s:.2f}")\nplt.show()', [_image(png)], 1),
            _md("f2", "Each $\\sigma$ stays near 1: the finding. A second sentence."),
        ]
    )
    (nbs / "00_first.ipynb").write_text(json.dumps(first), encoding="utf-8")
    (nbs / "01_second.ipynb").write_text(json.dumps(second), encoding="utf-8")
    (nbs / "notes.ipynb").write_text(json.dumps(_nb([])), encoding="utf-8")  # not a lesson
    readme = src / "README.md"
    readme.write_text(
        "# A tiny course\n\nAn opening paragraph.\n\n## Course map\n\n"
        "| # | notebook | time | you leave knowing |\n|---|---|---|---|\n"
        "| 00 | [First steps](notebooks/00_first.ipynb) | 5 min | that \\|x\\| compounds |\n"
        "| 09 | [Gone](notebooks/09_gone.ipynb) | 5 min | a row whose notebook is gone |\n"
        "\n## Set up\n\nText.\n",
        encoding="utf-8",
    )
    out = tmp_path_factory.mktemp("site")
    written = site.build_site(out, source=nbs, readme=readme)
    return out, written


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _ids(text: str) -> set[str]:
    return {html.unescape(m) for m in re.findall(r'\sid="([^"]*)"', text)}


def _rel(text: str, rel: str) -> list[str]:
    """The hrefs of the links marked ``rel`` (the nav bar is there twice: top and bottom)."""
    tags = [t for t in re.findall(r"<a [^>]*>", text) if f'rel="{rel}"' in t]
    return sorted({re.search(r'href="([^"]+)"', t).group(1) for t in tags})


def test_pages_index_first_one_per_lesson(course):
    out, written = course
    assert [p.name for p in written] == ["index.html", "00_first.html", "01_second.html"]
    assert (out / site.MATHJAX_DIR / "MathJax.js").is_file()
    assert (out / site.MATHJAX_DIR / "config" / "TeX-AMS-MML_HTMLorMML-full.js").is_file()
    assert not (out / site.MATHJAX_DIR / "jax" / "output" / "SVG").exists()


def test_nothing_is_fetched_from_the_network(course):
    out, written = course
    for page in written:
        text = _read(page)
        loads = re.findall(r'<(?:script|link|img|iframe)[^>]*(?:src|href)="([^"]+)"', text)
        remote = [u for u in loads if urlsplit(u).scheme not in ("", "data")]
        assert not remote, (page.name, remote)
        assert "require.js" not in text and "unpkg.com" not in text
        mathjax = re.search(r'<script src="([^"?]+)[^"]*"></script>', text).group(1)
        assert (out / mathjax).is_file(), mathjax


def test_every_figure_has_its_finding_as_alt_text_and_an_id(course):
    out, _ = course
    first, second = _read(out / "00_first.html"), _read(out / "01_second.html")
    imgs = re.findall(r"<img [^>]*>", first + second)
    assert len(imgs) == 2
    alts = [html.unescape(re.search(r'alt="([^"]*)"', i).group(1)) for i in imgs]
    # the suptitle, then its panels; an f-string title is unknown: the finding's first sentence
    assert alts == [
        "Ten per cent per layer compounds (panels: Left panel)",
        "Each sigma stays near 1: the finding.",
    ]
    assert 'id="fig-fig"' in first and 'id="fig-fs"' in second


def test_explorer_output_becomes_a_note_linking_its_figure(course):
    out, _ = course
    text = _read(out / "00_first.html")
    assert "VBox(children" not in text and WIDGET_MIME not in text
    note = re.search(r'<div class="cu-explorer-note">.*?</div>', text, re.S).group(0)
    assert "Explorer: the compounding explorer." in note
    assert 'href="#fig-fig"' in note and "fig-fig" in _ids(text)


def test_previous_next_and_rewritten_links_all_resolve(course):
    out, written = course
    first, second = _read(out / "00_first.html"), _read(out / "01_second.html")
    assert _rel(first, "next") == ["01_second.html"] and _rel(first, "prev") == []
    assert _rel(second, "prev") == ["00_first.html"] and _rel(second, "next") == []
    hrefs = [unquote(h) for h in re.findall(r'href="([^"]+)"', first)]
    assert "01_second.html#2-·-A-section" in hrefs  # the markdown's link, percent-encoded
    assert 'href="index.html">the map' in first
    for page in written:
        for href in re.findall(r'<a [^>]*href="([^"]+)"', _read(page)):
            parts = urlsplit(html.unescape(href))
            assert not parts.scheme, (page.name, href)
            target = out / unquote(parts.path) if parts.path else page
            assert target.is_file(), (page.name, href)
            if parts.fragment:  # as a browser finds it: the fragment as is, or decoded
                ids = _ids(_read(target))
                assert {parts.fragment, unquote(parts.fragment)} & ids, (page.name, href)


def test_the_index_shows_the_course_map(course):
    out, _ = course
    text = _read(out / "index.html")
    assert "A tiny course" in text and "An opening paragraph." in text
    rows = re.findall(r"<tr>(.*?)</tr>", text, re.S)[1:]
    assert len(rows) == 2  # README's gone notebook is left out, an unlisted one is added
    assert 'href="00_first.html">First steps' in rows[0] and "|x|" in rows[0]
    assert 'href="01_second.html">Second' in rows[1] and "7 min" in rows[1]


def test_math_is_left_for_mathjax_and_configured(course):
    out, _ = course
    text = _read(out / "00_first.html")
    assert "$$1.1^{50} = 117.39$$" in text
    assert 'data-mathjax", "done"' in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_real_figure_and_explorer_is_prepared(path):
    """Each figure of the course gets alt text and an id; each explorer a note with its link."""
    pages = site.course_map("", NOTEBOOKS)
    original = load(path)
    counts = [c.get("execution_count") for c in original["cells"] if c["cell_type"] == "code"]
    executed = counts == list(range(1, len(counts) + 1))  # run top to bottom in one go
    nb = site.prepare(original, pages, NOTEBOOKS.index(path))
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert not any("image/png" in o.get("data", {}) for o in outputs)
    assert not any(WIDGET_MIME in o.get("data", {}) for o in outputs)
    ids = set()
    for o in outputs:
        for img in re.findall(r"<img [^>]*>", o.get("data", {}).get("text/html", "")):
            alt = html.unescape(re.search(r'alt="([^"]*)"', img).group(1))
            assert len(alt) > 15 and "$" not in alt, alt
            ids.add(re.search(r'id="([^"]+)"', img).group(1))
    for o in outputs:
        note = o.get("data", {}).get("text/html", "")
        if "cu-explorer-note" in note:
            link = re.search(r'href="#([^"]+)"', note)
            assert link or not executed, f"an explorer without its static figure: {note}"
            assert link is None or link.group(1) in ids, note


def test_bad_source_is_refused(tmp_path, capsys):
    assert site.main([str(tmp_path / "out"), "--source", str(tmp_path / "missing")]) == 2
    assert "is not a folder of notebooks" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no notebooks matching"):
        site.build_site(tmp_path / "out", source=tmp_path / "empty")


def test_import_loads_no_builder_plotting_or_widgets():
    code = (
        "import sys, course_utils, course_utils.site, course_utils.handout\n"
        "heavy = ('nbconvert', 'matplotlib', 'ipywidgets', 'jinja2')\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
