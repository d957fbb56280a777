"""The bones every lesson notebook shares (docs/LESSON.md), checked on the stored files.

nbval compares outputs; these tests catch what nbval silently lets through (an
unexecuted cell is not compared) and what makes a notebook a lesson.
"""

from __future__ import annotations

import contextlib
import io
import re

import matplotlib
import pytest

from notebook_tools import (
    NOTEBOOKS,
    check_lines,
    code_cells,
    exercises,
    load,
    setup_code,
    source,
)

matplotlib.use("Agg")

ids = [p.stem for p in NOTEBOOKS]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"
    assert NOTEBOOKS[0].name == "00_start_here.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_execution_counts_run_1_to_n(path):
    """nbval does not compare a cell with no execution count: every cell must have run, in order."""
    counts = [c.get("execution_count") for c in code_cells(load(path))]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts}; re-run "
        f"jupyter nbconvert --to notebook --execute --inplace {path.relative_to(path.parents[1])}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_errors_or_warnings_stored(path):
    for i, cell in enumerate(code_cells(load(path)), 1):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{path.name} cell {i}: {out.get('ename')}"
            if out["output_type"] == "stream":
                assert out["name"] != "stderr", f"{path.name} cell {i} wrote to stderr: {out}"
            if out["output_type"] != "execute_result":
                continue  # a figure's display_data carries "<Figure size ...>" beside its PNG
            text = "".join(out.get("data", {}).get("text/plain", ""))
            assert not re.search(r"np\.float64\(|<Figure size", text), (
                f"{path.name} cell {i} shows a bare repr: {text[:80]!r}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_header_setup_and_takeaways(path):
    nb = load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    first = source(nb["cells"][0])
    assert first.startswith("# "), f"{path.name}: the first cell is the title"
    assert re.search(r"\*About \d+ minutes", first), f"{path.name}: estimated time missing"
    if not path.name.startswith("00"):
        bullets = re.findall(r"^- ", first.split("You will learn", 1)[-1], re.M)
        assert "You will learn" in first and 3 <= len(bullets) <= 5, path.name
    setup = source(code_cells(nb)[0])
    assert setup.lstrip().startswith("%matplotlib inline"), f"{path.name}: set-up cell"
    assert "cu.use_course_style()" in setup and "default_rng(" in setup
    text = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "Key takeaways" in text, f"{path.name}: no key takeaways"
    assert "np.random.seed" not in "\n".join(source(c) for c in code_cells(nb))


def test_each_notebook_links_to_the_next():
    for path, nxt in zip(NOTEBOOKS, NOTEBOOKS[1:]):
        text = "\n".join(source(c) for c in load(path)["cells"])
        assert f"({nxt.name})" in text, f"{path.name} does not link to {nxt.name}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_plot_cells_end_with_show(path):
    """Under nbval a trailing ';' does not hide a plot's return value: end with plt.show()."""
    for i, cell in enumerate(code_cells(load(path)), 1):
        src = source(cell)
        if re.search(r"\b(plt\.subplots|plt\.figure|cu\.plots\.plot_)", src):
            last = [ln for ln in src.strip().splitlines() if ln.strip()][-1]
            assert last.strip() == "plt.show()", f"{path.name} cell {i} ends with {last!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_explorers_are_tagged_and_have_a_static_figure(path):
    cells = code_cells(load(path))
    for i, cell in enumerate(cells):
        if "cu.widgets." in source(cell) and "_explorer(" in source(cell):
            tags = cell.get("metadata", {}).get("tags", [])
            assert "nbval-ignore-output" in tags, f"{path.name} cell {i + 1}: tag the explorer"
            before = " ".join(source(c) for c in cells[max(0, i - 3) : i])
            assert "plt.show()" in before, f"{path.name} cell {i + 1}: no static figure before"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_stubs_get_feedback_not_an_exception(path):
    """Each exercise cell, as stored (with its stub), printed 'Not yet' or 'Correct'."""
    nb = load(path)
    for cell in code_cells(nb):
        if check_lines(source(cell)):
            printed = "".join(
                "".join(o.get("text", "")) for o in cell["outputs"] if o["output_type"] == "stream"
            )
            assert re.search(r"^(Not yet|Correct):", printed, re.M), (path.name, printed)


SOLUTIONS = [
    pytest.param(path, k, id=f"{path.stem}-ex{k + 1}")
    for path in NOTEBOOKS
    for k in range(len(exercises(load(path))))
]


@pytest.mark.parametrize("path, k", SOLUTIONS)
def test_solution_passes_its_check(path, k):
    """Run the set-up cell, the solution, then the exercise's check lines: 'Correct'."""
    nb = load(path)
    exercise, solution = exercises(nb)[k]
    checks = check_lines(exercise)
    assert checks, f"{path.name}: exercise {k + 1} has no cu.checks call"
    ns: dict = {}
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(setup_code(nb), "<setup>", "exec"), ns)
        exec(compile(solution, "<solution>", "exec"), ns)
        exec(compile(checks, "<checks>", "exec"), ns)
    out = buf.getvalue()
    assert "Correct:" in out and "Not yet" not in out, out
