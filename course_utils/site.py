"""The course as a static site, offline: ``python -m course_utils.site OUT_DIR``.

Every notebook in ``notebooks/`` (found by glob, in file-name order) becomes one HTML page
made from its stored outputs, with nbconvert's ``lab`` template (docs/site.md says why
this tool). Nothing is fetched, at build time or read time:

- math is typeset by a local copy of MathJax 2.7 (the files of the ``jupyter-server-mathjax``
  package, copied into ``OUT_DIR/_static/mathjax``); the CDN scripts the template would
  load (require.js, the widget manager, mermaid) are left out;
- figures are embedded (data URIs), each with alt text: its title (``set_title`` /
  ``suptitle`` in the cell's code) or else the finding sentence after it, and an id
  (``fig-<cell id>``) a link can point to;
- an explorer cell's widget output becomes a short note that links to its static figure;
- links between notebooks point to the pages, ``../README.md`` to the index; each page has
  previous / next links and the index holds the course map (README's table, or the
  notebooks' own titles for a notebook the table does not list yet).

Importing this module loads nothing heavy; nbconvert is imported when a site is built.
"""

from __future__ import annotations

import argparse
import ast
import copy
import html
import json
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

__all__ = [
    "Page",
    "build_site",
    "course_map",
    "explorer_note",
    "figure_alt",
    "find_notebooks",
    "main",
    "notebook_title",
    "prepare",
]

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
MATHJAX_DIR = "_static/mathjax"
# what of the MathJax package a page needs: the TeX input, the HTML-CSS output and its
# STIX web fonts (the SVG fonts and the other languages stay out: 4 MB less)
_MATHJAX_SKIP = ("jax/output/SVG", "localization/")
_EXPLORER_RE = re.compile(r"cu\.widgets\.(\w+?)_explorer\(")
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_LINK_RE = re.compile(r"(\]\(|href=\")([^)\"\s]+)")

