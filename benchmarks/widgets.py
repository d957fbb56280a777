"""How long does one slider move of each explorer take? Goal: <= 50 ms a case.

Every ``*_explorer`` function of ``course_utils.widgets`` is found by name, built once
(Agg backend, the course's plot style), then timed doing what a slider move does:
``Explorer.refresh`` (the pure compute and the redraw of the figure's artists) followed by
``Explorer.render_png`` (the PNG the notebook receives). Each case runs at the explorer's
defaults and, for the explorers listed in ``LARGEST``, at its most expensive setting;
an explorer not listed there is timed at its defaults only (and says so).

    python benchmarks/widgets.py [--repeats 15] [--only propagation]

Prints ``BENCH <explorer>:<case> <median> ms`` (compute + draw + PNG, median after a
warm-up, cases timed in alternation so that they share the machine's load), and for each
case a ``#`` line with the split (compute + draw, the PNG alone) and the CPU time of a
move: on a shared machine the wall time also counts the wait for a busy core. A case
repeats one setting; the ``drag`` case of an explorer with a continuous slider (DRAG)
moves that slider one step a move, as a hand does, at the largest setting.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import os
import statistics
import time
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

# benchmarks/training.py, beside this file: the same timing and BLAS report.
from training import describe_blas, paired_median_ms  # noqa: E402

import course_utils as cu  # noqa: E402
from course_utils import widgets  # noqa: E402

#: The most expensive setting of each explorer this file knows, as overrides of its controls.
LARGEST = {
    "compounding_explorer": {"factor": 1.5, "depth": 100},
    "propagation_explorer": {"depth": 100, "width": 1024},
    "edge_of_chaos_explorer": {"sigma_w2": 4.0, "sigma_b2": 0.3},  # chaotic: c* by bisection
    "gradient_through_time_explorer": {"T": 200, "recurrent_init": "spectral_radius"},
    "width_explorer": {"width": 512, "parametrization": "standard", "lr": 0.1},  # 2 x 3 Adam steps
    "transformer_explorer": {"d_model": 64, "n_layers": 8, "init": "xavier", "norm": "post"},
}
#: More cases worth a line: the propagation explorer's largest network whose weights are
#: all drawn (64^2 x 101 weights; above 2^19 it samples layer by layer instead).
EXTRA = {"propagation_explorer": {"largest_drawn": {"depth": 100, "width": 64}}}


#: The sliders a hand drags, per explorer: each "drag:<slider>" case moves one of them a
#: step a move from its value at the largest setting (a new value every time, so no cache
#: of a setting helps), bouncing at the slider's ends.
DRAG = {
    "compounding_explorer": ("factor", "depth"),
    "edge_of_chaos_explorer": ("sigma_w2", "sigma_b2"),
    "gradient_through_time_explorer": ("scale", "T"),
    "propagation_explorer": ("scale", "depth", "bias_std", "width", "layer"),
    "transformer_explorer": ("n_layers",),
    "width_explorer": ("width", "lr"),
}


def drag_values(control, start, n: int) -> list:
    """``n`` values of a slider, one step apart from ``start``, bouncing at its ends."""
    if hasattr(control, "options"):  # a SelectionSlider: from one option to the next
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        slider = SimpleNamespace(min=0, max=len(options) - 1, step=1, value=0)
        return [options[i] for i in drag_values(slider, options.index(start), n)]
    log = hasattr(control, "base")  # FloatLogSlider: its min, max and step are exponents
    lo, hi, step = control.min, control.max, control.step
    x = math.log(start, control.base) if log else start
    values, direction = [], 1 if x + step <= hi else -1
    for _ in range(n):
        if not lo <= x + direction * step <= hi:
            direction = -direction
        x += direction * step
        values.append(round(control.base**x, 12) if log else round(x, 12))
    return [int(v) for v in values] if isinstance(control.value, int) else values


#: The playground (it plays frame by frame, so it is timed by the frame, not a move): a
#: frame is its training steps, the boundary on its grid, the redraw and the PNG. Cases
#: are overrides of ``cu.widgets.playground``; the widest network drawn edge by edge, and
#: the largest setting its controls allow.
PLAYGROUND_CASES = {
    "default": {},
    "widest_drawn": {"hidden_layers": 6, "width": 16},
    "largest": {"hidden_layers": 6, "width": 64, "n_points": 1000, "steps_per_frame": 50},
}


def bench_playground(repeats: int) -> None:
    """Time one frame of the playground (``advance`` then ``render_png``) for each case."""
    for case, overrides in PLAYGROUND_CASES.items():
        with contextlib.redirect_stdout(io.StringIO()):
            pg = widgets.playground(**overrides)

        def frame(pg=pg):
            pg.advance()
            pg.render_png()

        (total,) = paired_median_ms([frame], repeats, warmup=3)
        cpu = cpu_median_ms(frame, repeats)
        shown = ", ".join(f"{k}={v}" for k, v in overrides.items()) or "defaults"
        print(f"# playground:{case} ({shown}): a frame; CPU time of a frame {cpu:.1f} ms")
        print(f"BENCH playground:{case} {total:.1f} ms")


def explorers() -> dict:
    """Every public ``*_explorer`` function of ``course_utils.widgets``, by name."""
    return {
        name: fn
        for name, fn in sorted(vars(widgets).items())
        if name.endswith("_explorer") and not name.startswith("_") and callable(fn)
    }


def cases(name: str) -> dict:
    """``{case: overrides}``: the defaults, the largest setting when known, and EXTRA."""
    out = {"default": {}}
    if name in LARGEST:
        out["largest"] = LARGEST[name]
    return {**out, **EXTRA.get(name, {})}


def bench(name: str, make, repeats: int) -> None:
    """Build one explorer, time each of its cases, print the BENCH lines."""
    with contextlib.redirect_stdout(io.StringIO()):  # building shows the first update
        explorer = make()
    if hasattr(explorer, "show_pending"):
        bench_button_explorer(name, explorer, repeats)
        return
    if name not in LARGEST:
        print(f"# {name}: no largest setting known here (add it to LARGEST); defaults only")
    for case, overrides in cases(name).items():

        def refresh(overrides=overrides):
            explorer.refresh(**overrides)

        def move(refresh=refresh):
            refresh()
            explorer.render_png()

        total, compute_draw, png = paired_median_ms(
            [move, refresh, explorer.render_png], repeats, warmup=3
        )
        cpu = cpu_median_ms(move, repeats)
        shown = ", ".join(f"{k}={v}" for k, v in overrides.items()) or "defaults"
        print(
            f"# {name}:{case} ({shown}): compute + draw {compute_draw:.1f} ms, PNG {png:.1f} "
            f"ms; CPU time of a move {cpu:.1f} ms"
        )
        print(f"BENCH {name}:{case} {total:.1f} ms")
    for key in DRAG.get(name, ()):
        bench_drag(name, explorer, key, repeats)


def bench_drag(name: str, explorer, key: str, repeats: int) -> None:
    """Time moves that each set a new value of slider ``key``, at the largest setting."""
    setting = LARGEST.get(name, {})
    control = explorer.controls[key]
    start = setting.get(key, control.value)
    values = iter(drag_values(control, start, 2 * (repeats + 3)))

    def move():
        explorer.refresh(**{**setting, key: next(values)})
        explorer.render_png()

    (total,) = paired_median_ms([move], repeats, warmup=3)
    shown = ", ".join(f"{k}={v}" for k, v in setting.items())
    print(f"# {name}:drag:{key} ({shown}; {key} one step a move from {start})")
    print(f"BENCH {name}:drag:{key} {total:.1f} ms")


def bench_button_explorer(name: str, explorer, repeats: int) -> None:
    """An explorer with a Train button: a control move only redraws; the button trains.

    The slider goal applies to the move (``show_pending``: summary, faded figure, PNG);
    the button's run (``refresh``: a short training, then the figure) is reported beside
    it, with a progress bar on screen while it runs.
    """

    def move():
        with contextlib.redirect_stdout(io.StringIO()):  # display() outside a kernel prints
            explorer.show_pending()

    (total,) = paired_median_ms([move], repeats, warmup=3)
    print(f"# {name}:control_move (show_pending: text, faded figure, PNG)")
    print(f"BENCH {name}:control_move {total:.1f} ms")
    (train,) = paired_median_ms([explorer.refresh], max(3, repeats // 3), warmup=1)
    epochs = getattr(explorer, "epochs", "?")
    print(f"# {name}:train_button (a {epochs}-epoch training run and its figure; not a slider)")
    print(f"BENCH {name}:train_button {train:.1f} ms")


def cpu_median_ms(fn, repeats: int) -> float:
    """Median CPU time of ``fn()`` in ms: the wall time minus the waiting for a busy core."""
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return 1e3 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--only", default="", help="time only explorers whose name has this")
    args = parser.parse_args()
    describe_blas()  # BLAS, its threads and the number of cores
    print(f"# load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"# median of {args.repeats} after a warm-up; goal <= 50 ms a case")
    cu.use_course_style()
    for name, make in explorers().items():
        if args.only in name:
            bench(name, make, args.repeats)
    if args.only in "playground":
        bench_playground(args.repeats)


if __name__ == "__main__":
    main()
