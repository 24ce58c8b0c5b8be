//! Intake: the client, the case, its incident and the others in the case from one form, kept
//! whole or not at all.

mod common;

use casebook::Error;
use casebook::records::care::{PartyRole, Relationship};
use casebook::records::case::{Category, Risk, Source, ViolenceType};
use casebook::records::intake::{IntakeCase, IntakeParty};
use common::*;

fn intake_case(parties: Vec<IntakeParty>) -> IntakeCase {
    IntakeCase {
        source: Source::Hotline1300,
        categories: vec![Category::ViolenceChild],
        violence_types: vec![ViolenceType::Physical],
        risk: Risk::Red,
        incident_at: Some("2026-11-01T10:00:00+07:00".into()),
        incident_description: Some("ถูกตีที่บ้าน".into()),
        consent: Some("guardian".into()),
        legal_basis: Some("pdpa_s26".into()),
        parties,
        client_id: None,
    }
}

fn party(name_th: &str, role: PartyRole, relationship: Option<Relationship>) -> IntakeParty {
    IntakeParty {
        name_th: name_th.into(),
        anonymous: false,
        role,
        relationship,
    }
}

#[test]
fn an_intake_stores_client_case_incident_and_named_parties_together() {
    let dir = Dir::new("intake-whole");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let parties = vec![
        party(
            "นายสมมุติ ทดลอง",
            PartyRole::AllegedPerpetrator,
            Some(Relationship::Parent),
        ),
        // A row the form left empty is not a person.
        party("  ", PartyRole::Witness, None),
    ];
    let result = book
        .intake(&worker, &person("เด็กหญิงทดสอบ นามสมมุติ"), &intake_case(parties))
        .unwrap();
    let case = &result.case;
    assert!(case.case_number.starts_with("CPN-"), "{}", case.case_number);
    assert_eq!(case.risk, Risk::Red);

    let incidents = book.incidents(&worker, &case.id).unwrap();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].record.description.as_deref(), Some("ถูกตีที่บ้าน"));
    let parties = book.open_case(&worker, &case.id).unwrap().parties;
    assert_eq!(parties.len(), 1, "only the named party is stored");
    assert_eq!(parties[0].role, PartyRole::AllegedPerpetrator);
    assert_eq!(parties[0].relationship, Some(Relationship::Parent));

    // The client and the named party both lead to the case in search.
    for name in ["เด็กหญิงทดสอบ", "สมมุติ ทดลอง"] {
        let found: Vec<String> = book
            .search_cases(&worker, name, 10)
            .unwrap()
            .into_iter()
            .map(|row| row.case_number)
            .collect();
        assert_eq!(found, vec![case.case_number.clone()], "searching {name}");
    }
}

#[test]
fn a_refused_intake_leaves_nothing_behind() {
    let dir = Dir::new("intake-refused");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let events_before = book.events().unwrap().len();
    let state_before = book.state_hash().unwrap();
    // The client is valid and would be stored first; the case has no category.
    let mut case = intake_case(vec![party("นายสมมุติ ทดลอง", PartyRole::Guardian, None)]);
    case.categories.clear();
    let err = book.intake(&worker, &person("เด็กชายทดสอบ นามสมมุติ"), &case).unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(invalid) if invalid.field == "case.categories"),
        "{err:?}"
    );
    assert_eq!(
        book.events().unwrap().len(),
        events_before,
        "no event of the half intake"
    );
    assert_eq!(book.state_hash().unwrap(), state_before, "no row of the half intake");
    assert!(book.search_cases(&worker, "เด็กชายทดสอบ", 10).unwrap().is_empty());
}

#[test]
fn only_a_role_that_edits_cases_takes_an_intake() {
    let dir = Dir::new("intake-roles");
    let (mut book, _, admin, _) = book_with_worker(dir.path());
    let err = book
        .intake(&admin, &person("เด็กหญิงทดสอบ นามสมมุติ"), &intake_case(Vec::new()))
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
}
