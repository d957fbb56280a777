"""How close is one training step of the course's MLP to the cost of its own matrix products?

One step of ``cu.fit`` on a 10-layer x 256 MLP (batch 256, float64) is timed against the
GEMMs that step cannot avoid: per layer the forward ``h @ W``, the weight gradient
``h.T @ delta`` and the back-propagated ``delta @ W.T`` (none for the first layer). Those
products, run alone into preallocated outputs, are the floor for any numpy
implementation; ``step_over_gemm`` says how much the rest (activations, loss, optimizer,
bookkeeping) adds. Goal: <= 1.3.

    python benchmarks/training.py [--repeats 30] [--activation relu] [--optimizer momentum]

Prints ``BENCH step_ms``, ``BENCH gemm_ms``, ``BENCH step_over_gemm`` (medians after a
warm-up), and ``BENCH torch_step_ms`` when PyTorch happens to be installed. Lines
starting with ``#`` describe the BLAS the numbers were measured with.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import course_utils as cu
from course_utils.training import train_step

WIDTH, LAYERS, BATCH = 256, 10, 256


def paired_median_ms(fns, repeats: int, warmup: int = 5) -> list[float]:
    """Median wall time in ms of each function in ``fns``, timed in alternation.

    Alternating (a, b, a, b, ...) rather than (a, a, ..., b, b, ...) exposes both to the
    same load on a shared machine, so their ratio stays meaningful when the load changes.
    """
    for _ in range(warmup):
        for fn in fns:
            fn()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for fn, ts in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
    return [1e3 * statistics.median(ts) for ts in times]


def describe_blas() -> None:
    """Print what BLAS numpy uses and with how many threads (threadpoolctl if present)."""
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    print(f"# numpy {np.__version__}, BLAS {blas.get('name')} {blas.get('version')}")
    env = ", ".join(
        f"{k}={os.environ.get(k, '(unset)')}" for k in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS")
    )
    print(f"# {env}; os.cpu_count() = {os.cpu_count()}")
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        print("# threadpoolctl not installed: BLAS threads not reported")
        return
    for pool in threadpool_info():
        print(
            f"# {pool.get('internal_api')} {pool.get('version')} "
            f"{pool.get('architecture')} threads={pool.get('num_threads')}"
        )


def bench_numpy(repeats: int, activation: str, optimizer: str):
    """Median ms of one training step and of its GEMMs alone."""
    rng = np.random.default_rng(0)
    sizes = [WIDTH] * (LAYERS + 1)
    net = cu.MLP(sizes, activation=activation, init="he_normal", rng=0)
    X = np.ascontiguousarray(rng.normal(size=(BATCH, WIDTH)))
    y = rng.integers(0, WIDTH, size=BATCH)
    opt = cu.get_optimizer(optimizer, 1e-4)

    record = np.zeros((2, LAYERS))  # the per-layer bookkeeping fit does

    def step():
        train_step(net, opt, X, y, record=record)

    # The same products alone: forward h @ W, then backward h.T @ delta and delta @ W.T.
    hs = [X] + [np.ascontiguousarray(rng.normal(size=(BATCH, WIDTH))) for _ in range(LAYERS)]
    Ws = [w.copy() for w in net.weights]
    delta = rng.normal(size=(BATCH, WIDTH))
    outs = [np.empty((BATCH, WIDTH)) for _ in range(LAYERS)]
    gws = [np.empty((WIDTH, WIDTH)) for _ in range(LAYERS)]
    back = np.empty((BATCH, WIDTH))

    def gemms():
        for i in range(LAYERS):
            np.matmul(hs[i], Ws[i], out=outs[i])
        for i in range(LAYERS - 1, -1, -1):
            np.matmul(hs[i].T, delta, out=gws[i])
            if i > 0:
                np.matmul(delta, Ws[i].T, out=back)

    return paired_median_ms([step, gemms], repeats)


def bench_torch(repeats: int, activation: str, optimizer: str):
    """Median ms of the same step in PyTorch (float64, CPU), or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    act = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[activation]
    layers = []
    for i in range(LAYERS):
        layers.append(torch.nn.Linear(WIDTH, WIDTH, dtype=torch.float64))
        if i < LAYERS - 1:
            layers.append(act())
    model = torch.nn.Sequential(*layers)
    if optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    else:
        mu = 0.9 if optimizer == "momentum" else 0.0
        opt = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=mu)
    X = torch.randn(BATCH, WIDTH, dtype=torch.float64)
    y = torch.randint(0, WIDTH, (BATCH,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=False)
        loss_fn(model(X), y).backward()
        opt.step()

    return paired_median_ms([step], repeats)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--activation", default="relu", choices=["relu", "tanh"])
    parser.add_argument("--optimizer", default="momentum", choices=["sgd", "momentum", "adam"])
    args = parser.parse_args()
    describe_blas()
    print(
        f"# MLP {LAYERS} layers x {WIDTH}, batch {BATCH}, float64, "
        f"{args.activation}, {args.optimizer}, median of {args.repeats}"
    )
    step_ms, gemm_ms = bench_numpy(args.repeats, args.activation, args.optimizer)
    print(f"BENCH step_ms {step_ms:.3f}")
    print(f"BENCH gemm_ms {gemm_ms:.3f}")
    print(f"BENCH step_over_gemm {step_ms / gemm_ms:.3f}")
    torch_ms = bench_torch(args.repeats, args.activation, args.optimizer)
    if torch_ms is not None:
        print(f"BENCH torch_step_ms {torch_ms:.3f}")


if __name__ == "__main__":
    main()
