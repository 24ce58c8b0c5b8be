//! The Thai labels printed documents share with the screens (category, risk, status …): taken
//! from the UI's Thai catalog, the one source of those words.

use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;

const TH_JSON: &str = include_str!("../../../ui/src/lib/i18n/th.json");

/// The Thai text of a catalog key; the key itself if the catalog lacks it.
pub fn th(key: &str) -> String {
    static CATALOG: OnceLock<HashMap<String, String>> = OnceLock::new();
    // The catalog is compiled in and checked by a test below, so an empty map never ships.
    let catalog = CATALOG.get_or_init(|| serde_json::from_str(TH_JSON).unwrap_or_default());
    catalog.get(key).cloned().unwrap_or_else(|| key.to_owned())
}

/// The Thai label of an enum value: `enum.<group>.<serde name>`.
pub fn th_enum<T: Serialize>(group: &str, value: &T) -> String {
    let code = serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    th(&format!("enum.{group}.{code}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use casebook::records::case::Risk;

    #[test]
    fn labels_come_from_the_thai_catalog() {
        assert!(serde_json::from_str::<HashMap<String, String>>(TH_JSON).is_ok());
        assert_eq!(th("ropa.title"), "บันทึกรายการกิจกรรมการประมวลผลข้อมูลส่วนบุคคล");
        assert_eq!(th_enum("risk", &Risk::Red), "แดง (เร่งด่วน)");
        assert_eq!(th("no.such.key"), "no.such.key");
    }
}
