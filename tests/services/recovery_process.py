"""A child process for the recovery tests, holding a real k2desk store.

``hold DATA_DIR``: open the store as "the k2desk window", print "ready", then for each line read
from stdin add a patient of that name and print its id (after the commit); exit at end of input.
``backup DATA_DIR``: print "ready", then make backups one after another until killed.
"""

import sys

from k2desk.services import backups, patients
from k2desk.services.context import AppContext


def main() -> None:
    mode, data_dir = sys.argv[1], sys.argv[2]
    with AppContext(data_dir, "holder", who="the k2desk window") as ctx:
        _ = ctx.store
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        if mode == "backup":
            while True:
                backups.make_backup(ctx)
        for line in sys.stdin:
            pid = patients.add_patient(ctx, patients.PatientInput(name=line.strip(), dob="1950-01-01",
                                                                  nkda=True))
            sys.stdout.write(f"{pid}\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
