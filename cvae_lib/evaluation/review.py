"""The expert review's measurements of one trained run: temperature curves of every sampler, in two judges' eyes,
on a validation reference and on the test set (review.json).

Protocol. Every choice -- a sampler's temperature, the GMM's size, which method goes to the conv model -- is made
on the *validation reference*: 1,000 training images per class drawn with a fixed seed. Held-out images would be
cleaner, but every run (26 of them, 12 on a GPU) was trained on all 60,000 images, and the choices concern how a
trained model is sampled, not how it fits; a model that copied training images would look better on this
reference than on the test set, which the validation-test gap of each curve shows. The test set is scored for
the final tables only. A second disjoint set of 10,000 training images (the *real* point) is scored against both
references like a sampler: the value real data earn at this sample size (the FD floor, the precision and recall
of real images, their accuracy per class).

At each temperature tau in config.temperatures, for the run's own prior (tau scales N(0, I), or the VampPrior's
pseudo-posterior deviations) and, for runs with N(0, I), a per-class GMM fitted to the training codes (tau scales
its covariances; the size is chosen by BIC from a grid wide enough for an interior choice), 1,000 decoder means
per class are scored in each judge's feature space: accuracy (the judge classifies them), FD, precision and
recall with per-class manifolds, density and coverage; with the evaluation classifier also accuracy relative to
real images' per class and the distance of sharpness from the data's, |log ratio|.
"""
import time
from dataclasses import asdict
from pathlib import Path

import torch
from tqdm import tqdm

from ..base.data import load_fashion_mnist
from ..base.fileio import sha256_file, write_json
from ..base.review_config import ReviewConfig
from ..modelling.models import NUM_CLASSES, device_of
from ..modelling.priors import encode_dataset, fit_gmms, sample_vamp, standard_normal
from ..training import runs
from .classifier import load_classifier, predict
from .evaluate import frechet_distance, per_class_accuracy
from .fidelity import (log_sharpness_distance, per_class_density_coverage, per_class_precision_recall,
                       relative_sharpness)
from .generate import decode_means
from .judge import load_judge

REVIEW_VERSION = 1
"""part of review.json's key: bumped when what is computed here changes"""
REVIEW = "review.json"
HELDOUT_REVIEW = "review_heldout.json"
WIDE_REVIEW = "review_wide.json"
JUDGES = ("classifier", "judge")
"""the evaluation classifier (classifier.py) and the second judge (judge.py)"""


def stratified_indices(labels, per_class: int, seed: int, exclude=None) -> torch.Tensor:
    """``per_class`` indices of each class, drawn without replacement by a seeded permutation (sorted), avoiding
    the indices in ``exclude``."""
    g = torch.Generator().manual_seed(seed)
    banned = torch.zeros(len(labels), dtype=torch.bool)
    if exclude is not None:
        banned[exclude] = True
    picked = []
    for c in range(NUM_CLASSES):
        pool = torch.nonzero((labels == c) & ~banned).flatten()
        if len(pool) < per_class:
            raise ValueError(f"class {c} has {len(pool)} images left, fewer than the {per_class} asked for")
        picked.append(pool[torch.randperm(len(pool), generator=g)[:per_class]])
    return torch.cat(picked).sort().values


class Judges:
    """The two judges, their features of the references (validation, test) and of the real point, computed once."""

    def __init__(self, classifier_dir, judge_dir, data, config: ReviewConfig, device="cpu"):
        self.config, self.data = config, data
        self.models = {"classifier": load_classifier(classifier_dir, device), "judge": load_judge(judge_dir, device)}
        self.sha256 = {"classifier": sha256_file(Path(classifier_dir) / runs.MODEL),
                       "judge": sha256_file(Path(judge_dir) / runs.MODEL)}
        n = config.train_subset or len(data.train_labels)
        train_labels = data.train_labels[:n]
        val = stratified_indices(train_labels, config.validation_per_class, config.seed)
        t = config.test_subset or None
        test_images, test_labels = data.test_images[:t], data.test_labels[:t]
        if config.validation == "test_half":  # choices on one half of the test set, scores on the other
            half = stratified_indices(test_labels, int(test_labels.bincount(minlength=NUM_CLASSES).min()) // 2,
                                      config.seed)
            rest = torch.ones(len(test_labels), dtype=torch.bool)
            rest[half] = False
            self.references = {"validation": (test_images[half], test_labels[half]),
                               "test": (test_images[rest], test_labels[rest])}
        else:
            self.references = {"validation": (data.train_images[val], data.train_labels[val]),
                               "test": (test_images, test_labels)}
        real = stratified_indices(train_labels, config.validation_per_class, config.seed + 1, exclude=val)
        self.real = (data.train_images[real], data.train_labels[real])
        self.features = {(j, r): self.predict(j, images) for j in JUDGES for r, (images, _) in self.references.items()}
        self.real_scores = self.score(*self.real)

    def predict(self, judge: str, images):
        return predict(self.models[judge], images)

    def score(self, images, labels) -> dict:
        """reference -> judge -> scores of (images, labels) against that reference; the evaluation classifier adds
        accuracy relative to the real images' per class (when the real point exists) and |log sharpness ratio|."""
        cfg, out = self.config, {}
        outputs = {j: self.predict(j, images) for j in JUDGES}
        for ref, (ref_images, ref_labels) in self.references.items():
            out[ref] = {}
            for j in JUDGES:
                logits, feats = outputs[j]
                ref_logits, ref_feats = self.features[(j, ref)]
                correct = logits.argmax(1) == labels
                pr = per_class_precision_recall(ref_feats, ref_labels, feats, labels, cfg.precision_recall_k)
                dc = per_class_density_coverage(ref_feats, ref_labels, feats, labels, cfg.density_coverage_k)
                out[ref][j] = {"accuracy": float(correct.float().mean()),
                               "accuracy_per_class": per_class_accuracy(logits.argmax(1), labels),
                               "fd": frechet_distance(feats, ref_feats), "precision": pr.precision,
                               "recall": pr.recall, "density": dc.density, "coverage": dc.coverage}
            sharp = relative_sharpness(images, labels, ref_images, ref_labels)
            out[ref]["classifier"]["log_sharpness_distance"] = log_sharpness_distance(sharp.overall)
        if hasattr(self, "real_scores"):
            for ref in self.references:
                real = self.real_scores[ref]["classifier"]["accuracy_per_class"]
                mine = out[ref]["classifier"]["accuracy_per_class"]
                out[ref]["classifier"]["relative_accuracy"] = sum(m / r for m, r in zip(mine, real)) / NUM_CLASSES
        return out


