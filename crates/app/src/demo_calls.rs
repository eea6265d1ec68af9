//! Demo data of the guidance catalogue and of calls for purchased services:
//! the plan's four series (邻里守望, 共建共治共享, 共创平安, 文化铸魂) with
//! quotas, and calls in every state, each step taken through the use cases
//! by demo callers at a moment of the past (a registry on a fixed clock), so
//! bids are sealed, openings and awards audited, as in real use.

use crate::security::accounts::AccountInput;
use crate::security::Caller;
use crate::{Clock, Registry, Result};
use chrono::{DateTime, Duration, Utc};
use gongyi_domain::access::{Role, Scope};
use gongyi_domain::calls::{self as dc, CallInput};
use gongyi_domain::catalogue::{ItemInput, Quota};
use gongyi_domain::Fen;

/// The catalogue (series, item, service field) of the demo.
const ITEMS: &[(&str, &str, &str)] = &[
    ("邻里守望", "独居老人探访", "SOCIAL_SERVICE"),
    ("邻里守望", "社区志愿服务队", "SOCIAL_SERVICE"),
    ("共建共治共享", "社区协商议事", "SOCIAL_SERVICE"),
    ("共创平安", "楼组安全巡查", "SOCIAL_SERVICE"),
    ("文化铸魂", "社区文化节", "CULTURE"),
];

fn caller(name: &str, role: Role, scope: Scope) -> Caller {
    let mut c = Caller::system(name);
    c.role = role.code().into();
    c.scope = scope;
    c
}

/// Calls written by [`Registry::load_demo_calls`].
#[derive(Debug, Default, Clone, Copy)]
pub struct DemoCalls {
    pub items: usize,
    pub calls: usize,
}

