"""The report pipeline: papermill executes each notebook, nbconvert exports it (steps.py).

Steps run in order: classifier.ipynb (the evaluation classifier), train.ipynb once per architecture
and seed (training and evaluation), train.ipynb for each run of the sweep in sweeps/report.yaml,
extensions.ipynb (the runs of sweeps/extensions.yaml and the latent samplers), the speed appendix
(benchmark.ipynb), then report.ipynb once per language: the report document itself
(report.html and report.pdf, report.zh.html and report.zh.pdf). A step that is current (its key
matches its stamp) is skipped, so rerunning after an interruption redoes only what is missing
(training itself also resumes from its last epoch). Keys follow what a step reads (keys.py): an edit to a
plotting module re-renders pages and neither trains nor re-scores, since weights, metrics and sampler
scores are cached in the run folders on versions of their code. Before any work the plan is printed
(schedule.py); --dry-run stops there.

Each run's parameters follow one precedence: RunSpec's defaults < the sweep file < the command line
(Scale.overrides).
"""
import os
import re
import sys
from dataclasses import asdict, replace
from pathlib import Path

from ..base.config import RunSpec, SamplerConfig, Scale, resolve_device
from .document import LANGUAGES, texts
from .document import byline as byline_line
from .keys import PAGE_RUN_FILES, REVIEWED_RUN_FILES
from .pages import write_index
from .schedule import LONG_TRAINING_SECONDS, duration, format_plan, make_plan, tasks_of, training_seconds
from .steps import (NOTEBOOKS, ROOT, Step, StepFailed, apply_result, assign_keys, execute_all, execute_step,
                    is_current, refresh_key)
from .sweep import load_sweep, run_specs

ARCHITECTURES = ("mlp", "conv")
SWEEP_FILE = ROOT / "sweeps" / "report.yaml"
EXTENSIONS_FILE = ROOT / "sweeps" / "extensions.yaml"
PDF_PACKAGES = ("texlive-xetex texlive-fonts-recommended texlive-plain-generic texlive-latex-extra pandoc "
                "texlive-lang-chinese fonts-noto-cjk fonts-dejavu-core fonts-dejavu-extra poppler-utils")


def plan(out: Path, scale: Scale, byline: dict = None) -> list:
    """The steps, with their papermill parameters (paths relative to notebooks/, papermill's cwd)."""
    classifier_dir = _rel(out / "runs" / "classifier")
    steps = [classifier_step(out, scale)]
    run_dirs = []
    for seed in scale.seeds:
        for arch in ARCHITECTURES:
            steps.append(train_step(out, RunSpec.from_params({"architecture": arch, "seed": seed}, scale.overrides),
                                    classifier_dir))
            run_dirs.append(steps[-1].parameters["run_dir"])
    sweep_dirs = []
    if scale.sweep:
        for spec in run_specs(load_sweep(SWEEP_FILE), scale.overrides):
            step = train_step(out, spec, classifier_dir)
            sweep_dirs.append(step.parameters["run_dir"])
            if step.name not in {s.name for s in steps}:  # beta = 1 is the main MLP run, seed 0
                steps.append(step)
    bench = out / "benchmarks"
    extension_dirs = []
    if scale.extensions:
        step = extensions_step(out, scale, run_dirs, classifier_dir)
        extension_dirs = step.parameters["extension_dirs"]
        steps.append(step)
        steps.append(review_step(out, scale, run_dirs + extension_dirs, classifier_dir))
    bench_files = [bench / "train_throughput.csv", bench / "train_throughput.json", bench / "eval_speed.csv",
                   bench / "eval_speed.json"]
    steps.append(Step("appendix-speed", "benchmark.ipynb", {"bench_dir": _rel(bench), "page_dir": _rel(out / "html")},
                      "Appendix: training and evaluation speed (benchmarks/)", files=bench_files))
    pages = [[s.name, os.path.relpath(s.outputs_hint(out), out), s.parameters.get("run_dir", "")] for s in steps]
    for language in LANGUAGES:
        # the review's tables the documents read: its summary and showcase, the checks' scripts/*.py write the rest
        review = ([out / "review" / name for name in ("summary.json", "showcase.pt", "free_features.json",
                                                       "operating_point.json", "heldout/summary.json", "ablations.json",
                                                       "prior_holes.json")]
                  if scale.extensions else [])
        steps.append(document_step(out, scale, language, run_dirs, sweep_dirs, pages,
                                   bench_files + [bench / "extension_cost.json"] + review, byline or {}, extension_dirs))
    return steps


def _abs(rel: str) -> Path:
    """A notebook-relative path of the parameters, as an absolute one."""
    return (NOTEBOOKS / rel).resolve()


