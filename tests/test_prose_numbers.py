"""Prose numbers are computed (issue 9, mechanism 1).

Every number a notebook's markdown states as a result (a decimal, a percentage, scientific
notation, a power, a multiplier, either end of a range) is printed by a code cell of that
notebook to the precision stated, or is a literal in its code, or is a cited constant in
tests/cited_numbers.toml. The rules live in tests/prose_numbers.py; the tests of the extractor
and the matcher below pin them down, and a planted number that no cell prints must fail.
"""

from __future__ import annotations

import copy
import json
import re

import pytest

from prose_numbers import (
    CITED_PATH,
    NOTEBOOK_DIR,
    check_notebook,
    load_cited,
    parse_number,
    prose_numbers,
    report,
)

NOTEBOOKS = sorted(p for p in NOTEBOOK_DIR.glob("*.ipynb") if ".ipynb_checkpoints" not in str(p))
CITED = load_cited()


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------
# The notebooks
# ---------------------------------------------------------------------------------------


def test_there_are_notebooks():
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_prose_numbers_are_computed(path):
    """Each number the markdown states is printed, a code literal, or a cited constant."""
    finding = check_notebook(_load(path), CITED.get(path.stem, {}))
    if finding.unbacked or finding.unused_cited:
        pytest.fail(
            report(path, finding) + "\n\nPrint each one from a cell (an f-string to the "
            "precision the prose states), make it a visible setting, or, if a paper or a "
            "framework's documented default is the source, list it in tests/cited_numbers.toml "
            "with that source.",
            pytrace=False,
        )


def test_cited_table_names_notebooks_and_sources():
    stems = {p.stem for p in NOTEBOOKS}
    assert CITED_PATH.exists()
    for stem, table in CITED.items():
        assert stem in stems, f"cited_numbers.toml: [{stem}] is no notebook in notebooks/"
        assert isinstance(table, dict), f"cited_numbers.toml: [{stem}] is not a table"
        for key, src in table.items():
            assert prose_numbers(key if re.search(r"[.%^e]", key) else key + "x"), (
                f"[{stem}] {key!r} is not a number as the prose writes it"
            )
            assert isinstance(src, str) and len(src) > 20, f"[{stem}] {key!r}: give its source"
            assert re.search(r"\b(19|20)\d\d\b", src) or "default" in src, (
                f"[{stem}] {key!r}: a source names a year (a paper) or a documented default"
            )


# ---------------------------------------------------------------------------------------
# The extractor
# ---------------------------------------------------------------------------------------


def texts(md):
    return [p.text for p in prose_numbers(md)]


def kinds(md):
    return [(p.text, p.kind) for p in prose_numbers(md)]


def test_integers_alone_are_skipped():
    md = (
        "## 3 · Thirty layers\nIn 2019, 30 layers of width 512 with seed 7, 5 x 1000 and\n"
        "$512 \\times 512$ matrices, notebook 02, section 4, Fig. 8, eq. 14, 1/194, $5/3$, "
        "float32, $W_1$, $x_{10}$, $n_\\text{in}$, within a factor of 2 of 1, GPT-2."
    )
    assert texts(md) == []


def test_multipliers_in_words():
    md = (
        "It is 107 times what it was, 22,778 times the second, 100 to 200 times larger, "
        "16-fold, 60 orders of magnitude apart, a factor of 117, by a factor of about 9."
    )
    assert kinds(md) == [
        ("107 times", "multiplier"),
        ("22,778 times", "multiplier"),
        ("100", "multiplier"),
        ("200 times", "multiplier"),
        ("16-fold", "multiplier"),
        ("60 orders of magnitude", "multiplier"),
        ("117", "multiplier"),
        ("9", "multiplier"),
    ]
    assert unbacked("The ratio is 100 to 200 times larger.", ["96.6 216"]) == ["100", "200 times"]


def test_decimals_percentages_scientific_and_multipliers_are_found():
    md = "The std is 0.268, 94.7% of units, 1e-8 and 2.5e-17, 1.7e18, grows 9x, x1.00 per layer."
    assert kinds(md) == [
        ("0.268", "decimal"),
        ("94.7%", "percent"),
        ("1e-8", "scientific"),
        ("2.5e-17", "scientific"),
        ("1.7e18", "scientific"),
        ("9x", "multiplier"),
        ("x1.00", "multiplier"),
    ]


