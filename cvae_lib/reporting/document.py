"""The report as a document: headings, prose, figures and tables displayed from a notebook so that nbconvert
exports each as the reader should get it — HTML with linked figure files, LaTeX with numbered sections,
captions and booktabs tables — in English or Chinese.

Prose lives in cvae_lib/reporting/text/<language>.yaml as Markdown templates; ``{{name}}`` or ``{{name:format}}`` is
filled from computed values (never typed numbers). A figure is saved once, as a PNG under the report folder,
and both the HTML page and the PDF link to that file.
"""
import html
import numbers
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "zh")
PLACEHOLDER = re.compile(r"\{\{(\w+)(?::([^}]*))?\}\}")
TEXT_DIR = Path(__file__).parent / "text"
CJK_FONT = "Noto Sans CJK SC"


@lru_cache(maxsize=None)
def texts(language: str) -> dict:
    import yaml
    if language not in LANGUAGES:
        from ..base.config import ConfigError
        raise ConfigError(f"language must be one of {list(LANGUAGES)}, got {language!r}")
    return yaml.safe_load((TEXT_DIR / f"{language}.yaml").read_text(encoding="utf-8"))


def fill(template: str, values: dict) -> str:
    """``{{name}}`` / ``{{name:format}}`` replaced by ``values[name]`` (formatted; negative numbers with U+2212, the
    minus sign); a missing name is an error."""
    def one(match):
        name, spec = match.group(1), match.group(2) or ""
        if name not in values:
            raise KeyError(f"template needs {name!r}, which was not computed")
        value = values[name]
        text = format(value, spec)
        # a formatted negative number gets the typographic minus (U+2212), as the texts write it
        return "\u2212" + text[1:] if isinstance(value, numbers.Number) and text.startswith("-") else text
    return PLACEHOLDER.sub(one, template)


NO_BREAK = re.compile(r" (?:±|=|∼|/) |, I\)")
"""spaces in a table cell that LaTeX must not break at: around ±, =, ∼ and /, and inside N(0, I)"""
CJK_WORD = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,7}(?![\u4e00-\u9fff])")
"""a run of 2 to 7 Chinese characters in a table cell: kept on one line (xeCJK may break between any two)"""


def minus_signs(text: str) -> str:
    """A hyphen that stands for a minus sign (before a digit, not inside a word or a number) as U+2212."""
    return re.sub(r"(?<![\w.])-(?=\d)", "\u2212", text)


def byline(language: str, author: str = "", student_id: str = "", course: str = "") -> str:
    """The title page's line: name, student number and course, each followed by a blank to fill when not given."""
    words = texts(language)["words"]
    parts = [(words["byline_author"], author), (words["byline_student_id"], student_id),
             (words["byline_course"], course)]
    colon = "：" if language == "zh" else ": "
    return "   ".join(f"{label}{colon}{value or words['blank']}" for label, value in parts)


def latex_escape(text: str) -> str:
    from nbconvert.filters import escape_latex
    return escape_latex(str(text))


def use_language_fonts(language: str) -> None:
    """Matplotlib fonts that have every glyph the figures need (Greek, minus, CJK for Chinese labels)."""
    import matplotlib
    families = ["DejaVu Sans"] + ([CJK_FONT] if language == "zh" else [])
    matplotlib.rcParams["font.family"] = families
    matplotlib.rcParams["axes.unicode_minus"] = True


class IllegibleFigure(ValueError):
    """A figure whose text would print under 7 pt or whose labels overlap."""


