"""Drawing a document (invoice, credit note, receipt, statement) on A4 or an 80 mm roll, in one pass.

Owns the page: branding header, parties, meta rows, the lines table (first column on the right in
Arabic and Persian), totals, amount in words, QR code and footer; right-to-left mirroring and text
shaping per piece of text. Takes a Sheet of ready strings; knows nothing of the database or money.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal, cast

from fpdf import FPDF
from fpdf.bidi import BidiParagraph, auto_detect_base_direction
from fpdf.enums import MethodReturnValue, TextDirection

from backoffice.core.i18n import RTL_LANGUAGES
from backoffice.documents import fonts
from backoffice.documents.labels import term

Paper = Literal["a4", "80mm"]
PAPERS = ("a4", "80mm")
INK = (33, 37, 41)
MUTED = (108, 117, 125)
RULE = (206, 212, 218)
WHITE = (255, 255, 255)
# Hebrew and Arabic letters (bidi classes R and AL), without the Arabic-Indic and Persian digits
_RTL_LETTER = re.compile("[\u0590-\u065f\u066a-\u06ef\u06fa-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_WIDTHS: dict[tuple[str, str, bool, float, tuple[bool, str | None]], float] = {}


@dataclass(frozen=True)
class Brand:
    """The organization as printed: name, address lines, VAT number, logo (PNG/JPEG bytes), colour, footer."""

    name: str
    address: tuple[str, ...] = ()
    tax_number: str | None = None
    logo: bytes | None = None
    color: tuple[int, int, int] = (15, 118, 110)
    footer: str | None = None


@dataclass(frozen=True)
class Column:
    """A table column: its label's term key, width in mm on A4, kind of content, shown on an 80 mm roll."""

    key: str
    width: float
    kind: Literal["text", "number", "center"] = "text"
    compact: bool = True


@dataclass(frozen=True)
class Sheet:
    """Everything a document shows, as ready strings (amounts, dates and digits already formatted)."""

    languages: tuple[str, ...]
    title_key: str
    brand: Brand
    party_key: str
    party: tuple[tuple[str | None, str], ...]  # (term key or None, value); the first is the name
    meta: tuple[tuple[str, str], ...]  # (term key, value)
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]  # a text cell may hold a second, smaller line after "\n"
    totals: tuple[tuple[str, str, bool], ...]  # (term key, value, emphasised)
    words: tuple[tuple[str, str], ...] = ()  # (language, amount in words)
    qr_png: bytes | None = None
    notes: tuple[tuple[str, str], ...] = ()  # (term key, text)
    created: datetime = field(default_factory=lambda: datetime(2000, 1, 1))
    subject: str = ""
    paper: Paper = "a4"


def has_rtl(text: str) -> bool:
    """Whether the text has a right-to-left letter (digits of any script do not count)."""
    return _RTL_LETTER.search(text) is not None


class _Pdf(FPDF):
    """fpdf2 with our fonts installed and our output producer (subset embedding without re-parsing)."""

    def __init__(self, paper: Paper, height: float, core: bool) -> None:
        width = 210.0 if paper == "a4" else 80.0
        super().__init__(unit="mm", format=(width, height))
        margin = 12.0 if paper == "a4" else 4.0
        self.set_margins(margin, margin if paper == "a4" else 5.0, margin)
        self.set_auto_page_break(False)
        self.alias_nb_pages(None)  # type: ignore[arg-type]  # None turns it off; page numbers are drawn at the end
        self.c_margin = 1.2
        self.core = core
        if not core:
            fonts.install(self)

    def render(self) -> bytes:
        if self.core:
            return bytes(self.output())
        return bytes(self.output(output_producer_class=fonts.DocumentProducer))

    def _preload_bidirectional_text(self, text: str, markdown: bool) -> Sequence[Any]:
        """fpdf2's own method, with the bidi split of a text computed once per process (labels, product
        names and amounts recur in every document; measured in decision 0010 at some 13 % of an invoice's drawing)."""
        if not self.text_shaping:
            return self._preload_font_styles(text, markdown)
        direction, segments = _bidi_split(text, self.text_shaping["direction"])
        self.text_shaping["paragraph_direction"] = direction
        emphasis = ("B" in self.font_style, "I" in self.font_style, self.strikethrough, self.underline)
        fragments: list[Any] = []
        for bidi_text, bidi_direction in segments:
            self.text_shaping["fragment_direction"] = bidi_direction
            fragments.extend(self._preload_font_styles(bidi_text, markdown, _initial_emphasis=emphasis))
            emphasis = getattr(self, "_markdown_emphasis", emphasis)
        return tuple(fragments)


