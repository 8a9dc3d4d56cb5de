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
from ..base.config import TrainConfig, resolve_device
from ..base.data import load_fashion_mnist
from ..modelling.losses import Likelihood, evaluate_loss
from .objectives import OBJECTIVES, initial_log_sigma, training_version

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
        reason = training_needed(config, run_dir)
        if not reason:
            return run_dir
        if status["status"] == "finished":
            print(f"{run_dir}: {reason}; training it again from its config", flush=True)
            (run_dir / runs.STATE).unlink(missing_ok=True)
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
    version = training_version(config)
    state = runs.load_torch(run_dir / runs.STATE, map_location=device) if (run_dir / runs.STATE).exists() else None
    if state is not None and state.get("training_version", baseline_version(config)) != version:
        print(f"{run_dir}: the checkpoint is from training version {state.get('training_version')}, the code is at "
              f"{version}; starting again", flush=True)
        state = None
    if state is not None:
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
                                   log_prior=OBJECTIVES[config.extension].test_prior(model))
        row = {"epoch": epoch + 1, **{f"train_{k}": v for k, v in zip(TERMS + GAN_TERMS, epoch_means(terms))},
               **{f"test_{k}": v for k, v in test_terms.items()},
               "seconds": seconds, "eval_seconds": time.perf_counter() - t1}
        history.append(row)
        runs.save_torch(run_dir / runs.STATE, {
            "model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch + 1,
            "history": history, "log_sigma": log_sigma.detach(), "training_version": version,
            "rng": {"shuffle": shuffle_gen.get_state(), "noise": noise_gen.get_state()}})
        runs.write_history(run_dir / runs.HISTORY, history)
        runs.write_json(run_dir / runs.STATUS, {"status": "running", "epochs_done": epoch + 1})
        bar.set_postfix(train=f"{row['train_total']:.2f}", test=f"{row['test_total']:.2f}", s=f"{seconds:.1f}")

    runs.save_model(run_dir, model, Likelihood(config.likelihood, log_sigma),
                    getattr(optimizer, "discriminator", None))
    runs.write_history(run_dir / runs.HISTORY, history)
    runs.write_json(run_dir / runs.STATUS, {"status": "finished", "epochs_done": config.epochs,
                                            "training_version": version})
    (run_dir / runs.STATE).unlink(missing_ok=True)
    return run_dir


def baseline_version(config) -> dict:
    """The training version of folders finished before versions were recorded: every version's first."""
    return {"trainer": 1, config.extension: 1}


def training_needed(config: TrainConfig, run_dir) -> str:
    """Why ``train(config, run_dir)`` would train ("" when it reuses the finished run): no run yet, weights
    missing, trained by another training version, or unfinished."""
    run_dir = Path(run_dir)
    status = runs.read_status(run_dir)
    if status["status"] == "absent" or not (run_dir / runs.CONFIG).exists():
        return "not trained yet"
    if status["status"] == "running":
        return f"unfinished ({status.get('epochs_done', 0)} of {config.epochs} epochs)"
    if status["status"] == "failed":
        return f"failed: {status.get('error')}"
    recorded = status.get("training_version", baseline_version(config))
    if recorded != training_version(config):
        return f"trained by training version {recorded}, the code is at {training_version(config)}"
    if not (run_dir / runs.MODEL).exists():
        return f"weights ({runs.MODEL}) missing"
    return ""


def expected_seconds(config: TrainConfig, run_dir, device, fallback: dict = None):
    """Seconds training ``config`` would take here: the run's own history.csv when it was recorded on this kind
    of device (epoch plus test-loss time, for the epochs not done), else ``fallback``'s seconds per epoch for
    "architecture/extension" (benchmarks' extension_cost.json), else None."""
    run_dir = Path(run_dir)
    status = runs.read_status(run_dir)
    done = status.get("epochs_done", 0) if status["status"] == "running" else 0
    env = runs.read_json(run_dir / runs.ENVIRONMENT) if (run_dir / runs.ENVIRONMENT).exists() else {}
    if (run_dir / runs.HISTORY).exists() and env.get("device", "").split(":")[0] == device.type:
        history = runs.read_history(run_dir)
        if len(history):
            return float((history.seconds + history.eval_seconds).mean()) * (config.epochs - done)
    per_epoch = (fallback or {}).get(f"{config.architecture}/{config.extension}")
    return per_epoch * (config.epochs - done) if per_epoch else None


def make_model_and_optimizer(config: TrainConfig, device):
    """The seed's model (initialized from config.seed; with its VampPrior for that extension), its objective's
    optimizer (Adam; for a VAE-GAN a VAEGANTraining: discriminator and three RMSprop), and the decoder's log
    sigma (learned only for the "gaussian_learned" likelihood)."""
    torch.manual_seed(config.seed)
    model = runs.build_run_model(config).to(device)
    for module in model.modules():  # NHWC convolutions: ~6% faster on CPU (not the VampPrior's 5-d images)
        if isinstance(module, (torch.nn.Conv2d, torch.nn.ConvTranspose2d)):
            module.to(memory_format=torch.channels_last)
    log_sigma = initial_log_sigma(config, device)
    return model, OBJECTIVES[config.extension].optimizer(model, config, device, log_sigma), log_sigma


def kl_weight(beta: float, warmup_epochs: int, epoch: int, batch: int, batches_per_epoch: int) -> float:
    """beta, ramped linearly per step from beta / steps to beta over the first ``warmup_epochs`` epochs."""
    if warmup_epochs == 0:
        return beta
    step = epoch * batches_per_epoch + batch + 1
    return beta * min(1.0, step / (warmup_epochs * batches_per_epoch))


def end_losses(run_dir, data, device="cpu") -> dict:
    """A finished run's final weights scored the same way on its training and its test images: {"train", "test"}:
    -ELBO per image, one z per image from the generator the trainer drew the last epoch's test loss with (so "test"
    is history.csv's last test_total). history.csv's train_total is not comparable with it: it averages the last
    epoch's batches while the weights still move, in training mode."""
    config, model = runs.load_model(run_dir, map_location=device)
    device = torch.device(device)
    out = {}
    for name, images, labels, n in (("train", data.train_images, data.train_labels, config.train_subset),
                                    ("test", data.test_images, data.test_labels, config.test_subset)):
        x, y = _subset(images, labels, n, device)
        generator = torch.Generator(device).manual_seed(config.seed + 1 + config.epochs)  # the last epoch's
        with torch.no_grad():
            out[name] = evaluate_loss(model, x, y, config.beta, generator, config.likelihood, model.likelihood.log_sigma,
                                      log_prior=OBJECTIVES[config.extension].test_prior(model))["total"]
    return out


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
    objective = OBJECTIVES[config.extension]
    # Loss terms stay on the device and are checked once per epoch: no host sync per step on a GPU.
    terms = torch.empty(batches, objective.terms + 1, device=images.device)
    for i, start in enumerate(range(0, n, config.batch_size)):
        idx = order[start:start + config.batch_size]
        beta = kl_weight(config.beta, config.kl_warmup_epochs, epoch, i, batches)
        row = objective.step(model, optimizer, images[idx], labels[idx], config, beta, noise_gen, log_sigma)
        terms[i, :3], terms[i, 3], terms[i, 4:] = row[:3], idx.numel(), row[3:]
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
