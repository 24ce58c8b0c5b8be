//! The case book a test starts from, made with crates/casebook (its first run through the
//! window is the case-work test's job): unit CPN, an administrator, and one user.

use casebook::{Casebook, KdfParams, NewBook, Role, Session};
use std::path::Path;

/// The book opened as the new user, and the unit's recovery code.
pub fn unit_book(
    dir: &Path,
    username: &str,
    display_name: &str,
    role: Role,
    passphrase: &str,
) -> Result<(Casebook, Session, String), casebook::Error> {
    let new = NewBook {
        unit_code: "CPN".into(),
        unit_name: "ศูนย์พึ่งได้ โรงพยาบาลสมมุติ".into(),
        admin_username: "admin".into(),
        admin_display_name: "ผู้ดูแล".into(),
        admin_passphrase: "ผู้ดูแล-passphrase-1".into(),
        ..NewBook::default()
    };
    let (mut book, admin, recovery) = Casebook::create(dir, &new, KdfParams::fast())?;
    book.set_kdf(KdfParams::fast());
    casebook::synth::add_user_signed_in(&mut book, &admin, username, display_name, role, passphrase)?;
    drop(book);
    let (book, user) = Casebook::unlock(dir, username, passphrase)?;
    Ok((book, user, recovery.display()))
}
