"""The documents' font: bundled Vazirmatn (Arabic, Persian and Latin in one family), parsed once per process.

Owns loading the two styles, cloning them into each FPDF document (no TTF parsing per document),
a process-wide cache of HarfBuzz shaping results, and embedding a glyph-ID-preserving subset at output
(no fontTools subsetting per document). Does not own layout (layout.py) or text (labels.py, words.py).
"""

from __future__ import annotations

import copy
import struct
import threading
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from fpdf import FPDF
from fpdf.fonts import Glyph, SubsetMap, TTFFont
from fpdf.output import CIDSystemInfo, OutputProducer, PDFFont, PDFFontStream
from fpdf.syntax import Name, PDFArray, PDFContentStream

if TYPE_CHECKING:
    from fpdf.output import PDFType3Font

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "vazirmatn"
FILES = {"": "Vazirmatn-Regular.ttf", "B": "Vazirmatn-Bold.ttf"}

# What the bundled files were cut down to (subset_font below): the scripts our documents print.
KEPT_RANGES = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x017F),  # Latin-1 and Latin Extended-A (names such as Çelik, Müller)
    (0x02B0, 0x036F),  # modifier letters, combining marks
    (0x0600, 0x06FF),  # Arabic and Persian letters, both digit sets, ٫ ٬
    (0x0750, 0x077F),  # Arabic Supplement
    (0x2000, 0x206F),  # punctuation, ZWNJ/ZWJ, directional marks
    (0x20A0, 0x20CF),  # currency signs
    (0x2100, 0x215F),  # letterlike (№ ™)
    (0x2190, 0x21FF),  # arrows
    (0x2212, 0x2212),  # minus sign
    (0x25A0, 0x25FF),  # geometric shapes (bullets)
    (0xFB50, 0xFDFF),  # Arabic presentation forms A (and the rial sign ﷼)
    (0xFE70, 0xFEFF),  # Arabic presentation forms B
)


def subset_font(source: Path, target: Path) -> None:
    """Cut an upstream Vazirmatn TTF down to KEPT_RANGES, OpenType layout kept, hinting and names dropped.

    How fonts/*.ttf were made (see fonts/SOURCE.txt); not used at run time.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.drop_tables += ["gasp", "DSIG"]
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for low, high in KEPT_RANGES for c in range(low, high + 1)])
    subsetter.subset(font)
    font["post"].formatType = 3.0  # no glyph names: smaller, and nothing here needs them
    font.save(target)


# ---------------------------------------------------------------- loaded once per process


@dataclass
class _Face:
    """One style, parsed once: fpdf2's font object to clone, plus what embedding a subset needs."""

    template: TTFFont
    glyphs: list[bytes]  # raw glyf bytes per glyph ID, padded to 4 bytes
    components: dict[int, frozenset[int]]  # composite glyph -> every glyph it is built from
    tables: dict[str, bytes]  # head (long loca, no checksum), hhea, maxp, hmtx, OS/2, post


_FACES: dict[str, _Face] = {}
_LOAD_LOCK = threading.Lock()


def _load_face(style: str) -> _Face:
    from fontTools.ttLib import TTFont

    path = FONT_DIR / FILES[style]
    loader = FPDF()
    loader.add_font(FAMILY, style, str(path))
    template = loader.fonts[f"{FAMILY}{style}"]
    if not isinstance(template, TTFFont):
        raise TypeError(f"fpdf2 loaded {path.name} as {type(template).__name__}, not a TrueType font")
    template.hbfont  # noqa: B018 - load the HarfBuzz face now, once
    font = TTFont(path, lazy=False)
    order = font.getGlyphOrder()
    offsets = font["loca"].locations
    raw_glyf = font.reader["glyf"]
    glyphs = [_padded(bytes(raw_glyf[offsets[i] : offsets[i + 1]])) for i in range(len(order))]
    glyf = font["glyf"]
    ids = {name: i for i, name in enumerate(order)}

    def closure(name: str) -> frozenset[int]:
        glyph = glyf[name]
        if not glyph.isComposite():
            return frozenset()
        found: set[int] = set()
        for component in glyph.getComponentNames(glyf):
            found.add(ids[component])
            found |= closure(component)
        return frozenset(found)

    components = {i: c for i, name in enumerate(order) if (c := closure(name))}
    head = bytearray(font.reader["head"])
    struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment, set again per embedded subset
    struct.pack_into(">h", head, 50, 1)  # indexToLocFormat: long offsets
    post = bytearray(font.reader["post"][:32])
    struct.pack_into(">I", post, 0, 0x00030000)
    tables = {tag: bytes(font.reader[tag]) for tag in ("hhea", "maxp", "hmtx", "OS/2")}
    tables |= {"head": bytes(head), "post": bytes(post)}
    return _Face(template, glyphs, components, tables)