def extensions_step(out: Path, scale: Scale, run_dirs: list, classifier_dir: str) -> Step:
    """extensions.ipynb: trains (or reuses) the runs of sweeps/extensions.yaml for the scale's seeds, evaluates
    them, applies the latent samplers to the main runs, and renders the page "Extension models"."""
    specs = [s for s in run_specs(load_sweep(EXTENSIONS_FILE), scale.overrides) if s.train.seed in scale.seeds]
    main = RunSpec.from_params(scale.overrides)
    samplers = {k: v for k, v in asdict(replace(scale.samplers, samples_per_class=main.evaluation.samples_per_class,
                                                test_subset=main.train.test_subset,
                                                train_subset=main.train.train_subset)).items()
                if v != getattr(SamplerConfig(), k)}
    samplers = {k: list(v) if isinstance(v, tuple) else v for k, v in samplers.items()}
    from ..evaluation.extensions import KINDS, VAEGAN_KINDS
    sampler_config, dirs = SamplerConfig(**samplers), [out / "runs" / s.name for s in specs]
    judge = _abs(classifier_dir)
    work = [("train", d, s, judge) for d, s in zip(dirs, specs)]
    work += [("samplers", d, sampler_config, VAEGAN_KINDS, judge) for d, s in zip(dirs, specs)
             if s.train.extension == "vaegan"]
    work += [("samplers", _abs(d), sampler_config, KINDS, judge) for d in run_dirs]
    return Step("extensions", "extensions.ipynb", {
        "main_dirs": run_dirs, "extension_runs": [s.params() for s in specs],
        "extension_dirs": [_rel(out / "runs" / s.name) for s in specs], "classifier_dir": classifier_dir,
        "samplers": samplers, "bench_dir": _rel(out / "benchmarks"), "figures_dir": _rel(out / "figures" / "extensions"),
        "page_dir": _rel(out / "html"), "device": scale.overrides.get("device", "auto")},
        "Extension models: temperature, per-class GMM, two-stage VAE, VampPrior, VAE-GAN",
        run_dirs=[_abs(classifier_dir), *map(_abs, run_dirs), *dirs], work=work,
        writes=[out / "benchmarks" / "extension_cost.json"])


def review_step(out: Path, scale: Scale, run_dirs: list, classifier_dir: str) -> Step:
    """review.ipynb: the expert review of the main and extension runs (reporting.reviewing): the second judge,
    each run's temperature curves in both judges' eyes, CAS at each method's operating point, the table."""
    from ..base.review_config import JudgeConfig, ReviewConfig
    config, judge = ReviewConfig(**(scale.review or {})), JudgeConfig(**(scale.judge or {}))
    judge_dir, review_dir = out / "runs" / "judge", out / "review"
    kinds = {}  # a run's kind (its name without the seed) -> its runs, by seed: CAS takes the first cas_seeds
    for d in sorted(run_dirs, key=lambda d: int(re.search(r"-s(\d+)", Path(d).name).group(1))):
        kinds.setdefault(re.sub(r"-s\d+", "", Path(d).name), []).append(d)
    cas_dirs = {d for group in kinds.values() for d in group[:scale.cas_seeds]}
    return Step("review", "review.ipynb", {
        "run_dirs": run_dirs, "classifier_dir": classifier_dir, "judge_dir": _rel(judge_dir),
        "review_dir": _rel(review_dir), "review": _plain(asdict(config)), "judge": asdict(judge),
        "cas_seeds": scale.cas_seeds, "classifier": asdict(scale.classifier), "figures_dir": _rel(out / "figures" / "review"), "page_dir": _rel(out / "html"),
        "device": scale.overrides.get("device", "auto")},
        "The expert review: validation protocol, a second judge, trade-off curves, CAS",
        run_dirs=[_abs(classifier_dir), judge_dir, *map(_abs, run_dirs)],
        work=[("judge", judge_dir, judge)] + [("review", _abs(d), config, _abs(classifier_dir), judge_dir,
                                              review_dir if d in cas_dirs else None) for d in run_dirs],
        writes=[review_dir / "summary.json", review_dir / "cas.json", review_dir / "showcase.pt"])


