"""Base layer: what every other layer reads. ``config`` (every parameter and its allowed values, typed),
``data`` (FashionMNIST, verified), ``fileio`` (atomic writes). Imports nothing else from cvae_lib.
"""
