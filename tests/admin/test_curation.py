import pytest
from django.apps import apps
from django.urls import reverse
from reversion.models import Version

from observatory.inventory.models import Entity, Relation

pytestmark = pytest.mark.django_db


def test_every_model_has_a_working_admin_list_for_the_admin(admin, mini_dataset):
    from django.contrib import admin as django_admin

    for model in apps.get_models():
        if model._meta.app_label not in {"inventory", "coding"} or model not in django_admin.site._registry:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin.get(url).status_code == 200, url
        assert admin.get(url, {"q": "柴火"}).status_code == 200, url


@pytest.mark.parametrize("query", ["柴火", "chaihuo", "Chaihuo Maker Space"])
def test_admin_search_finds_entities_in_chinese_pinyin_and_english(admin, mini_dataset, query):
    page = admin.get(reverse("admin:inventory_entity_changelist"), {"q": query}).content.decode()
    chaihuo = Entity.objects.get(slug="chaihuo-makerspace")
    assert reverse("admin:inventory_entity_change", args=[chaihuo.pk]) in page


def test_the_entity_form_shows_inlines_and_a_self_hosted_map(admin, mini_dataset):
    chaihuo = Entity.objects.get(slug="chaihuo-makerspace")
    page = admin.get(reverse("admin:inventory_entity_change", args=[chaihuo.pk])).content.decode()
    for expected in ["names-0-text", "locations-0-original_lng", "statuses-TOTAL_FORMS", "codings-TOTAL_FORMS",
                     "vendor/leaflet-1.9.4/leaflet.js", 'class="obs-map obs-admin-map"', "site/admin.css"]:
        assert expected in page, expected
    assert "unpkg.com" not in page and "cdn" not in page.lower()


def test_the_admin_refuses_a_relation_to_itself(admin, mini_dataset):
    szoil = Entity.objects.get(slug="szoil")
    response = admin.post(reverse("admin:inventory_relation_add"), {
        "source_entity": szoil.pk, "type": "partner_of", "target_entity": szoil.pk, "weight": 1, "confidence": 1})
    assert response.status_code == 200
    assert "cannot tie" in response.content.decode()
    assert not Relation.objects.filter(source_entity=szoil, target_entity=szoil).exists()


def test_a_curator_can_edit_and_the_edit_is_in_history_and_revertible(curator, mini_dataset):
    relation = Relation.objects.get(type="partner_of")
    url = reverse("admin:inventory_relation_change", args=[relation.pk])
    response = curator.post(url, {
        "source_entity": relation.source_entity_id, "type": "partner_of", "target_entity": relation.target_entity_id,
        "weight": 2, "confidence": 0.5, "evidence": "edited", "source": relation.source_id, "source_locator": "feature:3"})
    assert response.status_code == 302, response.content.decode()[:2000]
    relation.refresh_from_db()
    assert relation.confidence == 0.5
    versions = Version.objects.get_for_object(relation)
    assert versions.count() == 2
    assert versions.first().revision.user.username == "curator"
    history = curator.get(reverse("admin:inventory_relation_history", args=[relation.pk]))
    assert history.status_code == 200
    versions.last().revision.revert()
    relation.refresh_from_db()
    assert relation.confidence == 1.0


def test_the_anonymous_reader_cannot_reach_curation(reader, mini_dataset):
    response = reader.get(reverse("admin:inventory_entity_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_curator_cannot_manage_users(curator):
    assert curator.get(reverse("admin:auth_user_changelist")).status_code == 403


def _entity_form(client, url):
    """The entity add form's fields as a browser would post them (every inline's management form)."""
    import re

    page = client.get(url).content.decode()
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"'
                                  r' value="(\d+)"', page):
        data[name] = value
    return data


def test_an_entity_cannot_be_saved_without_a_source(admin, mini_dataset):
    url = reverse("admin:inventory_entity_add")
    data = _entity_form(admin, url) | {"slug": "no-source-space", "kind": "makerspace", "founded_precision": "",
                                       "closed_precision": ""}
    data["citations-TOTAL_FORMS"] = "0"
    response = admin.post(url, data)
    assert response.status_code == 200
    assert "Cite at least one source" in response.content.decode()
    assert not Entity.objects.filter(slug="no-source-space").exists()


def test_the_location_form_fills_the_division_from_the_address_and_shows_no_null_polygon(admin, mini_dataset):
    from observatory.inventory.admin import LocationForm

    form = LocationForm(data={"crs": "WGS-84", "precision": "street", "address_zh": "深圳市福田区华强北路1002号",
                              "division_code": "", "polygon": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["division_code"] == "440304"
    assert form.instance.prefecture_code == "440300"
    chaihuo = Entity.objects.get(slug="chaihuo-makerspace")
    page = admin.get(reverse("admin:inventory_entity_change", args=[chaihuo.pk])).content.decode()
    assert ">null</textarea>" not in page
    assert "obs-field-sources" in page or "no field was set by an import" in page


def test_the_review_queue_shows_scores_rounded(admin, mini_dataset):
    from observatory.inventory.models import MergeDecision

    kept, merged = Entity.objects.order_by("pk")[:2]
    decision = MergeDecision.objects.create(kept=kept, merged=merged, score=0.6500000000000001)
    listing = admin.get(reverse("admin:inventory_mergedecision_changelist")).content.decode()
    form = admin.get(reverse("admin:inventory_mergedecision_change", args=[decision.pk])).content.decode()
    for page in (listing, form):
        assert "0.65" in page and "0.6500000000000001" not in page