def _plain(params: dict) -> dict:
    """Tuples as lists: papermill parameters as JSON has them."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def document_step(out: Path, scale: Scale, language: str, run_dirs: list, sweep_dirs: list, pages: list,
                  inputs: list, byline: dict, extension_dirs: list = ()) -> Step:
    """report.ipynb for one edition: report.html and report.pdf (English), report.zh.* (Chinese); ``byline``
    may give the title page's "author", "student_id" and "course" (blanks to fill when not)."""
    words = texts(language)["words"]
    name = "report" if language == "en" else f"report.{language}"
    return Step(name, "report.ipynb", {
        "language": language, "run_dirs": run_dirs, "sweep_dirs": sweep_dirs, "extension_dirs": list(extension_dirs),
        "temperature": scale.samplers.temperature,
        "classifier_dir": _rel(out / "runs" / "classifier"), "bench_dir": _rel(out / "benchmarks"),
        "figures_dir": _rel(out / "figures" / language), "html_root": _rel(out),
        "pages": pages, "command": "python -m cvae_lib report" + scale_args(scale),
        "test_subset": scale.overrides.get("test_subset", 0), "device": scale.overrides.get("device", "auto"),
        "author": byline.get("author", ""), "student_id": byline.get("student_id", ""),
        "course": byline.get("course", ""), "review_dir": _rel(out / "review") if extension_dirs else "",
        "judge_dir": _rel(out / "runs" / "judge")},
        f"{words['title']} ({language})", files=inputs, pdf=True,
        run_dirs=[out / "runs" / "classifier", *([out / "runs" / "judge"] if extension_dirs else []),
                  *map(_abs, [*run_dirs, *sweep_dirs, *extension_dirs])], run_files=REVIEWED_RUN_FILES,
        document={"title": words["title"], "language": language, "code_listing_marker": words["s_appendix_code"],
                  "author_line": byline_line(language, byline.get("author", ""), byline.get("student_id", ""),
                                             byline.get("course", ""))})


def _rel(path) -> str:
    return os.path.relpath(path, NOTEBOOKS)


def classifier_step(out: Path, scale: Scale) -> Step:
    return Step("classifier", "classifier.ipynb", {
        "classifier_dir": _rel(out / "runs" / "classifier"), **asdict(scale.classifier),
        "device": scale.overrides.get("device", "auto"), "progress": False, "page_dir": _rel(out / "html")},
        "The evaluation classifier", run_dirs=[out / "runs" / "classifier"], run_files=PAGE_RUN_FILES,
        work=[("classifier", out / "runs" / "classifier", scale.classifier)])


def train_step(out: Path, spec: RunSpec, classifier_dir: str) -> Step:
    """train.ipynb for one run, given every run parameter (the notebook applies no defaults of its own)."""
    defaults = RunSpec().train.to_dict()
    changed = ", ".join(f"{k} {v}" for k, v in spec.train.to_dict().items()
                        if k not in ("architecture", "seed", "epochs", "device", "data_dir", "train_subset",
                                     "test_subset") and v != defaults[k])
    return Step(f"train-{spec.name}", "train.ipynb", {
        **spec.params(), "run_dir": _rel(out / "runs" / spec.name), "progress": False, "classifier_dir": classifier_dir,
        "page_dir": _rel(out / "html")},
        f"Training and evaluation: {spec.train.architecture.upper()} CVAE, seed {spec.train.seed}"
        + (f", {changed}" if changed else ""), run_dirs=[out / "runs" / spec.name, _abs(classifier_dir)],
        run_files=PAGE_RUN_FILES,
        work=[("train", out / "runs" / spec.name, spec, _abs(classifier_dir))])


def sweep_step(out: Path, run_dirs: list, title: str, name: str = "sweep") -> Step:
    return Step(name, "sweep.ipynb", {"run_dirs": run_dirs, "figures_dir": _rel(out / "figures" / name),
                                      "page_dir": _rel(out / "html")}, title, run_dirs=list(map(_abs, run_dirs)))


def scale_args(scale: Scale) -> str:
    """The command-line flags that reproduce a scale."""
    default, args = Scale(), ""
    if scale.seeds != default.seeds:
        args += " --seeds " + " ".join(map(str, scale.seeds))
    for name, value in scale.overrides.items():
        args += f" --{name.replace('_', '-')} {value}"
    for name, value in asdict(scale.classifier).items():
        if value != getattr(default.classifier, name):
            args += f" --classifier-{name.replace('_', '-')} {value}"
    return args + ("" if scale.sweep else " --no-sweep") + ("" if scale.extensions else " --no-extensions")


def pdf_available() -> bool:
    import shutil
    return shutil.which("xelatex") is not None and shutil.which("pandoc") is not None


def _pdf_setting(pdf: bool, log) -> bool:
    if pdf and not pdf_available():
        log(f"note: xelatex or pandoc is missing, so PDFs are skipped (HTML is still written). For PDFs "
            f"install them: sudo apt-get install {PDF_PACKAGES}")
    return pdf and pdf_available()


class TooLong(RuntimeError):
    """The build would train for longer than LONG_TRAINING_SECONDS on a CPU and was not asked to go on."""


