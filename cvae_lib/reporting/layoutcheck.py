"""Typesetting checks on a PDF's text (pdftotext -layout, one string per page) and on its LaTeX log, used by
pdfcheck: contents entries against the printed page numbers, CJK font variant, figures and tables named in the
text, values split from their ± (the module docstring of pdfcheck describes each problem line).
"""
import re


def _squash(text: str) -> str:
    return " ".join(text.split())


CONTENTS_HEADINGS = ("Contents", "目录")
ENTRY_RE = re.compile(r"^\s*(?P<title>\S.*?)(?:\s*\.(?:\s*\.)+\s*|\s{4,})(?P<page>\d+)\s*$")
"""a contents line: a title, dot leaders or a wide gap, a page number (running text ending in a number has neither)"""


def printed_number(text: str):
    """The page number printed at the foot of a page (its last non-empty line, when that is a number)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return int(lines[-1]) if lines and lines[-1].isdigit() else None


def _is_contents_page(text: str) -> bool:
    lines = text.splitlines()
    return any(_squash(line) in CONTENTS_HEADINGS for line in lines) or sum(bool(ENTRY_RE.match(x)) for x in lines) >= 5


def contents_entries(pages) -> list:
    """(title, page number) of each table-of-contents line: the lines of the contents pages (the page with the
    contents heading and the pages after it that are mostly entries) that end in a page number, the page's own
    printed number at its foot excepted."""
    start = next((p for p, text in enumerate(pages) if any(_squash(x) in CONTENTS_HEADINGS for x in text.splitlines())),
                 None)
    if start is None:
        return []
    entries, p = [], start
    while p < len(pages) and (p == start or _is_contents_page(pages[p]) or _continues_contents(pages[p])):
        lines = [line for line in pages[p].splitlines() if line.strip()]
        if p == start:
            lines = lines[next(i for i, x in enumerate(lines) if _squash(x) in CONTENTS_HEADINGS) + 1:]
        if lines and printed_number(pages[p]) is not None:
            lines = lines[:-1]  # the page number at the foot
        entries += [(_squash(m.group("title")), int(m.group("page"))) for m in map(ENTRY_RE.match, lines) if m]
        p += 1
    return entries


def _continues_contents(text: str) -> bool:
    """A page that starts with contents entries (a contents list that ran over the page break)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and bool(ENTRY_RE.match(lines[0]))


def contents_problems(pages) -> list:
    """Each contents entry whose heading (a line that is exactly its title) starts on a page printed with another
    number than the entry's."""
    problems = []
    for title, page in contents_entries(pages):
        where = next((p for p, text in enumerate(pages) if any(_squash(line) == title for line in text.splitlines())),
                     None)  # a contents line ends in its page number, so only the heading itself is equal
        if where is None:
            problems.append(f"contents: the heading {title!r} (listed on page {page}) is on no page as a line of its own")
            continue
        printed = printed_number(pages[where]) or where + 1
        if printed != page:
            problems.append(f"contents: {title!r} is listed on page {page} but printed on page {printed}")
    return problems


FAMILY_RE = re.compile(r"Font family '([^']+?)\(\d+\)' created for\s*(?:\(fontspec\)\s*)?font")


def _is_variant(name: str, variant: str) -> bool:
    return name.upper().endswith("CJK" + variant.upper()) or bool(re.search(rf"CJK{variant}\b", name, re.IGNORECASE))


def cjk_variant_problems(log: str, variant: str, embedded=()) -> list:
    """fontspec families of CJK fonts (names with "CJK") whose region suffix is not ``variant``, and embedded
    CJK fonts (``embedded``: names as pdffonts lists them) that a reader would see named for another region."""
    families = sorted({m.group(1) for m in FAMILY_RE.finditer(log.replace("\n", "")) if "CJK" in m.group(1)})
    problems = [f"CJK variant: font family {f} is not the {variant} variant" for f in families
                if not _is_variant(f, variant)]
    problems += [f"CJK variant: the PDF embeds {name}, which names another region than {variant}"
                 for name in sorted(set(embedded)) if "CJK" in name and not _is_variant(name, variant)]
    if not families:
        problems.append(f"CJK variant: the log names no CJK font family (wanted the {variant} variant)")
    return problems


def reference_problems(pages, figure_word: str, table_word: str) -> list:
    """Figures and tables whose captions are printed ("Figure 3:", 图 3：) but whose number the text, captions left
    out, names nowhere ("Figure 3", "Figures 2 and 3", "Figures 2–5", 图 3)."""
    text = "\n".join(pages)
    problems = []
    for word in (figure_word, table_word):
        caption = re.compile(rf"^\s*{re.escape(word)}\s*(\d+)\s*[:：.]", re.MULTILINE)
        body = caption.sub("", text)
        for n in sorted({int(n) for n in caption.findall(text)}):
            if not _names(body, word, n):
                problems.append(f"unreferenced: {word} {n} is never named in the text")
    return problems


def _names(body: str, word: str, n: int) -> bool:
    """Whether the text names figure/table n: "Figure 3", "Figures 2 and 3", "Figures 2–5", 图 3."""
    for m in re.finditer(rf"{re.escape(word)}s?\s*((?:\d+\s*(?:[–-]|,|and|和|、|与)?\s*)+)", body):
        numbers = m.group(1)
        for a, b in re.findall(r"(\d+)\s*[–-]\s*(\d+)", numbers):
            if int(a) <= n <= int(b):
                return True
        if n in {int(x) for x in re.findall(r"\d+", numbers)}:
            return True
    return False


def break_problems(pages) -> list:
    """Lines that end or begin with ±: a number and its uncertainty set on two lines."""
    problems = []
    for p, text in enumerate(pages):
        for line in text.splitlines():
            for cell in re.split(r"\s{3,}", line.strip()):
                if cell.endswith("±") or cell.startswith("±"):
                    problems.append(f"broken pair: {cell!r} on page {p + 1}: a value and its ± set apart")
    return problems


def heading_page(pages, heading: str, after: int = 0):
    """Index of the first page from ``after`` on with a line that is ``heading`` (spaces ignored; a
    table-of-contents line, which ends with a page number, does not match), or None."""
    wanted = "".join(heading.split())
    for p in range(after, len(pages)):
        if any("".join(line.split()) == wanted for line in pages[p].splitlines()):
            return p
    return None


def main_text_problems(pages, start: str, end: str, limit: int) -> list[str]:
    """The main text, from the page of the heading ``start`` to the page where the heading ``end`` begins
    (both counted; when ``end`` is the first line of its page, the main text ended on the page before), longer
    than ``limit`` pages; or either heading missing."""
    first = heading_page(pages, start)
    last = heading_page(pages, end, first) if first is not None else None
    if first is None or last is None:
        missing = start if first is None else end
        return [f"main text: no line is the heading {missing!r}, so its length cannot be measured"]
    lines = [line for line in pages[last].splitlines() if line.strip()]
    if last > first and "".join(lines[0].split()) == "".join(end.split()):  # nothing of the main text on it
        last -= 1
    length = last - first + 1
    if length > limit:
        return [f"main text: {length} pages (pp. {first + 1}–{last + 1}, {start!r} to {end!r}), more than the "
                f"limit of {limit}"]
    return []
