"""Prose numbers are computed: every number a notebook's markdown states as a result is backed.

A number stated in a markdown cell (a decimal, a percentage, scientific notation, a power
such as 2^-30, a multiplier such as "9x", "x1.7e18", "107 times" or "a factor of 117", either
end of a range of these) is *backed* when

(a) a code cell's stored text output (stdout, text/plain, text/html, text/markdown) of the
    same notebook prints it to the precision the prose states: some printed number, rounded
    to the prose's last digit, is the prose number, and is printed with at least as many
    digits (0.268 matches 0.2681, not 0.27; 0.8796... also matches 0.87962 cut, not rounded;
    94.7% matches 94.7, 94.7% or 0.947; 10^35 and 2 x 10^-9 have one significant figure);
    a power such as 2^-30 matches the printed text ``2^-30`` / ``2**-30`` or its value printed
    to two or more significant figures; an integer multiplier or percentage ("16 times",
    "85%") needs a printed ratio ("x16", "16x", "85%", 15.8), not a printed width or seed; or
(b) it is a literal the learner can see and change in a code cell's source (a number, or the
    literal text of an f-string; not a comment), or in the code of a ``<details>`` solution;
    a literal is exact (the setting 0.3 backs the prose's 0.30), a percentage below 50% is
    also the setting 1 +- p ("10% too much" and the factor 1.1), and an integer literal backs
    only a power of ten ("10^6 draws"), never a multiplier or a percentage; or
(c) it is listed in ``tests/cited_numbers.toml`` under the notebook's file stem, with its
    source.

Integers alone (widths, depths, seeds, years, section numbers, counts) are settings or
labels, not results, and are skipped. So are numbers in words, link targets, URLs, arXiv
ids, version strings ("Python 3.10", "nbval 0.11.0"), numbered references ("section 2.3"),
inline code, subscripts, and the code inside ``<details>`` solution blocks.

Run ``python tests/prose_numbers.py [notebook ...]`` for a report of the unbacked numbers.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tokenize
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
CITED_PATH = ROOT / "tests" / "cited_numbers.toml"

# ---------------------------------------------------------------------------------------
# Numbers as text: value and the resolution of the last stated digit
# ---------------------------------------------------------------------------------------

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")


def parse_number(text: str) -> tuple[Decimal, Decimal]:
    """``(value, ulp)`` of a number written as text: ``"0.268"`` -> (0.268, 0.001).

    The ulp is one unit of the last written digit: 1 for ``"96"``, 1e-7 for ``"2.2e-06"``,
    1e35 for ``"1e35"``. Thousands separators and underscores are dropped; the sign is not
    kept (prose says "falls by", "shrinks by" in words).
    """
    t = text.replace(",", "").replace("_", "").replace("−", "-").lstrip("+-")
    d = Decimal(t)
    return abs(d), Decimal(1).scaleb(d.as_tuple().exponent)


def significant_figures(text: str) -> int:
    """How many significant figures a number's text states (``"0.00515"`` -> 3)."""
    t = text.replace(",", "").replace("_", "").lstrip("+-−")
    mantissa = re.split(r"[eE]", t)[0]
    digits = mantissa.replace(".", "").lstrip("0")
    return max(len(digits), 1)


# ---------------------------------------------------------------------------------------
# Prose: markdown -> text whose numbers are the claims
# ---------------------------------------------------------------------------------------

