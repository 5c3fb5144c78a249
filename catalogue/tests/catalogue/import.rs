//! The switch over files larger than its pages and statements (members read
//! 10,000 at a time, records 2,000, rows inserted 1,000 per statement): every
//! record, identifier and record id is written once, clusters merge across
//! libraries, the staged tables are left empty, and two imports at once give
//! what they give one after the other.

use std::io::Cursor;

use catalogue::formats::{Format, ItemMapping};
use catalogue::import::{import, ImportRequest, Summary};
use catalogue::records;
use store::backend::on_db;
use store::testing::{fresh_database, Backend};
use store::{on_both_backends, Database};

/// Records of the first file: more than a page of members.
const RECORDS: usize = 12_345;

/// An ISBN-13 (978 prefix) with its check digit, from a 9-digit number.
fn isbn(n: usize) -> String {
    let body = format!("978{n:09}");
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

async fn import_csv(db: &Database, library: &str, csv: String) -> Summary {
    import(
        db,
        ImportRequest {
            library: library.to_owned(),
            by: "test".to_owned(),
            format: Format::Csv,
            items: ItemMapping::default(),
            at: chrono::Utc::now(),
            lending: true,
        },
        Cursor::new(csv.into_bytes()),
    )
    .await
    .expect("the import")
}

async fn count(db: &Database, sql: &str) -> i64 {
    on_db!(db, pool => sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql))
}

/// How many rows PostgreSQL's planner believes `table` has (-1: never
/// analyzed).
async fn planned_rows(db: &Database, table: &str) -> i64 {
    const RELTUPLES: &str = "SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE relname = $1";
    on_db!(db, pool => sqlx::query_scalar(RELTUPLES).bind(table).fetch_one(pool).await.expect(RELTUPLES))
}

async fn a_large_file_is_switched_whole(backend: Backend) {
    let db = fresh_database(backend).await;
    // Library A: each record with its own ISBN; every tenth also with an
    // OCLC number, and past the 6,000th every hundredth with neither (its
    // match key).
    let mut a = String::from("title,author,isbn,oclc,local_id\n");
    for i in 0..RECORDS {
        let (isbn, oclc) = match i % 100 {
            0 if i > 6_000 => (String::new(), String::new()),
            n if n % 10 == 0 => (isbn(i), format!("(OCoLC){}", 1_000_000 + i)),
            _ => (isbn(i), String::new()),
        };
        a.push_str(&format!("Volume {i},Author {i},{isbn},{oclc},a{i}\n"));
    }
    let summary = import_csv(&db, "A", a.clone()).await;
    assert_eq!(
        (summary.records, summary.holdings),
        (RECORDS as i64, RECORDS as i64)
    );
    let records = count(&db, "SELECT count(*) FROM catalog_records").await;
    assert_eq!(records, RECORDS as i64);
    // On PostgreSQL the switch left the planner the tables' sizes (the next
    // import and every search plan with them).
    if let Backend::Postgres = backend {
        for table in [
            "catalog_records",
            "catalog_identifiers",
            "catalog_members",
            "holdings",
        ] {
            let rows = count(&db, &format!("SELECT count(*) FROM {table}")).await;
            assert_eq!(planned_rows(&db, table).await, rows, "{table}");
        }
    }
    assert_eq!(
        count(&db, "SELECT count(*) FROM holdings WHERE record_id IS NULL").await,
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM catalog_records WHERE lendable_by = 1"
        )
        .await,
        RECORDS as i64
    );
    let last = RECORDS - 1;
    let record = records::record(&db, &format!("isbn:{}", isbn(last)))
        .await
        .unwrap()
        .expect("the last record");
    assert_eq!(record.title, format!("Volume {last}"));

    // Library B joins two of A's records at a time: its record k holds the
    // ISBNs of A's records 2k+1 and 2k+2, merging them.
    let mut b = String::from("title,isbn,local_id\n");
    for k in 0..3_000 {
        b.push_str(&format!(
            "Joined {k},{};{},b{k}\n",
            isbn(2 * k + 1),
            isbn(2 * k + 2)
        ));
    }
    import_csv(&db, "B", b).await;
    let merged = records::record(&db, &format!("isbn:{}", isbn(4)))
        .await
        .unwrap()
        .expect("merged");
    assert_eq!(
        merged.id,
        format!("isbn:{}", isbn(3)),
        "the smallest ISBN names it"
    );
    assert_eq!(merged.title, "Volume 3", "A's first record represents it");
    assert_eq!(merged.lendable_by, 2);
    let holdings = records::holdings(&db, &merged.id).await.unwrap();
    let holders: Vec<&str> = holdings.iter().map(|h| h.library.as_str()).collect();
    assert_eq!(holders, ["A", "A", "B"]);
    // 6,000 of A's records merged in pairs into 3,000.
    assert_eq!(
        count(&db, "SELECT count(*) FROM catalog_records").await,
        RECORDS as i64 - 3_000
    );

    // Re-importing A's file changes nothing.
    let before = count(&db, "SELECT count(*) FROM catalog_identifiers").await;
    import_csv(&db, "A", a).await;
    assert_eq!(
        count(&db, "SELECT count(*) FROM catalog_records").await,
        RECORDS as i64 - 3_000
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM catalog_identifiers").await,
        before
    );
    let again = records::record(&db, &format!("isbn:{}", isbn(4)))
        .await
        .unwrap()
        .expect("merged");
    assert_eq!(again, merged);
    for table in catalogue::import::STAGED_TABLES {
        let sql = format!("SELECT count(*) FROM {table}");
        assert_eq!(count(&db, &sql).await, 0, "{table} is left empty");
    }
    // The replaced batches' rows are dropped.
    assert_eq!(
        count(&db, "SELECT count(*) FROM holdings").await,
        RECORDS as i64 + 3_000
    );
}
on_both_backends!(a_large_file_is_switched_whole);

