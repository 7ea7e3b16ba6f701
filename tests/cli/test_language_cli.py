"""Issue 25 from the command line: handout create --language names what it leaves out,
library vet --language vets one translation, library translations lists them, library show
prints the English text's SHA-256 a translation must record."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from k2desk import resources
from k2desk.cli import main
from k2desk.services import library as svc

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture
def zorbish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "library"
    shutil.copytree(TESTS / "library" / "data" / "good", dest)
    monkeypatch.setattr(svc, "EVIDENCE_FOLDER", dest)
    monkeypatch.setattr(resources, "EXTRA_RESOURCE_DIRS", [TESTS / "data" / "languages"])


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_handout_in_a_language_from_the_cli(capsys: pytest.CaptureFixture[str], zorbish: None,
                                            tmp_path: Path) -> None:
    for key, value in (("pharmacy.name", "Summit Compounding"), ("pharmacy.phone", "8175550100")):
        assert run(capsys, "settings", "set", key, value)[0] == 0
    code, out, _ = run(capsys, "patient", "add", "--name", "Zora Quill", "--dob", "1950-02-03",
                       "--nkda")
    pid = out.strip()
    assert code == 0
    code, out, _ = run(capsys, "library", "show", "what-k2-forms")
    english = "Vitamin K2 is a form of vitamin K."
    assert "English text SHA-256: cfb99b2194897d2fd75753745db18bb5b895a77c6c46f531de0aee1f4025397b" in out
    assert english in out
    code, out, _ = run(capsys, "library", "translations", "--language", "xx", "--json")
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["what-k2-forms"]["state"] == "prints"
    assert rows["dose-mk4-45"]["state"] == "does not print" and "draft" in rows["dose-mk4-45"]["why"]
    pdf = tmp_path / "xx.pdf"
    code, out, err = run(capsys, "handout", "create", "--patient", pid, "--topic", "what-is-k2",
                         "--topic", "dosing", "--language", "xx", "-o", str(pdf))
    assert code == 0, err
    assert "left out of the Zorbish handout: dose-mk4-45: Zorbish translation draft" in err
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "Zorbish: vitamin K2 zorb" in text and "Trials used 45 mg" not in text
    code, out, err = run(capsys, "library", "vet", "dose-mk4-45", "--language", "xx", "--by", "Dana Lee")
    assert code == 0 and "dose-mk4-45 (xx) translation version 1, for English version 1: vetted" in out
    code, out, err = run(capsys, "handout", "create", "--patient", pid, "--topic", "dosing",
                         "--language", "xx", "-o", str(tmp_path / "xx2.pdf"))
    assert code == 0 and "left out" not in err
    code, out, err = run(capsys, "library", "vet", "liver-draft", "--language", "xx", "--by", "Dana Lee")
    assert code == 2 and "has no Zorbish translation to vet" in err and "Traceback" not in err
    code, out, err = run(capsys, "handout", "create", "--patient", pid, "--topic", "dosing",
                         "--language", "qq", "-o", str(tmp_path / "qq.pdf"))
    assert code == 2 and "no handout template for language 'qq'" in err
