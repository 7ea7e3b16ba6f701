"""`k2desk demo` through the real command line entry."""

from __future__ import annotations

import pytest

from k2desk.cli import main
from k2desk.services import patients
from k2desk.services.context import AppContext
from k2desk.storage import documents as docs


def test_demo_fills_the_data_dir(capsys, data_dir):
    code = main(["demo", "--patients", "5", "--documents", "40"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("demo data: 5 patients, 40 documents (12 rendered, the rest copies)")
    with AppContext(data_dir, "test-rph") as ctx:
        assert len(patients.list_patients(ctx)) == 5
        assert docs.count_documents(ctx.store.db) == 40


def test_demo_refuses_a_negative_count(capsys, data_dir):
    with pytest.raises(SystemExit) as exit_info:  # argparse refuses before any command runs
        main(["demo", "--patients", "-3"])
    _out, err = capsys.readouterr()
    assert exit_info.value.code == 2 and "must be 0 or more" in err
    assert not (data_dir / "k2desk.sqlite3").exists()
