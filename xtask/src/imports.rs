//! The import map of each crate: which source file names which other file (`crate::a::b`,
//! `super::`, `self::`, a child module), so that a test can hold the architecture's two rules:
//! no file of a crate reaches back to a file that reaches it (no import circle), and in the
//! case book no layer names a higher one (docs/ARCHITECTURE.md lists the layers).
//!
//! It reads paths as text, which is enough for this code base (no macros build paths); a
//! method call on `Casebook` defined in another file is not an import and is not seen.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crates whose files are checked, with their source folders.
pub const CRATES: &[&str] = &[
    "crates/casebook/src",
    "crates/documents/src",
    "crates/letters/src",
    "crates/sync/src",
    "crates/hub/src",
    "src-tauri/src",
    "tests/e2e/src",
    "xtask/src",
];

/// The case book's top-level modules, lowest layer first; a module may name only modules of
/// its own rank or lower.
pub const CASEBOOK_LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("dates", 0),
    ("store", 1),
    ("log", 2),
    ("book", 3),
    ("records", 4),
    ("sync", 4),
    ("pdpa", 5),
    ("statistics", 5),
    ("values", 5),
    ("synth", 6),
];

/// A module path inside one crate, e.g. ["records", "case"]; the crate root is [].
type Module = Vec<String>;

/// Which module each file names: file module -> modules it refers to.
pub fn graph(src: &Path) -> std::io::Result<BTreeMap<Module, BTreeSet<Module>>> {
    let mut files = Vec::new();
    collect(src, &mut files)?;
    let modules: BTreeMap<Module, String> = files
        .iter()
        .map(|path| Ok((module_of(src, path), std::fs::read_to_string(path)?)))
        .collect::<std::io::Result<_>>()?;
    let known: BTreeSet<&Module> = modules.keys().collect();
    // `pub use a::B` in a module re-exports B: a path through it leads to `a`, and the line
    // itself is the module's table of contents, not a use.
    let mut exports: BTreeMap<(Module, String), Vec<String>> = BTreeMap::new();
    for (module, text) in &modules {
        for (path, _) in referenced_paths(&pub_use_lines(text)) {
            if let Some(name) = path.last() {
                exports.insert((module.clone(), name.clone()), path.clone());
            }
        }
    }
    let mut edges = BTreeMap::new();
    for (module, text) in &modules {
        let mut targets = BTreeSet::new();
        for (path, nesting) in referenced_paths(&without_pub_use(text)) {
            let absolute = match path.first().map(String::as_str) {
                Some("crate") => path[1..].to_vec(),
                Some("super") => {
                    let mut up = module.clone();
                    let mut rest = &path[..];
                    // Inside `mod tests { }` the first `super` is the file's own module.
                    let mut inline = nesting;
                    while rest.first().map(String::as_str) == Some("super") {
                        if inline > 0 {
                            inline -= 1;
                        } else {
                            up.pop();
                        }
                        rest = &rest[1..];
                    }
                    up.extend(rest.iter().cloned());
                    up
                }
                Some("self") => module.iter().chain(&path[1..]).cloned().collect(),
                Some(first) => {
                    // A path through a child module, as `use users::x` in book/mod.rs.
                    let mut child = module.clone();
                    child.push(first.to_owned());
                    if !known.contains(&child) {
                        continue;
                    }
                    module.iter().chain(&path).cloned().collect()
                }
                None => continue,
            };
            // The longest prefix that is a file: `records::case::Case` names records/case.rs,
            // and `crate::Error` names the file that `lib.rs` re-exports it from.
            let file_of = |path: &[String]| {
                (0..=path.len())
                    .rev()
                    .map(|n| path[..n].to_vec())
                    .find(|prefix| known.contains(prefix))
            };
            let mut target = file_of(&absolute);
            if let Some(file) = &target
                && let Some(name) = absolute.get(file.len())
                && let Some(reexported) = exports.get(&(file.clone(), name.clone()))
            {
                let mut through = file.clone();
                through.extend(reexported.iter().skip_while(|s| *s == "crate").cloned());
                if reexported.first().map(String::as_str) == Some("crate") {
                    through = reexported[1..].to_vec();
                }
                target = file_of(&through).or(target);
            }
            if let Some(target) = target
                && &target != module
            {
                targets.insert(target);
            }
        }
        edges.insert(module.clone(), targets);
    }
    Ok(edges)
}

