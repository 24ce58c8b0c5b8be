//! The case list: masked rows, filtered and paged, and search over names, ID numbers, phones,
//! case numbers and notes (the index is kept in store::search_index). A role that may not see
//! identity searches case numbers only; every search is audited with its query hashed.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session, allows};
use crate::dates::{parse_date, today};
use crate::error::{Error, Invalid, Result, Rule, serde_name};
use crate::records::case::{Category, Risk, Status};
use crate::records::person::{Sex, years_between};
use crate::records::today::NEXT_DUE;
use crate::records::{from_json, from_name};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A row of the case list: nothing that names or locates anyone.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CaseRow {
    pub id: String,
    pub case_number: String,
    pub age_band: Option<String>,
    pub sex: Sex,
    pub categories: Vec<Category>,
    pub risk: Risk,
    pub status: Status,
    pub case_manager_id: Option<String>,
    pub case_manager_name: Option<String>,
    pub next_due_date: Option<String>,
}

/// The order of the case list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CaseSort {
    /// Newest first, by when the case was opened.
    #[default]
    Newest,
    /// Red, then yellow, then green; newest first within each.
    Risk,
    /// The soonest due first; cases with nothing due last.
    Due,
    /// Most recently changed first (a case transferred in comes to the top).
    Updated,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseFilter {
    pub status: Option<Status>,
    pub risk: Option<Risk>,
    pub category: Option<Category>,
    pub mine: bool,
    /// Only cases whose next due date has passed.
    pub overdue: bool,
    #[serde(default)]
    pub sort: CaseSort,
    #[ts(type = "number | null")]
    pub limit: Option<i64>,
    #[ts(type = "number | null")]
    pub offset: Option<i64>,
}

pub fn age_band(age: Option<i64>) -> Option<String> {
    let age = age?;
    Some(
        match age {
            0..=5 => "0-5",
            6..=11 => "6-11",
            12..=17 => "12-17",
            18..=24 => "18-24",
            25..=59 => "25-59",
            _ => "60+",
        }
        .to_owned(),
    )
}

impl Casebook {
    pub fn list_cases(&self, session: &Session, filter: &CaseFilter) -> Result<Vec<CaseRow>> {
        session.require(Permission::ViewCases)?;
        self.case_rows(session, filter, None)
    }

