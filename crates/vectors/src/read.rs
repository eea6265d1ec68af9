//! Reads a facts bundle (CONTRACT.md, "Input tables") into [`Facts`].
//!
//! Every table is one CSV file with a fixed header, read as it is or, when
//! only `NAME.csv.gz` exists, decompressed (the repository keeps its bundle
//! gzipped). Bad cells are collected (up to [`MAX_REPORTED`]) and reported
//! together, each naming its file, data row (1 = the first row after the
//! header) and column.

use crate::Error;
use chrono::NaiveDate;
use gongyi_domain::history::{HonourLevel, InspectionResult, RatingLevel};
use gongyi_domain::orgs::OrgKind;
use gongyi_domain::people::{PerformanceRating, QualificationLevel};
use gongyi_domain::policy::facts::{
    CompetitionLevel, CompetitionWin, Employment, Inspection, Lease, Org, OrgIx, Performance,
    Person, Qualification, Rating, Score, SeniorAwardDecision, StartupApplication,
};
use gongyi_domain::policy::{Facts, FactsBuilder, FactsError, YearMonth};
use gongyi_domain::Fen;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// How many bad cells are listed before reading stops.
pub const MAX_REPORTED: usize = 100;

/// The input tables in reading order (owners before their events).
pub const TABLES: [(&str, &[&str]); 13] = [
    (
        "organisations",
        &[
            "org_id",
            "credit_code",
            "name",
            "kind",
            "community",
            "fresh_graduate",
            "registration_date",
            "deregistration_date",
            "registered_capital_fen",
            "in_district",
        ],
    ),
    ("annual_inspections", &["org_id", "year", "result", "date"]),
    ("ratings", &["org_id", "level", "date"]),
    ("honours", &["org_id", "title", "level", "date"]),
    ("leases", &["org_id", "month", "rent_paid_fen"]),
    ("startup_applications", &["org_id", "date", "requested_fen"]),
    (
        "venture_projects",
        &["org_id", "project_id", "amount_fen", "selected_date"],
    ),
    (
        "competition_wins",
        &[
            "org_id",
            "project_id",
            "level",
            "prize_place",
            "amount_fen",
            "serves_district",
            "date",
        ],
    ),
    (
        "people",
        &[
            "person_id",
            "qualification_level",
            "qualification_date",
            "social_work_start_date",
        ],
    ),
    (
        "employments",
        &[
            "person_id",
            "org_id",
            "start_date",
            "end_date",
            "labour_contract",
            "full_time",
        ],
    ),
    ("performance_ratings", &["person_id", "year", "rating"]),
    (
        "supervisor_reviews",
        &["person_id", "year", "score", "hours"],
    ),
    (
        "senior_award_decisions",
        &["person_id", "decision_date", "innovative_contribution"],
    ),
];

/// The optional table of qualification history (CONTRACT.md, added
/// 2026-12): when the bundle has it, it is every qualification a person has
/// held, and `people.csv` states the highest.
pub const QUALIFICATIONS: (&str, &[&str]) = (
    "qualifications",
    &["person_id", "qualification_level", "qualification_date"],
);

/// One bad cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCell {
    pub file: String,
    /// Data row, 1-based, header not counted.
    pub row: u64,
    pub column: String,
    pub value: String,
    pub message: String,
}

impl fmt::Display for BadCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, row {}, column {}: “{}”: {}",
            self.file, self.row, self.column, self.value, self.message
        )
    }
}

/// The facts of a bundle and how many rows each table had.
#[derive(Debug)]
pub struct Bundle {
    pub facts: Facts,
    pub input_rows: Vec<(&'static str, u64)>,
}

/// One CSV row being read, with the columns of its table.
struct Row<'a> {
    rec: &'a csv::StringRecord,
    columns: &'static [&'static str],
}

/// A cell's problem before the file and row are known.
struct Bad {
    column: &'static str,
    value: String,
    message: String,
}

