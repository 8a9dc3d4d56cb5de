"""The report's pages: nbconvert export of an executed notebook (HTML, PDF), and report/index.html."""
import html
import numbers
import os
import time
from pathlib import Path

from ..training import runs


def markdown_table(data, headers=None, digits: int = 2) -> str:
    """A Markdown table (what exported pages show instead of reprs) of a mapping (one row per key), a DataFrame
    (its index as the first column) or a list of rows; floats rounded to ``digits``, integers with thousands
    separators."""
    import pandas as pd

    def cell(v):
        if isinstance(v, bool) or v is None:
            return "—" if v is None else str(v)
        if isinstance(v, numbers.Integral):
            return f"{v:,}"
        if isinstance(v, numbers.Real):
            return f"{v:g}" if 0 < abs(v) < 10 ** -digits else f"{v:,.{digits}f}"
        return str(v).replace("|", "\\|")
    if isinstance(data, pd.DataFrame):
        headers = headers or [str(data.index.name or ""), *map(str, data.columns)]
        rows = [[k, *r] for k, r in zip(data.index, data.itertuples(index=False))]
    elif isinstance(data, list):
        rows = data
        headers = headers or [""] * len(rows[0])
    else:
        headers = headers or ["", ""]
        rows = [[k, v] for k, v in data.items()]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def page_paths(out: Path, name: str, document: bool = False) -> dict:
    """Where a step's executed notebook and its pages live under the report folder: the report documents at its
    top (report.html, report.pdf, report.zh.*), the appendix pages in html/ (HTML only)."""
    if document:
        return {"ipynb": out / "notebooks" / f"{name}.ipynb", "html": out / f"{name}.html", "pdf": out / f"{name}.pdf"}
    return {"ipynb": out / "notebooks" / f"{name}.ipynb", "html": out / "html" / f"{name}.html"}


READER_HIDDEN_TAGS = {"remove-cell", "parameters", "injected-parameters"}


def reader_view(nb):
    """What a reader sees of an executed notebook: no code, no parameters cells, no stderr (warnings, progress bars)."""
    nb.cells = [c for c in nb.cells if not READER_HIDDEN_TAGS & set(c.get("metadata", {}).get("tags", []))]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    return nb


def export(notebook: Path, html_path: Path, title: str = "") -> None:
    """The HTML page of an executed notebook as a reader sees it (reader_view)."""
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config
    config = Config()
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    nb = reader_view(nbformat.read(notebook, as_version=4))
    nb.metadata["title"] = nb.metadata.get("title") or notebook.stem
    body, _ = HTMLExporter(config=config).from_notebook_node(
        nb, resources={"metadata": {"path": str(notebook.parent), "name": title or notebook.stem}})
    body = with_linked_stylesheet(body, Path(html_path).parent.parent / STYLESHEET, f"../{STYLESHEET}")
    runs.atomic_write_bytes(html_path, with_index_link(body, "../index.html").encode())


STYLESHEET = "notebook.css"
"""nbconvert's stylesheet, written once in the report folder and linked from every exported page"""


def with_linked_stylesheet(page: str, css_path: Path, href: str) -> str:
    """An exported page whose <style> blocks in <head> (nbconvert's: the same ~260 KB on every page) are moved into
    ``css_path`` and replaced by one <link> to ``href``; the file is rewritten only when its content changes."""
    import re
    head_end = page.find("</head>")
    if head_end < 0:
        return page
    head, rest = page[:head_end], page[head_end:]
    blocks = re.findall(r"<style[^>]*>(.*?)</style>", head, flags=re.S)
    if not blocks:
        return page
    css = "\n".join(b.strip("\n") for b in blocks) + "\n"
    css_path = Path(css_path)
    if not css_path.exists() or css_path.read_text(encoding="utf-8") != css:
        runs.atomic_write_bytes(css_path, css.encode())
    first = True

    def replace(_):
        nonlocal first
        out, first = (f'<link rel="stylesheet" href="{href}">' if first else ""), False
        return out
    return re.sub(r"<style[^>]*>.*?</style>\s*", replace, head, flags=re.S) + rest


def with_index_link(page: str, href: str) -> str:
    """An exported page with a link back to the report's index at the top of its body."""
    import re
    link = f'<p style="margin:1em 2em"><a href="{href}">← index</a></p>'
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + link, page, count=1)


