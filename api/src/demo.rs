//! `--demo`: on an empty store, a small network to look around in — a dozen
//! libraries, an account for each, and requests in every status — and the
//! demo accounts' tokens printed once.

use domain::{
    Action, Actor, Item, LibraryChange, LibraryId, LoanCondition, Note, Origin, PatronInput,
    PlaceRequest, Role, ServiceType, UnfilledReason,
};
use projections::accounts::Account;
use projections::Position;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth;
use crate::error::ApiError;

const LIBRARIES: [(&str, &str, bool); 12] = [
    ("CT-HFD", "Hartford Public Library", true),
    ("CT-NHV", "New Haven Free Public Library", true),
    ("CT-STM", "Ferguson Library, Stamford", true),
    ("CT-BPT", "Bridgeport Public Library", true),
    ("CT-WTB", "Silas Bronson Library, Waterbury", true),
    ("CT-NOR", "Norwalk Public Library", true),
    ("CT-DAN", "Danbury Library", true),
    ("CT-UCONN", "UConn Library, Storrs", true),
    ("CT-YALE", "Yale University Library", true),
    ("CT-CCSU", "Elihu Burritt Library, CCSU", true),
    ("CT-ESS", "Essex Elementary School Library", false),
    ("CT-HIST", "Connecticut Historical Society", true),
];

const TITLES: [(&str, &str); 14] = [
    ("The Charter Oak: A History", "Hartley, Ann"),
    ("Mystic Seaport Ships", "Carver, Tom"),
    ("Whaling in New London", "Rowe, J."),
    ("Birds of the Connecticut River Valley", "Mills, S."),
    ("The Long Winter", "Wilder, Laura Ingalls"),
    ("Beloved", "Morrison, Toni"),
    ("Uncle Tom's Cabin", "Stowe, Harriet Beecher"),
    ("A Connecticut Yankee in King Arthur's Court", "Twain, Mark"),
    ("Gardening in Zone 6", "Price, L."),
    ("Statistics for Librarians", "Okafor, N."),
    ("The Amistad Revolt", "Jones, H."),
    ("Colonial Furniture of New England", "Lyon, I."),
    ("Journal of Connecticut History, vol. 12", "CHS"),
    ("Quilts of the Farmington Valley", "Dean, M."),
];

/// Loads the demo network when the store has no events at all.
pub async fn load_if_empty(state: &AppState) -> Result<(), ApiError> {
    let empty = state
        .database()
        .read_after(Position::START, 1)
        .await?
        .is_empty();
    if !empty {
        println!("demo: the store is not empty; nothing loaded");
        return Ok(());
    }
    let admin = Actor::new("admin", "CT-HFD", Role::Admin);
    for (id, name, lends) in LIBRARIES {
        let id = LibraryId::from(id);
        let change = LibraryChange::Register {
            id: id.clone(),
            name: name.into(),
            lends,
        };
        state
            .commands
            .library(admin.clone(), &id, change, Uuid::new_v4())
            .await?;
    }
    let hist = LibraryId::from("CT-HIST");
    state
        .commands
        .library(
            admin.clone(),
            &hist,
            LibraryChange::SetLendingSuspended(true),
            Uuid::new_v4(),
        )
        .await?;

    println!("demo accounts (tokens are shown once; use them as `Authorization: Bearer TOKEN`):");
    let mut accounts = vec![
        ("CT-HFD", "admin", Role::Admin),
        ("CT-HFD", "coordinator", Role::Coordinator),
    ];
    accounts.extend(
        LIBRARIES
            .iter()
            .map(|(id, _, _)| (*id, "staff", Role::Staff)),
    );
    for (library, name, role) in accounts {
        let (token, hash) = auth::new_token();
        let account = Account {
            library: LibraryId::from(library),
            name: name.into(),
            role,
        };
        state.database().add_token(&account, &hash).await?;
        println!("  {library:<9} {name:<12} {:<12} {token}", role.as_str());
    }

    for (index, (title, author)) in TITLES.iter().enumerate() {
        walk(state, index, title, author).await?;
    }
    Ok(())
}

fn staff(library: &str) -> Origin {
    Origin::Person(Actor::new("staff", library, Role::Staff))
}

