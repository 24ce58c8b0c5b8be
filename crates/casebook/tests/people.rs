//! People, consent and outcomes: returning clients found while the intake is typed, people
//! recorded without a name or a card, merges (also made while another laptop edits), the
//! consent ledger that referrals and transfers rest on, assessments and what changed, the
//! interpreter's pledge, volunteers, and the community's counts with small ones hidden.

mod common;

use casebook::error::Rule;
use casebook::log::events::Event;
use casebook::records::agency::{Agency, AgencyType};
use casebook::records::assessment::{Assessment, Stage};
use casebook::records::care::{CaseParty, Domain, PartyRole};
use casebook::records::case::{Category, Risk, Source};
use casebook::records::consent::{Basis, BasisGiven, Consent, ConsentMethod, GivenBy, Purpose};
use casebook::records::intake::{IntakeCase, IntakeParty};
use casebook::records::interpreter::{InterpreterSession, Language};
use casebook::records::matching::{MatchQuery, MatchReason};
use casebook::records::person::{IdKind, PersonInput, Sex, VolunteerRole};
use casebook::records::referral::Referral;
use casebook::statistics::{Dimension, Period, Replay};
use casebook::sync::receive::Incoming;
use casebook::{Casebook, Error, Role, Session};
use common::*;
use std::collections::BTreeMap;

fn someone(name: &str, id_number: Option<&str>, phone: Option<&str>, sex: Sex, age: i64) -> PersonInput {
    PersonInput {
        name_th: Some(name.into()),
        id_kind: Some(if id_number.is_some() {
            IdKind::ThaiCitizen
        } else {
            IdKind::None
        }),
        id_number: id_number.map(str::to_owned),
        phone: phone.map(str::to_owned),
        sex: Some(sex),
        estimated_age: Some(age),
        ..PersonInput::default()
    }
}

fn intake_for(client_id: Option<String>) -> IntakeCase {
    IntakeCase {
        source: Source::Hotline1300,
        categories: vec![Category::ViolenceWoman],
        violence_types: vec![],
        risk: Risk::Yellow,
        incident_at: None,
        incident_description: None,
        consent: None,
        legal_basis: None,
        parties: vec![],
        client_id,
    }
}

