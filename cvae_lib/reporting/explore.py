"""Samples of any committed run on demand, for notebooks/explore.ipynb: no training, only decoding.

    runs_with_weights(root)          the run folders whose weights are in the repository
    explore_samples(model, ...)      n samples of one class from a chosen latent sampler, with an optional
                                     shift along one latent direction

Samplers: "prior" draws z ~ N(0, tau^2 I) for the seed's prior (a VampPrior run draws from its own mixture
prior, where tau does not apply); "gmm" and "two_stage" show the draws those samplers
were scored on (sampler_samples.pt, stored 8-bit), where the latent samplers were applied to the run.
"""
from pathlib import Path

import torch

from ..evaluation.generate import decode_means
from ..modelling.models import NUM_CLASSES
from ..modelling.priors import sample_prior, standard_normal

SAMPLERS = ("prior", "gmm", "two_stage")


def runs_with_weights(root) -> list:
    """Names of the CVAE run folders under ``root`` that hold model.pt (not the evaluation classifier's)."""
    from ..training import runs
    return sorted(p.name for p in Path(root).iterdir() if (p / runs.MODEL).is_file() and (p / runs.CONFIG).is_file()
                  and "architecture" in runs.read_json(p / runs.CONFIG))


def stored_samplers(run_dir) -> list:
    """The samplers of SAMPLERS that can be shown for this run: "prior" always, the others where fitted."""
    from ..training import runs
    from ..evaluation.extensions import sampler_images
    path = Path(run_dir) / runs.SAMPLER_IMAGES
    shown = sampler_images(run_dir) if path.exists() else {}
    return ["prior"] + [k for k in SAMPLERS[1:] if k in shown]


@torch.inference_mode()
def explore_samples(model, label: int, n: int = 16, tau: float = 1.0, sampler: str = "prior", run_dir=None,
                    direction: int = 0, shift: float = 0.0, seed: int = 0) -> torch.Tensor:
    """(n, 1, 28, 28) decoder means of class ``label``: z from ``sampler`` (prior draws at temperature ``tau``),
    moved by ``shift`` along latent dimension ``direction``. The stored samplers ignore tau, direction and
    shift (their images were kept, not their latents) and give at most the draws that were kept."""
    if not 0 <= label < NUM_CLASSES:
        raise ValueError(f"label must be a class index 0-{NUM_CLASSES - 1}, got {label}")
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {SAMPLERS}, got {sampler!r}")
    if not 0 <= direction < model.latent_size:
        raise ValueError(f"direction must be a latent dimension 0-{model.latent_size - 1}, got {direction}")
    if sampler != "prior":
        from ..evaluation.extensions import sampler_images
        stored = sampler_images(run_dir)
        if sampler not in stored:
            raise ValueError(f"{run_dir} has no {sampler!r} samples; the latent samplers were not applied to it")
        return stored[sampler][label][:n]
    labels = torch.full((n,), label, dtype=torch.long)
    generator = torch.Generator().manual_seed(seed)
    if getattr(model, "vamp", None) is not None:
        z = sample_prior(model, labels, generator).cpu()
    else:
        z = tau * standard_normal((n, model.latent_size), generator)
    z[:, direction] += shift
    return decode_means(model, z, labels, model.likelihood.name)
