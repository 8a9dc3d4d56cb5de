"""Pipeline steps: one notebook executed by papermill and exported by nbconvert, with a key and a stamp.

Each step's key hashes its notebook, its parameters, the cvae_lib sources, the files it shows and
(chained) the keys of the steps before it. A step whose key matches its stamp from an earlier success
is current and skipped. When a step runs, its old pages are deleted first, so a failed or interrupted
step never leaves a stale page that looks new. ``execute_all`` runs steps here, in parallel processes,
or on a Dask cluster. Used by report.py (the report and sweeps); imports nothing of it.
"""
import concurrent.futures
import hashlib
import json
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .fileio import write_json
from .pages import export, export_document, page_paths
from .runs import project_root

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
    inputs: list = field(default_factory=list)  # files besides run folders whose content the page shows
    pdf: bool = False  # also export a PDF (the report documents); the other pages are HTML only
    document: dict = field(default_factory=dict)  # for the report documents: title page metadata (pages.export_document)
    checks: list = field(default_factory=list)  # problems the PDF check found (empty: none)
    key: str = ""
    status: str = "pending"
    seconds: float = 0.0
    error: str = ""
    outputs: dict = field(default_factory=dict)


    def outputs_hint(self, out: Path) -> Path:
        """Where this step's HTML page will be (known before its key is assigned)."""
        return page_paths(out, self.name, document=bool(self.document))["html"]


def library_hash() -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in (ROOT / "cvae_lib").rglob("*") if p.suffix in (".py", ".yaml", ".j2", ".json")):
        h.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return h.hexdigest()


def assign_keys(steps: list, out: Path, pdf: bool, chained: bool = True) -> None:
    """Each step's key hashes its notebook, parameters, the library, the PDF switch and (chained) its predecessors'."""
    chain, lib = "", library_hash()
    for step in steps:
        source = (NOTEBOOKS / step.notebook).read_bytes()
        inputs = [p.read_bytes() if p.exists() else b"absent" for p in step.inputs]
        key = hashlib.sha256(b"|".join([chain.encode(), source, lib.encode(), str(pdf).encode(),
                                        json.dumps(step.parameters, sort_keys=True).encode(), *inputs])).hexdigest()
        step.key, step.outputs = key, page_paths(out, step.name, document=bool(step.document))
        if chained:
            chain = key


def is_current(step: Step, out: Path) -> bool:
    stamp = out / ".stamps" / f"{step.name}.json"
    if stamp.exists() and step.outputs["html"].exists():
        saved = json.loads(stamp.read_text())
        if saved.get("key") == step.key:
            step.status, step.seconds, step.checks = "skipped", saved["seconds"], saved.get("checks", [])
            return True
    return False


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
    write_json(out / ".stamps" / f"{step.name}.json",
               {"key": step.key, "seconds": seconds, "parameters": step.parameters, "checks": checks})
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
                            progress_bar=False)
    except PapermillExecutionError as e:
        step.error = (f"notebooks/{step.notebook} (step {step.name}) failed in cell {e.cell_index} "
                      f"(execution count {e.exec_count}): {e.ename}: {e.evalue}")
        raise
    except Exception as e:
        step.error = f"notebooks/{step.notebook} (step {step.name}): {type(e).__name__}: {e}"
        raise
