//! What each printed document says (docs/ARCHITECTURE.md, "Crates"): read from the case book, worded in Thai,
//! typeset by the letters crate. One file per document. Reading a document (and auditing its
//! export) needs the open book; typesetting it does not, so the app can do it after letting
//! the book go.

mod agenda_summary;
mod case_letter;
mod case_summary;
mod catalog;
mod community_page;
mod consent_form;
mod document;
mod error;
mod invitations;
mod minutes;
mod outgoing;
mod record_of_processing;
mod recovery_sheet;
mod referral_letter;
mod register_page;
mod statistics_report;

pub use agenda_summary::add_agenda_case;
pub use case_letter::{
    CaseLetterRequest, EarlierLetter, case_letter_draft, earlier_letters, enclosures, issue_case_letter,
    preview_case_letter,
};
pub use case_summary::case_summary;
pub use catalog::{th, th_enum};
pub use community_page::community_page;
pub use consent_form::consent_form;
pub use document::Document;
pub use error::{Error, Result};
pub use invitations::{InvitationRequest, IssuedInvitations, invitation_draft, issue_invitations};
pub use minutes::conference_minutes;
pub use outgoing::LetterDraft;
pub use record_of_processing::record_of_processing;
pub use recovery_sheet::recovery_sheet;
pub use referral_letter::{
    IssuedReferral, LetterRequest, issue_referral_letter, preview_referral_letter, referral_letter_draft,
};
pub use register_page::register_page;
pub use statistics_report::{statistics_csv, statistics_pdf};
