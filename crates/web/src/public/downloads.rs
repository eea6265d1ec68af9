//! Bulk downloads of exactly what the current filter lists, in its order: CSV
//! (UTF-8 with BOM so Excel opens it), XLSX and JSON Lines.
//!
//! Memory stays flat whatever the size. Rows come from a keyset walk in one
//! read snapshot ([`Registry::public_walk`]) a batch at a time; csv and jsonl
//! are written into the response body as they come. rust_xlsxwriter can only
//! finish an xlsx file as a whole, so xlsx is written in its constant-memory
//! mode to a temporary file, then sent, and holds at most [`MAX_XLSX_ROWS`].
//! The unfiltered directory (in any order) is kept as a file per format in
//! the cache directory, named by the data's version: it is generated once
//! after each change and then sent from disk without touching the database.
//! Downloads are rate limited per client (`routes.rs`), and at most
//! [`WALK_SLOTS`] walks run at once, so slow clients cannot take the pool.

use super::views::{PublicOrg, COLUMNS};
use crate::directory::DirectoryParams;
use crate::error::{ApiError, ErrorBody, PageError};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use gongyi_app::orgs::{OrgFilter, OrgSort};
use gongyi_app::public::{PublicWalk, WALK_STALL};
use gongyi_app::{AppError, Registry};
use gongyi_domain::Invalid;
use std::io::{self, Write};
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::sync::{mpsc, Mutex, OwnedSemaphorePermit, Semaphore};

/// Rows fetched per query of a walk.
const BATCH: i64 = 1_000;
/// An xlsx download holds at most this many rows (rust_xlsxwriter builds the
/// file whole); csv and jsonl have no cap.
pub const MAX_XLSX_ROWS: usize = 200_000;
/// Walks at once in this process, each holding a database connection.
pub const WALK_SLOTS: usize = 4;
/// How long a download waits for a free walk before it is refused (503).
const SLOT_WAIT: Duration = Duration::from_secs(20);
/// Bytes per piece of a response body.
const CHUNK: usize = 64 * 1024;
/// A temporary file older than this was left by a server that stopped.
const ABANDONED: Duration = Duration::from_secs(3600);
/// Raise when the files' content changes for the same data, so cached files
/// of an older layout are not served.
const CACHE_LAYOUT: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Xlsx,
    Jsonl,
}

impl Format {
    fn of(file: &str) -> Option<Format> {
        match file.strip_prefix("orgs.")? {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "jsonl" => Some(Format::Jsonl),
            _ => None,
        }
    }

    fn ext(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Jsonl => "jsonl",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Jsonl => "application/x-ndjson; charset=utf-8",
        }
    }
}

/// What downloads share in one process: the cache directory, the walk
/// slots, and the lock that lets one request at a time generate a cached
/// file (the others then find it made).
#[derive(Debug, Clone)]
pub struct Downloads {
    cache: Option<PathBuf>,
    walks: Arc<Semaphore>,
    generating: Arc<Mutex<()>>,
}

impl Downloads {
    pub fn new(cache: Option<PathBuf>) -> Downloads {
        Downloads {
            cache,
            walks: Arc::new(Semaphore::new(WALK_SLOTS)),
            generating: Arc::new(Mutex::new(())),
        }
    }

    async fn slot(&self) -> Result<OwnedSemaphorePermit, Response> {
        match tokio::time::timeout(SLOT_WAIT, self.walks.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(busy()),
        }
    }
}

type Answer = Result<Response, Response>;

fn refused(e: AppError) -> Response {
    PageError(e).into_response()
}

