"""The second judge: a feature extractor of another family than the evaluation classifier, trained separately.

The evaluation classifier (classifier.py) is a plain two-layer CNN with a fully connected 128-d feature layer,
trained without augmentation; its features give conditional accuracy, FD, precision and recall. Agreement
between metrics read off one network is not corroboration, and the VAE-GAN's discriminator has nearly the
classifier's layout. The judge here differs in architecture (three residual stages, batch norm, global average
pooling: its 128 features are spatial averages, not a dense layer over positions), in training (AdamW with
weight decay, random translations and horizontal flips) and in seed. Every sample metric is computed in both
feature spaces; the report prints how well the two judges agree on the ranking of the methods.
"""
import shutil
from dataclasses import asdict
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..base.config import ClassifierConfig
from ..base.data import load_fashion_mnist
from ..base.review_config import JudgeConfig
from ..modelling.models import NUM_CLASSES
from ..training import runs
from .classifier import fit, predict
from .evaluate import per_class_accuracy


class Residual(nn.Module):
    """conv-BN-ReLU-conv-BN plus the input (a 1x1 strided convolution when the shape changes), then ReLU."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.skip = (nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))
                     if stride != 1 or c_in != c_out else nn.Identity())

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))) + self.skip(x))


class ResidualJudge(nn.Module):
    """stem conv(w)-BN-ReLU-pool to 14x14, residual stages of w, 2w (7x7), 4w (4x4) channels, global average
    pooling: ``features`` (4w = 128 by default), then a linear layer to 10 classes."""

    def __init__(self, width: int = 32):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                                  nn.MaxPool2d(2))
        self.stages = nn.Sequential(Residual(width, width), Residual(width, 2 * width, 2),
                                    Residual(2 * width, 4 * width, 2))
        self.head = nn.Linear(4 * width, NUM_CLASSES)

    def features(self, x):
        return self.stages(self.stem(x)).mean((2, 3))

    def logits(self, features):
        return self.head(features)

    def forward(self, x):
        return self.logits(self.features(x))


def augmenter(shift: int):
    """A function (batch, generator) -> batch translated by up to ``shift`` pixels per image (zeros enter at the
    border: FashionMNIST's background) and flipped left-right with probability 1/2."""
    def augment(x, generator):
        n, _, h, w = x.shape
        dev = x.device
        flip = torch.rand(n, generator=generator) < 0.5
        x = torch.where(flip.to(dev)[:, None, None, None], x.flip(3), x)
        if shift == 0:
            return x
        dy, dx = (torch.randint(0, 2 * shift + 1, (2, n), generator=generator)).to(dev)
        padded = F.pad(x, (shift, shift, shift, shift))
        rows = (dy[:, None] + torch.arange(h, device=dev))[:, :, None]
        cols = (dx[:, None] + torch.arange(w, device=dev))[:, None, :]
        return padded[torch.arange(n, device=dev)[:, None, None], 0, rows, cols].unsqueeze(1)
    return augment


def train_judge(run_dir, config: JudgeConfig = JudgeConfig(), *, data=None, device="cpu",
                progress: bool = True) -> Path:
    """Train (or reuse) the judge in ``run_dir``: model.pt, config.json, metrics.json (test accuracy)."""
    run_dir = Path(run_dir)
    if runs.read_status(run_dir)["status"] == "finished":
        if runs.read_json(run_dir / runs.CONFIG) != asdict(config):
            raise runs.RunError(f"judge folder {run_dir} holds another config; delete it or choose another folder")
        return run_dir
    data = data if data is not None else load_fashion_mnist()
    torch.manual_seed(config.seed)
    model = ResidualJudge(config.width).to(device)
    recipe = ClassifierConfig(epochs=config.epochs, batch_size=config.batch_size, learning_rate=config.learning_rate,
                              seed=config.seed)
    n = config.train_subset or None
    fit(model, data.train_images[:n], data.train_labels[:n], recipe, device=device, weight_decay=config.weight_decay,
        augment=augmenter(config.shift), progress=progress, desc="judge")
    logits, _ = predict(model, data.test_images)
    correct = logits.argmax(1) == data.test_labels
    run_dir.mkdir(parents=True, exist_ok=True)
    runs.write_json(run_dir / runs.CONFIG, asdict(config))
    runs.save_torch(run_dir / runs.MODEL, model.state_dict())
    runs.write_json(run_dir / runs.METRICS, {
        "test_accuracy": float(correct.float().mean()),
        "test_accuracy_per_class": per_class_accuracy(logits.argmax(1), data.test_labels)})
    runs.write_json(run_dir / runs.STATUS, {"status": "finished", "epochs_done": config.epochs})
    return run_dir


def load_judge(run_dir, map_location="cpu") -> ResidualJudge:
    run_dir = Path(run_dir)
    runs.require_finished(run_dir)
    model = ResidualJudge(JudgeConfig(**runs.read_json(run_dir / runs.CONFIG)).width)
    model.load_state_dict(runs.load_torch(run_dir / runs.MODEL, map_location))
    return model.to(map_location).eval()


def ensure_judge(run_dir, config: JudgeConfig = JudgeConfig(), *, data=None, device="cpu",
                 progress: bool = True) -> Path:
    """A finished judge with ``config`` in ``run_dir``: the committed one (report/runs/judge) copied there when it
    has that config, else trained there."""
    run_dir, committed = Path(run_dir), runs.PROJECT / "report" / "runs" / "judge"
    if (run_dir.resolve() != committed.resolve() and runs.read_status(run_dir)["status"] != "finished"
            and runs.read_status(committed)["status"] == "finished"
            and runs.read_json(committed / runs.CONFIG) == asdict(config)):
        run_dir.mkdir(parents=True, exist_ok=True)
        for name in (runs.CONFIG, runs.MODEL, runs.METRICS, runs.STATUS):  # status last: complete
            shutil.copy2(committed / name, run_dir / name)
    return train_judge(run_dir, config, data=data, device=device, progress=progress)