def test_latex_and_unicode_forms():
    md = (
        "$0.8796\\ldots$, $2^{-30}$, $10^{-8}$, $3.4 \\times 10^{38}$, $3^{30}$, "
        "$\\approx 0.06$, $-0.36$ and −0.25, N(0, 0.01^2), $N(0, 0.02^{2})$, 12\\%, ×16, 10⁶"
    )
    found = prose_numbers(md)
    assert [(p.text, p.kind) for p in found] == [
        ("0.8796…", "decimal"),
        ("2^-30", "power"),
        ("10^-8", "scientific"),
        ("3.4 × 10^38", "scientific"),
        ("3^30", "power"),
        ("0.06", "decimal"),
        ("0.36", "decimal"),
        ("0.25", "decimal"),
        ("0.01^2", "decimal"),
        ("0.02^2", "decimal"),
        ("12%", "percent"),
        ("×16", "multiplier"),
        ("10^6", "scientific"),
    ]
    assert found[0].truncated
    assert found[1].value == parse_number("9.31322574615478515625e-10")[0]
    assert found[2].value == parse_number("1e-8")[0] and found[2].ulp == parse_number("1e-8")[0]
    assert found[3].value == 34 * 10**37 and found[3].ulp == 10**37
    assert found[8].value == parse_number("0.01")[0]  # N(0, s^2) states the std s


def test_ranges_give_both_ends_with_their_unit():
    assert kinds("gradients grow 10-15x; 60-80% of units; between 1.04-11.6 and 1e-17…35") == [
        ("10", "multiplier"),
        ("15x", "multiplier"),
        ("60", "percent"),
        ("80%", "percent"),
        ("1.04", "decimal"),
        ("11.6", "decimal"),
        ("1e-17", "scientific"),
    ]


def test_products_are_not_scientific_notation():
    # 256 × 10^-4 is a product: the power of ten is the number, 256 a width
    assert kinds("$\\sqrt{256 \\times 10^{-4}/2}$ and $2^{-10} \\times 2^{10}$") == [
        ("10^-4", "scientific"),
        ("2^-10", "power"),
        ("2^10", "power"),
    ]
    assert texts("$6x^4$ and $1^{32} = 1$ and $2 \\times \\sqrt{n}$") == []


def test_links_code_urls_versions_and_solution_code_are_skipped():
    md = (
        "See [He et al. 2015 (v0.5)](https://arxiv.org/abs/1502.01852v1), arXiv:1502.01852, "
        "<https://example.org/0.25>, `lr=0.05` in code, Python 3.10, nbval 0.11.0.\n\n"
        "<details><summary>Solution</summary>\n\n```python\nx = 0.123\n```\n\n"
        "The answer is 0.456.\n\n    y = 0.789\n</details>\n\n```python\nz = 0.321\n```\n"
    )
    assert texts(md) == ["0.456"]


def test_the_header_list_is_read():
    md = "# 01 · Title\n**You will learn**\n- why 1.1 becomes 117 or 0.005 after 50 layers\n"
    assert texts(md) == ["1.1", "0.005"]


def test_context_is_the_sentence():
    (p,) = prose_numbers("First sentence. The loss ends\nat 2.309 here. Last one.")
    assert p.context == "The loss ends at 2.309 here."


# ---------------------------------------------------------------------------------------
# The matcher, on small notebooks
# ---------------------------------------------------------------------------------------


def nb_of(markdown, outputs=(), code=("",), extra_md=()):
    """A notebook: one markdown cell, code cells (the first carries ``outputs`` as stdout)."""
    cells = [{"cell_type": "markdown", "source": markdown, "metadata": {}}]
    for i, src in enumerate(code):
        text = "\n".join(outputs) + "\n" if i == 0 and outputs else ""
        outs = [{"output_type": "stream", "name": "stdout", "text": text}] if text else []
        cells.append({"cell_type": "code", "source": src, "outputs": outs, "metadata": {}})
    for md in extra_md:
        cells.append({"cell_type": "markdown", "source": md, "metadata": {}})
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def unbacked(markdown, outputs=(), code=("",), cited=None, extra_md=()):
    finding = check_notebook(nb_of(markdown, outputs, code, extra_md), cited)
    return [p.text for p in finding.unbacked]


@pytest.mark.parametrize(
    ("prose", "printed", "ok"),
    [
        ("0.268", "0.2681", True),  # rounds to the prose's three decimals
        ("0.268", "0.26849", True),
        ("0.268", "0.2686", False),  # rounds to 0.269
        ("0.268", "0.27", False),  # printed with fewer digits than the prose states
        ("0.30", "0.3", False),
        ("0.3", "0.30", True),
        ("117", "117.39x", True),  # "117x" below: an integer multiplier
        ("1.76", "sigma_w^2 = 1.7603", True),
        ("1.76", "1.77", False),
        ("88.7", "88.72 / 3.12", True),
        ("0.36", "-0.36", True),  # signs are said in words
    ],
)
def test_precision_rule(prose, printed, ok):
    md = f"It is {prose}x here." if prose == "117" else f"It is {prose} here."
    assert (unbacked(md, [printed]) == []) is ok


