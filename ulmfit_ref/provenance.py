"""What a model file was made with, and whether it is still whole: fingerprints and checked torch files.

A model file or checkpoint written by `save_checked` holds, beside its content, a stamp under the key "ulmfit": the
sha256 of that content and the fingerprints of the vocabulary and preset it was made with. `load_checked` computes
the sha256 again and compares the fingerprints with the ones expected, so a zeroed block, a cut file or a file of
another run is one line that names the file and what is wrong. A file without a stamp (made before this check, or
by fastai) still loads, as a legacy file, and says so.
"""

import errno
import hashlib
import json
import pickle
import re
import shutil
import zipfile
from pathlib import Path

import torch

from .errors import BadFile
from .files import atomic_write

STAMP = "ulmfit"  # the key of the stamp in a checked file
_re_zip_write = re.compile(r"PytorchStreamWriter failed|file write failed|unexpected pos")
_re_global = re.compile(r"unsupported global:? (?:GLOBAL )?(\S+)", re.IGNORECASE)  # weights_only refusing a payload
_ZIP_HEAD, _ZIP_END = b"PK\x03\x04", b"PK\x05\x06"  # torch.save writes a zip archive; its end record comes last


def fingerprint(value) -> str:
    """A short sha256 of a JSON value: a vocabulary's itos list, a preset as a dict."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def made_with(itos=None, preset: dict = None) -> dict:
    """The stamp's fingerprints of a vocabulary (its itos) and a preset (`asdict`, as run.json holds it)."""
    stamp = {}
    if itos is not None:
        stamp.update(vocab=fingerprint(list(itos)), vocab_size=len(itos))
    if preset is not None:
        preset = json.loads(json.dumps(preset, default=str))  # as it reads back from run.json
        stamp.update(preset=fingerprint(preset), preset_name=preset.get("name"))
    return stamp


def content_digest(obj) -> str:
    """sha256 of a structure of dicts, lists, tuples, tensors and plain values, as torch.save stores it."""
    h = hashlib.sha256()
    _feed(h, obj)
    return h.hexdigest()


def _feed(h, obj) -> None:
    """Add `obj` to the hash `h`, tagged with its type so that [1] and (1,), 1 and True differ."""
    if isinstance(obj, torch.Tensor):
        t = obj.detach().cpu().contiguous()
        h.update(f"tensor {t.dtype} {tuple(t.shape)}:".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy())  # the raw bytes, whatever the dtype
    elif isinstance(obj, dict):
        h.update(f"dict {len(obj)}:".encode())
        for key, value in obj.items():
            _feed(h, key)
            _feed(h, value)
    elif isinstance(obj, (list, tuple)):
        h.update(f"{type(obj).__name__} {len(obj)}:".encode())
        for value in obj:
            _feed(h, value)
    else:
        h.update(f"{type(obj).__name__} {obj!r};".encode())


def _tensor_bytes(obj) -> int:
    """The bytes of every tensor in a structure: about what torch.save writes."""
    if isinstance(obj, torch.Tensor):
        return obj.nelement() * obj.element_size()
    values = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else ()
    return sum(_tensor_bytes(v) for v in values)


def save_checked(path, content: dict, stamp: dict = None) -> None:
    """torch.save `content` atomically, with the stamp: its sha256 and the fingerprints `stamp` (from made_with)."""
    stamp, size = {"sha256": content_digest(content), **(stamp or {})}, _tensor_bytes(content)
    with atomic_write(path, size=size) as tmp, open(tmp, "wb") as f:
        try:
            torch.save({**content, STAMP: stamp}, f)
        except RuntimeError as e:  # torch's zip writer says "file write failed" or "unexpected pos", no errno
            if not _re_zip_write.search(str(e)):
                raise
            full = shutil.disk_usage(Path(path).parent).free < size + (1 << 20)
            raise OSError(errno.ENOSPC if full else errno.EIO, f"torch.save could not write it ({str(e).strip()})",
                          str(path)) from e