_DETAILS_RE = re.compile(r"<details>(.*?)</details>", re.S | re.I)
_FENCED_RE = re.compile(r"```[^\n]*\n(.*?)```", re.S)
_INDENTED_CODE_RE = re.compile(r"(?m)^(?: {4}|\t).*$")
_INLINE_CODE_RE = re.compile(r"`[^`\n]*`")
_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REF_LINK_DEF_RE = re.compile(r"(?m)^\s*\[[^\]]+\]:\s*\S+.*$")
_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_TAG_RE = re.compile(r"<[^>\n]+>")
_ARXIV_RE = re.compile(r"(?i)arxiv[:\s]*\d{4}\.\d{4,5}(?:v\d+)?|\b\d{4}\.\d{4,5}v\d+\b")
_DOI_RE = re.compile(r"\b10\.\d{4,}/\S+")
_VERSION_RE = re.compile(r"(?<![\w.])v?\d+\.\d+\.\d+(?:\.\d+)*(?![\w.])")
# "Python 3.10", "numpy 2.4", "section 2.3", "eq. 4.2": a name or a place, not a result
_LABELLED_RE = re.compile(
    r"(?i)\b(?:python|numpy|scipy|matplotlib|pytorch|torch|jax|keras|tensorflow|flax|"
    r"ipywidgets|ipykernel|jupyterlab|nbval|pytest|ruff|version|release|"
    r"sections?|sec\.|§|chapter|eqs?\.|equations?|tables?|figs?\.|figures?|appendix|"
    r"theorem|lemma|proposition)\s*\(?(\d+\.\d+(?:\.\d+)*)\)?"
)


def solution_code_and_prose(markdown: str) -> tuple[str, str]:
    """Split a markdown cell into (prose, code shown inside it).

    Fenced code anywhere and indented code inside ``<details>`` blocks is code: its numbers
    are code literals (they back prose numbers), never claims.
    """
    code: list[str] = []

    def take_fenced(m: re.Match) -> str:
        code.append(m.group(1))
        return "\n"

    def in_details(m: re.Match) -> str:
        body = _FENCED_RE.sub(take_fenced, m.group(1))

        def take_indented(mm: re.Match) -> str:
            code.append(mm.group(0))
            return ""

        return "\n" + _INDENTED_CODE_RE.sub(take_indented, body) + "\n"

    prose = _DETAILS_RE.sub(in_details, markdown)
    prose = _FENCED_RE.sub(take_fenced, prose)
    return prose, "\n".join(code)


def _latex_exponent(m: re.Match) -> str:
    inner = m.group(1).replace(" ", "").replace("−", "-")
    if re.fullmatch(r"[-+]?\d+", inner):
        return "^" + inner
    return "^(" + m.group(1) + ")"


def normalize_prose(markdown_prose: str) -> str:
    """Markdown prose (code already removed) as plain text with numbers in one notation.

    LaTeX forms become plain ones (``2^{-30}`` -> ``2^-30``, ``3.4 \\times 10^{38}`` ->
    ``3.4 × 10^38``, ``0.8796\\ldots`` -> ``0.8796…``, ``\\%`` -> ``%``), unicode minus and
    superscripts are plain, links keep their text, inline code keeps its text with its
    digits masked, and URLs, tags, subscripts, arXiv ids, DOIs and version strings are gone.
    """
    t = _REF_LINK_DEF_RE.sub("", markdown_prose)
    # inline code stays readable in the failure message, its digits masked: not a claim
    t = _INLINE_CODE_RE.sub(lambda m: re.sub(r"\d", "#", m.group(0)), t)
    t = _LINK_RE.sub(r"\1", t)
    t = _URL_RE.sub(" ", t)
    t = _TAG_RE.sub(" ", t)
    t = _ARXIV_RE.sub(" ", t)
    t = _DOI_RE.sub(" ", t)
    t = t.replace("−", "-").replace("–", "-").replace("—", " - ")
    t = t.replace("\u2009", " ").replace("\u202f", " ").replace("\u00a0", " ")
    t = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+", lambda m: "^" + m.group(0).translate(_SUPERSCRIPTS), t)
    t = re.sub(r"\\(?:ldots|dots|cdots|dotsc)\b", "…", t)
    t = t.replace("...", "…")
    t = re.sub(r"\\(?:times|cdot)(?![A-Za-z])", " × ", t)
    t = re.sub(r"\\approx(?![A-Za-z])", " ≈ ", t)
    t = t.replace("\\%", "%").replace("{,}", ",")
    t = re.sub(r"\\[,;:! ]", " ", t)
    t = re.sub(r"\\(?:text|mathrm|mathbf|operatorname|mathit)\{([^{}]*)\}", r"\1", t)
    # subscripts label things (W_1, x_{l+1}, n_\text{in}): never numbers
    t = re.sub(r"_\{[^{}]*\}|_\\?\w+", " ", t)
    t = re.sub(r"\^\{([^{}]*)\}", _latex_exponent, t)
    t = re.sub(r"\^\(\s*([-+]?\d+)\s*\)", r"^\1", t)
    t = re.sub(r"(\d)\s*\*\*\s*\(?\s*([-+]?\d+)\s*\)?", r"\1^\2", t)
    t = re.sub(r"[ \t]+", " ", t)
    t = _VERSION_RE.sub(" ", t)
    t = _LABELLED_RE.sub(" ", t)
    return t


