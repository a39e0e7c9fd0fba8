"""A labelled text data set in the standard CSV folder (Zhang, Zhao & LeCun 2015), read whole and checked.

    DATA/train.csv       label, text field 1[, text field 2, ...]: one document per row, no header   (required)
    DATA/test.csv        the same columns                      (optional: else test_frac of train is held out)
    DATA/classes.txt     one class name per line                                                       (optional)
    DATA/unlabelled.csv  the text fields only, no label: more text for the language model              (optional)

The labels of train.csv and test.csv are, with classes.txt, either its class names or its line numbers counted
from 0 (the lesson's CSV) or from 1 (AG News, DBpedia, Yelp...): from 0 when some label is 0, from 1 when some
label is the number of classes; both, or neither, is an error. Without classes.txt the classes are the distinct
labels of train.csv, in numeric order when every one is an integer, else in alphabetical order.
Files are UTF-8 (a byte-order mark is skipped), with LF or CRLF line ends; blank lines are skipped and counted.
Numeric labels are read as numbers (`1`, `1.0` and `+1` are one class); a first row of column names (`label,text`,
`topic,review_body`) is dropped; a file separated by tabs or semicolons is named as such. What is dropped, merged or
cut is said in the data set's `notes`.
"""

import csv
import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .data import Reviews, permutation, write_csv, write_rows
from .errors import DataError
from .files import atomic_write, identity

FILES = ("train.csv", "test.csv", "classes.txt", "unlabelled.csv")
HEADER_WORDS = {"label", "labels", "class", "classes", "category", "target", "y", "sentiment", "polarity", "rating",
                "stars", "score", "text"}
COLUMN_WORDS = HEADER_WORDS | {"review", "reviews", "body", "title", "description", "content", "sentence", "comment",
                               "document", "message", "tweet", "question", "answer", "summary", "headline", "abstract",
                               "topic", "premise", "hypothesis", "id", "x"}  # what a header row's columns are called
DELIMITERS = {"\t": "tabs", ";": "semicolons", "|": "vertical bars"}  # what a CSV saved by other tools is split by
_re_int = re.compile(r"[+-]?\d+")
_re_whole = re.compile(r"([+-]?\d+)\.0*")  # a whole number written as a float: 1.0, 1., -2.00
_re_name = re.compile(r"[A-Za-z_][\w.\-]*( [A-Za-z_][\w.\-]*){0,2}")  # a column name: up to three words


@dataclass
class Dataset:
    """Classes, labelled train (and test) documents as tuples of text fields, and unlabelled documents."""

    classes: tuple[str, ...]
    train: Reviews  # texts: one tuple of fields per document; labels: class numbers 0..len(classes)-1
    test: Reviews | None = None  # None: held out of train when the data is prepared
    unlabelled: list[tuple[str, ...]] = field(default_factory=list)
    label_format: str = "class numbers from 0"  # how the labels were written: names, numbers from 0 or from 1
    source: str = "memory"
    blank_lines: int = 0
    notes: list[str] = field(default_factory=list)  # what was dropped, merged or cut, one line each

    @property
    def n_fields(self) -> int:
        """How many text fields each document has."""
        return len(self.train.texts[0])

    def counts(self) -> dict:
        """Documents per part, and per class of train and test."""
        per_class = {name: dict(zip(self.classes, np.bincount(r.labels, minlength=len(self.classes)).tolist()))
                     for name, r in (("train", self.train), ("test", self.test)) if r is not None}
        return {"train": len(self.train), "test": len(self.test) if self.test is not None else 0,
                "unlabelled": len(self.unlabelled), "per_class": per_class}


@dataclass
class _Labels:
    """The raw labels of one source and where each came from (a file's lines, or a list's indices)."""

    name: str
    values: list[str]
    places: list[int]
    is_file: bool = True

    def at(self, i: int) -> str:
        """Where label i is: 'train.csv, line 7' or 'labels[6]'."""
        return f"{self.name}, line {self.places[i]}" if self.is_file else f"{self.name}[{self.places[i]}]"


