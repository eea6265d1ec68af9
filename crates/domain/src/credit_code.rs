//! 统一社会信用代码 (unified social credit code), GB 32100-2015.
//!
//! 18 characters from a 31-character alphabet (no I, O, S, V, Z):
//! registration authority (1) + category (1) + division code (6) +
//! organisation code (9, GB 11714 with its own check) + check character (1).
//! Social organisations are registered by civil affairs: authority `5`,
//! category `1` 社会团体, `2` 民办非企业单位, `3` 基金会.

use crate::error::Invalid;
use crate::orgs::OrgKind;
use std::fmt;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// w_i = 3^(i-1) mod 31 for the 17 body characters.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// GB 11714 weights for the 8 body characters of the organisation code.
const ORG_CODE_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// The civil-affairs registration authority digit.
pub const CIVIL_AFFAIRS: char = '5';

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CreditCode(String);

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|a| *a == c).map(|p| p as u32)
}

/// The GB 32100 check character for 17 body characters.
pub fn check_character(body: &[u8]) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in body.iter().zip(WEIGHTS) {
        sum += value(*c)? * w;
    }
    let v = (31 - sum % 31) % 31;
    Some(ALPHABET[v as usize] as char)
}

/// The GB 11714 check character for the 8 body characters of an organisation code.
pub fn org_code_check(body: &[u8]) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in body.iter().zip(ORG_CODE_WEIGHTS) {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        v => char::from_digit(v, 10)?,
    })
}

impl CreditCode {
    /// Parses a code as typed: surrounding spaces trimmed, lower case upper-cased.
    pub fn parse(input: &str) -> Result<CreditCode, Invalid> {
        const F: &str = "credit_code";
        let s = input.trim().to_uppercase();
        let err = |code, msg: String| Err(Invalid::one(F, code, msg));
        if s.is_empty() {
            return err("credit_code.empty", "请填写统一社会信用代码".into());
        }
        if s.chars().any(char::is_whitespace) {
            return err(
                "credit_code.whitespace",
                "统一社会信用代码中不能含有空格".into(),
            );
        }
        if looks_like_spreadsheet_number(&s) {
            return err(
                "credit_code.spreadsheet_number",
                "统一社会信用代码疑似被电子表格当作数字保存(科学计数法或末位变成 0),请将该列设为文本后重新填写".into(),
            );
        }
        let n = s.chars().count();
        if n != 18 {
            return err(
                "credit_code.length",
                format!("统一社会信用代码应为 18 位,实际为 {n} 位"),
            );
        }
        if let Some(c) = s.chars().find(|c| matches!(c, 'I' | 'O' | 'S' | 'V' | 'Z')) {
            return err(
                "credit_code.forbidden_letter",
                format!("统一社会信用代码不使用字母 {c}"),
            );
        }
        let b = s.as_bytes();
        if let Some(c) = s
            .chars()
            .find(|c| !c.is_ascii() || value(*c as u8).is_none())
        {
            return err(
                "credit_code.character",
                format!("统一社会信用代码含有非法字符“{c}”"),
            );
        }
        if b.iter().all(|c| *c == b'0') {
            return err("credit_code.all_zero", "统一社会信用代码不能全为 0".into());
        }
        if !b[2..8].iter().all(u8::is_ascii_digit) {
            return err(
                "credit_code.division",
                "统一社会信用代码第 3–8 位应为行政区划代码(数字)".into(),
            );
        }
        if check_character(&b[..17]) != Some(b[17] as char) {
            let trailing_zeros = b.iter().rev().take_while(|c| **c == b'0').count();
            if b.iter().all(u8::is_ascii_digit) && trailing_zeros >= 2 {
                return err(
                    "credit_code.spreadsheet_number",
                    "统一社会信用代码末位为多个 0 且校验位不符,疑似被电子表格当作数字保存而丢失了末位".into(),
                );
            }
            return err(
                "credit_code.check_character",
                "统一社会信用代码校验位不正确,请核对后重新填写".into(),
            );
        }
        if org_code_check(&b[8..16]) != Some(b[16] as char) {
            return err(
                "credit_code.org_code_check",
                "统一社会信用代码中的组织机构代码校验位不正确".into(),
            );
        }
        Ok(CreditCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Registration authority digit (`5` = civil affairs).
    pub fn authority(&self) -> char {
        self.0.as_bytes()[0] as char
    }

    /// Category digit within the authority (`1`, `2`, `3` for social organisations).
    pub fn category(&self) -> char {
        self.0.as_bytes()[1] as char
    }

    /// Six-digit administrative division of the registration authority.
    pub fn division(&self) -> &str {
        &self.0[2..8]
    }

    /// Checks that the code is a civil-affairs code of the given kind.
    pub fn check_kind(&self, kind: OrgKind) -> Result<(), Invalid> {
        if self.authority() != CIVIL_AFFAIRS {
            return Err(Invalid::one(
                "credit_code",
                "credit_code.not_civil_affairs",
                "统一社会信用代码首位应为 5(民政部门登记)",
            ));
        }
        if self.category() != kind.credit_code_category() {
            return Err(Invalid::one(
                "credit_code",
                "credit_code.kind_mismatch",
                format!(
                    "统一社会信用代码第 2 位为 {},与组织类型“{}”(应为 {})不符",
                    self.category(),
                    kind.label(),
                    kind.credit_code_category()
                ),
            ));
        }
        Ok(())
    }

    /// Builds a valid code from a 17-character body; for demo data and tests.
    pub fn from_body(body: &str) -> Result<CreditCode, Invalid> {
        let b = body.as_bytes();
        let check = check_character(b)
            .filter(|_| b.len() == 17)
            .ok_or_else(|| {
                Invalid::one("credit_code", "credit_code.character", "代码主体不合法")
            })?;
        CreditCode::parse(&format!("{body}{check}"))
    }
}

/// `5.23101E+17`, or a long all-digit string: what a spreadsheet makes of a
/// code it stored as a number.
fn looks_like_spreadsheet_number(s: &str) -> bool {
    let sci = s.contains("E+")
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'E' | '+'));
    let decimal = s.contains('.') && s.chars().all(|c| c.is_ascii_digit() || c == '.');
    sci || decimal
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "52310110MJ85999855";

