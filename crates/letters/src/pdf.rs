//! Pages of shaped text. Each glyph is placed with a text matrix and shown by glyph id, with
//! its own text in the font's ToUnicode map; each line is also wrapped in an /ActualText span
//! so copy and search give back exactly the paragraph's text.

use crate::breaks::Breaker;
use crate::font::Font;
use crate::layout::{self, Align, Line};
use crate::shape::shape;
use printpdf::{
    Codepoint, Color, DictItem, FontId, Line as PathLine, LineDashPattern, LinePoint, Mm, Op, PdfDocument,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rgb, TextItem, TextMatrix,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy)]
pub struct TextStyle {
    pub size: f32,
    pub bold: bool,
    /// Red, as the urgency mark of an official letter; black otherwise.
    pub red: bool,
}

impl TextStyle {
    pub fn regular(size: f32) -> TextStyle {
        TextStyle {
            size,
            bold: false,
            red: false,
        }
    }

    pub fn bold(size: f32) -> TextStyle {
        TextStyle {
            size,
            bold: true,
            red: false,
        }
    }
}

/// One A4 page being laid out. Coordinates in pt from the bottom-left corner.
pub struct Page<'f> {
    regular: &'f Font,
    bold: &'f Font,
    breaker: &'f Breaker,
    ops: Vec<Op>,
}

const REGULAR: &str = "F1";
const BOLD: &str = "F2";

impl<'f> Page<'f> {
    pub fn new(regular: &'f Font, bold: &'f Font, breaker: &'f Breaker) -> Page<'f> {
        Page {
            regular,
            bold,
            breaker,
            ops: Vec::new(),
        }
    }

    /// Lays out `text` in the box from `x` to `x + width`, first baseline at `y`, the first line
    /// indented by `indent`. Returns the baseline of the line after the paragraph.
    #[allow(clippy::too_many_arguments)]
    pub fn paragraph(
        &mut self,
        text: &str,
        style: TextStyle,
        x: f32,
        y: f32,
        width: f32,
        indent: f32,
        align: Align,
    ) -> f32 {
        let font = if style.bold { self.bold } else { self.regular };
        let glyphs = shape(font, text);
        let breaks = self.breaker.points(text);
        let lines = layout::wrap(font, text, &glyphs, &breaks, style.size, width - indent, width);
        let line_height = font.line_height(style.size);
        let mut baseline = y;
        for (i, line) in lines.iter().enumerate() {
            let left = x + if i == 0 { indent } else { 0.0 };
            let room = width - if i == 0 { indent } else { 0.0 };
            let used = layout::width(font, text, &glyphs, line.start, line.end, style.size);
            let last = i + 1 == lines.len();
            let (line_x, inner, extra) = match align {
                Align::Left => (left, Vec::new(), 0.0),
                Align::Center => (left + (room - used) / 2.0, Vec::new(), 0.0),
                Align::Right => (left + room - used, Vec::new(), 0.0),
                Align::Justify if last => (left, Vec::new(), 0.0),
                Align::Justify => {
                    let inner: Vec<usize> = breaks
                        .iter()
                        .copied()
                        .filter(|&b| b > line.start && b < line.end)
                        .collect();
                    (left, inner, room - used)
                }
            };
            let placed = layout::place(font, &glyphs, line, &inner, extra, style.size);
            self.emit_line(text, line, placed, style, line_x, baseline);
            baseline -= line_height;
        }
        baseline
    }

    fn emit_line(
        &mut self,
        text: &str,
        line: &Line,
        mut placed: Vec<(&crate::shape::Glyph, f32, f32)>,
        style: TextStyle,
        x: f32,
        y: f32,
    ) {
        let id = FontId(if style.bold { BOLD } else { REGULAR }.to_owned());
        if style.red {
            self.ops.push(Op::SetFillColor {
                col: Color::Rgb(Rgb::new(0.8, 0.0, 0.0, None)),
            });
        }
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFont {
            font: PdfFontHandle::External(id),
            size: Pt(style.size),
        });
        self.ops.push(actual_text(&text[line.start..line.end]));
        // Drawn where shaping put them, but written in the order of the text they stand for.
        placed.sort_by_key(|(g, _, _)| g.src);
        for (g, gx, dy) in placed {
            self.ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Raw([1.0, 0.0, 0.0, 1.0, x + gx, y + dy]),
            });
            self.ops.push(Op::ShowText {
                items: vec![TextItem::GlyphIds(vec![Codepoint {
                    gid: g.gid,
                    offset: 0.0,
                    cid: Some(g.text.clone()),
                }])],
            });
        }
        self.ops.push(Op::EndMarkedContent);
        self.ops.push(Op::EndTextSection);
        if style.red {
            self.ops.push(Op::SetFillColor {
                col: Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)),
            });
        }
    }

    /// A horizontal rule from `x1` to `x2` at `y`; dashed for "cut here".
    pub fn rule(&mut self, x1: f32, x2: f32, y: f32, dashed: bool) {
        self.ops.push(Op::SetOutlineThickness { pt: Pt(0.6) });
        let dash = if dashed {
            LineDashPattern::new(0.0, &[4.0, 3.0])
        } else {
            LineDashPattern::solid()
        };
        self.ops.push(Op::SetLineDashPattern { dash });
        self.ops.push(Op::DrawLine {
            line: PathLine {
                points: vec![point(x1, y), point(x2, y)],
                is_closed: false,
            },
        });
        self.ops.push(Op::SetLineDashPattern {
            dash: LineDashPattern::solid(),
        });
    }

    /// An empty square to tick by hand, `size` pt wide, bottom-left at (x, y).
    pub fn checkbox(&mut self, x: f32, y: f32, size: f32) {
        self.ops.push(Op::SetOutlineThickness { pt: Pt(0.6) });
        let corners = [(x, y), (x + size, y), (x + size, y + size), (x, y + size)];
        self.ops.push(Op::DrawLine {
            line: PathLine {
                points: corners.iter().map(|&(cx, cy)| point(cx, cy)).collect(),
                is_closed: true,
            },
        });
    }

    pub fn line_height(&self, style: TextStyle) -> f32 {
        if style.bold {
            self.bold.line_height(style.size)
        } else {
            self.regular.line_height(style.size)
        }
    }
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier: false,
    }
}