@lru_cache(maxsize=10_000)
def _bidi_split(
    text: str, direction: TextDirection | None
) -> tuple[TextDirection, tuple[tuple[str, TextDirection], ...]]:
    """The paragraph direction (given, or from the first strong letter) and the runs in display order."""
    paragraph = direction or auto_detect_base_direction(text)
    runs = BidiParagraph(text=text, base_direction=paragraph, preserve_bn_chars=True).get_bidi_fragments()
    return paragraph, tuple(runs)


class _Pen:
    """Writes pieces of text at logical positions (0 = the start side), mirrored for right-to-left."""

    def __init__(self, pdf: _Pdf, sheet: Sheet) -> None:
        self.pdf = pdf
        self.sheet = sheet
        self.family = "helvetica" if pdf.core else fonts.FAMILY
        self.primary = sheet.languages[0]
        self.rtl = self.primary in RTL_LANGUAGES
        self.left = pdf.l_margin
        self.width = pdf.w - pdf.l_margin - pdf.r_margin
        self.color = sheet.brand.color
        self.compact = sheet.paper == "80mm"
        self._shaping: tuple[bool, str | None] = (False, None)

    def x(self, start: float, width: float) -> float:
        return self.left + (self.width - start - width if self.rtl else start)

    def font(self, size: float, bold: bool = False) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)

    def _prepare(self, text: str, lang: str | None, number: bool) -> None:
        """Shaping only where it is needed (non-ASCII text); right-to-left paragraphs for RTL languages."""
        if self.pdf.core or text.isascii():
            wanted: tuple[bool, str | None] = (False, None)
        elif number or not has_rtl(text):  # figures and dates in any digits read left to right
            wanted = (True, "ltr")
        else:
            wanted = (True, "rtl" if (lang or self.primary) in RTL_LANGUAGES else None)
        if wanted != self._shaping:
            if wanted[0]:
                self.pdf.set_text_shaping(True, direction=wanted[1])
            else:
                self.pdf.set_text_shaping(False)
            self._shaping = wanted

    def align(self, how: str, lang: str | None = None) -> Literal["L", "R", "C"]:
        rtl = (lang or self.primary) in RTL_LANGUAGES
        if how == "start":
            return "R" if rtl else "L"
        if how == "end":
            return "L" if rtl else "R"
        return {"left": "L", "right": "R"}.get(how, "C")  # type: ignore[return-value]

    def put(
        self,
        start: float,
        y: float,
        width: float,
        height: float,
        text: str,
        how: str = "start",
        lang: str | None = None,
        size: float = 8.5,
        bold: bool = False,
        color: tuple[int, int, int] = INK,
        fill: tuple[int, int, int] | None = None,
        number: bool = False,
        fit: bool = False,
    ) -> None:
        """One line of text in a box; `fit` shrinks the type (down to 70 %) rather than overflow the box."""
        pdf = self.pdf
        self.font(size, bold)
        pdf.set_text_color(*color)
        if fill is not None:
            pdf.set_fill_color(*fill)
        if not text and fill is None:
            return
        self._prepare(text, lang, number)
        if fit:
            room = width - 2 * pdf.c_margin
            wide = self.measure(text, size, bold)
            if wide > room:
                self.font(max(size * room / wide, size * 0.7), bold)
        pdf.set_xy(self.x(start, width), y)
        pdf.cell(width, height, text, align=self.align(how, lang), fill=fill is not None)

    def wrap(
        self, text: str, width: float, size: float, bold: bool = False, lang: str | None = None
    ) -> list[str]:
        """The lines `text` takes in `width` (one measurement when it fits, the usual case)."""
        self.font(size, bold)
        self._prepare(text, lang, False)
        if self.measure(text, size, bold) <= width - 2 * self.pdf.c_margin:
            return [text]
        lines = cast(
            list[str], self.pdf.multi_cell(width, 4, text, dry_run=True, output=MethodReturnValue.LINES)
        )
        return [str(line) for line in lines] or [text]

    def measure(self, text: str, size: float, bold: bool) -> float:
        """The width of `text` in the current font and shaping, remembered per process."""
        key = (text, self.family, bold, size, self._shaping)
        found = _WIDTHS.get(key)
        if found is None:
            if len(_WIDTHS) > 100_000:
                _WIDTHS.clear()
            found = _WIDTHS[key] = self.pdf.get_string_width(text)
        return found

    def labels(self, key: str) -> list[tuple[str, str]]:
        return [(lang, term(key, lang)) for lang in self.sheet.languages]

    def rule(self, y: float, color: tuple[int, int, int] = RULE, width: float = 0.2) -> None:
        self.pdf.set_draw_color(*color)
        self.pdf.set_line_width(width)
        self.pdf.line(self.left, y, self.left + self.width, y)


