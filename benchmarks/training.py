"""How close is one training step of the course's MLP to the cost of its own matrix products?

One step of ``cu.fit`` on a 10-layer x 256 MLP (batch 256, float64) is timed against the
GEMMs that step cannot avoid: per layer the forward ``h @ W``, the weight gradient
``h.T @ delta`` and the back-propagated ``delta @ W.T`` (none for the first layer). Those
products, run alone into preallocated outputs, are the floor for any numpy
implementation; ``step_over_gemm`` says how much the rest (activations, loss, optimizer,
bookkeeping) adds. Goal: <= 1.3.

    python benchmarks/training.py [--repeats 30] [--activation relu] [--optimizer momentum]
                                  [--cases rnn rnn_rows rnn_wide]  (default: every case)

Prints ``BENCH step_ms``, ``BENCH gemm_ms``, ``BENCH step_over_gemm`` (medians after a
warm-up), and ``BENCH torch_step_ms`` when PyTorch happens to be installed. Lines
starting with ``#`` describe the BLAS the numbers were measured with.

The CNN, RNN and transformer cases print the same with their name as a prefix. The RNN
cases also print ``floor_ms``: the GEMMs plus only the per-step element-wise work that
a recurrence cannot batch over time (an add, a tanh, a multiply). Where a 32 x 32 GEMM
is a few microseconds, those calls cost as much as the GEMM itself (numpy's float64
tanh and exp are scalar code on a CPU without AVX-512), so ``floor_over_gemm`` is how
close to its GEMMs any numpy RNN step can come, and ``step_over_floor`` how close
``cu.RNN``'s step comes to that.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import course_utils as cu
from course_utils._rnn_kernels import tanh_kernel
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


# --- the CNN and RNN cases (notebook 08's models) ------------------------------------------
CNN_CHANNELS, CNN_BATCH = (64, 64, 64, 64), 128  # 8 x 8 digits-sized images, 3 x 3 kernels
# (n_in, n_hidden, T, batch, clip_norm): notebook 08 trains 32 tanh units on the digits read
# pixel by pixel and row by row, batch 32, clipped at 1.0; "rnn_wide" is a GEMM-bound size.
RNN_CASES = {
    "rnn": (1, 32, 64, 32, 1.0),
    "rnn_rows": (8, 32, 8, 32, 1.0),
    "rnn_wide": (32, 256, 32, 64, None),
}


def _fit_step(net, X, optimizer: str, rng, clip_norm=None):
    """One step as cu.fit takes it (train_step with its per-layer record), on random labels."""
    y = rng.integers(0, 10, size=X.shape[0])
    opt = cu.get_optimizer(optimizer, 1e-4)
    record = np.zeros((2, len(net.weights)))

    def step():
        train_step(net, opt, X, y, record=record, clip_norm=clip_norm)

    return step


def _torch():
    """PyTorch (seeded), or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    return torch


def bench_cnn_numpy(repeats: int, optimizer: str):
    """Median ms of one cu.fit step of cu.CNN, and of the GEMMs that step cannot avoid.

    Per conv layer: the forward ``cols @ K``, the kernel gradient ``cols.T @ delta`` and
    (except the first layer) the input gradient ``cols(delta) @ K_flipped``; then the
    readout's three. im2col, the activations, the loss and the optimizer are the overhead.
    """
    rng = np.random.default_rng(0)
    net = cu.CNN(channels=CNN_CHANNELS, init="he_normal", rng=0)
    step = _fit_step(net, rng.normal(size=(CNN_BATCH, 8, 8, 1)), optimizer, rng)

    rows = CNN_BATCH * 64
    c_in = [1, *CNN_CHANNELS[:-1]]
    cols = [rng.normal(size=(rows, 9 * c)) for c in c_in]
    kernels = [w.reshape(-1, w.shape[-1]).copy() for w in net.weights[:-1]]
    flipped = [rng.normal(size=(9 * d, c)) for c, d in zip(c_in, CNN_CHANNELS)]
    dcols = [rng.normal(size=(rows, 9 * d)) for d in CNN_CHANNELS]
    deltas = [rng.normal(size=(rows, d)) for d in CNN_CHANNELS]
    outs = [np.empty((rows, d)) for d in CNN_CHANNELS]
    gks = [np.empty_like(k) for k in kernels]
    backs = [np.empty((rows, c)) for c in c_in]
    h_last = rng.normal(size=(CNN_BATCH, 64 * CNN_CHANNELS[-1]))
    w_out, g_out = net.weights[-1].copy(), rng.normal(size=(CNN_BATCH, 10))
    out_buf, gw_buf, gh_buf = np.empty((CNN_BATCH, 10)), np.empty_like(w_out), np.empty_like(h_last)

    def gemms():
        for i in range(len(kernels)):
            np.matmul(cols[i], kernels[i], out=outs[i])
        np.matmul(h_last, w_out, out=out_buf)
        np.matmul(h_last.T, g_out, out=gw_buf)
        np.matmul(g_out, w_out.T, out=gh_buf)
        for i in range(len(kernels) - 1, -1, -1):
            np.matmul(cols[i].T, deltas[i], out=gks[i])
            if i > 0:
                np.matmul(dcols[i], flipped[i], out=backs[i])

    return paired_median_ms([step, gemms], repeats)


