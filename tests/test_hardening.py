"""What a spreadsheet, a broken export or a full disk produces: a clean load or the contract's error
naming the file, never a traceback and never a run folder; and no personal data left at rest."""

from __future__ import annotations

import errno
import gzip
import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playbook import SAMPLES_DIR
from playbook.data import DataError, load_dataset
from playbook.data.contract import TABLES
from playbook.data.notes import Note
from playbook.runner.cli import main
from playbook.views.notes import note_text
from tests.conftest import tiny_tables, write_tables
from tests.test_cli import earlier_run, folder_digest

FILE_TABLES = list(tiny_tables())


def load_outcome(folder: Path, file: str) -> str:
    """'ok' for a clean load, else the contract's error, which must name the file."""
    try:
        load_dataset(folder)
    except DataError as exc:
        message = str(exc)
        assert file in message, message
        return message
    return "ok"


def company_with(tmp: Path, table: str, content: bytes, suffix: str = ".csv") -> Path:
    """The tiny company with one table's file replaced by `content`."""
    folder = write_tables(tmp, {k: v for k, v in tiny_tables().items() if k != table})
    for old in folder.glob(f"{table}.*"):
        old.unlink()
    (folder / f"{table}{suffix}").write_bytes(content)
    return folder


# ---------------------------------------------------------------------------------------------
# Fuzzed: arbitrary bytes, encodings, headers and values in every table


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]
WEIRD_VALUES = [
    "",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "1e309",
    "-0",
    "1900-01-01",
    "2200-12-31",
    "0000-00-00",
    "2026-02-30",
    "12/31/2026",
    "2026-09-30T10:00:00+02:00",
    "2026-09-30 10:00:00",
    "NULL",
    "N/A",
    '=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "Zoë Ñúñez",
    "😀",
    "\x00",
    "1,5",
    "1.234,5",
    "999999999999999999999999",
    "true",
    " ",
]


@FUZZ
@given(table=st.sampled_from(FILE_TABLES), content=st.binary(max_size=600))
def test_arbitrary_bytes_load_or_name_the_file(table, content):
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".csv", ".parquet", ".xlsx"):
            load_outcome(company_with(Path(tmp) / suffix[1:], table, content, suffix), f"{table}{suffix}")


@FUZZ
@given(
    table=st.sampled_from(FILE_TABLES),
    cells=st.lists(
        st.tuples(
            st.integers(0, 30), st.integers(0, 8), st.sampled_from(WEIRD_VALUES) | st.text(max_size=12)
        ),
        max_size=6,
    ),
    header=st.sampled_from(["keep", "duplicate", "renamed", "blank", "extra"]),
    encoding=st.sampled_from(ENCODINGS),
)
def test_hostile_values_headers_and_encodings_load_or_name_the_file(table, cells, header, encoding):
    frame = tiny_tables()[table].astype(object)
    for row, col, value in cells:
        frame.iat[row % len(frame), col % frame.shape[1]] = value
    columns = list(frame.columns)
    if header == "duplicate":
        columns[-1] = columns[0]
    elif header == "renamed":
        columns[0] = columns[0].upper() + " "
    elif header == "blank":
        columns[-1] = ""
    elif header == "extra":
        frame["Unnamed: 9"] = "x"
        columns.append("")
    text = frame.to_csv(index=False, header=columns)
    try:
        content = text.encode(encoding)
    except UnicodeEncodeError:
        content = text.encode(encoding, errors="replace")
    with tempfile.TemporaryDirectory() as tmp:
        load_outcome(company_with(Path(tmp), table, content), f"{table}.csv")


# ---------------------------------------------------------------------------------------------
# Explicit cases: what spreadsheets and broken exports produce


def test_a_windows_excel_csv_is_decoded_and_the_choice_is_said(tmp_path, capsys):
    accounts = tiny_tables()["accounts"]
    accounts.loc[0, "account_name"] = "Café Müller Ñandú"
    folder = write_tables(tmp_path / "co", {**tiny_tables(), "accounts": accounts})
    (folder / "accounts.csv").write_bytes(accounts.to_csv(index=False).encode("cp1252"))
    data = load_dataset(folder)
    assert data.accounts.loc[0, "account_name"] == "Café Müller Ñandú"
    assert data.decoded == (Note("decoded_as", file="accounts.csv", encoding="cp1252", declared=False),)
    assert note_text(data.decoded[0]) == (
        "accounts.csv was read as cp1252 (detected: it is not UTF-8); if its accents look wrong, declare "
        "its encoding in columns.yaml (csv: {encoding: ...})"
    )
    assert main(["validate", "--data", str(folder)]) == 0
    assert "accounts.csv was read as cp1252" in capsys.readouterr().out


