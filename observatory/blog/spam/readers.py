"""Readers for labelled spam corpora: the YouTube Spam Collection and the SMS Spam Collection.

Two formats are accepted, both UTF-8 (a byte-order mark is allowed):

YouTube Spam Collection CSV (Alberto, Lochter and Almeida, 2015)
    a header ``COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS`` then one comment per record, RFC 4180
    quoting (a quoted field may hold commas, doubled quotes and newlines); ``CLASS`` is ``1``
    for spam and ``0`` for a legitimate comment.
SMS Spam Collection TSV (Almeida and Gómez Hidalgo, 2011)
    no header; one message per line, ``ham`` or ``spam``, a tab, the text.

:func:`read_labelled` recognises the format from the first line. Anything else raises
:class:`SpamDataError`, whose message names the file, the line and the accepted formats.

A known quirk of the YouTube data, kept as RFC 4180 reads it: in ``Youtube04-Eminem.csv`` the
comment on line 271 opens a quote that only closes on line 276, so lines 271–276 are one record
(class 1). The UCI class counts (448 comments, 245 spam) count it the same way.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ACCEPTED_FORMATS",
    "LabelledMessage",
    "SpamDataError",
    "read_labelled",
    "read_sms_tsv",
    "read_youtube_csv",
]

YOUTUBE_HEADER = ["COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS"]
ACCEPTED_FORMATS = (
    "accepted formats: YouTube Spam Collection CSV (header COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS; "
    "CLASS 1 = spam, 0 = legitimate) or SMS Spam Collection TSV (no header; each line 'ham' or "
    "'spam', a tab, the text), both UTF-8"
)


class SpamDataError(ValueError):
    """A labelled corpus could not be read; the message says where and what is accepted."""

    def __init__(self, path: str | os.PathLike[str], line: int | None, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {problem} ({ACCEPTED_FORMATS})")


@dataclass(frozen=True)
class LabelledMessage:
    """One labelled message: its text, whether it is spam, and where it was read."""

    text: str
    is_spam: bool
    source: str
    line: int
    author: str | None = None


def _read_text(path: str | os.PathLike[str]) -> str:
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SpamDataError(path, line, f"byte {data[error.start]:#04x} is not UTF-8") from None
    return text.removeprefix("\ufeff")


def read_youtube_csv(path: str | os.PathLike[str]) -> list[LabelledMessage]:
    """Comments of a YouTube Spam Collection CSV file, in file order.

    ``line`` is the line where each record starts; ``author`` is the ``AUTHOR`` field.
    """
    return _parse_youtube(path, _read_text(path))


def _parse_youtube(path: str | os.PathLike[str], text: str) -> list[LabelledMessage]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    messages: list[LabelledMessage] = []
    start = 1
    header_seen = False
    try:
        for row in reader:
            if not header_seen:
                if row != YOUTUBE_HEADER:
                    raise SpamDataError(
                        path, 1, f"the header is {','.join(row)!r}, expected {','.join(YOUTUBE_HEADER)!r}"
                    )
                header_seen = True
                start = reader.line_num + 1
                continue
            if row == []:  # a blank line between records
                start = reader.line_num + 1
                continue
            if len(row) != len(YOUTUBE_HEADER):
                raise SpamDataError(path, start, f"{len(row)} fields where 5 are expected")
            label = row[4].strip()
            if label not in {"0", "1"}:
                raise SpamDataError(path, start, f"CLASS is {label!r}; it must be 1 (spam) or 0 (legitimate)")
            messages.append(LabelledMessage(row[3], label == "1", str(path), start, row[1]))
            start = reader.line_num + 1
    except csv.Error as error:
        raise SpamDataError(
            path, start, f"broken CSV quoting ({error}) in the record starting here"
        ) from None
    if not header_seen:
        raise SpamDataError(path, 1, "the file is empty")
    return messages


def read_sms_tsv(path: str | os.PathLike[str]) -> list[LabelledMessage]:
    """Messages of an SMS Spam Collection file (``ham|spam<TAB>text`` per line), in file order.

    Empty lines are skipped; the text is kept as written (HTML entities included).
    """
    return _parse_sms(path, _read_text(path))


def _parse_sms(path: str | os.PathLike[str], text: str) -> list[LabelledMessage]:
    messages = []
    # Split on "\n" only: a stray "\r" inside a message is text, not a record separator.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        label, tab, body = line.partition("\t")
        if not tab:
            raise SpamDataError(path, number, f"no tab after the label in {line[:40]!r}")
        if label not in {"ham", "spam"}:
            raise SpamDataError(path, number, f"the label is {label[:20]!r}; it must be 'ham' or 'spam'")
        messages.append(LabelledMessage(body, label == "spam", str(path), number))
    if not messages:
        raise SpamDataError(path, 1, "the file holds no messages")
    return messages


def read_labelled(path: str | os.PathLike[str]) -> list[LabelledMessage]:
    """Messages of a labelled file in either accepted format, recognised from its first line."""
    text = _read_text(path)
    first = text.split("\n", 1)[0].removesuffix("\r")
    if first.startswith("COMMENT_ID,"):
        return _parse_youtube(path, text)
    if first.startswith(("ham\t", "spam\t")):
        return _parse_sms(path, text)
    shown = first[:60] + ("…" if len(first) > 60 else "")
    raise SpamDataError(path, 1, f"unrecognised format: the first line is {shown!r}")
