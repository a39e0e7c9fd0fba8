"""Tests for ulmfit_ref.train on tiny models of their own; run as a script, this is the DDP test's torchrun worker."""

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader

from ulmfit_ref.errors import UlmfitError
from ulmfit_ref.loaders import SortishSampler, pad_collate
from ulmfit_ref.models import ClassifierConfig, get_classifier
from ulmfit_ref.schedule import STLR, OneCycle
from ulmfit_ref.train import (
    ARTAR,
    DistInfo,
    Learner,
    LearnerConfig,
    Stage,
    TrainingDiverged,
    _shard,
    amp_dtype,
    default_device,
    discriminative_lrs,
    fine_tune_lm,
    flat_cross_entropy,
    run_stages,
    set_seed,
    setup_distributed,
    train_classifier,
)

VOCAB = 12
QUIET = LearnerConfig(progress=False)
CYCLE = OneCycle(moms=(0.95, 0.85))


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models run fastest on one thread; OpenMP spin-waits badly on shared cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class TinyLM(nn.Module):
    """Embedding + LSTM + decoder, stateful like fastai 0.7's RNN encoder."""

    def __init__(self, dropout: float = 0.0):
        super().__init__()
        self.encoder, self.drop = nn.Embedding(VOCAB, 8), nn.Dropout(dropout)
        self.rnn, self.decoder = nn.LSTM(8, 16), nn.Linear(16, VOCAB)
        self.hidden = None

    def reset(self):
        self.hidden = None

    def forward(self, x):
        assert x.dtype == torch.long, "token ids must stay integers"
        raw, hidden = self.rnn(self.drop(self.encoder(x)), self.hidden)
        self.hidden = tuple(h.detach() for h in hidden)
        return self.decoder(raw), [raw], [self.drop(raw)]

    def layer_groups(self):
        return [self.encoder, self.rnn, self.decoder]


