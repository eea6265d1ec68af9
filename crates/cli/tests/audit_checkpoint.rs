//! `gongyi audit checkpoint` and `audit verify` at the console: the
//! checkpoint file beside a SQLite database, and a database rolled back to
//! an older copy (whose chain is intact by itself) caught by it.

use std::path::Path;
use std::process::{Command, Output};

fn gongyi(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongyi"))
        .arg("--database")
        .arg(format!("sqlite://{}", db.display()))
        .args(args)
        .env_remove("GONGYI_DATABASE_URL")
        .env_remove("GONGYI_KEY")
        .env_remove("GONGYI_KEY_FILE")
        .output()
        .expect("gongyi runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_database_rolled_back_behind_its_checkpoint_fails_verify() {
    let dir = std::env::temp_dir().join(format!("gongyi-cp-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("g.db");
    let old = dir.join("old.db");

    let o = gongyi(&db, &["user", "add", "--role", "reviewer", "first"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = gongyi(&db, &["backup", &old.display().to_string()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = gongyi(&db, &["user", "add", "--role", "reviewer", "second"]);
    assert!(o.status.success(), "{}", text(&o));

    let o = gongyi(&db, &["audit", "checkpoint"]);
    assert!(o.status.success(), "{}", text(&o));
    let file = dir.join("g.db.checkpoints");
    assert!(file.exists(), "the default file is beside the database");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600));
    }
    let o = gongyi(&db, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("与检查点"), "{}", text(&o));

    // The older copy put back: its chain is whole, but ends before the checkpoint.
    for f in ["g.db", "g.db-wal", "g.db-shm"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    std::fs::copy(&old, &db).expect("copied back");
    let o = gongyi(&db, &["audit", "verify"]);
    assert!(!o.status.success(), "a rolled-back database verified");
    assert!(text(&o).contains("检查点"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
