//! Organisations: insert, optimistic update, lookups, the filtered directory
//! with facet counts, and keyset iteration for exports.

use crate::codes::{Code, NullableCode};
use crate::dialect;
use crate::query::{bind_all, escape_like, Bind};
use crate::{on_db, on_tx, Backend, Db, Page, Result, StoreError, Tx};
use chrono::NaiveDate;
use gongyi_domain::access::Scope;
use gongyi_domain::history::RatingLevel;
use gongyi_domain::orgs::{OrgDraft, OrgKind, OrgStatus, Stage};
use gongyi_domain::search::{is_pinyin_query, pinyin_keys};
use gongyi_domain::Invalid;

/// An organisation as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgRow {
    pub id: i64,
    pub credit_code: String,
    pub name: String,
    #[sqlx(try_from = "Code<OrgKind>")]
    pub kind: OrgKind,
    pub community: bool,
    pub fresh_graduate: bool,
    pub in_district: bool,
    pub subdistrict_code: String,
    pub subdistrict_name: String,
    pub registration_date: NaiveDate,
    pub registered_capital_fen: i64,
    pub address: Option<String>,
    pub legal_representative: Option<String>,
    /// `138****5678`; the full number is only kept sealed.
    pub contact_phone_masked: Option<String>,
    #[sqlx(try_from = "Code<OrgStatus>")]
    pub status: OrgStatus,
    #[sqlx(try_from = "NullableCode<Stage>")]
    pub stage: Option<Stage>,
    pub deregistration_date: Option<NaiveDate>,
    #[sqlx(try_from = "NullableCode<RatingLevel>")]
    pub current_rating: Option<RatingLevel>,
    pub current_rating_date: Option<NaiveDate>,
    pub version: i64,
    /// Service field names joined by `、`.
    pub service_fields: String,
}

/// An organisation's contact phone as written: sealed (AES-256-GCM, by the
/// application's key) and masked for display; both `None` without a phone.
/// The store never sees a key, so it never sees the plain number either.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealedPhone {
    pub sealed: Option<String>,
    pub masked: Option<String>,
}

/// The columns of [`OrgRow`]; service field names in catalogue order.
fn select_org(b: Backend) -> String {
    let fields = dialect::joined_in_order(
        b,
        "f.name",
        "、",
        "FROM organization_service_fields osf JOIN service_fields f ON f.code = osf.field_code
   WHERE osf.org_id = o.id",
        "f.sort_order, f.code",
    );
    format!(
        "SELECT o.id, o.credit_code, o.name, o.kind, o.community, o.fresh_graduate, o.in_district,
 o.subdistrict_code, s.name AS subdistrict_name, o.registration_date, o.registered_capital_fen, o.address,
 o.legal_representative, o.contact_phone_masked, o.status, o.stage, o.deregistration_date, o.current_rating,
 o.current_rating_date, o.version, COALESCE({fields}, '') AS service_fields
 FROM organizations o JOIN subdistricts s ON s.code = o.subdistrict_code"
    )
}

/// The columns written from an [`OrgDraft`], in the order of [`draft_values`]
/// (insert, update and bulk insert).
pub(crate) const DRAFT_COLUMNS: [&str; 17] = [
    "credit_code",
    "name",
    "name_pinyin",
    "name_initials",
    "kind",
    "community",
    "fresh_graduate",
    "in_district",
    "subdistrict_code",
    "registration_date",
    "registered_capital_fen",
    "address",
    "legal_representative",
    "contact_phone_sealed",
    "contact_phone_masked",
    "status",
    "stage",
];

