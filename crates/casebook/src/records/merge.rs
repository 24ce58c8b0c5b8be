//! Two person records found to be one person (a returning client recorded again, a name spelt
//! two ways): a supervisor merges them. The newer record is merged into the older one, which
//! stays: merges on two laptops at once then point the same way, never in a circle.
//!
//! A merge fills what the kept record lacks from the other, points this unit's cases and
//! parties at the kept record, and marks the other `merged_into` it. Nothing is deleted: the
//! merged record stays searchable under its own spelling, and a case another laptop opened
//! for it meanwhile still reaches the kept person (`load_person` follows the mark).

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::person::{Person, Sex};
use crate::store::rows::Fields;
use serde_json::{Value, json};

/// Fields the kept record takes from the merged one when it has none.
const FILLED: [&str; 12] = [
    "description",
    "name_th",
    "name_latin",
    "birth_date",
    "estimated_age",
    "nationality",
    "area_code",
    "address",
    "phone",
    "id_country",
    "volunteer",
    "volunteer_consent_on",
];

impl Casebook {
    /// Merges the records `a` and `b` (or the people they now stand for) into one; returns the
    /// kept record's id. Supervisors, with a reason; audited.
    pub fn merge_people(&mut self, session: &Session, a: &str, b: &str, reason: &str) -> Result<String> {
        session.require(Permission::Supervise)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Invalid::new("merge.reason", Rule::Required).into());
        }
        let (a, b) = (self.load_person(a)?, self.load_person(b)?);
        if a.id == b.id {
            return Err(Invalid::new("merge.other", Rule::SamePerson).into());
        }
        // UUIDv7 ids sort by creation: the older record stays.
        let (kept, merged) = if a.id < b.id { (a, b) } else { (b, a) };
        self.batch(|book| {
            book.write_changes(
                session,
                Entity::Person,
                &kept.id,
                filled(&kept, &merged),
                "person.update",
            )?;
            book.repoint(session, &merged.id, &kept.id)?;
            let mut mark = Fields::new();
            mark.insert("merged_into".into(), json!(kept.id));
            book.write(session, Entity::Person, &merged.id, mark, "person.merge", Some(reason))?;
            Ok(kept.id.clone())
        })
    }

    /// Points at `kept` what pointed at `merged` and this unit writes: its cases' client, its
    /// cases' parties, and the records merged into `merged` before.
    fn repoint(&mut self, session: &Session, merged: &str, kept: &str) -> Result<()> {
        let cases: Vec<String> = self.ids("SELECT id FROM cases WHERE client_id = ?1", merged)?;
        for id in cases {
            if self.unit_writes_case(&self.load_case(&id)?, &id)? {
                self.write(session, Entity::Case, &id, one("client_id", kept), "case.update", None)?;
            }
        }
        let parties: Vec<(String, String)> = {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT id, case_id FROM case_parties WHERE person_id = ?1")?;
            stmt.query_map([merged], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        for (id, case_id) in parties {
            if self.unit_writes_case(&self.load_case(&case_id)?, &case_id)? {
                self.write(
                    session,
                    Entity::CaseParty,
                    &id,
                    one("person_id", kept),
                    "case_party.update",
                    None,
                )?;
            }
        }
        for id in self.ids("SELECT id FROM persons WHERE merged_into = ?1", merged)? {
            self.write(
                session,
                Entity::Person,
                &id,
                one("merged_into", kept),
                "person.merge",
                None,
            )?;
        }
        Ok(())
    }

    /// The records merged into `id`, directly or through another merged record.
    pub(crate) fn merged_records(&self, id: &str) -> Result<Vec<Person>> {
        let mut out: Vec<Person> = Vec::new();
        let mut next = vec![id.to_owned()];
        while let Some(into) = next.pop() {
            for merged in self.ids("SELECT id FROM persons WHERE merged_into = ?1 ORDER BY id", &into)? {
                if merged == id || out.iter().any(|p| p.id == merged) {
                    continue; // a loop only a lying device makes
                }
                if let Some(person) = self.person_record(&merged)? {
                    next.push(person.id.clone());
                    out.push(person);
                }
            }
        }
        Ok(out)
    }
}

fn one(field: &str, value: &str) -> Fields {
    let mut fields = Fields::new();
    fields.insert(field.into(), json!(value));
    fields
}

/// What `kept` lacks and `merged` has; lists (languages, vulnerabilities) are joined.
fn filled(kept: &Person, merged: &Person) -> Fields {
    let (kept_json, merged_json) = (json!(kept), json!(merged));
    let empty = |v: &Value| v.is_null() || v.as_str().is_some_and(str::is_empty);
    let mut fields = Fields::new();
    for field in FILLED {
        if empty(&kept_json[field]) && !empty(&merged_json[field]) {
            fields.insert(field.into(), merged_json[field].clone());
        }
    }
    if kept.id_number.is_none() && merged.id_number.is_some() {
        fields.insert("id_kind".into(), json!(merged.id_kind));
        fields.insert("id_number".into(), json!(merged.id_number));
        fields.insert("id_to_follow".into(), json!(false));
    }
    if kept.sex == Sex::Unknown && merged.sex != Sex::Unknown {
        fields.insert("sex".into(), json!(merged.sex));
    }
    let named = !empty(&kept_json["name_th"]) || fields.contains_key("name_th") || fields.contains_key("name_latin");
    if named && kept.description.is_some() {
        fields.insert("description".into(), Value::Null);
    }
    if named || !merged.anonymous {
        fields.insert("anonymous".into(), json!(false));
    }
    let mut languages = kept.languages.clone();
    languages.extend(merged.languages.iter().filter(|l| !kept.languages.contains(l)).cloned());
    fields.insert("languages".into(), json!(languages));
    let mut flags = kept.flags.clone();
    flags.extend(merged.flags.iter().filter(|f| !kept.flags.contains(f)).copied());
    fields.insert("flags".into(), json!(flags));
    fields.insert(
        "needs_interpreter".into(),
        json!(kept.needs_interpreter || merged.needs_interpreter),
    );
    fields
}
