//! Catalogue search on both backends, over rows written straight into the
//! catalogue's tables: the word index follows every insert, update and
//! delete of a record (the triggers and the expression index of migration
//! 0013), whoever writes them; and the benchmark over the LC records.

mod benchmark;

use catalogue::search::{search, SearchError};
use store::backend::on_db;
use store::testing::{fresh_database, Backend};
use store::{on_both_backends, Database};

/// Writes a record row (and its OCLC number as an identifier).
pub async fn insert(db: &Database, id: &str, words: &str, lendable_by: i64, oclc: Option<&str>) {
    on_db!(db, pool => {
        sqlx::query(
            "INSERT INTO catalog_records (id, title, isbns, issns, oclc_numbers, words, lendable_by)
             VALUES ($1, $2, '', '', $3, $2, $4)",
        )
        .bind(id)
        .bind(words)
        .bind(oclc.unwrap_or_default())
        .bind(lendable_by)
        .execute(pool)
        .await
        .unwrap();
        if let Some(oclc) = oclc {
            sqlx::query("INSERT INTO catalog_identifiers (kind, value, record_id) VALUES ('oclc', $1, $2)")
                .bind(oclc)
                .bind(id)
                .execute(pool)
                .await
                .unwrap();
        }
    });
}

async fn run(db: &Database, sql: &str, a: &str, b: &str) {
    on_db!(db, pool => {
        sqlx::query(sql).bind(a).bind(b).execute(pool).await.unwrap();
    });
}

async fn found(db: &Database, query: &str) -> Vec<String> {
    let page = search(db, query, 100, None).await.unwrap();
    assert_eq!(page.total_count as usize, page.edges.len());
    page.edges
        .into_iter()
        .map(|(_, record)| record.id)
        .collect()
}

async fn the_index_follows_every_write(backend: Backend) {
    let db = fresh_database(backend).await;
    insert(&db, "ocolc:1", "history of rome livy", 2, Some("1")).await;
    insert(&db, "ocolc:2", "historic houses hale", 2, Some("2")).await;
    insert(&db, "ocolc:3", "peace and war", 5, Some("3")).await;
    assert_eq!(found(&db, "hist").await, ["ocolc:1", "ocolc:2"]);
    assert_eq!(found(&db, "war").await, ["ocolc:3"]);

    run(
        &db,
        "UPDATE catalog_records SET words = $1 WHERE id = $2",
        "war of rome",
        "ocolc:1",
    )
    .await;
    assert_eq!(found(&db, "hist").await, ["ocolc:2"]);
    assert_eq!(found(&db, "war").await, ["ocolc:3", "ocolc:1"]);

    // A merge renames a cluster: its words go with it.
    run(
        &db,
        "UPDATE catalog_records SET id = $1 WHERE id = $2",
        "ocolc:0",
        "ocolc:2",
    )
    .await;
    assert_eq!(found(&db, "houses").await, ["ocolc:0"]);
    // Only lendable_by changed: the order follows.
    run(
        &db,
        "UPDATE catalog_records SET lendable_by = 9 WHERE id = $1 OR id = $2",
        "ocolc:1",
        "",
    )
    .await;
    assert_eq!(found(&db, "war").await, ["ocolc:1", "ocolc:3"]);

    run(
        &db,
        "DELETE FROM catalog_records WHERE id = $1 OR id = $2",
        "ocolc:1",
        "ocolc:3",
    )
    .await;
    assert!(found(&db, "war").await.is_empty());
    assert_eq!(found(&db, "hale").await, ["ocolc:0"]);
    // A record inserted again after its delete is found once.
    insert(&db, "ocolc:3", "peace and war", 5, None).await;
    assert_eq!(found(&db, "peace war").await, ["ocolc:3"]);
}

async fn identifiers_and_words_make_one_union(backend: Backend) {
    let db = fresh_database(backend).await;
    insert(
        &db,
        "ocolc:12345",
        "eleve complete moliere",
        1,
        Some("12345"),
    )
    .await;
    insert(&db, "ocolc:7", "12345 reasons", 1, Some("7")).await;
    insert(&db, "ocolc:8", "12345 more reasons", 3, Some("12345")).await;
    assert_eq!(
        found(&db, "(OCoLC)ocm00012345").await,
        ["ocolc:8", "ocolc:12345"]
    );
    assert_eq!(
        found(&db, "12345").await,
        ["ocolc:8", "ocolc:12345", "ocolc:7"]
    );
}

async fn pages_and_refusals(backend: Backend) {
    let db = fresh_database(backend).await;
    for n in 0..25 {
        insert(&db, &format!("key:{n:02}"), "same words", n % 3, None).await;
    }
    let all = found(&db, "same").await;
    assert_eq!(all.len(), 25);
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = search(&db, "words same", 4, after.as_deref())
            .await
            .unwrap();
        assert_eq!(page.total_count, 25);
        paged.extend(page.edges.iter().map(|(_, r)| r.id.clone()));
        after = page.edges.last().map(|(cursor, _)| cursor.clone());
        if !page.has_next_page {
            break;
        }
    }
    assert_eq!(paged, all);
    // lendable_by descending, then id.
    assert_eq!(&all[..3], ["key:02", "key:05", "key:08"]);
    assert!(matches!(
        search(&db, "same", 101, None).await,
        Err(SearchError::BadFirst)
    ));
    assert!(matches!(
        search(&db, "", 1, None).await,
        Err(SearchError::BadQuery(_))
    ));
    assert!(matches!(
        search(&db, "same", 1, Some("xyz")).await,
        Err(SearchError::BadCursor)
    ));
}

on_both_backends!(the_index_follows_every_write);
on_both_backends!(identifiers_and_words_make_one_union);
on_both_backends!(pages_and_refusals);
