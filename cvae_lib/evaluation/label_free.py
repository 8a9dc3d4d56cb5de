"""A feature space learned without labels, for FD: the 64-dimensional codes of a plain MLP autoencoder trained on
the training images alone (no class ever seen, no convolution, so neither the classifiers' training signal nor
the VAE-GAN discriminator's layout). A third view beside the two judges and the spaces no training shaped
(free_features): where all agree, an answer does not hang on one network's features."""
import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

CODE_SIZE = 64


class MLPAutoencoder(nn.Module):
    """784 -> 512 -> 64 -> 512 -> 784 (ReLU; the decoder's last layer gives pixel logits)."""

    def __init__(self, hidden: int = 512, code: int = CODE_SIZE):
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, code))
        self.decoder = nn.Sequential(nn.Linear(code, hidden), nn.ReLU(), nn.Linear(hidden, 784))

    def forward(self, images):
        return self.decoder(self.encoder(images)).view(-1, 1, 28, 28)


def train_autoencoder(images, epochs: int = 20, batch_size: int = 256, lr: float = 1e-3, seed: int = 0,
                      device="cpu") -> tuple:
    """(model in eval mode, per-epoch mean training loss): Adam on pixel BCE (sum over pixels, mean over images),
    shuffled by ``seed``, which also seeds the initialization; the global random state is left as it was."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = MLPAutoencoder().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses = []
    for _ in tqdm(range(epochs), desc="autoencoder", unit="epoch", leave=False):
        order, total = torch.randperm(len(images), generator=generator), 0.0
        model.train()
        for start in range(0, len(images), batch_size):
            batch = images[order[start:start + batch_size]].to(device).float()
            loss = F.binary_cross_entropy_with_logits(model(batch), batch, reduction="sum") / len(batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.detach()) * len(batch)
        losses.append(total / len(images))
    return model.eval(), losses


@torch.no_grad()
def codes(model: MLPAutoencoder, images, batch_size: int = 2000) -> torch.Tensor:
    """The autoencoder's codes of ``images`` (N, 64), double precision for FD."""
    device = next(model.parameters()).device
    return torch.cat([model.encoder(images[s:s + batch_size].to(device).float()).cpu()
                      for s in range(0, len(images), batch_size)]).double()


@torch.no_grad()
def reconstruction_loss(model: MLPAutoencoder, images, batch_size: int = 2000) -> float:
    """Mean pixel BCE (summed over pixels) of ``images``' reconstructions: how well the codes keep the images."""
    device = next(model.parameters()).device
    total = 0.0
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size].to(device).float()
        total += float(F.binary_cross_entropy_with_logits(model(batch), batch, reduction="sum"))
    return total / len(images)
