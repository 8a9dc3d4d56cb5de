"""Is a built PDF fit for a reader? Checks on the PDF (poppler-utils) and on the XeLaTeX log that made it.

    python -m cvae_lib.reporting.pdfcheck FILE.pdf [--log FILE.log] [--max-pages N] [--require-cjk] [--require TEXT ...]
        [--contents] [--cjk-variant SC] [--references Figure Table] [--breaks]

Each problem is one line that names the check, what was found and where:

- ``missing glyph``: a character the font lacks, so it was left out of the PDF. XeTeX writes these only to the
  log, and only while ``\\tracinglostchars`` ≥ 1 (LaTeX's default is 2); a document must not set it to 0.
- ``overfull \\hbox`` / ``overfull \\vbox``: a box wider (taller) than its space by more than the limit, with
  the LaTeX source lines the log gives.
- ``latex error``: a ``! ...`` line in the log; in nonstop mode XeLaTeX still writes a PDF after an error.
- ``font not embedded`` and ``no CJK font`` (``pdffonts``).
- ``required text``, ``forbidden text`` (per page, from ``pdftotext -layout``) and ``page count`` (``pdfinfo``).
- ``contents``: a table-of-contents entry whose page number is not the printed number of the page where its
  heading is (``check_contents``).
- ``CJK variant``: a CJK font family other than the wanted region (``cjk_variant``, e.g. "SC"), read from the
  log's fontspec lines, and an embedded CJK font whose name says another region. The Noto CJK collections share
  one CFF table named ``...CJKjp`` by all their regions, so a document set in "Noto Serif CJK SC" from the
  collection embeds "NotoSerifCJKjp" although its glyphs are the SC ones; the report loads the SC faces as files
  renamed to match (``cjkfonts``), so what the reader's font list shows is what was used.
- ``unreferenced``: a figure or table whose caption is printed but whose number the text never names
  (``check_references``, with the words that name them: "Figure"/"Table" or 图/表).
- ``page not in the PDF``: text that sends the reader to an HTML page (``.html``), which a PDF reader does not have.
- ``main text``: more pages from the heading ``main_text[0]`` to the heading ``main_text[1]`` (both pages
  counted) than ``max_main_pages``, e.g. from "1 Setup" to "References".
- ``broken pair``: a line of a table or text that ends or begins with ``±``, or ends with a word cut by a hyphen
  inside a table (``check_breaks``).

Forbidden text and the code listing: an appendix that prints code must show ``from cvae_lib``, ``display(``
and ``TrainConfig(``. With ``code_listing_marker``, everything from the first line that *is* the marker
(the whole line, optionally after a section number such as ``B`` or ``4.2``) to the end of the PDF is exempt
from the strings in ``code_like``; tracebacks, warnings and replacement characters are forbidden everywhere.
Matching a whole line keeps a table-of-contents entry ("B Code listing 12") or a running head from opening
the exemption early. A marker that is given but not found is itself a problem.
"""
import argparse
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .layoutcheck import (_squash, break_problems, cjk_variant_problems, contents_problems, main_text_problems,
                          reference_problems)

CODE_LIKE = ("from cvae_lib", "display(", "TrainConfig(")
DEFAULT_FORBIDDEN = ("Traceback", "Warning", "W1", "\ufffd") + CODE_LIKE
TOOLS = ("pdfinfo", "pdffonts", "pdftotext")
# Tokens of a font's PostScript name (split at case changes and punctuation) that mark a CJK font: the
# Noto/Source Han "CJK" families, their region suffixes, and the classic Chinese/Japanese family names
# (AR PL's fonts embed as ShanHeiSun, GBZenKai, BousungEG-Light-GB).
CJK_TOKENS = {"cjk", "sc", "tc", "hk", "jp", "kr", "gb", "big5", "song", "sung", "songti", "sungti", "hei",
              "heiti", "kai", "kaiti", "ming", "mingti", "mincho", "fang", "fangsong", "simsun", "simhei",
              "wqy"}
CJK_NAME_PARTS = ("big5", "simsun", "simhei", "sourcehan", "wenquanyi")
SNIPPET = 60  # characters of context shown around forbidden text

MISSING_RE = re.compile(r"Missing character: There is no (.+?)(?: \(U\+([0-9A-F]{4,6})\))? in font (.+?)!",
                        re.DOTALL)
OVERFULL_RE = re.compile(r"^Overfull \\([hv])box \((\d+(?:\.\d+)?)pt too (?:wide|high)\) ?(.*)$", re.MULTILINE)
FONT_OPTIONS_RE = re.compile(r"(?:/(?:OT|AAT|ICU|GR))?:[^\]]*$")


class PopplerMissing(RuntimeError):
    """pdfinfo, pdffonts or pdftotext is not on PATH."""


class PdfUnreadable(RuntimeError):
    """poppler could not read the PDF."""


@dataclass
class PdfReport:
    pdf: Path
    pages: int
    problems: list[str] = field(default_factory=list)
    """one line per problem; empty means the PDF passed"""
    fonts: list[str] = field(default_factory=list)
    """font names as pdffonts lists them, subset prefix removed"""

    @property
    def ok(self) -> bool:
        return not self.problems


