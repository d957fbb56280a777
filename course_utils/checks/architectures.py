"""Checks on conv and recurrent layers: a kernel's fans, He's std for it, a spectral radius."""

from __future__ import annotations

import math

import numpy as np

from .feedback import as_count, as_number, call_safely, close_enough, is_stub, report

__all__ = [
    "EXERCISE_KERNEL",
    "check_conv_fans",
    "check_he_conv_std",
    "check_spectral_radius",
]

#: The kernel of notebook 08's exercises: 3 x 3, 16 input channels, 32 output channels.
EXERCISE_KERNEL = (3, 3, 16, 32)


def check_conv_fans(answer) -> None:
    """Notebook 08, exercise 1: ``(fan_in, fan_out)`` of a ``(3, 3, 16, 32)`` kernel.

    fan_in = c_in k^2 = 144 and fan_out = c_out k^2 = 288. Any pair of whole numbers
    (a tuple, a list, an array, whole-number floats) is read.
    """
    kh, kw, c_in, c_out = EXERCISE_KERNEL
    want = (c_in * kh * kw, c_out * kh * kw)
    hint = "each output sums k x k pixels of every input channel: fan_in = c_in k^2."
    if is_stub(answer):
        report(False, f"answer is still {answer!r}; expected a pair (fan_in, fan_out).", hint)
        return
    try:
        items = (
            list(np.asarray(answer, dtype=object).ravel()) if not isinstance(answer, str) else []
        )
    except Exception:  # noqa: BLE001 - a strange answer is feedback, not a crash
        items = []
    if len(items) != 2:
        report(
            False,
            f"expected a pair (fan_in, fan_out); received {answer!r:.60}.",
            "return two numbers, e.g. (fan_in, fan_out).",
        )
        return
    got = []
    for name, item in zip(("fan_in", "fan_out"), items):
        value, problem = as_count(item, name)
        if problem:
            report(False, problem, hint)
            return
        got.append(value)
    got = tuple(got)
    if got == want:
        report(True, f"fan_in = 16 x 3 x 3 = {want[0]}, fan_out = 32 x 3 x 3 = {want[1]}.")
        return
    mistakes = {
        (c_in, c_out): "those are the channels alone; a conv unit sees k x k pixels of each "
        "channel, so multiply both by the receptive field k^2 = 9.",
        (want[1], want[0]): "the two fans are swapped: fan_in counts the input channels "
        "(c_in k^2), fan_out the output channels (c_out k^2).",
        (c_in * kh, c_out * kh): "the receptive field is k x k = 9 pixels, not k = 3.",
        (c_in * kh * kw * c_out, c_in * kh * kw * c_out): "that is the number of weights "
        "in the kernel, not the number of inputs one output unit sums.",
        (c_in * kh * kw, c_in * kh * kw): "fan_out counts the output channels: c_out k^2.",
        (c_out * kh * kw, c_out * kh * kw): "fan_in counts the input channels: c_in k^2.",
    }
    report(
        False, f"expected (fan_in, fan_out) = {want}; received {got}.", mistakes.get(got) or hint
    )


def check_he_conv_std(answer) -> None:
    """Notebook 08, exercise 2: He's (fan_in) std for a ``(3, 3, 16, 32)`` ReLU kernel.

    std = sqrt(2 / fan_in) = sqrt(2 / 144) = 0.11785. A closed form, so the tolerance is
    relative 1e-4 (four significant figures, as the hint prints them).
    """
    fan_in, fan_out = 144, 288
    want = math.sqrt(2.0 / fan_in)
    value, problem = as_number(answer, "answer")
    hint = "He keeps the ReLU net's second moment with Var(w) = 2 / fan_in, fan_in = c_in k^2."
    if problem:
        report(False, problem, hint)
        return
    if math.isclose(value, want, rel_tol=1e-4):
        report(True, f"std = sqrt(2 / 144) = {want:.5f} (variance {2 / fan_in:.5f}).")
        return
    mistakes = [
        (2.0 / fan_in, "that is the variance 2 / 144; the std is its square root."),
        (math.sqrt(2.0 / 16), "that uses the 16 channels alone; fan_in = 16 x 3 x 3 = 144."),
        (
            math.sqrt(2.0 / fan_out),
            "that is sqrt(2 / 288) (He with mode='fan_out', or LeCun's sqrt(1 / 144): the same "
            "number); the forward rule with ReLU is sqrt(2 / fan_in).",
        ),
        (math.sqrt(2.0 / 48), "the receptive field is 3 x 3 = 9 pixels, not 3."),
        (math.sqrt(4.0 / (fan_in + fan_out)), "that is Xavier's fan average with gain sqrt 2."),
        (math.sqrt(2.0 / (fan_in + fan_out)), "that is Xavier's sqrt(2 / (fan_in + fan_out))."),
    ]
    for wrong, why in mistakes:
        if math.isclose(value, wrong, rel_tol=1e-4):
            hint = why
            break
    report(False, f"expected {want:.5f}; received {value:.5f}.", hint)


