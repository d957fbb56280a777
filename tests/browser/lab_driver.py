"""Drive real JupyterLab in headless Chromium: a server, a browser, and the notebook checker.

How it works is written up in docs/TESTING.md, section "The browser tests" (JupyterLab 4,
ipywidgets 8, Playwright with Debian's Chromium). It is a checker for any notebook of the course:
:func:`check_notebook` opens a notebook, runs it all on a fresh kernel, fails on any error
output or widget that did not render, then drives every control of every explorer and fails
unless the explorer's printed summary and its figure both change.

Every wait is bounded by ``WAIT_S``; every process started here is stopped by its PID.

Met on the way (JupyterLab 4.6, ipywidgets 8.1; docs/TESTING.md lists the other pitfalls):

- Stored prompts ``[1]..[n]`` look just like a fresh run: clear all outputs, then Run All.
- Lab 4 leaves far cells out of the DOM (windowing): ``windowingMode: none`` in the settings.
- A widget view's output area has no ``data-mime-type``; find it by ``.jupyter-widgets``.
- An exception in a widget callback never reaches the cell: it goes to the log console,
  whose status-bar item counts entries ("1 log entries"); the log console shows it.
- A slider handle's ``aria-valuenow`` is rounded (1.1 for 1.11); ``aria-valuetext`` is not.
- A ``SelectionSlider``'s readout is editable but ignores typing (ipywidgets#2976).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROME_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
WAIT_S = 60.0  # the longest any single wait may take: a hung kernel fails within a minute
WATCHDOG_S = 600.0  # a last resort for calls Playwright cannot time out (a hung renderer)
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
IDLE = "Python 3 (ipykernel) | Idle"

# Lab's user settings for a quiet, deterministic page: no news toast, every cell in the DOM
# (no virtual scrolling, so every output can be read), no autosave.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}


def ci_is_set() -> bool:
    """True when the environment variable CI says this is a CI run (missing tools then fail)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_browser() -> str | None:
    """A one-line reason the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return 'playwright (Python) is not installed: python -m pip install -e ".[test]"'
    if not (shutil.which(CHROMIUM) or os.access(CHROMIUM, os.X_OK)):
        return (
            f"Chromium not found at {CHROMIUM}: install Debian's with "
            "`apt-get install chromium` (or point $CHROMIUM at one)"
        )
    return None


# --- processes, by PID ------------------------------------------------------------------
def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (Linux /proc), all its threads included."""
    kids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError, ValueError):
            kids += [int(c) for c in (task / "children").read_text().split()]
    return kids


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, depth first."""
    out = []
    for kid in children(pid):
        out += [kid, *descendants(kid)]
    return out


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def kill_all(pids, grace: float = 5.0) -> None:
    """SIGTERM each of ``pids``, then SIGKILL those still alive after ``grace`` seconds."""
    pids = [p for p in pids if alive(p)]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while any(alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        pids = [p for p in pids if alive(p)]
        if not pids:
            return


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- JupyterLab -------------------------------------------------------------------------
@dataclass
class LabServer:
    """A JupyterLab server on 127.0.0.1 with its own token, config, data and settings dirs.

    ``root`` is the directory it serves (a throwaway copy: Lab may write to it). Use
    :meth:`start` and :meth:`stop` (or ``with LabServer(...) as lab``); ``stop`` also kills
    the kernels, by PID, even when the server no longer answers.
    """

    root: Path
    home: Path  # a fresh directory for config, data, runtime, settings and the log
    page_config: dict = field(default_factory=dict)
    port: int = 0
    token: str = ""
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.home / "lab.log"

    def log_tail(self, n: int = 30) -> str:
        """The last ``n`` lines of the server's log, for failure messages."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def _write_config(self) -> dict:
        for name in ("config", "data", "runtime", "workspaces", "ipython"):
            (self.home / name).mkdir(parents=True, exist_ok=True)
        for plugin, values in LAB_SETTINGS.items():
            path = self.home / "settings" / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        if self.page_config:
            (self.home / "config" / "labconfig").mkdir(exist_ok=True)
            path = self.home / "config" / "labconfig" / "page_config.json"
            path.write_text(json.dumps(self.page_config))
        return dict(
            os.environ,
            JUPYTER_CONFIG_DIR=str(self.home / "config"),
            JUPYTER_DATA_DIR=str(self.home / "data"),
            JUPYTER_RUNTIME_DIR=str(self.home / "runtime"),
            IPYTHONDIR=str(self.home / "ipython"),
        )

    def start(self) -> LabServer:
        """Start the server and wait (bounded) until its REST API answers."""
        env = self._write_config()
        self.port, self.token = free_port(), secrets.token_hex(16)
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.user_settings_dir={self.home / 'settings'}",
            f"--LabApp.workspaces_dir={self.home / 'workspaces'}",
        ]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        with open(self.log_path, "w") as log:  # the child keeps its own descriptor
            self.proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
            )
        deadline = time.monotonic() + WAIT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited at start:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                self.api("GET", "/api/status", timeout=2)
                return self
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"JupyterLab silent for {WAIT_S:.0f} s:\n{self.log_tail()}")
            time.sleep(0.25)

    def api(self, method: str, path: str, timeout: float = 10):
        """Call the server's REST API; the decoded JSON reply (None when empty)."""
        req = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=timeout) as reply:
            body = reply.read()
        return json.loads(body) if body else None

    def page_url(self, relpath: str, workspace: str) -> str:
        """The URL that opens ``relpath`` in a fresh workspace of its own (no stale layout)."""
        return f"{self.url}/lab/workspaces/{workspace}/tree/{relpath}?reset&token={self.token}"

    def stop_kernels(self) -> None:
        """Shut down every session and kernel through the API, then kill survivors by PID."""
        kernels = descendants(self.proc.pid) if self.proc else []
        with contextlib.suppress(OSError, ValueError):
            for session in self.api("GET", "/api/sessions", timeout=5) or []:
                with contextlib.suppress(OSError):
                    self.api("DELETE", f"/api/sessions/{session['id']}", timeout=15)
            for kernel in self.api("GET", "/api/kernels", timeout=5) or []:
                with contextlib.suppress(OSError):
                    self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=15)
        kill_all(kernels)

    def stop(self) -> None:
        """Shut the server down (API, then SIGTERM, then SIGKILL) and every process below it."""
        if self.proc is None:
            return
        below = descendants(self.proc.pid)
        with contextlib.suppress(OSError):
            self.api("POST", "/api/shutdown", timeout=5)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill_all([self.proc.pid])
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
        kill_all(below + descendants(self.proc.pid))
        self.proc = None

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def serve_copy(sources: dict[str, Path], home: Path, **kwargs) -> LabServer:
    """A (not yet started) server whose root holds a copy of each source dir under its name."""
    root = home / "root"
    for name, src in sources.items():
        shutil.copytree(src, root / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return LabServer(root=root, home=home, **kwargs)


# --- Chromium ---------------------------------------------------------------------------
class Browser:
    """Headless Debian Chromium under Playwright; ``new_page()`` gives an isolated context.

    ``close()`` stops Playwright, then kills by PID whatever it started that still runs
    (its driver and the Chromium processes under it).
    """

    def __init__(self):
        from playwright.sync_api import sync_playwright

        before = set(children(os.getpid()))
        self._pw = sync_playwright().start()
        self._pids = [p for p in children(os.getpid()) if p not in before]  # Playwright's driver
        try:
            self.browser = self._pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROME_ARGS, timeout=WAIT_S * 1000
            )
        except Exception:
            self.close()
            raise

    def new_page(self):
        """A page in a fresh browser context (own cookies and storage)."""
        context = self.browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(WAIT_S * 1000)
        return context.new_page()

    @contextlib.contextmanager
    def watchdog(self, seconds: float = WATCHDOG_S):
        """Kill Chromium (by PID) if the block outlives ``seconds``, so a hung call raises."""
        chromium = [q for p in self._pids for q in descendants(p)]
        timer = threading.Timer(seconds, kill_all, args=(chromium,))
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def close(self) -> None:
        started = [q for p in self._pids for q in (p, *descendants(p))]
        with contextlib.suppress(Exception):
            self._pw.stop()
        kill_all(started)


