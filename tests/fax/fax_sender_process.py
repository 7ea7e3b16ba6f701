"""A child process for the crash test: makes one fax attempt (the gateway never answers) and is
killed by the test while the job is "sending"."""

import sys

from k2desk.services import fax
from k2desk.services.context import AppContext


def main() -> None:
    data_dir, job_id, password = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with AppContext(data_dir, "sender") as ctx:
        sys.stdout.write("attempting\n")
        sys.stdout.flush()
        fax.attempt(ctx, job_id, password)


if __name__ == "__main__":
    main()
