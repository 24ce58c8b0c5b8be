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

/// Text with its numbers in Thai digits (๐–๙), for units that chose them: "ที่ CPN/๑๒",
/// "๓ ธันวาคม ๒๕๖๙". A code that glues digits to Latin letters (a laptop's tag "3F9A1C2B",
/// a provisional number "P3F9A1C2B-01", an e-mail address) is typed, not read, so it keeps the
/// digits it is typed with.
pub fn thai_digits(text: &str) -> String {
    let in_code = |c: char| c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '_' | '-');
    let mut out = String::with_capacity(text.len() * 3);
    let mut rest = text;
    while let Some(start) = rest.find(in_code) {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let end = from.find(|c: char| !in_code(c)).unwrap_or(from.len());
        let (token, after) = from.split_at(end);
        let glued = token.split(|c: char| !c.is_ascii_alphanumeric()).any(|part| {
            part.contains(|c: char| c.is_ascii_digit()) && part.contains(|c: char| c.is_ascii_alphabetic())
        });
        if glued {
            out.push_str(token);
        } else {
            out.extend(token.chars().map(|c| match c.to_digit(10) {
                Some(d) => char::from_u32(0x0E50 + d).unwrap_or(c),
                None => c,
            }));
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `text` in the digits a document is printed in: Thai (`thai_digits`) or as typed.
pub(crate) fn in_digits(thai: bool, text: &str) -> String {
    if thai { thai_digits(text) } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::thai_digits;

    #[test]
    fn numbers_go_thai_and_codes_keep_their_digits() {
        assert_eq!(thai_digits("ที่ ชพ 0033.1/12"), "ที่ ชพ ๐๐๓๓.๑/๑๒");
        assert_eq!(
            thai_digits("3 ธันวาคม 2569 เวลา 09:30 น."),
            "๓ ธันวาคม ๒๕๖๙ เวลา ๐๙:๓๐ น."
        );
        assert_eq!(
            thai_digits("เลขรายกรณี CPN-2569-0001 (100%)"),
            "เลขรายกรณี CPN-๒๕๖๙-๐๐๐๑ (๑๐๐%)"
        );
        assert_eq!(thai_digits("อายุ14ปี"), "อายุ๑๔ปี");
        for code in ["เครื่อง 3F9A1C2B", "CPN/P3F9A1C2B-01", "oscc1300@moph.go.th"] {
            assert_eq!(thai_digits(code), code);
        }
    }
}
