"""pdfcheck against small documents compiled with XeLaTeX, whose flaws are known from their source."""
import shutil
import subprocess
import sys

import pytest

from cvae_lib.reporting.pdfcheck import PdfUnreadable, PopplerMissing, check_pdf, main

POPPLER = ("pdfinfo", "pdffonts", "pdftotext")


def require_tools(*tools):
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (texlive-xetex, poppler-utils)")


def compile_tex(directory, name, source, *, fails=False):
    """(pdf, log) of one XeLaTeX run; skips when a font the document names is not installed."""
    require_tools("xelatex", *POPPLER)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.tex").write_text(source, encoding="utf-8")
    halt = [] if fails else ["-halt-on-error"]  # without it, nonstop mode writes a PDF after an error
    done = subprocess.run(["xelatex", "-interaction=nonstopmode", *halt, f"{name}.tex"], cwd=directory,
                          capture_output=True, text=True, errors="replace", timeout=120)
    log = (directory / f"{name}.log").read_text(encoding="utf-8", errors="replace")
    if done.returncode != 0 and "cannot be found" in log:
        pytest.skip(f"a font of {name}.tex is not installed: {log[log.index('! '):].splitlines()[0]}")
    assert (done.returncode != 0) == fails, log[-2000:]
    return directory / f"{name}.pdf", directory / f"{name}.log"


def line_of(source, text):
    """The 1-based source line holding text: what the log must cite."""
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


CLEAN = r"""\documentclass{article}
\usepackage{fontspec}
\setmainfont{DejaVu Serif}
\begin{document}
\section*{Conditional\\ variational autoencoders}
The loss is −ELBO = reconstruction + KL, with μ, σ and β → 0; an auto-\\encoder.
\end{document}
"""

CHINESE_BODY = r"""\begin{document}
CVAE 中文 中文
\end{document}
"""
WITH_XECJK = "\\documentclass{article}\n\\usepackage{xeCJK}\n\\setCJKmainfont{Noto Serif CJK SC}\n" + CHINESE_BODY
WITHOUT_XECJK = "\\documentclass{article}\n\\usepackage{fontspec}\n\\setmainfont{Latin Modern Roman}\n" + CHINESE_BODY

BOXES = r"""\documentclass{article}
\begin{document}
\noindent\hbox to 10pt{\rule{30pt}{1pt}}\par
\noindent\hbox to 10pt{\rule{12pt}{1pt}}\par
\vbox to 10pt{\hrule height 40pt width 1pt}
\noindent\parbox{1cm}{Supercalifragilisticexpialidocious}\par
\end{document}
"""

THREE_PAGES = r"""\documentclass{article}
\usepackage{fontspec}
\setmainfont{DejaVu Serif}
\setmonofont{DejaVu Sans Mono}
\begin{document}
Contents\par
A Code listing 3\par
Results are in the table.
\newpage
Traceback (most recent call last) was left here, and display(fig) too.
\newpage
\section*{Code listing}
\begin{verbatim}
from cvae_lib.base.config import TrainConfig
config = TrainConfig(epochs=1)
display(config)
\end{verbatim}
UserWarning: left in the listing. Broken �.
\end{document}
"""


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    root = tmp_path_factory.mktemp("pdfcheck")
    cache = {}

    def get(name, source, fails=False):
        if name not in cache:
            cache[name] = compile_tex(root / name, name, source, fails=fails)
        return cache[name]
    return get


def test_clean_page_passes_every_check(build):
    pdf, log = build("clean", CLEAN)
    wrapped = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Conditional variational" not in " ".join(wrapped.split(" "))  # the heading really is on two lines
    report = check_pdf(pdf, log_path=log, required_text=["Conditional variational autoencoders", "μ, σ and β", "autoencoder"],
                       max_pages=1)
    assert report.problems == [] and report.ok and report.pages == 1
    assert any("DejaVuSerif" in name for name in report.fonts)


def test_missing_required_text_is_named(build):
    pdf, log = build("clean", CLEAN)
    assert check_pdf(pdf, required_text=["Wasserstein"]).problems == [
        "required text: 'Wasserstein' not found on any page"]