/// Places one request and takes it a number of steps along its life, so the
/// requests together show every status.
async fn walk(state: &AppState, index: usize, title: &str, author: &str) -> Result<(), ApiError> {
    let lending: Vec<&str> = LIBRARIES
        .iter()
        .filter(|(_, _, lends)| *lends)
        .map(|(id, _, _)| *id)
        .collect();
    let borrower = lending[index % lending.len()];
    let lenders: Vec<LibraryId> = (1..=3)
        .map(|k| LibraryId::from(lending[(index + k * 2) % lending.len()]))
        .filter(|l| l.as_str() != borrower)
        .collect();
    let first = lenders[0].to_string();
    let id = Uuid::new_v4();
    let copy = index == 12;
    let run = |origin: Origin, action: Action| async move {
        state
            .commands
            .request(origin, id, None, action, Uuid::new_v4())
            .await
            .map(|_| ())
    };
    let place = PlaceRequest {
        patron_ref: Uuid::new_v4(),
        patron: PatronInput {
            barcode: format!("2100{:06}", 4_217 + index * 37),
            name: Some(format!("Demo Patron {}", index + 1)),
            email: None,
        },
        item: Item {
            author: Some(author.into()),
            article_title: copy.then(|| "Town records of Wethersfield".into()),
            pages: copy.then(|| "33-41".into()),
            ..Item::titled(title)
        },
        service_type: if copy {
            ServiceType::Copy
        } else {
            ServiceType::Loan
        },
        lenders,
        needed_by: None,
        note: None,
    };
    run(staff(borrower), Action::Place(place)).await?;
    let due = state.today() + chrono::Days::new(28);
    let steps: Vec<(Origin, Action)> = match index {
        0 => vec![],
        1 => vec![(staff(&first), Action::WillSupply { note: None })],
        2 => vec![(
            staff(&first),
            Action::ProposeConditions {
                condition: LoanCondition::LibraryUseOnly,
                note: None,
            },
        )],
        3 => vec![(
            staff(&first),
            Action::Ship {
                due_date: due,
                note: None,
            },
        )],
        4 => vec![
            (
                staff(&first),
                Action::Ship {
                    due_date: due,
                    note: None,
                },
            ),
            (staff(borrower), Action::Receive),
        ],
        5 => vec![
            (
                staff(&first),
                Action::Ship {
                    due_date: due,
                    note: None,
                },
            ),
            (staff(borrower), Action::Receive),
            (staff(borrower), Action::CheckOutToPatron),
        ],
        6 => vec![
            (
                staff(&first),
                Action::Ship {
                    due_date: due,
                    note: None,
                },
            ),
            (staff(borrower), Action::Receive),
            (staff(borrower), Action::ReturnFromPatron),
        ],
        7 | 8 => {
            let mut steps = vec![
                (
                    staff(&first),
                    Action::Ship {
                        due_date: due,
                        note: None,
                    },
                ),
                (staff(borrower), Action::Receive),
                (staff(borrower), Action::ReturnFromPatron),
                (staff(borrower), Action::ShipReturn),
            ];
            if index == 8 {
                steps.push((staff(&first), Action::CheckIn));
            }
            steps
        }
        9 => vec![(
            staff(&first),
            Action::Decline {
                reason: UnfilledReason::NotOnShelf,
                note: Some(Note {
                    id: Uuid::new_v4(),
                    text: "Missing from the shelf; searched twice.".into(),
                }),
            },
        )],
        10 => vec![(staff(borrower), Action::Cancel { note: None })],
        11 => vec![
            (
                staff(&first),
                Action::Ship {
                    due_date: due,
                    note: None,
                },
            ),
            (staff(borrower), Action::DeclareLost { note: None }),
        ],
        12 => vec![(staff(&first), Action::DeliverCopy { note: None })],
        _ => vec![(
            staff(&first),
            Action::Decline {
                reason: UnfilledReason::NotHeld,
                note: None,
            },
        )],
    };
    for (origin, action) in steps {
        run(origin, action).await?;
    }
    if index == 13 {
        decline_all(state, id).await?;
    }
    Ok(())
}

/// Every remaining lender declines: the request ends UNFILLED.
async fn decline_all(state: &AppState, id: Uuid) -> Result<(), ApiError> {
    while let Some((view, _)) = state.current_request(id).await? {
        let Some(lender) = view.state.lender().cloned() else {
            return Ok(());
        };
        let action = Action::Decline {
            reason: UnfilledReason::NonCirculating,
            note: None,
        };
        state
            .commands
            .request(staff(lender.as_str()), id, None, action, Uuid::new_v4())
            .await?;
    }
    Ok(())
}
