//! The kinds of record that travel in the event log, and the table each lives in.

use serde::{Deserialize, Serialize};

/// The names here are fields of signed events and the tables' names, so they are never
/// renamed; where the code's word differs, the variant says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    User,
    Person,
    Case,
    CaseParty,
    Incident,
    TimelineEntry,
    CarePlanGoal,
    Agency,
    Referral,
    Conference,
    /// An attendee (`Attendee`).
    ConferenceAttendee,
    /// An agenda case (`AgendaCase`): a case put on a conference's agenda.
    ConferenceCase,
    ActionItem,
    /// A register entry (`RegisterEntry`): one numbered letter of the letter register.
    LetterRegister,
    Lookup,
    DataSubjectRequest,
    Breach,
    /// A row of a case's consent ledger (`records::consent`).
    Consent,
    Assessment,
    InterpreterSession,
    /// An approved purge of a case (`records::erasure`): every laptop holding the case, and
    /// the hub, apply it; it stays as the tombstone.
    Erasure,
    /// One who signs the unit's letters (`records::signer`).
    Signer,
    /// A letter of the unit's register of letters received (`records::received`).
    ReceivedLetter,
    /// A unit's own template of a kind of letter (`records::letter_template`).
    LetterTemplate,
}

impl Entity {
    /// In dependency order: replaying in this order never breaks a foreign key.
    pub const ALL: [Entity; 24] = [
        Entity::User,
        Entity::Person,
        Entity::Agency,
        Entity::Lookup,
        Entity::Case,
        Entity::CaseParty,
        Entity::Incident,
        Entity::TimelineEntry,
        Entity::CarePlanGoal,
        Entity::Consent,
        Entity::Referral,
        Entity::Assessment,
        Entity::InterpreterSession,
        Entity::Conference,
        Entity::ConferenceAttendee,
        Entity::ConferenceCase,
        Entity::ActionItem,
        Entity::LetterRegister,
        Entity::DataSubjectRequest,
        Entity::Breach,
        Entity::Erasure,
        Entity::Signer,
        Entity::ReceivedLetter,
        Entity::LetterTemplate,
    ];

    pub fn table(self) -> &'static str {
        match self {
            Entity::User => "users",
            Entity::Person => "persons",
            Entity::Case => "cases",
            Entity::CaseParty => "case_parties",
            Entity::Incident => "incidents",
            Entity::TimelineEntry => "timeline_entries",
            Entity::CarePlanGoal => "care_plan_goals",
            Entity::Agency => "agencies",
            Entity::Referral => "referrals",
            Entity::Conference => "conferences",
            Entity::ConferenceAttendee => "conference_attendees",
            Entity::ConferenceCase => "conference_cases",
            Entity::ActionItem => "action_items",
            Entity::LetterRegister => "letter_register",
            Entity::Lookup => "lookups",
            Entity::DataSubjectRequest => "data_subject_requests",
            Entity::Breach => "breaches",
            Entity::Consent => "consents",
            Entity::Assessment => "assessments",
            Entity::InterpreterSession => "interpreter_sessions",
            Entity::Erasure => "erasures",
            Entity::Signer => "signers",
            Entity::ReceivedLetter => "received_letters",
            Entity::LetterTemplate => "letter_templates",
        }
    }

    pub fn name(self) -> &'static str {
        // The serde name (a test holds the two together), without allocating each call.
        match self {
            Entity::User => "user",
            Entity::Person => "person",
            Entity::Case => "case",
            Entity::CaseParty => "case_party",
            Entity::Incident => "incident",
            Entity::TimelineEntry => "timeline_entry",
            Entity::CarePlanGoal => "care_plan_goal",
            Entity::Agency => "agency",
            Entity::Referral => "referral",
            Entity::Conference => "conference",
            Entity::ConferenceAttendee => "conference_attendee",
            Entity::ConferenceCase => "conference_case",
            Entity::ActionItem => "action_item",
            Entity::LetterRegister => "letter_register",
            Entity::Lookup => "lookup",
            Entity::DataSubjectRequest => "data_subject_request",
            Entity::Breach => "breach",
            Entity::Consent => "consent",
            Entity::Assessment => "assessment",
            Entity::InterpreterSession => "interpreter_session",
            Entity::Erasure => "erasure",
            Entity::Signer => "signer",
            Entity::ReceivedLetter => "received_letter",
            Entity::LetterTemplate => "letter_template",
        }
    }

    /// Records that live inside a case (the case itself included): the units holding the case
    /// write them. A received letter lives in the case of the referral it answers; one that
    /// answers none is its unit's own (`case_optional`).
    pub fn in_case(self) -> bool {
        matches!(
            self,
            Entity::Case
                | Entity::CaseParty
                | Entity::Incident
                | Entity::TimelineEntry
                | Entity::CarePlanGoal
                | Entity::Referral
                | Entity::Consent
                | Entity::Assessment
                | Entity::InterpreterSession
                | Entity::Erasure
                | Entity::ReceivedLetter
        )
    }

    /// Records of a case that may also stand outside any case, their unit's own: whether a
    /// record is in a case, and which, is its first event's to say.
    pub fn case_optional(self) -> bool {
        self == Entity::ReceivedLetter
    }

    /// The field by which a record of this kind links a record outside its case, and that
    /// record's kind: a case's client, a party, the agency of a referral or a care plan goal.
    /// The hub routes and judges links by it; a unit links only a record it sees.
    pub fn link(self) -> Option<(&'static str, Entity)> {
        match self {
            Entity::Case => Some(("client_id", Entity::Person)),
            Entity::CaseParty => Some(("person_id", Entity::Person)),
            Entity::Referral | Entity::CarePlanGoal | Entity::Consent => Some(("agency_id", Entity::Agency)),
            Entity::ReceivedLetter => Some(("sender_agency_id", Entity::Agency)),
            _ => None,
        }
    }

    /// Records only their own unit writes: everything outside a case but a person (a case's
    /// client or other party is kept current by the units holding the case).
    pub fn own_unit_only(self) -> bool {
        !self.in_case() && self != Entity::Person
    }

    pub fn from_name(name: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.name() == name)
    }

    pub fn tables() -> Vec<&'static str> {
        Entity::ALL.iter().map(|e| e.table()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde_and_round_trip() {
        for entity in Entity::ALL {
            assert_eq!(serde_json::to_value(entity).unwrap(), entity.name());
            assert_eq!(Entity::from_name(entity.name()), Some(entity));
        }
    }
}
