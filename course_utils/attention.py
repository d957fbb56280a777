"""The pieces of a transformer block, each forward with its backward beside it (notebook 09).

Layer norm, scaled dot-product attention (with a causal mask), GPT-2's GELU and the MLP
it sits in. Every forward returns its output and a ``cache`` (what the backward needs);
every backward takes the gradient of the loss with respect to the output and the cache,
and returns the gradients with respect to the inputs and parameters. Shapes: a stream is
``(n, T, d)`` (sequences, positions, features); queries, keys and values are
``(n, heads, T, d_k)``; attention probabilities are ``(n, heads, T, T)``, rows summing to
1 over the keys. The tests check every backward against finite differences.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ._validation import check_finite_number

__all__ = [
    "LN_EPS",
    "layer_norm",
    "layer_norm_backward",
    "attention",
    "attention_backward",
    "attention_entropy",
    "gelu_tanh",
    "gelu_tanh_grad",
    "mlp",
    "mlp_backward",
]

#: The epsilon inside layer norm's square root (PyTorch's and GPT-2's ``1e-5``).
LN_EPS = 1e-5

_C = math.sqrt(2.0 / math.pi)  # GPT-2's GELU: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
_A = 0.044715


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = LN_EPS):
    """Layer norm over the last axis: ``gamma * (x - mean) / sqrt(var + eps) + beta``.

    Ba, Kiros & Hinton (2016), "Layer Normalization". Each position's ``d`` features are
    centred and scaled to unit second moment (the mean and the biased variance are over
    the features of that position), then ``gamma`` and ``beta`` (shape ``(d,)``, 1 and 0
    at init) rescale and shift them. Returns ``(y, cache)``.
    """
    mu = x.mean(axis=-1, keepdims=True)
    xc = x - mu
    inv = 1.0 / np.sqrt((xc * xc).mean(axis=-1, keepdims=True) + eps)
    xhat = xc * inv
    return xhat * gamma + beta, (xhat, inv, gamma)


def layer_norm_backward(grad_y: np.ndarray, cache):
    """Gradients of :func:`layer_norm`: ``(dx, dgamma, dbeta)``.

    With ``g = grad_y * gamma``: ``dx = (g - mean(g) - xhat * mean(g * xhat)) / sqrt(var +
    eps)``, the means over the features; ``dgamma`` and ``dbeta`` sum over every position.
    """
    xhat, inv, gamma = cache
    g = grad_y * gamma
    dx = inv * (g - g.mean(axis=-1, keepdims=True) - xhat * (g * xhat).mean(axis=-1, keepdims=True))
    axes = tuple(range(grad_y.ndim - 1))
    return dx, (grad_y * xhat).sum(axis=axes), grad_y.sum(axis=axes)


def attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, *, causal: bool = False, scale=None):
    """Scaled dot-product attention, Vaswani et al. (2017), "Attention Is All You Need", eq. 1.

    ``softmax(q k^T * scale) v`` with ``scale = 1 / sqrt(d_k)`` unless given (``scale=1``
    is the unscaled dot product). ``q``, ``k``, ``v``: ``(..., T, d_k)``. With
    ``causal=True`` position i attends to positions j <= i only (GPT's mask). Returns
    ``(out, probs, cache)``: ``out`` shaped like ``v``, ``probs`` ``(..., T, T)``.

    Why 1/sqrt(d_k): for q and k with independent unit-variance entries, Var(q . k) = d_k,
    so the scaled scores have variance 1 whatever d_k, the fan-in rule applied to a
    dot product.
    """
    d_k = q.shape[-1]
    scale = 1.0 / math.sqrt(d_k) if scale is None else check_finite_number("scale", scale)
    s = np.matmul(q, np.swapaxes(k, -1, -2))
    s *= scale
    if causal:
        s[..., _future(s.shape[-1])] = -np.inf
    s -= s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=-1, keepdims=True)
    return np.matmul(s, v), s, (q, k, v, s, scale)


@functools.lru_cache(maxsize=32)
def _future(T: int) -> np.ndarray:
    """The (T, T) mask of the keys a causal query may not see: j > i."""
    mask = np.triu(np.ones((T, T), dtype=bool), 1)
    mask.setflags(write=False)
    return mask


def attention_backward(grad_out: np.ndarray, cache):
    """Gradients of :func:`attention`: ``(dq, dk, dv)``.

    ``dv = p^T dout``; ``dp = dout v^T``; the softmax's ``ds = p * (dp - sum_j dp p)``
    (masked entries have p = 0, so they get none); ``dq = ds k * scale``,
    ``dk = ds^T q * scale``.
    """
    q, k, v, p, scale = cache
    dv = np.matmul(np.swapaxes(p, -1, -2), grad_out)
    dp = np.matmul(grad_out, np.swapaxes(v, -1, -2))
    dp -= (dp * p).sum(axis=-1, keepdims=True)
    dp *= p
    dp *= scale
    return np.matmul(dp, k), np.matmul(np.swapaxes(dp, -1, -2), q), dv


def attention_entropy(probs: np.ndarray) -> np.ndarray:
    """Entropy in nats of each row of attention probabilities, ``-sum_j p_j ln p_j``.

    ``probs``: ``(..., T, T)``; returns ``(..., T)``. A row that attends uniformly to m
    positions has entropy ln m; one that puts all its weight on one position has 0.
    """
    p = np.asarray(probs, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return -terms.sum(axis=-1)


def gelu_tanh(x: np.ndarray) -> np.ndarray:
    """GPT-2's GELU, the tanh approximation: ``0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3)))``.

    Hendrycks & Gimpel (2016), "Gaussian Error Linear Units (GELUs)"; OpenAI's GPT-2 code
    uses this form. It differs from the exact x Phi(x) (``cu.get_activation("gelu")``) by
    less than 1e-3.
    """
    return _gelu_and_tanh(x)[0]


def _gelu_and_tanh(x: np.ndarray):
    """GELU(x) and the tanh inside it (what the derivative needs), with few temporaries."""
    t = x * x
    t *= _C * _A
    t += _C
    t *= -2.0 * x
    with np.errstate(over="ignore"):  # tanh(u) = 2 / (1 + e^-2u) - 1: exp is 4x faster here
        np.exp(t, out=t)
    t += 1.0
    np.divide(2.0, t, out=t)
    t -= 1.0
    y = t + 1.0
    y *= x
    y *= 0.5
    return y, t


def gelu_tanh_grad(x: np.ndarray, t: np.ndarray | None = None) -> np.ndarray:
    """The derivative of :func:`gelu_tanh`, exact for that formula.

    ``t``, the tanh of the forward pass, saves computing it again.
    """
    if t is None:
        t = _gelu_and_tanh(x)[1]
    # 0.5 (1 + t) + 0.5 x (1 - t^2) C (1 + 3 A x^2)
    inner = x * x
    inner *= 3.0 * _A * _C
    inner += _C
    inner *= x
    inner *= 1.0 - t * t
    inner += 1.0 + t
    inner *= 0.5
    return inner


def mlp(x: np.ndarray, W1, b1, W2, b2):
    """The transformer's MLP: ``gelu(x W1 + b1) W2 + b2`` over the last axis.

    ``x``: ``(..., d)``; ``W1``: ``(d, d_mlp)``; ``W2``: ``(d_mlp, d)`` (GPT-2's ``c_fc``
    and ``c_proj``, with d_mlp = 4 d). Returns ``(out, cache)``.
    """
    z = x @ W1
    z += b1
    h, t = _gelu_and_tanh(z)
    out = h @ W2
    out += b2
    return out, (x, z, t, h, W1, W2)


def mlp_backward(grad_out: np.ndarray, cache):
    """Gradients of :func:`mlp`: ``(dx, dW1, db1, dW2, db2)``."""
    x, z, t, h, W1, W2 = cache
    d = x.shape[-1]
    g2 = grad_out.reshape(-1, grad_out.shape[-1])
    dW2 = h.reshape(-1, h.shape[-1]).T @ g2
    dz2 = g2 @ W2.T
    dz2 *= gelu_tanh_grad(z.reshape(dz2.shape), t.reshape(dz2.shape))
    dW1 = x.reshape(-1, d).T @ dz2
    dx = (dz2 @ W1.T).reshape(x.shape)
    return dx, dW1, dz2.sum(axis=0), dW2, g2.sum(axis=0)