type Cell<T> = Result<T, Bad>;

impl<'a> Row<'a> {
    fn raw(&self, col: usize) -> &'a str {
        self.rec.get(col).unwrap_or("")
    }

    fn bad(&self, col: usize, message: impl Into<String>) -> Bad {
        Bad {
            column: self.columns.get(col).copied().unwrap_or("?"),
            value: self.raw(col).to_string(),
            message: message.into(),
        }
    }

    fn text(&self, col: usize) -> Cell<&'a str> {
        let s = self.raw(col);
        if s.is_empty() {
            Err(self.bad(col, "value required"))
        } else {
            Ok(s)
        }
    }

    fn date(&self, col: usize) -> Cell<NaiveDate> {
        parse_date(self.raw(col)).ok_or_else(|| self.bad(col, "expected a date YYYY-MM-DD"))
    }

    fn opt_date(&self, col: usize) -> Cell<Option<NaiveDate>> {
        if self.raw(col).is_empty() {
            Ok(None)
        } else {
            self.date(col).map(Some)
        }
    }

    fn flag(&self, col: usize) -> Cell<bool> {
        match self.raw(col) {
            "1" => Ok(true),
            "0" => Ok(false),
            _ => Err(self.bad(col, "expected 1 or 0")),
        }
    }

    fn fen(&self, col: usize) -> Cell<Fen> {
        Fen::parse_fen(self.columns[col], self.raw(col))
            .map_err(|e| self.bad(col, e.first_message()))
    }

    fn year(&self, col: usize) -> Cell<i32> {
        let s = self.raw(col);
        if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().map_err(|_| self.bad(col, "expected a year"))
        } else {
            Err(self.bad(col, "expected a four-digit year"))
        }
    }

    fn count(&self, col: usize) -> Cell<u32> {
        self.raw(col)
            .parse()
            .map_err(|_| self.bad(col, "expected a whole number ≥ 0"))
    }

    fn parsed<T>(
        &self,
        col: usize,
        parse: fn(&str, &str) -> Result<T, gongyi_domain::Invalid>,
    ) -> Cell<T> {
        parse(self.columns[col], self.raw(col)).map_err(|e| self.bad(col, e.first_message()))
    }
}

/// `YYYY-MM-DD` exactly; faster than a format-string parser on millions of cells.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// Opens `file` of the bundle in `dir`: `dir/file` when it exists, else
/// `dir/file.gz` decompressed. Returns the path read, for messages.
pub fn open(dir: &Path, file: &str) -> Result<(PathBuf, Box<dyn Read>), Error> {
    let path = dir.join(file);
    let gz = dir.join(format!("{file}.gz"));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    match File::open(&path) {
        Ok(f) => Ok((path, Box::new(f))),
        // A plain file is named in the error when neither form is there.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && gz.is_file() => {
            let f = File::open(&gz).map_err(io(&gz))?;
            Ok((gz, Box::new(flate2::read::GzDecoder::new(f))))
        }
        Err(e) => Err(io(&path)(e)),
    }
}

/// Collects bad cells across the tables.
struct Reader<'d> {
    dir: &'d Path,
    bad: Vec<BadCell>,
    rows: Vec<(&'static str, u64)>,
}

