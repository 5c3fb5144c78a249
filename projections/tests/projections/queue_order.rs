//! A queue in `RespondBy` order: what must be answered soonest first,
//! requests without an answer-by date after, page by page through cursors
//! that belong to that order.

use chrono::Duration as Days;
use domain::{Action, Note, ServiceType};
use projections::queries::{self, QueueOrder, QueueQuery};
use projections::{Projector, QueryError, QueueSide};
use store::on_both_backends;
use store::testing::{fresh_database, Backend};
use uuid::Uuid;

use crate::world::{id, staff, World};

/// Every page of the borrowing queue of `B1`, one request a page.
async fn walk(db: &store::Database, order: QueueOrder) -> Vec<Uuid> {
    let mut query = QueueQuery {
        library: id("B1"),
        side: QueueSide::Borrowing,
        statuses: None,
        order,
        first: 1,
        after: None,
    };
    let mut ids = Vec::new();
    loop {
        let page = queries::queue(db, &query).await.unwrap();
        assert_eq!(page.total_count, 3);
        ids.extend(page.edges.iter().map(|(_, view)| view.id));
        query.after = page.edges.last().map(|(cursor, _)| cursor.clone());
        if !page.has_next_page {
            return ids;
        }
    }
}

async fn what_must_be_answered_comes_first(backend: Backend) {
    let db = fresh_database(backend).await;
    let mut world = World::new(db.clone()).await;
    let (b1, l1) = (id("B1"), id("L1"));
    // Supplied at once: nothing to answer, changed first.
    let supplied = world.place(&b1, vec![l1.clone()], ServiceType::Loan).await;
    world
        .act(supplied, staff(&l1), Action::WillSupply { note: None })
        .await
        .unwrap();
    world.advance(Days::hours(1));
    let older = world.place(&b1, vec![l1.clone()], ServiceType::Loan).await;
    world.advance(Days::hours(1));
    let newer = world.place(&b1, vec![l1.clone()], ServiceType::Loan).await;
    world.advance(Days::hours(1));
    // A note changes the older one last; its answer is still due first.
    let note = Note {
        id: Uuid::new_v4(),
        text: "any news?".into(),
    };
    world
        .act(older, staff(&b1), Action::AddNote { note })
        .await
        .unwrap();
    Projector::new(db.clone(), world.calendar)
        .catch_up()
        .await
        .unwrap();

    assert_eq!(
        walk(&db, QueueOrder::Updated).await,
        [supplied, newer, older]
    );
    assert_eq!(
        walk(&db, QueueOrder::RespondBy).await,
        [older, newer, supplied]
    );

    // A cursor of one order is not one of the other.
    let first_page = |order| QueueQuery {
        library: b1.clone(),
        side: QueueSide::Borrowing,
        statuses: None,
        order,
        first: 1,
        after: None,
    };
    for (from, to) in [
        (QueueOrder::Updated, QueueOrder::RespondBy),
        (QueueOrder::RespondBy, QueueOrder::Updated),
    ] {
        let page = queries::queue(&db, &first_page(from)).await.unwrap();
        let other = QueueQuery {
            after: Some(page.edges[0].0.clone()),
            ..first_page(to)
        };
        assert!(matches!(
            queries::queue(&db, &other).await,
            Err(QueryError::BadCursor)
        ));
    }
}
on_both_backends!(what_must_be_answered_comes_first);
