"""``logix serve`` refusing to start unsafely, and ``logix users`` over a store."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from logix_rules.cli._main import main
from logix_rules.service import verify_user
from logix_rules.store import open_store

SECRETS = ("LOGIX_SESSION_SECRET", "LOGIX_API_TOKENS")


@pytest.mark.parametrize(
    ("argv", "missing"),
    [
        (["--host", "0.0.0.0"], "LOGIX_SESSION_SECRET and LOGIX_API_TOKENS"),
        (["--host", "0.0.0.0", "--dev"], "LOGIX_SESSION_SECRET and LOGIX_API_TOKENS"),
        ([], "pass --dev"),
    ],
)
def test_serve_refuses_to_start_without_secrets(
    argv: list[str],
    missing: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    status = main(["serve", "--store", f"sqlite:///{tmp_path / 'ops.db'}", *argv])
    assert status == 1
    err = capsys.readouterr().err
    assert "unsafe_service" in err
    assert missing in err


def test_serve_refuses_with_a_session_secret_but_no_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOGIX_SESSION_SECRET", "s" * 32)
    monkeypatch.delenv("LOGIX_API_TOKENS", raising=False)
    assert main(["serve", "--store", f"sqlite:///{tmp_path / 'ops.db'}", "--host", "::"]) == 1
    err = capsys.readouterr().err
    assert "without LOGIX_API_TOKENS" in err
    assert "s" * 32 not in err


def test_users_add_list_remove(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert main(["users", "add", "ana", "--store", url]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another password\n"))
    assert main(["users", "add", "ana", "--store", url]) == 0
    assert main(["users", "list", "--store", url]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["added ana", "changed the password of ana", "ana"]
    with open_store(url) as store:
        assert verify_user(store, "ana", "another password")
        assert not verify_user(store, "ana", "correct horse battery")
        (stored,) = store.db.execute("SELECT password FROM users")[0]
    assert stored.startswith("scrypt$16384$8$1$")
    assert "another" not in stored
    assert main(["users", "remove", "ana", "--store", url]) == 0
    assert main(["users", "remove", "ana", "--store", url]) == 1


def test_users_add_refuses_a_short_password_without_echoing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("hunter2\n"))
    assert main(["users", "add", "ana", "--store", f"sqlite:///{tmp_path / 'ops.db'}"]) == 1
    err = capsys.readouterr().err
    assert "bad_user" in err
    assert "hunter2" not in err


def test_serve_dev_starts_on_loopback_without_secrets(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    import httpx
    from test_service_server import free_port

    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    env["LOGIX_POLL_CARRIERS"] = ""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "import sys; from logix_rules.cli._main import main; sys.exit(main())",
        "serve", "--store", f"sqlite:///{tmp_path / 'ops.db'}", "--dev", "--port", str(port),
    ]  # fmt: skip
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert health.json()["status"] == "ok"
        # No token was configured: the API accepts none.
        denied = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/incidents", headers={"authorization": "Bearer x"}
        )
        assert denied.status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert "sessions last for this run only" in log.read_text()
