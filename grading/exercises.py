"""What each exercise is checked on: its reference, random inputs (hypothesis strategies) and fixed ones.

An exercise is named by the grade_id of its cell. Fixed inputs are the lesson's own examples and excerpts of real
IMDb reviews (file names from `aclImdb/`); random inputs are small, and built from the pieces that matter (debris,
repeated characters, capitals...), so that a difference shrinks to a few characters. A lesson added to solutions/
needs an entry here for each of its exercises: `tests/exercises` fails, naming it, until it has one.
"""

import dataclasses
import importlib
from collections import Counter
from collections.abc import Callable

from hypothesis import strategies as st

from course.checks import FIXUP_CASES
from course.data import TINY_REVIEWS

REAL_REVIEWS = (  # excerpts of real reviews: debris, repeats, capitals, slashes and hashes as IMDb has them
    "lve to wait until the next morning to look for the culprit (!!!!!!!!!!)<br /><br />However, I suppose",  # test/neg/10013_4
    "Darcy will do her impersonation of Sandra Oh on Arliss blah blah blah blah blah. The only positive",  # test/neg/10303_3
    "Needless to say he didn't come quietly HA HA HA HA HA HA HA HA",  # test/neg/11230_4
    "im still laughing ha ha ha ha ha ha ha",  # test/neg/11715_3
    "GREAT job on the dubbing too guys(!) Best moment: when our hero",  # test/neg/10014_2
    "I recently found The Prey in its original VHS 'big box' form and was very excited. I just LOVE finding",  # test/neg/10021_3
    "Eye Candy: Nina Richardson shows some T&A; Mary Kapper goes topless <br /><br />My Grade: D <br /><br />",  # test/neg/9180_3
    'I saw the "Gegen die Wand" ("Head-On") ("Duvara Kars&#305;") and I admired his work',  # test/pos/12105_10
    "it's becoming not a horror\\adventure but a comedy driven movie",  # test/neg/3613_3
    "enjoy following their lives.\\<br /><br />I can understand why",  # test/neg/7761_1
    "most viewers will have had enough. *1/2 from ****",  # test/neg/10008_4
    "is miscast as a rural vamp; she's too round of face for treachery.",  # test/neg/1647_1
    "Dibakar Banerjee!!!!! Later u find out this scene has nothing to do with it. 10/10 #best",  # test/neg/10016_3
)
_DEBRIS = (
    "#39;", "amp;", "#146;", "nbsp;", "#36;", "\\n", "quot;", "<br />", '\\"', "<unk>", " @.@ ", " @-@ ", "\\", "&lt;",
    "&amp;", "&#8217;", "&#305;", "  ", " ", "\n", "a", "B", "&", "#", ";", "@", ".", "-",
)
_WORDS = ("the", "a", "film", "xbos", "xfld", "1", "t_up", "The", "\n", " ", "é", "_unk_", "_pad_", "good", "GOOD")


@dataclasses.dataclass(frozen=True)
class Exercise:
    """The check of one exercise: the reference object (`module:name`), random inputs, fixed inputs, and how to show one."""

    name: str
    reference: str
    inputs: st.SearchStrategy
    fixed: tuple
    show: Callable = None

    def reference_object(self):
        module, attr = self.reference.split(":")
        return getattr(importlib.import_module(module), attr)

    def shown(self, inp) -> str:
        return self.show(inp) if self.show else _call(self.name, inp)


def _call(name: str, inp) -> str:
    args, kwargs = inp
    return f"{name}({', '.join([repr(a) for a in args] + [f'{k}={v!r}' for k, v in kwargs.items()])})"


def _one(x) -> tuple:
    """The input of a call with the single argument `x`."""
    return ((x,), {})


def _pieces(pieces, max_size: int = 8) -> st.SearchStrategy:
    """Strings glued from `pieces` (shrinking drops pieces and moves towards the first ones)."""
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


# --- lesson 1 ----------------------------------------------------------------------------------------------------

