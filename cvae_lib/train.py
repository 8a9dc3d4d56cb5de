"""The seed's training recipe (Adam, lr 1e-3, batch 128, reshuffled every epoch), resumable.

Every epoch ends with an atomic checkpoint of everything the next epoch depends on (model,
optimizer, both RNG streams, history), so a run killed at any moment continues from its last
completed epoch and ends with the same weights and history, bit for bit on CPU, as a run never
interrupted. Data stay in memory as tensors (on the GPU when training there): no DataLoader and
no per-image Python work.
"""
import math
import time
from pathlib import Path

import torch
from tqdm import tqdm

from . import runs
from .config import TrainConfig, resolve_device
from .data import load_fashion_mnist
from .losses import Likelihood, evaluate_loss, negative_elbo
from .models import one_hot, reparameterize
from .priors import log_prior_fn, vamp_negative_elbo
from .vaegan import VAEGANTraining

TERMS = ("total", "reconstruction", "kl")
GAN_TERMS = ("generator_gan", "discriminator")
"""the VAE-GAN's other two losses, logged after TERMS (there: total = the encoder's loss, reconstruction =
the discriminator-feature distance)"""


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the run folder is marked failed, its last good checkpoint kept."""


def train(config: TrainConfig, run_dir, *, data=None, progress: bool = True) -> Path:
    """Train (or resume, or reuse when finished) the run ``config`` in ``run_dir``; returns the folder."""
    run_dir = Path(run_dir)
    if (run_dir / runs.CONFIG).exists():
        diffs = runs.config_differences(runs.read_config(run_dir), config)
        if diffs:
            raise runs.RunError(f"run folder {run_dir} holds another config ({'; '.join(diffs)}); "
                                "choose another run_dir or delete that folder")
        status = runs.read_status(run_dir)
        if status["status"] == "finished" and (run_dir / runs.MODEL).exists():
            return run_dir
        if status["status"] == "finished":  # e.g. a report run from git, whose weights are not kept there
            print(f"{run_dir} is finished but has no {runs.MODEL}: training it again from its config", flush=True)
        if status["status"] == "failed":
            raise runs.RunError(f"run folder {run_dir} holds a failed run ({status.get('error')}); "
                                "delete it or change the config before training again")
    device = resolve_device(config.device)
    data = data if data is not None else load_fashion_mnist(config.data_dir)
    train_x, train_y = _subset(data.train_images, data.train_labels, config.train_subset, device)
    test_x, test_y = _subset(data.test_images, data.test_labels, config.test_subset, device)

    run_dir.mkdir(parents=True, exist_ok=True)
    runs.write_json(run_dir / runs.CONFIG, config.to_dict())
    runs.write_json(run_dir / runs.ENVIRONMENT, runs.environment_record(device, data.source, data.sha256))

    model, optimizer, log_sigma = make_model_and_optimizer(config, device)
    shuffle_gen = torch.Generator(device).manual_seed(config.seed)
    noise_gen = torch.Generator(device).manual_seed(config.seed + 1)
    history, start = [], 0
    if (run_dir / runs.STATE).exists():
        state = runs.load_torch(run_dir / runs.STATE, map_location=device)
        runs.load_state_dict_strict(model, state["model"], run_dir / runs.STATE)
        optimizer.load_state_dict(state["optimizer"])
        shuffle_gen.set_state(state["rng"]["shuffle"].cpu())
        noise_gen.set_state(state["rng"]["noise"].cpu())
        history, start = state["history"], state["epoch"]
        if "log_sigma" in state:  # checkpoints from before the likelihood option hold Bernoulli runs only
            with torch.no_grad():
                log_sigma.copy_(state["log_sigma"])
    runs.write_json(run_dir / runs.STATUS, {"status": "running", "epochs_done": start})

    bar = tqdm(range(start, config.epochs), initial=start, total=config.epochs, disable=not progress,
               desc=f"{config.architecture} seed {config.seed}", unit="epoch")
    for epoch in bar:
        t0 = time.perf_counter()
        terms = train_epoch(model, optimizer, train_x, train_y, config, shuffle_gen, noise_gen, log_sigma, epoch)
        seconds = time.perf_counter() - t0
        _check_finite(terms, epoch, run_dir)
        eval_gen = torch.Generator(device).manual_seed(config.seed + 2 + epoch)
        t1 = time.perf_counter()
        test_terms = evaluate_loss(model, test_x, test_y, config.beta, eval_gen, config.likelihood, log_sigma,
                                   log_prior=log_prior_fn(model) if config.extension == "vampprior" else None)
        row = {"epoch": epoch + 1, **{f"train_{k}": v for k, v in zip(TERMS + GAN_TERMS, epoch_means(terms))},
               **{f"test_{k}": v for k, v in test_terms.items()},
               "seconds": seconds, "eval_seconds": time.perf_counter() - t1}
        history.append(row)
        runs.save_torch(run_dir / runs.STATE, {
            "model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch + 1,
            "history": history, "log_sigma": log_sigma.detach(),
            "rng": {"shuffle": shuffle_gen.get_state(), "noise": noise_gen.get_state()}})
        runs.write_history(run_dir / runs.HISTORY, history)
        runs.write_json(run_dir / runs.STATUS, {"status": "running", "epochs_done": epoch + 1})
        bar.set_postfix(train=f"{row['train_total']:.2f}", test=f"{row['test_total']:.2f}", s=f"{seconds:.1f}")

    runs.save_model(run_dir, model, Likelihood(config.likelihood, log_sigma),
                    optimizer.discriminator if isinstance(optimizer, VAEGANTraining) else None)
    runs.write_history(run_dir / runs.HISTORY, history)
    runs.write_json(run_dir / runs.STATUS, {"status": "finished", "epochs_done": config.epochs})
    (run_dir / runs.STATE).unlink(missing_ok=True)
    return run_dir


def make_model_and_optimizer(config: TrainConfig, device):
    """The seed's model (initialized from config.seed; with its VampPrior for that extension), Adam set up for
    speed without changing the math (for a VAE-GAN: a VAEGANTraining, discriminator and three RMSprop), and
    the decoder's log sigma (learned only for the "gaussian_learned" likelihood)."""
    torch.manual_seed(config.seed)
    model = runs.build_run_model(config).to(device)
    for module in model.modules():  # NHWC convolutions: ~6% faster on CPU (not the VampPrior's 5-d images)
        if isinstance(module, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
            module.to(memory_format=torch.channels_last)
    # Fused Adam: the same update in one kernel per step, ~15% faster for the MLP on CPU.
    log_sigma = torch.tensor(math.log(config.gaussian_sigma), device=device,
                             requires_grad=config.likelihood == "gaussian_learned")
    if config.extension == "vaegan":
        return model, VAEGANTraining(model, config.learning_rate, config.gan_gamma, device), log_sigma
    params = list(model.parameters()) + ([log_sigma] if log_sigma.requires_grad else [])
    optimizer = torch.optim.Adam(params, lr=config.learning_rate, fused=device.type in ("cpu", "cuda") or None)
    return model, optimizer, log_sigma


def kl_weight(beta: float, warmup_epochs: int, epoch: int, batch: int, batches_per_epoch: int) -> float:
    """beta, ramped linearly per step from beta / steps to beta over the first ``warmup_epochs`` epochs."""
    if warmup_epochs == 0:
        return beta
    step = epoch * batches_per_epoch + batch + 1
    return beta * min(1.0, step / (warmup_epochs * batches_per_epoch))


def _subset(images, labels, n, device):
    if n:
        images, labels = images[:n], labels[:n]
    return images.to(device), labels.to(device)


def train_epoch(model, optimizer, images, labels, config, shuffle_gen, noise_gen, log_sigma=None, epoch: int = 0):
    """One pass in a fresh random order; returns the per-batch (total, reconstruction, kl, images) terms, and
    for a VAE-GAN the GAN_TERMS after them."""
    model.train()
    n = images.shape[0]
    order = torch.randperm(n, generator=shuffle_gen, device=images.device)
    batches = math.ceil(n / config.batch_size)
    gan = isinstance(optimizer, VAEGANTraining)
    # Loss terms stay on the device and are checked once per epoch: no host sync per step on a GPU.
    terms = torch.empty(batches, 6 if gan else 4, device=images.device)
    for i, start in enumerate(range(0, n, config.batch_size)):
        idx = order[start:start + config.batch_size]
        terms[i, 3] = idx.numel()
        if gan:
            losses = optimizer.step(model, images[idx], labels[idx], noise_gen)
            terms[i, :3] = torch.stack([losses.encoder, losses.feature_reconstruction, losses.kl])
            terms[i, 4:] = torch.stack([losses.generator_gan, losses.discriminator])
            continue
        beta = kl_weight(config.beta, config.kl_warmup_epochs, epoch, i, batches)
        if config.extension == "vampprior":
            loss = vamp_negative_elbo(model, model.vamp, images[idx], labels[idx], beta, config.likelihood,
                                      log_sigma, noise_gen)
        else:
            x, y = images[idx], one_hot(labels[idx])
            mu, log_var = model.encode(x, y)
            logits = model.decode_logits(reparameterize(mu, log_var, noise_gen), y)
            loss = negative_elbo(logits, x, mu, log_var, beta, config.likelihood, log_sigma)
        optimizer.zero_grad(set_to_none=True)
        loss.total.backward()
        optimizer.step()
        terms[i, :3] = torch.stack(loss).detach()
    return terms.cpu()


def _check_finite(terms, epoch, run_dir):
    bad = ~torch.isfinite(terms[:, :3])
    if bad.any():
        batch = int(bad.any(1).nonzero()[0])
        which = [TERMS[j] for j in range(3) if bad[batch, j]]
        message = (f"loss became non-finite in epoch {epoch + 1}, batch {batch + 1}: "
                   f"{', '.join(which)} = {', '.join(str(float(terms[batch, TERMS.index(w)])) for w in which)}; "
                   f"the last good checkpoint (epoch {epoch}) is kept. Lower the learning rate.")
        runs.write_json(run_dir / runs.STATUS, {"status": "failed", "epochs_done": epoch, "error": message})
        raise TrainingDiverged(message)


def epoch_means(terms):
    """Image-weighted means of per-batch terms (the last batch may be smaller); column 3 holds the weights."""
    weights = terms[:, 3]
    return [float((terms[:, j] * weights).sum() / weights.sum()) for j in range(terms.shape[1]) if j != 3]
