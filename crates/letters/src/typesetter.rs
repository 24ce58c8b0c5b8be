//! The typesetter: the fonts and the word breaker every document is set with, loaded once.

use crate::breaks::Breaker;
use crate::error::LettersError;
use crate::font::Font;
use crate::pdf::Page;

/// The fonts and word breaker a document needs, loaded once.
pub struct Typesetter {
    pub(crate) regular: Font,
    pub(crate) bold: Font,
    breaker: Breaker,
}

impl Typesetter {
    pub fn laksaman() -> Result<Typesetter, LettersError> {
        Ok(Typesetter {
            regular: Font::laksaman()?,
            bold: Font::laksaman_bold()?,
            breaker: Breaker::default(),
        })
    }

    pub(crate) fn page(&self) -> Page<'_> {
        Page::new(&self.regular, &self.bold, &self.breaker)
    }
}

/// A number written in Thai digits (๐–๙), for units that chose them.
pub fn thai_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from_u32(0x0E50 + d).unwrap_or(c),
            None => c,
        })
        .collect()
}
