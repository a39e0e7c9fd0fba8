"""Plain-text corpora for pretraining a general language model: WikiText-format articles, .txt folders, tar.gz archives.

A file with ` = Title = ` lines (WikiText) is cut into one document per article; any other file is one
document. A file whose name holds `valid` is the validation split and one whose name holds `test` is left
out; when a corpus has no `valid` file, every `holdout_every`-th article is held out for validation.
"""

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from .archive import Archive, skipped_words
from .config import CorpusConfig
from .data import decode
from .errors import DataError
from .files import identity, read_json, write_json
from .prepare import numericalize_all
from .text import mark_fields, partition, tokenize_to_file

TEXT_SUFFIXES = (".txt", ".tokens", ".raw")
SPLITS = ("train", "valid")
_re_title = re.compile(r"\s*= ([^=].*?) =\s*")  # ` = Title = `; ` = = Section = = ` is not a title


def split_kind(name: str) -> str:
    """'valid', 'test' or 'train', from a file's name (`wiki.valid.tokens` is 'valid')."""
    base = Path(name).name.lower()
    return "valid" if "valid" in base else "test" if "test" in base else "train"


def is_text_file(name: str) -> bool:
    """Whether a file of a corpus holds text to read (.txt, .tokens, .raw)."""
    return Path(name).suffix.lower() in TEXT_SUFFIXES


def split_articles(text: str) -> list[str]:
    """The articles of a WikiText-format text, each from its title line on; a text without titles is one document.

    Lines are stripped and blank lines dropped, so an article is its title then one paragraph per line.
    """
    articles, lines = [], []
    for line in text.splitlines():
        line = line.strip()
        if _re_title.fullmatch(line) and lines:
            articles.append("\n".join(lines))
            lines = []
        if line:
            lines.append(line)
    if lines:
        articles.append("\n".join(lines))
    return articles


def corpus_files(path, skipped: Counter = None) -> list[str]:
    """The names of the text files of a corpus (a file, a folder searched recursively, a tar.gz), in reading order.

    What the reading of an archive skipped is added to `skipped`.
    """
    return [name for name, _ in _members(Path(path), read=lambda name: False, skipped=skipped)]


def _junk_share(text: str) -> float:
    """The share of a text's characters that no text holds: NUL and other control characters, U+FFFD (bad bytes)."""
    return sum(c in _JUNK for c in text) / max(1, len(text))


_JUNK = frozenset(chr(i) for i in (*range(0, 9), 11, *range(14, 32), 127)) | {"\ufffd"}
BINARY_SHARE = 0.1  # a file or line with more junk characters than this is binary, not text


def text_of(raw: bytes, skipped: Counter = None) -> str:
    """The text of a corpus file, less binary junk: a binary file is '', a line of junk dropped; each counted in
    `skipped` ('binary files', 'lines of binary junk')."""
    text, _ = decode(raw)
    if _junk_share(text[:65536]) > BINARY_SHARE:
        if skipped is not None:
            skipped["binary files (NUL or control bytes, not text)"] += 1
        return ""
    lines = text.splitlines()
    kept = [line for line in lines if "\x00" not in line and _junk_share(line) <= BINARY_SHARE]
    if len(kept) < len(lines) and skipped is not None:
        skipped["lines of binary junk (NUL or control bytes)"] += len(lines) - len(kept)
    return "\n".join(kept)


def read_corpus(path, kinds=("train", "valid"), skipped: Counter = None) -> Iterator[tuple[str, str]]:
    """(file name, article) of every article of the text files of a corpus whose split is in `kinds`, file by file;
    binary files and lines are left out and counted in `skipped` (text_of)."""
    for name, read in _members(Path(path), read=lambda name: split_kind(name) in kinds):
        if split_kind(name) in kinds:
            yield from ((name, article) for article in split_articles(text_of(read(), skipped)))


