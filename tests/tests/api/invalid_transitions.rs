//! Every mutation the status rules forbid, from every status, reached
//! through the API: INVALID_TRANSITION, and nothing stored. Each is tried by
//! the side allowed to act (the coordinator, with a reason, where there is
//! no current lender), so the status rule is what fails. The same table's
//! allowed mutations are tried too, each on its own request, so the table
//! is exactly as wide as the rules.

use std::collections::BTreeSet;

use ill_tests::{Backend, Network};
use serde_json::{json, Value};
use store::on_both_backends;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Borrower,
    Lender,
}

/// Every request mutation (addNote is allowed in every status), with
/// arguments that are valid in themselves and for every state reached below.
const MUTATIONS: [(&str, Side, &str); 20] = [
    (
        "acceptConditions",
        Side::Borrower,
        "acceptConditions(id: $id)",
    ),
    (
        "rejectConditions",
        Side::Borrower,
        "rejectConditions(id: $id)",
    ),
    ("receive", Side::Borrower, "receive(id: $id)"),
    (
        "checkOutToPatron",
        Side::Borrower,
        "checkOutToPatron(id: $id)",
    ),
    (
        "returnFromPatron",
        Side::Borrower,
        "returnFromPatron(id: $id)",
    ),
    ("shipReturn", Side::Borrower, "shipReturn(id: $id)"),
    (
        "requestRenewal",
        Side::Borrower,
        r#"requestRenewal(id: $id, until: "2026-06-01")"#,
    ),
    ("cancel", Side::Borrower, "cancel(id: $id)"),
    (
        "reroute",
        Side::Borrower,
        r#"reroute(id: $id, lenders: ["L3"])"#,
    ),
    ("declareLost/B", Side::Borrower, "declareLost(id: $id)"),
    ("willSupply", Side::Lender, "willSupply(id: $id)"),
    (
        "proposeConditions",
        Side::Lender,
        "proposeConditions(id: $id, condition: LIBRARY_USE_ONLY)",
    ),
    (
        "decline",
        Side::Lender,
        "decline(id: $id, reason: NOT_HELD)",
    ),
    (
        "ship",
        Side::Lender,
        r#"ship(id: $id, dueDate: "2026-04-15")"#,
    ),
    ("deliverCopy", Side::Lender, "deliverCopy(id: $id)"),
    (
        "answerRenewal",
        Side::Lender,
        r#"answerRenewal(id: $id, approve: true, newDueDate: "2026-07-01")"#,
    ),
    ("recall", Side::Lender, "recall(id: $id)"),
    (
        "answerCancel",
        Side::Lender,
        "answerCancel(id: $id, approve: true)",
    ),
    ("checkIn", Side::Lender, "checkIn(id: $id)"),
    ("declareLost/L", Side::Lender, "declareLost(id: $id)"),
];

/// A state to reach: its name, the expected status, how to get there from a
/// LOAN (or COPY) placed with L1 then L2, and what the rules allow there.
struct Situation {
    name: &'static str,
    status: &'static str,
    copy: bool,
    steps: &'static [(Side, &'static str)],
    allowed: &'static [&'static str],
}

use Side::{Borrower as B, Lender as L};