def _is_int(s: str) -> bool:
    return _re_int.fullmatch(s) is not None


def _is_column_name(value: str) -> bool:
    """Whether a cell looks like a column's name (`text`, `review_body`, `Review Title`) rather than a document."""
    return len(value) <= 40 and _re_name.fullmatch(value.strip()) is not None


def _is_header(row, others=frozenset()) -> bool:
    """Whether a first row is column names: with `others` (the other rows' labels and the classes), a label none of
    them and every cell a name, one a usual column word or snake_case; without, every cell one of those."""
    cells = [c.strip() for c in row]
    if others and (cells[0] in others or _is_int(cells[0]) or _re_whole.fullmatch(cells[0])):
        return False
    words = [c.lower().replace(" ", "_") for c in cells]
    column = [w in COLUMN_WORDS or "_" in w for w in words]
    return all(_is_column_name(c) for c in cells) and (any(column) if others else all(column))


def _header_note(path, row) -> str:
    """The note that a header row was dropped."""
    return f"{path}, line 1: dropped 1 header row ({','.join(row)}): the standard CSV has none"


# --- reading the files ------------------------------------------------------------------------------------------


def _decode(path: Path) -> str:
    """The text of a UTF-8 file (a byte-order mark dropped); a bad byte is an error naming its line."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise DataError(f"{path}, line {line}: not valid UTF-8 (byte 0x{raw[e.start]:02x}); save the file as UTF-8 "
                        f"(for example `iconv -f latin1 -t utf-8 {path.name}`)") from e


def _foreign_delimiter(text: str) -> str | None:
    """The delimiter (tab, semicolon, bar) that splits the first lines of `text` evenly, where commas do not."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return None
    commas = {len(r) for r in csv.reader(lines)}
    for d in DELIMITERS:
        widths = {len(r) for r in csv.reader(lines, delimiter=d)}
        if len(widths) == 1 and min(widths) >= 2 and (commas != widths or min(commas) < 2):
            return d
    return None


def _check_delimiter(path: Path, rows: list[list[str]], width: int, labelled: bool = True) -> None:
    """A DataError naming the delimiter when the file is split by tabs or semicolons and commas read it wrong."""
    if all(len(r) == width for r in rows) and (not labelled or width >= 2 and not any("\t" in r[0] for r in rows[:20])):
        return
    if (d := _foreign_delimiter(_decode(path))) is not None:
        raise DataError(f"{path}: its rows are separated by {DELIMITERS[d]} ({d!r}), not commas; the standard CSV is "
                        f"comma-separated: save it with commas (pandas: pd.read_csv(path, sep={d!r}, header=None)"
                        f".to_csv(path, header=False, index=False))")


def _read_rows(path: Path) -> tuple[list[list[str]], list[int], int]:
    """The rows of a CSV file, the line each starts on, and how many blank lines were skipped."""
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    rows, lines, blank, line = [], [], 0, 1
    try:
        for row in reader:
            if not row:  # a blank line; an empty document of one field is written `""`
                blank += 1
            else:
                rows.append(row)
                lines.append(line)
            line = reader.line_num + 1
    except csv.Error as e:
        raise DataError(f"{path}, line {reader.line_num}: not a CSV row ({e})") from e
    return rows, lines, blank


def _check_width(path: Path, rows: list[list[str]], lines: list[int], width: int, what: str) -> None:
    """Every row has `width` columns, or a DataError naming the first row that does not."""
    for row, line in zip(rows, lines):
        if len(row) != width:
            raise DataError(f"{path}, line {line}: {len(row)} column(s), expected {width} ({what}); quote text "
                            f"fields that hold commas, quotes or line breaks")