# --- the checker ------------------------------------------------------------------------
# The rendered widgets: the cells' own outputs (not those nested in an Output widget) that
# hold a widget view. Lab gives them no mime-type attribute, so look for the view's class.
_WIDGET_VIEWS_JS = r"""
  const widgetViews = () => [...document.querySelectorAll(
      ".jp-Notebook .jp-Cell-outputArea .jp-OutputArea-output")]
    .filter((o) => !o.parentElement.closest(".jp-OutputArea-output"))
    .filter((o) => o.querySelector(".jupyter-widgets"));"""

# One look at the page: the code cells' prompts, the status bar, errors, widget failures.
_PAGE_STATE_JS = r"""() => {
  const text = (el) => (el.innerText || "").trim().slice(0, 600);
WIDGET_VIEWS
  const cells = [...document.querySelectorAll(".jp-Notebook .jp-CodeCell")];
  const outputs = [...document.querySelectorAll(".jp-Notebook .jp-OutputArea-output")];
  const errors = [...document.querySelectorAll(
      '.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]')].map(text);
  for (const o of outputs) {
    if (/Traceback \(most recent call last\)/.test(o.innerText) && !errors.includes(text(o)))
      errors.push(text(o));
  }
  const widgetErrors = [];
  for (const o of outputs) {
    const t = o.innerText || "";
    if (t.includes("Error displaying widget")) widgetErrors.push(text(o));
    else if (/\b\w+\(children=\(/.test(t))
      widgetErrors.push("text repr instead of a widget: " + text(o));
  }
  // An explorer stores a note as its text/plain (course_utils.widgets.base.stored_view_note):
  // still showing after its cell ran, it means the widget view did not render.
  const storedNotes = outputs
    .filter((o) => (o.innerText || "").includes("Run this cell in JupyterLab to get its"))
    .map((o) => "text repr instead of a widget: " + text(o));
  const loading = outputs.filter((o) => (o.innerText || "").includes("Loading widget")).length;
  const status = document.querySelector("#jp-main-statusbar");
  // Widget callbacks' errors (and output outside an Output widget) go to the log console;
  // its status-bar item counts them: "1 new messages, 1 log entries for <notebook>".
  const logItem = document.querySelector(".jp-LogConsoleStatusItem [title]");
  const logged = logItem ? /(\d+) log entries/.exec(logItem.title) : null;
  return {
    logEntries: logged ? Number(logged[1]) : 0,
    prompts: cells.map((c) => {
      const p = c.querySelector(".jp-InputPrompt");
      return p ? p.innerText.trim() : "";
    }),
    widgets: widgetViews().length,
    status: status ? status.innerText.replace(/\s+/g, " ") : "",
    errors, widgetErrors, storedNotes, loading,
  };
}""".replace("WIDGET_VIEWS", _WIDGET_VIEWS_JS)

