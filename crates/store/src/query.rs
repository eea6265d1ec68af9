//! Plumbing for queries built at run time: values to bind in order, and
//! escaping for `LIKE` patterns. Entity modules import these from here so
//! none of them is imported for its helpers.

use chrono::NaiveDate;

/// A value bound into a dynamically built query.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(String),
    Int(i64),
    Date(NaiveDate),
    Bool(bool),
    OptText(Option<String>),
    OptDate(Option<NaiveDate>),
    OptInt(Option<i64>),
    Time(chrono::DateTime<chrono::Utc>),
    OptTime(Option<chrono::DateTime<chrono::Utc>>),
}

/// Binds each value in order onto a query of either backend.
macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                $crate::query::Bind::Text(s) => q.bind(s.clone()),
                $crate::query::Bind::Int(i) => q.bind(*i),
                $crate::query::Bind::Date(d) => q.bind(*d),
                $crate::query::Bind::Bool(v) => q.bind(*v),
                $crate::query::Bind::OptText(s) => q.bind(s.clone()),
                $crate::query::Bind::OptDate(d) => q.bind(*d),
                $crate::query::Bind::OptInt(i) => q.bind(*i),
                $crate::query::Bind::Time(t) => q.bind(*t),
                $crate::query::Bind::OptTime(t) => q.bind(*t),
            };
        }
        q
    }};
}
pub(crate) use bind_all;

/// `s` with the wildcards of `LIKE` escaped (backslash as the `ESCAPE`
/// character), so a typed `%` or `_` matches only itself.
pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
