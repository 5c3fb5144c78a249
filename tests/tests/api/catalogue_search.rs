//! `catalogSearch` end to end on both backends: holdings imported over HTTP
//! (`POST /holdings/LIBRARY`), then searched: accents, prefixes, identifiers,
//! the union of words and identifiers, order, paging and refusals.

use ill_tests::{Backend, Network};
use serde_json::{json, Value};
use store::on_both_backends;

pub const SEARCH: &str = "query($query: String!, $first: Int, $after: String) {
    catalogSearch(query: $query, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { id title author isbns issns oclcNumbers lccn lendableBy } } } }";

pub const HEADER: &str = "title,author,isbn,issn,oclc,lccn,year,lendable";

/// One CSV field, quoted when it must be.
pub fn field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Imports `rows` (lines after [`HEADER`]) as `library`'s holdings.
pub async fn import(net: &Network, library: &str, rows: &[String]) {
    let body = std::iter::once(HEADER.to_owned())
        .chain(rows.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n");
    let response = net
        .app
        .client
        .post(format!("{}/holdings/{library}", net.app.base))
        .bearer_auth(&net.coordinator)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .expect("POST /holdings");
    let status = response.status();
    let summary: Value = response.json().await.expect("a JSON summary");
    assert_eq!(status, 200, "{summary}");
    assert_eq!(summary["rejected"], 0, "{summary}");
}

pub async fn search(net: &Network, query: &str, first: i64, after: Option<&str>) -> Value {
    net.app
        .ok(
            &net.bor,
            SEARCH,
            json!({ "query": query, "first": first, "after": after }),
        )
        .await["catalogSearch"]
        .clone()
}

/// The titles a query finds on its first page of 100.
async fn titles(net: &Network, query: &str) -> Vec<String> {
    search(net, query, 100, None).await["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"]["title"].as_str().unwrap().to_owned())
        .collect()
}

fn row(title: &str, author: &str, ids: [&str; 4], lendable: bool) -> String {
    let [isbn, issn, oclc, lccn] = ids.map(field);
    format!(
        "{},{},{isbn},{issn},{oclc},{lccn},1999,{lendable}",
        field(title),
        field(author)
    )
}

/// A small catalogue: "History of Rome" lendable at three libraries,
/// "Histoire de la littérature" lendable at one (and held unlendable at
/// another), the rest at one.
async fn small_catalogue(net: &Network) {
    let rome = row("History of Rome", "Livy", ["0198526636", "", "", ""], true);
    let histoire = |lendable| {
        row(
            "Histoire de la littérature française",
            "Lanson, Gustave",
            ["", "", "777", ""],
            lendable,
        )
    };
    let l1 = [
        row(
            "Élève complète",
            "Molière",
            ["0-306-40615-2", "", "(OCoLC)ocm00012345", ""],
            true,
        ),
        rome.clone(),
        histoire(true),
        row(
            "Historic houses",
            "Hale, Ann",
            ["", "", "", "n 78-890351"],
            true,
        ),
        row("Nature", "", ["", "0028-0836", "", ""], true),
        row(
            "The ox and the oxford hi fi",
            "Ox, Al",
            ["", "", "4242", ""],
            true,
        ),
        row("12345 reasons to read", "", ["", "", "99", ""], true),
    ];
    import(net, "L1", &l1).await;
    import(net, "L2", &[rome.clone(), histoire(false)]).await;
    import(net, "L3", &[rome]).await;
}

async fn words_are_folded_and_matched_whole(backend: Backend) {
    let net = Network::new(backend).await;
    small_catalogue(&net).await;
    for query in [
        "eleve",
        "ÉLÈVE moliere",
        "Molière",
        "complete, eleve",
        "élève-complète",
    ] {
        assert_eq!(titles(&net, query).await, ["Élève complète"], "{query}");
    }
    // Every word must be a word of the title or the author, in any order.
    assert_eq!(titles(&net, "livy rome").await, ["History of Rome"]);
    assert!(titles(&net, "rome carthage").await.is_empty());
    assert!(titles(&net, "eleves").await.is_empty());
}

