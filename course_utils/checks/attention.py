"""Checks on attention and transformers: Var(q . k), GPT-2's residual std, the stream."""

from __future__ import annotations

import math

from .feedback import _check_formula, as_number, report

__all__ = [
    "check_qk_variance",
    "check_gpt2_residual_std",
    "check_stream_variance",
]


def check_qk_variance(qk_variance) -> None:
    """Notebook 09, exercise 1: ``qk_variance(d_k, var_q, var_k)`` = d_k var_q var_k.

    q . k is a sum of d_k terms q_i k_i; each has mean 0 and variance var_q var_k (q_i
    and k_i independent, mean 0), and the terms are uncorrelated, so their variances add.
    """
    args = [(64, 1.0, 1.0), (1, 1.0, 1.0), (16, 0.25, 4.0), (128, 0.5, 0.1), (8, 2.0, 3.0)]
    cases = [
        (f"d_k = {d}, Var(q) = {a:g}, Var(k) = {b:g}", (d, a, b), d * a * b) for d, a, b in args
    ]
    _check_formula(
        qk_variance,
        "qk_variance",
        cases,
        show=lambda v: f"{float(v):.6g}",
        hint="q . k = sum of d_k terms q_i k_i; Var(q_i k_i) = Var(q) Var(k) for independent "
        "mean-zero entries, and uncorrelated terms add their variances.",
        mistakes=[
            (
                lambda d, a, b: math.sqrt(d) * a * b,
                "sqrt(d_k) is the std's growth; the variance grows like d_k.",
            ),
            (
                lambda d, a, b: a * b,
                "that is one term (or the scaled score q . k / sqrt(d_k)); q . k sums d_k of them.",
            ),
            (
                lambda d, a, b: d * (a + b),
                "the variance of a product of independent mean-zero factors is the product "
                "of their variances, not the sum.",
            ),
            (
                lambda d, a, b: d * d * a * b,
                "the terms are uncorrelated: d_k variances add, not d_k^2.",
            ),
        ],
        correct="Var(q . k) = d_k Var(q) Var(k): 64 for d_k = 64 and unit entries, so "
        "dividing by sqrt(d_k) brings the scores back to variance 1.",
    )


def check_gpt2_residual_std(answer) -> None:
    """Notebook 09, exercise 2: GPT-2's residual-projection std for 12 layers.

    0.02 / sqrt(2 x 12) = 0.0040825: each block adds two residual branches (attention and
    MLP), so N = 24 residual layers (Hugging Face's and nanoGPT's ``c_proj`` rule).
    Accepted within 0.1% (0.00408 passes).
    """
    expected = 0.02 / math.sqrt(24)
    value, problem = as_number(answer, "answer")
    if problem:
        report(False, problem, "0.02 / sqrt(N), with N the number of residual branches.")
        return
    mistakes = [
        (
            0.02 / math.sqrt(12),
            "N counts residual branches: two per block (attention and MLP), so 24.",
        ),
        (0.02 / 24, "the factor 1/sqrt(N) scales the std; 0.02 / N scales it by 1/N."),
        (0.02 / 12, "the factor is 1/sqrt(N) with N = 24 branches, not 1/12."),
        (0.02**2 / 24, "that is the variance 0.02^2 / 24; the question asks for the std."),
        (0.02, "that is the unscaled std; the residual projections are scaled down."),
        (0.02 * math.sqrt(24), "the std is divided by sqrt(N), not multiplied."),
    ]
    if abs(value - expected) <= 1e-3 * expected:
        report(
            True,
            f"0.02 / sqrt(2 x 12) = {expected:.7f}: two residual branches per block, "
            f"N = 24 (received {value:.7f}).",
        )
        return
    hint = "0.02 / sqrt(N), with N the number of residual branches in 12 blocks."
    for wrong, why in mistakes:
        if abs(value - wrong) <= 1e-3 * abs(wrong):
            hint = why
            break
    report(False, f"expected {expected:.7f}, received {value:.7f}.", hint)


def check_stream_variance(stream_variance) -> None:
    """Notebook 09, exercise 3: pre-LN stream after L blocks, ``e + 2 L v``.

    ``stream_variance(n_blocks, embed_var, branch_var)``: in a pre-LN block each branch
    reads LN(x), whose second moment is 1 whatever x's, so each of the 2 L branches adds
    the same variance v (uncorrelated with the stream at init): e + 2 L v.
    """
    args = [
        (1, 0.0008, 0.0006),
        (12, 0.0008, 0.0006),
        (12, 0.0008, 0.0006 / 24),
        (4, 1.0, 0.5),
        (48, 0.0004, 0.001),
    ]
    cases = [
        (f"{L} blocks, embedding {e:g}, branch {v:g}", (L, e, v), e + 2 * L * v) for L, e, v in args
    ]
    _check_formula(
        stream_variance,
        "stream_variance",
        cases,
        show=lambda r: f"{float(r):.6g}",
        hint="the branches of a pre-LN block read LN(x) (second moment 1), so each adds the "
        "same variance v to the stream, whatever the stream already holds.",
        mistakes=[
            (
                lambda L, e, v: e + L * v,
                "each block has two branches, attention and MLP: 2 L of them.",
            ),
            (lambda L, e, v: 2 * L * v, "the stream starts from the embedding's variance."),
            (
                lambda L, e, v: e * (1 + v) ** (2 * L),
                "the branches read LN(x), not x: they add a fixed variance, they do not "
                "multiply the stream's (that was the plain residual net of notebook 07).",
            ),
            (lambda L, e, v: e + v, "every block adds its own two branches."),
        ],
        correct="e + 2 L v: the stream grows linearly with depth, and GPT-2's v / (2 L) "
        "keeps the total added at v whatever L.",
    )