@dataclass
class ProseNumber:
    """A number stated in markdown."""

    text: str  # as found in the normalized prose, e.g. "2^-30", "94.7%", "10x"
    kind: str  # decimal | percent | scientific | power | multiplier
    value: Decimal  # for a power: base ** exponent (exact)
    ulp: Decimal  # one unit of the last stated digit (0 for a power: see matches)
    truncated: bool = False  # followed by "…": digits cut, not rounded
    integer: bool = False  # written without a decimal point or an exponent ("9x", "85%")
    power: str | None = None  # canonical "base^exp" for powers
    cell: int = -1  # index in the notebook's cells, from 0
    cell_id: str = ""
    context: str = ""


_PROSE_RE = re.compile(
    r"""
    (?:(?P<mult_pre>(?<![\w.])[x×]\s?)|(?<![\w.^]))   # x1.7e18, × 16
    (?P<num>\d+(?:,\d{3})*(?:\.\d+)?)
    (?:
        (?P<sci>[eE][-+]?\d+)                      # 1e-8, 2.5e-17
      | \s*×\s*10\^(?P<x10>[-+]?\d+)               # 3.4 × 10^38
      | \^(?P<pow>[-+]?\d+)                        # 2^-30, 10^6, 1.1^50
    )?
    (?![\w.]*\d)                                   # not the front of a longer token
    (?P<pct>\s?%)?
    (?P<mult_post>[x×](?![\w^_(/]|\s*\d))?        # 9x, 10x (not 6x^4, 2x/3, 5x3, 2 × n)
    (?P<ell>\s?…(?!\s?\d))?                        # 0.8796… (but 1e-17…35 is a range)
    """,
    re.X,
)
# a multiplier in words: "107 times", "16-fold", "60 orders of magnitude"
_WORD_MULT = r"\s*-?\s*(?:times|fold)\b|\s+orders?\s+of\s+magnitude\b"
_WORD_MULT_RE = re.compile(_WORD_MULT)
# "a factor of 117", "by a factor of about 9" (but "within a factor of 2" is a threshold)
_FACTOR_HEAD_RE = re.compile(
    r"(?<!within a )(?<!within )\bfactor\s+(?:of\s+)?(?:about\s+|roughly\s+|nearly\s+|"
    r"almost\s+|~\s*|≈\s*)?$"
)
# an integer that starts a range whose other end is a percentage or a multiplier: 60-80%
_RANGE_TAIL_RE = re.compile(
    r"\s*(?:-|to|…)\s*\d+(?:\.\d+)?(?P<unit>\s?%|[x×](?![\w^_(/])|" + _WORD_MULT + ")"
)


_PRODUCT_BEFORE_RE = re.compile(r"(?:\d|(?<![A-Za-z\\])[A-Za-z]|[)\]}])\s*$")


