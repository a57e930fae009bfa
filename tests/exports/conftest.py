import pytest


@pytest.fixture
def open_dataset(mini_dataset):
    """The mini dataset, with an openly licensed source establishing three of its entities (and one of
    their relations); the rest stays on the non-redistributable Shenzhen Maker Map."""
    from observatory.coding.models import Codebook
    from observatory.coding.services import code_resolve, coding_upsert
    from observatory.inventory.models import Entity, EntitySource, Relation
    from observatory.inventory.services import source_upsert

    source, _ = source_upsert(key="openlist2020", csl={
        "type": "article-journal", "title": "Makerspaces in Shenzhen & beyond: an open list",
        "author": [{"family": "Li", "given": "Wei"}, {"literal": "Open Hardware Group"}],
        "issued": {"date-parts": [[2020, 5]]}, "container-title": "Journal of Open Data", "DOI": "10.1234/ojd.1"},
        licence="CC-BY-4.0", redistributable=True)
    for slug in ("x-factory", "seeed-studio", "szoil"):
        EntitySource.objects.create(entity=Entity.objects.get(slug=slug), source=source, locator="p. 3")
    relation = Relation.objects.get(type="partner_of")
    relation.source = source
    relation.save()
    codebook = Codebook.objects.get(is_default=True)
    coding_upsert(entity=Entity.objects.get(slug="szoil"), code=code_resolve("knowledge.peer-learning", codebook),
                  source=source, quote="open to all makers", confidence=0.8)
    return source
