//! `oscc-hub`: the provincial hub (see DESIGN.md §5). Its commands arrive with the sync issue.

fn main() {
    eprintln!(
        "oscc-hub {}: no commands yet; the hub is built in the sync issue",
        env!("CARGO_PKG_VERSION")
    );
    std::process::exit(2);
}