def _sentence(text: str, start: int, end: int, width: int = 220) -> str:
    """The sentence of ``text`` around ``text[start:end]``, on one line."""
    bounds = [m.end() for m in re.finditer(r"[.!?:]\s|\n\s*\n|\n\s*[-*] ", text[:start])]
    lo = bounds[-1] if bounds else 0
    m = re.compile(r"[.!?](?:\s|$)|\n\s*\n|\n\s*[-*] ").search(text, end)
    hi = m.end() if m else len(text)
    s = " ".join(text[lo:hi].split())
    if len(s) > width:
        pos = len(" ".join(text[lo:start].split()))
        a = max(0, pos - width // 2)
        s = ("…" if a else "") + s[a : a + width] + "…"
    return s


def _power(base: str, exp: int, shown: str) -> ProseNumber | None:
    """A power ``base^exp`` as a prose number (None for a trivial one such as 1^32)."""
    b, _ = parse_number(base)
    if b in (0, 1):
        return None
    value = b**exp if exp >= 0 else Decimal(1) / (b ** (-exp))
    return ProseNumber(shown, "power", value, Decimal(0), power=f"{base}^{exp}")


def prose_numbers(markdown: str) -> list[ProseNumber]:
    """The numbers a markdown cell states as results, in order."""
    prose, _ = solution_code_and_prose(markdown)
    text = normalize_prose(prose)
    found = []
    for m in _PROSE_RE.finditer(text):
        num, x10, pw = m.group("num"), m.group("x10"), m.group("pow")
        mult_pre = m.group("mult_pre") or ""
        # "5 × 1000" is a shape, "2^-10 × 2^10" a product: × after a number is no multiplier
        # ... and so is "d × 0.02^2" or "(...) × 2": after a variable or a bracket
        pre = bool(mult_pre) and not _PRODUCT_BEFORE_RE.search(text, 0, m.start())
        pct = m.group("pct") is not None
        mult = pre or m.group("mult_post") is not None
        truncated = m.group("ell") is not None
        shown = " ".join((m.group(0) if pre else m.group(0)[len(mult_pre) :]).split())
        context = _sentence(text, m.start(), m.end())
        items: list[ProseNumber | None] = []
        if x10 is not None and Decimal(num.replace(",", "")) >= 10:
            # 256 × 10^-4 is a product, not a mantissa: the power of ten is the number
            items.append(ProseNumber(f"10^{x10}", "scientific", *parse_number(f"1e{x10}")))
            if "." in num:
                items.append(ProseNumber(num, "decimal", *parse_number(num)))
        elif pw is not None and int(pw) != 2 and num.replace(",", "") != "10":
            items.append(_power(num, int(pw), shown.rstrip("x× …").rstrip()))
        else:
            if x10 is not None:
                num_text, kind = f"{num}e{x10}", "scientific"
            elif m.group("sci") is not None:
                num_text, kind = num + m.group("sci"), "scientific"
            elif pw is not None and int(pw) != 2:  # 10^-8 is 1e-8: one significant figure
                num_text, kind = f"1e{pw}", "scientific"
            else:  # a decimal, or the std s of N(0, s^2)
                num_text, kind = num, "decimal"
            if kind == "decimal" and "." not in num and re.match(r"\s*/", text[m.end() :]):
                continue  # 1/2, × 1/sqrt(L): a fraction's numerator
            words = _WORD_MULT_RE.match(text, m.end()) if not (pct or mult) else None
            if words:
                w = " ".join(words.group(0).split())
                mult, shown = True, shown + (w if w.startswith("-") else " " + w)
            elif not (pct or mult) and _FACTOR_HEAD_RE.search(text, 0, m.start()):
                mult = True
            if kind == "decimal" and "." not in num and not (pct or mult):
                tail = _RANGE_TAIL_RE.match(text, m.end())
                if not tail:
                    continue  # an integer alone: a setting or a label
                pct, mult = "%" in tail.group("unit"), "%" not in tail.group("unit")
            if pct:
                kind = "percent"
            elif mult:
                kind = "multiplier"
            value, ulp = parse_number(num_text)
            integer = re.fullmatch(r"[\d,]+", num_text) is not None
            items.append(ProseNumber(shown, kind, value, ulp, truncated, integer=integer))
        for p in items:
            if p is not None:
                p.context = context
                found.append(p)
    return found


# ---------------------------------------------------------------------------------------
# What backs a number: outputs, code literals, the cited table
# ---------------------------------------------------------------------------------------


@dataclass
class Backing:
    """Numbers a notebook prints, numbers its code states, powers written as text."""

    printed: list[tuple[Decimal, Decimal, int]] = field(default_factory=list)  # value, ulp, sf
    literals: list[tuple[Decimal, Decimal, int]] = field(default_factory=list)
    powers: set[str] = field(default_factory=set)  # canonical "2^-30" seen in outputs or code
    # printed integers marked as a ratio ("x16", "16x", "85%", "107 times"): only these back an
    # integer multiplier or percentage (a printed depth, width or seed does not)
    marked: set[Decimal] = field(default_factory=set)
    cited: dict[str, str] = field(default_factory=dict)


_OUT_NUM_RE = re.compile(r"(?<![\d.])(\d+(?:[,_]\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?)(\s?%)?")
_POWER_TEXT_RE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:\^|\*\*)\s*\{?\(?\s*([-+−]?\d+)\s*\)?\}?(?![\d.])"
)


