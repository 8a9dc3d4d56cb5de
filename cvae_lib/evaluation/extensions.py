"""Extensions that change how a trained CVAE draws its latent z, scored like the model's own prior samples.

    temperature   z ~ N(0, tau^2 I), a curve over tau and one fixed tau for the leaderboard
    gmm           per-class Gaussian mixtures fitted to the training set's posterior means (BIC picks the size)
    two_stage     a second, small conditional VAE trained on those codes (Dai & Wipf 2019)

The models trained with an extension (VampPrior, VAE-GAN) are runs of their own (config.TrainConfig.extension)
and are scored by metrics.evaluate_run. Every sampler here feeds the run's decoder unchanged and is scored by
metrics.sample_quality on the same test images, so its numbers sit in one table with the run's metrics.json.
Results go to the run folder's samplers.json, cached on the config, the weights and the classifier, and
the first draws of each class to sampler_samples.pt (8-bit images) for figures.
"""
import time
from dataclasses import asdict
from pathlib import Path

import torch
from tqdm import tqdm

from ..training import runs
from .classifier import load_classifier, predict
from ..base.config import SamplerConfig
from ..base.data import load_fashion_mnist
from ..base.fileio import sha256_file, write_json
from .generate import decode_means
from .metrics import sample_quality
from ..modelling.models import NUM_CLASSES
from ..modelling.priors import (encode_dataset, fit_gmms, sample_latents_temperature, sample_second_stage, second_stage_loss,
                     train_second_stage)

SHOWN_PER_CLASS = 8
"""draws per class kept as images (sampler_samples.pt, 8-bit) for the figures"""
SAMPLERS_VERSION = 1
"""part of samplers.json's cache key: bumped when what is computed here changes"""
KINDS = ("temperature", "gmm", "two_stage")
"""every latent sampler, in the order they are computed"""
VAEGAN_KINDS = ("temperature", "gmm")
"""the samplers also applied to the VAE-GAN runs, whose prior is N(0, I) like the seed's: does a better p(z)
on top of adversarial training do what it does for the seed's model? (The two-stage VAE is left out: on the
seed's models it did no better than the GMM, at twice its cost.)"""


def sampler_name(kind: str, tau: float = None) -> str:
    """The key of a sampler in samplers.json: "gmm", "two_stage", or "temperature_0.7"."""
    return f"temperature_{tau:g}" if kind == "temperature" else kind


def samplers_key(run_dir, classifier_dir, config: SamplerConfig, kinds) -> dict:
    """What samplers.json is keyed on: the sampler settings and version, the kinds, the weights, the classifier."""
    key = {**asdict(config), "version": SAMPLERS_VERSION, "model_sha256": sha256_file(Path(run_dir) / runs.MODEL),
           "classifier_sha256": sha256_file(Path(classifier_dir) / runs.MODEL), "kinds": [k for k in KINDS if k in kinds]}
    key["temperatures"], key["gmm_components"] = list(config.temperatures), list(config.gmm_components)
    return key


def samplers_needed(run_dir, classifier_dir, config: SamplerConfig = SamplerConfig(), kinds=KINDS) -> str:
    """Why evaluate_samplers would compute ("" when samplers.json is reused); the run's weights must exist."""
    run_dir = Path(run_dir)
    path = run_dir / runs.SAMPLERS
    if not path.exists() or not (run_dir / runs.SAMPLER_IMAGES).exists():
        return "no sampler scores yet"
    old = runs.read_json(path)["key"]
    old.setdefault("kinds", list(KINDS))  # files written before kinds existed hold all of them
    new = samplers_key(run_dir, classifier_dir, config, kinds)
    moved = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return "sampler scores keyed on another " + ", ".join(moved) if moved else ""


