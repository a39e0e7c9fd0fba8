"""A .tar or .tar.gz read as a stream: every member counted, links followed inside it, a cut archive named as truncated.

Nothing is extracted to disk. A hard link, or a symbolic link to a file inside the archive, is read as the file it
points to (a second pass over the archive reads those files). A link that points outside the archive or to a member it
does not hold, and a special file (device, fifo), is skipped: `Archive.skipped` counts each skip by its reason. An
archive is whole when its end-of-archive block is there and its gzip stream ends as it should; one cut at a member's
boundary or inside a member is a DataError saying it is truncated and after how many files.
"""

import collections
import gzip
import posixpath
import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError

BLOCK = tarfile.BLOCKSIZE  # a tar header, and the end-of-archive marker, are one block of 512 bytes


class _Recent:
    """A reader that counts the bytes it passed on and keeps the last few chunks, to look back at the last header."""

    def __init__(self, f):
        self.f, self.pos, self.chunks = f, 0, collections.deque(maxlen=4)

    def read(self, size=-1) -> bytes:
        data = self.f.read(size)
        self.chunks.append((self.pos, data))
        self.pos += len(data)
        return data

    def block_at(self, offset: int) -> bytes:
        """The bytes from `offset` on, up to one block, among those read last."""
        data = b"".join(d for start, d in self.chunks if start + len(d) > offset)
        first = next((start for start, d in self.chunks if start + len(d) > offset), self.pos)
        return data[offset - first:offset - first + BLOCK] if offset >= first else b""


def _link_target(member: tarfile.TarInfo) -> str | None:
    """The archive name a link points to, or None when it points outside the archive."""
    if member.issym():
        if posixpath.isabs(member.linkname):
            return None
        target = posixpath.join(posixpath.dirname(member.name), member.linkname)
    else:
        target = member.linkname  # a hard link names a member of the archive
    target = posixpath.normpath(target)
    return None if target == ".." or target.startswith("../") else target


@dataclass
class Archive:
    """A tar archive (.tar, .tar.gz, .tgz) and what reading it skipped, by reason."""

    path: Path
    skipped: collections.Counter = field(default_factory=collections.Counter)
    files: int = 0  # the files read so far (links to files included)

    def members(self, read: Callable[[str], bool] = lambda name: True) -> Iterator[tuple[str, bytes | None]]:
        """(name, bytes) of each file of the archive in its order, then of each link to one (None unless read(name))."""
        links = {}  # a link's name -> the normalized name of what it points to
        for member, data in self._stream(lambda m: m.isfile() and read(m.name)):
            if member.isfile():
                self.files += 1
                yield member.name, data
            elif member.islnk() or member.issym():
                target = _link_target(member)
                if target is None:
                    self.skipped["links pointing outside the archive"] += 1
                else:
                    links[member.name] = target
            elif not member.isdir():
                self.skipped["special files (devices, fifos)"] += 1
        if links:
            yield from self._links(links, read)

    def _links(self, links: dict[str, str], read) -> Iterator[tuple[str, bytes | None]]:
        """(name, bytes) of each link to a file, read in a second pass; links to no file are counted as skipped."""
        for name in list(links):  # a link to a link: follow it to the end
            seen = {name}
            while links[name] in links and links[name] not in seen:
                seen.add(links[name])
                links[name] = links[links[name]]
        targets = set(links.values())
        found = {}
        for member, data in self._stream(lambda m: m.isfile() and posixpath.normpath(m.name) in targets):
            if member.isfile() and posixpath.normpath(member.name) in targets:
                found[posixpath.normpath(member.name)] = data
        for name, target in links.items():
            if target not in found:
                self.skipped["links to a file the archive does not hold"] += 1
                continue
            self.files += 1
            yield name, found[target] if read(name) else None

    def _stream(self, wanted: Callable[[tarfile.TarInfo], bool]) -> Iterator[tuple[tarfile.TarInfo, bytes | None]]:
        """(member, its bytes where wanted(member)) in archive order; a DataError for an archive cut or corrupt."""
        gz = not self.path.name.endswith(".tar")
        with open(self.path, "rb") as f:  # an error opening it (missing, no permission) is the OSError it is
            try:
                raw = _Recent(gzip.GzipFile(fileobj=f) if gz else f)
                with tarfile.open(fileobj=raw, mode="r|") as tar:
                    for member in tar:
                        yield member, tar.extractfile(member).read() if wanted(member) else None
                    end = raw.block_at(tar.offset)
                    if len(end) < BLOCK:
                        raise EOFError(f"no end-of-archive block after {tar.offset:,} bytes")
                    if end.count(0) != BLOCK:
                        raise tarfile.ReadError(f"an unreadable header at byte {tar.offset:,}")
                    while raw.read(1 << 20):  # on to the end of the gzip stream, where a cut .tar.gz fails
                        pass
            except (EOFError, tarfile.TarError, zlib.error, OSError) as e:
                cut = isinstance(e, EOFError) or "unexpected end of data" in str(e)
                raise DataError(f"{self.path}: the archive is {'truncated' if cut else 'corrupt'} after {self.files} "
                                f"files ({e}); download it again or pass an extracted folder") from e


def skipped_words(skipped: dict) -> str:
    """What a reading skipped, in words: '2 links pointing outside the archive, 1 special files ...'."""
    return ", ".join(f"{n} {reason}" for reason, n in sorted(skipped.items()))
