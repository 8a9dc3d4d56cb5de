"""Training layer: how a run is trained and kept. ``objectives`` (a registry: what each extension minimizes,
with a training version each), ``train`` (the resumable trainer), ``runs`` (run folders and their files).
Imports base and modelling.
"""
