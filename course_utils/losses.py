"""Losses: each returns its value and its gradient with respect to the network's output."""

from __future__ import annotations

import numpy as np

__all__ = ["softmax", "softmax_cross_entropy", "mse", "LOSSES"]


def _as_floats(a, name: str) -> np.ndarray:
    """``a`` as a float64 array, or a TypeError that names the argument."""
    try:
        return np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be an array of numbers; received {type(a).__name__} {str(a)[:40]!r}"
        ) from None


def _as_logits(logits, name: str = "logits") -> np.ndarray:
    """``logits`` as a float64 array of shape (n_samples, n_classes), or a clear error."""
    z = _as_floats(logits, name)
    if z.ndim != 2 or z.shape[1] < 1:
        hint = " (one sample? use logits[None, :])" if z.ndim == 1 else ""
        raise ValueError(
            f"{name} must have shape (n_samples, n_classes); received shape {z.shape}{hint}"
        )
    return z


def softmax(logits) -> np.ndarray:
    """Row-wise softmax of ``logits`` (n_samples, n_classes), shifted by the row max."""
    z = _as_logits(logits)
    with np.errstate(over="ignore", invalid="ignore"):
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def _check_labels(y, n_samples: int, n_classes: int) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (n_samples,) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"y must be integer class labels of shape ({n_samples},); "
            f"received dtype {y.dtype} and shape {y.shape}"
        )
    if n_samples and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"y must hold labels in 0..{n_classes - 1} for {n_classes} outputs; "
            f"received labels from {y.min()} to {y.max()}"
        )
    return y


def softmax_cross_entropy(logits, y, *, out=None) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(logits) against integer labels ``y``, and its gradient.

    .. math:: L = -\\frac{1}{n} \\sum_i \\log \\operatorname{softmax}(z_i)_{y_i},\\qquad
              \\frac{\\partial L}{\\partial z_i} = \\frac{\\operatorname{softmax}(z_i) -
              \\operatorname{onehot}(y_i)}{n}

    A network that outputs the same logits for every class scores ln(n_classes):
    2.303 for the ten digits. Returns ``(loss, grad)`` with ``grad`` shaped like ``logits``.
    ``out``, an array shaped like ``logits``, receives the gradient (no allocation: the
    training loop passes one); it must not be ``logits`` itself.
    """
    z = _as_logits(logits)
    n, k = z.shape
    y = _check_labels(y, n, k)
    grad = np.empty_like(z) if out is None else out
    rows = np.arange(n)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        zmax = z.max(axis=1)
        np.subtract(z, zmax[:, None], out=grad)
        picked = grad[rows, y]  # z_{i, y_i} - max_j z_ij
        np.exp(grad, out=grad)
        total = grad.sum(axis=1)
        loss = float(np.mean(np.log(total) - picked))
        grad *= (1.0 / (n * total))[:, None]
        grad[rows, y] -= 1.0 / n
    return loss, grad


def mse(pred, target, *, out=None) -> tuple[float, np.ndarray]:
    """Mean squared error ``mean((pred - target)^2)`` over all entries, and its gradient.

    The gradient is ``2 (pred - target) / pred.size``; ``out`` (shaped like ``pred``)
    receives it when given. ``target`` has ``pred``'s shape, or is ``(n,)`` for a
    one-output ``pred`` of shape ``(n, 1)``; any other shape is refused, even one of the
    same size (a transposed target would pair the wrong entries silently).
    """
    pred, target = _as_floats(pred, "pred"), _as_floats(target, "target")
    if pred.size == 0:
        raise ValueError(f"pred must hold at least one entry; received shape {pred.shape}")
    if target.shape != pred.shape:
        if pred.ndim == 2 and pred.shape[1] == 1 and target.shape == pred.shape[:1]:
            target = target[:, None]
        else:
            raise ValueError(
                f"target must have the shape of pred, {pred.shape}"
                + (f" (or ({pred.shape[0]},) for one output)" if pred.shape[1:] == (1,) else "")
                + f"; received shape {target.shape}"
            )
    with np.errstate(over="ignore", invalid="ignore"):
        diff = np.subtract(pred, target, out=out)
        value = float(np.vdot(diff, diff)) / diff.size
        diff *= 2.0 / diff.size
        return value, diff


LOSSES = {"cross_entropy": softmax_cross_entropy, "mse": mse}
