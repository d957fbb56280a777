"""The playground in real JupyterLab: Play changes the figure frame after frame, Pause stops
it, Step changes it exactly once, and a control moved while it plays takes effect.

The playground's frames come from a background thread that sets an ``ipywidgets.Image``'s
value (course_utils/widgets/playground.py); each new value is a new ``blob:`` URL in the
page, so the figure's ``src`` says when a frame arrived. The summary line above it says
which step is shown and with what settings.
"""

from __future__ import annotations

import re
import time

import pytest
from lab_driver import IDLE, NotebookCheckError, _assert_clean, _run_all, _state, _status_is, _wait

pytestmark = pytest.mark.browser

FIXTURE = "fixtures/playground.ipynb"
STEPS_PER_FRAME = 2  # the fixture's setting


def _view(page) -> dict:
    root = page.locator(".widget-output").first
    return {
        "src": root.locator("img").first.get_attribute("src"),
        "text": root.locator(".widget-html").first.inner_text(),
    }


def _step_shown(text: str) -> int:
    found = re.search(r"\| step (\d+):", text)
    assert found, f"no step in the summary: {text!r}"
    return int(found.group(1))


def _dropdown(page, label: str):
    """The select element of the dropdown whose label is exactly ``label``."""
    name = page.locator(".widget-label", has_text=re.compile(rf"^{label}$"))
    return page.locator(".widget-dropdown").filter(has=name).locator("select").first


def _watch(page, seconds: float) -> list[dict]:
    """Every distinct view seen while polling for ``seconds`` (the first one included)."""
    seen = [_view(page)]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        now = _view(page)
        if now["src"] != seen[-1]["src"]:
            seen.append(now)
        time.sleep(0.03)
    return seen


def _wait_for(page, what: str, condition) -> dict:
    view = {}

    def probe():
        view.update(_view(page))
        return condition(view), f"summary {view.get('text')!r}"

    _wait(what, probe)
    return view


def test_play_pause_step_and_a_control_moved_while_playing(lab, page, tmp_path):
    shot = tmp_path / "playground.png"
    try:
        page.goto(lab.page_url(FIXTURE, "e2e-playground"))
        _wait(f"the status bar to read {IDLE!r}", lambda: _status_is(page, IDLE))
        _run_all(page, 2)
        _assert_clean(page, _state(page), "after Run All")
        play = page.locator("button.widget-toggle-button", has_text="Play").first
        step_button = page.locator("button.widget-button", has_text="Step").first
        start = _view(page)
        assert start["src"] and _step_shown(start["text"]) == 0, start

        # Play: the figure changes over several frames, and the step shown climbs
        play.click()
        seen = _watch(page, 3.0)
        steps = [_step_shown(v["text"]) for v in seen[1:]]
        assert len(seen) >= 4, f"only {len(seen) - 1} new frames in 3 s while playing"
        assert steps == sorted(steps) and steps[-1] > 0, steps

        # Pause: within a frame it stops; then nothing changes
        page.locator("button.widget-toggle-button", has_text="Pause").first.click()
        paused = _wait_for(page, "the summary to say paused", lambda v: "[paused]" in v["text"])
        time.sleep(0.3)  # at most one frame was under way
        still = _watch(page, 1.5)
        assert len(still) == 1, f"{len(still) - 1} frames arrived after Pause"
        at = _step_shown(still[0]["text"])
        assert at >= _step_shown(paused["text"])

        # Step: exactly one change, of exactly one frame's steps
        step_button.click()
        after = _watch(page, 2.0)
        assert len(after) == 2, f"Step changed the figure {len(after) - 1} times, not once"
        assert _step_shown(after[-1]["text"]) == at + STEPS_PER_FRAME, after[-1]["text"]

        # A control moved while it plays takes effect, and the run goes on
        play.click()
        _watch(page, 1.0)
        lr = _dropdown(page, "lr")
        lr.select_option(label="0.3")
        moved = _wait_for(page, "lr 0.3 in the summary", lambda v: "lr 0.3" in v["text"])
        went_on = _watch(page, 1.5)
        assert len(went_on) >= 2, "no frame after the learning rate moved"
        assert _step_shown(went_on[-1]["text"]) > _step_shown(moved["text"]) > at
        assert all("lr 0.3" in v["text"] for v in went_on)
        data = _dropdown(page, "data")
        data.select_option(label="moons")
        _wait_for(page, "the moons in the summary", lambda v: v["text"].startswith("moons"))
        page.locator("button.widget-toggle-button", has_text="Pause").first.click()
        _wait_for(page, "the summary to say paused", lambda v: "[paused]" in v["text"])
        _assert_clean(page, _state(page), "at the end")
        page.screenshot(path=str(shot))
    except Exception as exc:
        page.screenshot(path=str(shot))
        raise NotebookCheckError(f"{FIXTURE}: {exc}\nscreenshot: {shot}") from exc
