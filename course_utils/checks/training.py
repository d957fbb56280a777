"""Checks on training: the stalled loss, the update:data ratio, one Adam step."""

from __future__ import annotations

import math

import numpy as np

from .feedback import (
    _check_cases,
    _check_formula,
    as_number,
    call_safely,
    close_enough,
    is_stub,
    report,
)

__all__ = [
    "check_stalled_loss",
    "check_update_ratio",
    "check_adam_step",
]


def check_stalled_loss(stalled_loss, n_classes: int = 10) -> None:
    """Notebook 05, exercise 1: the cross-entropy of a network whose logits are all equal.

    softmax gives every class 1 / n_classes, so the loss is -ln(1 / n) = ln n: 2.3026
    for the ten digits, whatever the label. Computed, so to 1e-4 (2.3026 passes, the
    rounded 2.303 gets a hint).
    """
    expected = math.log(n_classes)
    got, problem = as_number(stalled_loss, "stalled_loss")
    if problem:
        report(False, problem, "equal logits: what probability does softmax give each class?")
        return
    if close_enough(got, expected, rtol=1e-4):
        report(
            True,
            f"stalled_loss = {got:.4f} = ln {n_classes}: softmax gives every class "
            f"1/{n_classes}, and -ln(1/{n_classes}) = {expected:.4f}.",
        )
        return
    mistakes = [
        (1.0 / n_classes, "that is the probability of the right class, not the loss."),
        (math.log10(n_classes), "that is log base 10; cross-entropy uses the natural log."),
        (math.log2(n_classes), "that is log base 2; cross-entropy uses the natural log."),
        (-expected, "a loss is -log(probability): positive."),
    ]
    hint = next(
        (h for value, h in mistakes if close_enough(got, value, rtol=1e-4)),
        "cross-entropy is -ln(probability of the right class), and with equal logits that "
        f"probability is 1/{n_classes}.",
    )
    if abs(got - expected) <= 5e-3 and hint.startswith("cross-entropy"):
        hint = "that is ln 10 rounded; compute it (np.log), do not type the digits."
    report(False, f"stalled_loss = {got:.6g}, expected {expected:.6f}.", hint)


def _ratio_cases():
    rng = np.random.default_rng(5)
    w = rng.normal(0.0, 0.05, size=(64, 32))
    g = rng.normal(0.0, 0.002, size=(64, 32))
    small, g2 = rng.normal(0.0, 0.01, size=(32, 32)), g[:32]
    return [
        ("W ~ N(0, 0.05^2) (64, 32), lr 0.01", (w, g, 0.01), 0.01 * _fro(g) / _fro(w)),
        ("W ~ N(0, 0.01^2) (32, 32), lr 0.1", (small, g2, 0.1), 0.1 * _fro(g2) / _fro(small)),
    ]


def _fro(a) -> float:
    return float(np.sqrt(np.sum(np.square(a))))


def check_update_ratio(update_ratio) -> None:
    """Notebook 05, exercise 2: ``update_ratio(w, grad, lr)`` = |lr grad| / |W| (Frobenius).

    |W| is the norm of the weights before the step, as CS231n's notes compute it and as
    ``cu.fit`` records it. Compared to 1e-6 and shown to 8 digits, so that dividing by the
    updated weights (1e-5 off here) shows in the numbers, and gets its own hint.
    """
    cases = _ratio_cases()
    mistakes = [
        (lambda w, g, lr: _fro(g) / _fro(w), "the update is lr * grad: multiply by lr."),
        (
            lambda w, g, lr: (lr * _fro(g) / _fro(w)) ** 2,
            "take the norms themselves (square roots of the sums of squares), not their squares.",
        ),
        (
            lambda w, g, lr: float(np.mean(np.abs(lr * g) / np.abs(w))),
            "divide the two norms of whole matrices, not entry by entry.",
        ),
        (
            lambda w, g, lr: lr * _fro(g) / _fro(w - lr * g),
            "that divides by |W| after the update; the ratio compares the step with the "
            "weights it changes, before the step (as cu.fit and CS231n do).",
        ),
        (
            lambda w, g, lr: lr * _fro(g) / _fro(w + lr * g),
            "that divides by |W| after a step; the ratio uses the weights before the step.",
        ),
        (
            lambda w, g, lr: lr * float(np.std(g)) / float(np.std(w)),
            "a ratio of stds subtracts the means first; the ratio is one of Frobenius norms, "
            "np.linalg.norm(lr * grad) / np.linalg.norm(w).",
        ),
        (
            lambda w, g, lr: lr * float(np.linalg.norm(g, 2)) / float(np.linalg.norm(w, 2)),
            "np.linalg.norm(a, 2) of a matrix is its largest singular value; the ratio uses "
            "the Frobenius norm, np.linalg.norm's default.",
        ),
    ]
    _check_formula(
        update_ratio,
        "update_ratio",
        cases,
        show=lambda v: f"{float(v):.8g}",
        hint="np.linalg.norm(lr * grad) / np.linalg.norm(w).",
        mistakes=mistakes,
        correct="update_ratio matches |lr grad| / |W| on both cases "
        f"({', '.join(f'{exp:.4g}' for _, _, exp in cases)}).",
    )


