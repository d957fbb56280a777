"""Root conftest: make nbval's sanitize file path absolute, whatever the current directory."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Point nbval at tests/nbval_sanitize.cfg by absolute path unless one was given."""
    if config.pluginmanager.hasplugin("nbval") and not config.option.nbval_sanitize_with:
        config.option.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")
