"""The paths a GPU takes, checked on CPU: autocast with integer token ids, and an out-of-memory error as one line."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from support import assert_one_line_error, make_dataset, one_thread, ulmfit  # noqa: F401  (one_thread: a fixture)
from torch.utils.data import DataLoader

from ulmfit_ref.loaders import LanguageModelLoader, SortishSampler, pad_collate
from ulmfit_ref.models import ClassifierConfig, LMConfig, get_classifier, get_language_model
from ulmfit_ref.predict import predict_docs
from ulmfit_ref.train import ARTAR, Learner, LearnerConfig

VOCAB = 60
QUIET = LearnerConfig(progress=False)


def reduced_precision(monkeypatch, dtype: torch.dtype) -> list:
    """Make the Learner and predict_docs autocast to `dtype` on CPU, as they do on CUDA; returns the ids' dtypes seen
    by every embedding lookup (filled as models run)."""
    monkeypatch.setattr("ulmfit_ref.train.amp_dtype", lambda device: dtype)
    monkeypatch.setattr("ulmfit_ref.predict.amp_dtype", lambda device: dtype)
    seen = []
    monkeypatch.setattr(torch.nn.Embedding, "forward",
                        lambda self, x, forward=torch.nn.Embedding.forward: seen.append(x.dtype) or forward(self, x))
    return seen


def parameters(model) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.parameters()]


# bf16 only: oneDNN has no fp16 LSTM on CPU, so fp16 and its GradScaler (GPUs before Ampere) wait for a GPU.
def test_an_lm_trains_under_autocast_with_its_token_ids_kept_integer(monkeypatch, dtype=torch.bfloat16):
    seen = reduced_precision(monkeypatch, dtype)
    torch.manual_seed(0)
    lm = get_language_model(VOCAB, LMConfig(emb_sz=8, n_hid=16, n_layers=2))
    decoded = []
    lm[1].decoder.register_forward_hook(lambda module, args, out: decoded.append(out.dtype))
    ids = torch.randint(2, VOCAB, (3000,), generator=torch.Generator().manual_seed(0))
    learner = Learner(lm, LanguageModelLoader(ids, 4, 10, seed=0), LanguageModelLoader(ids[:400], 4, 10, seed=1),
                      reg_fn=ARTAR(), config=QUIET, device=torch.device("cpu"))
    assert learner.amp_dtype is dtype and not learner.scaler.is_enabled()  # bf16 needs no loss scaling
    before = parameters(lm)
    records = learner.fit(1, 1e-2)
    assert seen and set(seen) == {torch.int64}  # fastai #1335: the ids were never cast to a float type
    assert set(decoded) == {dtype}  # the decoder's matmul ran in reduced precision
    assert all(p.dtype == torch.float32 for p in lm.parameters())  # the weights stay fp32
    assert all(not torch.equal(a, b) for a, b in zip(before, parameters(lm)))
    assert np.isfinite(records[-1].valid_loss) and records[-1].valid_loss < np.log(VOCAB) + 0.5


def test_a_classifier_trains_and_predicts_under_autocast(monkeypatch, dtype=torch.bfloat16):
    seen = reduced_precision(monkeypatch, dtype)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    docs = [rng.integers(2, VOCAB, rng.integers(5, 90)) for _ in range(64)]
    labels = [int(d.mean() > VOCAB / 2) for d in docs]
    data = list(zip(docs, labels))
    model = get_classifier(VOCAB, 2, ClassifierConfig(emb_sz=8, n_hid=16, n_layers=2, bptt=20, max_len=40, head_sz=8))
    train = DataLoader(data, batch_sampler=SortishSampler([len(d) for d in docs], 8, seed=0), collate_fn=pad_collate)
    valid = DataLoader(data[:16], batch_size=8, collate_fn=pad_collate)
    learner = Learner(model, train, valid, reg_fn=ARTAR(), config=QUIET, device=torch.device("cpu"))
    records = learner.fit(1, 1e-2)
    assert np.isfinite(records[-1].train_loss) and set(seen) == {torch.int64}
    probs = predict_docs(model, docs, 16, torch.device("cpu"))
    assert probs.dtype == torch.float32 and torch.allclose(probs.sum(1), torch.ones(len(docs)))
    monkeypatch.setattr("ulmfit_ref.predict.amp_dtype", lambda device: None)
    assert torch.allclose(predict_docs(model, docs, 16, torch.device("cpu")), probs, atol=0.05)  # fp32 agrees


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return make_dataset(tmp_path_factory.mktemp("data") / "news")


def test_a_gpu_out_of_memory_reaches_the_user_as_one_line_naming_bs(data, tmp_path, monkeypatch):
    def no_memory(*args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total)")

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", no_memory)  # inside Learner's training step
    out = tmp_path / "run"
    code, _, err = ulmfit("train", data, "--out", out, "--preset", "tiny", "--workers", 1, "--bs", 6)
    assert_one_line_error(code, err, "ran out of memory on a batch of shape (45, 6)", "run again with a smaller --bs",
                          "batch size is 6; try --bs 3", "a new --out")
    preset = json.loads((out / "run.json").read_text())["preset"]
    assert {preset[stage]["bs"] for stage in ("fine_tune", "from_scratch", "classify", "pretrain")} == {6}
    monkeypatch.undo()
    again = tmp_path / "again"  # as the message says: a new --out holding the old prepared/, the smaller --bs
    shutil.copytree(out / "prepared", again / "prepared")
    code, stdout, err = ulmfit("train", "--out", again, "--preset", "tiny", "--bs", 3)
    assert code == 0, err
    assert "prepare: " in stdout and json.loads((again / "run.json").read_text())["preset"]["classify"]["bs"] == 3