_B1, _B2, _EPS = 0.9, 0.999, 1e-8


def _adam_reference(w, g, m, v, t, lr=1e-3, beta1=_B1, beta2=_B2, eps=_EPS):
    """One Adam step by the course's optimizer, from the state (m, v) after t - 1 steps."""
    from ..training import Adam

    opt = Adam(lr, beta1, beta2, eps)
    opt.t, opt.m, opt.v = t - 1, [np.array(m, dtype=float)], [np.array(v, dtype=float)]
    w = np.array(w, dtype=float)
    opt.step([w], [np.asarray(g, dtype=float)])
    return w, opt.m[0], opt.v[0]


def _adam_variant(kind: str):
    """``(w, g, m, v, t, lr) -> (w, m, v)``: Adam's efficient ordering, or a known mistake."""

    def step(w, g, m, v, t, lr):
        b1, b2, eps = _B1, _B2, _EPS
        if kind == "swapped averages":
            m, v = b1 * g + (1 - b1) * m, b2 * g * g + (1 - b2) * v
        elif kind == "swapped betas":
            m, v = b2 * m + (1 - b2) * g, b1 * v + (1 - b1) * g * g
        else:
            m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        c1, c2 = 1 - b1**t, 1 - b2**t
        if kind == "t + 1":
            c1, c2 = 1 - b1 ** (t + 1), 1 - b2 ** (t + 1)
        m_hat, v_hat = m / c1, v / c2
        if kind == "efficient":  # Kingma & Ba, section 2: alpha_t and eps-hat = eps
            return w - lr * math.sqrt(c2) / c1 * m / (np.sqrt(v) + eps), m, v
        if kind == "no correction":
            m_hat, v_hat = m, v
        elif kind == "only m corrected":
            v_hat = v
        elif kind == "only v corrected":
            m_hat = m
        if kind == "eps inside sqrt":
            step_ = lr * m_hat / np.sqrt(v_hat + eps)
        else:
            step_ = lr * m_hat / (np.sqrt(v_hat) + eps)
        if kind == "plus":
            return w + step_, m, v
        if kind == "hat state":
            return w - step_, m_hat, v_hat
        if kind == "default lr":
            return w - step_ * (1e-3 / lr), m, v
        return w - step_, m, v

    return step


_ADAM_MISTAKES = {
    "no correction": "divide m by (1 - b1^t) and v by (1 - b2^t): without it step 1 is "
    "(1 - b1) / sqrt(1 - b2) = 3.2 times too large.",
    "only m corrected": "correct v too, v_hat = v / (1 - b2^t): with m_hat alone step 1 is "
    "1 / sqrt(1 - b2) = 32 times too large.",
    "only v corrected": "correct m too, m_hat = m / (1 - b1^t): with v_hat alone step 1 is "
    "(1 - b1) = 0.1 of what it should be.",
    "t + 1": "t counts steps from 1, and the first step uses 1 - b1^1 and 1 - b2^1: your "
    "correction uses t + 1.",
    "eps inside sqrt": "eps goes outside the square root: sqrt(v_hat) + eps, not "
    "sqrt(v_hat + eps) (which moves a 1e-6 gradient by a tenth of lr).",
    "plus": "a step goes against the gradient: w - lr m_hat / (...), not w + ...",
    "hat state": "return the running m and v, not m_hat and v_hat: the next step corrects "
    "again from the raw averages.",
    "default lr": "use the lr the check passes (0.01 on step 1), not a fixed 0.001.",
    "swapped averages": "m = b1 m + (1 - b1) g: the old average keeps weight b1, the new "
    "gradient gets 1 - b1 (the same for v with b2).",
    "swapped betas": "b1 = 0.9 belongs to m (the gradient), b2 = 0.999 to v (its square).",
}