def test_glyph_missing_from_the_font_is_named_with_its_font(build):
    pdf, log = build("no-xecjk", WITHOUT_XECJK)
    problems = check_pdf(pdf, log_path=log).problems
    glyphs = [p for p in problems if p.startswith("missing glyph:")]
    assert len(glyphs) == 2, problems
    assert glyphs[0].startswith("missing glyph: 中 (U+4E2D) is not in font Latin Modern Roman 10 Regular (2 times")
    assert glyphs[1].startswith("missing glyph: 文 (U+6587) is not in font Latin Modern Roman 10 Regular (2 times")
    # in the PDF, XeTeX's placeholder for each lost character reads as U+FFFD
    assert check_pdf(pdf).problems == ["forbidden text: '\ufffd' on page 1: CVAE �� �� 1"]


def test_chinese_needs_xecjk_and_a_cjk_font(build):
    pdf, log = build("xecjk", WITH_XECJK)
    report = check_pdf(pdf, log_path=log, require_cjk_font=True, required_text=["中文 中文"])
    assert report.problems == [], report.problems
    assert any("NotoSerifCJK" in name for name in report.fonts)

    pdf, log = build("no-xecjk", WITHOUT_XECJK)
    problems = check_pdf(pdf, require_cjk_font=True, required_text=["中文"]).problems
    assert problems[0].startswith("no CJK font: none of the 1 embedded fonts (LMRoman10-Regular")
    assert problems[1] == "required text: '中文' not found on any page"


def test_overfull_boxes_over_the_limit_are_reported_with_their_lines(build):
    pdf, log = build("boxes", BOXES)
    problems = check_pdf(pdf, log_path=log).problems
    hbox, vbox, par = (line_of(BOXES, text) for text in ("30pt", "40pt", "parbox"))
    assert problems[:2] == [f"overfull \\hbox: 20.0pt too wide (limit 5pt) detected at line {hbox}",
                            f"overfull \\vbox: 30.0pt too high (limit 5pt) detected at line {vbox}"]
    assert len(problems) == 3 and problems[2].endswith(f"in paragraph at lines {par}--{par}"), problems
    assert "2.0pt too wide" in check_pdf(pdf, log_path=log, overfull_limit_pt=1).problems[1]


def test_latex_error_is_reported_though_a_pdf_was_written(build):
    source = "\\documentclass{article}\n\\begin{document}\nText \\undefinedmacro\n\\end{document}\n"
    pdf, log = build("error", source, fails=True)
    problems = check_pdf(pdf, log_path=log).problems
    assert len(problems) == 1 and problems[0].startswith("latex error: Undefined control sequence. (log line ")


def test_unreadable_pdf_is_an_error(tmp_path):
    require_tools(*POPPLER)
    (tmp_path / "x.pdf").write_text("not a PDF")
    with pytest.raises(PdfUnreadable, match="pdfinfo could not read"):
        check_pdf(tmp_path / "x.pdf")
    assert main([str(tmp_path / "x.pdf")]) == 2


def test_forbidden_text_is_reported_with_its_page(build):
    pdf, _ = build("three-pages", THREE_PAGES)
    found = {(p.split("'")[1], p.split(" on page ")[1].split(":")[0]) for p in check_pdf(pdf).problems}
    assert found == {("Traceback", "2"), ("display(", "2"), ("from cvae_lib", "3"), ("TrainConfig(", "3"),
                     ("display(", "3"), ("Warning", "3"), ("\ufffd", "3")}


def test_code_listing_exempts_code_but_not_tracebacks_or_warnings(build):
    pdf, _ = build("three-pages", THREE_PAGES)
    problems = check_pdf(pdf, code_listing_marker="Code listing").problems
    found = {(p.split("'")[1], p.split(" on page ")[1].split(":")[0]) for p in problems}
    # the contents line "A Code listing 3" on page 1 is not the heading, so page 2 stays checked
    assert found == {("Traceback", "2"), ("display(", "2"), ("Warning", "3"), ("\ufffd", "3")}
    assert problems[0].startswith("forbidden text: 'Traceback' on page 2: Traceback (most recent call last)")

    problems = check_pdf(pdf, code_listing_marker="Appendix Z").problems
    assert problems[0].startswith("code listing: no line is the heading 'Appendix Z'") and len(problems) == 8