def _rgb_light(color: tuple[int, int, int], amount: float = 0.88) -> tuple[int, int, int]:
    r, g, b = color
    return (round(r + (255 - r) * amount), round(g + (255 - g) * amount), round(b + (255 - b) * amount))


@lru_cache(maxsize=64)
def _image_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size


def render(sheet: Sheet, core_font: bool = False) -> bytes:
    """The PDF of a sheet. `core_font`: Helvetica without shaping (English-only; the benchmark's baseline)."""
    if sheet.paper == "80mm":
        probe = _Pdf("80mm", 2000.0, core_font)  # an 80 mm roll is as long as its content
        height = _draw(probe, sheet) + 8
        pdf = _Pdf("80mm", max(height, 80.0), core_font)
    else:
        pdf = _Pdf("a4", 297.0, core_font)
    pdf.set_creation_date(sheet.created)
    pdf.set_title(sheet.subject or term(sheet.title_key, "en"))
    pdf.set_author(sheet.brand.name)
    pdf.set_lang(sheet.languages[0])
    pdf.set_creator("backoffice")
    _draw(pdf, sheet)
    return pdf.render()


def _draw(pdf: _Pdf, sheet: Sheet) -> float:
    """Draw everything; returns the last y used (the roll length for 80 mm)."""
    pen = _Pen(pdf, sheet)
    pdf.add_page()
    y = _header(pen)
    y = _parties(pen, y + 3)
    y = _table(pen, y + 4)
    y = _closing(pen, y + 3)
    _footers(pen)
    return y


# ---------------------------------------------------------------- header


def _header(pen: _Pen) -> float:
    pdf, sheet, brand = pen.pdf, pen.sheet, pen.sheet.brand
    pdf.set_fill_color(*brand.color)
    pdf.rect(0, 0, pdf.w, 3 if pen.compact else 4, style="F")
    top = pdf.t_margin
    logo_w = logo_h = 0.0
    if brand.logo:
        w, h = _image_size(brand.logo)
        logo_h = 14.0 if pen.compact else 18.0
        logo_w = min(logo_h * w / h, 30.0 if pen.compact else 42.0)
        logo_h = logo_w * h / w
        x = pen.left + (pen.width - logo_w) / 2 if pen.compact else pen.x(0, logo_w)
        pdf.image(io.BytesIO(brand.logo), x=x, y=top, w=logo_w, h=logo_h)
    if pen.compact:
        return _compact_header(pen, top + (logo_h + 2 if logo_h else 0))
    start = logo_w + 4 if logo_w else 0
    block = 112 - start
    y = top
    pen.put(start, y, block, 6, brand.name, bold=True, size=12)
    y += 6.5
    for line in brand.address:
        pen.put(start, y, block, 4.2, line, size=8, color=MUTED)
        y += 4.2
    if brand.tax_number:
        pen.put(start, y, block, 4.4, _vat_line(pen, brand.tax_number), size=8, color=MUTED)
        y += 4.4
    title_y = top
    page_end = "left" if pen.rtl else "right"  # every title line against the same edge
    for n, (lang, text) in enumerate(pen.labels(sheet.title_key)):
        size = 15 if n == 0 else 10.5
        pen.put(
            116,
            title_y,
            pen.width - 116,
            7 if n == 0 else 5,
            text,
            page_end,
            lang,
            size,
            n == 0,
            brand.color if n == 0 else MUTED,
            fit=True,
        )
        title_y += 7.5 if n == 0 else 5
    bottom = max(y, top + logo_h, title_y) + 2
    pen.rule(bottom, brand.color, 0.5)
    return bottom