fn invalid(result: Result<impl std::fmt::Debug, Error>) -> (String, Rule) {
    match result {
        Err(Error::Invalid(i)) => (i.field, i.rule),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// A supervisor of the book, added by its administrator.
fn supervisor(book: &mut Casebook, admin: &Session, username: &str) -> Session {
    let id = book
        .add_user(admin, username, "หัวหน้างาน สมมุติ", Role::Supervisor, WORKER_PASS)
        .unwrap();
    Session {
        user_id: id,
        username: username.into(),
        role: Role::Supervisor,
    }
}

#[test]
fn a_returning_client_is_found_by_id_phone_or_a_variant_spelling_and_gets_a_second_case() {
    let dir = Dir::new("match");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    let first = book
        .intake(
            &worker,
            &someone(
                "นางสาวจันทร์เพ็ญ ศรีสุข",
                Some("1103702345679"),
                Some("081-234-5678"),
                Sex::Female,
                30,
            ),
            &intake_for(None),
        )
        .unwrap();
    let client = first.case.client_id.clone();
    book.create_person(&worker, &someone("นายจันทร์เพ็ญ ศรีสุข", None, None, Sex::Male, 30))
        .unwrap();
    book.create_person(&worker, &someone("จันทร์เพ็ญ ศรีสุข", None, None, Sex::Female, 70))
        .unwrap();
    book.create_person(&worker, &someone("มานี มีนา", None, None, Sex::Female, 30))
        .unwrap();

    let find = |book: &mut Casebook, query: MatchQuery| book.possible_matches(&worker, &query).unwrap();
    // The same ID number, however it is typed.
    let by_id = find(
        &mut book,
        MatchQuery {
            id_number: Some("1-1037-02345-67-9".into()),
            ..MatchQuery::default()
        },
    );
    assert_eq!(by_id.len(), 1);
    assert_eq!(by_id[0].person.id, client);
    assert_eq!(by_id[0].reasons, vec![MatchReason::SameIdNumber]);
    assert_eq!(by_id[0].cases[0].case_number, first.case.case_number);
    assert_eq!(by_id[0].person.name, "น••• ศ•••", "shown masked");
    // The same phone, with other separators.
    let by_phone = find(
        &mut book,
        MatchQuery {
            phone: Some("0812345678".into()),
            ..MatchQuery::default()
        },
    );
    assert_eq!(by_phone.iter().map(|m| &m.person.id).collect::<Vec<_>>(), [&client]);
    // A variant spelling (no silent letter, ส for ศ, no title) of a woman about 30: the man
    // and the woman of 70 with the same name are not her.
    let by_name = find(
        &mut book,
        MatchQuery {
            name: Some("จันเพ็ญ สีสุข".into()),
            sex: Some(Sex::Female),
            estimated_age: Some(32),
            ..MatchQuery::default()
        },
    );
    assert_eq!(by_name.iter().map(|m| &m.person.id).collect::<Vec<_>>(), [&client]);
    assert_eq!(by_name[0].reasons, vec![MatchReason::SimilarName]);
    // Nothing searched on a single letter.
    assert!(
        find(
            &mut book,
            MatchQuery {
                name: Some("จ".into()),
                ..MatchQuery::default()
            }
        )
        .is_empty()
    );

    // Each person shown is audited like a reveal, by who searched.
    let audit = book.audit_trail(&admin, Some(&client), 50).unwrap();
    let shown: Vec<_> = audit.iter().filter(|a| a.action == "identity.match").collect();
    assert_eq!(shown.len(), 3);
    assert!(
        shown
            .iter()
            .all(|a| a.user_id.as_deref() == Some(worker.user_id.as_str()))
    );

    // Chosen: a second case for the same person; the form's person part is not stored again.
    let people_before = book.events().unwrap().iter().filter(|e| e.entity_id == client).count();
    let second = book
        .intake(&worker, &PersonInput::default(), &intake_for(Some(client.clone())))
        .unwrap();
    assert_eq!(second.case.client_id, client);
    assert_ne!(second.case.id, first.case.id);
    let people_after = book.events().unwrap().iter().filter(|e| e.entity_id == client).count();
    assert_eq!(people_before, people_after);
    let again = find(
        &mut book,
        MatchQuery {
            id_number: Some("1103702345679".into()),
            ..MatchQuery::default()
        },
    );
    assert_eq!(again[0].cases.len(), 2, "both cases listed with the person");
}

#[test]
fn people_without_a_name_or_a_card_are_recorded_and_named_later() {
    let dir = Dir::new("unnamed");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let child = PersonInput {
        description: Some("เด็กชาย ไม่ทราบชื่อ อายุประมาณ 8 ปี".into()),
        estimated_age: Some(8),
        sex: Some(Sex::Male),
        ..PersonInput::default()
    };
    let mut case = intake_for(None);
    case.parties = vec![IntakeParty {
        name_th: String::new(),
        anonymous: true,
        role: PartyRole::Reporter,
        relationship: None,
    }];
    let taken = book.intake(&worker, &child, &case).unwrap();
    let view = book.open_case(&worker, &taken.case.id).unwrap();
    assert_eq!(view.client.name, "เด็กชาย ไม่ทราบชื่อ อายุประมาณ 8 ปี");
    assert!(view.client.unnamed);
    assert_eq!(view.parties.len(), 1, "the anonymous reporter is a party");
    assert!(view.parties[0].anonymous);
    // Found by the description.
    let found = book.search_cases(&worker, "ไม่ทราบชื่อ", 10).unwrap();
    assert_eq!(found.len(), 1);

    // Neither a name, a description nor anonymity: refused, naming the name field.
    assert_eq!(
        invalid(book.create_person(&worker, &PersonInput::default())),
        ("person.name_th".into(), Rule::Required)
    );
    // A Thai citizen whose card is not at hand: accepted with the number to follow.
    let no_card = PersonInput {
        name_th: Some("นางบัตรไม่อยู่ ทดสอบ".into()),
        id_kind: Some(IdKind::ThaiCitizen),
        id_to_follow: true,
        ..PersonInput::default()
    };
    let (later, _) = book.create_person(&worker, &no_card).unwrap();
    assert!(book.person_masked(&worker, &later).unwrap().id_to_follow);
    let without_flag = PersonInput {
        id_to_follow: false,
        ..no_card.clone()
    };
    assert_eq!(
        invalid(book.create_person(&worker, &without_flag)),
        ("person.id_number".into(), Rule::Required)
    );
    // The number added later is an ordinary edit, and the mark goes.
    let with_number = PersonInput {
        id_number: Some("1103702345679".into()),
        ..no_card
    };
    book.update_person(&worker, &later, &with_number).unwrap();
    assert!(!book.person_masked(&worker, &later).unwrap().id_to_follow);

    // The child is named: the description gives way to the name.
    let named = PersonInput {
        name_th: Some("เด็กชายพบแล้ว ทดสอบ".into()),
        ..child
    };
    book.update_person(&worker, &taken.case.client_id, &named).unwrap();
    let view = book.open_case(&worker, &taken.case.id).unwrap();
    assert_eq!(view.client.name, "เ••• ท•••");
    assert!(!view.client.unnamed);
}

/// Each book takes in the other's events, in the order given.
fn deliver(to: &mut Casebook, events: Vec<Event>) {
    let batch = events
        .into_iter()
        .map(|event| Incoming::Event { event, writer: None })
        .collect();
    to.receive(batch, 1).unwrap();
}

#[test]
fn a_merge_on_one_laptop_and_edits_of_the_merged_record_on_another_both_hold() {
    let (dir_a, dir_b) = (Dir::new("merge-a"), Dir::new("merge-b"));
    let (mut a, admin_a, wa) = casebook::synth::unit_laptop(dir_a.path(), "a", WORKER_PASS).unwrap();
    let (mut b, _, wb) = casebook::synth::unit_laptop(dir_b.path(), "b", WORKER_PASS).unwrap();
    // One woman, recorded twice with two spellings.
    let older = a
        .intake(
            &wa,
            &someone("นางสมศรี ใจดี", Some("1103702345679"), None, Sex::Female, 40),
            &intake_for(None),
        )
        .unwrap();
    let newer = a
        .intake(
            &wa,
            &someone("สมสี ไจดี", None, Some("0890001111"), Sex::Female, 41),
            &intake_for(None),
        )
        .unwrap();
    let (kept, merged) = (older.case.client_id.clone(), newer.case.client_id.clone());
    deliver(&mut b, a.events().unwrap());
    let boss = supervisor(&mut a, &admin_a, "boss");

    // Offline at once: A merges the two; B corrects the newer record's address and names it
    // as a witness in the older record's case.
    let refused = a.merge_people(&wa, &kept, &merged, "คนเดียวกัน");
    assert!(matches!(refused, Err(Error::Forbidden(_))), "workers do not merge");
    assert_eq!(
        invalid(a.merge_people(&boss, &kept, &merged, " ")),
        ("merge.reason".into(), Rule::Required)
    );
    // Named newer-first: the older record stays either way.
    assert_eq!(
        a.merge_people(&boss, &merged, &kept, "บัตรประชาชนใบเดียวกัน").unwrap(),
        kept
    );
    let mut edit = someone("สมสี ไจดี", None, Some("0890001111"), Sex::Female, 41);
    edit.address = Some("7 ซอยสมมุติ".into());
    b.update_person(&wb, &merged, &edit).unwrap();
    let witness = b
        .add_party(
            &wb,
            &CaseParty {
                case_id: older.case.id.clone(),
                person_id: merged.clone(),
                role: PartyRole::Witness,
                relationship: None,
            },
        )
        .unwrap();

    // Both ways, B's events first on A and A's first on B.
    let (from_a, from_b) = (a.events().unwrap(), b.events().unwrap());
    deliver(&mut a, from_b);
    deliver(&mut b, from_a);
    for (book, session) in [(&mut a, &wa), (&mut b, &wb)] {
        // Both cases show the kept person, and so does the party named meanwhile.
        for case in [&older.case.id, &newer.case.id] {
            assert_eq!(book.open_case(session, case).unwrap().client.id, kept, "case {case}");
        }
        let parties = book.open_case(session, &older.case.id).unwrap().parties;
        let named = parties.iter().find(|p| p.id == witness).unwrap();
        assert_eq!(named.person_id, kept);
        // The kept record took the phone it lacked; the address written meanwhile stays
        // with the merged record, shown beside it.
        let shown = book.reveal_person(session, &merged, "ตรวจสอบการรวม").unwrap();
        assert_eq!(shown.id, kept);
        assert_eq!(shown.phone.as_deref(), Some("0890001111"));
        assert_eq!(shown.merged.len(), 1);
        assert_eq!(shown.merged[0].address.as_deref(), Some("7 ซอยสมมุติ"));
        // Either spelling finds both cases.
        for spelling in ["สมศรี", "สมสี"] {
            let mut found: Vec<String> = book
                .search_cases(session, spelling, 10)
                .unwrap()
                .into_iter()
                .map(|row| row.id)
                .collect();
            found.sort();
            let mut both = vec![older.case.id.clone(), newer.case.id.clone()];
            both.sort();
            assert_eq!(found, both, "search for {spelling}");
        }
        assert!(book.conflicts(session).unwrap().is_empty());
    }
    let audit = a.audit_trail(&admin_a, Some(&merged), 20).unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "person.merge" && e.detail.as_deref() == Some("บัตรประชาชนใบเดียวกัน"))
    );
}

