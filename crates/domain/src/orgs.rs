//! 社会组织 (social organisation): its kind, status and stage, and the
//! validation of its registration record.
//!
//! Reference data that the bureau edits (sub-districts, service fields) is
//! checked by the store against its tables; this module only checks shape.

use crate::credit_code::CreditCode;
use crate::error::Invalid;
use crate::money::Fen;
use crate::policy::registration;
use crate::text::{self, limits, parse_phone};
use crate::vocabulary::vocabulary;
use chrono::NaiveDate;

vocabulary! {
    /// The three legal forms of social organisation.
    OrgKind, "组织类型" {
        SocialGroup => "SOCIAL_GROUP", "社会团体";
        PrivateNonEnterprise => "PRIVATE_NON_ENTERPRISE", "民办非企业单位";
        Foundation => "FOUNDATION", "基金会";
    }
}

impl OrgKind {
    /// The category digit (second character) of its credit code.
    pub fn credit_code_category(self) -> char {
        match self {
            OrgKind::SocialGroup => '1',
            OrgKind::PrivateNonEnterprise => '2',
            OrgKind::Foundation => '3',
        }
    }
}

vocabulary! {
    /// Registration and credit status.
    OrgStatus, "登记状态" {
        Normal => "NORMAL", "正常";
        AbnormalList => "ABNORMAL_LIST", "列入活动异常名录";
        SeriousDishonesty => "SERIOUS_DISHONESTY", "列入严重违法失信名单";
        Revoked => "REVOKED", "撤销登记";
        Deregistered => "DEREGISTERED", "注销";
    }
}

vocabulary! {
    /// Development stage, used by the incubation spaces (二(二)1).
    Stage, "发展阶段" {
        Startup => "STARTUP", "初创";
        Growing => "GROWING", "成长";
        Mature => "MATURE", "成熟";
    }
}

vocabulary! {
    /// An organisation's registration facts (登记事项): what its registering
    /// authority records, and alone may change (issue 11). The credit code
    /// is one of them; the registry keys everything on the table id, so a
    /// change of code changes no entitlement.
    RegistrationField, "登记事项" {
        CreditCode => "credit_code", "统一社会信用代码";
        Name => "name", "组织名称";
        Kind => "kind", "组织类型";
        Community => "community", "社区社会组织";
        FreshGraduate => "fresh_graduate", "应届大学生举办";
        Subdistrict => "subdistrict", "所属街道";
        RegistrationDate => "registration_date", "登记日期";
        RegisteredCapital => "registered_capital", "注册资金";
        Status => "status", "登记状态";
    }
}

/// An organisation's registration facts, for finding which of them an edit
/// changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub credit_code: String,
    pub name: String,
    pub kind: OrgKind,
    pub community: bool,
    pub fresh_graduate: bool,
    pub subdistrict: String,
    pub registration_date: NaiveDate,
    pub registered_capital: Fen,
    pub status: OrgStatus,
}

impl Registration {
    pub fn of_draft(d: &OrgDraft) -> Registration {
        Registration {
            credit_code: d.credit_code.as_str().to_string(),
            name: d.name.clone(),
            kind: d.kind,
            community: d.community,
            fresh_graduate: d.fresh_graduate,
            subdistrict: d.subdistrict.clone(),
            registration_date: d.registration_date,
            registered_capital: d.registered_capital,
            status: d.status,
        }
    }

    /// Each fact as displayed (labels, yuan, 是/否).
    fn shown(&self) -> [(RegistrationField, String); 9] {
        let yes_no = |b: bool| if b { "是" } else { "否" }.to_string();
        [
            (RegistrationField::CreditCode, self.credit_code.clone()),
            (RegistrationField::Name, self.name.clone()),
            (RegistrationField::Kind, self.kind.label().into()),
            (RegistrationField::Community, yes_no(self.community)),
            (
                RegistrationField::FreshGraduate,
                yes_no(self.fresh_graduate),
            ),
            (RegistrationField::Subdistrict, self.subdistrict.clone()),
            (
                RegistrationField::RegistrationDate,
                self.registration_date.to_string(),
            ),
            (
                RegistrationField::RegisteredCapital,
                self.registered_capital.to_yuan_string(),
            ),
            (RegistrationField::Status, self.status.label().into()),
        ]
    }

