"""Checks on isometry and chaos: one LSUV layer with a cap, the critical sigma_w^2."""

from __future__ import annotations

import math

import numpy as np

from .feedback import as_count, as_number, call_safely, is_stub, report

__all__ = [
    "check_lsuv_layer",
    "check_critical_sigma_w2",
]


def _call_with_deadline(fn, *args, seconds: float = 2.0, name: str):
    """``call_safely`` with a time limit where the platform allows it (an uncapped loop)."""
    import signal
    import threading

    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        return call_safely(fn, *args, name=name)

    class _Deadline(BaseException):  # not an Exception: call_safely must not catch it
        pass

    def _raise(signum, frame):
        raise _Deadline

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return call_safely(fn, *args, name=name)
    except _Deadline:
        return None, f"{name} did not return within {seconds:g} s: does its loop have a cap?"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_lsuv_layer(lsuv_layer) -> None:
    """Notebook 06, exercise 1: ``lsuv_layer(W, b, h, tol, max_iter)`` -> ``(W_new, n_iter)``.

    W_new = W / sqrt(v), repeated while |v - 1| > tol and n_iter < max_iter, where v is the
    variance of h @ W + b over all entries. Case 1 (biases of std 0.3) converges in a few
    rescalings; case 2 starts within tol (Var(z) = 1.004, zero biases) and must come back
    unchanged after 0 rescalings, which a do-while loop (rescale first, test after) fails;
    case 3 (biases of std 2: Var(z) >= 4 whatever W is) cannot converge, and must stop
    after max_iter rescalings instead of looping forever (2 s limit where signals allow).
    Each case is compared with the loop itself: the same W_new and the same n_iter.
    """
    gen = np.random.default_rng(6)
    h = gen.standard_normal((256, 50))
    w = gen.normal(0.0, 0.5, size=(50, 40))
    hint = (
        "v = np.var(h @ W + b); while abs(v - 1) > tol and n_iter < max_iter: "
        "W = W / np.sqrt(v); n_iter += 1; v = ... again."
    )
    b_converges, b_cannot = gen.normal(0.0, 0.3, size=40), gen.normal(0.0, 2.0, size=40)
    w_within = w * math.sqrt(1.004 / np.var(h @ w))  # zero biases: Var(z) = 1.004 exactly
    cases = [
        ("biases of std 0.3", w, b_converges, True),
        ("a layer already within tol (Var(z) = 1.004)", w_within, np.zeros(40), True),
        ("biases of std 2 (cannot converge)", w, b_cannot, False),
    ]
    tol, max_iter = 0.01, 10

    def reference(w_start, b):
        w_ref, n_ref = w_start, 0
        v_ref = float(np.var(h @ w_ref + b))
        while abs(v_ref - 1.0) > tol and n_ref < max_iter:
            w_ref, n_ref = w_ref / math.sqrt(v_ref), n_ref + 1
            v_ref = float(np.var(h @ w_ref + b))
        return w_ref, n_ref

    lines = []
    for label, w_start, b, can in cases:
        w_ref, n_ref = reference(w_start, b)
        got, error = _call_with_deadline(
            lsuv_layer, w_start.copy(), b, h, tol, max_iter, name="lsuv_layer"
        )
        if error:
            report(False, f"{error} ({label})", hint)
            return
        if is_stub(got):
            report(False, f"lsuv_layer returned {got!r} for {label}.", hint)
            return
        try:
            w_new, n_iter = got
            w_new = np.asarray(w_new, dtype=float)
        except (TypeError, ValueError):
            report(False, f"lsuv_layer should return (W_new, n_iter); received {got!r:.80}.", hint)
            return
        n_iter, problem = as_count(n_iter, "n_iter")
        if problem:
            report(False, f"{problem} ({label})", "n_iter counts the rescalings: 0, 1, 2, ...")
            return
        if w_new.shape != w_start.shape or not np.all(np.isfinite(w_new)):
            report(
                False, f"W_new should be a finite array of shape {w_start.shape} ({label}).", hint
            )
            return
        scale = float(np.sum(w_new * w_start) / np.sum(w_start * w_start))
        if not (scale > 0 and np.allclose(w_new, scale * w_start, rtol=1e-9, atol=1e-12)):
            report(False, f"W_new is not a positive multiple of W ({label}).", "only rescale W.")
            return
        v = float(np.var(h @ w_new + b))
        if n_iter > max_iter:
            report(False, f"{n_iter} rescalings for {label}; the cap was {max_iter}.", hint)
            return
        if n_ref == 0 and (n_iter != 0 or not np.allclose(w_new, w_start, rtol=1e-12, atol=0)):
            report(
                False,
                f"{label}: expected W back unchanged after 0 rescalings; received "
                f"{n_iter} rescalings, Var(z) = {v:.4f} (W x {scale:.6f}).",
                "test |v - 1| > tol before the first rescaling (a while loop, not "
                "rescale-then-test): a layer that is already within tol is left alone.",
            )
            return
        if can and abs(v - 1.0) > tol:
            report(
                False,
                f"Var(z) = {v:.4f} after {n_iter} rescalings ({label}).",
                hint + " Divide by sqrt(v), not v: W / c divides Var(z) by c^2.",
            )
            return
        if can and n_iter != n_ref:
            report(
                False,
                f"{label}: Var(z) = {v:.4f}, but n_iter = {n_iter} while the loop made "
                f"{n_ref} rescalings.",
                "add 1 to n_iter at each rescaling, and only then.",
            )
            return
        if not can and n_iter != max_iter:
            report(
                False,
                f"{label}: stopped after {n_iter} rescalings at Var(z) = {v:.3f}; expected "
                f"all {max_iter}.",
                hint,
            )
            return
        if not np.allclose(w_new, w_ref, rtol=1e-9, atol=1e-12):
            report(
                False,
                f"{label}: W_new is W x {scale:.6f}, the loop gives W x "
                f"{float(np.sum(w_ref * w_start) / np.sum(w_start * w_start)):.6f}.",
                hint,
            )
            return
        lines.append(f"{label}: Var(z) = {v:.4f} after {n_iter} rescalings")
    report(True, "; ".join(lines) + ". The cap turned a loop that never ends into a report.")


