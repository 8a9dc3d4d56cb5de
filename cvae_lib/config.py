"""One typed config per training run, validated before any work is done."""
import dataclasses
import math
import os
from dataclasses import dataclass, field
from typing import Optional

from .losses import LIKELIHOODS
from .models import MODELS

DEVICES = ("auto", "cpu", "cuda", "cuda:N", "mps")


class ConfigError(ValueError):
    """A parameter is invalid; the message names it, the value given and what is allowed."""


@dataclass(frozen=True)
class TrainConfig:
    architecture: str = "mlp"
    """model from the registry: "mlp" (the seed's CVAE) or "conv" (the seed's ConvCVAE)"""
    epochs: int = 50
    """passes over the training set (the seed: 50)"""
    batch_size: int = 128
    """images per optimizer step (the seed: 128)"""
    learning_rate: float = 1e-3
    """Adam's step size (the seed: 1e-3)"""
    latent_size: int = 64
    """dimension of z (the seed: 64)"""
    beta: float = 1.0
    """weight of the KL term; 1 is the plain ELBO (the seed), other values give a beta-VAE"""
    seed: int = 0
    """drives every random source: initialization, shuffling, reparameterization noise"""
    device: str = "auto"
    """"auto" (CUDA when present, else CPU), "cpu", "cuda", "cuda:N" or "mps\""""
    data_dir: Optional[str] = field(default=None, compare=False)
    """folder with the four FashionMNIST IDX files; None searches the usual places (see cvae_lib.data)"""
    train_subset: int = 0
    """train on the first N training images only; 0 uses all 60,000"""
    test_subset: int = 0
    """evaluate on the first N test images only; 0 uses all 10,000"""
    likelihood: str = "bernoulli"
    """decoder likelihood: bernoulli (the seed's BCE), continuous_bernoulli, gaussian or gaussian_learned"""
    gaussian_sigma: float = 0.1
    """pixel standard deviation of the gaussian likelihood, and the start value of gaussian_learned"""
    kl_warmup_epochs: int = 0
    """the KL weight rises linearly from 0 to beta over this many epochs (per step); 0: no warm-up"""

    def __post_init__(self):
        validate(self)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "TrainConfig":
        unknown = sorted(set(values) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise ConfigError(f"unknown config field(s) {unknown}; known fields: {field_names()}")
        return cls(**values)


def field_names() -> list:
    return [f.name for f in dataclasses.fields(TrainConfig)]


def field_docs() -> dict:
    """Field name -> its one-line doc (the string literal under each field above)."""
    import ast
    import inspect
    tree = ast.parse(inspect.getsource(TrainConfig))
    body = tree.body[0].body
    docs = {}
    for node, nxt in zip(body, body[1:]):
        if isinstance(node, ast.AnnAssign) and isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant):
            docs[node.target.id] = nxt.value.value
    return docs


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{name} must be a positive integer, got {value!r}")


def _nonnegative_int(name, value, meaning):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{name} must be a non-negative integer ({meaning}), got {value!r}")


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def validate(config: TrainConfig) -> None:
    if config.architecture not in MODELS:
        raise ConfigError(f"architecture must be one of {sorted(MODELS)}, got {config.architecture!r}")
    for name in ("epochs", "batch_size", "latent_size"):
        _positive_int(name, getattr(config, name))
    if not _is_number(config.learning_rate) or config.learning_rate <= 0:
        raise ConfigError(f"learning_rate must be a positive number, got {config.learning_rate!r}")
    if not _is_number(config.beta) or config.beta < 0:
        raise ConfigError(f"beta must be a non-negative number (1 is the plain ELBO), got {config.beta!r}")
    if isinstance(config.seed, bool) or not isinstance(config.seed, int) or not 0 <= config.seed < 2**63:
        raise ConfigError(f"seed must be an integer in [0, 2**63), got {config.seed!r}")
    _nonnegative_int("train_subset", config.train_subset, "0 uses all 60,000 images")
    _nonnegative_int("test_subset", config.test_subset, "0 uses all 10,000 images")
    if config.likelihood not in LIKELIHOODS:
        raise ConfigError(f"likelihood must be one of {list(LIKELIHOODS)}, got {config.likelihood!r}")
    if not _is_number(config.gaussian_sigma) or config.gaussian_sigma <= 0:
        raise ConfigError(f"gaussian_sigma must be a positive number, got {config.gaussian_sigma!r}")
    _nonnegative_int("kl_warmup_epochs", config.kl_warmup_epochs, "0 disables the warm-up")
    check_device(config.device)
    if config.data_dir is not None and not os.path.isdir(config.data_dir):
        raise ConfigError(f"data_dir must be an existing directory, got {config.data_dir!r} "
                          "(use None to search the usual places)")


def check_device(device) -> None:
    ok = isinstance(device, str) and (
        device in ("auto", "cpu", "cuda", "mps")
        or (device.startswith("cuda:") and device[5:].isdigit()))
    if not ok:
        raise ConfigError(f"device must be one of {list(DEVICES)}, got {device!r}")


def resolve_device(device: str):
    """The torch.device for a validated device string; a requested accelerator must be present."""
    import torch
    check_device(device)
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ConfigError(f"device {device!r} was requested but CUDA is not available here; "
                              "use device='auto' or 'cpu'")
        index = int(device[5:]) if ":" in device else 0
        if index >= torch.cuda.device_count():
            raise ConfigError(f"device {device!r} was requested but only {torch.cuda.device_count()} "
                              "CUDA device(s) exist")
    if device == "mps" and not torch.backends.mps.is_available():
        raise ConfigError("device 'mps' was requested but MPS is not available here; use 'auto' or 'cpu'")
    return torch.device(device)
