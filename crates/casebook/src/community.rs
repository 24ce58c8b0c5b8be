//! Data returned to the community: how many cases the unit opened in a period for people living
//! in each province, district or subdistrict, what they were about, and how those closed, for
//! a village or district forum. Counts only; a count below `SMALLEST_SHOWN` is hidden, because
//! in a village "two girls from Moo 3" names them.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::Result;
use crate::records::case::Category;
use crate::records::from_json;
use crate::statistics::Period;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use strum::VariantArray;
use ts_rs::TS;

/// The smallest count shown; smaller ones (1 to 4, and none) show as "fewer than 5". Known
/// limit: counts of a district and of its subdistricts (or of a year and its months) are made
/// apart, so comparing two pages can narrow a hidden number down.
pub const SMALLEST_SHOWN: i64 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AreaLevel {
    Province,
    District,
    Subdistrict,
}

/// One count of an area: what it counts ("opened", "category.violence_child",
/// "outcome.safe") and how many cases, or none when fewer than `SMALLEST_SHOWN`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CommunityCount {
    pub measure: String,
    #[ts(type = "number | null")]
    pub cases: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AreaCounts {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
    pub counts: Vec<CommunityCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CommunityCounts {
    pub period: Period,
    pub level: AreaLevel,
    /// The area the counted areas lie in (a province for its districts), if any.
    pub within: Option<String>,
    pub areas: Vec<AreaCounts>,
}

/// A count as shown: `None` below `SMALLEST_SHOWN`.
fn shown(cases: i64) -> Option<i64> {
    (cases >= SMALLEST_SHOWN).then_some(cases)
}

impl Casebook {
    /// The unit's cases opened in `period`, by where the client lives at `level` (within the
    /// area `within`, when given). Cases of people with no address known are not counted.
    pub fn community_counts(
        &mut self,
        session: &Session,
        period: Period,
        level: AreaLevel,
        within: Option<&str>,
    ) -> Result<CommunityCounts> {
        session.require(Permission::ViewCases)?;
        let (start, end) = period.days()?;
        // Each area with its level and parent, to walk up from a client's subdistrict.
        let mut areas: HashMap<String, (String, Option<String>, String, String)> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT code, level, parent_code, name_th, name_en FROM areas")?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            })?;
            for row in rows {
                let (code, area) = row?;
                areas.insert(code, area);
            }
        }
        let level_name = crate::error::serde_name(&level);
        // The area at `level` that `code` lies in, and whether it lies within `within`.
        let place = |code: &str| -> Option<String> {
            let mut at = Some(code.to_owned());
            let mut found = None;
            let mut inside = within.is_none();
            while let Some(code) = at {
                let (area_level, parent, _, _) = areas.get(&code)?;
                if *area_level == level_name {
                    found = Some(code.clone());
                }
                if within == Some(code.as_str()) {
                    inside = true;
                }
                at = parent.clone();
            }
            found.filter(|_| inside)
        };
        let bound = |d: chrono::NaiveDate| format!("{d}T00:00:00+07:00");
        let mut tallies: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        {
            let mut stmt = self.conn.prepare_cached(
                "SELECT p.area_code, c.categories, c.status, c.outcome FROM cases c JOIN persons p ON p.id = c.client_id
                 WHERE c.unit_code = ?3 AND p.area_code IS NOT NULL
                   AND julianday(c.created_at) >= julianday(?1) AND julianday(c.created_at) < julianday(?2)",
            )?;
            let rows = stmt.query_map(rusqlite::params![bound(start), bound(end), self.unit_code()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })?;
            for row in rows {
                let (area, categories, status, outcome) = row?;
                let Some(place) = place(&area) else { continue };
                let tally = tallies.entry(place).or_default();
                *tally.entry("opened".into()).or_default() += 1;
                for category in from_json::<Vec<Category>>(&categories)? {
                    let name = crate::error::serde_name(&category);
                    *tally.entry(format!("category.{name}")).or_default() += 1;
                }
                if let (Some(outcome), "closed") = (outcome, status.as_str()) {
                    *tally.entry("closed".into()).or_default() += 1;
                    *tally.entry(format!("outcome.{outcome}")).or_default() += 1;
                }
            }
        }
        // Every area lists the same measures, a count of none among them: a measure missing
        // from one area would tell that it has none, where "fewer than 5" tells nothing.
        let mut measures: Vec<String> = ["opened".to_owned(), "closed".to_owned()].into();
        measures.extend(
            Category::VARIANTS
                .iter()
                .map(|c| format!("category.{}", crate::error::serde_name(c))),
        );
        for tally in tallies.values() {
            for measure in tally.keys() {
                if !measures.contains(measure) {
                    measures.push(measure.clone());
                }
            }
        }
        let mut out = Vec::new();
        for (code, tally) in tallies {
            let Some((_, _, name_th, name_en)) = areas.get(&code) else {
                continue;
            };
            // The number opened first, then the rest by what they count.
            let mut counts: Vec<CommunityCount> = measures
                .iter()
                .map(|measure| CommunityCount {
                    measure: measure.clone(),
                    cases: shown(tally.get(measure).copied().unwrap_or(0)),
                })
                .collect();
            // Each closed case has one outcome: with one outcome hidden and the rest shown,
            // the closed count would give it away, so it is hidden too.
            let hidden_outcomes = counts
                .iter()
                .filter(|c| c.measure.starts_with("outcome.") && c.cases.is_none())
                .count();
            if hidden_outcomes == 1
                && let Some(closed) = counts.iter_mut().find(|c| c.measure == "closed")
            {
                closed.cases = None;
            }
            counts.sort_by_key(|c| (c.measure != "opened", c.measure != "closed", c.measure.clone()));
            out.push(AreaCounts {
                code: code.clone(),
                name_th: name_th.clone(),
                name_en: name_en.clone(),
                counts,
            });
        }
        out.sort_by(|a, b| a.name_th.cmp(&b.name_th));
        let detail = format!("{}-{:02} {level_name}", period.year, period.month.unwrap_or(0));
        self.audit(session, "community.view", None, within, Some(&detail))?;
        Ok(CommunityCounts {
            period,
            level,
            within: within.map(str::to_owned),
            areas: out,
        })
    }
}