pub async fn download(
    State(s): State<AppState>,
    Extension(d): Extension<Downloads>,
    Path(file): Path<String>,
    Query(p): Query<DirectoryParams>,
    req: HeaderMap,
) -> Answer {
    if let Some((year, format)) = report_file(&file) {
        return report_download(&d, &s.registry, year, format).await;
    }
    let format = Format::of(&file).ok_or_else(|| refused(AppError::NotFound))?;
    let f = p.relevance_filter();
    if let Some(dir) = d.cache.as_deref().filter(|_| unfiltered(&f)) {
        return cached(&d, &s.registry, dir, &f, format, &req).await;
    }
    let slot = d.slot().await?;
    let walk = s
        .registry
        .public_walk(&f, BATCH, false)
        .await
        .map_err(refused)?;
    if format == Format::Xlsx {
        let dir = d.cache.clone().unwrap_or_else(std::env::temp_dir);
        let tmp = temp_path(&dir, format);
        write_file(format, walk, tmp.clone(), slot)
            .await
            .map_err(refused)?;
        let file = tokio::fs::File::open(&tmp).await;
        // Open files outlive their name: nothing is left behind.
        let _ = tokio::fs::remove_file(&tmp).await;
        let file = file.map_err(|e| refused(io_error(e)))?;
        return Ok(file_response(format, file, None).await);
    }
    Ok(respond(format, stream(format, walk, slot), vec![]))
}

/// `annual-reports-2024.csv` and its xlsx and jsonl: a year's 年报公示.
fn report_file(file: &str) -> Option<(i32, Format)> {
    let rest = file.strip_prefix("annual-reports-")?;
    let (year, ext) = rest.split_once('.')?;
    let year: i32 = year.parse().ok().filter(|y| (1949..=2100).contains(y))?;
    let format = Format::of(&format!("orgs.{ext}"))?;
    Some((year, format))
}

/// A year's concluded reports as published (no personal data), whole: a
/// year holds one report per organisation, a few thousand lines.
async fn report_download(d: &Downloads, registry: &Registry, year: i32, format: Format) -> Answer {
    let _slot = d.slot().await?;
    let mut items = Vec::new();
    let mut page = 1;
    loop {
        let p = registry
            .public_reports_of_year(year, page, 1_000)
            .await
            .map_err(refused)?;
        let n = p.items.len();
        items.extend(p.items.iter().map(super::views::PublicAnnualReport::from));
        if n < 1_000 || items.len() >= MAX_XLSX_ROWS {
            break;
        }
        page += 1;
    }
    let heads = super::views::REPORT_COLUMNS;
    let bytes: Result<Vec<u8>, String> = match format {
        Format::Csv => {
            let mut out = Vec::new();
            gongyi_interchange::write_csv(
                &mut out,
                &heads,
                items.iter().map(|r| r.cells()),
                &Default::default(),
            )
            .map(|_| out)
            .map_err(|e| e.to_string())
        }
        Format::Xlsx => gongyi_interchange::write_xlsx_to_vec(
            &heads,
            items.iter().map(|r| r.cells()),
            &gongyi_interchange::XlsxOptions {
                sheet_name: format!("{year}年度年报公示"),
            },
        )
        .map_err(|e| e.to_string()),
        Format::Jsonl => {
            let mut out = Vec::new();
            for r in &items {
                if let Err(e) = serde_json::to_writer(&mut out, r) {
                    return Err(refused(io_error(io::Error::other(e))));
                }
                out.push(b'\n');
            }
            Ok(out)
        }
    };
    let bytes = bytes.map_err(|e| refused(io_error(io::Error::other(e))))?;
    let mut r = respond(format, Body::from(bytes), vec![]);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"yangpu-annual-reports-{year}.{}\"",
        format.ext()
    )) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

fn unfiltered(f: &OrgFilter) -> bool {
    let OrgFilter {
        q,
        subdistrict,
        kind,
        status,
        rating,
        service_field,
        registration_year,
        sort: _,
    } = f;
    q.is_none()
        && subdistrict.is_none()
        && kind.is_none()
        && status.is_none()
        && rating.is_none()
        && service_field.is_none()
        && registration_year.is_none()
}

