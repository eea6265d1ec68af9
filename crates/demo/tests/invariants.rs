//! Demo data passes the domain's own validation, is reproducible, and looks
//! like the district. Each record is turned back into the text a person
//! would type and validated through the same `…Input::validate` paths as a
//! form or an import.

use chrono::{Datelike, NaiveDate};
use gongyi_demo::{organizations, people, DemoConfig, DemoOrg, DemoPerson};
use gongyi_domain::history::{
    CreditEntryInput, FinanceInput, HonourInput, InspectionInput, InspectionResult,
    PartyBuildingInput, RatingInput, RatingLevel,
};
use gongyi_domain::orgs::{check_registered_capital, OrgInput, OrgKind, OrgStatus};
use gongyi_domain::people::{
    check_no_overlapping_full_time, EmploymentInput, PersonInput, QualificationInput,
};
use gongyi_domain::resident_id::Sex;
use std::collections::{HashMap, HashSet};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 15).expect("date")
}

fn flag(b: bool) -> String {
    if b { "是" } else { "否" }.into()
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Checks one organisation; returns what is wrong with it, if anything.
fn check_org(o: &DemoOrg, cfg: &DemoConfig) -> Result<(), String> {
    let d = &o.draft;
    let reg = d.registration_date;
    let input = OrgInput {
        credit_code: d.credit_code.to_string(),
        name: d.name.clone(),
        kind: d.kind.label().into(),
        community: flag(d.community),
        fresh_graduate: flag(d.fresh_graduate),
        subdistrict: d.subdistrict.clone(),
        registration_date: reg.to_string(),
        registered_capital: d.registered_capital.to_yuan_string(),
        service_fields: d.service_fields.join(";"),
        address: d.address.clone().unwrap_or_default(),
        legal_representative: d.legal_representative.clone().unwrap_or_default(),
        contact_phone: d.contact_phone.clone().unwrap_or_default(),
        status: d.status.label().into(),
        stage: d.stage.map(|s| s.label().to_string()).unwrap_or_default(),
    };
    let back = input.validate().map_err(|e| format!("draft: {e}"))?;
    if &back != d {
        return Err(format!("draft changed on the way back: {back:?}"));
    }
    check_registered_capital(d).map_err(|e| e.to_string())?;
    d.credit_code
        .check_kind(d.kind)
        .map_err(|e| e.to_string())?;
    if !d.in_district() {
        return Err("not a district code".into());
    }
    if reg > cfg.today {
        return Err("registered in the future".into());
    }
    if !cfg.subdistricts.iter().any(|(c, _)| *c == d.subdistrict) {
        return Err(format!("unknown sub-district {}", d.subdistrict));
    }
    let fields: HashSet<&String> = d.service_fields.iter().collect();
    if !(1..=3).contains(&d.service_fields.len()) || fields.len() != d.service_fields.len() {
        return Err(format!("service fields {:?}", d.service_fields));
    }
    if !d
        .service_fields
        .iter()
        .all(|f| cfg.service_fields.iter().any(|(c, _)| c == f))
    {
        return Err(format!("unknown service field in {:?}", d.service_fields));
    }
    let endings: &[&str] = match d.kind {
        OrgKind::SocialGroup => &["协会", "促进会", "联合会", "商会", "研究会"],
        OrgKind::PrivateNonEnterprise => &["中心", "服务社", "工作室", "学校", "幼儿园", "服务站"],
        OrgKind::Foundation => &["基金会"],
    };
    if !d.name.starts_with("上海市杨浦区") || !endings.iter().any(|e| d.name.ends_with(e)) {
        return Err(format!("name {}", d.name));
    }
    if let Some(a) = &d.address {
        if !a.starts_with("上海市杨浦区") {
            return Err(format!("address {a}"));
        }
    }
    let ended = matches!(d.status, OrgStatus::Deregistered | OrgStatus::Revoked);
    if ended != o.ended_on.is_some() {
        return Err("ended_on does not match the status".into());
    }
    // Nothing dated on or after the end, nor after today.
    let last_day = o
        .ended_on
        .map(|e| e.pred_opt().unwrap_or(e))
        .unwrap_or(cfg.today);
    let in_life = |what: &str, day: NaiveDate| {
        if day < reg || day > last_day {
            Err(format!("{what} dated {day}, outside {reg}..={last_day}"))
        } else {
            Ok(())
        }
    };

    let mut years = HashSet::new();
    for i in &o.inspections {
        let v = InspectionInput {
            year: i.year.to_string(),
            result: i.result.label().into(),
            date: opt_date(i.date),
        }
        .validate(reg)
        .map_err(|e| format!("inspection {}: {e}", i.year))?;
        if &v != i || !years.insert(i.year) || i.year >= cfg.today.year() {
            return Err(format!("inspection {i:?}"));
        }
        if (i.result == InspectionResult::NotInspected) != i.date.is_none() {
            return Err(format!("inspection date {i:?}"));
        }
        if let Some(day) = i.date {
            in_life("inspection", day)?;
        }
    }
    for r in &o.ratings {
        let v = RatingInput {
            level: r.level.label().into(),
            date: r.date.to_string(),
        }
        .validate(reg)
        .map_err(|e| format!("rating: {e}"))?;
        if &v != r {
            return Err(format!("rating {r:?}"));
        }
        in_life("rating", r.date)?;
    }
    if o.ratings.windows(2).any(|w| w[0].date >= w[1].date) {
        return Err("ratings out of order".into());
    }
    let mut honours = HashSet::new();
    for h in &o.honours {
        let v = HonourInput {
            title: h.title.clone(),
            level: h.level.label().into(),
            date: h.date.to_string(),
        }
        .validate(reg)
        .map_err(|e| format!("honour: {e}"))?;
        if &v != h || !honours.insert((h.title.clone(), h.date.year())) {
            return Err(format!("honour {h:?}"));
        }
        in_life("honour", h.date)?;
    }
    for c in &o.credit_entries {
        let v = CreditEntryInput {
            list: c.list.label().into(),
            reason: c.reason.clone(),
            listed_date: c.listed_date.to_string(),
            removed_date: opt_date(c.removed_date),
        }
        .validate(reg)
        .map_err(|e| format!("credit entry: {e}"))?;
        if &v != c || c.listed_date > cfg.today || c.removed_date.is_some_and(|r| r > cfg.today) {
            return Err(format!("credit entry {c:?}"));
        }
    }
    let listed_now = o.credit_entries.iter().any(|c| c.removed_date.is_none());
    let needs_entry = matches!(
        d.status,
        OrgStatus::AbnormalList | OrgStatus::SeriousDishonesty | OrgStatus::Revoked
    );
    if needs_entry != listed_now {
        return Err(format!(
            "status {:?} with entries {:?}",
            d.status, o.credit_entries
        ));
    }
    for p in &o.party_building {
        let v = PartyBuildingInput {
            date: p.date.to_string(),
            has_party_org: flag(p.has_party_org),
            form: p.form.map(|f| f.label().to_string()).unwrap_or_default(),
            members: p.members.to_string(),
            in_charter: flag(p.in_charter),
            checked_at_registration: flag(p.checked_at_registration),
            checked_at_inspection: flag(p.checked_at_inspection),
            checked_at_rating: flag(p.checked_at_rating),
        }
        .validate(reg)
        .map_err(|e| format!("party building: {e}"))?;
        if &v != p {
            return Err(format!("party building {p:?}"));
        }
        in_life("party building", p.date)?;
    }
    for f in &o.finances {
        let v = FinanceInput {
            year: f.year.to_string(),
            total_revenue: f.total_revenue.to_yuan_string(),
            government_purchase: f.government_purchase.to_yuan_string(),
            donations: f.donations.to_yuan_string(),
            business_income: f.business_income.to_yuan_string(),
            expenditure: f.expenditure.to_yuan_string(),
            net_assets: f.net_assets.to_yuan_string(),
            staff: f.staff.to_string(),
            volunteers: f.volunteers.to_string(),
            volunteer_hours: f.volunteer_hours.to_string(),
        }
        .validate(reg)
        .map_err(|e| format!("finance {}: {e}", f.year))?;
        if &v != f || f.year >= cfg.today.year() {
            return Err(format!("finance {f:?}"));
        }
        if o.ended_on.is_some_and(|e| f.year >= e.year()) {
            return Err(format!("finance after the end {f:?}"));
        }
    }
    let mut months = HashSet::new();
    for (y, m, rent) in &o.leases {
        let first = NaiveDate::from_ymd_opt(*y, *m, 1).ok_or("lease month")?;
        if rent.get() <= 0 || !months.insert((y, m)) || first > cfg.today {
            return Err(format!("lease {y}-{m} {rent}"));
        }
        if (*y, *m) < (reg.year(), reg.month()) {
            return Err(format!("lease before registration {y}-{m}"));
        }
    }
    Ok(())
}

fn check_person(p: &DemoPerson, cfg: &DemoConfig, orgs: &[DemoOrg]) -> Result<(), String> {
    let d = &p.draft;
    let back = PersonInput {
        name: d.name.clone(),
        resident_id: d.resident_id.as_str().into(),
        phone: d.phone.clone().unwrap_or_default(),
        social_work_start_date: opt_date(d.social_work_start_date),
        supervisor: flag(d.supervisor),
    }
    .validate(cfg.today)
    .map_err(|e| format!("person: {e}"))?;
    if &back != d {
        return Err(format!("person changed on the way back: {back:?}"));
    }
    let birth = d.resident_id.birth_date();
    let age = gongyi_domain::dates::full_years(birth, cfg.today);
    if !(21..=65).contains(&age) {
        return Err(format!("age {age}"));
    }
    for q in &p.qualifications {
        let v = QualificationInput {
            level: q.level.label().into(),
            certificate_no: q.certificate_no.clone(),
            date: q.date.to_string(),
        }
        .validate(birth, cfg.today)
        .map_err(|e| format!("qualification: {e}"))?;
        if &v != q || gongyi_domain::dates::full_years(birth, q.date) < 22 {
            return Err(format!("qualification {q:?}"));
        }
    }
    if p.qualifications.windows(2).any(|w| w[0].date > w[1].date) {
        return Err("qualifications out of order".into());
    }
    let mut held = Vec::new();
    for (org, e) in &p.employments {
        let v = EmploymentInput {
            org_credit_code: String::new(),
            start_date: e.start_date.to_string(),
            end_date: opt_date(e.end_date),
            labour_contract: flag(e.labour_contract),
            full_time: flag(e.full_time),
            position: e.position.clone().unwrap_or_default(),
        }
        .validate()
        .map_err(|err| format!("employment: {err}"))?;
        if &v != e {
            return Err(format!("employment {e:?}"));
        }
        check_no_overlapping_full_time(e, &held).map_err(|err| err.to_string())?;
        held.push(e.clone());
        let o = orgs
            .get(*org)
            .ok_or("employment at an unknown organisation")?;
        if o.index != *org {
            return Err("organisation index".into());
        }
        if e.start_date < o.draft.registration_date || e.start_date > cfg.today {
            return Err(format!(
                "employment starts {} at {}",
                e.start_date, o.draft.name
            ));
        }
        if let Some(end) = o.ended_on {
            if e.end_date.is_none_or(|x| x >= end) {
                return Err(format!("employment outlives its organisation {e:?}"));
            }
        }
        if gongyi_domain::dates::full_years(birth, e.start_date) < 21 {
            return Err("employed before 21".into());
        }
    }
    if let (Some(start), Some(first)) = (
        d.social_work_start_date,
        p.employments.iter().map(|(_, e)| e.start_date).min(),
    ) {
        if start > first {
            return Err("social work starts after the first job".into());
        }
    }
    let mut years = HashSet::new();
    for r in &p.reviews {
        if !years.insert(r.year) || r.year >= cfg.today.year() || r.training_hours < 0 {
            return Err(format!("review {r:?}"));
        }
    }
    Ok(())
}

/// Reports every bad record, not the first, with the record itself.
fn assert_all_ok<T: std::fmt::Debug>(
    what: &str,
    items: &[T],
    check: impl Fn(&T) -> Result<(), String>,
) {
    let bad: Vec<String> = items
        .iter()
        .filter_map(|i| check(i).err().map(|e| format!("{e}\n  in {i:?}")))
        .collect();
    assert!(
        bad.is_empty(),
        "{} of {} {what} invalid; first ones:\n{}",
        bad.len(),
        items.len(),
        bad.iter().take(5).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn every_generated_record_passes_the_domain_validation() {
    for seed in [1, 2, 20260315] {
        let cfg = DemoConfig::new(1500, seed, today());
        let orgs: Vec<DemoOrg> = organizations(&cfg).collect();
        assert_eq!(orgs.len(), 1500);
        assert_all_ok("organisations", &orgs, |o| check_org(o, &cfg));
        let codes: HashSet<&str> = orgs.iter().map(|o| o.draft.credit_code.as_str()).collect();
        assert_eq!(codes.len(), orgs.len(), "credit codes are unique");

        let ppl: Vec<DemoPerson> = people(&cfg).collect();
        assert_eq!(ppl.len(), DemoConfig::usual_people(1500));
        assert_all_ok("people", &ppl, |p| check_person(p, &cfg, &orgs));
        let ids: HashSet<&str> = ppl.iter().map(|p| p.draft.resident_id.as_str()).collect();
        assert_eq!(ids.len(), ppl.len(), "resident IDs are unique");
    }
}

#[test]
fn a_small_or_unusual_configuration_still_validates() {
    // Few organisations, another day, sub-districts this crate has no roads
    // for, and service fields given by code only.
    let mut cfg = DemoConfig::new(7, 9, NaiveDate::from_ymd_opt(2023, 1, 1).expect("date"));
    cfg.subdistricts = vec![("310110999".into(), "测试街道".into())];
    cfg.service_fields = vec![("X1".into(), "X1".into()), ("X2".into(), "X2".into())];
    cfg.people = 40;
    let orgs: Vec<DemoOrg> = organizations(&cfg).collect();
    assert_all_ok("organisations", &orgs, |o| check_org(o, &cfg));
    let ppl: Vec<DemoPerson> = people(&cfg).collect();
    assert_all_ok("people", &ppl, |p| check_person(p, &cfg, &orgs));

    let none = DemoConfig {
        orgs: 0,
        people: 3,
        ..DemoConfig::new(0, 1, today())
    };
    assert_eq!(organizations(&none).count(), 0);
    assert!(people(&none).all(|p| p.employments.is_empty()));
}

#[test]
fn the_same_seed_gives_the_same_data_and_another_seed_other_data() {
    let a = DemoConfig::new(300, 7, today());
    let b = DemoConfig::new(300, 8, today());
    let oa: Vec<DemoOrg> = organizations(&a).collect();
    assert_eq!(oa, organizations(&a).collect::<Vec<_>>());
    assert_eq!(
        people(&a).collect::<Vec<_>>(),
        people(&a).collect::<Vec<_>>()
    );
    // Record i is the same alone, skipped to, or from a sub-range.
    assert_eq!(gongyi_demo::organization(&a, 123).as_ref(), Some(&oa[123]));
    assert_eq!(organizations(&a).nth(200).as_ref(), Some(&oa[200]));
    assert_eq!(
        organizations(&a).range(250..260).collect::<Vec<_>>(),
        oa[250..260].to_vec()
    );
    assert_eq!(gongyi_demo::person(&a, 42), people(&a).nth(42));

    let ob: Vec<DemoOrg> = organizations(&b).collect();
    let same = oa.iter().zip(&ob).filter(|(x, y)| x == y).count();
    assert_eq!(same, 0, "another seed changes every organisation");
    let names_a: HashSet<&str> = oa.iter().map(|o| o.draft.name.as_str()).collect();
    let names_b: HashSet<&str> = ob.iter().map(|o| o.draft.name.as_str()).collect();
    assert!(names_a != names_b);
    let pa: Vec<DemoPerson> = people(&a).take(50).collect();
    let pb: Vec<DemoPerson> = people(&b).take(50).collect();
    assert!(pa.iter().zip(&pb).all(|(x, y)| x.draft != y.draft));
}

fn share(n: usize, of: usize) -> f64 {
    n as f64 / of.max(1) as f64
}

#[test]
fn the_district_at_its_usual_scale_looks_like_yangpu() {
    let cfg = DemoConfig::new(900, 2025, today());
    let orgs: Vec<DemoOrg> = organizations(&cfg).collect();
    let n = orgs.len();
    let count = |f: &dyn Fn(&DemoOrg) -> bool| orgs.iter().filter(|o| f(o)).count();
    let report = format!(
        "kinds {:?}",
        orgs.iter()
            .fold(HashMap::new(), |mut m: HashMap<&str, usize>, o| {
                *m.entry(o.draft.kind.label()).or_default() += 1;
                m
            })
    );

    let groups = share(count(&|o| o.draft.kind == OrgKind::SocialGroup), n);
    let services = share(count(&|o| o.draft.kind == OrgKind::PrivateNonEnterprise), n);
    let foundations = share(count(&|o| o.draft.kind == OrgKind::Foundation), n);
    assert!((0.33..0.37).contains(&groups), "{report}");
    assert!((0.60..0.64).contains(&services), "{report}");
    assert!((0.02..0.04).contains(&foundations), "{report}");
    let community = share(count(&|o| o.draft.community), n);
    assert!((0.38..0.42).contains(&community), "community {community}");
    let fresh = count(&|o| o.draft.fresh_graduate);
    assert!((1..=30).contains(&fresh), "fresh graduates {fresh}");

    let normal = share(count(&|o| o.draft.status == OrgStatus::Normal), n);
    let abnormal = share(count(&|o| o.draft.status == OrgStatus::AbnormalList), n);
    let gone = share(count(&|o| o.draft.status == OrgStatus::Deregistered), n);
    assert!(normal > 0.82, "normal {normal}");
    assert!((0.01..0.07).contains(&abnormal), "abnormal {abnormal}");
    assert!((0.02..0.08).contains(&gone), "deregistered {gone}");

    // Registrations grow over time.
    let before_2010 = count(&|o| o.draft.registration_date.year() < 2010);
    let since_2016 = count(&|o| o.draft.registration_date.year() >= 2016);
    assert!(
        since_2016 > 2 * before_2010,
        "{before_2010} vs {since_2016}"
    );

    let rated: Vec<RatingLevel> = orgs
        .iter()
        .filter_map(|o| o.ratings.last().map(|r| r.level))
        .collect();
    let rated_share = share(rated.len(), n);
    assert!((0.18..0.32).contains(&rated_share), "rated {rated_share}");
    let a5 = share(
        rated.iter().filter(|l| **l == RatingLevel::A5).count(),
        rated.len(),
    );
    let a3 = rated.iter().filter(|l| **l == RatingLevel::A3).count();
    assert!(a5 < 0.2, "5A {a5}");
    assert!(
        RatingLevel::ALL
            .iter()
            .all(|l| rated.iter().filter(|x| *x == l).count() <= a3),
        "3A is the most common level"
    );

    let party = share(
        count(&|o| o.party_building.last().is_some_and(|p| p.has_party_org)),
        n,
    );
    assert!((0.38..0.52).contains(&party), "party {party}");
    let inspected = orgs.iter().flat_map(|o| &o.inspections).count();
    let qualified = orgs
        .iter()
        .flat_map(|o| &o.inspections)
        .filter(|i| i.result == InspectionResult::Qualified)
        .count();
    assert!(share(qualified, inspected) > 0.8);
    assert!(count(&|o| !o.leases.is_empty()) > 10);
    assert!(count(&|o| !o.honours.is_empty()) > 50);

    let names: HashSet<&str> = orgs.iter().map(|o| o.draft.name.as_str()).collect();
    assert_eq!(names.len(), n, "names are distinct at this scale");
    let subdistricts: HashSet<&str> = orgs.iter().map(|o| o.draft.subdistrict.as_str()).collect();
    assert_eq!(subdistricts.len(), 12);

    let ppl: Vec<DemoPerson> = people(&cfg).collect();
    assert!((1350..1450).contains(&ppl.len()));
    let women = share(
        ppl.iter()
            .filter(|p| p.draft.resident_id.sex() == Sex::Female)
            .count(),
        ppl.len(),
    );
    assert!((0.6..0.8).contains(&women), "women {women}");
    let certified = share(
        ppl.iter().filter(|p| !p.qualifications.is_empty()).count(),
        ppl.len(),
    );
    assert!((0.45..0.75).contains(&certified), "certified {certified}");
    let employed = share(
        ppl.iter().filter(|p| !p.employments.is_empty()).count(),
        ppl.len(),
    );
    assert!(employed > 0.97, "employed {employed}");
    let yangpu_born = share(
        ppl.iter()
            .filter(|p| p.draft.resident_id.as_str().starts_with("310110"))
            .count(),
        ppl.len(),
    );
    assert!(
        (0.2..0.4).contains(&yangpu_born),
        "born in Yangpu {yangpu_born}"
    );
}
