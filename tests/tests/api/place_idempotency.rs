//! `placeRequest` with a client-chosen id: the same library with the same
//! input gets the existing request (also when the two calls race); another
//! library or other input gets CONFLICT and no data.

use ill_tests::{Backend, Network};
use serde_json::{json, Value};
use store::on_both_backends;

const PLACE: &str = "mutation($input: PlaceRequestInput!) { placeRequest(input: $input) {
    id version status lender { id } item { title } patron { barcode } history { type } } }";

/// A change to a placeRequest input.
type Change = Box<dyn Fn(&mut Value)>;

fn input(id: &str) -> Value {
    json!({
        "id": id,
        "patron": { "barcode": "2100012345", "name": "Ada Reader" },
        "item": { "title": "The Long Winter", "author": "Wilder, Laura Ingalls" },
        "lenders": ["L1", "L2"],
        "neededBy": "2026-04-01",
        "note": "first placement",
    })
}

async fn place(net: &Network, token: &str, input: Value) -> Value {
    net.app
        .post(Some(token), PLACE, json!({ "input": input }))
        .await
}

async fn the_same_placement_twice(backend: Backend) {
    let net = Network::new(backend).await;
    let id = uuid::Uuid::new_v4().to_string();
    let first = place(&net, &net.bor, input(&id)).await;
    assert!(first.get("errors").is_none(), "{first}");
    let first = &first["data"]["placeRequest"];
    assert_eq!(first["id"], id.as_str());
    assert_eq!(first["version"], 2, "placed and routed");

    // Again, the same: the same request, nothing new stored.
    for _ in 0..2 {
        let body = place(&net, &net.bor, input(&id)).await;
        assert_eq!(&body["data"]["placeRequest"], first, "{body}");
    }
    assert_eq!(net.version(&json!(id)).await, 2);

    // Anything else with that id: CONFLICT, no data, nothing stored.
    let changes: Vec<(&str, Change)> = vec![
        (
            "title",
            Box::new(|i| i["item"]["title"] = json!("The Short Winter")),
        ),
        ("author", Box::new(|i| i["item"]["author"] = Value::Null)),
        ("rota", Box::new(|i| i["lenders"] = json!(["L2", "L1"]))),
        ("service", Box::new(|i| i["serviceType"] = json!("COPY"))),
        (
            "needed by",
            Box::new(|i| i["neededBy"] = json!("2026-04-02")),
        ),
        (
            "patron",
            Box::new(|i| i["patron"]["barcode"] = json!("999")),
        ),
        (
            "note",
            Box::new(|i| i["note"] = json!("sent twice, edited")),
        ),
        ("no note", Box::new(|i| i["note"] = Value::Null)),
    ];
    for (what, change) in changes {
        let mut other = input(&id);
        change(&mut other);
        let body = place(&net, &net.bor, other).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "CONFLICT",
            "{what}: {body}"
        );
        assert_eq!(body["data"], Value::Null, "{what}: {body}");
    }
    // Another library, with the very same input or its own rota.
    let mut theirs = input(&id);
    theirs["lenders"] = json!(["L2", "L3"]);
    for (token, input) in [(&net.l1, theirs), (&net.l3, input(&id))] {
        let body = place(&net, token, input).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "CONFLICT",
            "{body}"
        );
        assert_eq!(body["data"], Value::Null, "{body}");
        assert!(!body.to_string().contains("The Long Winter"));
    }
    assert_eq!(net.version(&json!(id)).await, 2);
    assert_eq!(
        net.request(&net.bor, &json!(id)).await["patron"]["barcode"],
        "2100012345"
    );
}
on_both_backends!(the_same_placement_twice);

async fn the_same_placement_racing(backend: Backend) {
    let net = Network::new(backend).await;
    for _ in 0..5 {
        let id = uuid::Uuid::new_v4().to_string();
        let (a, b, c) = tokio::join!(
            place(&net, &net.bor, input(&id)),
            place(&net, &net.bor, input(&id)),
            place(&net, &net.bor, input(&id)),
        );
        for body in [&a, &b, &c] {
            assert!(body.get("errors").is_none(), "{body}");
            assert_eq!(body["data"]["placeRequest"]["id"], id.as_str());
            assert_eq!(body["data"]["placeRequest"]["version"], 2);
        }
        assert_eq!(net.version(&json!(id)).await, 2);
    }
}
on_both_backends!(the_same_placement_racing);

/// The database refuses every further append, after the command was decided.
async fn refuse_appends(db: &store::Database) {
    match db {
        store::Database::Postgres(pool) => {
            sqlx::query(
                "CREATE FUNCTION refuse_append() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION 'refused'; END; $$",
            )
            .execute(pool)
            .await
            .unwrap();
            sqlx::query(
                "CREATE TRIGGER refuse_append BEFORE INSERT ON events \
                 FOR EACH ROW EXECUTE FUNCTION refuse_append()",
            )
            .execute(pool)
            .await
            .unwrap();
        }
        store::Database::Sqlite(pool) => {
            sqlx::query(
                "CREATE TRIGGER refuse_append BEFORE INSERT ON events \
                 BEGIN SELECT RAISE(ABORT, 'refused'); END",
            )
            .execute(pool)
            .await
            .unwrap();
        }
    }
}

/// The patron and the note share the append's commit: a placement whose
/// append fails leaves neither behind.
async fn a_failed_placement_leaves_no_patron(backend: Backend) {
    let net = Network::new(backend).await;
    let db = store::Database::connect(&net.app.database_url)
        .await
        .unwrap();
    refuse_appends(&db).await;
    let id = uuid::Uuid::new_v4().to_string();
    let failed = place(&net, &net.bor, input(&id)).await;
    assert_eq!(
        failed["errors"][0]["extensions"]["code"], "INTERNAL",
        "{failed}"
    );
    let count = |table: &'static str| {
        let db = db.clone();
        async move {
            let sql = format!("SELECT count(*) FROM {table}");
            let n: i64 = store::on_db!(&db, pool => sqlx::query_scalar(&sql)
                .fetch_one(pool)
                .await
                .unwrap());
            n
        }
    };
    assert_eq!(
        count("patrons").await,
        0,
        "no patron row without its events"
    );
    assert_eq!(count("notes").await, 0, "no note row without its events");
}
on_both_backends!(a_failed_placement_leaves_no_patron);