/// The unfiltered directory in `f`'s order from the cache directory,
/// generated first when the data changed since the file was made. The
/// file's name holds the data version its rows were read at, so a file is
/// never taken for another version, and any number of servers may share
/// the directory (each writes under a temporary name and renames).
async fn cached(
    d: &Downloads,
    r: &Registry,
    dir: &FsPath,
    f: &OrgFilter,
    format: Format,
    req: &HeaderMap,
) -> Answer {
    let version = r.public_version().await.map_err(refused)?;
    let name = cache_name(f.sort, &version, format);
    let etag = format!("\"{name}\"");
    let unchanged = req
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    if let Ok(file) = tokio::fs::File::open(dir.join(&name)).await {
        return Ok(file_response(format, file, Some(etag)).await);
    }
    let _one_at_a_time = d.generating.lock().await;
    if let Ok(file) = tokio::fs::File::open(dir.join(&name)).await {
        return Ok(file_response(format, file, Some(etag)).await);
    }
    let io = |e: io::Error| refused(io_error(e));
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    let slot = d.slot().await?;
    let walk = r.public_walk(f, BATCH, true).await.map_err(refused)?;
    // The data may have changed since `version` was read: the file is named
    // by the version of the snapshot it is read from.
    let name = cache_name(f.sort, walk.version.as_deref().unwrap_or(&version), format);
    let tmp = temp_path(dir, format);
    write_file(format, walk, tmp.clone(), slot)
        .await
        .map_err(refused)?;
    tokio::fs::rename(&tmp, dir.join(&name)).await.map_err(io)?;
    prune(dir, f.sort, format, &name).await;
    let file = tokio::fs::File::open(dir.join(&name)).await.map_err(io)?;
    Ok(file_response(format, file, Some(format!("\"{name}\""))).await)
}

/// `orgs-{sort}-{hash}.{ext}`: the hash of the data version, this build and
/// the layout of the files.
fn cache_name(sort: OrgSort, version: &str, format: Format) -> String {
    use std::hash::{Hash, Hasher};
    // The std hasher's keys are fixed: every process of a build agrees.
    let mut h = std::hash::DefaultHasher::new();
    (CACHE_LAYOUT, env!("CARGO_PKG_VERSION"), version).hash(&mut h);
    format!("orgs-{}-{:016x}.{}", sort.code(), h.finish(), format.ext())
}

/// Removes the files of older versions of one order and format (a server
/// still sending one keeps its open file), and temporary files a stopped
/// server left behind.
async fn prune(dir: &FsPath, sort: OrgSort, format: Format, keep: &str) {
    let prefix = format!("orgs-{}-", sort.code());
    let suffix = format!(".{}", format.ext());
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return;
    };
    while let Ok(Some(e)) = entries.next_entry().await {
        let name = e.file_name().to_string_lossy().into_owned();
        let old = name.starts_with(&prefix) && name.ends_with(&suffix) && name != keep;
        let abandoned = name.starts_with(".download-")
            && e.metadata()
                .await
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > ABANDONED);
        if old || abandoned {
            let _ = tokio::fs::remove_file(e.path()).await;
        }
    }
}

fn temp_path(dir: &FsPath, format: Format) -> PathBuf {
    let n: u64 = rand::random();
    dir.join(format!(".download-{n:016x}.{}.tmp", format.ext()))
}

/// Writes every row of `walk` to the file `path` on a blocking thread; the
/// file is removed when anything fails.
async fn write_file(
    format: Format,
    mut walk: PublicWalk,
    path: PathBuf,
    slot: OwnedSemaphorePermit,
) -> Result<(), AppError> {
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let written = match format {
            Format::Xlsx => write_xlsx(&mut walk, &path),
            _ => std::fs::File::create(&path)
                .map_err(io_error)
                .and_then(|f| {
                    let mut out = io::BufWriter::with_capacity(CHUNK, f);
                    write_rows(format, &mut walk, &mut out)?;
                    out.flush().map_err(io_error)
                }),
        };
        if written.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        written
    })
    .await?
}

/// A failed read or write of a download's file.
fn io_error(e: io::Error) -> AppError {
    AppError::Export(e.into())
}

/// The rows of a walk as public views, for the synchronous writers; a
/// failed or cut-short walk ends the rows and is kept in `failed`.
struct Rows<'a> {
    walk: &'a mut PublicWalk,
    batch: std::vec::IntoIter<gongyi_app::orgs::OrgRow>,
    failed: Option<AppError>,
}

impl<'a> Rows<'a> {
    fn new(walk: &'a mut PublicWalk) -> Rows<'a> {
        Rows {
            walk,
            batch: Vec::new().into_iter(),
            failed: None,
        }
    }

    /// The walk's error before the writer's: a writer stopped by a failed
    /// walk only reports that its rows ended.
    fn outcome<T, E: std::fmt::Display>(self, written: Result<T, E>) -> Result<T, AppError> {
        match self.failed {
            Some(e) => Err(e),
            None => written.map_err(|e| AppError::Export(io::Error::other(e.to_string()).into())),
        }
    }
}

impl Iterator for Rows<'_> {
    type Item = PublicOrg;