    fn code(s: &str) -> &'static str {
        CreditCode::parse(s).unwrap_err().0[0].code
    }

    #[test]
    fn a_valid_code_parses_and_is_normalised() {
        let c = CreditCode::parse(" 52310110mj85999855 ").expect("valid");
        assert_eq!(c.as_str(), GOOD);
        assert_eq!(c.category(), '2');
        assert_eq!(c.division(), "310110");
        assert!(c.check_kind(OrgKind::PrivateNonEnterprise).is_ok());
        assert_eq!(
            c.check_kind(OrgKind::Foundation).unwrap_err().0[0].code,
            "credit_code.kind_mismatch"
        );
    }

    #[test]
    fn every_kind_of_bad_code_is_refused_with_its_reason() {
        assert_eq!(code("52310110MJ85999856"), "credit_code.check_character");
        assert_eq!(code("52310110MJ8599985"), "credit_code.length");
        assert_eq!(code("52310110MJ85999855000"), "credit_code.length");
        assert_eq!(code("52310110MI85999855"), "credit_code.forbidden_letter");
        assert_eq!(code("5231 0110MJ8599985"), "credit_code.whitespace");
        assert_eq!(code("000000000000000000"), "credit_code.all_zero");
        assert_eq!(code("5.23101E+17"), "credit_code.spreadsheet_number");
        assert_eq!(code("523101105000000000"), "credit_code.spreadsheet_number");
        assert_eq!(code(""), "credit_code.empty");
        assert_eq!(code("52310110MJ8599985中"), "credit_code.character");
    }

    #[test]
    fn from_body_appends_the_check_character() {
        assert_eq!(
            CreditCode::from_body("52310110MJ8599985")
                .expect("ok")
                .as_str(),
            GOOD
        );
    }
}
