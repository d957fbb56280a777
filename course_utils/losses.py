"""Losses: each returns its value and its gradient with respect to the network's output."""

from __future__ import annotations

import numpy as np

__all__ = ["softmax", "softmax_cross_entropy", "mse", "LOSSES"]


def softmax(logits) -> np.ndarray:
    """Row-wise softmax of ``logits`` (n_samples, n_classes), shifted by the row max."""
    z = np.asarray(logits, dtype=np.float64)
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


def softmax_cross_entropy(logits, y) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(logits) against integer labels ``y``, and its gradient.

    .. math:: L = -\\frac{1}{n} \\sum_i \\log \\operatorname{softmax}(z_i)_{y_i},\\qquad
              \\frac{\\partial L}{\\partial z_i} = \\frac{\\operatorname{softmax}(z_i) -
              \\operatorname{onehot}(y_i)}{n}

    A network that outputs the same logits for every class scores ln(n_classes):
    2.303 for the ten digits. Returns ``(loss, grad)`` with ``grad`` shaped like ``logits``.
    """
    z = np.asarray(logits, dtype=np.float64)
    n, k = z.shape
    y = _check_labels(y, n, k)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        shifted = z - z.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(shifted).sum(axis=1))
        rows = np.arange(n)
        loss = float(np.mean(log_norm - shifted[rows, y]))
        grad = np.exp(shifted - log_norm[:, None])
        grad[rows, y] -= 1.0
        grad /= n
    return loss, grad


def mse(pred, target) -> tuple[float, np.ndarray]:
    """Mean squared error ``mean((pred - target)^2)`` over all entries, and its gradient."""
    pred = np.asarray(pred, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64).reshape(pred.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        diff = pred - target
        return float(np.mean(diff * diff)), 2.0 * diff / diff.size


LOSSES = {"cross_entropy": softmax_cross_entropy, "mse": mse}
