//! What the running app holds for its commands.

use std::path::PathBuf;

pub struct AppState {
    pub data_dir: PathBuf,
}
