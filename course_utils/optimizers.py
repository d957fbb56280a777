"""Optimizers: SGD, momentum and Adam, each with an optional learning rate per parameter.

Every optimizer updates a list of parameter arrays in place from their gradients. With
``lr_multipliers`` (one float per parameter), parameter ``k`` is updated with the rate
``lr * lr_multipliers[k]``, as PyTorch's parameter groups with their own ``lr`` do: the
maximal-update parametrization (:mod:`course_utils.parametrization`) needs one. Without it
(the default) every parameter uses ``lr``, and the arithmetic is exactly what it was
before multipliers existed (a multiplier of 1.0 changes no bit). Re-exported by
:mod:`course_utils.training`, where they were introduced (notebook 05).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._validation import check_choice, check_finite_number

__all__ = ["SGD", "Momentum", "Adam", "OPTIMIZERS", "get_optimizer"]


def _norm(a: np.ndarray) -> np.float64:
    """Frobenius norm through BLAS (``ddot``), no temporary array."""
    return np.sqrt(np.vdot(a, a))


def _check_multipliers(lr_multipliers) -> list[float] | None:
    """None, or a list of finite positive floats (one per parameter)."""
    if lr_multipliers is None:
        return None
    if isinstance(lr_multipliers, (str, bytes)) or not isinstance(
        lr_multipliers, (Sequence, np.ndarray)
    ):
        raise TypeError(
            "lr_multipliers must be a list of floats, one per parameter, or None; "
            f"received {lr_multipliers!r}"
        )
    return [
        check_finite_number(f"lr_multipliers[{k}]", m, minimum=0.0, strict=True)
        for k, m in enumerate(lr_multipliers)
    ]


class SGD:
    """Plain stochastic gradient descent: ``w <- w - lr * g``.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    lr_multipliers : sequence of float, optional
        One positive factor per parameter: parameter ``k`` uses ``lr * lr_multipliers[k]``
        (a per-parameter learning rate). None: every parameter uses ``lr``.

    Notes
    -----
    ``step(params, grads)`` is ``begin_step(params)`` followed by ``update(k, p, g)``
    for every parameter. Each update depends on its own parameter only, so a training
    loop may apply it layer by layer during the backward pass, while the layer's weights
    and gradient are still in cache (:func:`~course_utils.training.train_step` does).
    Updates are written in place through one scratch array per parameter shape, made at
    the first step: a training loop allocates nothing per step. Introduced in notebook 05.
    """

    def __init__(self, lr: float, *, lr_multipliers=None):
        self.lr = check_finite_number("lr", lr, minimum=0.0, strict=True)
        self.lr_multipliers = _check_multipliers(lr_multipliers)
        self._scratch: list[np.ndarray] | None = None

    def _state(self, params: list[np.ndarray]) -> list[np.ndarray]:
        """One zeroed array per parameter, for running averages (momentum, Adam's m and v)."""
        return [np.zeros_like(p) for p in params]

    def _lr(self, k: int) -> float:
        """The learning rate of parameter ``k``: ``lr``, times its multiplier if any."""
        mults = self.lr_multipliers
        return self.lr if mults is None else self.lr * mults[k]

    def begin_step(self, params: list[np.ndarray]) -> None:
        """Get ready for one step over ``params`` (state is made at the first step)."""
        if self.lr_multipliers is not None and len(self.lr_multipliers) != len(params):
            raise ValueError(
                f"lr_multipliers has {len(self.lr_multipliers)} entries but there are "
                f"{len(params)} parameters; give one multiplier per parameter"
            )
        if self._scratch is None:  # one array per shape: it stays in cache
            by_shape: dict = {}
            self._scratch = [by_shape.setdefault(p.shape, np.empty(p.shape)) for p in params]

    def update(self, k: int, p: np.ndarray, g: np.ndarray) -> float:
        """Update parameter number ``k`` in place from its gradient; return ``|update|``."""
        u, lr = self._scratch[k], self._lr(k)
        np.multiply(g, -lr, out=u)
        p += u
        return lr * _norm(g)  # |u| = lr |g|

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[float]:
        """Update ``params`` in place; return the norm of each parameter's update."""
        self.begin_step(params)
        return [self.update(k, p, g) for k, (p, g) in enumerate(zip(params, grads))]

    def _repr_multipliers(self) -> str:
        if self.lr_multipliers is None:
            return ""
        return ", lr_multipliers=[" + ", ".join(f"{m:.4g}" for m in self.lr_multipliers) + "]"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr}{self._repr_multipliers()})"