def faces() -> dict[str, _Face]:
    """Both styles, loaded on first use (thread-safe)."""
    if len(_FACES) < len(FILES):
        with _LOAD_LOCK:
            for style in FILES:
                if style not in _FACES:
                    _FACES[style] = _load_face(style)
    return _FACES


# ---------------------------------------------------------------- one document


class _Shaping(NamedTuple):
    """fpdf2's shaping parameters, hashable: with the font and the text, the key of both shaping caches."""

    direction: str | None
    script: str | None
    language: str | None
    features: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, params: dict[str, Any] | None) -> _Shaping:
        params = params or {}
        direction = params.get("fragment_direction")
        return cls(
            direction.value if direction is not None else None,
            params.get("script"),
            params.get("language"),
            tuple(sorted((params.get("features") or {}).items())),
        )


class DocumentFont(TTFFont):
    """A per-document copy of a loaded style: shares the parsed tables, keeps its own glyph subset."""

    __slots__ = ("face",)
    face: _Face

    def perform_harfbuzz_shaping(
        self, text: str, font_size_pt: float, text_shaping_params: dict[str, Any] | None
    ) -> tuple[Any, Any]:
        return _shape(self.fontkey, text, _Shaping.of(text_shaping_params))

    def shape_text(
        self, text: str, font_size_pt: float, text_shaping_params: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        """fpdf2's shape_text, with everything but this document's glyph numbering computed once per text."""
        if not text:
            return []
        run = _glyph_run(self.fontkey, text, _Shaping.of(text_shaping_params))
        pick = self.subset.pick_glyph
        return [
            {
                "mapped_char": pick(glyph),
                "x_advance": x_advance,
                "y_advance": y_advance,
                "x_offset": x_offset,
                "y_offset": y_offset,
                "force_positioning": force,
            }
            for glyph, x_advance, y_advance, x_offset, y_offset, force in run
        ]


@lru_cache(maxsize=10_000)
def _glyph_run(
    fontkey: str, text: str, shaping: _Shaping
) -> tuple[tuple[Glyph, int, int, int, int, bool], ...]:
    """A shaped text as glyphs (each with the characters it stands for, for copy and search) and positions.

    The same steps as fpdf2's TTFFont.shape_text, kept per text instead of per call."""
    infos, positions = _shape(fontkey, text, shaping)
    face = faces()["B" if fontkey.endswith("B") else ""].template
    clusters = sorted(int(info.cluster) for info in infos)
    by_cluster: dict[int, list[int]] = {}
    for index in range(len(text)):
        at = bisect_left(clusters, index)
        if at == 0:
            cluster = clusters[0]
        elif at == len(clusters) or clusters[at] != index:
            cluster = clusters[at - 1]
        else:
            cluster = clusters[at]
        by_cluster.setdefault(cluster, []).append(index)
    metrics = face.ttfont["hmtx"].metrics
    run = []
    for info, position in zip(infos, positions, strict=True):
        codes = tuple(ord(text[i]) for i in by_cluster.pop(info.cluster, []))
        name = face.ttfont.getGlyphName(info.codepoint)
        width = round(face.scale * metrics[name][0])
        if not info.codepoint:
            continue  # .notdef: fpdf2 drops it too
        force = bool(
            width != position.x_advance or position.x_offset or position.y_offset or position.y_advance
        )
        glyph = Glyph(info.codepoint, codes, name, width)
        run.append(
            (glyph, position.x_advance, position.y_advance, position.x_offset, position.y_offset, force)
        )
    return tuple(run)


@lru_cache(maxsize=10_000)
def _shape(fontkey: str, text: str, shaping: _Shaping) -> tuple[Any, Any]:
    """HarfBuzz output in font units (independent of the size), so one result serves every size."""
    import uharfbuzz as hb

    style = "B" if fontkey.endswith("B") else ""
    buf = hb.Buffer()
    buf.cluster_level = 1
    buf.add_str(text)
    buf.guess_segment_properties()
    if shaping.direction is not None:
        buf.direction = shaping.direction
    if shaping.script is not None:
        buf.script = shaping.script
    if shaping.language is not None:
        buf.language = shaping.language
    hb.shape(faces()[style].template.hbfont, buf, dict(shaping.features))
    return buf.glyph_infos, buf.glyph_positions


def install(pdf: FPDF) -> None:
    """Give `pdf` both styles of the family without parsing a font file."""
    for style, face in faces().items():
        template = face.template
        font = DocumentFont.__new__(DocumentFont)
        for name in TTFFont.__slots__:
            if hasattr(template, name):
                setattr(font, name, getattr(template, name))
        font.face = face
        font.i = len(pdf.fonts) + 1
        font.desc = copy.copy(template.desc)  # output() numbers and fills it: one per document
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        pdf.fonts[f"{FAMILY}{style}"] = font


# ---------------------------------------------------------------- embedding at output


class DocumentProducer(OutputProducer):
    """fpdf2's output, except that our fonts are embedded from the glyph data loaded once per process."""

    def _add_fonts(
        self,
        image_objects_per_index: dict[int, Any],
        gfxstate_objs_per_name: dict[str, Any],
        pattern_objs_per_name: dict[str, Any],
    ) -> dict[int, PDFFont | PDFType3Font]:
        registry = self.fpdf.fonts
        every = dict(registry)
        ours = {k: f for k, f in every.items() if isinstance(f, DocumentFont)}
        for key in ours:  # fpdf2 embeds the others (a core font, say) its own way
            del registry[key]
        try:
            found = super()._add_fonts(image_objects_per_index, gfxstate_objs_per_name, pattern_objs_per_name)
        finally:
            registry.clear()
            registry.update(every)
        for font in sorted(ours.values(), key=lambda f: f.i):
            if len(font.subset) > 0:
                found[font.i] = self._embed(font)
            font.subset.pick.cache_clear()  # fpdf2 keeps these per class; it clears them at output, so do we
            font.subset.get_glyph.cache_clear()
        return found

    def _embed(self, font: DocumentFont) -> PDFFont:
        used = sorted((char_id, glyph) for glyph, char_id in font.subset.items() if glyph is not None)
        fontname = f"BOFFAA+{font.name}"
        composite = PDFFont(subtype="Type0", base_font=fontname, encoding="Identity-H")
        self._add_pdf_obj(composite, "fonts")
        widths = " ".join(f"{char_id} [{glyph.glyph_width}]" for char_id, glyph in used)
        cid_font = PDFFont(
            subtype="CIDFontType2", base_font=fontname, d_w=font.desc.missing_width, w=f"[{widths}]"
        )
        self._add_pdf_obj(cid_font, "fonts")
        composite.descendant_fonts = PDFArray([cid_font])
        to_unicode = PDFContentStream(_to_unicode_cmap(used).encode("latin-1"), compress=True)
        self._add_pdf_obj(to_unicode, "fonts")
        composite.to_unicode = to_unicode
        system_info = CIDSystemInfo()
        self._add_pdf_obj(system_info, "fonts")
        cid_font.c_i_d_system_info = system_info
        descriptor = font.desc
        descriptor.font_name = Name(fontname)
        self._add_pdf_obj(descriptor, "fonts")
        cid_font.font_descriptor = descriptor
        gid_map = bytearray(2 * (used[-1][0] + 1))
        for char_id, glyph in used:
            struct.pack_into(">H", gid_map, 2 * char_id, glyph.glyph_id)
        gid_map_obj = PDFContentStream(bytes(gid_map), compress=True)
        self._add_pdf_obj(gid_map_obj, "fonts")
        cid_font.c_i_d_to_g_i_d_map = gid_map_obj
        program = PDFFontStream(subset_program(font.face, {glyph.glyph_id for _, glyph in used}))
        self._add_pdf_obj(program, "fonts")
        descriptor.font_file2 = program  # type: ignore[attr-defined]
        return composite


def _to_unicode_cmap(used: list[tuple[int, Any]]) -> str:
    entries = [
        f"<{char_id:04X}> <{''.join(f'{u:04X}' if u <= 0xFFFF else _surrogates(u) for u in glyph.unicode)}>"
        for char_id, glyph in used
        if isinstance(glyph.unicode, tuple) and glyph.unicode
    ]
    blocks = []
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar\n")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "".join(blocks)
        + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    )


