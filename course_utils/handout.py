"""Student copies of the notebooks: ``python -m course_utils.handout OUT_DIR``.

Each notebook in ``notebooks/`` (found by glob, in file-name order) is written to
``OUT_DIR`` with every output and execution count cleared, the stored widget state
dropped, and each folded solution (``<details><summary>Solution</summary> ...
</details>``, docs/LESSON.md section 5) taken out; the exercise stubs and their
``cu.checks.check_...`` lines stay, so a learner who runs a handout gets ``Not yet:`` and
a hint. A first markdown cell says that this is a handout and where the solutions are.
``--keep-solutions`` keeps them (a self-study copy). The command refuses to write into
``notebooks/`` itself and never overwrites a file without ``--force``.

Cell ids are kept (the new header cell gets its own), so a handout cell can be matched
with the course's. Only the standard library is used: notebooks are JSON.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

from .site import ROOT, _source, command_line, find_notebooks

__all__ = ["SOLUTION_RE", "handout_notebook", "main", "write_handouts"]

#: a folded solution, as docs/LESSON.md lays it out (tests/notebook_tools.py reads the same)
SOLUTION_RE = re.compile(
    r"<details>\s*<summary>\s*Solution[^<]*</summary>.*?</details>\s*", re.S | re.I
)
HEADER_ID = "handout-header"


def _header(name: str, keep_solutions: bool, n_removed: int) -> str:
    if keep_solutions:
        where = (
            "This is a **self-study copy**: each exercise's solution is folded below it "
            "(click *Solution*). Try the exercise first; the check tells you when it is right."
        )
    else:
        where = (
            f"This is a **student copy**: the outputs are cleared and the {n_removed} "
            "folded solution(s) are taken out. The solutions are in the course's own "
            f"notebook, `notebooks/{name}` in the course repository (folded under each "
            "exercise), or ask your instructor."
        )
    return (
        f"> **Handout.** {where} Run the cells from the top (*Run → Run All Cells*); each "
        "exercise's check prints `Not yet:` with a hint until your answer is right."
    )


def handout_notebook(nb: dict, name: str, *, keep_solutions: bool = False) -> dict:
    """A student copy of one notebook (a dict in nbformat 4 JSON), the input left unchanged.

    Parameters
    ----------
    nb : dict
        The notebook as read from its ``.ipynb`` file.
    name : str
        Its file name, for the header (``02_deriving_xavier.ipynb``).
    keep_solutions : bool
        Keep the folded solutions (a self-study copy).

    Returns
    -------
    dict
        The copy: outputs and execution counts cleared, widget state dropped, solutions
        removed (a markdown cell left empty by that is dropped), a header cell first.
    """
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise TypeError(
            f"nb: expected a notebook dict with a 'cells' list, got {type(nb).__name__}"
        )
    out = copy.deepcopy(nb)
    out.get("metadata", {}).pop("widgets", None)
    cells, removed = [], 0
    for cell in out["cells"]:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
            cell.get("metadata", {}).pop("execution", None)
        elif cell.get("cell_type") == "markdown" and not keep_solutions:
            text, n = SOLUTION_RE.subn("", _source(cell))
            removed += n
            if n and not text.strip():
                continue
            if n:
                cell["source"] = text
        cells.append(cell)
    header = {
        "cell_type": "markdown",
        "id": HEADER_ID,
        "metadata": {},
        "source": _header(name, keep_solutions, removed),
    }
    out["cells"] = [header, *cells]
    return out


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def write_handouts(out_dir, *, source=None, keep_solutions=False, force=False) -> list[Path]:
    """Write a handout of every notebook in ``source`` into ``out_dir``; return the paths.

    Raises ``ValueError`` when ``out_dir`` is (or is inside) the source folder, when
    ``source`` holds no notebooks, or when a file would be overwritten without ``force``.
    """
    source = Path(source) if source is not None else ROOT / "notebooks"
    out = Path(out_dir)
    notebooks = find_notebooks(source)
    if _inside(out.resolve(), source.resolve()):
        raise ValueError(
            f"out_dir: {str(out_dir)!r} is the course's notebooks folder (or inside it); "
            "handouts go elsewhere, e.g. handouts/"
        )
    if not notebooks:
        raise ValueError(f"source: no notebooks like NN_name.ipynb in {str(source)!r}")
    targets = [out / p.name for p in notebooks]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        names = ", ".join(t.name for t in existing[:3]) + (" ..." if len(existing) > 3 else "")
        raise ValueError(
            f"out_dir: {len(existing)} file(s) already there ({names}); "
            "pass --force to overwrite them"
        )
    out.mkdir(parents=True, exist_ok=True)
    for path, target in zip(notebooks, targets):
        nb = json.loads(path.read_text(encoding="utf-8"))
        copy_ = handout_notebook(nb, path.name, keep_solutions=keep_solutions)
        text = json.dumps(copy_, indent=1, ensure_ascii=False) + "\n"  # as nbformat writes
        target.write_text(text, encoding="utf-8")
    return targets


def main(argv=None) -> int:
    """The command line: ``python -m course_utils.handout OUT_DIR [--keep-solutions] [--force]``."""
    parser = command_line(
        "handout",
        "Write student copies of the notebooks: outputs cleared, solutions out.",
        "the handouts",
    )
    parser.add_argument(
        "--keep-solutions", action="store_true", help="keep the folded solutions (self-study)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    args = parser.parse_args(argv)
    try:
        written = write_handouts(
            args.out_dir, source=args.source, keep_solutions=args.keep_solutions, force=args.force
        )
    except ValueError as err:
        print(f"course_utils.handout: {err}", file=sys.stderr)
        return 2
    kind = "self-study copies" if args.keep_solutions else "student copies"
    print(f"wrote {len(written)} {kind} to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
