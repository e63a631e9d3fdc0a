"""Command-line tests: `smarketing serve` run as a user runs it, on a fresh SQLite file.

An acknowledged event is never lost, even if the process is killed right after: the ingest API
answers 202 only after the commit that stored the events, so a server killed with SIGKILL (no
chance to flush or clean up) while clients are streaming events still has, once restarted, every
event it acknowledged, each stored exactly once. Requests cut by the kill got no answer (and a
5xx is no acknowledgement either): their events may or may not be stored, and sending them again
is safe (an id the workspace already has comes back as a duplicate, not as a second copy).
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import BIN, demo_environment

PASSWORD = "ingest-password-1"
DOMAIN = "ingest.test"
CLIENTS = 4
STREAM_SECONDS = 1.5


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, str]:
    return demo_environment(tmp_path, "ingest", PASSWORD, DOMAIN)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`smarketing serve` on a loopback port, its output in a log file."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        assert BIN is not None
        self.port = port
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen([BIN, "serve", "--hostname", "127.0.0.1", "--port", str(port)],
                                            env=env, cwd=log.parent, stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, f"the server stopped at start:\n{log.read_text(errors='replace')}"
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            assert time.monotonic() < deadline, f"the server did not answer /health:\n{log.read_text(errors='replace')}"
            time.sleep(0.1)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture()
def servers(env: dict[str, str], tmp_path: Path) -> Iterator[list[Server]]:
    """Every server the test starts; whatever still runs at the end is stopped."""
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def api_token(base: str) -> str:
    """Signs in as the demo admin like a browser and creates a token on the tokens page."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    browser.open(f"{base}/login", timeout=30).read()
    csrf = next(cookie.value for cookie in jar if cookie.name == "smarketing_csrf")

    def post(path: str, fields: dict[str, str]) -> str:
        body = urllib.parse.urlencode({**fields, "_csrf": csrf}).encode()
        with browser.open(f"{base}{path}", data=body, timeout=30) as response:
            return response.read().decode()

    post("/login", {"email": f"admin@{DOMAIN}", "password": PASSWORD})
    page = post("/settings/tokens", {"name": "ingest kill test"})
    match = re.search(r'id="new-token"[^>]*>(smk_[A-Za-z0-9_-]+)', page)
    assert match, "the tokens page showed no new token"
    return match.group(1)


def event(event_id: str) -> dict[str, object]:
    return {"id": event_id, "type": "page_view", "anonymous_id": f"v-{event_id.rsplit('-', 1)[0]}",
            "properties": {"path": f"/pricing/{event_id}"}}


def send(connection: http.client.HTTPConnection, token: str, ids: list[str]) -> tuple[int, dict]:
    body = json.dumps({"events": [event(i) for i in ids]})
    connection.request("POST", "/api/v1/events", body=body,
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    payload = response.read()
    return response.status, json.loads(payload) if payload else {}


def ingest(base: str, token: str, ids: list[str]) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=30)
    try:
        status, answer = send(connection, token, ids)
    finally:
        connection.close()
    assert status == 202, answer
    assert answer["rejected"] == [], answer
    return answer


@dataclass
class Stream:
    """What the clients sent and what the server acknowledged (a 202 counting every event)."""
    sent: set[str] = field(default_factory=set)
    acknowledged: set[str] = field(default_factory=set)
    cut: int = 0  # requests that got no answer (the connection died)
    failed: int = 0  # requests answered 5xx: not acknowledged, to be sent again like the cut ones
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(number: int, port: int, token: str, stream: Stream, stop: threading.Event) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sequence = 0
    try:
        while not stop.is_set():
            size = 1 + sequence % 5
            ids = [f"client{number}-{sequence + k}" for k in range(size)]
            sequence += size
            with stream.lock:
                stream.sent.update(ids)
            try:
                status, answer = send(connection, token, ids)
            except (OSError, http.client.HTTPException):
                with stream.lock:
                    stream.cut += 1
                return  # the server is gone
            with stream.lock:
                if status == 202 and answer.get("rejected") == [] and answer["accepted"] + answer["duplicates"] == len(ids):
                    stream.acknowledged.update(ids)
                    if answer["duplicates"]:
                        stream.unexpected.append(f"fresh ids {ids} answered as duplicates: {answer}")
                elif status >= 500:
                    stream.failed += 1
                else:
                    stream.unexpected.append(f"{status} for {ids}: {answer}")
                    return
    finally:
        connection.close()


def stored_ids(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("SELECT external_id FROM events")]


def test_every_acknowledged_event_survives_a_server_killed_while_clients_stream_events(
        env: dict[str, str], tmp_path: Path, servers: list[Server]) -> None:
    database = Path(env["SQLITE_PATH"])
    port = free_port()
    servers.append(Server(env, port, tmp_path / "serve.log"))
    token = api_token(servers[0].base)

    stream, stop = Stream(), threading.Event()
    clients = [threading.Thread(target=client, args=(n, port, token, stream, stop), daemon=True) for n in range(CLIENTS)]
    for thread in clients:
        thread.start()
    time.sleep(STREAM_SECONDS)
    servers[0].kill()
    stop.set()
    for thread in clients:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a client kept waiting for a killed server"

    assert stream.unexpected == []
    assert len(stream.acknowledged) > 100, f"only {len(stream.acknowledged)} events were acknowledged before the kill"
    assert stream.cut > 0, "no client was streaming when the server was killed"

    servers.append(Server(env, port, tmp_path / "serve.log"))
    stored = stored_ids(database)
    lost = stream.acknowledged - set(stored)
    assert not lost, f"{len(lost)} of {len(stream.acknowledged)} acknowledged events were lost, e.g. {sorted(lost)[:10]}"
    twice = sorted(i for i, copies in Counter(stored).items() if copies > 1)
    assert twice == [], f"events stored more than once: {twice[:10]}"
    assert set(stored) <= stream.sent, "the server stored events nobody sent"

    # A client that replays what was acknowledged gets duplicates, and nothing is stored again.
    replayed = sorted(stream.acknowledged)[:: max(1, len(stream.acknowledged) // 50)][:50]
    answer = ingest(servers[1].base, token, replayed)
    assert (answer["accepted"], answer["duplicates"]) == (0, len(replayed))

    # A client that sends again what was not acknowledged (cut by the kill, or answered 5xx) has
    # each event stored once, whatever the kill had kept of it.
    unanswered = sorted(stream.sent - stream.acknowledged)
    kept = set(stored) & set(unanswered)
    answer = ingest(servers[1].base, token, unanswered)
    assert (answer["accepted"], answer["duplicates"]) == (len(unanswered) - len(kept), len(kept))
    stored = stored_ids(database)
    assert len(stored) == len(set(stored)) == len(stream.sent)