def _damage(path: Path) -> str:
    """What is wrong with a torch file that does not load: truncated, corrupt, or not a PyTorch file at all."""
    with open(path, "rb") as f:
        head = f.read(4)
        size = f.seek(0, 2)
        f.seek(max(0, size - (1 << 16) - 22))  # the zip end record and its longest comment
        tail = f.read()
    if size == 0:
        return "empty (truncated to 0 bytes)"
    if head == _ZIP_HEAD:
        return "corrupt" if _ZIP_END in tail else "truncated (its end is missing)"
    if head[:1] == b"\x80":  # the pickle of torch's legacy format: a cut and a changed byte look alike
        return "truncated or corrupt"
    return "not a PyTorch file (or corrupt from its first bytes)"


def _torch_load(path: Path, what: str, advice: str):
    """torch.load(weights_only=True) of `path`; a file it cannot read is a BadFile saying what is wrong with it."""
    with open(path, "rb") as f:  # an error opening it (missing, no permission) is the OSError it is
        try:
            return torch.load(f, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as e:
            if unsafe := _re_global.search(str(e)):
                raise BadFile(f"{path} holds more than tensors ({what}: a pickle that calls {unsafe.group(1)}): "
                              f"refusing to unpickle it, which could run code; {advice}") from e
            failure = e
        except (RuntimeError, OSError, EOFError, ValueError, IndexError, KeyError, UnicodeDecodeError,
                zipfile.BadZipFile) as e:  # what reading bytes that are no torch file raises
            failure = e
    reason = str(failure).strip().split(". ")[0].splitlines()[0] if str(failure).strip() else type(failure).__name__
    raise BadFile(f"{path}: {_damage(path)}, cannot read {what} ({reason}); {advice}") from failure


def _check_made_with(path: Path, stamp: dict, expect: dict, vocab_file, what: str, advice: str) -> None:
    """A BadFile when the stamp's vocabulary or preset is not the one expected, saying which and how."""
    vocab = f"the vocabulary of {vocab_file}" if vocab_file else "this run's vocabulary"
    if expect.get("vocab") and stamp.get("vocab") and stamp["vocab"] != expect["vocab"]:
        if stamp.get("vocab_size") != expect.get("vocab_size"):
            raise BadFile(f"{path} ({what}) was made with a vocabulary of {stamp.get('vocab_size'):,} words, not "
                          f"{vocab} ({expect.get('vocab_size'):,} words); {advice}")
        raise BadFile(f"{path} ({what}) was made with another vocabulary of the same size ({expect['vocab_size']:,} "
                      f"words, other words or another order) than {vocab}; {advice}")
    if expect.get("preset") and stamp.get("preset") and stamp["preset"] != expect["preset"]:
        raise BadFile(f"{path} ({what}) was made with another preset ({stamp.get('preset_name')!r} with other "
                      f"values) than this run's {expect.get('preset_name')!r}; {advice}")


def load_checked(path, what: str, advice: str, expect: dict = None, vocab_file=None, log=None):
    """The content of a torch file, its checksum checked and its stamp compared with `expect` (from made_with).

    A file without a stamp is legacy: it loads unchecked, and `log` (when given) says so.
    """
    path = Path(path)
    state = _torch_load(path, what, advice)
    stamp = state.pop(STAMP, None) if isinstance(state, dict) else None
    if not isinstance(stamp, dict):
        if log is not None:
            log(f"{path}: a legacy file (no checksum: made before this version of ulmfit_ref, or by fastai), "
                f"loaded unchecked")
        return state
    if stamp.get("sha256") != content_digest(state):
        raise BadFile(f"{path}: corrupt, its content does not match the checksum written with it ({what}); {advice}")
    _check_made_with(path, stamp, expect or {}, vocab_file, what, advice)
    return state
