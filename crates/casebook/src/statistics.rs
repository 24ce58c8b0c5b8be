//! Statistics for the province: cases opened in a month or a year, counted by category,
//! violence type, sex, age band, relationship to the alleged perpetrator, source and
//! status. Counts only, never a name. The same query runs on a unit's book and, on the
//! hub, on the cases replayed from every unit's events (`Replay`), so both report alike.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::parse_date;
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::log::events::{self, Event};
use crate::records::case_list::age_band;
use crate::records::person::years_between;
use crate::store::{self, Catalog};
use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// A calendar month or year, in the Christian era (the page converts to and from BE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Period {
    pub year: i32,
    /// 1–12; none for the whole year.
    pub month: Option<u32>,
}

impl Period {
    /// The first day of the period and the first day after it.
    pub(crate) fn days(self) -> Result<(NaiveDate, NaiveDate)> {
        let bad = || Invalid::new("statistics.period", Rule::NotADate);
        let (start, end) = match self.month {
            Some(m) => {
                let start = NaiveDate::from_ymd_opt(self.year, m, 1).ok_or_else(bad)?;
                let (y, m) = if m == 12 {
                    (self.year + 1, 1)
                } else {
                    (self.year, m + 1)
                };
                (start, NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?)
            }
            None => (
                NaiveDate::from_ymd_opt(self.year, 1, 1).ok_or_else(bad)?,
                NaiveDate::from_ymd_opt(self.year + 1, 1, 1).ok_or_else(bad)?,
            ),
        };
        Ok((start, end))
    }
}

/// What a count is by. Its snake_case name is also the CSV's first column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Dimension {
    /// Cases opened in each month of a yearly report.
    Month,
    Category,
    ViolenceType,
    Sex,
    AgeBand,
    Relationship,
    Source,
    /// The case's status now (`cases.status`).
    Status,
    /// How a domain changed between a case's baseline assessment and its closure assessment
    /// made in the period: "food.improved", "safety.same", "income.worse".
    DomainChange,
}

