"""The widgets written in Python (dossiers.widgets) give Django's own markup."""

import pytest
from django import forms

from dossiers.widgets import PlainPasswordInput, PlainTextInput


@pytest.mark.parametrize(
    "ours, django_s",
    [(PlainTextInput, forms.TextInput), (PlainPasswordInput, forms.PasswordInput)],
)
@pytest.mark.parametrize("value", [None, "", "000.00.16.H26-210108-0001", 'a"<b>&'])
def test_the_plain_inputs_write_what_django_s_inputs_write(ours, django_s, value):
    attrs = {"placeholder": "mã <hồ sơ>", "inputmode": "numeric", "required": True, "x": False}
    extra = {"id": "id_ma", "maxlength": "60", "aria-invalid": "true"}
    mine = ours(attrs=attrs).render("ma", value, extra)
    theirs = django_s(attrs=attrs).render("ma", value, extra)
    assert sorted(mine[len("<input") : -1].split()) == sorted(theirs[len("<input") : -1].split())
    assert "<hồ" not in mine


def test_the_lookup_form_renders_its_labels_and_inputs(client, db):
    body = client.get("/ho-so/tra-cuu/").content.decode()
    assert '<label for="id_ma">' in body and 'name="ma"' in body
    assert '<label for="id_secret">' in body and 'type="password" name="secret"' in body
