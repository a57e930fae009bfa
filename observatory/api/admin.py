from django.contrib import admin, messages

from .models import ApiToken
from .services import token_create


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created", "last_used", "revoked"]
    list_filter = ["revoked"]
    readonly_fields = ["prefix", "created", "last_used"]
    fields = ["user", "name", "prefix", "created", "last_used", "revoked"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        record, token = token_create(user=obj.user, name=obj.name)
        obj.pk, obj.prefix, obj.key_hash, obj.created = record.pk, record.prefix, record.key_hash, record.created
        messages.warning(request, f"Token for {obj.user}: {token} — copy it now, it is not shown again.")

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = queryset.update(revoked=True)
        self.message_user(request, f"{count} token(s) revoked.")
