"""Every parameter of the project, declared once and validated before any work is done: TrainConfig (one run, saved
as its config.json), EvalConfig (how a finished run is evaluated; part of metrics.json's key), ClassifierConfig (the
evaluation classifier), RunSpec (a run's flat parameters), Scale (how much work the report pipeline does),
SamplerConfig (the latent samplers). Precedence everywhere: defaults here < a file (sweep YAML, notebook) < command line.
"""
import ast
import dataclasses
import inspect
import math
import os
from dataclasses import dataclass, field
from typing import Optional

# Names the layers above implement; this layer imports none of them, and tests check that they agree:
ARCHITECTURES = ("conv", "mlp")  # models.MODELS
LIKELIHOODS = ("bernoulli", "continuous_bernoulli", "gaussian", "gaussian_learned")  # losses.LIKELIHOODS
EXTENSIONS = ("none", "vampprior", "vaegan")  # trained with the model (samplers: cvae_lib.evaluation.extensions)
OPTIMIZERS = ("adam", "rmsprop")
GAN_ABLATIONS = ("none", "no_feature", "no_prior", "no_recon_gan")  # what a VAE-GAN run leaves out: modelling.vaegan.ABLATIONS
DEVICES, TRAIN_IMAGES = ("auto", "cpu", "cuda", "cuda:N", "mps"), 60_000
MAX_LATENT_SIZE = 4096  # a documented limit: the seed uses 64; a much larger code only slows every run down


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
    """folder with the four FashionMNIST IDX files; None searches the usual places (see cvae_lib.base.data)"""
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
    extension: str = "none"
    """"none" (the seed's CVAE), "vampprior" (a learned mixture prior per class) or "vaegan" (adversarial decoder)"""
    vamp_pseudo_inputs: int = 50
    """VampPrior: learned pseudo-images per class (Tomczak & Welling used 500 in all for MNIST)"""
    gan_gamma: float = 1.0
    """VAE-GAN: weight of the feature-space reconstruction in the decoder's loss, against the GAN term"""
    optimizer: str = "adam"
    """"adam" (the seed's) or "rmsprop" (the VAE-GAN's, which always uses it: a CVAE baseline with its optimizer)"""
    gan_ablation: str = "none"
    """VAE-GAN: "none" (all of Larsen et al.'s terms), "no_feature" (no feature reconstruction) or "no_prior" (no GAN term on prior samples)"""

    def __post_init__(self):
        validate(self)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "TrainConfig":
        unknown = sorted(set(values) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise ConfigError(f"unknown config field(s) {unknown}; known fields: {[f.name for f in dataclasses.fields(cls)]}")
        return cls(**values)


def field_docs(cls) -> dict:
    """Field name -> its one-line doc (the string literal under each field of a config dataclass)."""
    body = ast.parse(inspect.getsource(cls)).body[0].body
    return {node.target.id: nxt.value.value for node, nxt in zip(body, body[1:])
            if isinstance(node, ast.AnnAssign) and isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant)}


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{name} must be a positive integer, got {value!r}")


def _nonnegative_int(name, value, meaning):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{name} must be a non-negative integer ({meaning}), got {value!r}")


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def validate(config: TrainConfig) -> None:
    if config.architecture not in ARCHITECTURES:
        raise ConfigError(f"architecture must be one of {sorted(ARCHITECTURES)}, got {config.architecture!r}")
    for name in ("epochs", "batch_size", "latent_size"):
        _positive_int(name, getattr(config, name))
    if config.batch_size > TRAIN_IMAGES:
        raise ConfigError(f"batch_size must be at most {TRAIN_IMAGES:,} (the training set), got {config.batch_size}")
    if config.latent_size > MAX_LATENT_SIZE:
        raise ConfigError(f"latent_size must be at most {MAX_LATENT_SIZE} (a documented limit; the seed uses 64), "
                          f"got {config.latent_size}")
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
    if config.extension not in EXTENSIONS:
        raise ConfigError(f"extension must be one of {list(EXTENSIONS)}, got {config.extension!r}")
    if config.optimizer not in OPTIMIZERS:
        raise ConfigError(f"optimizer must be one of {list(OPTIMIZERS)}, got {config.optimizer!r}")
    _positive_int("vamp_pseudo_inputs", config.vamp_pseudo_inputs)
    if not _is_number(config.gan_gamma) or config.gan_gamma < 0:
        raise ConfigError(f"gan_gamma must be a non-negative number, got {config.gan_gamma!r}")
    if config.gan_ablation not in GAN_ABLATIONS or (config.gan_ablation != "none" and config.extension != "vaegan"):
        raise ConfigError(f"gan_ablation must be one of {list(GAN_ABLATIONS)}, and needs extension 'vaegan' unless "
                          f"'none'; got {config.gan_ablation!r} with extension {config.extension!r}")
    if config.extension == "vaegan" and (config.likelihood != "bernoulli" or config.kl_warmup_epochs or config.beta != 1):
        raise ConfigError("extension 'vaegan' replaces the pixel likelihood by the discriminator's features and has "
                          "no beta or KL warm-up: leave likelihood, beta and kl_warmup_epochs at their defaults")
    check_device(config.device)
    if config.data_dir is not None and not os.path.isdir(config.data_dir):
        raise ConfigError(f"data_dir must be an existing directory, got {config.data_dir!r} "
                          "(use None to search the usual places)")


