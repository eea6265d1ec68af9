//! A new SQLite database file is readable by its owner only, like the key
//! file beside it: it holds sealed personal data, password hashes and the
//! audit trail.

#![cfg(unix)]
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use gongyi_store::Db;
use std::os::unix::fs::PermissionsExt;

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn a_new_sqlite_database_and_its_journal_are_created_0600() {
    let dir = std::env::temp_dir().join(format!("gongyi-mode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("new.db");
    let _ = std::fs::remove_file(&path);
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    assert_eq!(mode(&path), 0o600, "database file");
    let wal = dir.join("new.db-wal");
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600, "write-ahead log");
    }
    db.close().await;
    // An existing file keeps the mode its owner gave it.
    let kept = dir.join("kept.db");
    std::fs::write(&kept, b"").unwrap();
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).unwrap();
    let db = Db::connect(&format!("sqlite://{}", kept.display()))
        .await
        .unwrap();
    db.close().await;
    assert_eq!(mode(&kept), 0o640);
    let _ = std::fs::remove_dir_all(&dir);
}
