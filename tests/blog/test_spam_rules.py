"""Rule checks: honeypot, fill time, links, length, hashed-IP rate limiting."""

from __future__ import annotations

import pytest

from observatory.blog.spam import (
    CommentLimits,
    InMemoryRateLimiter,
    RateLimiter,
    check_rules,
    count_links,
    hash_ip,
)
from observatory.blog.spam.rules import body_length_problem, filled_too_fast, honeypot_filled

SALT = b"a-test-secret-of-32-bytes-length"


def test_it_counts_explicit_bare_and_spaced_out_links():
    text = "see http://a.example/x, www.b.cn and shop . com, also bit.ly/abc; 一个链接https://t.cn/z看看"
    assert count_links(text) == 5
    assert count_links("I told him so.It was late. Call me.it is fine") == 0
    # A link hidden in markup still counts: the normalised text shows only "here".
    assert (
        count_links('<a href="http://spam.example.cn">here</a> <a href="http://spam.example.cn">again</a>')
        == 2
    )
    assert count_links('<a href="https://t.cn/z">https://t.cn/z</a>') == 1


def test_it_spots_a_filled_honeypot():
    assert honeypot_filled("http://spam.example")
    assert not honeypot_filled("") and not honeypot_filled(None) and not honeypot_filled("   ")


@pytest.mark.parametrize(
    ("rendered_at", "submitted_at", "too_fast"),
    [
        (100.0, 101.0, True),
        (100.0, 103.0, False),
        (None, 103.0, True),
        (200.0, 100.0, True),
        (100.0, float("nan"), True),
    ],
)
def test_it_flags_a_form_sent_faster_than_a_person_types(rendered_at, submitted_at, too_fast):
    assert filled_too_fast(rendered_at, submitted_at, 3.0) is too_fast


def test_it_limits_the_body_length():
    limits = CommentLimits(min_length=2, max_length=10)
    assert "minimum is 2" in body_length_problem(" a ", limits)
    assert "maximum is 10" in body_length_problem("x" * 11, limits)
    assert body_length_problem("好文章", limits) is None


def test_it_passes_an_ordinary_comment():
    assert check_rules("Nice analysis of the Shenzhen spaces.", rendered_at=0.0, submitted_at=60.0) == []


def test_it_reports_every_broken_rule_hard_ones_first():
    body = "buy http://a.cn http://b.cn http://c.cn"
    hits = check_rules(body, honeypot="x", rendered_at=10.0, submitted_at=10.5)
    assert [h.rule for h in hits] == ["honeypot", "fill-time", "links"]
    assert [h.hard for h in hits] == [True, False, False]
    assert "3 links" in hits[2].detail


def test_it_allows_at_most_the_limit_in_any_sliding_window():
    limiter = InMemoryRateLimiter(limit=3, window_seconds=60)
    key = hash_ip("203.0.113.7", SALT)
    assert [limiter.allow(key, t) for t in (0, 10, 20, 30)] == [True, True, True, False]
    # Just into the next window the previous window still weighs almost fully...
    assert not limiter.allow(key, 61)
    # ...and once it has slid past, comments are allowed again.
    assert limiter.allow(key, 121)
    assert limiter.allow(hash_ip("198.51.100.1", SALT), 30), "other keys have their own count"


def test_it_weighs_the_previous_window_by_its_overlap():
    limiter = InMemoryRateLimiter(limit=4, window_seconds=100)
    for t in (10, 20, 30, 40):
        assert limiter.allow("k", t)
    assert limiter.estimate("k", 150) == pytest.approx(2.0)  # half of the previous window's 4
    assert [limiter.allow("k", 150), limiter.allow("k", 150), limiter.allow("k", 150)] == [True, True, False]
    limiter.forget_idle(1000)
    assert limiter.estimate("k", 1000) == 0


def test_it_is_a_rate_limiter_and_rejects_at_the_rate_rule():
    limiter: RateLimiter = InMemoryRateLimiter(limit=1, window_seconds=60)
    key = hash_ip("2001:db8::1", SALT)
    assert (
        check_rules("first comment", rendered_at=0, submitted_at=10, rate_limiter=limiter, rate_key=key) == []
    )
    hits = check_rules("second comment", rendered_at=0, submitted_at=20, rate_limiter=limiter, rate_key=key)
    assert [(h.rule, h.hard) for h in hits] == [("rate", True)]


def test_it_hashes_addresses_with_the_secret_salt_never_keeping_them():
    key = hash_ip("203.0.113.7", SALT)
    assert len(key) == 64 and "203" not in key
    assert key != hash_ip("203.0.113.7", b"another-secret-of-enough-bytes!!")
    assert key == hash_ip(" ::ffff:203.0.113.7 ", SALT), "an IPv4-mapped address is the same reader"
    assert hash_ip("2001:db8:1:2::1", SALT) == hash_ip("2001:db8:1:2:ffff::9", SALT), "one /64, one key"
    with pytest.raises(ValueError, match="16 bytes"):
        hash_ip("203.0.113.7", b"short")
    with pytest.raises(ValueError):
        hash_ip("not an address", SALT)
