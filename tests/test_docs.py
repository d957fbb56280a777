"""The project documents itself: its maps link every lesson, and its links stay inside it.

- README.md's course map and notebook 00's course map link every notebook in notebooks/
  (00 every notebook but itself), and every link to a notebook names an existing file.
- Every relative link in README.md and docs/*.md resolves to a file of the repository,
  and a link to a heading of a markdown file names a heading that exists there.
- No tracked file points at the design notes outside the repository: a contributor who
  clones the project has to find everything it refers to inside it.

Links are read the way a markdown renderer finds them: ``[text](target)`` and
``![alt](target)`` outside code spans and fenced code blocks.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
START = NOTEBOOK_DIR / "00_start_here.ipynb"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# Pointers outside the repository, built from parts so that this file holds none itself.
OUTSIDE = ["../" + "shared", "shared" + "/design"]

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
# [text](target) or ![alt](target); the target may hold balanced parentheses, <...>, a title
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|(?:[^()\s]|\([^()\s]*\))*)")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)


def without_code(markdown: str) -> str:
    """The markdown with fenced code blocks and code spans blanked out."""
    return CODE_SPAN.sub(" ", FENCE.sub("\n", markdown))


def link_targets(markdown: str) -> list[str]:
    """Every link target of ``markdown``, in order, code excluded."""
    return [m.group(1).strip("<>") for m in LINK.finditer(without_code(markdown))]


def relative_links(markdown: str) -> list[tuple[str, str, str]]:
    """``(target, path, anchor)`` for each link that is no URL, path percent-decoded."""
    out = []
    for target in link_targets(markdown):
        if not target or SCHEME.match(target):
            continue
        path, _, anchor = target.partition("#")
        out.append((target, unquote(path.split("?", 1)[0]), unquote(anchor)))
    return out


def markdown_of_notebook(path: Path) -> str:
    """The markdown cells of a notebook, joined."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n\n".join(
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "markdown"
    )


def notebook_links(markdown: str, base: Path) -> tuple[set[Path], list[str]]:
    """The notebooks ``markdown`` (a file in ``base``) links to, and the links that are broken."""
    linked, broken = set(), []
    for target, path, _ in relative_links(markdown):
        if path.endswith(".ipynb"):
            resolved = (base / path).resolve()
            if resolved.is_file():
                linked.add(resolved)
            else:
                broken.append(target)
    return linked, broken


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = text.replace("`", "").lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors_of(markdown: str) -> set[str]:
    """The ids of every heading of a markdown file, duplicates numbered as GitHub does."""
    seen: dict[str, int] = {}
    ids = set()
    for heading in HEADING.findall(FENCE.sub("\n", markdown)):  # code spans keep their text
        slug = github_anchor(heading)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        ids.add(slug if n == 0 else f"{slug}-{n}")
    return ids


def broken_links(path: Path) -> list[str]:
    """The relative links of a markdown file that reach no file, or no heading of one."""
    broken = []
    for target, rel, anchor in relative_links(path.read_text(encoding="utf-8")):
        dest = (path.parent / rel).resolve() if rel else path
        if not dest.exists():
            broken.append(f"{target} (no file {dest})")
        elif (
            anchor
            and dest.suffix == ".md"
            and anchor not in anchors_of(dest.read_text(encoding="utf-8"))
        ):
            broken.append(f"{target} (no heading #{anchor} in {dest.name})")
    return broken


def tracked_files(root: Path) -> list[Path]:
    """The files git tracks under ``root``."""
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True, timeout=60
    ).stdout
    return [root / name for name in out.decode("utf-8").split("\0") if name]


def outside_pointers(paths) -> list[str]:
    """``file:line: text`` for each line of a text file that names a place outside."""
    hits = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:  # deleted in the work tree, not yet in git
            continue
        if b"\0" in data:
            continue  # binary
        text = data.decode("utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), 1):
            if any(p in line for p in OUTSIDE):
                hits.append(
                    f"{path.relative_to(ROOT) if ROOT in path.parents else path}:{n}: "
                    f"{line.strip()[:120]}"
                )
    return hits


# ---------------------------------------------------------------------------------------
# The repository
# ---------------------------------------------------------------------------------------


def test_there_are_notebooks_and_docs():
    assert START in NOTEBOOKS, "notebooks/00_start_here.ipynb is missing"
    assert len(NOTEBOOKS) > 1 and (ROOT / "README.md").exists()


def test_readme_links_every_notebook():
    linked, broken = notebook_links((ROOT / "README.md").read_text(encoding="utf-8"), ROOT)
    missing = [p.name for p in NOTEBOOKS if p.resolve() not in linked]
    assert not (missing or broken), (
        f"README.md's course map does not link {missing}; links to no notebook: {broken}"
    )


def test_notebook_00_links_every_other_notebook():
    linked, broken = notebook_links(markdown_of_notebook(START), NOTEBOOK_DIR)
    missing = [p.name for p in NOTEBOOKS if p != START and p.resolve() not in linked]
    assert not (missing or broken), (
        f"notebook 00's course map does not link {missing}; links to no notebook: {broken}"
    )


@pytest.mark.parametrize("path", DOCS, ids=[p.relative_to(ROOT).as_posix() for p in DOCS])
def test_relative_links_resolve(path):
    broken = broken_links(path)
    assert not broken, f"{path.relative_to(ROOT)}: broken links:\n" + "\n".join(broken)


def test_no_tracked_file_points_outside_the_repository():
    try:
        files = tracked_files(ROOT)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"not a git checkout ({exc}): no list of tracked files")
    hits = outside_pointers(files)
    assert not hits, (
        "these lines point outside the repository; say it in docs/ instead:\n" + "\n".join(hits)
    )


