"""A control for the per-class GMM sampler (extensions.py): the same mixtures fitted to posterior *samples*
z = mu + sigma * eps of the training images instead of their posterior means. The means sit closer together than
the codes the decoder was trained on, so the mixture fitted to them is narrower; if the GMM's gain came from that
narrowness alone, fitting the samples would lose it. BIC may size the samples' mixtures differently, so a third fit
("samples_sized") fixes every class's mixture on the samples at the most components BIC chose for the means. All
three fits are scored like the extensions' samplers
(metrics.sample_quality, the same seed, draws and test images), so the "means" entry repeats samplers.json's "gmm"
numbers (a check), and each entry records how wide its draws are (the mean per-dimension standard deviation).

Results go to the run folder's gmm_control.json, cached on the sampler config, the weights and the classifier:

    python scripts/gmm_control.py report/runs/mlp-s0 report/runs/mlp-s1 report/runs/mlp-s2
"""
from dataclasses import asdict, replace
from pathlib import Path

import torch

from ..base.config import SamplerConfig
from ..base.data import load_fashion_mnist
from ..base.fileio import sha256_file, write_json
from ..modelling.models import NUM_CLASSES
from ..modelling.priors import encode_dataset
from ..training import runs
from .classifier import load_classifier, predict
from .extensions import gmm_draws
from .generate import decode_means
from .metrics import sample_quality

CONTROL = "gmm_control.json"
SOURCES = ("means", "samples", "samples_sized")
"""what each mixture is fitted to: the posterior means (the extensions' GMM), one posterior sample per image (sizes
by BIC), or those samples with every class's size fixed at the means' largest"""


def control_key(run_dir, classifier_dir, config: SamplerConfig) -> dict:
    return {"gmm_components": list(config.gmm_components), "seed": config.seed,
            "samples_per_class": config.samples_per_class, "test_subset": config.test_subset,
            "train_subset": config.train_subset, "model_sha256": sha256_file(Path(run_dir) / runs.MODEL),
            "classifier_sha256": sha256_file(Path(classifier_dir) / runs.MODEL)}


def gmm_control(run_dir, classifier_dir, config: SamplerConfig = SamplerConfig(), *, data=None, device="cpu") -> dict:
    """{"key", "means": {...}, "samples": {...}, "samples_sized": {...}} for one finished run whose prior is
    N(0, I): each fit's sample quality, its sizes per class and the spread of its draws (and of the codes it was
    fitted to). A cached file of the same key keeps its fits; only a fit it lacks is computed."""
    run_dir = Path(run_dir)
    runs.require_finished(run_dir)
    key = control_key(run_dir, classifier_dir, config)
    path = run_dir / CONTROL
    cached = runs.read_json(path) if path.exists() else {}
    if cached.get("key") == key and all(s in cached for s in SOURCES):
        return cached
    data = data if data is not None else load_fashion_mnist()
    run_config, model = runs.load_model(run_dir, map_location=device)
    if run_config.extension not in ("none", "vaegan"):
        raise ValueError(f"{run_dir} has the {run_config.extension!r} prior, not N(0, I): no GMM sampler applies")
    classifier = load_classifier(classifier_dir, device)
    x, y = data.test_images[:config.test_subset or None], data.test_labels[:config.test_subset or None]
    test_features = predict(classifier, x)[1]
    fit_images = data.train_images[:config.train_subset or None]
    fit_labels = data.train_labels[:config.train_subset or None]
    mu, log_var = encode_dataset(model, fit_images, fit_labels)
    eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(config.seed))
    codes = {"means": mu, "samples": mu + (0.5 * log_var).exp() * eps}
    labels = torch.arange(NUM_CLASSES).repeat_interleave(config.samples_per_class)
    codes["samples_sized"] = codes["samples"]
    out = {"key": key, **{s: cached[s] for s in SOURCES if cached.get("key") == key and s in cached}}
    for source in SOURCES:
        if source in out:
            continue
        fit = config  # the extensions' GMM sampler itself; the sized fit: one size, the means' largest, per class
        if source == "samples_sized":
            fit = replace(config, gmm_components=(max(out["means"]["components"]),))
        z, detail = gmm_draws(codes[source], fit_labels, labels, fit)
        images = decode_means(model, z, labels, run_config.likelihood)
        out[source] = {**sample_quality(classifier, images, labels, x, y, test_features),
                       "components": detail["components"],
                       "draw_std": float(z.std(0).mean()), "code_std": float(codes[source].std(0).mean())}
    write_json(path, out)
    return out


def sampler_config_of(run_dir) -> SamplerConfig:
    """The sampler config a run's samplers.json was scored with, so that the control's "means" fit repeats it."""
    key = runs.read_json(Path(run_dir) / runs.SAMPLERS)["key"]
    fields = set(asdict(SamplerConfig()))
    return SamplerConfig(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in key.items() if k in fields})
