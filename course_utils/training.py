"""Optimizers and a training loop that records what each layer goes through.

``fit(net, X, y, ...)`` trains an :class:`~course_utils.network.MLP` with mini-batches and
returns a :class:`History` with per-epoch loss and accuracy, per-layer gradient norms and
per-layer update:data ratios ``|update| / |W|``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._validation import as_rng, check_choice, check_finite_number, check_positive_int
from .losses import LOSSES

__all__ = ["SGD", "Momentum", "Adam", "OPTIMIZERS", "get_optimizer", "History", "fit"]


class SGD:
    """Plain stochastic gradient descent: ``w <- w - lr * g``."""

    def __init__(self, lr: float):
        self.lr = check_finite_number("lr", lr, minimum=0.0, strict=True)

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[float]:
        """Update ``params`` in place; return the norm of each parameter's update."""
        norms = []
        for p, g in zip(params, grads):
            u = g * -self.lr
            p += u
            norms.append(float(np.sqrt(np.vdot(u, u))))
        return norms

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr})"


class Momentum(SGD):
    """SGD with (heavy-ball) momentum, as PyTorch writes it.

    ``v <- mu * v + g``, ``w <- w - lr * v``, with ``mu = 0.9`` by default.
    """

    def __init__(self, lr: float, mu: float = 0.9):
        super().__init__(lr)
        self.mu = check_finite_number("mu", mu, minimum=0.0)
        self.velocity: list[np.ndarray] | None = None

    def step(self, params, grads):
        """Update ``params`` in place; return the norm of each parameter's update."""
        if self.velocity is None:
            self.velocity = [np.zeros_like(p) for p in params]
        norms = []
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.mu
            v += g
            u = v * -self.lr
            p += u
            norms.append(float(np.sqrt(np.vdot(u, u))))
        return norms


class Adam(SGD):
    """Adam, Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization".

    ``m <- b1 m + (1-b1) g``, ``v <- b2 v + (1-b2) g^2``,
    ``w <- w - lr * m_hat / (sqrt(v_hat) + eps)`` with bias-corrected ``m_hat``, ``v_hat``.
    Each parameter's step is rescaled by its own gradient history, so its size is
    about ``lr`` whatever the gradient's scale (notebook 05).
    """

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1 = check_finite_number("beta1", beta1, minimum=0.0)
        self.beta2 = check_finite_number("beta2", beta2, minimum=0.0)
        self.eps = check_finite_number("eps", eps, minimum=0.0, strict=True)
        self.t = 0
        self.m: list[np.ndarray] | None = None
        self.v: list[np.ndarray] | None = None

    def step(self, params, grads):
        """Update ``params`` in place; return the norm of each parameter's update."""
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        c1 = 1.0 - self.beta1**self.t
        c2 = 1.0 - self.beta2**self.t
        norms = []
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * (g * g)
            u = np.sqrt(v / c2)
            u += self.eps
            np.divide(m, u, out=u)
            u *= -self.lr / c1
            p += u
            norms.append(float(np.sqrt(np.vdot(u, u))))
        return norms


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def get_optimizer(name: str, lr: float):
    """Return a fresh optimizer: "sgd", "momentum" (mu = 0.9) or "adam"."""
    check_choice("optimizer", name, OPTIMIZERS, what="optimizer")
    return OPTIMIZERS[name](lr)


