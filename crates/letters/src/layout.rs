//! Paragraphs: greedy line filling over the break opportunities, measured with the shaped
//! advances, and the horizontal placement of each line.

use crate::breaks::no_break_before;
use crate::font::Font;
use crate::shape::Glyph;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
    /// Both edges straight (all lines but the last): extra space goes to the word breaks,
    /// the way Thai official letters are justified.
    Justify,
}

/// One line of a paragraph: `text[start..end]`, trailing spaces left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub start: usize,
    pub end: usize,
}

/// Width in pt of the glyphs whose cluster lies in `text[a..b]`, trailing spaces excluded.
pub fn width(font: &Font, text: &str, glyphs: &[Glyph], a: usize, b: usize, size: f32) -> f32 {
    let b = a + text[a..b].trim_end().len();
    let units: i32 = glyphs
        .iter()
        .filter(|g| g.cluster >= a && g.cluster < b)
        .map(|g| g.x_advance)
        .sum();
    units as f32 * size / font.upem
}

/// Splits the paragraph into lines no wider than `first_width` (first line) and `width_rest`.
pub fn wrap(
    font: &Font,
    text: &str,
    glyphs: &[Glyph],
    breaks: &[usize],
    size: f32,
    first_width: f32,
    width_rest: f32,
) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut last_fit: Option<usize> = None;
    let mut i = 0;
    let max = |lines: &Vec<Line>| if lines.is_empty() { first_width } else { width_rest };
    while i < breaks.len() {
        let b = breaks[i];
        if width(font, text, glyphs, start, b, size) <= max(&lines) {
            last_fit = Some(b);
            i += 1;
            continue;
        }
        let cut = match last_fit.take() {
            Some(fit) => fit,
            // One unbreakable run wider than the line: cut between characters, never before a mark.
            None => emergency_cut(font, text, glyphs, start, b, size, max(&lines)),
        };
        lines.push(Line {
            start,
            end: start + text[start..cut].trim_end().len(),
        });
        start = cut;
    }
    if start < text.len() {
        lines.push(Line {
            start,
            end: start + text[start..].trim_end().len(),
        });
    }
    lines
}

fn emergency_cut(font: &Font, text: &str, glyphs: &[Glyph], start: usize, limit: usize, size: f32, max: f32) -> usize {
    let mut cut = start;
    for (o, c) in text[start..limit].char_indices() {
        let p = start + o + c.len_utf8();
        if width(font, text, glyphs, start, p, size) > max && cut > start {
            break;
        }
        if !text[p..].chars().next().is_some_and(no_break_before) {
            cut = p;
        }
    }
    if cut == start {
        start + text[start..].chars().next().map_or(1, char::len_utf8)
    } else {
        cut
    }
}

/// Where each glyph of a line goes, relative to the line's left edge, in pt: (glyph, x, dy).
/// Justified lines spread `extra` over the break opportunities inside the line.
pub fn place<'g>(
    font: &Font,
    glyphs: &'g [Glyph],
    line: &Line,
    inner_breaks: &[usize],
    extra: f32,
    size: f32,
) -> Vec<(&'g Glyph, f32, f32)> {
    let scale = size / font.upem;
    let per_gap = if inner_breaks.is_empty() {
        0.0
    } else {
        extra / inner_breaks.len() as f32
    };
    let mut pen = 0.0;
    let mut placed = Vec::new();
    for g in glyphs
        .iter()
        .filter(|g| g.cluster >= line.start && g.cluster < line.end)
    {
        let gaps_before = inner_breaks.iter().filter(|&&b| b <= g.cluster).count() as f32;
        placed.push((
            g,
            pen + g.x_offset as f32 * scale + gaps_before * per_gap,
            g.y_offset as f32 * scale,
        ));
        pen += g.x_advance as f32 * scale;
    }
    placed
}