def _vat_line(pen: _Pen, number: str) -> str:
    names = " · ".join(term("seller_vat", lang) for lang in pen.sheet.languages)
    return f"{names}: {number}"


def _compact_header(pen: _Pen, y: float) -> float:
    brand, sheet = pen.sheet.brand, pen.sheet
    pen.put(0, y, pen.width, 5.5, brand.name, "center", bold=True, size=10.5)
    y += 5.5
    for line in brand.address:
        pen.put(0, y, pen.width, 3.8, line, "center", size=7.5, color=MUTED)
        y += 3.8
    if brand.tax_number:
        pen.put(0, y, pen.width, 3.8, _vat_line(pen, brand.tax_number), "center", size=7.5, color=MUTED)
        y += 3.8
    y += 1.5
    for n, (lang, text) in enumerate(pen.labels(sheet.title_key)):
        pen.put(
            0,
            y,
            pen.width,
            5 if n == 0 else 4,
            text,
            "center",
            lang,
            10.5 if n == 0 else 8,
            n == 0,
            brand.color if n == 0 else MUTED,
        )
        y += 5 if n == 0 else 4
    pen.rule(y + 1, brand.color, 0.4)
    return y + 1


# ---------------------------------------------------------------- parties and meta


def _label_row(
    pen: _Pen, start: float, y: float, width: float, key: str, value: str, height: float = 5.0
) -> float:
    """One labelled value. Bilingual: primary label | value | second label; else label | value."""
    langs = pen.sheet.languages
    if len(langs) == 1:
        label_w = width * 0.45
        pen.put(start, y, label_w, height, term(key, langs[0]), size=8, color=MUTED, fit=True)
        pen.put(start + label_w, y, width - label_w, height, value, "start", size=8.5, bold=True, fit=True)
        return y + height
    _bilingual_row(pen, start, y, width, height, width * 0.31, key, value)
    return y + height


def _bilingual_row(
    pen: _Pen,
    start: float,
    y: float,
    width: float,
    height: float,
    label_w: float,
    key: str,
    value: str,
    strong: bool = False,
    color: tuple[int, int, int] | None = None,
    number: bool = False,
) -> None:
    """Primary label | value, centred | second label: the labels muted and the value in ink unless a colour is
    given for all three; `strong` sets the labels bold and the value larger."""
    langs = pen.sheet.languages
    label_color = MUTED if color is None else color
    pen.put(
        start, y, label_w, height, term(key, langs[0]), "start", langs[0], 7.5, strong, label_color, fit=True
    )
    pen.put(
        start + label_w,
        y,
        width - 2 * label_w,
        height,
        value,
        "center",
        size=9 if strong else 8.5,
        bold=True,
        color=INK if color is None else color,
        number=number,
        fit=True,
    )
    pen.put(
        start + width - label_w,
        y,
        label_w,
        height,
        term(key, langs[1]),
        "start",
        langs[1],
        7.5,
        strong,
        label_color,
        fit=True,
    )


def _band(pen: _Pen, start: float, y: float, width: float, key: str, height: float = 5.5) -> float:
    """A light band in the brand colour with a block's title (both languages, each at its own start)."""
    light = _rgb_light(pen.color)
    pen.pdf.set_fill_color(*light)
    pen.pdf.rect(pen.x(start, width), y, width, height, style="F")
    part = width / len(pen.sheet.languages)
    for n, (lang, text) in enumerate(pen.labels(key)):  # each language at its own start side
        pen.put(start + n * part, y, part, height, text, "start", lang, 8, True, pen.color, fit=True)
    return y + height + 1


def _parties(pen: _Pen, y: float) -> float:
    sheet = pen.sheet
    if pen.compact:
        for key, value in sheet.meta:
            y = _compact_row(pen, y, key, value)
        y += 1
        y = _band(pen, 0, y, pen.width, sheet.party_key, 5)
        y = _party_lines(pen, 0, y, pen.width)
        return y
    half = (pen.width - 6) / 2
    left = _band(pen, 0, y, half, sheet.party_key)
    left = _party_lines(pen, 0, left, half)
    right = y
    for key, value in sheet.meta:
        right = _label_row(pen, half + 6, right, half, key, value)
    return max(left, right)


