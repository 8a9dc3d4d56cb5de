"""Conditional VAE-GAN (Larsen et al. 2016): the seed's CVAE with a learned similarity and an adversarial decoder.

A factorized pixel likelihood blurs because it scores every pixel independently. Larsen et al. add a
reconstruction error measured in the l-th layer features of a discriminator, p(Dis_l(x) | z) =
N(Dis_l(x_tilde), I), i.e. half the squared feature distance in nats up to a constant, and a GAN term
on reconstructions x_tilde = Dec(z ~ q(z | x)) and on prior samples x_p = Dec(z ~ N(0, I)). Three losses,
each minimized over its own parameters only (their Algorithm 1):

    encoder        KL(q(z | x, y) || N(0, I)) + L_pixel + L_feature
    decoder        gamma * (L_pixel + L_feature) + L_gen
    discriminator  L_disc = BCE(D(x), 1) + BCE(D(x_tilde), 0) + BCE(D(x_p), 0)

One change from the paper: the seed's pixel term L_pixel (BCE summed over pixels) stays in the
reconstruction. With the feature term alone, the discriminator's features start near zero, the KL term
wins and the posterior collapses (measured here: KL 72 -> 0.1 nats within two short epochs, reconstructions
independent of the input), and the decoder then learns nothing about the image it should reconstruct.

Three ablations take one of the added parts away (``ablation``; the report's "why" test):

    "no_feature"  no reconstruction in the discriminator's features: the encoder minimizes KL + L_pixel, the
                  decoder gamma * L_pixel + L_gen; the adversarial term is all that is added to the CVAE
    "no_prior"    no decoded prior samples x_p: the discriminator and L_gen see reconstructions only, so the
                  decoder is never trained where N(0, I) reaches beyond the posterior's codes
    "no_recon_gan" no adversarial loss on reconstructions: the discriminator tells x from x_p only and L_gen is
                  BCE(D(x_p), 1); the feature reconstruction (the discriminator's features of x_tilde) stays

L_gen = BCE(D(x_tilde), 1) + BCE(D(x_p), 1) is the non-saturating form of -L_GAN (Goodfellow et al. 2014):
the same fixed point, but a gradient that does not vanish while the discriminator wins, which is when the
decoder most needs one. The encoder and decoder are the seed's layers, unchanged, so sizes stay comparable.
"""
from typing import NamedTuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .losses import gaussian_kl, reconstruction_nll
from .models import NUM_CLASSES, one_hot
from .priors import standard_normal

ABLATIONS = ("none", "no_feature", "no_prior", "no_recon_gan")
"""what a VAE-GAN run leaves out: nothing (Larsen et al.'s losses), the feature reconstruction, the prior samples,
or the adversarial loss on reconstructions"""

ENCODER_LAYERS = ("fc1", "fc2", "fc3", "encoder_conv", "fc_mu", "fc_logvar")
DECODER_LAYERS = ("fc4", "fc5", "fc_decode", "decoder_deconv")