impl Dimension {
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Month => "month",
            Dimension::Category => "category",
            Dimension::ViolenceType => "violence_type",
            Dimension::Sex => "sex",
            Dimension::AgeBand => "age_band",
            Dimension::Relationship => "relationship",
            Dimension::Source => "source",
            Dimension::Status => "status",
            Dimension::DomainChange => "domain_change",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Count {
    pub dimension: Dimension,
    /// The stored code ("violence_woman", "female", "12-17", "unknown" …); the page and the
    /// PDF label it.
    pub value: String,
    #[ts(type = "number")]
    pub cases: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Statistics {
    pub unit_code: Option<String>,
    pub period: Period,
    /// Cases opened in the period. A case with two categories counts once here and once under
    /// each category, so a dimension's counts may add up to more than this.
    #[ts(type = "number")]
    pub cases: i64,
    /// By dimension, then the largest count first.
    pub counts: Vec<Count>,
}

impl Statistics {
    /// One row per count, `dimension,value,label,cases`, after a header; the total is the
    /// row `total,all,…,N`. UTF-8 with a byte-order mark, which spreadsheets on Windows need
    /// to read Thai.
    pub fn to_csv(&self, total_label: &str, label: impl Fn(Dimension, &str) -> String) -> String {
        let mut out = String::from("\u{feff}dimension,value,label,cases\n");
        out.push_str(&format!("total,all,{},{}\n", csv_cell(total_label), self.cases));
        for c in &self.counts {
            let text = label(c.dimension, &c.value);
            out.push_str(&format!(
                "{},{},{},{}\n",
                c.dimension.name(),
                c.value,
                csv_cell(&text),
                c.cases
            ));
        }
        out
    }
}

/// Quoted when it holds a comma, a quote or a line break (RFC 4180).
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The counts of cases opened in `period` by `unit` (its own cases; cases transferred in are
/// counted by the unit that opened them, so a province total never counts a case twice), or
/// by every unit when `unit` is none.
pub(crate) fn tally(conn: &Connection, period: Period, unit: Option<&str>) -> Result<Statistics> {
    let (start, end) = period.days()?;
    // Days begin at midnight in Thailand (UTC+7, no daylight saving); stored times are UTC.
    let bound = |d: NaiveDate| format!("{}T00:00:00+07:00", d);
    let opened = "WITH c AS (SELECT * FROM cases WHERE julianday(created_at) >= julianday(?1)
                  AND julianday(created_at) < julianday(?2) AND (?3 IS NULL OR unit_code = ?3))";
    let args = params![bound(start), bound(end), unit];
    let cases: i64 = conn.query_row(&format!("{opened} SELECT count(*) FROM c"), args, |r| r.get(0))?;

    let grouped = [
        (
            Dimension::Category,
            "SELECT j.value AS v FROM c, json_each(c.categories) j",
        ),
        (
            Dimension::ViolenceType,
            "SELECT j.value AS v FROM c, json_each(c.violence_types) j",
        ),
        (
            Dimension::Sex,
            "SELECT coalesce(p.sex, 'unknown') AS v FROM c LEFT JOIN persons p ON p.id = c.client_id",
        ),
        // Each relationship of an alleged perpetrator to the client, once per case; a case
        // with none named counts as unknown.
        (
            Dimension::Relationship,
            "SELECT coalesce(r.relationship, 'unknown') AS v FROM c LEFT JOIN
               (SELECT DISTINCT case_id, coalesce(relationship, 'unknown') AS relationship
                FROM case_parties WHERE role = 'alleged_perpetrator') r ON r.case_id = c.id",
        ),
        (Dimension::Source, "SELECT c.source AS v FROM c"),
        (Dimension::Status, "SELECT c.status AS v FROM c"),
    ];
    let mut counts = Vec::new();
    for (dimension, values) in grouped {
        let mut stmt = conn.prepare(&format!("{opened} SELECT v, count(*) FROM ({values}) GROUP BY v"))?;
        let rows = stmt.query_map(args, |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (value, n) = row?;
            counts.push(Count {
                dimension,
                value,
                cases: n,
            });
        }
    }

    // Age at opening and the month of opening are worked out here, in the Thai calendar day.
    let mut ages: BTreeMap<String, i64> = BTreeMap::new();
    let mut months: BTreeMap<u32, i64> = BTreeMap::new();
    let mut stmt = conn.prepare(&format!(
        "{opened} SELECT date(c.created_at, '+7 hours'), p.birth_date, p.estimated_age, date(p.created_at, '+7 hours')
         FROM c LEFT JOIN persons p ON p.id = c.client_id"
    ))?;
    let rows = stmt.query_map(args, |r| {
        Ok((
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<i64>>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    for row in rows {
        let (opened_on, born, estimated, recorded_on) = row?;
        let opened_on = opened_on.as_deref().and_then(parse_date);
        let age = match (born.as_deref().and_then(parse_date), opened_on) {
            (Some(born), Some(on)) => Some(years_between(born, on)),
            // An estimated age was the age when the person was recorded.
            _ => estimated.map(|age| {
                let recorded = recorded_on.as_deref().and_then(parse_date);
                match (recorded, opened_on) {
                    (Some(r), Some(o)) if o > r => age + years_between(r, o),
                    _ => age,
                }
            }),
        };
        *ages
            .entry(age_band(age).unwrap_or_else(|| "unknown".into()))
            .or_default() += 1;
        if let Some(on) = opened_on {
            *months.entry(on.month()).or_default() += 1;
        }
    }
    counts.extend(ages.into_iter().map(|(value, cases)| Count {
        dimension: Dimension::AgeBand,
        value,
        cases,
    }));
    counts.extend(domain_changes(conn, start, end, unit)?);
    if period.month.is_none() {
        counts.extend(months.into_iter().map(|(m, cases)| Count {
            dimension: Dimension::Month,
            value: format!("{m:02}"),
            cases,
        }));
    }
    // Age bands and months in their natural order, other values largest count first.
    counts.sort_by_key(|c| {
        let natural = matches!(
            c.dimension,
            Dimension::AgeBand | Dimension::Month | Dimension::DomainChange
        );
        let order = if natural {
            (natural_key(&c.value), 0)
        } else {
            (0, -c.cases)
        };
        (c.dimension, order, c.value.clone())
    });
    Ok(Statistics {
        unit_code: unit.map(str::to_owned),
        period,
        cases,
        counts,
    })
}

/// For each case closed with an assessment dated in [start, end) (the last such), each domain
/// rated both there and at the case's first baseline: improved, same or worse.
fn domain_changes(conn: &Connection, start: NaiveDate, end: NaiveDate, unit: Option<&str>) -> Result<Vec<Count>> {
    let mut stmt = conn.prepare(
        "SELECT b.levels, a.levels FROM assessments a JOIN cases c ON c.id = a.case_id
         JOIN assessments b ON b.id = (SELECT id FROM assessments WHERE case_id = a.case_id AND stage = 'baseline'
                                       ORDER BY assessed_on, created_at LIMIT 1)
         WHERE a.stage = 'closure' AND a.assessed_on >= ?1 AND a.assessed_on < ?2 AND (?3 IS NULL OR c.unit_code = ?3)
           AND a.id = (SELECT id FROM assessments WHERE case_id = a.case_id AND stage = 'closure'
                       ORDER BY assessed_on DESC, created_at DESC LIMIT 1)",
    )?;
    let rows = stmt.query_map(params![start.to_string(), end.to_string(), unit], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut changes: BTreeMap<String, i64> = BTreeMap::new();
    for row in rows {
        let (baseline, closure) = row?;
        let (Ok(baseline), Ok(closure)) = (
            serde_json::from_str::<BTreeMap<String, i64>>(&baseline),
            serde_json::from_str::<BTreeMap<String, i64>>(&closure),
        ) else {
            continue; // a shape the hub would have refused; one case left out
        };
        for (domain, before) in &baseline {
            let Some(after) = closure.get(domain) else { continue };
            let change = match after.cmp(before) {
                std::cmp::Ordering::Greater => "improved",
                std::cmp::Ordering::Equal => "same",
                std::cmp::Ordering::Less => "worse",
            };
            *changes.entry(format!("{domain}.{change}")).or_default() += 1;
        }
    }
    Ok(changes
        .into_iter()
        .map(|(value, cases)| Count {
            dimension: Dimension::DomainChange,
            value,
            cases,
        })
        .collect())
}

/// "6-11" before "12-17", "02" before "11", unknown last.
fn natural_key(value: &str) -> i64 {
    value
        .split(['-', '+'])
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(i64::MAX)
}

impl Casebook {
    /// This unit's statistics for the period. Supervisors (who report to the province) and
    /// social workers; counts only. Audited as an export of statistics.
    pub fn statistics(&mut self, session: &Session, period: Period) -> Result<Statistics> {
        session.require(Permission::ViewCases)?;
        let unit = self.unit_code().to_owned();
        let statistics = tally(&self.conn, period, Some(&unit))?;
        let detail = format!("{}-{:02}", period.year, period.month.unwrap_or(0));
        // The audit action keeps its released name: audit rows are hash-chained.
        self.audit(session, "stats.view", None, None, Some(&detail))?;
        Ok(statistics)
    }
}

/// The cases, people and parties of many units rebuilt from their events in memory, for the
/// hub's report: the hub keeps events, not tables. Nothing is written to disk.
pub struct Replay {
    conn: Connection,
    catalog: Catalog,
}

impl Replay {
    pub fn new() -> Result<Replay> {
        let conn = Connection::open_in_memory()?;
        // Events come in any order: a party may arrive before its case.
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        store::migrate(&conn)?;
        let catalog = Catalog::read(&conn, &Entity::tables())?;
        Ok(Replay { conn, catalog })
    }

    /// Applies a batch of events in any order (fields merge by clock); only what statistics
    /// read (people, cases, parties, assessments) is kept. An event that cannot be applied (incomplete, or
    /// taking a case number already taken) is left out, each on its own, and counted: one bad
    /// event never stops the province's report.
    pub fn apply(&mut self, events: impl IntoIterator<Item = Event>) -> Result<u64> {
        let mut left_out = 0;
        let mut tx = self.conn.transaction()?;
        for event in events {
            if matches!(
                event.entity,
                Entity::Person | Entity::Case | Entity::CaseParty | Entity::Assessment
            ) {
                let one = tx.savepoint()?;
                match events::apply(&one, &self.catalog, &event) {
                    Ok(()) => one.commit()?,
                    Err(_) => left_out += 1,
                }
            }
        }
        tx.commit()?;
        Ok(left_out)
    }

    pub fn units(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT DISTINCT unit_code FROM cases ORDER BY 1")?;
        let units = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(units)
    }

    pub fn statistics(&self, period: Period, unit: Option<&str>) -> Result<Statistics> {
        tally(&self.conn, period, unit)
    }
}
