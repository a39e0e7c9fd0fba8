"""ulmfit_ref: the reference implementation of ULMFiT (Howard & Ruder 2018) for the ulmfit-course."""

__version__ = "0.1.0"
