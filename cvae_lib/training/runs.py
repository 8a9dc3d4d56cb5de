"""Run folders: what a training run leaves on disk, written atomically and read back safely.

A run folder holds:
    config.json       the TrainConfig
    environment.json  Python/torch/torchvision versions, device, data checksums, git commit
    status.json       {"status": "running" | "finished" | "failed", ...}
    state.pt          resume checkpoint (model, optimizer, RNG states, history), every epoch;
                      removed once the run has finished
    history.csv       per-epoch train and test losses (nats per image) and seconds
    model.pt          the final state dict, as the seed saved it; for a Gaussian likelihood with one more
                      entry, "likelihood.log_sigma" (learned for "gaussian_learned"); an extension's own
                      modules under "vamp." (VampPrior) or "discriminator." (VAE-GAN)
    metrics.json      the evaluation (metrics.py), with the settings and hashes it was computed from
    samplers.json     the latent samplers applied to the trained model (extensions.py), likewise
    sampler_samples.pt  a few of each sampler's images, 8-bit, for figures
    summary.json      the run in numbers (compare.summarize)
    figures/          the run's figures (FIGURE_NAMES)
Folders written before model.pt held log sigma keep it in likelihood.json, which load_model still reads.
This module is the only one that spells these names.
"""
import csv
import io
import json
import math
import platform
import subprocess
import sys
from pathlib import Path

import torch

from ..base.config import ConfigError, TrainConfig
from ..base.fileio import atomic_write_bytes, write_json  # noqa: F401 (run-folder files are written through runs)
from ..modelling.losses import Likelihood
from ..modelling.models import build_model

CONFIG, ENVIRONMENT, STATUS, STATE, HISTORY, MODEL, LIKELIHOOD = (
    "config.json", "environment.json", "status.json", "state.pt", "history.csv", "model.pt", "likelihood.json")
METRICS, SUMMARY, REFERENCE, FIGURES = "metrics.json", "summary.json", "reference.json", "figures"
SAMPLERS, SAMPLER_IMAGES = "samplers.json", "sampler_samples.pt"
FIGURE_NAMES = ("loss_curves", "generation", "reconstruction", "interpolation", "label_swap", "per_class_metrics")
LOG_SIGMA_KEY = "likelihood.log_sigma"


PROJECT = Path(__file__).resolve().parents[2]


def project_root() -> Path:
    """The checkout this package lives in (pyproject.toml beside it), else the working directory: default
    run folders go there, never to a path relative to wherever a notebook happens to run."""
    return PROJECT if (PROJECT / "pyproject.toml").is_file() else Path.cwd()


def default_run_dir(name: str) -> Path:
    """runs/<name> in the project: the git-ignored home of runs made outside the report."""
    return project_root() / "runs" / name


COMMITTED_CLASSIFIER = PROJECT / "report" / "runs" / "classifier"
"""the report's evaluation classifier, whose weights are in git (ensure_classifier reuses them)"""


class RunError(RuntimeError):
    """A run folder is missing, corrupt, failed, unfinished or belongs to another config."""


class CheckpointError(RunError):
    """A checkpoint cannot be loaded: truncated, unsafe, or for another architecture or latent size."""