def check_device(device) -> None:
    ok = isinstance(device, str) and (device in ("auto", "cpu", "cuda", "mps")
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


@dataclass(frozen=True)
class EvalConfig:
    iwae_k: int = 1000
    """importance samples per test image for the IWAE bound"""
    samples_per_class: int = 1000
    """prior samples per class for conditional accuracy and the Fréchet distance"""
    interpolation_pairs: int = 200
    """random test pairs per kind (same class, across classes) for interpolation smoothness"""
    seed: int = 0
    """drives every sample drawn by the evaluation (the same in every run, so runs differ only by their weights)"""
    test_subset: int = 0
    """use the first N test images; 0 uses all 10,000"""

    def __post_init__(self):
        for name in ("iwae_k", "samples_per_class", "interpolation_pairs"):
            _positive_int(name, getattr(self, name))
        _nonnegative_int("test_subset", self.test_subset, "0 uses all 10,000 images")


@dataclass(frozen=True)
class ClassifierConfig:
    epochs: int = 5
    """passes over the 60,000 training images (the learning rate follows a cosine decay to 0)"""
    batch_size: int = 128
    """images per Adam step"""
    learning_rate: float = 1e-3
    """Adam's initial step size"""
    seed: int = 0
    """initialization, shuffling and dropout"""
    train_subset: int = 0
    """train on the first N images only (tests); 0 uses all 60,000"""

    def __post_init__(self):
        for name in ("epochs", "batch_size"):
            _positive_int(name, getattr(self, name))
        _nonnegative_int("train_subset", self.train_subset, "0 uses all 60,000 images")
        if not _is_number(self.learning_rate) or self.learning_rate <= 0:
            raise ConfigError(f"learning_rate must be a positive number, got {self.learning_rate!r}")


EVAL_PARAMETERS = ("iwae_k", "samples_per_class", "interpolation_pairs")  # EvalConfig's run parameters (not seed, test_subset)


@dataclass(frozen=True)
class RunSpec:
    """One run as its entry points see it: flat parameters (TrainConfig's fields and EVAL_PARAMETERS)."""
    train: TrainConfig = TrainConfig()
    evaluation: EvalConfig = EvalConfig()

    @classmethod
    def from_params(cls, *layers: dict) -> "RunSpec":
        """The spec of the merged layers, later layers winning (defaults < file < command line)."""
        merged = {}
        for layer in layers:
            merged.update(layer)
        unknown = sorted(set(merged) - set(parameters()))
        if unknown:
            raise ConfigError(f"unknown run parameter(s) {unknown}; known: {sorted(parameters())}")
        train = TrainConfig(**{k: v for k, v in merged.items() if k not in EVAL_PARAMETERS})
        evaluation = EvalConfig(**{k: merged[k] for k in EVAL_PARAMETERS if k in merged},
                                test_subset=train.test_subset)
        return cls(train, evaluation)

    @classmethod
    def from_namespace(cls, namespace: dict) -> "RunSpec":
        """The spec of a notebook's parameters: every run parameter found in ``namespace`` (e.g. globals())."""
        values = {k: namespace[k] for k in parameters() if k in namespace}
        if values.get("data_dir") == "":  # papermill parameters are literals: "" stands for None
            values["data_dir"] = None
        return cls.from_params(values)

    def params(self) -> dict:
        """The flat parameters (the inverse of from_params)."""
        return {**self.train.to_dict(), **{k: getattr(self.evaluation, k) for k in EVAL_PARAMETERS}}

    @property
    def name(self) -> str:
        """``<architecture>-s<seed>`` plus each setting that differs from the default (not epochs or scale knobs):
        a run with default values is named like the report's main runs, so it reuses their folder."""
        config, default = self.train.to_dict(), TrainConfig().to_dict()
        name = f"{config['architecture']}-s{config['seed']}"
        for key, short in NAME_PARTS.items():
            if config[key] != default[key]:
                name += f"-{config[key]}" if short is None else f"-{short}{config[key]:g}"
        return name


NAME_PARTS = {"extension": None, "vamp_pseudo_inputs": "K", "gan_gamma": "gamma", "beta": "beta", "likelihood": None, "kl_warmup_epochs": "warmup", "latent_size": "z",
              "optimizer": None, "learning_rate": "lr", "batch_size": "batch", "gaussian_sigma": "sigma", "gan_ablation": None}


def parameters() -> dict:
    """Every run parameter -> (type, default, one-line doc): what the CLI, sweep files and train.ipynb accept."""
    out = {}
    for cls, names in ((TrainConfig, None), (EvalConfig, EVAL_PARAMETERS)):
        docs = field_docs(cls)
        for f in dataclasses.fields(cls):
            if names is None or f.name in names:
                out[f.name] = (f.type, f.default, docs[f.name])
    return out


QUICK = {"epochs": 2, "train_subset": 10_000, "test_subset": 1_000, "iwae_k": 10, "samples_per_class": 100,
         "interpolation_pairs": 20}
"""the --quick preset: every knob scaled down at once (the classifier is the committed one, seeds (0,))"""
QUICK_REVIEW = {"samples_per_class": 100, "validation_per_class": 100, "test_subset": 1_000, "train_subset": 10_000,
                "gmm_components": (1, 2)}  # the --quick review: 100 samples per class and temperature


@dataclass(frozen=True)
class Scale:
    """How much work the report pipeline does; the defaults are the full report."""
    overrides: dict = field(default_factory=dict)
    """run parameters set for every run (the command line's), over each run's own (a sweep file's)"""
    seeds: tuple = (0, 1, 2)
    """seeds per architecture of the main runs"""
    classifier: ClassifierConfig = ClassifierConfig()
    """the evaluation classifier"""
    sweep: bool = True
    """include the report's sweep (beta and decoder likelihoods)"""
    extensions: bool = True
    """include the extension models (sweeps/extensions.yaml, for the seeds above, and the latent samplers)"""
    samplers: "SamplerConfig" = None
    """the latent samplers' settings (None: SamplerConfig's defaults; --quick: SamplerConfig.quick())"""
    review: Optional[dict] = None  # changes to review_config.ReviewConfig (None: none; --quick: QUICK_REVIEW)
    judge: Optional[dict] = None  # changes to review_config.JudgeConfig (None: none, i.e. the committed judge)
    cas_seeds: int = 3
    """seeds of each method whose samples train a CAS classifier (0: no CAS)"""

    def __post_init__(self):
        object.__setattr__(self, "seeds", tuple(self.seeds))
        if self.samplers is None:
            object.__setattr__(self, "samplers", SamplerConfig())
        _nonnegative_int("cas_seeds", self.cas_seeds, "0 measures no CAS")
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ConfigError(f"seeds must be a non-empty list of distinct integers, got {list(self.seeds)}")
        fixed = sorted({"architecture", "seed", "extension"} & set(self.overrides))
        if fixed:
            raise ConfigError(f"{fixed} cannot be overridden for the whole report: the pipeline sets them per run")
        for seed in self.seeds:
            RunSpec.from_params(self.overrides, {"seed": seed})

    @classmethod
    def quick(cls, **changes) -> "Scale":
        """The --quick preset, with ``changes`` (explicit command-line values) over it."""
        overrides = {**QUICK, **changes.pop("overrides", {})}
        return cls(**{"seeds": (0,), "samplers": SamplerConfig.quick(), "review": QUICK_REVIEW, "cas_seeds": 1,
                      **changes, "overrides": overrides})


@dataclass(frozen=True)
class SamplerConfig:
    """The latent samplers applied to a trained model (cvae_lib.evaluation.extensions); part of samplers.json's cache key."""
    temperatures: tuple = (0.5, 0.6, 0.7, 0.8, 0.9)
    """prior temperatures tau scored as a curve, z ~ N(0, tau^2 I)"""
    temperature: float = 0.7
    """the one temperature in the leaderboard (fixed in advance, not chosen on the test set)"""
    gmm_components: tuple = (1, 2, 4, 8)
    """mixture sizes tried per class; BIC picks one (a full-covariance fit in 64 dimensions costs seconds)"""
    two_stage_epochs: int = 20
    """epochs of the second-stage VAE over the 60,000 training codes"""
    samples_per_class: int = 1000
    """samples per class for each sampler's scores (the runs' EvalConfig uses the same number)"""
    test_subset: int = 0
    """score against the first N test images; 0 uses all 10,000"""
    train_subset: int = 0
    """fit the GMM and the two-stage VAE to the codes of the first N training images; 0 uses all 60,000"""
    seed: int = 0
    """fits, training and every draw"""

    def __post_init__(self):
        object.__setattr__(self, "temperatures", tuple(self.temperatures))
        object.__setattr__(self, "gmm_components", tuple(self.gmm_components))
        for tau in self.temperatures + (self.temperature,):
            if not _is_number(tau) or tau <= 0:
                raise ConfigError(f"temperatures must be positive numbers, got {tau!r}")
        if not self.gmm_components or any(isinstance(n, bool) or not isinstance(n, int) or n < 1
                                          for n in self.gmm_components):
            raise ConfigError(f"gmm_components must be positive integers, got {list(self.gmm_components)}")
        for name in ("two_stage_epochs", "samples_per_class"):
            _positive_int(name, getattr(self, name))
        for name, n in (("test_subset", "10,000"), ("train_subset", "60,000")):
            _nonnegative_int(name, getattr(self, name), f"0 uses all {n} images")

    @classmethod
    def quick(cls, **changes) -> "SamplerConfig":
        """Small values for the --quick report (and tests): two mixture sizes, two epochs, 100 samples per class."""
        return cls(**{"gmm_components": (1, 2), "two_stage_epochs": 2, "samples_per_class": 100,
                      "test_subset": 1000, "train_subset": 10_000, **changes})