# Mark every explorer (a rendered widget that holds an Output) and its controls, and say
# how each control is driven. Returns [{index, controls: [{index, kind, label}]}].
_MARK_EXPLORERS_JS = r"""() => {
WIDGET_VIEWS
  const roots = widgetViews().filter((r) => r.querySelector(".widget-output"));
  const label = (el) => {
    const d = el.closest(".widget-inline-hbox");
    const l = d ? d.querySelector(".widget-label") : null;
    return ((l && l.innerText) || el.innerText || el.getAttribute("aria-label") || "")
      .trim().slice(0, 40);
  };
  return roots.map((root, i) => {
    root.setAttribute("data-e2e-explorer", String(i));
    const inOutput = (el) => el.closest(".widget-output") !== null;
    const controls = [];
    const add = (el, kind) => {
      if (inOutput(el) || el.hasAttribute("data-e2e-control")) return;
      el.setAttribute("data-e2e-control", String(controls.length));
      controls.push({index: controls.length, kind, label: label(el)});
    };
    root.querySelectorAll('[role="slider"]').forEach((el) => add(el, "slider"));
    root.querySelectorAll(".widget-dropdown select").forEach((el) => add(el, "select"));
    root.querySelectorAll(".widget-toggle-buttons").forEach((el) => add(el, "toggle-buttons"));
    root.querySelectorAll(".widget-radio-box").forEach((el) => add(el, "radio"));
    root.querySelectorAll(".widget-checkbox input").forEach((el) => add(el, "checkbox"));
    root.querySelectorAll("button.widget-toggle-button").forEach((el) => {
      if (!el.closest(".widget-toggle-buttons")) add(el, "button");
    });
    root.querySelectorAll("button.widget-button").forEach((el) => add(el, "button"));
    // Anything interactive left over is a control the checker cannot drive yet.
    root.querySelectorAll("input, select, textarea, button, [contenteditable='true']")
      .forEach((el) => {
        if (inOutput(el) || el.closest("[data-e2e-control]") || el.closest(".widget-readout"))
          return;
        add(el, "unknown:" + el.tagName.toLowerCase());
      });
    return {index: i, controls};
  });
}""".replace("WIDGET_VIEWS", _WIDGET_VIEWS_JS)

