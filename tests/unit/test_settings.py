"""Settings: each from its one environment variable, typed, with its default; what app.py hands its processes
reads back the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from data_feeds.settings import Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for field in Settings.model_fields.values():
        monkeypatch.delenv(field.validation_alias, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))


def test_the_defaults_need_no_server(tmp_path):
    s = Settings.from_env()
    assert s.database_url == f"sqlite:///{tmp_path.resolve() / 'liveroom.db'}" and s.redis_url is None
    assert (s.demo, s.port, s.channel_port, s.web_server) == (True, 8050, 8051, "granian")


@pytest.mark.parametrize(
    "word,flag",
    [("1", True), ("ya", True), ("yes", True), ("on", True), ("0", False), ("tidak", False), ("off", False)],
)
def test_a_flag_in_the_words_people_write(monkeypatch, word, flag):
    monkeypatch.setenv("DEMO", word)
    assert Settings.from_env().demo is flag


def test_an_empty_variable_is_the_same_as_none(monkeypatch):
    monkeypatch.setenv("BOUNDARY_TOLERANCE_M", "")
    monkeypatch.setenv("REDIS_URL", "")
    monkeypatch.setenv("DATABASE_URL", "")
    s = Settings.from_env()
    assert s.boundary_tolerance_m is None and s.redis_url is None and s.database_url.startswith("sqlite:///")


@pytest.mark.parametrize(
    "name,value,field,expected",
    [
        ("PORT", "9000", "port", 9000),
        ("API_MAX_BODY_BYTES", "1024", "max_body_bytes", 1024),
        ("REDIS_KEY_PREFIX", "kota", "key_prefix", "kota"),
        ("LIVE_URL", "https://live.example/", "live_url", "https://live.example"),
        ("LIVE_URL", "/", "live_url", "/"),
        ("PUBLIC_URL", "https://liveroom.example/", "public_url", "https://liveroom.example"),
        ("SESSION_HOURS", "8.5", "session_hours", 8.5),
        ("NODE_NAME", "node-b", "node_name", "node-b"),
    ],
)
def test_each_variable_lands_in_its_field(monkeypatch, name, value, field, expected):
    monkeypatch.setenv(name, value)
    assert getattr(Settings.from_env(), field) == expected


@pytest.mark.parametrize("name,value", [("PORT", "delapan"), ("SESSION_HOURS", "lama"), ("WALL_HEAP_MB", "1.5x")])
def test_a_wrong_value_stops_the_start_naming_it(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name):
        Settings.from_env()


def test_what_app_py_hands_its_processes_reads_back_the_same(monkeypatch):
    s = Settings.from_env(demo=False, port=8123, redis_url="redis://127.0.0.1:6390/0", boundary_tolerance_m=40.0)
    for name, value in s.to_env().items():
        monkeypatch.setenv(name, value)
    assert Settings.from_env() == s


def test_overrides_and_replace_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("PORT", "9000")
    assert Settings.from_env(port=9100).port == 9100
    assert Settings.from_env().replace(port=9200).port == 9200


def test_every_setting_says_what_it_does():
    for name, field in Settings.model_fields.items():
        assert field.validation_alias and field.validation_alias.isupper(), name
        assert field.description and len(field.description) > 10, name


def test_no_secret_is_handed_on_when_none_was_given():
    env = Settings.from_env().to_env()
    assert "SECRET_KEY" not in env and "SMTP_PASSWORD" not in env and "REDIS_URL" not in env
    assert Path(env["DATA_DIR"]).is_absolute()
