"""Before Run All: each stored explorer cell reads, in real JupyterLab, as what it is.

A notebook opened without running it has no widget models, so JupyterLab shows an explorer
cell's stored text/plain. It must be the explorer's note ("Explorer: the compounding
explorer (factor, depth). Run this cell in JupyterLab to get its controls; ..."), never a
bare widget repr such as ``VBox(children=(HBox(...``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lab_driver import IDLE, _status_is, _wait

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
EXPLORER_RE = re.compile(r"cu\.widgets\.\w+_explorer\(")


def _explorer_cells(path: Path) -> list[int]:
    """The positions, among the code cells, of the stored cells that made an explorer."""
    cells = [c for c in json.loads(path.read_text("utf-8"))["cells"] if c["cell_type"] == "code"]
    return [
        k
        for k, c in enumerate(cells)
        if EXPLORER_RE.search("".join(c["source"])) and c.get("outputs")  # executed
    ]


WITH_EXPLORERS = [p for p in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb")) if _explorer_cells(p)]

pytestmark = pytest.mark.browser

_OUTPUT_TEXT_JS = """(positions) => {
  const cells = [...document.querySelectorAll(".jp-Notebook .jp-CodeCell")];
  return positions.map((k) => cells[k] ?
      [...cells[k].querySelectorAll(".jp-OutputArea-output")].map((o) => o.innerText).join("\\n")
      : null);
}"""


@pytest.mark.parametrize("path", WITH_EXPLORERS, ids=[p.stem for p in WITH_EXPLORERS])
def test_stored_explorer_reads_as_a_note_before_it_runs(path, lab, page):
    relpath = f"notebooks/{path.name}"
    page.goto(lab.page_url(relpath, "stored-" + path.stem))
    _wait(f"the status bar to read {IDLE!r}", lambda: _status_is(page, IDLE))
    positions = _explorer_cells(path)
    texts = page.evaluate(_OUTPUT_TEXT_JS, positions)
    for k, text in zip(positions, texts):
        assert text is not None, f"{path.name}: code cell {k} is not on the page"
        assert "children=" not in text, f"{path.name}: code cell {k} shows a widget repr: {text}"
        assert text.strip().startswith("Explorer: "), f"{path.name}: code cell {k}: {text!r}"
        assert "Run this cell in JupyterLab to get its controls" in text