#: Non-normal, eigenvalues 0.5, 0.4, 0.3 (its diagonal) but largest singular value above 1.
_TRIANGULAR = np.array([[0.5, 1.0, 0.0], [0.0, 0.4, 1.0], [0.0, 0.0, 0.3]])


def _spectral_mistake(fn, cases, mistakes) -> str | None:
    """The hint of the first mistake whose formula ``fn`` matches on every case, else None."""
    answers = []
    for _, W in cases:
        got, error = call_safely(fn, W.copy(), name="spectral_radius")
        value, problem = (None, error) if error else as_number(got, "spectral_radius(W)")
        if problem:
            return None
        answers.append(value)
    for formula, why in mistakes:
        if all(close_enough(a, float(formula(W)), rtol=1e-8) for a, (_, W) in zip(answers, cases)):
            return why
    return None


def check_spectral_radius(spectral_radius) -> None:
    """Notebook 08, exercise 3: ``spectral_radius(W)``, the largest |eigenvalue| of W.

    Tried on a rotation (eigenvalues 0.9 e^{+-i theta}: complex), an upper-triangular
    matrix (eigenvalues its diagonal, at most 0.5; largest singular value above 1: not
    the norm), a diagonal matrix with a negative entry and a Gaussian matrix, against
    ``np.linalg.eigvals`` to a relative 1e-8 (LAPACK's rounding, far below any mistake).
    """
    theta = 0.3
    rot = 0.9 * np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    gauss = np.random.default_rng(8).normal(0.0, 1.0 / math.sqrt(50), size=(50, 50))
    cases = [
        ("a rotation by 0.3 rad times 0.9", rot),
        ("an upper-triangular matrix with diagonal (0.5, 0.4, 0.3)", _TRIANGULAR),
        ("diag(0.5, -1.2, 0.3)", np.diag([0.5, -1.2, 0.3])),
        ("a 50 x 50 Gaussian matrix, Var = 1/50", gauss),
    ]
    mistakes = [
        (
            lambda W: np.linalg.norm(W, 2),
            "that is the largest singular value (the spectral "
            "norm); the spectral radius is the largest |eigenvalue|, which can be smaller.",
        ),
        (
            lambda W: np.max(np.linalg.eigvals(W).real),
            "take the modulus np.abs of each eigenvalue: they can be complex or negative.",
        ),
        (
            lambda W: np.max(np.abs(np.linalg.eigvals(W).real)),
            "take the modulus of the complex eigenvalue, np.abs(eig), not of its real part.",
        ),
        (
            lambda W: np.max(np.abs(W)),
            "that is the largest |entry|; the spectral radius "
            "comes from the eigenvalues, np.linalg.eigvals.",
        ),
    ]
    for label, W in cases:
        want = float(np.abs(np.linalg.eigvals(W)).max())
        got, error = call_safely(spectral_radius, W.copy(), name="spectral_radius")
        hint = "np.abs(np.linalg.eigvals(W)).max()."
        if error:
            report(False, error, hint)
            return
        value, problem = as_number(got, "spectral_radius(W)")
        if problem:
            report(False, f"for {label}: {problem}", hint)
            return
        if not close_enough(value, want, rtol=1e-8):
            hint = _spectral_mistake(spectral_radius, cases, mistakes) or hint
            report(False, f"for {label} expected {want:.6f}; received {value:.6f}.", hint)
            return
    report(
        True,
        "the largest |eigenvalue| on every case (the triangular matrix's is 0.5 while its "
        f"largest singular value is {np.linalg.norm(_TRIANGULAR, 2):.3f}).",
    )