class Momentum(SGD):
    """SGD with (heavy-ball) momentum, as PyTorch writes it.

    ``v <- mu * v + g``, ``w <- w - lr * v``, with ``mu = 0.9`` by default and
    ``v = 0`` before the first step (so the first step is plain SGD). ``lr_multipliers``
    as for :class:`SGD` (parameter ``k``: ``w <- w - lr * lr_multipliers[k] * v``).
    """

    def __init__(self, lr: float, mu: float = 0.9, *, lr_multipliers=None):
        super().__init__(lr, lr_multipliers=lr_multipliers)
        self.mu = check_finite_number("mu", mu, minimum=0.0)
        self.velocity: list[np.ndarray] | None = None

    def begin_step(self, params) -> None:
        """Get ready for one step over ``params`` (state is made at the first step)."""
        super().begin_step(params)
        if self.velocity is None:
            self.velocity = self._state(params)

    def update(self, k, p, g) -> float:
        """Update parameter number ``k`` in place from its gradient; return ``|update|``."""
        v, u, lr = self.velocity[k], self._scratch[k], self._lr(k)
        v *= self.mu
        v += g
        np.multiply(v, -lr, out=u)
        p += u
        return lr * _norm(v)  # |u| = lr |v|

    def __repr__(self) -> str:
        return f"Momentum(lr={self.lr}, mu={self.mu}{self._repr_multipliers()})"


class Adam(SGD):
    """Adam, Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization".

    ``m <- b1 m + (1-b1) g``, ``v <- b2 v + (1-b2) g^2``,
    ``w <- w - lr * m_hat / (sqrt(v_hat) + eps)`` with bias-corrected
    ``m_hat = m / (1 - b1^t)`` and ``v_hat = v / (1 - b2^t)``, t counting steps from 1.
    Each parameter's step is rescaled by its own gradient history, so its size is
    about ``lr`` whatever the gradient's scale (notebook 05). With ``lr_multipliers``,
    parameter ``k``'s step is multiplied by ``lr_multipliers[k]`` (its own rate).
    """

    def __init__(
        self,
        lr: float,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        *,
        lr_multipliers=None,
    ):
        super().__init__(lr, lr_multipliers=lr_multipliers)
        self.beta1 = check_finite_number("beta1", beta1, minimum=0.0)
        self.beta2 = check_finite_number("beta2", beta2, minimum=0.0)
        for name, beta in (("beta1", self.beta1), ("beta2", self.beta2)):
            if beta >= 1:
                raise ValueError(f"{name} must be in [0, 1); received {beta!r}")
        self.eps = check_finite_number("eps", eps, minimum=0.0, strict=True)
        self.t = 0
        self.m: list[np.ndarray] | None = None
        self.v: list[np.ndarray] | None = None

    def begin_step(self, params) -> None:
        """Count the step (t += 1) and make the state at the first one."""
        super().begin_step(params)
        if self.m is None:
            self.m, self.v = self._state(params), self._state(params)
        self.t += 1
        root_c2 = math.sqrt(1.0 - self.beta2**self.t)
        # lr m_hat / (sqrt(v_hat) + eps) = (lr sqrt(c2) / c1) m / (sqrt(v) + eps sqrt(c2))
        self._scale = -self.lr * root_c2 / (1.0 - self.beta1**self.t)
        self._eps = self.eps * root_c2

    def update(self, k, p, g) -> float:
        """Update parameter number ``k`` in place from its gradient; return ``|update|``."""
        m, v, u = self.m[k], self.v[k], self._scratch[k]
        b1, b2 = self.beta1, self.beta2
        m *= b1
        np.multiply(g, 1.0 - b1, out=u)
        m += u
        v *= b2
        np.multiply(g, g, out=u)
        u *= 1.0 - b2
        v += u
        np.sqrt(v, out=u)
        u += self._eps
        np.divide(m, u, out=u)
        mults = self.lr_multipliers
        u *= self._scale if mults is None else self._scale * mults[k]
        p += u
        return _norm(u)

    def __repr__(self) -> str:
        return (
            f"Adam(lr={self.lr}, beta1={self.beta1}, beta2={self.beta2}, eps={self.eps}"
            f"{self._repr_multipliers()})"
        )


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def get_optimizer(name: str, lr: float, *, lr_multipliers=None):
    """Return a fresh optimizer: "sgd", "momentum" (mu = 0.9) or "adam".

    An unknown name raises ``ValueError`` with the closest match; ``lr`` must be > 0.
    ``lr_multipliers`` (one float per parameter, optional) gives each parameter its own
    rate ``lr * lr_multipliers[k]``.
    """
    check_choice("optimizer", name, OPTIMIZERS, what="optimizer")
    return OPTIMIZERS[name](lr, lr_multipliers=lr_multipliers)
