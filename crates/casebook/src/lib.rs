//! The encrypted case book (see DESIGN.md §3–§4).
