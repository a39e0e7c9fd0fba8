"""Numericalized documents on disk: one flat int32 array of token ids and the offsets where each document starts."""

from pathlib import Path

import numpy as np

from .files import atomic_write


def write_ids(prefix, docs) -> tuple[int, int]:
    """Stream id arrays to `prefix.ids.npy` and `prefix.offsets.npy`; returns (documents, tokens)."""
    prefix = Path(prefix)
    raw = prefix.with_name(prefix.name + ".ids.raw")
    offsets = [0]
    with open(raw, "wb") as f:
        for ids in docs:
            f.write(np.asarray(ids, dtype=np.int32).tobytes())
            offsets.append(offsets[-1] + len(ids))
    n_tokens = offsets[-1]
    with atomic_write(prefix.with_name(prefix.name + ".ids.npy")) as tmp:
        if n_tokens == 0:
            with open(tmp, "wb") as f:
                np.save(f, np.zeros(0, dtype=np.int32), allow_pickle=False)
        else:  # copy into a .npy in blocks, so memory stays flat
            flat = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.int32, shape=(n_tokens,))
            with open(raw, "rb") as f:
                pos = 0
                while block := f.read(1 << 24):
                    a = np.frombuffer(block, dtype=np.int32)
                    flat[pos : pos + len(a)] = a
                    pos += len(a)
            flat.flush()
            del flat
        with atomic_write(prefix.with_name(prefix.name + ".offsets.npy")) as off, open(off, "wb") as f:
            np.save(f, np.array(offsets, dtype=np.int64), allow_pickle=False)
    raw.unlink()
    return len(offsets) - 1, n_tokens


def read_ids(prefix, mmap: bool = True) -> list[np.ndarray]:
    """The id array of each document written by `write_ids` (views into one memory-mapped array)."""
    prefix = Path(prefix)
    ids_path = prefix.with_name(prefix.name + ".ids.npy")
    off_path = prefix.with_name(prefix.name + ".offsets.npy")
    for p in (ids_path, off_path):
        if not p.exists():
            raise FileNotFoundError(f"{p}: missing; run `ulmfit prepare` first")
    flat = np.load(ids_path, mmap_mode="r" if mmap else None)
    offsets = np.load(off_path)
    if len(offsets) == 0 or offsets[-1] != len(flat):
        raise ValueError(f"{off_path}: offsets do not match {ids_path} ({offsets[-1:]} vs {len(flat)} ids); "
                         f"prepare again")
    return [flat[a:b] for a, b in zip(offsets[:-1], offsets[1:])]