/// The `pub use` statements of a file (each up to its `;`).
fn pub_use_lines(text: &str) -> String {
    statements(text)
        .filter(|st| st.trim_start().starts_with("pub use "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn without_pub_use(text: &str) -> String {
    statements(text)
        .filter(|st| !st.trim_start().starts_with("pub use "))
        .collect::<Vec<_>>()
        .join(";")
}

/// The text cut at each `;` (good enough to find whole `use` statements).
fn statements(text: &str) -> impl Iterator<Item = &str> {
    text.split(';')
}

/// Every path a file names, with brace groups expanded: `use crate::a::{b, c::D}` gives
/// crate::a::b and crate::a::c::D. Comments are skipped.
/// Each path comes with the number of inline modules (`mod tests { }`) it stands in.
fn referenced_paths(text: &str) -> Vec<(Vec<String>, usize)> {
    let code: String = text
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let inline = inline_modules(&code);
    let mut out = Vec::new();
    for (at, _) in code.match_indices("::") {
        // Only paths that start here: the word before `::` is the path's first segment.
        let before = &code[..at];
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        if before[..start].ends_with("::") {
            continue;
        }
        let first = &code[start..at];
        if first.is_empty() {
            continue;
        }
        let use_line = before[..start].trim_end().ends_with("use") || before[..start].trim_end().ends_with("pub use");
        if !(matches!(first, "crate" | "super" | "self") || use_line) {
            continue;
        }
        let nesting = inline.iter().filter(|range| range.contains(&at)).count();
        let mut paths = Vec::new();
        expand(&code[start..], &mut Vec::new(), &mut paths);
        out.extend(paths.into_iter().map(|path| (path, nesting)));
    }
    out
}

/// The byte ranges of the inline modules (`mod name { ... }`) of a file.
fn inline_modules(code: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    for (at, _) in code.match_indices("mod ") {
        let word_start = at == 0 || !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        let rest = &code[at + 4..];
        let name_end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if !word_start || name_end == 0 || !rest[name_end..].trim_start().starts_with('{') {
            continue;
        }
        let open = at + 4 + name_end + rest[name_end..].find('{').unwrap_or(0);
        let mut depth = 0;
        for (i, c) in code[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        ranges.push(open..open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    ranges
}

/// Reads one path at the start of `text` into `out`, expanding a brace group.
fn expand(text: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut rest = text;
    let depth = prefix.len();
    loop {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end > 0 {
            prefix.push(rest[..end].to_owned());
        }
        rest = &rest[end..];
        if let Some(after) = rest.strip_prefix("::") {
            rest = after;
            if let Some(group) = rest.strip_prefix('{') {
                for item in split_group(group) {
                    expand(item.trim(), prefix, out);
                }
                break;
            }
        } else {
            out.push(prefix.clone());
            break;
        }
    }
    prefix.truncate(depth);
}

/// The top-level items of a brace group (the text after its `{`).
fn split_group(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                return items;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

fn module_of(src: &Path, file: &Path) -> Module {
    let relative = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The import circles of a graph, each as the modules on it (empty when there are none).
pub fn circles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    // Tarjan's strongly connected components; a component of more than one module is a circle.
    struct Walk<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        found: Vec<Vec<Module>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, module: &'a Module) {
            let n = self.index.len();
            self.index.insert(module, n);
            self.low.insert(module, n);
            self.stack.push(module);
            self.on_stack.insert(module);
            for next in self.edges.get(module).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[module].min(self.low[next]);
                    self.low.insert(module, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[module].min(self.index[next]);
                    self.low.insert(module, low);
                }
            }
            if self.low[module] == self.index[module] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    component.push(top.clone());
                    if top == module {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for module in edges.keys() {
        if !walk.index.contains_key(module) {
            walk.visit(module);
        }
    }
    walk.found
}

/// Edges from a lower layer of the case book to a higher one, as "from -> to".
pub fn layer_breaks(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    let rank = |module: &Module| {
        let top = module.first()?;
        CASEBOOK_LAYERS.iter().find(|(name, _)| name == top).map(|(_, r)| *r)
    };
    let mut breaks = Vec::new();
    for (from, targets) in edges {
        for to in targets {
            if let (Some(a), Some(b)) = (rank(from), rank(to))
                && b > a
            {
                breaks.push(format!("{} -> {}", from.join("::"), to.join("::")));
            }
        }
    }
    breaks
}

/// `cargo xtask imports`: prints the circles and layer breaks; fails if there are any.
pub fn check() -> crate::shell::Result<()> {
    let mut problems = Vec::new();
    for src in CRATES {
        let dir = crate::shell::root().join(src);
        if !dir.exists() {
            continue;
        }
        let edges = graph(&dir)?;
        for circle in circles(&edges) {
            let names: Vec<String> = circle.iter().map(|m| m.join("::")).collect();
            problems.push(format!("{src}: import circle: {}", names.join(" <-> ")));
        }
        if src.starts_with("crates/casebook") {
            for layer_break in layer_breaks(&edges) {
                problems.push(format!("{src}: a lower layer names a higher one: {layer_break}"));
            }
        }
    }
    if problems.is_empty() {
        eprintln!(
            "imports: no circle in {} crates, casebook layers in order",
            CRATES.len()
        );
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(list: &[(&str, &str)]) -> BTreeMap<Module, BTreeSet<Module>> {
        let split = |m: &str| -> Module { m.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect() };
        let mut out: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
        for (from, to) in list {
            out.entry(split(from)).or_default().insert(split(to));
            out.entry(split(to)).or_default();
        }
        out
    }

    #[test]
    fn paths_are_read_through_brace_groups_and_children() {
        let text = "use crate::book::{Casebook, permissions::{Role, Session}};\nuse users::x; // crate::no::comment\nlet a = super::super::log::events::read(c);";
        let paths: Vec<String> = referenced_paths(text).iter().map(|(p, _)| p.join("::")).collect();
        assert!(paths.contains(&"crate::book::Casebook".to_owned()));
        assert!(paths.contains(&"crate::book::permissions::Role".to_owned()));
        assert!(paths.contains(&"users::x".to_owned()));
        assert!(paths.contains(&"super::super::log::events::read".to_owned()));
        assert!(!paths.iter().any(|p| p.contains("no::comment")));
    }

    #[test]
    fn a_circle_and_a_layer_break_are_found() {
        let bad = edges(&[
            ("book", "records::case"),
            ("records::case", "book"),
            ("store", "log::events"),
        ]);
        assert_eq!(circles(&bad).len(), 1);
        assert_eq!(layer_breaks(&bad), ["book -> records::case", "store -> log::events"]);
        let good = edges(&[("records::case", "book"), ("book", "store")]);
        assert!(circles(&good).is_empty());
        assert!(layer_breaks(&good).is_empty());
    }

    /// The rule itself, on the project's real sources.
    #[test]
    fn no_crate_has_an_import_circle_and_casebook_layers_hold() {
        check().unwrap_or_else(|problems| panic!("{problems}"));
    }
}
