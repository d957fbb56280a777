"""Checks on width and parametrization: Adam's first step on a wide layer, muP's Adam rates."""

from __future__ import annotations

import math

from .feedback import _check_formula

__all__ = ["check_adam_step_change", "check_mup_adam_lrs"]

_E_ABS = math.sqrt(2.0 / math.pi)  # E|x| for x ~ N(0, 1)


def check_adam_step_change(adam_step_change) -> None:
    """Notebook 10, exercise 1: ``adam_step_change(n, lr)`` = lr n sqrt(2/pi).

    A unit ``z = sum_i x_i w_i`` with inputs x_i ~ N(0, 1): the gradient of w_i is
    ``delta x_i``, so Adam's first step (``m_hat / sqrt(v_hat) = sign(g)``, eps aside) is
    ``-lr sign(delta) sign(x_i)`` and ``z`` moves by ``lr sum_i |x_i|``, whose expectation is
    ``lr n E|x| = lr n sqrt(2/pi)``: n aligned terms add like n, not sqrt(n).
    """
    args = [(64, 0.01), (1024, 0.01), (256, 1e-3), (1, 0.5), (4096, 3e-4)]
    cases = [(f"n = {n}, lr = {lr:g}", (n, lr), lr * n * _E_ABS) for n, lr in args]
    _check_formula(
        adam_step_change,
        "adam_step_change",
        cases,
        show=lambda v: f"{float(v):.6g}",
        hint="Adam's first step moves every weight by lr against the sign of its gradient, "
        "and the gradient of w_i is delta x_i: each term of the change is lr |x_i|.",
        mistakes=[
            (
                lambda n, lr: lr * math.sqrt(n) * _E_ABS,
                "the n terms are not independent: they all have the sign of the input, so "
                "they add like n, not sqrt(n).",
            ),
            (
                lambda n, lr: lr * math.sqrt(n),
                "that is a random-sign update (terms add like sqrt(n)); here every term is "
                "aligned with its input.",
            ),
            (
                lambda n, lr: lr * n,
                "each term is lr |x_i|, and E|x| = sqrt(2/pi) = 0.798 for N(0, 1), not 1 "
                "(that would be E[x^2]).",
            ),
            (
                lambda n, lr: lr * n * 2.0 / math.pi,
                "E|x| = sqrt(2/pi) = 0.798, not 2/pi = 0.637.",
            ),
            (
                lambda n, lr: -lr * n * _E_ABS,
                "the question asks for the size of the change, |z_1 - z_0|: a positive number.",
            ),
        ],
        correct=f"lr n sqrt(2/pi): width 64 at lr 0.01 moves a unit by {0.64 * _E_ABS:.3f}, "
        f"width 1024 by {10.24 * _E_ABS:.2f}, 16 times as far.",
    )


def check_mup_adam_lrs(mup_adam_lrs) -> None:
    """Notebook 10, exercise 2: ``mup_adam_lrs(width, base_width, lr)`` -> the 3 Adam rates.

    Tensor Programs V, Table 8 (what ``MuAdam`` does): the input layer keeps ``lr`` (its
    fan-in is finite), a hidden matrix gets ``lr * base_width / width`` (``lr / fan_in``
    relative to the base), the readout keeps ``lr`` (its 1/width is a forward multiplier).
    The answer may be three numbers (input, hidden, output) or a dict by those keys.
    """

    def by_role(w, b, lr):  # a dict answer read in the order input, hidden, output
        got = mup_adam_lrs(w, b, lr)
        if isinstance(got, dict):
            return tuple(got[k] for k in ("input", "hidden", "output"))
        return got

    by_role.__name__ = getattr(mup_adam_lrs, "__name__", "mup_adam_lrs")
    args = [(1024, 64, 0.01), (64, 64, 0.003), (256, 128, 1e-3), (4096, 256, 2e-4)]
    cases = [
        (f"width {w}, base {b}, lr {lr:g}", (w, b, lr), (lr, lr * b / w, lr)) for w, b, lr in args
    ]
    _check_formula(
        by_role if callable(mup_adam_lrs) else mup_adam_lrs,
        "mup_adam_lrs",
        cases,
        show=lambda v: "(" + ", ".join(f"{float(x):.4g}" for x in v) + ")",
        hint="Adam moves each weight by about lr whatever the gradient's scale, so the only "
        "layer whose step sums width aligned terms under muP's init is the hidden one.",
        mistakes=[
            (
                lambda w, b, lr: (lr, lr * w / b, lr),
                "the hidden rate shrinks with width: base/width.",
            ),
            (
                lambda w, b, lr: (lr, lr * b / w, lr * b / w),
                "in Table 8 the readout's 1/width is its forward multiplier; its Adam rate is lr.",
            ),
            (
                lambda w, b, lr: (lr * b / w, lr * b / w, lr),
                "the input layer's fan-in (the 64 pixels) is finite: its rate does not change.",
            ),
            (
                lambda w, b, lr: (lr, lr * math.sqrt(b / w), lr),
                "1/fan_in, not 1/sqrt(fan_in): the hidden step is a sum of width aligned terms.",
            ),
            (
                lambda w, b, lr: (lr * w / b, lr, lr * w / b),
                "that is MuSGD's table (SGD); Adam's step does not scale with the gradient.",
            ),
            (lambda w, b, lr: (lr, lr, lr), "that is the standard parametrization: one rate."),
        ],
        correct="(lr, lr * base/width, lr): at width 1024 from base 64 with lr 0.01 the hidden "
        f"matrix trains at {0.01 * 64 / 1024:.6g}, the input and the readout at 0.01.",
    )
