//! Official Thai letters and forms as PDF (see DESIGN.md §6). Built in the letters issue.
