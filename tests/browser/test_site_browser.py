"""The offline site in headless Chromium: every page opened from disk with the network blocked.

``python -m course_utils.site`` builds the course into a tmp dir once; each page (the index and
one per notebook, found by glob) is opened as a ``file://`` URL in a fresh context whose every
non-file request is aborted and recorded. Each page must typeset all its math with the local
MathJax (no raw ``$$``, ``$...$``, ``\\(`` or ``\\[`` left in the text, no TeX error), decode
every image (``naturalWidth > 0``, alt text set), fetch nothing from the network, and link only
to files (and fragments) that exist in the site.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from course_utils import site

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = site.find_notebooks(ROOT / "notebooks")
PAGES = ["index.html", *(p.stem + ".html" for p in NOTEBOOKS)]
WAIT_MS = 60_000

pytestmark = pytest.mark.browser

# What is left on the page after MathJax ran: text outside code, scripts and typeset math
# that still holds a TeX delimiter; and what MathJax made of it.
_PAGE_JS = r"""() => {
  const skip = "script, style, pre, code, textarea, .MathJax, .MathJax_Display, .MathJax_Preview";
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest(skip)) continue;
    const t = n.textContent;
    if (/\$\$|\\\(|\\\[|\$[^$\s][^$]*\$/.test(t)) raw.push(t.trim().slice(0, 120));
  }
  return {
    raw,
    tex: document.querySelectorAll('script[type^="math/tex"]').length,
    typeset: document.querySelectorAll(".MathJax, .MathJax_Display").length,
    errors: [...document.querySelectorAll(".merror, .MathJax_Error")].map((e) => e.textContent),
    fontWarning: !!document.getElementById("MathJax_Font_Warning"),
    images: [...document.images].map((i) => ({
      id: i.id, complete: i.complete, width: i.naturalWidth, alt: i.getAttribute("alt") || ""})),
    links: [...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href")),
  };
}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The real course, built once into a tmp dir."""
    out = tmp_path_factory.mktemp("site")
    site.build_site(out)
    return out


def _ids(path: Path) -> set[str]:
    return {html.unescape(m) for m in re.findall(r'\sid="([^"]*)"', path.read_text("utf-8"))}


@pytest.mark.parametrize("name", PAGES, ids=[Path(n).stem for n in PAGES])
def test_page_reads_offline(name, built, browser):
    with browser.watchdog():
        page = browser.new_page()
        fetched = []

        def block(route):
            fetched.append(route.request.url)
            route.abort()

        try:
            page.context.route(re.compile(r"^(?!file:|data:|about:)"), block)
            page.on(
                "request", lambda r: r.url.startswith(("http:", "https:")) and fetched.append(r.url)
            )
            page.goto((built / name).as_uri(), wait_until="load")
            page.wait_for_selector("body[data-mathjax=done]", state="attached", timeout=WAIT_MS)
            state = page.evaluate(_PAGE_JS)
        finally:
            page.context.close()
    assert not fetched, f"{name} fetched from the network: {sorted(set(fetched))[:5]}"
    # math: none left raw, all typeset by the local MathJax with its web fonts
    assert not state["raw"], f"{name}: math left untypeset: {state['raw'][:5]}"
    assert state["typeset"] >= state["tex"], state
    assert not state["errors"], f"{name}: TeX errors: {state['errors'][:5]}"
    assert not state["fontWarning"], f"{name}: MathJax could not load its fonts"
    # images: decoded, with alt text
    for img in state["images"]:
        assert img["complete"] and img["width"] > 0, f"{name}: image {img['id']} not decoded"
        assert img["alt"] and "No description" not in img["alt"], f"{name}: {img}"
    if name != "index.html":
        cells = json.loads((ROOT / "notebooks" / f"{Path(name).stem}.ipynb").read_text("utf-8"))
        outputs = [o for c in cells["cells"] for o in c.get("outputs", [])]  # not widget state
        stored = sum("image/png" in o.get("data", {}) for o in outputs)
        assert len(state["images"]) == stored, f"{name}: {stored} figures stored"
    # links: every one resolves inside the site (file and fragment)
    for href in state["links"]:
        parts = urlsplit(href)
        if parts.scheme in ("http", "https", "mailto"):
            continue  # a link to elsewhere is not loaded when the page is read
        assert not parts.scheme, f"{name}: link {href!r}"
        target = built / unquote(parts.path) if parts.path else built / name
        assert target.is_file(), f"{name}: link {href!r} has no target"
        if parts.fragment and target.suffix == ".html":
            ids = _ids(target)
            assert {parts.fragment, unquote(parts.fragment)} & ids, f"{name}: no anchor {href!r}"


def test_every_notebook_has_a_page_in_order(built):
    pages = sorted(p.name for p in built.glob("*.html"))
    assert pages == sorted(PAGES)
    index = (built / "index.html").read_text(encoding="utf-8")
    positions = [index.find(f'href="{n}"') for n in PAGES[1:]]
    assert all(p > 0 for p in positions) and positions == sorted(positions)
