"""Learning-rate transfer across width: a sweep on the digits, stored, re-read and re-run.

For each optimizer, parametrization, width and learning rate, :func:`lr_sweep` trains the
lesson's network (:func:`course_utils.parametrization.width_mlp`) on the training split of
the digits and records the loss on the whole training split after a few epochs (the
measure of Yang et al. 2022, "Tensor Programs V", Figure 1). The whole sweep takes minutes,
too long for a notebook: ``python benchmarks/lr_sweep.py --part adam mup`` (and so on,
one optimizer and parametrization at a time) computes it in parts, and
``python benchmarks/lr_sweep.py`` merges them into ``course_utils/data/lr_sweep.json``
(losses rounded to 4 decimals, diverged runs as null). Notebook 10 reads it with
:func:`load_lr_sweep`, and a test re-runs a slice of it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ._validation import check_choice, check_positive_int

__all__ = [
    "SWEEP",
    "SWEEP_PATH",
    "sweep_data",
    "train_loss_curve",
    "lr_sweep",
    "load_lr_sweep",
    "best_lrs",
    "sweep_main",
]

SWEEP_PATH = Path(__file__).parent / "data" / "lr_sweep.json"

# The stored sweep's settings. Learning rates are powers of two (as in TP V's figures).
SWEEP = {
    "widths": [64, 128, 256, 512, 1024],
    "parametrizations": ["standard", "ntk", "mup"],
    "log2_lrs": {"adam": list(range(-14, -2)), "sgd": list(range(-7, 4))},
    "epochs": [1, 4],  # the loss is recorded after each of these epochs of one run
    "seeds": [0, 1],
    "batch_size": 64,
    "base_width": 64,
    "split_seed": 10,
}


def sweep_data():
    """The training split of the digits used by the sweep: ``(X_train, y_train)``."""
    from .datasets import load_digits, train_test_split

    X, y = load_digits()
    X_tr, _, y_tr, _ = train_test_split(X, y, rng=SWEEP["split_seed"])
    return X_tr, y_tr


def train_loss_curve(
    width: int,
    parametrization: str,
    optimizer: str,
    lr: float,
    *,
    seed: int,
    epochs=(1, 4),
    data=None,
) -> list[float]:
    """Train one network; return its loss on the whole training split after each epoch asked.

    A run that diverges gives ``inf`` from then on (no warning).
    """
    from .losses import softmax_cross_entropy
    from .parametrization import width_mlp
    from .training import fit

    X, y = sweep_data() if data is None else data
    marks = sorted({check_positive_int("epochs", e) for e in epochs})
    net = width_mlp(width, parametrization, base_width=SWEEP["base_width"], rng=seed)
    losses: dict = {}

    def record(epoch, hist):
        if epoch in marks:
            with np.errstate(all="ignore"):
                value = softmax_cross_entropy(net.forward(X), y)[0]
            losses[epoch] = value if math.isfinite(value) else math.inf

    hist = fit(
        net,
        X,
        y,
        epochs=marks[-1],
        lr=lr,
        batch_size=SWEEP["batch_size"],
        optimizer=optimizer,
        rng=seed,
        callback=record,
    )
    if hist.diverged_at is not None:
        for e in marks:
            if e >= hist.diverged_at:
                losses[e] = math.inf
    return [losses.get(e, math.inf) for e in marks]


def lr_sweep(
    optimizer: str,
    parametrization: str,
    *,
    widths=None,
    log2_lrs=None,
    seeds=None,
    epochs=None,
    progress=None,
) -> np.ndarray:
    """Losses of a sweep, shape ``(n_widths, n_lrs, n_seeds, n_epochs)`` (defaults: SWEEP).

    Losses are rounded to 4 decimals as stored; a diverged run is nan.
    """
    check_choice("optimizer", optimizer, SWEEP["log2_lrs"], what="optimizer")
    check_choice("parametrization", parametrization, SWEEP["parametrizations"])
    widths = SWEEP["widths"] if widths is None else widths
    log2_lrs = SWEEP["log2_lrs"][optimizer] if log2_lrs is None else log2_lrs
    seeds = SWEEP["seeds"] if seeds is None else seeds
    epochs = SWEEP["epochs"] if epochs is None else epochs
    data = sweep_data()
    out = np.full((len(widths), len(log2_lrs), len(seeds), len(epochs)), np.nan)
    for i, w in enumerate(widths):
        for j, k in enumerate(log2_lrs):
            for s, seed in enumerate(seeds):
                curve = train_loss_curve(
                    w, parametrization, optimizer, 2.0**k, seed=seed, epochs=epochs, data=data
                )
                out[i, j, s] = [round(v, 4) if math.isfinite(v) else np.nan for v in curve]
            if progress is not None:
                progress(optimizer, parametrization, w, k)
    return out


def load_lr_sweep(path=None) -> dict:
    """The stored sweep: ``{"settings": SWEEP, "loss": {optimizer: {parametrization: array}}}``.

    Each array has shape ``(n_widths, n_lrs, n_seeds, n_epochs)``; nan where a run diverged.
    """
    raw = json.loads(Path(SWEEP_PATH if path is None else path).read_text())
    loss = {
        opt: {par: np.array(v, dtype=float) for par, v in by_par.items()}
        for opt, by_par in raw["loss"].items()
    }
    return {"settings": raw["settings"], "loss": loss}


def best_lrs(losses: np.ndarray, log2_lrs, *, epoch_index: int = -1) -> np.ndarray:
    """The best learning rate at each width: the argmin over lrs of the mean over seeds.

    A diverged seed makes its learning rate's mean nan, and a nan is never the best.
    """
    mean = np.mean(np.asarray(losses)[..., epoch_index], axis=2)  # (widths, lrs)
    mean = np.where(np.isfinite(mean), mean, np.inf)
    return 2.0 ** np.asarray(log2_lrs, dtype=float)[np.argmin(mean, axis=1)]


def sweep_main(argv=None) -> None:  # pragma: no cover - the stored file is what tests check
    """The command line of ``benchmarks/lr_sweep.py``: compute one part, or merge the parts."""
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Compute the width x learning-rate sweep.")
    parser.add_argument(
        "--part",
        nargs=2,
        metavar=("OPTIMIZER", "PARAMETRIZATION"),
        help="compute one part into --parts (to hold the machine briefly)",
    )
    parser.add_argument("--parts", default="lr_sweep_parts", help="folder of the parts")
    parser.add_argument("--out", default=str(SWEEP_PATH), help="where the merge writes")
    args = parser.parse_args(argv)
    parts = Path(args.parts)
    t0 = time.perf_counter()

    def progress(opt, par, w, k):
        print(f"{time.perf_counter() - t0:7.1f} s  {opt} {par} width {w} lr 2^{k}", flush=True)

    def stored(arr):
        return [
            [[[None if np.isnan(v) else float(v) for v in e] for e in s] for s in j] for j in arr
        ]

    if args.part:
        opt, par = args.part
        parts.mkdir(exist_ok=True)
        arr = lr_sweep(opt, par, progress=progress)
        (parts / f"{opt}_{par}.json").write_text(json.dumps(stored(arr)))
        return
    loss = {
        opt: {
            par: json.loads((parts / f"{opt}_{par}.json").read_text())
            for par in SWEEP["parametrizations"]
        }
        for opt in SWEEP["log2_lrs"]
    }
    text = json.dumps({"settings": SWEEP, "loss": loss}, separators=(",", ":"))
    Path(args.out).write_text(text + "\n")
    print(f"wrote {args.out} ({len(text)} characters)")
