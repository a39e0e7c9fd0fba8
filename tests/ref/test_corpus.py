"""Plain-text corpora for pretraining: WikiText articles, folders, archives, splits and token ids."""

import io
import tarfile
from pathlib import Path

import pytest

from ulmfit_ref.corpus import CorpusConfig, corpus_files, prepare_corpus, read_corpus, split_articles, split_kind
from ulmfit_ref.data import DataError
from ulmfit_ref.ids import read_ids
from ulmfit_ref.text import read_tokens
from ulmfit_ref.vocab import Vocab

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

WIKI = "".join(f"{line}\n" for line in (  # WikiText lines end in a space
    " = Alpha = ", "", " Alpha is the first letter . ", " = = History = = ", "", " It came from aleph . ", "",
    " = Beta = ", "", " Beta is the second letter . "))


def wiki_text(n_articles: int, first: int = 0) -> str:
    """`n_articles` WikiText-format articles of a few sentences each."""
    return "".join(f" = Article {i} = \n\n The article number {i} tells a story about a town . \n"
                   f" = = Section = = \n It has a river and a bridge . \n\n" for i in range(first, first + n_articles))


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write {relative name: text} under root."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def write_tar(path: Path, files: dict[str, str]) -> Path:
    """The same files as a tar.gz archive."""
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_wikitext_is_cut_at_title_lines_and_sections_stay_in_their_article():
    articles = split_articles(WIKI)
    assert articles == ["= Alpha =\nAlpha is the first letter .\n= = History = =\nIt came from aleph .",
                        "= Beta =\nBeta is the second letter ."]


def test_text_without_titles_is_one_document_and_text_before_the_first_title_is_kept():
    assert split_articles("Just a review.\n\nTwo paragraphs.") == ["Just a review.\nTwo paragraphs."]
    assert split_articles("preface\n = Alpha = \nbody") == ["preface", "= Alpha =\nbody"]
    assert split_articles("\n  \n") == []


def test_split_kind_follows_the_file_name():
    assert [split_kind(n) for n in ("wiki.train.tokens", "eval/wiki.valid.tokens", "x/wiki.test.tokens", "a.txt")] \
        == ["train", "valid", "test", "train"]


FILES = {"wiki/train/a.txt": WIKI, "wiki/train/b.txt": "A plain text file.\nWith two lines.",
         "wiki/README.md": "not text of the corpus", "wiki/eval/wiki.valid.tokens": wiki_text(2),
         "wiki/eval/wiki.test.tokens": wiki_text(1)}


def test_a_folder_and_its_archive_read_the_same_articles(tmp_path):
    folder = write_files(tmp_path / "f", FILES)
    archive = write_tar(tmp_path / "corpus.tar.gz", FILES)
    from_folder = [(Path(n).name, a) for n, a in read_corpus(folder)]
    from_archive = [(Path(n).name, a) for n, a in read_corpus(archive)]
    assert sorted(from_folder) == sorted(from_archive)
    assert sorted(n for n, _ in from_folder) == ["a.txt", "a.txt", "b.txt", "wiki.valid.tokens", "wiki.valid.tokens"]
    assert len(corpus_files(archive)) == 4  # README.md is not a text file of the corpus
    assert [a for _, a in read_corpus(folder / "wiki/train/b.txt")] == ["A plain text file.\nWith two lines."]


