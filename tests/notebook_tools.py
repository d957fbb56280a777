"""Reading the course's notebooks from tests: cells, solutions and the code that checks them."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))

SOLUTION_RE = re.compile(
    r"<details>\s*<summary>\s*Solution[^<]*</summary>(.*?)</details>", re.S | re.I
)
FENCED_RE = re.compile(r"```(?:python)?\n(.*?)```", re.S)


def load(path: Path) -> dict:
    """The notebook as a dict (nbformat 4 JSON)."""
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    """A cell's source as one string."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def code_cells(nb: dict) -> list[dict]:
    """The notebook's code cells, in order."""
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def solution_code(markdown: str) -> str | None:
    """The code inside a ``<details><summary>Solution</summary>`` block, dedented."""
    m = SOLUTION_RE.search(markdown)
    if not m:
        return None
    body = m.group(1)
    fenced = FENCED_RE.findall(body)
    if fenced:
        return "\n".join(fenced)
    lines = [ln for ln in body.splitlines() if ln.startswith("    ") or not ln.strip()]
    code = "\n".join(ln[4:] if ln.startswith("    ") else "" for ln in lines)
    return code.strip("\n") + "\n"


def exercises(nb: dict) -> list[tuple[str, str]]:
    """(exercise code cell, solution code) pairs: each solution and the code cell before it."""
    pairs = []
    last_code = None
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            last_code = source(cell)
        elif cell["cell_type"] == "markdown":
            sol = solution_code(source(cell))
            if sol is not None:
                assert last_code is not None, "a solution block before any code cell"
                pairs.append((last_code, sol))
    return pairs


def check_lines(exercise_cell: str) -> str:
    """The statements of an exercise cell that call a check (``cu.checks.check_...``)."""
    return "\n".join(
        ln for ln in exercise_cell.splitlines() if re.match(r"\s*cu\.checks\.check_\w+\(", ln)
    )


def setup_code(nb: dict) -> str:
    """The set-up cell (first code cell) without IPython magics."""
    first = source(code_cells(nb)[0])
    return "\n".join(ln for ln in first.splitlines() if not ln.lstrip().startswith("%"))


def feedback(check, answer) -> str:
    """What an exercise check prints for ``answer`` (it must return None, never raise)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert check(answer) is None
    return buf.getvalue()
