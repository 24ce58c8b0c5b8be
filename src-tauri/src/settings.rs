//! Settings that are not secret (kept as JSON beside the case book): idle minutes, language,
//! the days after which a red-risk case without contact shows in Today.

use serde::{Deserialize, Serialize};
use std::path::Path;
use ts_rs::TS;

const FILE: &str = "settings.json";

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Settings {
    #[ts(type = "number")]
    pub idle_minutes: u64,
    pub lang: String,
    /// Days without contact after which a red-risk case shows in Today.
    #[serde(default = "quiet_days")]
    #[ts(type = "number")]
    pub quiet_days: i64,
}

fn quiet_days() -> i64 {
    casebook::records::today::QUIET_DAYS
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            idle_minutes: crate::state::DEFAULT_IDLE_MINUTES,
            lang: "th".into(),
            quiet_days: quiet_days(),
        }
    }
}

pub fn load(dir: &Path) -> Settings {
    std::fs::read_to_string(dir.join(FILE))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

pub fn save(dir: &Path, settings: &Settings) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(settings).map_err(std::io::Error::other)?;
    std::fs::write(dir.join(FILE), text)
}
