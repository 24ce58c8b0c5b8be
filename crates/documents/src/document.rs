//! A document as read from the book, not yet typeset, and the file name it is saved under.

use crate::error::Result;
use letters::{OfficialLetter, RecoverySheet, ReferralForm, Report, Typesetter};

#[derive(Debug, Clone)]
pub struct Document {
    file_name: String,
    content: Content,
}

#[derive(Debug, Clone)]
pub(crate) enum Content {
    /// Boxed: a letter is several times the size of the other documents.
    Letter(Box<OfficialLetter>),
    /// Letters printed together, each on its own sheet (invitations to one conference).
    Letters(Vec<OfficialLetter>),
    Form(ReferralForm),
    Report(Report),
    RecoverySheet(RecoverySheet),
    /// Already text: the statistics for a spreadsheet.
    Csv(String),
}

impl Document {
    pub(crate) fn new(file_name: String, content: Content) -> Document {
        Document { file_name, content }
    }

    /// The name in the app's `exports` folder: no personal data, only codes and numbers.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The file's bytes: a PDF typeset with the letters' font, or the CSV as it is.
    pub fn render(&self) -> Result<Vec<u8>> {
        self.render_counting(|_, _| {})
    }

    /// `render`, telling `progress` after each letter of a batch how many of how many are
    /// done.
    pub fn render_counting(&self, mut progress: impl FnMut(usize, usize)) -> Result<Vec<u8>> {
        let typeset = |with: &dyn Fn(&Typesetter) -> Vec<u8>| Ok(with(&Typesetter::laksaman()?));
        match &self.content {
            Content::Letter(letter) => typeset(&|t| t.official_letter(letter)),
            Content::Letters(letters) => {
                let title = letters.first().map_or("", |l| l.subject.as_str());
                let typesetter = Typesetter::laksaman()?;
                Ok(typesetter.letter_batch(title, letters, |done| progress(done, letters.len())))
            }
            Content::Form(form) => typeset(&|t| t.referral_form(form)),
            Content::Report(report) => typeset(&|t| t.report(report)),
            Content::RecoverySheet(sheet) => typeset(&|t| t.recovery_sheet(sheet)),
            Content::Csv(text) => Ok(text.as_bytes().to_vec()),
        }
    }
}
