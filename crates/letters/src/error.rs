#[derive(Debug, thiserror::Error)]
pub enum LettersError {
    #[error("the font cannot be read: {0}")]
    Font(String),
    #[error("the picture is not a PNG this program can read: {0}")]
    Image(String),
}
