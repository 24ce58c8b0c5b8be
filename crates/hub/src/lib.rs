//! What the hub's tests use besides its process: the key the hub's database is encrypted with
//! and how values are sealed with it (`at_rest`). The tests that play a hub whose program was
//! replaced (which holds that key as well) edit its database through it.

pub mod at_rest;
pub mod private_file;