@dataclass
class History:
    """What happened during :func:`fit`, one entry per epoch.

    Attributes
    ----------
    loss, accuracy : list of float
        Mean training loss and accuracy over the epoch's mini-batches.
    initial_loss, initial_accuracy : float
        On the whole training set before the first update.
    grad_norms : ndarray of shape (epochs, n_layers)
        Mean Frobenius norm of dL/dW per layer over the epoch's steps.
    update_ratio : ndarray of shape (epochs, n_layers)
        Mean ``|update of W| / |W|`` per layer (practitioners aim near 1e-3).
    val_loss, val_accuracy : list of float
        On ``validation=(X_val, y_val)`` after each epoch (empty without it).
    step_loss : list of float
        The loss of every mini-batch.
    diverged_at : int or None
        The epoch (1-based) at which the loss became inf or nan; training stopped there.
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    initial_loss: float = float("nan")
    initial_accuracy: float = float("nan")
    grad_norms: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    update_ratio: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)
    diverged_at: int | None = None

    def __repr__(self) -> str:
        if not self.loss:
            return "History(no epochs)"
        tail = f", diverged at epoch {self.diverged_at}" if self.diverged_at else ""
        return (
            f"History({len(self.loss)} epochs, loss {self.initial_loss:.4g} -> "
            f"{self.loss[-1]:.4g}, accuracy {self.accuracy[-1]:.3f}{tail})"
        )


def _accuracy(out: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.argmax(out, axis=1) == y))


def fit(
    net,
    X,
    y,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    optimizer="sgd",
    loss: str = "cross_entropy",
    validation: tuple | None = None,
    rng=0,
    callback: Callable | None = None,
) -> History:
    """Train ``net`` on ``(X, y)`` with mini-batches; return a :class:`History`.

    Parameters
    ----------
    net : MLP
        Updated in place.
    X : ndarray of shape (n_samples, n_in)
    y : ndarray of shape (n_samples,)
        Integer labels for ``loss="cross_entropy"``; targets for ``loss="mse"``.
    epochs, batch_size : int
    lr : float
        Learning rate.
    optimizer : {"sgd", "momentum", "adam"} or an optimizer object
        "momentum" uses mu = 0.9.
    loss : {"cross_entropy", "mse"}
    validation : (X_val, y_val), optional
        Evaluated after every epoch into ``history.val_loss`` and ``val_accuracy``.
    rng : int, np.random.Generator or None, default 0
        Shuffles the mini-batches; the same seed gives the same history.
    callback : callable, optional
        ``callback(epoch, history)`` after every epoch (used for progress bars).

    Returns
    -------
    History

    Notes
    -----
    If the loss becomes inf or nan, training stops and ``history.diverged_at`` says
    when; no RuntimeWarning is emitted. Introduced in notebook 05.
    """
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    lr = check_finite_number("lr", lr, minimum=0.0, strict=True)
    check_choice("loss", loss, LOSSES, what="loss")
    loss_fn = LOSSES[loss]
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != net.layer_sizes[0]:
        raise ValueError(
            f"X must have shape (n_samples, {net.layer_sizes[0]}); received shape {X.shape}"
        )
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must have one entry per row of X ({X.shape[0]}); received shape {y.shape}"
        )
    opt = get_optimizer(optimizer, lr) if isinstance(optimizer, str) else optimizer
    gen = as_rng(rng)
    classify = loss == "cross_entropy"
    n = X.shape[0]
    L = net.n_layers

    hist = History()
    out = net.forward(X)
    with np.errstate(all="ignore"):
        hist.initial_loss = loss_fn(out, y)[0]
        hist.initial_accuracy = _accuracy(out, y) if classify else float("nan")
    gnorms, ratios = [], []
    for epoch in range(1, epochs + 1):
        order = gen.permutation(n)
        Xs, ys = X[order], y[order]
        ep_loss, ep_correct = 0.0, 0
        g_sum, r_sum = np.zeros(L), np.zeros(L)
        steps = 0
        for start in range(0, n, batch_size):
            xb, yb = Xs[start : start + batch_size], ys[start : start + batch_size]
            out = net.forward(xb)
            with np.errstate(all="ignore"):
                value, grad = loss_fn(out, yb)
            net.backward(grad)
            with np.errstate(all="ignore"):
                norms = opt.step(net.params, net.grads)
                for i in range(L):
                    g = net.weight_grads[i]
                    g_sum[i] += np.sqrt(np.vdot(g, g))
                    w = net.weights[i]
                    r_sum[i] += norms[2 * i] / np.sqrt(np.vdot(w, w))
            hist.step_loss.append(value)
            ep_loss += value * xb.shape[0]
            if classify:
                ep_correct += int(np.sum(np.argmax(out, axis=1) == yb))
            steps += 1
        hist.loss.append(ep_loss / n)
        hist.accuracy.append(ep_correct / n if classify else float("nan"))
        gnorms.append(g_sum / steps)
        ratios.append(r_sum / steps)
        if validation is not None:
            Xv, yv = validation
            out_v = net.forward(Xv)
            with np.errstate(all="ignore"):
                hist.val_loss.append(loss_fn(out_v, yv)[0])
            hist.val_accuracy.append(_accuracy(out_v, yv) if classify else float("nan"))
        if callback is not None:
            callback(epoch, hist)
        if not np.isfinite(hist.loss[-1]):
            hist.diverged_at = epoch
            break
    hist.grad_norms = np.array(gnorms)
    hist.update_ratio = np.array(ratios)
    return hist
