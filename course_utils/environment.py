"""check_environment(): is this machine ready for the course? Used in notebook 00."""

from __future__ import annotations

import platform
import re
from importlib import metadata, resources

__all__ = ["check_environment", "environment_problems"]

_PACKAGES = ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "jupyterlab_widgets", "ipykernel")
_FIX = 'python -m pip install -e ".[test]"   (or: python -m pip install -e .)'


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _major(version: str | None) -> int | None:
    try:
        return int(version.split(".")[0]) if version else None
    except ValueError:
        return None


def _release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: "8.1.0rc1" -> (8, 1, 0), "4" -> (4,)."""
    parts = []
    for piece in version.split("."):
        digits = re.match(r"\d+", piece)
        if not digits:
            break
        parts.append(int(digits.group()))
        if digits.group() != piece:
            break
    return tuple(parts)


def _older(version: str, floor: str) -> bool:
    """True when ``version`` is below ``floor`` (releases compared as padded tuples)."""
    a, b = _release(version), _release(floor)
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)) < b + (0,) * (width - len(b))


# The floors of pyproject.toml, used only when the package's own metadata cannot be read
# (a test keeps the two the same).
_DEFAULT_FLOORS = {
    "jupyterlab": "4",
    "ipywidgets": "8.1",
    "numpy": "1.26",
    "matplotlib": "3.8",
    "nbconvert": "7.2.5",
    "jupyter-server-mathjax": "0.2.6",
}


def required_floors() -> dict[str, str]:
    """The lower bound of every runtime dependency, as the installed course declares them."""
    try:
        requires = metadata.requires("course_utils") or []
    except metadata.PackageNotFoundError:
        return dict(_DEFAULT_FLOORS)
    floors = {}
    for spec in requires:
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*", spec)
        if match:
            floors[match.group(1).lower()] = match.group(2)
    return floors or dict(_DEFAULT_FLOORS)


def environment_problems(versions: dict | None = None) -> list[str]:
    """Return one line per problem found (empty when all is well).

    ``versions`` maps distribution names to version strings (None when missing); by
    default they are read from the installed packages. Each line says what is wrong
    and the command that fixes it.
    """
    if versions is None:
        versions = {name: _version(name) for name in _PACKAGES}
    problems = []
    floors = required_floors()
    for name in ("numpy", "matplotlib"):
        if versions.get(name) is None:
            problems.append(f"{name} is not installed: run  {_FIX}")
    ipw, jlw = versions.get("ipywidgets"), versions.get("jupyterlab_widgets")
    if ipw is None:
        problems.append(f"ipywidgets is not installed, so sliders cannot work: run  {_FIX}")
    for name in ("numpy", "matplotlib", "ipywidgets", "jupyterlab"):
        version, floor = versions.get(name), floors.get(name)
        if version is not None and floor is not None and _older(version, floor):
            problems.append(
                f"{name} {version} is too old (the course needs >= {floor}): "
                f'run  python -m pip install -U "{name}>={floor}"'
            )
    if jlw is None:
        problems.append(
            "jupyterlab_widgets is missing, so JupyterLab will show 'Error displaying widget' "
            'instead of sliders: run  python -m pip install -U "ipywidgets>=8.1" jupyterlab_widgets'
        )
    elif ipw is not None and _major(ipw) == 8 and _major(jlw) != 3:
        problems.append(
            f"ipywidgets {ipw} needs jupyterlab_widgets 3.x, found {jlw}: the sliders will not "
            'render. Run  python -m pip install -U "ipywidgets>=8.1" "jupyterlab_widgets>=3,<4"'
        )
    if versions.get("jupyterlab") is None:
        problems.append(f"jupyterlab is not installed: run  {_FIX}")
    try:
        data = resources.files("course_utils") / "data" / "digits.csv.gz"
        if not data.is_file():
            raise FileNotFoundError
    except (FileNotFoundError, ModuleNotFoundError):
        problems.append(f"the course's offline data (digits) is missing: reinstall with  {_FIX}")
    return problems


def check_environment() -> bool:
    """Print the versions the course uses and any problem in one line with its fix.

    Returns True when everything needed (including widgets) is in place.
    """
    versions = {name: _version(name) for name in _PACKAGES}
    versions["course_utils"] = _version("course_utils")
    print(f"Python {platform.python_version()} on {platform.system()}")
    for name, version in versions.items():
        print(f"  {name:<20} {version or 'MISSING'}")
    problems = environment_problems(versions)
    if problems:
        for line in problems:
            print(f"PROBLEM: {line}")
    else:
        print("All set: the course runs offline from here, widgets included.")
    return not problems
