"""Classification Accuracy Score (Ravuri & Vinyals 2019): train a classifier on generated images only, test it on
real test images.

It needs no judge: a sampler whose images lack what tells the classes apart, or that covers only part of each
class, trains a classifier that fails on real data. The classifier is the evaluation classifier's architecture
and recipe (classifier.py), so the same classifier trained on real training images -- the committed one --
gives the score real data earns. Its number is read beside that one, never alone.
"""
import torch

from ..base.config import ClassifierConfig
from ..modelling.models import NUM_CLASSES
from .classifier import Classifier, fit, predict
from .evaluate import per_class_accuracy


def classification_accuracy_score(images, labels, test_images, test_labels, config: ClassifierConfig = ClassifierConfig(),
                                  *, device="cpu", progress: bool = False) -> dict:
    """Accuracy (overall and per class) on (test_images, test_labels) of a Classifier trained on (images, labels)
    with ``config``'s recipe; images are (N, 1, 28, 28) in [0, 1]."""
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    missing = sorted(set(range(NUM_CLASSES)) - set(labels.unique().tolist()))
    if missing:
        raise ValueError(f"the training images have no examples of classes {missing}")
    torch.manual_seed(config.seed)
    model = Classifier().to(device)
    fit(model, images.float(), labels, config, device=device, progress=progress, desc="CAS classifier")
    predicted = predict(model, test_images)[0].argmax(1)
    correct = predicted == test_labels
    return {"accuracy": float(correct.float().mean()),
            "accuracy_per_class": per_class_accuracy(predicted, test_labels),
            "train_images": len(images)}
