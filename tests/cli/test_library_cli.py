"""`k2desk library ...`: output shapes and exit codes (0 ok, 1 failed check, 2 refused)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from k2desk.cli import main
from k2desk.paths import db_path
from k2desk.services import library as svc

FIXTURE_LIBRARY = Path(__file__).parent.parent / "library" / "data" / "good"


@pytest.fixture
def evidence_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    dest = tmp_path / "shipped-evidence"
    shutil.copytree(FIXTURE_LIBRARY, dest)
    monkeypatch.setattr(svc, "EVIDENCE_FOLDER", dest)
    return dest


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_and_filters(capsys: pytest.CaptureFixture[str], evidence_dir: Path) -> None:
    code, out, err = run(capsys, "library", "list", "--json")
    assert code == 0 and err == ""
    rows = {r["id"]: r for r in json.loads(out)}
    assert len(rows) == 7
    assert rows["liver-old-review"]["status"] == "expired" and rows["liver-old-review"]["usable"] is False
    assert rows["liver-hcc-habu-2004"]["evidence_label"] == "A clinical trial in people"
    code, out, _ = run(capsys, "library", "list", "--topic", "liver-cancer", "--status", "rejected")
    assert code == 0
    assert "liver-hr-0044" in out and "liver-hcc-habu-2004" not in out
    code, out, err = run(capsys, "library", "list", "--status", "approved")
    assert code == 2 and out == ""
    assert err.startswith("k2desk: status: 'approved' is not a status")


def test_show_text_and_json(capsys: pytest.CaptureFixture[str], evidence_dir: Path) -> None:
    code, out, _ = run(capsys, "library", "show", "liver-hcc-habu-2004")
    assert code == 0
    assert "Evidence: A clinical trial in people (rct)" in out
    assert "Reading grade:" in out and "Pharmacist note: Women with viral cirrhosis" in out
    assert "Habu D, Shiomi S, Tamori A, et al." in out and "doi:10.1001/jama.292.3.358" in out
    assert "PMID: 15265851" in out and "Why: vetted in the shipped library" in out
    code, out, _ = run(capsys, "library", "show", "liver-hcc-habu-2004", "--json")
    data = json.loads(out)
    assert data["id"] == "liver-hcc-habu-2004"
    [cit] = data["citations"]
    assert (cit["authors"], cit["journal"], cit["year"], cit["doi"], cit["pmid"]) == (
        "Habu D, Shiomi S, Tamori A, et al.", "JAMA", 2004, "10.1001/jama.292.3.358", "15265851")
    assert isinstance(data["reading_grade"], float)
    code, out, err = run(capsys, "library", "show", "nope")
    assert code == 2 and out == "" and "no evidence snippet with id 'nope'" in err


def test_vet_reject_retire(capsys: pytest.CaptureFixture[str], evidence_dir: Path, data_dir: Path) -> None:
    code, out, _ = run(capsys, "library", "vet", "liver-draft", "--by", "Jane RPh")
    assert code == 0 and out == "liver-draft version 1: vetted by Jane RPh\n"
    code, out, _ = run(capsys, "library", "reject", "what-k2-forms", "--by", "Jane", "--reason", "vague")
    assert code == 0
    code, out, _ = run(capsys, "library", "retire", "dose-mk4-45", "--by", "Jane", "--reason", "old")
    assert code == 0
    code, out, _ = run(capsys, "library", "list", "--json")
    status = {r["id"]: r["status"] for r in json.loads(out)}
    assert (status["liver-draft"], status["what-k2-forms"], status["dose-mk4-45"]) == (
        "vetted", "rejected", "retired")
    code, out, err = run(capsys, "library", "reject", "liver-draft", "--by", "Jane", "--reason", " ")
    assert code == 2 and err.startswith("k2desk: reason: The reason is required")
    with pytest.raises(SystemExit) as exit_info:
        main(["library", "reject", "liver-draft", "--by", "Jane"])
    assert exit_info.value.code == 2 and "--reason" in capsys.readouterr().err
    conn = sqlite3.connect(db_path(data_dir))
    assert conn.execute("SELECT count(*) FROM snippet_state").fetchone()[0] == 3
    conn.close()


def test_validate_exit_codes(capsys: pytest.CaptureFixture[str], evidence_dir: Path) -> None:
    code, out, err = run(capsys, "library", "validate")
    assert code == 0 and out.startswith("7 snippets (4 vetted), 3 citations: ok\n")
    # the interaction table's unconfirmed names are listed (they still match)
    assert "interaction table version 3: " in out and "unverified entries" in out
    assert "agent 'warfarin' (major): name 'Kovar' unverified: " in out
    assert "agent 'clorindione' (major): unverified: " in out
    assert "name 'Coumadin'" not in out
    code, out, _ = run(capsys, "library", "validate", str(evidence_dir))
    assert code == 0
    path = evidence_dir / "dosing.toml"
    path.write_text(path.read_text().replace('status = "vetted"', 'status = "approved"'))
    code, out, err = run(capsys, "library", "validate", str(evidence_dir))
    assert code == 1 and out == ""
    assert "k2desk: dosing.toml: snippet 'dose-mk4-45': field 'status': 'approved' is not one of" in err
    assert "1 problem in" in err
    # the broken library is not used: listing fails with a message, not a traceback
    code, out, err = run(capsys, "library", "list")
    assert code == 1 and "Traceback" not in err and "library validate" in err


def test_export_import_and_conflict(capsys: pytest.CaptureFixture[str], evidence_dir: Path,
                                    tmp_path: Path) -> None:
    path = tmp_path / "shared.json"
    code, out, _ = run(capsys, "library", "export", "-o", str(path))
    assert code == 0 and out == f"Exported 7 snippets to {path}\n"
    data = json.loads(path.read_text())
    other_dir = str(tmp_path / "other")
    code, out, _ = run(capsys, "--data-dir", other_dir, "library", "import", str(path))
    assert code == 0 and out.endswith("0 added, 0 updated, 0 skipped, 7 unchanged\n")
    new = dict(data["snippets"][0], id="shared-new-snippet")
    data["snippets"].append(new)
    path.write_text(json.dumps(data))
    code, out, _ = run(capsys, "--data-dir", other_dir, "library", "import", str(path))
    assert code == 0
    assert "added: shared-new-snippet: new snippet, added as draft" in out
    assert "1 added, 0 updated, 0 skipped, 7 unchanged" in out
    data["snippets"][0]["text"]["en"] = "Changed without a new version."
    path.write_text(json.dumps(data))
    before = list(sqlite3.connect(db_path(Path(other_dir))).iterdump())
    code, out, err = run(capsys, "--data-dir", other_dir, "library", "import", str(path))
    assert code == 2 and out == ""
    assert err.startswith("k2desk: snippet what-k2-forms: version 1 in the file has different content")
    assert list(sqlite3.connect(db_path(Path(other_dir))).iterdump()) == before
    path.write_text("not json")
    code, _, err = run(capsys, "library", "import", str(path))
    assert code == 2 and "not valid JSON" in err


def test_due(capsys: pytest.CaptureFixture[str], evidence_dir: Path) -> None:
    code, out, _ = run(capsys, "library", "due", "--json")
    assert code == 0
    assert [r["id"] for r in json.loads(out)] == ["liver-old-review"]
    code, out, err = run(capsys, "library", "due", "--days", "-5")
    assert code == 2 and "days" in err


def test_shipped_library_validates_from_the_command_line(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "k2desk", "library", "validate"], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "citations: ok\n" in proc.stdout