impl Registry {
    /// At `self.clock`'s moment: the catalogue, three experts, and eight
    /// calls of the bureau and the first sub-district, one in each state.
    /// Organisations 1–4 bid (demo data go into an empty database).
    pub async fn load_demo_calls(&self) -> Result<DemoCalls> {
        let now = self.clock.now();
        let subs = self.db.subdistricts().await?;
        let Some(sub) = subs.first().map(|s| s.code.clone()) else {
            return Ok(DemoCalls::default());
        };
        let bureau = self.acting(caller("演示-区民政局", Role::Bureau, Scope::District));
        let mut items = Vec::new();
        for (series, name, field) in ITEMS {
            let i = ItemInput {
                series: (*series).into(),
                name: (*name).into(),
                service_field: (*field).into(),
                subdistricts: Vec::new(),
                description: Some(format!("{series}系列:{name}")),
            };
            let row = bureau.create_catalogue_item(&i).await?;
            for year in [
                dc::year_of(now - Duration::days(60)),
                dc::year_of(now + Duration::days(30)),
            ] {
                bureau
                    .set_catalogue_quota(
                        row.id,
                        &Quota {
                            year,
                            projects: 6,
                            amount: Fen::yuan(1_200_000),
                        },
                    )
                    .await?;
            }
            items.push(row.id);
        }
        for n in 1..=3 {
            let name = format!("demo-expert-{n}");
            if self.db.reviewer_names().await?.contains(&name) {
                continue;
            }
            self.create_account(&AccountInput {
                name,
                display_name: format!("演示评审专家{n}"),
                role: Role::Reviewer.code().into(),
                subdistrict: String::new(),
                org: String::new(),
            })
            .await?;
        }
        let experts = self.db.reviewer_names().await?;
        let orgs: Vec<i64> = (1..=4).collect();
        for id in &orgs {
            self.db.org_by_id(*id).await?;
        }
        let officer = self.acting(caller(
            "演示-街道",
            Role::Subdistrict,
            Scope::Subdistrict(sub.clone()),
        ));
        let at = |d: i64, h: i64| now + Duration::days(d) + Duration::hours(h);
        let on = |r: &Registry, t: DateTime<Utc>| r.clone().with_clock(Clock::fixed_at(t));
        let org = |id: i64| {
            self.acting(caller(
                &format!("演示-组织{id}"),
                Role::Organisation,
                Scope::Organisation(id),
            ))
        };
        let expert = |name: &str| self.acting(caller(name, Role::Reviewer, Scope::District));
        // (title, purchaser is the sub-district, item, days to the
        // deadline, budget in yuan, how far it goes)
        let plan: &[(&str, bool, usize, i64, i64, &str)] = &[
            ("独居老人探访服务", true, 0, -40, 150_000, "sign"),
            ("社区志愿服务队培育", false, 1, -6, 200_000, "award"),
            ("居民区协商议事会运营", true, 2, -2, 120_000, "score"),
            ("楼组安全巡查服务", false, 3, 10, 180_000, "bid"),
            ("社区文化节策划执行", true, 4, 20, 90_000, "publish"),
            ("睦邻点服务(草稿)", true, 0, 30, 60_000, "draft"),
            ("老年助餐点运营(已撤销)", false, 0, 25, 100_000, "cancel"),
            ("心理疏导服务(流标)", false, 2, -3, 80_000, "none"),
        ];
        for (title, by_sub, item, days, budget, until) in plan {
            let buyer = if *by_sub { &officer } else { &bureau };
            let bids_until = at(*days, 0);
            let created = bids_until - Duration::days(20);
            let input = CallInput {
                title: (*title).into(),
                item_id: items[*item],
                subdistrict: sub.clone(),
                place: Some("第一居民区".into()),
                budget: Fen::yuan(*budget),
                requirements: format!(
                    "{title}:按引导目录要求提供服务,配备专职社工,按月报送服务记录。"
                ),
                criteria: dc::parse_criteria(&dc::criteria_lines(
                    "服务方案 50\n项目团队 20\n报价 30",
                ))?,
                enquiries_until: created + Duration::days(7),
                bids_until,
                standstill_days: 5,
            };
            let call = on(buyer, created).create_call(&input).await?;
            if *until == "draft" {
                continue;
            }
            on(buyer, created + Duration::hours(1))
                .call_step(call.id, "publish", "")
                .await?;
            if *until == "cancel" {
                on(buyer, created + Duration::days(2))
                    .call_step(call.id, "cancel", "服务需求调整")
                    .await?;
                continue;
            }
            if matches!(*until, "publish" | "none") {
                continue;
            }
            on(&bureau, created + Duration::days(1))
                .draw_panel(call.id, &experts.len().min(3).to_string())
                .await?;
            for (n, o) in orgs.iter().enumerate() {
                let price = Fen::yuan(*budget * (85 + 4 * n as i64) / 100);
                on(
                    &org(*o),
                    created + Duration::days(8) + Duration::hours(n as i64),
                )
                .submit_bid(call.id, |k| match k {
                    "price" => price.to_yuan_string(),
                    "proposal" => format!("{title}服务方案:需求评估、每周服务、季度评估。"),
                    "team" => format!("项目主管 1 名,社工 {} 名,志愿者 20 名", 2 + n),
                    _ => String::new(),
                })
                .await?;
            }
            if *until == "bid" {
                continue;
            }
            let opened = bids_until + Duration::hours(1);
            on(buyer, opened).call_step(call.id, "open", "").await?;
            let page = on(&bureau, opened).call_page(call.id).await?;
            for (e, name) in page.panel.iter().enumerate() {
                for (n, b) in page.bids.iter().enumerate() {
                    if *until == "score" && e > 0 {
                        break;
                    }
                    let points = (90 - 5 * n as i64 - e as i64).to_string();
                    on(&expert(name), opened + Duration::hours(2))
                        .score_bid(call.id, &b.id.to_string(), |k| {
                            if k.starts_with("score_") {
                                points.clone()
                            } else {
                                "方案完整,团队稳定".into()
                            }
                        })
                        .await?;
                }
            }
            if *until == "score" {
                continue;
            }
            let awarded = opened + Duration::days(1);
            on(buyer, awarded).call_step(call.id, "award", "").await?;
            if *until == "sign" {
                on(buyer, awarded + Duration::days(6))
                    .call_step(call.id, "sign", "")
                    .await?;
            }
        }
        Ok(DemoCalls {
            items: items.len(),
            calls: plan.len(),
        })
    }
}
