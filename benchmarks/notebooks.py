"""How long does each notebook take to run? Goal: <= 20 s a notebook on 2 cores.

Executes every notebook of ``notebooks/`` (or those named with ``--only``) in a fresh
kernel, as ``Restart Kernel and Run All Cells`` does, without writing anything back, and
prints one line per notebook: the wall time of the whole run, its slowest cell and that
cell's time. The instructor guide's "run time" column comes from this script.

    python benchmarks/notebooks.py [--only 05 08] [--markdown]

Prints ``BENCH notebook:<stem> <seconds> s``. Run it on a quiet machine: another job on
the same cores makes every number larger.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 20.0


def time_notebook(path: Path) -> tuple[float, float, int]:
    """Run ``path`` in a fresh kernel; return (total seconds, slowest cell's seconds, its index)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    cell_times: dict[int, float] = {}
    starts: dict[int, float] = {}

    def on_start(cell, cell_index):
        starts[cell_index] = time.perf_counter()

    def on_end(cell, cell_index, **_):
        cell_times[cell_index] = time.perf_counter() - starts[cell_index]

    client.on_cell_start = on_start
    client.on_cell_executed = on_end
    t0 = time.perf_counter()
    client.execute()
    total = time.perf_counter() - t0
    slowest = max(cell_times, key=cell_times.get) if cell_times else -1
    return total, cell_times.get(slowest, 0.0), slowest


def main(argv=None) -> None:
    """Time the notebooks and print one BENCH line (and optionally a table) each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="notebook number prefixes")
    parser.add_argument("--markdown", action="store_true", help="also print a markdown table")
    args = parser.parse_args(argv)
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if args.only:
        paths = [p for p in paths if any(p.name.startswith(k) for k in args.only)]
    print(f"# {os.cpu_count()} cores; goal <= {GOAL_S:g} s a notebook (kernel start included)")
    rows = []
    for path in paths:
        total, slow, index = time_notebook(path)
        flag = "" if total <= GOAL_S else "  OVER THE GOAL"
        print(
            f"BENCH notebook:{path.stem} {total:.1f} s  (slowest cell {index}: {slow:.1f} s){flag}"
        )
        rows.append((path.stem, total, slow, index))
    if args.markdown:
        print("\n| notebook | run time | slowest cell |\n|---|---|---|")
        for stem, total, slow, index in rows:
            print(f"| {stem[:2]} | {total:.0f} s | {slow:.1f} s (cell {index}) |")


if __name__ == "__main__":
    main()