def bench_cnn_torch(repeats: int, optimizer: str):
    """Median ms of the same CNN's step in PyTorch (float64, CPU), or None without torch."""
    torch = _torch()
    if torch is None:
        return None
    layers, c = [], 1
    for d in CNN_CHANNELS:
        layers += [torch.nn.Conv2d(c, d, 3, padding=1, dtype=torch.float64), torch.nn.ReLU()]
        c = d
    layers += [torch.nn.Flatten(), torch.nn.Linear(64 * c, 10, dtype=torch.float64)]
    return _torch_step(
        torch,
        torch.nn.Sequential(*layers),
        torch.randn(CNN_BATCH, 1, 8, 8, dtype=torch.float64),
        repeats,
        optimizer,
    )


def _torch_step(torch, model, X, repeats: int, optimizer: str, clip_norm=None) -> float:
    mu = 0.9 if optimizer == "momentum" else 0.0
    opt = (
        torch.optim.Adam(model.parameters(), lr=1e-4)
        if optimizer == "adam"
        else torch.optim.SGD(model.parameters(), lr=1e-4, momentum=mu)
    )
    y = torch.randint(0, 10, (X.shape[0],))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=False)
        loss_fn(model(X), y).backward()
        if clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        opt.step()

    return paired_median_ms([step], repeats)[0]


def bench_rnn_numpy(repeats: int, optimizer: str, size=RNN_CASES["rnn"]):
    """Median ms of one cu.fit step of cu.RNN, of its GEMMs alone, and of numpy's floor.

    The GEMMs: the input projection of every step at once, T - 1 recurrent products
    forward (h_0 = 0) and T - 1 backward, the two weight gradients over all steps at once
    (W_h's over the T - 1 steps after the first), and the readout's three.

    The floor adds to those GEMMs only the element-wise work that the recursion cannot
    batch over time, one numpy call each per step: forward, the input term added to
    ``h_{t-1} W_h`` and tanh of the sum (the course's fastest float64 tanh on this CPU,
    ``tanh_kernel()``); backward, ``dL/dh_t * phi'(z_t)``. No loss, optimizer, clipping
    or records: no numpy step of this RNN can take less time.
    """
    n_in, h, T, n, clip_norm = size
    rng = np.random.default_rng(0)
    net = cu.RNN(n_in, h, 10, rng=0)
    step = _fit_step(net, rng.normal(size=(n, T, n_in)), optimizer, rng, clip_norm)

    wx, wh, wo = (w.copy() for w in net.weights)
    Xf = rng.normal(size=(T * n, n_in))
    Hs = rng.normal(size=(T, n, h))
    Df = rng.normal(size=(T * n, h))
    g = rng.normal(size=(n, 10))
    bufs = {
        k: np.empty(s)
        for k, s in [
            ("u", (T * n, h)),
            ("z", (n, h)),
            ("o", (n, 10)),
            ("gwo", (h, 10)),
            ("dh", (n, h)),
            ("gwh", (h, h)),
            ("gwx", (n_in, h)),
        ]
    }

    def outside_the_loops():  # the GEMMs over all steps at once, and the readout's
        np.matmul(Xf, wx, out=bufs["u"])
        np.matmul(Hs[-1], wo, out=bufs["o"])
        np.matmul(Hs[-1].T, g, out=bufs["gwo"])
        np.matmul(g, wo.T, out=bufs["dh"])
        np.matmul(Hs[:-1].reshape((T - 1) * n, h).T, Df[n:], out=bufs["gwh"])
        np.matmul(Xf.T, Df, out=bufs["gwx"])

    def gemms():
        outside_the_loops()
        for t in range(T - 1):
            np.matmul(Hs[t], wh, out=bufs["z"])
        for t in range(T - 1):
            np.matmul(Hs[t], wh.T, out=bufs["dh"])

    tanh, Ds, tmp = tanh_kernel(), rng.normal(size=(T, n, h)), np.empty((n, h))

    def floor():
        outside_the_loops()
        u, z, dh = bufs["u"].reshape(T, n, h), bufs["z"], bufs["dh"]
        for t in range(T - 1):
            np.matmul(Hs[t], wh, out=z)
            np.add(z, u[t], out=z)
            tanh(z, Hs[t + 1], tmp)
        da, other = tmp, dh  # dL/dz_t, then dL/dh_{t-1} into the other buffer (no overlap)
        for t in range(T - 1, 0, -1):
            np.multiply(Ds[t], other, out=da)
            np.matmul(da, wh.T, out=other)

    return paired_median_ms([step, gemms, floor], repeats)


