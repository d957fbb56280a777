"""Train notebook 05's paper reproductions and store them (too long for the lesson's 20 s).

    python benchmarks/reproductions.py   # writes course_utils/data/reproductions.json

What is trained and stored: :mod:`course_utils.reproductions` (its ``SETTINGS``).
"""

from course_utils.reproductions import reproductions_main

if __name__ == "__main__":
    reproductions_main()
