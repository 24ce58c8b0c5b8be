//! Pages of shaped text. Each glyph is placed with a text matrix and shown by glyph id, with
//! its own text in the font's ToUnicode map; each line is also wrapped in an /ActualText span
//! so copy and search give back exactly the paragraph's text.

use crate::breaks::Breaker;
use crate::error::LettersError;
use crate::font::Font;
use crate::layout::{self, Align, Line};
use crate::shape::shape;
use printpdf::{
    Codepoint, Color, DictItem, FontId, Line as PathLine, LineDashPattern, LinePoint, Mm, Op, PdfDocument,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, RawImage, RawImageData, RawImageFormat, Rgb, TextItem,
    TextMatrix, XObject, XObjectId, XObjectTransform,
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
    images: Vec<Image>,
}

/// A paragraph shaped and broken into lines, not yet drawn.
pub struct SetParagraph {
    text: String,
    glyphs: Vec<crate::shape::Glyph>,
    breaks: Vec<usize>,
    pub lines: Vec<Line>,
    style: TextStyle,
    width: f32,
    indent: f32,
    align: Align,
    pub line_height: f32,
}

impl SetParagraph {
    /// The first word of line `i`: what the regulation repeats at the foot of a page
    /// ("/word...") when the text goes on overleaf.
    pub fn first_word(&self, i: usize) -> &str {
        let Some(line) = self.lines.get(i) else { return "" };
        let end = self
            .breaks
            .iter()
            .copied()
            .find(|&b| b > line.start && b <= line.end)
            .unwrap_or(line.end);
        self.text[line.start..end].trim_end()
    }
}

/// A decoded picture (the unit's emblem) and the fixed name it has in the PDF.
#[derive(Debug, Clone)]
pub struct Image {
    id: String,
    raw: RawImage,
}

impl Image {
    /// Width over height.
    pub fn aspect(&self) -> f32 {
        self.raw.width as f32 / self.raw.height.max(1) as f32
    }

    /// Decodes a PNG file (8-bit grey, grey+alpha, RGB or RGBA; palettes expanded).
    pub fn from_png(id: &str, bytes: &[u8]) -> Result<Image, LettersError> {
        let bad = |e: png::DecodingError| LettersError::Image(e.to_string());
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().map_err(bad)?;
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| LettersError::Image("the picture is too large".into()))?;
        let mut pixels = vec![0; size];
        let frame = reader.next_frame(&mut pixels).map_err(bad)?;
        pixels.truncate(frame.buffer_size());
        let data_format = match frame.color_type {
            png::ColorType::Grayscale => RawImageFormat::R8,
            png::ColorType::GrayscaleAlpha => RawImageFormat::RG8,
            png::ColorType::Rgb => RawImageFormat::RGB8,
            png::ColorType::Rgba => RawImageFormat::RGBA8,
            png::ColorType::Indexed => return Err(LettersError::Image("palette not expanded".into())),
        };
        Ok(Image {
            id: id.to_owned(),
            raw: RawImage {
                pixels: RawImageData::U8(pixels),
                width: frame.width as usize,
                height: frame.height as usize,
                data_format,
                tag: Vec::new(),
            },
        })
    }
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
            images: Vec::new(),
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
        let set = self.set(text, style, width, indent, align);
        self.draw(&set, 0..set.lines.len(), x, y)
    }

    /// Shapes and breaks a paragraph into lines without drawing it, so a flow can put its
    /// lines on more than one page.
    pub fn set(&self, text: &str, style: TextStyle, width: f32, indent: f32, align: Align) -> SetParagraph {
        let font = if style.bold { self.bold } else { self.regular };
        let glyphs = shape(font, text);
        let breaks = self.breaker.points(text);
        let lines = layout::wrap(font, text, &glyphs, &breaks, style.size, width - indent, width);
        SetParagraph {
            text: text.to_owned(),
            glyphs,
            breaks,
            lines,
            style,
            width,
            indent,
            align,
            line_height: font.line_height(style.size),
        }
    }

    /// Draws `lines` of a set paragraph, the first of them at baseline `y`. Returns the
    /// baseline after the last one.
    pub fn draw(&mut self, set: &SetParagraph, lines: std::ops::Range<usize>, x: f32, y: f32) -> f32 {
        let font = if set.style.bold { self.bold } else { self.regular };
        let mut baseline = y;
        for i in lines {
            let Some(line) = set.lines.get(i) else { break };
            let indent = if i == 0 { set.indent } else { 0.0 };
            let left = x + indent;
            let room = set.width - indent;
            let used = layout::width(font, &set.text, &set.glyphs, line.start, line.end, set.style.size);
            let last = i + 1 == set.lines.len();
            let (line_x, inner, extra) = match set.align {
                Align::Left => (left, Vec::new(), 0.0),
                Align::Center => (left + (room - used) / 2.0, Vec::new(), 0.0),
                Align::Right => (left + room - used, Vec::new(), 0.0),
                Align::Justify if last => (left, Vec::new(), 0.0),
                Align::Justify => {
                    let inner: Vec<usize> = set
                        .breaks
                        .iter()
                        .copied()
                        .filter(|&b| b > line.start && b < line.end)
                        .collect();
                    (left, inner, room - used)
                }
            };
            let placed = layout::place(font, &set.glyphs, line, &inner, extra, set.style.size);
            self.emit_line(&set.text, line, placed, set.style, line_x, baseline);
            baseline -= set.line_height;
        }
        baseline
    }

    /// An image (already added to the document under `id`) `height` pt high, its width
    /// from its proportions, with the bottom-left corner at (x, y).
    pub fn image(&mut self, image: &Image, x: f32, y: f32, height: f32) {
        let dpi = image.raw.height as f32 * 72.0 / height;
        self.ops.push(Op::UseXobject {
            id: XObjectId(image.id.clone()),
            transform: XObjectTransform {
                translate_x: Some(Pt(x)),
                translate_y: Some(Pt(y)),
                dpi: Some(dpi),
                ..Default::default()
            },
        });
        if !self.images.iter().any(|i| i.id == image.id) {
            self.images.push(image.clone());
        }
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
        .map(|p| {
            for image in p.images {
                doc.resources
                    .xobjects
                    .map
                    .insert(XObjectId(image.id), XObject::Image(image.raw));
            }
            PdfPage::new(Mm(210.0), Mm(297.0), p.ops)
        })
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
