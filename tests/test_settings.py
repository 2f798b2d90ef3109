import pytest
from django.core.exceptions import ImproperlyConfigured

from hanoi_cchc.settings import database_from_url, env_bool, env_int


def test_postgres_url_becomes_a_database_entry():
    db = database_from_url("DATABASE_URL", "postgres://u:p%40ss@db.local:5433/cchc")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "cchc",
        "u",
        "p@ss",
        "db.local",
        "5433",
    )


@pytest.mark.parametrize("url", ["mysql://x@y/z", "postgres://host/", "nonsense"])
def test_a_bad_database_url_names_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url("DATABASE_URL", url)


def test_bad_booleans_and_numbers_name_the_variable(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 1)