# ---------------------------------------------------------------------------------------
# The readers, and planted defects they must catch
# ---------------------------------------------------------------------------------------


def test_links_are_read_outside_code_only():
    md = (
        'See [the guide](docs/a.md#Some-part) and ![fig](img/f.png "title"), '
        "[web](https://example.org/x.md), [mail](mailto:a@b.c), [here](#top), "
        "[sp](<my file.md>), [paren](a_(b).md).\n"
        "Not `[code](nowhere.md)`, nor\n```markdown\n[fenced](nowhere.md)\n```\n"
    )
    assert link_targets(md) == [
        "docs/a.md#Some-part",
        "img/f.png",
        "https://example.org/x.md",
        "mailto:a@b.c",
        "#top",
        "my file.md",
        "a_(b).md",
    ]
    assert [(p, a) for _, p, a in relative_links(md)] == [
        ("docs/a.md", "Some-part"),
        ("img/f.png", ""),
        ("", "top"),
        ("my file.md", ""),
        ("a_(b).md", ""),
    ]


def test_github_anchors():
    md = "# Testing the course\n## The browser tests: real JupyterLab\n## `ruff`, twice\n## Twice\n"
    md += "## Twice\n```\n# not a heading\n```\n"
    assert anchors_of(md) == {
        "testing-the-course",
        "the-browser-tests-real-jupyterlab",
        "ruff-twice",
        "twice",
        "twice-1",
    }


def test_a_planted_broken_link_fails(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "there.md").write_text("# A heading\n")
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "[ok](there.md), [ok too](there.md#a-heading), [self](#the-page), [up](../docs)\n"
        "[gone](gone.md), [no heading](there.md#another), [web](https://example.org)\n\n"
        "# The page\n"
    )
    assert [b.split(" ", 1)[0] for b in broken_links(page)] == ["gone.md", "there.md#another"]


def test_a_planted_missing_or_broken_notebook_link_fails(tmp_path):
    for name in ("00_a.ipynb", "01_b.ipynb"):
        (tmp_path / name).write_text("{}")
    linked, broken = notebook_links("[A](00_a.ipynb) and [C](02_c.ipynb#x)", tmp_path)
    assert linked == {(tmp_path / "00_a.ipynb").resolve()}  # 01_b is not linked
    assert broken == ["02_c.ipynb#x"]


def test_a_planted_pointer_outside_is_found(tmp_path):
    planted = tmp_path / "notes.py"
    planted.write_text("x = 1\n# the recipe is " + "../" + "shared" + "/design/X.md\n")
    (tmp_path / "blob.bin").write_bytes(b"\0" + ("shared" + "/design").encode())
    hits = outside_pointers([planted, tmp_path / "blob.bin", tmp_path / "deleted.md"])
    assert len(hits) == 1 and hits[0].endswith(":2: # the recipe is " + OUTSIDE[0] + "/design/X.md")


# --- docs/ARCHITECTURE.md's tree is the package ------------------------------------------
def _architecture_tree() -> set[str]:
    """The paths the layout block of docs/ARCHITECTURE.md lists, relative to the repository."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    block = re.search(r"## Layout.*?```text\n(.*?)```", text, re.S).group(1)
    stack, paths = [], set()
    for line in block.splitlines():
        if not line.strip():
            continue
        indent = (len(line) - len(line.lstrip())) // 2
        name = line.split()[0]
        stack = stack[:indent] + [name.rstrip("/")]
        if not name.endswith("/"):
            paths.add("/".join(stack))
    return paths


def _package_files() -> set[str]:
    pkg = ROOT / "course_utils"
    return {
        p.relative_to(ROOT).as_posix()
        for p in pkg.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.suffix in (".py", ".md", ".gz", ".json")
    }


def test_architecture_tree_matches_the_package():
    listed, on_disk = _architecture_tree(), _package_files()
    assert sorted(on_disk - listed) == [], "files missing from docs/ARCHITECTURE.md's tree"
    assert sorted(listed - on_disk) == [], "docs/ARCHITECTURE.md lists files that do not exist"


def test_architecture_tree_reader_sees_a_planted_defect(tmp_path, monkeypatch):
    """A file the tree forgets, and a listed file that is gone, are both reported."""
    listed = _architecture_tree()
    assert (
        "course_utils/checks/feedback.py" in listed and "course_utils/data/digits.csv.gz" in listed
    )
    assert "course_utils/checks" not in listed  # folders are not files
    assert len(listed) == len(_package_files())


def test_no_module_is_named_or_sectioned_by_a_lesson_number_or_too_long():
    for rel in _package_files():
        path = ROOT / rel
        if path.suffix != ".py":
            continue
        assert not re.search(r"(^|[_/])\d\d", path.stem), rel
        text = path.read_text()
        assert not re.search(r"^# ---.*\bnotebooks? \d\d", text, re.M | re.I), rel  # a section
        assert len(text.splitlines()) <= 550, f"{rel}: {len(text.splitlines())} lines"