# What an explorer shows: the text of its Output(s) and a hash of each figure's src.
_EXPLORER_VIEW_JS = r"""(root) => {
  const outs = [...root.querySelectorAll(".widget-output")];
  const hash = (s) => {
    let h = 2166136261;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
    return s.length + ":" + h.toString(16);
  };
  return {
    text: outs.map((o) => (o.innerText || "").trim()).join("\n"),
    figures: outs.flatMap((o) => [...o.querySelectorAll("img")].map((im) => hash(im.src || ""))),
  };
}"""


class NotebookCheckError(AssertionError):
    """The checker's verdict on a notebook; the message names the screenshot."""


@dataclass
class Report:
    """What the checker did: explorers found and each control driven."""

    notebook: str
    code_cells: int = 0
    explorers: int = 0
    driven: list = field(default_factory=list)  # (explorer, control kind, label, action)
    notes: list = field(default_factory=list)  # what could not be driven, and why
    seconds: dict = field(default_factory=dict)


def _stored_widget_views(path: Path) -> int:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum(
        WIDGET_MIME in out.get("data", {})
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for out in cell.get("outputs", [])
    )


def _code_cells(path: Path) -> int:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum(cell["cell_type"] == "code" for cell in nb["cells"])


def _wait(what: str, probe) -> None:
    """Call ``probe() -> (done, detail[, progress])`` until done.

    Fails with the detail when ``WAIT_S`` pass without it being done, counted from the last
    change of ``progress`` (Run All: the number of cells run, so a long notebook may take
    as long as it needs while a hung cell fails within ``WAIT_S``).
    """
    deadline, last = time.monotonic() + WAIT_S, None
    while True:
        done, detail, *progress = probe()
        if done:
            return
        if progress != last:
            deadline, last = time.monotonic() + WAIT_S, progress
        if time.monotonic() > deadline:
            raise NotebookCheckError(f"waited {WAIT_S:.0f} s for {what}: {detail}")
        time.sleep(0.2)


def _state(page) -> dict:
    return page.evaluate(_PAGE_STATE_JS)


def _log_console_tail(page, lines: int = 12) -> str:
    """The end of the last log-console entry (opens the log console; best effort)."""
    with contextlib.suppress(Exception):
        page.locator(".jp-LogConsoleStatusItem").click(timeout=5000)
        entry = page.locator(".jp-LogConsolePanel .jp-OutputArea-output").last
        return "\n".join(entry.inner_text(timeout=5000).strip().splitlines()[-lines:])
    return "(could not open the log console)"