TEMPLATES = Path(__file__).parent / "templates"


LATEX_MAX_RUNS = 5
"""XeLaTeX runs at most per PDF; two are usual for the contents, three when the contents change the page count"""


def export_document(notebook: Path, html_path: Path, pdf_path=None, metadata: dict = None, checks: dict = None) -> list:
    """The report document: HTML, and a PDF typeset by XeLaTeX with the cvae_latex template (run until the table
    of contents and the references are stable: a contents list that grows onto a second page moves every page
    after it, which a fixed two runs printed one page off). Its LaTeX log is kept beside the PDF (``.log``) and the PDF is checked as a reader
    would get it (pdfcheck, with ``checks`` as further check_pdf arguments, e.g. page limits); returns the problems
    found (empty: none)."""
    import shutil
    import subprocess
    import tempfile

    import nbformat
    from nbconvert import HTMLExporter, LatexExporter
    from traitlets.config import Config
    config = Config()
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    import datetime

    from .cjkfonts import region_fonts
    from .document import texts
    metadata = dict(metadata or {})
    words = texts(metadata.get("language", "en"))["words"]
    metadata.setdefault("date", words["date_line"].replace("{{date}}", datetime.date.today().isoformat())
                        .replace("{{commit}}", runs.git_commit()[:12]))
    nb = reader_view(nbformat.read(notebook, as_version=4))
    nb.metadata.update(metadata)
    body, _ = HTMLExporter(config=config).from_notebook_node(nb, resources={"metadata": {"name": metadata.get("title", "")}})
    body = with_index_link(with_linked_stylesheet(body, Path(html_path).parent / STYLESHEET, STYLESHEET), "index.html")
    runs.atomic_write_bytes(html_path, body.encode())
    if pdf_path is None:
        return []
    exporter = LatexExporter(config=config, template_name="cvae_latex", extra_template_basedirs=[str(TEMPLATES)])
    pdf_path = Path(pdf_path)
    zh = metadata.get("language") == "zh"  # the edition, as the caller names it (nb.metadata was updated from it)
    with tempfile.TemporaryDirectory() as build:
        build = Path(build)
        if zh:  # SC faces that the PDF names as SC (cjkfonts), read from fonts/
            nb.metadata["cjk_fonts"] = region_fonts(build / "fonts", "SC")
        tex, resources = exporter.from_notebook_node(nb)
        if zh:
            tex = cjk_quotes(tex)
        (build / "report.tex").write_text(tex, encoding="utf-8")
        for name, data in resources.get("outputs", {}).items():
            (build / name).write_bytes(data)
        env = {**os.environ, "TEXINPUTS": f"{html_path.parent.resolve()}//:{build}//:"}
        log = build / "report.log"
        previous = None
        for _ in range(LATEX_MAX_RUNS):  # until the contents, labels and page numbers they print stop moving
            done = subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", "report.tex"], cwd=build,
                                  env=env, capture_output=True, text=True, timeout=600)
            state = [(build / f"report.{ext}").read_bytes() if (build / f"report.{ext}").exists() else b""
                     for ext in ("aux", "toc")]
            if done.returncode != 0 or (state == previous and "Rerun to get" not in log.read_text(errors="replace")):
                break
            previous = state
        if done.returncode != 0 or not (build / "report.pdf").exists():
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else done.stdout[-3000:]
            raise RuntimeError(f"xelatex failed on {notebook.name}:\n{tail}")
        runs.atomic_write_bytes(pdf_path, (build / "report.pdf").read_bytes())
        shutil.copy2(log, pdf_path.with_suffix(".log"))
    from .pdfcheck import check_pdf
    return check_pdf(pdf_path, log_path=pdf_path.with_suffix(".log"), require_cjk_font=zh,
                     code_listing_marker=metadata.get("code_listing_marker"), check_contents=True,
                     cjk_variant="SC" if zh else None, check_breaks=True,
                     check_references=("图", "表") if zh else ("Figure", "Table"), **(checks or {})).problems


def cjk_quotes(tex: str) -> str:
    """pandoc writes the text's curly double quotes as TeX's ``...'' ligatures, which XeTeX sets in the Latin font with
    Latin spacing around them; the Chinese edition gets the characters back, so that xeCJK sets them as full-width
    CJK punctuation (the template's FullLeft and FullRight classes)."""
    return tex.replace("``", "\u201c").replace("''", "\u201d")


