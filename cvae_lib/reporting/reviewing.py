"""The expert review over the report's run folders: the second judge (trained when missing), each run's
review.json, the Classification Accuracy Score at each method's operating point, and the table
(summary.json, with cas.json as CAS's cache) -- what notebooks/review.ipynb (the pipeline's "review" step)
and scripts/review.py call.

Every result is cached: review.json on the review config, the run's weights and both judges (evaluation.review);
CAS on the run's weights, the sampler, its temperature, the samples per class and the classifier's recipe. Nothing is chosen on the test set: each method's
operating point is read from its validation curve (review_table.operating_point), then CAS is measured there.
"""
import json
import time
from dataclasses import asdict
from pathlib import Path

from ..base.config import ClassifierConfig
from ..base.fileio import sha256_file, write_json
from ..base.review_config import JudgeConfig, ReviewConfig
from ..modelling.models import NUM_CLASSES
from ..training import runs
from . import review_table

SUMMARY, CAS = "summary.json", "cas.json"
CAS_IMAGES_PER_CLASS = 6000
"""samples per class a CAS classifier trains on in the full review: as many as FashionMNIST has real training
images (a review on a training subset, ReviewConfig.train_subset, draws a tenth of the subset per class)"""


def reviewed_dirs(run_dirs) -> list:
    """The run folders the review compares (review_table.MAIN_RUN: the original models' and the extensions'
    seed runs, not the sweeps), in the order given."""
    return [Path(d) for d in run_dirs if review_table.MAIN_RUN.match(Path(d).name)]


def cas_key(run_name: str, sampler: str, tau: float) -> str:
    return f"{run_name} · {sampler} · tau={tau:g}"


def review_all(run_dirs, classifier_dir, judge_dir, out_dir, *, cas_seeds: int = 3, config: ReviewConfig = ReviewConfig(),
               judge_config: JudgeConfig = JudgeConfig(), cas_config: ClassifierConfig = ClassifierConfig(),
               device="cpu", data=None, log=print, progress: bool = False) -> dict:
    """Review the finished runs among ``run_dirs`` (those without weights are skipped and named), measure CAS for
    the first ``cas_seeds`` seeds of every method at its operating point (as many samples per class as
    the real training images the review draws from, with the evaluation classifier's recipe ``cas_config``), and write the table to ``out_dir``/summary.json;
    returns it."""
    from ..base.data import load_fashion_mnist
    from ..evaluation.cas import classification_accuracy_score
    from ..evaluation.judge import ensure_judge
    from ..evaluation.review import Judges, review_run, sampler_draws

    dirs = reviewed_dirs(run_dirs)
    missing = [d.name for d in dirs if not (d / runs.MODEL).exists()]
    if missing:
        log(f"review: skipped, no weights: {', '.join(missing)}")
    dirs = [d for d in dirs if d.name not in missing]
    if not dirs:
        raise ValueError(f"none of the {len(run_dirs)} run folder(s) given is a finished run with weights to review")
    data = data if data is not None else load_fashion_mnist()
    judge_dir = ensure_judge(judge_dir, judge_config, data=data, device=device, progress=progress)
    judges = Judges(classifier_dir, judge_dir, data, config, device)
    reviews, configs, where = {}, {}, {}
    for d in dirs:
        t0 = time.perf_counter()
        reviews[d.name], configs[d.name], where[d.name] = review_run(d, judges, config, device=device,
                                                                     progress=progress), runs.read_config(d), d
        log(f"review {d.name}: {time.perf_counter() - t0:.0f} s")
    table = review_table.summarize(reviews, configs, judges.real_scores)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cas_path, cas = out_dir / CAS, {}
    cached = json.loads(cas_path.read_text()) if cas_path.exists() else {}
    test = (data.test_images, data.test_labels)
    cas_per_class = config.train_subset // NUM_CLASSES if config.train_subset else CAS_IMAGES_PER_CLASS
    for method, entry in table["methods"].items():
        sampler = method.split(" · ")[1]
        for name in entry["runs"][:cas_seeds]:
            key = cas_key(name, sampler, entry["tau"])
            wanted = {"model_sha256": sha256_file(where[name] / runs.MODEL), "per_class": cas_per_class,
                      "classifier": asdict(cas_config)}
            old = {"per_class": CAS_IMAGES_PER_CLASS, "classifier": asdict(ClassifierConfig()), **cached.get(key, {})}
            if any(old.get(k) != v for k, v in wanted.items()):
                t0 = time.perf_counter()
                images, labels = sampler_draws(where[name], sampler, entry["tau"], cas_per_class, config.seed,
                                               config, device, data)
                score = classification_accuracy_score(images, labels, *test, cas_config, device=device,
                                                      progress=progress)
                cached[key] = {**score, **wanted, "seconds": time.perf_counter() - t0}
                write_json(cas_path, cached)
                log(f"CAS {key}: {score['accuracy']:.3f} ({cached[key]['seconds']:.0f} s)")
            cas.setdefault(method, []).append(cached[key]["accuracy"])
    table = review_table.summarize(reviews, configs, judges.real_scores, cas)
    table["real"]["cas"] = runs.read_json(Path(classifier_dir) / runs.METRICS)["test_accuracy"]
    if "original_fd_test" in table:
        for entry in table["methods"].values():
            entry["targets"] = review_table.targets(entry, table["original_fd_test"], table["real"]["cas"])
    table["skipped_without_weights"] = missing
    table["cas_seeds"], table["cas_per_class"] = cas_seeds, cas_per_class
    write_json(out_dir / SUMMARY, table)
    return table


def load_reviews(run_dirs) -> tuple:
    """(run name -> review.json, run name -> config) of the reviewed runs among ``run_dirs`` that have one."""
    from ..evaluation.review import REVIEW
    found = [d for d in reviewed_dirs(run_dirs) if (d / REVIEW).exists()]
    return {d.name: runs.read_json(d / REVIEW) for d in found}, {d.name: runs.read_config(d) for d in found}
