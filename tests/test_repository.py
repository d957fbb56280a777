"""The repository's own hygiene: lint, formatting, matching environments, CI runs the README."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from notebook_tools import ROOT


def _ruff(*args):
    exe = shutil.which("ruff")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "ruff", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_ruff_check_is_clean():
    r = _ruff("check", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format_is_clean():
    r = _ruff("format", "--check", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def _names(specs):
    return {re.split(r"[<>=!~ \[;]", s.strip(), maxsplit=1)[0].lower() for s in specs}


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _names(project["dependencies"]) | _names(project["optional-dependencies"]["test"])
    deps = []
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"\s+- ([A-Za-z0-9_.\-]+)(.*?)(?:\s+#.*)?$", line)
        if m and m.group(1) not in ("pip", "python", "-e"):
            deps.append(m.group(1) + m.group(2))
    assert _names(deps) == wanted
    # ... and with the same lower bounds
    pins = {n.lower(): v for n, v in (re.match(r"([\w\-.]+)(.*)", d).groups() for d in deps)}
    for spec in project["dependencies"] + project["optional-dependencies"]["test"]:
        name, bound = re.match(r"([\w\-.]+)(.*)", spec.split(";")[0]).groups()
        assert pins[name.lower()].replace(" ", "") == bound.replace(" ", ""), spec


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^(python -m pip install -e \"\.\[test\]\".*)$", readme, re.M)
    assert len(commands) == 1, commands
    assert commands[0] in (ROOT / ".ci" / "run").read_text()