    /// How many cases the filter matches (for the list's scroll height).
    pub fn count_cases(&self, session: &Session, filter: &CaseFilter) -> Result<i64> {
        session.require(Permission::ViewCases)?;
        let (where_sql, args) = filter_sql(session, filter, None)?;
        let sql = format!("SELECT count(*) FROM cases c WHERE 1 = 1{where_sql}");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?)
    }

    /// Case rows, optionally only the given ids (search results), newest first.
    pub(crate) fn case_rows(
        &self,
        session: &Session,
        filter: &CaseFilter,
        ids: Option<&[String]>,
    ) -> Result<Vec<CaseRow>> {
        let (where_sql, args) = filter_sql(session, filter, ids)?;
        let mut sql = format!(
            "SELECT c.id, c.case_number, p.birth_date, p.estimated_age, p.sex, c.categories, c.risk, c.status,
                    c.case_manager_id, {NEXT_DUE} AS next_due, u.display_name
             FROM cases c JOIN persons p ON p.id = c.client_id LEFT JOIN users u ON u.id = c.case_manager_id
             WHERE 1 = 1",
        );
        sql.push_str(&where_sql);
        let order = match filter.sort {
            CaseSort::Newest => "",
            CaseSort::Risk => "CASE c.risk WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, ",
            CaseSort::Due => "next_due IS NULL, next_due, ",
            CaseSort::Updated => "c.updated_at DESC, ",
        };
        sql.push_str(&format!(
            " ORDER BY {order}c.created_at DESC, c.id DESC LIMIT {} OFFSET {}",
            filter.limit.unwrap_or(200).clamp(1, 10_000),
            filter.offset.unwrap_or(0).max(0)
        ));
        let today = today();
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, Option<String>>(10)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, case_number, birth, estimated, sex, categories, risk, status, manager, due, manager_name) = row?;
            let age = birth.as_deref().and_then(parse_date).map(|b| years_between(b, today));
            out.push(CaseRow {
                id,
                case_number,
                age_band: age_band(age.or(estimated)),
                sex: from_name(sex)?,
                categories: from_json(&categories)?,
                risk: from_name(risk)?,
                status: from_name(status)?,
                case_manager_id: manager,
                case_manager_name: manager_name,
                next_due_date: due,
            });
        }
        Ok(out)
    }
    /// Cases whose client, case number or notes match `query`; masked rows, as the list shows.
    ///
    /// A role that may not reveal identity (a facilitator) finds cases by their numbers only:
    /// whether a name, an ID number, a phone or a note's words found a case would tell whom the
    /// unit serves. Its query must have a case number's shape (`case_number_query`), else it is
    /// refused (`Rule::IdentitySearch`, field `search.query`). Every search, refused or not, is
    /// audited with the query as a keyed hash and the number of cases found.
    pub fn search_cases(&mut self, session: &Session, query: &str, limit: i64) -> Result<Vec<CaseRow>> {
        session.require(Permission::ViewCases)?;
        let query = query.trim();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let identity = allows(session.role, Permission::RevealIdentity);
        if !identity && !case_number_query(query) {
            self.audit_search(session, query, None)?;
            return Err(Invalid::new("search.query", Rule::IdentitySearch).into());
        }
        let rows = self.search_rows(session, query, limit, identity)?;
        self.audit_search(session, query, Some(rows.len()))?;
        Ok(rows)
    }

    /// The search itself: over every record the index holds, or with `identity` false over case
    /// numbers alone (no person, no note).
    fn search_rows(&self, session: &Session, query: &str, limit: i64, identity: bool) -> Result<Vec<CaseRow>> {
        let like = like_pattern(query);
        let (matcher, pattern) = if query.chars().count() >= 3 {
            // A phrase query: the user's text is data, never FTS syntax.
            ("search_index MATCH ?1", format!("\"{}\"", query.replace('"', "\"\"")))
        } else {
            // Too short for trigrams: the same index scanned with LIKE.
            ("body LIKE ?1 ESCAPE '\\'", like.clone())
        };
        // Queued rows first (the newest), then the index, where a record that has a newer
        // version waiting in the queue no longer counts.
        let hits: Vec<(String, String)> = {
            let sql = format!(
                "SELECT entity, entity_id FROM search_queue q
                   WHERE body LIKE ?3 ESCAPE '\\' AND (?4 OR entity = 'case')
                     AND seq = (SELECT max(seq) FROM search_queue r WHERE r.entity = q.entity AND r.entity_id = q.entity_id)
                 UNION ALL
                 SELECT entity, entity_id FROM search_index s WHERE {matcher} AND (?4 OR entity = 'case')
                   AND NOT EXISTS (SELECT 1 FROM search_queue q WHERE q.entity = s.entity AND q.entity_id = s.entity_id)
                 LIMIT ?2"
            );
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params![pattern, limit * 4, like, identity], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        // Each hit leads to the cases it belongs to.
        let mut ids: Vec<String> = Vec::new();
        for (entity, entity_id) in hits {
            let sql = match entity.as_str() {
                "case" => "SELECT id FROM cases WHERE id = ?1",
                // The person the record stands for, with every record merged into them: a
                // merged person is found by each spelling it was recorded under.
                "person" => {
                    "WITH kept AS (SELECT coalesce((SELECT merged_into FROM persons WHERE id = ?1), ?1) AS id),
                       p AS (SELECT id FROM kept UNION SELECT id FROM persons WHERE merged_into = (SELECT id FROM kept))
                     SELECT id FROM cases WHERE client_id IN p
                     UNION SELECT case_id FROM case_parties WHERE person_id IN p AND removed = 0"
                }
                "timeline" => "SELECT case_id FROM timeline_entries WHERE id = ?1",
                _ => continue,
            };
            let mut stmt = self.conn.prepare_cached(sql)?;
            for id in stmt.query_map([&entity_id], |r| r.get::<_, String>(0))? {
                let id = id?;
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        let filter = CaseFilter {
            limit: Some(limit),
            ..CaseFilter::default()
        };
        self.case_rows(session, &filter, Some(&ids))
    }
}

/// The WHERE clauses (each starting " AND") and their arguments for a case filter.
fn filter_sql(session: &Session, filter: &CaseFilter, ids: Option<&[String]>) -> Result<(String, Vec<String>)> {
    let mut sql = String::new();
    let mut args: Vec<String> = Vec::new();
    let mut bind = |sql: &mut String, clause: &str, value: String| {
        args.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(status) = filter.status {
        bind(&mut sql, " AND c.status = ?", serde_name(&status));
    }
    if let Some(risk) = filter.risk {
        bind(&mut sql, " AND c.risk = ?", serde_name(&risk));
    }
    if let Some(category) = filter.category {
        bind(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM json_each(c.categories) WHERE value = ?)",
            serde_name(&category),
        );
    }
    if filter.mine {
        bind(&mut sql, " AND c.case_manager_id = ?", session.user_id.clone());
    }
    if filter.overdue {
        bind(&mut sql, &format!(" AND ({NEXT_DUE}) < ?"), today().to_string());
    }
    if let Some(ids) = ids {
        let list = serde_json::to_string(ids).map_err(|e| Error::Corrupt(e.to_string()))?;
        bind(&mut sql, " AND c.id IN (SELECT value FROM json_each(?))", list);
    }
    Ok((sql, args))
}

/// Whether `query` can only be (part of) a case number (`CPN-2569-0042`, `2569-0042`,
/// `P3F9A1C2B`): letters, digits and dashes, and not a bare number of nine digits or more, which
/// is an ID number or a phone however it is split. A Thai letter, a space or a long number asks
/// about a person.
fn case_number_query(query: &str) -> bool {
    let digits = query.chars().filter(char::is_ascii_digit).count();
    let letters = query.chars().any(|c| c.is_ascii_alphabetic());
    query.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && (letters || digits < 9)
}

/// `query` as a LIKE pattern: the user's text matched as it is anywhere in the body.
fn like_pattern(query: &str) -> String {
    format!(
        "%{}%",
        query.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_split_children_from_adults() {
        assert_eq!(age_band(Some(17)).as_deref(), Some("12-17"));
        assert_eq!(age_band(Some(18)).as_deref(), Some("18-24"));
        assert_eq!(age_band(None), None);
    }

    #[test]
    fn only_a_case_numbers_shape_is_searched_without_the_right_to_see_identity() {
        for number in [
            "CPN-2569-0042",
            "cpn-2569",
            "2569-0042",
            "0042",
            "CPN-2569-P3F9A1C2B-01",
        ] {
            assert!(case_number_query(number), "{number}");
        }
        for identity in [
            "สมศรี",
            "Somsri Jaidee",
            "1103702345679",
            "1-1037-02345-67-9",
            "081-234-5678",
            "0812345678",
            "๑๑๐๓๗๐๒๓๔๕๖๗๙",
            "somsri@example.org",
        ] {
            assert!(!case_number_query(identity), "{identity}");
        }
    }
}