async fn the_last_word_is_a_prefix_from_three_characters(backend: Backend) {
    let net = Network::new(backend).await;
    small_catalogue(&net).await;
    // lendableBy descending, then id by bytes: "isbn:…" < "ocolc:…".
    let hist = [
        "History of Rome",
        "Historic houses",
        "Histoire de la littérature française",
    ];
    let found = search(&net, "hist", 100, None).await;
    let ids: Vec<&str> = found["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap())
        .collect();
    let lendable: Vec<i64> = found["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["lendableBy"].as_i64().unwrap())
        .collect();
    assert_eq!(lendable, [3, 1, 1], "{found}");
    assert!(ids[1] < ids[2], "{ids:?}");
    assert_eq!(titles(&net, "hist").await, hist);
    assert_eq!(titles(&net, "HIS").await, hist);
    // Two characters: a whole word only.
    assert_eq!(titles(&net, "ox").await, ["The ox and the oxford hi fi"]);
    assert_eq!(titles(&net, "hi").await, ["The ox and the oxford hi fi"]);
    assert_eq!(titles(&net, "oxf").await, ["The ox and the oxford hi fi"]);
    assert!(titles(&net, "ro").await.is_empty());
    // Only the last word is a prefix.
    assert!(titles(&net, "hist rome").await.is_empty());
    assert_eq!(titles(&net, "rome hist").await, ["History of Rome"]);
}

async fn identifiers_find_their_records(backend: Backend) {
    let net = Network::new(backend).await;
    small_catalogue(&net).await;
    for query in [
        "0-306-40615-2",
        " 9780306406157 ",
        "978-0-306-40615-7",
        "(OCoLC)ocm00012345",
        "ocn012345",
        "on12345",
    ] {
        assert_eq!(titles(&net, query).await, ["Élève complète"], "{query}");
    }
    assert_eq!(titles(&net, "0198526636").await, ["History of Rome"]);
    assert_eq!(titles(&net, "0028-0836").await, ["Nature"]);
    assert_eq!(titles(&net, "0028 0836").await, ["Nature"]);
    assert_eq!(titles(&net, "n78-890351").await, ["Historic houses"]);
    // A wrong check digit is no ISBN or ISSN.
    assert!(titles(&net, "0-306-40615-3").await.is_empty());
    assert!(titles(&net, "0028-0837").await.is_empty());
    // Words and identifiers: the union, each record once.
    let both = titles(&net, "12345").await;
    assert_eq!(both.len(), 2, "{both:?}");
    assert!(both.contains(&"Élève complète".to_owned()));
    assert!(both.contains(&"12345 reasons to read".to_owned()));
}

async fn pages_follow_their_cursor(backend: Backend) {
    let net = Network::new(backend).await;
    small_catalogue(&net).await;
    let whole = search(&net, "hist", 100, None).await;
    assert_eq!(whole["totalCount"], 3);
    assert_eq!(whole["pageInfo"]["hasNextPage"], false);
    let mut after: Option<String> = None;
    let mut paged = Vec::new();
    loop {
        let page = search(&net, "hist", 1, after.as_deref()).await;
        assert_eq!(page["totalCount"], 3, "{page}");
        let edges = page["edges"].as_array().unwrap().clone();
        paged.extend(edges.iter().cloned());
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        assert_eq!(edges.len(), 1);
        after = Some(page["pageInfo"]["endCursor"].as_str().unwrap().to_owned());
    }
    assert_eq!(Value::from(paged), whole["edges"]);
    let empty = search(&net, "hist", 0, None).await;
    assert_eq!(empty["edges"], json!([]));
    assert_eq!(empty["totalCount"], 3);
    assert_eq!(empty["pageInfo"]["hasNextPage"], true);
    let last = whole["pageInfo"]["endCursor"].as_str().unwrap();
    let beyond = search(&net, "hist", 5, Some(last)).await;
    assert_eq!(beyond["edges"], json!([]));
    assert_eq!(beyond["totalCount"], 3);
    let none = search(&net, "zebra", 5, None).await;
    assert_eq!(none["totalCount"], 0);
    assert_eq!(none["pageInfo"]["endCursor"], Value::Null);
}

async fn bad_queries_are_refused(backend: Backend) {
    let net = Network::new(backend).await;
    small_catalogue(&net).await;
    let refused = |query: String, first: i64, after: Option<&'static str>| {
        let net = &net;
        async move {
            net.app
                .error_code(
                    Some(&net.bor),
                    SEARCH,
                    json!({ "query": query, "first": first, "after": after }),
                )
                .await
        }
    };
    for query in ["", "   ", "--- / ---", &"a".repeat(201)] {
        assert_eq!(
            refused(query.to_owned(), 20, None).await,
            "BAD_INPUT",
            "{query:?}"
        );
    }
    assert_eq!(refused("hist".into(), 101, None).await, "BAD_INPUT");
    assert_eq!(refused("hist".into(), -1, None).await, "BAD_INPUT");
    assert_eq!(refused("hist".into(), 20, Some("zz")).await, "BAD_INPUT");
    let long = format!("{} rome", "é".repeat(195));
    assert_eq!(search(&net, &long, 100, None).await["totalCount"], 0);
    let body = net
        .app
        .post(None, SEARCH, json!({ "query": "hist", "first": 20 }))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
}

on_both_backends!(words_are_folded_and_matched_whole);
on_both_backends!(the_last_word_is_a_prefix_from_three_characters);
on_both_backends!(identifiers_find_their_records);
on_both_backends!(pages_follow_their_cursor);
on_both_backends!(bad_queries_are_refused);
