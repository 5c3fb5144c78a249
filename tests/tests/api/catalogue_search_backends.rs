//! The same catalogue searched on PostgreSQL and SQLite gives the same
//! pages: a few thousand generated records (a seeded generator) imported
//! into one store of each backend, a list of queries paged through on both
//! and compared page by page, and against what the records say (which match,
//! in which order).

use std::collections::BTreeMap;

use domain::normalize::fold;
use ill_tests::{Backend, Network};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use super::catalogue_search::{field, import, search};

const RECORDS: usize = 3000;
const LIBRARIES: [&str; 4] = ["BOR", "L1", "L2", "L3"];
const PAGE: i64 = 40;

/// Words with accents, shared prefixes and short ones, then made-up ones.
const WORDS: [&str; 24] = [
    "history",
    "historic",
    "histoire",
    "histology",
    "élan",
    "café",
    "naïve",
    "über",
    "façade",
    "señor",
    "œuvre",
    "of",
    "to",
    "an",
    "hi",
    "ox",
    "oxford",
    "rome",
    "roman",
    "romance",
    "war",
    "peace",
    "Straße",
    "l'été",
];
const SYLLABLES: [&str; 12] = [
    "ka", "lo", "mi", "ra", "tu", "ven", "sol", "dor", "an", "é", "qu", "is",
];

struct Record {
    title: String,
    author: String,
    isbn: Option<String>,
    oclc: u64,
    /// Per library: absent, held not lendable, held lendable.
    held: [Option<bool>; 4],
}

impl Record {
    fn id(&self) -> String {
        format!("ocolc:{}", self.oclc)
    }

    fn words(&self) -> Vec<String> {
        fold(&format!("{} {}", self.title, self.author))
            .split(' ')
            .map(str::to_owned)
            .collect()
    }

    fn lendable_by(&self) -> usize {
        self.held.iter().filter(|h| **h == Some(true)).count()
    }
}

fn isbn13(body: u64) -> String {
    let twelve = format!("978{:09}", body % 1_000_000_000);
    let sum: u32 = twelve
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{twelve}{}", (10 - sum % 10) % 10)
}

fn generate() -> Vec<Record> {
    let mut random = StdRng::seed_from_u64(19);
    let word = |random: &mut StdRng| -> String {
        if random.random_bool(0.5) {
            WORDS[random.random_range(0..WORDS.len())].to_owned()
        } else {
            (0..random.random_range(1..4))
                .map(|_| SYLLABLES[random.random_range(0..SYLLABLES.len())])
                .collect()
        }
    };
    (0..RECORDS)
        .map(|i| {
            let title = (0..random.random_range(1..6))
                .map(|_| word(&mut random))
                .collect::<Vec<_>>()
                .join(" ");
            let author = (0..random.random_range(0..3))
                .map(|_| word(&mut random))
                .collect::<Vec<_>>()
                .join(", ");
            let held = [(); 4].map(|_| random.random_bool(0.45).then(|| random.random_bool(0.7)));
            Record {
                title: format!("{title} {i}"),
                author,
                isbn: random.random_bool(0.3).then(|| isbn13(i as u64 * 7919)),
                oclc: 1000 + i as u64,
                held,
            }
        })
        .collect()
}

async fn load(backend: Backend, records: &[Record]) -> Network {
    let net = Network::new(backend).await;
    for (n, library) in LIBRARIES.iter().enumerate() {
        let rows: Vec<String> = records
            .iter()
            .filter_map(|r| {
                let lendable = r.held[n]?;
                Some(format!(
                    "{},{},{},,{},,2001,{lendable}",
                    field(&r.title),
                    field(&r.author),
                    r.isbn.clone().unwrap_or_default(),
                    r.oclc
                ))
            })
            .collect();
        import(&net, library, &rows).await;
    }
    net
}

/// What a query must find, in order, from the records themselves: every
/// word a word of the record, the last also as a prefix from 3 characters;
/// or the record's ISBN or OCLC number.
fn expected(records: &[Record], query: &str) -> Vec<String> {
    let words: Vec<String> = fold(query).split(' ').map(str::to_owned).collect();
    let (last, rest) = words.split_last().unwrap();
    let prefix = last.chars().count() >= 3;
    let isbn = domain::normalize::isbn13(query);
    let oclc = domain::normalize::oclc(query);
    let mut found: Vec<&Record> = records
        .iter()
        .filter(|r| r.held.iter().any(Option::is_some))
        .filter(|r| {
            let own = r.words();
            let by_words = rest.iter().all(|w| own.contains(w))
                && own
                    .iter()
                    .any(|w| w == last || (prefix && w.starts_with(last.as_str())));
            by_words
                || (isbn.is_some() && r.isbn == isbn)
                || oclc.as_deref() == Some(&r.oclc.to_string())
        })
        .collect();
    found.sort_by_key(|r| (std::cmp::Reverse(r.lendable_by()), r.id()));
    found.iter().map(|r| r.id()).collect()
}

fn queries(records: &[Record]) -> Vec<String> {
    let mut queries: Vec<String> = WORDS.iter().map(|w| w.to_string()).collect();
    queries.extend(
        [
            "hi", "his", "hist", "histo", "rom", "ro", "ox", "oxf", "ete", "l ete",
        ]
        .map(String::from),
    );
    queries.extend(
        [
            "été",
            "Œuvre",
            "STRASSE",
            "strasse",
            "naive über",
            "ka",
            "kalo",
            "sol",
            "ven dor",
        ]
        .map(String::from),
    );
    queries.extend(
        [
            "war peace",
            "peace war",
            "history rome",
            "rome hist",
            "an of to",
        ]
        .map(String::from),
    );
    for r in records.iter().step_by(397) {
        queries.push(r.oclc.to_string());
        queries.push(format!("(OCoLC)ocm{:08}", r.oclc));
        if let Some(isbn) = &r.isbn {
            queries.push(isbn.clone());
        }
        queries.push(r.title.clone());
    }
    queries
}

async fn pages(net: &Network, query: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = search(net, query, PAGE, after.as_deref()).await;
        let more = page["pageInfo"]["hasNextPage"] == true;
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        pages.push(page);
        if !more {
            return pages;
        }
    }
}

fn ids(pages: &[Value]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p["edges"].as_array().unwrap().clone())
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_give_the_same_pages() {
    let records = generate();
    let postgres = load(Backend::Postgres, &records).await;
    let sqlite = load(Backend::Sqlite, &records).await;
    let mut sizes = BTreeMap::new();
    for query in queries(&records) {
        let on_postgres = pages(&postgres, &query).await;
        let on_sqlite = pages(&sqlite, &query).await;
        assert_eq!(on_postgres, on_sqlite, "{query:?}");
        let want = expected(&records, &query);
        assert_eq!(ids(&on_postgres), want, "{query:?}");
        assert_eq!(on_postgres[0]["totalCount"], want.len(), "{query:?}");
        sizes.insert(query, want.len());
    }
    // The list is no empty comparison: common words span many pages.
    assert!(sizes["history"] > 3 * PAGE as usize, "{sizes:?}");
    assert!(sizes["hist"] > sizes["history"], "{sizes:?}");
    let empty = sizes.values().filter(|n| **n == 0).count();
    assert!(4 * empty < sizes.len(), "{sizes:?}");
}
