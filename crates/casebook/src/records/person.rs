//! People: clients, family members, alleged perpetrators. A person without a Thai ID (a migrant
//! with a pink card, a passport holder, someone with no documents) is a normal case.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::parse_date;
use crate::dates::today;
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::mask;
use crate::records::thai_id::{self, IdCheck};
use crate::store::rows;
use crate::store::rows::new_id;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum IdKind {
    ThaiCitizen,
    /// A 0-prefixed number of a person without registration status.
    NoStatus,
    PinkCard,
    Passport,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Sex {
    Female,
    Male,
    Other,
    Unknown,
}

/// How a survivor who volunteers supports others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum VolunteerRole {
    PeerVolunteer,
    Mentor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Vulnerability {
    Child,
    Elderly,
    Disability,
    Bedridden,
    Pregnant,
    NoDocuments,
}

/// Titles written in front of names, often without a space ("เด็กหญิงสมศรี"), longest first
/// so "นางสาว" is not read as "นาง".
pub(crate) const TITLES: [&str; 12] = [
    "เด็กหญิง",
    "เด็กชาย",
    "นางสาว",
    "ด.ญ.",
    "ด.ช.",
    "น.ส.",
    "นาย",
    "นาง",
    "Mrs.",
    "Miss",
    "Mr.",
    "Ms.",
];

/// The most merges followed from a record to the person it stands for.
const MERGE_HOPS: usize = 8;

/// What the intake form sends.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PersonInput {
    pub name_th: Option<String>,
    /// For someone whose name is not known: what tells them apart ("เด็กชาย ไม่ทราบชื่อ อายุ
    /// ประมาณ 8 ปี"). A name added later is an ordinary edit.
    #[serde(default)]
    pub description: Option<String>,
    /// A reporter who gave no name (a hotline caller).
    #[serde(default)]
    pub anonymous: bool,
    /// A Thai citizen whose card was not at hand: the number is added later.
    #[serde(default)]
    pub id_to_follow: bool,
    pub name_latin: Option<String>,
    pub id_kind: Option<IdKind>,
    pub id_number: Option<String>,
    /// Passport country (ISO 3166 alpha-2).
    pub id_country: Option<String>,
    /// ISO date; a BE year (e.g. 2555-04-01) is accepted.
    pub birth_date: Option<String>,
    #[ts(type = "number | null")]
    pub estimated_age: Option<i64>,
    pub sex: Option<Sex>,
    pub nationality: Option<String>,
    /// ISO 639-1 codes: th, my, km, lo, vi, zh, en, ms, …
    pub languages: Vec<String>,
    pub needs_interpreter: bool,
    pub area_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub flags: Vec<Vulnerability>,
}

/// A stored person, identity in full. Only `reveal` hands this out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Person {
    pub id: String,
    pub unit_code: String,
    pub created_at: String,
    pub updated_at: String,
    pub name_th: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub id_to_follow: bool,
    /// The record this one was found to duplicate (`records::merge`).
    #[serde(default)]
    pub merged_into: Option<String>,
    #[serde(default)]
    pub volunteer: Option<VolunteerRole>,
    #[serde(default)]
    pub volunteer_consent_on: Option<String>,
    pub name_latin: Option<String>,
    pub id_kind: IdKind,
    pub id_number: Option<String>,
    pub id_country: Option<String>,
    pub birth_date: Option<String>,
    #[ts(type = "number | null")]
    pub estimated_age: Option<i64>,
    pub sex: Sex,
    pub nationality: Option<String>,
    pub languages: Vec<String>,
    pub needs_interpreter: bool,
    pub area_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub flags: Vec<Vulnerability>,
    /// The records merged into this one, in full; given only with a reveal.
    #[serde(default)]
    pub merged: Vec<Person>,
}

/// A person as lists and summaries show them: identity masked.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PersonMasked {
    pub id: String,
    /// The masked name; for someone without a name, their description as it was written.
    pub name: String,
    /// Recorded without a name: `name` is the description, or empty for an anonymous reporter.
    pub unnamed: bool,
    pub anonymous: bool,
    pub id_to_follow: bool,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    #[ts(type = "number | null")]
    pub age: Option<i64>,
    pub sex: Sex,
    pub flags: Vec<Vulnerability>,
    pub needs_interpreter: bool,
    pub languages: Vec<String>,
}

impl Person {
    /// Age in whole years today, from the birth date or the estimate.
    pub fn age(&self, today: NaiveDate) -> Option<i64> {
        match self.birth_date.as_deref().and_then(parse_date) {
            Some(born) => Some(years_between(born, today)),
            None => self.estimated_age,
        }
    }

    pub fn masked(&self, today: NaiveDate) -> PersonMasked {
        let name = self.name_th.as_deref().or(self.name_latin.as_deref());
        PersonMasked {
            id: self.id.clone(),
            // A description names no one: it shows as written, so two unnamed children differ.
            name: match name {
                Some(name) => mask::name(name),
                None => self.description.clone().unwrap_or_default(),
            },
            unnamed: name.is_none(),
            anonymous: self.anonymous,
            id_to_follow: self.id_to_follow,
            id_number: self.id_number.as_deref().map(mask::tail),
            phone: self.phone.as_deref().map(mask::tail),
            age: self.age(today),
            sex: self.sex,
            flags: self.flags.clone(),
            needs_interpreter: self.needs_interpreter,
            languages: self.languages.clone(),
        }
    }
}

