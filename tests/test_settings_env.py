from __future__ import annotations

import pytest

from openiop.lib.env import SettingError, database_from_url, env_bool, env_int, env_list


def test_env_bool_reads_the_usual_spellings(monkeypatch) -> None:
    for raw, expected in [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False)]:
        monkeypatch.setenv("X_FLAG", raw)
        assert env_bool("X_FLAG", not expected) is expected


def test_env_bool_refuses_anything_else(monkeypatch) -> None:
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(SettingError, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_env_int_refuses_words_and_values_below_the_minimum(monkeypatch) -> None:
    monkeypatch.setenv("X_NUM", "fifteen")
    with pytest.raises(SettingError, match="whole number"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(SettingError, match="at least 1"):
        env_int("X_NUM", 5, minimum=1)
    monkeypatch.setenv("X_NUM", "30")
    assert env_int("X_NUM", 5, minimum=1) == 30


def test_env_list_splits_on_commas(monkeypatch) -> None:
    monkeypatch.setenv("X_LIST", "a.example, b.example ,")
    assert env_list("X_LIST", []) == ["a.example", "b.example"]


def test_defaults_apply_when_unset(monkeypatch) -> None:
    monkeypatch.delenv("X_UNSET", raising=False)
    assert env_int("X_UNSET", 7) == 7
    assert env_bool("X_UNSET", True) is True


def test_sqlite_urls_are_relative_to_the_project_or_absolute() -> None:
    relative = database_from_url("sqlite:///var/db.sqlite3", base_dir="/srv/openiop")
    absolute = database_from_url("sqlite:////data/db.sqlite3", base_dir="/srv/openiop")
    assert relative["NAME"] == "/srv/openiop/var/db.sqlite3"
    assert absolute["NAME"] == "/data/db.sqlite3"


def test_postgres_urls_become_a_postgresql_database() -> None:
    db = database_from_url(
        "postgres://app:s%40cret@db.internal:6432/openiop?sslmode=require", base_dir="/"
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "openiop",
        "app",
        "s@cret",
        "db.internal",
        "6432",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host/", "sqlite://", "nonsense"])
def test_bad_database_urls_are_refused(url: str) -> None:
    with pytest.raises(SettingError):
        database_from_url(url, base_dir="/")
