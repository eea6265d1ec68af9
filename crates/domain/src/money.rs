//! Money as integer fen (1 yuan = 100 fen). No floating point anywhere.

use crate::error::Invalid;
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// An amount of money in fen. May be negative only as the result of
/// arithmetic (e.g. a shortfall); user input is parsed as non-negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub const fn yuan(y: i64) -> Fen {
        Fen(y * 100)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    /// Halves, rounding down to the fen (subsidies.md: "Halving rounds down").
    pub const fn half_down(self) -> Fen {
        Fen(self.0.div_euclid(2))
    }

    /// Parses a non-negative amount typed in **yuan** ("1,234.5", "1234.56",
    /// "１２３"), as people write it in forms and spreadsheets. Refuses fractions
    /// of a fen and negative amounts.
    pub fn parse_yuan(field: &str, input: &str) -> Result<Fen, Invalid> {
        let s: String = input
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '，' && *c != '¥' && *c != '￥')
            .map(fullwidth_to_ascii)
            .collect();
        let s = s.strip_suffix('元').unwrap_or(&s).trim();
        if s.is_empty() {
            return Err(Invalid::one(field, "money.empty", "请填写金额"));
        }
        if s.starts_with('-') {
            return Err(Invalid::one(field, "money.negative", "金额不能为负数"));
        }
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        let digits_ok = |p: &str| p.chars().all(|c| c.is_ascii_digit());
        if int.is_empty() && frac.is_empty() || !digits_ok(int) || !digits_ok(frac) {
            return Err(Invalid::one(
                field,
                "money.format",
                format!("金额格式不正确:“{}”", input.trim()),
            ));
        }
        let frac_trimmed = frac.trim_end_matches('0');
        if frac_trimmed.len() > 2 {
            return Err(Invalid::one(
                field,
                "money.sub_fen",
                "金额最多精确到分(小数点后两位)",
            ));
        }
        let yuan: i64 = if int.is_empty() {
            0
        } else {
            int.parse()
                .map_err(|_| Invalid::one(field, "money.too_large", "金额过大"))?
        };
        let mut fen_part = 0i64;
        for (i, c) in frac_trimmed.chars().enumerate() {
            let d = i64::from(c as u8 - b'0');
            fen_part += if i == 0 { d * 10 } else { d };
        }
        yuan.checked_mul(100)
            .and_then(|v| v.checked_add(fen_part))
            .filter(|v| *v <= MAX_FEN)
            .map(Fen)
            .ok_or_else(|| Invalid::one(field, "money.too_large", "金额过大"))
    }

    /// Parses a non-negative whole number of fen, as in data files.
    pub fn parse_fen(field: &str, input: &str) -> Result<Fen, Invalid> {
        let s = input.trim();
        if s.starts_with('-') {
            return Err(Invalid::one(field, "money.negative", "金额不能为负数"));
        }
        if s.contains('.') {
            return Err(Invalid::one(field, "money.sub_fen", "金额必须是整数分"));
        }
        s.parse::<i64>()
            .ok()
            .filter(|v| *v <= MAX_FEN)
            .map(Fen)
            .ok_or_else(|| Invalid::one(field, "money.format", format!("金额格式不正确:“{s}”")))
    }

    /// "1,234,567.89 元" — how every page and message shows an amount:
    /// thousands grouped, two decimals, the unit named.
    pub fn shown(self) -> String {
        format!("{} 元", self.grouped())
    }

    /// "1,234,567.89": grouped, for a column whose heading names the unit.
    pub fn grouped(self) -> String {
        let plain = self.to_yuan_string();
        let (sign, rest) = plain
            .strip_prefix('-')
            .map_or(("", plain.as_str()), |r| ("-", r));
        let (int, dec) = rest.split_once('.').unwrap_or((rest, "00"));
        let mut grouped = String::with_capacity(int.len() + int.len() / 3);
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}{grouped}.{dec}")
    }

    /// "12345.60" — yuan with two decimals, no grouping: for export files,
    /// which import again.
    pub fn to_yuan_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }
}

/// Large enough for any budget (10^15 yuan), small enough to sum safely.
const MAX_FEN: i64 = 100_000_000_000_000_000;

fn fullwidth_to_ascii(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '．' | '。' => '.',
        _ => c,
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_yuan_string())
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, o: Fen) -> Fen {
        Fen(self.0 + o.0)
    }
}

impl AddAssign for Fen {
    fn add_assign(&mut self, o: Fen) {
        self.0 += o.0;
    }
}

impl Sub for Fen {
    type Output = Fen;
    fn sub(self, o: Fen) -> Fen {
        Fen(self.0 - o.0)
    }
}

impl std::iter::Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        Fen(iter.map(|f| f.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_amounts_group_thousands_and_name_the_unit() {
        assert_eq!(Fen(123_456_789).shown(), "1,234,567.89 元");
        assert_eq!(Fen(85_810_669).shown(), "858,106.69 元");
        assert_eq!(Fen(100_000).shown(), "1,000.00 元");
        assert_eq!(Fen(99_999).shown(), "999.99 元");
        assert_eq!(Fen(5).shown(), "0.05 元");
        assert_eq!(Fen(-123_456).shown(), "-1,234.56 元");
    }

    #[test]
    fn yuan_with_two_decimals_becomes_fen() {
        assert_eq!(Fen::parse_yuan("x", "1,234.56"), Ok(Fen(123_456)));
        assert_eq!(Fen::parse_yuan("x", " 30000 "), Ok(Fen(3_000_000)));
        assert_eq!(Fen::parse_yuan("x", "0.5"), Ok(Fen(50)));
        assert_eq!(Fen::parse_yuan("x", "5.10"), Ok(Fen(510)));
        assert_eq!(Fen::parse_yuan("x", "12.300"), Ok(Fen(1230)));
        assert_eq!(Fen::parse_yuan("x", "１２３元"), Ok(Fen(12300)));
    }

    #[test]
    fn fractions_of_a_fen_are_refused() {
        let e = Fen::parse_yuan("capital", "1.234").unwrap_err();
        assert_eq!(e.0[0].code, "money.sub_fen");
        assert_eq!(e.0[0].field, "capital");
    }

    #[test]
    fn negative_money_is_refused() {
        assert_eq!(
            Fen::parse_yuan("x", "-1").unwrap_err().0[0].code,
            "money.negative"
        );
        assert_eq!(
            Fen::parse_fen("x", "-1").unwrap_err().0[0].code,
            "money.negative"
        );
    }

    #[test]
    fn garbage_is_refused() {
        for s in ["", "abc", "1.2.3", "1e5", "."] {
            assert!(Fen::parse_yuan("x", s).is_err(), "{s}");
        }
        assert!(Fen::parse_fen("x", "12.5").is_err());
    }

    #[test]
    fn halving_rounds_down() {
        assert_eq!(Fen(101).half_down(), Fen(50));
        assert_eq!(Fen::yuan(3).to_yuan_string(), "3.00");
    }
}