fn referral_to(case_id: &str, agency_id: &str) -> Referral {
    Referral::draft(case_id, agency_id, "ที่พักปลอดภัย")
}

fn consent_of(case_id: &str, purpose: Purpose, agency_id: Option<&str>) -> Consent {
    Consent {
        case_id: case_id.into(),
        purpose,
        agency_id: agency_id.map(str::to_owned),
        to_unit: None,
        basis: Basis::Consent,
        given_by: Some(GivenBy::Client),
        guardian_name: None,
        child_assent: None,
        method: Some(ConsentMethod::Verbal),
        given_on: "2569-11-20".into(),
        reason: None,
        revoked_on: None,
        revoke_reason: None,
        form_sha256: None,
        author_id: None,
    }
}

#[test]
fn a_referral_rests_on_consent_or_on_a_legal_basis_and_reason_that_are_audited() {
    let dir = Dir::new("consent");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());
    let adult = book
        .intake(
            &worker,
            &someone("นางยินยอม ทดสอบ", None, None, Sex::Female, 35),
            &intake_for(None),
        )
        .unwrap()
        .case;
    let shelter = book
        .add_agency(&worker, &Agency::new("บ้านพักสมมุติ", AgencyType::Shelter))
        .unwrap();
    let police = book
        .add_agency(&worker, &Agency::new("สถานีตำรวจสมมุติ", AgencyType::Police))
        .unwrap();

    // No consent: refused, until a legal basis with a reason is named.
    assert_eq!(
        invalid(book.create_referral(&worker, &referral_to(&adult.id, &shelter), None)),
        ("consent.basis".into(), Rule::NoConsent)
    );
    let no_reason = BasisGiven {
        basis: Basis::VitalInterest,
        reason: " ".into(),
    };
    assert_eq!(
        invalid(book.create_referral(&worker, &referral_to(&adult.id, &shelter), Some(&no_reason))),
        ("consent.reason".into(), Rule::Required)
    );
    assert!(
        book.referrals(&worker, &adult.id).unwrap().is_empty(),
        "nothing half made"
    );
    let vital = BasisGiven {
        basis: Basis::VitalInterest,
        reason: "ถูกขู่ฆ่า ต้องย้ายที่พักทันที".into(),
    };
    let made = book
        .create_referral(&worker, &referral_to(&adult.id, &shelter), Some(&vital))
        .unwrap();
    let ledger = book.consents(&worker, &adult.id).unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(
        (ledger[0].record.basis, ledger[0].record.reason.as_deref()),
        (Basis::VitalInterest, Some("ถูกขู่ฆ่า ต้องย้ายที่พักทันที"))
    );
    assert_eq!(
        book.referral(&worker, &made).unwrap().record.consent_id.as_deref(),
        Some(ledger[0].id.as_str())
    );
    let audit = book.audit_trail(&admin, Some(&ledger[0].id), 10).unwrap();
    assert!(audit.iter().any(|e| e.action == "consent.without"));

    // With the client's consent to a referral to the police, it goes without asking; a
    // consent names its agency, so the shelter's does not cover the police.
    assert_eq!(
        invalid(book.create_referral(&worker, &referral_to(&adult.id, &police), None)),
        ("consent.basis".into(), Rule::NoConsent)
    );
    let consent = book
        .record_consent(&worker, &consent_of(&adult.id, Purpose::Referral, Some(&police)))
        .unwrap();
    let to_police = book
        .create_referral(&worker, &referral_to(&adult.id, &police), None)
        .unwrap();
    assert_eq!(
        book.referral(&worker, &to_police).unwrap().record.consent_id,
        Some(consent.clone())
    );
    // A legal basis serves once: the next referral to the shelter asks again.
    assert_eq!(
        invalid(book.create_referral(&worker, &referral_to(&adult.id, &shelter), None)),
        ("consent.basis".into(), Rule::NoConsent)
    );
    // Revoked, the consent no longer lets a referral be made, nor the letter of one made on it
    // go out.
    book.revoke_consent(&worker, &consent, "ผู้รับบริการขอถอนความยินยอม")
        .unwrap();
    assert_eq!(
        invalid(book.issue_referral_letter(&worker, &to_police, "ขอส่งต่อ")),
        ("consent.basis".into(), Rule::NoConsent)
    );
    assert_eq!(
        invalid(book.create_referral(&worker, &referral_to(&adult.id, &police), None)),
        ("consent.basis".into(), Rule::NoConsent)
    );

    // A child: the guardian consents, named, and the child's own assent is recorded.
    let child = book
        .intake(
            &worker,
            &someone("เด็กหญิงยินยอม ทดสอบ", None, None, Sex::Female, 12),
            &intake_for(None),
        )
        .unwrap()
        .case;
    let by_child = consent_of(&child.id, Purpose::Photos, None);
    assert_eq!(
        invalid(book.record_consent(&worker, &by_child)),
        ("consent.given_by".into(), Rule::GuardianNeeded)
    );
    let by_guardian = Consent {
        given_by: Some(GivenBy::Guardian),
        guardian_name: Some("นางผู้ปกครอง ทดสอบ".into()),
        ..by_child.clone()
    };
    assert_eq!(
        invalid(book.record_consent(&worker, &by_guardian)),
        ("consent.child_assent".into(), Rule::Required)
    );
    book.record_consent(
        &worker,
        &Consent {
            child_assent: Some(true),
            ..by_guardian
        },
    )
    .unwrap();
}

