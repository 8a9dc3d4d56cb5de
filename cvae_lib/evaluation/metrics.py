"""Every metric of a finished run, written to its metrics.json (and reused while nothing changed).

Likelihood: test negative ELBO (closed-form KL) and the importance-weighted bound -L_k, under the
Bernoulli decoder and under the continuous Bernoulli normalization. Latent space: active units.
With the evaluation classifier: for prior samples, conditional accuracy, Fréchet distance in its feature
space (overall and per class), precision and recall (fidelity and coverage apart) and sharpness relative to
real images (sample_quality); accuracy on reconstructions, interpolation smoothness. A VampPrior run is
scored under its own prior (its samples, ELBO and IWAE bound); a VAE-GAN has no likelihood bounds.
"""
import time
from dataclasses import asdict
from pathlib import Path

import torch
from tqdm import tqdm

from ..training import runs
from .classifier import load_classifier, predict
from ..base.data import load_fashion_mnist
from ..base.config import EvalConfig
from .evaluate import (active_units, conditional_accuracy, frechet_distance, interpolation_smoothness, iwae_bounds,
                       per_class_accuracy)
from .fidelity import per_class_precision_recall, relative_sharpness
from ..base.fileio import sha256_file, write_json
from .generate import reconstruct, sample_per_class
from ..modelling.losses import evaluate_loss
from ..modelling.priors import log_prior_fn
from ..modelling.models import NUM_CLASSES

EVALUATION_VERSION = 2
"""part of the cache key: bumped when the evaluation code changes what it computes or how long it takes
(2: IWAE with the folded conv decoder and fused log-likelihoods)"""
VAEGAN_EVALUATION_VERSION = 3
"""the same for a VAE-GAN's metrics, which alone changed in 3: its -ELBO and -IWAE under its own Bernoulli decoder
(before, none: the bound was called undefined), so that the other runs' metrics stay cached"""


def evaluation_version(extension: str) -> int:
    return VAEGAN_EVALUATION_VERSION if extension == "vaegan" else EVALUATION_VERSION
SAMPLE_METRICS_VERSION = 2
"""version of the prior-sample metrics (sample_quality); a cache whose key matches but whose version is older
gets these recomputed and the rest kept (2: precision, recall and sharpness added)"""
PRECISION_RECALL_K = 3
"""neighbours that set each ball's radius in precision and recall (Kynkäänniemi et al. 2019 use 3)"""


def _test(data, n):
    return data.test_images[:n or None], data.test_labels[:n or None]


def reference_metrics(classifier_dir, data, device="cpu") -> dict:
    """The classifier's own numbers on real images, the references the generated images are measured against."""
    path = Path(classifier_dir) / runs.REFERENCE
    if path.exists():
        return runs.read_json(path)
    classifier = load_classifier(classifier_dir, device)
    test_logits, test_feats = predict(classifier, data.test_images)
    # the training images the classifier was trained on: all 60,000, or the first train_subset of a test's classifier
    # (whose reference then costs seconds, not the minute that 60,000 images take on a CPU)
    config_path = Path(classifier_dir) / runs.CONFIG
    n = (runs.read_json(config_path).get("train_subset") if config_path.exists() else 0) or len(data.train_images)
    _, train_feats = predict(classifier, data.train_images[:n])
    train_labels = data.train_labels[:n]
    pred = test_logits.argmax(1)
    ref = {
        "classifier_test_accuracy": float((pred == data.test_labels).float().mean()),
        "classifier_test_accuracy_per_class": per_class_accuracy(pred, data.test_labels),
        "fd_train_vs_test": frechet_distance(train_feats, test_feats),
        "fd_train_vs_test_per_class": [frechet_distance(train_feats[train_labels == c],
                                                        test_feats[data.test_labels == c]) for c in range(NUM_CLASSES)],
        "train_images": n,
    }
    write_json(path, ref)
    return ref


def sample_quality(classifier, samples, conditioned, test_images, test_labels, test_features) -> dict:
    """How good class-conditional samples are, against the test images, in the evaluation classifier's eyes:
    conditional accuracy, Fréchet distance (overall and per class), precision and recall with per-class
    manifolds (fidelity and coverage apart), and sharpness relative to real images of the same class."""
    accuracy, per_class, features = conditional_accuracy(classifier, samples, conditioned)
    pr = per_class_precision_recall(test_features, test_labels, features, conditioned, PRECISION_RECALL_K)
    sharp = relative_sharpness(samples, conditioned, test_images, test_labels)
    return {"conditional_accuracy": accuracy, "conditional_accuracy_per_class": per_class,
            "fd": frechet_distance(features, test_features),
            "fd_per_class": [frechet_distance(features[conditioned == c], test_features[test_labels == c])
                             for c in range(NUM_CLASSES)],
            "precision": pr.precision, "recall": pr.recall, "precision_per_class": pr.precision_per_class,
            "recall_per_class": pr.recall_per_class, "relative_sharpness": sharp.overall,
            "relative_sharpness_per_class": sharp.per_class}


def evaluation_key(run_dir, classifier_dir, config: EvalConfig) -> dict:
    """What metrics.json is keyed on: the evaluation settings and version, the weights and the classifier."""
    return {**asdict(config), "evaluation_version": evaluation_version(runs.read_config(run_dir).extension),
            "model_sha256": sha256_file(Path(run_dir) / runs.MODEL),
            "classifier_sha256": sha256_file(Path(classifier_dir) / runs.MODEL)}