_FOLDERS = (("train", "neg"), ("train", "pos"), ("train", "unsup"), ("test", "neg"), ("test", "pos"))
_RATING = {"neg": (1, 4), "pos": (7, 10), "unsup": (0, 0)}


@st.composite
def _imdb(draw):
    """(files, as_str, kwargs): a small aclImdb (every folder but test/unsup holds a review), read as str or Path, a limit."""
    files = []
    folders = _FOLDERS + ((("test", "unsup"),) if draw(st.booleans()) else ())
    for split, cls in folders:
        for review_id in draw(st.lists(st.integers(0, 30), min_size=int((split, cls) != ("test", "unsup")), max_size=4, unique=True)):
            rating = draw(st.integers(*_RATING[cls]))
            data = draw(st.text(alphabet="ab é\n", max_size=6)).encode() + (b"\xff" if draw(st.booleans()) else b"")
            files.append((f"{split}/{cls}/{review_id}_{rating}.txt", data))
    limit = draw(st.one_of(st.none(), st.integers(0, 4)))
    return files, draw(st.booleans()), ({} if limit is None and draw(st.booleans()) else {"limit": limit})


def _tiny_imdb_files() -> list:
    """The files of course.data's tiny aclImdb (ids 10, 9, 0, 3: 10 sorts before 9 as text), with one not UTF-8."""
    files = [(f"{split}/{cls}/{i}_{7 if cls == 'pos' else 0 if cls == 'unsup' else 2}.txt", text.encode()) for (split, cls), texts in TINY_REVIEWS.items() for i, text in zip((10, 9, 0, 3), texts)]
    return files + [("train/unsup/12_0.txt", b"caf\xe9 latte, \xff good film")]


def _show_imdb(inp) -> str:
    files, as_str, kwargs = inp
    listing = ", ".join(f"{name}: {data!r}" for name, data in files)
    return f"read_imdb({'str' if as_str else 'Path'}(<aclImdb folder holding {listing}>){''.join(f', {k}={v!r}' for k, v in kwargs.items())})"


_TEXTS = st.text(alphabet="ab é", max_size=4)


@st.composite
def _reviews(draw):
    """(reviews as {split: [texts, labels]}, args, kwargs) for make_splits, lm_valid_frac sometimes out of (0, 1)."""
    reviews = {}
    for split, labels in (("train", (0, 1, 2)), ("test", (0, 1))):
        n = draw(st.integers(0, 8))
        reviews[split] = [[draw(_TEXTS) for _ in range(n)], [draw(st.sampled_from(labels)) for _ in range(n)]]
    kwargs = {}
    if draw(st.booleans()):
        kwargs["seed"] = draw(st.integers(0, 1000))
    if draw(st.booleans()):
        kwargs["lm_valid_frac"] = draw(st.one_of(st.floats(0.01, 0.99), st.sampled_from((0.0, 1.0, -0.5, 1.5, 0.5, 0.25))))
    return reviews, (), kwargs


def _tiny_reviews() -> dict:
    train = [t for key in (("train", "neg"), ("train", "pos"), ("train", "unsup")) for t in TINY_REVIEWS[key]]
    test = [t for key in (("test", "neg"), ("test", "pos")) for t in TINY_REVIEWS[key]]
    return {"train": [train, [0] * 4 + [1] * 4 + [2] * 4], "test": [test, [0] * 4 + [1] * 4]}


def _show_splits(inp) -> str:
    reviews, args, kwargs = inp
    shown = ", ".join(f"{s!r}: Reviews(texts={t!r}, labels={y!r})" for s, (t, y) in reviews.items())
    return f"make_splits({{{shown}}}{''.join(f', {k}={v!r}' for k, v in kwargs.items())})"


_CSV_TEXT = st.text(alphabet='a ,"\n\r\'é', max_size=5)


@st.composite
def _csv_rows(draw):
    """(labels, fields): one to three text columns, sometimes none or one of the wrong length (a ValueError)."""
    n = draw(st.integers(0, 4))
    labels = [draw(st.integers(0, 2)) for _ in range(n)]
    fields = [[draw(_CSV_TEXT) for _ in range(n)] for _ in range(draw(st.integers(0, 3)))]
    if fields and draw(st.integers(0, 5)) == 0:
        fields[-1] = fields[-1] + ["extra"]
    return labels, fields


