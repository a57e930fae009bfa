"""Edit history: every save of an entity (with its names, locations and statuses), a relation
or a coding inside a revision is kept by django-reversion, revertible from the admin."""

import reversion

from .models import Entity, EntitySource, Location, Name, Relation, StatusAssertion

for model in (Name, Location, StatusAssertion, EntitySource):
    if not reversion.is_registered(model):
        reversion.register(model)
if not reversion.is_registered(Entity):
    reversion.register(Entity, follow=["names", "locations", "statuses", "citations"])
if not reversion.is_registered(Relation):
    reversion.register(Relation)
