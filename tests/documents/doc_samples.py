"""Sample records for renderer tests and the render benchmark (no database needed)."""

from __future__ import annotations

import datetime as dt

from k2desk.domain.documents import (
    FaxCoverRecord,
    FoodRow,
    HandoutItem,
    HandoutRecord,
    HandoutSection,
    InteractionNotice,
    OrderLine,
    OrderRecord,
    PaperSize,
    PharmacyProfile,
)

NAMES = [
    "Nguyễn Thị Minh Khai",
    "Αλέξανδρος Παπαδόπουλος",
    "Иван Петрович Сидоров",
    "דוד כהן",
    "محمد عبد الله",
    "王小明",
    "山田太郎",
    "김민준",
    "O'Brien <&> \"Jr\"",
]

PHARMACY = PharmacyProfile(
    name="Riverside Compounding Pharmacy",
    address="120 Main Street, Suite 4, Springfield, IL 62701",
    phone="(217) 555-0142",
    fax="(217) 555-0143",
    npi="1234567893",
)

WARFARIN = InteractionNotice(
    severity="major",
    agent="warfarin",
    medication_as_typed="Coumadin 5 mg daily",
    certainty="exact",
    patient_message=(
        "Your blood thinner works by blocking vitamin K. Vitamin K2 can make it work less well, "
        "even at a low dose."
    ),
    acknowledged_by="Dana Whitfield",
    ack_reason="Discussed with patient; anticoagulation clinic informed by phone.",
    ack_at="2026-11-20T15:04:00+00:00",
)

_TEXT = (
    "Vitamin K2 (menaquinone) helps the body use calcium. Studies looked at bone density and at "
    "markers in the blood; results differ between studies, and the doses used varied widely. "
)


def handout(name: str = "Maria Lopez", *, sections: int = 4, paper: PaperSize = PaperSize.LETTER,
            interactions: tuple[InteractionNotice, ...] = (WARFARIN,),
            document_id: int = 123) -> HandoutRecord:
    """A handout with a major interaction, several sections and foods: two to three pages."""
    labels = ["A review of several studies in people", "A clinical trial in people",
              "Population studies: shows a link, not proof", "Animal studies only: not shown in people"]
    questions = ["What is vitamin K2?", "What do studies show?", "Is it safe?",
                 "Does it interact with my medicines?", "How much, and from what foods?",
                 "What is not known?"]
    secs = []
    for s in range(sections):
        items = tuple(
            HandoutItem(snippet_id=f"s{s}-{i}", version=1, text=_TEXT * (1 + i % 2) + f"(Point {s}.{i}.)",
                        evidence_label=labels[(s + i) % len(labels)], citation_numbers=(1 + (s + i) % 4,))
            for i in range(3)
        )
        secs.append(HandoutSection(question=questions[s % len(questions)], items=items))
    return HandoutRecord(
        document_id=document_id,
        created_on=dt.date(2026, 11, 22),
        pharmacy=PHARMACY,
        patient_name=name,
        patient_dob=dt.date(1951, 3, 4),
        title="Vitamin K2: what you asked about",
        sections=tuple(secs),
        citations=(
            "Geleijnse JM et al. Dietary intake of menaquinone is associated with a reduced risk of "
            "coronary heart disease: the Rotterdam Study. J Nutr. 2004;134:3100-5.",
            "Knapen MHJ et al. Three-year low-dose menaquinone-7 supplementation helps decrease bone "
            "loss in healthy postmenopausal women. Osteoporos Int. 2013;24:2499-507.",
            "Schurgers LJ et al. Vitamin K-containing dietary supplements: comparison of synthetic "
            "vitamin K1 and natto-derived menaquinone-7. Blood. 2007;109:3279-83.",
            "Office of Dietary Supplements. Vitamin K fact sheet for health professionals. NIH; 2021.",
        ),
        foods=(
            FoodRow("Natto (fermented soybeans)", "3 oz (85 g)", "MK-7", "about 850 µg"),
            FoodRow("Gouda cheese <aged>", "1 oz (28 g)", "MK-8, MK-9", "about 20 µg"),
            FoodRow("Egg yolk", "1 large", "MK-4", "about 6 µg"),
            FoodRow("Chicken thigh & leg", "3 oz (85 g)", "MK-4", "about 10 µg"),
        ),
        interactions=interactions,
        counselled_by="Dana Whitfield, RPh",
        paper_size=paper,
        template=english_template(),
    )


def english_template() -> dict[str, str]:
    """The shipped English handout template's texts (what the services put in every record)."""
    from k2desk.library.languages import load_template

    return dict(load_template("en").texts)


def cover(**kw: object) -> FaxCoverRecord:
    base: dict[str, object] = dict(
        created_on=dt.date(2026, 11, 22), to_name="Dr. Priya Raman", to_fax="(217) 555-0199",
        from_pharmacy=PHARMACY, total_pages=3, reference="Order 42, document 123",
        to_organisation="Springfield Family Medicine", to_phone="(217) 555-0198",
        note="Please sign the compound order and fax it back.",
    )
    base.update(kw)
    return FaxCoverRecord(**base)  # type: ignore[arg-type]


def order_values(name: str = "Maria Lopez") -> dict[str, str]:
    return {
        "patient.name": name,
        "patient.dob": "1951-03-04",
        "patient.address": "45 Elm Street, Springfield, IL 62704",
        "patient.phone": "(217) 555-0110",
        "patient.allergies": "NKDA",
        "patient.diagnosis": "Osteopenia",
        "patient.icd10": "M85.80",
        "prescriber.name": "Dr. Priya Raman",
        "prescriber.npi": "1558598797",
        "prescriber.licence": "IL 036-123456",
        "prescriber.dea": "",
        "prescriber.address": "300 Oak Avenue, Springfield, IL 62702",
        "prescriber.phone": "(217) 555-0198",
        "prescriber.fax": "(217) 555-0199",
        "prescriber.date_written": "2026-11-21",
        "compound.base": "Microcrystalline cellulose",
        "compound.dosage_form": "capsule",
        "compound.quantity": "30",
        "compound.quantity_unit": "capsules",
        "compound.days_supply": "30",
        "compound.sig": "Take 1 capsule by mouth once daily with a meal containing fat.",
        "compound.refills": "2",
        "compound.daw": "no",
        "pharmacy_use.interaction_review": (
            "MAJOR: warfarin (as typed: Coumadin 5 mg daily). Interaction reviewed by RPh Dana "
            "Whitfield on 2026-11-20: Discussed with patient; anticoagulation clinic informed by phone."
        ),
        "pharmacy_use.status": "draft",
    }


def order(name: str = "Maria Lopez", *, paper: PaperSize = PaperSize.LETTER,
          interactions: tuple[InteractionNotice, ...] = (WARFARIN,)) -> OrderRecord:
    return OrderRecord(
        document_id=124,
        order_id=42,
        created_on=dt.date(2026, 11, 22),
        pharmacy=PHARMACY,
        values=order_values(name),
        lines=(OrderLine("Menaquinone-4 (MK-4)", "15", "mg"), OrderLine("Menaquinone-7 (MK-7)", "180", "µg"),
               OrderLine("Cholecalciferol (vitamin D3)", "1000", "IU")),
        interactions=interactions,
        overrides=(("prescriber.dea", "Not a scheduled compound; DEA not needed", "test-rph"),),
        paper_size=paper,
    )
