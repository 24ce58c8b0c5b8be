//! Masking of identity in lists and summaries.

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

#[cfg(test)]
mod tests {
    #[test]
    fn masks_keep_only_what_tells_records_apart() {
        assert_eq!(super::name("สมศรี ใจดี"), "ส••• ใ•••");
        assert_eq!(super::tail("1103702345679"), "••••••••••679");
        assert_eq!(super::tail("12"), "12");
    }
}
