//! CSV holdings files: every column, bad rows, a header alone, no header.

use catalogue::formats::{Entry, Format};
use catalogue::record::{Copy, SourceRecord};

use super::{read_bytes, read_fixture, records, rejections};

#[test]
fn every_column_is_read_and_identifiers_are_normalised() {
    let entries = read_fixture(Format::Csv, "csv/every-column.csv").unwrap();
    assert_eq!(
        entries,
        vec![
            Entry::Record(SourceRecord {
                title: "Café Society : a novel".into(),
                author: Some("Dupont".into()),
                publisher: Some("Penguin".into()),
                year: Some("1999".into()),
                edition: Some("2nd ed.".into()),
                isbns: vec!["9780306406157".into()],
                issns: vec!["0317-8471".into()],
                oclc_numbers: vec!["12345".into()],
                lccn: Some("n78890351".into()),
                copies: vec![Copy {
                    local_id: Some("b1001".into()),
                    call_number: Some("PQ 2603 .U6".into()),
                    location: Some("Main stacks".into()),
                    lendable: true,
                }],
            }),
            Entry::Record(SourceRecord {
                title: "Moby Dick".into(),
                author: Some("Melville, Herman".into()),
                isbns: vec!["9780306406157".into(), "9780140439939".into()],
                copies: vec![Copy {
                    local_id: Some("b1002".into()),
                    lendable: false,
                    ..Copy::default()
                }],
                ..SourceRecord::default()
            }),
            Entry::Record(SourceRecord {
                title: "A title with spaces".into(),
                copies: vec![Copy {
                    lendable: true,
                    ..Copy::default()
                }],
                ..SourceRecord::default()
            }),
        ]
    );
}

#[test]
fn a_bad_row_is_rejected_with_its_reason_and_the_others_are_kept() {
    let entries = read_fixture(Format::Csv, "csv/bad-rows.csv").unwrap();
    assert_eq!(
        rejections(&entries),
        vec![
            "title is missing",
            "isbn 123 is not a valid ISBN",
            "lendable maybe is not true or false",
            "the row has 1 columns; the header has 3",
        ]
    );
    let titles: Vec<&str> = records(&entries)
        .iter()
        .map(|record| record.title.as_str())
        .collect();
    assert_eq!(titles, vec!["Good one", "Last one"]);
    assert_eq!(entries.len(), 6);

    let entries = read_fixture(Format::Csv, "csv/bad-identifiers.csv").unwrap();
    assert_eq!(
        rejections(&entries),
        vec![
            "issn 1234-5678 is not a valid ISSN",
            "oclc ocm12x is not a valid OCLC number",
            "lccn abcd-12 is not a valid LCCN",
        ]
    );
    let fine = records(&entries);
    assert_eq!(fine.len(), 1);
    assert_eq!(fine[0].issns, vec!["0317-8471".to_string()]);
    assert_eq!(fine[0].oclc_numbers, vec!["12".to_string()]);
}

#[test]
fn a_header_alone_gives_no_entries() {
    assert_eq!(read_fixture(Format::Csv, "csv/header-only.csv"), Ok(vec![]));
}

#[test]
fn a_file_without_a_good_header_is_broken() {
    let reason = |path| read_fixture(Format::Csv, path).unwrap_err().reason;
    assert_eq!(
        reason("csv/no-header.csv"),
        "unknown CSV column \"Moby Dick\"; the columns are \
         title,author,isbn,issn,oclc,lccn,publisher,year,edition,local_id,call_number,location,lendable"
    );
    assert!(reason("csv/unknown-column.csv").starts_with("unknown CSV column \"barcode\""));
    let items = Default::default();
    let broken = |bytes: &[u8]| {
        read_bytes(Format::Csv, bytes.to_vec(), &items)
            .unwrap_err()
            .reason
    };
    assert_eq!(broken(b""), "the CSV file is empty: it has no header row");
    assert_eq!(
        broken(b"author,isbn\n"),
        "the CSV header has no \"title\" column (is the first row a header?)"
    );
    assert_eq!(
        broken(b"title,Title\nx,y\n"),
        "the CSV column \"title\" appears twice"
    );
    assert_eq!(broken(b"title,\xff\xfe\n"), "the CSV header is not UTF-8");
    assert_eq!(
        read_bytes(Format::Csv, b"\xef\xbb\xbfTITLE\nEmma\n".to_vec(), &items)
            .map(|entries| records(&entries).len()),
        Ok(1)
    );
}

#[test]
fn a_row_that_is_not_utf8_is_rejected() {
    let entries = read_bytes(
        Format::Csv,
        b"title,author\nEmma,Austen\nCaf\xe9,Dupont\n".to_vec(),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(rejections(&entries), vec!["the row is not UTF-8"]);
    assert_eq!(records(&entries).len(), 1);
}

#[test]
fn blank_header_cells_and_blank_rows_are_skipped() {
    let entries = read_bytes(
        Format::Csv,
        b"title,author,,\nEmma,Austen,,\n,,,\n  , ,,\nPersuasion,,,\n".to_vec(),
        &Default::default(),
    )
    .unwrap();
    let titles: Vec<&str> = records(&entries)
        .iter()
        .map(|record| record.title.as_str())
        .collect();
    assert_eq!(titles, vec!["Emma", "Persuasion"]);
    assert_eq!(entries.len(), 2);
}
