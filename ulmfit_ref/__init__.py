"""ulmfit_ref: the reference implementation of ULMFiT (Howard & Ruder 2018) for the ulmfit-course."""

from . import allocator  # noqa: F401 - glibc told to keep freed memory, for every use of the package (see allocator)

__version__ = "0.1.0"
