//! Import and export of every kind of registry record as xlsx or csv.
//!
//! Imports read the whole file, validate each row through the same domain
//! constructors as forms and the API, and write in one transaction: every bad
//! row is reported, and nothing is committed unless the caller asked to skip
//! invalid rows. Exports write the columns the importer reads, so an export
//! re-imports unchanged (with personal data unmasked, which only an operator
//! may ask for).

use crate::orgs::{seal_org_draft, HistoryInput};
use crate::people::{seal_draft, PersonRecordInput};
use crate::security::audit::AuditEntry;
use crate::security::keys::Keys;
use crate::{AppError, Registry};
use gongyi_domain::facts::{FactKind, FactSource};
use gongyi_domain::orgs::OrgDraft;
use gongyi_domain::orgs::OrgInput;
use gongyi_domain::people::PersonDraft;
use gongyi_domain::people::PersonInput;
use gongyi_domain::{Fen, Invalid};
use gongyi_interchange::{
    formula, map_columns, read_table_chunked, ColumnError, ColumnMap, ColumnSpec, ReadError,
    ReadLimits, ReadOptions, Row, RowErrors, Table,
};
use gongyi_store::bulk::{OrgBulk, PersonBulk};
use gongyi_store::Tx;
use std::collections::{HashMap, HashSet};
use std::io::Write;

const fn req(k: &'static str, l: &'static str) -> ColumnSpec {
    ColumnSpec::required(k, l)
}
const fn opt(k: &'static str, l: &'static str) -> ColumnSpec {
    ColumnSpec::optional(k, l)
}

/// The kinds of record that can be imported and exported; the name is the
/// CLI argument and the file's subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Organizations,
    People,
    Inspections,
    Ratings,
    Honours,
    CreditEntries,
    PartyBuilding,
    Finances,
    Qualifications,
    Employments,
    Reviews,
    Leases,
    StartupApplications,
    VentureProjects,
    CompetitionWins,
    SupervisorReviews,
    SeniorAwardDecisions,
}