class Discriminator(nn.Module):
    """Class-conditional: the label enters as 10 constant channels, as in the seed's ConvCVAE encoder.

    conv(32, 4x4, /2)-LeakyReLU-conv(64, 4x4, /2)-LeakyReLU-linear(1). The 64x7x7 output of the second
    convolution is Dis_l, the feature space of the reconstruction loss: the deepest layer that is still
    spatial, so it compares local structure (edges, texture) rather than pixel values. No batch norm, so
    each image's score depends on that image alone. About 0.04M parameters, against the conv CVAE's 0.71M.
    """

    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1 + NUM_CLASSES, 32, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
                                  nn.Conv2d(32, 64, 4, stride=2, padding=1), nn.LeakyReLU(0.2))
        self.fc = nn.Linear(64 * 7 * 7, 1)

    def forward(self, x, y):
        """(logit of "real", Dis_l features flattened) for images x (B, 1, 28, 28) and one-hot y.

        The first convolution of [x, label planes] is computed as the convolution of the image channel plus
        that of the ten constant label planes, which is one map per class (made from ten inputs, not B) mixed
        by y: the same sum as the concatenated input (forward_concatenated), with a tenth of the multiplications
        in the layer that costs the most."""
        first = self.conv[0]
        image_part = F.conv2d(x, first.weight[:, :1], first.bias, first.stride, first.padding)
        planes = torch.eye(NUM_CLASSES, device=x.device, dtype=x.dtype).view(NUM_CLASSES, NUM_CLASSES, 1, 1)
        class_maps = F.conv2d(planes.expand(-1, -1, x.size(2), x.size(3)), first.weight[:, 1:], None, first.stride,
                              first.padding)
        hidden = image_part + (y.to(x.dtype) @ class_maps.flatten(1)).view_as(image_part)
        features = self.conv[3](self.conv[2](self.conv[1](hidden))).flatten(1)
        return self.fc(features).squeeze(1), features

    def forward_concatenated(self, x, y):
        """forward as Larsen et al. write it, on the concatenated input (the reference forward is tested against)."""
        y_map = y.view(y.size(0), y.size(1), 1, 1).expand(-1, -1, x.size(2), x.size(3))
        features = self.conv(torch.cat([x, y_map], dim=1)).flatten(1)
        return self.fc(features).squeeze(1), features


class VAEGANLosses(NamedTuple):
    """Batch means in nats per image; the first three are what the three optimizers minimize."""
    encoder: torch.Tensor
    decoder: torch.Tensor
    discriminator: torch.Tensor
    kl: torch.Tensor
    feature_reconstruction: torch.Tensor
    generator_gan: torch.Tensor
    pixel_reconstruction: torch.Tensor


def vaegan_losses(real_logit, recon_logit, prior_logit, real_features, recon_features, mu, log_var,
                  gamma: float, pixel_nll, ablation: str = "none") -> VAEGANLosses:
    """The three losses from the discriminator's outputs on x, x_tilde, x_p, the posterior (mu, log_var) and
    the reconstruction's pixel negative log-likelihood per image (the seed's BCE summed over pixels).

    ``ablation`` (ABLATIONS): "no_feature" leaves the feature distance out of the encoder's and decoder's losses
    (it is still reported); "no_prior" takes prior_logit None and leaves the x_p terms out; "no_recon_gan" leaves
    the x_tilde terms out of the discriminator's loss and L_gen (recon_logit is unused)."""
    if ablation not in ABLATIONS:
        raise ValueError(f"ablation must be one of {list(ABLATIONS)}, got {ablation!r}")
    if (prior_logit is None) != (ablation == "no_prior"):
        raise ValueError("prior_logit must be None exactly when ablation is 'no_prior'")

    def bce(logits, target):
        return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))

    kl = gaussian_kl(mu, log_var).mean()
    feature = 0.5 * (real_features - recon_features).pow(2).sum(1).mean()
    pixel = pixel_nll.mean()
    if ablation == "no_recon_gan":
        discriminator, generator_gan = bce(real_logit, 1.0), 0.0
    else:
        discriminator = bce(real_logit, 1.0) + bce(recon_logit, 0.0)
        generator_gan = bce(recon_logit, 1.0)
    if prior_logit is not None:
        discriminator = discriminator + bce(prior_logit, 0.0)
        generator_gan = generator_gan + bce(prior_logit, 1.0)
    if ablation == "no_feature":
        encoder, reconstruction = kl + pixel, pixel
    else:  # the sum in this order, as before the ablations: the full model's weights stay bit for bit
        encoder, reconstruction = kl + pixel + feature, pixel + feature
    return VAEGANLosses(encoder, gamma * reconstruction + generator_gan, discriminator, kl, feature,
                        generator_gan, pixel)


def split_parameters(model):
    """(encoder parameters, decoder parameters) of a seed CVAE, by the seed's layer names."""
    encoder, decoder = [], []
    for name, p in model.named_parameters():
        layer = name.split(".")[0]
        if layer not in ENCODER_LAYERS + DECODER_LAYERS:
            raise ValueError(f"parameter {name!r} belongs to neither the encoder layers {ENCODER_LAYERS} "
                             f"nor the decoder layers {DECODER_LAYERS}; vaegan needs one of the seed's models")
        (encoder if layer in ENCODER_LAYERS else decoder).append(p)
    return encoder, decoder