# The template: nbconvert's lab page without the scripts it would fetch from a CDN, with
# MathJax from the site's own copy. Overriding a block an older template lacks is a no-op.
_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script type="text/x-mathjax-config">
MathJax.Hub.Config({
  tex2jax: {inlineMath: [["$", "$"], ["\\(", "\\)"]], displayMath: [["$$", "$$"], ["\\[", "\\]"]],
            processEscapes: true, processEnvironments: true},
  TeX: {equationNumbers: {autoNumber: "AMS", useLabelIds: true}},
  displayAlign: "center", messageStyle: "none",
  "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web",
               imageFont: null, linebreaks: {automatic: true}},
  menuSettings: {assistiveMML: false}
});
MathJax.Hub.Queue(function () { document.body.setAttribute("data-mathjax", "done"); });
</script>
<script src="{{ resources.mathjax_url }}"></script>
{%- endblock html_head_js_mathjax -%}
{% block extra_css %}
<style>
.cu-nav { display: flex; gap: 1.5em; flex-wrap: wrap; padding: 0.6em 1em; margin: 0.5em 0;
          border-top: 1px solid #ccc; border-bottom: 1px solid #ccc; font-size: 95%; }
.cu-explorer-note { border-left: 4px solid #0072b2; background: #eef5fb; padding: 0.5em 1em; }
</style>
{% endblock extra_css %}
"""


@dataclass
class Page:
    """One notebook of the course: its file, its page and what the course map says of it."""

    notebook: Path
    title: str  # "04 · Signal propagation"
    minutes: str = ""  # "40 min"
    knowing: str = ""  # README's "you leave knowing", as markdown

    @property
    def html_name(self) -> str:
        """The page's file name in the site: ``04_signal_propagation.html``."""
        return self.notebook.stem + ".html"


def find_notebooks(source: Path) -> list[Path]:
    """The course's notebooks in ``source``: ``NN_words.ipynb``, in file-name order."""
    source = Path(source)
    if not source.is_dir():
        raise ValueError(f"source: {str(source)!r} is not a folder of notebooks")
    return sorted(source.glob(NOTEBOOK_GLOB))


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _plain(markdown: str) -> str:
    """Markdown and inline LaTeX as plain text for an alt attribute."""
    text = re.sub(r"\\(?:text|mathrm|operatorname)\{([^}]*)\}", r"\1", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links: their text
    text = re.sub(r"^#+\s*", "", text, flags=re.M)  # headings: their words
    text = re.sub(r"[$*`_]|\\(?=[a-zA-Z])", "", text)
    return " ".join(text.split())


def notebook_title(nb: dict, path: Path) -> str:
    """The first ``# `` heading of the notebook, or its file stem when it has none."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            m = re.search(r"^#\s+(.+)$", _source(cell), re.M)
            if m:
                return _plain(m.group(1))
    return path.stem


def _minutes(nb: dict) -> str:
    for cell in nb["cells"][:2]:
        m = re.search(r"About (\d+) minutes", _source(cell))
        if m:
            return f"{m.group(1)} min"
    return ""


def _split_row(line: str) -> list[str]:
    """The cells of a markdown table row (an escaped ``\\|`` stays inside its cell)."""
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [c.strip() for c in cells]


def course_map(readme: str, notebooks: list[Path]) -> list[Page]:
    """A page per notebook: README's course-map row when it links the notebook, else its title.

    The rows are read from the table under ``## Course map``
    (``| NN | [Title](notebooks/NN_words.ipynb) | N min | you leave knowing |``).
    """
    rows = {}
    section = readme.split("## Course map", 1)[1] if "## Course map" in readme else ""
    for line in section.splitlines():
        if line.startswith("## "):
            break
        cells = _split_row(line) if line.startswith("|") else []
        m = (
            re.match(r"\[([^\]]+)\]\((?:notebooks/)?([^)]+\.ipynb)\)", cells[1])
            if cells[1:]
            else None
        )
        if m and len(cells) >= 4:
            rows[Path(m.group(2)).name] = (f"{cells[0]} · {m.group(1)}", cells[2], cells[3])
    pages = []
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        title, minutes, knowing = rows.get(path.name, (notebook_title(nb, path), _minutes(nb), ""))
        pages.append(Page(path, title, minutes or _minutes(nb), knowing))
    return pages


def _titles(code: str) -> tuple[list[str], list[str]]:
    """The string-literal titles a cell's code sets: (suptitles, axes titles)."""
    try:
        tree = ast.parse("\n".join(ln for ln in code.splitlines() if not ln.startswith("%")))
    except SyntaxError:
        return [], []
    sup, axes = [], []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        arg = node.args[0] if node.args else None
        if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            continue
        where = (node.lineno, node.col_offset)
        if node.func.attr == "suptitle":
            sup.append((where, arg.value))
        elif node.func.attr in ("set_title", "title"):
            axes.append((where, arg.value))
    return [t for _, t in sorted(sup)], [t for _, t in sorted(axes)]  # in source order


def figure_alt(code: str, finding: str = "") -> str:
    """Alt text for a figure: the titles its code sets, else the finding sentence after it.

    ``suptitle`` first, then the axes' titles (``set_title``), as plain text; a title
    built by an f-string is not known before the cell runs, so the first sentence of
    ``finding`` (the markdown cell after the figure) stands in.
    """
    sup, axes = _titles(code)
    if sup:
        return _plain(sup[0] + (f" (panels: {'; '.join(axes)})" if axes else ""))
    if axes:
        return _plain("; ".join(axes))
    paragraphs = [p for p in re.split(r"\n\s*\n", finding) if p.strip()[:1] not in ("", "#")]
    sentence = re.split(r"(?<=[.!?])\s", _plain(paragraphs[0]), maxsplit=1)[0] if paragraphs else ""
    return sentence or "A figure of this section (its title is drawn in the image)"


def explorer_note(name: str, figure_id: str | None) -> str:
    """The HTML that stands in for an explorer's widget on the page."""
    where = (
        f'<a href="#{figure_id}">The static figure above</a> shows the same point.'
        if figure_id
        else "The figures above show the same point."
    )
    return (
        f'<div class="cu-explorer-note"><p><strong>Explorer: the {html.escape(name)} '
        "explorer.</strong> Its controls need a running kernel: open this notebook in "
        f"JupyterLab and run it to move them. {where}</p></div>"
    )


def _rewrite_links(text: str, names: dict[str, str], missing: list | None = None) -> str:
    """Links to notebooks point to their pages, ``../README.md`` to the index.

    A link to a notebook that is not in the course is left as it is and added to ``missing``.
    """

    def repl(m):
        target = m.group(2)
        base, _, frag = target.partition("#")
        if base in names:
            target = names[base] + (f"#{frag}" if frag else "")
        elif base in ("../README.md", "README.md"):
            target = "index.html"
        elif base.endswith(".ipynb") and missing is not None:
            missing.append(base)
        return m.group(1) + target

    return _LINK_RE.sub(repl, text)


def _nav(pages: list[Page], i: int | None) -> str:
    """The navigation bar: the course map, the previous page and the next one."""
    parts = ['<a href="index.html">Course map</a>']
    if i is not None and i > 0:
        prev = pages[i - 1]
        parts.append(f'<a rel="prev" href="{prev.html_name}">← {html.escape(prev.title)}</a>')
    if i is not None and i + 1 < len(pages):
        nxt = pages[i + 1]
        parts.append(f'<a rel="next" href="{nxt.html_name}">{html.escape(nxt.title)} →</a>')
    return f'<nav class="cu-nav">{" ".join(parts)}</nav>'


def _markdown_cell(text: str, cell_id: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}


def prepare(nb: dict, pages: list[Page], i: int, missing: list | None = None) -> dict:
    """A copy of notebook ``i`` ready for the page: links, figures, explorers, navigation.

    Links to notebooks that are not in ``pages`` are added to ``missing``.
    """
    nb = copy.deepcopy(nb)
    nb["metadata"].pop("widgets", None)  # no widget manager on the page: nothing to restore
    names = {p.notebook.name: p.html_name for p in pages}
    cells = nb["cells"]
    figures = []  # (index of the code cell, figure id)
    for k, cell in enumerate(cells):
        if cell["cell_type"] == "markdown":
            cell["source"] = _rewrite_links(_source(cell), names, missing)
            continue
        if cell["cell_type"] != "code":
            continue
        code = _source(cell)
        explorer = _EXPLORER_RE.search(code)
        if explorer or any(_WIDGET_MIME in o.get("data", {}) for o in cell.get("outputs", [])):
            recent = [
                f for c, f in figures if sum(x["cell_type"] == "code" for x in cells[c:k]) <= 3
            ]
            name = explorer.group(1).replace("_", " ") if explorer else "interactive"
            note = explorer_note(name, recent[-1] if recent else None)
            data = {"text/html": note, "text/plain": re.sub(r"<[^>]+>", "", note)}
            cell["outputs"] = [{"output_type": "display_data", "data": data, "metadata": {}}]
            continue
        finding = next((_source(c) for c in cells[k + 1 :] if c["cell_type"] == "markdown"), "")
        n_images = 0
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            mime = next((m for m in ("image/png", "image/jpeg") if m in data), None)
            if mime is None:
                continue
            fig_id = f"fig-{cell.get('id', k)}" + (f"-{n_images}" if n_images else "")
            n_images += 1
            figures.append((k, fig_id))
            payload = "".join(data[mime]).replace("\n", "")
            size = "".join(
                f' {d}="{int(v)}"'
                for d in ("width", "height")
                if isinstance(v := out.get("metadata", {}).get(mime, {}).get(d), (int, float))
            )
            img = (
                f'<img id="{fig_id}" src="data:{mime};base64,{payload}"{size} '
                f'alt="{html.escape(figure_alt(code, finding))}">'
            )
            out["data"] = {"text/html": img, "text/plain": data.get("text/plain", "")}
    nav = _nav(pages, i)
    cells.insert(0, _markdown_cell(nav, "cu-site-nav-top"))
    cells.append(_markdown_cell(nav, "cu-site-nav-bottom"))
    return nb


def _index_notebook(readme: str, pages: list[Page]) -> dict:
    """The index page as a notebook of two markdown cells: README's opening and the map."""
    title = re.search(r"^#\s+(.+)$", readme, re.M)
    intro = readme.split("## ", 1)[0]
    intro = re.sub(r"^#\s+.+$", "", intro, count=1, flags=re.M).strip()
    rows = ["| # | notebook | time | you leave knowing |", "|---|---|---|---|"]
    for p in pages:
        number, _, name = p.title.partition(" · ")
        name = name or p.title
        rows.append(f"| {number} | [{name}]({p.html_name}) | {p.minutes} | {p.knowing} |")
    head = f"# {title.group(1) if title else 'The course'}\n\n{intro}\n\n## Course map\n\n"
    body = head + "\n".join(rows) + "\n"
    return {
        "cells": [
            _markdown_cell(_nav(pages, None), "cu-site-nav-top"),
            _markdown_cell(body, "cu-site-map"),
        ],
        "metadata": {"title": title.group(1) if title else "The course"},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def mathjax_source() -> Path:
    """The folder of MathJax 2.7 shipped by the ``jupyter-server-mathjax`` package."""
    try:
        import jupyter_server_mathjax
    except ImportError as err:  # pragma: no cover - a dependency of the package
        raise RuntimeError(
            "the site needs jupyter-server-mathjax (a dependency of course_utils): "
            'python -m pip install -e "."'
        ) from err
    return Path(jupyter_server_mathjax.__file__).parent / "static"


def _copy_mathjax(out: Path) -> None:
    src = mathjax_source()
    dest = out / MATHJAX_DIR
    if dest.exists():
        shutil.rmtree(dest)

    def ignore(folder, names):
        rel = Path(folder).relative_to(src).as_posix()
        return [
            n for n in names if any(f"{rel}/{n}/".lstrip("./").startswith(s) for s in _MATHJAX_SKIP)
        ]

    shutil.copytree(src, dest, ignore=ignore)
    (dest / "localization" / "en").mkdir(parents=True, exist_ok=True)
    shutil.copytree(src / "localization" / "en", dest / "localization" / "en", dirs_exist_ok=True)


def _as_text(element) -> str:
    return element.decode() if isinstance(element, bytes) else str(element)


def _exporter():
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        mathjax_url=f"{MATHJAX_DIR}/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe",
        extra_loaders=[jinja2.DictLoader({"course_site.html.j2": _TEMPLATE})],
    )
    exporter.template_file = "course_site.html.j2"
    # The template runs every code cell's highlighted source through bleach, half the build;
    # the course's own notebooks are trusted, and pygments' markup is kept as it is anyway.
    exporter.register_filter("clean_html", _as_text)
    exporter.log.setLevel("ERROR")
    return exporter


def _export(exporter, nb: dict, name: str) -> str:
    import nbformat

    node = nbformat.reads(json.dumps(nb), as_version=4)  # joins multi-line sources
    resources = {"metadata": {"name": name}}
    body, _ = exporter.from_notebook_node(node, resources=resources)
    return _HEADING_ID_RE.sub(_decoded_id, body)


# nbconvert percent-encodes a heading's id but keeps ' : , as they are, while a markdown
# link's fragment is encoded in full ('%27'): no browser would match the two. The page keeps
# each id decoded (the heading's text with '-' for spaces, as JupyterLab's anchors), which
# any encoding of the fragment decodes to.
_HEADING_ID_RE = re.compile(r'(<h[1-6][^>]*?\sid=")([^"]*)(")')


def _decoded_id(m) -> str:
    ident = unquote(html.unescape(m.group(2)))
    return m.group(1) + html.escape(ident, quote=True) + m.group(3)


def build_site(out_dir, source=None, readme=None) -> list[Path]:
    """Write the site into ``out_dir``: ``index.html``, a page per notebook, MathJax.

    Parameters
    ----------
    out_dir : path
        Made if missing; the pages and ``_static/mathjax`` in it are replaced.
    source : path, optional
        The folder of notebooks; default the repository's ``notebooks/``.
    readme : path, optional
        The README whose course map the index shows; default the repository's.

    Returns
    -------
    list of Path
        The pages written, the index first.
    """
    source = Path(source) if source is not None else ROOT / "notebooks"
    readme = Path(readme) if readme is not None else ROOT / "README.md"
    notebooks = find_notebooks(source)
    if not notebooks:
        raise ValueError(f"source: no notebooks matching {NOTEBOOK_GLOB} in {str(source)!r}")
    readme_text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pages = course_map(readme_text, notebooks)
    exporter = _exporter()
    written = [out / "index.html"]
    written[0].write_text(_export(exporter, _index_notebook(readme_text, pages), "index"), "utf-8")
    for i, page in enumerate(pages):
        missing = []
        nb = prepare(json.loads(page.notebook.read_text(encoding="utf-8")), pages, i, missing)
        for name in sorted(set(missing)):
            print(f"course_utils.site: {page.notebook.name} links {name}, not in the course")
        target = out / page.html_name
        target.write_text(_export(exporter, nb, page.notebook.stem), encoding="utf-8")
        written.append(target)
    _copy_mathjax(out)
    return written


def command_line(module: str, description: str, what: str) -> argparse.ArgumentParser:
    """The parser both commands start from: ``OUT_DIR`` and ``--source DIR``."""
    parser = argparse.ArgumentParser(
        prog=f"python -m course_utils.{module}", description=description
    )
    parser.add_argument("out_dir", help=f"the folder to write {what} into")
    parser.add_argument("--source", help="the folder of notebooks (default: notebooks/)")
    return parser


def main(argv=None) -> int:
    """The command line: ``python -m course_utils.site OUT_DIR [--source DIR]``."""
    parser = command_line(
        "site", "Build the course as a static HTML site that reads offline.", "the site"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        pages = build_site(args.out_dir, source=args.source)
    except (ValueError, RuntimeError) as err:
        print(f"course_utils.site: {err}", file=sys.stderr)
        return 2
    took = time.perf_counter() - start
    print(f"wrote {len(pages)} pages to {args.out_dir} in {took:.1f} s; open {pages[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
