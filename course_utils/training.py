"""A training loop that records what each layer goes through (and the optimizers it uses).

``fit(net, X, y, ...)`` trains an :class:`~course_utils.network.MLP` with mini-batches and
returns a :class:`History` with per-epoch loss and accuracy, per-layer gradient norms and
per-layer update:data ratios ``|update| / |W|``. The optimizers live in
:mod:`course_utils.optimizers` and are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._validation import (
    as_rng,
    check_batch,
    check_choice,
    check_finite_number,
    check_positive_int,
)
from .losses import LOSSES
from .optimizers import OPTIMIZERS, SGD, Adam, Momentum, _norm, get_optimizer

__all__ = [
    "SGD",
    "Momentum",
    "Adam",
    "OPTIMIZERS",
    "get_optimizer",
    "History",
    "train_step",
    "clip_grad_norm",
    "fit",
]


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
        Mean ``|update of W| / |W|`` per layer, with ``|W|`` before the update, as CS231n's
        notes compute it and notebook 05's cell does (practitioners aim near 1e-3; nan while
        a layer's weights and update are both 0).
    val_loss, val_accuracy : list of float
        On ``validation=(X_val, y_val)`` after each epoch (empty without it).
    step_loss : list of float
        The loss of every mini-batch.
    diverged_at : int or None
        The epoch (1-based) in which a mini-batch loss became inf or nan; training
        stopped at that step, so that epoch's loss is inf or nan.
    clipped : list of int
        With ``fit(..., clip_norm=c)``: how many steps of each epoch had a global gradient
        norm above c and were clipped (empty without it).
    step_lr : list of float
        With ``fit(..., warmup_steps=k)``: the learning rate of every step (empty without).
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
    clipped: list = field(default_factory=list)
    step_lr: list = field(default_factory=list)

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


def _weight_indices(net) -> list[int]:
    """Where each of ``net.weights`` sits in ``net.params`` (found by identity)."""
    params = net.params
    return [next(k for k, p in enumerate(params) if p is w) for w in net.weights]


def clip_grad_norm(grads: list[np.ndarray], max_norm: float) -> float:
    """Rescale ``grads`` in place so that their global norm is at most ``max_norm``.

    Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent neural
    networks", Algorithm 1: when ``|g| > max_norm``, ``g <- g * max_norm / |g|``, with
    ``|g|`` the norm of all gradients together (as PyTorch's ``clip_grad_norm_``). The
    direction is kept; only the step's length is capped. Returns ``|g|`` before clipping.
    """
    max_norm = check_finite_number("max_norm", max_norm, minimum=0.0, strict=True)
    total = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    if total > max_norm:  # inf or nan totals are left for the divergence check
        scale = max_norm / total
        for g in grads:
            g *= scale
    return total


def _attach_lr_multipliers(net, optimizer) -> None:
    """Give ``optimizer`` the per-layer learning rates of ``net``'s parametrization.

    An :class:`~course_utils.network.MLP` under "ntk" or "mup" returns one multiplier per
    parameter from ``net.lr_multipliers(optimizer)`` (None under "standard": nothing
    changes). An optimizer that already has multipliers keeps its own.
    """
    table = getattr(net, "lr_multipliers", None)
    if not callable(table) or getattr(optimizer, "lr_multipliers", None) is not None:
        return
    mults = table(optimizer)
    if mults is None:
        return
    if not hasattr(optimizer, "lr_multipliers"):
        raise TypeError(
            f"{net!r} needs a learning rate per layer, but the optimizer {optimizer!r} takes "
            "no lr_multipliers; use cu.SGD, cu.Momentum or cu.Adam"
        )
    optimizer.lr_multipliers = list(mults)


def train_step(
    net,
    optimizer,
    X,
    y,
    *,
    loss: str = "cross_entropy",
    record=None,
    clip_norm: float | None = None,
    stats: dict | None = None,
):
    """One mini-batch step: forward, loss, backward, optimizer update (in place).

    The hot path of :func:`fit`. For an :class:`~course_utils.network.MLP` every array
    it touches is made once and reused (``reuse_buffers=True``), its matrix products go
    to BLAS, and each layer is updated during the backward pass, as soon as the pass is
    done with it (its weights and gradient are then still in cache); the result is the
    same as updating every parameter after the whole backward pass.
    ``benchmarks/training.py`` times it against its own matrix products.

    Parameters
    ----------
    net : MLP, or any network with ``forward``, ``backward``, ``params``, ``grads``,
        ``weights`` and ``weight_grads`` (the course's CNN, RNN and Transformer)
        Updated in place.
    optimizer : SGD, Momentum or Adam
        An optimizer object (its state, such as momentum, carries across steps). For a
        network under the "ntk" or "mup" parametrization, an optimizer without
        ``lr_multipliers`` is given the network's (``net.lr_multipliers(optimizer)``).
    X : ndarray of shape (batch, ...)
        What ``net.forward`` reads: ``(batch, n_in)`` for an MLP.
    y : ndarray of shape (batch,) or what the loss reads
        Integer labels (``loss="cross_entropy"``) or targets (``loss="mse"``).
    loss : {"cross_entropy", "mse"}
    record : ndarray of shape (2, len(net.weights)), optional
        When given, adds each layer's ``|dL/dW|`` to ``record[0]`` and
        ``|update of W| / |W|`` (``|W|`` before the update) to ``record[1]``. With
        ``clip_norm``, ``|dL/dW|`` is the gradient before clipping.
    clip_norm : float, optional
        Clip the global gradient norm to this value before the update
        (:func:`clip_grad_norm`, Pascanu et al. 2013).
    stats : dict, optional
        With ``clip_norm``, receives ``stats["grad_norm"]``, the global gradient norm
        before clipping.

    Returns
    -------
    value : float
        The mini-batch loss before the update (inf or nan when the network diverged).
    output : ndarray of shape (batch, n_out)
        The network's output before the update (a reused buffer: overwritten next step).
    """
    if isinstance(optimizer, str) or not callable(getattr(optimizer, "step", None)):
        raise TypeError(
            "optimizer must be an optimizer object such as cu.get_optimizer('momentum', "
            f"lr=0.01); received {optimizer!r}"
        )
    check_choice("loss", loss, LOSSES, what="loss")
    _attach_lr_multipliers(net, optimizer)
    layered = hasattr(net, "_workspace") and hasattr(optimizer, "update") and clip_norm is None
    with np.errstate(all="ignore"):
        if not layered:  # any network with forward/backward/params/grads, any optimizer
            out = net.forward(X)
            value, grad = LOSSES[loss](out, y)
            net.backward(grad)
            if record is not None:
                before = [_norm(w) for w in net.weights]
                for i, g in enumerate(net.weight_grads):
                    record[0, i] += _norm(g)
            if clip_norm is not None:
                total = clip_grad_norm(net.grads, clip_norm)
                if stats is not None:
                    stats["grad_norm"] = total
            norms = optimizer.step(net.params, net.grads)
            if record is not None:
                for i, k in enumerate(_weight_indices(net)):
                    record[1, i] += norms[k] / before[i]
            return value, out
        out = net.forward(X, reuse_buffers=True)
        value, grad = LOSSES[loss](out, y, out=net._workspace(out.shape[0])["grad_out"])
        optimizer.begin_step(net.params)
        weights, biases = net.weights, net.biases

        def update_layer(i, weight_grad, bias_grad):
            # called by backward as soon as layer i is done with: its arrays are in cache
            before = _norm(weights[i]) if record is not None else 0.0
            norm = optimizer.update(2 * i, weights[i], weight_grad)
            optimizer.update(2 * i + 1, biases[i], bias_grad)
            if record is not None:
                record[0, i] += _norm(weight_grad)
                record[1, i] += norm / before

        net.backward(grad, reuse_buffers=True, compute_input_grad=False, on_layer=update_layer)
    return value, out


def _check_input(net, name: str, X) -> np.ndarray:
    """The network's own input check when it has one, else a 2-D batch of ``n_in`` columns."""
    if callable(getattr(net, "check_input", None)):
        return net.check_input(X, name=name)
    return check_batch(name, X, net.layer_sizes[0])


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
    rng=None,
    callback: Callable | None = None,
    clip_norm: float | None = None,
    warmup_steps: int = 0,
) -> History:
    """Train ``net`` on ``(X, y)`` with mini-batches; return a :class:`History`.

    Each epoch shuffles the rows (from ``rng``), then takes one :func:`train_step` per
    mini-batch of ``batch_size`` rows (the last one may be smaller).

    Parameters
    ----------
    net : MLP
        Updated in place.
    X : ndarray of shape (n_samples, n_in)
    y : ndarray of shape (n_samples,)
        Integer labels for ``loss="cross_entropy"``; targets for ``loss="mse"``.
    epochs, batch_size : int
    lr : float
        Learning rate (> 0). Ignored when ``optimizer`` is an optimizer object.
    optimizer : {"sgd", "momentum", "adam"} or an optimizer object
        "momentum" uses mu = 0.9. A network under the "ntk" or "mup" parametrization
        trains each layer with its own rate, ``lr`` times the multiplier of its table
        (:mod:`course_utils.parametrization`), on every path of :func:`train_step`.
    loss : {"cross_entropy", "mse"}
    validation : (X_val, y_val), optional
        Evaluated after every epoch into ``history.val_loss`` and ``val_accuracy``.
    rng : int, np.random.Generator or None, default None
        Shuffles the mini-batches; the same seed gives the same history.
    callback : callable, optional
        ``callback(epoch, history)`` after every epoch (used for progress bars).
    clip_norm : float, optional
        Clip the global gradient norm of every step to this value (Pascanu et al. 2013,
        :func:`clip_grad_norm`); ``history.clipped`` counts the clipped steps per epoch.
    warmup_steps : int, default 0
        Linear learning-rate warm-up: step t (counted from 1) uses
        ``lr * min(1, t / warmup_steps)``, as Vaswani et al. (2017) and most transformer
        recipes do before a constant rate; ``history.step_lr`` holds the rate of every step.

    Returns
    -------
    History

    Notes
    -----
    If a mini-batch loss becomes inf or nan, training stops at once and
    ``history.diverged_at`` says in which epoch; no RuntimeWarning is emitted.
    Introduced in notebook 05.
    """
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    lr = check_finite_number("lr", lr, minimum=0.0, strict=True)
    warmup_steps = check_positive_int("warmup_steps", warmup_steps, minimum=0)
    if clip_norm is not None:
        clip_norm = check_finite_number("clip_norm", clip_norm, minimum=0.0, strict=True)
    check_choice("loss", loss, LOSSES, what="loss")
    loss_fn = LOSSES[loss]
    X = np.ascontiguousarray(_check_input(net, "X", X))
    y = np.ascontiguousarray(y)
    if y.ndim == 0 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y must have one entry per row of X ({X.shape[0]}); received shape {y.shape}"
        )
    if loss == "mse" and not np.isfinite(np.asarray(y, dtype=np.float64)).all():
        raise ValueError("y holds inf or nan targets; the targets must be finite")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(
                f"validation must be a pair (X_val, y_val); received {type(validation).__name__}"
            )
        Xv = _check_input(net, "validation X_val", validation[0])
        yv = np.asarray(validation[1])
        if yv.ndim == 0 or len(yv) != len(Xv):
            raise ValueError(
                "validation must be (X_val, y_val) with one entry of y_val per row of X_val; "
                f"received shapes {Xv.shape} and {yv.shape}"
            )
    opt = get_optimizer(optimizer, lr) if isinstance(optimizer, str) else optimizer
    if not callable(getattr(opt, "step", None)):
        raise TypeError(
            "optimizer must be 'sgd', 'momentum', 'adam' or an optimizer object; "
            f"received {optimizer!r}"
        )
    gen = as_rng(rng)
    classify = loss == "cross_entropy"
    n = X.shape[0]
    L = len(net.weights)
    base_lr = getattr(opt, "lr", None)
    if warmup_steps and base_lr is None:
        raise TypeError(f"warmup_steps needs an optimizer with an lr attribute; received {opt!r}")
    stats: dict = {}

    hist = History()
    with np.errstate(all="ignore"):
        out = net.forward(X)
        hist.initial_loss = loss_fn(out, y)[0]  # also checks the labels, up front
        hist.initial_accuracy = _accuracy(out, y) if classify else float("nan")
    Xs, ys = np.empty_like(X), np.empty_like(y)  # this epoch's shuffled copy, reused
    record = np.zeros((2, L))
    gnorms, ratios = [], []
    for epoch in range(1, epochs + 1):
        order = gen.permutation(n)
        np.take(X, order, axis=0, out=Xs)
        np.take(y, order, axis=0, out=ys)
        ep_loss, ep_correct, seen, steps = 0.0, 0, 0, 0
        record[:] = 0.0
        clipped = 0
        for start in range(0, n, batch_size):
            xb, yb = Xs[start : start + batch_size], ys[start : start + batch_size]
            if warmup_steps:
                opt.lr = base_lr * min(1.0, (len(hist.step_loss) + 1) / warmup_steps)
                hist.step_lr.append(opt.lr)
            value, out = train_step(
                net, opt, xb, yb, loss=loss, record=record, clip_norm=clip_norm, stats=stats
            )
            clipped += clip_norm is not None and stats["grad_norm"] > clip_norm
            hist.step_loss.append(value)
            ep_loss += value * xb.shape[0]
            seen += xb.shape[0]
            steps += 1
            if classify:
                ep_correct += int(np.count_nonzero(np.argmax(out, axis=1) == yb))
            if not math.isfinite(value):
                hist.diverged_at = epoch
                break
        hist.loss.append(ep_loss / seen)
        if clip_norm is not None:
            hist.clipped.append(int(clipped))
        hist.accuracy.append(ep_correct / seen if classify else float("nan"))
        gnorms.append(record[0] / steps)
        ratios.append(record[1] / steps)
        hist.grad_norms = np.array(gnorms)
        hist.update_ratio = np.array(ratios)
        if validation is not None:
            with np.errstate(all="ignore"):
                out_v = net.forward(Xv)
                hist.val_loss.append(loss_fn(out_v, yv)[0])
            hist.val_accuracy.append(_accuracy(out_v, yv) if classify else float("nan"))
        if callback is not None:
            callback(epoch, hist)
        if hist.diverged_at is not None:
            break
    if warmup_steps:
        opt.lr = base_lr  # an optimizer object passed in keeps the rate it came with
    return hist
