"""FD in two feature spaces that no training shaped, a check on the judges' possible bias (the evaluation
classifier is laid out like the VAE-GAN's discriminator): a residual network of the second judge's design at its
seeded initialization, never trained, and the means of 2 x 2 pixel blocks. Prior samples only (no sampler to fit),
at a method's operating temperature, against the test images; features() adds a third space where given
label_free's autoencoder, one learned without labels."""
import torch
import torch.nn.functional as F

from ..modelling.models import NUM_CLASSES, device_of
from ..modelling.priors import sample_latents_temperature, sample_prior
from ..training import runs
from . import label_free
from .classifier import predict
from .evaluate import frechet_distance
from .generate import decode_means
from .judge import ResidualJudge

def pooled_pixels(images, pool: int = 2):
    """Images (N, 1, 28, 28) as the flattened means of their ``pool`` x ``pool`` pixel blocks (N, (28 / pool)^2)."""
    return F.avg_pool2d(images.float(), pool).flatten(1)


def untrained_network(seed: int = 0) -> ResidualJudge:
    """The second judge's design with the weights it is initialized with under ``seed``, in eval mode (the global
    random state is left as it was)."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return ResidualJudge().eval()


def features(network, images, autoencoder=None) -> dict:
    """space -> the features of ``images`` (double precision, for FD); with ``autoencoder`` (label_free's, trained
    without labels) its codes as a third space, "autoencoder"."""
    out = {"random_network": predict(network, images)[1].double(), "pixels": pooled_pixels(images).double()}
    if autoencoder is not None:
        out["autoencoder"] = label_free.codes(autoencoder, images)
    return out


def prior_samples(run_dir, tau: float, per_class: int = 1000, seed: int = 0, device="cpu"):
    """Decoder means of ``per_class`` draws per class from the run's own prior (N(0, tau^2 I), or its VampPrior
    at tau = 1), class-major."""
    config, model = runs.load_model(run_dir, map_location=device)
    labels = torch.arange(NUM_CLASSES).repeat_interleave(per_class)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        if getattr(model, "vamp", None) is not None:
            if tau != 1:
                raise ValueError(f"{run_dir}: a VampPrior is sampled at tau = 1 only, not {tau}")
            z = sample_prior(model, labels.to(device_of(model)), generator)
        else:
            z = sample_latents_temperature(len(labels), model.latent_size, tau, generator)
        return decode_means(model, z, labels, config.likelihood).cpu()


def free_fds(images, reference: dict, network, autoencoder=None) -> dict:
    """space -> FD of ``images`` against ``reference`` (features(network, test images, autoencoder)), in every space
    ``reference`` holds."""
    mine = features(network, images, autoencoder)
    return {space: frechet_distance(mine[space], reference[space]) for space in reference}