def write_index(out: Path, steps: list, command: str) -> Path:
    """report/index.html, the landing page: the report in both languages, its headline numbers (written by the
    English edition to figures/en/headline.json), thumbnails of the key figures, then every appendix page with
    its run's training and evaluation time and final test −ELBO, and each step's status."""
    e = html.escape
    headline_path = out / "figures" / "en" / "headline.json"
    headline = runs.read_json(headline_path) if headline_path.exists() else {}
    documents = [s for s in steps if s.document]
    docs = []
    for s in documents:
        o = page_paths(out, s.name, document=True)
        links = " · ".join(f'<a href="{e(os.path.relpath(o[k], out))}">{k.upper()}</a>' for k in ("html", "pdf")
                           if o[k].exists() and s.status in ("done", "skipped"))
        docs.append(f"<li>{e(s.title)}: {links or 'not built'}</li>")
    thumbs = "".join(f'<a href="figures/en/{n}.png"><img src="figures/en/{n}.png" alt="{e(alt)}" '
                     f'style="height:220px;margin:4px"></a>' for n, alt in THUMBNAILS
                     if (out / "figures" / "en" / f"{n}.png").exists())
    rows = []
    for s in steps:
        if s.document:
            continue
        o = page_paths(out, s.name)
        link = f'<a href="{e(os.path.relpath(o["html"], out))}">{e(s.title)}</a>' if o["html"].exists() \
            and s.status in ("done", "skipped") else e(s.title)
        run_dir = s.parameters.get("run_dir")
        summary_path = (runs.project_root() / "notebooks" / run_dir).resolve() / runs.SUMMARY if run_dir else None
        summary = runs.read_json(summary_path) if summary_path and summary_path.exists() else {}
        cells = [f"{summary['training_seconds']:,.0f} s" if "training_seconds" in summary else "",
                 f"{summary['evaluation_seconds']:,.0f} s" if summary.get("evaluation_seconds") else "",
                 f"{summary['test_total']:.2f}" if "test_total" in summary else ""]
        status = {"done": "✔", "skipped": "✔", "failed": "✘ FAILED",
                  "pending": "not built (an earlier step failed or was interrupted)"}[s.status]
        detail = f"<br><code>{e(s.error)}</code>" if s.error else ""
        rows.append(f"<tr><td>{link}</td>" + "".join(f"<td>{c}</td>" for c in cells) + f"<td>{status}{detail}</td></tr>")
    checks = [f"<li><code>{e(s.name)}</code>: {e(c)}</li>" for s in documents for c in s.checks]
    ok = all(s.status in ("done", "skipped") for s in steps)
    summary_text = e(headline.get("abstract", "")) if headline else "The English edition has not been built yet."
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Conditional VAEs on FashionMNIST</title>
<style>body{{font-family:sans-serif;max-width:62em;margin:2em auto;line-height:1.45}}td,th{{padding:.3em .8em;text-align:left}}
td:nth-child(2),td:nth-child(3),td:nth-child(4){{text-align:right}}.bad{{color:#b00;font-weight:bold}}</style></head><body>
<h1>Conditional VAEs on FashionMNIST</h1>
{'' if ok else '<p class="bad">This report is INCOMPLETE: a step failed or was interrupted. Pages of steps that did not finish are absent.</p>'}
<h2>The report</h2><ul>{''.join(docs)}</ul>
<p>{summary_text}</p>
<div>{thumbs}</div>
{('<h2>PDF checks</h2><ul class="bad">' + ''.join(checks) + '</ul>') if checks else ''}
<h2>Appendix pages</h2>
<p>Times were measured while each run trained or was evaluated, on whatever else the machine was doing; the
controlled measurements are on the speed page.</p>
<table><tr><th>page</th><th>training</th><th>evaluation</th><th>final test −ELBO (nats)</th><th>status</th></tr>
{chr(10).join(rows)}</table>
<p>Made with <code>{e(command)}</code> at commit <code>{runs.git_commit()}</code>, {time.strftime('%Y-%m-%d')}.</p>
</body></html>
"""
    path = out / "index.html"
    runs.atomic_write_bytes(path, page.encode())
    return path


THUMBNAILS = (("loss_curves", "loss curves of both architectures"),
              ("samples", "samples of the MLP and the convolutional model, one class per row"))
