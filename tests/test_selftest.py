"""`k2desk --self-test`: one line and exit 0 in a throw-away data dir, or the failing step named."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from k2desk import selftest
from k2desk.__main__ import _wants_self_test


def _run_in_process(monkeypatch: pytest.MonkeyPatch, steps: tuple[str, ...]) -> tuple[int, str, str]:
    monkeypatch.setattr(selftest, "STEP_NAMES", steps)
    out, err = io.StringIO(), io.StringIO()
    code = selftest.run(out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_self_test_passes_and_leaves_the_pharmacy_data_dir_alone(tmp_path: Path) -> None:
    pharmacy = tmp_path / "pharmacy-data"
    named = tmp_path / "named-data"
    env = dict(os.environ, K2DESK_DATA_DIR=str(pharmacy))
    env.pop("QT_QPA_PLATFORM", None)  # the self-test must choose the offscreen platform itself
    env.pop("K2DESK_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "k2desk", "--data-dir", str(named), "--self-test"],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stdout
    assert lines[0].startswith(f"k2desk self-test passed: {len(selftest.STEP_NAMES)} steps in ")
    for note in ("snippets", "handout D-", "order O-", "fax TIFF", "log ", "window"):
        assert note in lines[0]
    assert proc.stderr == ""
    assert not pharmacy.exists()
    assert not named.exists()


def test_a_failing_step_is_named_with_its_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(run: selftest.SelfTestRun) -> str:
        raise RuntimeError("the printer caught fire")

    monkeypatch.setattr(selftest, "step_add_patient", broken)
    code, out, err = _run_in_process(monkeypatch, ("open_store", "add_patient", "load_library"))
    assert code == 1
    assert out == ""
    assert err == "k2desk self-test FAILED at step 'add_patient': RuntimeError: the printer caught fire\n"
    assert not (tmp_path / "data").exists()  # the test's own K2DESK_DATA_DIR was not used


def test_a_missing_feature_says_not_available(monkeypatch: pytest.MonkeyPatch) -> None:
    def needs_missing(run: selftest.SelfTestRun) -> str:
        selftest.feature("k2desk.services.no_such_feature", "create")
        return "unreachable"

    monkeypatch.setattr(selftest, "step_load_library", needs_missing)
    code, _out, err = _run_in_process(monkeypatch, ("open_store", "load_library"))
    assert code == 1
    assert err.startswith("k2desk self-test FAILED at step 'load_library': not available (")
    assert "k2desk.services.no_such_feature" in err


def test_a_module_with_a_missing_dependency_is_a_failure_not_unavailable(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "k2desk_probe_module.py").write_text("import k2desk_dependency_that_is_not_installed\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        selftest.feature("k2desk_probe_module", "anything")


def test_the_available_steps_pass_in_process_and_restore_the_environment(
        monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    import keyring

    ring = keyring.get_keyring()
    steps = ("open_store", "load_library", "add_patient", "open_window")
    code, out, err = _run_in_process(monkeypatch, steps)
    assert (code, err) == (0, "")
    assert out.startswith("k2desk self-test passed: 4 steps in ")
    assert "snippets" in out and re.search(r"window \d+ pages", out)
    assert os.environ["K2DESK_DATA_DIR"] == str(data_dir)
    assert keyring.get_keyring() is ring
    assert not data_dir.exists()


@pytest.mark.parametrize(("argv", "wanted"), [
    (["--self-test"], True),
    (["--data-dir", "/x", "--operator", "me", "--self-test"], True),
    (["--data-dir=/x", "--self-test"], True),
    (["patient", "add", "--name", "--self-test"], False),
    (["--data-dir", "--self-test"], False),  # that is the data dir's name, not the flag
    ([], False),
])
def test_self_test_flag_is_found_among_global_options_only(argv: list[str], wanted: bool) -> None:
    assert _wants_self_test(argv) is wanted


def test_help_mentions_the_self_test() -> None:
    from k2desk.cli import build_parser

    assert "--self-test" in build_parser().format_help()


def test_self_test_passes_from_the_installed_wheel(tmp_path: Path) -> None:
    import zipfile

    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path / "dist"), str(root)], check=True, capture_output=True, timeout=300)
    (wheel,) = (tmp_path / "dist").glob("k2desk-*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (f"import sys; sys.path.insert(0, {str(site)!r}); import k2desk; "
            f"assert k2desk.__file__.startswith({str(site)!r}), k2desk.__file__; "
            "from k2desk.__main__ import main; sys.exit(main(['--self-test']))")
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    proc = subprocess.run([sys.executable, "-I", "-c", code], cwd=elsewhere, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("k2desk self-test passed: ")
