"""Handouts (course_utils.handout): student copies of every notebook, and one of them run."""

from __future__ import annotations

import json
import re

import pytest

from course_utils import handout
from notebook_tools import NOTEBOOK_DIR, NOTEBOOKS, check_lines, code_cells, exercises, load, source

pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks")


@pytest.fixture(scope="module")
def handouts(tmp_path_factory):
    """Student copies of the course, written once."""
    out = tmp_path_factory.mktemp("handouts")
    return handout.write_handouts(out), out


def _solutions(nb: dict) -> int:
    return sum(
        len(handout.SOLUTION_RE.findall(source(c)))
        for c in nb["cells"]
        if c["cell_type"] == "markdown"
    )


def test_one_handout_per_notebook_same_names(handouts):
    written, out = handouts
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]
    assert all(p.parent == out for p in written)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_handout_is_cleared_keeps_the_code_and_drops_the_solutions(handouts, path):
    _, out = handouts
    original, copy_ = load(path), load(out / path.name)
    header, *cells = copy_["cells"]
    assert header["cell_type"] == "markdown" and "Handout" in source(header)
    assert f"notebooks/{path.name}" in source(header)  # where the solutions are
    assert "widgets" not in copy_["metadata"]
    for cell in code_cells(copy_):
        assert cell["outputs"] == [] and cell["execution_count"] is None
    # every code cell kept, in order, word for word: the stubs and their check lines
    assert [source(c) for c in code_cells(copy_)] == [source(c) for c in code_cells(original)]
    assert _solutions(copy_) == 0 and "<details>" not in json.dumps(copy_)
    # every other cell kept with its id (a cell that held only a solution is gone)
    ids = [c.get("id") for c in cells]
    kept = [c.get("id") for c in original["cells"] if c.get("id") in ids]
    assert ids == kept and len(set(ids)) == len(ids) and handout.HEADER_ID not in ids
    gone = [c for c in original["cells"] if c.get("id") not in ids]
    assert all(not handout.SOLUTION_RE.sub("", source(c)).strip() for c in gone), gone
    n_checks = sum(bool(check_lines(code)) for code, _ in exercises(original))
    assert n_checks == len(exercises(original))  # each exercise keeps its check


def test_text_around_a_solution_stays():
    nb = {
        "cells": [
            {
                "cell_type": "markdown",
                "id": "a",
                "metadata": {},
                "source": "Before.\n\n<details><summary>Solution</summary>\n\n"
                "```python\nx = 1\n```\n\n</details>\n\nAfter.",
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    out = handout.handout_notebook(nb, "00_x.ipynb")
    assert source(out["cells"][1]) == "Before.\n\nAfter."
    assert "1 folded solution(s)" in source(out["cells"][0])
    assert "<details>" in source(nb["cells"][0])  # the input is left as it was
    kept = handout.handout_notebook(nb, "00_x.ipynb", keep_solutions=True)
    assert "<details>" in source(kept["cells"][1]) and "self-study" in source(kept["cells"][0])


def test_keep_solutions_keeps_every_solution(tmp_path):
    written = handout.write_handouts(tmp_path, keep_solutions=True)
    for path, original in zip(written, NOTEBOOKS):
        copy_ = load(path)
        assert _solutions(copy_) == _solutions(load(original))
        assert all(c["outputs"] == [] for c in code_cells(copy_))


def test_refuses_the_notebooks_folder_and_inside_it(capsys):
    before = {p: p.stat().st_mtime_ns for p in NOTEBOOK_DIR.iterdir()}
    for target in (NOTEBOOK_DIR, NOTEBOOK_DIR / "handouts", NOTEBOOK_DIR / ".." / "notebooks"):
        assert handout.main([str(target), "--force"]) == 2
        assert "notebooks folder" in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in NOTEBOOK_DIR.iterdir()} == before
    assert not (NOTEBOOK_DIR / "handouts").exists()


def test_never_overwrites_without_force(tmp_path, capsys):
    assert handout.main([str(tmp_path)]) == 0
    target = tmp_path / NOTEBOOKS[0].name
    target.write_text("mine", encoding="utf-8")
    assert handout.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "already there" in err and "--force" in err and NOTEBOOKS[0].name in err
    assert target.read_text(encoding="utf-8") == "mine"
    assert handout.main([str(tmp_path), "--force"]) == 0
    assert load(target)["cells"][0]["id"] == handout.HEADER_ID


def test_bad_input_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not a folder of notebooks"):
        handout.write_handouts(tmp_path / "out", source=tmp_path / "missing")
    with pytest.raises(ValueError, match="no notebooks like NN_name.ipynb"):
        (tmp_path / "empty").mkdir()
        handout.write_handouts(tmp_path / "out", source=tmp_path / "empty")
    with pytest.raises(TypeError, match="nb: expected a notebook dict"):
        handout.handout_notebook([], "00_x.ipynb")


def _with_exercises():
    """The shortest notebook (fewest code cells) that has an exercise."""
    with_ex = [p for p in NOTEBOOKS if exercises(load(p))]
    return min(with_ex, key=lambda p: len(code_cells(load(p))))


def test_a_handout_runs_and_its_stubs_say_not_yet(handouts):
    """Executed top to bottom in a kernel: no error, and every check of a stub says Not yet."""
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    _, out = handouts
    original = _with_exercises()
    stubs = {code for code, _ in exercises(load(original))}
    nb = nbformat.read(out / original.name, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(out)}}
    )
    client.execute()
    checked = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
        assert not [o for o in cell.outputs if o.get("name") == "stderr"], cell.source
        if cell.source in stubs:
            printed = "".join(o.get("text", "") for o in cell.outputs)
            assert re.search(r"^Not yet:", printed, re.M), (cell.source, printed)
            checked += 1
    assert checked == len(stubs) >= 1
