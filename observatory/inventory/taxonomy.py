"""Controlled vocabularies of the inventory: entity kinds and their layers, relation types,
name, precision and status vocabularies.

The ``layer`` of a kind is what the brokerage analysis partitions on by default, so that the
actors who broker between online communities (virtual), organizations and physical places are
named. Placement choices that are not obvious are explained next to the kind.
"""

from __future__ import annotations

PHYSICAL = "physical"
ORGANIZATIONAL = "organizational"
VIRTUAL = "virtual"
LAYERS = [
    (PHYSICAL, "physical place"),
    (ORGANIZATIONAL, "organization"),
    (VIRTUAL, "online community"),
]

# slug -> (English label, Chinese label, layer, group)
KINDS: dict[str, tuple[str, str, str, str]] = {
    # physical places
    "fab_lab": ("fab lab", "微观装配实验室", PHYSICAL, "space"),
    "hackerspace": ("hackerspace", "黑客空间", PHYSICAL, "space"),
    "makerspace": ("makerspace", "创客空间", PHYSICAL, "space"),
    "techshop": ("techshop", "技术工坊", PHYSICAL, "space"),
    "coworking_space": ("coworking space", "联合办公空间", PHYSICAL, "space"),
    "incubator": ("incubator", "孵化器", PHYSICAL, "space"),
    "accelerator": ("accelerator", "加速器", PHYSICAL, "space"),
    "university_lab": ("university lab", "高校实验室", PHYSICAL, "space"),
    "electronics_market": ("electronics market", "电子市场", PHYSICAL, "cluster"),
    "industrial_park": ("industrial park", "产业园区", PHYSICAL, "cluster"),
    "vertical_cluster": ("vertical cluster", "垂直产业集群", PHYSICAL, "cluster"),
    "factory": ("factory", "工厂", PHYSICAL, "cluster"),
    # An event happens at a place and gathers people there: physical.
    "event": ("event (maker faire, hackathon)", "活动（创客嘉年华、黑客松）", PHYSICAL, "event"),
    # organizations
    "company": ("company", "企业", ORGANIZATIONAL, "company"),
    "maker_brand": ("maker brand", "创客品牌", ORGANIZATIONAL, "company"),
    "solution_house": ("solution house", "方案公司", ORGANIZATIONAL, "company"),
    "component_supplier": ("component supplier", "元器件供应商", ORGANIZATIONAL, "company"),
    "pcb_smt_service": ("PCB / SMT service", "PCB/SMT 服务", ORGANIZATIONAL, "company"),
    "contract_manufacturer": ("contract manufacturer", "代工厂商", ORGANIZATIONAL, "company"),
    "ngo": ("NGO / association", "社会组织/协会", ORGANIZATIONAL, "institution"),
    "university": ("university", "大学", ORGANIZATIONAL, "institution"),
    "government_body": ("government body", "政府机构", ORGANIZATIONAL, "institution"),
    "government_programme": ("government programme", "政府项目", ORGANIZATIONAL, "institution"),
    "investor": ("investor", "投资机构", ORGANIZATIONAL, "institution"),
    # An offline community (a recurring meetup) has no premises of its own: organizational.
    "meetup": ("meetup (offline community)", "线下社群", ORGANIZATIONAL, "community"),
    # online communities
    "online_forum": ("online forum", "网络论坛", VIRTUAL, "community"),
    "chat_group": ("chat group (WeChat, QQ)", "聊天群（微信、QQ）", VIRTUAL, "community"),
    "code_organisation": ("code organisation (GitHub, Gitee)", "代码组织（GitHub、Gitee）", VIRTUAL, "community"),
    "video_channel": ("channel (Bilibili, Zhihu, ...)", "频道（哔哩哔哩、知乎等）", VIRTUAL, "community"),
    "mailing_list": ("mailing list", "邮件列表", VIRTUAL, "community"),
    # An open-hardware design lives in repositories and forums: virtual.
    "project": ("open hardware project", "开源硬件项目", VIRTUAL, "project"),
}

KIND_CHOICES = [(slug, label) for slug, (label, _zh, _layer, _group) in KINDS.items()]


def kind_layer(kind: str) -> str:
    """The layer of an entity kind; raises KeyError naming the accepted kinds."""
    try:
        return KINDS[kind][2]
    except KeyError:
        raise KeyError(f"unknown kind {kind!r}; accepted: {', '.join(KINDS)}") from None


def kind_is_place(kind: str) -> bool:
    """Whether entities of this kind are places one can visit (the spaces and the clusters)."""
    return kind in KINDS and KINDS[kind][3] in ("space", "cluster")


# slug -> (English label, Chinese label)
RELATION_TYPES: dict[str, tuple[str, str]] = {
    "hosts": ("hosts", "承载"),
    "member_of": ("member of", "成员"),
    "founded_by": ("founded by", "创办者"),
    "spun_off_from": ("spun off from", "衍生自"),
    "partner_of": ("partner of", "合作伙伴"),
    "supplies": ("supplies", "供应"),
    "funds": ("funds", "资助"),
    "organizes": ("organizes", "组织"),
    "participates_in": ("participates in", "参与"),
    "knowledge_flows_to": ("knowledge flows to", "知识流向"),
    "online_presence_of": ("online presence of", "线上阵地"),
    "located_in": ("located in", "位于"),
    # A directory's listing of an actor ("listed on hackerspaces.org") is a record, not a tie of
    # interaction: the analyses keep it apart from real ties.
    "listed_in": ("listed in (directory)", "收录于（名录）"),
}
RELATION_CHOICES = [(slug, label) for slug, (label, _zh) in RELATION_TYPES.items()]

