//! No NOTIFY inside an append (PostgreSQL): the events table has no trigger,
//! and the other nodes hear of an append from a notification sent after it.

use std::time::Duration;

use domain::testing::{place, services, staff, BOR, LENDERS};
use sqlx::postgres::PgListener;
use store::event_store::EVENTS_CHANNEL;
use store::testing::{fresh_database, run, Backend};
use store::{Database, EventStore};
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_are_announced_after_their_commit() {
    let db = fresh_database(Backend::Postgres).await;
    let Database::Postgres(pool) = &db else {
        unreachable!()
    };
    let triggers: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'events'::regclass AND NOT tgisinternal",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(triggers, 0, "a trigger on events would run inside appends");

    let mut listener = PgListener::connect_with(pool).await.unwrap();
    listener.listen(EVENTS_CHANNEL).await.unwrap();
    let store = EventStore::new(db.clone());
    run(
        &store,
        &services(),
        Uuid::new_v4(),
        staff(BOR),
        None,
        place(&LENDERS),
    )
    .await
    .unwrap();
    let heard = tokio::time::timeout(Duration::from_secs(30), listener.recv())
        .await
        .expect("an announcement of the append")
        .unwrap();
    assert_eq!(heard.channel(), EVENTS_CHANNEL);
}
