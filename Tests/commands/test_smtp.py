"""The SMTP transport against a real SMTP server: aiosmtpd on 127.0.0.1, which requires STARTTLS
(a self-signed certificate made for the test, trusted through SMTP_CA_FILE) and AUTH with one
user and password. `smarketing send-test-mail` sends a message through it; the message the server
received is read with Python's own `email` parser (policy=default) and its headers, its encoded
words and its MIME structure are checked. A wrong password fails the message for good, naming
authentication; a server answering 4xx leaves it queued to be tried again.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import sqlite3
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

from conftest import BIN, demo_environment  # noqa: E402

PASSWORD = "smtp-demo-password-1"
DOMAIN = "smtp.test"
WORKSPACE = "Demo: Acme Software"
SMTP_USER = "mailer"
SMTP_PASSWORD = "s3cret-mailer"
SUBJECT = "Olá, João — seu relatório"
RECIPIENT = "João Silva <joao@cliente.com.br>"
SENDER = "Equipe Acme <equipe@acme.com.br>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    tls: bool
    authenticated: bool


@dataclass
class Handler:
    """Keeps what the server received; answers DATA with `answer`."""

    answer: str = "250 2.0.0 Message accepted for delivery"
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.answer.startswith("250"):
            with self.lock:
                self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content,
                                              session.ssl is not None, bool(session.authenticated)))
        return self.answer


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> Path:
    """A self-signed certificate for 127.0.0.1, made with openssl for this run."""
    folder = tmp_path_factory.mktemp("smtp-cert")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(folder / "key.pem"),
                    "-out", str(folder / "cert.pem"), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True, timeout=60)
    return folder


@dataclass
class SMTPServer:
    port: int
    handler: Handler


@pytest.fixture()
def smtp_server(certificate: Path, request) -> Iterator[SMTPServer]:
    options = getattr(request, "param", {})
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    handler = Handler(answer=options.get("answer", Handler.answer))
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            authenticator=authenticator, auth_required=True, auth_require_tls=True,
                            auth_exclude_mechanism=options.get("exclude", []))
    controller.start()
    try:
        yield SMTPServer(port, handler)
    finally:
        controller.stop()


@pytest.fixture()
def env(tmp_path: Path, certificate: Path) -> dict[str, str]:
    environment = demo_environment(tmp_path, "smtp", PASSWORD, DOMAIN)
    # The recipient is a contact, so the message carries its signed one-click unsubscribe link.
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("email,first_name,last_name\njoao@cliente.com.br,João,Silva\n", encoding="utf-8")
    subprocess.run([BIN, "import", str(contacts), "--as", f"admin@{DOMAIN}"], env=environment, check=True, capture_output=True, timeout=120)
    environment.update({
        "MAIL_TRANSPORT": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_USERNAME": SMTP_USER, "SMTP_PASSWORD": SMTP_PASSWORD,
        "SMTP_STARTTLS": "required", "SMTP_CA_FILE": str(certificate / "cert.pem"), "SMTP_TIMEOUT": "10", "MAIL_FROM": SENDER,
        "PUBLIC_URL": "https://app.acme.com.br",
    })
    return environment


def send_test_mail(env: dict[str, str], port: int, **overrides: str) -> subprocess.CompletedProcess:
    environment = dict(env, SMTP_PORT=str(port), **overrides)
    assert BIN is not None
    return subprocess.run([BIN, "send-test-mail", "--workspace", WORKSPACE, "--to", RECIPIENT, "--subject", SUBJECT],
                          env=environment, capture_output=True, text=True, timeout=120)


def outbox_rows(env: dict[str, str]) -> list[sqlite3.Row]:
    with sqlite3.connect(env["SQLITE_PATH"]) as db:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT * FROM outbox_messages ORDER BY created_at").fetchall()


def test_a_test_message_goes_through_starttls_and_auth_and_reads_back_whole(env: dict[str, str], smtp_server: SMTPServer) -> None:
    started = datetime.now(timezone.utc)
    result = send_test_mail(env, smtp_server.port)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Sent: the server answered 250" in result.stdout

    assert len(smtp_server.handler.received) == 1
    received = smtp_server.handler.received[0]
    assert received.tls and received.authenticated
    assert received.mail_from == "equipe@acme.com.br"
    assert received.rcpt_tos == ["joao@cliente.com.br"]
    assert b"\r\n" in received.content and all(byte < 0x80 for byte in received.content), "CRLF and ASCII only"

    message = email.message_from_bytes(received.content, policy=email.policy.default)
    assert str(message["Subject"]) == SUBJECT
    assert message["From"].addresses[0].display_name == "Equipe Acme"
    assert message["From"].addresses[0].addr_spec == "equipe@acme.com.br"
    assert message["To"].addresses[0].display_name == "João Silva"
    assert message["To"].addresses[0].addr_spec == "joao@cliente.com.br"
    assert re.fullmatch(r"<[0-9a-f-]{36}@acme\.com\.br>", str(message["Message-ID"])), message["Message-ID"]
    sent_at = message["Date"].datetime
    assert sent_at.tzinfo is not None and abs(sent_at - started) < timedelta(minutes=2)
    unsubscribe = str(message["List-Unsubscribe"])
    assert re.fullmatch(r"<https://app\.acme\.com\.br/e/u/[A-Za-z0-9_-]+>", unsubscribe), unsubscribe
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert message["MIME-Version"] == "1.0"
    assert not message.defects, message.defects

    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    for part in parts:
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        assert not part.defects, part.defects
    # A decoded quoted-printable body keeps the message's CRLF line ends.
    text, html = parts[0].get_content().replace("\r\n", "\n"), parts[1].get_content()
    assert text.startswith("Olá, João Silva!\n"), text
    assert "Demo: Acme Software" in text
    assert "<p>Olá, João Silva!</p>" in html
    head, _, body = received.content.partition(b"\r\n\r\n")
    for raw_line in head.split(b"\r\n"):
        # Only the unsubscribe link, one long word, may pass 78 characters (RFC 5322 allows 998).
        assert len(raw_line) <= 78 or raw_line.startswith(b"List-Unsubscribe:") or b"/e/u/" in raw_line, raw_line
    for raw_line in body.split(b"\r\n"):
        assert len(raw_line) <= 76, raw_line

    [row] = outbox_rows(env)
    assert row["status"] == "sent"
    assert row["attempts"] == 1
    assert row["delivery_note"].startswith("250")
    assert row["last_error"] is None
    assert f"<{row['message_id']}>" == str(message["Message-ID"])


@pytest.mark.parametrize("smtp_server", [{"exclude": ["PLAIN"]}], indirect=True)
def test_a_server_that_offers_only_auth_login_is_logged_in_with_login(env: dict[str, str], smtp_server: SMTPServer) -> None:
    result = send_test_mail(env, smtp_server.port)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(smtp_server.handler.received) == 1 and smtp_server.handler.received[0].authenticated


def test_a_wrong_password_fails_the_message_for_good_naming_authentication(env: dict[str, str], smtp_server: SMTPServer) -> None:
    result = send_test_mail(env, smtp_server.port, SMTP_PASSWORD="not-the-password")
    assert result.returncode != 0
    assert "authentication" in (result.stdout + result.stderr)
    assert smtp_server.handler.received == []
    [row] = outbox_rows(env)
    assert row["status"] == "failed"
    assert "authentication" in row["last_error"] and "535" in row["last_error"], row["last_error"]


@pytest.mark.parametrize("smtp_server", [{"answer": "451 4.3.0 Mailbox busy, try again later"}], indirect=True)
def test_a_server_answering_4xx_leaves_the_message_queued_to_retry(env: dict[str, str], smtp_server: SMTPServer) -> None:
    result = send_test_mail(env, smtp_server.port)
    assert result.returncode != 0
    assert "tried again" in (result.stdout + result.stderr)
    [row] = outbox_rows(env)
    assert row["status"] == "queued"
    assert row["attempts"] == 1
    assert "451" in row["last_error"], row["last_error"]


def test_starttls_with_an_untrusted_certificate_is_refused(env: dict[str, str], smtp_server: SMTPServer) -> None:
    environment = dict(env)
    environment.pop("SMTP_CA_FILE")
    result = send_test_mail(environment, smtp_server.port)
    assert result.returncode != 0
    assert smtp_server.handler.received == []
    [row] = outbox_rows(env)
    assert row["status"] == "failed"
    assert "TLS" in row["last_error"], row["last_error"]


def test_bad_mail_settings_stop_the_command_naming_the_variable(env: dict[str, str]) -> None:
    assert BIN is not None
    result = subprocess.run([BIN, "send-test-mail", "--workspace", WORKSPACE, "--to", RECIPIENT],
                            env=dict(env, SMTP_PORT="not-a-port"), capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SMTP_PORT" in result.stderr
    assert "configuration error" in result.stderr
