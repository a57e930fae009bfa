"""Comments: the form, the moderation policy, the rules, bad input, moderation teaching the filter."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.test import Client, override_settings

from observatory.blog import services
from observatory.blog.forms import SALT
from observatory.blog.models import Comment, SpamModelState
from observatory.blog.spam import SpamClassifier

HAM = ["Thanks for the careful reading of Keane and Zhao, the map helps a lot.",
       "Interesting point about Huaqiangbei suppliers and the makerspaces nearby.",
       "I visited Chaihuo in 2015, the workshop was full of students.",
       "Could you add the sources for the founding dates? Great post.",
       "这篇文章写得很好，谢谢分享深圳创客空间的资料。"] * 3
SPAM = ["Buy cheap followers now http://spam.example.com click here",
        "Subscribe to my channel and win a free iphone www.win-free.example",
        "加微信 123456789 领取免费礼品 http://spam.example.cn",
        "Make money fast!!! visit http://money.example.net now",
        "CHEAP PILLS http://pills.example.org BEST PRICE"] * 3


@pytest.fixture
def post(make_post):
    return make_post(slug="open-post", body="A post open for comments.")


@pytest.fixture
def trained():
    model = SpamClassifier(bits=18, seed=1)
    model.fit(HAM + SPAM, [False] * len(HAM) + [True] * len(SPAM))
    services.classifier_save(model)
    return model


def form(**overrides):
    data = {"name": "Li Wei", "email": "li.wei@example.org", "website": "", "body": "A thoughtful remark on the post.",
            "homepage_url": "", "shown": signing.dumps(time.time() - 60, salt=SALT), "parent": ""}
    data.update(overrides)
    return data


def test_it_holds_a_first_time_commenter_for_moderation(reader, post):
    response = reader.post("/blog/open-post/comment/", form(), follow=True)
    assert response.status_code == 200
    assert "held for moderation" in response.content.decode()
    comment = Comment.objects.get()
    assert comment.status == Comment.PENDING
    assert "A thoughtful remark" not in reader.get("/blog/open-post/").content.decode()


def test_it_publishes_a_returning_approved_commenter_the_filter_calls_ham(reader, post, trained):
    reader.post("/blog/open-post/comment/", form())
    services.comment_moderate(comments=Comment.objects.all(), action="approve")
    response = reader.post("/blog/open-post/comment/", form(body="Thanks, and the Keane and Zhao paper is great."),
                           follow=True)
    assert "Your comment is published" in response.content.decode()
    assert Comment.objects.filter(status=Comment.APPROVED).count() == 2
    assert "the Keane and Zhao paper is great" in reader.get("/blog/open-post/").content.decode()


def test_it_threads_replies_under_their_parent(reader, post):
    reader.post("/blog/open-post/comment/", form(body="The first comment here."))
    parent = Comment.objects.get()
    services.comment_moderate(comments=[parent], action="approve")
    reader.post("/blog/open-post/comment/", form(body="A reply to the first.", parent=str(parent.pk)))
    reply = Comment.objects.exclude(pk=parent.pk).get()
    assert reply.parent == parent
    services.comment_moderate(comments=[reply], action="approve")
    page = reader.get("/blog/open-post/").content.decode()
    assert page.index(f'id="comment-{parent.pk}"') < page.index(f'class="comment depth-1" id="comment-{reply.pk}"')


def test_it_rejects_script_tags_with_a_clear_message_and_stores_nothing(reader, post):
    response = reader.post("/blog/open-post/comment/", form(body='Hello <script>alert("x")</script>'))
    assert response.status_code == 400
    assert "HTML such as &lt;script&gt;" in response.content.decode()
    assert Comment.objects.count() == 0


def test_it_rejects_a_huge_body(reader, post):
    response = reader.post("/blog/open-post/comment/", form(body="x" * 200_000))
    assert response.status_code == 400
    assert "Ensure this value has at most 5000 characters" in response.content.decode()
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b", "li wei@example.org"])
def test_it_rejects_an_invalid_email(reader, post, email):
    response = reader.post("/blog/open-post/comment/", form(email=email))
    assert response.status_code == 400
    assert ("Enter a valid email address." in response.content.decode()
            or "This field is required." in response.content.decode())
    assert Comment.objects.count() == 0


def test_it_rejects_a_post_without_the_csrf_token(post):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/blog/open-post/comment/", form())
    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()
    assert Comment.objects.count() == 0


def test_it_accepts_the_form_with_its_csrf_token(post):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/blog/open-post/")
    token = page.cookies["csrftoken"].value
    response = client.post("/blog/open-post/comment/", {**form(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Comment.objects.count() == 1


@override_settings(OBSERVATORY_COMMENT_RATE="3/600")
def test_it_stops_a_flood_from_one_address_and_the_site_stays_up(reader, post):
    codes = [reader.post("/blog/open-post/comment/", form(body=f"Comment number {i} on the post."),
                         REMOTE_ADDR="203.0.113.9").status_code for i in range(6)]
    assert codes[:3] == [302, 302, 302] and codes[3:] == [429, 429, 429]
    assert Comment.objects.count() == 3
    last = reader.post("/blog/open-post/comment/", form(), REMOTE_ADDR="203.0.113.9")
    assert "Too many comments from your address" in last.content.decode()
    assert reader.post("/blog/open-post/comment/", form(), REMOTE_ADDR="198.51.100.7").status_code == 302
    assert reader.get("/blog/open-post/").status_code == 200


def test_it_stores_only_hashes_of_the_address_and_user_agent(reader, post):
    reader.post("/blog/open-post/comment/", form(), REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="TestBrowser/1.0")
    comment = Comment.objects.get()
    assert len(comment.ip_hash) == 64 and "203.0.113.9" not in comment.ip_hash
    assert comment.ip_hash == services.ip_hash("203.0.113.9")
    values = " ".join(str(v) for v in Comment.objects.values().get().values())
    assert "203.0.113.9" not in values and "TestBrowser" not in values


def test_it_rejects_a_filled_honeypot(reader, post):
    response = reader.post("/blog/open-post/comment/", form(homepage_url="http://bot.example"))
    assert response.status_code == 400
    assert "a field meant to stay empty was filled" in response.content.decode()
    assert Comment.objects.count() == 0


def test_it_holds_a_form_sent_too_fast_or_with_a_forged_timestamp(reader, post, trained):
    reader.post("/blog/open-post/comment/", form(email="a@example.org"))
    services.comment_moderate(comments=Comment.objects.all(), action="approve")
    reader.post("/blog/open-post/comment/", form(email="a@example.org", shown=signing.dumps(time.time(), salt=SALT)))
    reader.post("/blog/open-post/comment/", form(email="a@example.org", shown="forged"))
    held = Comment.objects.filter(status=Comment.PENDING)
    assert held.count() == 2
    assert all("fill-time" in c.spam_explanation["rules"] for c in held)


def test_it_holds_a_comment_with_too_many_links(reader, post, trained):
    reader.post("/blog/open-post/comment/", form(email="a@example.org"))
    services.comment_moderate(comments=Comment.objects.all(), action="approve")
    body = "See https://a.example/1 https://b.example/2 https://c.example/3 for more."
    reader.post("/blog/open-post/comment/", form(email="a@example.org", body=body))
    latest = Comment.objects.latest("id")
    assert latest.status == Comment.PENDING and "links" in latest.spam_explanation["rules"]


def test_it_files_what_the_filter_calls_spam_and_never_shows_it(reader, post):
    model = SpamClassifier(bits=18, seed=1, spam_threshold=0.6)
    model.fit(HAM + SPAM, [False] * len(HAM) + [True] * len(SPAM))
    services.classifier_save(model)
    reader.post("/blog/open-post/comment/", form(body="Buy cheap followers now, click here, cheap pills money fast"))
    comment = Comment.objects.get()
    assert comment.status == Comment.SPAM
    assert comment.spam_explanation["features"]
    assert "cheap followers" not in reader.get("/blog/open-post/").content.decode()


def test_it_learns_from_every_moderation_decision(reader, post):
    reader.post("/blog/open-post/comment/", form(body="Visit http://casino.example for big wins every day"))
    reader.post("/blog/open-post/comment/", form(body="A careful point about the map of Shenzhen."))
    spam, ham = Comment.objects.order_by("id")
    before = services.classifier_load().probability(spam.body)
    services.comment_moderate(comments=[spam], action="spam")
    services.comment_moderate(comments=[ham], action="approve")
    state = SpamModelState.objects.get()
    assert state.decisions == 2
    assert services.classifier_load().probability(spam.body) > before
    assert services.comment_moderate(comments=[Comment.objects.get(pk=ham.pk)], action="approve") == 0


def test_it_bulk_moderates_from_the_admin_queue(admin, post):
    for i in range(3):
        Client().post("/blog/open-post/comment/", form(body=f"Pending comment {i} on the post."))
    ids = list(Comment.objects.values_list("pk", flat=True))
    page = admin.get("/admin/blog/comment/?status__exact=pending")
    assert page.status_code == 200 and "Pending comment 0" in page.content.decode()
    response = admin.post("/admin/blog/comment/", {"action": "approve", "_selected_action": ids[:2]}, follow=True)
    assert "2 comment(s) approved" in response.content.decode()
    admin.post("/admin/blog/comment/", {"action": "mark_spam", "_selected_action": ids[2:]})
    admin.post("/admin/blog/comment/", {"action": "trash", "_selected_action": ids[:1]})
    assert sorted(Comment.objects.values_list("status", flat=True)) == ["approved", "spam", "trash"]
    assert SpamModelState.objects.get().decisions == 3


@override_settings(OBSERVATORY_COMMENT_NOTIFY=True, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_it_notifies_the_author_when_enabled(reader, post, admin_user):
    from django.core import mail

    admin_user.email = "author@example.org"
    admin_user.save()
    post.authors.add(admin_user)
    reader.post("/blog/open-post/comment/", form())
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["author@example.org"]
    assert "li.wei@example.org" not in mail.outbox[0].body


def test_it_sends_no_notification_by_default(reader, post, admin_user):
    from django.core import mail

    post.authors.add(admin_user)
    reader.post("/blog/open-post/comment/", form())
    assert mail.outbox == []


def test_it_calls_akismet_through_an_injected_transport_only():
    from observatory.blog.akismet import AkismetClient

    calls = []

    def transport(url, data, timeout):
        calls.append((url, data))
        return "true"

    client = AkismetClient(key="abc123", blog_url="https://observatory.example", transport=transport)
    assert client.comment_check(user_ip="203.0.113.9", user_agent="UA", author="x", email="x@example.org", url="",
                                content="buy now") is True
    assert calls[0][0] == "https://abc123.rest.akismet.com/1.1/comment-check"
    assert b"comment_content=buy+now" in calls[0][1]

    def failing(url, data, timeout):
        raise OSError("unreachable")

    assert AkismetClient(key="k", blog_url="u", transport=failing).comment_check(
        user_ip="", user_agent="", author="", email="", url="", content="") is None


def test_it_rate_limits_through_the_django_cache_adapter():
    limiter = services.CacheRateLimiter(limit=2, window_seconds=60)
    assert [limiter.allow("k", 1000.0 + t) for t in (0, 1, 2)] == [True, True, False]
    assert limiter.allow("other", 1002.0) is True
    assert limiter.allow("k", 1000.0 + 130) is True
