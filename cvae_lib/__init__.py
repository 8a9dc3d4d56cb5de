"""cvae_lib: the seed's two conditional VAEs on FashionMNIST, their loss, training and evaluation."""
__version__ = "0.1.0"
