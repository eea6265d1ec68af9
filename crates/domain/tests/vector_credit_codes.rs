//! Every credit code in the test vectors (`docs/policies/vectors`) parses
//! and matches its kind.

use gongyi_domain::orgs::OrgKind;
use gongyi_domain::CreditCode;

#[test]
fn every_credit_code_in_the_vectors_is_valid_for_its_kind() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/policies/vectors/n10000/organisations.csv.gz"
    );
    let file = std::fs::File::open(path).expect("the vectors are in the repository");
    let mut rdr = csv::Reader::from_reader(flate2::read::GzDecoder::new(file));
    let mut n = 0;
    for row in rdr.records() {
        let row = row.expect("csv row");
        let code = CreditCode::parse(&row[1]).unwrap_or_else(|e| panic!("{}: {e}", &row[1]));
        let kind = OrgKind::parse("kind", &row[3]).expect("kind");
        code.check_kind(kind)
            .unwrap_or_else(|e| panic!("{}: {e}", &row[1]));
        n += 1;
    }
    assert_eq!(n, 10_000);
}