def test_page_limit(build):
    pdf, _ = build("three-pages", THREE_PAGES)
    assert check_pdf(pdf, forbidden_text=(), max_pages=3).problems == []
    assert check_pdf(pdf, forbidden_text=(), max_pages=2).problems == ["page count: 3 pages, more than the limit of 2"]


def minimal_pdf(path):
    """A one-page PDF that uses Helvetica without embedding it (xelatex always embeds)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R"
               b" /Resources << /Font << /F1 5 0 R >> >> >>"]
    stream = b"BT /F1 12 Tf 20 100 Td (Hello) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def test_font_not_embedded(tmp_path):
    require_tools(*POPPLER)
    report = check_pdf(minimal_pdf(tmp_path / "helvetica.pdf"), required_text=["Hello"])
    assert report.problems == ["font not embedded: Helvetica (Type 1)"] and report.pages == 1


def test_missing_poppler_says_how_to_install(tmp_path, monkeypatch):
    pdf = minimal_pdf(tmp_path / "x.pdf")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PopplerMissing, match="sudo apt-get install poppler-utils"):
        check_pdf(pdf)


def test_arguments_are_validated_before_any_work(tmp_path):
    with pytest.raises(FileNotFoundError, match="no PDF at"):
        check_pdf(tmp_path / "absent.pdf")
    with pytest.raises(ValueError, match="max_pages must be a positive integer or None, got 0"):
        check_pdf(tmp_path / "absent.pdf", max_pages=0)


def test_command_line(build, capsys):
    pdf, log = build("clean", CLEAN)
    assert main([str(pdf), "--log", str(log), "--max-pages", "1", "--require", "variational autoencoders"]) == 0
    assert capsys.readouterr().out == "ok: 1 pages\n"

    pdf, log = build("no-xecjk", WITHOUT_XECJK)
    done = subprocess.run([sys.executable, "-m", "cvae_lib.reporting.pdfcheck", str(pdf), "--log", str(log), "--require-cjk"],
                          capture_output=True, text=True)
    lines = done.stdout.splitlines()
    assert done.returncode == 1 and len(lines) == 5
    assert lines[0].startswith("missing glyph: 中") and lines[2].startswith("no CJK font")
    assert lines[3].startswith("forbidden text: '\ufffd' on page 1") and lines[4].endswith("4 problem(s) in 1 pages")


LONG_CONTENTS = "\\documentclass{article}\n\\usepackage{fontspec}\n\\setmainfont{DejaVu Serif}\n\\begin{document}\n" \
    "\\tableofcontents\n" + "".join(f"\\section{{Part {i}}}\nText of part {i}.\n\\newpage\n" for i in range(1, 61)) + \
    "\\end{document}\n"


def test_contents_that_grow_onto_a_second_page_are_one_page_off_until_latex_runs_again(tmp_path):
    from cvae_lib.reporting.layoutcheck import contents_entries, contents_problems
    from cvae_lib.reporting.pdfcheck import page_count, page_texts
    pdf, _ = compile_tex(tmp_path, "toc", LONG_CONTENTS)
    for _ in range(1):  # two runs in all: the contents print the page numbers of a run without contents
        subprocess.run(["xelatex", "-interaction=nonstopmode", "toc.tex"], cwd=tmp_path, capture_output=True, timeout=120)
    pages = page_texts(pdf, page_count(pdf))
    assert len(contents_entries(pages)) == 60
    problems = contents_problems(pages)
    assert problems and all("is listed on page" in p for p in problems)
    subprocess.run(["xelatex", "-interaction=nonstopmode", "toc.tex"], cwd=tmp_path, capture_output=True, timeout=120)
    assert contents_problems(page_texts(pdf, page_count(pdf))) == []
    assert check_pdf(pdf, check_contents=True).ok


def test_the_cjk_variant_is_checked_in_the_log_and_in_the_embedded_font_names(tmp_path):
    from cvae_lib.reporting.cjkfonts import region_fonts
    from cvae_lib.reporting.layoutcheck import cjk_variant_problems
    # the SC family from Debian's collection: the log says SC, but the PDF embeds the shared CFF named ...CJKjp
    pdf, log = compile_tex(tmp_path / "family", "sc", WITH_XECJK)
    problems = check_pdf(pdf, log_path=log, cjk_variant="SC").problems
    assert problems == ["CJK variant: the PDF embeds NotoSerifCJKjp-Regular-Identity-H, which names another region "
                        "than SC"], problems
    # the SC face as a file renamed to match (what the report's template loads): nothing to report
    files = region_fonts(tmp_path / "files" / "fonts", "SC")
    assert files["main"] == "NotoSerifCJKsc-Regular.otf"
    pdf, log = compile_tex(tmp_path / "files", "sc", WITH_XECJK.replace(
        "{Noto Serif CJK SC}", f"{{{files['main']}}}[Path=fonts/,BoldFont={files['main_bold']}]"))
    report = check_pdf(pdf, log_path=log, cjk_variant="SC", require_cjk_font=True, required_text=["中文 中文"])
    assert report.ok, report.problems
    assert any(name.startswith("NotoSerifCJKsc-Regular") for name in report.fonts), report.fonts
    _, jp_log = compile_tex(tmp_path / "jp", "jp", WITH_XECJK.replace("CJK SC", "CJK JP"))
    assert any("NotoSerifCJKJP is not the SC variant" in p for p in cjk_variant_problems(jp_log.read_text(), "SC"))
    assert cjk_variant_problems("no fonts here", "SC") == ["CJK variant: the log names no CJK font family "
                                                           "(wanted the SC variant)"]
    assert "needs the LaTeX log" in check_pdf(pdf, cjk_variant="SC").problems[0]


def test_unreferenced_figures_and_tables_and_values_split_from_their_uncertainty():
    from cvae_lib.reporting.layoutcheck import break_problems, reference_problems
    pages = ["Figure 1: the loss.\nAs Figures 1 and 3 show, and Table 2.\n", "Figure 2: samples.\nFigure 3: more.\n"
             "Table 1: sizes.\nTable 2: bounds.\nFigures 4–5 and Figure 6 too.\nFigure 4: a\nFigure 5: b\nFigure 6: c\n"]
    assert reference_problems(pages, "Figure", "Table") == ["unreferenced: Figure 2 is never named in the text",
                                                            "unreferenced: Table 1 is never named in the text"]
    assert reference_problems(["图 1：损失。\n如图 1 所示。\n表 1：大小。\n"], "图", "表") == [
        "unreferenced: 表 1 is never named in the text"]
    assert break_problems(["mlp     -1154.58 ±     0.5\n           3.19\n", "fine 1.0 ± 0.2\n", "± 3.19   x\n"]) == [
        "broken pair: '-1154.58 ±' on page 1: a value and its ± set apart",
        "broken pair: '± 3.19' on page 3: a value and its ± set apart"]


def test_main_text_is_measured_from_its_first_heading_to_the_references():
    from cvae_lib.reporting.layoutcheck import main_text_problems
    pages = ["Contents\n1 Setup       2\nReferences    4\n", "1   Setup\ntext\n", "2 Results\n", "more\nReferences\n",
             "Appendix A\n"]
    assert main_text_problems(pages, "1 Setup", "References", 3) == []  # pp. 2-4; the contents lines do not count
    assert main_text_problems(pages, "1 Setup", "References", 2) == [
        "main text: 3 pages (pp. 2–4, '1 Setup' to 'References'), more than the limit of 2"]
    assert main_text_problems(pages[:3], "1 Setup", "References", 9) == [
        "main text: no line is the heading 'References', so its length cannot be measured"]
    # references that open a page of their own: the main text ended on the page before
    top = pages[:3] + ["\n  References\nBurda et al.\n"]
    assert main_text_problems(top, "1 Setup", "References", 2) == []
    assert main_text_problems(top, "1 Setup", "References", 1) == [
        "main text: 2 pages (pp. 2–3, '1 Setup' to 'References'), more than the limit of 1"]