def check_pdf(pdf_path, *, log_path=None, required_text=(), forbidden_text=DEFAULT_FORBIDDEN, max_pages=None,
              require_cjk_font=False, overfull_limit_pt=5.0, code_listing_marker=None,
              code_like=CODE_LIKE, check_contents=False, cjk_variant=None, check_references=None,
              check_breaks=False, main_text=None, max_main_pages=None) -> PdfReport:
    """Run every check on ``pdf_path`` (and its XeLaTeX ``log_path`` when given); see the module docstring."""
    pdf = Path(pdf_path)
    if isinstance(required_text, str) or isinstance(forbidden_text, str):
        raise TypeError("required_text and forbidden_text must be sequences of strings, not one string")
    if any(not text.strip() for text in (*required_text, *forbidden_text)):
        raise ValueError("required_text and forbidden_text must not contain empty or blank strings")
    if max_pages is not None and (not isinstance(max_pages, int) or max_pages < 1):
        raise ValueError(f"max_pages must be a positive integer or None, got {max_pages!r}")
    if overfull_limit_pt < 0:
        raise ValueError(f"overfull_limit_pt must be >= 0, got {overfull_limit_pt!r}")
    if not pdf.is_file():
        raise FileNotFoundError(f"no PDF at {pdf}: build it first")
    if log_path is not None and not Path(log_path).is_file():
        raise FileNotFoundError(f"no LaTeX log at {log_path}: pass the .log written by the build that made {pdf}")
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        raise PopplerMissing(f"{', '.join(missing)} not found on PATH: the PDF checks need poppler-utils; "
                             "install them with `sudo apt-get install poppler-utils`")

    pages = page_count(pdf)
    fonts = pdf_fonts(pdf)
    text_pages = page_texts(pdf, pages)
    problems = []
    if log_path is not None:
        problems += log_problems(Path(log_path).read_text(encoding="utf-8", errors="replace"), overfull_limit_pt)
    problems += [f"font not embedded: {name} ({kind})" for name, kind, embedded in fonts if not embedded]
    names = sorted({name for name, _, _ in fonts})
    if require_cjk_font and not any(is_cjk_font(name) for name in names):
        problems.append(f"no CJK font: none of the {len(names)} embedded fonts ({', '.join(names) or 'none'}) "
                        "is a CJK font such as Noto Serif CJK SC")
    problems += text_problems(text_pages, required_text, forbidden_text, code_listing_marker, code_like)
    if check_contents:
        problems += contents_problems(text_pages)
    if cjk_variant is not None:
        if log_path is None:
            problems.append(f"CJK variant: checking for {cjk_variant} needs the LaTeX log")
        else:
            problems += cjk_variant_problems(Path(log_path).read_text(encoding="utf-8", errors="replace"),
                                             cjk_variant, names)
    if check_references is not None:
        problems += reference_problems(text_pages, *check_references)
    if check_breaks:
        problems += break_problems(text_pages)
    if main_text is not None and max_main_pages is not None:
        problems += main_text_problems(text_pages, *main_text, max_main_pages)
    if max_pages is not None and pages > max_pages:
        problems.append(f"page count: {pages} pages, more than the limit of {max_pages}")
    return PdfReport(pdf=pdf, pages=pages, problems=problems, fonts=names)


def _run(command, pdf) -> str:
    done = subprocess.run([str(arg) for arg in command], capture_output=True, text=True, encoding="utf-8",
                          errors="replace")
    if done.returncode != 0:
        raise PdfUnreadable(f"{command[0]} could not read {pdf}: "
                            f"{done.stderr.strip() or f'exit status {done.returncode}'}")
    return done.stdout


def page_count(pdf) -> int:
    match = re.search(r"^Pages:\s+(\d+)", _run(["pdfinfo", pdf], pdf), re.MULTILINE)
    if match is None:
        raise PdfUnreadable(f"pdfinfo printed no page count for {pdf}")
    return int(match.group(1))


def pdf_fonts(pdf) -> list[tuple[str, str, bool]]:
    """(name, type, embedded) per font object. Columns are read from the right: a long name shifts the rest."""
    fonts = []
    for line in _run(["pdffonts", pdf], pdf).splitlines()[2:]:
        parts = line.split()
        if len(parts) < 7:
            continue
        name = re.sub(r"^[A-Z]{6}\+", "", parts[0])
        fonts.append((name, " ".join(parts[1:-6]), parts[-5] == "yes"))
    return fonts


def is_cjk_font(name) -> bool:
    tokens = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)
    return ("CJK" in name or any(part in name.lower() for part in CJK_NAME_PARTS)
            or any(token.lower() in CJK_TOKENS for token in tokens))


def page_texts(pdf, pages) -> list[str]:
    """The text of each page; pdftotext ends every page with a form feed."""
    return _run(["pdftotext", "-layout", "-enc", "UTF-8", pdf, "-"], pdf).split("\f")[:pages]


