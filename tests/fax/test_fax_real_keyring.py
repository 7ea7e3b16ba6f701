"""The fax password in a real keyring (issue 18): GNOME Keyring's Secret Service on a private
D-Bus session, not the in-memory test keyring. ``fax set-password`` stores it, ``doctor`` sees a
keyring that stores, and ``fax send`` gets it back from the keyring and logs in to a real
aiosmtpd gateway on 127.0.0.1 with it (the server accepts only the right password).

Never skipped: ``.ci/run`` installs gnome-keyring and dbus-x11, so a missing tool fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from fax_servers import PASSWORD, USER, configure_gateway

from k2desk.paths import db_path
from k2desk.services.context import AppContext
from stored_documents import add_test_patient, store_document

TOOLS = ("dbus-run-session", "gnome-keyring-daemon")

SCRIPT = """
set -e
# A fresh login keyring in this test's HOME, unlocked with a throw-away password on stdin.
eval "$(printf 'test-login-password' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
printf '%s' "$FAX_PASSWORD" | "$K2DESK" fax set-password --password-stdin
unset FAX_PASSWORD
"$K2DESK" doctor > "$OUT/doctor.txt" || true
"$PYTHON" -c "import keyring; print(keyring.get_password('k2desk', '$FAX_USER'))" > "$OUT/stored.txt"
"$K2DESK" fax send "$DOC" --to 817-860-6083 > "$OUT/send.txt"
"""


def test_set_password_and_send_through_gnome_keyring(tmp_path, data_dir, smtp_factory, tls_files):
    missing = [t for t in TOOLS if shutil.which(t) is None]
    assert not missing, (f"{', '.join(missing)} missing: install Debian's gnome-keyring and "
                         "dbus-x11 (.ci/run does)")
    server = smtp_factory()
    with AppContext(data_dir, "test-rph") as ctx:
        configure_gateway(ctx, server.port, tls_files.ca_file)
        doc = store_document(ctx, patient_id=add_test_patient(ctx))
    home = Path(os.environ["HOME"])
    home.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "out"
    out.mkdir()
    script = tmp_path / "run.sh"
    script.write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DBUS_", "GNOME_KEYRING", "PYTHON_KEYRING"))}
    bindir = Path(sys.executable).parent
    env.update(K2DESK=str(bindir / "k2desk"), PYTHON=sys.executable, OUT=str(out), DOC=str(doc),
               FAX_PASSWORD=PASSWORD, FAX_USER=USER, XDG_CONFIG_HOME=str(home / ".config"),
               XDG_RUNTIME_DIR=str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700)
    done = subprocess.run(["dbus-run-session", "--", "sh", str(script)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    doctor = (out / "doctor.txt").read_text()
    assert "keyring.backends.SecretService.Keyring (stores and returns a password)" in doctor, doctor
    assert (out / "stored.txt").read_text().strip() == PASSWORD  # really in the Secret Service
    assert (out / "send.txt").read_text().strip().isdigit()  # the fax job id; exit 0: sent
    # The gateway took exactly one login, with the password that came out of the keyring.
    assert server.recorder.logins == [(USER, True)]
    assert len(server.recorder.messages) == 1
    # Nothing of the password is in the data dir: only the keyring holds it.
    for f in db_path(data_dir).parent.rglob("*"):
        if f.is_file():
            assert PASSWORD.encode() not in f.read_bytes(), f