def class_names(names, where=lambda i: f"classes[{i}]", whole: str = "classes") -> tuple[str, ...]:
    """Class names, stripped and checked: none empty or repeated (an error says `where(i)`), at least two."""
    seen = {}
    for i, name in enumerate(str(n).strip() for n in names):
        if not name:
            raise DataError(f"{where(i)}: empty class name; give one name per line")
        if name in seen:
            raise DataError(f"{where(i)}: class {name!r} repeats {where(seen[name]).split(', ')[-1]}; each class once")
        seen[name] = i
    if len(seen) < 2:
        raise DataError(f"{whole}: {len(seen)} class(es); a classifier needs at least 2, one per line")
    return tuple(seen)


def read_classes(path: Path) -> tuple[str, ...]:
    """The class names of a classes.txt, one per line (blank lines at the end are ignored)."""
    lines = _decode(path).splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return class_names(lines, lambda i: f"{path}, line {i + 1}", str(path))


def _labelled_file(path: Path, n_fields: int = None) -> tuple[list[tuple[str, ...]], _Labels, int]:
    """(text fields of each row, raw labels, blank lines) of a train.csv or test.csv."""
    rows, lines, blank = _read_rows(path)
    if not rows:
        raise DataError(f"{path}: no rows; write one document per row, its label first")
    width = len(rows[0]) if n_fields is None else n_fields + 1
    _check_delimiter(path, rows, width)
    if width < 2:
        raise DataError(f"{path}, line {lines[0]}: 1 column; each row is a label, then one or more text fields")
    what = "a label, then the text fields" + ("" if n_fields is None else " of train.csv")
    _check_width(path, rows, lines, width, what)
    return [tuple(r[1:]) for r in rows], _Labels(str(path), [r[0].strip() for r in rows], lines), blank


def dataset_identity(folder) -> dict:
    """The identity (files.identity) of each file of a standard CSV folder: what a prepared run was made from."""
    folder = dataset_folder(folder)
    return {name: identity(folder / name) for name in FILES if (folder / name).is_file()}


def dataset_folder(path) -> Path:
    """The folder of a data set given as its folder or as the train.csv in it."""
    path = Path(path)
    return path.parent if path.name == "train.csv" and path.is_file() else path


def read_dataset(folder, limit: int = None) -> Dataset:
    """The data set of a standard CSV folder (or of the train.csv in one), checked; at most `limit` per class."""
    folder = dataset_folder(folder)
    if not folder.is_dir():
        what = "no such folder" if not folder.exists() else "not a folder"
        raise DataError(f"{folder}: {what}; pass a folder holding train.csv (and optionally {', '.join(FILES[1:])})")
    if not (folder / "train.csv").is_file():
        found = ", ".join(sorted(p.name for p in folder.iterdir())[:6]) or "nothing"
        raise DataError(f"{folder}: no train.csv (found {found}); a data set folder holds train.csv, its label first, "
                        f"and optionally {', '.join(FILES[1:])}")
    texts, labels, blank = _labelled_file(folder / "train.csv")
    n_fields = len(texts[0])
    test_texts = test_labels = None
    if (folder / "test.csv").is_file():
        test_texts, test_labels, test_blank = _labelled_file(folder / "test.csv", n_fields)
        blank += test_blank
    classes = read_classes(folder / "classes.txt") if (folder / "classes.txt").is_file() else None
    unlabelled, notes = [], []
    if (folder / "unlabelled.csv").is_file():
        path = folder / "unlabelled.csv"
        rows, lines, unl_blank = _read_rows(path)
        if rows and len(rows[0]) == n_fields and _is_header(rows[0]):
            notes.append(_header_note(path, rows[0]))
            rows, lines = rows[1:], lines[1:]
        _check_delimiter(path, rows, n_fields, labelled=False)
        _check_width(path, rows, lines, n_fields, f"the {n_fields} text field(s) of train.csv, no label")
        unlabelled, blank = [tuple(r) for r in rows], blank + unl_blank
    dataset = labelled_dataset(texts, labels, test_texts, test_labels, unlabelled, classes, str(folder.resolve()))
    dataset.blank_lines = blank
    dataset.notes += notes
    return limit_per_class(dataset, limit)