/// The values of [`DRAFT_COLUMNS`]; `status` stands in for the draft's (a
/// bulk load marks deregistered organisations so). The plain contact phone
/// is not among them, only `phone`.
pub(crate) fn draft_values(d: &OrgDraft, status: OrgStatus, phone: &SealedPhone) -> Vec<Bind> {
    let (py, initials) = pinyin_keys(&d.name);
    vec![
        Bind::Text(d.credit_code.as_str().to_string()),
        Bind::Text(d.name.clone()),
        Bind::Text(py),
        Bind::Text(initials),
        Bind::Text(d.kind.code().into()),
        Bind::Bool(d.community),
        Bind::Bool(d.fresh_graduate),
        Bind::Bool(d.in_district()),
        Bind::Text(d.subdistrict.clone()),
        Bind::Date(d.registration_date),
        Bind::Int(d.registered_capital.get()),
        Bind::OptText(d.address.clone()),
        Bind::OptText(d.legal_representative.clone()),
        Bind::OptText(phone.sealed.clone()),
        Bind::OptText(phone.masked.clone()),
        Bind::Text(status.code().into()),
        Bind::OptText(d.stage.map(|s| s.code().to_string())),
    ]
}

/// Filters of the directory; each `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    pub q: Option<String>,
    pub subdistrict: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub rating: Option<String>,
    pub service_field: Option<String>,
    pub registration_year: Option<i32>,
    pub sort: OrgSort,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OrgSort {
    #[default]
    Name,
    RegistrationDateDesc,
    RegistrationDateAsc,
    CreditCode,
    /// Best match of the name query first: where the fragment stands in the
    /// name, then shorter names; falls back to name order without a query.
    Relevance,
}

impl OrgSort {
    pub fn parse(s: &str) -> OrgSort {
        match s {
            "registered_desc" => OrgSort::RegistrationDateDesc,
            "registered_asc" => OrgSort::RegistrationDateAsc,
            "credit_code" => OrgSort::CreditCode,
            "relevance" => OrgSort::Relevance,
            _ => OrgSort::Name,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            OrgSort::Name => "name",
            OrgSort::RegistrationDateDesc => "registered_desc",
            OrgSort::RegistrationDateAsc => "registered_asc",
            OrgSort::CreditCode => "credit_code",
            OrgSort::Relevance => "relevance",
        }
    }

