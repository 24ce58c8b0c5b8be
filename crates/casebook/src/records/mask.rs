//! Masking of identity in lists and summaries.

use serde_json::Value;

/// What stands for a value that shows nothing of itself (an address, a birth date).
pub const HIDDEN: &str = "••••••";

/// "สมศรี ใจดี" → "ส•••• ใ•••": the first letter of each word, so a worker can tell two
/// clients apart on a list without the list naming anyone.
pub fn name(full: &str) -> String {
    full.split_whitespace()
        .map(|word| {
            let first: String = word.chars().take(1).collect();
            format!("{first}•••")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Only the last three characters stay: "0812345678" → "•••••••678".
pub fn tail(value: &str) -> String {
    let chars: Vec<char> = value.chars().filter(|c| !c.is_whitespace()).collect();
    let keep = chars.len().min(3);
    let hidden = chars.len() - keep;
    "•".repeat(hidden) + &chars[hidden..].iter().collect::<String>()
}

/// A stored value of `entity.field` as lists show it, when the field names or locates a person
/// (a person's names, ID number, phone, address, area and birth date; a guardian's name in the
/// consent ledger): names by their first letters, numbers by their last three characters, the
/// rest hidden. `None` when the field identifies no one. An empty value stays empty.
pub fn stored_value(entity: &str, field: &str, value: &Value) -> Option<Value> {
    let masked: fn(&str) -> String = match (entity, field) {
        ("person", "name_th" | "name_latin") | ("consent", "guardian_name") => name,
        ("person", "id_number" | "phone") => tail,
        ("person", "address" | "area_code" | "birth_date") => |_: &str| HIDDEN.to_owned(),
        _ => return None,
    };
    Some(match value {
        Value::Null => Value::Null,
        Value::String(text) => Value::String(masked(text)),
        _ => Value::String(HIDDEN.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks_keep_only_what_tells_records_apart() {
        assert_eq!(super::name("สมศรี ใจดี"), "ส••• ใ•••");
        assert_eq!(super::tail("1103702345679"), "••••••••••679");
        assert_eq!(super::tail("12"), "12");
    }

    #[test]
    fn a_stored_identity_value_is_masked_and_anything_else_left() {
        use serde_json::json;
        let masked = |entity, field, value| super::stored_value(entity, field, &value);
        assert_eq!(masked("person", "name_th", json!("สมศรี ใจดี")), Some(json!("ส••• ใ•••")));
        assert_eq!(
            masked("person", "phone", json!("0812345678")),
            Some(json!("•••••••678"))
        );
        assert_eq!(masked("person", "address", json!("9 หมู่ 1")), Some(json!(super::HIDDEN)));
        assert_eq!(
            masked("consent", "guardian_name", json!("นายสมชาย")),
            Some(json!("น•••"))
        );
        assert_eq!(masked("person", "phone", json!(null)), Some(json!(null)));
        assert_eq!(masked("person", "sex", json!("female")), None);
        assert_eq!(masked("agency", "name", json!("บ้านพัก")), None);
    }
}
