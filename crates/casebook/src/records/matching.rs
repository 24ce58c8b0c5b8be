//! Returning clients: while the intake form is filled, the people already in the book who may
//! be the same person, by the same ID number, the same phone, or a similar name with a
//! compatible age and sex. Thai names are spelt many ways (ศรี/สี, ธ/ท, a tone mark or a
//! silent letter more or less), so names are compared by a key that drops what spelling
//! varies, and then allow a letter or two of difference.
//!
//! Shown masked, with their case numbers. Each person shown is audited like a reveal: a
//! search here is a way to learn that someone is known to the unit.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::{parse_date, today};
use crate::error::Result;
use crate::log::entity::Entity;
use crate::records::care::PartyRole;
use crate::records::case::Status;
use crate::records::from_name;
use crate::records::person::{PersonMasked, Sex, TITLES, years_between};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The most people one search shows.
const MOST: usize = 8;

/// Years two ages may differ and still be one person's (an estimate is rough).
const AGE_SLACK: i64 = 5;

/// What the intake form holds so far.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct MatchQuery {
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub sex: Option<Sex>,
    /// ISO date; a BE year is accepted.
    pub birth_date: Option<String>,
    #[ts(type = "number | null")]
    pub estimated_age: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MatchReason {
    SameIdNumber,
    SamePhone,
    SimilarName,
}

/// A case of a possible match, by number only.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct MatchCase {
    pub id: String,
    pub case_number: String,
    pub status: Status,
    pub role: PartyRole,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PossibleMatch {
    pub person: PersonMasked,
    pub reasons: Vec<MatchReason>,
    pub cases: Vec<MatchCase>,
}

impl Casebook {
    /// People who may be the one being recorded, best first. Nothing is searched until the
    /// form holds a name of two letters, an ID number of 13 digits or a phone of 9.
    pub fn possible_matches(&mut self, session: &Session, query: &MatchQuery) -> Result<Vec<PossibleMatch>> {
        session.require(Permission::RevealIdentity)?;
        let today = today();
        let digits = |v: &Option<String>| -> Option<String> {
            v.as_deref()
                .map(|s| s.chars().filter(char::is_ascii_digit).collect::<String>())
        };
        let id_number = digits(&query.id_number).filter(|d| d.len() == 13);
        let phone = digits(&query.phone).filter(|d| d.len() >= 9);
        let name = query.name.as_deref().map(name_tokens).unwrap_or_default();
        let searching_name = name.iter().map(|t| t.chars().count()).sum::<usize>() >= 2;
        let age = match query.birth_date.as_deref().and_then(parse_date) {
            Some(born) => Some(years_between(born, today)),
            None => query.estimated_age,
        };

        let mut found: Vec<(String, Vec<MatchReason>)> = Vec::new();
        let mut note = |id: String, reason: MatchReason| match found.iter_mut().find(|(p, _)| *p == id) {
            Some((_, reasons)) if !reasons.contains(&reason) => reasons.push(reason),
            Some(_) => {}
            None => found.push((id, vec![reason])),
        };
        if let Some(number) = &id_number {
            for id in self.ids("SELECT id FROM persons WHERE id_number = ?1", number)? {
                note(id, MatchReason::SameIdNumber);
            }
        }
        if let Some(phone) = &phone {
            // Stored phones keep what was typed ("081-234 5678"): compared by their digits.
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id, phone FROM persons WHERE phone IS NOT NULL")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (id, stored) = row?;
                if stored.chars().filter(char::is_ascii_digit).eq(phone.chars()) {
                    note(id, MatchReason::SamePhone);
                }
            }
        }
        if searching_name {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id, coalesce(name_th, name_latin), birth_date, estimated_age, sex, created_at FROM persons
                 WHERE coalesce(name_th, name_latin) IS NOT NULL",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?;
            for row in rows {
                let (id, stored, born, estimated, sex, created) = row?;
                if !similar_names(&name, &name_tokens(&stored)) {
                    continue;
                }
                let sex: Sex = from_name(sex)?;
                let sexes_fit = matches!((query.sex, sex), (None | Some(Sex::Unknown), _) | (_, Sex::Unknown))
                    || query.sex == Some(sex);
                // An estimated age was the age when the person was recorded.
                let their_age = match born.as_deref().and_then(parse_date) {
                    Some(born) => Some(years_between(born, today)),
                    None => estimated.map(|a| {
                        a + created
                            .get(..10)
                            .and_then(parse_date)
                            .map_or(0, |on| years_between(on, today).max(0))
                    }),
                };
                let ages_fit = match (age, their_age) {
                    (Some(a), Some(b)) => (a - b).abs() <= AGE_SLACK,
                    _ => true,
                };
                if sexes_fit && ages_fit {
                    note(id, MatchReason::SimilarName);
                }
            }
        }