    /// The ORDER BY list; relevance binds the query after `binds`.
    fn order_by(self, f: &OrgFilter, backend: Backend, binds: &mut Vec<Bind>) -> String {
        let (key, desc) = self.key(f, backend, binds, "o");
        let dir = if desc { " DESC" } else { "" };
        key.iter()
            .map(|k| format!("{k}{dir}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The sort key over the organisation aliased `t`, most significant
    /// first, and whether it descends (every part the same way, so a keyset
    /// walk compares it as one row value). Each key ends in a unique column,
    /// so rows tied on the rest still have one order. Relevance binds the
    /// query after `binds`.
    fn key(
        self,
        f: &OrgFilter,
        backend: Backend,
        binds: &mut Vec<Bind>,
        t: &str,
    ) -> (Vec<String>, bool) {
        let cols = |c: &[&str]| c.iter().map(|c| c.replace("{t}", t)).collect();
        match self {
            OrgSort::Name => (cols(&["{t}.name_pinyin", "{t}.id"]), false),
            OrgSort::RegistrationDateDesc => (cols(&["{t}.registration_date", "{t}.id"]), true),
            OrgSort::RegistrationDateAsc => (cols(&["{t}.registration_date", "{t}.id"]), false),
            OrgSort::CreditCode => (cols(&["{t}.credit_code"]), false),
            OrgSort::Relevance => match f
                .q
                .as_deref()
                .map(str::trim)
                .filter(|q| !q.is_empty() && !is_pinyin_query(q))
            {
                Some(q) => {
                    binds.push(Bind::Text(q.to_string()));
                    let name = format!("{t}.name");
                    let pos = dialect::position_of(backend, &format!("${}", binds.len()), &name);
                    let mut key = vec![pos];
                    key.extend(cols(&["LENGTH({t}.name)", "{t}.name_pinyin", "{t}.id"]));
                    (key, false)
                }
                None => (
                    cols(&["LENGTH({t}.name_initials)", "{t}.name_pinyin", "{t}.id"]),
                    false,
                ),
            },
        }
    }
}

/// Which facet a WHERE clause is built for: its own filter is left out, so the
/// counts show what choosing another value would give.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Facet {
    None,
    Subdistrict,
    Kind,
    Status,
    Rating,
    ServiceField,
    Year,
}

/// The condition that cuts organisations (alias `o`) to `scope`, binding
/// after `b`; `None` for the whole district.
pub(crate) fn org_scope_condition(scope: &Scope, b: &mut Vec<Bind>) -> Option<String> {
    match scope {
        Scope::District => None,
        Scope::Subdistrict(code) => {
            b.push(Bind::Text(code.clone()));
            Some(format!("o.subdistrict_code = ${}", b.len()))
        }
        Scope::Organisation(id) => {
            b.push(Bind::Int(*id));
            Some(format!("o.id = ${}", b.len()))
        }
        Scope::Nothing => Some("1 = 0".into()),
    }
}

fn where_clause(scope: &Scope, f: &OrgFilter, skip: Facet) -> (String, Vec<Bind>) {
    let mut w: Vec<String> = Vec::new();
    let mut b: Vec<Bind> = Vec::new();
    let push = |cond: &str, v: Bind, w: &mut Vec<String>, b: &mut Vec<Bind>| {
        b.push(v);
        w.push(cond.replace('?', &format!("${}", b.len())));
    };
    // The scope comes first and is never skipped: facets count only what
    // the caller may see.
    if let Some(cond) = org_scope_condition(scope, &mut b) {
        w.push(cond);
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        if is_pinyin_query(q) {
            let like = format!("%{}%", escape_like(&q.to_lowercase()));
            b.push(Bind::Text(like.clone()));
            b.push(Bind::Text(like));
            let (i, j) = (b.len() - 1, b.len());
            w.push(format!(
                "(o.name_initials LIKE ${i} ESCAPE '\\' OR o.name_pinyin LIKE ${j} ESCAPE '\\')"
            ));
        } else if q.len() == 18 && q.is_ascii() {
            push(
                "o.credit_code = ?",
                Bind::Text(q.to_uppercase()),
                &mut w,
                &mut b,
            );
        } else {
            let cond = crate::grams::name_contains(q, &mut b);
            w.push(cond);
        }
    }
    if skip != Facet::Subdistrict {
        if let Some(v) = &f.subdistrict {
            push(
                "o.subdistrict_code = ?",
                Bind::Text(v.clone()),
                &mut w,
                &mut b,
            );
        }
    }
    if skip != Facet::Kind {
        if let Some(v) = &f.kind {
            push("o.kind = ?", Bind::Text(v.clone()), &mut w, &mut b);
        }
    }
    if skip != Facet::Status {
        if let Some(v) = &f.status {
            push("o.status = ?", Bind::Text(v.clone()), &mut w, &mut b);
        }
    }
    if skip != Facet::Rating {
        match f.rating.as_deref() {
            Some("NONE") => w.push("o.current_rating IS NULL".into()),
            Some(v) => push(
                "o.current_rating = ?",
                Bind::Text(v.to_string()),
                &mut w,
                &mut b,
            ),
            None => {}
        }
    }
    if skip != Facet::ServiceField {
        if let Some(v) = &f.service_field {
            push(
                "EXISTS (SELECT 1 FROM organization_service_fields x WHERE x.org_id = o.id AND x.field_code = ?)",
                Bind::Text(v.clone()),
                &mut w,
                &mut b,
            );
        }
    }
    if skip != Facet::Year {
        if let Some(y) = f.registration_year {
            let from = NaiveDate::from_ymd_opt(y, 1, 1);
            let to = NaiveDate::from_ymd_opt(y + 1, 1, 1);
            if let (Some(from), Some(to)) = (from, to) {
                push("o.registration_date >= ?", Bind::Date(from), &mut w, &mut b);
                push("o.registration_date < ?", Bind::Date(to), &mut w, &mut b);
            }
        }
    }
    if w.is_empty() {
        (String::new(), b)
    } else {
        (format!(" WHERE {}", w.join(" AND ")), b)
    }
}

/// Counts per value of each facet.
#[derive(Debug, Clone, Default)]
pub struct Facets {
    pub subdistrict: Vec<(String, i64)>,
    pub kind: Vec<(String, i64)>,
    pub status: Vec<(String, i64)>,
    pub rating: Vec<(String, i64)>,
    pub service_field: Vec<(String, i64)>,
    pub registration_year: Vec<(String, i64)>,
}

async fn count_by(
    db: &Db,
    scope: &Scope,
    f: &OrgFilter,
    facet: Facet,
    key: &str,
    from_extra: &str,
) -> Result<Vec<(String, i64)>> {
    let (w, binds) = where_clause(scope, f, facet);
    let sql = format!(
        "SELECT {key} AS k, COUNT(*) AS n FROM organizations o {from_extra}{w} GROUP BY {key} ORDER BY n DESC"
    );
    let rows: Vec<(Option<String>, i64)> = on_db!(db, p => {
        bind_all!(sqlx::query_as(&sql), &binds).fetch_all(p).await?
    });
    Ok(rows
        .into_iter()
        .map(|(k, n)| (k.unwrap_or_else(|| "NONE".into()), n))
        .collect())
}

/// Counts per value of each of `keys` under the full filter, from one query
/// grouped by all of them; each list ordered by count, then value.
async fn count_together(
    db: &Db,
    scope: &Scope,
    f: &OrgFilter,
    keys: &[&String],
) -> Result<Vec<Vec<(String, i64)>>> {
    let (w, binds) = where_clause(scope, f, Facet::None);
    let cols: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} AS k{i}"))
        .collect();
    let groups: Vec<String> = (1..=keys.len()).map(|i| i.to_string()).collect();
    let sql = format!(
        "SELECT {}, COUNT(*) AS n FROM organizations o{w} GROUP BY {}",
        cols.join(", "),
        groups.join(", ")
    );
    let rows: Vec<(Vec<Option<String>>, i64)> = on_db!(db, p => {
        let rows = bind_all!(sqlx::query(&sql), &binds).fetch_all(p).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut vals = Vec::with_capacity(keys.len());
            for i in 0..keys.len() {
                vals.push(sqlx::Row::try_get::<Option<String>, _>(&r, i)?);
            }
            out.push((vals, sqlx::Row::try_get::<i64, _>(&r, keys.len())?));
        }
        out
    });
    let mut per_dim: Vec<std::collections::HashMap<String, i64>> =
        vec![Default::default(); keys.len()];
    for (vals, n) in rows {
        for (i, v) in vals.into_iter().enumerate() {
            *per_dim[i]
                .entry(v.unwrap_or_else(|| "NONE".into()))
                .or_insert(0) += n;
        }
    }
    Ok(per_dim
        .into_iter()
        .map(|m| {
            let mut v: Vec<(String, i64)> = m.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        })
        .collect())
}

