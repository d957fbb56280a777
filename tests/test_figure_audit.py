"""The figure audit: each check fires on a planted defect and stays quiet on its fix.

Every figure a notebook shows goes through ``cu.plots.audit.check_figure`` under the test
suite (``COURSE_FIGURE_AUDIT=1``, set in conftest.py); these tests make sure that check can
fail, and that the course's palette stays distinguishable under colour-vision deficiencies.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import course_utils as cu  # noqa: E402
from course_utils.plots import audit  # noqa: E402
from course_utils.plots.style import _CYCLE, PALETTE  # noqa: E402
from figure_tools import course_style  # noqa: E402


@pytest.fixture(autouse=True)
def style():
    with course_style():
        yield
    plt.close("all")


def _problems(fig, words: str) -> list[str]:
    return [p for p in audit.audit_figure(fig) if words in p]


def _clean_axes(**kw):
    fig, ax = plt.subplots(figsize=(6.4, 3.6), **kw)
    ax.set_title("a finding")
    return fig, ax


def test_a_clean_course_figure_passes():
    fig, ax = _clean_axes()
    x = np.arange(1, 31)
    for k in range(4):
        ax.plot(x, np.exp(-0.1 * k * x), label=f"series {k}")  # the cycle gives the styles
    cu.plots.integer_ticks(ax.xaxis)
    ax.legend()
    assert audit.audit_figure(fig) == []


def test_two_series_on_the_same_points_are_caught_unless_styled_or_noted():
    x = np.arange(10.0)
    fig, ax = _clean_axes()
    ax.plot(x, x**2, "-", color="C0", label="lecun_normal")
    ax.plot(x, x**2 * (1 + 1e-6), "-", color="C1", marker="o", label="xavier_normal")
    ax.legend()
    assert _problems(fig, "same points") == []  # a marker tells them apart
    fig, ax = _clean_axes()
    ax.plot(x, x**2, "-", color="C0", label="lecun_normal")
    ax.plot(x, x**2 * (1 + 1e-6), "-", color="C1", label="xavier_normal")
    ax.legend()
    [hidden] = _problems(fig, "same points")
    assert "'lecun_normal' and 'xavier_normal'" in hidden
    fig, ax = _clean_axes()
    ax.plot(x, x**2, "-", color="C0", label="lecun_normal")
    ax.plot(x, x**2, "-", color="C1", marker="s", label="xavier_normal (under lecun_normal)")
    ax.legend()
    assert _problems(fig, "same points") == []
    fig, ax = _clean_axes()  # the same points a few pixels apart are two visible lines
    ax.plot(x, x**2, "-", color="C0", label="a")
    ax.plot(x, x**2 + 3.0, "-", color="C1", marker="s", label="b")
    ax.legend()
    assert _problems(fig, "same points") == []


def test_a_legend_told_apart_by_colour_alone_is_caught():
    x = np.arange(5.0)
    fig, ax = _clean_axes()
    ax.plot(x, x, "-", color=PALETTE["blue"], label="he")
    ax.plot(x, 2 * x, "-", color=PALETTE["orange"], label="xavier")
    ax.legend()
    assert len(_problems(fig, "colour alone")) == 1
    fig, ax = _clean_axes()
    ax.plot(x, x, "-", color=PALETTE["blue"], label="he")
    ax.plot(x, 2 * x, "--", color=PALETTE["orange"], label="xavier")
    ax.legend()
    assert _problems(fig, "colour alone") == []
    fig, ax = _clean_axes()  # bars: a hatch tells them apart
    ax.bar([0, 1], [1, 2], color="C0", label="a")
    ax.bar([2, 3], [1, 2], color="C1", label="b")
    ax.legend()
    assert len(_problems(fig, "colour alone")) == 1
    fig, ax = _clean_axes()
    ax.bar([0, 1], [1, 2], color="C0", label="a")
    ax.bar([2, 3], [1, 2], color="C1", hatch="//", label="b")
    ax.legend()
    assert _problems(fig, "colour alone") == []


def test_fractional_ticks_on_a_counting_axis_are_caught():
    fig, ax = _clean_axes()
    ax.plot(np.arange(1, 6), np.arange(5.0), label="per layer")
    ax.set_xlim(0.5, 5.5)  # matplotlib's locator puts ticks at 1.0, 1.5, ...
    ax.xaxis.set_major_locator(matplotlib.ticker.MultipleLocator(0.5))
    assert len(_problems(fig, "fractional ticks")) == 1
    cu.plots.integer_ticks(ax.xaxis)
    assert _problems(fig, "fractional ticks") == []
    fig, ax = _clean_axes()  # continuous x data: no rule
    ax.plot(np.linspace(0, 1, 11), np.arange(11.0))
    assert _problems(fig, "fractional ticks") == []


def test_a_label_past_the_figure_edge_is_caught():
    fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="none")
    fig.subplots_adjust(left=0.0, right=1.0)
    ax.plot([0, 1], [1000.0, 2000.0])
    ax.set_ylabel("the second moment")
    assert any("left edge" in p for p in _problems(fig, "clipped"))
    fig, ax = _clean_axes()
    ax.plot([0, 1], [1000.0, 2000.0])
    ax.set_ylabel("the second moment")
    assert _problems(fig, "clipped") == []


def test_text_over_the_legend_is_caught():
    fig, ax = _clean_axes()
    ax.plot([0, 1], [0, 1], label="a long legend label")
    ax.legend(loc="upper left")
    ax.text(0.02, 0.97, "a note placed where the legend is", transform=ax.transAxes, va="top")
    assert len(_problems(fig, "overlaps the legend")) == 1
    fig, ax = _clean_axes()
    ax.plot([0, 1], [0, 1], label="a long legend label")
    ax.legend(loc="upper left")
    ax.text(0.98, 0.03, "a note", transform=ax.transAxes, ha="right")
    assert _problems(fig, "overlaps the legend") == []


def test_a_small_figure_or_tiny_tick_labels_are_caught():
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=80)  # 512 px
    assert len(_problems(fig, "px wide")) == 1
    fig, ax = _clean_axes()
    ax.tick_params(labelsize=6)  # 8.3 px at 100 dpi
    assert len(_problems(fig, "tick labels are")) >= 1
    fig, ax = _clean_axes()
    assert _problems(fig, "px") == []


def test_show_raises_under_the_audit_and_passes_a_clean_figure(monkeypatch):
    monkeypatch.setenv("COURSE_FIGURE_AUDIT", "1")
    original = plt.show
    try:
        cu.use_course_style()
        assert getattr(plt.show, "_course_audit", False)
        fig, ax = _clean_axes()
        ax.plot(np.arange(5.0), label="one")
        ax.plot(np.arange(5.0), "-", color="C0", label="two")
        ax.legend()
        with pytest.raises(audit.FigureAuditError, match="same points"):
            plt.show()
        assert plt.get_fignums() == []  # the failing figure is not shown later
        fig, ax = _clean_axes()
        ax.plot(np.arange(5.0), label="one")
        cu.plots.integer_ticks(ax.xaxis)
        plt.show()
    finally:
        plt.show = original


_INLINE_CELLS = [
    "%matplotlib inline",
    """import numpy as np, matplotlib.pyplot as plt, course_utils as cu
