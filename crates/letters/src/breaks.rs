//! Where a Thai line may break: between words (the LSTM segmenter; the dictionary one splits
//! some words wrongly), never before a mark or following vowel, never after a leading vowel.

use icu_segmenter::options::LineBreakOptions;
use icu_segmenter::{LineSegmenter, LineSegmenterBorrowed};

pub struct Breaker {
    segmenter: LineSegmenterBorrowed<'static>,
}

/// Marks, following vowels and repetition signs: they belong to the character before.
pub fn no_break_before(c: char) -> bool {
    matches!(c, '\u{0E30}'..='\u{0E3A}' | '\u{0E45}'..='\u{0E4E}')
}

/// Leading vowels (เ แ โ ใ ไ): they belong to the character after.
pub fn no_break_after(c: char) -> bool {
    matches!(c, '\u{0E40}'..='\u{0E44}')
}

impl Default for Breaker {
    fn default() -> Breaker {
        Breaker {
            segmenter: LineSegmenter::new_auto(LineBreakOptions::default()),
        }
    }
}

impl Breaker {
    /// Byte offsets where a line may end (never 0; always `text.len()`).
    pub fn points(&self, text: &str) -> Vec<usize> {
        self.segmenter
            .segment_str(text)
            .filter(|&b| b > 0)
            .filter(|&b| {
                b == text.len()
                    || !(text[b..].chars().next().is_some_and(no_break_before)
                        || text[..b].chars().next_back().is_some_and(no_break_after))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_between_thai_words_and_never_inside_a_cluster() {
        let breaker = Breaker::default();
        let text = "ผู้เสียหายได้รับการช่วยเหลือจากทีมสหวิชาชีพและส่งต่อไปยังบ้านพักเด็กและครอบครัว";
        let points = breaker.points(text);
        assert!(points.len() >= 8, "{points:?}");
        assert_eq!(points.last(), Some(&text.len()));
        for &b in &points[..points.len() - 1] {
            let next = text[b..].chars().next().unwrap();
            let prev = text[..b].chars().next_back().unwrap();
            assert!(
                !no_break_before(next) && !no_break_after(prev),
                "bad break before {next:?} after {prev:?}"
            );
        }
        // Whole words: "ผู้เสียหาย" may not be split after "เ".
        let lines: Vec<&str> = std::iter::once(0)
            .chain(points.iter().copied())
            .collect::<Vec<_>>()
            .windows(2)
            .map(|w| &text[w[0]..w[1]])
            .collect();
        assert!(lines.iter().all(|piece| !piece.ends_with('เ')), "{lines:?}");
    }
}
