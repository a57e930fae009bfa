"""Readers of the labelled spam corpora, on the bundled real files and on broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.blog.spam import SpamDataError, read_labelled, read_sms_tsv, read_youtube_csv

SPAM_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "spam"
EMINEM = SPAM_FIXTURES / "Youtube04-Eminem.csv"
SMS = SPAM_FIXTURES / "SMSSpamCollection_lines0001-0500.tsv"


@pytest.mark.parametrize(
    ("name", "comments", "spam"),
    [
        ("Youtube01-Psy.csv", 350, 175),
        ("Youtube02-KatyPerry.csv", 350, 175),
        ("Youtube03-LMFAO.csv", 438, 236),
        ("Youtube04-Eminem.csv", 448, 245),
    ],
)
def test_it_reads_the_youtube_files_with_the_published_class_counts(name, comments, spam):
    messages = read_youtube_csv(SPAM_FIXTURES / name)
    assert (len(messages), sum(m.is_spam for m in messages)) == (comments, spam)


def test_it_reads_a_quoted_comment_with_commas_entities_and_newlines():
    messages = read_youtube_csv(EMINEM)
    first = messages[0]
    assert first.line == 2 and first.author and first.source == str(EMINEM)
    # Line 271 opens a quote that closes on line 276: one record over six lines (see PROVENANCE).
    record = next(m for m in messages if m.line == 271)
    assert record.text.startswith("This great Warning will happen soon. ,0\n")
    assert record.text.count("\n") == 5 and "Croatia &lt;3,0" in record.text
    assert record.is_spam
    assert messages[messages.index(record) + 1].line == 277


def test_it_reads_the_sms_sample():
    messages = read_sms_tsv(SMS)
    assert (len(messages), sum(m.is_spam for m in messages)) == (500, 71)
    assert messages[2].is_spam and messages[2].text.startswith("Free entry in 2 a wkly comp")
    assert messages[2].line == 3
    assert any("&lt;#&gt;" in m.text for m in messages), "text is kept as written"


@pytest.mark.parametrize("name", ["Youtube01-Psy.csv", "SMSSpamCollection_lines0001-0500.tsv"])
def test_it_recognises_each_format_by_content(name, tmp_path):
    copy = tmp_path / "no-telling-extension.txt"
    copy.write_bytes((SPAM_FIXTURES / name).read_bytes())
    expected = read_youtube_csv(copy) if name.endswith(".csv") else read_sms_tsv(copy)
    assert read_labelled(copy) == expected


def test_it_accepts_a_byte_order_mark_and_crlf(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(
        '\ufeffCOMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\r\nid1,Ann,,"two\r\nlines",0\r\nid2,Bob,,buy now,1\r\n'.encode()
    )
    messages = read_labelled(path)
    assert [(m.text, m.is_spam, m.line) for m in messages] == [
        ("two\r\nlines", False, 2),
        ("buy now", True, 4),
    ]


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        (b"COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nid1,Ann,,fine,0\nid2,Bob,,bad,yes\n", 3, "CLASS is 'yes'"),
        (b"COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nid1,Ann,,fine,0\nid2,Bob,,short\n", 3, "4 fields"),
        (b'COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nid1,Ann,,fine,0\nid2,Bob,,"never closed,1\n', 3, "quoting"),
        (b"COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nid1,Ann,,caf\xe9,0\n", 2, "not UTF-8"),
        (b"ham\tfine\nspam\tbuy\nmaybe\tunsure\n", 3, "the label is 'maybe'"),
        (b"ham\tfine\nspam no tab here\n", 2, "no tab"),
        (b"id;text;label\n1;hello;0\n", 1, "unrecognised format"),
        (b"", 1, "unrecognised format"),
    ],
)
def test_it_names_the_file_the_line_and_the_accepted_formats(tmp_path, content, line, problem):
    path = tmp_path / "corpus.txt"
    path.write_bytes(content)
    with pytest.raises(SpamDataError) as caught:
        read_labelled(path)
    message = str(caught.value)
    assert f"{path}, line {line}:" in message
    assert problem in message
    assert "YouTube Spam Collection CSV" in message and "SMS Spam Collection TSV" in message
    assert caught.value.line == line


def test_it_refuses_a_youtube_file_with_another_header(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("ID,TEXT,CLASS\n1,hi,0\n", encoding="utf-8")
    with pytest.raises(SpamDataError, match=r"line 1: the header is 'ID,TEXT,CLASS'"):
        read_youtube_csv(path)


@settings(max_examples=200, deadline=None)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda t: ("COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\n" + t).encode()),
        st.text(max_size=300).map(lambda t: ("ham\t" + t).encode("utf-8", "surrogatepass")),
    )
)
def test_it_reads_or_explains_any_file(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("any") / "corpus"
    path.write_bytes(data)
    try:
        messages = read_labelled(path)
    except SpamDataError as error:
        assert str(path) in str(error)
    else:
        assert all(isinstance(m.text, str) for m in messages)
