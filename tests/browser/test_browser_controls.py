"""The checker itself: it passes working explorers and fails broken ones (negative controls)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lab_driver import NotebookCheckError, check_notebook, serve_copy

FIXTURES = Path(__file__).resolve().parent / "fixtures"

pytestmark = pytest.mark.browser


def test_checker_passes_working_explorers(lab, page, tmp_path):
    """Positive control: sliders, a dropdown, toggle buttons and a button, all driven."""
    shot = tmp_path / "explorers_ok.png"
    report = check_notebook(page, lab, "fixtures/explorers_ok.ipynb", shot)
    kinds = sorted({kind for _, kind, _, _ in report.driven})
    assert report.explorers == 2
    assert len(report.driven) == 2 * 2 + 3, report.driven  # 2 sliders x (key, readout) + 3
    assert kinds == ["button", "select", "slider", "toggle-buttons"], report.driven
    assert shot.exists()


def test_checker_fails_on_a_raising_slider_callback(lab, page, tmp_path):
    shot = tmp_path / "explorer_broken.png"
    with pytest.raises(NotebookCheckError) as failure:
        check_notebook(page, lab, "fixtures/explorer_broken.ipynb", shot)
    message = str(failure.value)
    assert "ArrowRight" in message and "RuntimeError: deliberately broken" in message, message
    assert f"screenshot: {shot}" in message and shot.exists()


def test_checker_fails_without_the_widget_manager(page, tmp_path_factory, tmp_path):
    """Widgets disabled in Lab (page_config.json): the text repr shows instead of a slider."""
    shot = tmp_path / "no_widget_manager.png"
    with serve_copy(
        {"fixtures": FIXTURES},
        tmp_path_factory.mktemp("lab-no-widgets"),
        page_config={"disabledExtensions": {"@jupyter-widgets/jupyterlab-manager": True}},
    ) as server:
        with pytest.raises(NotebookCheckError) as failure:
            check_notebook(page, server, "fixtures/explorers_ok.ipynb", shot)
    message = str(failure.value)
    assert "text repr instead of a widget" in message, message
    assert f"screenshot: {shot}" in message and shot.exists()
