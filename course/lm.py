"""The small "pretrained" language model of lessons 8 and 9: an AWD-LSTM trained for a few seconds on a general
corpus (the test reviews stand in for Wikipedia), saved beside the lessons as `ulmfit pretrain` saves one, so that
lesson 9 fine-tunes the model lesson 8 made (and makes the same one itself when lesson 8 was not run)."""

from collections import Counter
from pathlib import Path

import torch
import torch.nn.functional as F

from ulmfit_ref.data import read_imdb
from ulmfit_ref.loaders import LanguageModelLoader
from ulmfit_ref.models import LMConfig, get_language_model
from ulmfit_ref.runs import save_state
from ulmfit_ref.text import Tokenizer, mark_fields
from ulmfit_ref.vocab import Vocab

from .data import lesson_imdb

CONFIG = LMConfig(emb_sz=16, n_hid=32, n_layers=2, drop_mult=0.1)
N_GENERAL = 200  # test reviews per class of the general corpus (IMDb sample: 400 reviews, about 110k tokens)
STEPS = 500  # Adam steps of bs 8, bptt 20: about 8 s on one core
FOLDER = "lesson08_lm"  # model.pt and vocab.json, in the lessons' folder


def ids_of(docs: list, vocab: Vocab) -> torch.Tensor:
    """One stream of the ids of `docs` (token lists), one document after another."""
    return torch.cat([torch.as_tensor(vocab.numericalize(d), dtype=torch.long) for d in docs])


def general_corpus(imdb) -> tuple[list, Vocab]:
    """The tokens of the test reviews of `imdb`, the "general corpus", and its vocabulary (tokens seen twice or more:
    the model then learns `_unk_` too, which a task's rarer words will map to)."""
    tokenize = Tokenizer()
    docs = [tokenize(mark_fields([t])) for t in read_imdb(imdb)["test"].texts]
    return docs, Vocab.build(Counter(t for d in docs for t in d), min_freq=2)


def pretrain(docs: list, vocab: Vocab, config: LMConfig = CONFIG, steps: int = STEPS, seed: int = 0):
    """An AWD-LSTM language model trained `steps` steps on `docs` with Adam, epoch after epoch."""
    torch.manual_seed(seed)
    model = get_language_model(len(vocab), config)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2, betas=(0.8, 0.99))
    model.train()
    step, stream = 0, ids_of(docs, vocab)
    while step < steps:
        model.reset()
        for x, y in LanguageModelLoader(stream, bs=max(1, min(8, len(stream) // 60)), bptt=20, seed=step):
            loss = F.cross_entropy(model(x)[0].flatten(0, 1), y.flatten())  # [seq * bs, V] against [seq * bs]
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step == steps:
                break
    return model.eval()


def save(model, vocab: Vocab, folder=FOLDER) -> Path:
    """Write `folder`/model.pt and vocab.json, as `ulmfit pretrain` does (`--pretrained folder` reads them)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    save_state(model.state_dict(), folder / "model.pt", vocab.itos)
    vocab.save(folder / "vocab.json")
    return folder


def lesson08_model(data=None, folder=FOLDER, log=print) -> Path:
    """The folder of lesson 8's pretrained model; made here as lesson 8 makes it (from the IMDb `data`, as a lesson's
    DATA) when lesson 8 was not run."""
    folder = Path(folder)
    if (folder / "model.pt").is_file() and (folder / "vocab.json").is_file():
        log(f"the pretrained model of lesson 8: {folder.resolve()}")
        return folder
    log(f"no {folder}/ here (lesson 8 writes it): pretraining the same small model on test reviews now")
    docs, vocab = general_corpus(lesson_imdb(data, N_GENERAL))
    return save(pretrain(docs, vocab), vocab, folder)
