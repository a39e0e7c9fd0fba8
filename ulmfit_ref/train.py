"""Training over layer groups: the Learner, ULMFiT's fine-tuning recipes, checkpoints and data parallelism.

The model exposes `layer_groups()` (nn.Modules or lists of parameters, the head last) and returns either
logits or a tuple (logits, raw_outputs, dropped_outputs[, mask]) as fastai 0.7's RNN models do. Loaders
yield (x, y) or (x, lengths, y): every item but the last goes to the model. An LM gets x and y of shape
[seq, bs], a classifier x [seq, bs] and y [bs]. Loaders, or their batch samplers, with state_dict() have
their state checkpointed.
"""

import contextlib
import copy
import math
import numbers
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from tqdm.std import tqdm

from .config import LearnerConfig
from .distributed import DistInfo, setup_distributed
from .errors import BadFile, UlmfitError, out_of_memory_message
from .plots import LiveFigure, in_notebook, lr_find_figure, save_figure, training_figure
from .progress import progress
from .provenance import load_checked, save_checked
from .regularize import activation_reg, temporal_activation_reg
from .schedule import STLR, Constant, Schedule

LR = float | Sequence[float]


class TrainingDiverged(UlmfitError, FloatingPointError):
    """The loss became NaN or infinite."""


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and torch (every device) so that a run can be repeated."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def default_device() -> torch.device:
    """This process's GPU (LOCAL_RANK under torchrun) when CUDA is available, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return torch.device("cpu")


def amp_dtype(device: torch.device) -> torch.dtype | None:
    """The autocast dtype on CUDA (bf16 when supported, else fp16); None on the CPU, which runs in fp32."""
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def discriminative_lrs(lr: float, n_groups: int, factor: float = 2.6) -> list[float]:
    """One lr per layer group: the head gets lr, every group below gets the lr above divided by factor.

    Taught in lesson 9; the 2018 notebook: `lrs = np.array([lr/(2.6**4), lr/(2.6**3), lr/(2.6**2), lr/2.6, lr])`."""
    return [lr / factor ** (n_groups - 1 - i) for i in range(n_groups)]


def flat_cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over every target: LM logits [seq, bs, V] with y [seq, bs], or [bs, C] with y [bs]."""
    flat = logits.reshape(-1, logits.size(-1))
    if flat.size(0) != y.numel():
        raise ValueError(f"logits {tuple(logits.shape)} give {flat.size(0)} predictions "
                         f"but y {tuple(y.shape)} has {y.numel()} targets")
    return F.cross_entropy(flat, y.reshape(-1))