def test_a_declared_latin1_encoding_is_used(tmp_path):
    accounts = tiny_tables()["accounts"]
    accounts.loc[0, "account_name"] = "Ørsted Å/S"
    folder = write_tables(tmp_path / "co", {**tiny_tables(), "accounts": accounts})
    (folder / "accounts.csv").write_bytes(accounts.to_csv(index=False).encode("latin-1"))
    (folder / "columns.yaml").write_text("accounts:\n  csv: {encoding: latin-1}\n")
    data = load_dataset(folder)
    assert data.accounts.loc[0, "account_name"] == "Ørsted Å/S"
    assert "as declared in columns.yaml" in note_text(data.decoded[0])


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "case",
    [
        "truncated parquet",
        "corrupt parquet",
        "duplicate columns",
        "nan and inf money",
        "one 10 MB line",
        "empty",
    ],
)
def test_broken_files_name_the_file(tmp_path, case):
    arr = tiny_tables()["arr_monthly"]
    if case == "truncated parquet":
        content, suffix = parquet_bytes(arr)[:-200], ".parquet"
    elif case == "corrupt parquet":
        raw = bytearray(parquet_bytes(arr))
        raw[100:400] = b"\xff" * 300
        content, suffix = bytes(raw), ".parquet"
    elif case == "duplicate columns":
        content, suffix = arr.to_csv(index=False).replace("new_arr", "arr", 1).encode(), ".csv"
    elif case == "nan and inf money":
        money = arr.astype({"arr": object})
        money.loc[3, "arr"], money.loc[5, "arr"] = "NaN", "inf"
        content, suffix = money.to_csv(index=False).encode(), ".csv"
    elif case == "one 10 MB line":
        content, suffix = ("month,arr," + "x" * 10_000_000 + "\n2024-01,1\n").encode(), ".csv"
    else:
        content, suffix = b"", ".csv"
    message = load_outcome(company_with(tmp_path, "arr_monthly", content, suffix), f"arr_monthly{suffix}")
    assert message != "ok"
    if case == "nan and inf money":
        assert "line 5" in message and "line 7" in message


def test_a_gzip_cut_short_names_the_import(tmp_path):
    from playbook.imports.vendors import ImportOptions, run_import

    event = b'{"user_id": "u%d", "event_type": "x", "event_time": "2026-09-01 10:00:00", "groups": {}}\n'
    lines = b"".join(event % i for i in range(2000))
    whole = gzip.compress(lines)
    cut = tmp_path / "export.json.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataError) as err:
        run_import("amplitude", [cut], tmp_path / "out", ImportOptions())
    assert "export.json.gz" in str(err.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.parquet"))


def test_an_aware_timestamp_among_naive_dates_is_read_in_utc(tmp_path):
    opportunities = tiny_tables()["opportunities"].astype(object)
    opportunities.loc[0, "opened_at"] = "2024-03-01T23:30:00-02:00"  # 2024-03-02 01:30 UTC
    folder = write_tables(tmp_path / "co", {**tiny_tables(), "opportunities": opportunities})
    data = load_dataset(folder)
    assert data.opportunities["opened_at"].dt.tz is None
    assert data.opportunities.loc[0, "opened_at"] == pd.Timestamp("2024-03-02")
    assert data.opportunities.loc[1, "opened_at"] == pd.Timestamp("2024-06-01")


@pytest.mark.parametrize("value, ok", [("1900-01-01", True), ("2200-12-31", False), ("0001-01-01", False)])
def test_dates_far_in_the_past_or_future(tmp_path, value, ok):
    accounts = tiny_tables()["accounts"].astype(object)
    accounts.loc[0, "created_at"] = value
    folder = write_tables(tmp_path / "co", {**tiny_tables(), "accounts": accounts})
    outcome = load_outcome(folder, "accounts.csv")
    if ok:
        assert outcome == "ok"
    else:
        assert "column 'created_at': must be a date between 1900 and 2199 — line 2" in outcome


# ---------------------------------------------------------------------------------------------
# Full disks and unwritable outputs


def _mount(target: Path, options: str) -> bool:
    """A small tmpfs at `target` (root with the right to mount only); False when not possible."""
    target.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True)
    return done.returncode == 0


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