    /// The facts `after` changes: (fact, before, after), as displayed.
    pub fn changes(&self, after: &Registration) -> Vec<(RegistrationField, String, String)> {
        self.shown()
            .into_iter()
            .zip(after.shown())
            .filter(|((_, a), (_, b))| a != b)
            .map(|((f, a), (_, b))| (f, a, b))
            .collect()
    }
}

/// The administrative division of Yangpu; codes with it in positions 3–8
/// were registered by the district bureau.
pub const DISTRICT_DIVISION: &str = "310110";

/// An organisation's registration record as typed (form, API body or import
/// row): every field is text so that a refused form can be shown again as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgInput {
    pub credit_code: String,
    pub name: String,
    pub kind: String,
    pub community: String,
    pub fresh_graduate: String,
    pub subdistrict: String,
    pub registration_date: String,
    /// In yuan, as people write it ("30000", "30,000.00").
    pub registered_capital: String,
    /// Service field codes or names, separated by `;`, `、`, `,` or `|`.
    pub service_fields: String,
    pub address: String,
    pub legal_representative: String,
    pub contact_phone: String,
    pub status: String,
    pub stage: String,
}

/// A validated organisation record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgDraft {
    pub credit_code: CreditCode,
    pub name: String,
    pub kind: OrgKind,
    pub community: bool,
    pub fresh_graduate: bool,
    pub subdistrict: String,
    pub registration_date: NaiveDate,
    pub registered_capital: Fen,
    pub service_fields: Vec<String>,
    pub address: Option<String>,
    pub legal_representative: Option<String>,
    pub contact_phone: Option<String>,
    pub status: OrgStatus,
    pub stage: Option<Stage>,
}

impl OrgDraft {
    /// Registered by the district bureau (division code in the credit code).
    pub fn in_district(&self) -> bool {
        self.credit_code.division() == DISTRICT_DIVISION
    }
}