def read_json(path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise RunError(f"{path} is missing")
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise RunError(f"{path} is corrupt or truncated ({e}); delete the run folder and rerun") from e


def save_torch(path, obj) -> None:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    atomic_write_bytes(Path(path), buffer.getvalue())


def load_torch(path, map_location="cpu"):
    """torch.load with weights_only=True (no code runs), with a clear error for a bad file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} is missing")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as e:  # torch raises RuntimeError, UnpicklingError, EOFError, ... for bad files
        raise CheckpointError(f"checkpoint {path} cannot be loaded safely: it is truncated, corrupt, or holds "
                              f"objects other than tensors ({type(e).__name__}: {str(e).splitlines()[0]})") from e


def read_config(run_dir) -> TrainConfig:
    path = Path(run_dir) / CONFIG
    try:
        return TrainConfig.from_dict(read_json(path))
    except (ConfigError, TypeError) as e:
        raise RunError(f"{path} is not a valid config: {e}") from e


def config_differences(a: TrainConfig, b: TrainConfig) -> list:
    """The fields (those that change results; data_dir does not) where two configs differ."""
    da, db = a.to_dict(), b.to_dict()
    return [f"{k}: {da[k]!r} != {db[k]!r}" for k in da if k != "data_dir" and da[k] != db[k]]


def read_status(run_dir) -> dict:
    path = Path(run_dir) / STATUS
    return read_json(path) if path.exists() else {"status": "absent"}


def load_state_dict_strict(model, state_dict, source) -> None:
    """Load a state dict, refusing it with the missing, unexpected and mis-shaped keys named."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(own))
    shapes = sorted(f"{k}: {tuple(state_dict[k].shape)} vs {tuple(own[k].shape)}"
                    for k in set(own) & set(state_dict) if state_dict[k].shape != own[k].shape)
    if missing or unexpected or shapes:
        raise CheckpointError(
            f"{source} does not fit {type(model).__name__}(latent_size={model.latent_size}): "
            f"missing keys {missing}, unexpected keys {unexpected}, shape mismatches {shapes}. "
            "It was saved for another architecture or latent size.")
    model.load_state_dict(state_dict, strict=True)


def figure(run_dir, name: str) -> Path:
    """The path of one of a run's figures (FIGURE_NAMES), e.g. figure(run_dir, "generation")."""
    return Path(run_dir) / FIGURES / f"{name}.png"


def save_model(run_dir, model, likelihood: Likelihood, discriminator=None) -> None:
    """model.pt: the state dict (loadable into the seed's classes; a VampPrior's pseudo-images under "vamp."),
    plus log sigma for a Gaussian likelihood, plus a VAE-GAN's discriminator under "discriminator."."""
    state = model.state_dict()
    if likelihood.name.startswith("gaussian"):
        state[LOG_SIGMA_KEY] = likelihood.log_sigma.detach().cpu().reshape(())
    if discriminator is not None:
        state.update({f"discriminator.{k}": v for k, v in discriminator.state_dict().items()})
    save_torch(Path(run_dir) / MODEL, state)


def _discriminator_entries(state: dict, config: TrainConfig, source) -> None:
    """Remove a VAE-GAN's "discriminator." entries from ``state``, checking that they load into a Discriminator
    (evaluation needs the generator only)."""
    own = {k[len("discriminator."):]: state.pop(k) for k in list(state) if k.startswith("discriminator.")}
    if config.extension != "vaegan":
        return
    from ..modelling.vaegan import Discriminator
    try:
        Discriminator().load_state_dict(own, strict=True)
    except RuntimeError as e:
        raise CheckpointError(f"{source}: the discriminator entries do not fit ({str(e).splitlines()[0]})") from e


def build_run_model(config: TrainConfig):
    """The seed's model for a config, with the prior an extension trains as part of it (model.vamp, a
    VampPrior, registered as a submodule: its pseudo-images count among the model's parameters)."""
    model = build_model(config.architecture, config.latent_size)
    if config.extension == "vampprior":
        from ..modelling.priors import VampPrior
        model.vamp = VampPrior(config.vamp_pseudo_inputs)
    return model


def load_model(run_dir, map_location="cpu"):
    """(config, model) rebuilt from a finished run folder's files alone; ``model.likelihood`` is its
    decoder likelihood (a losses.Likelihood with the learned or fixed log sigma)."""
    run_dir = Path(run_dir)
    config = read_config(run_dir)
    model = build_run_model(config)
    state = load_torch(run_dir / MODEL, map_location)
    log_sigma = state.pop(LOG_SIGMA_KEY, None)
    _discriminator_entries(state, config, run_dir / MODEL)
    if log_sigma is None and (run_dir / LIKELIHOOD).exists():  # folders from before log sigma was in model.pt
        log_sigma = torch.tensor(read_json(run_dir / LIKELIHOOD)["log_sigma"])
    if log_sigma is None:
        log_sigma = torch.tensor(math.log(config.gaussian_sigma))
    load_state_dict_strict(model, state, run_dir / MODEL)
    model = model.to(map_location).eval()
    model.likelihood = Likelihood(config.likelihood, log_sigma.to(map_location))
    return config, model


def require_finished(run_dir) -> None:
    """Refuse a run that failed or has not finished, so it is never shown as a result."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise RunError(f"run folder {run_dir} does not exist")
    status = read_status(run_dir)
    if status["status"] == "failed":
        raise RunError(f"run {run_dir} failed and cannot be shown as a result: {status.get('error')}")
    if status["status"] != "finished":
        raise RunError(f"run {run_dir} has not finished (status {status['status']!r}, "
                       f"{status.get('epochs_done', 0)} epochs done); rerun the same command to resume it")


def write_history(path, history: list) -> None:
    out = io.StringIO()
    if history:
        writer = csv.DictWriter(out, fieldnames=list(history[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(history)
    atomic_write_bytes(Path(path), out.getvalue().encode())


def read_history(run_dir):
    import pandas as pd
    return pd.read_csv(Path(run_dir) / HISTORY)


def environment_record(device, data_source: str, data_sha256: dict) -> dict:
    import torchvision
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor(),
        "torch_threads": torch.get_num_threads(),
        "data_source": data_source,
        "data_sha256": data_sha256,
        "git_commit": git_commit(),
    }


def git_commit(directory=None) -> str:
    """The project's commit, with "+dirty" when tracked files outside report/ have uncommitted changes
    (the report's own pages change while it is rebuilt); "unknown" outside git. directory: a folder inside
    the repository (default: this package's)."""
    here = Path(directory) if directory is not None else Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True,
                              check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ":/",
                                ":(exclude,top)report"], cwd=here, capture_output=True, text=True,
                               timeout=10).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def ls_size(n_bytes: int) -> str:
    """A size as GNU ``ls -lh`` prints it: powers of 1024, rounded *up*, one decimal below 10."""
    if n_bytes < 1024:
        return str(n_bytes)
    value = float(n_bytes)
    for unit in "KMGTPE":
        value /= 1024
        tenths = math.ceil(round(value * 10, 6))
        if tenths < 100:
            return f"{tenths / 10:.1f}{unit}"
        if math.ceil(round(value, 6)) < 1024:
            return f"{math.ceil(round(value, 6))}{unit}"
    return f"{math.ceil(value)}E"


def state_dict_size(model) -> dict:
    """file_size of the model.pt a model's state dict makes (torch.save stores tensors uncompressed, so the
    size depends on the shapes and names only): for run folders whose weights are not kept."""
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    n = len(buffer.getvalue())
    return {"bytes": n, "mib": n / 2**20, "ls_h": ls_size(n)}


def file_size(path) -> dict:
    """Bytes, MiB and the ``ls -lh`` string of a file (the seed's "3.5M vs 2.8M" are the latter)."""
    n = Path(path).stat().st_size
    return {"bytes": n, "mib": n / 2**20, "ls_h": ls_size(n)}
