//! `gongyi demo`: realistic, reproducible demo data.

use super::{progress_bar, CliError};
use crate::config::Config;
use gongyi_app::Registry;

/// The district's real scale: about 900 organisations and 1,400 social workers.
pub const DEFAULT_ORGS: usize = 900;
pub const DEFAULT_SEED: u64 = 2021;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Number of organisations.
    #[arg(long, default_value_t = DEFAULT_ORGS)]
    orgs: usize,
    /// Number of people (default: about 1.55 per organisation).
    #[arg(long)]
    people: Option<usize>,
    /// Random seed; the same seed gives the same data.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

pub async fn run(a: Args, cfg: &Config) -> Result<(), CliError> {
    let registry = super::registry(cfg).await?;
    if registry.count_orgs().await? > 0 {
        return Err(CliError(
            "数据库中已有社会组织数据;演示数据只能写入空数据库".into(),
        ));
    }
    let started = std::time::Instant::now();
    let counts = load_all(&registry, a.orgs, a.people, a.seed).await?;
    eprintln!(
        "已生成 {} 家社会组织、{} 名人员,用时 {:.1} 秒",
        counts.orgs,
        counts.people,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The registry and the facts the support rules read (`gongyi policy`), then
/// fresh planner statistics.
pub async fn load_all(
    registry: &Registry,
    orgs: usize,
    people: Option<usize>,
    seed: u64,
) -> Result<gongyi_app::demo::DemoCounts, CliError> {
    let counts = load(registry, orgs, people, seed).await?;
    let facts = registry.load_demo_policy_facts(seed, &|_| {}).await?;
    registry.refresh_statistics().await?;
    demo_accounts(registry).await?;
    let calls = registry.load_demo_calls().await?;
    eprintln!(
        "已生成引导目录项目 {} 个、政府购买服务项目 {} 个(各状态均有)",
        calls.items, calls.calls
    );
    eprintln!(
        "已生成扶持相关记录:房租 {} 条、开办补贴申请 {} 条、公益创投 {} 个、大赛获奖 {} 次、督导评审 {} 条、高级社工师评审 {} 条",
        facts.leases, facts.applications, facts.ventures, facts.wins, facts.reviews, facts.decisions
    );
    Ok(counts)
}

pub async fn load(
    registry: &Registry,
    orgs: usize,
    people: Option<usize>,
    seed: u64,
) -> Result<gongyi_app::demo::DemoCounts, CliError> {
    let bar = progress_bar(0, "生成演示数据");
    let counts = registry
        .load_demo(orgs, people, seed, &|done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .await?;
    bar.finish_and_clear();
    Ok(counts)
}

/// One account per role, each with a one-time password printed once: the
/// organisation account acts for the first organisation, the sub-district
/// officer for its sub-district.
pub async fn demo_accounts(registry: &Registry) -> Result<(), CliError> {
    use gongyi_app::security::accounts::AccountInput;
    use gongyi_domain::access::Role;
    let sub = registry.subdistricts().await?;
    // Demo data go into an empty database, so the first organisation has id 1.
    let first = registry.org_by_id(1).await.ok();
    let first_org = first
        .as_ref()
        .map(|o| o.credit_code.clone())
        .unwrap_or_default();
    // The officer acts for the first organisation's sub-district, so the
    // demo organisation's report reaches the demo officer.
    let first_sub = first
        .map(|o| o.subdistrict_code)
        .or_else(|| sub.first().map(|s| s.code.clone()))
        .unwrap_or_default();
    println!("演示账号(一次性密码仅显示这一次,首次登录后须修改):");
    for role in Role::ALL {
        let input = AccountInput {
            name: format!("demo-{}", role.code()),
            display_name: format!("演示{}", role.label()),
            role: role.code().into(),
            subdistrict: if *role == Role::Subdistrict {
                first_sub.clone()
            } else {
                String::new()
            },
            org: if *role == Role::Organisation {
                first_org.clone()
            } else {
                String::new()
            },
        };
        let issued = registry.create_account(&input).await?;
        println!(
            "  {:<22} {:<10} {}",
            issued.name,
            role.label(),
            issued.one_time_password
        );
    }
    Ok(())
}
