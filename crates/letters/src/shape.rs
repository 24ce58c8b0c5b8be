//! Shaping: text → positioned glyphs, each knowing the text it stands for (for ToUnicode) and
//! where that text is in the paragraph (glyphs are written in logical order, so extractors
//! that ignore /ActualText still read marks in the right order).

use crate::font::Font;
use rustybuzz::{BufferClusterLevel, Direction, Language, UnicodeBuffer};
use std::collections::HashSet;
use std::str::FromStr;

#[derive(Clone, Debug)]
pub struct Glyph {
    pub gid: u16,
    /// Byte offset of the glyph's cluster in the paragraph.
    pub cluster: usize,
    pub x_advance: i32,
    pub x_offset: i32,
    pub y_offset: i32,
    /// The text the glyph extracts as: a function of the glyph alone, since a PDF font maps
    /// each glyph id to one text for the whole document.
    pub text: String,
    /// Byte offset of that text in the paragraph: the order glyphs are written in.
    pub src: usize,
}

fn is_thai(c: char) -> bool {
    ('\u{0E00}'..='\u{0E7F}').contains(&c)
}

/// Shapes Thai and non-Thai runs separately, so each gets its script's shaping.
pub fn shape(font: &Font, text: &str) -> Vec<Glyph> {
    let mut runs: Vec<(usize, usize, bool)> = Vec::new();
    for (i, c) in text.char_indices() {
        let kind = (c.is_alphanumeric() || is_thai(c)).then(|| is_thai(c));
        let end = i + c.len_utf8();
        match (runs.last_mut(), kind) {
            (Some(run), None) => run.1 = end,
            (Some(run), Some(thai)) if run.2 == thai => run.1 = end,
            (_, kind) => runs.push((i, end, kind.unwrap_or(false))),
        }
    }
    let thai_language = Language::from_str("th").ok();
    let mut out = Vec::new();
    for (start, end, thai) in runs {
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(&text[start..end]);
        buffer.set_cluster_level(BufferClusterLevel::Characters);
        buffer.set_direction(Direction::LeftToRight);
        if thai {
            buffer.set_script(rustybuzz::script::THAI);
            if let Some(language) = thai_language.clone() {
                buffer.set_language(language);
            }
        } else {
            buffer.guess_segment_properties();
        }
        let shaped = rustybuzz::shape(&font.face, &[], buffer);
        let infos = shaped.glyph_infos();
        for (k, (info, pos)) in infos.iter().zip(shaped.glyph_positions()).enumerate() {
            let gid = info.glyph_id as u16;
            let cluster = start + info.cluster as usize;
            let text_of_glyph = match font.nominal_char(gid) {
                Some(c) => c.to_string(),
                None => font.text_from_glyph_name(gid).unwrap_or_else(|| {
                    let alone = infos
                        .iter()
                        .enumerate()
                        .all(|(j, o)| j == k || o.cluster != info.cluster);
                    if alone {
                        let next = infos
                            .iter()
                            .map(|o| start + o.cluster as usize)
                            .filter(|&o| o > cluster)
                            .min();
                        text[cluster..next.unwrap_or(end)].to_string()
                    } else {
                        text[cluster..].chars().next().map(String::from).unwrap_or_default()
                    }
                }),
            };
            out.push(Glyph {
                gid,
                cluster,
                x_advance: pos.x_advance,
                x_offset: pos.x_offset,
                y_offset: pos.y_offset,
                text: text_of_glyph,
                src: cluster,
            });
        }
    }
    recompose_sara_am(font, text, &mut out);
    assign_src(text, &mut out);
    out
}

/// HarfBuzz decomposes SARA AM (U+0E33) into NIKHAHIT + SARA AA, which extracts as "นํ้า"
/// instead of "น้ำ" wherever the reader ignores /ActualText (pdf.js, and so most browsers).
/// Draw one of the font's own sara am glyphs instead of the pair: the one whose nikhahit is
/// where HarfBuzz put the nikhahit, within `RING_SLACK`. After ป ฝ ฟ ฬ HarfBuzz moves the
/// nikhahit left of the tall stem; Laksaman's `uni0E33.alt1` draws it there too.
fn recompose_sara_am(font: &Font, text: &str, glyphs: &mut Vec<Glyph>) {
    let face = &font.face;
    let (Some(nikhahit), Some(sara_aa)) = (face.glyph_index('\u{0E4D}'), face.glyph_index('\u{0E32}')) else {
        return;
    };
    let Some(ring_left) = face.glyph_bounding_box(nikhahit).map(|b| b.x_min) else {
        return;
    };
    if font.sara_am.is_empty() {
        return;
    }
    let mut i = 0;
    while i < glyphs.len() {
        let g = &glyphs[i];
        let source = text[g.cluster..].chars().next();
        if g.gid == nikhahit.0 && source == Some('\u{0E33}') && g.y_offset == 0 {
            let cluster = g.cluster;
            // The sara aa of the same cluster; tone marks may sit in between. The nikhahit has
            // no advance, so it is drawn from the sara aa's pen: its left edge is there.
            let aa =
                (i + 1..glyphs.len().min(i + 4)).find(|&j| glyphs[j].gid == sara_aa.0 && glyphs[j].cluster == cluster);
            let wanted = i32::from(ring_left) + g.x_offset;
            let best = font
                .sara_am
                .iter()
                .min_by_key(|(_, left)| (i32::from(*left) - wanted).abs())
                .filter(|(_, left)| (i32::from(*left) - wanted).abs() <= RING_SLACK);
            if let (Some(j), Some(&(sara_am, _))) = (aa, best) {
                glyphs[j].gid = sara_am;
                glyphs[j].text = "\u{0E33}".into();
                let advance = glyphs[i].x_advance;
                glyphs.remove(i);
                if advance != 0 {
                    glyphs[j - 1].x_advance += advance;
                }
                continue;
            }
        }
        i += 1;
    }
}

/// How far (font units, of 1,000 an em in Laksaman) the ring of the sara am glyph drawn may be
/// from where HarfBuzz put the nikhahit: 0.3 pt at body size, invisible on paper. Laksaman's
/// `uni0E33.alt1` is 27 units left of HarfBuzz's place after ป; the nominal glyph is exact.
const RING_SLACK: i32 = 30;

/// Where each glyph's text really is: the nearest unused occurrence of its first character
/// within a few characters of its cluster.
fn assign_src(text: &str, glyphs: &mut [Glyph]) {
    let mut used = HashSet::new();
    for g in glyphs.iter_mut() {
        let Some(first) = g.text.chars().next() else { continue };
        let lo = text.floor_char_boundary(g.cluster.saturating_sub(12));
        let hi = text.ceil_char_boundary((g.cluster + 12).min(text.len()));
        let best = text[lo..hi]
            .char_indices()
            .map(|(o, c)| (lo + o, c))
            .filter(|&(o, c)| c == first && !used.contains(&o))
            .min_by_key(|&(o, _)| (o as i64 - g.cluster as i64).abs());
        if let Some((o, _)) = best {
            g.src = o;
            used.insert(o);
        }
    }
}