impl Reader<'_> {
    fn full(&self) -> bool {
        self.bad.len() >= MAX_REPORTED
    }

    /// Reads `table`, calling `f` for each row; a row's error is recorded
    /// and reading goes on.
    fn table(&mut self, table: usize, f: impl FnMut(&Row) -> Result<(), Bad>) -> Result<(), Error> {
        self.read(TABLES[table], f)
    }

    /// Whether the bundle has `name` (plain or gzipped).
    fn has(&self, name: &str) -> bool {
        let file = format!("{name}.csv");
        self.dir.join(&file).is_file() || self.dir.join(format!("{file}.gz")).is_file()
    }

    fn read(
        &mut self,
        (name, columns): (&'static str, &'static [&'static str]),
        mut f: impl FnMut(&Row) -> Result<(), Bad>,
    ) -> Result<(), Error> {
        let file = format!("{name}.csv");
        let (path, input) = open(self.dir, &file)?;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(input);
        let header = rdr.headers().map_err(|e| Error::csv(&path, e))?.clone();
        if header.iter().ne(columns.iter().copied()) {
            return Err(Error::Header {
                file,
                expected: columns.join(","),
                found: header.iter().collect::<Vec<_>>().join(","),
            });
        }
        let mut rec = csv::StringRecord::new();
        let mut n = 0u64;
        loop {
            match rdr.read_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(Error::csv(&path, e)),
            }
            n += 1;
            if self.full() {
                continue;
            }
            if let Err(b) = f(&Row { rec: &rec, columns }) {
                self.bad.push(BadCell {
                    file: file.clone(),
                    row: n,
                    column: b.column.to_string(),
                    value: b.value,
                    message: b.message,
                });
            }
        }
        self.rows.push((name, n));
        Ok(())
    }
}

/// Maps a builder refusal of an owner id to the column that held it.
fn owner<'v>(column: &'static str, value: &'v str) -> impl FnOnce(FactsError) -> Bad + 'v {
    move |e| Bad {
        column,
        value: value.to_string(),
        message: e.to_string(),
    }
}