/// The catalogue as rows of text, without batch ids (which differ between
/// stores): records, identifier rows, and each copy's record.
async fn catalogue_rows(db: &Database) -> Vec<String> {
    let mut rows = Vec::new();
    for sql in [
        "SELECT id || '|' || title || '|' || isbns || '|' || CAST(lendable_by AS TEXT) \
         FROM catalog_records ORDER BY id",
        "SELECT kind || '|' || value || '|' || record_id FROM catalog_identifiers \
         ORDER BY kind, value, record_id",
        "SELECT library || '|' || CAST(position AS TEXT) || '|' || record_id FROM holdings \
         ORDER BY library, position",
    ] {
        let found: Vec<String> =
            on_db!(db, pool => sqlx::query_scalar(sql).fetch_all(pool).await.expect(sql));
        rows.extend(found);
    }
    rows
}

async fn imports_at_once_give_what_they_give_in_turn(backend: Backend) {
    // A's records each with their own ISBN; B's join two of A's each.
    let mut a = String::from("title,isbn,local_id\n");
    for i in 0..6_000 {
        a.push_str(&format!("Volume {i},{},a{i}\n", isbn(i)));
    }
    let mut b = String::from("title,isbn,local_id\n");
    for k in 0..2_000 {
        b.push_str(&format!(
            "Joined {k},{};{},b{k}\n",
            isbn(2 * k + 1),
            isbn(2 * k + 2)
        ));
    }
    let in_turn = fresh_database(backend).await;
    import_csv(&in_turn, "A", a.clone()).await;
    import_csv(&in_turn, "B", b.clone()).await;
    let at_once = fresh_database(backend).await;
    tokio::join!(import_csv(&at_once, "A", a), import_csv(&at_once, "B", b));
    assert_eq!(
        catalogue_rows(&at_once).await,
        catalogue_rows(&in_turn).await
    );
    assert_eq!(
        count(&at_once, "SELECT count(*) FROM catalog_records").await,
        4_000
    );
}
on_both_backends!(imports_at_once_give_what_they_give_in_turn);