fn assessment(case_id: &str, stage: Stage, on: &str, levels: &[(Domain, u8)]) -> Assessment {
    Assessment {
        case_id: case_id.into(),
        stage,
        assessed_on: on.into(),
        levels: levels.iter().copied().collect::<BTreeMap<_, _>>(),
        note: None,
        author_id: None,
    }
}

#[test]
fn assessments_at_intake_and_closure_show_what_changed_in_the_statistics_and_the_province_report() {
    let dir = Dir::new("outcomes");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let case = book
        .intake(
            &worker,
            &someone("นางผลลัพธ์ ทดสอบ", None, None, Sex::Female, 35),
            &intake_for(None),
        )
        .unwrap()
        .case;
    // A level outside 1-4, a domain the form does not rate, a date to come: refused.
    assert_eq!(
        invalid(book.record_assessment(
            &worker,
            &assessment(&case.id, Stage::Baseline, "2026-11-02", &[(Domain::Food, 5)])
        )),
        ("assessment.levels".into(), Rule::OutOfRange)
    );
    assert_eq!(
        invalid(book.record_assessment(
            &worker,
            &assessment(&case.id, Stage::Baseline, "2026-11-02", &[(Domain::Psychosocial, 2)])
        )),
        ("assessment.levels".into(), Rule::OutOfRange)
    );
    assert_eq!(
        invalid(book.record_assessment(
            &worker,
            &assessment(&case.id, Stage::Baseline, "2599-01-01", &[(Domain::Food, 2)])
        )),
        ("assessment.assessed_on".into(), Rule::InFuture)
    );
    let baseline = [(Domain::Food, 1), (Domain::Shelter, 2), (Domain::Safety, 3)];
    book.record_assessment(&worker, &assessment(&case.id, Stage::Baseline, "2026-11-02", &baseline))
        .unwrap();
    book.record_assessment(
        &worker,
        &assessment(&case.id, Stage::Review, "2026-11-10", &[(Domain::Food, 2)]),
    )
    .unwrap();
    let closure = [(Domain::Food, 3), (Domain::Shelter, 2), (Domain::Safety, 1)];
    book.record_assessment(&worker, &assessment(&case.id, Stage::Closure, "2569-11-20", &closure))
        .unwrap();
    assert_eq!(book.assessments(&worker, &case.id).unwrap().len(), 3);

    let november = Period {
        year: 2026,
        month: Some(11),
    };
    let changes = |counts: &[casebook::statistics::Count]| -> Vec<(String, i64)> {
        counts
            .iter()
            .filter(|c| c.dimension == Dimension::DomainChange)
            .map(|c| (c.value.clone(), c.cases))
            .collect()
    };
    let expected = vec![
        ("food.improved".to_owned(), 1),
        ("safety.worse".to_owned(), 1),
        ("shelter.same".to_owned(), 1),
    ];
    let unit = book.statistics(&worker, november).unwrap();
    assert_eq!(changes(&unit.counts), expected);
    // The province's report replays the same events and counts the same.
    let mut replay = Replay::new().unwrap();
    replay.apply(book.events().unwrap()).unwrap();
    assert_eq!(changes(&replay.statistics(november, None).unwrap().counts), expected);
    // A closure in another month is not November's.
    let october = Period {
        year: 2026,
        month: Some(10),
    };
    assert!(changes(&book.statistics(&worker, october).unwrap().counts).is_empty());
}

