"""What a training run minimizes, per extension: the registry the trainer looks up by ``config.extension``.

    none       the seed's -ELBO (BCE or another likelihood + beta * closed-form KL), Adam
    vampprior  -ELBO under a learned per-class VampPrior (single-sample KL), Adam over the model and prior
    vaegan     the VAE-GAN's three losses, encoder, decoder and discriminator each with its own RMSprop

Each entry carries its ``version``: the training version of that objective. Trained weights are cached on
``training_version(config)`` (keys.py says why versions, not bytes): bump an objective's version, or
TRAINER_VERSION for the loop all of them share, with the change that alters the weights a config trains to;
tests/test_versions.py holds a fingerprint of each version and fails when the numbers move without a bump.
"""
import math
from dataclasses import dataclass
from typing import Callable

import torch

from ..modelling.losses import negative_elbo
from ..modelling.models import one_hot, reparameterize
from ..modelling.priors import log_prior_fn, vamp_negative_elbo
from ..modelling.vaegan import VAEGANTraining

TRAINER_VERSION = 1
"""the loop every objective shares (train.train_epoch): data order, noise streams, per-epoch test loss"""


@dataclass(frozen=True)
class Objective:
    version: int
    """bumped when this objective's change alters the weights a config trains to"""
    optimizer: Callable
    """(model, config, device, log_sigma) -> the optimizer (or a VAEGANTraining holding three)"""
    step: Callable
    """(model, optimizer, x, labels, config, beta, noise_gen, log_sigma) -> this batch's loss terms, detached:
    (total, reconstruction, kl) and, for a VAE-GAN, (generator_gan, discriminator) after them"""
    test_prior: Callable
    """model -> log p(z | y) callable for the per-epoch test loss, or None for N(0, I) with the closed-form KL"""
    terms: int = 3
    """how many terms step returns"""


def _optimizer(model, config, device, log_sigma):
    """The seed's Adam, or with config.optimizer "rmsprop" the VAE-GAN's RMSprop (torch's defaults, as
    vaegan.vaegan_optimizers): one optimizer over every parameter, as RMSprop's update is per parameter."""
    params = list(model.parameters()) + ([log_sigma] if log_sigma.requires_grad else [])
    if config.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=config.learning_rate)
    # Fused Adam: the same update in one kernel per step, ~15% faster for the MLP on CPU.
    return torch.optim.Adam(params, lr=config.learning_rate, fused=device.type in ("cpu", "cuda") or None)


def _descend(optimizer, loss):
    optimizer.zero_grad(set_to_none=True)
    loss.total.backward()
    optimizer.step()
    return torch.stack(loss).detach()


def _elbo_step(model, optimizer, x, labels, config, beta, noise_gen, log_sigma):
    y = one_hot(labels)
    mu, log_var = model.encode(x, y)
    logits = model.decode_logits(reparameterize(mu, log_var, noise_gen), y)
    return _descend(optimizer, negative_elbo(logits, x, mu, log_var, beta, config.likelihood, log_sigma))


def _vamp_step(model, optimizer, x, labels, config, beta, noise_gen, log_sigma):
    return _descend(optimizer, vamp_negative_elbo(model, model.vamp, x, labels, beta, config.likelihood, log_sigma,
                                                  noise_gen))


def _vaegan_optimizer(model, config, device, log_sigma):
    return VAEGANTraining(model, config.learning_rate, config.gan_gamma, device, config.gan_ablation)


def _vaegan_step(model, optimizer, x, labels, config, beta, noise_gen, log_sigma):
    losses = optimizer.step(model, x, labels, noise_gen)
    return torch.stack([losses.encoder, losses.feature_reconstruction, losses.kl, losses.generator_gan,
                        losses.discriminator])


OBJECTIVES = {
    "none": Objective(1, _optimizer, _elbo_step, lambda model: None),
    "vampprior": Objective(1, _optimizer, _vamp_step, log_prior_fn),
    "vaegan": Objective(1, _vaegan_optimizer, _vaegan_step, lambda model: None, terms=5),
}


def training_version(config) -> dict:
    """What the weights of ``config`` are keyed on besides the config: the shared loop's version and its
    objective's."""
    return {"trainer": TRAINER_VERSION, config.extension: OBJECTIVES[config.extension].version}


def initial_log_sigma(config, device) -> torch.Tensor:
    """The decoder's log sigma: learned only for the "gaussian_learned" likelihood."""
    return torch.tensor(math.log(config.gaussian_sigma), device=device,
                        requires_grad=config.likelihood == "gaussian_learned")
