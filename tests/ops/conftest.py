"""Fixtures of the operations tests: dossiers with outbox rows come from the sync tests."""

from tests.sync.conftest import fake_dvcqg, make_dossier  # noqa: F401