def evaluate_samplers(run_dir, classifier_dir, config: SamplerConfig = SamplerConfig(), *, kinds=KINDS, data=None,
                      device="cpu", progress: bool = True) -> dict:
    """Scores of the samplers ``kinds`` (a subset of KINDS) for one finished run (samplers.json), computed once
    per config, kinds and weights. The run must have the seed's prior N(0, I): extension "none" or "vaegan"."""
    run_dir = Path(run_dir)
    runs.require_finished(run_dir)
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown or not kinds:
        raise ValueError(f"unknown or no sampler kinds {unknown or list(kinds)}; choose from {KINDS}")
    kinds = [k for k in KINDS if k in kinds]
    key = samplers_key(run_dir, classifier_dir, config, kinds)
    path = run_dir / runs.SAMPLERS
    if not samplers_needed(run_dir, classifier_dir, config, kinds):
        return runs.read_json(path)
    data = data if data is not None else load_fashion_mnist()
    run_config, model = runs.load_model(run_dir, map_location=device)
    if run_config.extension not in ("none", "vaegan"):
        raise ValueError(f"{run_dir} was trained with the {run_config.extension!r} extension, whose prior is not "
                         "N(0, I); the latent samplers here replace N(0, I) (extension 'none' or 'vaegan')")
    likelihood = run_config.likelihood
    classifier = load_classifier(classifier_dir, device)
    x, y = data.test_images[:config.test_subset or None], data.test_labels[:config.test_subset or None]
    test_features = predict(classifier, x)[1]
    labels = torch.arange(NUM_CLASSES).repeat_interleave(config.samples_per_class)
    taus = sorted(set(config.temperatures) | {config.temperature}) if "temperature" in kinds else []
    bar = tqdm(total=len(taus) + len(kinds) - ("temperature" in kinds), desc=f"samplers {run_dir.name}", unit="sampler", disable=not progress)
    results, details, shown = {}, {}, {}

    def score(name, draw):
        t0 = time.perf_counter()
        z, detail = draw()
        fit = time.perf_counter() - t0
        images = decode_means(model, z, labels, likelihood)
        first = images.view(NUM_CLASSES, config.samples_per_class, 28, 28)[:, :SHOWN_PER_CLASS]
        shown[name] = (first * 255).round().to(torch.uint8)
        results[name] = {**sample_quality(classifier, images, labels, x, y, test_features),
                         "fit_seconds": fit, "seconds": time.perf_counter() - t0}
        details[name] = detail
        bar.update()

    for tau in taus:
        score(sampler_name("temperature", tau), lambda: (sample_latents_temperature(
            len(labels), model.latent_size, tau, torch.Generator().manual_seed(config.seed)), {"tau": tau}))
    fit_images = data.train_images[:config.train_subset or None]
    fit_labels = data.train_labels[:config.train_subset or None]
    codes, _ = encode_dataset(model, fit_images, fit_labels)

    def gmm():
        return gmm_draws(codes, fit_labels, labels, config)

    def two_stage():
        stage = train_second_stage(codes.to(device), fit_labels, config.two_stage_epochs, config.seed)
        with torch.no_grad():
            final = second_stage_loss(stage, codes.to(device), fit_labels.to(device),
                                      torch.Generator().manual_seed(config.seed))
        z = sample_second_stage(stage, labels, torch.Generator().manual_seed(config.seed))
        return z, {"epochs": config.two_stage_epochs, "train_neg_elbo": float(final.total),
                   "sigma": float(stage.log_sigma.detach().exp())}

    for kind, draw in (("gmm", gmm), ("two_stage", two_stage)):
        if kind in kinds:
            score(kind, draw)
    bar.close()
    out = {"key": key, "samplers": results, "details": details}
    runs.save_torch(run_dir / runs.SAMPLER_IMAGES, shown)
    write_json(path, out)
    return out


def gmm_draws(codes, fit_labels, labels, config: SamplerConfig) -> tuple:
    """(z, detail): per-class mixtures fitted to ``codes`` (sizes by BIC among config.gmm_components), one draw per
    entry of ``labels`` with the config's seed; detail holds each class's size and the BIC scores."""
    mixture = fit_gmms(codes, fit_labels, max(config.gmm_components), config.seed, candidates=config.gmm_components)
    z = mixture.sample(labels, torch.Generator().manual_seed(config.seed))
    return z, {"components": [int(mixture.mixtures[c].mixture_distribution.probs.numel()) for c in range(NUM_CLASSES)],
               "bic": {str(c): b for c, b in mixture.bic.items()}}


def sampler_images(run_dir) -> dict:
    """Sampler name -> (10, SHOWN_PER_CLASS, 1, 28, 28) float images in [0, 1], class c in row c, as
    evaluate_samplers drew them (the first draws of each class)."""
    saved = runs.load_torch(Path(run_dir) / runs.SAMPLER_IMAGES)
    return {name: images.float().div(255).unsqueeze(2) for name, images in saved.items()}


def epoch_seconds(config, data, steps: int = 20, device="cpu") -> float:
    """Seconds one training epoch of ``config``'s trainer (60,000 images) takes here, from ``steps`` batches timed
    after one warm-up batch: for comparing the extensions' training cost in one process, as ratios."""
    from ..training.train import make_model_and_optimizer, train_epoch

    model, optimizer, log_sigma = make_model_and_optimizer(config, torch.device(device))
    gens = (torch.Generator(device).manual_seed(0), torch.Generator(device).manual_seed(1))
    x, y = data.train_images.to(device), data.train_labels.to(device)
    n = config.batch_size
    train_epoch(model, optimizer, x[:n], y[:n], config, *gens, log_sigma)  # warm-up
    t0 = time.perf_counter()
    train_epoch(model, optimizer, x[:steps * n], y[:steps * n], config, *gens, log_sigma)
    return (time.perf_counter() - t0) / (steps * n) * len(data.train_images)
