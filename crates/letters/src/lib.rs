//! Official Thai letters and forms as PDF (docs/ARCHITECTURE.md, "Documents"). Thai must be shaped (tone marks over
//! upper vowels, marks under ญ ฐ) and broken between words (Thai has no spaces), and the text
//! must stay extractable: printpdf alone does neither, so text is shaped with rustybuzz,
//! broken with icu_segmenter and placed glyph by glyph with printpdf's low-level operations.

mod breaks;
mod error;
mod flow;
mod font;
mod form;
mod layout;
mod letter;
mod page;
mod pdf;
mod recovery;
mod report;
mod shape;
mod specimen;
mod typesetter;

pub use breaks::Breaker;
pub use error::LettersError;
pub use font::Font;
pub use form::ReferralForm;
pub use layout::Align;
pub use letter::{OfficialLetter, Urgency};
pub use page::{BODY_SIZE, LEFT_MARGIN, PAGE_WIDTH, PARAGRAPH_INDENT, RIGHT_MARGIN};
pub use pdf::{Image, Page, SetParagraph, TextStyle, render};
pub use recovery::RecoverySheet;
pub use report::{Report, Section};
/// Shaping alone, for the check against HarfBuzz through pango (tests/reference_rendering.rs).
pub use shape::{Glyph, shape};
pub use specimen::{specimen_form, specimen_letter};
pub use typesetter::{Typesetter, thai_digits};