#[test]
fn an_interpreter_session_needs_the_pledge_and_a_volunteer_supports_others_cases_only() {
    let dir = Dir::new("interpreter");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let case = book
        .intake(
            &worker,
            &someone("นางล่าม ทดสอบ", None, None, Sex::Female, 35),
            &intake_for(None),
        )
        .unwrap()
        .case;
    let session = InterpreterSession {
        case_id: case.id.clone(),
        held_on: "2026-11-20".into(),
        language: Language::Malay,
        language_other: None,
        interpreter: "นายล่าม สมมุติ".into(),
        agency: Some("มูลนิธิสมมุติ".into()),
        pledged: false,
        author_id: None,
    };
    assert_eq!(
        invalid(book.record_interpreter_session(&worker, &session)),
        ("interpreter.pledged".into(), Rule::Required)
    );
    assert_eq!(
        invalid(book.record_interpreter_session(
            &worker,
            &InterpreterSession {
                language: Language::Other,
                pledged: true,
                ..session.clone()
            }
        )),
        ("interpreter.language_other".into(), Rule::Required)
    );
    book.record_interpreter_session(
        &worker,
        &InterpreterSession {
            pledged: true,
            ..session
        },
    )
    .unwrap();
    let sessions = book.interpreter_sessions(&worker, &case.id).unwrap();
    assert_eq!((sessions.len(), sessions[0].record.language), (1, Language::Malay));

    // A survivor (the client of another case) volunteers, with her own consent.
    let own = book
        .intake(
            &worker,
            &someone("นางอาสา ทดสอบ", None, None, Sex::Female, 45),
            &intake_for(None),
        )
        .unwrap()
        .case;
    let volunteer = own.client_id.clone();
    assert_eq!(
        invalid(book.add_volunteer(&worker, &case.id, &volunteer)),
        ("volunteer.person_id".into(), Rule::NotAVolunteer)
    );
    assert_eq!(
        invalid(book.set_volunteer(&worker, &volunteer, Some(VolunteerRole::PeerVolunteer), None)),
        ("volunteer.consent_on".into(), Rule::Required)
    );
    book.set_volunteer(
        &worker,
        &volunteer,
        Some(VolunteerRole::PeerVolunteer),
        Some("2569-11-15"),
    )
    .unwrap();
    assert_eq!(
        invalid(book.add_volunteer(&worker, &own.id, &volunteer)),
        ("volunteer.person_id".into(), Rule::AlreadyInCase)
    );
    book.add_volunteer(&worker, &case.id, &volunteer).unwrap();
    let listed = book.volunteers(&worker).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].role, listed[0].supporting),
        (VolunteerRole::PeerVolunteer, 1)
    );
    // The supported case shows her as its volunteer; nothing there names her own case.
    let view = book.open_case(&worker, &case.id).unwrap();
    let shown = view.parties.iter().find(|p| p.role == PartyRole::Volunteer).unwrap();
    assert_eq!(shown.person_id, volunteer);
    let page = serde_json::to_string(&view).unwrap();
    assert!(!page.contains(&own.case_number) && !page.contains(&own.id));
}

