from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from observatory.api.services import token_create, user_is_curator


class Command(BaseCommand):
    help = "Create an API token for a curator (shown once: copy it)"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for, e.g. 'importer on the lab PC'")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}; create one with 'observatory createsuperuser' or in the admin")
        if not user_is_curator(user):
            raise CommandError(f"{username!r} is not a curator (needs the inventory and coding change permissions, "
                               "e.g. membership of the 'curators' group); a token would be refused")
        record, token = token_create(user=user, name=name)
        self.stdout.write(token)
        self.stderr.write(f"Token {record.prefix}… for {username}: send it as 'Authorization: Bearer <token>'. "
                          "It is not stored and not shown again; revoke it in the admin.")
