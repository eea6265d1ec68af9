//! Validation errors that name the field they are about.
//!
//! Every constructor that parses user input returns [`Invalid`]: one or more
//! [`FieldError`]s, each with a stable machine code (for the API) and a
//! Chinese message (for pages). Callers never have to guess which field failed.

use std::fmt;

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's identifier as used in forms, API bodies and import columns.
    pub field: String,
    /// A stable, machine-readable code such as `credit_code.check_character`.
    pub code: &'static str,
    /// A message in Simplified Chinese for people.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }

    /// The same error, reported under another field name (e.g. a form prefix).
    pub fn for_field(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A set of field errors; never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self(vec![FieldError::new(field, code, message)])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub fn extend(&mut self, other: Invalid) {
        self.0.extend(other.0);
    }

    /// Collects the error of `r` (if any) and returns its value.
    pub fn take<T>(&mut self, r: Result<T, Invalid>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.extend(e);
                None
            }
        }
    }

    /// `Ok(())` when nothing was collected.
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    /// Renames every field to `field` (used when a value type is parsed for a
    /// concrete form field).
    pub fn at(self, field: &str) -> Self {
        Self(self.0.into_iter().map(|e| e.for_field(field)).collect())
    }

    pub fn first_message(&self) -> &str {
        self.0.first().map(|e| e.message.as_str()).unwrap_or("")
    }
}

impl From<FieldError> for Invalid {
    fn from(e: FieldError) -> Self {
        Self(vec![e])
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for Invalid {}
