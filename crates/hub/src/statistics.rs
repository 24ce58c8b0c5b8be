//! `oscc-hub report --month 2569-11` (or `--year 2569`): the province's statistics, one
//! column per unit and a province total, from the cases rebuilt from every unit's events
//! with the same counting as the app's statistics screen (casebook::statistics).

use crate::store::Store;
use casebook::statistics::{Dimension, Period, Replay, Statistics};
use std::collections::BTreeMap;

/// Events replayed per page, so a large hub never holds all of them at once.
const PAGE: i64 = 5_000;

/// "2569-11" or "2026-11" (a month), "2569" or "2026" (a year). Years from 2400 are
/// Buddhist era, as Thai offices write them.
pub fn parse_period(month: Option<&str>, year: Option<&str>) -> Result<Period, String> {
    let ce = |y: &str| -> Result<i32, String> {
        let y: i32 = y.trim().parse().map_err(|_| format!("not a year: {y}"))?;
        Ok(if y >= 2400 { y - 543 } else { y })
    };
    match (month, year) {
        (Some(m), None) => {
            let (y, m) = m.split_once('-').ok_or_else(|| format!("a month is YYYY-MM: {m}"))?;
            let m: u32 = m
                .parse()
                .ok()
                .filter(|m| (1..=12).contains(m))
                .ok_or_else(|| format!("no month {m}"))?;
            Ok(Period {
                year: ce(y)?,
                month: Some(m),
            })
        }
        (None, Some(y)) => Ok(Period {
            year: ce(y)?,
            month: None,
        }),
        _ => Err("report takes --month YYYY-MM or --year YYYY (Buddhist or Christian era)".into()),
    }
}

/// The province total first, then each unit that opened a case, by code.
pub fn province(store: &dyn Store, period: Period) -> Result<Vec<Statistics>, String> {
    let mut replay = Replay::new().map_err(|e| e.to_string())?;
    let mut after = 0;
    let mut left_out = 0;
    loop {
        let page = store.events_after(after, PAGE).map_err(|e| e.to_string())?;
        let Some((last, _)) = page.last() else { break };
        after = *last;
        // The hub admitted every event it holds; one it cannot read now is left out.
        let events = page.into_iter().filter_map(|(_, wire)| wire.body_event().ok());
        left_out += replay.apply(events).map_err(|e| e.to_string())?;
    }
    if left_out > 0 {
        eprintln!("oscc-hub: {left_out} events could not be counted (incomplete or contradicting others)");
    }
    let mut all = vec![replay.statistics(period, None).map_err(|e| e.to_string())?];
    for unit in replay.units().map_err(|e| e.to_string())? {
        let statistics = replay.statistics(period, Some(&unit)).map_err(|e| e.to_string())?;
        if statistics.cases > 0 {
            all.push(statistics);
        }
    }
    Ok(all)
}

/// Rows of `dimension, value, province, unit…` with a header and the total first; tabs for
/// the terminal, commas for a spreadsheet.
pub fn table(all: &[Statistics], separator: &str) -> String {
    let mut rows: BTreeMap<(Dimension, String), Vec<i64>> = BTreeMap::new();
    for (column, statistics) in all.iter().enumerate() {
        for c in &statistics.counts {
            rows.entry((c.dimension, c.value.clone()))
                .or_insert_with(|| vec![0; all.len()])[column] = c.cases;
        }
    }
    let units: Vec<&str> = all
        .iter()
        .map(|s| s.unit_code.as_deref().unwrap_or("province"))
        .collect();
    let join = |cells: Vec<String>| cells.join(separator) + "\n";
    let mut out = join(
        ["dimension", "value"]
            .into_iter()
            .chain(units)
            .map(str::to_owned)
            .collect(),
    );
    out += &join(
        ["total".to_owned(), "all".to_owned()]
            .into_iter()
            .chain(all.iter().map(|s| s.cases.to_string()))
            .collect(),
    );
    // In the province column's order (largest first, age bands youngest first).
    let order = all.first().map(|p| p.counts.clone()).unwrap_or_default();
    for c in order {
        let counts = &rows[&(c.dimension, c.value.clone())];
        out += &join(
            [c.dimension.name().to_owned(), c.value.clone()]
                .into_iter()
                .chain(counts.iter().map(i64::to_string))
                .collect(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::parse_period;

    #[test]
    fn periods_read_in_either_era() {
        let nov = parse_period(Some("2569-11"), None).unwrap();
        assert_eq!((nov.year, nov.month), (2026, Some(11)));
        assert_eq!(parse_period(Some("2026-11"), None).unwrap(), nov);
        assert_eq!(parse_period(None, Some("2569")).unwrap().year, 2026);
        assert!(parse_period(Some("2569-13"), None).is_err());
        assert!(parse_period(None, None).is_err());
    }
}