def n_correct(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """How many targets the argmax of the logits gets right (next-word accuracy for an LM)."""
    return (logits.argmax(-1).reshape(-1) == y.reshape(-1)).sum()


@dataclass(frozen=True)
class ARTAR:
    """Activation (AR) and temporal activation (TAR) regularization of the last RNN layer, Merity et al. 2017.

    Taught in lesson 9; fastai 0.7: `seq2seq_reg(alpha=2, beta=1)`."""

    alpha: float = 2.0
    beta: float = 1.0

    def __call__(self, outputs: tuple) -> torch.Tensor:
        """alpha * mean(dropped_h**2) + beta * mean((raw_h[t+1] - raw_h[t])**2) from (logits, raw, dropped[, mask]).

        A classifier also returns the mask of its real tokens: the padding then counts in neither mean.
        """
        if not (isinstance(outputs, tuple) and len(outputs) in (3, 4)):
            raise TypeError("AR/TAR needs the model to return (logits, raw_outputs, dropped_outputs[, mask])")
        raw_outputs, dropped_outputs, mask = outputs[1], outputs[2], outputs[3] if len(outputs) == 4 else None
        return (activation_reg(dropped_outputs[-1], self.alpha, mask)
                + temporal_activation_reg(raw_outputs[-1], self.beta, mask))


@dataclass(frozen=True)
class EpochRecord:
    """One row of the results table (epochs count from 0, as in fastai's)."""

    epoch: int
    train_loss: float
    valid_loss: float
    accuracy: float
    perplexity: float
    seconds: float


@dataclass(frozen=True)
class LRFindResult:
    """The lr finder's sweep (smoothed losses) and its suggestion: a tenth of the lr at the lowest loss."""

    lrs: list[float]
    losses: list[float]
    suggestion: float

    def figure(self):
        """The sweep as a matplotlib Figure, the suggestion marked (fastai 0.7: `learner.sched.plot()`)."""
        return lr_find_figure(self.lrs, self.losses, self.suggestion)


@dataclass
class _Smoother:
    """Exponential moving average with bias correction, as fastai smooths the loss it shows."""

    beta: float = 0.98
    avg: float = 0.0
    n: int = 0

    def add(self, value: float) -> float:
        """Fold in a value and return the corrected average."""
        self.n += 1
        self.avg = self.beta * self.avg + (1 - self.beta) * value
        return self.avg / (1 - self.beta**self.n)


def _logits(outputs) -> torch.Tensor:
    """The logits from a model's output: the tensor itself or the first item of a tuple."""
    return outputs[0] if isinstance(outputs, (tuple, list)) else outputs


def _group_params(model: nn.Module) -> list[list[nn.Parameter]]:
    """The parameters of each layer group, each in one group only: one shared by several (a tied decoder) goes last."""
    if not callable(getattr(model, "layer_groups", None)):
        raise TypeError(f"{type(model).__name__} has no layer_groups(): it must return a list of nn.Modules "
                        f"or of parameter lists, the head last")
    groups = [list(g.parameters()) if isinstance(g, nn.Module) else g for g in model.layer_groups()]
    if not groups or not all(isinstance(g, (list, tuple)) and all(isinstance(p, nn.Parameter) for p in g)
                             for g in groups):
        raise TypeError("layer_groups() must return a non-empty list of nn.Modules or of parameter lists")
    owner = {}
    for i, group in enumerate(groups):
        for p in group:
            owner[id(p)] = (i, p)
    missing = [name for name, p in model.named_parameters() if id(p) not in owner]
    if missing:
        raise ValueError(f"parameters in no layer group would never train: {missing}; add them to layer_groups()")
    return [[p for j, p in owner.values() if j == i] for i in range(len(groups))]


def _shard(t: torch.Tensor, dim: int, info: DistInfo) -> torch.Tensor:
    """This process's equal slice of a batch along `dim`."""
    size = t.size(dim)
    if size % info.world_size:
        raise ValueError(f"a batch of {size} along dim {dim} does not split over {info.world_size} processes: "
                         f"use a batch size divisible by the world size")
    part = size // info.world_size
    return t.narrow(dim, info.rank * part, part)


def _batches_forever(dl: Iterable, reset: Callable[[], None]) -> Iterator:
    """Batches of `dl` pass after pass, resetting the model before each pass."""
    while True:
        reset()
        empty = True
        for batch in dl:
            empty = False
            yield batch
        if empty:
            raise ValueError("the train loader yielded no batches")


def _rng_state() -> dict:
    """Every RNG state that training draws from, in a form torch.load(weights_only=True) accepts."""
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    return {"python": random.getstate(),
            "numpy": (kind, torch.from_numpy(keys.astype(np.int64)), pos, has_gauss, gauss),
            "torch": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []}


def _set_rng_state(state: dict) -> None:
    """Put back the RNG states saved by _rng_state."""
    random.setstate(state["python"])
    kind, keys, pos, has_gauss, gauss = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, gauss))
    torch.set_rng_state(state["torch"])
    if state["cuda"]:
        torch.cuda.set_rng_state_all(state["cuda"])


def _stateful(dl: Iterable):
    """What holds a loader's random state: the loader (an LM loader) or a DataLoader's batch sampler; else None."""
    for holder in (dl, getattr(dl, "batch_sampler", None)):
        if hasattr(holder, "state_dict"):
            return holder
    return None


