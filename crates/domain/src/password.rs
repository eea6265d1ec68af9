//! The password policy of the graded protection assessment (等保 2.0,
//! 身份鉴别): length, character classes, not the account name, not a common
//! password, and an expiry. The numbers are configuration; these are defaults.

use crate::error::{FieldError, Invalid};

/// Passwords seen most often in leaked lists, lower-cased; a password equal to
/// one of these (ignoring case) or to one with digits/symbols appended is refused.
const COMMON: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "qwerty",
    "qwertyuiop",
    "asdfghjkl",
    "1qaz2wsx",
    "1q2w3e4r",
    "zaq12wsx",
    "abc123",
    "abcd1234",
    "a1b2c3d4",
    "admin",
    "admin123",
    "administrator",
    "root",
    "welcome",
    "letmein",
    "iloveyou",
    "woaini",
    "woaini1314",
    "monkey",
    "dragon",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "master",
    "shadow",
    "superman",
    "trustno1",
    "changeme",
    "test",
    "test1234",
    "guest",
    "111111",
    "123123",
    "12345678",
    "123456789",
    "1234567890",
    "87654321",
    "88888888",
    "66666666",
    "00000000",
    "11111111",
    "147258369",
    "123qwe",
    "qwe123",
    "aa123456",
    "a123456",
    "a12345678",
    "gongyi",
    "shanghai",
    "yangpu",
    "china",
    "zhongguo",
];

/// What a password must satisfy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_length: usize,
    /// Of lower case, upper case, digits and symbols.
    pub min_classes: usize,
    /// Days after which a password must be changed; 0 = never.
    pub expiry_days: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 8,
            min_classes: 3,
            expiry_days: 90,
        }
    }
}

/// The longest password accepted, in characters: checked before anything is
/// hashed, so a megabyte typed into a password field costs nothing.
pub const MAX_LENGTH: usize = 128;

/// Whether `password` is longer than any password may be.
pub fn too_long(password: &str) -> bool {
    password.chars().nth(MAX_LENGTH).is_some()
}

/// The floor of the assessment: configuration may ask for more, never less.
const FLOOR_LENGTH: usize = 8;
const FLOOR_CLASSES: usize = 3;

impl PasswordPolicy {
    /// The length in force: the configured one, never below the floor.
    pub fn length(&self) -> usize {
        self.min_length.max(FLOOR_LENGTH)
    }

    /// The character classes in force (of four), never below the floor.
    pub fn classes(&self) -> usize {
        self.min_classes.clamp(FLOOR_CLASSES, 4)
    }

    /// The rules in one sentence, for forms.
    pub fn describe(&self) -> String {
        format!(
            "密码至少 {} 位、至多 {MAX_LENGTH} 位,须包含大写字母、小写字母、数字、符号中的至少 {} 类,不得包含账号名,不得为常见密码",
            self.length(),
            self.classes()
        )
    }

    /// Every reason `password` is refused for the account `account`, under the field `field`.
    pub fn check(&self, field: &str, account: &str, password: &str) -> Result<(), Invalid> {
        let mut errs = Invalid::default();
        let mut refuse = |code: &'static str, msg: String| {
            errs.push(FieldError::new(field, code, msg));
        };
        if too_long(password) {
            refuse(
                "password.too_long",
                format!("密码不得超过 {MAX_LENGTH} 个字符"),
            );
            return Err(errs);
        }
        if password.chars().count() < self.length() {
            refuse(
                "password.too_short",
                format!("密码至少 {} 位", self.length()),
            );
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if classes < self.classes() {
            refuse(
                "password.classes",
                format!(
                    "密码须包含大写字母、小写字母、数字、符号中的至少 {} 类",
                    self.classes()
                ),
            );
        }
        let lower = password.to_lowercase();
        let name = account.trim().to_lowercase();
        if !name.is_empty() && lower.contains(&name) {
            refuse("password.contains_account", "密码不得包含账号名".into());
        }
        let stem = lower.trim_end_matches(|c: char| !c.is_ascii_alphabetic());
        if COMMON.contains(&lower.as_str()) || (stem.len() >= 4 && COMMON.contains(&stem)) {
            refuse("password.common", "密码过于常见,请换一个".into());
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }

    /// Whether a password set `age_days` ago has expired.
    pub fn expired(&self, age_days: i64) -> bool {
        self.expiry_days > 0 && age_days >= i64::from(self.expiry_days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(r: Result<(), Invalid>) -> Vec<&'static str> {
        r.err()
            .map(|e| e.0.iter().map(|f| f.code).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_long_mixed_password_not_naming_the_account_passes() {
        assert_eq!(
            codes(PasswordPolicy::default().check("password", "wang", "Xk7#pq2Lm")),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn each_failure_is_named() {
        let p = PasswordPolicy::default();
        assert_eq!(
            codes(p.check("password", "wang", "Ab1!")),
            vec!["password.too_short"]
        );
        assert_eq!(
            codes(p.check("password", "wang", "abcdefgh12")),
            vec!["password.classes"]
        );
        assert_eq!(
            codes(p.check("password", "wangwei", "Wangwei#2026")),
            vec!["password.contains_account"]
        );
        assert_eq!(
            codes(p.check("password", "li", "P@ssw0rd")),
            vec!["password.common"]
        );
        assert_eq!(
            codes(p.check("password", "li", "Password!123")),
            vec!["password.common"]
        );
    }

    #[test]
    fn a_password_over_128_characters_is_refused_alone() {
        let p = PasswordPolicy::default();
        let ok = format!("Aa1#{}", "x".repeat(MAX_LENGTH - 4));
        assert_eq!(codes(p.check("password", "li", &ok)), Vec::<&str>::new());
        assert_eq!(
            codes(p.check("password", "li", &format!("{ok}y"))),
            vec!["password.too_long"]
        );
        assert!(too_long(&"密".repeat(129)) && !too_long(&"密".repeat(128)));
    }

    #[test]
    fn configuration_cannot_weaken_below_the_assessment_floor() {
        let p = PasswordPolicy {
            min_length: 4,
            min_classes: 1,
            expiry_days: 0,
        };
        assert_eq!(
            codes(p.check("password", "li", "Abcdef1")),
            vec!["password.too_short"]
        );
        assert!(!p.expired(10_000));
        assert!(PasswordPolicy::default().expired(90));
    }
}
