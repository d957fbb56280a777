"""The decision guide is backed: every row says where the course measures it, and the links work.

The guide is the markdown table under the heading "... The guide" in the notebook whose
file name ends in ``choosing_an_initializer.ipynb`` (looked up by that suffix, not by its
number, so renumbering the lessons does not break this test). Its last column, "measured
in", must hold for every row at least one markdown link to a notebook section, or the
words "cited only" for what rests on a citation alone (or both).

Each link ``[text](NN_name.ipynb#anchor)`` (or ``[text](#anchor)`` for the guide's own
notebook) must name an existing notebook and, after ``#``, the anchor of an existing
heading in it. Anchors are computed the way JupyterLab makes them: the heading's rendered
text with every space replaced by ``-``, every other character kept, case kept
(``createHeaderId`` in ``@jupyterlab/rendermime``, ``renderers.ts``:
``(header.textContent ?? '').replace(/ /g, '-')``; checked in the installed JupyterLab
4 bundle). nbconvert's HTML export (``nbconvert.filters.strings._convert_header_id``) does
the same replacement and then percent-encodes what a URL fragment cannot hold (``·``
becomes ``%C2%B7``); a browser looks an anchor up both as written and percent-decoded, so
a link written with the raw characters reaches both, and this test compares the
percent-decoded link with JupyterLab's id. Rendered text means: code spans and emphasis
lose their markers, links keep their text. A heading with LaTeX gets no anchor here
(MathJax's rendered text would be in the id): link to a heading without math.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
GUIDE_SUFFIX = "choosing_an_initializer.ipynb"
CITED = re.compile(r"cited only", re.IGNORECASE)
# [text](target), the target allowing balanced parentheses as CommonMark does
LINK = re.compile(r"\[([^\]]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)")


def guide_notebook(folder: Path = NOTEBOOKS) -> Path:
    """The one notebook whose name ends in ``choosing_an_initializer.ipynb``."""
    found = sorted(folder.glob(f"*{GUIDE_SUFFIX}"))
    assert len(found) == 1, f"expected one *{GUIDE_SUFFIX} in {folder}, found {found}"
    return found[0]


def markdown_lines(path: Path):
    """Every line of every markdown cell, with fenced code blocks left out."""
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        fenced = False
        for line in "".join(cell["source"]).split("\n"):
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
                continue
            if not fenced:
                yield line


def rendered_text(markdown: str) -> str:
    """What a browser shows of an inline markdown fragment (its ``textContent``)."""
    text = re.sub(r"`([^`]*)`", r"\1", markdown)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    return text


def heading_anchors(path: Path) -> set[str]:
    """JupyterLab's ids of the ATX headings (``#`` to ``######``) of a notebook."""
    anchors = set()
    for line in markdown_lines(path):
        match = re.match(r"^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$", line)
        if match and "$" not in match.group(1):
            anchors.add(rendered_text(match.group(1)).replace(" ", "-"))
    return anchors


def split_row(line: str) -> list[str]:
    """The cells of one table row; a ``|`` inside ``$...$``, a code span or ``\\|`` stays."""
    cells, current, math, code, i = [], "", False, False, 0
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            current += body[i : i + 2]
            i += 2
            continue
        if ch == "$" and not code:
            math = not math
        elif ch == "`" and not math:
            code = not code
        if ch == "|" and not math and not code:
            cells.append(current.strip())
            current = ""
        else:
            current += ch
        i += 1
    cells.append(current.strip())
    return cells


def guide_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the first table after the heading that names "The guide"."""
    lines = list(markdown_lines(path))
    start = next(
        (i for i, ln in enumerate(lines) if re.match(r"^#{1,6}\s.*\bThe guide\b", ln)), None
    )
    assert start is not None, f"{path.name}: no heading containing 'The guide'"
    table = []
    for line in lines[start + 1 :]:
        if line.lstrip().startswith("|"):
            table.append(line)
        elif table:
            break
        elif re.match(r"^#{1,6}\s", line):
            break
    assert len(table) >= 3, f"{path.name}: no table under the guide's heading"
    header = [c.lower() for c in split_row(table[0])]
    rows = [split_row(line) for line in table[2:]]
    return header, rows


def guide_problems(path: Path, folder: Path = NOTEBOOKS) -> list[str]:
    """Everything wrong with the guide's backing, one line per problem (empty: all good)."""
    header, rows = guide_table(path)
    if not header or "measured in" not in header[-1]:
        return [
            f"{path.name}: the guide's last column is {header[-1]!r}, not 'measured in': "
            "each row must say which notebook and section measures it, or 'cited only'"
        ]
    problems, anchors = [], {}
    for row in rows:
        name = rendered_text(row[0])[:50] if row else "?"
        if len(row) != len(header):
            problems.append(f"row {name!r}: {len(row)} cells, the header has {len(header)}")
            continue
        where = row[-1]
        links = LINK.findall(where)
        if not links and not CITED.search(where):
            problems.append(
                f"row {name!r}: 'measured in' has neither a link to a section nor 'cited only'"
                f" (it reads {where!r})"
            )
        for text, target in links:
            file, _, fragment = target.partition("#")
            notebook = path if file == "" else folder / unquote(file)
            if not notebook.is_file() or notebook.suffix != ".ipynb":
                problems.append(f"row {name!r}: [{text}] links to {file!r}, not a notebook here")
                continue
            if not fragment:
                problems.append(f"row {name!r}: [{text}]({target}) names no section (#anchor)")
                continue
            if notebook not in anchors:
                anchors[notebook] = heading_anchors(notebook)
            anchor = unquote(fragment)
            if anchor not in anchors[notebook]:
                near = difflib.get_close_matches(anchor, sorted(anchors[notebook]), n=1)
                hint = f"; did you mean #{near[0]}?" if near else ""
                problems.append(
                    f"row {name!r}: [{text}] -> {notebook.name} has no heading #{anchor}{hint}"
                )
    return problems