#[test]
fn community_counts_hide_every_count_below_five() {
    use casebook::community::AreaLevel;
    use chrono::Datelike;
    let dir = Dir::new("community");
    let (mut book, worker, _, _) = book_with_worker(dir.path());
    let province = book.areas(None).unwrap()[0].code.clone();
    let district = book.areas(Some(&province)).unwrap()[0].code.clone();
    let subdistricts = book.areas(Some(&district)).unwrap();
    let (busy, quiet) = (subdistricts[0].code.clone(), subdistricts[1].code.clone());
    // Six clients from one subdistrict (five about a child), three from the next.
    for (i, area) in [&busy, &busy, &busy, &busy, &busy, &busy, &quiet, &quiet, &quiet]
        .into_iter()
        .enumerate()
    {
        let mut client = someone(&format!("ผู้รับบริการชุมชน ที่{i}"), None, None, Sex::Female, 30);
        client.area_code = Some(area.clone());
        let mut case = intake_for(None);
        case.categories = if i < 5 {
            vec![Category::ViolenceChild]
        } else {
            vec![Category::ViolenceWoman]
        };
        book.intake(&worker, &client, &case).unwrap();
    }
    let today = casebook::dates::today();
    let period = Period {
        year: today.year(),
        month: Some(today.month()),
    };
    let counts = |book: &mut Casebook, level, within: Option<&str>| {
        book.community_counts(&worker, period, level, within).unwrap()
    };
    let by_subdistrict = counts(&mut book, AreaLevel::Subdistrict, Some(&district));
    let cell = |areas: &[casebook::community::AreaCounts], code: &str, measure: &str| {
        areas
            .iter()
            .find(|a| a.code == code)
            .and_then(|a| a.counts.iter().find(|c| c.measure == measure))
            .map(|c| c.cases)
    };
    assert_eq!(cell(&by_subdistrict.areas, &busy, "opened"), Some(Some(6)));
    assert_eq!(
        cell(&by_subdistrict.areas, &busy, "category.violence_child"),
        Some(Some(5))
    );
    // One case about a woman there, three cases in the quiet subdistrict: hidden.
    assert_eq!(
        cell(&by_subdistrict.areas, &busy, "category.violence_woman"),
        Some(None)
    );
    assert_eq!(cell(&by_subdistrict.areas, &quiet, "opened"), Some(None));
    assert_eq!(
        cell(&by_subdistrict.areas, &quiet, "category.violence_woman"),
        Some(None)
    );
    let shown: Vec<i64> = by_subdistrict
        .areas
        .iter()
        .flat_map(|a| a.counts.iter().filter_map(|c| c.cases))
        .collect();
    assert!(shown.iter().all(|n| *n >= 5), "{shown:?}");
    // Every area lists the same measures: none about trafficking shows as "fewer than 5" too,
    // not as a missing line that would say "none".
    assert_eq!(cell(&by_subdistrict.areas, &quiet, "category.trafficking"), Some(None));
    assert_eq!(cell(&by_subdistrict.areas, &busy, "category.trafficking"), Some(None));
    // The district holds all nine: four about a woman are still fewer than five.
    let by_district = counts(&mut book, AreaLevel::District, Some(&province));
    assert_eq!(cell(&by_district.areas, &district, "opened"), Some(Some(9)));
    assert_eq!(
        cell(&by_district.areas, &district, "category.violence_woman"),
        Some(None)
    );
    // Another province's districts: none of these.
    let elsewhere = book.areas(None).unwrap()[1].code.clone();
    assert!(
        counts(&mut book, AreaLevel::District, Some(&elsewhere))
            .areas
            .is_empty()
    );
}

