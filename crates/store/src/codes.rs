//! Vocabulary codes read back into domain values as rows are decoded, so
//! nothing above the store parses a stored code again.
//!
//! A row field holding a code has its domain type and
//! `#[sqlx(try_from = "Code<T>")]` (or `"NullableCode<T>"` when the column may
//! be NULL). The code is decoded inside sqlx's `Decode`, whose error sqlx
//! keeps as the source of `ColumnDecode` with the column's name; a code that
//! names nothing thus becomes [`StoreError::Corrupt`] (see `error.rs`), never
//! a panic. (A fallible `TryFrom` in `try_from` would lose its error: sqlx
//! 0.8 boxes it as "unprintable error".)

use crate::{Result, StoreError};
use gongyi_domain::annual_report::{ReportStatus, Section};
use gongyi_domain::applications::{EventAction, Role, Status, SubsidyRule};
use gongyi_domain::calls::CallStatus;
use gongyi_domain::facts::{DeclarationStatus, FactKind, FactSource};
use gongyi_domain::history::{
    CreditList, HonourLevel, InspectionResult, PartyOrgForm, RatingLevel,
};
use gongyi_domain::orgs::{OrgKind, OrgStatus, RegistrationField, Stage};
use gongyi_domain::people::{PerformanceRating, QualificationLevel};
use gongyi_domain::policy::facts::CompetitionLevel;
use gongyi_domain::policy::BeneficiaryKind;
use gongyi_domain::vocabulary::Coded;
use sqlx::decode::Decode;
use sqlx::error::BoxDynError;
use sqlx::types::Type;
use sqlx::Database;

/// A code column decoded into `T`.
pub struct Code<T>(T);

/// A nullable code column decoded into `Option<T>`.
pub struct NullableCode<T>(Option<T>);

/// Both wrappers are read from text columns.
macro_rules! text_column {
    ($($w:ident),+) => {
        $(impl<DB: Database, T> Type<DB> for $w<T>
        where
            String: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as Type<DB>>::compatible(ty)
            }
        })+
    };
}

text_column!(Code, NullableCode);

impl<'r, DB: Database, T: Coded> Decode<'r, DB> for Code<T>
where
    &'r str: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Code(T::decode(<&'r str as Decode<'r, DB>>::decode(
            value,
        )?)?))
    }
}

impl<'r, DB: Database, T: Coded> Decode<'r, DB> for NullableCode<T>
where
    Option<&'r str>: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let code = <Option<&'r str> as Decode<'r, DB>>::decode(value)?;
        Ok(NullableCode(code.map(T::decode).transpose()?))
    }
}

impl<T: Coded> From<NullableCode<T>> for Option<T> {
    fn from(c: NullableCode<T>) -> Self {
        c.0
    }
}

/// `From<Code<T>> for T` for each vocabulary a row reads (the orphan rule
/// allows it per type, not for every `T` at once).
macro_rules! decoded {
    ($($t:ty),+ $(,)?) => {
        $(impl From<Code<$t>> for $t {
            fn from(c: Code<$t>) -> $t {
                c.0
            }
        })+
    };
}

decoded!(
    OrgKind,
    OrgStatus,
    RegistrationField,
    Stage,
    InspectionResult,
    RatingLevel,
    HonourLevel,
    CreditList,
    PartyOrgForm,
    QualificationLevel,
    PerformanceRating,
    SubsidyRule,
    BeneficiaryKind,
    Status,
    Role,
    EventAction,
    ReportStatus,
    CallStatus,
    Section,
    FactKind,
    FactSource,
    CompetitionLevel,
    DeclarationStatus,
);

/// A code read outside a row type (a tuple or a single column), decoded
/// like a row field.
pub(crate) fn decode<T: Coded>(column: &str, code: &str) -> Result<T> {
    T::decode(code).map_err(|source| StoreError::Corrupt {
        column: column.to_string(),
        source,
    })
}
