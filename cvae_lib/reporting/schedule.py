"""A build's plan before any work: for each step, whether it is current, and if not why and how long it takes.

A step is stale when its page inputs moved (steps.stale_reason: code, parameters, result files) or when the
results it produces are not cached: a run to train (train.training_needed), metrics to compute
(metrics.evaluation_needed), sampler scores to fit (extensions.samplers_needed), the classifier to train. A
step that reads results another step will recompute is stale after it. Times come from what was recorded:
each run's history.csv (on this kind of device), its metrics.json and samplers.json, the stamp of the page's
last run, and for runs never trained here the extension benchmark's seconds per epoch on this CPU.
``python -m cvae_lib report --dry-run`` prints the plan; a CPU build that would train longer than
LONG_TRAINING_SECONDS stops before starting unless asked to go on.
"""
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..training import runs
from .steps import Step, stale_reason

LONG_TRAINING_SECONDS = 3600
"""a CPU build that would train longer than this stops before it starts (--allow-long-training goes on)"""
PAGE_SECONDS, DOCUMENT_SECONDS = 30.0, 120.0
"""a page's and a document's render time when none was recorded"""
REVIEW_SECONDS = 280.0
"""one run's review when none was recorded (both judges, 6 temperatures, prior and GMM; 2-core CPU)"""
CAS_SECONDS = 180.0
"""one CAS classifier (5 epochs over 60,000 samples, 2-core CPU) when none was recorded"""


@dataclass
class Task:
    """A cached result a step would compute: what, why, and the recorded or estimated seconds (None: unknown)."""
    what: str
    reason: str
    seconds: float = None
    training: bool = False
    run_dir: Path = None
    """the run folder whose results it rewrites"""


@dataclass
class Entry:
    step: Step
    reason: str = ""
    tasks: list = field(default_factory=list)
    render_seconds: float = 0.0

    @property
    def current(self) -> bool:
        return not self.reason and not self.tasks

    @property
    def seconds(self):
        known = [t.seconds for t in self.tasks if t.seconds is not None]
        return (0.0 if self.current else self.render_seconds) + sum(known)


def tasks_of(step: Step, device, epoch_seconds: dict, retrained=frozenset()) -> list:
    """The cached results ``step`` would compute (its ``work`` items that are not current); ``retrained``: run
    folders an earlier step of the plan trains again (what is computed from their weights follows)."""
    from ..evaluation.extensions import samplers_needed
    from ..evaluation.metrics import evaluation_needed, recorded_seconds
    from ..training.train import expected_seconds, training_needed
    tasks = []
    for item in step.work:  # ("classifier", dir, config), ("train", dir, spec, classifier), ("samplers", dir,
        kind, run_dir = item[0], Path(item[1])  # config, kinds, classifier)
        if kind == "classifier":
            if runs.read_status(run_dir)["status"] != "finished" and not (runs.COMMITTED_CLASSIFIER / runs.MODEL).exists():
                tasks.append(Task(f"train the classifier ({run_dir.name})", "not trained yet", None, True, run_dir))
        elif kind == "train":
            spec = item[2]
            reason = training_needed(spec.train, run_dir)
            if reason:
                tasks.append(Task(f"train {run_dir.name}", reason,
                                  expected_seconds(spec.train, run_dir, device, epoch_seconds), True, run_dir))
            evaluation = "after training" if reason else evaluation_needed(run_dir, item[3], spec.evaluation)
            if evaluation:
                tasks.append(Task(f"evaluate {run_dir.name}", evaluation, recorded_seconds(run_dir / runs.METRICS),
                                  run_dir=run_dir))
        elif kind == "judge":
            if runs.read_status(run_dir)["status"] != "finished" and not (runs.PROJECT / "report" / "runs" / "judge"
                                                                         / runs.MODEL).exists():
                tasks.append(Task(f"train the second judge ({run_dir.name})", "not trained yet", None, True, run_dir))
        elif kind == "review":
            tasks += _review_tasks(run_dir, item, tasks, retrained)
        elif kind == "samplers":
            config, kinds = item[2], item[3]
            trained = run_dir.resolve() in retrained or any(t.what == f"train {run_dir.name}" for t in tasks)
            reason = "after training" if trained or not (run_dir / runs.MODEL).exists() else samplers_needed(
                run_dir, item[4], config, kinds)
            if reason:
                tasks.append(Task(f"latent samplers on {run_dir.name}", reason, recorded_seconds(run_dir / runs.SAMPLERS),
                                  run_dir=run_dir))
    return tasks