def _show_csv(inp) -> str:
    labels, fields = inp
    return f"write_csv('new_folder/texts.csv', {labels!r}{''.join(f', {f!r}' for f in fields)})"


# --- lesson 4 ----------------------------------------------------------------------------------------------------

_TOKEN = st.one_of(st.sampled_from(_WORDS), st.text(alphabet="ab \n", min_size=1, max_size=2))


@st.composite
def _vocab(draw):
    """(counts as (token, count) pairs in first-seen order, build kwargs, tokens to numericalize, an itos for Vocab(itos))."""
    pairs = draw(st.lists(st.tuples(_TOKEN, st.integers(1, 7)), max_size=10, unique_by=lambda p: p[0]))
    kwargs = {}
    if draw(st.booleans()):
        kwargs["max_vocab"] = draw(st.integers(0, 10))
    if draw(st.booleans()):
        kwargs["min_freq"] = draw(st.integers(1, 6))
    tokens = draw(st.lists(st.one_of(_TOKEN, st.just("never-seen")), max_size=6))
    itos = ["_unk_", "_pad_"] + draw(st.lists(st.sampled_from(("the", "a", "film", "é", "\n")), unique=True, max_size=4))
    return pairs, kwargs, tokens, itos


def _show_vocab(inp) -> str:
    pairs, kwargs, tokens, itos = inp
    build = f"Vocab.build(Counter({dict(pairs)!r}){''.join(f', {k}={v!r}' for k, v in kwargs.items())})"
    return f"vocab = {build}; vocab.numericalize({tokens!r}); vocab.textify(...); Vocab({itos!r})"


# --- lessons 5-10: references built from ulmfit_ref (torch is imported when one is called) ---------------------------
# Tensor inputs are plain data (sizes, seeds, lists of ids) that the probes turn into tensors. Their strategies draw
# from small finite sets, so that hypothesis stops after a few examples: each call runs torch in the sandbox.


def _batchify(ids, bs):
    """The reference LanguageModelLoader's `data`."""
    from ulmfit_ref.loaders import LanguageModelLoader

    return LanguageModelLoader(ids, bs, 1, seed=0).data


def _get_batch(data, i, seq_len):
    """The (x, y) the reference LanguageModelLoader yields for a batch of `seq_len` rows from row i (cut at the end)."""
    seq_len = min(seq_len, len(data) - 1 - i)
    return data[i : i + seq_len], data[i + 1 : i + 1 + seq_len]


def _draw_seq_lens(n, bptt, generator):
    """The reference LanguageModelLoader's lengths of an epoch over n rows that have a target."""
    import torch

    from ulmfit_ref.loaders import LanguageModelLoader

    return LanguageModelLoader(torch.zeros(n + 1, dtype=torch.long), 1, bptt, seed=generator).seq_lens


def _embedding_dropout(embed, words, p, training=True):
    """The reference EmbeddingDropout on `embed`, in training mode or not."""
    from ulmfit_ref.regularize import EmbeddingDropout

    return EmbeddingDropout(embed, p).train(training)(words)


def _drop_connect(weight, p, training):
    """The reference WeightDrop's dropped hidden-to-hidden weight."""
    import torch.nn.functional as F

    return F.dropout(weight, p, training)


def _encoder_forward(embedding, rnns, x):
    """The raw outputs of a reference RNNEncoder holding the weights of `embedding` and `rnns`, from a zero state."""
    import torch

    from ulmfit_ref.models import RNNEncoder

    n_hid = rnns[0].hidden_size if len(rnns) > 1 else 1
    ref = RNNEncoder(embedding.num_embeddings, embedding.embedding_dim, n_hid, len(rnns)).eval()
    with torch.no_grad():
        ref.encoder.weight.copy_(embedding.weight)
        for wd, lstm in zip(ref.rnns, rnns):
            wd.module.weight_ih_l0.copy_(lstm.weight_ih_l0)
            wd.weight_hh_l0_raw.copy_(lstm.weight_hh_l0)
            wd.module.bias_ih_l0.copy_(lstm.bias_ih_l0)
            wd.module.bias_hh_l0.copy_(lstm.bias_hh_l0)
        raw_outputs, _ = ref(x)
    return raw_outputs


