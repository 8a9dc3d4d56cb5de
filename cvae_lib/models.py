"""The seed's two conditional VAEs, layer for layer.

Attribute names and layer shapes are the seed's, so a state dict saved by the seed's
code loads here with ``strict=True``. Both models share one interface:
``encode(x, y) -> (mu, log_var)``, ``decode(z, y) -> x_hat`` in [0, 1],
``forward(x, y) -> (x_hat, mu, log_var)``, with x of shape (B, 1, 28, 28) and y one-hot (B, 10).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_CLASSES = 10
IMAGE_PIXELS = 28 * 28


class CVAE(nn.Module):
    """MLP CVAE: image and one-hot label concatenated, one 512-unit hidden layer each way."""

    def __init__(self, latent_size: int = 64):
        super().__init__()
        self.labels = NUM_CLASSES
        self.latent_size = latent_size
        self.fc1 = nn.Linear(IMAGE_PIXELS + self.labels, 512)
        self.fc2 = nn.Linear(512, latent_size)
        self.fc3 = nn.Linear(512, latent_size)
        self.fc4 = nn.Linear(latent_size + self.labels, 512)
        self.fc5 = nn.Linear(512, IMAGE_PIXELS)

    def encode(self, x, y):
        hidden = F.relu(self.fc1(torch.cat([x.reshape(x.size(0), -1), y], dim=1)))
        return self.fc2(hidden), self.fc3(hidden)

    def decode_logits(self, z, y):
        hidden = F.relu(self.fc4(torch.cat([z, y], dim=1)))
        return self.fc5(hidden).view(-1, 1, 28, 28)

    def decode(self, z, y):
        return torch.sigmoid(self.decode_logits(z, y))

    def forward(self, x, y):
        mu, log_var = self.encode(x, y)
        z = reparameterize(mu, log_var)
        return self.decode(z, y), mu, log_var


class ConvCVAE(nn.Module):
    """Conv CVAE: the label is broadcast to 10 extra input channels; two stride-2 convs each way."""

    def __init__(self, latent_size: int = 64):
        super().__init__()
        self.labels = NUM_CLASSES
        self.latent_size = latent_size
        self.encoder_conv = nn.Sequential(
            nn.Conv2d(1 + self.labels, 32, kernel_size=4, stride=2, padding=1),  # 28 -> 14
            nn.ReLU(),
            nn.Conv2d(32, 64, kernel_size=4, stride=2, padding=1),  # 14 -> 7
            nn.ReLU())
        self.fc_mu = nn.Linear(64 * 7 * 7, latent_size)
        self.fc_logvar = nn.Linear(64 * 7 * 7, latent_size)
        self.fc_decode = nn.Linear(latent_size + self.labels, 64 * 7 * 7)
        self.decoder_deconv = nn.Sequential(
            nn.ConvTranspose2d(64, 32, kernel_size=4, stride=2, padding=1),  # 7 -> 14
            nn.ReLU(),
            nn.ConvTranspose2d(32, 1, kernel_size=4, stride=2, padding=1),  # 14 -> 28
            nn.Sigmoid())

    def encode(self, x, y):
        y_map = y.view(y.size(0), y.size(1), 1, 1).expand(-1, -1, x.size(2), x.size(3))
        features = self.encoder_conv(torch.cat([x, y_map], dim=1)).flatten(1)
        return self.fc_mu(features), self.fc_logvar(features)

    def decode_logits(self, z, y):
        # Everything but the final Sigmoid, so losses can use the numerically stable logit form.
        h = self.fc_decode(torch.cat([z, y], dim=1)).view(-1, 64, 7, 7)
        return self.decoder_deconv[:-1](h)

    def decode(self, z, y):
        return self.decoder_deconv(self.fc_decode(torch.cat([z, y], dim=1)).view(-1, 64, 7, 7))

    def forward(self, x, y):
        mu, log_var = self.encode(x, y)
        z = reparameterize(mu, log_var)
        return self.decode(z, y), mu, log_var


def reparameterize(mu, log_var, generator=None):
    """z = mu + sigma * eps with eps ~ N(0, I); the generator makes the noise reproducible."""
    eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
    return mu + eps * torch.exp(0.5 * log_var)


MODELS = {"mlp": CVAE, "conv": ConvCVAE}


def build_model(architecture: str, latent_size: int = 64) -> nn.Module:
    """A fresh model by registry name ("mlp" or "conv")."""
    if architecture not in MODELS:
        raise ValueError(f"architecture must be one of {sorted(MODELS)}, got {architecture!r}")
    return MODELS[architecture](latent_size=latent_size)


def device_of(model: nn.Module) -> torch.device:
    """The device a model's parameters live on."""
    return next(model.parameters()).device


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def one_hot(labels, num_classes: int = NUM_CLASSES, dtype=torch.float32):
    return F.one_hot(labels, num_classes).to(dtype)