fn actual_text(text: &str) -> Op {
    let mut data = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        data.extend_from_slice(&unit.to_be_bytes());
    }
    let mut map = BTreeMap::new();
    map.insert("ActualText".to_string(), DictItem::String { data, literal: false });
    Op::BeginMarkedContentWithProperties {
        tag: "Span".into(),
        properties: DictItem::Dict { map },
    }
}

/// The PDF of the pages, A4, fonts subset. The same input gives the same bytes: fonts get
/// fixed resource names and the document dates are fixed.
pub fn render(title: &str, regular: &Font, bold: &Font, pages: Vec<Page<'_>>) -> Vec<u8> {
    let mut doc = PdfDocument::new(title);
    doc.resources
        .fonts
        .map
        .insert(FontId(REGULAR.into()), printpdf::PdfFont::new(regular.parsed.clone()));
    doc.resources
        .fonts
        .map
        .insert(FontId(BOLD.into()), printpdf::PdfFont::new(bold.parsed.clone()));
    let pages = pages
        .into_iter()
        .map(|p| PdfPage::new(Mm(210.0), Mm(297.0), p.ops))
        .collect();
    let mut warnings = Vec::new();
    let mut bytes = doc.with_pages(pages).save(
        &PdfSaveOptions {
            subset_fonts: true,
            ..Default::default()
        },
        &mut warnings,
    );
    stable_document_id(&mut bytes);
    bytes
}

/// printpdf writes a random trailer /ID; the PDF spec suggests deriving it from the content,
/// which also makes the same document byte-for-byte the same. Same length, so no offset moves.
fn stable_document_id(bytes: &mut [u8]) {
    const MARK: &[u8] = b"/ID[(";
    const LEN: usize = 32;
    let Some(at) = bytes.windows(MARK.len()).rposition(|w| w == MARK) else {
        return;
    };
    let first = at + MARK.len();
    let second = first + LEN + 2; // ")("
    if bytes.len() < second + LEN || &bytes[first + LEN..second] != b")(" {
        return;
    }
    bytes[first..first + LEN].fill(b'0');
    bytes[second..second + LEN].fill(b'0');
    let digest = hex_upper(&Sha256::digest(&*bytes)[..LEN / 2]);
    bytes[first..first + LEN].copy_from_slice(digest.as_bytes());
    bytes[second..second + LEN].copy_from_slice(digest.as_bytes());
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
