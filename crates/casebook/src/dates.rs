//! Dates: stored ISO-8601 (Gregorian; UTC for instants, local for dates), shown in the
//! Buddhist era (BE = CE + 543) with Thai month names, in Arabic digits: a document in Thai
//! digits has its whole text turned when it is typeset (`letters::thai_digits`).

use chrono::{Datelike, NaiveDate, Utc};

/// Today's date in Thailand (UTC+7 all year).
pub fn today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// Now, as stored: ISO-8601 in UTC with milliseconds.
pub fn now_iso() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub const BE_OFFSET: i32 = 543;

const THAI_MONTHS: [&str; 12] = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
];

/// "พฤศจิกายน" for 11; empty outside 1–12.
pub fn thai_month(month: u32) -> &'static str {
    month
        .checked_sub(1)
        .and_then(|i| THAI_MONTHS.get(i as usize))
        .copied()
        .unwrap_or_default()
}

pub fn be_year(date: NaiveDate) -> i32 {
    date.year() + BE_OFFSET
}

/// "3 ธันวาคม 2569".
pub fn thai_long(date: NaiveDate) -> String {
    format!("{} {} {}", date.day(), thai_month(date.month()), be_year(date))
}

/// An RFC 3339 time as "24 พฤศจิกายน 2569 เวลา 09:00 น." in Thailand's time (UTC+7 all year,
/// whatever offset it was stored with); other text as is.
pub fn thai_date_time(rfc3339: &str) -> String {
    match thai_date_and_time(rfc3339) {
        Some((date, time)) => format!("{date} เวลา {time} น."),
        None => rfc3339.to_owned(),
    }
}

/// An RFC 3339 time as its date ("24 พฤศจิกายน 2569") and clock time ("09:00") in
/// Thailand's time; none for other text.
pub fn thai_date_and_time(rfc3339: &str) -> Option<(String, String)> {
    let at = in_thailand(rfc3339)?;
    Some((thai_long(at.date_naive()), at.format("%H:%M").to_string()))
}

/// The day an RFC 3339 time falls on in Thailand: a stored instant (UTC) compared with a
/// date typed in Thailand; none for other text.
pub fn day_in_thailand(rfc3339: &str) -> Option<NaiveDate> {
    in_thailand(rfc3339).map(|at| at.date_naive())
}

fn in_thailand(rfc3339: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let thailand = chrono::FixedOffset::east_opt(7 * 3600)?;
    Some(
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .ok()?
            .with_timezone(&thailand),
    )
}

/// Parses "YYYY-MM-DD" where the year may be BE (> 2400) as typed by Thai users.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    if date.year() > 2400 {
        date.with_year(date.year() - BE_OFFSET)
    } else {
        Some(date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buddhist_era_long_form() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(thai_long(date), "3 ธันวาคม 2569");
    }

    #[test]
    fn date_and_time_in_thai() {
        assert_eq!(
            thai_date_time("2026-11-24T09:05:00+07:00"),
            "24 พฤศจิกายน 2569 เวลา 09:05 น."
        );
        // Stored in UTC, shown as a Thai reader's clock said.
        assert_eq!(thai_date_time("2026-11-28T23:46:00Z"), "29 พฤศจิกายน 2569 เวลา 06:46 น.");
        assert_eq!(thai_date_time("not a time"), "not a time");
    }

    #[test]
    fn parses_both_eras() {
        let ce = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        assert_eq!(parse_date("2569-02-28"), Some(ce));
        assert_eq!(parse_date("2026-02-28"), Some(ce));
        assert_eq!(parse_date("28/02/2569"), None);
    }
}
