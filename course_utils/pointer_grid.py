"""The pointer task's training grid: every init x norm x warm-up x depth x seed, stored.

Notebook 09 asks which transformers learn the pointer task
(:func:`course_utils.transformer.pointer_task`) from each initialization: GPT-2's,
GPT-2's without the residual projections' 1/sqrt(2 L), and Xavier; pre-LN, post-LN, and
post-LN with a linear learning-rate warm-up (Xiong et al. 2020, "On Layer Normalization
in the Transformer Architecture"); one block and three; three seeds. That is 54 runs of
100 Adam steps, about half a minute on two cores, too long for a lesson that must run in
20 s. ``python benchmarks/pointer_grid.py`` trains them all with :func:`train_pointer`
and writes ``course_utils/data/pointer_grid.json`` (losses rounded to 4 decimals, a run
that diverged as null); the notebook reads it with :func:`load_pointer_grid`, re-runs one
row of it in front of the reader, and a test re-runs a slice and compares.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ._validation import check_choice, check_positive_int

__all__ = [
    "GRID",
    "GRID_PATH",
    "TRAINED_BELOW",
    "pointer_data",
    "train_pointer",
    "run_key",
    "pointer_grid",
    "load_pointer_grid",
    "grid_main",
]

GRID_PATH = Path(__file__).parent / "data" / "pointer_grid.json"

#: The stored grid's settings: the task, the network, the optimizer, and what varies.
GRID = {
    "vocab_size": 6,
    "seq_len": 6,
    "n_train": 640,
    "n_val": 500,
    "data_seeds": [90, 91],  # training, held-out
    "d_model": 16,
    "n_heads": 2,
    "optimizer": "adam",
    "lr": 0.01,
    "batch_size": 32,
    "epochs": 5,  # 20 steps an epoch: 100 steps
    "n_layers": [1, 3],
    "inits": ["gpt2", "gpt2_unscaled", "xavier"],
    "variants": [["pre", 0], ["post", 0], ["post", 30]],  # (norm, warm-up steps)
    "seeds": [0, 1, 2],
}

#: A run has learned the pointer when its held-out loss ends below this (chance: ln 6 = 1.79).
TRAINED_BELOW = 0.5


def pointer_data():
    """The grid's training and held-out sets: ``(X_train, y_train, X_val, y_val)``."""
    from .transformer import pointer_task

    V, T = GRID["vocab_size"], GRID["seq_len"]
    X, y = pointer_task(GRID["n_train"], V, T, rng=GRID["data_seeds"][0])
    Xv, yv = pointer_task(GRID["n_val"], V, T, rng=GRID["data_seeds"][1])
    return X, y, Xv, yv


def train_pointer(
    n_layers: int, init: str, norm: str, warmup: int, seed: int, *, data=None
) -> tuple[np.ndarray, float]:
    """Train one transformer of the grid; return its per-step training loss and held-out loss.

    ``cu.Transformer(V, T, d_model=16, n_heads=2, n_layers, norm, init, rng=seed)`` trained
    by ``cu.fit`` (Adam, lr 0.01, batch 32, 5 epochs, ``warmup_steps=warmup``, ``rng=seed``),
    as notebook 09 writes it out. A diverged run's losses are inf from then on.
    """
    from .losses import softmax_cross_entropy
    from .training import fit
    from .transformer import Transformer

    check_positive_int("n_layers", n_layers)
    check_choice("norm", norm, ("pre", "post"))
    X, y, Xv, yv = pointer_data() if data is None else data
    net = Transformer(
        GRID["vocab_size"],
        GRID["seq_len"],
        d_model=GRID["d_model"],
        n_heads=GRID["n_heads"],
        n_layers=n_layers,
        norm=norm,
        init=init,
        rng=seed,
    )
    hist = fit(
        net,
        X,
        y,
        epochs=GRID["epochs"],
        lr=GRID["lr"],
        batch_size=GRID["batch_size"],
        optimizer=GRID["optimizer"],
        rng=seed,
        warmup_steps=warmup,
    )
    steps = GRID["epochs"] * math.ceil(GRID["n_train"] / GRID["batch_size"])
    loss = np.full(steps, np.inf)
    loss[: len(hist.step_loss)] = hist.step_loss
    loss[~np.isfinite(loss)] = np.inf
    with np.errstate(all="ignore"):
        val = softmax_cross_entropy(net.forward(Xv), yv)[0]
    return loss, (float(val) if hist.diverged_at is None and math.isfinite(val) else math.inf)


def run_key(n_layers: int, init: str, norm: str, warmup: int, seed: int) -> str:
    """The key of one run in the stored file: ``"3/xavier/post/30/0"``."""
    return f"{n_layers}/{init}/{norm}/{warmup}/{seed}"


def _stored(value: float):
    return round(float(value), 4) if math.isfinite(value) else None


def pointer_grid(*, progress=None) -> dict:
    """Train every run of :data:`GRID`; ``{run_key: {"step_loss": [...], "val_loss": v}}``.

    Losses rounded to 4 decimals, as stored; None where a run diverged.
    """
    data = pointer_data()
    runs = {}
    for n_layers in GRID["n_layers"]:
        for init in GRID["inits"]:
            for norm, warmup in GRID["variants"]:
                for seed in GRID["seeds"]:
                    loss, val = train_pointer(n_layers, init, norm, warmup, seed, data=data)
                    runs[run_key(n_layers, init, norm, warmup, seed)] = {
                        "step_loss": [_stored(v) for v in loss],
                        "val_loss": _stored(val),
                    }
                if progress is not None:
                    progress(n_layers, init, norm, warmup)
    return runs


def load_pointer_grid(path=None) -> dict:
    """The stored grid, read back: ``{"settings": GRID, "runs": {...}}``.

    ``runs`` maps ``(n_layers, init, norm, warmup, seed)`` to ``(step_loss, val_loss)``:
    an array of the per-step training loss and the held-out loss, nan where a run diverged.
    """
    raw = json.loads(Path(GRID_PATH if path is None else path).read_text())
    runs = {}
    for key, run in raw["runs"].items():
        n_layers, init, norm, warmup, seed = key.split("/")
        loss = np.array([np.nan if v is None else v for v in run["step_loss"]], dtype=float)
        val = np.nan if run["val_loss"] is None else float(run["val_loss"])
        runs[int(n_layers), init, norm, int(warmup), int(seed)] = (loss, val)
    return {"settings": raw["settings"], "runs": runs}


def grid_main(argv=None) -> None:  # pragma: no cover - the stored file is what tests check
    """The command line of ``benchmarks/pointer_grid.py``: train the grid, write the file."""
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Train notebook 09's pointer-task grid.")
    parser.add_argument("--out", default=str(GRID_PATH), help="where to write the grid")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()

    def progress(n_layers, init, norm, warmup):
        print(
            f"{time.perf_counter() - t0:6.1f} s  {n_layers} blocks {init} {norm}-LN "
            f"warm-up {warmup}",
            flush=True,
        )

    runs = pointer_grid(progress=progress)
    text = json.dumps({"settings": GRID, "runs": runs}, separators=(",", ":"))
    Path(args.out).write_text(text + "\n")
    print(f"wrote {args.out} ({len(text)} characters, {len(runs)} runs)")
