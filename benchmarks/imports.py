"""How long does ``import course_utils`` take, beside numpy's own import? Goal: <= 2.5x.

Each import runs in a fresh interpreter (``python -c "import X"``), alternating the three
commands so that they share the machine's load, and the interpreter's own start-up
(``python -c pass``) is subtracted. ``course_utils`` imports numpy itself, so its figure
includes numpy's: the ratio is what a learner waits for the course against what numpy
alone costs.

    python benchmarks/imports.py [--repeats 15]

Prints ``BENCH import:<what> <median> ms`` and the ratio, and which heavy modules
(matplotlib, ipywidgets) the import loaded: none, since they load on first use (PEP 562).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python": "pass",
    "numpy": "import numpy",
    "course_utils": "import course_utils",
}


def run(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    times = {name: [] for name in COMMANDS}
    for code in COMMANDS.values():  # warm the file cache
        run(code)
    for _ in range(args.repeats):
        for name, code in COMMANDS.items():
            times[name].append(run(code))
    base = statistics.median(times["python"])
    cost = {name: statistics.median(t) - base for name, t in times.items() if name != "python"}
    for name, value in cost.items():
        print(f"BENCH import:{name} {1000 * value:.1f} ms")
    print(
        f"# ratio course_utils / numpy = {cost['course_utils'] / cost['numpy']:.2f} (goal <= 2.5)"
    )
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, course_utils; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"# heavy modules loaded by 'import course_utils': {loaded}")


if __name__ == "__main__":
    main()