impl Db {
    /// Inserts an organisation and its service fields; returns its id. The
    /// draft's plain contact phone is not written, only `phone`.
    pub async fn insert_org(&self, tx: &mut Tx, d: &OrgDraft, phone: &SealedPhone) -> Result<i64> {
        let values = draft_values(d, d.status, phone);
        let sql = format!(
            "INSERT INTO organizations ({}) VALUES ({}) RETURNING id",
            DRAFT_COLUMNS.join(", "),
            (1..=DRAFT_COLUMNS.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let id: i64 = on_tx!(tx, c => bind_all!(sqlx::query_scalar(&sql), &values)
            .fetch_one(&mut **c)
            .await
            .map_err(|e| StoreError::unique_as(e, "credit_code"))?);
        self.set_service_fields(tx, id, &d.service_fields).await?;
        self.write_name_grams(tx, id, &d.name).await?;
        Ok(id)
    }

    /// Replaces an organisation's record if it is still at `version`; the
    /// contact phone is written only as `phone` (a plain one left by an old
    /// row is cleared).
    pub async fn update_org(
        &self,
        tx: &mut Tx,
        id: i64,
        version: i64,
        d: &OrgDraft,
        phone: &SealedPhone,
    ) -> Result<()> {
        let values = draft_values(d, d.status, phone);
        let n = DRAFT_COLUMNS.len();
        let set: Vec<String> = DRAFT_COLUMNS
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE organizations SET {}, contact_phone = NULL, version = version + 1,
             updated_at = CURRENT_TIMESTAMP WHERE id = ${} AND version = ${}",
            set.join(", "),
            n + 1,
            n + 2
        );
        let n = on_tx!(tx, c => bind_all!(sqlx::query(&sql), &values)
            .bind(id)
            .bind(version)
            .execute(&mut **c)
            .await
            .map_err(|e| StoreError::unique_as(e, "credit_code"))?
            .rows_affected());
        if n == 0 {
            return Err(if self.org_exists_tx(tx, id).await? {
                StoreError::Conflict
            } else {
                StoreError::NotFound
            });
        }
        on_tx!(tx, c => sqlx::query("DELETE FROM organization_service_fields WHERE org_id = $1")
            .bind(id).execute(&mut **c).await?.rows_affected());
        self.set_service_fields(tx, id, &d.service_fields).await?;
        self.write_name_grams(tx, id, &d.name).await
    }

    async fn org_exists_tx(&self, tx: &mut Tx, id: i64) -> Result<bool> {
        let n: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM organizations WHERE id = $1")
            .bind(id).fetch_one(&mut **c).await?);
        Ok(n > 0)
    }