def _loader_states(*loaders: Iterable) -> list:
    """The state_dict() of each loader's stateful part (LM loader, SortishSampler), else None."""
    return [holder.state_dict() if (holder := _stateful(dl)) is not None else None for dl in loaders]


def _set_loader_states(loaders: Sequence[Iterable], states: list) -> None:
    """Put back the loader states saved by _loader_states."""
    for dl, state in zip(loaders, states):
        if state is not None:
            _stateful(dl).load_state_dict(state)


class OutOfMemory(UlmfitError, torch.cuda.OutOfMemoryError):
    """CUDA ran out of memory; the message (errors.out_of_memory_message) says which option to lower."""


@contextlib.contextmanager
def _oom_advice(x: torch.Tensor, bs: int) -> Iterator[None]:
    """Re-raise a CUDA out-of-memory error on the batch `x` (of a batch size `bs` over every process) as one line."""
    try:
        yield
    except torch.cuda.OutOfMemoryError as e:
        if isinstance(e, OutOfMemory):
            raise
        raise OutOfMemory(out_of_memory_message(e, x.shape, bs)) from e


class Learner:
    """Trains a model over its layer groups with Adam(W), clipping, schedules and per-epoch checkpoints.

    `made_with` (provenance.made_with: the vocabulary and preset) stamps each checkpoint, and a resume refuses a
    checkpoint stamped otherwise.

    Taught in lesson 9; fastai 0.7: `RNN_Learner`."""

    def __init__(self, model: nn.Module, train_dl: Iterable, valid_dl: Iterable,
                 loss_func: Callable = flat_cross_entropy, reg_fn: Callable | None = None,
                 reset_fn: Callable[[], None] | None = None, config: LearnerConfig = LearnerConfig(),
                 device: torch.device | None = None, made_with: dict | None = None,
                 log: Callable[[str], None] | None = None):
        self.param_groups = _group_params(model)
        self.log = log or tqdm.write  # where its lines go: the stage lines, the epochs table, checkpoints
        self.device = device or default_device()
        self.dist = setup_distributed(self.device)
        self.model = model.to(self.device)
        self.train_dl, self.valid_dl = train_dl, valid_dl
        self.loss_func, self.reg_fn, self.config, self.made_with = loss_func, reg_fn, config, made_with
        self.reset_fn = reset_fn or getattr(model, "reset", None) or (lambda: None)
        self.opt = torch.optim.AdamW([{"params": ps} for ps in self.param_groups], lr=0.0,
                                     betas=config.betas, weight_decay=config.wd)
        self.amp_dtype = amp_dtype(self.device) if config.mixed_precision else None
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=self.amp_dtype == torch.float16)
        self.history = {"lrs": [], "losses": [], "valid": []}
        self.past = []  # (label, history) of the earlier stages of a recipe, drawn before this fit's in one figure
        self.label = "fit"  # this fit's name in that figure
        self.live = LiveFigure() if config.progress and self.is_main and in_notebook() else None
        self.lm = None  # whether the targets are a language model's ([seq, bs]): then perplexity is worth printing
        self.unfreeze()

    @property
    def n_groups(self) -> int:
        """How many layer groups the model has."""
        return len(self.param_groups)

    @property
    def is_main(self) -> bool:
        """Whether this process prints, plots and writes checkpoints (rank 0)."""
        return self.dist.rank == 0

    def freeze_to(self, n: int) -> None:
        """Train only the layer groups from index n on (n = -1: the head alone); the groups before stay fixed.

        Taught in lesson 9; fastai 0.7: `learner.freeze_to`."""
        self._train_groups(range(self._group_index(n, "freeze_to"), self.n_groups))

    def thaw_only(self, n: int) -> None:
        """Train layer group n alone (chain-thaw); every other group stays fixed."""
        self._train_groups([self._group_index(n, "thaw_only")])

    def _group_index(self, n: int, what: str) -> int:
        """Layer group n (counted from the end when negative) as an index from 0."""
        if not -self.n_groups <= n < self.n_groups:
            raise ValueError(f"{what}({n}): the model has {self.n_groups} layer groups, so n must lie in "
                             f"[{-self.n_groups}, {self.n_groups - 1}]")
        return n % self.n_groups

    def _train_groups(self, groups) -> None:
        """Let the layer groups `groups` train and keep the others fixed."""
        self.trainable = tuple(groups)  # the indices of the layer groups that train
        for i, params in enumerate(self.param_groups):
            for p in params:
                p.requires_grad_(i in self.trainable)

    def unfreeze(self) -> None:
        """Train every layer group."""
        self.freeze_to(0)

    def group_lrs(self, lr: LR) -> list[float]:
        """Per-group lrs: a number is the head's lr, divided by lr_factor per group below; a sequence is taken as is."""
        if isinstance(lr, numbers.Real):
            lrs = discriminative_lrs(float(lr), self.n_groups, self.config.lr_factor)
        else:
            lrs = [float(x) for x in lr]
        if len(lrs) != self.n_groups:
            raise ValueError(f"got {len(lrs)} learning rates for {self.n_groups} layer groups")
        if not all(0 < x < math.inf for x in lrs):
            raise ValueError(f"learning rates must be positive and finite, got {lrs}")
        return lrs

    def fit(self, epochs: int, lr: LR, schedule: Schedule = Constant(), name: str = "fit",
            resume: bool = False, plot: bool = True) -> list[EpochRecord]:
        """Train `epochs` epochs at max lr `lr` along `schedule`; resume=True continues from checkpoint `name`.

        `plot` writes `{name}_training.png` (loss and lrs) into the config's path at the end.

        fastai 0.7: `learner.fit(lrs, 1, wds=wd, use_clr=(32, 10), cycle_len=15)`."""
        if not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"epochs must be a positive int, got {epochs!r}")
        lrs = self.group_lrs(lr)
        plan = {"epochs": epochs, "lrs": lrs, "schedule": repr(schedule), "trainable": list(self.trainable)}
        self.history = {"lrs": [], "losses": [], "valid": []}
        position = self._load_checkpoint(name, plan) if resume else None
        start, step, total, records = position or (0, 0, epochs * self._n_batches(), [])
        model = self._wrap()
        for epoch in range(start, epochs):
            began = time.perf_counter()
            train_loss, step = self._train_epoch(model, lrs, schedule, step, total, f"epoch {epoch + 1}/{epochs}")
            valid_loss, accuracy = self.validate()
            perplexity = torch.tensor(valid_loss, dtype=torch.float64).exp().item()
            seconds = time.perf_counter() - began
            records.append(EpochRecord(epoch, train_loss, valid_loss, accuracy, perplexity, seconds))
            self.history["valid"].append((step, valid_loss))
            self._print_epoch(records[-1], header=epoch == start)
            self._save_checkpoint(name, plan, epoch + 1, step, total, records)
            if self.live is not None:
                self.live.show(self.figure, force=True)
        if plot:
            self.save_figure(Path(self.config.path) / f"{name}_training.png" if self.config.path else None, name)
        return records

    def _print_epoch(self, r: EpochRecord, header: bool) -> None:
        """One row of the results table (perplexity only for a language model), under its header if asked."""
        columns = [("epoch", f"{r.epoch:>5}"), ("train_loss", f"{r.train_loss:>10.4f}"),
                   ("valid_loss", f"{r.valid_loss:>10.4f}"), ("accuracy", f"{r.accuracy:>8.4f}")]
        if self.lm:
            columns.append(("perplexity", f"{r.perplexity:>10.2f}"))
        columns.append(("time", f"{r.seconds:>6.1f}"))
        if header:
            self._print(" ".join(f"{name:>{len(value)}}" for name, value in columns))
        self._print(" ".join(value for _, value in columns))

    def figure(self, title: str = None):
        """Loss and lrs of the earlier stages (`past`) and of this fit, one after another, the boundaries marked."""
        return training_figure([*self.past, (self.label, self.history)], title or self.label)

    def save_figure(self, path: Path | None, title: str = None) -> None:
        """Write `figure()` as PNG to `path` (rank 0; nothing without a path or before any step)."""
        if path is not None and self.is_main and self.history["losses"]:
            save_figure(self.figure(title), path)

    def validate(self) -> tuple[float, float]:
        """Mean loss per target and accuracy over the valid loader, summed over every process."""
        self.model.eval()
        self.reset_fn()
        sums = torch.zeros(3, dtype=torch.float64, device=self.device)
        with torch.no_grad():
            for batch in self.valid_dl:
                inputs, y = self._batch(batch, self.valid_dl)
                with self._oom_advice(inputs[0]), self._autocast():
                    logits = _logits(self.model(*inputs)).float()
                n = y.numel()
                sums += torch.stack([self.loss_func(logits, y).double() * n, n_correct(logits, y).double(),
                                     torch.tensor(n, dtype=torch.float64, device=self.device)])
        if self.dist.world_size > 1:
            dist.all_reduce(sums)
        if sums[2] == 0:
            raise ValueError("the valid loader yielded no batches")
        return (sums[0] / sums[2]).item(), (sums[1] / sums[2]).item()

    def lr_find(self, start_lr: float = 1e-7, end_lr: float = 10.0, num_it: int = 200,
                stop_div: bool = True, plot: Path | None = None) -> LRFindResult:
        """Sweep the lr exponentially for num_it steps, stop if the loss explodes, then restore the weights.

        Taught in lesson 9; fastai 0.7: `learner.lr_find`, then `learner.sched.plot()`."""
        if not 0 < start_lr < end_lr:
            raise ValueError(f"need 0 < start_lr < end_lr, got {start_lr}, {end_lr}")
        if num_it < 2:
            raise ValueError(f"num_it must be >= 2, got {num_it}")
        saved = copy.deepcopy({"model": self.model.state_dict(), "opt": self.opt.state_dict(),
                               "scaler": self.scaler.state_dict(), "rng": _rng_state(),
                               "loaders": _loader_states(self.train_dl, self.valid_dl)})
        model, smoother = self._wrap(), _Smoother()
        model.train()
        batches = _batches_forever(self.train_dl, self.reset_fn)
        lrs, losses = [], []
        try:
            for i in range(num_it):
                lr = start_lr * (end_lr / start_lr) ** (i / (num_it - 1))
                for group, group_lr in zip(self.opt.param_groups, self.group_lrs(lr)):
                    group["lr"] = group_lr
                try:
                    loss = smoother.add(self._step(model, next(batches)))
                except TrainingDiverged:
                    break
                lrs.append(lr)
                losses.append(loss)
                if stop_div and loss > 4 * min(losses):
                    break
        finally:
            self.model.load_state_dict(saved["model"])
            self.opt.load_state_dict(saved["opt"])
            self.scaler.load_state_dict(saved["scaler"])
            _set_rng_state(saved["rng"])
            _set_loader_states([self.train_dl, self.valid_dl], saved["loaders"])
        if not losses:
            raise TrainingDiverged(f"the loss was not finite even at start_lr={start_lr}: check the data and the model")
        result = LRFindResult(lrs, losses, lrs[int(np.argmin(losses))] / 10)
        if plot is None and self.config.path is not None:
            plot = Path(self.config.path) / "lr_find.png"
        if plot is not None and self.is_main:
            save_figure(result.figure(), Path(plot))
        return result

    def _n_batches(self) -> int:
        """Batches per epoch, which the schedule needs up front."""
        try:
            n = len(self.train_dl)
        except TypeError:
            raise TypeError("the train loader must have a len() so that the lr schedule knows the steps") from None
        if n < 1:
            raise ValueError("the train loader is empty")
        return n

    def _wrap(self) -> nn.Module:
        """The model, inside DistributedDataParallel under torchrun (built per fit: it follows what is frozen)."""
        if self.dist.world_size == 1:
            return self.model
        device_ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(self.model, device_ids=device_ids)

    def _oom_advice(self, x: torch.Tensor):
        """A CUDA out-of-memory error on the batch `x` (this process's share) raised as one line naming --bs."""
        return _oom_advice(x, x.size(self.config.batch_dim) * self.dist.world_size)

    def _autocast(self):
        """Mixed precision on CUDA, nothing on the CPU."""
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.amp_dtype)

    def _batch(self, batch, dl: Iterable) -> tuple[list[torch.Tensor], torch.Tensor]:
        """(model inputs, y) of a batch of `dl` on the device, this process's share under torchrun (taken here unless
        `dl` holds its shard already, as LanguageModelLoader(shard=...)); ids stay integers (fastai #1335)."""
        tensors = isinstance(batch, (tuple, list)) and all(isinstance(t, torch.Tensor) for t in batch)
        if not (tensors and len(batch) >= 2):
            raise TypeError(f"loaders must yield (x, y) or (x, lengths, y) tuples of tensors, "
                            f"got {type(batch).__name__}")
        held = getattr(dl, "shard", (0, 1))[1]
        if held not in (1, self.dist.world_size):
            raise ValueError(f"the loader holds a shard of {held} processes, the job has {self.dist.world_size}")
        if self.dist.world_size > 1 and held == 1:
            batch = [_shard(t, 0 if t.dim() == 1 else self.config.batch_dim, self.dist) for t in batch]
        *inputs, y = (t.to(self.device, non_blocking=True) for t in batch)
        self.lm = y.dim() > 1
        return inputs, y

    def _train_epoch(self, model: nn.Module, lrs: list[float], schedule: Schedule, step: int, total: int,
                     desc: str) -> tuple[float, int]:
        """One pass over the train loader; returns the mean raw loss and the step reached."""
        model.train()
        self.reset_fn()
        smoother, losses = _Smoother(), []
        desc = f"{self.label}: {desc}" if self.label != "fit" else desc
        bar = progress(self.train_dl, desc, len(self.train_dl), self.config.progress and self.is_main, self.log)
        for batch in bar:
            mult, momentum = schedule.lr_mult(step, total), schedule.momentum(step, total)
            for group, lr in zip(self.opt.param_groups, lrs):
                group["lr"] = lr * mult
                group["betas"] = (self.config.betas[0] if momentum is None else momentum, self.config.betas[1])
            loss = self._step(model, batch)
            losses.append(loss)
            self.history["lrs"].append([group["lr"] for group in self.opt.param_groups])
            self.history["losses"].append(loss)
            bar.set_postfix(loss=f"{smoother.add(loss):.4f}")
            if self.live is not None:
                self.live.show(self.figure)
            step += 1
        return float(np.mean(losses)), step

    def _step(self, model: nn.Module, batch) -> float:
        """Forward, backward (with AR/TAR), clip and update on one batch; returns the raw loss, mean over processes."""
        inputs, y = self._batch(batch, self.train_dl)
        with self._oom_advice(inputs[0]):
            with self._autocast():
                outputs = model(*inputs)
                loss = self.loss_func(_logits(outputs).float(), y)
                objective = loss + self.reg_fn(outputs) if self.reg_fn else loss
            values = torch.stack([loss.detach(), objective.detach()]).float()
            if self.dist.world_size > 1:
                dist.all_reduce(values)
                values /= self.dist.world_size
            raw, regularized = values.tolist()
            if not (math.isfinite(raw) and math.isfinite(regularized)):
                raise TrainingDiverged(f"the loss became {regularized} at lr {self.opt.param_groups[-1]['lr']:.2e} "
                                       f"(head): lower the learning rate, check the data (empty texts, labels out of "
                                       f"range) and keep gradient clipping on, then restart (resume=True goes back "
                                       f"to the last checkpoint)")
            self.opt.zero_grad(set_to_none=True)
            self.scaler.scale(objective).backward()
            if self.config.clip is not None:
                self.scaler.unscale_(self.opt)
                trainable = [p for ps in self.param_groups for p in ps if p.requires_grad]
                nn.utils.clip_grad_norm_(trainable, self.config.clip)
            self.scaler.step(self.opt)
            self.scaler.update()
        return raw

    def _checkpoint_file(self, name: str) -> Path:
        """Where checkpoint `name` lives."""
        if self.config.path is None:
            raise ValueError("checkpoints need LearnerConfig.path")
        return Path(self.config.path) / f"{name}.pt"

    def _save_checkpoint(self, name: str, plan: dict, epoch: int, step: int, total: int,
                         records: list[EpochRecord]) -> None:
        """Write all a resume needs (weights, optimizer, schedule position, RNG, loaders), atomically."""
        if self.config.path is None:
            return
        if self.is_main:
            save_checked(self._checkpoint_file(name),
                         {"model": self.model.state_dict(), "opt": self.opt.state_dict(),
                          "scaler": self.scaler.state_dict(), "plan": plan, "epoch": epoch, "step": step,
                          "total": total, "records": [asdict(r) for r in records], "history": self.history,
                          "rng": _rng_state(), "loaders": _loader_states(self.train_dl, self.valid_dl)},
                         self.made_with)
        if self.dist.world_size > 1:
            dist.barrier()

    def _load_checkpoint(self, name: str, plan: dict) -> tuple[int, int, int, list[EpochRecord]] | None:
        """Restore checkpoint `name`: (epochs done, steps done, steps planned, records), or None when it is absent."""
        file = self._checkpoint_file(name)
        if not file.exists():
            self._print(f"no checkpoint at {file}: starting from scratch")
            return None
        advice = "delete it to start this fit afresh (or run without resume)"
        state = load_checked(file, "a checkpoint", advice, self.made_with, log=self._print)
        if not isinstance(state, dict) or not {"model", "opt", "plan", "epoch"} <= state.keys():
            raise BadFile(f"{file} is not a checkpoint of this package's Learner; {advice}")
        if state["plan"] != plan:
            raise BadFile(f"{file} was written by a different fit {state['plan']}, not {plan}: "
                          f"pass the same arguments and layer freezing, or {advice}")
        try:
            self.model.load_state_dict(state["model"])
            self.opt.load_state_dict(state["opt"])
        except (RuntimeError, ValueError) as e:
            raise BadFile(f"{file} does not fit this model ({str(e).strip().splitlines()[0]}); {advice}") from e
        self.scaler.load_state_dict(state["scaler"])
        self.history = state["history"]
        _set_rng_state(state["rng"])
        _set_loader_states([self.train_dl, self.valid_dl], state["loaders"])
        self._print(f"resumed from {file} after epoch {state['epoch']}")
        return state["epoch"], state["step"], state["total"], [EpochRecord(**r) for r in state["records"]]

    def _print(self, line: str) -> None:
        """A line to the log, on rank 0 only."""
        if self.is_main:
            self.log(line)


