"""Root conftest: nbval's sanitize file by absolute path, and the figure audit switched on.

``COURSE_FIGURE_AUDIT=1`` is set here, before any kernel starts, so every figure a notebook
shows under nbval goes through ``cu.plots.audit.check_figure`` (docs/TESTING.md).
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Point nbval at tests/nbval_sanitize.cfg by absolute path unless one was given."""
    os.environ.setdefault("COURSE_FIGURE_AUDIT", "1")
    if config.pluginmanager.hasplugin("nbval") and not config.option.nbval_sanitize_with:
        config.option.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")