_MARKED_INT_RE = re.compile(
    r"(?<![\w.])[x×]\s?(\d+(?:[,_]\d{3})*)(?![\d.,])"
    r"|(?<![\d.])(\d+(?:[,_]\d{3})*)(?![\d.])\s?(?:[x×%](?![\w^])|times\b|-?fold\b)"
)


def _marked_integers(text: str) -> set[Decimal]:
    return {parse_number(a or b)[0] for a, b in _MARKED_INT_RE.findall(text)}


def _canonical_powers(text: str) -> set[str]:
    return {f"{b}^{int(e.replace('−', '-'))}" for b, e in _POWER_TEXT_RE.findall(text)}


def _numbers_in(text: str, percent_both_ways: bool = True) -> list[tuple[Decimal, Decimal, int]]:
    out = []
    for num, pct in _OUT_NUM_RE.findall(text):
        try:
            value, ulp = parse_number(num)
        except InvalidOperation:
            continue
        sf = significant_figures(num)
        out.append((value, ulp, sf))
        if pct and percent_both_ways:  # "94.7%" is also the fraction 0.947
            out.append((value / 100, ulp / 100, sf))
    return out


def output_text(cell: dict) -> str:
    """The text a code cell's stored outputs show: stdout, text/plain, text/html, markdown."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            if out.get("name") == "stdout":
                parts.append(_join(out.get("text", "")))
        elif out.get("output_type") in ("execute_result", "display_data"):
            data = out.get("data", {})
            for mime in ("text/plain", "text/markdown"):
                if mime in data:
                    parts.append(_join(data[mime]))
            if "text/html" in data:
                parts.append(_TAG_RE.sub(" ", _join(data["text/html"])))
    return "\n".join(parts)


def _join(src) -> str:
    return "".join(src) if isinstance(src, list) else src


def _fstring_literal_text(token: str) -> str:
    """The literal text of an f-string token (replacement fields removed)."""
    body = re.sub(r"^[A-Za-z]*", "", token)
    q = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    body = body[len(q) : len(body) - len(q)]
    out, depth, i = [], 0, 0
    while i < len(body):
        ch = body[i]
        if depth == 0 and body.startswith("{{", i):
            out.append("{")
            i += 2
            continue
        if depth == 0 and body.startswith("}}", i):
            out.append("}")
            i += 2
            continue
        if ch == "{":
            depth += 1
            out.append(" ")
        elif ch == "}" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
        i += 1
    return "".join(out)


def code_literals(code: str) -> tuple[list[tuple[Decimal, Decimal, int]], str]:
    """Numeric literals of Python code, and the literal text of its f-strings."""
    lines = [ln for ln in code.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    src = "\n".join(lines) + "\n"
    nums: list[tuple[Decimal, Decimal, int]] = []
    texts: list[str] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(src).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        no_comments = re.sub(r"#.*", "", src)
        return _numbers_in(no_comments, percent_both_ways=False), ""
    # Python >= 3.12 splits f-strings: literal text is FSTRING_MIDDLE outside replacement
    # fields (inside one, it is a format spec such as ">10.2f", no literal text)
    fstring_start = getattr(tokenize, "FSTRING_START", None)
    fstring_middle = getattr(tokenize, "FSTRING_MIDDLE", None)
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    fields: list[int] = []  # open replacement fields of each f-string being read
    for tok in tokens:
        if fstring_start is not None and tok.type == fstring_start:
            fields.append(0)
        elif fstring_end is not None and tok.type == fstring_end and fields:
            fields.pop()
        elif fields and tok.type == tokenize.OP and tok.string in ("{", "}"):
            fields[-1] = max(0, fields[-1] + (1 if tok.string == "{" else -1))
        if tok.type == tokenize.NUMBER:
            t = tok.string.lower()
            if t.startswith(("0x", "0o", "0b")) or t.endswith("j"):
                continue
            try:
                value, ulp = parse_number(tok.string)
            except InvalidOperation:
                continue
            nums.append((value, ulp, significant_figures(tok.string)))
        elif tok.type == tokenize.STRING and re.match(r"(?i)[rb]*f", tok.string):
            texts.append(_fstring_literal_text(tok.string))
        elif fstring_middle is not None and tok.type == fstring_middle and fields[-1:] == [0]:
            texts.append(tok.string)
    text = "\n".join(texts)
    # powers written in code (2**-30, 0.5**30) count as text, e.g. for the prose "2^-30"
    return nums + _numbers_in(text, percent_both_ways=True), text + "\n" + src


def load_cited(path: Path = CITED_PATH) -> dict[str, dict[str, str]]:
    """tests/cited_numbers.toml: {notebook stem: {number as written: source}}."""
    if not path.exists():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))


def backing(nb: dict, cited: dict[str, str] | None = None) -> Backing:
    """Everything in a notebook (and its cited table) that can back a prose number."""
    b = Backing(cited=dict(cited or {}))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            out = output_text(cell)
            b.printed += _numbers_in(out)
            b.marked |= _marked_integers(out)
            b.powers |= _canonical_powers(out)
            nums, text = code_literals(_join(cell.get("source", "")))
            b.literals += nums
            b.powers |= _canonical_powers(text)
        elif cell["cell_type"] == "markdown":
            _, code = solution_code_and_prose(_join(cell.get("source", "")))
            if code.strip():
                nums, text = code_literals(code)
                b.literals += nums
                b.powers |= _canonical_powers(text)
    return b


def _close(p: ProseNumber, value: Decimal, ulp: Decimal) -> bool:
    """Does a number printed as (value, ulp) show the prose number to its stated precision?"""
    if ulp > p.ulp:  # printed with fewer digits than the prose states
        return False
    diff = value - p.value
    if abs(diff) <= p.ulp / 2:
        return True
    return p.truncated and Decimal(0) <= diff < p.ulp


def _power_close(p: ProseNumber, value: Decimal, ulp: Decimal, sf: int) -> bool:
    """A power's value printed to two or more significant figures (or exactly)."""
    if value == p.value:
        return True
    tol = max(ulp / 2, p.value * Decimal("1e-12"))
    return sf >= 2 and abs(value - p.value) <= tol


