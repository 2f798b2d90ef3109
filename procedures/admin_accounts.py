"""Accounts and groups in the admin, with permission names in the page's language.

Django stores permission names once, in English, at migrate time ("Can add access
attempt"); the user and group forms list them as stored, so the Vietnamese admin showed a
column of English (issue 14). The label is rebuilt from the codename's action and the
model's (translated) verbose name; custom permissions keep their own name.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext as _

ACTIONS = {"add": "Thêm", "change": "Sửa", "delete": "Xóa", "view": "Xem"}


def permission_label(permission: Permission) -> str:
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    if model is None:
        return permission.name
    meta = model._meta
    from django.apps import apps

    app = apps.get_app_config(meta.app_label).verbose_name
    if action in ACTIONS and permission.codename == f"{action}_{meta.model_name}":
        # gettext at render time: the words are translated like any template string.
        text = f"{_(ACTIONS[action])} {meta.verbose_name}"
    else:
        text = permission.name
    return f"{app} | {text}"


class _PermissionLabels:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field


class AccountAdmin(_PermissionLabels, UserAdmin):
    pass


class AccountGroupAdmin(_PermissionLabels, GroupAdmin):
    pass


User = get_user_model()
for model, model_admin in ((User, AccountAdmin), (Group, AccountGroupAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
