"""`k2desk fax send|outbox|retry|set-password`"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from k2desk.cli.output import err, print_json, print_table, record_id
from k2desk.services import fax as svc
from k2desk.services.context import AppContext
from k2desk.services.errors import OperationFailed
from k2desk.storage.fax_jobs import FaxJob


def job_json(job: FaxJob) -> dict[str, Any]:
    return {"id": job.id, "state": job.state, "attempts": job.attempts, "last_error": job.last_error,
            "document_id": job.document_id, "to": job.to_number, "next_attempt_at": job.next_attempt_at,
            "created_at": job.created_at, "created_by": job.created_by, "updated_at": job.updated_at}


def _stdin_password() -> str:
    """One line from standard input (the trailing newline is not part of the password)."""
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise OperationFailed("--password-stdin was given but standard input held no password.")
    return password


def _password(args: argparse.Namespace) -> str | None:
    return _stdin_password() if getattr(args, "password_stdin", False) else None


def _report(result: svc.AttemptResult) -> None:
    job = result.job
    if result.sent:
        return
    when = f"; next attempt after {job.next_attempt_at}" if job.state == "queued" else ""
    err(f"fax job {job.id} was not sent ({job.state}, attempt {job.attempts}{when}): {result.error}")


def cmd_send(ctx: AppContext, args: argparse.Namespace) -> int:
    password = _password(args)
    job_id = svc.queue_fax(ctx, args.document_id, args.to)
    sys.stdout.write(f"{job_id}\n")
    sys.stdout.flush()
    try:
        result = svc.attempt(ctx, job_id, password)
    except OperationFailed as exc:
        err(f"fax job {job_id} is queued but was not sent: {exc}")
        return 1
    _report(result)
    return 0 if result.sent else 1


def cmd_outbox(ctx: AppContext, args: argparse.Namespace) -> int:
    jobs = svc.outbox(ctx)
    if args.json:
        print_json([job_json(j) for j in jobs])
        return 0
    print_table([(j.id, j.state, j.attempts, j.document_id, j.to_number, j.next_attempt_at or "",
                  j.last_error) for j in jobs],
                ("ID", "STATE", "ATTEMPTS", "DOCUMENT", "TO", "NEXT ATTEMPT", "LAST ERROR"))
    return 0


def cmd_retry(ctx: AppContext, args: argparse.Namespace) -> int:
    password = _password(args)
    if args.job_id is not None:
        results = [svc.attempt(ctx, args.job_id, password)]
    else:
        results = svc.retry_due(ctx, password)
        if not results:
            sys.stdout.write("no fax is waiting for a retry now\n")
    for r in results:
        if r.sent:
            sys.stdout.write(f"{r.job.id} sent\n")
        else:
            _report(r)
    return 0 if all(r.sent for r in results) else 1


def cmd_cancel(ctx: AppContext, args: argparse.Namespace) -> int:
    job = svc.cancel_fax(ctx, args.job_id, args.reason or "")
    sys.stdout.write(f"{job.id} cancelled\n")
    return 0


def cmd_set_password(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = _stdin_password()
    elif sys.stdin.isatty():
        password = getpass.getpass("Fax gateway password: ")
    else:
        err("no terminal to ask for the password; pipe it in with --password-stdin.")
        return 2
    # Without a usable keyring this raises OperationFailed whose text says to use --password-stdin.
    svc.set_password(ctx, password)
    sys.stdout.write("the fax gateway password was saved in the system keyring\n")
    return 0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("fax", help="send stored documents through the email-to-fax gateway")
    ps = p.add_subparsers(dest="fax_command", metavar="ACTION", required=True)

    send = ps.add_parser("send", help="queue a stored document and try to send it now; prints the job id")
    send.add_argument("document_id", type=record_id, metavar="DOC_ID")
    send.add_argument("--to", required=True, metavar="NUMBER", help="the fax number")
    send.add_argument("--password-stdin", action="store_true",
                      help="read the gateway password from standard input (for this run only)")
    send.set_defaults(handler=cmd_send)

    out = ps.add_parser("outbox", help="fax jobs with their state, attempts and last error")
    out.add_argument("--json", action="store_true")
    out.set_defaults(handler=cmd_outbox)

    retry = ps.add_parser("retry", help="retry one job now, or every job whose wait has passed")
    retry.add_argument("job_id", type=record_id, nargs="?", metavar="JOB_ID")
    retry.add_argument("--password-stdin", action="store_true")
    retry.set_defaults(handler=cmd_retry)

    cancel = ps.add_parser("cancel", help="stop a waiting or failed job so it is never sent")
    cancel.add_argument("job_id", type=record_id, metavar="JOB_ID")
    cancel.add_argument("--reason", metavar="TEXT")
    cancel.set_defaults(handler=cmd_cancel)

    sp = ps.add_parser("set-password", help="save the gateway password in the system keyring")
    sp.add_argument("--password-stdin", action="store_true")
    sp.set_defaults(handler=cmd_set_password)
