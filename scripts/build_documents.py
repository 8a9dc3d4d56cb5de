"""Render the report documents (both editions, HTML and PDF) from the committed run folders, training and scoring
nothing: the documents' part of the pipeline, for when some runs are not in the repository yet.

    python scripts/build_documents.py [--languages en zh] [--author NAME --student-id ID --course NAME] [--no-pdf]

`python -m cvae_lib report` builds the same documents, but first trains and scores every run the report shows,
which on a CPU means hours for the VAE-GAN runs whose weights are still missing
(`python scripts/retrain_missing.py --list`). This script runs the pipeline's document steps with the extension
runs that have weights and leaves the others out: the tables, figures and the review section are computed from the
rest, and the review section names the runs it had to leave out. Each edition is checked as a reader gets it
(pdfcheck: contents, references, breaks inside table cells, fonts, page count) and the script fails on any problem.

It writes report/report.{html,pdf}, report/report.zh.{html,pdf}, the executed notebooks in report/notebooks/ and
the figures in report/figures/{en,zh}/ (emptied first, so that no figure of an earlier build is left behind).
"""
import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cvae_lib.base.config import Scale  # noqa: E402
from cvae_lib.reporting import report  # noqa: E402
from cvae_lib.reporting.pages import export_document, page_paths  # noqa: E402
from cvae_lib.reporting.pdfcheck import page_count  # noqa: E402
from cvae_lib.reporting.steps import NOTEBOOKS, _execute  # noqa: E402
from cvae_lib.training import runs  # noqa: E402

COMMAND = "python scripts/build_documents.py"
MAX_PAGES = 20  # the whole document, appendices included (issue 20)
MAX_MAIN_PAGES = 12  # from the first section to the conclusion


def document_steps(out: Path, languages: list, byline: dict) -> list:
    """The pipeline's document steps, without the extension runs that have no weights here."""
    steps = {s.name: s for s in report.plan(out, Scale(), byline)}
    chosen = []
    for language in languages:
        step = steps["report" if language == "en" else f"report.{language}"]
        dirs = step.parameters["extension_dirs"]
        step.parameters["extension_dirs"] = [d for d in dirs if (NOTEBOOKS / d / runs.MODEL).exists()]
        step.parameters["command"] = COMMAND
        step.left_out = [Path(d).name for d in dirs if d not in step.parameters["extension_dirs"]]
        chosen.append(step)
    return chosen


def build(step, out: Path, pdf: bool, log=print) -> list:
    """Execute one edition's notebook and export it; the problems pdfcheck finds (empty: none)."""
    figures = (NOTEBOOKS / step.parameters["figures_dir"]).resolve()
    if figures.is_relative_to(out.resolve()) and figures.exists():
        shutil.rmtree(figures)
    step.outputs = page_paths(out, step.name, document=True)
    t0 = time.perf_counter()
    _execute(step)
    limits = {"max_pages": MAX_PAGES, "main_text": main_text_markers(step.parameters["language"]),
              "max_main_pages": MAX_MAIN_PAGES}  # on top of the pipeline's own checks, in export_document
    problems = export_document(step.outputs["ipynb"], step.outputs["html"], step.outputs["pdf"] if pdf else None,
                               step.document, checks=limits)
    log(f"{step.name}: built in {time.perf_counter() - t0:.0f} s -> {step.outputs['html']}"
        + (f", {step.outputs['pdf']}: {page_count(step.outputs['pdf'])} pages" if pdf else "")
        + "".join(f"\n  problem: {p}" for p in problems))
    return problems


def main_text_markers(language: str) -> tuple:
    """Headings that open and close the main text: its first numbered section, and the references."""
    from cvae_lib.reporting.document import texts
    words = texts(language)["words"]
    return "1 " + words["s_setup"], words["s_references"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("report"), help="the report folder (default: report)")
    parser.add_argument("--languages", nargs="+", default=["en", "zh"], choices=["en", "zh"])
    parser.add_argument("--author", default="")
    parser.add_argument("--student-id", default="")
    parser.add_argument("--course", default="")
    parser.add_argument("--no-pdf", action="store_true", help="write HTML only")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    byline = {"author": args.author, "student_id": args.student_id, "course": args.course}
    problems = []
    for step in document_steps(out, args.languages, byline):
        if step.left_out:
            print(f"{step.name}: {len(step.left_out)} extension runs have no weights here and are left out: "
                  + ", ".join(step.left_out))
        problems += [f"{step.name}: {p}" for p in build(step, out, not args.no_pdf)]
    if problems:
        print(f"{len(problems)} problem(s) in the documents", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