    /// Links service fields given by code or name; an unknown one is refused.
    async fn set_service_fields(&self, tx: &mut Tx, id: i64, fields: &[String]) -> Result<()> {
        for f in fields {
            let code: Option<String> = on_tx!(tx, c => sqlx::query_scalar(
                "SELECT code FROM service_fields WHERE code = $1 OR name = $1")
                .bind(f).fetch_optional(&mut **c).await?);
            let Some(code) = code else {
                return Err(StoreError::Invalid(Invalid::one(
                    "service_fields",
                    "service_field.unknown",
                    format!("服务领域“{f}”不在服务领域目录中"),
                )));
            };
            on_tx!(tx, c => sqlx::query(
                "INSERT INTO organization_service_fields (org_id, field_code) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id).bind(&code).execute(&mut **c).await?.rows_affected());
        }
        Ok(())
    }

    /// By credit code as typed: trimmed and upper-cased like `CreditCode::parse`.
    pub async fn org_by_code(&self, code: &str) -> Result<OrgRow> {
        let code = code.trim().to_uppercase();
        let sql = format!("{} WHERE o.credit_code = $1", select_org(self.backend()));
        on_db!(self, p => sqlx::query_as::<_, OrgRow>(&sql).bind(&code).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)
    }

    pub async fn org_by_id(&self, id: i64) -> Result<OrgRow> {
        let sql = format!("{} WHERE o.id = $1", select_org(self.backend()));
        on_db!(self, p => sqlx::query_as::<_, OrgRow>(&sql).bind(id).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)
    }

    /// As [`Db::org_by_id`], as this transaction sees it.
    pub async fn org_by_id_tx(&self, tx: &mut Tx, id: i64) -> Result<OrgRow> {
        let sql = format!("{} WHERE o.id = $1", select_org(self.backend()));
        on_tx!(tx, c => sqlx::query_as::<_, OrgRow>(&sql).bind(id).fetch_optional(&mut **c).await?)
            .ok_or(StoreError::NotFound)
    }

    /// As [`Db::org_by_code`], as this transaction sees it.
    pub async fn org_by_code_tx(&self, tx: &mut Tx, code: &str) -> Result<OrgRow> {
        let code = code.trim().to_uppercase();
        let sql = format!("{} WHERE o.credit_code = $1", select_org(self.backend()));
        on_tx!(tx, c => sqlx::query_as::<_, OrgRow>(&sql).bind(&code).fetch_optional(&mut **c).await?)
            .ok_or(StoreError::NotFound)
    }

    /// The id, registration date and sub-district of an organisation, inside
    /// a transaction (to check a caller's scope before writing).
    pub async fn org_scope_key_tx(
        &self,
        tx: &mut Tx,
        code: &str,
    ) -> Result<(i64, NaiveDate, String)> {
        let code = code.trim().to_uppercase();
        on_tx!(tx, c => sqlx::query_as(
            "SELECT id, registration_date, subdistrict_code FROM organizations WHERE credit_code = $1")
            .bind(&code).fetch_optional(&mut **c).await?)
        .ok_or(StoreError::NotFound)
    }

    /// The id and registration date of an organisation, inside a transaction.
    pub async fn org_key_tx(&self, tx: &mut Tx, code: &str) -> Result<(i64, NaiveDate)> {
        let code = code.trim().to_uppercase();
        on_tx!(tx, c => sqlx::query_as("SELECT id, registration_date FROM organizations WHERE credit_code = $1")
            .bind(&code).fetch_optional(&mut **c).await?)
        .ok_or(StoreError::NotFound)
    }

    /// The directory: one page of the organisations in `scope` matching `f`.
    pub async fn list_orgs(
        &self,
        scope: &Scope,
        f: &OrgFilter,
        page: i64,
        per_page: i64,
    ) -> Result<Page<OrgRow>> {
        let (w, binds) = where_clause(scope, f, Facet::None);
        let count_sql = format!("SELECT COUNT(*) FROM organizations o{w}");
        let total: i64 = on_db!(self, p => bind_all!(sqlx::query_scalar(&count_sql), &binds).fetch_one(p).await?);
        let mut binds = binds;
        let order = f.sort.order_by(f, self.backend(), &mut binds);
        let sql = format!(
            "{}{w} ORDER BY {} LIMIT {} OFFSET {}",
            select_org(self.backend()),
            order,
            per_page,
            (page - 1) * per_page
        );
        let items = on_db!(self, p => bind_all!(sqlx::query_as::<_, OrgRow>(&sql), &binds).fetch_all(p).await?);
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Up to `limit` rows of the directory for `f` in its sort order, those
    /// after the organisation with id `after` (from the start when `None`):
    /// a keyset walk, so each batch costs the same however far it is
    /// (`OFFSET` reads and discards every row before it). Run it inside one
    /// read transaction ([`Db::begin_read`]) to see one snapshot throughout.
    pub async fn org_rows_after(
        &self,
        tx: &mut Tx,
        scope: &Scope,
        f: &OrgFilter,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Vec<OrgRow>> {
        let backend = self.backend();
        let (mut w, mut binds) = where_clause(scope, f, Facet::None);
        let (key, desc) = f.sort.key(f, backend, &mut binds, "o");
        if let Some(id) = after {
            // The last row's own key, read by id, so the caller keeps only the id.
            let (cursor, _) = f.sort.key(f, backend, &mut binds, "c");
            binds.push(Bind::Int(id));
            let cond = format!(
                "({}) {} (SELECT {} FROM organizations c WHERE c.id = ${})",
                key.join(", "),
                if desc { "<" } else { ">" },
                cursor.join(", "),
                binds.len()
            );
            w = if w.is_empty() {
                format!(" WHERE {cond}")
            } else {
                format!("{w} AND {cond}")
            };
        }
        let dir = if desc { " DESC" } else { "" };
        let order: Vec<String> = key.iter().map(|k| format!("{k}{dir}")).collect();
        let sql = format!(
            "{}{w} ORDER BY {} LIMIT {limit}",
            select_org(backend),
            order.join(", ")
        );
        Ok(
            on_tx!(tx, c => bind_all!(sqlx::query_as::<_, OrgRow>(&sql), &binds)
            .fetch_all(&mut **c).await?),
        )
    }

    /// What the public directory shows can only have changed when this has:
    /// organisations are never deleted, so a new one raises the count and the
    /// highest id, every edit raises a `version`, a new rating (which sets the
    /// current one) raises the ratings' count and highest id, and sub-districts
    /// and service fields (names, order) are read whole. Read inside the
    /// snapshot the data is read in, it names exactly that data.
    pub async fn directory_version(&self, tx: &mut Tx) -> Result<String> {
        let (orgs, versions, max_org, ratings, max_rating): (i64, i64, i64, i64, i64) = on_tx!(tx, c => sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM organizations),
                        (SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM organizations),
                        (SELECT COALESCE(MAX(id), 0) FROM organizations),
                        (SELECT COUNT(*) FROM ratings),
                        (SELECT COALESCE(MAX(id), 0) FROM ratings)")
                .fetch_one(&mut **c).await?);
        let names: Vec<(String, String, i64)> = on_tx!(tx, c => sqlx::query_as(
            "SELECT code, name, sort_order FROM subdistricts
             UNION ALL SELECT code, name, sort_order FROM service_fields ORDER BY 1")
            .fetch_all(&mut **c).await?);
        let names: Vec<String> = names
            .into_iter()
            .map(|(c, n, o)| format!("{c}={n}@{o}"))
            .collect();
        Ok(format!(
            "{orgs}.{versions}.{max_org}.{ratings}.{max_rating}|{}",
            names.join(",")
        ))
    }

    /// Facet counts for the directory's filters, within `scope`.
    pub async fn org_facets(&self, scope: &Scope, f: &OrgFilter) -> Result<Facets> {
        let year = dialect::year_of(self.backend(), "o.registration_date");
        let year_key = format!("CAST({year} AS TEXT)");
        // A facet whose own filter is not set counts under the full filter, so
        // all such facets come from one GROUP BY over the matching rows; a facet
        // whose filter is set leaves it out and needs a query of its own.
        let dims: [(Facet, String, bool); 5] = [
            (
                Facet::Subdistrict,
                "o.subdistrict_code".into(),
                f.subdistrict.is_some(),
            ),
            (Facet::Kind, "o.kind".into(), f.kind.is_some()),
            (Facet::Status, "o.status".into(), f.status.is_some()),
            (Facet::Rating, "o.current_rating".into(), f.rating.is_some()),
            (Facet::Year, year_key, f.registration_year.is_some()),
        ];
        let shared: Vec<&String> = dims.iter().filter(|d| !d.2).map(|d| &d.1).collect();
        let mut counts: Vec<Vec<(String, i64)>> = vec![Vec::new(); dims.len()];
        if !shared.is_empty() {
            let per_dim = count_together(self, scope, f, &shared).await?;
            let mut k = 0;
            for (i, d) in dims.iter().enumerate() {
                if !d.2 {
                    counts[i] = per_dim[k].clone();
                    k += 1;
                }
            }
        }
        for (i, (facet, key, active)) in dims.iter().enumerate() {
            if *active {
                counts[i] = count_by(self, scope, f, *facet, key, "").await?;
            }
        }
        let mut counts = counts.into_iter();
        let mut next = || counts.next().unwrap_or_default();
        Ok(Facets {
            subdistrict: next(),
            kind: next(),
            status: next(),
            rating: next(),
            registration_year: next(),
            service_field: count_by(
                self,
                scope,
                f,
                Facet::ServiceField,
                "sf.field_code",
                "JOIN organization_service_fields sf ON sf.org_id = o.id",
            )
            .await?,
        })
    }

    /// All organisations in credit-code order, `batch` at a time after `after`
    /// (keyset pagination keeps exports of millions flat in memory).
    pub async fn orgs_after(&self, after: &str, batch: i64) -> Result<Vec<OrgRow>> {
        let sql = format!(
            "{} WHERE o.credit_code > $1 ORDER BY o.credit_code LIMIT {batch}",
            select_org(self.backend())
        );
        Ok(on_db!(self, p => sqlx::query_as::<_, OrgRow>(&sql).bind(after).fetch_all(p).await?))
    }

    /// The sealed contact phones of the organisations with credit codes in
    /// `(after, last]` (one batch of [`Db::orgs_after`]), by credit code:
    /// for exporting with the key.
    pub async fn org_phones_sealed_between(
        &self,
        after: &str,
        last: &str,
    ) -> Result<Vec<(String, String)>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT credit_code, contact_phone_sealed FROM organizations
             WHERE credit_code > $1 AND credit_code <= $2 AND contact_phone_sealed IS NOT NULL
             ORDER BY credit_code")
            .bind(after).bind(last).fetch_all(p).await?))
    }

    /// The sealed contact phone of an organisation (an edit that sends back
    /// the masked phone keeps this one).
    pub async fn org_phone_sealed(&self, id: i64) -> Result<Option<String>> {
        let v: Option<Option<String>> = on_db!(self, p => sqlx::query_scalar(
            "SELECT contact_phone_sealed FROM organizations WHERE id = $1")
            .bind(id).fetch_optional(p).await?);
        v.ok_or(StoreError::NotFound)
    }

    /// As [`Db::org_phone_sealed`], as this transaction sees it.
    pub async fn org_phone_sealed_tx(&self, tx: &mut Tx, id: i64) -> Result<Option<String>> {
        let v: Option<Option<String>> = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT contact_phone_sealed FROM organizations WHERE id = $1")
            .bind(id).fetch_optional(&mut **c).await?);
        v.ok_or(StoreError::NotFound)
    }