def run_pipeline(out="report", scale: Scale = Scale(), pdf: bool = True, log=print, byline: dict = None,
                 dry_run: bool = False, allow_long_training: bool = False) -> list:
    """Print the plan, then execute and export every step that is not current; returns the steps. ``dry_run``
    stops after the plan; a CPU build that would train longer than LONG_TRAINING_SECONDS raises TooLong
    unless ``allow_long_training``."""
    from tqdm import tqdm
    out = Path(out).resolve()
    pdf = _pdf_setting(pdf, log)
    steps = plan(out, scale, byline)
    assign_keys(steps, out, pdf)
    device = resolve_device(scale.overrides.get("device", "auto"))
    entries = make_plan(steps, out, device)
    log(format_plan(entries, out))
    if dry_run:
        return steps
    training = training_seconds(entries)
    if device.type == "cpu" and training > LONG_TRAINING_SECONDS and not allow_long_training:
        raise TooLong(f"this build would train for about {duration(training)} on the CPU (see the plan above); "
                      "train those runs on a GPU (scripts/run_direct.py), or add --allow-long-training to go on here")
    (out / ".stamps").mkdir(parents=True, exist_ok=True)
    try:
        for i, step in enumerate(tqdm(steps, desc="report", unit="step", file=sys.stdout)):
            refresh_key(step)  # the results of the steps before it may have changed
            tasks = tasks_of(step, device, epoch_seconds={})  # what to do; estimates were the plan's
            if not tasks and is_current(step, out):
                continue
            step.worked = bool(tasks)
            what = "; ".join(t.what for t in tasks) or "page only"
            log(f"[{i + 1}/{len(steps)}] {step.name}: executing notebooks/{step.notebook} ({what})")
            apply_result(step, execute_step(step, out, pdf))
            log(f"[{i + 1}/{len(steps)}] {step.name}: done in {step.seconds:.0f} s")
    finally:
        write_index(out, steps, "python -m cvae_lib report" + scale_args(scale))
    log(build_summary(steps, out))
    return steps


def build_summary(steps: list, out: Path) -> str:
    """What a finished build reused and redid, and where to start reading."""
    reused = [s for s in steps if s.status == "skipped"]
    worked = [s.name for s in steps if s.status == "done" and s.worked]
    rendered = [s.name for s in steps if s.status == "done" and not s.worked]
    where = os.path.relpath(out)
    lines = [f"reused {len(reused)} of {len(steps)} steps as they were"
             + (" (every page current)" if len(reused) == len(steps) else "")
             + (f"; re-rendered {len(rendered)} page(s) from cached results" if rendered else "")
             + (f"; trained or scored for {len(worked)}: {', '.join(worked)}" if worked else "")]
    documents = [s for s in steps if s.document]
    if documents:
        files = [f"{where}/{s.name}.pdf" if (out / f"{s.name}.pdf").exists() else f"{where}/{s.name}.html"
                 for s in documents]
        lines.append(f"start reading: {files[0]} (English)" + "".join(f" or {f}" for f in files[1:2]) + " (Chinese); "
                     f"every page: {where}/index.html")
    return "\n".join(lines)


def run_sweep(path, out, scale: Scale = Scale(), jobs: int = 1, scheduler=None, pdf: bool = True,
              log=print) -> list:
    """A sweep file's runs (in parallel here or on Dask), after the classifier, then sweep.ipynb."""
    out = Path(out).resolve()
    pdf = _pdf_setting(pdf, log)
    spec = load_sweep(path)
    classifier = classifier_step(out, scale)
    classifier_dir = classifier.parameters["classifier_dir"]
    trains = [train_step(out, run, classifier_dir) for run in run_specs(spec, scale.overrides)]
    render = sweep_step(out, [s.parameters["run_dir"] for s in trains], f"Sweep {spec['name']}")
    steps = [classifier, *trains, render]
    (out / ".stamps").mkdir(parents=True, exist_ok=True)
    assign_keys(steps, out, pdf)
    command = f"python -m cvae_lib sweep {path} --jobs {jobs}" + (f" --scheduler {scheduler}" if scheduler else "")
    try:
        if not is_current(classifier, out):  # before the runs, which share it
            apply_result(classifier, execute_step(classifier, out, pdf))
        todo = [s for s in trains if not is_current(s, out)]
        log(f"sweep {spec['name']}: {len(trains)} runs, {len(trains) - len(todo)} up to date, {len(todo)} to run")
        results = execute_all([(s, out, pdf) for s in todo], jobs=jobs, scheduler=scheduler, log=log)
        for step, result in zip(todo, results):
            step.status, step.seconds, step.error = result["status"], result["seconds"], result["error"]
        failed = [s for s in todo if s.status == "failed"]
        if failed:
            raise StepFailed("; ".join(s.error for s in failed))
        if todo or not is_current(render, out):
            apply_result(render, execute_step(render, out, pdf))
    finally:
        write_index(out, steps, command + scale_args(scale))
    return steps