/// Reads the thirteen input tables of `dir`, and `qualifications.csv` when
/// the bundle has it.
pub fn read_bundle(dir: &Path) -> Result<Bundle, Error> {
    let mut r = Reader {
        dir,
        bad: Vec::new(),
        rows: Vec::new(),
    };
    let mut b = FactsBuilder::new();

    r.table(0, |row| {
        let id = row.text(0)?;
        let org = Org {
            kind: row.parsed(3, OrgKind::parse)?,
            community: row.flag(4)?,
            fresh_graduate: row.flag(5)?,
            registration_date: row.date(6)?,
            deregistration_date: row.opt_date(7)?,
            registered_capital: row.fen(8)?,
            in_district: row.flag(9)?,
        };
        if org
            .deregistration_date
            .is_some_and(|d| d < org.registration_date)
        {
            return Err(row.bad(7, "deregistration before registration"));
        }
        b.add_org(id, org).map_err(owner("org_id", id))
    })?;
    r.table(1, |row| {
        let id = row.text(0)?;
        let i = Inspection {
            year: row.year(1)?,
            result: row.parsed(2, InspectionResult::parse)?,
            date: row.date(3)?,
        };
        b.add_inspection(id, i).map_err(owner("org_id", id))
    })?;
    r.table(2, |row| {
        let id = row.text(0)?;
        let x = Rating {
            level: row.parsed(1, RatingLevel::parse)?,
            date: row.date(2)?,
        };
        b.add_rating(id, x).map_err(owner("org_id", id))
    })?;
    r.table(3, |row| {
        let id = row.text(0)?;
        let title = row.text(1)?;
        let level = row.parsed(2, HonourLevel::parse)?;
        let date = row.date(3)?;
        b.add_honour(id, title, level, date)
            .map_err(owner("org_id", id))
    })?;
    r.table(4, |row| {
        let id = row.text(0)?;
        let month =
            YearMonth::parse("month", row.raw(1)).map_err(|e| row.bad(1, e.first_message()))?;
        let l = Lease {
            month,
            rent_paid: row.fen(2)?,
        };
        b.add_lease(id, l).map_err(owner("org_id", id))
    })?;
    r.table(5, |row| {
        let id = row.text(0)?;
        let a = StartupApplication {
            date: row.date(1)?,
            requested: row.fen(2)?,
        };
        if a.requested <= Fen::ZERO {
            return Err(row.bad(2, "requested amount must be positive"));
        }
        b.add_startup_application(id, a)
            .map_err(owner("org_id", id))
    })?;
    r.table(6, |row| {
        let id = row.text(0)?;
        let project = row.text(1)?;
        let amount = row.fen(2)?;
        let date = row.date(3)?;
        b.add_venture_project(id, project, amount, date)
            .map_err(owner("org_id", id))
    })?;
    r.table(7, |row| {
        let id = row.text(0)?;
        let project = row.text(1)?;
        let place = match row.raw(3) {
            "" => None,
            _ => Some(row.count(3)?)
                .filter(|p| *p > 0)
                .map(Some)
                .ok_or_else(|| row.bad(3, "expected a place ≥ 1 or empty"))?,
        };
        let w = CompetitionWin {
            org: OrgIx(0),
            project: 0,
            level: row.parsed(2, CompetitionLevel::parse)?,
            place,
            amount: row.fen(4)?,
            serves_district: row.flag(5)?,
            date: row.date(6)?,
        };
        b.add_competition_win(id, project, w)
            .map_err(owner("org_id", id))
    })?;
    r.table(8, |row| {
        let id = row.text(0)?;
        let level = match row.raw(1) {
            "" => None,
            _ => Some(row.parsed(1, QualificationLevel::parse)?),
        };
        let date = row.opt_date(2)?;
        let qualification = match (level, date) {
            (Some(level), Some(date)) => Some(Qualification { level, date }),
            (None, None) => None,
            (Some(_), None) => return Err(row.bad(2, "a qualification needs its date")),
            (None, Some(_)) => return Err(row.bad(2, "a date without a qualification level")),
        };
        let p = Person {
            qualification,
            social_work_start: row.opt_date(3)?,
        };
        b.add_person(id, p).map_err(owner("person_id", id))
    })?;
    if r.has(QUALIFICATIONS.0) {
        r.read(QUALIFICATIONS, |row| {
            let id = row.text(0)?;
            let q = Qualification {
                level: row.parsed(1, QualificationLevel::parse)?,
                date: row.date(2)?,
            };
            b.add_qualification(id, q).map_err(owner("person_id", id))
        })?;
    }
    r.table(9, |row| {
        let id = row.text(0)?;
        let org = row.text(1)?;
        let e = Employment {
            org: OrgIx(0),
            start_date: row.date(2)?,
            end_date: row.opt_date(3)?,
            labour_contract: row.flag(4)?,
            full_time: row.flag(5)?,
        };
        if e.end_date.is_some_and(|x| x < e.start_date) {
            return Err(row.bad(3, "end before start"));
        }
        if !b.has_org(org) {
            return Err(row.bad(1, format!("unknown org_id {org}")));
        }
        b.add_employment(id, org, e).map_err(owner("person_id", id))
    })?;
    r.table(10, |row| {
        let id = row.text(0)?;
        let p = Performance {
            year: row.year(1)?,
            rating: row.parsed(2, PerformanceRating::parse)?,
        };
        b.add_performance(id, p).map_err(owner("person_id", id))
    })?;
    r.table(11, |row| {
        let id = row.text(0)?;
        let year = row.year(1)?;
        let score = row.parsed(2, Score::parse)?;
        let hours = row.count(3)?;
        b.add_supervisor_review(id, year, score, hours)
            .map_err(owner("person_id", id))
    })?;
    r.table(12, |row| {
        let id = row.text(0)?;
        let d = SeniorAwardDecision {
            date: row.date(1)?,
            innovative_contribution: row.flag(2)?,
        };
        b.add_senior_award_decision(id, d)
            .map_err(owner("person_id", id))
    })?;

    if !r.bad.is_empty() {
        return Err(Error::BadInput(r.bad));
    }
    let facts = b.build().map_err(|e| match e {
        FactsError::DuplicateKey {
            table,
            first,
            second,
        } => Error::Duplicate {
            file: format!("{table}.csv"),
            first: first as u64,
            second: second as u64,
        },
        other => Error::Facts(other),
    })?;
    Ok(Bundle {
        facts,
        input_rows: r.rows,
    })
}
