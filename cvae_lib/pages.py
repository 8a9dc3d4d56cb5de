"""The report's pages: nbconvert export of an executed notebook (HTML, PDF), and report/index.html."""
import html
import os
import time
from pathlib import Path

from . import runs


def page_paths(out: Path, name: str) -> dict:
    """Where a step's executed notebook and its HTML and PDF pages live under the report folder."""
    return {"ipynb": out / "notebooks" / f"{name}.ipynb", "html": out / "html" / f"{name}.html",
            "pdf": out / "pdf" / f"{name}.pdf"}


def export(notebook: Path, html_path: Path, pdf_path=None) -> None:
    """HTML (and PDF through LaTeX) of an executed notebook; cells tagged hide-input show outputs only."""
    import nbformat
    from nbconvert import HTMLExporter, PDFExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config
    config = Config()
    config.TagRemovePreprocessor.remove_input_tags = {"hide-input"}
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
    config.TagRemovePreprocessor.enabled = True
    nb = nbformat.read(notebook, as_version=4)
    for path, exporter in ((html_path, HTMLExporter), (pdf_path, PDFExporter)):
        if path is None:
            continue
        exp = exporter(config=config)
        exp.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
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
