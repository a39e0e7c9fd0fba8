"""What the exercises of lessons 5 to 10 share: seeded tensors built from plain data, and the tests of a dropout mask.

Inputs cross processes as plain data (sizes, seeds, lists of ids); the tensors are built from them on both sides, the
same bits on each, so that the checker can rebuild what the learner's code was given. torch is imported by the
functions that need it.
"""

import math


def warm_meta() -> None:
    """Run one operation on torch's meta device: its first use in a process costs up to a second of CPU, which the
    sandbox pays before any learner code runs rather than in a call's time limit."""
    import torch

    (torch.ones(2, 2, device="meta") @ torch.ones(2, 2, device="meta")).sum()


def seed_torch(seed: int) -> None:
    """Seed torch's CPU generator (what the dropouts draw from). Not `torch.manual_seed`: without CUDA it records the
    call's stack for later, which reads the source files on the stack."""
    import torch

    torch.default_generator.manual_seed(seed)


def nonzero(shape, seed: int, dtype: str = "float32"):
    """Values of `shape` in ±[0.5, 1.5), none of them zero, so that `out / x` shows a mask."""
    import torch

    g = torch.Generator().manual_seed(seed)
    dtype = getattr(torch, dtype)
    magnitude = torch.rand(*shape, generator=g, dtype=dtype) + 0.5
    return magnitude * torch.where(torch.rand(*shape, generator=g) < 0.5, -1.0, 1.0).to(dtype)


def about_p(dropped: float, p: float, n: int) -> bool:
    """Whether a fraction `dropped` of `n` independent draws is within 5 standard deviations of p."""
    return abs(dropped - p) <= 5 * math.sqrt(p * (1 - p) / n) + 1e-9


def pooled_rate_problem(counts: dict, what: str) -> str | None:
    """None when, for each p, the zeros counted over every call ({p: (zeros, draws)}) are about p of the draws: a rate
    that holds on large inputs only (where each call's fraction is tested) fails here, pooled over the small ones."""
    for p, (zeros, n) in sorted(counts.items()):
        if n and not about_p(zeros / n, p, n):
            return (
                f"over all the calls with p = {p:g}, {zeros / n:.1%} of {n:,} {what} were dropped; about {p:.0%} "
                "should be, whatever the size of the input"
            )
    return None


def count_zeros(counts: dict, p: float, tensors, below: int) -> None:
    """Add the zeros and the entries of each tensor of `tensors` smaller than `below` entries (a larger one has its rate
    tested alone) to `counts[p]`; what is not a tensor is skipped."""
    import torch

    for t in tensors:
        if torch.is_tensor(t) and 0 < t.numel() < below and 0 < p < 1:
            zeros, n = counts.get(p, (0, 0))
            counts[p] = (zeros + int((t == 0).sum()), n + t.numel())


def mask_values_problem(ratio, p: float, what: str = "a kept value") -> str | None:
    """None when every value of `ratio` is 0 or 1/(1-p), else what is wrong."""
    import torch

    keep = 1 / (1 - p)
    ok = (ratio == 0) | torch.isclose(ratio, torch.full_like(ratio, keep), rtol=1e-4, atol=1e-6)
    if bool(ok.all()):
        return None
    bad = float(ratio[~ok][0])
    return f"{what} should be scaled by 1/(1-p) = {keep:.4g} and a dropped one be 0; yours has a factor {bad:.4g}"


def fraction_problem(dropped: float, p: float, n: int, what: str) -> str | None:
    """None when about p of the `n` `what` are dropped, else what is wrong."""
    if about_p(dropped, p, n):
        return None
    return f"{dropped:.1%} of the {what} are dropped, it should be about p = {p:.0%} (keep each with probability 1-p)"


def independence_problem(first, second, p: float) -> str | None:
    """None when two masks (True where dropped) look like independent draws, else what is wrong."""
    n = first.numel()
    if bool((first == second).all()):
        return "two calls dropped exactly the same entries: each call should draw a new random mask"
    both = float((first & second).float().mean())
    if abs(both - p * p) > 5 * math.sqrt(p * p * (1 - p * p) / n) + 1e-9:
        return (
            f"two calls dropped {both:.1%} of the entries both times, independent draws drop about p² = {p * p:.1%}: "
            "each entry's draw should not depend on the others or on the last call"
        )
    halves = first.reshape(-1)[: n // 2], first.reshape(-1)[n // 2 :]
    for part, name in zip(halves, ("first", "second")):
        if not about_p(float(part.float().mean()), p, part.numel()):
            return (
                f"{float(part.float().mean()):.1%} of the {name} half of the entries are dropped, the whole mask "
                f"drops about p = {p:.0%}: the dropped entries should be spread at random, not in a pattern"
            )
    return None
