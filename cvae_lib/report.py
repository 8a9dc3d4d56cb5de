"""The report pipeline: papermill executes each notebook, nbconvert exports it to HTML and PDF.

Steps run in order: classifier.ipynb (the evaluation classifier), train.ipynb once per
architecture and seed (training and evaluation), train.ipynb for each run of the sweep in
sweeps/report.yaml, then compare.ipynb, sweep.ipynb and theory.ipynb. Each step has a key (hash of its notebook, its parameters, the cvae_lib sources and
the keys of the steps before it). A step whose key matches its stamp from an earlier success is
skipped, so rerunning after an interruption redoes only what is missing (training itself also
resumes from its last epoch). When a step runs, its old pages and those of every later step are
deleted first: a failed or interrupted pipeline never leaves a stale page that looks new.
"""
import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from . import runs
from .pages import export, page_paths, write_index

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ARCHITECTURES = ("mlp", "conv")
SWEEP_FILE = ROOT / "sweeps" / "report.yaml"
PDF_PACKAGES = "texlive-xetex texlive-fonts-recommended texlive-plain-generic pandoc"


class StepFailed(RuntimeError):
    """A notebook raised; the message names the notebook, the cell and the error."""


@dataclass
class Step:
    name: str
    notebook: str
    parameters: dict
    title: str
    inputs: list = field(default_factory=list)  # files besides run folders whose content the page shows
    key: str = ""
    status: str = "pending"
    seconds: float = 0.0
    error: str = ""
    outputs: dict = field(default_factory=dict)


@dataclass
class Scale:
    """How much work the pipeline does: the defaults are the full report."""
    epochs: int = 50
    seeds: tuple = (0, 1, 2)
    train_subset: int = 0
    test_subset: int = 0
    device: str = "auto"
    iwae_k: int = 1000
    eval_samples_per_class: int = 1000
    interpolation_pairs: int = 200
    classifier_epochs: int = 5
    classifier_train_subset: int = 0
    sweep: bool = True


def plan(out: Path, scale: Scale) -> list:
    """The steps, with their papermill parameters (paths relative to notebooks/, papermill's cwd)."""
    from .sweep import expand, load_sweep
    classifier_dir = _rel(out / "runs" / "classifier")
    steps = [classifier_step(out, scale)]
    run_dirs = []
    for seed in scale.seeds:
        for arch in ARCHITECTURES:
            steps.append(train_step(out, scale, {"architecture": arch, "seed": seed}, classifier_dir))
            run_dirs.append(steps[-1].parameters["run_dir"])
    sweep_dirs = []
    if scale.sweep:
        spec = load_sweep(SWEEP_FILE)
        sweep_scale = replace(scale, **spec["eval"])
        for params in expand(spec):
            step = train_step(out, sweep_scale, {**params, "epochs": scale.epochs}, classifier_dir)
            sweep_dirs.append(step.parameters["run_dir"])
            if step.name not in {s.name for s in steps}:  # beta = 1 is the main MLP run, seed 0
                steps.append(step)
    steps.append(Step("compare", "compare.ipynb", {"run_dirs": run_dirs, "figures_dir": _rel(out / "figures")},
                      "Comparison of the two architectures"))
    if scale.sweep:
        steps.append(sweep_step(out, sweep_dirs, "Sweep: beta-VAE and decoder likelihoods (MLP)"))
    steps.append(Step("theory", "theory.ipynb", {  # the first seed's MLP and conv runs
        "run_dirs": run_dirs[:2], "test_subset": scale.test_subset, "device": scale.device},
        "Theory, with live demonstrations"))
    bench = out / "benchmarks"
    steps.append(Step("appendix-speed", "benchmark.ipynb", {"bench_dir": _rel(bench)},
                      "Appendix: training and evaluation speed (benchmarks/)",
                      inputs=[bench / "train_throughput.csv", bench / "train_throughput.json",
                              bench / "eval_speed.csv", bench / "eval_speed.json"]))
    return steps


def _rel(path) -> str:
    return os.path.relpath(path, NOTEBOOKS)


