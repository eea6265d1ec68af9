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
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gongyi starts");
    let _server = Server(child);
    let started = Instant::now();
    let page = loop {
        if let Some(p) = get(port, "/") {
            break p;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the server did not answer within 2 minutes"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert!(
        page.contains("<b>900</b>家社会组织"),
        "the start page shows the demo data:\n{page}"
    );
    let public = get(port, "/public/orgs").unwrap_or_default();
    assert!(public.contains("社会组织名录"), "{public}");
    let _ = std::fs::remove_dir_all(&dir);
}