# --- labels -----------------------------------------------------------------------------------------------------


def _header_hint(labels: _Labels, i: int) -> str:
    return " (a header row? the standard CSV has none: delete it)" if labels.is_file and i == 0 else ""


def _check_header(labels: _Labels, classes) -> None:
    """A DataError when the first label is a usual column name (`label`) that no other row has: a header row whose
    text is no column name, so it is not dropped."""
    first, rest = labels.values[0], labels.values[1:]
    if labels.is_file and rest and first.lower() in HEADER_WORDS and first not in rest and first not in (classes or ()):
        raise DataError(f"{labels.at(0)}: label {first!r} looks like a header row; the standard CSV has none: delete "
                        f"that line (pandas writes none with to_csv(header=False, index=False))")


def _missing_label(value) -> bool:
    """Whether a label in memory is none: None, NaN, pandas' NA, an empty string."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))  # NaN, pd.NA, pd.NaT
    except (TypeError, ValueError):  # pd.NA compares to NA, which has no truth value
        return True


def _label_text(value) -> str:
    """A label in memory as the text a CSV would hold: 1.0 (a float) as 1, bytes refused."""
    if isinstance(value, (bytes, bytearray)):
        raise TypeError("bytes")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _memory_labels(values, name: str) -> _Labels:
    """The _Labels of a list of labels in memory; a missing one (None, NaN) or bytes is a DataError naming it."""
    texts = []
    for i, v in enumerate(values):
        if _missing_label(v):
            raise DataError(f"{name}[{i}]: no label ({v!r}); give every document a label, or leave it out (unlabelled "
                            f"texts go in `unlabelled`)")
        try:
            texts.append(_label_text(v))
        except TypeError:
            raise DataError(f"{name}[{i}]: a label of bytes ({v!r}); decode it to str first") from None
    return _Labels(name, texts, list(range(len(texts))), is_file=False)


def _merge_spellings(sources: list[_Labels], classes) -> tuple[list[_Labels], str | None]:
    """Whole numbers written as floats (`1.0`) read as integers (`1`); a note when two spellings of one meet."""
    known = set(classes or ())
    spellings: dict[int, Counter] = {}
    out = []
    for s in sources:
        values = []
        for v in s.values:
            whole = _re_whole.fullmatch(v)
            if v not in known and (whole or _is_int(v)):
                number = int(whole.group(1) if whole else v)
                spellings.setdefault(number, Counter())[v] += 1
                v = str(number)
            values.append(v)
        out.append(_Labels(s.name, values, s.places, s.is_file))
    met = {k: c for k, c in sorted(spellings.items()) if len(c) > 1}
    if not met:
        return out, None
    said = "; ".join(" and ".join(f"{v!r} ({n})" for v, n in c.items()) + f" are class {k}" for k, c in met.items())
    return out, f"{sources[0].name}: labels spelled two ways read as one class each: {said}"


def _drop_headers(sources: list[_Labels], docs: list[list], classes) -> list[str]:
    """Drop the first row of each file whose label and text fields are column names (in place); a note for each."""
    notes, seen = [], set()
    for s, d in zip(sources, docs):
        others = set(s.values[1:]) | seen | set(classes or ())
        if s.is_file and len(s.values) > 1 and d and _is_header((s.values[0], *d[0]), others):
            notes.append(_header_note(s.name, (s.values[0], *d[0])))
            del s.values[0], s.places[0], d[0]
        seen |= set(s.values)
    return notes


def _numbered(sources: list[_Labels], classes: tuple[str, ...]) -> tuple[str, list[list[int]]] | None:
    """('class numbers from 0' or '... from 1', class numbers) when every label is an integer, else None."""
    if not all(_is_int(v) for s in sources for v in s.values):
        return None
    k = len(classes)
    values = [[int(v) for v in s.values] for s in sources]
    where = {}  # first place of each value
    for s, vs in zip(sources, values):
        for i, v in enumerate(vs):
            where.setdefault(v, s.at(i))
    bad = [v for v in where if not 0 <= v <= k]
    if bad:
        v = bad[0]
        raise DataError(f"{where[v]}: label {v} is not a class number; classes.txt has {k} classes, numbered 0 to "
                        f"{k - 1} or 1 to {k}")
    if 0 in where and k in where:
        raise DataError(f"{where[k]}: label {k} is out of range: {where[0]} has label 0, so the labels count from 0 "
                        f"and the {k} classes of classes.txt are 0 to {k - 1}")
    if 0 not in where and k not in where:
        raise DataError(f"{sources[0].name}: labels {min(where)} to {max(where)} may count the {k} classes of "
                        f"classes.txt from 0 or from 1 (neither 0 nor {k} occurs); write the class names as labels, "
                        f"or give every class an example")
    start = 0 if 0 in where else 1
    return f"class numbers from {start}", [[v - start for v in vs] for vs in values]


def _resolve(sources: list[_Labels], classes: tuple[str, ...] | None,
             classes_name: str) -> tuple[tuple[str, ...], str, list[list[int]]]:
    """(classes, how the labels were written, class numbers of each source) by the rules of the module docstring."""
    for s in sources:
        _check_header(s, classes)
        if "" in s.values:
            raise DataError(f"{s.at(s.values.index(''))}: an empty label; give every row a label (unlabelled texts "
                            f"go in unlabelled.csv)")
    if classes is None:
        train = sources[0].values
        numeric = all(_is_int(v) for v in train)
        if numeric:
            classes = tuple(str(v) for v in sorted({int(v) for v in train}))
            how = "labels of train.csv, in numeric order"
        else:
            classes, how = tuple(sorted(set(train))), "labels of train.csv, in alphabetical order"
        if len(classes) < 2:
            raise DataError(f"{sources[0].name}: every row has the label {train[0]!r}; a classifier needs at least 2 "
                            f"classes")
        index = {c: i for i, c in enumerate(classes)}
        out = []
        for s in sources:
            numbers = [index.get(str(int(v)) if numeric and _is_int(v) else v, -1) for v in s.values]
            if -1 in numbers:
                i = numbers.index(-1)
                raise DataError(f"{s.at(i)}: label {s.values[i]!r} is not a label of {sources[0].name} (its labels: "
                                f"{_listing(classes)}){_header_hint(s, i)}; list every class in classes.txt or fix "
                                f"the line")
            out.append(numbers)
        return classes, how, out
    index = {c: i for i, c in enumerate(classes)}
    if all(v in index for s in sources for v in s.values):
        by_name = [[index[v] for v in s.values] for s in sources]
        try:
            numbered = _numbered(sources, classes)
        except DataError:  # no reading as numbers: the names decide
            numbered = None
        if numbered is not None and numbered[1] != by_name:
            raise DataError(f"{sources[0].name}: the labels are both class names and class numbers of {classes_name}, "
                            f"and the two readings differ; write the class names in the order of their numbers")
        return classes, "class names", by_name
    numbered = _numbered(sources, classes)
    if numbered is not None:
        return classes, numbered[0], numbered[1]
    for s in sources:
        for i, v in enumerate(s.values):
            if v not in index and not (_is_int(v) and 0 <= int(v) <= len(classes)):
                raise DataError(f"{s.at(i)}: label {v!r} is not a class of {classes_name} ({_listing(classes)})"
                                f"{_header_hint(s, i)}; add the class or fix the line")
    places = {}  # the first class name and the first class number, and where they are
    for s in sources:
        for i, v in enumerate(s.values):
            places.setdefault("number" if v not in index else "name", (s.at(i), v))
    raise DataError(f"{places['name'][0]} has the class name {places['name'][1]!r} but {places['number'][0]} the class "
                    f"number {places['number'][1]!r}; write the labels as names or as numbers, not both")


def _listing(names, n: int = 8) -> str:
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")


def labelled_dataset(texts, labels, test_texts=None, test_labels=None, unlabelled=(), classes=None,
                     source: str = "memory") -> Dataset:
    """A checked Dataset from documents (tuples of fields) and raw labels (str, or _Labels saying where they are)."""
    sources = [labels if isinstance(labels, _Labels) else _memory_labels(labels, "labels")]
    if test_labels is not None:
        sources.append(test_labels if isinstance(test_labels, _Labels) else _memory_labels(test_labels, "test_labels"))
    if classes is not None:
        classes = class_names(classes)
    texts, test_texts = list(texts), None if test_texts is None else list(test_texts)
    notes = _drop_headers(sources, [texts, test_texts][:len(sources)], classes)
    sources, merged = _merge_spellings(sources, classes)
    notes += [merged] if merged else []
    in_file = sources[0].is_file
    classes_name = "classes.txt" if in_file else "classes"
    classes, how, numbers = _resolve(sources, classes, classes_name)
    seen = set(numbers[0])
    for c, name in enumerate(classes):
        if c not in seen:
            where = f"{Path(sources[0].name).with_name('classes.txt')}, line {c + 1}" if in_file else f"classes[{c}]"
            raise DataError(f"{where}: class {name!r} has no example in {Path(sources[0].name).name}; add examples of "
                            f"it or remove it from {classes_name}")
    train = Reviews(list(texts), numbers[0])
    test = Reviews(list(test_texts), numbers[1]) if test_labels is not None else None
    return Dataset(tuple(classes), train, test, list(unlabelled), how, source, notes=notes)


# --- in memory: lists and DataFrames ----------------------------------------------------------------------------


def _documents(texts, name: str) -> list[tuple[str, ...]]:
    """Documents as tuples of text fields: a str is one field; all documents have the same number of fields."""
    docs = [(t,) if isinstance(t, str) else tuple(t) if isinstance(t, (list, tuple)) else t for t in texts]
    for i, d in enumerate(docs):
        if not isinstance(d, tuple) or not d or not all(isinstance(f, str) for f in d):
            raise DataError(f"{name}[{i}]: a document is a str or a tuple of str fields, got {d!r:.60}")
        if len(d) != len(docs[0]):
            raise DataError(f"{name}[{i}]: {len(d)} text field(s), but {name}[0] has {len(docs[0])}")
    return docs


def _as_list(values, name: str) -> list | None:
    """A sequence or an iterable (a generator, a pandas Series) as a list; None stays None; else a DataError."""
    if values is None:
        return None
    if isinstance(values, (str, bytes, bytearray, dict)) or not hasattr(values, "__iter__"):
        raise DataError(f"{name}: expected a list, got {type(values).__name__}")
    return list(values)


def from_lists(texts, labels, test_texts=None, test_labels=None, unlabelled=None, classes=None) -> Dataset:
    """A Dataset from lists (or iterables): texts (str, or tuples of fields), their labels (names or numbers)."""
    texts, labels, test_texts, test_labels, unlabelled = (
        _as_list(v, n) for v, n in ((texts, "texts"), (labels, "labels"), (test_texts, "test_texts"),
                                    (test_labels, "test_labels"), (unlabelled, "unlabelled")))
    if labels is None or len(texts) != len(labels) or len(texts) == 0:
        raise DataError(f"texts and labels must be non-empty and as long as each other, got {len(texts)} and "
                        f"{len(labels or ())}")
    if (test_texts is None) != (test_labels is None) or (test_texts is not None and len(test_texts) !=
                                                         len(test_labels)):
        raise DataError("test_texts and test_labels go together, as long as each other")
    docs = _documents(texts, "texts")
    test = None if test_texts is None else _documents(test_texts, "test_texts")
    unl = _documents(unlabelled, "unlabelled") if unlabelled is not None and len(unlabelled) else []
    for name, other in (("test_texts", test), ("unlabelled", unl)):
        if other and len(other[0]) != len(docs[0]):
            raise DataError(f"{name}: {len(other[0])} text field(s) per document, but texts have {len(docs[0])}")
    return labelled_dataset(docs, labels, test, test_labels, unl, classes)


def from_frame(df, label: str = "label", text=None, test=None, unlabelled=None, classes=None) -> Dataset:
    """A Dataset from pandas DataFrames: the `label` column and the `text` column(s) (default: every other one)."""
    if label not in df.columns:
        raise DataError(f"the DataFrame has no column {label!r} (its columns: {', '.join(map(str, df.columns))}); "
                        f"pass label=...")
    columns = [c for c in df.columns if c != label] if text is None else [text] if isinstance(text, str) else list(text)
    missing = [c for c in columns if c not in df.columns]
    if missing or not columns:
        raise DataError(f"text columns {missing or columns} are not in the DataFrame "
                        f"({', '.join(map(str, df.columns))})")

    def docs(frame, name):
        absent = [c for c in columns if c not in frame.columns]
        if absent:
            raise DataError(f"{name} has no column {absent[0]!r}")
        return list(zip(*(frame[c].fillna("").astype(str) for c in columns)))

    def labels_of(frame, name):
        column = frame[label]
        if column.isna().any():
            raise DataError(f"{name}: row {int(np.flatnonzero(column.isna())[0])} has no label")
        if column.dtype.kind == "f" and (column % 1 == 0).all():  # integers that pandas read as floats
            column = column.astype(np.int64)
        return column.tolist()

    test_docs = None if test is None else docs(test, "test")
    unl = None
    if unlabelled is not None:
        unl = docs(unlabelled, "unlabelled") if hasattr(unlabelled, "columns") else list(unlabelled)
    return from_lists(docs(df, "the DataFrame"), labels_of(df, "the DataFrame"), test_docs,
                      None if test is None else labels_of(test, "test"), unl, classes)


# --- subsets and writing ----------------------------------------------------------------------------------------


def limit_per_class(dataset: Dataset, limit: int = None) -> Dataset:
    """The first `limit` documents of each class of train and test, and the first `limit` unlabelled ones."""
    if limit is None:
        return dataset

    def first(r: Reviews) -> Reviews:
        seen = np.zeros(len(dataset.classes), dtype=int)
        keep = []
        for j, y in enumerate(r.labels):
            if seen[y] < limit:
                keep.append(j)
                seen[y] += 1
        return Reviews([r.texts[j] for j in keep], [r.labels[j] for j in keep])

    train, test = first(dataset.train), first(dataset.test) if dataset.test is not None else None
    kept = [(name, len(new), len(old)) for name, new, old in (("training", train, dataset.train),
            ("test", test, dataset.test), ("unlabelled", dataset.unlabelled[:limit], dataset.unlabelled))
            if old is not None and len(new) < len(old)]
    notes = list(dataset.notes)
    if kept:
        notes.append(f"at most {limit} documents per class (--limit, or the preset's prepare.limit): kept "
                     + ", ".join(f"{n:,} of {m:,} {name}" for name, n, m in kept) + " documents")
    return replace(dataset, train=train, test=test, unlabelled=dataset.unlabelled[:limit], notes=notes)


def train_test_overlap(dataset: Dataset) -> int:
    """How many test documents repeat a training document exactly (every text field the same)."""
    if dataset.test is None:
        return 0
    seen = set(dataset.train.texts)
    return sum(t in seen for t in dataset.test.texts)


def overlap_note(dataset: Dataset, n: int, test_from: str) -> str:
    """The note that `n` test documents (from `test_from`) repeat training documents."""
    return (f"{n:,} of {len(dataset.test):,} test documents ({test_from}) repeat a training document word for word: "
            f"the test figures overstate accuracy on unseen text; remove them from the test set to measure it")


def stratified_indices(labels, size: int, seed: int = 42, keep_one: bool = False) -> np.ndarray:
    """Sorted indices of a seeded sample of `size` documents in which every class keeps its share of `labels`.

    Shares are rounded by largest remainders; with `keep_one`, a class never gives its last document to the sample.
    """
    labels = np.asarray(labels, dtype=np.int64)
    if not 0 <= size <= len(labels):
        raise ValueError(f"a sample of {size} from {len(labels)} documents")
    classes, counts = np.unique(labels, return_counts=True)
    cap = counts - 1 if keep_one else counts
    share, remainder = np.divmod(counts * size, max(1, len(labels)))  # each class's share, in exact integers
    take = np.minimum(share, cap)
    rest = size - int(take.sum())
    for i in np.argsort(-remainder, kind="stable"):  # largest remainders first, ties to the first class
        if rest and take[i] < cap[i]:
            take[i] += 1
            rest -= 1
    picked = [np.flatnonzero(labels == c)[permutation(n, seed + int(c))[:k]] for c, n, k in zip(classes, counts, take)]
    return np.sort(np.concatenate(picked)) if picked else np.zeros(0, dtype=np.int64)


def hold_out_test(dataset: Dataset, frac: float, seed: int) -> Dataset:
    """The data set with `frac` of each class of train held out as its test set (when it has no test.csv)."""
    r = dataset.train
    held = set(stratified_indices(r.labels, max(1, round(len(r) * frac)), seed, keep_one=True).tolist())
    if not held:
        raise DataError(f"{dataset.source}: {len(r)} training documents leave none to hold out as a test set; add "
                        f"a test.csv or more rows")
    kept = [j for j in range(len(r)) if j not in held]
    train = Reviews([r.texts[j] for j in kept], [r.labels[j] for j in kept])
    test = Reviews([r.texts[j] for j in sorted(held)], [r.labels[j] for j in sorted(held)])
    return replace(dataset, train=train, test=test)


def write_dataset(dataset: Dataset, folder) -> Path:
    """Write a Dataset as a standard CSV folder: labels as class numbers from 0, and classes.txt."""
    folder = Path(folder)
    for name, part in (("train", dataset.train), ("test", dataset.test)):
        if part is not None:
            write_csv(folder / f"{name}.csv", part.labels, *zip(*part.texts))
    if dataset.unlabelled:
        write_rows(folder / "unlabelled.csv", dataset.unlabelled)
    with atomic_write(folder / "classes.txt") as tmp:
        tmp.write_text("".join(f"{c}\n" for c in dataset.classes), encoding="utf-8")
    return folder


def read_texts(path, n_fields: int, log=None) -> tuple[list[tuple[str, ...]], list[str] | None, list[int]]:
    """(documents, labels or None, lines) of a CSV to classify: rows of the text fields, or of a label, then them.

    A first row of column names (`text`, `label,text`) is dropped, and `log` says so.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file; give a CSV of the texts to classify")
    rows, lines, _ = _read_rows(path)
    if rows and len(rows[0]) in (n_fields, n_fields + 1) and _is_header(rows[0]):
        if log is not None:
            log(_header_note(path, rows[0]))
        rows, lines = rows[1:], lines[1:]
    if not rows:
        raise DataError(f"{path}: no rows to classify")
    width = len(rows[0])
    d = _foreign_delimiter(_decode(path))
    if width not in (n_fields, n_fields + 1) or (d is not None and all(d in "".join(r) for r in rows[:20])):
        _check_delimiter(path, rows, -1)
        raise DataError(f"{path}, line {lines[0]}: {width} column(s); the classifier reads {n_fields} text field(s): "
                        f"give rows of them, or of a label and then them")
    labelled = width == n_fields + 1
    _check_width(path, rows, lines, width, "as in its first row")
    docs = [tuple(r[1:]) if labelled else tuple(r) for r in rows]
    return docs, [r[0] for r in rows] if labelled else None, lines
