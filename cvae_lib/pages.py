"""The report's pages: nbconvert export of an executed notebook (HTML, PDF), and report/index.html."""
import html
import numbers
import os
import time
from pathlib import Path

from . import runs


def markdown_table(data, headers=None, digits: int = 2) -> str:
    """A Markdown table (what exported pages show instead of reprs) of a mapping (one row per key) or a DataFrame
    (its index as the first column); floats rounded to ``digits``, integers with thousands separators."""
    import pandas as pd

    def cell(v):
        if isinstance(v, bool) or v is None:
            return "—" if v is None else str(v)
        if isinstance(v, numbers.Integral):
            return f"{v:,}"
        if isinstance(v, numbers.Real):
            return f"{v:,.{digits}f}"
        return str(v).replace("|", "\\|")
    if isinstance(data, pd.DataFrame):
        headers = headers or [str(data.index.name or ""), *map(str, data.columns)]
        rows = [[k, *r] for k, r in zip(data.index, data.itertuples(index=False))]
    else:
        headers = headers or ["", ""]
        rows = [[k, v] for k, v in data.items()]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def page_paths(out: Path, name: str) -> dict:
    """Where a step's executed notebook and its HTML and PDF pages live under the report folder."""
    return {"ipynb": out / "notebooks" / f"{name}.ipynb", "html": out / "html" / f"{name}.html",
            "pdf": out / "pdf" / f"{name}.pdf"}


READER_HIDDEN_TAGS = {"remove-cell", "parameters", "injected-parameters"}


def reader_view(nb):
    """What a reader sees of an executed notebook: no code, no parameters cells, no stderr (warnings, progress bars)."""
    nb.cells = [c for c in nb.cells if not READER_HIDDEN_TAGS & set(c.get("metadata", {}).get("tags", []))]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    return nb


def export(notebook: Path, html_path: Path, pdf_path=None) -> None:
    """HTML (and PDF through LaTeX) of an executed notebook as a reader sees it (reader_view)."""
    import nbformat
    from nbconvert import HTMLExporter, PDFExporter
    from traitlets.config import Config
    config = Config()
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    nb = reader_view(nbformat.read(notebook, as_version=4))
    for path, exporter in ((html_path, HTMLExporter), (pdf_path, PDFExporter)):
        if path is None:
            continue
        exp = exporter(config=config)
        body, _ = exp.from_notebook_node(nb, resources={"metadata": {"path": str(notebook.parent)}})
        path.parent.mkdir(parents=True, exist_ok=True)
        runs.atomic_write_bytes(path, body if isinstance(body, bytes) else body.encode())


def write_index(out: Path, steps: list, command: str) -> Path:
    """report/index.html: a link to every page, each step's status, and how the report was made."""
    rows = []
    for s in steps:
        o = page_paths(out, s.name)
        links = " · ".join(f'<a href="{html.escape(os.path.relpath(o[k], out))}">{k.upper()}</a>'
                           for k in ("html", "pdf", "ipynb") if o[k].exists() and s.status in ("done", "skipped"))
        status = {"done": "✔ built", "skipped": "✔ up to date", "failed": "✘ FAILED",
                  "pending": "not built (an earlier step failed or was interrupted)"}[s.status]
        detail = f"<br><code>{html.escape(s.error)}</code>" if s.error else ""
        rows.append(f"<tr><td>{html.escape(s.title)}</td><td>{links or '—'}</td><td>{status}{detail}</td>"
                    f"<td>{s.seconds:.0f} s</td></tr>")
    ok = all(s.status in ("done", "skipped") for s in steps)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>CVAE report</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td,th{{padding:.3em .8em;text-align:left}}
.bad{{color:#b00;font-weight:bold}}</style></head><body>
<h1>Conditional VAEs on FashionMNIST</h1>
<p>{'' if ok else '<span class="bad">This report is INCOMPLETE: a step failed or was interrupted. '
                  'Pages of steps that did not finish are absent.</span>'}</p>
<table><tr><th>page</th><th>files</th><th>status</th><th>time</th></tr>
{chr(10).join(rows)}</table>
<p>Made with <code>{html.escape(command)}</code> at commit <code>{runs.git_commit()}</code>,
{time.strftime('%Y-%m-%d %H:%M %Z')}.</p></body></html>
"""
    path = out / "index.html"
    runs.atomic_write_bytes(path, page.encode())
    return path