def _party_lines(pen: _Pen, start: float, y: float, width: float) -> float:
    for n, (key, value) in enumerate(pen.sheet.party):
        if n == 0:
            for line in pen.wrap(value, width, 10, True):
                pen.put(start, y, width, 5.2, line, size=10, bold=True)
                y += 5.2
        elif key is None:
            for line in pen.wrap(value, width, 8):
                pen.put(start, y, width, 4.2, line, size=8, color=MUTED)
                y += 4.2
        else:
            y = _label_row(pen, start, y, width, key, value, 4.6)
    return y


def _compact_row(pen: _Pen, y: float, key: str, value: str) -> float:
    """80 mm: «label / label» at the start, the value at the end."""
    label = _joined(key, pen.sheet.languages)
    label_w = pen.width * 0.5
    pen.put(0, y, label_w, 4.2, label, size=7, color=MUTED, fit=True)
    pen.put(label_w, y, pen.width - label_w, 4.2, value, "end", size=7.5, bold=True, fit=True)
    return y + 4.2


def _joined(key: str, languages: tuple[str, ...]) -> str:
    """«رقم الفاتورة / Invoice no.»: a left-to-right mark keeps a Latin label's final period with it."""
    return " / ".join(term(key, lang) + ("" if lang in RTL_LANGUAGES else "\u200e") for lang in languages)


# ---------------------------------------------------------------- the lines table


def _columns(pen: _Pen) -> list[tuple[Column, float, float]]:
    """(column, start, width) with the text column taking what the others leave."""
    cols = [c for c in pen.sheet.columns if c.compact or not pen.compact]
    fixed = [c.width * (0.62 if pen.compact else 1) for c in cols]
    flexible = [i for i, c in enumerate(cols) if c.kind == "text"][:1]
    if flexible:
        others = sum(w for i, w in enumerate(fixed) if i != flexible[0])
        fixed[flexible[0]] = pen.width - others
    out, start = [], 0.0
    for col, width in zip(cols, fixed, strict=True):
        out.append((col, start, width))
        start += width
    return out


def _table_header(pen: _Pen, y: float, layout: list[tuple[Column, float, float]]) -> float:
    langs = pen.sheet.languages
    size = 6.5 if pen.compact else 7.5
    height = (3.6 if pen.compact else 4.0) * len(langs) + 2
    pen.pdf.set_fill_color(*pen.color)
    pen.pdf.rect(pen.left, y, pen.width, height, style="F")
    for col, start, width in layout:
        line_y = y + 1
        for n, lang in enumerate(langs):
            line_h = 3.6 if pen.compact else 4.0
            pen.put(
                start,
                line_y,
                width,
                line_h,
                term(col.key, lang),
                "center",
                lang,
                size if n == 0 else size - 0.8,
                n == 0,
                WHITE,
                fit=True,
            )
            line_y += line_h
    return y + height


def _table(pen: _Pen, y: float) -> float:
    sheet, pdf = pen.sheet, pen.pdf
    if not sheet.columns:
        return y
    layout = _columns(pen)
    y = _table_header(pen, y, layout)
    size = 7 if pen.compact else 8
    line_h = 3.6 if pen.compact else 4.2
    bottom = pdf.h - 22
    for row in sheet.rows:
        cells = []
        lines_needed = 1
        for (col, _start, width), text in zip(layout, _visible(sheet, row, layout), strict=True):
            if col.kind == "text":
                main, _, extra = text.partition("\n")
                wrapped = pen.wrap(main, width, size)
                more = pen.wrap(extra, width, size - 1) if extra else []
                cells.append((wrapped, more))
                lines_needed = max(lines_needed, len(wrapped) + len(more))
            else:
                cells.append(([text], []))
        height = lines_needed * line_h + 1.6
        if y + height > bottom and not pen.compact:
            pdf.add_page()
            y = _table_header(pen, pdf.t_margin, layout)
        for (col, start, width), (wrapped, more) in zip(layout, cells, strict=True):
            line_y = y + 0.8
            how = {"text": "start", "number": "right", "center": "center"}[col.kind]
            for line in wrapped:
                pen.put(start, line_y, width, line_h, line, how, size=size, number=col.kind != "text")
                line_y += line_h
            for line in more:
                pen.put(start, line_y, width, line_h, line, how, size=size - 1, color=MUTED)
                line_y += line_h
        y += height
        pen.rule(y)
    return y


