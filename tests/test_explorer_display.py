"""What an explorer stores in a notebook: its widget view, and as text a note on what it is.

A front-end that cannot draw the widget (JupyterLab before the cell runs, a static render)
shows the text/plain; it must say what the cell is and how to get its controls, never
``VBox(children=(HBox(...``.
"""

from __future__ import annotations

import re

import pytest

import course_utils as cu
from notebook_tools import NOTEBOOKS, code_cells, load, source

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
EXPLORERS = {
    "compounding_explorer": "the compounding explorer (factor, depth)",
    "edge_of_chaos_explorer": "the edge of chaos explorer (sigma_w2, sigma_b2)",
}


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_the_bundle_is_the_widget_view_with_a_note_as_text(name):
    from IPython.core.formatters import DisplayFormatter

    explorer = getattr(cu.widgets, name)()
    data, _ = DisplayFormatter().format(explorer)
    assert data[WIDGET_MIME]["model_id"] == explorer.widget.model_id  # the view still works
    assert data["text/plain"] == (
        f"Explorer: {EXPLORERS[name]}. Run this cell in JupyterLab to get its controls; "
        "the static figure above shows the same."
    )
    assert "children=" not in data["text/plain"]


def test_every_explorer_describes_itself():
    for name in ("compounding_explorer", "propagation_explorer", "edge_of_chaos_explorer"):
        explorer = getattr(cu.widgets, name)()
        what = explorer.describe()
        assert what.startswith("the ") and " explorer (" in what, what
        assert all(control in what for control in explorer.controls), what


def test_an_explorer_of_an_unnamed_compute_is_still_described():
    explorer = cu.widgets.compounding_explorer()
    explorer.compute = lambda **params: None
    assert explorer.describe() == "an explorer (factor, depth)"


def _explorer_cells(path):
    return [
        c for c in code_cells(load(path)) if re.search(r"cu\.widgets\.\w+_explorer\(", source(c))
    ]


def _executed(path) -> bool:
    counts = [c.get("execution_count") for c in code_cells(load(path))]
    return counts == list(range(1, len(counts) + 1))  # run top to bottom in one go


EXECUTED = [p for p in NOTEBOOKS if _executed(p)]


@pytest.mark.parametrize("path", EXECUTED, ids=[p.stem for p in EXECUTED])
def test_stored_explorer_cells_say_what_they_are(path):
    """Each stored explorer cell's text says what it is (the notebook re-executed since)."""
    for cell in _explorer_cells(path):
        texts = [o["data"].get("text/plain", "") for o in cell["outputs"] if "data" in o]
        text = "".join("".join(t) if isinstance(t, list) else t for t in texts)
        assert text.startswith("Explorer: "), (path.name, cell.get("id"), text[:80])
        assert "Run this cell in JupyterLab" in text
