"""The progress of a long loop wherever it runs: a bar where someone watches (a terminal, or a notebook, where a text
bar survives a save), else a line every few percent with the step, the loss and the time left, for a log file."""

import sys
import time

from tqdm.std import tqdm

from .plots import interactive

EVERY = 0.05  # a line every 5% of the loop where no one watches...
QUIET_S = 10.0  # ...and not within 10 s of the start or of the last line: a loop of seconds says nothing


def clock(seconds: float) -> str:
    """'1 h 02 min', '3 min 05 s' or '42 s'."""
    s = int(round(seconds))
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    return f"{s // 60} min {s % 60:02d} s" if s >= 60 else f"{s} s"


class Lines:
    """An iterable that writes `desc: step i/n (p%), loss x, 3 min 05 s elapsed, about 41 min left` now and then."""

    def __init__(self, iterable, desc: str, total: int, write, every: float = EVERY, quiet_s: float = QUIET_S):
        self.iterable, self.desc, self.total, self.write, self.every = iterable, desc, total, write, every
        self.quiet_s, self.postfix = quiet_s, {}

    def set_postfix(self, **values) -> None:
        """What the next line shows after the step (the smoothed loss)."""
        self.postfix = values

    def __iter__(self):
        began, mark = time.monotonic(), self.every
        last = began
        for i, item in enumerate(self.iterable, 1):
            yield item
            now = time.monotonic()
            if self.total and (i / self.total >= mark or i == self.total) and now - last >= self.quiet_s:
                elapsed, last = now - began, now
                shown = "".join(f", {k} {v}" for k, v in self.postfix.items())
                self.write(
                    f"{self.desc}: step {i:,}/{self.total:,} ({i / self.total:.0%}){shown}, {clock(elapsed)} elapsed, "
                    f"about {clock(elapsed / i * (self.total - i))} left"
                )
                while mark <= i / self.total:
                    mark += self.every


def progress(iterable, desc: str, total: int, enabled: bool = True, write=None, quiet_s: float = QUIET_S):
    """A bar where someone watches, else `Lines` written with `write` (stderr by default); nothing if not `enabled`."""
    if not enabled or not total:
        return tqdm(iterable, total=total, disable=True)
    if interactive():
        return tqdm(iterable, desc=desc, total=total, leave=False, file=sys.stderr, dynamic_ncols=True)
    write = write or (lambda line: print(line, file=sys.stderr, flush=True))
    return Lines(iterable, desc, total, write, quiet_s=quiet_s)