def _assert_clean(page, state: dict, when: str) -> None:
    """Fail on error outputs, widgets that did not render, and entries in the log console."""
    if state["logEntries"]:
        raise NotebookCheckError(
            f"the kernel logged {state['logEntries']} message(s) to the log console {when} "
            f"(an exception or output in a widget callback):\n{_log_console_tail(page)}"
        )
    if state["errors"]:
        raise NotebookCheckError(f"error output {when}:\n" + "\n---\n".join(state["errors"][:3]))
    # while Run All is under way, cells not yet run still show their stored note
    shown = state["widgetErrors"] + ([] if when.startswith("while") else state["storedNotes"])
    if shown:
        raise NotebookCheckError(f"a widget did not render {when}:\n" + "\n---\n".join(shown[:3]))


def _status_is(page, text: str):
    status = _state(page)["status"]
    return text in status, f"status bar {status!r}"


def _menu(page, menu: str, item: str) -> None:
    page.get_by_role("menuitem", name=menu, exact=True).click()
    page.locator(".lm-Menu-item", has_text=item).first.click()


def _run_all(page, n_code: int) -> dict:
    """Clear outputs (so stored prompts cannot pass for fresh ones), Run All, wait for [1]..[n]."""
    _menu(page, "Edit", "Clear Outputs of All Cells")

    def cleared():
        prompts = _state(page)["prompts"]
        return all(p in ("[ ]:", "") for p in prompts), f"prompts {prompts}"

    _wait("the outputs to clear", cleared)
    _menu(page, "Run", "Run All Cells")
    want = [f"[{k}]:" for k in range(1, n_code + 1)]

    def ran():
        s = _state(page)
        _assert_clean(page, s, "while running all cells")  # fail fast: Run All stops at an error
        done = s["prompts"] == want and IDLE in s["status"] and s["loading"] == 0
        cells_run = sum(p == w for p, w in zip(s["prompts"], want))
        detail = f"prompts {s['prompts']}, status {s['status']!r}, loading {s['loading']}"
        return done, detail, cells_run

    _wait("the next cell to finish (Run All)", ran)
    return _state(page)


def _view(page, explorer: int) -> dict:
    return page.locator(f'[data-e2e-explorer="{explorer}"]').evaluate(_EXPLORER_VIEW_JS)


def _expect_change(page, explorer: int, before: dict, what: str) -> dict:
    """Wait until the explorer's text and figure both differ from ``before``; the new view."""

    now = {}

    def changed():
        now.update(_view(page, explorer))
        _assert_clean(page, _state(page), f"after {what}")
        new_text = now["text"] and now["text"] != before["text"]
        new_figure = now["figures"] and now["figures"] != before["figures"]
        return new_text and new_figure, (
            f"text {'changed' if new_text else 'unchanged'} ({now['text']!r}), "
            f"figure {'changed' if new_figure else 'unchanged'}"
        )

    _wait(f"explorer {explorer}'s output to change after {what}", changed)
    return now


def _slider_value(handle) -> tuple:
    # aria-valuenow is rounded (1.1 for 1.11); aria-valuetext has every digit
    return handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuetext")


def _readout_ignored(handle, value_before: tuple) -> bool:
    """True when typing into a slider's readout left its value alone for 2 s."""
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if _slider_value(handle) != value_before:
            return False
        time.sleep(0.1)
    return True


