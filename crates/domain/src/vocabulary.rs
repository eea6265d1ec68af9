//! Closed vocabularies: values with a stable code (data files, API, URLs,
//! the database) and a Chinese label (pages, spreadsheets).
//!
//! [`vocabulary!`] declares one. [`Coded`] is what every type written to
//! storage as a code implements (the declared vocabularies and the
//! hand-written enums of the application workflow alike), so the store turns
//! a stored code back into its value once, as it reads the row.

/// A stored code that names no value of its vocabulary. Input is parsed
/// with the types' own `parse`; this is damage in stored data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{code}”不是{vocabulary}的代码")]
pub struct UnknownCode {
    /// The vocabulary's name, e.g. `组织类型`.
    pub vocabulary: &'static str,
    pub code: String,
}

/// A value written to storage as one fixed code.
pub trait Coded: Copy + Sized + 'static {
    /// What the vocabulary is called, for errors.
    const NAME: &'static str;

    fn all() -> &'static [Self];

    fn to_code(self) -> &'static str;

    /// The value whose code is exactly `code`: no label and no case folding,
    /// since the store reads back only what it wrote.
    fn decode(code: &str) -> Result<Self, UnknownCode> {
        Self::all()
            .iter()
            .copied()
            .find(|v| v.to_code() == code)
            .ok_or_else(|| UnknownCode {
                vocabulary: Self::NAME,
                code: code.to_string(),
            })
    }
}

/// Implements [`Coded`] from a type's `ALL` and `code`.
macro_rules! coded {
    ($name:ty, $what:expr) => {
        impl $crate::vocabulary::Coded for $name {
            const NAME: &'static str = $what;

            fn all() -> &'static [Self] {
                &<$name>::ALL
            }

            fn to_code(self) -> &'static str {
                self.code()
            }
        }
    };
}
pub(crate) use coded;

/// Declares a closed vocabulary with a stable code and a Chinese label;
/// `parse` accepts either.
macro_rules! vocabulary {
    ($(#[$m:meta])* $name:ident, $what:literal { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The Chinese label of a stored code; the text itself when it is not one.
            pub fn label_of(code: &str) -> String {
                $name::ALL
                    .iter()
                    .find(|v| v.code() == code)
                    .map_or_else(|| code.to_string(), |v| v.label().to_string())
            }

            /// Accepts the code (any case) or the Chinese label.
            pub fn parse(field: &str, input: &str) -> Result<Self, $crate::error::Invalid> {
                let s = input.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code().eq_ignore_ascii_case(s) || v.label() == s)
                    .ok_or_else(|| {
                        let allowed: Vec<&str> = $name::ALL.iter().map(|v| v.label()).collect();
                        $crate::error::Invalid::one(
                            field,
                            concat!(stringify!($name), ".unknown"),
                            format!("{}“{}”无效,可选:{}", $what, s, allowed.join("、")),
                        )
                    })
            }

            /// As [`Self::parse`]; blank input is `None`.
            pub fn parse_optional(
                field: &str,
                input: &str,
            ) -> Result<Option<Self>, $crate::error::Invalid> {
                if input.trim().is_empty() {
                    Ok(None)
                } else {
                    $name::parse(field, input).map(Some)
                }
            }
        }

        $crate::vocabulary::coded!($name, $what);
    };
}
pub(crate) use vocabulary;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orgs::OrgKind;

    #[test]
    fn a_stored_code_decodes_only_exactly() {
        assert_eq!(OrgKind::decode("FOUNDATION"), Ok(OrgKind::Foundation));
        assert_eq!(
            OrgKind::decode("foundation"),
            Err(UnknownCode {
                vocabulary: "组织类型",
                code: "foundation".into()
            })
        );
        assert!(OrgKind::decode("基金会").is_err(), "a label is not a code");
    }
}