def evaluation_needed(run_dir, classifier_dir, config: EvalConfig = EvalConfig()) -> str:
    """Why evaluate_run would compute ("" when metrics.json is reused); the run's weights must exist."""
    path = Path(run_dir) / runs.METRICS
    if not path.exists():
        return "no metrics yet"
    cached = runs.read_json(path)
    old, new = cached.get("eval_config", {}), evaluation_key(run_dir, classifier_dir, config)
    moved = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if moved:
        return "metrics keyed on another " + ", ".join(moved)
    if cached.get("sample_metrics_version", 1) != SAMPLE_METRICS_VERSION:
        return "sample metrics of an older version"
    return ""


def recorded_seconds(path) -> float:
    """Seconds a cached result (metrics.json, samplers.json) took when it was computed, or None."""
    path = Path(path)
    if not path.exists():
        return None
    saved = runs.read_json(path)
    if "seconds" in saved:
        return float(sum(saved["seconds"].values()))
    return float(sum(r.get("seconds", 0) for r in saved.get("samplers", {}).values())) or None


def evaluate_run(run_dir, classifier_dir, config: EvalConfig = EvalConfig(), *, data=None, device="cpu",
                 progress: bool = True) -> dict:
    """All metrics of a finished run; cached in metrics.json, recomputed when the config or weights change
    (only the prior-sample metrics when just SAMPLE_METRICS_VERSION moved on).

    A VAE-GAN has an encoder and a Bernoulli decoder like the CVAE, so its bounds are computed the same way:
    they say what its adversarial training costs in nats (``likelihood_trained`` is False: its decoder was
    trained against a discriminator's features, not for this likelihood)."""
    run_dir = Path(run_dir)
    runs.require_finished(run_dir)
    key = evaluation_key(run_dir, classifier_dir, config)
    cached = runs.read_json(run_dir / runs.METRICS) if (run_dir / runs.METRICS).exists() else {}
    if cached.get("eval_config") == key and cached.get("sample_metrics_version", 1) == SAMPLE_METRICS_VERSION:
        return cached
    samples_only = cached.get("eval_config") == key
    data = data if data is not None else load_fashion_mnist()
    run_config, model = runs.load_model(run_dir, map_location=device)
    likelihood, log_sigma = model.likelihood
    classifier = load_classifier(classifier_dir, device)
    x, y = _test(data, config.test_subset)
    m, seconds = (dict(cached["metrics"]), dict(cached.get("seconds", {}))) if samples_only else ({}, {})
    parts = 1 if samples_only else 6
    bar = tqdm(total=parts, desc=f"evaluate {run_dir.name}", unit="metric", disable=not progress)

    def timed(name, fn):
        t0 = time.perf_counter()
        result = fn()
        seconds[name] = time.perf_counter() - t0
        bar.update()
        return result

    if not samples_only:
        m["likelihood_trained"] = run_config.extension != "vaegan"
        elbo = timed("elbo", lambda: evaluate_loss(
            model, x.to(device), y.to(device), 1.0, torch.Generator(device).manual_seed(config.seed), likelihood,
            log_sigma, log_prior=log_prior_fn(model) if run_config.extension == "vampprior" else None))
        m["test_neg_elbo"], m["test_reconstruction"], m["test_kl"] = elbo["total"], elbo["reconstruction"], elbo["kl"]
        own, density = timed("iwae", lambda: iwae_bounds(model, x, y, config.iwae_k, seed=config.seed,
                                                         likelihood=likelihood, log_sigma=log_sigma))
        m["test_neg_iwae"] = float(-own.mean())
        m["test_neg_iwae_stderr"] = float(own.std() / len(own) ** 0.5)
        if likelihood == "bernoulli":
            m["test_neg_iwae_continuous_bernoulli"] = float(-density.mean())
            m["bits_per_dim_continuous_bernoulli"] = float(-density.mean() / (784 * torch.log(torch.tensor(2.0))))
        m.update(timed("active_units", lambda: active_units(model, x, y)))

    def prior_samples():
        samples = sample_per_class(model, config.samples_per_class, seed=config.seed, likelihood=likelihood)
        conditioned = torch.arange(NUM_CLASSES).repeat_interleave(config.samples_per_class)
        return sample_quality(classifier, samples, conditioned, x, y, predict(classifier, x)[1])

    m.update(timed("samples", prior_samples))
    if not samples_only:
        recon = timed("reconstructions", lambda: reconstruct(model, x, y, likelihood=likelihood))
        m["reconstruction_accuracy"] = float((predict(classifier, recon)[0].argmax(1) == y).float().mean())
        m["interpolation"] = timed("interpolation", lambda: interpolation_smoothness(
            model, classifier, x, y, config.interpolation_pairs, seed=config.seed, likelihood=likelihood))
    bar.close()
    result = {"eval_config": key, "sample_metrics_version": SAMPLE_METRICS_VERSION, "metrics": m,
              "reference": reference_metrics(classifier_dir, data, device), "seconds": seconds}
    write_json(run_dir / runs.METRICS, result)
    return result
