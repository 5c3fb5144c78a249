//! Every plan reads the same pages: a few thousand generated records
//! written straight into the tables, a list of queries of every kind, each
//! paged through by each plan of its backend.

use store::testing::{fresh_database, Backend};
use store::Database;

use super::plan::Plan;
use super::{page, snapshot, Place, Terms};

const WORDS: [&str; 8] = [
    "the", "of", "history", "histoire", "rome", "ox", "war", "peace",
];

async fn insert(db: &Database, n: usize) {
    let words = (0..=n % 4)
        .map(|k| WORDS[(n * 7 + k * 3 + n / 5) % WORDS.len()])
        .chain([if n % 3 == 0 { "the" } else { "a" }])
        .collect::<Vec<_>>()
        .join(" ");
    let id = format!("ocolc:{n}");
    store::backend::on_db!(db, pool => {
        sqlx::query(
            "INSERT INTO catalog_records (id, title, isbns, issns, oclc_numbers, words, lendable_by)
             VALUES ($1, $2, '', '', $3, $2, $4)",
        )
        .bind(&id)
        .bind(format!("{words} {n}"))
        .bind(n.to_string())
        .bind((n % 5) as i64)
        .execute(pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO catalog_identifiers (kind, value, record_id) VALUES ('oclc', $1, $2)")
            .bind(n.to_string())
            .bind(&id)
            .execute(pool)
            .await
            .unwrap();
    });
}

/// Every page of `query` by `plan`, 7 records a page.
async fn pages(db: &Database, plan: Plan, query: &str) -> Vec<String> {
    let terms = Terms::read(query).unwrap();
    let mut after = Place::start();
    let mut ids = Vec::new();
    loop {
        let mut tx = snapshot(db).await.unwrap();
        let rows = page(&mut tx, plan, &terms, &after, 7).await.unwrap();
        let more = rows.len() > 7;
        for row in rows.into_iter().take(7) {
            after = Place {
                lendable_by: row.lendable_by,
                id: row.id.clone(),
            };
            ids.push(row.id);
        }
        if !more {
            return ids;
        }
    }
}

async fn plans_agree(backend: Backend, plans: &[Plan]) {
    let db = fresh_database(backend).await;
    for n in 0..1500 {
        insert(&db, n).await;
    }
    for query in [
        "the", "a", "hist", "histoire", "of rome", "ox", "war the", "1234", "123", "12", "zebra",
    ] {
        let first = pages(&db, plans[0], query).await;
        for plan in &plans[1..] {
            assert_eq!(
                pages(&db, *plan, query).await,
                first,
                "{query:?} by {plan:?}"
            );
        }
        assert!(query == "zebra" || !first.is_empty(), "{query:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_plans_agree() {
    let plans = [Plan::PostgresWords, Plan::PostgresWordsOrIdentifiers];
    plans_agree(Backend::Postgres, &plans).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_plans_agree() {
    let plans = [
        Plan::SqliteByMatches,
        Plan::SqliteWalkListed,
        Plan::SqliteWalkTesting,
    ];
    plans_agree(Backend::Sqlite, &plans).await;
}
