"""Download of the official IMDb archive: cached, resumable, with a progress bar and a sha256 check."""

import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path

from tqdm.auto import tqdm

from .errors import UlmfitError

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
IMDB_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"


class DownloadError(UlmfitError, RuntimeError):
    """A download that failed, with what to do instead."""


def cache_dir() -> Path:
    """The user cache folder of this package: $ULMFIT_CACHE, else $XDG_CACHE_HOME/ulmfit, else ~/.cache/ulmfit."""
    if os.environ.get("ULMFIT_CACHE"):
        return Path(os.environ["ULMFIT_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ulmfit"


def sha256sum(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def download(url: str, dest: Path, sha256: str = None, timeout: float = 30) -> Path:
    """Fetch `url` to `dest`, resuming a partial `dest.part`; a wrong sha256 deletes the file and fails."""
    dest = Path(dest)
    if dest.exists() and (sha256 is None or sha256sum(dest) == sha256):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    start = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={start}-"} if start else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if start and response.status != 206:  # the server ignored the range: start again
                start = 0
            total = response.length + start if response.length is not None else None
            with open(part, "ab" if start else "wb") as f, tqdm(
                total=total, initial=start, unit="B", unit_scale=True, desc=dest.name
            ) as bar:
                while block := response.read(1 << 16):
                    f.write(block)
                    bar.update(len(block))
    except (urllib.error.URLError, OSError) as e:
        raise DownloadError(
            f"could not download {url} ({e}). With no network, pass a local copy instead: "
            "--data PATH, an extracted aclImdb folder or the aclImdb_v1.tar.gz archive"
        ) from None
    if sha256 is not None and (got := sha256sum(part)) != sha256:
        part.unlink()
        raise DownloadError(f"{url}: sha256 {got} does not match the expected {sha256}; the partial file was removed, "
                            f"try again")
    part.replace(dest)
    return dest


def download_imdb(dest_dir: Path = None) -> Path:
    """The official aclImdb_v1.tar.gz, downloaded into the cache folder once."""
    return download(IMDB_URL, Path(dest_dir or cache_dir()) / "aclImdb_v1.tar.gz", IMDB_SHA256)