def check_adam_step(adam_step) -> None:
    """Notebook 05, exercise 3: ``adam_step(w, g, m, v, t, lr)`` -> ``(w, m, v)`` after step t.

    Compared, to 1e-6, with :class:`course_utils.Adam` (Kingma & Ba's Algorithm 1) on a
    first step whose gradients span nine orders of magnitude and on a fifth step from a
    running state. Kingma & Ba's "efficient" ordering (their section 2: alpha_t = lr
    sqrt(1 - b2^t) / (1 - b1^t), then w - alpha_t m / (sqrt(v) + eps_hat)) with eps_hat = eps
    is Algorithm 1 with eps replaced by eps / sqrt(1 - b2^t) (31.6 eps on step 1): it is
    accepted, and the check says how much that changes each step (a quarter of the step of
    the 1e-6 gradient, nothing measurable for gradients far above eps). Ten plausible
    mistakes get their own hints.
    """
    rng = np.random.default_rng(7)
    g1 = np.array([1e-6, -1e-3, 1.0, -1e3])
    w1 = rng.normal(size=4)
    m5, v5 = rng.normal(0, 0.1, size=4), rng.uniform(0.001, 0.01, size=4)
    g5, w5 = rng.normal(size=4), rng.normal(size=4)
    zeros = np.zeros(4)
    cases = [
        ("step 1, gradients 1e-6 ... 1e3", (w1, g1, zeros, zeros, 1, 0.01)),
        ("step 5 from a running (m, v)", (w5, g5, m5, v5, 5, 0.001)),
    ]
    algorithm_1 = [(label, args, _adam_reference(*args)) for label, args in cases]
    efficient = [(label, args, _adam_variant("efficient")(*args)) for label, args in cases]

    def same(got, expected):
        try:
            parts = [np.asarray(a, dtype=float) for a in got]
        except (TypeError, ValueError):
            return False
        return len(parts) == 3 and all(
            close_enough(a, b, rtol=1e-6, atol=1e-12) for a, b in zip(parts, expected)
        )

    def show(value):
        return "w = " + np.array2string(np.asarray(value[0], dtype=float), precision=8)

    def fresh(*args):  # copies, so an answer that updates m and v in place is fine
        return adam_step(*(np.array(a) if isinstance(a, np.ndarray) else a for a in args))

    def matches(reference) -> bool:
        for _, args, expected in reference:
            got, error = call_safely(fresh, *args, name="adam_step")
            if error or is_stub(got) or not same(got, expected):
                return False
        return True

    w_first = algorithm_1[0][2][0]
    moved = np.abs(w_first - w1)
    if matches(efficient):
        moved_eff = np.abs(efficient[0][2][0] - w1)
        others = float(np.max(np.abs(moved_eff[1:] / moved[1:] - 1)))
        report(
            True,
            "both steps match Kingma & Ba's efficient ordering (alpha_t = lr sqrt(1 - b2^t) / "
            "(1 - b1^t), eps_hat = eps), which is Algorithm 1 with eps / sqrt(1 - b2^t) in "
            f"place of eps ({1 / math.sqrt(1 - _B2):.1f} eps on step 1): the 1e-6 gradient's "
            f"weight moved {moved_eff[0]:.5f} instead of {moved[0]:.5f}, the others within "
            f"{others:.2%} of cu.Adam's steps.",
        )
        return
    hint = (
        "m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; then w - lr m_hat / "
        "(sqrt(v_hat) + eps) with m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)."
    )
    if not matches(algorithm_1):
        for kind, mistake_hint in _ADAM_MISTAKES.items():
            variant = [(label, args, _adam_variant(kind)(*args)) for label, args in cases]
            if matches(variant):
                hint = mistake_hint
                break
        else:
            got, error = call_safely(fresh, *cases[0][1], name="adam_step")
            if not error and not is_stub(got):
                try:
                    parts = [np.asarray(a, dtype=float) for a in got]
                except (TypeError, ValueError):
                    parts = []
                if len(parts) == 3 and not same(parts, algorithm_1[0][2]):
                    expected = algorithm_1[0][2]
                    if same([parts[1], parts[2], parts[0]], expected) or same(
                        [parts[2], parts[0], parts[1]], expected
                    ):
                        hint = "return the three in the order (w, m, v)."
    _check_cases(
        fresh,
        "adam_step",
        algorithm_1,
        same=same,
        show=show,
        hint=hint,
        correct=f"both steps match cu.Adam; on step 1 every weight moved by "
        f"{moved.min():.4f} to {moved.max():.4f} (lr 0.01), "
        "though the gradients ranged from 1e-6 to 1e3.",
    )
