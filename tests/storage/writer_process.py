"""A child process for the crash and concurrency tests: adds patients and prints each new id
only after add_patient has returned (that is, after the transaction committed)."""

import sys

from k2desk.services import patients
from k2desk.services.context import AppContext


def main() -> None:
    data_dir, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with AppContext(data_dir, "writer") as ctx:
        for i in range(count):
            pid = patients.add_patient(ctx, patients.PatientInput(
                name=f"{prefix} Patient {i}", dob="1950-01-01", nkda=True,
                medications=["warfarin 5 mg"]))
            sys.stdout.write(f"{pid}\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
