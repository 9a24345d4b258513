"""The follow-up QR code, decoded from a real 150 dpi render of page 1."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from reportlab.pdfgen.canvas import Canvas

from kiosk.config import ClinicConfig
from printouts.qr import QUIET_ZONE_MODULES, draw_qr, qr_matrix
from tests.printouts.sheet_helpers import RECORD_ID, Render


def decode_page(pdf: bytes, index: int = 0, dpi: int = 150) -> list[zxingcpp.Barcode]:
    page = pdfium.PdfDocument(pdf)[index]
    image = page.render(scale=dpi / 72).to_pil()
    return list(zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode))


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("large_print", [False, True])
@pytest.mark.parametrize("language", ["en", "es"])
def test_qr_decodes_to_the_follow_up_url_for_the_language(
    render: Render,
    demo_config: ClinicConfig,
    language: str,
    paper: str,
    large_print: bool,
) -> None:
    pdf = render(language, paper=paper, large_print=large_print)
    codes = decode_page(pdf)
    assert [code.text for code in codes] == [demo_config.follow_up_url(language)]
    assert codes[0].ec_level == "M"


def test_qr_holds_no_patient_data(render: Render, demo_config: ClinicConfig) -> None:
    pdf = render("es", first_name="Ana", last_initial="R")
    (code,) = decode_page(pdf)
    url = demo_config.follow_up_url("es")
    assert code.text == url
    assert url.startswith("https://")
    for secret in ("Ana", RECORD_ID, "Maria", "Lopez", "626"):
        assert secret not in code.text


def test_only_page_one_carries_the_qr(render: Render) -> None:
    pdf = render("en")
    assert decode_page(pdf, index=1) == []


def test_matrix_has_full_quiet_zone_and_error_correction_m() -> None:
    matrix = qr_matrix("https://example.com/aftercare/en")
    size = len(matrix)
    assert all(len(row) == size for row in matrix)
    border = QUIET_ZONE_MODULES
    for i in range(border):
        assert not any(matrix[i]) and not any(matrix[size - 1 - i])
        assert not any(row[i] or row[size - 1 - i] for row in matrix)
    # Version 3 (29 modules) at level M holds up to 42 bytes; the URL is 32.
    assert size == 29 + 2 * border


def object_types(pdf: bytes, index: int = 0) -> set[int]:
    page = pdfium.PdfDocument(pdf)[index]
    return {obj.type for obj in page.get_objects()}


def test_qr_is_drawn_as_vectors_not_an_image() -> None:
    buffer = io.BytesIO()
    canv = Canvas(buffer, invariant=1)
    draw_qr(canv, "https://example.com/aftercare/en", 100, 100, 90)
    canv.showPage()
    canv.save()
    pdf = buffer.getvalue()
    assert object_types(pdf) == {pdfium_c.FPDF_PAGEOBJ_PATH}
    (code,) = decode_page(pdf)
    assert code.text == "https://example.com/aftercare/en"


def test_sheet_has_no_raster_images(render: Render) -> None:
    pdf = render("en")
    assert pdfium_c.FPDF_PAGEOBJ_IMAGE not in object_types(pdf, 0)
    assert pdfium_c.FPDF_PAGEOBJ_IMAGE not in object_types(pdf, 1)
