"""Text normalisation and the feature strings the spam classifier learns from.

A comment becomes a *set* of named features, each a short string with a namespace prefix:

``c:<gram>``
    character n-grams, n = 1..5, of the normalised text (with a space at each end, so ``c: che``
    marks "che" at the start of a word). They need no word segmentation, which is why Chinese,
    Japanese and obfuscated English ("v i a g r a", "fr3e") are handled by the same code.
``w:<word>``, ``w2:<word> <word>``
    runs of letters or digits (``\\w+``) and pairs of adjacent runs ("check out", "my channel").
    For Chinese a run is a whole clause; the character n-grams carry the detail.
``url``, ``url:n<k>``, ``dom:<host>``, ``tld:<tld>``
    links, explicit (``http://``, ``www.``), bare (``example.com``, ``example . com``) or hidden
    in HTML tags (``<a href=…>``), their number (capped at 4) and the registrable part of each host.
``num:<k>``
    runs of k >= 5 digits (phone, QQ and WeChat numbers), as a length, not a value.
``shape:…``
    length bucket, shouting (mostly capitals), an e-mail address in the text.
``author:…``, ``aurl:…``, ``mail:…``
    the optional side fields: words of the author's name, the domain of the author's website
    and of the e-mail address.

Presence, not counts, is recorded: repeated n-grams inside one comment add nothing, which keeps
long comments from dominating (the binary 4-gram representation of Sculley & Wachman, 2007).

Normalisation (``normalise``): HTML entities are unescaped (twice, since scraped text is often
double-escaped: ``&amp;#39;``), HTML tags (``<br />``, ``<a href=…>``) are removed, keeping a link's
target as text, then Unicode NFKC folds full-width Latin and digits
(``ｈｔｔｐ``, ``１２３``) to ASCII, invisible format characters (zero-width spaces, byte-order
marks, category Cf) are removed, the text is case-folded and runs of whitespace become one space.

Features are hashed to ``2**bits`` buckets by CRC-32 (stable across processes and Python
versions, unlike ``hash()``), so the model has a fixed size whatever it has read.

References
----------
D. Sculley and G. M. Wachman, "Relaxed online SVMs for spam filtering", SIGIR 2007.
J. Goodman and W. Yih, "Online discriminative spam filter training", CEAS 2006.
"""

from __future__ import annotations

import html
import re
import unicodedata
import zlib
from collections.abc import Iterable

__all__ = [
    "NGRAM_SIZES",
    "URL_PATTERN",
    "comment_links",
    "feature_hash",
    "find_links",
    "markup_links",
    "normalise",
    "text_features",
]

NGRAM_SIZES = (1, 2, 3, 4, 5)

# Explicit links, then bare host names. Bare names only count with a top-level domain that is
# rarely an English or pinyin word ("it", "me", "in", "de" are left out: "call me.it was" is not a
# link), and only .com/.net/.org may be spaced out ("example . com") to dodge link filters.
_BARE_TLDS = (
    "com|net|org|info|biz|ru|cn|io|ly|tk|ml|ga|cf|gq|xyz|top|site|online|club|vip|shop|"
    "uk|fr|br|pl|tv|cc|ws|gl|link|cz|nl|jp|kr|hk|tw"
)
# A link runs to the first space, quote, bracket or non-ASCII character. The class is matched
# case-sensitively: under IGNORECASE the range \x80-\U0010ffff would also exclude "k" and "s"
# (the Kelvin sign and the long s fold to them), and cut "http://www.facebook.com" after "faceboo".
_LINK_CHAR = r"(?-i:[^\s<>\"',)\x80-\U0010ffff])"
URL_PATTERN = re.compile(
    r"(?:https?://|www\.)" + _LINK_CHAR + "+"
    r"|\b(?:[a-z0-9][a-z0-9-]*\.)+(?:" + _BARE_TLDS + r")\b(?:/" + _LINK_CHAR + "*)?"
    r"|\b[a-z0-9][a-z0-9-]* ?\. ?(?:com|net|org)\b",
    re.IGNORECASE,
)
_HOST = re.compile(r"^(?:https?://)?(?:www\.)?([^/?#:\s]+)", re.IGNORECASE)
_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d{5,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SPACES = re.compile(r"\s+")
# HTML markup that scraped or pasted comments carry (YouTube's export writes line breaks as
# ``<br />`` in some videos and not in others, and wraps timestamps, hashtags and mentions in
# links of its own). The text keeps what a reader sees; a link's target (``href``) is read apart,
# by ``markup_links``, so a link hidden in markup still counts as a link. Only real HTML element
# names count, so placeholders such as the SMS corpus's ``<#>``, ``<DECIMAL>`` or ``<URL>`` and
# a "<" in prose stay as they are.
_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|big|blockquote|br|code|del|div|em|font|h[1-6]|hr|i|iframe|img|ins|li|"
    r"noscript|ol|p|pre|q|s|script|small|span|strike|strong|style|sub|sup|table|td|th|tr|tt|"
    r"u|ul)\b[^<>]*>",
    re.IGNORECASE,
)
_HREF = re.compile(r"""\b(?:href|src)\s*=\s*["']?([^"'\s<>]+)""", re.IGNORECASE)


