"""The report as an editable Word file (python-docx): A4, the layout an office sends up — cover, title,
一、 headings in a 黑体-like sans, body in a 宋体-like serif (Noto CJK SC), table captions above and
figure captions below, page numbers in the footer.

Deterministic: core properties come from the snapshot (its publication time, the office), the zip
entries carry that same date, and tables are written as plain XML in content order, so the same
content gives the same bytes. Tables are built as XML directly because python-docx's cell API walks
the whole table for each cell, which the appendix (hundreds of rows) cannot afford.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from xml.sax.saxutils import escape

from django.utils import timezone
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from .content import Chart, Paragraph, ReportContent, Section, Table

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)
# GB/T 9704 margins: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
MARGINS = {"top": Cm(3.7), "bottom": Cm(3.5), "left": Cm(2.8), "right": Cm(2.6)}
TEXT_WIDTH_TWIPS = round((21.0 - 2.8 - 2.6) / 2.54 * 1440)
HEADING_SIZES: dict[int, float] = {1: 16, 2: 14, 3: 12}
ALIGN = {"l": "left", "c": "center", "r": "right"}


def write_docx(content: ReportContent) -> bytes:
    document = Document()
    _page_setup(document)
    _styles(document)
    _remember_style_ids(document)
    _font_table(document)
    _core_properties(document, content)
    _cover(document, content)
    _contents(document, content)
    for section in content.sections:
        _section(document, section)
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip(out.getvalue(), content.published_at)


# --- page, styles, properties ----------------------------------------------------------------------


def _remember_style_ids(document) -> None:
    """python-docx finds a style named on a paragraph with two XPath queries over styles.xml, for every
    paragraph and heading: about half of the report's Word time. The styles are all made by now and
    never renamed, so each name's id is looked up once."""
    part = document.part
    look_up = part.get_style_id
    found: dict[tuple[str, object], str | None] = {}

    def get_style_id(style_or_name, style_type):
        if not isinstance(style_or_name, str):
            return look_up(style_or_name, style_type)
        key = (style_or_name, style_type)
        if key not in found:
            found[key] = look_up(style_or_name, style_type)
        return found[key]

    setattr(part, "get_style_id", get_style_id)  # noqa: B010 (an instance's method, replaced on purpose)


def _page_setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.footer_distance = Cm(2.2)
    section.different_first_page_header_footer = True  # no number on the cover
    # The page after the cover is page 1, as in the PDF.
    # (The schema fixes the order of a section's properties: pgNumType comes before cols.)
    numbering = parse_xml(f'<w:pgNumType {nsdecls("w")} w:start="0"/>')
    columns = section._sectPr.find(qn("w:cols"))
    if columns is not None:
        columns.addprevious(numbering)
    else:
        section._sectPr.append(numbering)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.style = document.styles["Footer"]
    footer.add_run("— ")
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    footer._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve"> —</w:t></w:r>'))


