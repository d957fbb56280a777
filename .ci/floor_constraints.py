"""Print pip constraints that pin every runtime dependency of pyproject.toml to its floor.

CI installs the course with these constraints in a venv of its own and runs the unit
tests and strict nbval there, so the floors pyproject.toml claims are floors CI tests.
"""

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

root = Path(__file__).resolve().parent.parent
deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
for dep in deps:
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*(,.*)?", dep)
    if not match:
        sys.exit(f"floor_constraints: dependency {dep!r} has no '>=' floor to pin")
    print(f"{match.group(1)}=={match.group(2)}")