def normalise(text: str) -> str:
    """Return ``text`` unescaped, without HTML tags, NFKC-folded, without invisible characters, case-folded.

    >>> normalise("Check&amp;#39;s  ＷＷＷ.Example.ＣＯＭ\\u200b now<br />")
    "check's www.example.com now"
    >>> normalise('see <a href="http://x.cn/a">this</a>')
    'see this'
    """
    text = html.unescape(html.unescape(text))
    text = _HTML_TAG.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _SPACES.sub(" ", text.casefold()).strip()


def find_links(text: str) -> list[str]:
    """Links in already normalised ``text``: explicit URLs and bare host names."""
    return [m.group(0) for m in URL_PATTERN.finditer(text)]


def comment_links(text: str, normalised: str | None = None) -> list[str]:
    """Every link of a raw comment: those a reader sees, then targets hidden in HTML tags.

    ``normalised`` is ``normalise(text)`` when the caller has it already. A target that is also
    shown as text counts once.

    >>> comment_links('<a href="http://x.cn/a">http://x.cn/a</a> or <a href="http://y.ru">me</a>')
    ['http://x.cn/a', 'http://y.ru']
    """
    links = find_links(normalise(text) if normalised is None else normalised)
    return links + [link for link in markup_links(text) if link not in links]


def markup_links(text: str) -> list[str]:
    """Link targets (``href``, ``src``) inside HTML tags of raw ``text``, which ``normalise`` drops.

    >>> markup_links('see <a href="http://x.cn/a">this</a>')
    ['http://x.cn/a']
    """
    text = html.unescape(html.unescape(text))
    return [
        target.group(1).casefold()
        for tag in _HTML_TAG.finditer(text)
        if (target := _HREF.search(tag.group(0)))
    ]


def _host(link: str) -> str:
    match = _HOST.match(link.replace(" ", ""))
    host = match.group(1).lower().strip(".") if match else ""
    parts = host.split(".")
    # Two labels identify the site for ordinary domains; "bit.ly" stays "bit.ly".
    return ".".join(parts[-2:]) if len(parts) >= 2 else host


def _domain_features(prefix: str, value: str) -> list[str]:
    host = _host(normalise(value))
    if not host:
        return []
    features = [f"{prefix}:{host}"]
    if "." in host:
        features.append(f"{prefix}.tld:{host.rsplit('.', 1)[1]}")
    return features


def text_features(
    text: str,
    *,
    author: str | None = None,
    url: str | None = None,
    email_domain: str | None = None,
) -> list[str]:
    """The distinct feature strings of a comment, in first-seen order.

    ``author``, ``url`` (the commenter's website) and ``email_domain`` are optional side fields
    from the comment form; leave them out when they are unknown.

    >>> [f for f in text_features("加微信") if f.startswith("c:")][:4]
    ['c: ', 'c:加', 'c:微', 'c:信']
    """
    raw_text = text if isinstance(text, str) else str(text)
    body = normalise(raw_text)
    seen: dict[str, None] = {}

    def add(items: Iterable[str]) -> None:
        for item in items:
            seen.setdefault(item, None)

    padded = f" {body} "
    for n in NGRAM_SIZES:
        add("c:" + padded[i : i + n] for i in range(len(padded) - n + 1))
    words = _WORD.findall(body)
    add("w:" + word for word in words)
    add(f"w2:{a} {b}" for a, b in zip(words, words[1:], strict=False))

    links = comment_links(raw_text, body)
    if links:
        add(["url", f"url:n{min(len(links), 4)}"])
        for link in links:
            host = _host(link)
            add([f"dom:{host}", f"tld:{host.rsplit('.', 1)[-1]}"])
    add(f"num:{min(len(run), 12)}" for run in _DIGITS.findall(body))
    if _EMAIL.search(body):
        add(["shape:email"])
    add([f"shape:len{min(len(body).bit_length(), 11)}"])
    letters = [ch for ch in unicodedata.normalize("NFKC", raw_text) if ch.isalpha() and ch.isascii()]
    if len(letters) >= 10 and sum(ch.isupper() for ch in letters) > 0.6 * len(letters):
        add(["shape:shouting"])

    if author:
        add("author:" + word for word in _WORD.findall(normalise(author)))
    if url:
        add(_domain_features("aurl", url))
    if email_domain:
        add(_domain_features("mail", email_domain.rsplit("@", 1)[-1]))
    return list(seen)


def feature_hash(feature: str, bits: int) -> int:
    """Bucket of ``feature`` among ``2**bits``: CRC-32 of its UTF-8 bytes, masked."""
    return zlib.crc32(feature.encode("utf-8", "surrogatepass")) & ((1 << bits) - 1)