const SHIP: (Side, &str) = (L, r#"ship(id: $id, dueDate: "2026-04-01")"#);

const SITUATIONS: &[Situation] = &[
    Situation {
        name: "requested",
        status: "REQUESTED",
        copy: false,
        steps: &[],
        allowed: &[
            "cancel",
            "willSupply",
            "proposeConditions",
            "decline",
            "ship",
        ],
    },
    Situation {
        name: "requested copy",
        status: "REQUESTED",
        copy: true,
        steps: &[],
        allowed: &[
            "cancel",
            "willSupply",
            "proposeConditions",
            "decline",
            "deliverCopy",
        ],
    },
    Situation {
        name: "conditional",
        status: "CONDITIONAL",
        copy: false,
        steps: &[(L, "proposeConditions(id: $id, condition: NO_REPRODUCTION)")],
        allowed: &["acceptConditions", "rejectConditions", "cancel"],
    },
    Situation {
        name: "will supply",
        status: "WILL_SUPPLY",
        copy: false,
        steps: &[(L, "willSupply(id: $id)")],
        allowed: &["cancel", "decline", "ship"],
    },
    Situation {
        name: "will supply copy",
        status: "WILL_SUPPLY",
        copy: true,
        steps: &[(L, "willSupply(id: $id)")],
        allowed: &["cancel", "decline", "deliverCopy"],
    },
    Situation {
        name: "will supply, cancel pending",
        status: "WILL_SUPPLY",
        copy: false,
        steps: &[(L, "willSupply(id: $id)"), (B, "cancel(id: $id)")],
        allowed: &["decline", "answerCancel"],
    },
    Situation {
        name: "shipped",
        status: "SHIPPED",
        copy: false,
        steps: &[SHIP],
        allowed: &["receive", "recall", "checkIn", "declareLost/B"],
    },
    Situation {
        name: "received",
        status: "RECEIVED",
        copy: false,
        steps: &[SHIP, (B, "receive(id: $id)")],
        allowed: &[
            "checkOutToPatron",
            "returnFromPatron",
            "requestRenewal",
            "recall",
            "checkIn",
            "declareLost/B",
        ],
    },
    Situation {
        name: "received, renewal pending",
        status: "RECEIVED",
        copy: false,
        steps: &[
            SHIP,
            (B, "receive(id: $id)"),
            (B, "requestRenewal(id: $id)"),
        ],
        allowed: &[
            "checkOutToPatron",
            "returnFromPatron",
            "answerRenewal",
            "recall",
            "checkIn",
            "declareLost/B",
        ],
    },
    Situation {
        name: "checked out",
        status: "CHECKED_OUT",
        copy: false,
        steps: &[
            SHIP,
            (B, "receive(id: $id)"),
            (B, "checkOutToPatron(id: $id)"),
        ],
        allowed: &[
            "returnFromPatron",
            "requestRenewal",
            "recall",
            "checkIn",
            "declareLost/B",
        ],
    },
    Situation {
        name: "checked out, recalled",
        status: "CHECKED_OUT",
        copy: false,
        steps: &[
            SHIP,
            (B, "receive(id: $id)"),
            (B, "checkOutToPatron(id: $id)"),
            (L, "recall(id: $id)"),
        ],
        allowed: &["returnFromPatron", "checkIn", "declareLost/B"],
    },
    Situation {
        name: "returned by patron",
        status: "RETURNED_BY_PATRON",
        copy: false,
        steps: &[
            SHIP,
            (B, "receive(id: $id)"),
            (B, "returnFromPatron(id: $id)"),
        ],
        allowed: &["shipReturn", "recall", "checkIn", "declareLost/B"],
    },
    Situation {
        name: "return shipped",
        status: "RETURN_SHIPPED",
        copy: false,
        steps: &[
            SHIP,
            (B, "receive(id: $id)"),
            (B, "returnFromPatron(id: $id)"),
            (B, "shipReturn(id: $id)"),
        ],
        allowed: &["checkIn", "declareLost/L"],
    },
    Situation {
        name: "completed",
        status: "COMPLETED",
        copy: false,
        steps: &[SHIP, (L, "checkIn(id: $id)")],
        allowed: &[],
    },
    Situation {
        name: "delivered",
        status: "DELIVERED",
        copy: true,
        steps: &[(L, "deliverCopy(id: $id)")],
        allowed: &[],
    },
    Situation {
        name: "unfilled",
        status: "UNFILLED",
        copy: false,
        steps: &[
            (L, "decline(id: $id, reason: NOT_HELD)"),
            (L, "decline(id: $id, reason: OTHER)"),
        ],
        allowed: &["reroute"],
    },
    Situation {
        name: "cancelled",
        status: "CANCELLED",
        copy: false,
        steps: &[(B, "cancel(id: $id)")],
        allowed: &[],
    },
    Situation {
        name: "cancelled by the lender's answer",
        status: "CANCELLED",
        copy: false,
        steps: &[
            (L, "willSupply(id: $id)"),
            (B, "cancel(id: $id)"),
            (L, "answerCancel(id: $id, approve: true)"),
        ],
        allowed: &[],
    },
    Situation {
        name: "lost",
        status: "LOST",
        copy: false,
        steps: &[SHIP, (B, "declareLost(id: $id)")],
        allowed: &["checkIn"],
    },
];

/// The token that acts for `side` on the request as it stands: the
/// borrower, the current lender, or (no current lender) the coordinator
/// with a reason, appended to the mutation.
fn actor(net: &Network, request: &Value, side: Side, mutation: &str) -> (String, String) {
    match (side, request["lender"]["id"].as_str()) {
        (Side::Borrower, _) => (net.bor.clone(), mutation.to_owned()),
        (Side::Lender, Some(lender)) => (net.token_of(lender).to_owned(), mutation.to_owned()),
        (Side::Lender, None) => {
            let with_reason = format!(
                r#"{}, coordinatorReason: "the lender is away")"#,
                mutation.strip_suffix(')').unwrap()
            );
            (net.coordinator.clone(), with_reason)
        }
    }
}

async fn reach(net: &Network, situation: &Situation) -> Value {
    let extra = if situation.copy {
        json!({ "serviceType": "COPY" })
    } else {
        json!({})
    };
    let mut request = net.place_with(&["L1", "L2"], extra).await;
    let id = request["id"].clone();
    for (side, step) in situation.steps {
        let (token, step) = actor(net, &request, *side, step);
        request = net.act(&token, &id, &step).await;
    }
    assert_eq!(request["status"], situation.status, "{}", situation.name);
    request
}

async fn every_forbidden_transition(backend: Backend) {
    let net = Network::new(backend).await;
    let names: BTreeSet<&str> = MUTATIONS.iter().map(|(name, _, _)| *name).collect();
    let mut refused = 0;
    for situation in SITUATIONS {
        assert!(situation.allowed.iter().all(|a| names.contains(a)));
        let request = reach(&net, situation).await;
        let id = &request["id"];
        for (name, side, mutation) in MUTATIONS {
            if situation.allowed.contains(&name) {
                continue;
            }
            let (token, mutation) = actor(&net, &request, side, mutation);
            let before = net.version(id).await;
            let body = net
                .app
                .post(
                    Some(&token),
                    &format!("mutation($id: UUID!) {{ {mutation} {{ id }} }}"),
                    json!({ "id": id }),
                )
                .await;
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "INVALID_TRANSITION",
                "{name} in {}: {body}",
                situation.name
            );
            assert!(body["data"].is_null());
            assert_eq!(
                net.version(id).await,
                before,
                "{name} in {}",
                situation.name
            );
            refused += 1;
        }
    }
    assert!(refused > 250, "only {refused} refusals tried");
}
on_both_backends!(every_forbidden_transition);

/// The other half of the table: each mutation it allows in a situation is
/// accepted there, so the table above is no wider than the rules.
async fn every_allowed_transition(backend: Backend) {
    let net = Network::new(backend).await;
    for situation in SITUATIONS {
        for allowed in situation.allowed {
            let request = reach(&net, situation).await;
            let (_, side, mutation) = MUTATIONS
                .iter()
                .find(|(name, _, _)| name == allowed)
                .unwrap();
            let (token, mutation) = actor(&net, &request, *side, mutation);
            let name = mutation.split('(').next().unwrap().to_owned();
            let query = format!("mutation($id: UUID!) {{ {mutation} {{ version }} }}");
            let body = net
                .app
                .post(Some(&token), &query, json!({ "id": request["id"] }))
                .await;
            assert!(
                body.get("errors").is_none(),
                "{allowed} in {}: {body}",
                situation.name
            );
            assert!(
                body["data"][name]["version"].as_i64().unwrap()
                    > request["version"].as_i64().unwrap()
            );
        }
    }
}
on_both_backends!(every_allowed_transition);
