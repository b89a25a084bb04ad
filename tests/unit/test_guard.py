"""The tier's own guard: it must catch a test that reaches for the network."""

import socket

import pytest

from tests.unit.conftest import NetworkInAUnitTest


@pytest.mark.parametrize("address", [("127.0.0.1", 6379), ("127.0.0.1", 5432), ("localhost", 8050)])
def test_a_socket_connect_fails_the_test(address):
    with pytest.raises(NetworkInAUnitTest):
        socket.create_connection(address, timeout=0.1)
    with socket.socket() as sock, pytest.raises(NetworkInAUnitTest):
        sock.connect(address)