from course_utils.plots import audit
cu.use_course_style()
calls = []
_layout = audit.audit_figure
audit.audit_figure = lambda fig, **kw: calls.append(kw.get("laid_out")) or _layout(fig, **kw)""",
    """fig, ax = plt.subplots(figsize=(6.4, 3.6))
ax.set_title("a finding")
ax.plot(np.linspace(0, 1, 5), np.linspace(0, 1, 5) ** 2, label="one")
ax.legend()
plt.show()
print("checked", calls)""",
    """fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="none")
fig.subplots_adjust(left=0.0, right=1.0)
ax.plot([0, 1], [1000.0, 2000.0])
ax.set_ylabel("the second moment")
try:
    plt.show()
except audit.FigureAuditError as err:
    print("caught:", "left edge" in str(err), plt.get_fignums())""",
]


def test_under_the_inline_backend_show_checks_the_figure_it_rendered(monkeypatch):
    """In a real kernel: the check reuses the inline render, and still catches a defect."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("COURSE_FIGURE_AUDIT", "1")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in _INLINE_CELLS])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    texts = ["".join(o.get("text", "") for o in c.outputs) for c in nb.cells]
    assert "checked [True]" in texts[2]  # shown, then checked on the render's layout
    assert any(o.get("output_type") == "display_data" for o in nb.cells[2].outputs)
    assert "caught: True []" in texts[3]  # a clipped label fails after the show


# --- the palette under colour-vision deficiencies -----------------------------------------


def test_the_simulation_matrices_keep_greys_grey():
    # each row sums to 1 (Machado et al. 2009 normalise them so): white stays white
    for kind, m in audit.CVD_MATRICES.items():
        np.testing.assert_allclose(m.sum(axis=1), 1.0, atol=2e-6, err_msg=kind)
        assert audit.delta_e("#808080", "#808080", kind=kind) == 0.0
        assert audit.delta_e("white", "#ffffff", kind=kind) < 0.01


def test_the_simulation_merges_what_each_deficiency_merges():
    # red and green collapse for protanopes and deuteranopes; blue and green for tritanopes
    normal = audit.delta_e("#d62728", "#2ca02c")
    for kind in ("protanopia", "deuteranopia"):
        assert audit.delta_e("#d62728", "#2ca02c", kind=kind) < 0.5 * normal
    assert audit.delta_e("#1f77b4", "#2ca02c", kind="tritanopia") < 0.75 * audit.delta_e(
        "#1f77b4", "#2ca02c"
    )


@pytest.mark.parametrize("kind", [None, *audit.CVD_MATRICES])
def test_every_pair_of_the_course_palette_stays_apart(kind):
    # 10 CIE76 units: four times the just-noticeable difference, for thin lines
    colours = dict(zip(_CYCLE, _CYCLE)) | {PALETTE["black"]: PALETTE["black"]}
    worst = min(
        (audit.delta_e(a, b, kind=kind), a, b) for a, b in itertools.combinations(colours, 2)
    )
    assert worst[0] >= 10.0, f"{worst[1]} and {worst[2]} under {kind}: dE = {worst[0]:.1f}"


@pytest.mark.parametrize("kind", [None, *audit.CVD_MATRICES])
def test_every_line_colour_stands_out_from_the_white_background(kind):
    for colour in _CYCLE:
        assert audit.delta_e(colour, "white", kind=kind) >= 20.0, (colour, kind)


def test_simulate_cvd_names_the_kinds_it_knows():
    with pytest.raises(ValueError, match="deuteranopia"):
        audit.simulate_cvd("red", "deutan")
