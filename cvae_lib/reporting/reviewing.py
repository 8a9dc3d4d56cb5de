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

SUMMARY, CAS, SHOWCASE = "summary.json", "cas.json", "showcase.pt"
SHOWN_PER_CLASS = 5
"""draws per class the report's showcase figure shows of each method"""
COPY_CHECK_PER_CLASS = 100
"""draws per class of the nearest-neighbour copy check (evaluation.memorisation)"""
COPY_CHECK_TEST = 2000
"""test images whose nearest-training-image distances are the copy check's yardstick"""
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
               device="cpu", data=None, log=print, progress: bool = False, copy_check: bool = True) -> dict:
    """Review the finished runs among ``run_dirs`` (those without weights are skipped and named), measure CAS for
    the first ``cas_seeds`` seeds of every method at its operating point (as many samples per class as
    the real training images the review draws from, with the evaluation classifier's recipe ``cas_config``), and write the table to ``out_dir``/summary.json
    (with the copy check of showcase unless ``copy_check`` is False); returns it."""
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
    table["skipped_without_weights"] = missing
    table["cas_seeds"], table["cas_per_class"] = cas_seeds, cas_per_class
    if copy_check:
        table["copy_check"] = showcase(table, where, out_dir, config, device, data, log, judges=judges)
    write_json(out_dir / SUMMARY, table)
    return table


def showcase(table: dict, where: dict, out_dir, config: ReviewConfig, device, data, log=print, judges=None) -> dict:
    """The answer's methods (showcase_methods: the first by the declared criterion, the other samplers of the same
    trained model, and that backbone's original CVAE), each at its operating
    point, seed 0 of each (the first seed reviewed): COPY_CHECK_PER_CLASS draws per class go through the
    nearest-neighbour copy check against the 60,000 training images, and the first SHOWN_PER_CLASS per class,
    with the best method's nearest training images and real test images, are saved for the report's figure
    (``out_dir``/showcase.pt: method -> (10, n, 1, 28, 28), plus "real" and "nearest"). Cached on the methods,
    their weights, temperatures and the review config; returns method -> copy_check's dict. With ``judges``
    (evaluation.review.Judges) the same check runs again in the second judge's features (under
    "judge_features"), where a copy of a training image's shape shows even with other grey levels."""
    import torch
    from ..evaluation.memorisation import copy_check_against, nearest
    from ..evaluation.review import config_key, sampler_draws

    shown = showcase_methods(table)
    best = shown[1] if len(shown) > 1 else shown[0]
    key = {"review": config_key(config),
           "per_class": [SHOWN_PER_CLASS, COPY_CHECK_PER_CLASS, COPY_CHECK_TEST],
           "spaces": ["pixels"] + (["judge", judges.sha256["judge"]] if judges is not None else []),
           "methods": {m: [table["methods"][m]["tau"], table["methods"][m]["runs"][0],
                           sha256_file(where[table["methods"][m]["runs"][0]] / runs.MODEL)] for m in shown}}
    path = Path(out_dir) / SHOWCASE
    if path.exists():
        cached = torch.load(path, weights_only=True)
        if cached["key"] == json.loads(json.dumps(key)):
            return cached["copy_check"]
    t0 = time.perf_counter()
    test_distances = nearest(data.test_images[:COPY_CHECK_TEST], data.train_images).distances  # once, for every method
    images, checks = {}, {}
    if judges is not None:  # the judge's features of the training images, and the unseen images' distances in them
        features = lambda x: judges.predict("judge", x)[1]  # noqa: E731
        train_features = features(data.train_images)
        test_feature_distances = nearest(features(data.test_images[:COPY_CHECK_TEST]), train_features).distances
    for method in shown:
        entry = table["methods"][method]
        draws, _ = sampler_draws(where[entry["runs"][0]], method.split(" · ")[1], entry["tau"],
                                 COPY_CHECK_PER_CLASS, config.seed, config, device, data)
        draws = draws.cpu().view(NUM_CLASSES, COPY_CHECK_PER_CLASS, 1, 28, 28)
        checks[method] = copy_check_against(draws.flatten(0, 1), data.train_images, test_distances)
        if judges is not None:
            checks[method]["judge_features"] = copy_check_against(features(draws.flatten(0, 1)), train_features,
                                                                  test_feature_distances)
        images[method] = draws[:, :SHOWN_PER_CLASS].clone()
    images["nearest"] = data.train_images[nearest(images[best].flatten(0, 1), data.train_images).indices].view(
        NUM_CLASSES, SHOWN_PER_CLASS, 1, 28, 28)
    images["real"] = torch.stack([data.test_images[data.test_labels == c][:SHOWN_PER_CLASS] for c in range(NUM_CLASSES)])
    torch.save({"key": json.loads(json.dumps(key)), "copy_check": checks, "best": best,
                "images": {k: v.half() for k, v in images.items()}}, path)
    log(f"showcase and copy check ({', '.join(shown)}): {time.perf_counter() - t0:.0f} s")
    return checks


def showcase_methods(table: dict) -> list:
    """The methods the showcase figure shows, in its order: the original CVAE of the best method's backbone, the
    best by the review's declared criterion (answer.criterion), then the other samplers of the same trained model
    (answer.family), by the criterion."""
    from .answer import by_criterion, family
    methods = table["methods"]
    ranked = by_criterion(table)
    best = ranked[0]
    shown = [review_table.backbone_original(best), best, *(m for m in ranked[1:] if family(m) == family(best))]
    return [m for m in dict.fromkeys(shown) if m in methods]


def load_showcase(out_dir) -> dict:
    """showcase.pt of a review folder ({"best", "copy_check", "images", "key"}), or None where there is none."""
    import torch
    path = Path(out_dir) / SHOWCASE
    return torch.load(path, weights_only=True) if path.exists() else None


def copy_verdict(check: dict) -> str:
    """"none" when at most twice the quantile's share of samples lie closer to the training set than that quantile
    of unseen test images (copies would all lie there), else "close". The median ratio is not the criterion:
    smooth decoder means lie nearer every training image than real images do without copying any."""
    return "none" if check["share_closer"] <= 2 * check["quantile"] else "close"


def share_interval(check: dict) -> tuple:
    """The 95 % Clopper-Pearson interval of a copy check's share of samples closer than the test quantile, in
    percent: the share is a count out of check["n_samples"] (the threshold's own noise, from the test images, aside)."""
    from scipy.stats import binomtest
    n = int(check["n_samples"])
    ci = binomtest(round(check["share_closer"] * n), n).proportion_ci(0.95)
    return 100 * ci.low, 100 * ci.high


def share_p(check: dict) -> float:
    """The exact one-sided binomial p that a copy check's share of samples closer than the test quantile is no more
    than that quantile (check["quantile"]: what samples as far from the training set as test images would give)."""
    from scipy.stats import binomtest
    n = int(check["n_samples"])
    return float(binomtest(round(check["share_closer"] * n), n, check["quantile"], alternative="greater").pvalue)


def load_reviews(run_dirs, file: str = None) -> tuple:
    """(run name -> review, run name -> config) of the reviewed runs among ``run_dirs`` that have the review file
    ``file`` (evaluation.review's REVIEW by default; WIDE_REVIEW for the wide check's curves)."""
    from ..evaluation.review import REVIEW
    file = file or REVIEW
    found = [d for d in reviewed_dirs(run_dirs) if (d / file).exists()]
    return {d.name: runs.read_json(d / file) for d in found}, {d.name: runs.read_config(d) for d in found}