def is_backed(p: ProseNumber, b: Backing) -> str | None:
    """How ``p`` is backed ("printed", "literal", "cited", "printed as text"), or None."""
    targets = [p]
    settings = []  # what a literal may back beyond the targets
    if p.kind == "percent":  # 94.7% is also 0.947
        fraction, ulp = p.value / 100, p.ulp / 100
        targets.append(ProseNumber(p.text, "decimal", fraction, ulp, p.truncated))
        if fraction < Decimal("0.5"):  # "10% too much", "25% below 1": the settings 1.1, 0.75
            for value in (1 + fraction, 1 - fraction):
                settings.append(ProseNumber(p.text, "decimal", value, ulp, p.truncated))
    if p.kind == "power":
        if p.power in b.powers:
            return "printed as text"
        # a printed integer (a width 64 or 1024) backs 4^3 or 2^10 only as a marked ratio
        printed = [(v, u, sf) for v, u, sf in b.printed if u != 1 or v in b.marked or sf >= 5]
        if any(_power_close(p, v, u, sf) for v, u, sf in printed):
            return "printed"
        if any(_power_close(p, v, u, sf) for v, u, sf in b.literals if u != 1):
            return "literal"
    else:
        printed = b.printed
        if p.kind in ("multiplier", "percent") and p.integer:
            printed = [(v, u, sf) for v, u, sf in printed if u != 1 or v in b.marked]
        for t in targets:
            if any(_close(t, v, u) for v, u, _ in printed):
                return "printed"
        # a literal (a width, a seed) never backs an integer percent or multiplier by chance;
        # a literal is exact: the setting 0.3 is the prose's 0.30, and 1.7603 its 1.76
        lits = [v for v, u, _ in b.literals if u != 1 or p.kind == "scientific"]
        if p.integer and p.kind in ("multiplier", "percent"):
            targets = []  # "4 times", "85%" are results, whatever literal is near them
        for t in targets + settings:
            if any(_close(t, v, Decimal(0)) for v in lits):
                return "literal"
    for key in b.cited:
        if _cited_matches(p, key):
            return "cited"
    return None


