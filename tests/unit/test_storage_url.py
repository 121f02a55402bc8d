"""``TOUCHLINE_DATABASE_URL`` -> where events and read models live (decision 3)."""

from __future__ import annotations

import pytest

from projections.storage import StorageURLError, storage_from_url


@pytest.mark.parametrize(
    ("url", "events_file", "views_url"),
    [
        ("sqlite:///var/touchline.db", "var/touchline.db", "sqlite:///var/touchline-views.db"),
        ("sqlite:////srv/crm/events.sqlite", "/srv/crm/events.sqlite", "sqlite:////srv/crm/events-views.sqlite"),
        ("sqlite:///data/store", "data/store", "sqlite:///data/store-views.db"),
    ],
)
def test_sqlite_keeps_read_models_in_a_sibling_file(url: str, events_file: str, views_url: str) -> None:
    storage = storage_from_url(url)
    assert storage.is_sqlite
    assert storage.event_store_env["PERSISTENCE_MODULE"] == "projections.keys_sqlite:SealedSQLiteFactory"
    assert storage.event_store_env["SQLITE_DBNAME"] == events_file
    assert storage.views_url == views_url


def test_postgres_url_becomes_the_event_store_settings() -> None:
    storage = storage_from_url("postgresql://alice:s%40cret@db.example:6543/crm?schema=ledger&pool_size=3")
    env = storage.event_store_env
    assert not storage.is_sqlite
    assert env["PERSISTENCE_MODULE"] == "projections.keys_pg:SealedPostgresFactory"
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_DBNAME"]) == ("db.example", "6543", "crm")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("alice", "s@cret")
    assert env["POSTGRES_SCHEMA"] == "ledger"
    assert env["POSTGRES_POOL_SIZE"] == "3"


def test_postgres_read_models_share_the_database_through_psycopg() -> None:
    storage = storage_from_url("postgresql://alice:s%40cret@db.example:6543/crm")
    assert storage.views_url == "postgresql+psycopg://alice:s%40cret@db.example:6543/crm"


def test_postgres_url_fills_in_the_usual_defaults() -> None:
    env = storage_from_url("postgres://localhost/crm").event_store_env
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"], env["POSTGRES_PORT"]) == ("postgres", "", "5432")
    assert "POSTGRES_SCHEMA" not in env


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/crm", "unsupported database URL 'mysql://root@localhost/crm'"),
        ("var/touchline.db", "unsupported database URL"),
        ("sqlite://", "in-memory is for tests"),
        ("sqlite:///:memory:", "in-memory is for tests"),
        ("postgresql://postgres@localhost", "must name the database"),
    ],
)
def test_unusable_urls_are_refused_with_the_reason(url: str, message: str) -> None:
    with pytest.raises(StorageURLError, match=message):
        storage_from_url(url)
