"""Every notebook of the course in real JupyterLab: it runs clean and its explorers respond."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lab_driver import check_notebook

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS], ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_its_explorers_respond(name, lab, page, tmp_path):
    report = check_notebook(page, lab, f"notebooks/{name}", tmp_path / f"{Path(name).stem}.png")
    print(report)
    # Each cell that makes an explorer shows one: the checker cannot pass by finding none.
    cells = json.loads((NOTEBOOK_DIR / name).read_text(encoding="utf-8"))["cells"]
    makers = sum(
        c["cell_type"] == "code" and bool(re.search(r"_explorer\(", "".join(c["source"])))
        for c in cells
    )
    assert report.explorers >= makers, f"{makers} explorer cells, {report.explorers} found"
