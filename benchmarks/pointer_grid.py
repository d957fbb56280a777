"""Train notebook 09's pointer-task grid and store it (half a minute: too long for a lesson).

    python benchmarks/pointer_grid.py   # writes course_utils/data/pointer_grid.json

What is trained and stored: :mod:`course_utils.pointer_grid` (its ``GRID`` settings).
"""

from course_utils.pointer_grid import grid_main

if __name__ == "__main__":
    grid_main()
