//! 公民身份号码 (resident identity number), GB 11643-1999.
//!
//! 6-digit address code + 8-digit birth date + 3-digit sequence (odd = male)
//! + a check character (ISO 7064 MOD 11-2, `X` for 10).
//!
//! The one masking scheme of the registry lives here ([`mask_resident_id`],
//! [`mask_phone`]): every masked copy stored or shown is made by these two.
//! A mask must not be undone by anything else a role sees beside it, so it
//! keeps none of the address code, the birth date or the sequence; pages
//! show at most the birth year and sex next to it (see
//! [`MASK_LEAVES_UNKNOWN`]).

use crate::error::Invalid;
use chrono::{Datelike, NaiveDate};
use std::fmt;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResidentId(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

/// The check character for 17 leading digits.
pub fn check_character(body: &[u8]) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in body.iter().zip(WEIGHTS) {
        sum += u32::from(c.checked_sub(b'0').filter(|d| *d <= 9)?) * w;
    }
    Some(CHECK[(sum % 11) as usize] as char)
}

impl ResidentId {
    /// Parses an 18-character number: trimmed, a trailing `x` upper-cased.
    /// `today` bounds the birth date (no one is born in the future).
    pub fn parse(input: &str, today: NaiveDate) -> Result<ResidentId, Invalid> {
        const F: &str = "resident_id";
        let s = input.trim().to_uppercase();
        let err = |code, msg: &str| Err(Invalid::one(F, code, msg));
        if s.is_empty() {
            return err("resident_id.empty", "请填写公民身份号码");
        }
        if s.len() != 18 || !s.is_ascii() {
            return err("resident_id.length", "公民身份号码应为 18 位");
        }
        let b = s.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return err(
                "resident_id.character",
                "公民身份号码前 17 位应为数字,末位为数字或 X",
            );
        }
        let birth = birth_date_of(&s);
        match birth {
            Some(d) if d <= today && d >= NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(d) => {}
            _ => {
                return err(
                    "resident_id.birth_date",
                    "公民身份号码中的出生日期不存在或不合理",
                )
            }
        }
        if check_character(&b[..17]) != Some(b[17] as char) {
            return err(
                "resident_id.check_character",
                "公民身份号码校验位不正确,请核对后重新填写",
            );
        }
        Ok(ResidentId(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0).unwrap_or_default()
    }

    /// The year of birth: what the registry keeps and shows of the date.
    pub fn birth_year(&self) -> i32 {
        self.birth_date().year()
    }

    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// `3****************X`: see [`mask_resident_id`].
    pub fn masked(&self) -> String {
        mask_resident_id(&self.0)
    }

    /// Builds a valid number from 17 digits; for demo data and tests.
    pub fn from_body(body: &str, today: NaiveDate) -> Result<ResidentId, Invalid> {
        let c = check_character(body.as_bytes())
            .filter(|_| body.len() == 17)
            .ok_or_else(|| {
                Invalid::one("resident_id", "resident_id.character", "号码主体不合法")
            })?;
        ResidentId::parse(&format!("{body}{c}"), today)
    }
}

/// Characters of an 18-character number a role can learn beside its mask at
/// most: the first and the check character (the mask), the four digits of
/// the birth year and the parity of the sequence (sex). The rest — five
/// digits of the address code, month and day, two digits of the sequence —
/// stay unknown: more than the eight digits of a birth date.
pub const MASK_LEAVES_UNKNOWN: usize = 18 - 2 - 4 - 1;

/// Masks a resident ID as `3****************X`: the first character (a
/// region of several provinces) and the check character only. The address
/// code, the birth date and the sequence are all hidden, so neither a birth
/// date nor a year shown beside it completes the number. Shorter text (not
/// a number at all) is hidden whole.
pub fn mask_resident_id(s: &str) -> String {
    keep_ends(s, 10, 1, 1)
}

/// Masks a phone number as `138******78`: the network prefix and the last
/// two digits, six digits hidden (four hidden digits are ten thousand calls
/// from the number). Shorter text is hidden whole.
pub fn mask_phone(s: &str) -> String {
    keep_ends(s, 7, 3, 2)
}

/// `s` with all but `head` leading and `tail` trailing characters starred;
/// all starred below `min` characters.
fn keep_ends(s: &str, min: usize, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < min {
        return "*".repeat(chars.len());
    }
    let h: String = chars[..head].iter().collect();
    let t: String = chars[chars.len() - tail..].iter().collect();
    format!("{h}{}{t}", "*".repeat(chars.len() - head - tail))
}

/// The birth date written in a number (positions 7–14), if it is a date.
pub fn birth_date_of(s: &str) -> Option<NaiveDate> {
    let y = s.get(6..10)?.parse().ok()?;
    let m = s.get(10..12)?.parse().ok()?;
    let d = s.get(12..14)?.parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Never print the full number by accident (logs, panics).
impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentId({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")
    }

    #[test]
    fn a_valid_number_yields_birth_date_and_sex() {
        let id = ResidentId::parse(" 11010519491231002x ", today()).expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).expect("date")
        );
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.birth_year(), 1949);
        assert_eq!(id.masked(), "1****************X");
        assert!(!format!("{id:?}").contains("19491231"));
    }

    #[test]
    fn bad_numbers_are_refused_with_their_reason() {
        let code = |s: &str| ResidentId::parse(s, today()).unwrap_err().0[0].code;
        assert_eq!(code("110105194912310021"), "resident_id.check_character");
        assert_eq!(code("110105194902300021"), "resident_id.birth_date");
        assert_eq!(code("110105209901010021"), "resident_id.birth_date");
        assert_eq!(code("11010519491231002"), "resident_id.length");
        assert_eq!(code("11010519491231002A"), "resident_id.character");
    }

    #[test]
    fn phones_are_masked_in_the_middle() {
        assert_eq!(mask_phone("13812345678"), "138******78");
        assert_eq!(mask_phone("021-6543 2100"), "021********00");
        assert_eq!(mask_phone("12345"), "*****");
    }

    /// What a role sees of a number beside its mask: the mask's characters,
    /// the birth year and the sex (the sequence's parity, counted as known).
    fn known_positions(masked: &str) -> std::collections::BTreeSet<usize> {
        let mut known: std::collections::BTreeSet<usize> = masked
            .char_indices()
            .filter(|(_, c)| *c != '*')
            .map(|(i, _)| i)
            .collect();
        known.extend(6..10);
        known.insert(16);
        known
    }

    #[test]
    fn no_number_is_completed_by_its_mask_with_the_birth_year_and_sex() {
        let today = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        for body in [
            "31010919850307302",
            "11010519491231002",
            "44030420000229123",
            "65010119001001999",
        ] {
            let id = ResidentId::from_body(body, today).expect("valid");
            let m = id.masked();
            assert_eq!(m.chars().count(), 18);
            // None of the address code, the birth date or the sequence.
            assert!(m[1..17].chars().all(|c| c == '*'), "{m}");
            assert!(!m.contains(&body[0..6]) && !m.contains(&body[6..14]), "{m}");
            let unknown = 18 - known_positions(&m).len();
            assert_eq!(unknown, MASK_LEAVES_UNKNOWN);
            assert!(unknown >= 8, "{m}: {unknown} unknown");
        }
    }

    #[test]
    fn short_text_is_hidden_whole() {
        assert_eq!(mask_resident_id("123456789"), "*********");
        assert_eq!(mask_resident_id(""), "");
    }
}