impl RecordKind {
    pub const ALL: &'static [RecordKind] = &[
        RecordKind::Organizations,
        RecordKind::People,
        RecordKind::Inspections,
        RecordKind::Ratings,
        RecordKind::Honours,
        RecordKind::CreditEntries,
        RecordKind::PartyBuilding,
        RecordKind::Finances,
        RecordKind::Qualifications,
        RecordKind::Employments,
        RecordKind::Reviews,
        RecordKind::Leases,
        RecordKind::StartupApplications,
        RecordKind::VentureProjects,
        RecordKind::CompetitionWins,
        RecordKind::SupervisorReviews,
        RecordKind::SeniorAwardDecisions,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Organizations => "organizations",
            RecordKind::People => "people",
            RecordKind::Inspections => "inspections",
            RecordKind::Ratings => "ratings",
            RecordKind::Honours => "honours",
            RecordKind::CreditEntries => "credit-entries",
            RecordKind::PartyBuilding => "party-building",
            RecordKind::Finances => "finances",
            RecordKind::Qualifications => "qualifications",
            RecordKind::Employments => "employments",
            RecordKind::Reviews => "reviews",
            RecordKind::Leases => "leases",
            RecordKind::StartupApplications => "startup-applications",
            RecordKind::VentureProjects => "venture-projects",
            RecordKind::CompetitionWins => "competition-wins",
            RecordKind::SupervisorReviews => "supervisor-reviews",
            RecordKind::SeniorAwardDecisions => "senior-award-decisions",
        }
    }

    /// What the kind is called on pages and in the audit trail: a fact
    /// kind's own label.
    pub fn label(self) -> &'static str {
        match (self, self.fact_kind()) {
            (_, Some(kind)) => kind.label(),
            (RecordKind::People, None) => "人员",
            (_, None) => "社会组织",
        }
    }

    /// The kind named `s`; `performance-ratings` (the vectors contract's
    /// name) is the annual reviews, which carry the performance rating.
    pub fn parse(s: &str) -> Option<RecordKind> {
        if s == "performance-ratings" {
            return Some(RecordKind::Reviews);
        }
        RecordKind::ALL.iter().copied().find(|k| k.name() == s)
    }

    /// The fact kind whose records these are (`None` for organisations and
    /// people themselves).
    pub fn fact_kind(self) -> Option<FactKind> {
        use gongyi_domain::vocabulary::Coded;
        FactKind::decode(self.name()).ok()
    }

    /// The columns, in export order; keys are the input fields' names.
    pub fn columns(self) -> &'static [ColumnSpec] {
        const ORG: &[ColumnSpec] = &[
            req("credit_code", "统一社会信用代码").aliases(&["信用代码", "社会信用代码"]),
            req("name", "组织名称").aliases(&["名称", "社会组织名称"]),
            req("kind", "组织类型").aliases(&["类型"]),
            opt("community", "社区社会组织"),
            opt("fresh_graduate", "应届大学生举办"),
            req("subdistrict", "所属街道").aliases(&["街道"]),
            req("registration_date", "登记日期").aliases(&["成立登记日期", "成立日期"]),
            req("registered_capital", "注册资金(元)").aliases(&[
                "注册资金",
                "开办资金",
                "开办资金(元)",
            ]),
            opt("service_fields", "服务领域"),
            opt("address", "住所").aliases(&["地址"]),
            opt("legal_representative", "法定代表人"),
            opt("contact_phone", "联系电话"),
            opt("status", "登记状态").aliases(&["状态"]),
            opt("stage", "发展阶段"),
            opt("deregistration_date", "注销日期"),
        ];
        const PEOPLE: &[ColumnSpec] = &[
            opt("person_no", "人员编号").aliases(&["编号"]),
            req("name", "姓名"),
            req("resident_id", "公民身份号码").aliases(&["身份证号", "身份证号码"]),
            opt("phone", "联系电话").aliases(&["手机", "手机号"]),
            opt("social_work_start_date", "从事社会工作起始日期"),
            opt("supervisor", "社工督导").aliases(&["督导"]),
        ];
        const CODE: ColumnSpec = req("credit_code", "统一社会信用代码").aliases(&["信用代码"]);
        const RID: ColumnSpec =
            req("resident_id", "公民身份号码").aliases(&["身份证号", "身份证号码"]);
        const INSPECTIONS: &[ColumnSpec] = &[
            CODE,
            req("year", "年检年度"),
            req("result", "年检结论"),
            opt("date", "结论日期"),
        ];
        const RATINGS: &[ColumnSpec] = &[CODE, req("level", "评估等级"), req("date", "评定日期")];
        const HONOURS: &[ColumnSpec] = &[
            CODE,
            req("title", "荣誉名称"),
            req("level", "荣誉级别"),
            req("date", "获得日期"),
        ];
        const CREDIT: &[ColumnSpec] = &[
            CODE,
            req("list", "名录类型"),
            req("reason", "列入原因"),
            req("listed_date", "列入日期"),
            opt("removed_date", "移出日期"),
        ];
        const PARTY: &[ColumnSpec] = &[
            CODE,
            req("date", "记录日期"),
            req("has_party_org", "是否建立党组织"),
            opt("form", "党组织形式"),
            opt("members", "党员人数"),
            opt("in_charter", "党建写入章程"),
            opt("checked_at_registration", "登记时同步"),
            opt("checked_at_inspection", "年检时同步"),
            opt("checked_at_rating", "评估时同步"),
        ];
        const FINANCES: &[ColumnSpec] = &[
            CODE,
            req("year", "年度"),
            req("total_revenue", "总收入(元)"),
            opt("government_purchase", "政府购买服务收入(元)"),
            opt("donations", "捐赠收入(元)"),
            opt("business_income", "业务收入(元)"),
            opt("expenditure", "支出(元)"),
            opt("net_assets", "净资产(元)"),
            opt("staff", "专职工作人员数"),
            opt("volunteers", "志愿者人数"),
            opt("volunteer_hours", "志愿服务时长"),
        ];
        const QUALIFICATIONS: &[ColumnSpec] = &[
            RID,
            req("level", "资格等级"),
            req("certificate_no", "证书编号"),
            req("date", "取得日期"),
        ];
        const EMPLOYMENTS: &[ColumnSpec] = &[
            RID,
            req("org_credit_code", "单位统一社会信用代码"),
            req("start_date", "入职日期"),
            opt("end_date", "离职日期"),
            opt("labour_contract", "签订劳动合同"),
            opt("full_time", "全职"),
            opt("position", "岗位"),
        ];
        const REVIEWS: &[ColumnSpec] = &[
            RID,
            req("year", "年度"),
            opt("training_hours", "培训学时"),
            opt("performance", "考核结果"),
        ];
        const LEASES: &[ColumnSpec] = &[
            CODE,
            req("month", "租赁月份"),
            req("rent_paid", "实付租金(元)").aliases(&["租金", "实付租金"]),
        ];
        const STARTUP: &[ColumnSpec] = &[
            CODE,
            req("date", "申请日期"),
            req("requested", "申请金额(元)").aliases(&["申请金额"]),
        ];
        const VENTURE: &[ColumnSpec] = &[
            CODE,
            req("project_id", "项目编号"),
            req("amount", "项目金额(元)").aliases(&["项目金额"]),
            req("selected_date", "入选日期"),
        ];
        const WINS: &[ColumnSpec] = &[
            CODE,
            req("project_id", "项目编号"),
            req("level", "大赛级别"),
            opt("prize_place", "获奖名次"),
            req("amount", "项目金额(元)").aliases(&["项目金额"]),
            opt("serves_district", "服务本区"),
            req("date", "获奖日期"),
        ];
        const SUPERVISOR: &[ColumnSpec] = &[
            RID,
            req("year", "评审年度"),
            req("score", "评审分数"),
            opt("hours", "督导时长"),
        ];
        const SENIOR: &[ColumnSpec] = &[
            RID,
            req("decision_date", "评审决定日期"),
            opt("innovative_contribution", "有创新性贡献"),
            opt("reason", "评审意见"),
        ];
        match self {
            RecordKind::Organizations => ORG,
            RecordKind::People => PEOPLE,
            RecordKind::Inspections => INSPECTIONS,
            RecordKind::Ratings => RATINGS,
            RecordKind::Honours => HONOURS,
            RecordKind::CreditEntries => CREDIT,
            RecordKind::PartyBuilding => PARTY,
            RecordKind::Finances => FINANCES,
            RecordKind::Qualifications => QUALIFICATIONS,
            RecordKind::Employments => EMPLOYMENTS,
            RecordKind::Reviews => REVIEWS,
            RecordKind::Leases => LEASES,
            RecordKind::StartupApplications => STARTUP,
            RecordKind::VentureProjects => VENTURE,
            RecordKind::CompetitionWins => WINS,
            RecordKind::SupervisorReviews => SUPERVISOR,
            RecordKind::SeniorAwardDecisions => SENIOR,
        }
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Read(#[from] ReadError),
    #[error("{0}")]
    Columns(#[from] ColumnError),
    /// Every bad row; nothing was written.
    #[error("{0}")]
    Rows(RowErrors),
    #[error("{0}")]
    App(#[from] AppError),
}

impl From<gongyi_store::StoreError> for ImportError {
    fn from(e: gongyi_store::StoreError) -> Self {
        ImportError::App(e.into())
    }
}

#[derive(Debug, Default)]
pub struct ImportOutcome {
    /// New records written.
    pub imported: usize,
    /// Registered organisations and people whose row changed something.
    pub updated: usize,
    /// Rows equal to what is stored (as an export writes it): nothing written.
    pub unchanged: usize,
    /// Rows left out (only with `skip_invalid`), with their reasons.
    pub skipped: RowErrors,
}

/// Limits for operator imports: large files are expected here.
pub fn operator_read_options() -> ReadOptions {
    let limits = ReadLimits {
        max_rows: 5_000_000,
        max_cells: 100_000_000,
        max_file_bytes: 2 * 1024 * 1024 * 1024,
        max_uncompressed_bytes: 4 * 1024 * 1024 * 1024,
        ..ReadLimits::default()
    };
    ReadOptions {
        limits,
        ..ReadOptions::default()
    }
}

fn get(map: &ColumnMap, row: &Row, key: &str) -> String {
    map.cell(row, key).unwrap_or("").to_string()
}

fn org_input(m: &ColumnMap, r: &Row) -> OrgInput {
    OrgInput {
        credit_code: get(m, r, "credit_code"),
        name: get(m, r, "name"),
        kind: get(m, r, "kind"),
        community: get(m, r, "community"),
        fresh_graduate: get(m, r, "fresh_graduate"),
        subdistrict: get(m, r, "subdistrict"),
        registration_date: get(m, r, "registration_date"),
        registered_capital: get(m, r, "registered_capital"),
        service_fields: get(m, r, "service_fields"),
        address: get(m, r, "address"),
        legal_representative: get(m, r, "legal_representative"),
        contact_phone: get(m, r, "contact_phone"),
        status: get(m, r, "status"),
        stage: get(m, r, "stage"),
    }
}

fn history_input(kind: RecordKind, m: &ColumnMap, r: &Row) -> Option<HistoryInput> {
    HistoryInput::from_fields(kind.name(), |k| get(m, r, k))
}

fn person_record_input(kind: RecordKind, m: &ColumnMap, r: &Row) -> Option<PersonRecordInput> {
    PersonRecordInput::from_fields(kind.name(), |k| get(m, r, k))
}

/// The optional 注销日期 of an organisation row: a date not before registration.
fn deregistration_of(
    m: &ColumnMap,
    r: &Row,
    registered: chrono::NaiveDate,
) -> Result<Option<chrono::NaiveDate>, Invalid> {
    let d = gongyi_domain::text::optional_date(
        "deregistration_date",
        "注销日期",
        &get(m, r, "deregistration_date"),
    )?;
    match d {
        Some(d) if d < registered => Err(Invalid::one(
            "deregistration_date",
            "date.before_registration",
            format!("注销日期 {d} 早于登记日期 {registered}"),
        )),
        other => Ok(other),
    }
}

/// Rows per chunk handed from the file reader to the importer.
const IMPORT_CHUNK: usize = 5_000;

/// What an import carries from chunk to chunk.
struct ImportState {
    errors: RowErrors,
    /// Keys already seen in the file (credit codes or resident ID lookups).
    seen: HashSet<String>,
    imported: usize,
    updated: usize,
    unchanged: usize,
    map: Option<ColumnMap>,
    subdistricts: Vec<gongyi_store::reference::RefRow>,
}

fn duplicate_in_file(field: &str, label: &str) -> Invalid {
    Invalid::one(
        field,
        "duplicate_in_file",
        format!("该{label}在文件中重复出现"),
    )
}

fn already_registered(field: &str, message: &str) -> Invalid {
    Invalid::one(field, "duplicate", message)
}

fn invalid_of(e: AppError) -> Result<Invalid, AppError> {
    match e {
        AppError::Invalid(i) => Ok(i),
        other => Err(other),
    }
}

impl Registry {
    /// Reads `bytes` (xlsx or csv, named `file_name`) and imports every row of
    /// `kind` in one transaction. `progress(rows_done, 0)` is told how far it got.
    pub async fn import(
        &self,
        kind: RecordKind,
        bytes: &[u8],
        file_name: &str,
        options: &ReadOptions,
        skip_invalid: bool,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<ImportOutcome, ImportError> {
        self.import_owned(
            kind,
            bytes.to_vec(),
            file_name,
            options,
            skip_invalid,
            progress,
        )
        .await
    }

    /// [`Registry::import`] taking the file's bytes by value (no copy). The file
    /// is parsed on a blocking thread and handed over a chunk at a time, so
    /// memory stays bounded by the file plus a few chunks.
    pub async fn import_owned(
        &self,
        kind: RecordKind,
        bytes: Vec<u8>,
        file_name: &str,
        options: &ReadOptions,
        skip_invalid: bool,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<ImportOutcome, ImportError> {
        let (chunks_tx, mut chunks) = tokio::sync::mpsc::channel::<Table>(2);
        let name = file_name.to_string();
        let options = options.clone();
        let reader = tokio::task::spawn_blocking(move || {
            read_table_chunked(&bytes, &name, &options, IMPORT_CHUNK, &mut |t| {
                chunks_tx
                    .blocking_send(t)
                    .map_err(|_| ReadError::malformed("导入已取消"))
            })
        });
        let mut state = ImportState {
            errors: RowErrors::new(),
            seen: HashSet::new(),
            imported: 0,
            updated: 0,
            unchanged: 0,
            map: None,
            subdistricts: self.db.subdistricts().await?,
        };
        let mut tx = self.db.begin().await?;
        let mut done = 0usize;
        while let Some(table) = chunks.recv().await {
            if state.map.is_none() {
                state.map = Some(map_columns(&table, kind.columns())?);
            }
            let write = skip_invalid || state.errors.is_empty();
            self.import_chunk(&mut tx, kind, &table, &mut state, write)
                .await?;
            done += table.rows.len();
            progress(done, 0);
        }
        match reader.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e.into()),
            Err(e) => return Err(AppError::Task(e).into()),
        }
        if !state.errors.is_empty() && !skip_invalid {
            // Dropping the transaction rolls every row back.
            return Err(ImportError::Rows(state.errors.sorted()));
        }
        self.audit(
            &mut tx,
            AuditEntry::new("import", kind.name(), "")
                .note("file", file_name)
                .note("imported", state.imported)
                .note("updated", state.updated)
                .note("unchanged", state.unchanged)
                .note("skipped", state.errors.rows_affected()),
        )
        .await?;
        tx.commit().await?;
        self.db.analyze().await?;
        Ok(ImportOutcome {
            imported: state.imported,
            updated: state.updated,
            unchanged: state.unchanged,
            skipped: state.errors.sorted(),
        })
    }

    /// Validates and (when `write`) inserts one chunk. Organisations and
    /// people are validated without the database, checked for duplicates in
    /// one query, then written many rows per statement; history records need
    /// their owner's registration date, so they go row by row with a savepoint.
    async fn import_chunk(
        &self,
        tx: &mut Tx,
        kind: RecordKind,
        table: &Table,
        st: &mut ImportState,
        write: bool,
    ) -> Result<(), ImportError> {
        let Some(map) = st.map.as_ref() else {
            return Ok(());
        };
        let today = self.clock.today();
        match kind {
            RecordKind::Organizations => {
                // A registered credit code updates that organisation (the
                // export → edit in Excel → import round trip); the rest register.
                let codes: Vec<String> = table
                    .rows
                    .iter()
                    .map(|r| get(map, r, "credit_code").trim().to_uppercase())
                    .filter(|c| !c.is_empty())
                    .collect();
                let registered: HashSet<String> = self
                    .db
                    .existing_credit_codes(&codes)
                    .await?
                    .into_iter()
                    .collect();
                let mut fresh: Vec<&Row> = Vec::new();
                for row in &table.rows {
                    let code = get(map, row, "credit_code").trim().to_uppercase();
                    if !registered.contains(&code) {
                        fresh.push(row);
                    } else if !st.seen.insert(code.clone()) {
                        st.errors.push_invalid(
                            row,
                            duplicate_in_file("credit_code", "统一社会信用代码"),
                            map,
                        );
                    } else {
                        self.db.savepoint(tx).await?;
                        match self.import_org_update(tx, &code, map, row, st).await {
                            Ok(changed) => {
                                self.db.release_savepoint(tx).await?;
                                if changed {
                                    st.updated += 1;
                                } else {
                                    st.unchanged += 1;
                                }
                            }
                            Err(e) => {
                                self.db.rollback_savepoint(tx).await?;
                                st.errors.push_invalid(row, invalid_of(e)?, map);
                            }
                        }
                    }
                }
                let mut valid: Vec<(&Row, OrgDraft, Option<chrono::NaiveDate>)> = Vec::new();
                for row in fresh {
                    let checked = self
                        .validate_org_with(&org_input(map, row), &st.subdistricts)
                        .and_then(|d| {
                            let dereg = deregistration_of(map, row, d.registration_date)?;
                            Ok((dereg, d))
                        });
                    match checked {
                        Ok((dereg, d)) if st.seen.insert(d.credit_code.as_str().to_string()) => {
                            valid.push((row, d, dereg))
                        }
                        Ok(_) => st.errors.push_invalid(
                            row,
                            duplicate_in_file("credit_code", "统一社会信用代码"),
                            map,
                        ),
                        Err(e) => st.errors.push_invalid(row, invalid_of(e)?, map),
                    }
                }
                let codes: Vec<String> = valid
                    .iter()
                    .map(|(_, d, _)| d.credit_code.as_str().to_string())
                    .collect();
                let taken: HashSet<String> = self
                    .db
                    .existing_credit_codes(&codes)
                    .await?
                    .into_iter()
                    .collect();
                valid.retain(|(row, d, _)| {
                    let free = !taken.contains(d.credit_code.as_str());
                    if !free {
                        st.errors.push_invalid(
                            row,
                            already_registered("credit_code", "该统一社会信用代码已登记,不能重复"),
                            map,
                        );
                    }
                    free
                });
                if write {
                    let rows: Vec<OrgBulk> = valid
                        .iter()
                        .map(|(_, d, dereg)| OrgBulk {
                            draft: d,
                            current_rating: None,
                            deregistration_date: *dereg,
                            phone: seal_org_draft(&self.keys, d),
                        })
                        .collect();
                    self.db.bulk_insert_orgs(tx, &rows).await?;
                }
                st.imported += valid.len();
            }
            RecordKind::People => {
                // A row with a person's number (as exports write it) updates
                // that person; the rest register new people.
                let mut fresh: Vec<&Row> = Vec::new();
                for row in &table.rows {
                    let no = get(map, row, "person_no");
                    if no.trim().is_empty() {
                        fresh.push(row);
                        continue;
                    }
                    self.db.savepoint(tx).await?;
                    match self.import_person_update(tx, &no, map, row).await {
                        Ok(None) => {
                            // Not registered here (another registry's export).
                            self.db.release_savepoint(tx).await?;
                            fresh.push(row);
                        }
                        Ok(Some(changed)) => {
                            self.db.release_savepoint(tx).await?;
                            if changed {
                                st.updated += 1;
                            } else {
                                st.unchanged += 1;
                            }
                        }
                        Err(e) => {
                            self.db.rollback_savepoint(tx).await?;
                            st.errors.push_invalid(row, invalid_of(e)?, map);
                        }
                    }
                }
                // Duplicates are found by keyed hash: the plain number is not stored.
                let mut valid: Vec<(&Row, PersonDraft, String)> = Vec::new();
                for row in fresh {
                    let input = PersonInput {
                        name: get(map, row, "name"),
                        resident_id: get(map, row, "resident_id"),
                        phone: get(map, row, "phone"),
                        social_work_start_date: get(map, row, "social_work_start_date"),
                        supervisor: get(map, row, "supervisor"),
                    };
                    match input.validate(today) {
                        Ok(d) => {
                            let lookup = crate::people::resident_id_lookup(
                                &self.keys,
                                d.resident_id.as_str(),
                            );
                            if st.seen.insert(lookup.clone()) {
                                valid.push((row, d, lookup))
                            } else {
                                st.errors.push_invalid(
                                    row,
                                    duplicate_in_file("resident_id", "公民身份号码"),
                                    map,
                                )
                            }
                        }
                        Err(inv) => st.errors.push_invalid(row, inv, map),
                    }
                }
                let lookups: Vec<String> = valid.iter().map(|(_, _, l)| l.clone()).collect();
                let taken: HashSet<String> = self
                    .db
                    .existing_resident_lookups(&lookups)
                    .await?
                    .into_iter()
                    .collect();
                valid.retain(|(row, _, lookup)| {
                    let free = !taken.contains(lookup);
                    if !free {
                        st.errors.push_invalid(
                            row,
                            already_registered("resident_id", "该公民身份号码已登记,不能重复"),
                            map,
                        );
                    }
                    free
                });
                if write {
                    let rows: Vec<PersonBulk> = valid
                        .iter()
                        .map(|(_, d, _)| PersonBulk {
                            draft: d,
                            sealed: seal_draft(&self.keys, d),
                        })
                        .collect();
                    self.db.bulk_insert_people(tx, &rows).await?;
                }
                st.imported += valid.len();
            }
            k => {
                for row in &table.rows {
                    self.db.savepoint(tx).await?;
                    let r = if let Some(h) = history_input(k, map, row) {
                        self.add_history_tx(
                            tx,
                            &get(map, row, "credit_code"),
                            &h,
                            FactSource::Import,
                        )
                        .await
                    } else if let Some(p) = person_record_input(k, map, row) {
                        self.add_person_record_tx(
                            tx,
                            &get(map, row, "resident_id"),
                            &p,
                            FactSource::Import,
                        )
                        .await
                        .map(|(_, id)| id)
                    } else {
                        Err(AppError::NotFound)
                    };
                    match r {
                        Ok(_) => {
                            self.db.release_savepoint(tx).await?;
                            st.imported += 1;
                        }
                        Err(e) => {
                            self.db.rollback_savepoint(tx).await?;
                            st.errors.push_invalid(row, invalid_of(e)?, map);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Updates the registered organisation `code` from an import row. Cells
    /// of columns the file lacks keep their stored values; a row equal to
    /// what export writes changes nothing (`false`), and a masked phone sent
    /// back keeps the stored number.
    async fn import_org_update(
        &self,
        tx: &mut Tx,
        code: &str,
        map: &ColumnMap,
        row: &Row,
        st: &ImportState,
    ) -> Result<bool, AppError> {
        let current = self.org_tx(tx, code).await.map_err(|e| match e {
            AppError::NotFound => AppError::Invalid(Invalid::one(
                "credit_code",
                "organization.unknown",
                format!("统一社会信用代码“{code}”对应的组织不存在"),
            )),
            other => other,
        })?;
        let stored = org_cells(&current, current.contact_phone_masked.clone());
        let Some(cells) = overlay(RecordKind::Organizations, map, row, &stored) else {
            return Ok(false);
        };
        let cell = |key: &str| cell_at(RecordKind::Organizations, &cells, key);
        if cell("deregistration_date")
            != cell_at(RecordKind::Organizations, &stored, "deregistration_date")
        {
            return Err(Invalid::one(
                "deregistration_date",
                "organization.deregistration_by_act",
                "注销日期不能通过导入更改,须办理注销登记",
            )
            .into());
        }
        let input = OrgInput {
            credit_code: cell("credit_code"),
            name: cell("name"),
            kind: cell("kind"),
            community: cell("community"),
            fresh_graduate: cell("fresh_graduate"),
            subdistrict: cell("subdistrict"),
            registration_date: cell("registration_date"),
            registered_capital: cell("registered_capital"),
            service_fields: cell("service_fields"),
            address: cell("address"),
            legal_representative: cell("legal_representative"),
            contact_phone: cell("contact_phone"),
            status: cell("status"),
            stage: cell("stage"),
        };
        self.update_org_tx(tx, current, &input, &st.subdistricts)
            .await?;
        Ok(true)
    }

    /// Updates the person numbered `no` from an import row, on the same
    /// terms as [`Registry::import_org_update`]: the masked resident ID and
    /// phone an export wrote keep the stored numbers. `None`: no such person
    /// in the caller's scope, so the row registers one.
    async fn import_person_update(
        &self,
        tx: &mut Tx,
        no: &str,
        map: &ColumnMap,
        row: &Row,
    ) -> Result<Option<bool>, AppError> {
        let key = gongyi_domain::applications::parse_beneficiary(
            "person_no",
            gongyi_domain::policy::BeneficiaryKind::Person,
            no,
        )?;
        let Some(id) = gongyi_domain::applications::person_table_id(&key) else {
            return Ok(None);
        };
        // Outside the caller's scope reads as not registered: the row then
        // registers, and a number known elsewhere becomes a claim as on forms.
        let current = match self
            .db
            .person_sealed_tx(tx, id, &self.caller.scope, self.writable())
            .await
        {
            Ok(c) => c,
            Err(gongyi_store::StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let stored = person_cells(
            id,
            &current.name,
            current.resident_id_masked.clone(),
            current.phone_masked.clone(),
            current.social_work_start_date,
            current.supervisor,
        );
        let Some(cells) = overlay(RecordKind::People, map, row, &stored) else {
            return Ok(Some(false));
        };
        let cell = |key: &str| cell_at(RecordKind::People, &cells, key);
        let input = PersonInput {
            name: cell("name"),
            resident_id: cell("resident_id"),
            phone: cell("phone"),
            social_work_start_date: cell("social_work_start_date"),
            supervisor: cell("supervisor"),
        };
        self.update_person_tx(tx, id, current.version, &input)
            .await?;
        Ok(Some(true))
    }

    /// Calls `sink` with batches of export rows (cells in `kind.columns()`
    /// order). Personal data is masked unless `unmasked`.
    pub async fn export_rows(
        &self,
        kind: RecordKind,
        unmasked: bool,
        sink: &mut (dyn FnMut(Vec<Vec<String>>) -> Result<(), AppError> + Send),
    ) -> Result<usize, AppError> {
        const BATCH: i64 = 5_000;
        let mut count = 0;
        match kind {
            RecordKind::Organizations => {
                let mut after = String::new();
                loop {
                    let rows = self.db.orgs_after(&after, BATCH).await?;
                    let Some(last) = rows.last() else { break };
                    let mut phones: HashMap<String, String> = HashMap::new();
                    if unmasked {
                        for (code, sealed) in self
                            .db
                            .org_phones_sealed_between(&after, &last.credit_code)
                            .await?
                        {
                            if let Some(p) = open_opt(&self.keys, Some(&sealed))? {
                                phones.insert(code, p);
                            }
                        }
                    }
                    after = last.credit_code.clone();
                    count += rows.len();
                    sink(
                        rows.iter()
                            .map(|o| {
                                let phone = if unmasked {
                                    phones.remove(&o.credit_code)
                                } else {
                                    o.contact_phone_masked.clone()
                                };
                                org_cells(o, phone)
                            })
                            .collect(),
                    )?;
                }
            }
            RecordKind::People => {
                let mut after = 0;
                loop {
                    let rows = self.db.people_sealed_after(after, BATCH).await?;
                    let Some(last) = rows.last() else { break };
                    after = last.id;
                    count += rows.len();
                    let mut out = Vec::with_capacity(rows.len());
                    for p in &rows {
                        let (rid, phone) = if unmasked {
                            (
                                open_opt(&self.keys, p.resident_id_sealed.as_deref())?,
                                open_opt(&self.keys, p.phone_sealed.as_deref())?,
                            )
                        } else {
                            (p.resident_id_masked.clone(), p.phone_masked.clone())
                        };
                        out.push(person_cells(
                            p.id,
                            &p.name,
                            rid,
                            phone,
                            p.social_work_start_date,
                            p.supervisor,
                        ));
                    }
                    sink(out)?;
                }
            }
            k => {
                let mut after = 0;
                loop {
                    let rows = self
                        .db
                        .export_batch(k.name(), after, BATCH, unmasked)
                        .await?;
                    let Some(last) = rows.last() else { break };
                    after = last.0;
                    count += rows.len();
                    let keys = unmasked.then_some(&self.keys);
                    sink(
                        rows.into_iter()
                            .map(|(_, cells)| history_cells(k, cells, keys))
                            .collect::<Result<_, _>>()?,
                    )?;
                }
            }
        }
        if unmasked {
            // Full personal data left the registry: who, what, how much.
            self.audit_now(AuditEntry::new("export_unmasked", kind.name(), "").note("rows", count))
                .await?;
        }
        Ok(count)
    }
}

fn yes_no(b: bool) -> String {
    if b { "是" } else { "否" }.to_string()
}

/// The cells of a person (`rid` and `phone` masked or opened, as exported).
fn person_cells(
    id: i64,
    name: &str,
    rid: Option<String>,
    phone: Option<String>,
    start: Option<chrono::NaiveDate>,
    supervisor: bool,
) -> Vec<String> {
    vec![
        gongyi_domain::applications::person_key(id),
        name.to_string(),
        rid.unwrap_or_default(),
        phone.unwrap_or_default(),
        start.map(|d| d.to_string()).unwrap_or_default(),
        yes_no(supervisor),
    ]
}

/// The stored record's cells (in `kind.columns()` order) with the row's
/// cells laid over them for the columns the file has; `None` when nothing
/// differs (trimmed), so an unedited row of an export writes nothing.
fn overlay(kind: RecordKind, map: &ColumnMap, row: &Row, stored: &[String]) -> Option<Vec<String>> {
    let mut cells = stored.to_vec();
    let mut differs = false;
    for (i, spec) in kind.columns().iter().enumerate() {
        if let (Some(v), Some(slot)) = (map.cell(row, spec.key), cells.get_mut(i)) {
            if v.trim() != slot.trim() {
                differs = true;
                *slot = v.to_string();
            }
        }
    }
    differs.then_some(cells)
}

/// The cell of column `key` among `cells` in `kind.columns()` order, trimmed.
fn cell_at(kind: RecordKind, cells: &[String], key: &str) -> String {
    kind.columns()
        .iter()
        .position(|c| c.key == key)
        .and_then(|i| cells.get(i))
        .map(|c| c.trim().to_string())
        .unwrap_or_default()
}

/// The cells of an organisation, with its contact phone as it is to be
/// exported (masked, or opened for an unmasked export).
fn org_cells(o: &gongyi_store::orgs::OrgRow, phone: Option<String>) -> Vec<String> {
    vec![
        o.credit_code.clone(),
        o.name.clone(),
        o.kind.label().to_string(),
        yes_no(o.community),
        yes_no(o.fresh_graduate),
        o.subdistrict_name.clone(),
        o.registration_date.to_string(),
        Fen(o.registered_capital_fen).to_yuan_string(),
        o.service_fields.clone(),
        o.address.clone().unwrap_or_default(),
        o.legal_representative.clone().unwrap_or_default(),
        phone.unwrap_or_default(),
        o.status.label().to_string(),
        o.stage.map(|s| s.label().to_string()).unwrap_or_default(),
        o.deregistration_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
    ]
}

/// Opens a sealed value, if there is one.
fn open_opt(keys: &Keys, sealed: Option<&str>) -> Result<Option<String>, AppError> {
    sealed
        .map(|s| keys.open(s).map_err(AppError::from))
        .transpose()
}

/// Normalises exported text cells: booleans as 是/否, fen as yuan. Resident
/// IDs arrive masked, or sealed when `keys` are given to open them.
fn history_cells(
    kind: RecordKind,
    cells: Vec<Option<String>>,
    keys: Option<&Keys>,
) -> Result<Vec<String>, AppError> {
    let is_bool = |v: &str| matches!(v, "true" | "false" | "t" | "f" | "0" | "1");
    cells
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let v = c.unwrap_or_default();
            let key = kind.columns().get(i).map(|s| s.key).unwrap_or("");
            Ok(match key {
                "resident_id" => match keys {
                    Some(k) if !v.is_empty() => k.open(&v)?,
                    _ => v,
                },
                "has_party_org"
                | "in_charter"
                | "checked_at_registration"
                | "checked_at_inspection"
                | "checked_at_rating"
                | "labour_contract"
                | "full_time"
                | "serves_district"
                | "innovative_contribution"
                    if is_bool(&v) =>
                {
                    yes_no(matches!(v.as_str(), "true" | "t" | "1"))
                }
                "total_revenue"
                | "government_purchase"
                | "donations"
                | "business_income"
                | "expenditure"
                | "net_assets"
                | "rent_paid"
                | "requested"
                | "amount" => v
                    .parse::<i64>()
                    .map(|f| Fen(f).to_yuan_string())
                    .unwrap_or(v),
                // Scores are kept in tenths of a point.
                "score" => v
                    .parse::<u32>()
                    .map(|t| gongyi_domain::policy::facts::Score(t).to_string())
                    .unwrap_or(v),
                _ => v,
            })
        })
        .collect()
}

/// Writes csv (UTF-8 with BOM so Excel opens it) incrementally, guarding
/// cells a spreadsheet would run as formulas.
pub struct CsvSink<W: Write> {
    w: csv::Writer<W>,
}

impl<W: Write> CsvSink<W> {
    pub fn new(mut out: W, kind: RecordKind) -> std::io::Result<CsvSink<W>> {
        out.write_all("\u{feff}".as_bytes())?;
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        w.write_record(kind.columns().iter().map(|c| c.label))
            .map_err(std::io::Error::other)?;
        Ok(CsvSink { w })
    }

    pub fn write(&mut self, rows: Vec<Vec<String>>) -> Result<(), AppError> {
        for r in rows {
            self.w
                .write_record(r.iter().map(|c| formula::guard_csv(c).into_owned()))
                .map_err(|e| AppError::Export(e.into()))?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), AppError> {
        self.w.flush().map_err(|e| AppError::Export(e.into()))
    }
}
