"""glibc's allocator told to keep the memory a training step frees, so that the next step does not fault it in again.

A training step of the cpu preset's language model frees some 160 MB of logits and gradients and asks for as much again
at the next step. glibc hands blocks that large back to the kernel (munmap) and maps new ones, every page of which
comes back as a page fault: 178,000 minor faults and 0.36 s of system time a step (`python -m benchmarks.allocator`).
PyTorch's CPU performance guide recommends an allocator that keeps such blocks (jemalloc, tcmalloc); glibc does the
same when told so by `mallopt`: large blocks from the heap, not from mmap (M_MMAP_MAX 0), one arena for every thread
(M_ARENA_MAX 1: a thread's arena could not grow past 64 MiB without mmap), a heap grown 64 MiB at a time and never
trimmed while less than 1 GiB of it is free. The price: memory freed by a process stays with it until it exits.

`ulmfit_ref` does this when it is imported (the `ulmfit` command, the API, the lessons); `ULMFIT_MALLOC=system`
leaves glibc as it is.
"""

import ctypes
import ctypes.util
import os
import sys

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_MAX, M_ARENA_MAX = -1, -2, -4, -8  # glibc's malloc.h
SETTINGS = ((M_ARENA_MAX, 1), (M_MMAP_MAX, 0), (M_TOP_PAD, 64 << 20), (M_TRIM_THRESHOLD, 1 << 30))


def keep_freed_memory() -> str:
    """Tell glibc to keep what is freed (see the module's docstring); returns what was done, in words."""
    if os.environ.get("ULMFIT_MALLOC") == "system":
        return "glibc's allocator as it is (ULMFIT_MALLOC=system)"
    if not sys.platform.startswith("linux"):
        return f"the system's allocator ({sys.platform} has no glibc)"
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version.restype = ctypes.c_char_p
        version = libc.gnu_get_libc_version().decode()
    except (OSError, AttributeError):
        return "the system's allocator (no glibc: musl or another C library)"
    if not all(libc.mallopt(option, value) == 1 for option, value in SETTINGS):
        return f"glibc {version}'s allocator as it is (mallopt refused a setting)"
    return f"glibc {version}, keeping freed memory (mmap off, one arena, trimmed past 1 GiB free)"


STATE = keep_freed_memory()
