//! `--demo`: on an empty store, a simulated statewide network of about 200
//! libraries with a year of traffic that ends now (`simulation`), their
//! holdings in the union catalogue and the requests placed from its
//! records ([`holdings`]), accounts for a coordinator, an admin and a few libraries' staff, and
//! their tokens printed once. The projector has caught up before the server
//! listens, so the statistics page is full from the first request.

mod holdings;

pub use holdings::catalogue;

use std::time::Instant;

use rand::Rng;

use domain::{LibraryId, RequestStatus, Role};
use projections::Projector;
use simulation::{Kind, Path, Shape, COORDINATING_LIBRARY, STAFF_ACCOUNT};
use store::accounts::Account;
use store::Position;

use crate::auth::{self, passwords};
use crate::error::ApiError;
use crate::state::AppState;

/// The demo network's seed: every demo store holds the same network.
pub const DEMO_SEED: u64 = 18_626;
/// Events per projector transaction while the demo loads.
const CATCH_UP_BATCH: u32 = 20_000;

/// Loads the demo network when the store has no events at all.
pub async fn load_if_empty(state: &AppState, requests: usize) -> Result<(), ApiError> {
    let empty = store::log::read_after(state.database(), Position::START, 1)
        .await?
        .is_empty();
    if !empty {
        println!("demo: the store is not empty; nothing loaded");
        return print_way_back_in(state).await;
    }
    let started = Instant::now();
    let shape = Shape::year_ending(state.commands.services.clock.now(), requests, DEMO_SEED);
    println!(
        "demo: generating a year of a {}-library network, {requests} requests …",
        shape.libraries
    );
    let catalogue = holdings::catalogue(&shape);
    let generated = simulation::generate_from(state.database(), &shape, Path::Bulk, &catalogue)
        .await
        .map_err(ApiError::internal)?;
    state.reload_libraries().await?;
    let generating = started.elapsed();
    let holdings = holdings::import(state, &catalogue).await?;
    println!(
        "demo: {} catalogue records, {holdings} holdings imported in {:.1} s",
        catalogue.titles.len(),
        (started.elapsed() - generating).as_secs_f64()
    );

    println!(
        "demo accounts: sign in at / with library, name and password; the token is for the API \
         (`Authorization: Bearer TOKEN`); both are shown once"
    );
    println!(
        "  {:<10} {:<12} {:<12} {:<16} token",
        "library", "name", "role", "password"
    );
    for (library, name, role) in accounts(&shape) {
        let (token, hash) = auth::new_token();
        let account = Account {
            library: library.clone(),
            name: name.into(),
            role,
        };
        store::accounts::add_token(state.database(), &account, &hash).await?;
        let password = demo_password();
        let password_hash = passwords::hash(password.clone()).await?;
        store::sessions::set_password(state.database(), &library, name, Some(role), &password_hash)
            .await?;
        println!(
            "  {:<10} {name:<12} {:<12} {password:<16} {token}",
            library.as_str(),
            role.as_str()
        );
    }

    // The read models catch up before the server listens, in larger
    // batches than live traffic needs (nothing else runs yet).
    Projector::new(state.database().clone(), state.commands.services.calendar)
        .with_batch_size(CATCH_UP_BATCH)
        .catch_up()
        .await?;
    state.database().settle_read_models().await?;
    let statuses: Vec<String> = RequestStatus::ALL
        .iter()
        .map(|s| format!("{s} {}", generated.statuses.get(s).copied().unwrap_or(0)))
        .collect();
    println!(
        "demo ready in {:.1} s (generated in {:.1} s): {} libraries, {} requests, {} events, {} to {}; statistics at /stats",
        started.elapsed().as_secs_f64(),
        generating.as_secs_f64(),
        generated.libraries.len(),
        generated.requests.len(),
        generated.events,
        shape.start.date_naive(),
        shape.end().date_naive(),
    );
    println!("demo requests by status: {}", statuses.join(", "));
    Ok(())
}

/// A store loaded before: its demo accounts' passwords were shown once, so
/// say how to give them new ones.
async fn print_way_back_in(state: &AppState) -> Result<(), ApiError> {
    let demo_accounts: Vec<Account> = store::accounts::list(state.database(), None)
        .await?
        .into_iter()
        .map(|summary| summary.account)
        .filter(|a| a.library.as_str() == COORDINATING_LIBRARY || a.name == STAFF_ACCOUNT)
        .collect();
    if demo_accounts.is_empty() {
        println!(
            "demo: to sign in, give an account a password (read from stdin): \
             ill-server account set-password --library ID --name NAME --role ROLE"
        );
        return Ok(());
    }
    println!(
        "demo: to sign in again, give a demo account a new password (read from stdin; \
         same --database-url as this server), e.g.:"
    );
    for account in demo_accounts {
        println!(
            "  ill-server account set-password --library {} --name {}",
            account.library.as_str(),
            account.name
        );
    }
    Ok(())
}

/// An admin and a coordinator of the State Library, and the ILL staff of
/// the first library of each kind.
fn accounts(shape: &Shape) -> Vec<(LibraryId, &'static str, Role)> {
    let state_library = LibraryId::from(COORDINATING_LIBRARY);
    let mut accounts = vec![
        (state_library.clone(), "admin", Role::Admin),
        (state_library, "coordinator", Role::Coordinator),
    ];
    let members = simulation::network(shape);
    for kind in [Kind::Public, Kind::Academic, Kind::School, Kind::Special] {
        if let Some(member) = members.iter().find(|m| m.kind == kind && m.lends) {
            accounts.push((member.id.clone(), STAFF_ACCOUNT, Role::Staff));
        }
    }
    accounts
}

/// A random password that is easy to type from the console: 14 letters and
/// digits without look-alikes (about 80 bits).
fn demo_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..14)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}