def test_bad_corpora_are_named(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        list(read_corpus(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no text files"):
        list(read_corpus(tmp_path / "empty"))
    archive = write_tar(tmp_path / "c.tar.gz", {f"w/{i}.txt": wiki_text(30, 100 * i) for i in range(3)})
    (tmp_path / "cut.tar.gz").write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(DataError, match="the archive is truncated after"):
        list(read_corpus(tmp_path / "cut.tar.gz"))


def test_prepare_corpus_uses_the_valid_file_and_ids_decode_to_the_tokens(tmp_path):
    folder = write_files(tmp_path / "f", {"train/wiki.train.tokens": wiki_text(30),
                                          "valid/wiki.valid.tokens": wiki_text(3, 900),
                                          "test/wiki.test.tokens": wiki_text(5, 500)})
    logs = []
    summary = prepare_corpus(folder, tmp_path / "out", CorpusConfig(min_freq=1), n_workers=1, log=logs.append)
    d = summary["datasets"]
    assert (d["train"]["documents"], d["valid"]["documents"]) == (30, 3)
    assert summary["valid_from"] == "file"
    vocab = Vocab.load(tmp_path / "out" / "vocab.json")
    assert "river" in vocab.stoi and "900" not in vocab.stoi  # the vocabulary comes from train only
    for split in ("train", "valid"):
        tokens = list(read_tokens(tmp_path / "out" / f"{split}.tok.jsonl"))
        ids = read_ids(tmp_path / "out" / split)
        assert [vocab.textify(i).split(" ") for i in ids] == \
               [[t if t in vocab.stoi else "_unk_" for t in doc] for doc in tokens]
        assert tokens[0][:4] == ["xbos", "xfld", "1", "="]
    prepare_corpus(folder, tmp_path / "out", CorpusConfig(min_freq=1), n_workers=1, log=logs.append)
    assert "already prepared" in logs[-1]


def test_without_a_valid_file_articles_are_held_out_and_max_words_stops_reading(tmp_path):
    folder = write_files(tmp_path / "f", {"a.txt": wiki_text(40)})
    summary = prepare_corpus(folder, tmp_path / "o1", CorpusConfig(min_freq=1, holdout_every=10), n_workers=1,
                             log=lambda m: None)
    assert (summary["datasets"]["train"]["documents"], summary["datasets"]["valid"]["documents"]) == (36, 4)
    summary = prepare_corpus(folder, tmp_path / "o2", CorpusConfig(min_freq=1, holdout_every=10, max_words=60),
                             n_workers=1, log=lambda m: None)
    assert summary["datasets"]["train"]["documents"] == 3 and summary["train_words"] >= 60
    with pytest.raises(DataError, match="no training text"):
        prepare_corpus(write_files(tmp_path / "v", {"wiki.valid.tokens": WIKI}), tmp_path / "o3", log=lambda m: None)


def test_binary_junk_in_a_corpus_is_skipped_and_counted(tmp_path):
    folder = write_files(tmp_path / "f", {"a.txt": wiki_text(20)})
    (folder / "blob.txt").write_bytes(bytes(range(256)) * 40)  # a binary file named .txt
    (folder / "b.txt").write_bytes(b"= Junk =\n" + b"plain words here\n" * 20 + b"\x00\x01\x02\x03PK\x03\x04\x00\x00\n")
    logs = []
    summary = prepare_corpus(folder, tmp_path / "o", CorpusConfig(min_freq=1, holdout_every=10), n_workers=1,
                             log=logs.append)
    assert summary["skipped"] == {"binary files (NUL or control bytes, not text)": 1,
                                  "lines of binary junk (NUL or control bytes)": 1}
    assert any("skipped 1 binary files" in m and "1 lines of binary junk" in m for m in logs)
    tokens = [t for doc in read_tokens(tmp_path / "o" / "train.tok.jsonl") for t in doc]
    assert "\x00" not in "".join(tokens) and "words" in tokens


def test_max_words_says_that_it_cut_the_corpus(tmp_path):
    logs = []
    prepare_corpus(write_files(tmp_path / "f", {"a.txt": wiki_text(40)}), tmp_path / "o",
                   CorpusConfig(min_freq=1, holdout_every=10, max_words=60), n_workers=1, log=logs.append)
    assert any("stopped reading training text at" in m and "max_words 60" in m for m in logs)


@pytest.mark.realdata
def test_articles_of_the_shared_wikipedia_archive():
    path = SHARED_DATA / "wiki_general_en.tar.gz"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    names, articles = [], []
    for name, article in read_corpus(path, kinds=("train",)):
        names.append(name)
        articles.append(article)
        if len(articles) == 5:
            break
    assert all(name.startswith("wiki_general/train/") for name in names)
    for article in articles:
        title, *paragraphs = article.split("\n")
        assert title.startswith("= ") and title.endswith(" =") and not title.startswith("= =")
        assert sum(len(p.split()) for p in paragraphs) >= 50  # the archive dropped articles under 50 words