    fn next(&mut self) -> Option<PublicOrg> {
        loop {
            if let Some(o) = self.batch.next() {
                return Some(PublicOrg::from(&o));
            }
            if self.failed.is_some() {
                return None;
            }
            match self.walk.blocking_next() {
                Ok(Some(rows)) => self.batch = rows.into_iter(),
                Ok(None) => return None,
                Err(e) => {
                    self.failed = Some(e);
                    return None;
                }
            }
        }
    }
}

fn headers() -> Vec<&'static str> {
    COLUMNS.iter().map(|(_, label)| *label).collect()
}

/// csv or jsonl, row by row, to `out`.
fn write_rows(format: Format, walk: &mut PublicWalk, out: &mut impl Write) -> Result<(), AppError> {
    let mut rows = Rows::new(walk);
    let written: Result<(), String> = match format {
        Format::Csv => gongyi_interchange::write_csv(
            &mut *out,
            &headers(),
            (&mut rows).map(|o| o.cells()),
            &Default::default(),
        )
        .map(|_| ())
        .map_err(|e| e.to_string()),
        _ => (|| -> io::Result<()> {
            for o in &mut rows {
                serde_json::to_writer(&mut *out, &o)?;
                out.write_all(b"\n")?;
            }
            out.flush()
        })()
        .map_err(|e| e.to_string()),
    };
    rows.outcome(written)
}

fn write_xlsx(walk: &mut PublicWalk, path: &FsPath) -> Result<(), AppError> {
    let mut rows = Rows::new(walk);
    let written = gongyi_interchange::write_xlsx_to_path(
        path,
        &headers(),
        (&mut rows).take(MAX_XLSX_ROWS).map(|o| o.cells()),
        &Default::default(),
    );
    let over = written.is_ok() && rows.next().is_some();
    rows.outcome(written)?;
    if over {
        return Err(AppError::Invalid(Invalid::one(
            "format",
            "download.too_many_rows",
            format!("xlsx 文件最多 {MAX_XLSX_ROWS} 行:请缩小筛选范围,或下载 csv、jsonl 格式"),
        )));
    }
    Ok(())
}

/// A piece of a streamed body; the body ends well only after `End`.
enum Chunk {
    Data(Bytes),
    End,
}

/// csv or jsonl written on a blocking thread straight into the response
/// body, a few pieces ahead of the client. A body that stops before `End`
/// (a failed walk, a stalled client) is cut off with an error, so the
/// client sees a broken transfer rather than a short file.
fn stream(format: Format, mut walk: PublicWalk, slot: OwnedSemaphorePermit) -> Body {
    let (send, pieces) = mpsc::channel::<Chunk>(4);
    let rt = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let mut sink = BodySink {
            send,
            buf: Vec::with_capacity(CHUNK),
            rt,
        };
        match write_rows(format, &mut walk, &mut sink) {
            Ok(()) => sink.end(),
            Err(e) => tracing::warn!(error = %e, "download cut short"),
        }
    });
    body_of(pieces)
}

/// The pieces as a response body: it ends well at `End` and with an error
/// when the sender is gone without it.
fn body_of(pieces: mpsc::Receiver<Chunk>) -> Body {
    Body::from_stream(futures_util::stream::unfold(
        (pieces, false),
        |(mut pieces, failed)| async move {
            if failed {
                return None;
            }
            match pieces.recv().await {
                Some(Chunk::Data(b)) => Some((Ok(b), (pieces, false))),
                Some(Chunk::End) => None,
                None => Some((Err(io::Error::other("download cut short")), (pieces, true))),
            }
        },
    ))
}

/// Hands what is written to the response body in pieces of [`CHUNK`].
struct BodySink {
    send: mpsc::Sender<Chunk>,
    buf: Vec<u8>,
    rt: tokio::runtime::Handle,
}

