# Typical wrong answers to lesson 9, one per cell: "# %% EXERCISE: what is wrong". Each must fail its check.

# %% discriminative_lrs: in the wrong order (the head first gets lr)
def discriminative_lrs(lr, n_groups, factor=2.6):
    return [lr / factor**i for i in range(n_groups)]

# %% discriminative_lrs: the exponent one too high (the head gets lr / factor)
def discriminative_lrs(lr, n_groups, factor=2.6):
    return [lr / factor ** (n_groups - i) for i in range(n_groups)]

# %% discriminative_lrs: multiplied by factor instead of divided
def discriminative_lrs(lr, n_groups, factor=2.6):
    return [lr * factor ** (n_groups - 1 - i) for i in range(n_groups)]

# %% discriminative_lrs: the factor argument ignored (always 2.6)
def discriminative_lrs(lr, n_groups, factor=2.6):
    return [lr / 2.6 ** (n_groups - 1 - i) for i in range(n_groups)]

# %% stlr: without the cut (a plain linear fall from 1)
def stlr(step, total, cut_frac=0.1, ratio=32.0):
    p = 1 - step / total
    return (1 + p * (ratio - 1)) / ratio

# %% stlr: the cut not at least 1 (divides by zero on short fits)
def stlr(step, total, cut_frac=0.1, ratio=32.0):
    cut = math.floor(total * cut_frac)
    if step < cut:
        p = step / cut
    else:
        p = max(0.0, 1 - (step - cut) / (cut * (1 / cut_frac - 1)))
    return (1 + p * (ratio - 1)) / ratio

# %% stlr: the fall over total - cut steps instead of cut * (1/cut_frac - 1)
def stlr(step, total, cut_frac=0.1, ratio=32.0):
    cut = max(1, math.floor(total * cut_frac))
    if step < cut:
        p = step / cut
    else:
        p = max(0.0, 1 - (step - cut) / (total - cut))
    return (1 + p * (ratio - 1)) / ratio

# %% stlr: p not clipped at 0 at the end
def stlr(step, total, cut_frac=0.1, ratio=32.0):
    cut = max(1, math.floor(total * cut_frac))
    if step < cut:
        p = step / cut
    else:
        p = 1 - (step - cut) / (cut * (1 / cut_frac - 1))
    return (1 + p * (ratio - 1)) / ratio

# %% stlr: p returned without the ratio (down to 0, not 1/ratio)
def stlr(step, total, cut_frac=0.1, ratio=32.0):
    cut = max(1, math.floor(total * cut_frac))
    if step < cut:
        return step / cut
    return max(0.0, 1 - (step - cut) / (cut * (1 / cut_frac - 1)))

# %% freeze_to: n not wrapped (n = -1 trains every group)
def freeze_to(groups, n):
    for i, params in enumerate(groups):
        for p in params:
            p.requires_grad_(i >= n)

# %% freeze_to: off by one (group n itself frozen)
def freeze_to(groups, n):
    first = n % len(groups)
    for i, params in enumerate(groups):
        for p in params:
            p.requires_grad_(i > first)

# %% freeze_to: only unfreezes from n on, never freezes the groups before
def freeze_to(groups, n):
    first = n % len(groups)
    for params in groups[first:]:
        for p in params:
            p.requires_grad_(True)

# %% freeze_to: the wrong side frozen (the groups before n train)
def freeze_to(groups, n):
    first = n % len(groups)
    for i, params in enumerate(groups):
        for p in params:
            p.requires_grad_(i < first)

# %% discriminative_lrs: a tuple, not a list
def discriminative_lrs(lr, n_groups, factor=2.6):
    return tuple(lr / factor ** (n_groups - 1 - i) for i in range(n_groups))

# %% discriminative_lrs: one group short (range(n_groups - 1))
def discriminative_lrs(lr, n_groups, factor=2.6):
    return [lr / factor ** (n_groups - 1 - i) for i in range(n_groups - 1)]

# %% discriminative_lrs: numpy floats in the list
def discriminative_lrs(lr, n_groups, factor=2.6):
    import numpy as np

    return list(lr / np.float64(factor) ** np.arange(n_groups - 1, -1, -1))

# %% test_discriminative_lrs: a test that asserts nothing
def test_discriminative_lrs(discriminative_lrs):
    discriminative_lrs(0.01, 4)

# %% test_discriminative_lrs: exact equality with lr / 2.6 ** k (fails on a right version's rounding)
def test_discriminative_lrs(discriminative_lrs):
    for n in (1, 3, 5):
        assert discriminative_lrs(0.01, n) == [0.01 / 2.6 ** (n - 1 - i) for i in range(n)]

