//! A font face, known both to rustybuzz (for shaping) and to printpdf (for embedding).

use crate::error::LettersError;
use printpdf::ParsedFont;
use rustybuzz::Face;
use rustybuzz::ttf_parser::GlyphId;
use std::collections::HashMap;

const LAKSAMAN: &[u8] = include_bytes!("../../../assets/fonts/Laksaman.ttf");
const LAKSAMAN_BOLD: &[u8] = include_bytes!("../../../assets/fonts/Laksaman-Bold.ttf");

pub struct Font {
    pub(crate) face: Face<'static>,
    pub(crate) parsed: ParsedFont,
    pub(crate) upem: f32,
    /// Nominal glyph → its character: the text a glyph extracts as.
    nominal: HashMap<u16, char>,
    /// The font's own sara am glyphs, as wide as sara aa (the nominal one and variants named
    /// `uni0E33.*`), each with the left edge of its drawing: where its nikhahit is.
    pub(crate) sara_am: Vec<(u16, i16)>,
}

impl Font {
    /// Laksaman, the metric twin of TH Sarabun New, bundled in assets/fonts.
    pub fn laksaman() -> Result<Font, LettersError> {
        Font::from_static(LAKSAMAN)
    }

    pub fn laksaman_bold() -> Result<Font, LettersError> {
        Font::from_static(LAKSAMAN_BOLD)
    }

    /// A unit's own TH Sarabun New file, say; `bytes` must live for the whole program.
    pub fn from_static(bytes: &'static [u8]) -> Result<Font, LettersError> {
        let face = Face::from_slice(bytes, 0).ok_or_else(|| LettersError::Font("not an OpenType font".into()))?;
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())
            .ok_or_else(|| LettersError::Font("printpdf cannot parse it".into()))?;
        let upem = f32::from(face.units_per_em() as u16);
        let mut nominal = HashMap::new();
        for range in [0x20u32..0x250, 0x0E00..0x0E80, 0x2000..0x2070, 0x20A0..0x20C0] {
            for c in range.filter_map(char::from_u32) {
                if let Some(g) = face.glyph_index(c) {
                    nominal.entry(g.0).or_insert(c);
                }
            }
        }
        let sara_am = sara_am_glyphs(&face);
        Ok(Font {
            face,
            parsed,
            upem,
            nominal,
            sara_am,
        })
    }

    pub(crate) fn nominal_char(&self, gid: u16) -> Option<char> {
        self.nominal.get(&gid).copied()
    }

    /// The text of a positional variant from its glyph name, Adobe-Glyph-List style:
    /// "uni0E49.low" → U+0E49, "uni0E4D0E49" → U+0E4D U+0E49. The shaping cluster alone is
    /// wrong when a substitution swaps glyphs within a cluster.
    pub(crate) fn text_from_glyph_name(&self, gid: u16) -> Option<String> {
        let name = self.face.glyph_name(rustybuzz::ttf_parser::GlyphId(gid))?;
        let base = name.split('.').next()?;
        let mut out = String::new();
        for part in base.split('_') {
            if let Some(hex) = part.strip_prefix("uni") {
                if hex.is_empty() || hex.len() % 4 != 0 {
                    return None;
                }
                for i in (0..hex.len()).step_by(4) {
                    out.push(char::from_u32(u32::from_str_radix(hex.get(i..i + 4)?, 16).ok()?)?);
                }
            } else if let Some(hex) = part.strip_prefix('u') {
                out.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
            } else {
                return None;
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// Single line spacing in pt: the larger of hhea and OS/2 win metrics, or stacked marks
    /// (upper vowel + tone) touch the line above.
    pub fn line_height(&self, size: f32) -> f32 {
        let f = &self.face;
        let hhea = f32::from(f.ascender()) - f32::from(f.descender()) + f32::from(f.line_gap());
        let win = f.tables().os2.map_or(0.0, |o| {
            f32::from(o.windows_ascender()) + f32::from(o.windows_descender().unsigned_abs())
        });
        hhea.max(win) / self.upem * size
    }
}

/// The sara am glyphs of `face` that can stand for nikhahit + sara aa: as wide as sara aa, the
/// nominal one first, then variants such as Laksaman's `uni0E33.alt1` (its nikhahit further
/// left, for after ป ฝ ฟ ฬ).
fn sara_am_glyphs(face: &Face<'_>) -> Vec<(u16, i16)> {
    let (Some(nominal), Some(sara_aa)) = (face.glyph_index('\u{0E33}'), face.glyph_index('\u{0E32}')) else {
        return Vec::new();
    };
    let advance = face.glyph_hor_advance(sara_aa);
    let left = |g: GlyphId| face.glyph_bounding_box(g).map(|b| (g.0, b.x_min));
    let variants = (0..face.number_of_glyphs())
        .map(GlyphId)
        .filter(|&g| g != nominal && face.glyph_name(g).is_some_and(|n| n.starts_with("uni0E33.")));
    std::iter::once(nominal)
        .chain(variants)
        .filter(|&g| face.glyph_hor_advance(g) == advance)
        .filter_map(left)
        .collect()
}