def _cited_matches(p: ProseNumber, key: str) -> bool:
    """A cited key, written as in the prose, that is ``p`` (to ``p``'s precision)."""
    found = prose_numbers(key if re.search(r"[.%x×^e]", key) else key + "x")
    if p.kind == "power":
        return any(f.power == p.power for f in found)
    if p.text == key.strip():
        return True
    # the key as written, or rounded to the prose's digits if the prose keeps three or more
    # (1.0507 cited backs the prose's 1.051, not its 0.9 or 1)
    sf = p.value.adjusted() - p.ulp.adjusted() + 1 if p.value else 1
    return any(
        f.kind != "power"
        and (f.value == p.value and f.ulp == p.ulp or sf >= 3 and _close(p, f.value, f.ulp))
        for f in found
    )


@dataclass
class Finding:
    """A notebook's prose numbers and which of them nothing backs."""

    numbers: list[ProseNumber]
    unbacked: list[ProseNumber]
    unused_cited: list[str]


def check_notebook(nb: dict, cited: dict[str, str] | None = None) -> Finding:
    """Every prose number of ``nb`` with how it is backed; the unbacked ones listed."""
    b = backing(nb, cited)
    numbers: list[ProseNumber] = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        for p in prose_numbers(_join(cell.get("source", ""))):
            p.cell, p.cell_id = i, cell.get("id", "")
            numbers.append(p)
    unbacked = [p for p in numbers if is_backed(p, b) is None]
    unused = [k for k in b.cited if not any(_cited_matches(p, k) for p in numbers)]
    return Finding(numbers, unbacked, unused)


def report(path: Path, finding: Finding, stem: str | None = None) -> str:
    """The failure message: each unbacked number with its cell and sentence."""
    stem = stem or path.stem
    lines = [
        f"{path.name}: {len(finding.unbacked)} of {len(finding.numbers)} prose numbers are "
        f"neither printed by a cell (to the precision stated), nor a code literal, nor listed "
        f"in tests/cited_numbers.toml [{stem}]:"
    ]
    for p in finding.unbacked:
        where = f"cell {p.cell:2d}" + (f" (id {p.cell_id})" if p.cell_id else "")
        lines.append(f"  {where}  {p.text!r} ({p.kind}): {p.context}")
    for key in finding.unused_cited:
        lines.append(f"  tests/cited_numbers.toml [{stem}] {key!r}: no prose number of it")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Report the unbacked prose numbers of the given notebooks (default: notebooks/)."""
    paths = [Path(a) for a in argv] or sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    cited = load_cited()
    total = 0
    counts = []
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        finding = check_notebook(nb, cited.get(path.stem, {}))
        total += len(finding.unbacked)
        counts.append(f"{path.stem}: {len(finding.unbacked)} of {len(finding.numbers)}")
        print(report(path, finding))
        print()
    print("unbacked prose numbers per notebook:")
    print("\n".join("  " + c for c in counts))
    print(f"  total: {total}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
