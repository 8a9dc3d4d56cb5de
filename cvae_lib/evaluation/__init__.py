"""Evaluation layer: numbers about trained runs. ``evaluate`` + ``metrics`` (likelihood bounds and classifier
metrics, metrics.json), ``classifier`` (the evaluation CNN), ``fidelity`` (precision, recall, sharpness),
``generate``, ``extensions`` (latent samplers applied to a run, samplers.json), ``judge`` + ``cas`` + ``stats`` +
``memorisation`` + ``review`` (the expert review: a second judge, CAS, t intervals, temperature curves, review.json). Imports the layers below.
"""
