//! The registry's use cases on both databases: registering organisations and
//! people, refusing bad input by naming the field, optimistic concurrency,
//! the no-overlapping-full-time rule, and that a refusal writes nothing.
//!
//! Every test runs once per backend of `gongyi_testkit::databases()`, and
//! every assertion names the backend it failed on.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_app::orgs::HistoryInput;
use gongyi_app::people::PersonRecordInput;
use gongyi_app::{AppError, Clock, Registry};
use gongyi_domain::credit_code::org_code_check;
use gongyi_domain::history::{FinanceInput, InspectionInput};
use gongyi_domain::orgs::OrgInput;
use gongyi_domain::people::{EmploymentInput, PersonInput};
use gongyi_domain::{CreditCode, ResidentId};
use gongyi_store::Backend;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

/// A registry on a fresh database of each backend, with the backend's name.
async fn registries() -> Vec<(Registry, &'static str)> {
    gongyi_testkit::databases()
        .await
        .into_iter()
        .map(|(db, _url)| {
            let name = match db.backend() {
                Backend::Sqlite => "SQLite",
                Backend::Postgres => "PostgreSQL",
            };
            (Registry::new(db, Clock::fixed(today())), name)
        })
        .collect()
}

/// A valid district credit code: category `2` is 民办非企业单位. The
/// organisation code `MJ` + six digits gets its GB 11714 check character.
fn credit_code(category: char, n: u32) -> String {
    let org = format!("MJ{n:06}");
    let check = org_code_check(org.as_bytes()).unwrap();
    CreditCode::from_body(&format!("5{category}310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

/// A complete, valid registration of a community 民办非企业单位.
fn org_input(code: &str, name: &str) -> OrgInput {
    OrgInput {
        credit_code: code.into(),
        name: name.into(),
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
        status: String::new(),
        stage: "初创".into(),
    }
}

fn resident_id(body: &str) -> String {
    ResidentId::from_body(body, today())
        .unwrap()
        .as_str()
        .to_string()
}

fn person_input(rid: &str, name: &str) -> PersonInput {
    PersonInput {
        name: name.into(),
        resident_id: rid.into(),
        phone: "13900001111".into(),
        social_work_start_date: "2015-07-01".into(),
        supervisor: "否".into(),
    }
}

/// The field errors of a refusal as `field/code` pairs, or a panic saying
/// what came instead.
fn refusal<T: std::fmt::Debug>(r: Result<T, AppError>, backend: &str, what: &str) -> Vec<String> {
    match r {
        Err(AppError::Invalid(i)) => {
            i.0.iter()
                .map(|f| {
                    assert!(
                        !f.message.trim().is_empty(),
                        "{backend}: {what}: field {} has no message",
                        f.field
                    );
                    format!("{}/{}", f.field, f.code)
                })
                .collect()
        }
        other => panic!("{backend}: {what}: expected a refusal naming the field, got {other:?}"),
    }
}

#[tokio::test]
async fn an_organisation_is_registered_and_read_back_as_typed() {
    for (r, backend) in registries().await {
        let code = credit_code('2', 1);
        let created = r
            .create_org(&org_input(&code, "上海市杨浦区长海路恒爱助老发展中心"))
            .await
            .unwrap_or_else(|e| panic!("{backend}: create refused: {e:?}"));
        assert_eq!(created.credit_code, code, "{backend}");
        assert_eq!(created.version, 1, "{backend}");
        let page = r.org_page(&code).await.unwrap();
        let o = &page.org;
        assert_eq!(
            (
                o.name.as_str(),
                o.kind.code(),
                o.community,
                o.in_district,
                o.subdistrict_code.as_str(),
                o.registration_date.to_string(),
                o.registered_capital_fen,
                o.status.code(),
                o.stage.map(|s| s.code()),
            ),
            (
                "上海市杨浦区长海路恒爱助老发展中心",
                "PRIVATE_NON_ENTERPRISE",
                true,
                true,
                "310110021",
                "2024-03-01".to_string(),
                6_000_000,
                "NORMAL",
                Some("STARTUP"),
            ),
            "{backend}: stored organisation {o:?}"
        );
        let mut fields: Vec<&str> = o.service_fields.split('、').collect();
        fields.sort_unstable();
        assert_eq!(fields, vec!["卫生", "社会服务"], "{backend}: {o:?}");
        assert_eq!(r.store().count_orgs().await.unwrap(), 1, "{backend}");
    }
}

#[tokio::test]
async fn a_second_organisation_with_the_same_credit_code_is_refused_naming_credit_code() {
    for (r, backend) in registries().await {
        let code = credit_code('2', 2);
        r.create_org(&org_input(&code, "杨浦区第一家"))
            .await
            .unwrap();
        // Typed in lower case with spaces around: still the same code.
        let again = org_input(&format!("  {}  ", code.to_lowercase()), "杨浦区第二家");
        let errs = refusal(r.create_org(&again).await, backend, "duplicate");
        assert_eq!(errs, vec!["credit_code/duplicate"], "{backend}");
        assert_eq!(r.store().count_orgs().await.unwrap(), 1, "{backend}");
        assert_eq!(
            r.org_page(&code).await.unwrap().org.name,
            "杨浦区第一家",
            "{backend}: the first registration must stay"
        );
    }
}

/// A credit code with the 15-digit precision of a spreadsheet number: an
/// all-digit valid code whose last three digits became `000`.
fn spreadsheet_mangled_code() -> String {
    for n in 0..10_000u32 {
        let body = format!("{:08}", 12_345_000 + n);
        let Some(check) = org_code_check(body.as_bytes()).filter(char::is_ascii_digit) else {
            continue;
        };
        let Ok(code) = CreditCode::from_body(&format!("52310110{body}{check}")) else {
            continue;
        };
        let code = code.as_str().to_string();
        if !code.bytes().all(|b| b.is_ascii_digit()) || code.ends_with("000") {
            continue;
        }
        let mangled = format!("{}000", &code[..15]);
        if CreditCode::parse(&mangled).is_err() {
            return mangled;
        }
    }
    panic!("no all-digit credit code found")
}

#[tokio::test]
async fn bad_organisation_input_is_refused_naming_the_field_and_nothing_is_written() {
    let good = credit_code('2', 3);
    let with_char = |i: usize, c: char| {
        let mut s: Vec<char> = good.chars().collect();
        s[i] = c;
        s.into_iter().collect::<String>()
    };
    let wrong_check = {
        let last = good.chars().last().unwrap();
        with_char(17, if last == '1' { '2' } else { '1' })
    };
    let mut cases: Vec<(String, OrgInput, &str, &str)> = vec![
        (
            "wrong check character".into(),
            org_input(&wrong_check, "甲"),
            "credit_code",
            "credit_code.check_character",
        ),
        (
            "embedded space".into(),
            org_input(&format!("{} {}", &good[..4], &good[4..]), "甲"),
            "credit_code",
            "credit_code.whitespace",
        ),
        (
            "17 characters".into(),
            org_input(&good[..17], "甲"),
            "credit_code",
            "credit_code.length",
        ),
        (
            "21 characters".into(),
            org_input(&format!("{good}ABC"), "甲"),
            "credit_code",
            "credit_code.length",
        ),
        (
            "all zeros".into(),
            org_input("000000000000000000", "甲"),
            "credit_code",
            "credit_code.all_zero",
        ),
        (
            "spreadsheet trailing zeros".into(),
            org_input(&spreadsheet_mangled_code(), "甲"),
            "credit_code",
            "credit_code.spreadsheet_number",
        ),
        (
            "spreadsheet scientific notation".into(),
            org_input("5.23101E+17", "甲"),
            "credit_code",
            "credit_code.spreadsheet_number",
        ),
        (
            "over-long name".into(),
            org_input(&good, &"长".repeat(101)),
            "name",
            "text.too_long",
        ),
        (
            "negative registered capital".into(),
            OrgInput {
                registered_capital: "-30000".into(),
                ..org_input(&good, "甲")
            },
            "registered_capital",
            "money.negative",
        ),
        (
            "a fraction of a fen".into(),
            OrgInput {
                registered_capital: "60000.001".into(),
                ..org_input(&good, "甲")
            },
            "registered_capital",
            "money.sub_fen",
        ),
        (
            "R1: a community organisation registered in 2023 with 29,999.99 yuan".into(),
            OrgInput {
                registration_date: "2023-06-01".into(),
                registered_capital: "29999.99".into(),
                ..org_input(&good, "甲")
            },
            "registered_capital",
            "registered_capital.below_minimum",
        ),
    ];
    for letter in ['I', 'O', 'S', 'V', 'Z'] {
        cases.push((
            format!("forbidden letter {letter}"),
            org_input(&with_char(9, letter), "甲"),
            "credit_code",
            "credit_code.forbidden_letter",
        ));
    }
    for (r, backend) in registries().await {
        r.create_org(&org_input(&credit_code('2', 4), "已有的组织"))
            .await
            .unwrap();
        for (what, input, field, code) in &cases {
            let errs = refusal(r.create_org(input).await, backend, what);
            assert!(
                errs.contains(&format!("{field}/{code}")),
                "{backend}: {what} ({:?}): expected {field}/{code}, got {errs:?}",
                input.credit_code
            );
            assert_eq!(
                r.store().count_orgs().await.unwrap(),
                1,
                "{backend}: {what} wrote something"
            );
        }
    }
}

#[tokio::test]
async fn the_r1_minimum_is_met_by_exactly_thirty_thousand_yuan() {
    for (r, backend) in registries().await {
        let input = OrgInput {
            registration_date: "2023-06-01".into(),
            registered_capital: "30000".into(),
            ..org_input(&credit_code('2', 5), "杨浦区恰好三万元服务社")
        };
        r.create_org(&input)
            .await
            .unwrap_or_else(|e| panic!("{backend}: 30,000 yuan refused: {e:?}"));
    }
}

#[tokio::test]
async fn bad_person_input_is_refused_naming_the_field_and_nothing_is_written() {
    let good = resident_id("31011019900307123");
    let wrong_check = {
        let last = good.chars().last().unwrap();
        format!("{}{}", &good[..17], if last == '1' { '2' } else { '1' })
    };
    let cases = [
        (
            "wrong check character",
            wrong_check,
            "resident_id.check_character",
        ),
        (
            "30 February",
            "310110199002301234".to_string(),
            "resident_id.birth_date",
        ),
        (
            "born after today",
            "310110203001011234".to_string(),
            "resident_id.birth_date",
        ),
        ("17 digits", good[..17].to_string(), "resident_id.length"),
    ];
    for (r, backend) in registries().await {
        r.create_person(&person_input(&good, "张伟"))
            .await
            .unwrap_or_else(|e| panic!("{backend}: good person refused: {e:?}"));
        for (what, rid, code) in &cases {
            let errs = refusal(
                r.create_person(&person_input(rid, "李娜")).await,
                backend,
                what,
            );
            assert!(
                errs.contains(&format!("resident_id/{code}")),
                "{backend}: {what} ({rid}): expected resident_id/{code}, got {errs:?}"
            );
            assert_eq!(
                r.store().count_people().await.unwrap(),
                1,
                "{backend}: {what}"
            );
        }
        let errs = refusal(
            r.create_person(&person_input(&good, "王五")).await,
            backend,
            "same resident ID twice",
        );
        assert_eq!(errs, vec!["resident_id/duplicate"], "{backend}");
        assert_eq!(r.store().count_people().await.unwrap(), 1, "{backend}");
    }
}

#[tokio::test]
async fn history_and_employment_records_that_contradict_their_dates_are_refused() {
    for (r, backend) in registries().await {
        let code = credit_code('2', 6);
        r.create_org(&org_input(&code, "杨浦区长海路历史记录中心"))
            .await
            .unwrap();
        let rid = resident_id("31011019850611002");
        r.create_person(&person_input(&rid, "赵敏")).await.unwrap();

        let before_registration = HistoryInput::Inspection(InspectionInput {
            year: "2023".into(),
            result: "合格".into(),
            date: "2024-05-01".into(),
        });
        let errs = refusal(
            r.add_history(&code, &before_registration).await,
            backend,
            "inspection of 2023 for an organisation registered in 2024",
        );
        assert_eq!(
            errs,
            vec!["year/inspection.before_registration"],
            "{backend}"
        );

        let negative = HistoryInput::Finance(FinanceInput {
            year: "2024".into(),
            total_revenue: "-1".into(),
            ..Default::default()
        });
        let errs = refusal(
            r.add_history(&code, &negative).await,
            backend,
            "negative revenue",
        );
        assert_eq!(errs, vec!["total_revenue/money.negative"], "{backend}");

        let sub_fen = HistoryInput::Finance(FinanceInput {
            year: "2024".into(),
            total_revenue: "100.005".into(),
            ..Default::default()
        });
        let errs = refusal(
            r.add_history(&code, &sub_fen).await,
            backend,
            "a fraction of a fen",
        );
        assert_eq!(errs, vec!["total_revenue/money.sub_fen"], "{backend}");

        let backwards = PersonRecordInput::Employment(EmploymentInput {
            org_credit_code: code.clone(),
            start_date: "2024-05-01".into(),
            end_date: "2024-04-30".into(),
            labour_contract: "是".into(),
            full_time: "是".into(),
            position: "社工".into(),
        });
        let errs = refusal(
            r.add_person_record(&rid, &backwards).await,
            backend,
            "employment ending before it starts",
        );
        assert_eq!(errs, vec!["end_date/date.end_before_start"], "{backend}");

        let page = r.org_page(&code).await.unwrap();
        assert!(
            page.history.inspections.is_empty()
                && page.history.finances.is_empty()
                && page.employments.is_empty(),
            "{backend}: a refused record was written: {:?} {:?}",
            page.history,
            page.employments
        );
    }
}

#[tokio::test]
async fn two_edits_from_the_same_version_keep_the_first_and_refuse_the_second_as_a_conflict() {
    for (r, backend) in registries().await {
        let code = credit_code('2', 7);
        let v1 = r
            .create_org(&org_input(&code, "杨浦区原名服务中心"))
            .await
            .unwrap();
        let first = r
            .update_org(&code, v1.version, &org_input(&code, "杨浦区甲改名服务中心"))
            .await
            .unwrap_or_else(|e| panic!("{backend}: the first edit was refused: {e:?}"));
        assert_eq!(first.version, v1.version + 1, "{backend}");
        let second = r
            .update_org(&code, v1.version, &org_input(&code, "杨浦区乙改名服务中心"))
            .await;
        assert!(
            matches!(second, Err(AppError::Conflict)),
            "{backend}: the second edit from version {} should be a conflict, got {second:?}",
            v1.version
        );
        let now = r.org_page(&code).await.unwrap().org;
        assert_eq!(
            (now.name.as_str(), now.version),
            ("杨浦区甲改名服务中心", first.version),
            "{backend}: the first edit must remain"
        );
    }
}

#[tokio::test]
async fn overlapping_full_time_employments_are_refused_and_part_time_ones_are_not() {
    for (r, backend) in registries().await {
        let a = credit_code('2', 8);
        let b = credit_code('2', 9);
        r.create_org(&OrgInput {
            registration_date: "2015-01-01".into(),
            ..org_input(&a, "杨浦区甲社工事务所")
        })
        .await
        .unwrap();
        r.create_org(&OrgInput {
            registration_date: "2015-01-01".into(),
            ..org_input(&b, "杨浦区乙社工事务所")
        })
        .await
        .unwrap();
        let rid = resident_id("31011019880101003");
        let person = r.create_person(&person_input(&rid, "钱进")).await.unwrap();
        let job = |org: &str, start: &str, end: &str, full_time: &str| {
            PersonRecordInput::Employment(EmploymentInput {
                org_credit_code: org.into(),
                start_date: start.into(),
                end_date: end.into(),
                labour_contract: "是".into(),
                full_time: full_time.into(),
                position: "社工".into(),
            })
        };
        r.add_person_record(&rid, &job(&a, "2018-01-01", "2019-12-31", "是"))
            .await
            .unwrap();
        // The end date is the last working day: starting on it overlaps.
        let errs = refusal(
            r.add_person_record(&rid, &job(&b, "2019-12-31", "", "是"))
                .await,
            backend,
            "full-time job starting on the last day of another",
        );
        assert_eq!(
            errs,
            vec!["start_date/employment.full_time_overlap"],
            "{backend}"
        );
        r.add_person_record(&rid, &job(&b, "2020-01-01", "", "是"))
            .await
            .unwrap_or_else(|e| panic!("{backend}: the next day was refused: {e:?}"));
        let errs = refusal(
            r.add_person_record(&rid, &job(&a, "2023-03-01", "", "是"))
                .await,
            backend,
            "second open full-time job",
        );
        assert_eq!(
            errs,
            vec!["start_date/employment.full_time_overlap"],
            "{backend}"
        );
        r.add_person_record(&rid, &job(&a, "2023-03-01", "", "否"))
            .await
            .unwrap_or_else(|e| panic!("{backend}: a part-time job was refused: {e:?}"));
        let page = r.person_page(person.id).await.unwrap();
        let spells: Vec<String> = page
            .employments
            .iter()
            .map(|e| format!("{} {} {}", e.credit_code, e.start_date, e.full_time))
            .collect();
        assert_eq!(
            spells,
            vec![
                format!("{a} 2018-01-01 true"),
                format!("{b} 2020-01-01 true"),
                format!("{a} 2023-03-01 false"),
            ],
            "{backend}"
        );
    }
}

#[tokio::test]
async fn a_create_refused_by_the_store_after_inserting_leaves_nothing_behind() {
    for (r, backend) in registries().await {
        let code = credit_code('2', 10);
        // The domain accepts any service field; the store refuses an unknown
        // one only after the organisation row was inserted.
        let input = OrgInput {
            service_fields: "社会服务;星际旅行".into(),
            ..org_input(&code, "杨浦区半途而废服务中心")
        };
        let errs = refusal(r.create_org(&input).await, backend, "unknown service field");
        assert_eq!(
            errs,
            vec!["service_fields/service_field.unknown"],
            "{backend}"
        );
        assert_eq!(r.store().count_orgs().await.unwrap(), 0, "{backend}");
        let found = r.org_page(&code).await;
        assert!(
            matches!(found, Err(AppError::NotFound)),
            "{backend}: the half-written organisation is there: {found:?}"
        );
        // And the code is still free.
        r.create_org(&org_input(&code, "杨浦区重新登记服务中心"))
            .await
            .unwrap_or_else(|e| panic!("{backend}: the code was left taken: {e:?}"));
    }
}

#[tokio::test]
async fn an_edit_refused_by_the_store_keeps_the_previous_record_whole() {
    for (r, backend) in registries().await {
        let code = credit_code('2', 11);
        let v1 = r
            .create_org(&org_input(&code, "杨浦区原样保留服务中心"))
            .await
            .unwrap();
        let input = OrgInput {
            service_fields: "星际旅行".into(),
            ..org_input(&code, "杨浦区不该出现的名称")
        };
        let errs = refusal(
            r.update_org(&code, v1.version, &input).await,
            backend,
            "edit with an unknown service field",
        );
        assert_eq!(
            errs,
            vec!["service_fields/service_field.unknown"],
            "{backend}"
        );
        let now = r.org_page(&code).await.unwrap().org;
        let mut fields: Vec<&str> = now.service_fields.split('、').collect();
        fields.sort_unstable();
        assert_eq!(
            (now.name.as_str(), now.version, fields),
            (
                "杨浦区原样保留服务中心",
                v1.version,
                vec!["卫生", "社会服务"]
            ),
            "{backend}: the refused edit changed the record"
        );
    }
}

#[tokio::test]

async fn records_name_their_organisation_by_credit_code_in_any_case() {
    for (r, backend) in registries().await {
        let code = credit_code('2', 12);
        r.create_org(&org_input(&code.to_lowercase(), "杨浦区小写代码服务中心"))
            .await
            .unwrap();
        let rid = resident_id("31011019870202004");
        r.create_person(&person_input(&rid, "孙丽")).await.unwrap();
        let inspection = HistoryInput::Inspection(InspectionInput {
            year: "2024".into(),
            result: "合格".into(),
            date: "2025-05-01".into(),
        });
        let got = r.add_history(&code.to_lowercase(), &inspection).await;
        assert!(
            got.is_ok(),
            "{backend}: inspection for {} refused: {got:?}",
            code.to_lowercase()
        );
        let job = PersonRecordInput::Employment(EmploymentInput {
            org_credit_code: code.to_lowercase(),
            start_date: "2024-05-01".into(),
            end_date: String::new(),
            labour_contract: "是".into(),
            full_time: "是".into(),
            position: "社工".into(),
        });
        let got = r.add_person_record(&rid, &job).await;
        assert!(
            got.is_ok(),
            "{backend}: employment at {} refused: {got:?}",
            code.to_lowercase()
        );
    }
}