def config_key(config: ReviewConfig) -> dict:
    """The review config as a cache key reads it back from JSON (tuples as lists; ``validation`` only where it is
    not the default "train", so the reviews made before it existed keep their keys)."""
    key = {**asdict(config), "temperatures": list(config.temperatures), "gmm_components": list(config.gmm_components)}
    if key["validation"] == "train":
        del key["validation"]
    return key


def review_key(run_dir, judge_sha256: dict, config: ReviewConfig) -> dict:
    """review.json's key: the review config, REVIEW_VERSION, the run's weights and both judges' (judge name ->
    sha256 of its model.pt, as Judges.sha256 holds them)."""
    return {**config_key(config), "version": REVIEW_VERSION, "model_sha256": sha256_file(Path(run_dir) / runs.MODEL),
            "classifier_sha256": judge_sha256["classifier"], "judge_sha256": judge_sha256["judge"]}


def review_file(config: ReviewConfig) -> str:
    """The file in a run folder that holds its review under ``config``: review.json; review_heldout.json for a
    held-out review (validation on half the test set); review_wide.json for a grid that goes above the main
    review's (the wide check); so that none overwrites another."""
    if config.validation != "train":
        return HELDOUT_REVIEW
    return WIDE_REVIEW if max(config.temperatures) > max(ReviewConfig().temperatures) else REVIEW


def key_but_grid(key: dict) -> dict:
    """A review key (review_key's, or a key built on it) without its temperatures: what a scored point depends on."""
    return {name: value for name, value in key.items() if name != "temperatures"}


def _same_but_grid(run_dir, key: dict) -> list:
    """The run's review files (read) whose key equals ``key`` (review_key's) but for the temperatures."""
    found = []
    for name in (REVIEW, WIDE_REVIEW, HELDOUT_REVIEW):
        path = Path(run_dir) / name
        if path.exists():
            old = runs.read_json(path)
            if key_but_grid(old["key"]) == key_but_grid(key):
                found.append(old)
    return found


def _points(reviews: list) -> dict:
    """(sampler, tau) -> a scored point of the first of ``reviews`` (read review files) that holds it."""
    found = {}
    for old in reviews:
        for sampler, curve in old["curves"].items():
            for point in curve:
                found.setdefault((sampler, point["tau"]), point)
    return found


def reusable_points(run_dir, key: dict) -> dict:
    """(sampler, tau) -> a scored point from the run's review files whose key equals ``key`` (review_key's) but for
    the temperatures. Each point is drawn with its own generator seeded by config.seed, and the GMM fit is seeded
    too, so a point does not depend on the rest of the grid: a wider grid computes only its new temperatures."""
    return _points(_same_but_grid(run_dir, key))


def sampler_names(run_config) -> list:
    """The samplers samplers_of gives a run: its own prior, and the per-class GMM where the prior is N(0, I)."""
    return ["prior"] if run_config.extension == "vampprior" else ["prior", "gmm"]


def review_needed(run_dir, judge_sha256: dict, config: ReviewConfig) -> str:
    """Why review_run would compute ("" when its file is reused); ``judge_sha256`` as in review_key (a plan
    can ask without loading the judges)."""
    path = Path(run_dir) / review_file(config)
    if not path.exists():
        return "no review yet"
    old, new = runs.read_json(path)["key"], review_key(run_dir, judge_sha256, config)
    moved = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return "review keyed on another " + ", ".join(moved) if moved else ""