def _visible(sheet: Sheet, row: tuple[str, ...], layout: list[tuple[Column, float, float]]) -> list[str]:
    shown = {c.key for c, _, _ in layout}
    return [text for col, text in zip(sheet.columns, row, strict=True) if col.key in shown]


# ---------------------------------------------------------------- totals, words, QR, notes


def _closing(pen: _Pen, y: float) -> float:
    sheet, pdf = pen.sheet, pen.pdf
    qr_size = 30.0 if sheet.qr_png else 0.0
    needed = 6.2 * len(sheet.totals) + 10 * len(sheet.words) + 8 * len(sheet.notes) + 6
    if not pen.compact and y + max(needed, qr_size) > pdf.h - 22:
        pdf.add_page()
        y = pdf.t_margin
    if pen.compact:
        width, start = pen.width, 0.0
    else:
        width = 96.0
        start = pen.width - width
    top = y
    for key, value, strong in sheet.totals:
        y = _total_row(pen, start, y, width, key, value, strong)
    if sheet.qr_png and not pen.compact:
        pdf.image(io.BytesIO(sheet.qr_png), x=pen.x(0, qr_size), y=top, w=qr_size, h=qr_size)
        y = max(y, top + qr_size)
    y += 2
    for lang, text in sheet.words:
        label = term("amount_in_words", lang)
        for line in pen.wrap(f"{label}: {text}", pen.width, 8, lang=lang):
            pen.put(0, y, pen.width, 4.4, line, "start", lang, 8)
            y += 4.4
    for key, text in sheet.notes:
        for line in pen.wrap(f"{term(key, pen.primary)}: {text}", pen.width, 8):
            pen.put(0, y, pen.width, 4.4, line, size=8, color=MUTED)
            y += 4.4
    if sheet.qr_png and pen.compact:
        y += 2
        pdf.image(io.BytesIO(sheet.qr_png), x=pen.left + (pen.width - qr_size) / 2, y=y, w=qr_size, h=qr_size)
        y += qr_size
    if pen.compact and sheet.brand.footer:
        y += 2
        for line in pen.wrap(sheet.brand.footer, pen.width, 7):
            pen.put(0, y, pen.width, 3.6, line, "center", size=7, color=MUTED)
            y += 3.6
    return y


def _total_row(pen: _Pen, start: float, y: float, width: float, key: str, value: str, strong: bool) -> float:
    height = 6.2 if strong else 5.4
    color = WHITE if strong else INK
    if strong:
        pen.pdf.set_fill_color(*pen.color)
        pen.pdf.rect(pen.x(start, width), y, width, height, style="F")
    langs = pen.sheet.languages
    if len(langs) == 1 or pen.compact:
        label = _joined(key, langs) if pen.compact else term(key, langs[0])
        value_w = width * 0.38
        pen.put(
            start,
            y,
            width - value_w,
            height,
            label,
            size=8 if not strong else 8.5,
            bold=strong,
            color=color,
            fit=True,
        )
        pen.put(
            start + width - value_w,
            y,
            value_w,
            height,
            value,
            "right",
            size=9 if strong else 8.5,
            bold=True,
            color=color,
            number=True,
            fit=True,
        )
    else:
        _bilingual_row(pen, start, y, width, height, width * 0.36, key, value, strong, color, number=True)
    if not strong:
        pen.pdf.set_draw_color(*RULE)
        pen.pdf.line(pen.x(start, width), y + height, pen.x(start, width) + width, y + height)
    return y + height


def _footers(pen: _Pen) -> None:
    """The organization's footer and «n / N» on every page, drawn once the page count is known."""
    pdf, brand = pen.pdf, pen.sheet.brand
    if pen.compact:
        return
    total = pdf.page
    lines = pen.wrap(brand.footer, pen.width, 7.5)[:2] if brand.footer else []
    for page in range(1, total + 1):
        pdf.page = page
        y = pdf.h - 10 - 3.8 * len(lines)
        pen.rule(y - 1.5, pen.color, 0.3)
        for line in lines:
            pen.put(0, y, pen.width, 3.8, line, "center", size=7.5, color=MUTED)
            y += 3.8
        pen.put(0, pdf.h - 9, pen.width, 4, f"{page} / {total}", "center", "en", 7, color=MUTED)