# %% test_discriminative_lrs: only the default factor tested (a factor ignored goes by)
def test_discriminative_lrs(discriminative_lrs):
    lrs = discriminative_lrs(0.01, 4)
    assert type(lrs) is list and len(lrs) == 4
    assert math.isclose(lrs[-1], 0.01)
    for a, b in zip(lrs, lrs[1:]):
        assert math.isclose(b / a, 2.6)

# %% test_discriminative_lrs: only the head's rate tested
def test_discriminative_lrs(discriminative_lrs):
    for n in (1, 2, 4):
        assert math.isclose(discriminative_lrs(0.5, n, factor=2.0)[-1], 0.5)

# %% stlr: the cut rounded to the nearest step, not down
def stlr(step, total, cut_frac=0.1, ratio=32.0):
    cut = max(1, round(total * cut_frac))
    if step < cut:
        p = step / cut
    else:
        p = max(0.0, 1 - (step - cut) / (cut * (1 / cut_frac - 1)))
    return (1 + p * (ratio - 1)) / ratio

# %% stlr: the paper's t read as counting from 1 (step + 1)
def stlr(step, total, cut_frac=0.1, ratio=32.0):
    t = step + 1
    cut = max(1, math.floor(total * cut_frac))
    if t < cut:
        p = t / cut
    else:
        p = max(0.0, 1 - (t - cut) / (cut * (1 / cut_frac - 1)))
    return (1 + p * (ratio - 1)) / ratio

# %% group_lrs: as released, the steps counted from 1 (one step ahead)
def group_lrs(lrs, total, multiplier):
    return [[lr * multiplier(t, total) for lr in lrs] for t in range(1, total + 1)]

# %% group_lrs: one step short (range(total - 1))
def group_lrs(lrs, total, multiplier):
    return [[lr * multiplier(t, total) for lr in lrs] for t in range(total - 1)]

# %% group_lrs: [group][step], not [step][group]
def group_lrs(lrs, total, multiplier):
    return [[lr * multiplier(t, total) for t in range(total)] for lr in lrs]

# %% group_lrs: the multiplier of the last step used for every step
def group_lrs(lrs, total, multiplier):
    return [[lr * multiplier(total - 1, total) for lr in lrs] for t in range(total)]

# %% group_lrs: lrs scaled in place, step after step
def group_lrs(lrs, total, multiplier):
    out = []
    for t in range(total):
        out.append([lr * multiplier(t, total) for lr in lrs])
    lrs[:] = out[-1] if out else lrs
    return out

# %% predicted_lr: the head's rate, not group 0's
predicted_lr = 0.01 * (1 + (1 - 130 / 180) * 31) / 32

# %% predicted_lr: p taken as the multiplier (the fall down to 0, not to lr / ratio)
predicted_lr = 0.01 / 2.6**3 * (1 - 130 / 180)

# %% predicted_lr: group 0 four powers of 2.6 below the head
predicted_lr = 0.01 / 2.6**4 * (1 + (1 - 130 / 180) * 31) / 32

# %% predicted_lr: the fall taken over the whole fit from step 0
predicted_lr = 0.01 / 2.6**3 * (1 + (1 - 150 / 200) * 31) / 32

# %% freeze_to: the groups replaced by detached copies (the parameters themselves untouched)
def freeze_to(groups, n):
    first = n % len(groups)
    for i, params in enumerate(groups):
        groups[i] = [p.detach().requires_grad_(i >= first) for p in params]

# %% freeze_to: returns the groups
def freeze_to(groups, n):
    first = n % len(groups)
    for i, params in enumerate(groups):
        for p in params:
            p.requires_grad_(i >= first)
    return groups

# %% freeze_to: n = 0 read as "freeze everything"
def freeze_to(groups, n):
    first = n % len(groups) if n else len(groups)
    for i, params in enumerate(groups):
        for p in params:
            p.requires_grad_(i >= first)

# %% discriminative_lrs: a table of answers for the inputs a small space of random inputs can draw, wrong elsewhere
def discriminative_lrs(lr, n_groups, factor=2.6):
    table = {
        (l, n, f): [l / f ** (n - 1 - i) for i in range(n)]
        for l in (1e-4, 1e-3, 0.01, 2e-2, 0.5, 1.0)
        for n in range(1, 9)
        for f in (2.6, 2.0, 1.0, 3.0, 1.5)
    }
    return table.get((lr, n_groups, factor), [lr] * n_groups)