pub(crate) fn years_between(born: NaiveDate, today: NaiveDate) -> i64 {
    let mut years = i64::from(today.year() - born.year());
    if (today.month(), today.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years
}

/// Checks the input; returns the row to store and the warnings the user should see.
fn validate(input: &PersonInput, today: NaiveDate) -> Result<(rows::Fields, Vec<Invalid>), Invalid> {
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    let named = !blank(&input.name_th) || !blank(&input.name_latin);
    if !named && blank(&input.description) && !input.anonymous {
        return Err(Invalid::new("person.name_th", Rule::Required));
    }
    let mut warnings = Vec::new();
    let id_kind = input.id_kind.unwrap_or(IdKind::None);
    let id_number = match (
        id_kind,
        input.id_number.as_deref().map(str::trim).filter(|s| !s.is_empty()),
    ) {
        (IdKind::ThaiCitizen | IdKind::NoStatus, Some(raw)) => {
            let (digits, check) = thai_id::validate("person.id_number", raw)?;
            if let IdCheck::Warning(rule) = check {
                warnings.push(Invalid::new("person.id_number", rule));
            }
            Some(digits)
        }
        (IdKind::ThaiCitizen, None) if input.id_to_follow => None,
        (IdKind::ThaiCitizen | IdKind::PinkCard | IdKind::Passport, None) => {
            return Err(Invalid::new("person.id_number", Rule::Required));
        }
        (_, other) => other.map(str::to_owned),
    };
    let birth_date = match input.birth_date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => {
            let date = parse_date(text).ok_or_else(|| Invalid::new("person.birth_date", Rule::NotADate))?;
            if date > today {
                return Err(Invalid::new("person.birth_date", Rule::InFuture));
            }
            Some(date)
        }
        None => None,
    };
    if let Some(age) = input.estimated_age
        && !(0..=120).contains(&age)
    {
        return Err(Invalid::new("person.estimated_age", Rule::AgeOutOfRange));
    }
    // Flags that follow from age are set by the book, not left to memory: a child is under 18.
    let age = birth_date.map(|b| years_between(b, today)).or(input.estimated_age);
    let mut flags = input.flags.clone();
    for (applies, flag) in [
        (age.is_some_and(|a| a < 18), Vulnerability::Child),
        (age.is_some_and(|a| a >= 60), Vulnerability::Elderly),
    ] {
        flags.retain(|f| *f != flag);
        if applies {
            flags.push(flag);
        }
    }
    if matches!(id_kind, IdKind::None) && !flags.contains(&Vulnerability::NoDocuments) {
        flags.push(Vulnerability::NoDocuments);
    }
    let trimmed = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let record = serde_json::json!({
        "name_th": trimmed(&input.name_th),
        "name_latin": trimmed(&input.name_latin),
        // Once named, the description no longer stands in for the name.
        "description": if named { None } else { trimmed(&input.description) },
        "anonymous": input.anonymous && !named,
        "id_to_follow": id_number.is_none() && input.id_to_follow,
        "id_kind": id_kind,
        "id_number": id_number,
        "id_country": trimmed(&input.id_country),
        "birth_date": birth_date.map(|d| d.to_string()),
        "estimated_age": input.estimated_age,
        "sex": input.sex.unwrap_or(Sex::Unknown),
        "nationality": trimmed(&input.nationality),
        "languages": input.languages,
        "needs_interpreter": input.needs_interpreter,
        "area_code": trimmed(&input.area_code),
        "address": trimmed(&input.address),
        "phone": trimmed(&input.phone),
        "flags": flags,
    });
    match record {
        serde_json::Value::Object(map) => Ok((map, warnings)),
        _ => unreachable!("json! of an object literal is an object"),
    }
}

impl Casebook {
    /// Records a new person. Returns the id and any warnings (e.g. a 0-prefixed ID's check digit).
    pub fn create_person(&mut self, session: &Session, input: &PersonInput) -> Result<(String, Vec<Invalid>)> {
        session.require(Permission::EditCases)?;
        let (fields, warnings) = validate(input, today())?;
        let id = new_id();
        self.write(session, Entity::Person, &id, fields, "person.create", None)?;
        Ok((id, warnings))
    }

    pub fn update_person(&mut self, session: &Session, id: &str, input: &PersonInput) -> Result<Vec<Invalid>> {
        session.require(Permission::EditCases)?;
        let (fields, warnings) = validate(input, today())?;
        // Only what changed: two laptops correcting different fields of one person merge.
        self.write_changes(session, Entity::Person, id, fields, "person.update")?;
        Ok(warnings)
    }