def bench_rnn_torch(repeats: int, optimizer: str, size=RNN_CASES["rnn"]):
    """Median ms of the same RNN's step in PyTorch (float64, CPU), or None without torch."""
    torch = _torch()
    if torch is None:
        return None
    n_in, h, T, n, clip_norm = size

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.RNN(n_in, h, batch_first=True, dtype=torch.float64)
            self.out = torch.nn.Linear(h, 10, dtype=torch.float64)

        def forward(self, x):
            return self.out(self.rnn(x)[0][:, -1])

    X = torch.randn(n, T, n_in, dtype=torch.float64)
    return _torch_step(torch, Net(), X, repeats, optimizer, clip_norm)


# --- the transformer case (notebook 09's model) ---------------------------------------------
TF_VOCAB, TF_T, TF_D, TF_HEADS, TF_LAYERS, TF_BATCH = 64, 32, 128, 4, 4, 32


def bench_transformer_numpy(repeats: int, optimizer: str):
    """Median ms of one cu.fit step of cu.Transformer (pre-LN), and of its GEMMs alone.

    Per block, forward: the qkv projection, the scores q k^T and p v of every head, the
    output projection and the MLP's two; backward: each dense layer's weight gradient and
    input gradient, and attention's four (dv, dp, dq, dk). Then the readout's three. Layer
    norm, softmax, GELU, the embeddings, the loss and the optimizer are the overhead.
    """
    rng = np.random.default_rng(0)
    net = cu.Transformer(TF_VOCAB, TF_T, d_model=TF_D, n_heads=TF_HEADS, n_layers=TF_LAYERS, rng=0)
    X = rng.integers(0, TF_VOCAB, size=(TF_BATCH, TF_T))
    y = rng.integers(0, TF_VOCAB, size=TF_BATCH)
    opt = cu.get_optimizer(optimizer, 1e-4)
    record = np.zeros((2, len(net.weights)))

    def step():
        train_step(net, opt, X, y, record=record)

    n, T, d, h = TF_BATCH, TF_T, TF_D, TF_HEADS
    rows, dk = n * T, d // h
    x = rng.normal(size=(rows, d))
    hid = rng.normal(size=(rows, 4 * d))
    qkv_w, o_w = rng.normal(size=(d, 3 * d)), rng.normal(size=(d, d))
    in_w, out_w = rng.normal(size=(d, 4 * d)), rng.normal(size=(4 * d, d))
    q, k, v = (rng.normal(size=(n, h, T, dk)) for _ in range(3))
    p = rng.normal(size=(n, h, T, T))
    g3, g4 = rng.normal(size=(rows, 3 * d)), rng.normal(size=(rows, 4 * d))
    last, ro, go = (
        rng.normal(size=(n, d)),
        rng.normal(size=(d, TF_VOCAB)),
        rng.normal(size=(n, TF_VOCAB)),
    )
    kt, vt = np.swapaxes(k, -1, -2), np.swapaxes(v, -1, -2)
    pt, st = np.swapaxes(p, -1, -2), np.swapaxes(p, -1, -2)

    def gemms():
        for _ in range(TF_LAYERS):
            x @ qkv_w, q @ kt, p @ v, x @ o_w, x @ in_w, hid @ out_w  # forward
            x.T @ g3, g3 @ qkv_w.T, x.T @ x, x @ o_w.T  # qkv and output projections
            x.T @ g4, g4 @ in_w.T, hid.T @ x, x @ out_w.T  # the MLP's two
            pt @ v, v @ vt, p @ k, st @ q  # attention: dv, dp, dq, dk
        last @ ro, last.T @ go, go @ ro.T

    return paired_median_ms([step, gemms], repeats)


