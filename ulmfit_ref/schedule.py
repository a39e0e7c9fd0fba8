"""Learning-rate schedules: slanted triangular (ULMFiT), one-cycle (fastai 1) and constant.

A schedule maps (step, total) to a multiplier of each layer group's maximum lr, and optionally
to Adam's beta1 (the momentum); steps count from 0 and `total` is the number of steps of the fit.
"""

import math
from dataclasses import dataclass


def _check_steps(step: int, total: int) -> None:
    """Refuse a step or a total that cannot be a position in a fit."""
    if total < 1:
        raise ValueError(f"a fit needs at least one step, got total={total}")
    if step < 0:
        raise ValueError(f"steps count from 0, got step={step}")


def _cos_anneal(start: float, end: float, pct: float) -> float:
    """Half a cosine from `start` (pct=0) to `end` (pct=1)."""
    return end + (start - end) / 2 * (1 + math.cos(math.pi * pct))


@dataclass(frozen=True)
class Constant:
    """The maximum lr at every step."""

    def lr_mult(self, step: int, total: int) -> float:
        """Always 1."""
        _check_steps(step, total)
        return 1.0

    def momentum(self, step: int, total: int) -> float | None:
        """None: leave Adam's beta1 alone."""
        return None


@dataclass(frozen=True)
class STLR:
    """Slanted triangular learning rates, eq. 3 of Howard & Ruder (2018).

    cut = floor(T * cut_frac); p = t / cut before the cut, else 1 - (t - cut) / (cut * (1/cut_frac - 1));
    lr_t = lr * (1 + p * (ratio - 1)) / ratio. Short linear rise from lr/ratio to lr, long fall back.

    Taught in lesson 9; fastai 0.7: `use_clr=(32, 10)`."""

    cut_frac: float = 0.1
    ratio: float = 32.0

    def __post_init__(self):
        if not 0 < self.cut_frac < 1:
            raise ValueError(f"cut_frac is the fraction of steps spent rising, in (0, 1); got {self.cut_frac}")
        if self.ratio < 1:
            raise ValueError(f"ratio is how much smaller the lowest lr is than the maximum, >= 1; got {self.ratio}")

    @classmethod
    def from_clr(cls, div: float, cut_div: float) -> "STLR":
        """The 2018 notebook's `use_clr=(div, cut_div)` (fastai 0.7 CircularLR): ratio = div, cut_frac = 1 / cut_div."""
        if cut_div <= 1:
            raise ValueError(f"cut_div must be > 1 (the rise takes 1/cut_div of the steps); got {cut_div}")
        return cls(cut_frac=1 / cut_div, ratio=div)

    def lr_mult(self, step: int, total: int) -> float:
        """(1 + p * (ratio - 1)) / ratio; a fit shorter than 1/cut_frac steps still rises for one step.

        Taught in lesson 9; the paper's equation 3."""
        _check_steps(step, total)
        cut = max(1, math.floor(total * self.cut_frac))
        if step < cut:
            p = step / cut
        else:
            p = max(0.0, 1 - (step - cut) / (cut * (1 / self.cut_frac - 1)))
        return (1 + p * (self.ratio - 1)) / self.ratio

    def momentum(self, step: int, total: int) -> float | None:
        """None: the paper keeps Adam's beta1 fixed."""
        return None


@dataclass(frozen=True)
class OneCycle:
    """fastai 1's one-cycle: cosine rise from lr/div to lr over pct_start of the steps, cosine fall to lr/div_final.

    With `moms=(high, low)` Adam's beta1 follows the opposite path: high -> low while the lr rises, then back.

    fastai 0.7: `use_clr_beta`; fastai 1: `fit_one_cycle`."""

    pct_start: float = 0.3
    div: float = 25.0
    div_final: float = 25e4
    moms: tuple[float, float] | None = None

    def __post_init__(self):
        if not 0 <= self.pct_start < 1:
            raise ValueError(f"pct_start is the fraction of steps spent rising, in [0, 1); got {self.pct_start}")
        if self.div < 1 or self.div_final < 1:
            raise ValueError(f"div and div_final divide the maximum lr, >= 1; got {self.div}, {self.div_final}")
        if self.moms is not None and not all(0 <= m < 1 for m in self.moms):
            raise ValueError(f"moms are Adam beta1 values in [0, 1); got {self.moms}")

    def _phase(self, step: int, total: int) -> tuple[bool, float]:
        """(rising?, fraction of the current phase done) at `step`."""
        _check_steps(step, total)
        warm = int(total * self.pct_start)
        if step < warm:
            return True, step / warm
        return False, min(1.0, (step - warm) / (total - warm))

    def lr_mult(self, step: int, total: int) -> float:
        """1/div -> 1 -> 1/div_final along two half cosines."""
        rising, pct = self._phase(step, total)
        if rising:
            return _cos_anneal(1 / self.div, 1.0, pct)
        return _cos_anneal(1.0, 1 / self.div_final, pct)

    def momentum(self, step: int, total: int) -> float | None:
        """moms[0] -> moms[1] -> moms[0], or None when momentum cycling is off."""
        if self.moms is None:
            return None
        high, low = self.moms
        rising, pct = self._phase(step, total)
        return _cos_anneal(high, low, pct) if rising else _cos_anneal(low, high, pct)


Schedule = Constant | STLR | OneCycle