/// Splits a list typed in one cell.
pub fn split_list(s: &str) -> Vec<String> {
    s.split([';', '；', '、', ',', '，', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

impl OrgInput {
    /// Validates every field and reports all failures at once.
    pub fn validate(&self) -> Result<OrgDraft, Invalid> {
        use limits::*;
        let mut errs = Invalid::default();
        let credit_code = errs.take(CreditCode::parse(&self.credit_code));
        let name = errs.take(text::bounded("name", "组织名称", &self.name, NAME, true));
        let kind = errs.take(OrgKind::parse("kind", &self.kind));
        let community = errs.take(text::flag("community", "是否社区社会组织", &self.community));
        let fresh_graduate = errs.take(text::flag(
            "fresh_graduate",
            "是否应届大学生创办",
            &self.fresh_graduate,
        ));
        let subdistrict = errs.take(text::bounded(
            "subdistrict",
            "所属街道",
            &self.subdistrict,
            50,
            true,
        ));
        let registration_date = errs.take(text::date(
            "registration_date",
            "登记日期",
            &self.registration_date,
        ));
        let registered_capital = errs.take(Fen::parse_yuan(
            "registered_capital",
            &self.registered_capital,
        ));
        let address = errs.take(text::optional("address", "住所", &self.address, ADDRESS));
        let legal_representative = errs.take(text::optional(
            "legal_representative",
            "法定代表人",
            &self.legal_representative,
            PERSON_NAME,
        ));
        let contact_phone = errs.take(parse_phone("contact_phone", &self.contact_phone));
        let status = if self.status.trim().is_empty() {
            Some(OrgStatus::Normal)
        } else {
            errs.take(OrgStatus::parse("status", &self.status))
        };
        let stage = errs.take(Stage::parse_optional("stage", &self.stage));
        let service_fields = split_list(&self.service_fields);
        if let (Some(code), Some(kind)) = (&credit_code, kind) {
            errs.take(code.check_kind(kind));
        }
        // Each field is `Some` unless its error was taken.
        let draft = (|| {
            Some(OrgDraft {
                credit_code: credit_code?,
                name: name?,
                kind: kind?,
                community: community?,
                fresh_graduate: fresh_graduate?,
                subdistrict: subdistrict?,
                registration_date: registration_date?,
                registered_capital: registered_capital?,
                service_fields,
                address: address?,
                legal_representative: legal_representative?,
                contact_phone: contact_phone?,
                status: status?,
                stage: stage?,
            })
        })();
        let Some(draft) = draft else {
            return Err(errs);
        };
        errs.take(check_registered_capital(&draft));
        errs.into_result().map(|()| draft)
    }
}

/// R1 (三(一)1): a district organisation registered while a policy version is
/// in force needs at least its minimum registered capital.
pub fn check_registered_capital(d: &OrgDraft) -> Result<(), Invalid> {
    if !d.in_district() {
        return Ok(());
    }
    let Some(check) = registration::check_capital(
        d.registration_date,
        d.kind,
        d.community,
        d.fresh_graduate,
        d.registered_capital,
    ) else {
        return Ok(());
    };
    if check.ok {
        return Ok(());
    }
    Err(Invalid::one(
        "registered_capital",
        "registered_capital.below_minimum",
        format!(
            "注册资金 {} 低于最低要求 {}({}:{})",
            d.registered_capital.shown(),
            check.minimum.shown(),
            check.clause,
            check.reason
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_changes_name_each_changed_fact_as_displayed() {
        let before = Registration::of_draft(&input().validate().expect("valid"));
        let mut after = before.clone();
        assert!(before.changes(&after).is_empty());
        after.name = "新名称".into();
        after.registered_capital = Fen::yuan(40_000);
        after.community = false;
        let changed: Vec<_> = before
            .changes(&after)
            .into_iter()
            .map(|(f, a, b)| format!("{}:{a}→{b}", f.code()))
            .collect();
        assert_eq!(
            changed,
            [
                "name:上海市杨浦区长海路恒爱助老发展中心→新名称",
                "community:是→否",
                format!(
                    "registered_capital:{}→40000.00",
                    before.registered_capital.to_yuan_string()
                )
                .as_str(),
            ]
        );
    }

    pub(crate) fn input() -> OrgInput {
        OrgInput {
            credit_code: "52310110MJ85999855".into(),
            name: "上海市杨浦区长海路恒爱助老发展中心".into(),
            kind: "民办非企业单位".into(),
            community: "是".into(),
            fresh_graduate: "否".into(),
            subdistrict: "310110021".into(),
            registration_date: "2024-03-01".into(),
            registered_capital: "60000".into(),
            service_fields: "社会服务;卫生".into(),
            address: "上海市杨浦区长海路 1 号".into(),
            legal_representative: "王芳".into(),
            contact_phone: "13812345678".into(),
            status: "".into(),
            stage: "初创".into(),
        }
    }

    #[test]
    fn a_complete_record_validates() {
        let d = input().validate().expect("valid");
        assert_eq!(d.kind, OrgKind::PrivateNonEnterprise);
        assert_eq!(d.registered_capital, Fen::yuan(60_000));
        assert_eq!(d.service_fields, vec!["社会服务", "卫生"]);
        assert_eq!(d.status, OrgStatus::Normal);
        assert!(d.in_district());
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let mut i = input();
        i.credit_code = "52310110MJ85999856".into();
        i.name = "".into();
        i.registration_date = "2024-02-30".into();
        i.contact_phone = "12ab".into();
        let e = i.validate().unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["credit_code", "name", "registration_date", "contact_phone"]
        );
    }

    #[test]
    fn a_kind_that_contradicts_the_credit_code_is_refused() {
        let mut i = input();
        i.kind = "基金会".into();
        assert_eq!(
            i.validate().unwrap_err().0[0].code,
            "credit_code.kind_mismatch"
        );
    }

    #[test]
    fn capital_below_the_r1_minimum_is_refused_naming_the_rule() {
        let mut i = input();
        i.registered_capital = "29999.99".into();
        let e = i.validate().unwrap_err();
        assert_eq!(e.0[0].code, "registered_capital.below_minimum");
        assert!(e.0[0].message.contains("三(一)1"), "{}", e.0[0].message);
        i.fresh_graduate = "是".into();
        assert!(
            i.validate().is_ok(),
            "a fresh graduate's community organisation needs 5,000 yuan"
        );
    }

    #[test]
    fn vocabularies_accept_codes_and_labels() {
        assert_eq!(OrgKind::parse("k", "foundation"), Ok(OrgKind::Foundation));
        assert_eq!(OrgKind::parse("k", "社会团体"), Ok(OrgKind::SocialGroup));
        assert!(OrgKind::parse("k", "公司").unwrap_err().0[0]
            .message
            .contains("社会团体"));
    }
}
