"""Pipeline steps: one notebook executed by papermill and exported by nbconvert, with a key and a stamp.

A step's key is made of its inputs (keys.step_inputs): the notebook, its parameters, the source of the
cvae_lib modules it imports, the PDF switch and the result files it shows (``files``, ``run_dirs``). The
stamp of a successful step keeps those inputs as they were after it ran; a step whose inputs still match
is current and skipped, and one whose inputs moved says which (``stale_reason``). Results that cost more
than a page -- trained weights, metrics, sampler scores -- are cached in their run folders on versions of
their code, not here (keys.py says why), so re-executing a page reuses them. When a step runs, its old
pages are deleted first, so a failed or interrupted step never leaves a stale page that looks new.
``execute_all`` runs steps here, in parallel processes, or on a Dask cluster. Used by report.py (the report
and sweeps); imports nothing of it.
"""
import concurrent.futures
import json
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import keys
from ..base.fileio import write_json
from .pages import export, export_document, page_paths
from ..training.runs import project_root

ROOT = project_root()
NOTEBOOKS = ROOT / "notebooks"


class StepFailed(RuntimeError):
    """A notebook raised; the message names the notebook, the cell and the error."""


@dataclass
class Step:
    name: str
    notebook: str
    parameters: dict
    title: str
    files: list = field(default_factory=list)  # files besides run folders whose content the page shows
    run_dirs: list = field(default_factory=list)  # run folders whose results it shows
    run_files: tuple = keys.RUN_RESULT_FILES  # which files of those folders (keys.PAGE_RUN_FILES for a run's page)
    work: list = field(default_factory=list)  # cached results it computes when missing (schedule.tasks_of)
    writes: list = field(default_factory=list)  # files it rewrites every time it runs (e.g. measured timings)
    pdf: bool = False  # also export a PDF (the report documents); the other pages are HTML only
    document: dict = field(default_factory=dict)  # for the report documents: title page metadata (pages.export_document)
    checks: list = field(default_factory=list)  # problems the PDF check found (empty: none)
    key: str = ""
    inputs: dict = field(default_factory=dict)  # keys.step_inputs, as of the last refresh_key
    pdf_on: bool = False  # whether this build exports PDFs (part of the documents' inputs)
    worked: bool = False  # whether its last execution computed cached results (training, metrics), not just pages
    status: str = "pending"
    seconds: float = 0.0
    error: str = ""
    outputs: dict = field(default_factory=dict)


    def outputs_hint(self, out: Path) -> Path:
        """Where this step's HTML page will be (known before its key is assigned)."""
        return page_paths(out, self.name, document=bool(self.document))["html"]


def refresh_key(step: Step) -> None:
    """(Re)compute the step's inputs and key from the files as they are now."""
    extra = {"pdf": step.pdf_on} if step.pdf else {}
    step.inputs = keys.step_inputs(NOTEBOOKS / step.notebook, step.parameters, step.files, step.run_dirs, ROOT, extra,
                                   step.run_files)
    step.key = keys.key_of(step.inputs)


def assign_keys(steps: list, out: Path, pdf: bool) -> None:
    """Each step's output paths, and its key from its inputs as they are now (refresh_key)."""
    for step in steps:
        step.outputs, step.pdf_on = page_paths(out, step.name, document=bool(step.document)), pdf
        refresh_key(step)


def stale_reason(step: Step, out: Path) -> str:
    """Why the step must run ("" when it is current): no stamp, a page missing, or the inputs that changed."""
    stamp = out / ".stamps" / f"{step.name}.json"
    if not stamp.exists():
        return "never built here (no stamp)"
    missing = [p for k, p in step.outputs.items() if k != "ipynb" and not p.exists() and (k != "pdf" or step.pdf_on)]
    if missing:
        return f"{os.path.relpath(missing[0], out.parent)} is missing"
    saved = json.loads(stamp.read_text())
    if "inputs" not in saved:
        return "stamp from an earlier pipeline (inputs not recorded)"
    moved = keys.changed(saved["inputs"], step.inputs)
    if not moved:
        return ""
    shown = ", ".join(moved[:3]) + (f" and {len(moved) - 3} more" if len(moved) > 3 else "")
    return f"changed: {shown}"


def is_current(step: Step, out: Path) -> bool:
    if stale_reason(step, out):
        return False
    saved = json.loads((out / ".stamps" / f"{step.name}.json").read_text())
    step.status, step.seconds, step.checks = "skipped", saved["seconds"], saved.get("checks", [])
    return True