def _members(path: Path, read, skipped: Counter = None):
    """(name, reader) of each text file of a corpus, its bytes read only where read(name); an archive is streamed (what
    it skipped is added to `skipped`)."""
    if not path.exists():
        raise DataError(f"{path}: no such file or folder; pass a text file, a folder of .txt files or a tar.gz archive")
    n = 0
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and is_text_file(p.name))
        for p in files:
            n += 1
            yield str(p.relative_to(path)), p.read_bytes
    elif path.name.endswith((".tar.gz", ".tgz", ".tar")):
        archive = Archive(path)
        for name, data in archive.members(lambda name: is_text_file(name) and read(name)):
            if is_text_file(name):
                n += 1
                yield name, lambda data=data: data or b""
        if skipped is not None:
            skipped.update(archive.skipped)
    else:
        n += 1
        yield path.name, path.read_bytes
    if n == 0:
        raise DataError(f"{path}: no text files ({', '.join(TEXT_SUFFIXES)}) found")


def prepare_corpus(path, out, config: CorpusConfig = CorpusConfig(), n_workers: int = None, log=print) -> dict:
    """Articles of the corpus at `path` to tokens, a vocab and ids under `out` ({train,valid}.*, vocab.json, summary).

    Skipped when `out` already holds this corpus prepared with this configuration.
    """
    path, out = Path(path).resolve(), Path(out)
    summary_path = out / "summary.json"
    source = {"corpus": str(path), "input": identity(path), "config": asdict(config)}
    if summary_path.exists():
        summary = read_json(summary_path, advice=f"delete {out} and run again")
        if {k: summary.get(k) for k in source} == source:
            log(f"{out}: corpus already prepared with this configuration, skipping")
            return summary
    out.mkdir(parents=True, exist_ok=True)
    skipped = Counter()
    names = corpus_files(path, skipped)
    if skipped:
        log(f"{path}: skipped {skipped_words(skipped)}")
    kinds = [split_kind(n) for n in names]
    valid_files = {n for n, k in zip(names, kinds) if k == "valid"}
    if "train" not in kinds:
        raise DataError(f"{path}: every text file is named as a valid or test split; no training text left")
    held_out, seen_valid, words, junk = [], set(), 0, Counter()

    def train_docs():
        nonlocal words
        index = 0
        for name, article in read_corpus(path, skipped=junk):
            if name in valid_files:
                held_out.append(article)
                seen_valid.add(name)
                continue
            budget_left = config.max_words is None or words < config.max_words
            if not budget_left and seen_valid == valid_files and (valid_files or held_out):
                log(f"{path}: stopped reading training text at {words:,} words (max_words {config.max_words:,}: "
                    f"--max-words, or the preset's); the rest of the corpus is not read")
                return
            index += 1
            if not valid_files and index % config.holdout_every == 0:
                held_out.append(article)
            elif budget_left:
                words += len(article.split())
                yield mark_fields([article])

    n_train = tokenize_to_file(partition(train_docs(), config.chunksize), out / "train.tok.jsonl", n_workers)
    valid_docs = (mark_fields([article]) for article in held_out)
    n_valid = tokenize_to_file(partition(valid_docs, config.chunksize), out / "valid.tok.jsonl", n_workers)
    if junk:
        log(f"{path}: skipped {skipped_words(junk)}")
        skipped.update(junk)
    if n_train == 0 or n_valid == 0:
        raise DataError(f"{path}: {n_train} training and {n_valid} validation articles; need at least one of each "
                        f"(add a `valid` file or more articles)")
    vocab, stats = numericalize_all(out, SPLITS, "train", config.max_vocab, config.min_freq)
    valid_from = "file" if valid_files else f"every {config.holdout_every}th article"
    summary = {**source, "files": names, "skipped": dict(skipped), "valid_from": valid_from,
               "train_words": words, "vocab_size": len(vocab), "datasets": stats}
    write_json(summary_path, summary)
    log(format_corpus_summary(summary))
    return summary


def format_corpus_summary(summary: dict) -> str:
    """The corpus summary as a small table."""
    rows = [f"{'split':<8}{'articles':>10}{'tokens':>13}{'unknown':>9}"]
    for name, s in summary["datasets"].items():
        rows.append(f"{name:<8}{s['documents']:>10,}{s['tokens']:>13,}{s['unknown_rate']:>9.2%}")
    rows.append(f"vocab size {summary['vocab_size']:,}; validation: {summary['valid_from']}; "
                f"{len(summary['files'])} text files")
    return "\n".join(rows)
