//! Roles and what each may do, checked here in the crate, never only in the UI. The
//! administrator manages users and devices and holds no case permission at all.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    SocialWorker,
    Supervisor,
    Facilitator,
    Administrator,
}

impl Role {
    pub fn from_name(name: &str) -> Option<Role> {
        serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See case lists and case pages (identity masked).
    ViewCases,
    /// Create and change cases, persons, timeline, plans, referrals.
    EditCases,
    /// Show a person's identity unmasked, giving a reason.
    RevealIdentity,
    /// Export or print a document about a case.
    ExportCases,
    /// Run conferences.
    RunConferences,
    /// Approve a purge under a retention rule, and PDPA duties.
    Supervise,
    /// Add and remove users; manage devices.
    ManageUsers,
}

pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    use Role::*;
    match role {
        SocialWorker => matches!(
            permission,
            ViewCases | EditCases | RevealIdentity | ExportCases | RunConferences
        ),
        Supervisor => !matches!(permission, ManageUsers),
        Facilitator => matches!(permission, ViewCases | RunConferences),
        Administrator => matches!(permission, ManageUsers),
    }
}

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Session {
    pub user_id: String,
    pub username: String,
    pub role: Role,
}

impl Session {
    pub fn require(&self, permission: Permission) -> Result<()> {
        if allows(self.role, permission) {
            Ok(())
        } else {
            Err(Error::Forbidden(permission_name(permission)))
        }
    }
}

fn permission_name(permission: Permission) -> &'static str {
    match permission {
        Permission::ViewCases => "view cases",
        Permission::EditCases => "edit cases",
        Permission::RevealIdentity => "reveal identity",
        Permission::ExportCases => "export cases",
        Permission::RunConferences => "run conferences",
        Permission::Supervise => "supervise",
        Permission::ManageUsers => "manage users",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrator_has_no_case_permission() {
        for p in [
            Permission::ViewCases,
            Permission::EditCases,
            Permission::RevealIdentity,
            Permission::ExportCases,
        ] {
            assert!(!allows(Role::Administrator, p));
        }
        assert!(allows(Role::Administrator, Permission::ManageUsers));
    }

    #[test]
    fn facilitator_sees_but_neither_edits_nor_reveals() {
        assert!(allows(Role::Facilitator, Permission::ViewCases));
        assert!(!allows(Role::Facilitator, Permission::EditCases));
        assert!(!allows(Role::Facilitator, Permission::RevealIdentity));
    }

    #[test]
    fn only_supervisor_supervises() {
        assert!(allows(Role::Supervisor, Permission::Supervise));
        assert!(!allows(Role::SocialWorker, Permission::Supervise));
        assert!(!allows(Role::Supervisor, Permission::ManageUsers));
    }
}
