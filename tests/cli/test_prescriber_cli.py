"""`k2desk prescriber list|show`: prescribers saved with earlier orders, one per person."""

from __future__ import annotations

import json

from k2desk.cli import main
from k2desk.services.context import AppContext
from prescriber_data import seed_orders


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_one_row_per_prescriber_latest_details(capsys, data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        seed_orders(ctx)
    code, out, err = run(capsys, "prescriber", "list", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["name"] for r in rows] == ["Dr. Maria Lopez", "Dr. Wei Chen"]  # latest order first
    lopez = rows[0]
    assert lopez["npi"] == "1234567893" and lopez["orders"] == 2
    assert lopez["phone"] == "+18175550142"  # her latest phone, not the older 555-0199
    assert lopez["fax"] == "+18178606083" and lopez["licence"] == "TX M12345"
    for query, expected in (("chen", ["Dr. Wei Chen"]), ("19876", ["Dr. Wei Chen"]),
                            ("LOPEZ", ["Dr. Maria Lopez"]), ("nobody", []), ("%", [])):
        code, out, _ = run(capsys, "prescriber", "list", "--search", query, "--json")
        assert [r["name"] for r in json.loads(out)] == expected, query
    code, out, _ = run(capsys, "prescriber", "list")
    assert "Dr. Wei Chen" in out and "1987654328" in out


def test_show_by_npi_or_id(capsys, data_dir):
    with AppContext(data_dir, "test-rph") as ctx:
        seed_orders(ctx)
    code, out, _ = run(capsys, "prescriber", "show", "1987654328", "--json")
    chen = json.loads(out)
    assert code == 0 and chen["name"] == "Dr. Wei Chen" and chen["address"] == "9 Elm St\nDallas, TX 75201"
    code, out, _ = run(capsys, "prescriber", "show", str(chen["id"]))
    assert code == 0 and "Dr. Wei Chen" in out and "TX Q55555" in out
    code, _, err = run(capsys, "prescriber", "show", "1555555550")
    assert code != 0 and "NPI 1555555550" in err and "Traceback" not in err
    code, _, err = run(capsys, "prescriber", "show", "Dr. Who")
    assert code != 0 and "neither a prescriber id nor a 10-digit NPI" in err
