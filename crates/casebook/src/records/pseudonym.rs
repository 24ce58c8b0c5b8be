//! What a conference room may see of a person: a pseudonym ("ด.ญ. ก. อายุ 14 ปี") instead of the
//! name, and any name, ID number, phone or address that was typed into a summary or a decision
//! blacked out before it reaches the projector or the minutes.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::today;
use crate::error::Result;
use crate::log::entity::Entity;
use crate::records::care::CaseParty;
use crate::records::person::Sex;

/// Thai consonants used as initials, in order: the first case of a conference is ก., then ข. …
const INITIALS: [char; 20] = [
    'ก', 'ข', 'ค', 'ง', 'จ', 'ฉ', 'ช', 'ซ', 'ด', 'ต', 'ถ', 'ท', 'น', 'บ', 'ป', 'ผ', 'พ', 'ม', 'ย', 'ร',
];
/// What stands in for a blacked-out identifier (words, not a block glyph: the PDF font has them).
pub const REDACTED: &str = "[ปิดบัง]";

/// "ด.ญ. ก. อายุ 14 ปี": the Thai title by sex and age (children under 15 are ด.ช./ด.ญ.), an
/// initial by position, and the age when known.
pub fn label(sex: Sex, age: Option<i64>, position: usize) -> String {
    let child = age.is_some_and(|a| a < 15);
    let title = match (sex, child) {
        (Sex::Female, true) => "ด.ญ.",
        (Sex::Male, true) => "ด.ช.",
        (Sex::Female, false) => "น.ส.",
        (Sex::Male, false) => "นาย",
        (_, true) => "เด็ก",
        (_, false) => "ผู้รับบริการ",
    };
    let initial = INITIALS[position % INITIALS.len()];
    match age {
        Some(age) => format!("{title} {initial}. อายุ {age} ปี"),
        None => format!("{title} {initial}."),
    }
}

/// Blacks out every identifier in `text`, and any run of 9 or more digits (spaces and dashes
/// inside allowed): ID and phone numbers typed from memory are caught too.
pub fn redact(text: &str, identifiers: &[String]) -> String {
    let mut out = text.to_owned();
    let mut sorted: Vec<&String> = identifiers.iter().filter(|i| i.chars().count() >= 2).collect();
    // Longest first, so a full name goes before its parts.
    sorted.sort_by_key(|i| std::cmp::Reverse(i.len()));
    for identifier in sorted {
        out = out.replace(identifier.as_str(), REDACTED);
    }
    redact_digit_runs(&out)
}

fn redact_digit_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let is_digit = |c: char| c.is_ascii_digit() || ('๐'..='๙').contains(&c);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A run of digits, possibly split by single spaces or dashes.
        let mut end = i;
        let mut digits = 0;
        let mut j = i;
        while j < chars.len() {
            if is_digit(chars[j]) {
                digits += 1;
                end = j + 1;
                j += 1;
            } else if matches!(chars[j], ' ' | '-') && j + 1 < chars.len() && is_digit(chars[j + 1]) {
                j += 1;
            } else {
                break;
            }
        }
        if digits >= 9 {
            out.push_str(REDACTED);
        } else {
            out.extend(&chars[i..end]);
        }
        i = end;
    }
    out
}

/// `redact` with one case's identifiers, for what leaves the book masked: the projector, the
/// minutes, the masked case summary. It gives out only blacked-out text, never the identifiers.
pub struct Redactor {
    identifiers: Vec<String>,
}

impl Redactor {
    pub fn redact(&self, text: &str) -> String {
        redact(text, &self.identifiers)
    }
}

impl Casebook {
    /// What blacks the identifiers of the case's people out of its free text.
    pub fn redactor(&self, session: &Session, case_id: &str) -> Result<Redactor> {
        session.require(Permission::ViewCases)?;
        self.case_redactor(case_id)
    }

    pub(crate) fn case_redactor(&self, case_id: &str) -> Result<Redactor> {
        Ok(Redactor {
            identifiers: self.case_identifiers(case_id)?,
        })
    }

    /// Everything that names the client and the others in a case: full names and their parts,
    /// ID numbers, phones and addresses. Used to black them out of anything projected.
    fn case_identifiers(&self, case_id: &str) -> Result<Vec<String>> {
        let case = self.load_case(case_id)?;
        let parties: Vec<CaseParty> = self.records(Entity::CaseParty, "WHERE case_id = ?1", &[&case_id])?;
        let mut identifiers = Vec::new();
        for person_id in std::iter::once(case.client_id).chain(parties.into_iter().map(|p| p.person_id)) {
            let person = self.load_person(&person_id)?;
            for name in [person.name_th, person.name_latin].into_iter().flatten() {
                for part in name.split_whitespace() {
                    identifiers.push(part.to_owned());
                    if let Some(bare) = crate::records::person::TITLES.iter().find_map(|t| part.strip_prefix(t)) {
                        identifiers.push(bare.to_owned());
                    }
                }
                identifiers.push(name);
            }
            identifiers.extend([person.id_number, person.phone, person.address].into_iter().flatten());
        }
        Ok(identifiers)
    }

    /// The pseudonym of a case's client for the conference room.
    pub(crate) fn case_pseudonym(&self, case_id: &str, position: usize) -> Result<String> {
        let case = self.load_case(case_id)?;
        let client = self.load_person(&case.client_id)?;
        Ok(label(client.sex, client.age(today()), position))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_say_title_initial_and_age_only() {
        assert_eq!(label(Sex::Female, Some(14), 0), "ด.ญ. ก. อายุ 14 ปี");
        assert_eq!(label(Sex::Male, Some(9), 1), "ด.ช. ข. อายุ 9 ปี");
        assert_eq!(label(Sex::Female, Some(34), 2), "น.ส. ค. อายุ 34 ปี");
        assert_eq!(label(Sex::Unknown, None, 3), "ผู้รับบริการ ง.");
    }

    #[test]
    fn names_ids_phones_and_long_numbers_are_blacked_out() {
        let ids = vec![
            "สมศรี ใจดี".to_owned(),
            "สมศรี".to_owned(),
            "ใจดี".to_owned(),
            "1101700203451".to_owned(),
        ];
        let text = "สมศรี ใจดี (1101700203451) โทร 081-234-5678 ให้ใจดีมาพบ นัด 3 ครั้ง ภายใน 14 วัน เลข ๑๑๐๑๗๐๐๒๐๓๔๕๑";
        let out = redact(text, &ids);
        for leaked in ["สมศรี", "ใจดี", "1101700203451", "081-234-5678", "๑๑๐๑๗๐๐๒๐๓๔๕๑"]
        {
            assert!(!out.contains(leaked), "{leaked} in {out}");
        }
        assert!(out.contains("นัด 3 ครั้ง ภายใน 14 วัน"), "short numbers kept: {out}");
    }
}
