"""Base layer: what every other layer reads. ``config`` (every parameter and its allowed values, typed), ``review_config`` (the review's judge and protocol),
``data`` (FashionMNIST, verified), ``fileio`` (atomic writes). Imports nothing else from cvae_lib.
"""
