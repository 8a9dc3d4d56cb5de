"""Models layer: the networks and what they define. ``models`` (the original MLP and conv CVAEs),
``losses`` (each decoder likelihood, the ELBO), ``priors`` (temperature, per-class GMM, two-stage VAE, VampPrior),
``vaegan`` (discriminator and its losses), ``reference`` (the original homework code, verbatim). Imports only base.
"""