@dataclass(frozen=True)
class Stage:
    """One fit of a recipe: train the layer groups from `freeze_to` on (`alone`: that group only) for `epochs` epochs
    at max lr `lr`."""

    freeze_to: int
    epochs: int
    lr: LR
    schedule: Schedule = STLR()
    alone: bool = False


def stage_label(stage: Stage, n_groups: int) -> str:
    """What a stage trains, in words: the head alone, one group alone, the top k layer groups, or every group."""
    first = stage.freeze_to % n_groups
    if stage.alone and first != n_groups - 1:
        return f"layer group {first} alone"
    if first == 0:
        return "every group"
    return "the head alone" if first == n_groups - 1 else f"the top {n_groups - first} groups"


def run_stages(learner: Learner, stages: Sequence[Stage], prefix: str, resume: bool = False) -> list[EpochRecord]:
    """Run the stages in order, checkpointing stage i as `{prefix}{i}`; resume skips the stages already done.

    Each stage is announced with what it trains; `{prefix}_training.png` shows the whole run, the stages marked."""
    records, learner.past = [], []
    for i, stage in enumerate(stages):
        if stage.alone:
            learner.thaw_only(stage.freeze_to)
        else:
            learner.freeze_to(stage.freeze_to)
        learner.label = f"stage {i + 1}: {stage_label(stage, learner.n_groups)}"
        lr = f"{stage.lr:.1e}" if isinstance(stage.lr, numbers.Real) else "/".join(f"{x:.1e}" for x in stage.lr)
        how = f"{'thaw_only' if stage.alone else 'freeze_to'}({stage.freeze_to})"
        learner._print(f"{prefix} {learner.label} ({how}): {stage.epochs} epoch(s), lr {lr}")
        records += learner.fit(stage.epochs, stage.lr, stage.schedule, name=f"{prefix}{i}", resume=resume,
                               plot=False)
        if i < len(stages) - 1:
            learner.past.append((learner.label, learner.history))
    path = Path(learner.config.path) / f"{prefix}_training.png" if learner.config.path else None
    learner.save_figure(path, f"{prefix}: {len(stages)} stage(s)")
    return records


