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


def _fenced(readme: str, lang: str) -> list[str]:
    """The lines of every fenced code block in ``lang`` of the README."""
    blocks = re.findall(rf"^```{lang}\n(.*?)^```", readme, re.M | re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = [c for c in _fenced(readme, "bash") if 'install -e ".[test]"' in c]
    assert len(commands) == 1, commands
    assert commands[0] in (ROOT / ".ci" / "run").read_text()


def test_readme_commands_set_up_their_own_venv():
    """PEP 668: Debian's system Python refuses pip, and ``python`` may not exist there."""
    readme = (ROOT / "README.md").read_text()
    bash = [c for c in _fenced(readme, "bash") if "pip install -e" in c and "conda" not in c]
    assert len(bash) == 2, bash
    for command in bash:
        assert command.startswith("python3 -m venv .venv && . .venv/bin/activate && "), command
    windows = [c for c in _fenced(readme, "powershell") if "pip install -e" in c]
    assert len(windows) == 2, windows
    for command in windows:
        assert command.startswith("py -m venv .venv; .venv\\Scripts\\Activate.ps1; "), command
    # the same steps after the venv: Windows runs what bash runs
    tails = sorted(c.split("activate && ", 1)[1].replace(" && ", "; ") for c in bash)
    assert tails == sorted(c.split("Activate.ps1; ", 1)[1] for c in windows)


def test_ci_runs_a_second_blas_kernel_and_the_dependency_floors():
    run = (ROOT / ".ci" / "run").read_text()
    assert "OPENBLAS_CORETYPE=Sandybridge OPENBLAS_NUM_THREADS=1 python -m pytest" in run
    assert "floor_constraints.py" in run and "-c .ci/floors.txt" in run
    out = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "floor_constraints.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert len(out) == len(project["dependencies"])
    for dep, pin in zip(project["dependencies"], out):
        name, floor = re.match(r"([\w\-.]+)\s*>=\s*([\w.]+)", dep).groups()
        assert pin == f"{name}=={floor}"


def test_the_built_package_holds_every_subpackage():
    """pyproject's package list finds course_utils and each subpackage (theory/, ...)."""
    from setuptools import find_packages

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = set(find_packages(where=str(ROOT), **config["packages"]["find"]))
    on_disk = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "course_utils").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert on_disk and on_disk <= found, sorted(on_disk - found)
    assert "course_utils" in found and "course_utils.theory" in on_disk