def check_critical_sigma_w2(critical, sigma_b2: float = 0.1) -> None:
    """Notebook 06, exercise 2: the critical sigma_w^2 of tanh at sigma_b^2 = 0.1, to 1e-3.

    The root of chi_1(q*(sigma_w^2)) = 1, found by bisection; compared with
    :func:`course_utils.theory.critical_sigma_w2`.
    """
    from ..theory import critical_sigma_w2

    expected = critical_sigma_w2("tanh", sigma_b2)
    got, problem = as_number(critical, "critical")
    hint = (
        "bisect on s in [0.5, 4]: chi = cu.theory.chi_1_at_fixed_point('tanh', sigma_w2=s, "
        f"sigma_b2={sigma_b2}); chi > 1 means s is too large."
    )
    if problem:
        report(False, problem, hint)
        return
    if abs(got - expected) <= 1e-3:
        report(
            True,
            f"critical sigma_w^2 = {got:.4f} at sigma_b^2 = {sigma_b2:g} (the package gives "
            f"{expected:.4f}); more bias pushes the edge of chaos to larger weights.",
        )
        return
    mistakes = [
        (critical_sigma_w2("tanh", 0.05), "that is the value at sigma_b^2 = 0.05."),
        (math.sqrt(expected), "that is sigma_w; the question asks for sigma_w^2."),
        (1.0, "1 is the critical point without bias; with sigma_b^2 > 0, q* > 0."),
    ]
    specific = next((h for v, h in mistakes if abs(got - v) <= 1e-3), hint)
    report(False, f"critical = {got:.4f}, expected {expected:.4f} (to 1e-3).", specific)
