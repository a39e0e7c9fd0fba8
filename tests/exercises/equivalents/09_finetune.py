# Correct answers to lesson 9 written differently from the solution, one per cell: "# %% EXERCISE: how it differs".

# %% discriminative_lrs: a negative power, lr * factor ** -k (another float order)
def discriminative_lrs(lr: float, n_groups: int, factor: float = 2.6) -> list:
    return [lr * factor ** -(n_groups - 1 - i) for i in range(n_groups)]

# %% discriminative_lrs: numpy powers, back to a list of floats with tolist()
def discriminative_lrs(lr: float, n_groups: int, factor: float = 2.6) -> list:
    import numpy as np

    return (lr / np.float64(factor) ** np.arange(n_groups - 1, -1, -1)).tolist()

# %% stlr: the fall written as (cut - step) over the steps after the cut, one return per branch
def stlr(step: int, total: int, cut_frac: float = 0.1, ratio: float = 32.0) -> float:
    cut = max(1, int(math.floor(total * cut_frac)))
    if step < cut:
        return (1 + step / cut * (ratio - 1)) / ratio
    p = 1 - (step - cut) / (cut * (1 / cut_frac - 1))
    return (1 + max(0.0, p) * (ratio - 1)) / ratio

# %% stlr: 1/ratio plus p times the rest of the way up
def stlr(step: int, total: int, cut_frac: float = 0.1, ratio: float = 32.0) -> float:
    cut = math.floor(total * cut_frac) or 1
    p = step / cut if step < cut else 1 - (step - cut) / (cut * (1 / cut_frac - 1))
    p = p if p > 0 else 0.0
    return 1 / ratio + p * (1 - 1 / ratio)

# %% freeze_to: a negative n turned positive by hand, requires_grad set as an attribute
def freeze_to(groups: list, n: int) -> None:
    first = n if n >= 0 else len(groups) + n
    for i in range(len(groups)):
        for p in groups[i]:
            p.requires_grad = i >= first

# %% freeze_to: the groups sliced in two, frozen before and trained after
def freeze_to(groups: list, n: int) -> None:
    start = n % len(groups)
    for g in groups[:start]:
        for p in g:
            p.requires_grad_(False)
    for g in groups[start:]:
        for p in g:
            p.requires_grad_(True)

# %% discriminative_lrs: built from the head down, one division at a time
def discriminative_lrs(lr, n_groups, factor=2.6):
    lrs = [lr]
    while len(lrs) < n_groups:
        lrs.insert(0, lrs[0] / factor)
    return lrs[:n_groups]

# %% test_discriminative_lrs: hand-written values, compared with pytest.approx-like tolerance
def test_discriminative_lrs(fn):
    def near(a, b):
        return type(a) is list and len(a) == len(b) and all(abs(x - y) <= 1e-9 * abs(y) for x, y in zip(a, b))

    assert near(fn(1.0, 3, factor=2.0), [0.25, 0.5, 1.0])
    assert near(fn(1.0, 2), [1 / 2.6, 1.0])
    assert near(fn(0.3, 1, 5.0), [0.3])
    assert near(fn(8.0, 4, 2.0), [1.0, 2.0, 4.0, 8.0])

# %% test_discriminative_lrs: ratios checked in logs, over many sizes
def test_discriminative_lrs(discriminative_lrs):
    for n in range(1, 7):
        for factor in (None, 1.5, 3.0):
            lrs = discriminative_lrs(0.02, n) if factor is None else discriminative_lrs(0.02, n, factor)
            f = factor or 2.6
            assert isinstance(lrs, list) and len(lrs) == n
            for i, x in enumerate(lrs):
                assert math.isclose(math.log(x), math.log(0.02) - (n - 1 - i) * math.log(f), abs_tol=1e-9)

# %% group_lrs: a loop over the steps, the groups zipped in
def group_lrs(lrs: list, total: int, multiplier) -> list:
    out = []
    for step in range(total):
        m = multiplier(step, total)
        out.append([lr * m for lr in lrs])
    return out

# %% group_lrs: map over a range
def group_lrs(lrs, total, multiplier):
    return list(map(lambda t: [x * multiplier(t, total) for x in lrs], range(total)))

# %% predicted_lr: rounded
predicted_lr = 1.7e-4

# %% predicted_lr: the multiplier as 1/ratio plus p times the rest of the way
predicted_lr = 0.01 / 2.6**3 * (1 / 32 + (50 / 180) * (1 - 1 / 32))
