"""A small GPT-style transformer that records its residual stream (notebook 09).

``Transformer(vocab_size, seq_len, ...)`` reads integer tokens ``(n, T)``: token and
position embeddings, ``n_layers`` blocks of attention and an MLP (each a residual branch),
with layer norm before each branch (``norm="pre"``, GPT-2) or after each residual sum
(``norm="post"``, the original Transformer), a final norm and a readout of the last
position: its output is the logits ``(n, vocab_size)`` of the token that comes next, so
``cu.fit`` trains it with the usual cross-entropy. Every piece's forward and backward is
in :mod:`course_utils.attention`.
"""

from __future__ import annotations

import math

import numpy as np

from ._validation import as_rng, check_choice, check_finite_number, check_positive_int
from .attention import (
    attention,
    attention_backward,
    layer_norm,
    layer_norm_backward,
    mlp,
    mlp_backward,
)
from .frameworks import GPT2_STD, gpt2_residual_std
from .initializers import normal, xavier_normal

__all__ = [
    "TRANSFORMER_INITS",
    "NORM_POSITIONS",
    "transformer_init_stds",
    "Transformer",
    "pointer_task",
    "init_statistics",
]

#: The initializations :class:`Transformer` knows, with what each draws.
TRANSFORMER_INITS = {
    "gpt2": "N(0, 0.02^2); the two residual projections 0.02 / sqrt(2 n_layers)",
    "gpt2_unscaled": "N(0, 0.02^2) everywhere",
    "xavier": "Xavier normal, Var(W) = 2 / (fan_in + fan_out), for every matrix",
}
#: Where layer norm sits: before each branch (GPT-2) or after each residual sum.
NORM_POSITIONS = ("pre", "post")


def transformer_init_stds(
    init: str, d_model: int, n_layers: int, vocab_size: int
) -> dict[str, float]:
    """The std each weight matrix of a block and the readout is drawn with, by name.

    Names: ``qkv`` (each of W_q, W_k, W_v, ``(d, d)``), ``attn_proj`` (W_o, ``(d, d)``),
    ``mlp_in`` (``(d, 4d)``), ``mlp_proj`` (``(4d, d)``), ``readout`` (``(d, V)``).
    ``gpt2``: 0.02 everywhere except the two residual projections, ``attn_proj`` and
    ``mlp_proj``, at ``0.02 / sqrt(2 n_layers)`` (:func:`~course_utils.frameworks.
    gpt2_residual_std`: Hugging Face's and nanoGPT's ``c_proj`` rule, after Radford et
    al. 2019). ``gpt2_unscaled``: 0.02 everywhere. ``xavier``: sqrt(2 / (fan_in +
    fan_out)) for each matrix. The embeddings' std is :class:`Transformer`'s
    ``embedding_std``.
    """
    check_choice("init", init, TRANSFORMER_INITS, what="transformer init")
    d, L, V = d_model, n_layers, vocab_size
    shapes = {
        "qkv": (d, d),
        "attn_proj": (d, d),
        "mlp_in": (d, 4 * d),
        "mlp_proj": (4 * d, d),
        "readout": (d, V),
    }
    if init == "xavier":
        return {k: math.sqrt(2.0 / (a + b)) for k, (a, b) in shapes.items()}
    stds = dict.fromkeys(shapes, GPT2_STD)
    if init == "gpt2":
        stds["attn_proj"] = stds["mlp_proj"] = gpt2_residual_std(L)
    return stds