# What a relation type means for the analyses: its class and the direction in which knowledge or
# resources flow along it ("source" → "target" as recorded). One table, read by the network runs
# (which keep only the classes named in their parameters and orient each tie by its flow) and
# documented in docs/data-format.md and docs/methods.md.
INTERACTION = "interaction"          # actors doing something together or for each other
KNOWLEDGE_FLOW = "knowledge_flow"    # a recorded flow of knowledge (a port, a fork, a derived design)
AFFILIATION = "affiliation"          # affiliation or structure: who belongs to, hosts, founded or houses whom
LISTING = "listing"                  # a directory's listing: a record about an actor, not a tie between actors
RELATION_CLASSES: dict[str, tuple[str, str]] = {
    INTERACTION: ("interaction", "互动"),
    KNOWLEDGE_FLOW: ("knowledge flow", "知识流动"),
    AFFILIATION: ("affiliation or structure", "隶属或结构"),
    LISTING: ("directory listing", "名录收录"),
}
#: Flow directions: along the recorded tie, against it, both ways, or none (a listing carries nothing).
FORWARD, REVERSE, MUTUAL, NO_FLOW = "forward", "reverse", "mutual", "none"
#: The classes a network run uses unless its parameters name others: real ties, never listings.
DEFAULT_RELATION_CLASSES = (INTERACTION, KNOWLEDGE_FLOW)

# slug -> (class, flow, why): the flow is that of knowledge or resources, so a tie is an arc from
# whoever gives to whoever receives.
RELATION_SEMANTICS: dict[str, tuple[str, str, str]] = {
    "hosts": (AFFILIATION, FORWARD, "the host gives room, infrastructure or a platform to what it hosts"),
    "member_of": (AFFILIATION, MUTUAL, "membership: the member and the body exchange both ways"),
    "founded_by": (AFFILIATION, REVERSE, "the founder gives the founded its start: the flow runs target → source"),
    "spun_off_from": (AFFILIATION, REVERSE, "the parent gives the spin-off people and know-how: target → source"),
    "partner_of": (INTERACTION, MUTUAL, "a partnership: joint work, both ways"),
    "supplies": (INTERACTION, FORWARD, "a transaction: parts and their documentation go from supplier to customer"),
    "funds": (INTERACTION, FORWARD, "money goes from funder to funded"),
    "organizes": (INTERACTION, FORWARD, "the organiser puts resources and people into the event or group"),
    "participates_in": (INTERACTION, MUTUAL, "taking part: the participant and the event exchange both ways"),
    "knowledge_flows_to": (KNOWLEDGE_FLOW, FORWARD, "recorded as the direction of the flow"),
    "online_presence_of": (AFFILIATION, MUTUAL, "an actor's own account or repository: the same actor online"),
    "located_in": (AFFILIATION, REVERSE, "the cluster or park houses the actor: target → source"),
    "listed_in": (LISTING, NO_FLOW, "a directory's record of an actor, not an exchange"),
}


def relation_semantics(type_: str) -> tuple[str, str]:
    """The (class, flow) of a relation type; raises KeyError naming the accepted types."""
    try:
        relation_class, flow, _why = RELATION_SEMANTICS[type_]
    except KeyError:
        raise KeyError(f"unknown relation type {type_!r}; accepted: {', '.join(RELATION_SEMANTICS)}") from None
    return relation_class, flow


def relation_types_of_classes(classes) -> list[str]:
    """The relation types whose class is among ``classes``; raises ValueError naming the accepted classes."""
    unknown = [c for c in classes if c not in RELATION_CLASSES]
    if unknown:
        raise ValueError(f"unknown relation class(es) {', '.join(map(repr, unknown))}; accepted: "
                         f"{', '.join(RELATION_CLASSES)}")
    return [t for t, (c, _f, _w) in RELATION_SEMANTICS.items() if c in classes]

NAME_LANGUAGES = [
    ("zh-Hans", "Chinese (simplified)"),
    ("zh-Hant", "Chinese (traditional)"),
    ("en", "English"),
    ("pinyin", "pinyin"),
    ("other", "other"),
]
NAME_TYPES = [
    ("official", "official"),
    ("common", "common"),
    ("former", "former"),
    ("abbreviation", "abbreviation"),
]

CRS_WGS84 = "WGS-84"
CRS_GCJ02 = "GCJ-02"
CRS_BD09 = "BD-09"
CRS_CHOICES = [(CRS_WGS84, "WGS-84 (GPS, OpenStreetMap)"), (CRS_GCJ02, "GCJ-02 (Amap, Tencent)"), (CRS_BD09, "BD-09 (Baidu)")]

# Finest first; a location never claims more than its source supports.
PRECISIONS = ["exact", "building", "street", "district", "city", "province", "country"]
PRECISION_CHOICES = [(p, p) for p in PRECISIONS]

DATE_PRECISIONS = [("day", "day"), ("month", "month"), ("year", "year"), ("circa", "circa (about this year)")]

STATUS_VALUES = [
    ("active", "active"),
    ("inactive", "inactive"),
    ("closed", "closed"),
    ("relocated", "relocated"),
    ("accredited", "accredited"),
    ("revoked", "accreditation revoked"),
]
STATUS_KINDS = [
    ("self_declared", "self-declared"),
    ("official_accreditation", "official accreditation"),
    ("observed", "observed by a researcher"),
    ("inferred", "inferred"),
]
# Where a status assertion comes from: a document a curator read, the liveness census's
# observations, or an official register imported as published.
STATUS_ORIGINS = [
    ("document", "document read by a curator"),
    ("census", "liveness census"),
    ("register", "official register"),
]