def bench_transformer_torch(repeats: int, optimizer: str):
    """Median ms of the same transformer's step in PyTorch (float64, CPU), or None."""
    torch = _torch()
    if torch is None:
        return None
    F = torch.nn.functional
    f64 = torch.float64

    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = torch.nn.LayerNorm(TF_D, dtype=f64)
            self.qkv = torch.nn.Linear(TF_D, 3 * TF_D, dtype=f64)
            self.proj = torch.nn.Linear(TF_D, TF_D, dtype=f64)
            self.ln2 = torch.nn.LayerNorm(TF_D, dtype=f64)
            self.fc = torch.nn.Linear(TF_D, 4 * TF_D, dtype=f64)
            self.out = torch.nn.Linear(4 * TF_D, TF_D, dtype=f64)

        def forward(self, x):
            n, T, d = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
            q, k, v = (t.view(n, T, TF_HEADS, d // TF_HEADS).transpose(1, 2) for t in (q, k, v))
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.proj(a.transpose(1, 2).reshape(n, T, d))
            return x + self.out(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = torch.nn.Embedding(TF_VOCAB, TF_D, dtype=f64)
            self.wpe = torch.nn.Embedding(TF_T, TF_D, dtype=f64)
            self.blocks = torch.nn.Sequential(*[Block() for _ in range(TF_LAYERS)])
            self.lnf = torch.nn.LayerNorm(TF_D, dtype=f64)
            self.head = torch.nn.Linear(TF_D, TF_VOCAB, bias=False, dtype=f64)

        def forward(self, X):
            x = self.wte(X) + self.wpe(torch.arange(X.shape[1]))
            return self.head(self.lnf(self.blocks(x)[:, -1]))

    X = torch.randint(0, TF_VOCAB, (TF_BATCH, TF_T))
    return _torch_step(torch, Net(), X, repeats, optimizer)


def report_case(name: str, numpy_ms, torch_ms) -> None:
    """The BENCH lines of one model: step, GEMMs, their ratio, PyTorch's step beside it.

    ``numpy_ms`` is (step, GEMMs) or (step, GEMMs, numpy floor): with a floor, also how
    far the floor itself is above the GEMMs and the step above the floor.
    """
    step_ms, gemm_ms, *floor = numpy_ms
    print(f"BENCH {name}_step_ms {step_ms:.3f}")
    print(f"BENCH {name}_gemm_ms {gemm_ms:.3f}")
    print(f"BENCH {name}_step_over_gemm {step_ms / gemm_ms:.3f}")
    if floor:
        print(f"BENCH {name}_floor_ms {floor[0]:.3f}")
        print(f"BENCH {name}_floor_over_gemm {floor[0] / gemm_ms:.3f}")
        print(f"BENCH {name}_step_over_floor {step_ms / floor[0]:.3f}")
    if torch_ms is not None:
        print(f"BENCH {name}_torch_step_ms {torch_ms:.3f}")
        print(f"BENCH {name}_numpy_over_torch {step_ms / torch_ms:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--activation", default="relu", choices=["relu", "tanh"])
    parser.add_argument("--optimizer", default="momentum", choices=["sgd", "momentum", "adam"])
    cases = ["mlp", "cnn", *RNN_CASES, "transformer"]
    parser.add_argument(
        "--cases", nargs="+", default=cases, choices=cases, help="run only these (default: all)"
    )
    args = parser.parse_args()
    describe_blas()
    if "mlp" in args.cases:
        bench_mlp(args)
    if "cnn" in args.cases:
        print(
            f"# CNN {CNN_CHANNELS} channels on 8 x 8 x 1, 3 x 3 'same', batch {CNN_BATCH}, relu, "
            f"{args.optimizer} (goal: step_over_gemm <= 1.5, im2col in the step; "
            "not slower than torch)"
        )
        report_case(
            "cnn",
            bench_cnn_numpy(args.repeats, args.optimizer),
            bench_cnn_torch(args.repeats, args.optimizer),
        )
    for name, size in RNN_CASES.items():
        if name not in args.cases:
            continue
        n_in, h, T, n, clip_norm = size
        clip = f", clip_norm {clip_norm}" if clip_norm is not None else ""
        print(
            f"# RNN {name}: {n_in} -> {h} tanh, T = {T}, batch {n}, {args.optimizer}{clip} "
            "(goal: step_over_gemm <= 1.5; not slower than torch)"
        )
        report_case(
            name,
            bench_rnn_numpy(args.repeats, args.optimizer, size),
            bench_rnn_torch(args.repeats, args.optimizer, size),
        )
    if "transformer" in args.cases:
        print(
            f"# Transformer pre-LN, vocab {TF_VOCAB}, T = {TF_T}, d_model {TF_D}, {TF_HEADS} "
            f"heads, {TF_LAYERS} blocks, batch {TF_BATCH}, {args.optimizer} "
            "(numpy against its own GEMMs)"
        )
        report_case(
            "transformer",
            bench_transformer_numpy(args.repeats, args.optimizer),
            bench_transformer_torch(args.repeats, args.optimizer),
        )


def bench_mlp(args) -> None:
    """The MLP case's BENCH lines (the first case, and the names without a prefix)."""
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