def _tied_decoder(encoder, bias=False):
    """The reference LinearDecoder's linear layer, tied to `encoder`."""
    from ulmfit_ref.models import LinearDecoder

    vocab, emb_sz = encoder.weight.shape
    return LinearDecoder(vocab, emb_sz, tie_encoder=encoder, bias=bias).decoder


def _stlr(step, total, cut_frac=0.1, ratio=32.0):
    """The reference STLR's multiplier."""
    from ulmfit_ref.schedule import STLR

    return STLR(cut_frac=cut_frac, ratio=ratio).lr_mult(step, total)


def _freeze_to(groups, n):
    """The reference Learner.freeze_to on the layer groups `groups`."""
    import types

    from ulmfit_ref.train import Learner

    return Learner.freeze_to(types.SimpleNamespace(param_groups=groups, n_groups=len(groups)), n)


def _concat_pool(output, lengths):
    """The reference PoolingLinearClassifier.pool, the padding after each length masked."""
    import torch

    from ulmfit_ref.models import PoolingLinearClassifier

    return PoolingLinearClassifier.pool(output, torch.arange(output.size(0)).unsqueeze(1) < lengths)


@st.composite
def _stream(draw):
    bs = draw(st.integers(1, 5))
    n = draw(st.integers(2 * bs, 6 * bs + 4))
    return list(range(100, 100 + n)) if draw(st.booleans()) else [draw(st.integers(0, 9)) for _ in range(n)], bs


@st.composite
def _batched(draw):
    rows, bs = draw(st.integers(2, 12)), draw(st.integers(1, 3))
    data = [[draw(st.integers(0, 20)) for _ in range(bs)] for _ in range(rows)] if draw(st.booleans()) else [[r + 100 * c for c in range(bs)] for r in range(rows)]
    return data, draw(st.integers(0, rows - 2)), draw(st.integers(1, 14))