def test_the_guide_is_found_by_its_name_and_has_rows():
    header, rows = guide_table(guide_notebook())
    assert len(rows) >= 5, rows


def test_every_row_of_the_guide_is_measured_or_marked_cited_only():
    problems = guide_problems(guide_notebook())
    assert not problems, "\n".join(problems)


# --- the helpers themselves, on small cases -----------------------------------------------------
@pytest.mark.parametrize(
    "heading, anchor",
    [
        ("2 · Activations: Xavier, He, LeCun", "2-·-Activations:-Xavier,-He,-LeCun"),
        ("7 · SELU: 3/4 or 1?", "7-·-SELU:-3/4-or-1?"),
        ("4 · He et al. (2015), figure 3", "4-·-He-et-al.-(2015),-figure-3"),
        ("Try it: the `cu.lsuv` **explorer**", "Try-it:-the-cu.lsuv-explorer"),
        ("9 · Sigmoid's mean", "9-·-Sigmoid's-mean"),
        ("fan_in or fan_out", "fan_in-or-fan_out"),
    ],
)
def test_anchor_is_jupyterlab_id(tmp_path, heading, anchor):
    nb = {"cells": [{"cell_type": "markdown", "source": [f"## {heading}\n", "text"]}]}
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb))
    assert heading_anchors(path) == {anchor}


def test_fenced_code_and_math_headings_give_no_anchor(tmp_path):
    source = "```python\n# a comment, not a heading\n```\n## With $x^2$\n## Plain one\n"
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": [source]}]}))
    assert heading_anchors(path) == {"Plain-one"}


def test_split_row_keeps_pipes_inside_math_and_code():
    assert split_row(r"| a | $|x|^2$ | `a|b` | c\|d |") == ["a", "$|x|^2$", "`a|b`", r"c\|d"]


def _guide(tmp_path, rows, other_heading="## 1 · Section one"):
    table = "| you have | initialize with | measured in |\n|---|---|---|\n" + "\n".join(rows)
    guide = {
        "cells": [
            {"cell_type": "markdown", "source": ["## 1 · The guide\n\n" + table + "\n\ntext"]},
            {"cell_type": "markdown", "source": ["## 2 · Evidence here"]},
        ]
    }
    other = {"cells": [{"cell_type": "markdown", "source": [other_heading]}]}
    (tmp_path / "03_other.ipynb").write_text(json.dumps(other))
    path = tmp_path / "08_choosing_an_initializer.ipynb"
    path.write_text(json.dumps(guide))
    return path


def test_a_backed_guide_passes(tmp_path):
    path = _guide(
        tmp_path,
        [
            "| ReLU | He | [08 § 2](#2-·-Evidence-here); [03](03_other.ipynb#1-·-Section-one) |",
            "| transformers | 0.02 | cited only: Radford et al. 2019 |",
            "| percent-encoded | x | [03](03_other.ipynb#1-%C2%B7-Section-one) |",
        ],
    )
    assert guide_notebook(tmp_path) == path
    assert guide_problems(path, tmp_path) == []


@pytest.mark.parametrize(
    "row, words",
    [
        ("| ReLU | He | notebook 03 |", ["neither a link", "cited only"]),
        ("| ReLU | He | [03](03_other.ipynb#1-·-Section-two) |", ["no heading", "did you mean"]),
        ("| ReLU | He | [09](09_missing.ipynb#x) |", ["not a notebook"]),
        ("| ReLU | He | [03](03_other.ipynb) |", ["names no section"]),
        ("| ReLU | He | [here](#3-·-Nowhere) |", ["no heading #3-·-Nowhere"]),
        ("| ReLU | He |", ["cells"]),
    ],
)
def test_an_unbacked_row_is_named(tmp_path, row, words):
    problems = guide_problems(_guide(tmp_path, [row]), tmp_path)
    assert len(problems) == 1, problems
    for word in words:
        assert word in problems[0], (word, problems[0])


def test_a_guide_without_the_column_fails(tmp_path):
    nb = {
        "cells": [
            {
                "cell_type": "markdown",
                "source": ["## 1 · The guide\n\n| a | b |\n|---|---|\n| x | y |"],
            }
        ]
    }
    path = tmp_path / "08_choosing_an_initializer.ipynb"
    path.write_text(json.dumps(nb))
    (problem,) = guide_problems(path, tmp_path)
    assert "not 'measured in'" in problem