        // One entry per person as they stand now (a merged record leads to the kept one).
        let mut out: Vec<PossibleMatch> = Vec::new();
        for (id, reasons) in found {
            let person = self.load_person(&id)?;
            match out.iter_mut().find(|m| m.person.id == person.id) {
                Some(known) => {
                    for reason in reasons {
                        if !known.reasons.contains(&reason) {
                            known.reasons.push(reason);
                        }
                    }
                }
                None => out.push(PossibleMatch {
                    cases: self.cases_of_person(&person.id)?,
                    person: person.masked(today),
                    reasons,
                }),
            }
        }
        // An ID number is surer than a phone, a phone than a name.
        out.sort_by_key(|m| {
            (
                !m.reasons.contains(&MatchReason::SameIdNumber),
                !m.reasons.contains(&MatchReason::SamePhone),
                std::cmp::Reverse(m.reasons.len()),
            )
        });
        out.truncate(MOST);
        for m in &out {
            let why = m
                .reasons
                .iter()
                .map(crate::error::serde_name)
                .collect::<Vec<_>>()
                .join(",");
            self.audit(
                session,
                "identity.match",
                Some(Entity::Person),
                Some(&m.person.id),
                Some(&why),
            )?;
        }
        Ok(out)
    }

    /// The cases a person (with the records merged into them) is in, newest first.
    pub(crate) fn cases_of_person(&self, person_id: &str) -> Result<Vec<MatchCase>> {
        let mut stmt = self.conn.prepare_cached(
            "WITH p AS (SELECT ?1 AS id UNION SELECT id FROM persons WHERE merged_into = ?1)
             SELECT c.id, c.case_number, c.status, 'client' FROM cases c WHERE c.client_id IN (SELECT id FROM p)
             UNION
             SELECT c.id, c.case_number, c.status, cp.role FROM case_parties cp JOIN cases c ON c.id = cp.case_id
             WHERE cp.person_id IN (SELECT id FROM p) AND cp.removed = 0
             ORDER BY 2 DESC",
        )?;
        let rows = stmt.query_map([person_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, case_number, status, role) = row?;
            out.push(MatchCase {
                id,
                case_number,
                status: from_name(status)?,
                role: from_name(role)?,
            });
        }
        Ok(out)
    }
}

/// A name as the words to compare: the title dropped, each word by its spelling key.
pub fn name_tokens(name: &str) -> Vec<String> {
    let mut rest = name.trim().to_lowercase();
    for title in TITLES {
        if let Some(stripped) = rest.strip_prefix(&title.to_lowercase()) {
            rest = stripped.trim_start().to_owned();
            break;
        }
    }
    rest.split_whitespace()
        .map(spelling_key)
        .filter(|k| !k.is_empty())
        .collect()
}

/// A word with what Thai spelling varies taken out: tone marks, a silent letter under the
/// karan (์) with the mark itself, and letters that sound alike written as one (ศ ษ ซ as ส,
/// ธ ฑ ฒ ถ ฐ as ท, ข ฆ as ค, ภ ผ as พ, ณ as น, ญ as ย, ใ as ไ …).
fn spelling_key(word: &str) -> String {
    let mut out: Vec<char> = Vec::new();
    for c in word.chars() {
        match c {
            // Tone marks, maitaikhu, nikhahit, yamakkan; dots and hyphens of a written name.
            '\u{0E47}'..='\u{0E4B}' | '\u{0E4D}' | '\u{0E4E}' | '.' | '-' | '\'' => {}
            // The karan silences the letter it sits on.
            '\u{0E4C}' => {
                out.pop();
            }
            _ => out.push(match c {
                'ศ' | 'ษ' | 'ซ' => 'ส',
                'ธ' | 'ฑ' | 'ฒ' | 'ถ' | 'ฐ' => 'ท',
                'ฏ' => 'ต',
                'ฎ' => 'ด',
                'ฌ' => 'ช',
                'ญ' => 'ย',
                'ณ' => 'น',
                'ฬ' => 'ล',
                'ภ' | 'ผ' => 'พ',
                'ฝ' => 'ฟ',
                'ข' | 'ฃ' | 'ฅ' | 'ฆ' => 'ค',
                'ฮ' => 'ห',
                'ใ' => 'ไ',
                other => other,
            }),
        }
    }
    out.into_iter().collect()
}

/// Whether every word typed is close to a different word of the stored name: the typed name
/// may be shorter ("สมศรี" finds "สมศรี ใจดี") but not longer.
fn similar_names(typed: &[String], stored: &[String]) -> bool {
    if typed.is_empty() || typed.len() > stored.len() {
        return false;
    }
    let mut used = vec![false; stored.len()];
    typed.iter().all(|word| {
        let found = stored.iter().enumerate().find(|(i, s)| !used[*i] && close(word, s));
        match found {
            Some((i, _)) => {
                used[i] = true;
                true
            }
            None => false,
        }
    })
}

/// Within a letter for a word of five to eight letters, two for a longer one; a shorter word
/// must match exactly (after the spelling key).
fn close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let allowed = match a.len().min(b.len()) {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    };
    if a.len().abs_diff(b.len()) > allowed {
        return false;
    }
    edit_distance(&a, &b) <= allowed
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn similar(a: &str, b: &str) -> bool {
        similar_names(&name_tokens(a), &name_tokens(b))
    }

    #[test]
    fn thai_spelling_variants_are_one_name() {
        // Silent letter, tone mark, like-sounding letters, a title, a short form.
        assert!(similar("จันทร์เพ็ญ ทองดี", "จันเพ็ญ ทองดี"));
        assert!(similar("นางสาวศรีสุดา ใจดี", "สีสุดา ใจดี"));
        assert!(similar("ธนพล", "ทนพล"));
        assert!(similar("ด.ญ. สมใจ", "เด็กหญิงสมใจ มีสุข"));
        assert!(similar("สมศรี", "นางสมศรี ใจดี"));
        // A typing slip in a longer name.
        assert!(similar("กนกวรรณ แสงทอง", "กนกวรรน แสงทอง"));
        assert!(similar("Somchai Jaidee", "somchai jaide"));
    }

    #[test]
    fn different_names_are_not_matched() {
        assert!(!similar("สมศรี", "สมหญิง"));
        assert!(!similar("มานี", "มานะ"));
        assert!(!similar("สมศรี ใจดี มาก", "สมศรี ใจดี"));
        assert!(!similar("", "สมศรี"));
    }
}
