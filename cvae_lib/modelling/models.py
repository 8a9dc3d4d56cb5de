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


class FoldedConvDecoder(nn.Module):
    """ConvCVAE.decode_logits, the same function in fewer operations, for evaluation (IWAE decodes
    k x 10,000 latent samples).

    fc_decode and the first transposed convolution have no nonlinearity between them, so they fold into
    one linear map from [z, y] to the 32x14x14 hidden layer (4x fewer multiply-adds). The last transposed
    convolution (stride 2, kernel 4, padding 1, one output channel) is rewritten in sub-pixel form: a 3x3
    convolution with four output channels, one per output-pixel parity, then a pixel shuffle, which CPU
    kernels run several times faster. Equal to decode_logits up to float rounding (tested); a snapshot:
    later changes to the model's weights are not seen.
    """
    block_images = 256  # rows per call that keep the hidden layer in a CPU's cache (measured: 128-512 best)

    def __init__(self, model: "ConvCVAE"):
        super().__init__()
        fc, first, last = model.fc_decode, model.decoder_deconv[0], model.decoder_deconv[2]
        for layer in (first, last):
            if (layer.kernel_size, layer.stride, layer.padding) != ((4, 4), (2, 2), (1, 1)):
                raise ValueError(f"FoldedConvDecoder expects the seed's 4x4 stride-2 layers, got {layer}")
        with torch.no_grad():
            columns = fc.weight.detach().double().T.reshape(-1, first.in_channels, 7, 7)
            weight = F.conv_transpose2d(columns, first.weight.double(), None, stride=2, padding=1)
            bias = F.conv_transpose2d(fc.bias.detach().double().view(1, -1, 7, 7), first.weight.double(),
                                      first.bias.double(), stride=2, padding=1)
            # Output pixel 2m + a takes kernel tap a + 1 - 2d from input pixel m + d, d in {-1, 0, 1}.
            kernel = torch.zeros(4, last.in_channels, 3, 3, dtype=torch.float64, device=fc.weight.device)
            for a in range(2):
                for b in range(2):
                    for d in (-1, 0, 1):
                        for e in (-1, 0, 1):
                            ki, kj = a + 1 - 2 * d, b + 1 - 2 * e
                            if 0 <= ki < 4 and 0 <= kj < 4:
                                kernel[2 * a + b, :, d + 1, e + 1] = last.weight[:, 0, ki, kj].double()
        self.hidden_shape = (last.in_channels, 14, 14)
        dtype = fc.weight.dtype
        self.register_buffer("weight", weight.reshape(columns.shape[0], -1).to(dtype))
        self.register_buffer("bias", bias.reshape(-1).to(dtype))
        self.register_buffer("kernel", kernel.to(dtype))
        self.register_buffer("kernel_bias", last.bias.detach().repeat(4))

    def forward(self, z, y):
        hidden = torch.relu(torch.addmm(self.bias, torch.cat([z, y], dim=1), self.weight))
        phases = F.conv2d(hidden.view(-1, *self.hidden_shape), self.kernel, self.kernel_bias, padding=1)
        return F.pixel_shuffle(phases, 2)


def evaluation_decoder(model: nn.Module):
    """A callable (z, y) -> logits equal to model.decode_logits, faster where the architecture allows
    (see FoldedConvDecoder); for the MLP model, decode_logits itself."""
    return FoldedConvDecoder(model) if isinstance(model, ConvCVAE) else model.decode_logits


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