def _review_tasks(run_dir: Path, item: tuple, tasks: list, retrained) -> list:
    """The review of one run (item: ("review", run, ReviewConfig, classifier, judge)) when its review.json is
    not current: after training, or keyed on other weights, judges or config."""
    from ..base.fileio import sha256_file
    from ..evaluation.review import REVIEW, review_needed
    config, classifier, judge = item[2], Path(item[3]), Path(item[4])
    trained = run_dir.resolve() in retrained or not (run_dir / runs.MODEL).exists()
    if not trained and any(t.run_dir and Path(t.run_dir).resolve() == judge.resolve() for t in tasks):
        reason = "after the judge"
    elif trained:
        reason = "after training"
    else:
        shas = {name: sha256_file(d / runs.MODEL) if (d / runs.MODEL).exists() else ""
                for name, d in (("classifier", classifier), ("judge", judge))}
        reason = review_needed(run_dir, shas, config)
    out = []
    if reason:
        recorded = runs.read_json(run_dir / REVIEW).get("seconds") if (run_dir / REVIEW).exists() else None
        out.append(Task(f"review {run_dir.name}", reason, recorded or REVIEW_SECONDS, run_dir=run_dir))
    if len(item) > 5 and item[5] is not None:  # the review folder, when this run's samples are scored by CAS
        cas_file = Path(item[5]) / "cas.json"
        cached = json.loads(cas_file.read_text()) if cas_file.exists() else {}
        sha = "" if trained else sha256_file(run_dir / runs.MODEL)
        vamp = (run_dir / runs.CONFIG).exists() and runs.read_config(run_dir).extension == "vampprior"
        for sampler in ("prior",) if vamp else ("prior", "gmm"):  # a run not trained yet: both, as an estimate
            done = [e for k, e in cached.items() if k.startswith(f"{run_dir.name} · {sampler} ·")]
            if not any(e.get("model_sha256") == sha for e in done):
                seconds = [e["seconds"] for e in cached.values() if "seconds" in e]
                out.append(Task(f"CAS of {run_dir.name} · {sampler}", "after training" if trained else "not measured",
                                sum(seconds) / len(seconds) if seconds else CAS_SECONDS, run_dir=run_dir))
    return out


def render_estimate(step: Step, out: Path) -> float:
    stamp = out / ".stamps" / f"{step.name}.json"
    saved = json.loads(stamp.read_text()) if stamp.exists() else {}
    if "seconds" in saved and not saved.get("worked"):
        return float(saved["seconds"])
    return DOCUMENT_SECONDS if step.document else PAGE_SECONDS


def make_plan(steps: list, out: Path, device) -> list:
    """One Entry per step, in order (keys must be assigned: steps.assign_keys)."""
    cost_file = out / "benchmarks" / "extension_cost.json"
    epoch_seconds = json.loads(cost_file.read_text()).get("epoch_seconds", {}) if cost_file.exists() else {}
    entries, changing, retrained = [], {}, set()  # result path -> the step that will rewrite it; runs trained again
    for step in steps:
        entry = Entry(step, stale_reason(step, out), tasks_of(step, device, epoch_seconds, retrained),
                      render_estimate(step, out))
        retrained |= {Path(t.run_dir).resolve() for t in entry.tasks if t.training}
        if not entry.reason:
            upstream = sorted({changing[p] for p in _reads(step) if p in changing})
            if upstream:
                entry.reason = "after " + ", ".join(upstream) + " (results it shows change)"
        if not entry.current:
            for task in entry.tasks:
                changing[Path(task.run_dir).resolve()] = step.name
            for path in step.writes:
                changing[Path(path).resolve()] = step.name
        entries.append(entry)
    return entries


def _reads(step: Step) -> set:
    return {Path(p).resolve() for p in [*step.files, *step.run_dirs]}


def training_seconds(entries: list) -> float:
    return sum(t.seconds or 0.0 for e in entries for t in e.tasks if t.training)


def duration(seconds) -> str:
    if seconds is None:
        return "?"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def format_plan(entries: list, out: Path) -> str:
    """The plan as a table a person reads before a build."""
    stale = [e for e in entries if not e.current]
    total = sum(e.seconds for e in stale)
    trains = [t for e in entries for t in e.tasks if t.training]
    head = (f"plan for {os.path.relpath(out)}/: {len(entries)} steps, {len(entries) - len(stale)} current, "
            f"{len(stale)} to run, about {duration(total)} here"
            + (f", {len(trains)} training run(s) ({duration(training_seconds(entries))})" if trains else ", no training"))
    width = max(len(e.step.name) for e in entries)
    lines = [head]
    for e in entries:
        if e.current:
            lines.append(f"  {e.step.name:<{width}}  current")
            continue
        lines.append(f"  {e.step.name:<{width}}  {duration(e.seconds):>6}  " + (e.reason or "page current"))
        for t in e.tasks:
            lines.append(f"  {'':<{width}}  {duration(t.seconds):>6}    {t.what}: {t.reason}")
    return "\n".join(lines)
