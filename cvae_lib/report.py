"""The report pipeline: papermill executes each notebook, nbconvert exports it to HTML and PDF.

Steps run in order: classifier.ipynb (the evaluation classifier), train.ipynb once per
architecture and seed (training and evaluation), then compare.ipynb, then theory.ipynb. Each step has a key (hash of its notebook, its parameters, the cvae_lib sources and
the keys of the steps before it). A step whose key matches its stamp from an earlier success is
skipped, so rerunning after an interruption redoes only what is missing (training itself also
resumes from its last epoch). When a step runs, its old pages and those of every later step are
deleted first: a failed or interrupted pipeline never leaves a stale page that looks new.
"""
import hashlib
import html
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from . import runs

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ARCHITECTURES = ("mlp", "conv")
PDF_PACKAGES = "texlive-xetex texlive-fonts-recommended texlive-plain-generic pandoc"


class StepFailed(RuntimeError):
    """A notebook raised; the message names the notebook, the cell and the error."""


@dataclass
class Step:
    name: str
    notebook: str
    parameters: dict
    title: str
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


def plan(out: Path, scale: Scale) -> list:
    """The steps, with their papermill parameters (paths relative to notebooks/, papermill's cwd)."""
    rel = lambda p: os.path.relpath(p, NOTEBOOKS)  # noqa: E731
    classifier_dir = rel(out / "runs" / "classifier")
    steps = [Step("classifier", "classifier.ipynb", {
        "classifier_dir": classifier_dir, "epochs": scale.classifier_epochs,
        "train_subset": scale.classifier_train_subset, "device": scale.device, "progress": False},
        "The evaluation classifier")]
    run_dirs = []
    for seed in scale.seeds:
        for arch in ARCHITECTURES:
            run_dir = out / "runs" / f"{arch}-s{seed}"
            run_dirs.append(rel(run_dir))
            steps.append(Step(f"train-{arch}-s{seed}", "train.ipynb", {
                "architecture": arch, "epochs": scale.epochs, "seed": seed, "device": scale.device,
                "train_subset": scale.train_subset, "test_subset": scale.test_subset,
                "run_dir": rel(run_dir), "progress": False, "classifier_dir": classifier_dir,
                "iwae_k": scale.iwae_k, "eval_samples_per_class": scale.eval_samples_per_class,
                "interpolation_pairs": scale.interpolation_pairs},
                f"Training and evaluation: {arch.upper()} CVAE, seed {seed}"))
    steps.append(Step("compare", "compare.ipynb", {"run_dirs": run_dirs, "figures_dir": rel(out / "figures")},
                      "Comparison of the two architectures"))
    steps.append(Step("theory", "theory.ipynb", {  # the first seed's MLP and conv runs
        "run_dirs": run_dirs[:2], "test_subset": scale.test_subset, "device": scale.device},
        "Theory, with live demonstrations"))
    return steps


def _library_hash() -> str:
    h = hashlib.sha256()
    for path in sorted((ROOT / "cvae_lib").glob("*.py")):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def _outputs(out: Path, step: Step) -> dict:
    return {"ipynb": out / "notebooks" / f"{step.name}.ipynb", "html": out / "html" / f"{step.name}.html",
            "pdf": out / "pdf" / f"{step.name}.pdf"}


def pdf_available() -> bool:
    return shutil.which("xelatex") is not None and shutil.which("pandoc") is not None


def run_pipeline(out="report", scale: Scale = Scale(), pdf: bool = True, log=print) -> list:
    """Execute and export every step that is not already up to date; returns the steps."""
    from tqdm import tqdm
    out = Path(out).resolve()
    pdf = pdf and pdf_available()
    if not pdf:
        log(f"note: xelatex or pandoc is missing, so PDFs are skipped (HTML is still written). For PDFs "
            f"install them: sudo apt-get install {PDF_PACKAGES}")
    steps = plan(out, scale)
    stamps = out / ".stamps"
    stamps.mkdir(parents=True, exist_ok=True)
    chain, lib = "", _library_hash()
    for step in steps:
        source = (NOTEBOOKS / step.notebook).read_bytes()
        chain = hashlib.sha256(b"|".join([chain.encode(), source, lib.encode(), str(pdf).encode(),
                                          json.dumps(step.parameters, sort_keys=True).encode()])).hexdigest()
        step.key, step.outputs = chain, _outputs(out, step)
    try:
        invalid = False
        for i, step in enumerate(tqdm(steps, desc="report", unit="step", file=sys.stdout)):
            stamp = stamps / f"{step.name}.json"
            if not invalid and stamp.exists() and json.loads(stamp.read_text()).get("key") == step.key \
                    and step.outputs["html"].exists():
                step.status, step.seconds = "skipped", json.loads(stamp.read_text())["seconds"]
                continue
            if not invalid:  # this step reruns, so every later page is stale too
                for later in steps[i:]:
                    (stamps / f"{later.name}.json").unlink(missing_ok=True)
                    for path in _outputs(out, later).values():
                        path.unlink(missing_ok=True)
                invalid = True
            log(f"[{i + 1}/{len(steps)}] {step.name}: executing notebooks/{step.notebook}")
            t0 = time.perf_counter()
            _execute(step)
            export(step.outputs["ipynb"], step.outputs["html"], step.outputs["pdf"] if pdf else None)
            step.status, step.seconds = "done", time.perf_counter() - t0
            runs.write_json(stamp, {"key": step.key, "seconds": step.seconds, "parameters": step.parameters})
            log(f"[{i + 1}/{len(steps)}] {step.name}: done in {step.seconds:.0f} s")
    finally:
        write_index(out, steps, scale)
    return steps


