//! The guidance catalogue (引导目录, 二(三)3): series of items such as
//! 邻里守望, 共建共治共享, 共创平安, 文化铸魂 that steer what the district buys
//! from social organisations. Each item names its service field and the
//! sub-districts it serves, and carries a quota per year (how many projects
//! and how much money). Every call for purchased services names one item.
//!
//! Pure: validation of what the bureau types, and the quota check a call's
//! publication passes. What was called and awarded is counted by the store.

use crate::error::Invalid;
use crate::money::Fen;
use crate::text;

/// An item as typed by the bureau.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemInput {
    /// The series (系列), e.g. 邻里守望.
    pub series: String,
    pub name: String,
    /// A code of the reference table `service_fields`.
    pub service_field: String,
    /// Codes of the sub-districts served; empty means the whole district.
    pub subdistricts: Vec<String>,
    pub description: Option<String>,
}

impl ItemInput {
    /// Checks the text fields; whether the codes exist is the app's check
    /// against the reference data.
    pub fn validate(
        get: impl Fn(&str) -> String,
        subdistricts: &[String],
    ) -> Result<ItemInput, Invalid> {
        let mut e = Invalid::default();
        let series = e.take(text::bounded("series", "系列", &get("series"), 40, true));
        let name = e.take(text::bounded("name", "项目名称", &get("name"), 80, true));
        let field = e.take(text::bounded(
            "service_field",
            "服务领域",
            &get("service_field"),
            40,
            true,
        ));
        let description = e.take(text::optional(
            "description",
            "说明",
            &get("description"),
            2000,
        ));
        let mut subs: Vec<String> = subdistricts
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        subs.sort();
        subs.dedup();
        let (Some(series), Some(name), Some(service_field), Some(description)) =
            (series, name, field, description)
        else {
            return Err(e);
        };
        e.into_result()?;
        Ok(ItemInput {
            series,
            name,
            service_field,
            subdistricts: subs,
            description,
        })
    }
}

/// An item's quota for one year: projects and money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub year: i32,
    pub projects: i64,
    pub amount: Fen,
}

impl Quota {
    /// The year, a whole number of projects (at least one) and an amount in yuan.
    pub fn parse(year: &str, projects: &str, amount: &str) -> Result<Quota, Invalid> {
        let mut e = Invalid::default();
        let y = e.take(text::year("year", "年度", year));
        let p = e.take(if projects.trim().is_empty() {
            Err(Invalid::one("projects", "text.required", "请填写项目数"))
        } else {
            text::count("projects", "项目数", projects)
        });
        let a = e.take(Fen::parse_yuan("amount", amount));
        let (Some(year), Some(projects), Some(amount)) = (y, p, a) else {
            return Err(e);
        };
        if projects == 0 || amount == Fen::ZERO {
            return Err(Invalid::one(
                "projects",
                "catalogue.quota_empty",
                "额度的项目数和金额都应大于零",
            ));
        }
        Ok(Quota {
            year,
            projects,
            amount,
        })
    }
}

/// What an item's year already holds: calls published (not cancelled) and
/// the sum of their budget caps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Used {
    pub projects: i64,
    pub amount: Fen,
}

/// A refusal with a stable code and the reason in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaRefusal {
    pub code: &'static str,
    pub message: String,
}

/// Whether one more call of `budget` fits the item's quota of the year:
/// 二(三)3 steers purchases by the catalogue, so a call outside its quota (or
/// for a year without one) is not published.
pub fn check_quota(
    quota: Option<Quota>,
    used: Used,
    budget: Fen,
    year: i32,
) -> Result<(), QuotaRefusal> {
    let Some(q) = quota else {
        return Err(QuotaRefusal {
            code: "catalogue.no_quota",
            message: format!("该目录项目未设定 {year} 年度额度,不能发布"),
        });
    };
    if used.projects + 1 > q.projects {
        return Err(QuotaRefusal {
            code: "catalogue.quota_projects",
            message: format!(
                "该目录项目 {year} 年度额度为 {} 个项目,已发布 {} 个",
                q.projects, used.projects
            ),
        });
    }
    if used.amount + budget > q.amount {
        return Err(QuotaRefusal {
            code: "catalogue.quota_amount",
            message: format!(
                "该目录项目 {year} 年度额度为 {},已发布 {},本项目预算 {} 超出额度",
                q.amount.shown(),
                used.amount.shown(),
                budget.shown()
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> String + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
                .unwrap_or_default()
        }
    }

    #[test]
    fn an_item_needs_series_name_and_field_and_keeps_each_subdistrict_once() {
        let ok = ItemInput::validate(
            get(&[
                ("series", "邻里守望"),
                ("name", "独居老人探访"),
                ("service_field", "elderly"),
            ]),
            &["310110012".into(), " 310110012".into(), "".into()],
        )
        .expect("valid");
        assert_eq!(ok.subdistricts, vec!["310110012".to_string()]);
        let bad = ItemInput::validate(get(&[]), &[]).expect_err("empty");
        let fields: Vec<&str> = bad.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["series", "name", "service_field"]);
    }

    #[test]
    fn a_call_is_published_only_within_the_quota_of_its_year() {
        let q = Quota::parse("2026", "2", "100000").expect("valid");
        let used = Used {
            projects: 1,
            amount: Fen::yuan(60_000),
        };
        assert!(check_quota(Some(q), used, Fen::yuan(40_000), 2026).is_ok());
        assert_eq!(
            check_quota(Some(q), used, Fen::yuan(40_001), 2026)
                .expect_err("over")
                .code,
            "catalogue.quota_amount"
        );
        let full = Used {
            projects: 2,
            amount: Fen::ZERO,
        };
        assert_eq!(
            check_quota(Some(q), full, Fen(1), 2026)
                .expect_err("full")
                .code,
            "catalogue.quota_projects"
        );
        assert_eq!(
            check_quota(None, Used::default(), Fen(1), 2027)
                .expect_err("none")
                .code,
            "catalogue.no_quota"
        );
        assert!(Quota::parse("2026", "0", "1").is_err());
    }
}