def _arange_batched(n, bs):
    return [[r + (n // bs) * c for c in range(bs)] for r in range(n // bs)]


def _show_tensors(name: str, *parts):
    """A show function: `name(part(inp)...)` with each part a function of the input."""
    return lambda inp: f"{name}({', '.join(part(inp) for part in parts)})"


_P = (0.0, 0.1, 0.3, 0.5, 0.7)


@st.composite
def _stlr_inputs(draw):
    total = draw(st.integers(1, 300))
    args = (draw(st.integers(0, total - 1)), total)
    kwargs = {}
    if draw(st.booleans()):
        kwargs["cut_frac"] = draw(st.sampled_from((0.1, 0.25, 1 / 3, 0.5, 0.05, 0.9)))
    if draw(st.booleans()):
        kwargs["ratio"] = draw(st.sampled_from((32.0, 10.0, 2.0, 1.0)))
    return args, kwargs


@st.composite
def _freeze_inputs(draw):
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=6))
    start = [draw(st.booleans()) for _ in sizes]
    return sizes, start, draw(st.integers(-len(sizes), len(sizes) - 1))


@st.composite
def _pool_inputs(draw):
    sl, bs, n = draw(st.integers(1, 8)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return (sl, bs, n), [draw(st.integers(1, sl)) for _ in range(bs)], draw(st.integers(0, 3))


_WORDS_ITOS = ("_unk_", "_pad_", "the", "film", "good", "bad", "great", "zebra")


@st.composite
def _convert_inputs(draw):
    keys = draw(st.sampled_from((("0.encoder.weight",), ("0.encoder.weight", "0.encoder_dp.embed.weight", "1.decoder.weight", "1.decoder.bias"))))
    old = draw(st.lists(st.sampled_from(_WORDS_ITOS), min_size=1, max_size=6))
    new = draw(st.lists(st.sampled_from(_WORDS_ITOS), min_size=1, max_size=6))
    return keys, old, new, draw(st.integers(1, 3)), draw(st.integers(0, 3))


_KEY_PIECES = ("0.", "1.", "x", "encoder_with_dropout.", "encoder_dp.", "emb.", "embed.", "encoder.", "rnns.", "0.", "2.", "11.",
               "module.", "weight_hh_l0_raw", "weight_hh_l0", "weight_ih_l0", "weight", "decoder.", "bias", "_raw")
_FIXED_KEYS = ("0.encoder_with_dropout.embed.weight", "0.encoder_dp.emb.weight", "0.rnns.0.module.weight_hh_l0_raw",
               "0.rnns.2.module.weight_hh_l0_raw", "0.rnns.1.module.weight_ih_l0", "0.encoder.weight", "1.decoder.weight",
               "1.decoder.bias", "0.rnns.0.weight_hh_l0_raw", "0.rnns.11.module.weight_hh_l0_raw", "0.rnns.1.module.bias_hh_l0",
               "0.encoder_dp.embed.weight", "x0.encoder_with_dropout.embed.weight", "0.rnns.0.module.weight_hh_l0",
               "0.rnns.3.module.weight_hh_l0_raw.x", "1.encoder_dp.emb.weight")
_OLD_ITOS = ["_unk_", "_pad_", "the", "film", "good", "bad"]
_ALL_KEYS = ("0.encoder.weight", "0.encoder_dp.embed.weight", "1.decoder.weight", "1.decoder.bias")

_REAL_WORDS = [w for r in REAL_REVIEWS for w in r.split(" ")]
EXERCISES = {
    e.name: e
    for e in (
        Exercise(
            "read_imdb", "ulmfit_ref.data:read_imdb", _imdb(),
            ((_tiny_imdb_files(), False, {}), (_tiny_imdb_files(), True, {"limit": 2}), (_tiny_imdb_files(), False, {"limit": 0})),
            _show_imdb,
        ),
        Exercise(
            "make_splits", "ulmfit_ref.data:make_splits", _reviews(),
            ((_tiny_reviews(), (), {}), (_tiny_reviews(), (0, 0.25), {}), (_tiny_reviews(), (), {"lm_valid_frac": 0})),
            _show_splits,
        ),
        Exercise(
            "write_csv", "ulmfit_ref.data:write_csv", _csv_rows(),
            (([1, 0, 1], [list(REAL_REVIEWS[:3])]), ([0, 2], [["Title one", "Title, two"], list(REAL_REVIEWS[6:8])]), ([0, 1], [["only one text"]])),
            _show_csv,
        ),
        Exercise(
            "fixup", "ulmfit_ref.text:fixup", st.one_of(_pieces(_DEBRIS), st.text(alphabet=' a&#;\\n<>@.-"', max_size=10)).map(_one),
            tuple(_one(t) for t in REAL_REVIEWS + FIXUP_CASES),  # the lesson's visible cases too
        ),
        Exercise(
            "replace_rep", "ulmfit_ref.text:replace_rep",
            st.lists(st.tuples(st.sampled_from("ab .!\n\t"), st.integers(1, 7)), max_size=6).map(lambda xs: "".join(c * k for c, k in xs)).map(_one),
            tuple(_one(t) for t in REAL_REVIEWS + ("cooool", "aaa", "zzzz", "    ")),
        ),
        Exercise(
            "replace_wrep", "ulmfit_ref.text:replace_wrep",
            st.lists(st.tuples(st.sampled_from(("no", "so", "a", "No", "ab")), st.sampled_from((" ", ", ", ",", "!", "-", ". ", "  ", "\n", "")), st.integers(1, 6)), max_size=5)
            .map(lambda xs: "".join((w + s) * k for w, s, k in xs)).map(_one),
            tuple(_one(t) for t in REAL_REVIEWS + ("no no no no ", "no no no", "Boring, boring, boring, boring. Bad.", "No!No!No!No!No! ")),
        ),
        Exercise(
            "replace_all_caps", "ulmfit_ref.text:replace_all_caps",
            st.lists(st.one_of(st.sampled_from(("I", "OK", "TV", "BBC", "LOVED", "Great", "it", "HBO's", "10/10", "\n", "!!!", "ÉTÉ", "A1B")), st.text(alphabet="aAbB1'", max_size=4)), max_size=6).map(_one),
            tuple(_one(r.split(" ")) for r in REAL_REVIEWS) + (_one(["I", "LOVED", "it"]), _one([])),
        ),
        Exercise(
            "mark_fields", "ulmfit_ref.text:mark_fields", st.lists(st.text(alphabet="ab \nx1", max_size=5), max_size=4).map(_one),
            (_one([REAL_REVIEWS[0]]), _one(["Title", REAL_REVIEWS[1]]), _one(list(REAL_REVIEWS[2:5])), _one([""])),
        ),
        Exercise(
            "partition_by_cores", "ulmfit_ref.text:partition_by_cores",
            st.tuples(st.lists(st.integers(0, 99), max_size=40), st.integers(1, 12)).map(lambda p: (p, {})),
            (((list(range(10)), 3), {}), ((list(range(4)), 8), {}), ((_REAL_WORDS, 2), {}), (([], 2), {}), ((list(range(7)), 1), {})),
        ),
        Exercise(
            "count_tokens", "ulmfit_ref.prepare:count_tokens", st.lists(st.lists(_TOKEN, max_size=6), max_size=5),
            ([r.split(" ") for r in REAL_REVIEWS], [], [["xbos", "xfld", "1", "good", "good", "\n", "é"], []]),
            lambda docs: f"count_tokens(<token file of the documents {docs!r}>)",
        ),
        Exercise(
            "Vocab", "ulmfit_ref.vocab:Vocab", _vocab(),
            (
                (list(Counter(_REAL_WORDS).items()), {"min_freq": 2}, REAL_REVIEWS[0].split(" "), ["_unk_", "_pad_", "the"]),
                ([("the", 4), ("a", 2), ("_unk_", 5), ("film", 3)], {}, ["the", "never-seen", "_pad_"], ["_unk_", "_pad_"]),
            ),
            _show_vocab,
        ),
        # --- lesson 5 ---
        Exercise(
            "batchify", "grading.exercises:_batchify", _stream(),
            ((list(range(20)), 4), (list(range(23)), 5), (list(range(10)), 1), ([7, 3, 9, 1, 4, 4, 2, 8], 2), (list(range(50, 250)), 7)),
            lambda inp: f"batchify(torch.tensor({inp[0]!r}), {inp[1]!r})",
        ),
        Exercise(
            "get_batch", "grading.exercises:_get_batch", _batched(),
            ((_arange_batched(30, 3), 0, 4), (_arange_batched(30, 3), 3, 2), (_arange_batched(30, 3), 6, 5), (_arange_batched(30, 3), 8, 5),
             (_arange_batched(200, 4), 40, 12)),
            lambda inp: f"get_batch(torch.tensor({inp[0]!r}), {inp[1]!r}, {inp[2]!r})",
        ),
        Exercise(
            "draw_seq_lens", "grading.exercises:_draw_seq_lens",
            st.tuples(st.integers(1, 120), st.sampled_from((1, 5, 10, 20, 70)), st.integers(0, 5)),
            ((200, 70, 0), (1000, 70, 1), (9, 70, 2), (500, 10, 3), (640, 12, 15), (2, 70, 14), (3000, 70, 4)),
            lambda inp: f"draw_seq_lens({inp[0]!r}, {inp[1]!r}, torch.Generator().manual_seed({inp[2]!r}))",
        ),
        # --- lesson 6 ---
        Exercise(
            "dropout_mask", "ulmfit_ref.regularize:dropout_mask",
            st.tuples(st.sampled_from(((3,), (2, 4), (1, 3, 5))), st.sampled_from(_P), st.sampled_from(("float32", "float64")), st.just(0)),
            (((1, 200, 50), 0.3, "float32", 0), ((4000, 25), 0.7, "float32", 1), ((10, 1), 0.0, "float32", 2), ((3, 100, 100), 0.1, "float64", 3),
             ((1, 500, 40), 0.2, "float32", 4)),
            lambda inp: f"torch.manual_seed({inp[3]}); dropout_mask(<x: a [5, 3] tensor of {inp[2]}>, {inp[0]!r}, {inp[1]!r})",
        ),
        Exercise(
            "LockedDropout", "ulmfit_ref.regularize:LockedDropout",
            st.tuples(st.sampled_from(_P), st.sampled_from(((1, 1, 1), (4, 2, 3), (3, 3, 40))), st.just(0)),
            ((0.5, (20, 8, 30), 0), (0.3, (6, 200, 100), 1), (0.0, (4, 3, 5), 2), (0.1, (50, 40, 50), 3), (0.7, (3, 300, 20), 4)),
            lambda inp: f"torch.manual_seed({inp[2]}); LockedDropout({inp[0]!r}) on an input of shape {inp[1]!r}, in training and in eval mode",
        ),
        Exercise(
            "embedding_dropout", "grading.exercises:_embedding_dropout",
            st.tuples(st.sampled_from((3, 20)), st.just(2), st.sampled_from(((4, 2), (6, 3))), st.sampled_from(_P), st.booleans(), st.just(0)),
            ((2000, 8, (40, 100), 0.2, True, 0), (50, 6, (40, 10), 0.5, True, 1), (50, 6, (7, 3), 0.0, True, 2), (3000, 3, (60, 100), 0.1, False, 3),
             (3000, 3, (60, 100), 0.3, True, 4)),
            lambda inp: (f"torch.manual_seed({inp[5]}); embedding_dropout(nn.Embedding({inp[0]}, {inp[1]}), <random words of shape {inp[2]!r}>, "
                         f"{inp[3]!r}, training={inp[4]!r})"),
        ),
        Exercise(
            "drop_connect", "grading.exercises:_drop_connect",
            st.tuples(st.sampled_from(((2, 3), (4, 4))), st.sampled_from(_P), st.booleans(), st.just(0)),
            (((200, 50), 0.5, True, 0), ((120, 30), 0.2, True, 1), ((4, 4), 0.0, True, 2), ((400, 100), 0.1, False, 3), ((60, 40), 0.7, True, 4)),
            lambda inp: f"torch.manual_seed({inp[3]}); drop_connect(<a Parameter of shape {inp[0]!r}>, {inp[1]!r}, training={inp[2]!r})",
        ),
        # --- lesson 7 ---
        Exercise(
            "encoder_forward", "grading.exercises:_encoder_forward",
            st.tuples(st.just(12), st.sampled_from((2, 4)), st.just(3), st.sampled_from((1, 2, 3)), st.sampled_from(((1, 1), (3, 2))), st.just(0)),
            ((30, 8, 16, 2, (7, 3), 0), (20, 6, 10, 3, (5, 2), 1), (12, 4, 6, 1, (9, 1), 2), (50, 10, 12, 4, (11, 4), 3)),
            lambda inp: (f"torch.manual_seed({inp[5]}); encoder_forward(nn.Embedding({inp[0]}, {inp[1]}, padding_idx=1), <{inp[3]} nn.LSTMs: "
                         f"{inp[1]} -> {inp[2]} ... -> {inp[1]}>, <random ids of shape {inp[4]!r}>)"),
        ),
        Exercise(
            "tied_decoder", "grading.exercises:_tied_decoder",
            st.tuples(st.sampled_from((2, 5)), st.sampled_from((1, 3)), st.booleans(), st.just(0)),
            ((10, 4, False, 0), (25, 8, True, 1), (3, 2, False, 2), (100, 16, True, 3)),
            lambda inp: f"torch.manual_seed({inp[3]}); tied_decoder(nn.Embedding({inp[0]}, {inp[1]}), bias={inp[2]!r})",
        ),
        # --- lesson 8 ---
        Exercise(
            "rename_key", "ulmfit_ref.transfer:_rename", _pieces(_KEY_PIECES, max_size=6).map(_one), tuple(_one(k) for k in _FIXED_KEYS),
        ),
        Exercise(
            "convert_weights", "ulmfit_ref.transfer:convert_weights", _convert_inputs(),
            ((_ALL_KEYS, _OLD_ITOS, ["_unk_", "_pad_", "film", "the", "great", "bad"], 3, 0), (_ALL_KEYS, _OLD_ITOS, ["_unk_", "_pad_", "zebra"], 2, 1),
             (("0.encoder.weight",), _OLD_ITOS + ["film"], ["film", "good"], 4, 2), (_ALL_KEYS, _OLD_ITOS, _OLD_ITOS, 3, 3),
             (_ALL_KEYS, ["film", "the", "film", "good"], ["film", "zebra", "the"], 3, 4)),
            lambda inp: (f"convert_weights(<seeded weights ({inp[4]}) of {len(inp[1])} rows and {inp[3]} features, keys {list(inp[0])} and "
                         f"'0.rnns.0.weight_hh_l0_raw'>, {inp[1]!r}, {inp[2]!r})"),
        ),
        # --- lesson 9 ---
        Exercise(
            "discriminative_lrs", "ulmfit_ref.train:discriminative_lrs",
            st.tuples(st.sampled_from((1e-3, 0.01, 0.5, 2e-2, 1.0)), st.integers(1, 6), st.one_of(st.none(), st.sampled_from((2.6, 2.0, 1.0, 3.0, 1.5))))
            .map(lambda t: ((t[0], t[1]), {} if t[2] is None else {"factor": t[2]})),
            (((1e-3, 4), {}), ((0.01, 3), {"factor": 2.0}), ((0.5, 1), {}), ((2e-2, 5), {"factor": 1.0}), ((1e-2, 6), {"factor": 3.0})),
        ),
        Exercise(
            "stlr", "grading.exercises:_stlr", _stlr_inputs(),
            tuple(((s, t), {}) for s, t in ((0, 100), (5, 100), (10, 100), (55, 100), (99, 100), (0, 5), (3, 5), (56, 57), (5, 57), (0, 1)))
            + (((20, 200), {"cut_frac": 0.25, "ratio": 10.0}), ((7, 9), {"cut_frac": 0.5, "ratio": 2.0}), ((13, 40), {"cut_frac": 1 / 3, "ratio": 20.0})),
        ),
        Exercise(
            "freeze_to", "grading.exercises:_freeze_to", _freeze_inputs(),
            (([1, 2, 1, 2], [True, False, True, False], -1), ([1, 2, 1, 2], [True, False, True, False], 0), ([1, 2, 1, 2], [False, True, False, True], 2),
             ([1, 2, 1, 2], [True, True, True, True], -3), ([2, 1], [False, False], 1), ([1], [False], 0)),
            lambda inp: f"freeze_to(<layer groups of {inp[0]!r} Parameters, requires_grad {inp[1]!r}>, {inp[2]!r})",
        ),
        # --- lesson 10 ---
        Exercise(
            "concat_pool", "grading.exercises:_concat_pool", _pool_inputs(),
            (((5, 3, 4), [5, 2, 3], 0), ((6, 2, 3), [6, 6], 1), ((4, 4, 2), [1, 4, 2, 3], 2), ((1, 1, 5), [1], 3), ((9, 5, 6), [3, 9, 1, 7, 2], 4)),
            lambda inp: f"concat_pool(<output of shape {inp[0]!r} from seed {inp[2]}, 5.0 after each length>, torch.tensor({inp[1]!r}))",
        ),
        Exercise(
            "clip_document", "ulmfit_ref.predict:clip_document",
            st.tuples(st.lists(st.integers(0, 99), max_size=30), st.one_of(st.none(), st.integers(0, 20))),
            ((list(range(20)), 8), (list(range(8)), 8), (list(range(5)), 100), (list(range(10)), None), (list(range(11)), 3), (list(range(40)), 1),
             (list(range(9)), 0)),
            lambda inp: f"clip_document(np.array({inp[0]!r}, dtype=np.int32), {inp[1]!r})",
        ),
    )
}