def invalidate(steps: list, out: Path) -> None:
    """Delete the stamps and pages of these steps, so none of them can be mistaken for a current page."""
    for step in steps:
        (out / ".stamps" / f"{step.name}.json").unlink(missing_ok=True)
        for path in page_paths(out, step.name, document=bool(step.document)).values():
            path.unlink(missing_ok=True)


def execute_step(step: Step, out: Path, pdf: bool) -> dict:
    """Execute one notebook with papermill, export it, stamp it. Runs here or on a Dask worker."""
    t0 = time.perf_counter()
    invalidate([step], out)
    try:
        _execute(step)
        if step.document:
            checks = export_document(step.outputs["ipynb"], step.outputs["html"],
                                     step.outputs["pdf"] if pdf and step.pdf else None, step.document)
        else:
            checks = []
            export(step.outputs["ipynb"], step.outputs["html"], step.title)
    except Exception as e:  # reported to the caller, which decides whether to stop
        return {"name": step.name, "status": "failed", "seconds": time.perf_counter() - t0,
                "error": step.error or f"{type(e).__name__}: {e}", "pid": os.getpid()}
    seconds = time.perf_counter() - t0
    refresh_key(step)  # the inputs as this run left them (its own run folder's results among them)
    write_json(out / ".stamps" / f"{step.name}.json",
               {"key": step.key, "seconds": seconds, "parameters": step.parameters, "checks": checks,
                "worked": step.worked, "inputs": step.inputs})
    return {"name": step.name, "status": "done", "seconds": seconds, "error": "", "pid": os.getpid(), "checks": checks}


def apply_result(step: Step, result: dict) -> None:
    step.status, step.seconds, step.error = result["status"], result["seconds"], result["error"]
    step.checks = result.get("checks", [])
    if step.status == "failed":
        raise StepFailed(f"{step.error}; the executed notebook is {step.outputs['ipynb']}")


def _limit_threads(threads: int) -> None:
    # Inherited by each notebook kernel: N jobs share the cores instead of oversubscribing them.
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads)


def execute_all(tasks, jobs: int = 1, scheduler=None, log=print) -> list:
    """Run ``report.execute_step`` on each task: here (``jobs`` processes) or on a Dask cluster.

    Returns the results in task order; a failure is returned as a result, not raised, so that one
    failed run does not cancel the others.
    """
    if not tasks:
        return []
    if scheduler:
        from distributed import Client, as_completed
        with Client(scheduler) as client:
            futures = {client.submit(execute_step, *t, pure=False, key=f"cvae-{t[0].name}"): i
                       for i, t in enumerate(tasks)}
            results = [None] * len(tasks)
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                result = results[futures[future]]
                log(f"{result['name']}: {result['status']} (worker process {result['pid']})")
            return results
    if jobs == 1:
        return [execute_step(*t) for t in tasks]
    threads = max(1, (os.cpu_count() or 1) // jobs)
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_limit_threads, initargs=(threads,)) as pool:
        results = list(pool.map(execute_step, *zip(*tasks)))
    for r in results:
        log(f"{r['name']}: {r['status']} (process {r['pid']})")
    return results


def _ipc_kernel_manager():
    """A kernel manager that talks to its kernel over Unix sockets in a private temporary folder: the kernel is
    local, so TCP (and the kernel's warning that it runs over TCP without encryption) has no purpose."""
    import tempfile

    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**{"transport": "ipc", "ip": str(Path(tempfile.mkdtemp(prefix="cvae-kernel-")) / "k"),
                                **kwargs})
    return IPCKernelManager


def _execute(step: Step) -> None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError
    step.outputs["ipynb"].parent.mkdir(parents=True, exist_ok=True)
    declared = pm.inspect_notebook(str(NOTEBOOKS / step.notebook))
    unknown = sorted(set(step.parameters) - set(declared))
    if unknown:  # papermill would only warn, and the notebook would silently run with its defaults
        step.error = (f"notebooks/{step.notebook} (step {step.name}) has no parameter(s) {unknown}; "
                      f"it declares {sorted(declared)}")
        raise StepFailed(step.error)
    try:
        pm.execute_notebook(str(NOTEBOOKS / step.notebook), str(step.outputs["ipynb"]),
                            parameters=step.parameters, kernel_name="python3", cwd=str(NOTEBOOKS),
                            progress_bar=False, kernel_manager_class=_ipc_kernel_manager())
    except PapermillExecutionError as e:
        step.error = (f"notebooks/{step.notebook} (step {step.name}) failed in cell {e.cell_index} "
                      f"(execution count {e.exec_count}): {e.ename}: {e.evalue}")
        raise
    except Exception as e:
        step.error = f"notebooks/{step.notebook} (step {step.name}): {type(e).__name__}: {e}"
        raise
