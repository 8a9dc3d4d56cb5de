"""The evaluation classifier: a small CNN trained by the project on the FashionMNIST train set.

It judges generated images (conditional accuracy), supplies the feature space for the Fréchet
distance, and classifies reconstructions. Its run folder is cached and deterministic: the same
seed gives the same weights, and a finished folder is reused.
"""
import shutil
from dataclasses import asdict
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm import tqdm

from ..training import runs
from ..base.config import ClassifierConfig
from ..base.data import load_fashion_mnist
from ..modelling.models import device_of

FEATURES = 128


class Classifier(nn.Module):
    """conv(32)-BN-pool-conv(64)-BN-pool-fc(128)-fc(10); ``features`` is the 128-d penultimate layer."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(64)
        self.fc1 = nn.Linear(64 * 7 * 7, FEATURES)
        self.fc2 = nn.Linear(FEATURES, 10)
        self.dropout = nn.Dropout(0.3)

    def features(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return F.relu(self.fc1(x.flatten(1)))

    def logits(self, features):
        """Class scores from ``features`` (dropout is the identity in eval mode)."""
        return self.fc2(self.dropout(features))

    def forward(self, x):
        return self.logits(self.features(x))


@torch.inference_mode()
def predict(model, images, batch_size: int = 2000):
    """(logits, features) for images on any device, returned on the CPU."""
    model.eval()
    device = device_of(model)
    logits, feats = [], []
    for start in range(0, len(images), batch_size):
        f = model.features(images[start:start + batch_size].to(device))
        feats.append(f.cpu())
        logits.append(model.logits(f).cpu())
    return torch.cat(logits), torch.cat(feats)


def fit(model, images, labels, config: ClassifierConfig, *, device="cpu", weight_decay: float = 0.0, augment=None,
        progress: bool = True, desc: str = "classifier"):
    """Train ``model`` in place on (images, labels) with the classifier's recipe: Adam (AdamW when
    ``weight_decay``), cosine decay of the learning rate to 0, minibatches in an order seeded by config.seed;
    ``augment(batch, generator)`` transforms each batch when given. Returns the model."""
    optimizer = (torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=weight_decay)
                 if weight_decay else torch.optim.Adam(model.parameters(), lr=config.learning_rate))
    x, y = images.to(device), labels.to(device)
    steps = config.epochs * -(-len(x) // config.batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    shuffle = torch.Generator().manual_seed(config.seed)
    for _ in tqdm(range(config.epochs), desc=desc, unit="epoch", disable=not progress):
        model.train()
        order = torch.randperm(len(x), generator=shuffle).to(device)
        for start in range(0, len(x), config.batch_size):
            idx = order[start:start + config.batch_size]
            batch = x[idx] if augment is None else augment(x[idx], shuffle)
            loss = F.cross_entropy(model(batch), y[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
    return model.eval()


def train_classifier(run_dir, config: ClassifierConfig = ClassifierConfig(), *, data=None, device="cpu",
                     progress: bool = True) -> Path:
    """Train (or reuse) the evaluation classifier in ``run_dir``; writes model.pt and metrics.json."""
    run_dir = Path(run_dir)
    if runs.read_status(run_dir)["status"] == "finished":
        saved = runs.read_json(run_dir / runs.CONFIG)
        if saved != asdict(config):
            raise runs.RunError(f"classifier folder {run_dir} holds another config ({saved}); delete it or "
                                "choose another folder")
        return run_dir
    data = data if data is not None else load_fashion_mnist()
    torch.manual_seed(config.seed)
    model = Classifier().to(device)
    fit(model, data.train_images[:config.train_subset or None], data.train_labels[:config.train_subset or None],
        config, device=device, progress=progress)
    logits, _ = predict(model, data.test_images)
    correct = logits.argmax(1) == data.test_labels
    metrics = {"test_accuracy": float(correct.float().mean()),
               "test_accuracy_per_class": [float(correct[data.test_labels == c].float().mean()) for c in range(10)]}
    run_dir.mkdir(parents=True, exist_ok=True)
    runs.write_json(run_dir / runs.CONFIG, asdict(config))
    runs.save_torch(run_dir / runs.MODEL, model.state_dict())
    runs.write_json(run_dir / runs.METRICS, metrics)
    runs.write_json(run_dir / runs.STATUS, {"status": "finished", "epochs_done": config.epochs})
    return run_dir


def load_classifier(run_dir, map_location="cpu") -> Classifier:
    run_dir = Path(run_dir)
    runs.require_finished(run_dir)
    model = Classifier()
    model.load_state_dict(runs.load_torch(run_dir / runs.MODEL, map_location))
    return model.to(map_location).eval()


def ensure_classifier(run_dir, config: ClassifierConfig = None, *, data=None, device="cpu",
                      progress: bool = True) -> Path:
    """A finished classifier in ``run_dir``: the one there (which must have ``config`` when one is given), else a
    copy of the committed one (report/runs/classifier, whose weights are in git) when it has the wanted config
    (default: ClassifierConfig()), else that config trained there."""
    run_dir = Path(run_dir)
    if runs.read_status(run_dir)["status"] == "finished" and config is None:
        return run_dir
    config = config or ClassifierConfig()
    committed = runs.COMMITTED_CLASSIFIER
    if (runs.read_status(run_dir)["status"] != "finished" and runs.read_status(committed)["status"] == "finished"
            and (committed / runs.MODEL).exists() and runs.read_json(committed / runs.CONFIG) == asdict(config)):
        run_dir.mkdir(parents=True, exist_ok=True)
        for name in (runs.CONFIG, runs.MODEL, runs.METRICS, runs.REFERENCE, runs.STATUS):  # status last: complete
            if (committed / name).exists():
                shutil.copy2(committed / name, run_dir / name)
    return train_classifier(run_dir, config, data=data, device=device, progress=progress)