def _surrogates(code: int) -> str:
    code -= 0x10000
    return f"{0xD800 | (code >> 10):04X}{0xDC00 | (code & 0x3FF):04X}"


def subset_program(face: _Face, used: set[int]) -> bytes:
    """A TrueType font with every glyph ID of the original, outlines only for `used` (and their components)."""
    keep = {0} | used
    for gid in list(keep):
        keep |= face.components.get(gid, frozenset())
    parts = [data if gid in keep else b"" for gid, data in enumerate(face.glyphs)]
    loca = list(accumulate(map(len, parts), initial=0))
    tables = dict(face.tables)
    tables["glyf"] = b"".join(parts)
    tables["loca"] = struct.pack(f">{len(loca)}I", *loca)
    return _sfnt(tables)


def _padded(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def _sfnt(tables: dict[str, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    selector = count.bit_length() - 1
    search_range = (1 << selector) * 16
    header = struct.pack(">IHHHH", 0x00010000, count, search_range, selector, count * 16 - search_range)
    offset = 12 + 16 * count
    directory, body, head_at = [], [], 0
    for tag in tags:
        data = tables[tag]
        if tag == "head":
            head_at = offset
        directory.append(struct.pack(">4sIII", tag.encode("latin-1"), _checksum(data), offset, len(data)))
        body.append(data + b"\0" * (-len(data) % 4))
        offset += len(body[-1])
    font = bytearray(header + b"".join(directory) + b"".join(body))
    struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)
