//! The README's first command: `gongyi serve --demo` on an empty SQLite file
//! fills it with the district's real scale and serves it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    Some(body)
}

#[test]
fn serve_with_demo_fills_an_empty_database_and_serves_it() {
    let dir = std::env::temp_dir().join(format!("gongyi-serve-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("demo.db");
    let port = 18_000 + (std::process::id() % 2_000) as u16;
    let child = Command::new(env!("CARGO_BIN_EXE_gongyi"))
        .args([
            "--database",
            &format!("sqlite://{}", db.display()),
            "serve",
            "--demo",
            "--bind",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("gongyi starts");
    let mut server = Server(child);
    let mut stdout = server.0.stdout.take().expect("stdout is piped");
    let printed = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let page = loop {
        if let Some(p) = get(port, "/public/orgs") {
            break p;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the server did not answer within 2 minutes"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert!(page.contains("社会组织名录"), "{page}");
    assert!(
        page.contains("共 900 家"),
        "the directory counts the demo data:\n{page}"
    );
    let signed_in_page = get(port, "/").unwrap_or_default();
    assert!(
        signed_in_page.contains("303") && signed_in_page.contains("/login"),
        "the start page asks for a login:\n{signed_in_page}"
    );
    drop(server);
    let printed = printed.join().unwrap_or_default();
    for role in [
        "bureau",
        "subdistrict",
        "organisation",
        "reviewer",
        "finance",
        "system-admin",
        "security-admin",
        "audit-admin",
    ] {
        assert!(
            printed.contains(&format!("demo-{role}")),
            "the demo prints an account per role:\n{printed}"
        );
    }
    assert!(
        dir.join("demo.db.key").exists(),
        "the key file sits next to the database"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
