"""The sheet reads easily, measured on the text of the rendered PDF as a patient gets it:
Flesch–Kincaid grade 6 or below in English, Fernández-Huerta 80 or above in Spanish
(textstat 0.7.4; later versions download a dictionary and fail offline)."""

from __future__ import annotations

import pytest
import textstat

from kiosk.records import Indication
from tests.printouts.sheet_helpers import Render, pdf_text


@pytest.mark.parametrize("indication", list(Indication))
@pytest.mark.parametrize("first_session", [True, False])
@pytest.mark.parametrize("large_print", [False, True])
def test_english_sheet_reads_at_grade_6_or_below(
        render: Render, large_print: bool, first_session: bool, indication: Indication) -> None:
    text = pdf_text(render("en", large_print=large_print, first_session=first_session,
                           indication=indication))
    assert len(text.split()) > 300  # the whole sheet, not a fragment
    textstat.set_lang("en")
    assert textstat.flesch_kincaid_grade(text) <= 6.0


@pytest.mark.parametrize("indication", list(Indication))
@pytest.mark.parametrize("first_session", [True, False])
@pytest.mark.parametrize("large_print", [False, True])
def test_spanish_sheet_reads_easily(
        render: Render, large_print: bool, first_session: bool, indication: Indication) -> None:
    text = pdf_text(render("es", large_print=large_print, first_session=first_session,
                           indication=indication))
    assert len(text.split()) > 300
    textstat.set_lang("es")
    assert textstat.fernandez_huerta(text) >= 80


def test_the_measure_tells_plain_words_from_clinical_prose() -> None:
    """Guards against a measure that passes anything: prose like the clinic guide's fails."""
    clinical = ("Patients may experience dissociative phenomena, perceptual disturbances and "
                "transient hemodynamic alterations following administration. Comprehensive "
                "integration practices facilitate the consolidation of therapeutic insights.")
    textstat.set_lang("en")
    assert textstat.flesch_kincaid_grade(clinical) > 6.0
    textstat.set_lang("es")
    assert textstat.fernandez_huerta(
        "Los pacientes pueden experimentar fenómenos disociativos, alteraciones perceptivas y "
        "modificaciones hemodinámicas transitorias posteriores a la administración.") < 80
