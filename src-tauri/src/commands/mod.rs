//! The Tauri commands, one file per noun. Each parses its arguments, calls a core crate
//! (casebook, documents, sync) and maps the error to a message key; none has logic of its own.

pub mod agencies;
pub mod app;
pub mod areas;
pub mod audit;
pub mod backup;
pub mod book;
pub mod care;
pub mod cases;
pub mod conferences;
pub mod consents;
pub mod drafts;
pub mod exports;
pub mod intake;
pub mod letters;
pub mod lookups;
pub mod pdpa;
pub mod people;
pub mod projector;
pub mod received;
pub mod referrals;
pub mod register;
pub mod signers;
pub mod statistics;
pub mod sync;
pub mod timeline;
pub mod users;
pub mod work;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The quoted snake_case names in `text` between `start` and the next `end`.
    fn names(text: &str, start: &str, end: &str) -> BTreeSet<String> {
        let from = text.find(start).map_or(text.len(), |i| i + start.len());
        let to = text[from..].find(end).map_or(text.len(), |i| from + i);
        text[from..to]
            .split('"')
            .skip(1)
            .step_by(2)
            .map(|name| name.replace('-', "_"))
            .collect()
    }

    /// A command the UI invokes is denied unless build.rs declares it and a capability allows
    /// it: one left out fails in the app only, with a generic error (the set-aside list did).
    #[test]
    fn every_command_handled_is_declared_and_allowed() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap_or_default();
        let lib = read("src/lib.rs");
        let handled: BTreeSet<String> = lib
            .split("commands::")
            .skip(1)
            .filter_map(|rest| rest.split("::").nth(1))
            .map(|name| {
                name.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect()
            })
            .collect();
        let declared = names(&read("build.rs"), "commands(&[", "])");
        let allowed: BTreeSet<String> = ["capabilities/main.json", "capabilities/projector.json"]
            .iter()
            .flat_map(|file| names(&read(file), "\"permissions\"", "]"))
            .filter_map(|permission| permission.strip_prefix("allow_").map(str::to_owned))
            .collect();
        assert!(!handled.is_empty());
        let undeclared: Vec<_> = handled.difference(&declared).collect();
        assert!(undeclared.is_empty(), "commands not in build.rs: {undeclared:?}");
        let denied: Vec<_> = handled.difference(&allowed).collect();
        assert!(denied.is_empty(), "commands no capability allows: {denied:?}");
    }
}