    /// Up to `batch` organisations still holding a plain contact phone
    /// (written before migration 0009): (id, phone).
    pub async fn orgs_unsealed(&self, batch: i64) -> Result<Vec<(i64, String)>> {
        Ok(on_db!(self, p => sqlx::query_as(&format!(
            "SELECT id, contact_phone FROM organizations WHERE contact_phone IS NOT NULL ORDER BY id LIMIT {batch}"))
            .fetch_all(p).await?))
    }

    /// Replaces a row's plain contact phone by `phone` (and clears the plain one).
    pub async fn seal_org_phone_row(
        &self,
        tx: &mut Tx,
        id: i64,
        phone: &SealedPhone,
    ) -> Result<()> {
        on_tx!(tx, c => sqlx::query(
            "UPDATE organizations SET contact_phone = NULL, contact_phone_sealed = $1, contact_phone_masked = $2
             WHERE id = $3")
            .bind(&phone.sealed).bind(&phone.masked).bind(id)
            .execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    /// Every organisation in the database, whoever asks: for the operator's
    /// "is it empty" checks. Lists for a caller use [`Db::count_orgs_in`].
    pub async fn count_orgs(&self) -> Result<i64> {
        Ok(
            on_db!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM organizations").fetch_one(p).await?),
        )
    }

    /// The organisations in `scope`.
    pub async fn count_orgs_in(&self, scope: &Scope) -> Result<i64> {
        let mut binds = Vec::new();
        let w =
            org_scope_condition(scope, &mut binds).map_or(String::new(), |c| format!(" WHERE {c}"));
        let sql = format!("SELECT COUNT(*) FROM organizations o{w}");
        Ok(on_db!(self, p => bind_all!(sqlx::query_scalar(&sql), &binds).fetch_one(p).await?))
    }

    /// Marks an organisation deregistered (注销) on `date`.
    pub async fn deregister_org(
        &self,
        tx: &mut Tx,
        id: i64,
        version: i64,
        date: NaiveDate,
    ) -> Result<()> {
        let n = on_tx!(tx, c => sqlx::query(
            "UPDATE organizations SET status = 'DEREGISTERED', deregistration_date = $1, version = version + 1,
             updated_at = CURRENT_TIMESTAMP WHERE id = $2 AND version = $3")
            .bind(date).bind(id).bind(version).execute(&mut **c).await?.rows_affected());
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }
}
