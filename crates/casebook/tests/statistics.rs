//! The month's statistics for the province: counts by category, violence type, sex, age
//! band, relationship to the alleged perpetrator, source and status, from a real encrypted book;
//! and the same counts from the book's events replayed, as the hub reports them.

mod common;

use casebook::records::care::{CaseParty, PartyRole, Relationship};
use casebook::records::case::{Category, Source, ViolenceType};
use casebook::records::person::{IdKind, PersonInput, Sex};
use casebook::statistics::{Dimension, Period, Replay, Statistics};
use chrono::Datelike;
use common::*;

fn count(statistics: &Statistics, dimension: Dimension, value: &str) -> i64 {
    statistics
        .counts
        .iter()
        .find(|c| c.dimension == dimension && c.value == value)
        .map_or(0, |c| c.cases)
}

#[test]
fn a_months_statistics_count_each_case_by_every_dimension() {
    let dir = Dir::new("statistics");
    let (mut book, worker, admin, _) = book_with_worker(dir.path());

    // A girl of 14 hurt by her stepfather, seen at the emergency room.
    let (girl, _) = book.create_person(&worker, &person("เด็กหญิง สถิติ")).unwrap();
    let case = book.create_case(&worker, &case_for(&girl)).unwrap();
    let (stepfather, _) = book.create_person(&worker, &person("ผู้ถูกกล่าวหา สถิติ")).unwrap();
    let party = CaseParty {
        case_id: case.id.clone(),
        person_id: stepfather,
        role: PartyRole::AllegedPerpetrator,
        relationship: Some(Relationship::StepParent),
    };
    book.add_party(&worker, &party).unwrap();

    // A woman of about 40 hurt by her husband, reported to hotline 1300; her case is closed.
    let woman = PersonInput {
        birth_date: None,
        estimated_age: Some(40),
        ..person("หญิง สถิติ")
    };
    let (woman, _) = book.create_person(&worker, &woman).unwrap();
    let mut input = case_for(&woman);
    input.source = Source::Hotline1300;
    input.categories = vec![Category::ViolenceWoman];
    input.violence_types = vec![ViolenceType::Physical, ViolenceType::Psychological];
    let closed = book.create_case(&worker, &input).unwrap();
    let (husband, _) = book.create_person(&worker, &person("สามี สถิติ")).unwrap();
    let party = CaseParty {
        case_id: closed.id.clone(),
        person_id: husband,
        role: PartyRole::AllegedPerpetrator,
        relationship: Some(Relationship::Spouse),
    };
    book.add_party(&worker, &party).unwrap();
    let closing = casebook::records::status::Closing {
        reason: "goals_met".into(),
        outcome: "safe".into(),
        note: Some("ปลอดภัยแล้ว".into()),
    };
    book.close_case(&worker, &closed.id, &closing).unwrap();

    // A boy without documents found working, brought by the police: no age known, no one named.
    let boy = PersonInput {
        name_th: None,
        id_kind: Some(IdKind::None),
        id_number: None,
        birth_date: None,
        sex: Some(Sex::Male),
        ..person("")
    };
    let (boy, _) = book.create_person(&worker, &boy).unwrap();
    let mut input = case_for(&boy);
    input.source = Source::Police;
    input.categories = vec![Category::ChildLabour, Category::Trafficking];
    input.violence_types = vec![];
    book.create_case(&worker, &input).unwrap();

    let today = casebook::dates::today();
    let month = Period {
        year: today.year(),
        month: Some(today.month()),
    };
    let statistics = book.statistics(&worker, month).unwrap();
    assert_eq!(statistics.cases, 3);
    assert_eq!(statistics.unit_code.as_deref(), Some("CPN"));
    let expected = [
        (Dimension::Category, "violence_child", 1),
        (Dimension::Category, "violence_woman", 1),
        (Dimension::Category, "child_labour", 1),
        (Dimension::Category, "trafficking", 1),
        (Dimension::ViolenceType, "physical", 2),
        (Dimension::ViolenceType, "psychological", 1),
        (Dimension::Sex, "female", 2),
        (Dimension::Sex, "male", 1),
        (Dimension::AgeBand, "12-17", 1),
        (Dimension::AgeBand, "25-59", 1),
        (Dimension::AgeBand, "unknown", 1),
        (Dimension::Relationship, "step_parent", 1),
        (Dimension::Relationship, "spouse", 1),
        (Dimension::Relationship, "unknown", 1),
        (Dimension::Source, "hospital_er", 1),
        (Dimension::Source, "hotline1300", 1),
        (Dimension::Source, "police", 1),
        (Dimension::Status, "closed", 1),
        (Dimension::Status, "intake", 2),
    ];
    for (dimension, value, n) in expected {
        assert_eq!(count(&statistics, dimension, value), n, "{dimension:?} {value}");
    }
    // Nothing else was counted: every count above, and no month rows in a monthly report.
    assert_eq!(statistics.counts.len(), expected.len(), "{:#?}", statistics.counts);
    // Within a dimension the largest count comes first; age bands go youngest first.
    assert_eq!(
        statistics
            .counts
            .iter()
            .find(|c| c.dimension == Dimension::Status)
            .unwrap()
            .value,
        "intake"
    );
    let bands: Vec<_> = statistics
        .counts
        .iter()
        .filter(|c| c.dimension == Dimension::AgeBand)
        .map(|c| c.value.as_str())
        .collect();
    assert_eq!(bands, ["12-17", "25-59", "unknown"]);

    let csv = statistics.to_csv("รวม", |d, v| {
        if v == "step_parent" {
            "พ่อเลี้ยง, แม่เลี้ยง".into()
        } else {
            format!("{d:?}")
        }
    });
    assert!(
        csv.starts_with("\u{feff}dimension,value,label,cases\ntotal,all,รวม,3\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\nrelationship,step_parent,\"พ่อเลี้ยง, แม่เลี้ยง\",1\n"),
        "{csv}"
    );
    assert!(!csv.contains("สถิติ"), "no name in the statistics: {csv}");

    // The year: the same cases, and a row for the month they were opened in.
    let year = book
        .statistics(
            &worker,
            Period {
                year: today.year(),
                month: None,
            },
        )
        .unwrap();
    assert_eq!(year.cases, 3);
    assert_eq!(count(&year, Dimension::Month, &format!("{:02}", today.month())), 3);
    // Another month: none.
    let other = Period {
        year: today.year() - 1,
        month: Some(today.month()),
    };
    assert_eq!(book.statistics(&worker, other).unwrap().cases, 0);
    // The administrator has no access to cases, so not to their statistics either.
    assert!(matches!(
        book.statistics(&admin, month).unwrap_err(),
        casebook::Error::Forbidden(_)
    ));

    // The hub's way: the same counts from the events alone.
    let mut replay = Replay::new().unwrap();
    let events = book.unpushed(100_000).unwrap();
    // In two batches, the second first: the order of delivery does not matter.
    let (first, second) = events.split_at(events.len() / 2);
    replay.apply(second.to_vec()).unwrap();
    replay.apply(first.to_vec()).unwrap();
    assert_eq!(replay.units().unwrap(), ["CPN"]);
    let from_events = replay.statistics(month, Some("CPN")).unwrap();
    assert_eq!(from_events, statistics);
    assert_eq!(replay.statistics(month, Some("BKK")).unwrap().cases, 0);
}