class TinyClassifier(nn.Module):
    """Embedding, two LSTM layers and a linear head on the last step: four layer groups."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Embedding(VOCAB, 8)
        self.rnns = nn.ModuleList([nn.LSTM(8, 16), nn.LSTM(16, 16)])
        self.head = nn.Linear(16, 2)

    def forward(self, x, lengths=None):
        raw = self.encoder(x)
        for rnn in self.rnns:
            raw, _ = rnn(raw)
        last = raw[-1] if lengths is None else raw[lengths - 1, torch.arange(x.size(1))]
        return self.head(last), [raw], [raw]

    def layer_groups(self):
        return [self.encoder, *self.rnns, self.head]


class Bigram(nn.Module):
    """Embedding + decoder, no RNN: CPU autocast has no LSTM kernels, so this one tests the mixed-precision path."""

    def __init__(self):
        super().__init__()
        self.encoder, self.decoder = nn.Embedding(VOCAB, 8), nn.Linear(8, VOCAB)
        self.dtypes = set()

    def forward(self, x):
        assert x.dtype == torch.long, "token ids must stay integers"
        logits = self.decoder(self.encoder(x))
        self.dtypes.add(logits.dtype)
        return logits

    def layer_groups(self):
        return [self.encoder, self.decoder]


def lm_batches(n_batches: int = 6, bs: int = 4, bptt: int = 5, seed: int = 0):
    """[bptt, bs] batches of streams where each token is the previous one + 1 (mod VOCAB)."""
    starts = torch.randint(VOCAB, (bs,), generator=torch.Generator().manual_seed(seed))
    stream = (starts + torch.arange(n_batches * bptt + 1)[:, None]) % VOCAB
    return [(stream[i * bptt:(i + 1) * bptt], stream[i * bptt + 1:(i + 1) * bptt + 1]) for i in range(n_batches)]


def clas_batches(n_batches: int = 4, bs: int = 8, seq: int = 6, seed: int = 0):
    """[seq, bs] batches labelled by whether the last token is in the upper half of the vocabulary."""
    g = torch.Generator().manual_seed(seed)
    xs = [torch.randint(VOCAB, (seq, bs), generator=g) for _ in range(n_batches)]
    return [(x, (x[-1] >= VOCAB // 2).long()) for x in xs]


def padded_batches(n_batches: int = 4, bs: int = 8, seq: int = 6, seed: int = 0):
    """(x, lengths, y) batches as pad_collate makes them: texts of several lengths, padded with 1 at the end."""
    g = torch.Generator().manual_seed(seed)
    batches = []
    for _ in range(n_batches):
        x, lengths = torch.randint(2, VOCAB, (seq, bs), generator=g), torch.randint(1, seq + 1, (bs,), generator=g)
        x[torch.arange(seq)[:, None] >= lengths] = 1
        batches.append((x, lengths, (x[lengths - 1, torch.arange(bs)] >= VOCAB // 2).long()))
    return batches


class Shuffled:
    """A loader that reorders its batches at every pass with its own generator, which state_dict() saves.

    Every other pass drops one batch, so len() changes between epochs as in LanguageModelLoader.
    """

    def __init__(self, batches, crash_at=None):
        self.batches, self.crash_at, self.passes = batches, crash_at, 0
        self.generator = torch.Generator().manual_seed(0)

    def state_dict(self):
        return {"generator": self.generator.get_state(), "passes": self.passes}

    def load_state_dict(self, state):
        self.generator.set_state(state["generator"])
        self.passes = state["passes"]

    def __len__(self):
        return len(self.batches) - self.passes % 2

    def __iter__(self):
        order = torch.randperm(len(self.batches), generator=self.generator).tolist()[:len(self)]
        self.passes += 1
        for i, j in enumerate(order):
            if (self.passes, i) == self.crash_at:
                raise KeyboardInterrupt("power cut")
            yield self.batches[j]


def lm_learner(path=None, dropout=0.0, train=None, **config) -> Learner:
    """A TinyLM learner on CPU without progress bars."""
    return Learner(TinyLM(dropout), train or lm_batches(), lm_batches(2, seed=1), reg_fn=ARTAR(),
                   config=LearnerConfig(path=path, progress=False, **config), device=torch.device("cpu"))


def params(model: nn.Module) -> dict[str, torch.Tensor]:
    """A detached copy of the parameters."""
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def assert_same(a: dict, b: dict, atol: float = 0.0):
    assert a.keys() == b.keys()
    for k in a:
        assert torch.allclose(a[k], b[k], atol=atol, rtol=0), k


# --- layer groups, freezing and learning rates ---

def test_discriminative_lrs_divide_by_2_6_per_group_below_the_head():
    assert discriminative_lrs(1e-2, 3) == pytest.approx([1e-2 / 2.6**2, 1e-2 / 2.6, 1e-2])
    learner = lm_learner()
    assert learner.group_lrs(1e-2) == pytest.approx([1e-2 / 2.6**2, 1e-2 / 2.6, 1e-2])
    assert learner.group_lrs([1e-4, 1e-3, 1e-2]) == [1e-4, 1e-3, 1e-2]
    with pytest.raises(ValueError, match="3 layer groups"):
        learner.group_lrs([1e-3, 1e-2])
    with pytest.raises(ValueError, match="positive"):
        learner.group_lrs(-1e-3)


def test_freeze_to_trains_only_the_groups_from_n_on():
    learner = Learner(TinyClassifier(), clas_batches(), clas_batches(1), config=QUIET)
    learner.freeze_to(-2)
    assert [all(p.requires_grad for p in g) for g in learner.param_groups] == [False, False, True, True]
    learner.unfreeze()
    assert all(p.requires_grad for p in learner.model.parameters())
    for bad in (4, -5):
        with pytest.raises(ValueError, match="4 layer groups"):
            learner.freeze_to(bad)


def test_thaw_only_trains_one_group_and_the_plan_remembers_which():
    learner = Learner(TinyClassifier(), clas_batches(), clas_batches(1), config=QUIET)
    learner.thaw_only(1)
    assert [all(p.requires_grad for p in g) for g in learner.param_groups] == [False, True, False, False]
    assert learner.trainable == (1,)
    learner.thaw_only(-1)
    assert learner.trainable == (3,)
    with pytest.raises(ValueError, match=r"thaw_only\(4\).*4 layer groups"):
        learner.thaw_only(4)


def test_frozen_groups_do_not_move_and_weight_decay_skips_them():
    set_seed(0)
    learner = lm_learner()
    before = params(learner.model)
    learner.freeze_to(-1)
    learner.fit(1, 1e-2)
    after = params(learner.model)
    assert all(torch.equal(before[k], after[k]) for k in before if not k.startswith("decoder"))
    assert not torch.equal(before["decoder.weight"], after["decoder.weight"])


def test_optimizer_is_adamw_with_ulmfit_betas():
    learner = lm_learner(wd=0.1)
    assert isinstance(learner.opt, torch.optim.AdamW)
    assert all(g["betas"] == (0.8, 0.99) and g["weight_decay"] == 0.1 for g in learner.opt.param_groups)
    assert len(learner.opt.param_groups) == 3


def test_a_tied_weight_belongs_to_the_last_group():
    model = TinyLM()
    model.decoder = nn.Linear(8, VOCAB)
    model.rnn = nn.LSTM(8, 8)
    model.decoder.weight = model.encoder.weight
    learner = Learner(model, lm_batches(), lm_batches(1), config=QUIET)
    assert [len(ps) for ps in learner.param_groups] == [0, 4, 2]
    learner.freeze_to(-1)
    assert model.encoder.weight.requires_grad
    learner.fit(1, 1e-2)


def test_layer_groups_may_be_lists_of_parameters():
    model = TinyLM()
    model.layer_groups = lambda: [list(model.rnn.parameters()), [model.encoder.weight, *model.decoder.parameters()]]
    learner = Learner(model, lm_batches(), lm_batches(1), config=QUIET)
    assert [len(ps) for ps in learner.param_groups] == [4, 3]
    learner.freeze_to(-1)
    assert not model.rnn.weight_hh_l0.requires_grad and model.encoder.weight.requires_grad


def test_models_without_usable_layer_groups_are_refused():
    with pytest.raises(TypeError, match="layer_groups"):
        Learner(nn.Linear(2, 2), [], [])
    model = TinyLM()
    model.layer_groups = lambda: [model.encoder, model.rnn]
    with pytest.raises(ValueError, match="decoder.weight"):
        Learner(model, [], [])
    model.layer_groups = lambda: [model.encoder, "rnn"]
    with pytest.raises(TypeError, match="nn.Modules"):
        Learner(model, [], [])


# --- fit: losses, metrics, schedules, regularization ---

def test_fit_learns_the_language_and_reports_accuracy_and_perplexity(capsys):
    set_seed(0)
    records = lm_learner().fit(4, 3e-2, STLR())
    assert [r.epoch for r in records] == [0, 1, 2, 3]
    assert records[-1].valid_loss < records[0].valid_loss
    assert records[-1].accuracy > 0.5 and 0 <= records[0].accuracy <= 1
    assert all(r.perplexity == pytest.approx(math.exp(r.valid_loss)) and r.seconds > 0 for r in records)
    table = capsys.readouterr().out
    assert "train_loss" in table and "perplexity" in table and len(table.strip().splitlines()) == 5


def test_classifier_targets_are_one_per_text():
    set_seed(0)
    learner = Learner(TinyClassifier(), clas_batches(), clas_batches(2, seed=1), config=QUIET)
    records = learner.fit(3, 1e-2)
    assert records[-1].train_loss < records[0].train_loss and 0 <= records[-1].accuracy <= 1


def test_classifier_batches_may_carry_lengths_for_the_model():
    set_seed(0)
    learner = Learner(TinyClassifier(), padded_batches(), padded_batches(2, seed=1), config=QUIET)
    records = learner.fit(2, 1e-2)
    assert records[-1].train_loss < records[0].train_loss


def test_lrs_follow_the_schedule_in_every_group():
    learner = lm_learner()
    learner.fit(2, 1e-2, STLR(cut_frac=0.25, ratio=8))
    lrs = learner.group_lrs(1e-2)
    expected = [[lr * STLR(0.25, 8).lr_mult(t, 12) for lr in lrs] for t in range(12)]
    assert [lr for step in learner.history["lrs"] for lr in step] == pytest.approx(sum(expected, []))


def test_one_cycle_momentum_moves_adams_beta1_and_constant_puts_it_back():
    learner = lm_learner()
    seen = []
    learner.opt.register_step_pre_hook(lambda opt, *_: seen.append(opt.param_groups[0]["betas"][0]))
    learner.fit(1, 1e-2, OneCycle(pct_start=0.5, moms=(0.95, 0.85)))
    assert seen[0] == pytest.approx(0.95) and seen[3] == pytest.approx(0.85)
    learner.fit(1, 1e-2)
    assert seen[-1] == 0.8


def test_gradients_are_clipped_to_clip(monkeypatch):
    norms = []
    clip = nn.utils.clip_grad_norm_

    def spy(parameters, max_norm):
        parameters = list(parameters)
        clip(parameters, max_norm)
        norms.append((max_norm, torch.stack([p.grad.norm() for p in parameters]).norm().item()))

    monkeypatch.setattr(nn.utils, "clip_grad_norm_", spy)
    lm_learner().fit(1, 1e-2)
    assert len(norms) == 6 and all(m == 0.25 and n <= 0.25 + 1e-6 for m, n in norms)
    norms.clear()
    lm_learner(clip=None).fit(1, 1e-2)
    assert norms == []


def test_ar_tar_by_hand():
    raw = torch.tensor([[[1.0]], [[3.0]], [[2.0]]])  # [seq=3, bs=1, h=1]
    dropped = torch.tensor([[[2.0]], [[0.0]], [[0.0]]])
    # AR = 2 * mean(4, 0, 0) = 8/3; TAR = 1 * mean((3-1)^2, (2-3)^2) = 5/2.
    assert ARTAR()((None, [raw], [dropped])).item() == pytest.approx(8 / 3 + 5 / 2)
    with pytest.raises(TypeError, match="raw_outputs"):
        ARTAR()(torch.zeros(2))


def test_ar_tar_of_a_classifier_ignore_the_padding():
    config = ClassifierConfig(emb_sz=4, n_hid=6, n_layers=2, bptt=3, max_len=8, drop_mult=0.0)
    clas = get_classifier(20, 2, config).eval()
    doc = torch.tensor([2, 5, 7, 3, 9])
    alone = ARTAR()(clas(doc.unsqueeze(1), torch.tensor([5])))
    padded = torch.cat([doc, torch.ones(4, dtype=torch.long)]).unsqueeze(1)
    assert ARTAR()(clas(padded, torch.tensor([5]))).item() == pytest.approx(alone.item(), rel=1e-6)


def test_regularizer_runs_in_training_only_and_the_reported_loss_is_raw():
    calls = []

    def reg(outputs):
        calls.append(len(outputs))
        return torch.tensor(100.0)

    learner = Learner(TinyLM(), lm_batches(), lm_batches(2, seed=1), reg_fn=reg, config=QUIET)
    records = learner.fit(1, 1e-2)
    assert calls == [3] * 6 and records[0].train_loss < 100


def test_same_seed_same_run():
    runs = []
    for _ in range(2):
        set_seed(3)
        learner = lm_learner(dropout=0.2, train=Shuffled(lm_batches()))
        records = learner.fit(2, 1e-2, STLR())
        runs.append(([(r.train_loss, r.valid_loss) for r in records], params(learner.model)))
    assert runs[0][0] == runs[1][0]
    assert_same(runs[0][1], runs[1][1])


# --- failures with advice ---

def test_nan_loss_stops_training_with_advice_and_no_update():
    learner = Learner(TinyLM(), lm_batches(), lm_batches(1), loss_func=lambda logits, y: logits.sum() * math.nan,
                      config=QUIET)
    before = params(learner.model)
    with pytest.raises(TrainingDiverged, match="lower the learning rate"):
        learner.fit(1, 1e-2)
    assert_same(before, params(learner.model))


def test_cuda_out_of_memory_comes_back_with_advice():
    class Hungry(TinyLM):
        def forward(self, x):
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    learner = Learner(Hungry(), lm_batches(), lm_batches(1), config=QUIET)
    advice = r"run again with a smaller --bs \(this stage's batch size is 4; try --bs 2\)"
    with pytest.raises(torch.cuda.OutOfMemoryError, match=advice) as caught:
        learner.fit(1, 1e-2)
    assert isinstance(caught.value, UlmfitError) and "\n" not in str(caught.value)  # one line for `ulmfit`
    assert "20.00 GiB" in str(caught.value.__cause__)  # torch's own message kept for --debug
    with pytest.raises(torch.cuda.OutOfMemoryError, match="run again with a smaller --bs"):
        learner.validate()


def test_bad_inputs_get_clear_errors():
    learner = lm_learner()
    with pytest.raises(ValueError, match="positive int"):
        learner.fit(0, 1e-2)
    with pytest.raises(TypeError, match=r"\(x, y\)"):
        Learner(TinyLM(), [torch.zeros(5, 4, dtype=torch.long)], lm_batches(1), config=QUIET).fit(1, 1e-2)
    with pytest.raises(ValueError, match="no batches"):
        Learner(TinyLM(), lm_batches(), [], config=QUIET).fit(1, 1e-2)
    with pytest.raises(ValueError, match="targets"):
        flat_cross_entropy(torch.zeros(5, 4, VOCAB), torch.zeros(5, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="LearnerConfig.path"):
        learner.fit(1, 1e-2, resume=True)
    with pytest.raises(ValueError, match="betas"):
        LearnerConfig(betas=(0.8, 1.0))
    with pytest.raises(ValueError, match="divisible by the world size"):
        _shard(torch.zeros(5, 3), 1, DistInfo(rank=0, world_size=2))


def test_cpu_runs_in_fp32_without_autocast():
    assert default_device().type in ("cpu", "cuda")
    assert amp_dtype(torch.device("cpu")) is None
    assert lm_learner().scaler.is_enabled() is False


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_mixed_precision_path_keeps_ids_integer_and_scales_fp16(dtype):
    learner = Learner(Bigram(), lm_batches(), lm_batches(1), config=QUIET, device=torch.device("cpu"))
    learner.amp_dtype = dtype  # what amp_dtype() picks on a GPU, forced here on the CPU
    learner.scaler = torch.amp.GradScaler("cpu", enabled=dtype == torch.float16)
    records = learner.fit(2, 1e-1)
    assert learner.model.dtypes == {dtype} and records[-1].valid_loss < records[0].valid_loss
    assert learner.scaler.is_enabled() == (dtype == torch.float16)


def test_torchrun_env_without_rank_is_refused(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.delenv("RANK", raising=False)
    with pytest.raises(RuntimeError, match="torchrun"):
        setup_distributed(torch.device("cpu"))


# --- checkpoints, resume, plots, lr finder ---

def test_checkpoints_are_written_atomically_with_everything_resume_needs(tmp_path):
    lm_learner(tmp_path).fit(2, 1e-2, name="lm")
    state = torch.load(tmp_path / "lm.pt", weights_only=True)
    assert {"model", "opt", "scaler", "plan", "epoch", "step", "total", "records", "rng", "loaders"} <= state.keys()
    assert state["epoch"] == 2 and state["step"] == 12
    assert not list(tmp_path.glob("*.tmp"))
    assert (tmp_path / "lm_training.png").read_bytes()[:4] == b"\x89PNG"


def test_resume_after_a_crash_ends_with_the_weights_of_an_uninterrupted_run(tmp_path):
    set_seed(1)
    straight = lm_learner(tmp_path / "a", dropout=0.3, train=Shuffled(lm_batches()))
    straight_records = straight.fit(3, 1e-2, CYCLE, name="lm")
    set_seed(1)
    crashing = lm_learner(tmp_path / "b", dropout=0.3, train=Shuffled(lm_batches(), crash_at=(2, 3)))
    with pytest.raises(KeyboardInterrupt):
        crashing.fit(3, 1e-2, CYCLE, name="lm")
    set_seed(99)
    resumed = lm_learner(tmp_path / "b", dropout=0.3, train=Shuffled(lm_batches()))
    resumed_records = resumed.fit(3, 1e-2, CYCLE, name="lm", resume=True)
    assert_same(params(straight.model), params(resumed.model))
    assert [(r.epoch, r.train_loss, r.valid_loss) for r in straight_records] == \
           [(r.epoch, r.train_loss, r.valid_loss) for r in resumed_records]
    with pytest.raises(ValueError, match="different fit"):
        resumed.fit(3, 2e-2, CYCLE, name="lm", resume=True)


class Reviews(torch.utils.data.Dataset):
    """(ids, label) reviews of 2-9 tokens; reading review `crash_at` raises KeyboardInterrupt once."""

    def __init__(self, n=48, crash_at=None):
        g = torch.Generator().manual_seed(3)
        lengths = [int(torch.randint(2, 10, (), generator=g)) for _ in range(n)]
        self.docs = [torch.randint(2, VOCAB, (n_tokens,), generator=g) for n_tokens in lengths]
        self.crash_at, self.reads = crash_at, 0

    def __len__(self):
        return len(self.docs)

    def __getitem__(self, i):
        self.reads += 1
        if self.reads == self.crash_at:
            raise KeyboardInterrupt("power cut")
        return self.docs[i], int(self.docs[i][-1] >= VOCAB // 2)


def clas_learner(path, crash_at=None) -> Learner:
    """A TinyClassifier learner whose training reviews come through a SortishSampler, as in the pipeline."""
    train = Reviews(crash_at=crash_at)
    sampler = SortishSampler([len(d) for d in train.docs], bs=8, seed=5)
    return Learner(TinyClassifier(), DataLoader(train, batch_sampler=sampler, collate_fn=pad_collate),
                   DataLoader(Reviews(16), batch_size=8, collate_fn=pad_collate),
                   config=LearnerConfig(path=path, progress=False, clip=None), device=torch.device("cpu"))


def test_a_resumed_classifier_draws_the_same_batches_as_an_uninterrupted_one(tmp_path):
    set_seed(1)
    straight = clas_learner(tmp_path / "a")
    straight.fit(3, 1e-2, CYCLE, name="clas")
    set_seed(1)
    with pytest.raises(KeyboardInterrupt):
        clas_learner(tmp_path / "b", crash_at=48 * 2 + 20).fit(3, 1e-2, CYCLE, name="clas")  # in the third epoch
    set_seed(99)
    resumed = clas_learner(tmp_path / "b")
    resumed.fit(3, 1e-2, CYCLE, name="clas", resume=True)
    assert_same(params(straight.model), params(resumed.model))


def test_resume_without_a_checkpoint_starts_afresh(tmp_path, capsys):
    assert len(lm_learner(tmp_path).fit(1, 1e-2, resume=True)) == 1
    assert "starting from scratch" in capsys.readouterr().out


def test_lr_find_sweeps_stops_on_explosion_and_restores_everything(tmp_path):
    set_seed(0)
    learner = lm_learner(tmp_path, dropout=0.2, clip=None, train=Shuffled(lm_batches()))
    before, rng, loader = params(learner.model), torch.get_rng_state(), learner.train_dl.state_dict()
    result = learner.lr_find(1e-4, 1e4, num_it=100)
    assert_same(before, params(learner.model))
    assert torch.equal(rng, torch.get_rng_state()) and learner.opt.state_dict()["state"] == {}
    assert torch.equal(loader["generator"], learner.train_dl.generator.get_state()) and learner.train_dl.passes == 0
    assert len(result.lrs) < 100 and result.lrs[1] / result.lrs[0] == pytest.approx(1e8 ** (1 / 99))
    assert result.lrs[0] / 10 <= result.suggestion <= result.lrs[-1]
    assert (tmp_path / "lr_find.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="start_lr < end_lr"):
        learner.lr_find(1.0, 1e-3)


# --- ULMFiT recipes ---

def spy_on_fit(learner: Learner) -> list:
    """Record (first trainable group, epochs, lr, name) of each fit the recipe makes."""
    calls, fit = [], learner.fit

    def spy(epochs, lr, schedule, name, resume, plot=True):
        calls.append((learner.trainable[0], epochs, lr, name))
        return fit(epochs, lr, schedule, name=name, resume=resume, plot=plot)

    learner.fit = spy
    return calls


def test_fine_tune_lm_trains_the_head_first_then_everything():
    learner = lm_learner()
    calls = spy_on_fit(learner)
    records = fine_tune_lm(learner, head_epochs=1, head_lr=1e-2, epochs=2, lr=5e-3)
    assert calls == [(2, 1, 1e-2, "lm0"), (0, 2, 5e-3, "lm1")] and len(records) == 3


def test_train_classifier_unfreezes_one_group_per_stage():
    learner = Learner(TinyClassifier(), clas_batches(), clas_batches(1), config=QUIET)
    calls = spy_on_fit(learner)
    train_classifier(learner, epochs=[1, 1, 1, 1], lrs=[1e-2, 5e-3, 2e-3, 1e-3], schedule=STLR.from_clr(8, 3))
    assert [c[0] for c in calls] == [3, 2, 1, 0]
    with pytest.raises(ValueError, match="one lr per stage"):
        train_classifier(learner, epochs=[1, 1], lrs=[1e-2])
    with pytest.raises(ValueError, match="1 to 4 stages"):
        train_classifier(learner, epochs=[1] * 5, lrs=[1e-2] * 5)


def test_a_recipe_names_its_stages_and_draws_the_whole_run_in_one_figure(tmp_path, capsys):
    learner = Learner(TinyClassifier(), clas_batches(), clas_batches(1),
                      config=LearnerConfig(path=tmp_path, progress=False), device=torch.device("cpu"))
    train_classifier(learner, epochs=[1, 1, 1], lrs=[1e-2, 5e-3, 2e-3])
    out = capsys.readouterr().out
    for line in ("clas stage 1: the head alone (freeze_to(-1))", "clas stage 2: the top 2 groups (freeze_to(-2))",
                 "clas stage 3: every group (freeze_to(0))"):
        assert line in out
    assert "perplexity" not in out and "accuracy" in out  # a classifier's table has no perplexity column
    assert (tmp_path / "clas_training.png").read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["clas_training.png"]  # one figure, not one per stage
    assert [label for label, _ in learner.past] == ["stage 1: the head alone", "stage 2: the top 2 groups"]
    lm = lm_learner()
    lm.fit(1, 1e-2)
    assert "perplexity" in capsys.readouterr().out


@pytest.mark.parametrize("unfreeze, trainable_from", [("full", 0), ("last", 3)])
def test_train_classifier_full_and_last_fit_once_as_long_as_the_gradual_stages(unfreeze, trainable_from):
    learner = Learner(TinyClassifier(), clas_batches(), clas_batches(1), config=QUIET)
    calls = spy_on_fit(learner)
    records = train_classifier(learner, epochs=[1, 2], lrs=[1e-2, 5e-3], unfreeze=unfreeze)
    assert calls == [(trainable_from, 3, 5e-3, "clas0")] and len(records) == 3
    with pytest.raises(ValueError, match="'gradual', 'full', 'last' or 'chain'"):
        train_classifier(learner, epochs=[1], lrs=[1e-2], unfreeze="thaw")


def test_chain_thaw_trains_the_head_then_each_group_alone_then_all():
    learner = Learner(TinyClassifier(), clas_batches(), clas_batches(1), config=QUIET)
    fits, fit = [], learner.fit

    def spy(epochs, lr, schedule, name, resume, plot=True):
        fits.append((learner.trainable, epochs, lr, name))
        return fit(epochs, lr, schedule, name=name, resume=resume, plot=plot)

    learner.fit = spy
    records = train_classifier(learner, epochs=[1, 1, 4], lrs=[1e-2] * 3, unfreeze="chain")
    assert [f[0] for f in fits] == [(3,), (0,), (1,), (2,), (0, 1, 2, 3)]
    assert [f[1] for f in fits] == [1, 1, 1, 1, 2] and len(records) == 6  # as long as the gradual stages
    assert [f[2] for f in fits] == [1e-2, 1e-3, 1e-3, 1e-3, [1e-3, 1e-3, 1e-3, 1e-2]]
    assert [f[3] for f in fits] == [f"clas{i}" for i in range(5)]


def test_a_resumed_recipe_skips_the_stages_already_done(tmp_path):
    set_seed(0)
    learner = lm_learner(tmp_path)
    stages = [Stage(-1, 1, 1e-2), Stage(0, 1, 5e-3)]
    first = run_stages(learner, stages, "lm")
    again = lm_learner(tmp_path)
    calls = spy_on_fit(again)
    assert [r.valid_loss for r in run_stages(again, stages, "lm", resume=True)] == [r.valid_loss for r in first]
    assert len(calls) == 2
    assert_same(params(learner.model), params(again.model))


# --- data parallel ---

def ddp_run(out: Path) -> None:
    """Fine-tune TinyLM (head, then all) on [5, 4] batches and save the weights (alone, or one rank under torchrun)."""
    set_seed(0)
    learner = lm_learner()
    records = fine_tune_lm(learner, head_epochs=1, head_lr=1e-2, epochs=2, lr=1e-2)
    classifier = Learner(TinyClassifier(), padded_batches(), padded_batches(1, seed=1), config=QUIET)
    classifier.fit(1, 1e-2)
    rank = int(os.environ.get("RANK", 0))
    torch.save({"params": params(learner.model), "valid": [r.valid_loss for r in records],
                "classifier": params(classifier.model)}, out / f"rank{rank}.pt")


@pytest.mark.slow
@pytest.mark.skipif(not torch.distributed.is_available(), reason="this torch build has no torch.distributed")
def test_two_gloo_processes_stay_in_sync_and_match_one_process(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("WORLD_SIZE", "RANK", "LOCAL_RANK")}
    root = str(Path(__file__).resolve().parents[2])
    env.update(OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")])))
    run = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                          __file__, str(tmp_path)], env=env, timeout=120, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    ranks = [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in (0, 1)]
    assert_same(ranks[0]["params"], ranks[1]["params"])
    assert_same(ranks[0]["classifier"], ranks[1]["classifier"])
    alone = tmp_path / "alone"
    alone.mkdir()
    ddp_run(alone)
    single = torch.load(alone / "rank0.pt", weights_only=True)
    assert_same(ranks[0]["params"], single["params"], atol=1e-5)
    assert ranks[0]["valid"] == pytest.approx(single["valid"], abs=1e-5)
    assert_same(ranks[0]["classifier"], single["classifier"], atol=1e-5)


if __name__ == "__main__":
    ddp_run(Path(sys.argv[1]))