def test_a_full_disk_is_a_clear_error_and_leaves_no_partial_folder(tmp_path, capsys, monkeypatch):
    out = tmp_path / "small"
    mounted = _mount(out, "size=1m")
    try:
        earlier, before = earlier_run(out)
        if mounted:  # leave 48 kB: the run's first files fit, its notebooks and pages do not
            free = os.statvfs(out).f_bavail * os.statvfs(out).f_frsize
            (earlier / "filler").write_bytes(b"\0" * (free - 48 * 1024))
            before = folder_digest(earlier)
        if not mounted:  # no small disk to fill here: the disk says it is full when index.html is written
            write_text = Path.write_text

            def full(self, *args, **kwargs):
                if self.name == "index.html":
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
                return write_text(self, *args, **kwargs)

            monkeypatch.setattr(Path, "write_text", full)
        code = main(["run", "--only", "timing", "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 1, err
        assert "the disk is full" in err and str(out) in err, err
        assert "Traceback" not in err
        assert sorted(p.name for p in out.iterdir()) == ["run-001-ready"]
        assert folder_digest(earlier) == before
    finally:
        if mounted:
            _umount(out)


def test_a_read_only_output_is_a_clear_error(tmp_path, capsys, monkeypatch):
    out = tmp_path / "readonly"
    seed = tmp_path / "seed"
    earlier, before = earlier_run(seed)
    mounted = _mount(out, "ro,size=1m")
    try:
        if mounted:
            expected = "read-only file system"
        elif os.geteuid() != 0:
            shutil.copytree(seed, out, dirs_exist_ok=True)
            out.chmod(0o555)
            expected = "permission denied"
        else:  # root without the right to mount: the file system refuses as a read-only one would
            shutil.copytree(seed, out, dirs_exist_ok=True)

            def refuse(*_args, **_kwargs):
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(out))

            monkeypatch.setattr(tempfile, "mkdtemp", refuse)
            expected = "read-only file system"
        before_out = folder_digest(out)
        code = main(["run", "--only", "timing", "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 1, err
        assert expected in err and str(out) in err, err
        assert "Traceback" not in err
        assert folder_digest(out) == before_out
    finally:
        if mounted:
            _umount(out)
        out.chmod(0o755)
    assert folder_digest(earlier) == before


# ---------------------------------------------------------------------------------------------
# No personal data at rest


PEOPLE = ["Priya Raman", "Tomás Ortega", "Hannah Becker", "Kwame Mensah"]


@pytest.fixture(scope="module")
def company_with_people(tmp_path_factory) -> Path:
    """The `ready` sample whose interviewers carry people's names."""
    folder = tmp_path_factory.mktemp("people") / "ready"
    shutil.copytree(SAMPLES_DIR / "ready", folder)
    scores = pd.read_csv(folder / "interview_scores.csv")
    roles = sorted(scores["interviewer"].unique())
    scores["interviewer"] = scores["interviewer"].map(dict(zip(roles, PEOPLE[: len(roles)], strict=False)))
    assert scores["interviewer"].notna().all()
    scores.to_csv(folder / "interview_scores.csv", index=False)
    return folder


EMAIL = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def people_in_run(company: Path, out: Path, *args: str) -> list[tuple[str, str]]:
    """Run on `company`; every (file, email or name from the input) found in any file of the run."""
    emails = set(pd.read_parquet(company / "users.parquet")["email"].dropna())
    names = sorted(set(pd.read_csv(company / "interview_scores.csv")["interviewer"]))
    names += pd.read_csv(company / "leader_candidates.csv")["name"].tolist()
    assert main(["run", "--data", str(company), "--out", str(out), *args]) == 0
    (run,) = out.glob("run-*")
    found = []
    for path in (p for p in run.rglob("*") if p.is_file()):
        content = path.read_bytes()
        text = content.decode("utf-8", errors="replace")
        found += [(path.name, m.decode()) for m in EMAIL.findall(content) if m.decode() in emails]
        found += [
            (path.name, name) for name in names if name in text or name.encode("unicode_escape") in content
        ]
    return found


def test_no_file_of_a_run_holds_an_email_or_a_persons_name(company_with_people, tmp_path):
    found = people_in_run(company_with_people, tmp_path / "out")
    (run,) = (tmp_path / "out").glob("run-*")
    files = {p.name for p in run.iterdir()}
    assert files >= {
        "index.html",
        "summary.json",
        "ready_accounts.csv",
        "04_leaders.ipynb",
        "02_penetration.html",
    }
    assert not found, found[:10]


def test_the_scan_finds_people_when_they_are_shown(company_with_people, tmp_path):
    """The negative control: with show_pii on, the same scan finds the names and addresses."""
    params = tmp_path / "pii.yaml"
    params.write_text("show_pii: true\n")
    found = people_in_run(
        company_with_people,
        tmp_path / "out",
        "--params",
        str(params),
        "--only",
        "leaders",
        "--only",
        "penetration",
    )
    shown = {what for _, what in found}
    assert set(PEOPLE) & shown and any("@" in what for what in shown), sorted(shown)[:10]


def test_nan_money_never_reaches_the_board(tmp_path):
    """NaN and inf are refused where money is read, so no result can carry them."""
    arr = tiny_tables()["arr_monthly"].astype({"arr": float})
    arr.loc[2, "arr"] = np.inf
    folder = company_with(tmp_path, "arr_monthly", parquet_bytes(arr), ".parquet")
    assert "arr_monthly.parquet" in load_outcome(folder, "arr_monthly.parquet")


def test_every_table_is_fuzzed():
    assert set(FILE_TABLES) <= set(TABLES)


@FUZZ
@given(content=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".parquet"]))
def test_arbitrary_event_files_load_or_name_the_file(content, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_tables(Path(tmp), tiny_tables())
        (folder / f"events{suffix}").write_bytes(content)
        load_outcome(folder, f"events{suffix}")


def test_a_truncated_event_parquet_names_the_file(tmp_path):
    events = pd.DataFrame(
        {"user_id": ["u1"] * 50, "account_id": ["A1"] * 50, "occurred_at": pd.Timestamp("2024-06-01")}
    )
    folder = write_tables(tmp_path / "co", tiny_tables())
    (folder / "events.parquet").write_bytes(parquet_bytes(events)[:-100])
    assert "events.parquet: cannot be read as events" in load_outcome(folder, "events.parquet")
