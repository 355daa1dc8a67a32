"""PDF text in its script's font: a Bengali or Devanagari name on a badge card and a bundle ticket is drawn in
Noto Sans Bengali / Devanagari (embedded, shaped), Latin in Noto Sans; Helvetica only without the font files.

pdftotext reads a shaped run back in the order its glyphs are drawn: a pre-base vowel sign comes first
("রহিম" reads "রিহম", as on paper), so that order is the proof of shaping; names without such a sign read back
exactly."""
from __future__ import annotations

import logging
import subprocess

import pytest

from shopfloor import pdf_fonts
from tests.conftest import login

# name as typed, the font it must be drawn in (bold on both), what pdftotext reads back
NAMES = [
    pytest.param("রহিম", "NotoSansBengali-Bold", "রিহম", id="bengali"),      # ি drawn before হ: shaped
    pytest.param("रहीम", "NotoSansDevanagari-Bold", "रहीम", id="devanagari"),
]


def _fonts_and_text(tmp_path, data: bytes) -> tuple[dict[str, str], str]:
    """{font name without subset tag: 'yes'/'no' embedded} and the text pdftotext reads."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    listing = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    fonts = {}
    for row in listing.splitlines()[2:]:
        cols = row.split()
        fonts[cols[0].split("+")[-1]] = cols[-5]  # name ... emb sub uni object ID
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return fonts, text


@pytest.mark.parametrize("name,font,reads", NAMES)
def test_a_badge_card_draws_the_name_in_its_scripts_font_shaped(client, factory, tmp_path, name, font, reads):
    line = factory.line("L1")
    person = factory.user("operator", line=line, name=name)
    login(client, factory.user("manager"))
    resp = client.get("/people/badges.pdf", query_string={"person": person.id})
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    fonts, text = _fonts_and_text(tmp_path, resp.data)
    assert fonts.get(font) == "yes", fonts                      # the name's font, embedded (subset)
    assert fonts.get("NotoSans-Regular") == "yes"               # "L1 · Line …", "Photo", the badge code
    assert reads in text.split() and "L1 · Line" in text and person.badge_code in text


@pytest.mark.parametrize("layout", ["a4", "label"])
@pytest.mark.parametrize("name,font,reads", NAMES)
def test_a_bundle_ticket_draws_the_style_name_in_its_scripts_font_beside_latin(client, factory, tmp_path, layout,
                                                                              name, font, reads):
    _, style, order, _ = factory.floor()
    factory.update(style, name=name)
    login(client, factory.user("manager"))
    resp = client.get(f"/orders/{order.id}/tickets.pdf", query_string={"layout": layout})
    assert resp.status_code == 200
    fonts, text = _fonts_and_text(tmp_path, resp.data)
    assert fonts.get(font) == "yes" and fonts.get("NotoSans-Bold") == "yes", fonts   # "ST1 " beside the name
    assert f"{style.code} {reads}" in text and order.number in text and "10 pcs" in text


def test_text_runs_by_script_with_digits_and_punctuation_where_their_font_has_them():
    bn, bn_bold = pdf_fonts.fonts()[pdf_fonts.BENGALI, False], pdf_fonts.fonts()[pdf_fonts.BENGALI, True]
    latin, hi = pdf_fonts.fonts()[pdf_fonts.LATIN, False], pdf_fonts.fonts()[pdf_fonts.DEVANAGARI, False]
    assert (bn, latin, hi) == ("NotoSansBengali-Regular", "NotoSans-Regular", "NotoSansDevanagari-Regular")
    assert pdf_fonts.runs("রহিম 12") == [(bn, "রহিম 12")]               # Noto Bengali has the digits
    assert pdf_fonts.runs("ST-1 রহিম · L1", bold=True) == [
        ("NotoSans-Bold", "ST-1 "), (bn_bold, "রহিম "), ("NotoSans-Bold", "·"), (bn_bold, " "),
        ("NotoSans-Bold", "L1")]                                            # no "·" nor Latin letters in it
    assert pdf_fonts.runs("12 किताब।") == [(hi, "12 किताब।")]
    assert pdf_fonts.runs("Nguyễn Thị Ánh") == [(latin, "Nguyễn Thị Ánh")]
    assert pdf_fonts.runs("Nguye\u0302\u0303n") == [(latin, "Nguyễn")]    # NFC: one glyph per letter


def test_fit_cuts_on_a_whole_letter_and_measures_the_shaped_width():
    name = "রহিম উদ্দিন আহমেদ"
    assert pdf_fonts.fit(name, 1000, 10) == name
    cut = pdf_fonts.fit(name, pdf_fonts.width(name, 10) - 1, 10)
    assert cut.endswith("…") and name.startswith(cut[:-1]) and pdf_fonts.width(cut, 10) <= pdf_fonts.width(name, 10)
    assert not pdf_fonts.fit("কি", 0.5, 10)
    # "ক্ষ" is one conjunct glyph: narrower shaped than its three characters side by side
    assert pdf_fonts.width("ক্ষ", 10) < sum(pdf_fonts.width(ch, 10) for ch in "ক্ষ")
    assert pdf_fonts.wrap("Pieces per carton", pdf_fonts.width("Pieces per", 8, bold=True), 8, bold=True) == [
        "Pieces per", "carton"]


def test_without_the_font_files_helvetica_and_one_warning(monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(pdf_fonts, "FONT_DIR", tmp_path)
    pdf_fonts.fonts.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="shopfloor.pdf_fonts"):
            assert pdf_fonts.runs("রহিম", bold=True) == [("Helvetica-Bold", "রহিম")]
            assert pdf_fonts.runs("Ana") == [("Helvetica", "Ana")]
        warnings = [r for r in caplog.records if r.name == "shopfloor.pdf_fonts"]
        assert len(warnings) == 1 and "fonts-noto-core" in warnings[0].getMessage()
    finally:
        monkeypatch.undo()
        pdf_fonts.fonts.cache_clear()
    assert pdf_fonts.runs("Ana") == [("NotoSans-Regular", "Ana")]
