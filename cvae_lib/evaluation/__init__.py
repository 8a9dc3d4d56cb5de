"""Evaluation layer: numbers about trained runs. ``evaluate`` + ``metrics`` (likelihood bounds and classifier
metrics, metrics.json), ``classifier`` (the evaluation CNN), ``fidelity`` (precision, recall, sharpness),
``generate``, ``extensions`` (latent samplers applied to a run, samplers.json). Imports the layers below.
"""