def fine_tune_lm(learner: Learner, head_epochs: int, head_lr: LR, epochs: int, lr: LR,
                 schedule: Schedule = STLR(), resume: bool = False) -> list[EpochRecord]:
    """ULMFiT stage 2: fine-tune the LM's last layer group (new embeddings, tied decoder) first, then every group.

    Taught in lesson 9; the 2018 notebook: `learner.freeze_to(-1)`, `fit`, `unfreeze()`, `fit`."""
    stages = [Stage(-1, head_epochs, head_lr, schedule), Stage(0, epochs, lr, schedule)]
    return run_stages(learner, stages, "lm", resume)


def train_classifier(learner: Learner, epochs: Sequence[int], lrs: Sequence[LR], schedule: Schedule = STLR(),
                     resume: bool = False, unfreeze: str = "gradual") -> list[EpochRecord]:
    """ULMFiT stage 3, gradual unfreezing: the head, then freeze_to(-2), -3, ..., and the last stage trains all.

    unfreeze="full" trains every layer group for sum(epochs) epochs at lrs[-1] ('Full' in the paper's Table 7);
    "last" trains the head alone as long ('Last'); "chain" is chain-thaw (Felbo et al. 2017): the head alone, then
    each group below it alone from the first, then all, each stage epochs[0] long but the last, which takes the
    rest; the head trains at lrs[-1], every other group at a tenth of it.

    Taught in lesson 10; the 2018 notebook: `freeze_to(-1)`, `fit`, `freeze_to(-2)`, `fit`, `unfreeze()`, `fit`."""
    if len(epochs) != len(lrs):
        raise ValueError(f"one lr per stage: got {len(epochs)} stages of epochs and {len(lrs)} lrs")
    if unfreeze == "chain":
        head, lower = lrs[-1], lrs[-1] / 10
        n, each = learner.n_groups, epochs[0]
        stages = [Stage(-1, each, head, schedule)] + [Stage(i, each, lower, schedule, alone=True) for i in range(n - 1)]
        stages.append(Stage(0, max(each, sum(epochs) - n * each), [lower] * (n - 1) + [head], schedule))
        return run_stages(learner, stages, "clas", resume)
    if unfreeze != "gradual":
        if unfreeze not in ("full", "last"):
            raise ValueError(f"unfreeze is 'gradual', 'full', 'last' or 'chain', got {unfreeze!r}")
        return run_stages(learner, [Stage(0 if unfreeze == "full" else -1, sum(epochs), lrs[-1], schedule)], "clas",
                          resume)
    if not 1 <= len(epochs) <= learner.n_groups:
        raise ValueError(f"gradual unfreezing of {learner.n_groups} layer groups takes 1 to {learner.n_groups} stages, "
                         f"got {len(epochs)}")
    last = len(epochs) - 1
    stages = [Stage(-(i + 1) if i < last else 0, n, lr, schedule) for i, (n, lr) in enumerate(zip(epochs, lrs))]
    return run_stages(learner, stages, "clas", resume)