class Transformer:
    """A GPT-style decoder: embeddings, ``n_layers`` blocks, a final norm, a readout.

    Parameters
    ----------
    vocab_size : int
        V: tokens are integers 0..V-1; the output has V logits.
    seq_len : int
        T: every input is ``(n, T)``; T learned position embeddings.
    d_model : int, default 64
        Width of the residual stream; the MLP is 4 d_model wide.
    n_heads : int, default 4
        Attention heads, each of size d_k = d_model / n_heads.
    n_layers : int, default 4
        Blocks; each adds two residual branches (attention, MLP).
    norm : {"pre", "post"}
        ``pre``: x + F(LN(x)) and a final norm (GPT-2). ``post``: LN(x + F(x)), the
        original Transformer (its last block already ends in a norm, so no final one).
        Xiong et al. (2020), "On Layer Normalization in the Transformer Architecture".
    init : {"gpt2", "gpt2_unscaled", "xavier"}
        See :func:`transformer_init_stds`. Biases start at 0; layer norms at gain 1,
        shift 0.
    embedding_std : float, default 0.02
        Std of the token and position embeddings (GPT-2: 0.02; OpenAI's code draws the
        position embeddings at 0.01).
    readout_zero : bool, default False
        Start the readout at 0: every logit is 0, so the initial loss is exactly ln V.
    causal : bool, default True
        Each position attends to itself and earlier positions only.
    rng : int, np.random.Generator or None

    Attributes (from the last forward / backward)
    ---------------------------------------------
    stream : list of ndarray (n, T, d_model)
        The residual stream after the embedding and after each block (n_layers + 1).
    attention : list of ndarray (n, n_heads, T, T)
        Each block's attention probabilities.
    block_grad_norms : ndarray (n_layers,)
        Frobenius norm of the gradient of each block's four weight matrices together.
    weights, weight_grads : lists of ndarray
        The matrices (embeddings, W_qkv, W_o, W_in, W_out of each block, the readout) and
        their gradients, as ``cu.MLP``'s; ``params`` and ``grads`` add biases and norms.

    Notes
    -----
    W_qkv is stored as one ``(d, 3d)`` matrix, W_q, W_k and W_v side by side, each drawn
    on its own. The readout is not tied to the token embedding (GPT-2 ties them).
    ``forward(X)`` returns the logits of the last position, ``(n, vocab_size)``: the
    next-token prediction after the whole sequence. Introduced in notebook 09.
    """

    def __init__(
        self,
        vocab_size: int,
        seq_len: int,
        *,
        d_model: int = 64,
        n_heads: int = 4,
        n_layers: int = 4,
        norm: str = "pre",
        init: str = "gpt2",
        embedding_std: float = GPT2_STD,
        readout_zero: bool = False,
        causal: bool = True,
        rng=None,
    ):
        self.vocab_size = V = check_positive_int("vocab_size", vocab_size)
        self.seq_len = T = check_positive_int("seq_len", seq_len)
        self.d_model = d = check_positive_int("d_model", d_model)
        self.n_heads = check_positive_int("n_heads", n_heads)
        if d % self.n_heads:
            raise ValueError(
                f"d_model must be a multiple of n_heads; received d_model={d}, "
                f"n_heads={self.n_heads}"
            )
        self.n_layers = L = check_positive_int("n_layers", n_layers)
        self.norm = check_choice("norm", norm, NORM_POSITIONS, what="norm position")
        self.init = check_choice("init", init, TRANSFORMER_INITS, what="transformer init")
        self.embedding_std = check_finite_number("embedding_std", embedding_std, minimum=0.0)
        self.readout_zero = bool(readout_zero)
        self.causal = bool(causal)
        gen = as_rng(rng)
        stds = self.init_stds = transformer_init_stds(init, d, L, V)

        def draw(name, fan_in, fan_out):
            if init == "xavier":
                return xavier_normal(fan_in, fan_out, rng=gen)
            return normal(fan_in, fan_out, std=stds[name], rng=gen)

        self.wte = normal(V, d, std=self.embedding_std, rng=gen)
        self.wpe = normal(T, d, std=self.embedding_std, rng=gen)
        self.blocks = []
        for _ in range(L):
            qkv = np.concatenate([draw("qkv", d, d) for _ in range(3)], axis=1)
            self.blocks.append(
                {
                    "ln1_g": np.ones(d),
                    "ln1_b": np.zeros(d),
                    "W_qkv": qkv,
                    "b_qkv": np.zeros(3 * d),
                    "W_o": draw("attn_proj", d, d),
                    "b_o": np.zeros(d),
                    "ln2_g": np.ones(d),
                    "ln2_b": np.zeros(d),
                    "W_in": draw("mlp_in", d, 4 * d),
                    "b_in": np.zeros(4 * d),
                    "W_out": draw("mlp_proj", 4 * d, d),
                    "b_out": np.zeros(d),
                }
            )
        self.lnf_g, self.lnf_b = np.ones(d), np.zeros(d)
        self.readout = np.zeros((d, V)) if readout_zero else draw("readout", d, V)
        self._names = [("wte",), ("wpe",)]
        for i, blk in enumerate(self.blocks):
            self._names += [(i, k) for k in blk]
        if self.norm == "pre":
            self._names += [("lnf_g",), ("lnf_b",)]
        self._names += [("readout",)]
        self._grads: dict = {}
        self.stream, self.attention = [], []
        self.block_grad_norms = np.zeros(L)

    # --- parameters -------------------------------------------------------------------
    def _get(self, key):
        return getattr(self, key[0]) if len(key) == 1 else self.blocks[key[0]][key[1]]

    @property
    def params(self) -> list[np.ndarray]:
        """Every trainable array: embeddings, each block's, the final norm's, the readout."""
        return [self._get(k) for k in self._names]

    @property
    def grads(self) -> list[np.ndarray]:
        """The gradients from the last backward, aligned with :attr:`params`."""
        return [self._grads[k] for k in self._names]

    @staticmethod
    def _is_weight(key) -> bool:
        return key[-1] in ("wte", "wpe", "W_qkv", "W_o", "W_in", "W_out", "readout")

    @property
    def weights(self) -> list[np.ndarray]:
        """The weight matrices (no biases, no norms), the same objects as in :attr:`params`."""
        return [self._get(k) for k in self._names if self._is_weight(k)]

    @property
    def weight_grads(self) -> list[np.ndarray]:
        """The gradients of :attr:`weights` from the last backward."""
        return [self._grads[k] for k in self._names if self._is_weight(k)]

    @property
    def n_params(self) -> int:
        """How many numbers the network learns."""
        return int(sum(p.size for p in self.params))

    def __repr__(self) -> str:
        return (
            f"Transformer(vocab_size={self.vocab_size}, seq_len={self.seq_len}, "
            f"d_model={self.d_model}, n_heads={self.n_heads}, n_layers={self.n_layers}, "
            f"norm={self.norm!r}, init={self.init!r}, readout_zero={self.readout_zero})"
        )

    def check_input(self, X, *, name: str = "X") -> np.ndarray:
        """``X`` as an integer array ``(n, seq_len)`` of tokens in 0..vocab_size-1, or raise."""
        arr = np.asarray(X)
        if arr.dtype == object or not (
            np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
        ):
            raise TypeError(f"{name} must be an array of integer tokens; received {arr.dtype}")
        if arr.ndim != 2 or arr.shape[1] != self.seq_len or arr.shape[0] < 1:
            raise ValueError(
                f"{name} must have shape (n_samples, {self.seq_len}) (one token per "
                f"position); received shape {arr.shape}"
            )
        if not np.issubdtype(arr.dtype, np.integer):
            if not np.isfinite(arr).all() or (arr != np.round(arr)).any():
                raise ValueError(f"{name} must hold whole-number tokens; received {arr.dtype}")
            arr = arr.astype(np.int64)
        if arr.min() < 0 or arr.max() >= self.vocab_size:
            raise ValueError(
                f"{name} must hold tokens in 0..{self.vocab_size - 1}; received tokens "
                f"from {arr.min()} to {arr.max()}"
            )
        return arr

    # --- forward ----------------------------------------------------------------------
    def _attn(self, blk, x):
        n, T, d = x.shape
        h = self.n_heads
        qkv = (x.reshape(n * T, d) @ blk["W_qkv"] + blk["b_qkv"]).reshape(n, T, 3, h, d // h)
        q, k, v = qkv.transpose(2, 0, 3, 1, 4)
        out, probs, cache = attention(q, k, v, causal=self.causal)
        merged = out.transpose(0, 2, 1, 3).reshape(n * T, d)
        return (merged @ blk["W_o"] + blk["b_o"]).reshape(n, T, d), probs, (x, merged, cache)

    def forward(self, X) -> np.ndarray:
        """Logits of the token after the sequence, ``(n, vocab_size)``; records the stream."""
        X = self.check_input(X)
        n, T = X.shape
        with np.errstate(over="ignore", invalid="ignore"):
            x = self.wte[X] + self.wpe[:T]
            self._X = X
            stream, probs_all, caches = [x], [], []
            for blk in self.blocks:
                if self.norm == "pre":
                    a_in, ln1 = layer_norm(x, blk["ln1_g"], blk["ln1_b"])
                    a, probs, ac = self._attn(blk, a_in)
                    x1 = x + a
                    m_in, ln2 = layer_norm(x1, blk["ln2_g"], blk["ln2_b"])
                    m, mc = mlp(m_in, blk["W_in"], blk["b_in"], blk["W_out"], blk["b_out"])
                    x = x1 + m
                else:
                    a, probs, ac = self._attn(blk, x)
                    x1, ln1 = layer_norm(x + a, blk["ln1_g"], blk["ln1_b"])
                    m, mc = mlp(x1, blk["W_in"], blk["b_in"], blk["W_out"], blk["b_out"])
                    x, ln2 = layer_norm(x1 + m, blk["ln2_g"], blk["ln2_b"])
                caches.append((ln1, ac, ln2, mc))
                stream.append(x)
                probs_all.append(probs)
            last = x[:, -1, :]
            lnf = None
            if self.norm == "pre":
                last, lnf = layer_norm(last, self.lnf_g, self.lnf_b)
            self._last, self._lnf, self._caches = last, lnf, caches
            self.stream, self.attention = stream, probs_all
            return last @ self.readout

    # --- backward ---------------------------------------------------------------------
    def _attn_back(self, blk, grad, cache, g):
        x, merged, acache = cache
        n, T, d = x.shape
        h = self.n_heads
        g2 = grad.reshape(n * T, d)
        g["W_o"], g["b_o"] = merged.T @ g2, g2.sum(axis=0)
        dout = (g2 @ blk["W_o"].T).reshape(n, T, h, d // h).transpose(0, 2, 1, 3)
        dq, dk, dv = attention_backward(dout, acache)
        dqkv = np.stack([dq, dk, dv]).transpose(1, 3, 0, 2, 4).reshape(n * T, 3 * d)
        g["W_qkv"], g["b_qkv"] = x.reshape(n * T, d).T @ dqkv, dqkv.sum(axis=0)
        return (dqkv @ blk["W_qkv"].T).reshape(n, T, d)

    def backward(self, grad_out) -> None:
        """Back-propagate dL/dlogits ``(n, vocab_size)``; fills :attr:`grads`."""
        grad_out = np.asarray(grad_out, dtype=float)
        n, T = self._X.shape
        if grad_out.shape != (n, self.vocab_size):
            raise ValueError(
                f"grad_out must have the shape of the last output, {(n, self.vocab_size)}; "
                f"received shape {grad_out.shape}"
            )
        G: dict = {}
        with np.errstate(over="ignore", invalid="ignore"):
            G[("readout",)] = self._last.T @ grad_out
            dlast = grad_out @ self.readout.T
            if self.norm == "pre":
                dlast, G[("lnf_g",)], G[("lnf_b",)] = layer_norm_backward(dlast, self._lnf)
            dx = np.zeros((n, T, self.d_model))
            dx[:, -1, :] = dlast
            norms = np.zeros(self.n_layers)
            for i in range(self.n_layers - 1, -1, -1):
                blk, (ln1, ac, ln2, mc) = self.blocks[i], self._caches[i]
                g: dict = {}
                if self.norm == "pre":
                    dm_in, g["W_in"], g["b_in"], g["W_out"], g["b_out"] = mlp_backward(dx, mc)
                    d1, g["ln2_g"], g["ln2_b"] = layer_norm_backward(dm_in, ln2)
                    dx1 = dx + d1
                    da_in = self._attn_back(blk, dx1, ac, g)
                    d0, g["ln1_g"], g["ln1_b"] = layer_norm_backward(da_in, ln1)
                    dx = dx1 + d0
                else:
                    du2, g["ln2_g"], g["ln2_b"] = layer_norm_backward(dx, ln2)
                    dm, g["W_in"], g["b_in"], g["W_out"], g["b_out"] = mlp_backward(du2, mc)
                    dx1 = du2 + dm
                    du1, g["ln1_g"], g["ln1_b"] = layer_norm_backward(dx1, ln1)
                    dx = du1 + self._attn_back(blk, du1, ac, g)
                norms[i] = math.sqrt(
                    sum(float(np.vdot(g[k], g[k])) for k in ("W_qkv", "W_o", "W_in", "W_out"))
                )
                G.update({(i, k): v for k, v in g.items()})
            flat = dx.reshape(n * T, self.d_model)
            onehot = np.zeros((n * T, self.vocab_size))
            onehot[np.arange(n * T), self._X.ravel()] = 1.0
            G[("wte",)] = onehot.T @ flat
            dwpe = np.zeros_like(self.wpe)
            dwpe[:T] = dx.sum(axis=0)
            G[("wpe",)] = dwpe
        self._grads, self.block_grad_norms = G, norms

    def predict(self, X) -> np.ndarray:
        """The most likely next token for each sequence, ``(n,)``."""
        return np.argmax(self.forward(X), axis=1)


def pointer_task(n_samples: int, vocab_size: int = 6, seq_len: int = 6, *, rng=None):
    """Sequences whose last token points at an earlier position; the label is the token there.

    ``X[:, :T-1]`` are uniform tokens, ``X[:, T-1] = p`` with p uniform in 0..T-2, and
    ``y = X[p]``. The last position must find position p among the others: attention is
    the only way information reaches it (the readout sees the last position only), so a
    network whose attention stays uniform scores no better than chance, ln V. Needs
    ``seq_len - 1 <= vocab_size`` (p is a token). Returns ``(X, y)``. Notebook 09.
    """
    n = check_positive_int("n_samples", n_samples)
    V = check_positive_int("vocab_size", vocab_size, minimum=2)
    T = check_positive_int("seq_len", seq_len, minimum=2)
    if T - 1 > V:
        raise ValueError(
            f"seq_len - 1 must be <= vocab_size (the pointer is a token); received "
            f"seq_len={T}, vocab_size={V}"
        )
    gen = as_rng(rng)
    X = gen.integers(0, V, size=(n, T))
    p = gen.integers(0, T - 1, size=n)
    X[:, -1] = p
    return X, X[np.arange(n), p]


def init_statistics(
    d_model: int = 64,
    n_layers: int = 4,
    init: str = "gpt2",
    norm: str = "pre",
    *,
    vocab_size: int = 6,
    seq_len: int = 6,
    n_samples: int = 64,
    n_heads: int = 4,
    seed: int = 0,
) -> dict:
    """What a fresh :class:`Transformer` does on :func:`pointer_task` data, block by block.

    Returns a dict of arrays: ``stream_std`` (n_layers + 1: the std of the residual
    stream's entries after the embedding and each block), ``grad_norm`` (n_layers: each
    block's weight-gradient norm, :attr:`Transformer.block_grad_norms`),
    ``entropy`` (n_layers: the mean attention entropy of the last position, in nats, over
    sequences and heads) and ``max_entropy`` (ln T, uniform attention over T positions),
    and the initial ``loss``. Pure: the same arguments give the same numbers (the seed
    draws the network and the data). Notebook 09 and its explorer.
    """
    net = Transformer(
        vocab_size, seq_len, d_model=d_model, n_heads=n_heads, n_layers=n_layers,
        norm=norm, init=init, rng=seed,
    )  # fmt: skip
    X, y = pointer_task(n_samples, vocab_size, seq_len, rng=seed + 1)
    from .attention import attention_entropy
    from .losses import softmax_cross_entropy

    loss, grad = softmax_cross_entropy(net.forward(X), y)
    net.backward(grad)
    return {
        "stream_std": np.array([s.std() for s in net.stream]),
        "grad_norm": net.block_grad_norms.copy(),
        "entropy": np.array([attention_entropy(a[:, :, -1, :]).mean() for a in net.attention]),
        "max_entropy": math.log(seq_len),
        "loss": loss,
    }