def log_problems(log: str, overfull_limit_pt: float) -> list[str]:
    """Missing glyphs (each character and font once, with a count), overfull boxes over the limit, errors."""
    problems = []
    missing = {}
    for match in MISSING_RE.finditer(log):
        char, code, font = match.group(1), match.group(2), match.group(3).replace("\n", "")
        key = (char, code or f"{ord(char[0]):04X}", FONT_OPTIONS_RE.sub("", font))
        line = log.count("\n", 0, match.start()) + 1
        count, first = missing.get(key, (0, line))
        missing[key] = (count + 1, first)
    for (char, code, font), (count, first) in missing.items():
        times = "once" if count == 1 else f"{count} times"
        problems.append(f"missing glyph: {char} (U+{code}) is not in font {font} ({times}, first at log line {first})")
    for match in OVERFULL_RE.finditer(log):
        kind, amount, where = match.group(1), float(match.group(2)), match.group(3).strip()
        if amount > overfull_limit_pt:
            problems.append(f"overfull \\{kind}box: {match.group(2)}pt too {'wide' if kind == 'h' else 'high'} "
                            f"(limit {overfull_limit_pt:g}pt) {where}".rstrip())
    for match in re.finditer(r"^! (.*)$", log, re.MULTILINE):
        line = log.count("\n", 0, match.start()) + 1
        problems.append(f"latex error: {match.group(1).strip()} (log line {line})")
    return problems


def _code_listing_start(pages, marker):
    """(page index, line index) of the first line that is the marker heading, or None."""
    heading = re.compile(r"(?:[A-Z0-9][0-9.]*\s+)?" + re.escape(_squash(marker)))
    for p, text in enumerate(pages):
        for i, line in enumerate(text.splitlines()):
            if heading.fullmatch(_squash(line)):
                return p, i
    return None


def text_problems(pages, required_text, forbidden_text, code_listing_marker=None, code_like=CODE_LIKE):
    problems = []
    # Required text is compared with all whitespace removed: a heading wrapped over two lines still matches, in
    # Chinese too (where a line break adds no space); a word hyphenated at a line end matches without the hyphen.
    whole = re.sub(r"\s+", "", "\n".join(pages))
    unhyphenated = re.sub(r"\s+", "", re.sub(r"-[ \t]*\n", "", "\n".join(pages)))
    for text in required_text:
        needle = re.sub(r"\s+", "", text)
        if needle not in whole and needle not in unhyphenated:
            problems.append(f"required text: {text!r} not found on any page")

    start = None
    if code_listing_marker is not None:
        start = _code_listing_start(pages, code_listing_marker)
        if start is None:
            problems.append(f"code listing: no line is the heading {code_listing_marker!r}, so no page is exempt "
                            "from the code-like forbidden strings")
    for p, text in enumerate(pages):
        lines = text.splitlines()
        for needle in forbidden_text:
            checked = lines
            if start is not None and needle in code_like and p >= start[0]:
                checked = lines[:start[1]] if p == start[0] else []
            page = _squash("\n".join(checked))
            at = page.find(_squash(needle))
            if at >= 0:
                left, right = max(0, at - SNIPPET // 2), at + len(needle) + SNIPPET // 2
                context = ("…" if left else "") + page[left:right] + ("…" if right < len(page) else "")
                problems.append(f"forbidden text: {needle!r} on page {p + 1}: {context}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cvae_lib.reporting.pdfcheck", description=__doc__.splitlines()[0])
    parser.add_argument("pdf", help="the PDF to check")
    parser.add_argument("--log", help="the XeLaTeX .log of the build that made the PDF")
    parser.add_argument("--max-pages", type=int, help="fail when the PDF has more pages")
    parser.add_argument("--require-cjk", action="store_true", help="fail unless a CJK font is embedded")
    parser.add_argument("--require", nargs="+", action="extend", default=[], metavar="TEXT",
                        help="text that must appear (whitespace-insensitive)")
    parser.add_argument("--code-listing", metavar="HEADING",
                        help="the heading from which code-like strings are allowed (see the module docstring)")
    parser.add_argument("--overfull-limit", type=float, default=5.0, help="overfull boxes allowed up to this many pt")
    parser.add_argument("--contents", action="store_true", help="check the contents' page numbers")
    parser.add_argument("--cjk-variant", metavar="REGION", help="fail unless every CJK font family is this variant (SC)")
    parser.add_argument("--references", nargs=2, metavar=("FIGURE", "TABLE"),
                        help="check that every figure and table is named in the text (e.g. Figure Table, or 图 表)")
    parser.add_argument("--breaks", action="store_true", help="fail on a value and its ± set on two lines")
    args = parser.parse_args(argv)
    try:
        report = check_pdf(args.pdf, log_path=args.log, required_text=args.require, max_pages=args.max_pages,
                           require_cjk_font=args.require_cjk, overfull_limit_pt=args.overfull_limit,
                           code_listing_marker=args.code_listing, check_contents=args.contents,
                           cjk_variant=args.cjk_variant, check_references=args.references, check_breaks=args.breaks)
    except (PopplerMissing, PdfUnreadable, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for problem in report.problems:
        print(problem)
    if report.problems:
        print(f"{report.pdf}: {len(report.problems)} problem(s) in {report.pages} pages")
        return 1
    print(f"ok: {report.pages} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
