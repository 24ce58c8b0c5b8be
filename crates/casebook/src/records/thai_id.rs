//! The 13-digit Thai citizen ID. Its last digit is a mod-11 check digit. IDs that start with 0
//! belong to people without registration status; their check digit is only warned about,
//! because such numbers in the field are often hand-issued and must never block an intake.

use crate::error::{Invalid, Rule};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdCheck {
    Valid,
    /// Accepted, but the user should look again (a 0-prefixed ID with a wrong check digit).
    Warning(Rule),
}

/// The check digit for the first 12 digits.
pub fn check_digit(first12: &[u8; 12]) -> u8 {
    let sum: u32 = first12
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * (13 - i as u32))
        .sum();
    ((11 - sum % 11) % 10) as u8
}

/// Accepts digits with optional spaces or dashes ("1-2345-67890-12-1").
pub fn validate(field: &str, raw: &str) -> Result<(String, IdCheck), Invalid> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.len() != 13 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Invalid::new(field, Rule::ThaiIdFormat));
    }
    let d: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
    let mut first12 = [0u8; 12];
    first12.copy_from_slice(&d[..12]);
    if check_digit(&first12) == d[12] {
        Ok((digits, IdCheck::Valid))
    } else if d[0] == 0 {
        Ok((digits, IdCheck::Warning(Rule::ThaiIdCheckDigit)))
    } else {
        Err(Invalid::new(field, Rule::ThaiIdCheckDigit))
    }
}

/// "1234567890121" → "1-2345-67890-12-1", the way the ID card prints it.
pub fn format(digits: &str) -> String {
    if digits.len() != 13 || !digits.is_ascii() {
        return digits.to_owned();
    }
    format!(
        "{}-{}-{}-{}-{}",
        &digits[..1],
        &digits[1..5],
        &digits[5..10],
        &digits[10..12],
        &digits[12..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_of_a_known_valid_number() {
        // 1-1037-02345-67-? : sum = 1*13+1*12+0*11+3*10+7*9+0*8+2*7+3*6+4*5+5*4+6*3+7*2 = 222,
        // 222 mod 11 = 2, (11 - 2) mod 10 = 9.
        assert_eq!(check_digit(&[1, 1, 0, 3, 7, 0, 2, 3, 4, 5, 6, 7]), 9);
        assert_eq!(
            validate("id", "1-1037-02345-67-9").unwrap(),
            ("1103702345679".into(), IdCheck::Valid)
        );
    }

    #[test]
    fn wrong_check_digit_is_refused_naming_field_and_rule() {
        let err = validate("person.id_number", "1103702345670").unwrap_err();
        assert_eq!(err, Invalid::new("person.id_number", Rule::ThaiIdCheckDigit));
    }

    #[test]
    fn zero_prefixed_number_is_only_warned_about() {
        assert_eq!(
            validate("id", "0012345678901").unwrap().1,
            IdCheck::Warning(Rule::ThaiIdCheckDigit)
        );
    }

    #[test]
    fn wrong_length_or_letters_is_a_format_error() {
        assert_eq!(validate("id", "12345").unwrap_err().rule, Rule::ThaiIdFormat);
        assert_eq!(validate("id", "11037023456a9").unwrap_err().rule, Rule::ThaiIdFormat);
    }

    #[test]
    fn formats_like_the_card() {
        assert_eq!(format("1103702345679"), "1-1037-02345-67-9");
    }
}
