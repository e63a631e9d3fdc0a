"""Command-line tests: the `smarketing` executable run as a user runs it, on a fresh SQLite file.

An import killed with SIGKILL in the middle (no chance to clean up) is resumed with `--resume` and
ends with every row stored exactly once: batches are committed with the import's progress in the
same transaction, so the resume starts after the last committed row.
"""

from __future__ import annotations

import csv
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BIN, demo_environment

ROWS = 30_000


@pytest.fixture()
def env(tmp_path: Path) -> dict[str, str]:
    return demo_environment(tmp_path, "kill", "kill-password-1", "kill.test")


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["First Name", "Last Name", "Email", "Job Title", "Company", "Country"])
        for i in range(rows):
            writer.writerow([f"Pessoa{i}", "Souza", f"pessoa{i}@cliente{i % 300}.com.br", "Analista", f"Cliente {i % 300}", "BR"])


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchone()[0]


def test_an_import_killed_mid_way_resumes_without_duplicates(env: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "leads.csv"
    write_csv(source, ROWS)
    database = Path(env["SQLITE_PATH"])
    companies_before = count(database, "SELECT COUNT(*) FROM companies")

    process = subprocess.Popen([BIN, "import", str(source), "--as", "admin@kill.test"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    import_id = None
    committed = 0
    deadline = time.monotonic() + 300
    assert process.stdout is not None
    for line in process.stdout:
        if match := re.search(r"Import ([0-9a-f-]{36})", line):
            import_id = match.group(1)
        if match := re.search(r"(\d+)/(\d+) rows", line):
            committed = int(match.group(1))
        if import_id and committed >= 4000:
            break
        assert time.monotonic() < deadline, "the import made no progress"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert import_id, "the import never printed its id"

    stored_after_kill = count(database, "SELECT COUNT(*) FROM contacts")
    assert 0 < stored_after_kill < ROWS, f"expected a partial import, found {stored_after_kill} contacts"

    resumed = subprocess.run([BIN, "import", str(source), "--as", "admin@kill.test", "--resume", import_id],
                             env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "Resuming after row" in resumed.stdout

    assert count(database, "SELECT COUNT(*) FROM contacts") == ROWS
    assert count(database, "SELECT COUNT(DISTINCT email) FROM contacts") == ROWS
    assert count(database, "SELECT COUNT(*) FROM record_changes WHERE record_type = 'contact' AND kind = 'created'") == ROWS
    assert count(database, "SELECT COUNT(*) FROM companies") == companies_before + 300
    with sqlite3.connect(database) as connection:
        status, processed, created = connection.execute(
            "SELECT status, processed_rows, created_count FROM imports WHERE LOWER(id) = ?", (import_id,)).fetchone()
    assert status == "completed"
    assert processed == ROWS
    assert created == ROWS


def test_a_file_that_is_not_csv_is_refused_with_a_clear_message(env: dict[str, str], tmp_path: Path) -> None:
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 64)
    result = subprocess.run([BIN, "import", str(binary), "--as", "admin@kill.test"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "is not a CSV file" in (result.stdout + result.stderr)
    assert count(Path(env["SQLITE_PATH"]), "SELECT COUNT(*) FROM contacts") == 0


def test_a_second_file_with_the_same_headers_is_imported_with_the_mapping_saved_by_the_first(
        env: dict[str, str], tmp_path: Path) -> None:
    first = tmp_path / "fair-2026.csv"
    first.write_text("Email,Nickname,Notes\nana@fair.test,Aninha,met at the stand\n", encoding="utf-8")
    result = subprocess.run([BIN, "import", str(first), "--as", "admin@kill.test", "--ignore", "Notes"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr

    second = tmp_path / "fair-2027.csv"
    second.write_text("Email,Nickname,Notes\nbia@fair.test,Bibi,asked for a demo\n", encoding="utf-8")
    result = subprocess.run([BIN, "import", str(second), "--as", "admin@kill.test"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "saved mapping" in result.stdout
    assert "Notes -> (ignored)" in result.stdout

    database = Path(env["SQLITE_PATH"])
    assert count(database, "SELECT COUNT(*) FROM custom_field_definitions WHERE key = 'notes'") == 0
    assert count(database, "SELECT COUNT(*) FROM custom_field_definitions WHERE key = 'nickname'") == 1
    assert count(database, "SELECT COUNT(*) FROM contacts WHERE email IN ('ana@fair.test', 'bia@fair.test')") == 2