#[test]
fn a_signed_consent_form_travels_to_the_other_laptops_of_the_unit() {
    let (dir_a, dir_b) = (Dir::new("form-a"), Dir::new("form-b"));
    let (mut a, _, wa) = casebook::synth::unit_laptop(dir_a.path(), "a", WORKER_PASS).unwrap();
    let (mut b, _, wb) = casebook::synth::unit_laptop(dir_b.path(), "b", WORKER_PASS).unwrap();
    let case = a
        .intake(
            &wa,
            &someone("นางแบบฟอร์ม ทดสอบ", None, None, Sex::Female, 30),
            &intake_for(None),
        )
        .unwrap()
        .case;
    let consent = a
        .record_consent(&wa, &consent_of(&case.id, Purpose::Photos, None))
        .unwrap();
    let scan = b"%PDF-1.4\n% a signed consent form, synthetic\n".to_vec();
    let form = a.put_attachment(&wa, &scan).unwrap();
    a.attach_consent_form(&wa, &consent, &form).unwrap();
    assert!(a.unsent_blobs(10).unwrap().contains(&form), "the form is not sent");
    deliver(&mut b, a.events().unwrap());
    assert_eq!(b.missing_blobs(10).unwrap(), vec![form.clone()]);
    let (_, bytes) = a.blob(&form).unwrap().unwrap();
    assert!(b.take_blob(&form, &bytes).unwrap());
    assert_eq!(b.attachment(&wb, &form).unwrap().1, scan);
    // A photo with its GPS tag, as a device that skipped cleaning would send it, is not kept.
    let tagged = casebook::records::evidence::fixtures::jpeg_with_exif(32, 16, 1, true);
    let hash = sha256_hex(&tagged);
    assert!(!b.take_blob(&hash, &tagged).unwrap());
    assert!(b.attachment(&wb, &hash).is_err());
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
