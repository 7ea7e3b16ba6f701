"""Demo data: realistic patients (names in several scripts, some on warfarin), real handouts and
orders made through the services (real stored PDFs), and, for large counts, many more log rows
copied from those PDFs in bulk (one transaction per chunk) so a million rows take minutes."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from k2desk.domain.interactions import needs_acknowledgement
from k2desk.domain.issues import error
from k2desk.resources import forms_dir
from k2desk.services import handouts, interactions, orders, patients
from k2desk.services.context import AppContext
from k2desk.services.errors import InputRefused
from k2desk.services.operators import list_operators
from k2desk.services.patients import PatientInput
from k2desk.services.settings import get_settings, set_settings
from k2desk.storage import bulk_documents

CHUNK = 20_000
REAL_DOCUMENTS = 12  # made through the services; the rest are copies of these PDFs

# (given, family) pairs across scripts the bundled fonts print: Latin with diacritics, Greek,
# Cyrillic, Arabic, Hebrew, Chinese, Japanese, Korean, Vietnamese.
NAMES: tuple[str, ...] = (
    "Marta Gómez", "Γιώργος Παπαδόπουλος", "Ольга Петрова", "محمد الأحمد", "דוד כהן", "王小明",
    "김지우", "Nguyễn Thị Mai", "佐藤 花子", "Walter Brandt", "Ελένη Νικολάου", "Иван Смирнов",
    "فاطمة الزهراء", "שרה לוי", "李华", "박민준", "Trần Văn Hùng", "鈴木 一郎", "José Álvarez",
    "Zofia Kowalska", "Søren Østergaard", "Ana Ruiz", "Chloé Lefèvre", "Hana Suzuki", "Kwame Mensah",
    "Aisha Bello", "Mary O'Connor", "Liam Murphy", "Priya Sharma", "Rahul Verma", "Dolores Ortega",
    "Emily Nguyen", "Robert Johnson", "Patricia Williams", "Michael Brown", "Linda Davis",
)
WARFARIN = ("warfarin 5 mg daily", "Coumadin 2.5 mg daily", "Jantoven 3 mg daily")
OTHER_MEDS = ("metformin 500 mg twice daily", "atorvastatin 20 mg at night", "levothyroxine 50 mcg",
              "lisinopril 10 mg", "amlodipine 5 mg", "omeprazole 20 mg", "vitamin D3 2000 IU",
              "orlistat 120 mg with meals", "apixaban 5 mg twice daily", "calcium carbonate 600 mg")
ALLERGIES = ("penicillin (rash)", "sulfa drugs (hives)", "latex", "codeine (nausea)")
STREETS = ("Summit Ave", "Magnolia St", "Camp Bowie Blvd", "Hemphill St", "Lancaster Ave")
HANDOUT_TOPICS = (["bone"], ["bone", "safety"], ["dosing", "food"], ["safety", "interactions"])


@dataclass(frozen=True)
class DemoResult:
    patients: int
    documents: int
    real_documents: int


def _patient_input(rng: random.Random, i: int) -> PatientInput:
    name = NAMES[i % len(NAMES)]
    if i >= len(NAMES):
        name = f"{name} {i // len(NAMES) + 1}"  # keep names distinct when many are asked for
    dob = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 60))
    meds = rng.sample(OTHER_MEDS, rng.randrange(0, 3))
    if i % 4 == 0:
        meds.insert(0, rng.choice(WARFARIN))
    allergies = rng.sample(ALLERGIES, rng.randrange(0, 2))
    return PatientInput(
        name=name, dob=dob.isoformat(), phone=f"(817) 555-{rng.randrange(100, 9999):04d}",
        address=(f"{rng.randrange(100, 9999)} {rng.choice(STREETS)}\n"
                 f"Fort Worth, TX 761{rng.randrange(0, 99):02d}"),
        medications=meds, allergies=allergies, nkda=not allergies)


def _order_json(rng: random.Random) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((forms_dir() / "examples" / "compound_order_example.json").read_text())
    written = dt.date.today() - dt.timedelta(days=rng.randrange(0, 20))
    data["prescriber"]["date_written"] = written.isoformat()
    if rng.random() < 0.5:
        data["ingredients"] = [{"ingredient": "MK-7 (menaquinone-7)", "strength": "180", "unit": "mcg"}]
        data["compound"]["sig"] = "Take 1 capsule by mouth once daily with a meal."
        data["compound"]["quantity"] = "30"
    return data


def _ack(ctx: AppContext, pid: int) -> tuple[str | None, str | None]:
    found = interactions.findings_for_patient(ctx, pid)
    if needs_acknowledgement(found):
        return ctx.operator, "Demo: INR monitored by the anticoagulation clinic; K2 intake kept steady."
    return None, None


PHARMACY_KEYS = ("pharmacy.name", "pharmacy.address", "pharmacy.phone", "pharmacy.fax", "pharmacy.npi")


def fill_demo(ctx: AppContext, n_patients: int = 40, n_documents: int = 60, *, seed: int = 7,
              progress: Callable[[str, int, int], None] | None = None) -> DemoResult:
    """Fill the data dir with demo data; returns what was made. Deterministic for a given seed.

    Refused (nothing written) when the data dir already holds patients or documents: fake
    patients and handouts must never mix with a pharmacy's real records (issue 18)."""
    from k2desk.storage.documents import count_documents
    from k2desk.storage.patients import count_patients

    db = ctx.store.db
    held = (count_patients(db), count_documents(db))
    if any(held):
        raise InputRefused([error(
            "data dir", "not_empty",
            f"The data directory {ctx.data_dir} already holds {held[0]} patient(s) and "
            f"{held[1]} document(s): demo data is only written into an empty data directory, "
            "so made-up patients never mix with real ones. Nothing was written; choose a new, "
            "empty data directory for the demo.")])
    # A pharmacy already set up (its own name, phone, fax or NPI typed in, or operators added) is
    # real data too: the demo's made-up letterhead must not replace or mix with it.
    settings = get_settings(ctx)
    configured = [k for k in PHARMACY_KEYS if settings[k]]
    staff = len(list_operators(ctx))
    if configured or staff:
        what = ", ".join(configured) + (" and " if configured and staff else "") + (
            f"{staff} operator(s)" if staff else "")
        raise InputRefused([error(
            "data dir", "not_empty",
            f"The data directory {ctx.data_dir} is already set up for a pharmacy ({what}): demo "
            "data is only written into an empty data directory, so a made-up pharmacy and "
            "patients never mix with the real ones. Nothing was written; choose a new, empty "
            "data directory for the demo.")])
    rng = random.Random(seed)
    tell = progress or (lambda _what, _done, _total: None)
    if not settings["pharmacy.name"]:
        set_settings(ctx, {"pharmacy.name": "Hill Country Compounding Pharmacy",
                           "pharmacy.address": "2100 W 7th St\nFort Worth, TX 76107",
                           "pharmacy.phone": "(817) 555-0100", "pharmacy.fax": "(817) 860-6083",
                           "pharmacy.npi": "1234567893"})
    pids: list[int] = []
    for i in range(n_patients):
        pids.append(patients.add_patient(ctx, _patient_input(rng, i)))
        if i % 200 == 0:
            tell("patients", i + 1, n_patients)
    real = 0
    for i in range(min(n_documents, REAL_DOCUMENTS)):
        pid = pids[i % len(pids)] if pids else patients.add_patient(ctx, _patient_input(rng, 0))
        by, reason = _ack(ctx, pid)
        if i % 2 == 0:
            handouts.create_handout(ctx, pid, HANDOUT_TOPICS[(i // 2) % len(HANDOUT_TOPICS)], (), by, reason)
        else:
            data = _order_json(rng)
            # An MK-4 line for a patient on a blood thinner is contraindicated in the labeling:
            # the demo records the prescriber's approval the way a pharmacist would (issue 13).
            mk4 = by is not None and "MK-4" in data["ingredients"][0]["ingredient"]
            approval = {"ingredients.1.ingredient": "approved by Dr. Maria Lopez, reached by "
                                                    "phone (demo)"} if mk4 else None
            order_id, _doc = orders.create_order(ctx, pid, data, approval, by, reason,
                                               ack_contact="phone" if by else None)
            for step in ("sent-for-signature", "signed-original-received", "compounded")[: i % 4]:
                note = "fax from the prescriber's office" if step == "signed-original-received" else ""
                orders.order_status(ctx, order_id, step, note)
        real += 1
        tell("documents", real, n_documents)
    rest = n_documents - real
    if rest > 0:
        _bulk(ctx, rest, pids, rng, tell, n_documents, real)
    return DemoResult(patients=len(pids), documents=n_documents, real_documents=real)


def _bulk(ctx: AppContext, count: int, pids: list[int], rng: random.Random,
          tell: Callable[[str, int, int], None], total: int, done: int) -> None:
    templates = bulk_documents.document_templates(ctx.store.db)
    if not templates:
        return
    # Back-dated over two years, oldest first, so the newest id is also the newest date.
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=730)
    step = dt.timedelta(days=730) / max(count, 1)
    made = 0
    while made < count:
        n = min(CHUNK, count - made)
        chunk = []
        for k in range(n):
            t = templates[rng.randrange(len(templates))]
            when = (start + step * (made + k)).isoformat(timespec="microseconds")
            chunk.append(replace(t, patient_id=rng.choice(pids) if pids else t.patient_id, created_at=when))
        with ctx.store.write() as db:
            bulk_documents.insert_copies(db, chunk, ctx.operator)
        made += n
        tell("documents", done + made, total)