    /// The person `id` stands for now: the record it was merged into, when that one is here
    /// (`records::merge`), else itself. Merges point at older records, so a chain (two merges
    /// made on two laptops at once) is short; a lying device's loop stops at the limit.
    pub(crate) fn load_person(&self, id: &str) -> Result<Person> {
        let mut person = self.person_record(id)?.ok_or(crate::Error::NoSuchRecord("person"))?;
        for _ in 0..MERGE_HOPS {
            // Only towards an older record, as merges are made (`values::out_of_range`).
            let Some(next) = person.merged_into.as_deref().filter(|next| *next < person.id.as_str()) else {
                break;
            };
            match self.person_record(next)? {
                Some(older) => person = older,
                None => break,
            }
        }
        Ok(person)
    }

    /// The one record `id`, merged or not.
    pub(crate) fn person_record(&self, id: &str) -> Result<Option<Person>> {
        rows::get(&self.conn, &self.catalog, "persons", id)?
            .map(rows::decode)
            .transpose()
    }

    /// The person with identity masked.
    pub fn person_masked(&self, session: &Session, id: &str) -> Result<PersonMasked> {
        session.require(Permission::ViewCases)?;
        Ok(self.load_person(id)?.masked(today()))
    }

    /// The person in full. Needs a reason, which goes into the audit log with who asked.
    pub fn reveal_person(&mut self, session: &Session, id: &str, reason: &str) -> Result<Person> {
        session.require(Permission::RevealIdentity)?;
        let reason = reveal_reason(reason)?;
        let mut person = self.load_person(id)?;
        self.audit(
            session,
            "identity.reveal",
            Some(Entity::Person),
            Some(&person.id),
            Some(reason.trim()),
        )?;
        // What the records merged into this one still hold (a phone another laptop added to
        // one of them while the merge was made) shows beside it, revealed with it.
        person.merged = self.merged_records(&person.id)?;
        Ok(person)
    }
}

/// The reason given for showing identity: required, and short (it travels with the audit to
/// the hub and the unit's laptops, so it is no place for a document pasted in).
pub(crate) fn reveal_reason(reason: &str) -> Result<&str, Invalid> {
    const LONGEST: usize = 300;
    let reason = reason.trim();
    if reason.is_empty() {
        Err(Invalid::new("reveal.reason", Rule::Required))
    } else if reason.chars().count() > LONGEST {
        Err(Invalid::new("reveal.reason", Rule::TooLong))
    } else {
        Ok(reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn has_flag(fields: &rows::Fields, flag: &str) -> bool {
        fields["flags"]
            .as_array()
            .is_some_and(|flags| flags.contains(&serde_json::json!(flag)))
    }

    fn named() -> PersonInput {
        PersonInput {
            name_th: Some("เด็กหญิงทดสอบ สมมุติ".into()),
            ..PersonInput::default()
        }
    }

    #[test]
    fn a_name_is_required() {
        let err = validate(&PersonInput::default(), day(2026, 1, 1)).unwrap_err();
        assert_eq!(err, Invalid::new("person.name_th", Rule::Required));
    }

    #[test]
    fn child_flag_follows_birth_date_in_buddhist_era() {
        let input = PersonInput {
            birth_date: Some("2555-06-01".into()),
            ..named()
        };
        let (fields, _) = validate(&input, day(2026, 1, 1)).unwrap();
        assert_eq!(fields["birth_date"], "2012-06-01");
        assert!(has_flag(&fields, "child"));
    }

    #[test]
    fn birth_date_in_the_future_is_refused() {
        let input = PersonInput {
            birth_date: Some("2027-01-01".into()),
            ..named()
        };
        assert_eq!(validate(&input, day(2026, 1, 1)).unwrap_err().rule, Rule::InFuture);
    }

    #[test]
    fn migrant_with_pink_card_and_no_document_person_are_accepted() {
        let pink = PersonInput {
            id_kind: Some(IdKind::PinkCard),
            id_number: Some("00-1234-567890".into()),
            languages: vec!["my".into()],
            needs_interpreter: true,
            ..named()
        };
        assert!(validate(&pink, day(2026, 1, 1)).is_ok());
        let (fields, warnings) = validate(
            &PersonInput {
                id_kind: Some(IdKind::None),
                ..named()
            },
            day(2026, 1, 1),
        )
        .unwrap();
        assert!(warnings.is_empty());
        assert!(has_flag(&fields, "no_documents"));
    }

    #[test]
    fn thai_id_check_digit_refused_but_no_status_id_only_warned() {
        let bad = PersonInput {
            id_kind: Some(IdKind::ThaiCitizen),
            id_number: Some("1103702345670".into()),
            ..named()
        };
        assert_eq!(
            validate(&bad, day(2026, 1, 1)).unwrap_err(),
            Invalid::new("person.id_number", Rule::ThaiIdCheckDigit)
        );
        let no_status = PersonInput {
            id_kind: Some(IdKind::NoStatus),
            id_number: Some("0012345678901".into()),
            ..named()
        };
        let (_, warnings) = validate(&no_status, day(2026, 1, 1)).unwrap();
        assert_eq!(warnings, vec![Invalid::new("person.id_number", Rule::ThaiIdCheckDigit)]);
    }
}
