//! Sync wire types and the client engine (see DESIGN.md §5). Built in the sync issue.