def classifier_step(out: Path, scale: Scale) -> Step:
    return Step("classifier", "classifier.ipynb", {
        "classifier_dir": _rel(out / "runs" / "classifier"), "epochs": scale.classifier_epochs,
        "train_subset": scale.classifier_train_subset, "device": scale.device, "progress": False},
        "The evaluation classifier")


def train_step(out: Path, scale: Scale, params: dict, classifier_dir: str) -> Step:
    """train.ipynb for one run: ``params`` (architecture, seed, beta, ...) on top of the scale's settings."""
    from .sweep import run_name
    params = {"epochs": scale.epochs, **params}
    name = run_name(params)
    title = ", ".join(f"{k} {v}" for k, v in params.items() if k not in ("architecture", "seed", "epochs"))
    return Step(f"train-{name}", "train.ipynb", {
        **params, "device": scale.device, "train_subset": scale.train_subset, "test_subset": scale.test_subset,
        "run_dir": _rel(out / "runs" / name), "progress": False, "classifier_dir": classifier_dir,
        "iwae_k": scale.iwae_k, "eval_samples_per_class": scale.eval_samples_per_class,
        "interpolation_pairs": scale.interpolation_pairs},
        f"Training and evaluation: {params['architecture'].upper()} CVAE, seed {params['seed']}"
        + (f", {title}" if title else ""))


def sweep_step(out: Path, run_dirs: list, title: str, name: str = "sweep") -> Step:
    return Step(name, "sweep.ipynb", {"run_dirs": run_dirs, "figures_dir": _rel(out / "figures" / name)}, title)


def scale_args(scale: Scale) -> str:
    """The command-line flags that reproduce a non-default scale."""
    default, args = Scale(), ""
    for name, value in asdict(scale).items():
        if name == "seeds":
            if tuple(value) != default.seeds:
                args += " --seeds " + " ".join(map(str, value))
        elif name == "sweep":
            args += "" if value else " --no-sweep"
        elif value != getattr(default, name):
            args += f" --{name.replace('_', '-')} {value}"
    return args


def _library_hash() -> str:
    h = hashlib.sha256()
    for path in sorted((ROOT / "cvae_lib").glob("*.py")):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def pdf_available() -> bool:
    return shutil.which("xelatex") is not None and shutil.which("pandoc") is not None


def assign_keys(steps: list, out: Path, pdf: bool, chained: bool = True) -> None:
    """Each step's key hashes its notebook, parameters, the library, the PDF switch and (chained) its predecessors'."""
    chain, lib = "", _library_hash()
    for step in steps:
        source = (NOTEBOOKS / step.notebook).read_bytes()
        inputs = [p.read_bytes() if p.exists() else b"absent" for p in step.inputs]
        key = hashlib.sha256(b"|".join([chain.encode(), source, lib.encode(), str(pdf).encode(),
                                        json.dumps(step.parameters, sort_keys=True).encode(), *inputs])).hexdigest()
        step.key, step.outputs = key, page_paths(out, step.name)
        if chained:
            chain = key


def is_current(step: Step, out: Path) -> bool:
    stamp = out / ".stamps" / f"{step.name}.json"
    if stamp.exists() and step.outputs["html"].exists():
        saved = json.loads(stamp.read_text())
        if saved.get("key") == step.key:
            step.status, step.seconds = "skipped", saved["seconds"]
            return True
    return False


def invalidate(steps: list, out: Path) -> None:
    """Delete the stamps and pages of these steps, so none of them can be mistaken for a current page."""
    for step in steps:
        (out / ".stamps" / f"{step.name}.json").unlink(missing_ok=True)
        for path in page_paths(out, step.name).values():
            path.unlink(missing_ok=True)


