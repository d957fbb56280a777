"""Compute notebook 10's width x learning-rate sweep and store it (minutes: too long for a lesson).

One part at a time, so that the shared machine is held briefly (run each under the lock):

    for opt in adam sgd; do for par in standard ntk mup; do
        flock /tmp/heavy.lock python benchmarks/lr_sweep.py --part $opt $par --parts /tmp/parts
    done; done
    python benchmarks/lr_sweep.py --parts /tmp/parts   # merge into course_utils/data/lr_sweep.json

What is trained and stored: :mod:`course_utils.lr_transfer` (its ``SWEEP`` settings).
"""

from course_utils.lr_transfer import sweep_main

if __name__ == "__main__":
    sweep_main()
