"""Checks on frameworks' defaults: PyTorch's effective variance, picking an initializer."""

from __future__ import annotations

import math

from .feedback import _check_formula, is_stub, report

__all__ = [
    "check_pytorch_variance",
    "INITIALIZER_QUIZ",
    "check_initializer_choices",
]


def check_pytorch_variance(pytorch_variance) -> None:
    """Notebook 11, exercise 1: ``pytorch_variance(fan_in)`` = Var(W_ij) of ``nn.Linear``.

    ``kaiming_uniform_(a=sqrt(5))`` draws U[-b, b] with
    b = sqrt(2 / (1 + 5)) * sqrt(3 / fan_in) = 1 / sqrt(fan_in), so Var = b^2 / 3 =
    1 / (3 fan_in): a third of LeCun's 1 / fan_in. Checked at fan_in 64, 256 and 1000.
    """
    from ..frameworks import framework_variance

    sizes = (64, 256, 1000)
    cases = [(f"fan_in={n}", (n,), framework_variance("pytorch_linear", n, n)[0]) for n in sizes]
    _check_formula(
        pytorch_variance,
        "pytorch_variance",
        cases,
        show=lambda v: f"{float(v):.6g}",
        hint="the bound is gain * sqrt(3 / fan_in) with gain = sqrt(2 / (1 + a^2)), a = sqrt(5); "
        "Var(U[-b, b]) = b^2 / 3.",
        mistakes=[
            (lambda n: 1.0 / n, "that is LeCun's 1 / fan_in; the gain sqrt(1/3) is missing."),
            (
                lambda n: 1.0 / math.sqrt(n),
                "that is the bound b = 1 / sqrt(fan_in); the variance of U[-b, b] is b^2 / 3.",
            ),
            (
                lambda n: 1.0 / n**2,
                "square the bound 1 / sqrt(fan_in), not fan_in: b^2 = 1 / fan_in.",
            ),
            (
                lambda n: 2.0 / n,
                "that is He's 2 / fan_in (gain sqrt 2, the ReLU gain); nn.Linear passes "
                "a = sqrt(5) to the leaky-ReLU gain sqrt(2 / (1 + a^2)).",
            ),
        ],
        correct="Var(W) = 1 / (3 fan_in): U[-1/sqrt(fan_in), 1/sqrt(fan_in)], "
        f"an effective gain of 1/sqrt(3) = {1 / math.sqrt(3):.4f} relative to LeCun.",
    )


#: Notebook 11's quiz: architecture -> (accepted answers, the reason).
INITIALIZER_QUIZ = {
    "tanh_mlp": (
        {"xavier_normal", "xavier_uniform", "glorot_normal", "glorot_uniform"}
        | {"lecun_normal", "lecun_uniform", "orthogonal"},
        "tanh is linear near 0 with slope 1, so the variance rule n Var(W) = 1 holds: Xavier "
        "(or LeCun, or orthogonal with gain 1, notebook 06's near-isometric choice).",
    ),
    "relu_cnn": (
        {"he_normal", "he_uniform", "kaiming_normal", "kaiming_uniform"},
        "ReLU halves the second moment, so Var(W) = 2 / n: He (fan_out, as torchvision's "
        "ResNet does, or fan_in).",
    ),
    "selu_mlp": (
        {"lecun_normal", "lecun_uniform"},
        "SELU's self-normalizing fixed point (mean 0, variance 1) needs Var(W) = 1 / n_in: "
        "LeCun normal (Klambauer et al. 2017), or LeCun uniform, which has the same variance.",
    ),
    "rnn_recurrent_weights": (
        {"orthogonal"},
        "the same matrix is applied at every time step: only an orthogonal one keeps every "
        "singular value of W^T at 1 (Keras' default recurrent_initializer).",
    ),
    "deep_linear_net": (
        {"xavier_normal", "xavier_uniform", "glorot_normal", "glorot_uniform"}
        | {"lecun_normal", "lecun_uniform", "orthogonal"},
        "a linear layer has gain 1: Xavier (or LeCun); orthogonal does even better, every "
        "singular value exactly 1 (Saxe et al. 2014).",
    ),
}


def check_initializer_choices(choices) -> None:
    """Notebook 11, exercise 2: a dict architecture -> initializer name for the quiz.

    Keys are those of :data:`INITIALIZER_QUIZ`; values are names from
    :data:`course_utils.INITIALIZERS`. Every wrong or missing answer gets its reason.
    """
    keys = list(INITIALIZER_QUIZ)
    if is_stub(choices) or not isinstance(choices, dict):
        report(
            False,
            f"choices should be a dict with the keys {', '.join(map(repr, keys))}; "
            f"received {type(choices).__name__}.",
            "fill in the dict in the cell above, one initializer name per architecture.",
        )
        return
    wrong, missing = [], []
    for key in keys:
        accepted, why = INITIALIZER_QUIZ[key]
        got = choices.get(key)
        if is_stub(got):
            missing.append(key)
        elif not isinstance(got, str) or got.lower() not in accepted:
            wrong.append(f"{key}: received {got!r}, expected one of {sorted(accepted)}; {why}")
    extra = sorted(set(choices) - set(keys), key=str)
    if extra:
        wrong.append(f"unknown keys {extra}; the architectures are {keys}")
    if wrong or missing:
        right = len(keys) - len(missing) - len([w for w in wrong if not w.startswith("unknown")])
        still = f" Still None: {', '.join(missing)}." if missing else ""
        first = f" {wrong[0]}" if wrong else ""
        report(
            False,
            f"{right} of {len(keys)} right.{still}{first}",
            "walk the path of section 1 for each weight matrix." if missing else None,
        )
        for line in wrong[1:]:
            print(f"  also: {line}")
        return
    shown = ", ".join(f"{key} -> {choices[key]}" for key in keys)
    report(True, f"all {len(keys)} right ({shown}).")
