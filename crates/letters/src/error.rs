#[derive(Debug, thiserror::Error)]
pub enum LettersError {
    #[error("the font cannot be read: {0}")]
    Font(String),
}
