"""Every notebook of the course in real JupyterLab: it runs clean and its explorers respond."""

from __future__ import annotations

from pathlib import Path

import pytest
from lab_driver import check_notebook

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS], ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_its_explorers_respond(name, lab, page, tmp_path):
    report = check_notebook(page, lab, f"notebooks/{name}", tmp_path / f"{Path(name).stem}.png")
    print(report)