@pytest.mark.parametrize(
    ("prose", "printed", "ok"),
    [
        ("94.7%", "accuracy 0.947", True),
        ("94.7%", "accuracy 94.7", True),
        ("94.7%", "accuracy 94.7%", True),
        ("94.7%", "accuracy 0.95", False),
        ("94.7%", "accuracy 0.9461", False),
        ("85%", "of which the mean^2 is 85%", True),
        ("85%", "0.853", True),
        ("0.947", "accuracy 94.7%", True),
    ],
)
def test_percent_rule(prose, printed, ok):
    assert (unbacked(f"It is {prose} here.", [printed]) == []) is ok


@pytest.mark.parametrize(
    ("prose", "printed", "ok"),
    [
        ("2.5e-17", "2.52e-17", True),
        ("2.5e-17", "2.6e-17", False),
        ("2.5e-17", "3e-17", False),
        ("x1.7e18", "gradients x1.7e+18 per net", True),
        ("$3.4 \\times 10^{38}$", "3.40e+38", True),
        ("$3.4 \\times 10^{38}$", "3.5e+38", False),
        ("$10^{35}$", "|x| = 1.27e+35", True),  # one significant figure: about 10^35
        ("$10^{-9}$", "6.57e-10", True),
        ("$10^{-9}$", "4.6e-10", False),
        ("$2 \\times 10^{-9}$", "1.86e-09", True),
    ],
)
def test_scientific_rule(prose, printed, ok):
    assert (unbacked(f"It is {prose} here.", [printed]) == []) is ok


@pytest.mark.parametrize(
    ("prose", "printed", "ok"),
    [
        ("$2^{-30}$", "(2^-30 = 9.31323e-10)", True),  # printed as text
        ("$2^{-30}$", "ratio 9.31e-10", True),  # its value to 3 significant figures
        ("$2^{-30}$", "ratio 9.3e-10", True),  # ... or 2
        ("$2^{-30}$", "ratio 9e-10", False),  # one figure is not enough
        ("$2^{-30}$", "ratio 9.4e-10", False),
        ("$3^{30}$", "3^30 = 2.06e+14", True),
        ("2^-30", "2**-30", True),
        ("$1.1^{50}$", "1.1^50 = 117.39", True),
        ("$1.1^{48}$", "1.1^50 = 117.39", False),
    ],
)
def test_power_rule(prose, printed, ok):
    assert (unbacked(f"It is {prose} here.", [printed]) == []) is ok


def test_truncated_digits():
    assert unbacked("The factor is $0.8796\\ldots$.", ["0.879626"]) == []
    assert unbacked("The gain is 1.593... exactly.", ["1.5939"]) == []  # cut, not rounded
    assert unbacked("The gain is 1.593 exactly.", ["1.5939"]) == ["1.593"]


def test_ranges_check_each_end():
    md = "The std grows 10-15x."
    assert unbacked(md, ["x10.3", "x14.8"]) == []
    assert unbacked(md, ["x10.3"]) == ["15x"]
    assert unbacked("From 1.04-11.6 here.", ["1.04 11.62"]) == []
    assert unbacked("60-80% saturated", ["0.60 0.80"]) == []
    assert unbacked("60-80% saturated", ["60.2% 71%"]) == ["80%"]
    # each end to the precision it states: 0.62 is 62%, not 60%
    assert unbacked("60-80% saturated", ["0.62 0.80"]) == ["60"]


def test_code_literals_back_settings():
    assert unbacked("With std 0.01 and lr 0.05.", code=["init(std=0.01)\nfit(lr=0.05)"]) == []
    assert unbacked("With $10^6$ draws.", code=["z = rng.standard_normal(1_000_000)"]) == []
    assert unbacked("With $10^{-12}$.", code=["tol = 1e-12"]) == []
    # an f-string's literal text, not its format spec
    assert unbacked("std 0.01 and 0.5", code=['print(f"std 0.01: {x:.5f}")']) == ["0.5"]
    assert unbacked("It is 10.2 here.", code=['print(f"{x:>10.2f}")']) == ["10.2"]
    # a comment is not a setting
    assert unbacked("lr 0.05", code=["fit()  # lr 0.05"]) == ["0.05"]
    # an integer literal (a depth, a seed) does not back a multiplier or a percent by chance
    assert unbacked("grows 9x and 50% of them", code=["depth, seed = 9, 50"]) == ["9x", "50%"]


