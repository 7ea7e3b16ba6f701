"""The blood-thinner (VKA) box: what a patient on a vitamin K antagonist must read on every
handout, whatever topics were chosen, and the same content on the order in the prescriber's words.

The box is drawn whenever the record carries a major interaction notice: every major class in
the interaction table is a vitamin K antagonist or may be one (an unnamed blood thinner, a
possible match still to confirm). The patient's words come from the handout's language template
(resources/templates/handout.<code>.toml, [vka]; issue 25), where the reading-grade test checks
every English paragraph (Flesch-Kincaid grade 8 or below); the prescriber's words are here.

Sources for the content (looked up, not from memory):
- INR effect and "keep it the same; INR in 1-2 weeks": NIH Office of Dietary Supplements,
  Vitamin K fact sheet for health professionals (Interactions with medications), as cited in
  resources/interactions.toml (ods_vitamin_k); Theuwissen 2013 (any MK-7 dose moves the INR).
- Warning signs of bleeding and clotting: an anticoagulation clinic's patient page
  (ridgeviewmedical.org "What to watch for while on warfarin": easy or unexplained bruising,
  red or black stools, red or orange urine; signs of a clot or stroke: leg pain or swelling,
  chest pain, weakness, difficulty speaking) and a warfarin label's patient information.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, Paragraph, Table

from k2desk.documents import styles as S
from k2desk.documents.blocks import boxed, para
from k2desk.documents.fonts import markup
from k2desk.domain.documents import InteractionNotice
from k2desk.domain.interactions import POSSIBLE_MATCH
from k2desk.domain.languages import HandoutTemplate
from k2desk.domain.roles import review_by

# The patient's box takes every fixed word from the handout's template
# (resources/templates/handout.<code>.toml, [vka]; issue 25); the prescriber's stays English here.
PRESCRIBER_CLINIC = "anticoagulation clinic"

PRESCRIBER_PARAGRAPHS: tuple[tuple[str, str], ...] = (
    ("Effect on the INR:",
     "vitamin K2 (MK-4 or MK-7) opposes the VKA. Starting or increasing K2 lowers the INR "
     "(loss of anticoagulation, thrombosis risk); stopping or reducing it raises the INR "
     "(bleeding risk). No MK-7 dose is known to be free of this effect."),
    ("Keep intake constant:",
     "same product and dose every day; the patient should not start or stop K2 without the "
     f"{PRESCRIBER_CLINIC}."),
    ("Monitoring:",
     "check the INR 1-2 weeks after K2 is started, stopped or its dose changed."),
    ("Counsel the patient:",
     "bleeding (unusual bruising or bleeding, black stools, blood in the urine) and thrombosis "
     "(leg swelling or pain, chest pain, sudden weakness or trouble speaking) mean call 911."),
)

CONTRAINDICATED_PREFIX = "Contraindicated in the product labeling"


def major_title(majors: Sequence[InteractionNotice]) -> str:
    """'MAJOR INTERACTION: vitamin K2 and warfarin' (each agent once, in finding order)."""
    agents = list(dict.fromkeys(n.agent for n in majors))
    return "MAJOR INTERACTION: vitamin K2 and " + " and ".join(agents)


def patient_box(majors: Sequence[InteractionNotice], contraindications: Sequence[str],
                width: float, st: S.Styles, template: HandoutTemplate) -> Table:
    """The handout's VKA box: each major finding, then the fixed content, then any labelled
    contraindication of an ingredient the handout talks about (in the handout's text size), every
    fixed word from the handout's ``template``."""
    t = template
    agents = list(dict.fromkeys(n.agent for n in majors))
    heading = t.text("vka.heading", agents=t.text("vka.agents_joiner").join(agents))
    body: list[Flowable] = [para(heading, st.box_title),
                            Paragraph(markup(t.text("vka.title")), st.body_bold)]
    for n in majors:
        typed = "interaction_box.medicine_may_be" if n.certainty != "exact" else "interaction_box.medicine_is"
        body.append(para(n.medication_as_typed, st.body_bold,
                         prefix=markup(t.text("interaction_box.medicine_before")),
                         suffix=t.texts[typed].format(agent=markup(n.agent))))
        if n.patient_message:
            body.append(para(n.patient_message, st.body))
    for lead, text in t.pairs("vka.paragraphs"):
        body.append(para(text, st.body, prefix=f"<b>{markup(lead)}</b> "))
    lead_ci = t.text("vka.contraindication_lead")
    for text in contraindications:
        body.append(para(text, st.body_bold, prefix=f"<b>{markup(lead_ci)}</b> "))
    body += [review_paragraph(n, st, t) for n in majors if n.acknowledged_by]
    return boxed(body, width, border=S.HEAVY_RULE, padding=9)


def review_paragraph(n: InteractionNotice, st: S.Styles, template: HandoutTemplate) -> Paragraph:
    """'Interaction reviewed by J. Smith, pharmacist, November 30, 2026: reason' — the
    reviewer named once, with one role word, in the handout's language."""
    when = f", {template.date(n.ack_at)}" if n.ack_at else ""
    role = n.ack_role or "pharmacist"
    who = review_by(n.acknowledged_by or "", template.texts.get(f"interaction_box.{role}", role))
    return para(n.ack_reason, st.body,
                prefix=template.text("interaction_box.reviewed", who=markup(who), when=markup(when)))


def prescriber_box(majors: Sequence[InteractionNotice], contraindications: Sequence[str],
                   width: float) -> Table:
    """The order's warning box: the same content for the prescriber, and every labelled
    contraindication with who approved it."""
    st = S.stylesheet()
    # The title names the finding; "Patient takes ..." says what was typed (one line each: the
    # box must leave room for the whole prescription on the signed page).
    body: list[Flowable] = [para(major_title(majors), st.box_title)]
    for n in majors:
        possible = f" ({POSSIBLE_MATCH})" if n.certainty != "exact" else ""
        body.append(para(n.medication_as_typed, st.body_bold, prefix="Patient takes “",
                         suffix=f"” ({markup(n.agent)}){possible}."))
    for lead, text in PRESCRIBER_PARAGRAPHS:
        body.append(para(text, st.body, prefix=f"<b>{markup(lead)}</b> "))
    for text in contraindications:
        body.append(para(text, st.body_bold))
    return boxed(body, width, border=S.HEAVY_RULE, padding=8)
