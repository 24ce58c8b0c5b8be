//! Reference data: administrative areas (province → district → subdistrict with postcode), reference data from
//! assets/areas (GeoThai, CC BY 4.0), loaded into the book on first open. Not events: every
//! replica loads the same files.

use crate::error::{Error, Result};
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

const PROVINCES: &str = include_str!("../../../../assets/areas/provinces.json");
const DISTRICTS: &str = include_str!("../../../../assets/areas/districts.json");
const SUBDISTRICTS: &str = include_str!("../../../../assets/areas/subdistricts.json");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Area {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
    pub postcode: Option<String>,
}

/// The 77 provinces, read from the embedded data: the first run needs them before any book exists.
pub fn provinces() -> Result<Vec<Area>> {
    let rows: Vec<Vec<String>> = serde_json::from_str(PROVINCES).map_err(|e| Error::Corrupt(format!("areas: {e}")))?;
    let mut areas: Vec<Area> = rows
        .into_iter()
        .filter_map(|row| match row.as_slice() {
            [code, name_th, name_en, ..] => Some(Area {
                code: code.clone(),
                name_th: name_th.clone(),
                name_en: name_en.clone(),
                postcode: None,
            }),
            _ => None,
        })
        .collect();
    areas.sort_by(|a, b| a.name_th.cmp(&b.name_th));
    Ok(areas)
}

/// Loads the areas if the table is empty (first open, or a book made before they shipped).
pub(crate) fn load_if_empty(conn: &Connection) -> Result<()> {
    let count: i64 = conn.query_row("SELECT count(*) FROM areas", [], |r| r.get(0))?;
    if count > 0 {
        return Ok(());
    }
    let tx = conn.unchecked_transaction()?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO areas (code, level, parent_code, name_th, name_en, postcode) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (level, text, parent_len) in [
            ("province", PROVINCES, 0),
            ("district", DISTRICTS, 2),
            ("subdistrict", SUBDISTRICTS, 4),
        ] {
            let rows: Vec<Vec<String>> =
                serde_json::from_str(text).map_err(|e| Error::Corrupt(format!("areas: {e}")))?;
            for row in rows {
                let [code, name_th, name_en, rest @ ..] = row.as_slice() else {
                    return Err(Error::Corrupt("areas: short row".into()));
                };
                let parent = (parent_len > 0).then(|| code.get(..parent_len).unwrap_or_default());
                insert.execute(rusqlite::params![code, level, parent, name_th, name_en, rest.first()])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}