def _drive(page, explorer: int, control: dict, before: dict, report: Report) -> dict:
    """Act on one control in every way it offers; after each, the output must change."""
    loc = page.locator(f'[data-e2e-explorer="{explorer}"] [data-e2e-control="{control["index"]}"]')
    kind, label = control["kind"], control["label"]

    def step(action: str, act) -> None:
        nonlocal before
        act()
        before = _expect_change(page, explorer, before, f"{action} on {kind} {label!r}")
        report.driven.append((explorer, kind, label, action))

    if kind == "slider":
        start = loc.get_attribute("aria-valuenow")
        loc.focus()
        key = "ArrowLeft" if start == loc.get_attribute("aria-valuemax") else "ArrowRight"
        widget = loc.locator("xpath=ancestor::*[contains(@class, 'widget-slider')][1]")
        readout = widget.locator(".widget-readout")
        typed = readout.inner_text().strip() if readout.count() else ""
        step(f"{key} on the handle", lambda: loc.press(key))
        editable = readout.count() and readout.get_attribute("contenteditable") == "true"
        if editable and typed and "–" not in typed:  # a range slider's readout reads "a – b"
            value = _slider_value(loc)
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type(typed)
            page.keyboard.press("Enter")
            if _readout_ignored(loc, value):
                # ipywidgets 8's SelectionSlider shows an editable readout that ignores typing
                # (jupyter-widgets/ipywidgets#2976): the explorer cannot be blamed for that.
                report.notes.append(f"slider {label!r}: its readout ignores typing (ipywidgets)")
            else:
                step(f"typing {typed!r} into the readout", lambda: None)
    elif kind == "select":
        values = loc.evaluate("(s) => [...s.options].map((o) => o.value)")
        current = loc.input_value()
        other = next((v for v in values if v != current), None)
        if other is None:
            raise NotebookCheckError(f"dropdown {label!r} has a single option")
        step(f"choosing {other!r}", lambda: loc.select_option(other))
    elif kind in ("toggle-buttons", "radio"):
        sel = "button:not(.mod-active)" if kind == "toggle-buttons" else "input:not(:checked)"
        other = loc.locator(sel).first
        name = other.inner_text() if kind == "toggle-buttons" else other.get_attribute("value")
        step(f"picking {name!r}", other.click)
    elif kind in ("checkbox", "button"):
        step("a click", loc.click)
    else:
        raise NotebookCheckError(
            f"explorer {explorer} has a control the checker cannot drive ({kind} {label!r}): "
            "teach tests/browser/lab_driver.py how"
        )
    return before


def check_notebook(page, lab: LabServer, relpath: str, screenshot: Path) -> Report:
    """Open ``relpath`` on ``lab``, run it all, then drive every explorer; raise on any failure.

    Raises :class:`NotebookCheckError` (an AssertionError) naming ``screenshot``, which is
    taken after the interaction, or at the failure.
    """
    path = lab.root / relpath
    report = Report(relpath, code_cells=_code_cells(path))
    t0 = time.monotonic()
    try:
        page.goto(lab.page_url(relpath, "e2e-" + re.sub(r"\W", "-", relpath)))
        # The toolbar says idle before the kernel is connected; Run All then runs nothing.
        _wait(f"the status bar to read {IDLE!r}", lambda: _status_is(page, IDLE))
        report.seconds["open"] = time.monotonic() - t0
        state = _run_all(page, report.code_cells)
        report.seconds["run all"] = time.monotonic() - t0 - report.seconds["open"]
        _assert_clean(page, state, "after Run All")
        stored = _stored_widget_views(path)
        if state["widgets"] < stored:
            raise NotebookCheckError(
                f"{state['widgets']} widgets rendered, the stored notebook has {stored}: "
                "the others did not render as widgets"
            )
        explorers = page.evaluate(_MARK_EXPLORERS_JS)
        report.explorers = len(explorers)
        for ex in explorers:
            if not ex["controls"]:
                raise NotebookCheckError(f"explorer {ex['index']} has no control to drive")
            view = _view(page, ex["index"])
            if not (view["text"] and view["figures"]):
                raise NotebookCheckError(
                    f"explorer {ex['index']} shows no summary or no figure: {view}"
                )
            for control in ex["controls"]:
                view = _drive(page, ex["index"], control, view, report)
        _assert_clean(page, _state(page), "at the end")
        page.screenshot(path=str(screenshot))
    except Exception as exc:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(screenshot))
        raise NotebookCheckError(f"{relpath}: {exc}\nscreenshot: {screenshot}") from exc
    report.seconds["total"] = time.monotonic() - t0
    return report
