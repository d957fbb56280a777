"""Fixtures of the browser tests: one JupyterLab server and one Chromium for the session.

The server serves a throwaway copy of notebooks/ (as ``notebooks/``) and of this folder's
fixture notebooks (as ``fixtures/``). Each test gets a fresh browser context, and after
each test every kernel is shut down (and killed by PID if it does not go).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lab_driver import Browser, ci_is_set, missing_browser, serve_copy

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

# The fixture notebooks are opened in the browser, never run by nbval.
collect_ignore_glob = ["*.ipynb"]


def require_browser() -> None:
    """Skip (fail when CI is set) with a one-line reason when Chromium or Playwright is missing."""
    reason = missing_browser()
    if reason:
        if ci_is_set():
            pytest.fail(f"CI is set and the browser tests cannot run: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium, closed (and its processes killed by PID) at the end of the session."""
    require_browser()
    chromium = Browser()
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def lab(tmp_path_factory, browser):
    """One JupyterLab server for the session, serving copies of notebooks/ and fixtures/."""
    server = serve_copy(
        {"notebooks": ROOT / "notebooks", "fixtures": HERE / "fixtures"},
        tmp_path_factory.mktemp("lab"),
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(browser, lab):
    """A page in a fresh browser context; afterwards the context closes and kernels stop."""
    with browser.watchdog():
        page = browser.new_page()
        yield page
        try:
            page.context.close()
        finally:
            lab.stop_kernels()
