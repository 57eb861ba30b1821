"""NodeShell against a real OpenSSH server: quoting, streaming, host keys and typed errors."""

from __future__ import annotations

import dataclasses

import pytest

from migrate.clients.ssh import NodeAddress, NodeShell
from migrate.errors import NodeAuthError, NodeCommandTimeoutError, NodeHostKeyError, NodeUnreachableError
from tests.support.sshd import write_known_hosts

HOSTILE = ["it's", 'say "hi"', "$(touch {canary})", "`touch {canary}`", "a; touch {canary}", "x && touch {canary}",
           "| touch {canary}", "\\", "*", "-rf", "new\nline", "ümlaut ✓"]


def test_each_word_reaches_the_command_unchanged(node, tmp_path):
    canary = tmp_path / "canary"
    words = [word.format(canary=canary) for word in HOSTILE]
    result = node.run(["printf", "%s\\0", *words])
    assert result.rc == 0
    assert result.stdout.split("\0")[:-1] == words
    assert not canary.exists()


def test_stdin_is_delivered_and_exit_code_and_stderr_returned(node):
    result = node.run(["sh", "-c", 'cat; echo oops >&2; exit 7'], stdin=b"secret-ish")
    assert (result.rc, result.stdout, result.stderr) == (7, "secret-ish", "oops\n")


def test_stream_splits_carriage_returns_and_newlines_as_they_arrive(node):
    lines = []
    result = node.stream(["sh", "-c", "printf '  (1.00/100%%)\\r'; sleep 0.3; printf '  (2.00/100%%)\\r\\ndone\\n'"],
                         lines.append)
    assert result.rc == 0
    assert lines == ["  (1.00/100%)", "  (2.00/100%)", "done"]


def test_stream_stops_a_command_that_writes_nothing_for_too_long(node):
    with pytest.raises(NodeCommandTimeoutError, match="wrote nothing for 0.5 s"):
        node.stream(["sleep", "30"], lambda line: None, idle_timeout=0.5)


def test_unknown_host_key_is_refused(node_address, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(NodeHostKeyError) as refused:
        NodeShell.connect(dataclasses.replace(node_address, known_hosts=empty))
    message = str(refused.value)
    assert f"is not in {empty}: add the node's key from /etc/ssh/ssh_host_ed25519_key.pub" in message
    assert f"`[{node_address.host}]:{node_address.port} <key type> <key>`" in message
    assert "--insecure" not in message and "not by ssh-keyscan" in message


def test_wrong_host_key_is_refused_and_known_hosts_left_unchanged(node_address, sshd, tmp_path):
    other = tmp_path / "other_ed25519"
    import subprocess
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    wrong = tmp_path / "known_hosts"
    write_known_hosts(wrong, sshd.host, sshd.port, other.with_suffix(".pub"))
    before = wrong.read_bytes()
    with pytest.raises(NodeHostKeyError, match=rf"{sshd.host}:{sshd.port} does not match known_hosts"):
        NodeShell.connect(dataclasses.replace(node_address, known_hosts=wrong))
    assert wrong.read_bytes() == before


def test_any_host_key_is_accepted_only_when_asked(node_address, tmp_path):
    missing = tmp_path / "none"
    with NodeShell.connect(dataclasses.replace(node_address, known_hosts=missing, insecure_host_key=True)) as shell:
        assert shell.run(["true"]).rc == 0
    assert not missing.exists()


def test_a_key_the_node_does_not_know_is_refused(node_address, tmp_path):
    import subprocess
    stranger = tmp_path / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True)
    with pytest.raises(NodeAuthError, match="refused the SSH key"):
        NodeShell.connect(dataclasses.replace(node_address, key_file=stranger))


def test_closed_port_is_unreachable_naming_the_host(node_address):
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NodeUnreachableError, match=f"127.0.0.1:{port}"):
        NodeShell.connect(NodeAddress("127.0.0.1", port, key_file=node_address.key_file,
                                      known_hosts=node_address.known_hosts, connect_timeout=3))


def test_a_command_killed_by_a_signal_is_not_a_lost_connection(node):
    result = node.run(["sh", "-c", "kill -9 $$"])
    assert result.rc == -1
    assert node.run(["true"]).rc == 0


def test_an_error_in_the_line_callback_is_not_mistaken_for_a_lost_connection(node):
    def broken(line: str) -> None:
        raise AttributeError("the progress bar broke")

    with pytest.raises(AttributeError, match="progress bar"):
        node.stream(["echo", "x"], broken)
    assert node.run(["true"]).rc == 0


def test_a_command_past_its_time_limit_is_a_typed_error(node):
    with pytest.raises(NodeCommandTimeoutError, match="did not finish within 0.5 s"):
        node.run(["sh", "-c", "while :; do echo .; sleep 0.1; done"], timeout=0.5)