def vaegan_optimizers(model, discriminator, learning_rate: float = 3e-4):
    """(encoder, decoder, discriminator) RMSprop optimizers, Larsen et al.'s choice and learning rate."""
    encoder, decoder = split_parameters(model)
    return tuple(torch.optim.RMSprop(params, lr=learning_rate)
                 for params in (encoder, decoder, list(discriminator.parameters())))


def vaegan_step(model, discriminator, optimizers, x, labels, gamma: float, generator=None,
                ablation: str = "none") -> VAEGANLosses:
    """One update of encoder, decoder and discriminator from one batch (``optimizers`` as vaegan_optimizers
    makes them); returns the losses (detached).

    All three gradients are taken from the same forward pass, each with respect to its own parameters
    only, before any optimizer steps: so the decoder's loss puts no gradient into the discriminator
    and the discriminator's loss none into the decoder. With ``ablation`` "no_prior" the prior codes are still
    drawn (the noise stream stays the full model's) but not decoded.
    """
    labels = labels.to(x.device)
    y = one_hot(labels)
    mu, log_var = model.encode(x, y)
    z = mu + torch.exp(0.5 * log_var) * standard_normal(mu.shape, generator, x.device)
    z_prior = standard_normal(mu.shape, generator, x.device)
    recon_logits = model.decode_logits(z, y)
    recon = torch.sigmoid(recon_logits)
    batches = [x, recon]
    if ablation != "no_prior":
        batches.append(torch.sigmoid(model.decode_logits(z_prior, y)))
    # One discriminator call on the three batches: each image's score depends on that image alone (no batch
    # norm), so this is the three calls' math in larger, faster matrix products.
    logits, features = discriminator(torch.cat(batches), torch.cat([y] * len(batches)))
    real_logit, recon_logit, *prior_logit = logits.split(len(x))
    real_features, recon_features = features.split(len(x))[:2]
    pixel_nll = reconstruction_nll(recon_logits, x)
    losses = vaegan_losses(real_logit, recon_logit, prior_logit[0] if prior_logit else None, real_features,
                           recon_features, mu, log_var, gamma, pixel_nll, ablation)
    # Each optimizer holds exactly its part's parameters (vaegan_optimizers), so they are not split again here.
    updates = [(loss, optimizer.param_groups[0]["params"], optimizer)
               for loss, optimizer in zip(losses[:3], optimizers)]
    grads = [torch.autograd.grad(loss, params, retain_graph=True) for loss, params, _ in updates]
    for (_, params, optimizer), param_grads in zip(updates, grads):
        optimizer.zero_grad(set_to_none=True)
        for p, g in zip(params, param_grads):
            p.grad = g
        optimizer.step()
    return VAEGANLosses(*(loss.detach() for loss in losses))


class VAEGANTraining:
    """What a VAE-GAN run trains beside the seed's model: the discriminator and the three optimizers, with
    state_dict / load_state_dict like an optimizer's, so the trainer checkpoints and resumes it the same way."""

    def __init__(self, model, learning_rate: float, gamma: float, device, ablation: str = "none"):
        self.discriminator = Discriminator().to(device)
        self.optimizers = vaegan_optimizers(model, self.discriminator, learning_rate)
        self.gamma = gamma
        self.ablation = ablation

    def state_dict(self) -> dict:
        return {"discriminator": self.discriminator.state_dict(),
                "optimizers": [optimizer.state_dict() for optimizer in self.optimizers]}

    def load_state_dict(self, state: dict) -> None:
        self.discriminator.load_state_dict(state["discriminator"])
        for optimizer, saved in zip(self.optimizers, state["optimizers"]):
            optimizer.load_state_dict(saved)

    def step(self, model, x, labels, generator=None) -> VAEGANLosses:
        self.discriminator.train()
        return vaegan_step(model, self.discriminator, self.optimizers, x, labels, self.gamma, generator,
                           self.ablation)