def load_samplers(run_dir, config: ReviewConfig, data=None, device="cpu"):
    """(run config, model, samplers, details) of a finished run: samplers_of with the GMM fitted to the codes
    of the training images (config.train_subset of them)."""
    data = data if data is not None else load_fashion_mnist()
    run_config, model = runs.load_model(run_dir, map_location=device)
    n = config.train_subset or None

    def codes():
        return encode_dataset(model, data.train_images[:n], data.train_labels[:n])[0], data.train_labels[:n]

    return (run_config, model, *samplers_of(model, run_config, codes, config))


def review_gmm(codes, labels, config: ReviewConfig):
    """The review's per-class GMM of a run: fitted to its training codes, sizes by BIC over config.gmm_components,
    seeded by config.seed (the same mixture every time, so other measurements can read the sampler scored here)."""
    return fit_gmms(codes, labels, max(config.gmm_components), config.seed, config.gmm_components)


def samplers_of(model, run_config, codes_fn, config: ReviewConfig):
    """(name -> function (labels, tau, generator) -> z, details) for the run: its own prior ("prior"), and "gmm"
    (with its BIC grid and fit time in details) where the prior is N(0, I)."""
    out, details = {}, {}
    if sampler_names(run_config) == ["prior"]:  # the VampPrior samples its own mixture
        out["prior"] = lambda labels, tau, g: sample_vamp(model, model.vamp, labels, g, tau)
    else:
        out["prior"] = lambda labels, tau, g: tau * standard_normal((len(labels), model.latent_size), g,
                                                                     device_of(model))
        codes, code_labels = codes_fn()
        t0 = time.perf_counter()
        mixture = review_gmm(codes, code_labels, config)
        details["gmm"] = {"components": [int(mixture.mixtures[c].mixture_distribution.probs.numel())
                                         for c in range(NUM_CLASSES)],
                          "bic": {str(c): b for c, b in mixture.bic.items()}, "fit_seconds": time.perf_counter() - t0}
        out["gmm"] = lambda labels, tau, g: mixture.sample(labels, g, tau)
    return out, details


def review_run(run_dir, judges: Judges, config: ReviewConfig = ReviewConfig(), *, device="cpu",
               progress: bool = True, reuse: bool = True) -> dict:
    """The curves of one finished run (review.json, or review_file(config)), computed once per config, weights and
    judges; with ``reuse``, the points another of its review files holds under the same key but for the
    temperatures are taken from there (reusable_points) and only the others are computed ("reused" counts them)."""
    run_dir = Path(run_dir)
    runs.require_finished(run_dir)
    path = run_dir / review_file(config)
    if not review_needed(run_dir, judges.sha256, config):
        return runs.read_json(path)
    t0 = time.perf_counter()
    key = review_key(run_dir, judges.sha256, config)
    same = _same_but_grid(run_dir, key) if reuse else []  # read once: the points and, where all are here, the fit
    done = _points(same)
    names = sampler_names(runs.read_config(run_dir))
    if reuse and all((name, tau) in done for name in names for tau in config.temperatures):
        # every point is another grid's: no model to load and no GMM to fit (its seeded fit is that file's details)
        out = {"key": key, "curves": {name: [done[(name, tau)] for tau in config.temperatures] for name in names},
               "details": same[0]["details"], "seconds": time.perf_counter() - t0,
               "reused": len(names) * len(config.temperatures)}
        write_json(path, out)
        return out
    run_config, model, samplers, details = load_samplers(run_dir, config, judges.data, device)
    labels = torch.arange(NUM_CLASSES).repeat_interleave(config.samples_per_class)
    curves = {name: {} for name in samplers}
    points = [(name, tau) for name in samplers for tau in config.temperatures]
    for name, tau in tqdm([p for p in points if p not in done], desc=f"review {run_dir.name}", unit="point",
                          disable=not progress):
        with torch.inference_mode():
            z = samplers[name](labels.to(device_of(model)), tau, torch.Generator().manual_seed(config.seed))
            images = decode_means(model, z, labels, run_config.likelihood)
        curves[name][tau] = {"tau": tau, **judges.score(images, labels)}
    curves = {name: [curves[name].get(tau) or done[(name, tau)] for tau in config.temperatures] for name in samplers}
    out = {"key": key, "curves": curves, "details": details, "seconds": time.perf_counter() - t0,
           "reused": sum(p in done for p in points)}
    write_json(path, out)
    return out


def sampler_draws(run_dir, name: str, tau: float, n_per_class: int, seed: int, config: ReviewConfig = ReviewConfig(),
                  device="cpu", data=None):
    """(images, labels): ``n_per_class`` decoder means per class of sampler ``name`` at ``tau`` (for CAS)."""
    run_config, model, samplers, _ = load_samplers(run_dir, config, data, device)
    labels = torch.arange(NUM_CLASSES).repeat_interleave(n_per_class)
    images = []
    with torch.inference_mode():
        for start in range(0, len(labels), 10_000):
            part = labels[start:start + 10_000]
            z = samplers[name](part.to(device_of(model)), tau, torch.Generator().manual_seed(seed + start))
            images.append(decode_means(model, z, part, run_config.likelihood))
    return torch.cat(images), labels