impl BodySink {
    fn put(&mut self, c: Chunk) -> io::Result<()> {
        let sent = self
            .rt
            .block_on(tokio::time::timeout(WALK_STALL, self.send.send(c)));
        match sent {
            Ok(Ok(())) => Ok(()),
            _ => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "client gone or not reading",
            )),
        }
    }

    fn end(mut self) {
        if self.flush().is_ok() {
            let _ = self.put(Chunk::End);
        }
    }
}

impl Write for BodySink {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(b.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.put(Chunk::Data(Bytes::from(piece)))
    }
}

/// A file sent from disk in pieces.
async fn file_response(format: Format, file: tokio::fs::File, etag: Option<String>) -> Response {
    let mut extra = Vec::new();
    if let Ok(m) = file.metadata().await {
        extra.push((header::CONTENT_LENGTH, m.len().to_string()));
    }
    if let Some(etag) = etag {
        extra.push((header::ETAG, etag));
        extra.push((header::CACHE_CONTROL, super::CACHE_CONTROL.to_string()));
    }
    let body = Body::from_stream(futures_util::stream::try_unfold(file, |mut f| async move {
        let mut buf = vec![0u8; CHUNK];
        let n = f.read(&mut buf).await?;
        if n == 0 {
            return Ok::<_, io::Error>(None);
        }
        buf.truncate(n);
        Ok(Some((Bytes::from(buf), f)))
    }));
    respond(format, body, extra)
}

fn respond(format: Format, body: Body, extra: Vec<(header::HeaderName, String)>) -> Response {
    let disposition = format!(
        "attachment; filename=\"yangpu-social-organizations.{}\"",
        format.ext()
    );
    let mut r = (
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*".to_string()),
        ],
        body,
    )
        .into_response();
    for (k, v) in extra {
        if let Ok(v) = HeaderValue::from_str(&v) {
            r.headers_mut().insert(k, v);
        }
    }
    r
}

/// Every walk slot stayed taken while this request waited.
fn busy() -> Response {
    let secs = SLOT_WAIT.as_secs();
    let mut r = ApiError(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorBody {
            code: "busy".into(),
            message: format!("下载请求较多,请 {secs} 秒后再试"),
            fields: vec![],
        },
    )
    .into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn collected(pieces: Vec<Chunk>) -> Result<Vec<u8>, String> {
        let (send, recv) = mpsc::channel(8);
        for p in pieces {
            send.send(p).await.map_err(|_| "closed")?;
        }
        drop(send);
        body_of(recv)
            .collect()
            .await
            .map(|b| b.to_bytes().to_vec())
            .map_err(|e| e.to_string())
    }

    #[tokio::test]
    async fn a_streamed_body_is_whole_only_when_its_writer_said_so() {
        let piece = |s: &'static str| Chunk::Data(Bytes::from_static(s.as_bytes()));
        assert_eq!(
            collected(vec![piece("a,b\r\n"), piece("c,d\r\n"), Chunk::End]).await,
            Ok(b"a,b\r\nc,d\r\n".to_vec())
        );
        // A writer that stopped (failed walk, client not reading) leaves no
        // `End`: the client sees a broken transfer, not a short file.
        assert!(collected(vec![piece("a,b\r\n")]).await.is_err());
    }

    #[test]
    fn only_the_three_formats_are_downloads_and_cached_files_are_named_by_version() {
        assert_eq!(Format::of("orgs.csv"), Some(Format::Csv));
        assert_eq!(Format::of("orgs.xlsx"), Some(Format::Xlsx));
        assert_eq!(Format::of("orgs.jsonl"), Some(Format::Jsonl));
        assert_eq!(Format::of("orgs.pdf"), None);
        assert_eq!(Format::of("people.csv"), None);
        let a = cache_name(OrgSort::Name, "10.12.10.3.3|x", Format::Csv);
        assert!(a.starts_with("orgs-name-") && a.ends_with(".csv"), "{a}");
        assert_eq!(a, cache_name(OrgSort::Name, "10.12.10.3.3|x", Format::Csv));
        assert_ne!(a, cache_name(OrgSort::Name, "10.13.10.3.3|x", Format::Csv));
        assert_ne!(
            a,
            cache_name(OrgSort::CreditCode, "10.12.10.3.3|x", Format::Csv)
        );
    }
}
