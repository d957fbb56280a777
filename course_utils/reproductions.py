"""Two papers' training experiments in miniature, on the digits: trained by a script, stored.

Notebook 05 reproduces He, Zhang, Ren & Sun (2015), "Delving Deep into Rectifiers", fig. 3
(a 30-layer ReLU network trains from He's init and stalls from Xavier's) and Glorot &
Bengio (2010), "Understanding the difficulty of training deep feedforward neural
networks", table 1 (the "standard" init against the normalized one, on test accuracy
after the same budget), each over three seeds. The twelve runs take longer than the
lesson can spend, so ``python benchmarks/reproductions.py`` trains them with
:func:`he_fig3_run` and :func:`glorot_table_run` and writes
``course_utils/data/reproductions.json`` (losses and accuracies rounded to 4 decimals);
the notebook reads it with :func:`load_reproductions`, trains one seed of each init in
front of the reader beside the file, and a test re-trains a slice and compares.
"""

from __future__ import annotations

import json
from pathlib import Path

from ._validation import check_choice, check_positive_int

__all__ = [
    "SETTINGS",
    "REPRODUCTIONS_PATH",
    "digits_split",
    "he_fig3_run",
    "glorot_table_run",
    "reproductions",
    "load_reproductions",
    "reproductions_main",
]

REPRODUCTIONS_PATH = Path(__file__).parent / "data" / "reproductions.json"

#: What is trained: the data split, both networks, their optimizers and the seeds.
SETTINGS = {
    "split": {"test_fraction": 0.25, "rng": 0},
    "seeds": [0, 1, 2],
    "he_fig3": {
        "sizes": [64] + [64] * 29 + [10],
        "activation": "relu",
        "inits": ["he_normal", "xavier_normal"],
        "optimizer": "momentum",
        "lr": 0.002,
        "batch_size": 32,
        "epochs": 5,
    },
    "glorot_table": {
        "sizes": [64] + [64] * 5 + [10],
        "activation": "tanh",
        "inits": ["standard_uniform", "xavier_uniform"],
        "optimizer": "sgd",
        "lr": 0.05,
        "batch_size": 32,
        "epochs": 3,
    },
}


def digits_split():
    """Notebook 05's digits: ``(X_train, X_test, y_train, y_test)``, as its section 1.

    Split 3:1 with seed 0, centred pixel by pixel and divided by the training set's
    overall std.
    """
    from .datasets import load_digits, train_test_split

    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, **SETTINGS["split"])
    mean, std = X_train.mean(axis=0), X_train.std()
    return (X_train - mean) / std, (X_test - mean) / std, y_train, y_test


def _train(spec: dict, init: str, seed: int, data, validation: bool):
    from .network import MLP
    from .training import fit

    check_choice("init", init, spec["inits"])
    seed = check_positive_int("seed", seed, minimum=0)
    X_train, X_test, y_train, y_test = digits_split() if data is None else data
    net = MLP(spec["sizes"], activation=spec["activation"], init=init, rng=seed)
    return fit(
        net,
        X_train,
        y_train,
        epochs=spec["epochs"],
        lr=spec["lr"],
        batch_size=spec["batch_size"],
        optimizer=spec["optimizer"],
        validation=(X_test, y_test) if validation else None,
        rng=seed,
    )


def he_fig3_run(init: str, seed: int, *, data=None) -> list[float]:
    """He et al.'s fig. 3 in miniature: the training loss at init and after each epoch.

    30 ReLU layers of width 64 from ``init`` ("he_normal" or "xavier_normal"), SGD with
    momentum 0.9, learning rate 0.002, batches of 32, 5 epochs, ``rng=seed`` for both
    the weights and the batches. Returns ``[initial_loss, loss after epoch 1, ...]``.
    """
    hist = _train(SETTINGS["he_fig3"], init, seed, data, validation=False)
    return [float(hist.initial_loss), *map(float, hist.loss)]


def glorot_table_run(init: str, seed: int, *, data=None) -> float:
    """Glorot & Bengio's table 1 in miniature: the test accuracy after the budget.

    Five tanh hidden layers of 64 from ``init`` ("standard_uniform" or "xavier_uniform"),
    plain SGD, learning rate 0.05, batches of 32, 3 epochs, ``rng=seed``; the accuracy
    on the held-out quarter of the digits.
    """
    hist = _train(SETTINGS["glorot_table"], init, seed, data, validation=True)
    return float(hist.val_accuracy[-1])


def reproductions(*, progress=None) -> dict:
    """Train every run of :data:`SETTINGS`; values rounded to 4 decimals, as stored.

    ``{"he_fig3": {init: [curve per seed]}, "glorot_table": {init: [accuracy per seed]}}``.
    """
    data = digits_split()
    seeds = SETTINGS["seeds"]
    out: dict = {"he_fig3": {}, "glorot_table": {}}
    for init in SETTINGS["he_fig3"]["inits"]:
        out["he_fig3"][init] = [
            [round(v, 4) for v in he_fig3_run(init, s, data=data)] for s in seeds
        ]
        if progress is not None:
            progress("he_fig3", init)
    for init in SETTINGS["glorot_table"]["inits"]:
        out["glorot_table"][init] = [round(glorot_table_run(init, s, data=data), 4) for s in seeds]
        if progress is not None:
            progress("glorot_table", init)
    return out


def load_reproductions(path=None) -> dict:
    """The stored runs: ``{"settings": SETTINGS, "he_fig3": ..., "glorot_table": ...}``."""
    return json.loads(Path(REPRODUCTIONS_PATH if path is None else path).read_text())


def reproductions_main(argv=None) -> None:  # pragma: no cover - the stored file is tested
    """The command line of ``benchmarks/reproductions.py``: train the runs, write the file."""
    import argparse
    import time

    parser = argparse.ArgumentParser(description="Train notebook 05's paper reproductions.")
    parser.add_argument("--out", default=str(REPRODUCTIONS_PATH), help="where to write")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()

    def progress(what, init):
        print(f"{time.perf_counter() - t0:6.1f} s  {what} {init}", flush=True)

    runs = reproductions(progress=progress)
    text = json.dumps({"settings": SETTINGS, **runs}, separators=(",", ":"))
    Path(args.out).write_text(text + "\n")
    print(f"wrote {args.out} ({len(text)} characters)")
