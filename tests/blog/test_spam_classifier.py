"""The spam classifier: features, learning, decisions, explanations and persistence."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observatory.blog import spam
from observatory.blog.spam import (
    HAM,
    MODERATE,
    SPAM,
    ModelFormatError,
    SpamClassifier,
    choose_target_fpr,
    choose_thresholds,
    comment_links,
    find_links,
    normalise,
    read_youtube_csv,
    text_features,
)
from observatory.blog.spam import classifier as classifier_module
from observatory.blog.spam import evaluation as evaluation_module
from observatory.blog.spam import features as features_module
from observatory.blog.spam import rules as rules_module

SPAM_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "spam"

CHINESE_SPAM = [
    "加微信 领取免费 iPhone，名额有限 http://t.cn/abc123",
    "兼职日结，日赚500元，加QQ 123456789 详聊",
    "免费领取会员，扫码加微信 wx888 立即到账",
    "代开发票，价格优惠，联系微信 fapiao666",
    "点击链接领取红包 www.hongbao-free.cn 先到先得",
    "低价出售粉丝点赞，加微信 fans2024 了解",
    "网赚项目 一天轻松赚1000 加V信 money88",
    "免费送 iPhone 15，转发并加微信 gift999 领取",
]
CHINESE_HAM = [
    "这篇关于深圳创客空间的分析写得很清楚，谢谢分享。",
    "柴火创客空间我去过，氛围很好，适合做硬件原型。",
    "文中提到的数据来源能否再说明一下？想引用。",
    "我觉得上海的创新空间和深圳的发展路径不太一样。",
    "请问作者有没有考虑过政府补贴对空间存续的影响？",
    "很好的研究，期待后续关于北京的部分。",
    "图二的坐标好像有偏移，可能是火星坐标的问题。",
    "同意作者的观点，社区比设备更重要。",
]


def youtube_training():
    messages = [
        m
        for name in ("Youtube02-KatyPerry.csv", "Youtube03-LMFAO.csv")
        for m in read_youtube_csv(SPAM_FIXTURES / name)
    ]
    return [m.text for m in messages], [m.is_spam for m in messages]


@pytest.fixture(scope="module")
def youtube_model():
    texts, labels = youtube_training()
    return SpamClassifier(bits=18).fit(texts, labels)


def test_it_normalises_entities_width_case_and_invisible_characters():
    assert normalise("Ｃｈｅｃｋ&amp;#39;s\u200b  MY\tchannel\ufeff") == "check's my channel"


def test_it_reads_the_text_a_reader_sees_not_the_html_markup():
    # YouTube's export writes line breaks as <br /> in two videos of four, and wraps timestamps
    # in links of its own: markup, not what the commenter typed.
    assert normalise("Best song<br /><br />ever&lt;br /&gt;") == "best song ever"
    assert (
        normalise('Skip to <a href="http://www.youtube.com/watch?v=K&amp;t=3m57s">3:57</a>') == "skip to 3:57"
    )
    # The SMS corpus's placeholders and a "<" in prose are not tags.
    assert (
        normalise("call me at <#> or <DECIMAL>, 2<3 and x < a > y")
        == "call me at <#> or <decimal>, 2<3 and x < a > y"
    )
    assert not any("<br" in f for f in text_features("one<br />two"))


def test_it_keeps_a_link_hidden_in_markup_as_a_link():
    features = text_features('win a prize <a href="http://Prize.example.cn/x">here</a>')
    assert {"url", "url:n1", "dom:example.cn", "tld:cn"} <= set(features)
    assert not any("prize.example" in f for f in features if f.startswith(("c:", "w:")))
    assert comment_links('<a href="http://x.cn/a">http://x.cn/a</a>') == ["http://x.cn/a"]


def test_it_reads_a_whole_link_whatever_its_letters():
    # Under re.IGNORECASE the non-ASCII range also excluded "k" and "s" (the Kelvin sign and the
    # long s fold to them), which cut "facebook.com" to "faceboo".
    assert find_links("see http://www.facebook.com/page and https://youtu.be/sk") == [
        "http://www.facebook.com/page",
        "https://youtu.be/sk",
    ]
    assert "dom:facebook.com" in text_features("HTTP://WWW.FACEBOOK.COM/Kiss")


def test_it_finds_bare_spaced_and_explicit_links_but_not_words():
    features = text_features("visit kidsmediausa . com or http://t.cn/x and call me.it was fun")
    assert "dom:kidsmediausa.com" in features
    assert "dom:t.cn" in features
    assert "url:n2" in features
    assert not any(f.startswith("dom:me") for f in features)


def test_it_gives_chinese_characters_their_own_grams():
    features = text_features("加微信")
    assert {"c:加", "c:微信", "c:加微信", "w:加微信"} <= set(features)


def test_it_learns_a_message_marked_spam_repeatedly(youtube_model):
    model = SpamClassifier.from_bytes(youtube_model.to_bytes())
    message = "Lovely tune, my grandmother hums it while she bakes bread"
    before = model.probability(message)
    history = [before]
    for _ in range(5):
        model.learn(message, True)
        history.append(model.probability(message))
    assert history == sorted(history) and history[-1] > before + 0.3
    assert model.seen[SPAM] == youtube_model.seen[SPAM] + 5
    # A close variant moves too: the model learnt the grams, not the exact string.
    assert model.probability("lovely tune, my grandmother hums it") > youtube_model.probability(
        "lovely tune, my grandmother hums it"
    )


def test_it_learns_an_approval_towards_ham(youtube_model):
    model = SpamClassifier.from_bytes(youtube_model.to_bytes())
    message = "check out the subscriber count, it is amazing"
    before = model.probability(message)
    for _ in range(3):
        model.learn(message, False)
    assert model.probability(message) < before


def test_it_tells_chinese_spam_from_a_chinese_comment():
    model = SpamClassifier(bits=16, epochs=10)
    model.fit(CHINESE_SPAM + CHINESE_HAM, [True] * len(CHINESE_SPAM) + [False] * len(CHINESE_HAM))
    spam_score = model.score("加微信 领取免费 iPhone http://bit.ly/xyz 名额不多", top=15)
    ham_score = model.score("谢谢作者，深圳创客空间的这部分分析对我的研究很有帮助。")
    assert spam_score.probability > 0.8
    assert ham_score.probability < 0.2
    assert any("微信" in name for name, weight in spam_score.features if weight > 0)
    assert ham_score.decision == HAM and spam_score.decision != HAM


def test_it_explains_a_score_with_the_features_that_weighed_most(youtube_model):
    score = youtube_model.score("Please subscribe to my channel http://www.example.com", top=5)
    assert score.decision in {SPAM, MODERATE, HAM}
    assert len(score.features) == 5
    weights = [abs(w) for _, w in score.features]
    assert weights == sorted(weights, reverse=True)
    assert all(isinstance(name, str) and name for name, _ in score.features)
    assert sum(w for _, w in score.features) > 0, "the strongest features push towards spam"


def test_it_uses_the_side_fields_when_they_are_given():
    model = SpamClassifier(bits=16)
    for _ in range(10):
        model.learn("nice post", True, email_domain="spam-mail.example")
        model.learn("nice post", False, email_domain="university.edu")
    assert model.probability("nice post", email_domain="x@spam-mail.example") > 0.5
    assert model.probability("nice post", email_domain="y@university.edu") < 0.5


def test_it_decides_three_ways_at_its_thresholds():
    model = SpamClassifier(bits=8, ham_threshold=0.3, spam_threshold=0.95)
    assert [model.decide(p) for p in (0.1, 0.3, 0.94, 0.95, 1.0)] == [HAM, MODERATE, MODERATE, SPAM, SPAM]
    with pytest.raises(ValueError, match="thresholds"):
        SpamClassifier(ham_threshold=0.9, spam_threshold=0.5)


def test_it_chooses_a_spam_threshold_that_keeps_false_positives_within_target():
    hams = [i / 1000 for i in range(1000)]  # 0.000 .. 0.999
    spams = [0.2 + i / 1000 for i in range(800)]
    labels = [False] * len(hams) + [True] * len(spams)
    ham_threshold, spam_threshold = choose_thresholds(hams + spams, labels, target_fpr=0.01, target_miss=0.05)
    assert sum(p >= spam_threshold for p in hams) == 10  # 1 % of 1,000
    assert sum(p < ham_threshold for p in spams) == 40  # 5 % of 800
    assert ham_threshold <= spam_threshold


def test_it_raises_the_target_only_while_left_out_groups_stay_within_the_limit():
    hams = [0.5 + i / 1000 for i in range(400)]  # 0.500 .. 0.899, twice
    labels = [False] * 800 + [True] * 10
    groups = ["a"] * 400 + ["b"] * 400 + ["a"] * 5 + ["b"] * 5
    alike = hams + hams + [0.99] * 10
    target, estimate = choose_target_fpr(alike, labels, groups, start=0.005, limit=0.01)
    assert target == 0.01 and estimate["0.01"] <= 0.01
    # Group b's legitimate comments score higher: a threshold from a loses 10 % of b's.
    shifted = hams + [p + 0.04 for p in hams] + [0.99] * 10
    target, estimate = choose_target_fpr(shifted, labels, groups, start=0.005, limit=0.01)
    assert target == 0.005 and estimate["0.005"] > 0.01
    assert choose_target_fpr(alike, labels, ["a"] * 810, start=0.005, limit=0.01) == (0.005, {})


def test_it_calibrates_thresholds_from_held_out_groups():
    texts, labels = youtube_training()
    groups = [i < 350 for i in range(len(texts))]  # KatyPerry, then LMFAO
    model = SpamClassifier(bits=18)
    calibration = model.calibrate(texts, labels, groups)
    assert calibration["folds"] == 2
    assert 0.5 <= model.spam_threshold <= 1.0
    assert model.ham_threshold <= 0.5
    assert model.seen == {SPAM: 0, HAM: 0}, "calibration trains copies, not the model"


def test_it_round_trips_through_bytes_with_identical_scores(youtube_model):
    model = SpamClassifier.from_bytes(youtube_model.to_bytes())
    for message in ["subscribe to my channel!!", "加微信 领取免费 iPhone", "great song", ""]:
        assert model.score(message) == youtube_model.score(message)
    model.learn("one more decision", True)
    youtube_model_copy = SpamClassifier.from_json(youtube_model.to_json())
    youtube_model_copy.learn("one more decision", True)
    assert model.score("one more") == youtube_model_copy.score("one more")


def test_it_stores_a_versioned_compact_document(youtube_model):
    document = json.loads(youtube_model.to_json())
    assert document["format"] == "observatory.blog.spam" and document["version"] == 1
    assert len(youtube_model.to_bytes()) < 2_000_000


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        (b"[1, 2]", "not a spam model"),
        (json.dumps({"format": "observatory.blog.spam", "version": 99}).encode(), "version 99"),
        (json.dumps({"format": "observatory.blog.spam", "version": 1, "bits": 16}).encode(), "damaged"),
    ],
)
def test_it_refuses_a_stored_model_it_cannot_read(data, message):
    with pytest.raises(ModelFormatError, match=message):
        SpamClassifier.from_bytes(data)


optional_text = st.none() | st.text(max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400), author=optional_text, url=optional_text, email_domain=optional_text)
def test_it_never_raises_on_arbitrary_text(text, author, url, email_domain):
    model = SpamClassifier(bits=12)
    score = model.score(text, author=author, url=url, email_domain=email_domain)
    assert 0.0 <= score.probability <= 1.0
    model.learn(text, True, author=author, url=url, email_domain=email_domain)
    assert 0.0 <= model.probability(text) <= 1.0


@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_it_hashes_features_into_range(text):
    for feature in text_features(text):
        assert 0 <= spam.feature_hash(feature, 10) < 1024


@pytest.mark.parametrize("module", [features_module, classifier_module, rules_module, evaluation_module])
def test_its_docstring_examples_hold(module):
    assert doctest.testmod(module).failed == 0