def _fonts(style, family: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set every script's font (Word picks eastAsia for Chinese, ascii/hAnsi for digits and Latin) and
    drop theme fonts, which would otherwise win over the named ones."""
    font = style.font
    font.name = family
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    colour = style.element.rPr.find(qn("w:color"))
    for attribute in ("themeColor", "themeShade", "themeTint"):
        colour.attrib.pop(qn(f"w:{attribute}"), None)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), family)


def _paragraph_style(document, name: str, base: str = "Normal"):
    styles = document.styles
    if name in [s.name for s in styles]:
        return styles[name]
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    return style


def _styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    _fonts(normal, SERIF, 12)
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.first_line_indent = Pt(24)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for level, size in HEADING_SIZES.items():
        heading = styles[f"Heading {level}"]
        _fonts(heading, SANS, size, bold=level == 3)
        fmt = heading.paragraph_format
        fmt.first_line_indent = Pt(0) if level == 1 else Pt(24)
        fmt.space_before = Pt(12 if level == 1 else 8)
        fmt.space_after = Pt(6 if level == 1 else 4)
        fmt.line_spacing = 1.3
        fmt.keep_with_next = True
        fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for name, family, size, indent, align in (
        ("Caption", SANS, 10.5, 0, WD_ALIGN_PARAGRAPH.CENTER),
        ("CF Title", SERIF, 26, 0, WD_ALIGN_PARAGRAPH.CENTER),
        ("CF Cover", SERIF, 16, 0, WD_ALIGN_PARAGRAPH.CENTER),
        ("CF Plain", SERIF, 12, 0, WD_ALIGN_PARAGRAPH.JUSTIFY),
        ("CF Item", SERIF, 12, 24, WD_ALIGN_PARAGRAPH.JUSTIFY),
        ("CF Note", SERIF, 10.5, 0, WD_ALIGN_PARAGRAPH.JUSTIFY),
        ("CF Quote", SERIF, 10.5, 0, WD_ALIGN_PARAGRAPH.JUSTIFY),
        ("CF Table", SERIF, 9, 0, WD_ALIGN_PARAGRAPH.LEFT),
        ("CF Table Small", SERIF, 7.5, 0, WD_ALIGN_PARAGRAPH.LEFT),
        ("CF Contents", SERIF, 12, 0, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        style = styles["Caption"] if name == "Caption" else _paragraph_style(document, name)
        _fonts(style, family, size, bold=name in ("CF Title",))
        fmt = style.paragraph_format
        fmt.first_line_indent = Pt(indent)
        fmt.alignment = align
        fmt.line_spacing = 1.15 if name.startswith("CF Table") else 1.4
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
    styles["Caption"].paragraph_format.space_before = Pt(6)
    styles["Caption"].paragraph_format.space_after = Pt(6)
    quote = styles["CF Quote"].paragraph_format
    quote.left_indent = quote.right_indent = Pt(21)
    quote.space_after = Pt(4)
    styles["CF Note"].font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    styles["CF Quote"].font.color.rgb = RGBColor(0x33, 0x33, 0x33)
    _fonts(styles["Footer"], SERIF, 10.5)


# Where Noto CJK is not installed, Word falls back to the alternative named here: 宋体 for the serif
# body, 黑体 for the sans headings (charset 86 is GB2312).
FONT_ENTRIES = (
    f'<w:font w:name="{SERIF}"><w:altName w:val="宋体"/><w:charset w:val="86"/><w:family w:val="roman"/>'
    '<w:pitch w:val="variable"/></w:font>'
    f'<w:font w:name="{SANS}"><w:altName w:val="黑体"/><w:charset w:val="86"/><w:family w:val="swiss"/>'
    '<w:pitch w:val="variable"/></w:font>'
)


def _font_table(document) -> None:
    for part in document.part.package.iter_parts():
        if part.partname == "/word/fontTable.xml":
            xml = part.blob.decode("utf-8")
            part._blob = xml.replace("</w:fonts>", FONT_ENTRIES + "</w:fonts>").encode("utf-8")


def _core_properties(document, content: ReportContent) -> None:
    when = timezone.localtime(content.published_at, datetime.UTC).replace(tzinfo=None, microsecond=0)
    properties = document.core_properties
    properties.title = content.title
    properties.subject = content.report_title
    properties.author = content.office
    properties.last_modified_by = content.office
    properties.category = content.report_title
    properties.keywords = f"评估快照 {content.year} v{content.snapshot_version}; 评估方法 {content.method_version}"
    properties.comments = content.version_line
    properties.language = "zh-CN"
    properties.created = properties.modified = when
    properties.last_printed = when
    properties.revision = 1


def _fixed_zip(data: bytes, moment: datetime.datetime) -> bytes:
    """The same package with every entry dated `moment` (zip writers otherwise stamp the current time)."""
    local = timezone.localtime(moment)
    date_time = (local.year, local.month, local.day, local.hour, local.minute, local.second // 2 * 2)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


# --- cover and contents ----------------------------------------------------------------------------


def _cover(document, content: ReportContent) -> None:
    for _ in range(4):
        document.add_paragraph("", "CF Cover")
    document.add_paragraph(content.plan_name, "CF Cover")
    title = document.add_paragraph(content.report_title, "CF Title")
    title.paragraph_format.space_before = Pt(18)
    title.paragraph_format.space_after = Pt(18)
    if content.kind != "annual":
        document.add_paragraph(f"（{content.year}年数据）", "CF Cover")
    for _ in range(6):
        document.add_paragraph("", "CF Cover")
    document.add_paragraph(content.office, "CF Cover")
    document.add_paragraph(content.date_line, "CF Cover")
    version = document.add_paragraph(content.version_line, "CF Note")
    version.alignment = WD_ALIGN_PARAGRAPH.CENTER
    version.paragraph_format.space_before = Pt(24)
    version.runs[0].add_break(WD_BREAK.PAGE)


def _contents(document, content: ReportContent) -> None:
    """A table of contents field whose result already lists the headings (Word adds page numbers when
    the field is updated; the PDF has them)."""
    heading = document.add_paragraph("目　录", "CF Cover")
    heading.paragraph_format.space_after = Pt(12)
    entries = [b for b in content.walk() if isinstance(b, Section) and b.level <= 2]
    begin = (
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>',
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>',
    )
    for index, section in enumerate(entries):
        paragraph = document.add_paragraph("", "CF Contents")
        paragraph.paragraph_format.left_indent = Pt(0 if section.level == 1 else 24)
        if index == 0:
            for xml in begin:
                paragraph._p.append(parse_xml(xml))
        paragraph.add_run(section.title)
        if index == len(entries) - 1:
            paragraph._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>'))
    document.add_paragraph("", "CF Plain").add_run().add_break(WD_BREAK.PAGE)


# --- body ------------------------------------------------------------------------------------------


def _section(document, section: Section) -> None:
    if section.page_break and section.level == 1:
        document.add_paragraph("", "CF Plain").add_run().add_break(WD_BREAK.PAGE)
    document.add_heading(section.title, level=section.level)
    for block in section.blocks:
        if isinstance(block, Section):
            _section(document, block)
        elif isinstance(block, Paragraph):
            _paragraph(document, block)
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Chart):
            _chart(document, block)


PARAGRAPH_STYLES = {
    "body": "Normal",
    "plain": "CF Plain",
    "item": "CF Item",
    "note": "CF Note",
    "quote": "CF Quote",
    "center": "CF Cover",
}


def _paragraph(document, paragraph: Paragraph) -> None:
    document.add_paragraph(paragraph.text, PARAGRAPH_STYLES.get(paragraph.style, "Normal"))


def _chart(document, chart: Chart) -> None:
    document.add_picture(io.BytesIO(chart.png), width=Cm(chart.display_width))
    picture = document.paragraphs[-1]
    picture.style = document.styles["CF Plain"]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    picture.paragraph_format.line_spacing = 1.0
    document.add_paragraph(chart.label, "Caption")


def _table(document, table: Table) -> None:
    caption = document.add_paragraph(table.label, "Caption")
    caption.paragraph_format.keep_with_next = True
    total = sum(table.widths)
    widths = [round(TEXT_WIDTH_TWIPS * w / total) for w in table.widths]
    style = "CFTableSmall" if table.small else "CFTable"
    border = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    parts = [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" '
        'w:noVBand="1"/></w:tblPr><w:tblGrid>',
        *[f'<w:gridCol w:w="{w}"/>' for w in widths],
        "</w:tblGrid>",
        _row(table.header, widths, "c" * len(widths), style, header=True),
        *[_row(row, widths, table.align, style) for row in table.rows],
        "</w:tbl>",
    ]
    document.element.body._insert_tbl(parse_xml("".join(parts)))
    document.add_paragraph("", "CF Table").paragraph_format.space_after = Pt(6)


def _row(cells: list[str], widths: list[int], align: str, style: str, header: bool = False) -> str:
    properties = "<w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if header else "") + "</w:trPr>"
    shade = '<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>' if header else ""
    bold = "<w:rPr><w:b/></w:rPr>" if header else ""
    out = [f"<w:tr>{properties}"]
    for text, width, where in zip(cells, widths, align, strict=True):
        runs = f"<w:r>{bold}<w:br/></w:r>".join(
            f'<w:r>{bold}<w:t xml:space="preserve">{escape(line)}</w:t></w:r>' for line in str(text).split("\n")
        )
        out.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}<w:vAlign w:val="center"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/><w:jc w:val="{ALIGN[where]}"/></w:pPr>{runs}</w:p></w:tc>'
        )
    out.append("</w:tr>")
    return "".join(out)