class Document:
    """Numbered sections, figures and tables of one edition of the report, displayed as notebook outputs."""

    def __init__(self, language: str, figures_dir, html_root, values: dict = None):
        self.language = language
        self.t = texts(language)
        self.figures_dir = Path(figures_dir)
        self.html_root = Path(html_root)  # the folder of the exported HTML and LaTeX: figure links are relative to it
        self.values = dict(values or {})
        self.section, self.subsection, self.figure_count, self.table_count = 0, 0, 0, 0
        self.legibility = {}  # figure name -> problems in print (legibility.legibility_problems)
        self.in_pdf = True  # False inside html_only(): what is shown then is left out of the PDF
        self.left_out = ""  # the first numbered table or figure left out of the PDF
        use_language_fonts(language)

    @contextmanager
    def html_only(self):
        """Show what follows in the HTML edition only (e.g. links to the per-run pages, which a PDF reader does not
        have). LaTeX numbers tables and figures itself, so an HTML-only table or figure must come after the last one
        of the PDF: _number raises if the PDF gets one after one was left out."""
        self.in_pdf = False
        try:
            yield self
        finally:
            self.in_pdf = True

    def _number(self, kind: str) -> int:
        """The next number of ``kind`` ("table" or "figure"), the same in the HTML and in LaTeX's numbering."""
        if self.in_pdf and self.left_out:
            raise RuntimeError(f"a {kind} shown in the PDF after {self.left_out} left out of it: LaTeX would number it "
                               "differently from the HTML; move the html_only() block after the last one")
        if not self.in_pdf:
            self.left_out = self.left_out or f"the {kind} {getattr(self, kind + '_count') + 1}"
        setattr(self, kind + "_count", getattr(self, kind + "_count") + 1)
        return getattr(self, kind + "_count")

    def word(self, key: str, **values) -> str:
        """A short string of the language file (a label, a title), filled."""
        return fill(self.t["words"][key], {**self.values, **values})

    def text(self, key: str, **values) -> str:
        return fill(self.t["prose"][key], {**self.values, **values}).strip()

    def prose(self, key: str, **values) -> None:
        self.markdown(self.text(key, **values))

    def markdown(self, text: str) -> None:
        from IPython.display import Markdown, display
        if self.in_pdf:
            display(Markdown(text))
        else:  # LaTeX prefers text/latex to text/markdown, HTML the other way round
            display({"text/markdown": text, "text/latex": ""}, raw=True)

    def _show(self, html_text: str, latex: str) -> None:
        from IPython.display import display
        display({"text/html": html_text, "text/latex": latex if self.in_pdf else ""}, raw=True)

    def heading(self, title: str, level: int = 1, numbered: bool = True, toc: bool = True) -> None:
        """A section (level 1) or subsection heading; an unnumbered one enters the PDF's contents unless ``toc`` is
        False (the colophon's, which would cost the first page a line)."""
        if level == 1:
            self.section, self.subsection = self.section + numbered, 0
            number = f"{self.section} " if numbered else ""
        else:
            self.subsection += 1
            number = f"{self.section}.{self.subsection} " if numbered else ""
        anchor = f"sec-{self.section}" + (f"-{self.subsection}" if level > 1 else "")
        command = {1: "section", 2: "subsection"}[level] + ("" if numbered else "*")
        add_toc = "" if numbered or not toc else f"\\addcontentsline{{toc}}{{{command[:-1]}}}{{{latex_escape(title)}}}"
        self._show(f'<h{level + 1} id="{anchor}">{html.escape(number + title)}</h{level + 1}>',
                   f"\\{command}{{{latex_escape(title)}}}{add_toc}")

    def toc(self, entries: list, new_page: bool = True) -> None:
        """The table of contents: LaTeX builds its own; the HTML lists ``entries`` (numbered titles). ``new_page``:
        what follows starts a page (else call page_break after what the first page still holds)."""
        items = "".join(f'<li><a href="#sec-{i}">{html.escape(title)}</a></li>' for i, title in entries)
        self._show(f'<nav><b>{html.escape(self.word("contents"))}</b><ol style="list-style:none">{items}</ol></nav>',
                   "\\setcounter{tocdepth}{1}\\tableofcontents" + ("\\clearpage" if new_page else "\\bigskip"))  # sections only

    def page_break(self) -> None:
        """What follows starts a new page in the PDF, every float shown so far printed first (LaTeX's \\clearpage)."""
        self._show("", "\\clearpage")

    def figure(self, fig, name: str, caption: str, width: float = None, placement: str = "htbp") -> None:
        """Save ``fig`` as figures_dir/name.png and show it with a numbered caption, ``width`` of the text wide
        (None: as wide as the figure was built, plots' figures being built at print size). A figure that would be
        hard to read in print (legibility.legibility_problems) is saved, kept in ``legibility`` and refused with
        IllegibleFigure, so that no build ships it. ``placement``: LaTeX's float placement; "H" prints the figure
        where it stands (the last appendix's figures, so that the colophon after them stays last)."""
        path, width = self._saved(fig, name, width)
        self.figure_file(path, caption, width, placement)

    def _saved(self, fig, name: str, width: float = None) -> tuple:
        """``fig`` checked for legibility at ``width`` and saved as figures_dir/name.png: (path, width)."""
        import matplotlib.pyplot as plt
        from .legibility import legibility_problems, printed_width
        from .plots import save
        width = printed_width(fig) if width is None else width
        problems = legibility_problems(fig, width)
        self.legibility[name] = problems
        path = save(fig, self.figures_dir / f"{name}.png")
        plt.close(fig)
        if problems:
            more = f"; and {len(problems) - 6} more" if len(problems) > 6 else ""
            raise IllegibleFigure(f"figure {name!r} ({path}) is illegible printed at {width:g} of the text width: "
                                  + "; ".join(problems[:6]) + more + ". Build it at the size it is printed, with "
                                  "text of at least 7 pt (cvae_lib/reporting/plots.py), or print it wider.")
        return path, width

    def _figure_ref(self, path) -> tuple:
        """The next figure's number taken: (the image's path relative to the HTML, its label "Figure n")."""
        import os
        self._number("figure")
        rel = Path(os.path.relpath(Path(path).resolve(), self.html_root.resolve())).as_posix()
        return rel, self.word("figure", n=self.figure_count)

    @staticmethod
    def _figure_html(rel: str, label: str, caption: str, width: float) -> str:
        return (f'<figure style="margin:1em 0"><img src="{html.escape(rel)}" alt="{html.escape(caption)}" '
                f'style="max-width:{int(width * 100)}%"><figcaption><b>{html.escape(label)}</b> '
                f'{html.escape(caption)}</figcaption></figure>')

    def figure_file(self, path, caption: str, width: float = 0.95, placement: str = "htbp") -> None:
        """Show a saved figure (returns nothing, so that a notebook cell ending with it prints no repr)."""
        rel, label = self._figure_ref(path)
        self._show(
            self._figure_html(rel, label, caption, width),
            f"\\begin{{figure}}[{placement}]\\centering\\includegraphics[width={width}\\linewidth,height=0.8\\textheight,"
            f"keepaspectratio]{{{rel}}}\\caption{{{latex_escape(caption)}}}\\end{{figure}}")

    def table(self, rows: list, header: list, caption: str, align: str = None, note: str = "",
              size: str = "small", widths: list = None, colsep: float = None, banded: bool = False) -> None:
        """A numbered table: HTML, and a LaTeX tabularx as wide as the text whose columns all wrap (the first
        ragged right, the others right-aligned), set in the LaTeX font size ``size`` ("small", "footnotesize",
        "scriptsize"). ``widths``: the columns' relative widths (default: the first 1.8 times the others);
        ``colsep``: the space on each side of a cell in points (default LaTeX's 6), less for a table of many columns;
        ``banded``: every second row on a light grey band, for tables of wrapped text whose rows would otherwise run
        together (a band costs no height, unlike space between rows).
        A cell may be (text, href): a link in HTML, text in the PDF."""
        self._number("table")
        align = align or "X" + "r" * (len(header) - 1)
        if widths is not None:
            if len(widths) != len(align) or min(widths) <= 0:
                raise ValueError(f"widths must be {len(align)} positive numbers, got {widths}")
            shares = [w * len(align) / sum(widths) for w in widths]  # tabularx: the shares sum to the count
        else:
            first = 1.8 if len(align) > 2 else 1.0  # the label column gets a larger share
            shares = [first] + [(len(align) - first) / (len(align) - 1)] * (len(align) - 1) if len(align) > 1 else [1.0]
        columns = "".join(f">{{\\hsize={w:.3f}\\hsize\\{'raggedright' if a in 'Xl' else 'raggedleft'}\\arraybackslash}}X"
                          for a, w in zip(align, shares))
        label = self.word("table", n=self.table_count)

        rows = [[(minus_signs(c[0]), c[1]) if isinstance(c, tuple) else minus_signs(str(c)) for c in row] for row in rows]

        def cell_html(c):
            return f'<a href="{html.escape(c[1])}">{html.escape(c[0])}</a>' if isinstance(c, tuple) else html.escape(str(c))

        def cell_tex(c):
            text = latex_escape(c[0] if isinstance(c, tuple) else c)
            text = re.sub(r"(?<=[A-Za-z0-9])([-/]|\\_)(?=[A-Za-z0-9])", r"\1\\allowbreak{}", text)
            text = NO_BREAK.sub(lambda m: m.group(0).replace(" ", "~"), text)  # "a ± b", "τ = 0.7", "0.80 / 0.70" stay on one line
            return CJK_WORD.sub(lambda m: f"\\mbox{{{m.group(0)}}}", text)  # 条件准确率, never 条件准确 / 率
        head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{cell_html(c)}</td>" for c in row) + "</tr>" for row in rows)
        note_html = f"<p><small>{html.escape(note)}</small></p>" if note else ""
        band = r"\rowcolor{black!7}"
        latex_rows = "\n".join((band if banded and i % 2 else "") + " & ".join(cell_tex(c) for c in row) + r" \\"
                                for i, row in enumerate(rows))
        # justified, its last line flush left (the table's centring would centre the note's last line)
        note_tex = (f"\\par\\smallskip{{\\footnotesize\\leftskip=0pt\\rightskip=0pt\\parfillskip=0pt plus 1fil "
                    f"{latex_escape(note)}\\par}}") if note else ""
        self._show(
            f'<table class="report"><caption><b>{html.escape(label)}</b> {html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note_html}",
            f"\\begin{{table}}[htbp]\\centering\\{size}\\caption{{{latex_escape(caption)}}}"
            + (f"\\setlength{{\\tabcolsep}}{{{colsep:g}pt}}" if colsep is not None else "") +
            f"\\begin{{tabularx}}{{\\linewidth}}{{{columns}}}\\toprule\n"
            + " & ".join(f"\\textbf{{{cell_tex(h)}}}" for h in header) + r" \\ \midrule" + "\n"
            + latex_rows + "\n\\bottomrule\\end{tabularx}" + note_tex + "\\end{table}")

    def references(self, items: list) -> None:
        """The reference list: a bulleted list, set two sizes smaller than the text in the PDF (8 pt beside 10), in
        two columns, flush left (an entry's unbreakable arXiv number does not stretch its line) and without the space
        between paragraphs between its entries, as journals set it."""
        html_text = "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>"
        latex = ("{\\footnotesize\\raggedright\\setlength{\\parskip}{0pt}\\setlength{\\columnsep}{1.2em}\\setlength{\\leftmargini}{0.9em}\\setlength{\\premulticols}{2\\baselineskip}\\begin{multicols}{2}"
                 "\\begin{itemize}\\setlength{\\itemsep}{0pt}\\setlength{\\parsep}{0pt}"
                 + "".join(f"\\item {latex_escape(item)}" for item in items) + "\\end{itemize}\\end{multicols}}")
        self._show(html_text, latex)

    def listing(self, code: str, caption: str, pdf: bool = True, size: str = "footnotesize") -> None:
        """Source code, verbatim (the appendix's seed listing); ``pdf=False`` keeps it to the HTML edition; ``size``:
        the LaTeX font size it is set in (its longest line must fit the text width). In the PDF the lead-in and the
        code share one unbreakable box, so that a page break cannot part them."""
        latex = (f"\\par\\medskip\\noindent\\begin{{minipage}}{{\\linewidth}}{{\\bfseries {latex_escape(caption)}}}\\par\\smallskip"
                 f"\\begin{{Verbatim}}[fontsize=\\{size},baselinestretch=1]\n{code}\n"
                 "\\end{Verbatim}\n\\end{minipage}\\par") if pdf else ""
        self._show(f"<p><b>{html.escape(caption)}</b></p><pre>{html.escape(code)}</pre>", latex)

    def raggedright(self) -> None:
        """What follows is set flush left (LaTeX's \\raggedright): a paragraph with a long unbreakable command
        in it is not stretched across the line with wide gaps between its characters."""
        self._show("", "\\raggedright")

    def float_barrier(self) -> None:
        """Every figure and table shown so far is printed before what follows (placeins' \\FloatBarrier)."""
        self._show("", "\\FloatBarrier")