def _execute(step: Step) -> None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError
    step.outputs["ipynb"].parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(str(NOTEBOOKS / step.notebook), str(step.outputs["ipynb"]),
                            parameters=step.parameters, kernel_name="python3", cwd=str(NOTEBOOKS),
                            progress_bar=False)
    except PapermillExecutionError as e:
        step.status = "failed"
        step.error = (f"notebooks/{step.notebook} (step {step.name}) failed in cell {e.cell_index} "
                      f"(execution count {e.exec_count}): {e.ename}: {e.evalue}")
        raise StepFailed(step.error + f"; the executed notebook is {step.outputs['ipynb']}") from None
    except BaseException as e:
        step.status, step.error = "failed", f"notebooks/{step.notebook} (step {step.name}): {type(e).__name__}: {e}"
        raise


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


def write_index(out: Path, steps: list, scale: Scale) -> Path:
    """report/index.html: a link to every page, each step's status, and how the report was made."""
    rows = []
    for s in steps:
        o = _outputs(out, s)
        links = " · ".join(f'<a href="{html.escape(os.path.relpath(o[k], out))}">{k.upper()}</a>'
                           for k in ("html", "pdf", "ipynb") if o[k].exists() and s.status in ("done", "skipped"))
        status = {"done": "✔ built", "skipped": "✔ up to date", "failed": "✘ FAILED",
                  "pending": "not built (an earlier step failed or was interrupted)"}[s.status]
        detail = f"<br><code>{html.escape(s.error)}</code>" if s.error else ""
        rows.append(f"<tr><td>{html.escape(s.title)}</td><td>{links or '—'}</td><td>{status}{detail}</td>"
                    f"<td>{s.seconds:.0f} s</td></tr>")
    ok = all(s.status in ("done", "skipped") for s in steps)
    command = "python -m cvae_lib report" + _scale_args(scale)
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


def _scale_args(scale: Scale) -> str:
    default, args = Scale(), ""
    for name, value in asdict(scale).items():
        if name == "seeds":
            if tuple(value) != default.seeds:
                args += " --seeds " + " ".join(map(str, value))
        elif value != getattr(default, name):
            args += f" --{name.replace('_', '-')} {value}"
    return args


SCALE_HELP = {
    "epochs": "training epochs per run", "seeds": "seeds per architecture",
    "train_subset": "train on the first N images (0: all)", "test_subset": "evaluate on the first N test images (0: all)",
    "device": "auto, cpu, cuda, cuda:N or mps", "iwae_k": "importance samples per test image for the IWAE bound",
    "eval_samples_per_class": "prior samples per class for conditional accuracy and Fréchet distance",
    "interpolation_pairs": "random test pairs per kind for interpolation smoothness",
    "classifier_epochs": "epochs of the evaluation classifier",
    "classifier_train_subset": "train the classifier on the first N images (0: all)",
}


def add_report_parser(sub):
    p = sub.add_parser("report", help="run the whole pipeline with papermill and export HTML/PDF")
    p.add_argument("--out", default=str(ROOT / "report"), help="report folder (default: report/)")
    for f in fields(Scale):
        flag = "--" + f.name.replace("_", "-")
        if f.name == "seeds":
            p.add_argument(flag, type=int, nargs="+", default=list(f.default), help=SCALE_HELP[f.name])
        else:
            p.add_argument(flag, type=type(f.default), default=f.default,
                           help=f"{SCALE_HELP[f.name]} (default: {f.default})")
    p.add_argument("--no-pdf", action="store_true", help="write HTML only")
    p.set_defaults(func=main)
    return p


def main(args) -> int:
    from .config import ConfigError, TrainConfig
    scale = Scale(**{f.name: getattr(args, f.name) for f in fields(Scale)})
    scale.seeds = tuple(scale.seeds)
    try:  # validate every parameter before any notebook runs
        for seed in scale.seeds:
            TrainConfig(epochs=scale.epochs, seed=seed, train_subset=scale.train_subset,
                        test_subset=scale.test_subset, device=scale.device)
        for name in ("iwae_k", "eval_samples_per_class", "interpolation_pairs", "classifier_epochs"):
            if getattr(scale, name) <= 0:
                raise ConfigError(f"{name} must be a positive integer, got {getattr(scale, name)}")
        if scale.classifier_train_subset < 0:
            raise ConfigError(f"classifier_train_subset must be a non-negative integer, "
                              f"got {scale.classifier_train_subset}")
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    try:
        run_pipeline(args.out, scale, pdf=not args.no_pdf)
    except StepFailed as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"report written to {Path(args.out) / 'index.html'} in {time.perf_counter() - t0:.0f} s")
    return 0
