"""The unit tier: pure rules and shapes. No Redis, no database, no app, no network: any socket connect (or a
SQLAlchemy engine's first connection) fails the test, so a test that reaches for a server cannot hide here."""

from __future__ import annotations

import socket

import pytest


class NetworkInAUnitTest(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise NetworkInAUnitTest("a unit test opened a network connection; it belongs in another tier")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
