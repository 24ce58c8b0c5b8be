//! What can fail once a document has been read from the book: typesetting it. Reading fails
//! only with the book's own errors (`casebook::Error`).

/// Never carries what the document says: only which step failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the letter font could not be loaded: {0}")]
    Font(#[from] letters::LettersError),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
