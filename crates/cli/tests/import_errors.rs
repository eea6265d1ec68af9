//! `gongyi import` of a file full of bad rows reports the first 1,000
//! problems and counts the rest, instead of printing every one.

use std::process::Command;

#[test]
fn an_import_of_many_bad_rows_prints_a_thousand_and_counts_the_rest() {
    let dir = std::env::temp_dir().join(format!("gongyi-import-errors-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let csv = dir.join("people.csv");
    let mut text = String::from("姓名,公民身份号码\n");
    for i in 0..20_000 {
        text.push_str(&format!("人员{i},12345\n"));
    }
    std::fs::write(&csv, text).expect("written");
    let out = Command::new(env!("CARGO_BIN_EXE_gongyi"))
        .arg("--database")
        .arg(format!("sqlite://{}", dir.join("g.db").display()))
        .args(["import", "people"])
        .arg(&csv)
        .env_remove("GONGYI_DATABASE_URL")
        .env_remove("GONGYI_KEY")
        .env_remove("GONGYI_KEY_FILE")
        .output()
        .expect("gongyi runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    let row_lines = err.lines().filter(|l| l.starts_with("第 ")).count();
    assert_eq!(row_lines, 1_000, "{}", &err[..err.len().min(2_000)]);
    assert!(
        err.contains("共 20000 行"),
        "{}",
        &err[..err.len().min(500)]
    );
    assert!(
        err.contains("另有 19000 处错误未列出"),
        "{}",
        err.lines().last().unwrap_or("")
    );
    assert!(err.len() < 200_000, "{} bytes of errors", err.len());
    let _ = std::fs::remove_dir_all(&dir);
}
