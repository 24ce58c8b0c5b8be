//! The values a column takes, where the schema says only "text" or "a list": a risk is one of
//! the risks, a case's categories are categories. Events written here always hold such
//! values; an event from elsewhere is checked (by the hub before it stores it, by a laptop
//! before it applies it), so that a value no screen, report or letter knows never reaches
//! one.

use crate::book::permissions::Role;
use crate::log::entity::Entity;
use crate::log::events::Event;
use crate::pdpa::{DutyStatus, RequestKind};
use crate::records::agency::{AgencyType, Salutation};
use crate::records::assessment::{Stage, levels_fit};
use crate::records::care::{Domain, GoalStatus, PartyRole, PlaceKind, Relationship};
use crate::records::case::{Category, Risk, Source, Status, ViolenceType};
use crate::records::conference::{ActionStatus, ConferenceStatus};
use crate::records::consent::{Basis, ConsentMethod, GivenBy, Purpose};
use crate::records::interpreter::Language;
use crate::records::letter_template::LetterKind;
use crate::records::person::{IdKind, Sex, VolunteerRole};
use crate::records::referral::{ReferralStatus, Urgency};
use crate::records::signer::Standing;
use crate::records::timeline::EntryKind;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Whether `value` is one of `T`'s values (by their names on the wire).
fn one_of<T: DeserializeOwned>(value: &Value) -> bool {
    T::deserialize(value).is_ok()
}

/// Whether `value` is a list of `T`'s values.
fn list_of<T: DeserializeOwned>(value: &Value) -> bool {
    Vec::<T>::deserialize(value).is_ok()
}

/// Whether a field's value is one its column takes (any value where the column has no list
/// of values).
fn fits(entity: Entity, column: &str, value: &Value) -> bool {
    match (entity, column) {
        (Entity::User, "role") => one_of::<Role>(value),
        (Entity::Person, "id_kind") => one_of::<IdKind>(value),
        (Entity::Person, "sex") => one_of::<Sex>(value),
        (Entity::Person, "volunteer") => one_of::<VolunteerRole>(value),
        (Entity::Case, "source") => one_of::<Source>(value),
        (Entity::Case, "categories") => list_of::<Category>(value),
        (Entity::Case | Entity::Incident, "violence_types") => list_of::<ViolenceType>(value),
        (Entity::Case, "risk") => one_of::<Risk>(value),
        (Entity::Case, "status") => one_of::<Status>(value),
        (Entity::CaseParty, "role") => one_of::<PartyRole>(value),
        (Entity::CaseParty, "relationship") => one_of::<Relationship>(value),
        (Entity::Incident, "place_kind") => one_of::<PlaceKind>(value),
        (Entity::TimelineEntry, "kind") => one_of::<EntryKind>(value),
        (Entity::CarePlanGoal | Entity::ActionItem, "domain") => one_of::<Domain>(value),
        (Entity::CarePlanGoal, "status") => one_of::<GoalStatus>(value),
        (Entity::Agency, "agency_type") => one_of::<AgencyType>(value),
        (Entity::Agency, "salutation") => one_of::<Salutation>(value),
        (Entity::Signer, "standing") => one_of::<Standing>(value),
        (Entity::LetterTemplate, "kind") => one_of::<LetterKind>(value),
        (Entity::Referral, "urgency") => one_of::<Urgency>(value),
        (Entity::Referral, "status") => one_of::<ReferralStatus>(value),
        (Entity::ReceivedLetter, "reply_status") => {
            ReferralStatus::deserialize(value).is_ok_and(|status| ReferralStatus::REPLIES.contains(&status))
        }
        (Entity::Conference, "status") => one_of::<ConferenceStatus>(value),
        (Entity::ActionItem, "status") => one_of::<ActionStatus>(value),
        (Entity::DataSubjectRequest, "kind") => one_of::<RequestKind>(value),
        (Entity::DataSubjectRequest | Entity::Breach, "status") => one_of::<DutyStatus>(value),
        (Entity::Consent, "purpose") => one_of::<Purpose>(value),
        (Entity::Consent, "basis") => one_of::<Basis>(value),
        (Entity::Consent, "given_by") => one_of::<GivenBy>(value),
        (Entity::Consent, "method") => one_of::<ConsentMethod>(value),
        (Entity::Assessment, "stage") => one_of::<Stage>(value),
        (Entity::Assessment, "levels") => {
            std::collections::BTreeMap::<Domain, u8>::deserialize(value).is_ok_and(|levels| levels_fit(&levels))
        }
        (Entity::InterpreterSession, "language") => one_of::<Language>(value),
        _ => true,
    }
}

/// The first field of `event` whose value its column does not take (null is left to the
/// schema), or None.
pub fn out_of_range(event: &Event) -> Option<&str> {
    // A merge points at the older record (`records::merge`): one pointing at a newer record
    // is no merge a book makes, and could turn a person into someone named after them.
    if event.entity == Entity::Person
        && let Some(into) = event.fields.get("merged_into").and_then(Value::as_str)
        && into >= event.entity_id.as_str()
    {
        return Some("merged_into");
    }
    event
        .fields
        .iter()
        .find(|(column, value)| !value.is_null() && !fits(event.entity, column, value))
        .map(|(column, _)| column.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_merge_points_only_at_an_older_record() {
        let event = |into: &str| Event {
            event_id: "e".into(),
            device_id: "d".into(),
            device_seq: 1,
            hlc: String::new(),
            user_id: None,
            schema_version: 13,
            entity: Entity::Person,
            entity_id: "0190-b".into(),
            op: crate::log::events::Op::Upsert,
            fields: [("merged_into".to_owned(), json!(into))].into_iter().collect(),
            bases: Default::default(),
        };
        assert_eq!(out_of_range(&event("0190-a")), None);
        assert_eq!(out_of_range(&event("0190-c")), Some("merged_into"));
        assert_eq!(out_of_range(&event("0190-b")), Some("merged_into"));
    }

    #[test]
    fn known_values_fit_and_others_do_not() {
        assert!(fits(Entity::Case, "risk", &json!("red")));
        assert!(!fits(Entity::Case, "risk", &json!("purple")));
        assert!(fits(Entity::Case, "categories", &json!(["violence_child"])));
        assert!(!fits(Entity::Case, "categories", &json!(["violence_child", "made_up"])));
        assert!(!fits(Entity::User, "role", &json!("superuser")));
        assert!(fits(Entity::Person, "name_th", &json!("ไม่มีรายการค่า")));
    }
}