def test_integer_multipliers_need_a_printed_ratio():
    md = "The gradients grow 16 times per layer."
    assert unbacked(md, ["depth 16"]) == ["16 times"]  # a printed setting is no ratio
    assert unbacked(md, ["grad ratio x16"]) == []
    assert unbacked(md, ["grad ratio 16x"]) == []
    assert unbacked(md, ["grad ratio 15.8"]) == []
    assert unbacked("85% of units", ["85 units"]) == ["85%"]


def test_literals_are_exact_settings():
    assert unbacked("With std 0.30.", code=["std = 0.3"]) == []
    assert unbacked("At 1.76 exactly.", code=["sigma_w2 = 1.7603"]) == []
    # a small percentage off 1 is the setting 1 +- p: "10% too much or 10% too little"
    assert unbacked("10% too much or 10% too little", code=["for f in (1.1, 0.9): ..."]) == []
    assert unbacked("85% of it", ["0.15"], code=["c = 0.15"]) == ["85%"]


def test_fractions_and_products_are_no_multipliers():
    assert texts("a factor 1/2 per layer, its scale $\\times 1/\\sqrt{L}$") == []
    assert kinds("the sum $d \\times 0.02^2$ and $(1 + g) \\times 3$") == [("0.02^2", "decimal")]


def test_small_powers_need_more_than_a_printed_width():
    md = "It is about $4^3 = 64$ times at the output."
    assert unbacked(md, ["width 64"]) == ["4^3"]
    assert unbacked(md, ["4^3 = 64"]) == []
    assert unbacked(md, ["ratio x64"]) == []
    assert unbacked("The net is 4 times too large.", code=["scale = 4.2"]) == ["4 times"]


def test_solution_code_is_a_literal():
    sol = "<details><summary>Solution</summary>\n\n```python\nx = 0.5 ** (1 / 50)\n```\n</details>"
    assert unbacked("The band is [0.5, 2].", extra_md=[sol]) == []


def test_cited_constants():
    md = "LeCun's scaled tanh is $1.7159 \\tanh(2x/3)$."
    assert unbacked(md) == ["1.7159"]
    cited = {"1.7159": "LeCun et al. 1998, 'Efficient BackProp', section 4.4"}
    assert unbacked(md, cited=cited) == []
    # a cited key backs the prose's rounding of it only to three or more figures
    lam = {"1.0507": "Klambauer 2017"}
    assert unbacked("SELU's lambda is 1.051, 1.05 or 1.1.", cited=lam) == ["1.1"]
    assert unbacked("A 0.9 here.", cited={"0.8796": "JAX default"}) == ["0.9"]
    finding = check_notebook(nb_of("Nothing cited here: 0.5", ["0.5"]), cited)
    assert finding.unused_cited == ["1.7159"]
    assert "no prose number of it" in report(NOTEBOOK_DIR / "x.ipynb", finding)


def test_outputs_other_than_stdout():
    nb = nb_of("The mean is 0.123.")
    nb["cells"][1]["outputs"] = [
        {"output_type": "execute_result", "data": {"text/plain": "0.1234"}, "metadata": {}}
    ]
    assert check_notebook(nb).unbacked == []
    nb["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stderr", "text": "0.1234"}]
    assert [p.text for p in check_notebook(nb).unbacked] == ["0.123"]  # a warning is no result


# ---------------------------------------------------------------------------------------
# Planted defects: a number no cell prints must fail, with its cell and sentence
# ---------------------------------------------------------------------------------------


def test_planted_defect_in_a_small_notebook():
    finding = check_notebook(nb_of("Training ends at loss 0.4321 after 10 epochs.", ["0.1234"]))
    msg = report(NOTEBOOK_DIR / "99_planted.ipynb", finding)
    assert [p.text for p in finding.unbacked] == ["0.4321"]
    assert "cell  0  '0.4321' (decimal): Training ends at loss 0.4321 after 10 epochs." in msg
    finding.unbacked[0].cell_id = "ab12"
    assert "cell  0 (id ab12)  '0.4321'" in report(NOTEBOOK_DIR / "99_planted.ipynb", finding)


@pytest.mark.parametrize("path", NOTEBOOKS[:1] + NOTEBOOKS[-1:], ids=lambda p: p.stem)
def test_planted_defect_in_a_real_notebook(path):
    nb = _load(path)
    before = check_notebook(nb, CITED.get(path.stem, {}))
    planted = copy.deepcopy(nb)
    planted["cells"].append(
        {"cell_type": "markdown", "metadata": {}, "source": "The std settles at 0.31416."}
    )
    after = check_notebook(planted, CITED.get(path.stem, {}))
    new = [(p.cell, p.text) for p in after.unbacked if p not in before.unbacked]
    assert (len(planted["cells"]) - 1, "0.31416") in new
    assert len(after.unbacked) == len(before.unbacked) + 1
