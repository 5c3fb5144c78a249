//! Running `ill-replay` against a store the tests fill through the domain.

use std::process::{Command, Output};
use std::sync::Arc;

use chrono::Duration;
use domain::testing::{place, services_with, staff, test_epoch, BOR, LENDERS};
use domain::{Action, Calendar, ManualClock, UnfilledReason};
use projections::Projector;
use store::testing::run;
use store::{Database, EventStore};
use uuid::Uuid;

pub fn replay(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ill-replay"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .output()
        .expect("run ill-replay")
}

pub fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "ill-replay failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// A LOAN taken through its whole life, a day between steps: placed at the
/// epoch, declined by L1 a day later, then shipped by L2 … checked in on day
/// 7. Its id.
pub async fn lifecycle(url: &str) -> Uuid {
    let store = EventStore::new(Database::connect(url).await.unwrap());
    let clock = Arc::new(ManualClock::new(test_epoch()));
    let services = services_with(clock.clone());
    let id = Uuid::new_v4();
    let due = (test_epoch() + Duration::days(40)).date_naive();
    let steps = [
        (BOR, place(&LENDERS)),
        (
            "L1",
            Action::Decline {
                reason: UnfilledReason::NotOnShelf,
                note: None,
            },
        ),
        (
            "L2",
            Action::Ship {
                due_date: due,
                note: None,
            },
        ),
        (BOR, Action::Receive),
        (BOR, Action::CheckOutToPatron),
        (BOR, Action::ReturnFromPatron),
        (BOR, Action::ShipReturn),
        ("L2", Action::CheckIn),
    ];
    for (library, action) in steps {
        run(&store, &services, id, staff(library), None, action)
            .await
            .unwrap();
        clock.advance(Duration::days(1));
    }
    id
}

/// Brings every read model up to the log, as a running server would.
pub async fn project(url: &str) {
    let database = Database::connect(url).await.unwrap();
    Projector::new(database, Calendar::default())
        .catch_up()
        .await
        .unwrap();
}