def execute_step(step: Step, out: Path, pdf: bool) -> dict:
    """Execute one notebook with papermill, export it, stamp it. Runs here or on a Dask worker."""
    t0 = time.perf_counter()
    invalidate([step], out)
    try:
        _execute(step)
        export(step.outputs["ipynb"], step.outputs["html"], step.outputs["pdf"] if pdf else None)
    except Exception as e:  # reported to the caller, which decides whether to stop
        return {"name": step.name, "status": "failed", "seconds": time.perf_counter() - t0,
                "error": step.error or f"{type(e).__name__}: {e}", "pid": os.getpid()}
    seconds = time.perf_counter() - t0
    runs.write_json(out / ".stamps" / f"{step.name}.json",
                    {"key": step.key, "seconds": seconds, "parameters": step.parameters})
    return {"name": step.name, "status": "done", "seconds": seconds, "error": "", "pid": os.getpid()}


def _apply(step: Step, result: dict) -> None:
    step.status, step.seconds, step.error = result["status"], result["seconds"], result["error"]
    if step.status == "failed":
        raise StepFailed(f"{step.error}; the executed notebook is {step.outputs['ipynb']}")


def _pdf_setting(pdf: bool, log) -> bool:
    pdf = pdf and pdf_available()
    if not pdf:
        log(f"note: xelatex or pandoc is missing, so PDFs are skipped (HTML is still written). For PDFs "
            f"install them: sudo apt-get install {PDF_PACKAGES}")
    return pdf


def run_pipeline(out="report", scale: Scale = Scale(), pdf: bool = True, log=print) -> list:
    """Execute and export every step that is not already up to date; returns the steps."""
    from tqdm import tqdm
    out = Path(out).resolve()
    pdf = _pdf_setting(pdf, log)
    steps = plan(out, scale)
    (out / ".stamps").mkdir(parents=True, exist_ok=True)
    assign_keys(steps, out, pdf)
    try:
        stale = False
        for i, step in enumerate(tqdm(steps, desc="report", unit="step", file=sys.stdout)):
            if not stale and is_current(step, out):
                continue
            if not stale:  # this step reruns, so every later page is stale too
                invalidate(steps[i:], out)
                stale = True
            log(f"[{i + 1}/{len(steps)}] {step.name}: executing notebooks/{step.notebook}")
            _apply(step, execute_step(step, out, pdf))
            log(f"[{i + 1}/{len(steps)}] {step.name}: done in {step.seconds:.0f} s")
    finally:
        write_index(out, steps, "python -m cvae_lib report" + scale_args(scale))
    return steps


def run_sweep(path, out, scale: Scale = Scale(), jobs: int = 1, scheduler=None, pdf: bool = True,
              log=print) -> list:
    """A sweep file's runs (in parallel here or on Dask), after the classifier, then sweep.ipynb."""
    from .sweep import execute_all, expand, load_sweep
    out = Path(out).resolve()
    pdf = _pdf_setting(pdf, log)
    spec = load_sweep(path)
    classifier = classifier_step(out, scale)
    classifier_dir = classifier.parameters["classifier_dir"]
    trains = [train_step(out, replace(scale, **spec["eval"]), params, classifier_dir) for params in expand(spec)]
    render = sweep_step(out, [s.parameters["run_dir"] for s in trains], f"Sweep {spec['name']}")
    steps = [classifier, *trains, render]
    (out / ".stamps").mkdir(parents=True, exist_ok=True)
    assign_keys([classifier], out, pdf)
    assign_keys(trains + [render], out, pdf, chained=False)
    command = f"python -m cvae_lib sweep {path} --jobs {jobs}" + (f" --scheduler {scheduler}" if scheduler else "")
    try:
        if not is_current(classifier, out):  # before the runs, which share it
            _apply(classifier, execute_step(classifier, out, pdf))
        todo = [s for s in trains if not is_current(s, out)]
        log(f"sweep {spec['name']}: {len(trains)} runs, {len(trains) - len(todo)} up to date, {len(todo)} to run")
        results = execute_all([(s, out, pdf) for s in todo], jobs=jobs, scheduler=scheduler, log=log)
        for step, result in zip(todo, results):
            step.status, step.seconds, step.error = result["status"], result["seconds"], result["error"]
        failed = [s for s in todo if s.status == "failed"]
        if failed:
            raise StepFailed("; ".join(s.error for s in failed))
        if todo or not is_current(render, out):
            _apply(render, execute_step(render, out, pdf))
    finally:
        write_index(out, steps, command)
    return steps


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
