//! What `verify` reports. It compares each stored projection with a rebuild
//! at one checkpoint, bringing a projection that stands behind the log up to
//! it first, inside its own transaction, which it then rolls back: so a
//! projection that was behind (e.g. never projected after an import) passes
//! and stays behind, and the report says so.

use std::io::Write;

use projections::projector::checkpoint;
use projections::rebuild::Difference;
use projections::Projection;
use store::{Database, Position, StoreError};

/// A projection whose stored tables stand before the log's head.
pub struct Behind {
    projection: Projection,
    /// Nothing projected at all.
    empty: bool,
}

/// The projections whose live checkpoint stands before `head`.
pub async fn behind(db: &Database, head: Option<Position>) -> Result<Vec<Behind>, StoreError> {
    let Some(head) = head else {
        return Ok(Vec::new());
    };
    let mut behind = Vec::new();
    for projection in Projection::ALL {
        let at = checkpoint(db, projection).await?;
        if at < head {
            behind.push(Behind {
                projection,
                empty: at == Position::START,
            });
        }
    }
    Ok(behind)
}

fn names(projections: &[Behind], noting_empty: bool) -> String {
    projections
        .iter()
        .map(|b| match (noting_empty, b.empty) {
            (true, true) => format!("{} (nothing projected)", b.projection),
            _ => b.projection.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The verdict, or the differing rows, then the projections `lagging` before
/// verify and `still` behind after it.
pub fn report(
    out: &mut impl Write,
    differences: &[Difference],
    lagging: &[Behind],
    still: &[Behind],
) -> std::io::Result<()> {
    if differences.is_empty() {
        if lagging.is_empty() {
            writeln!(
                out,
                "verified: every projection equals a rebuild from the log"
            )?;
        } else {
            writeln!(
                out,
                "verified: every projection equals a rebuild from the log, once brought up \
                 to date: verify first applied the events that {} lacked, inside its own \
                 transaction, and kept none of them",
                names(lagging, false)
            )?;
        }
    } else {
        for d in differences {
            let side = if d.only_stored {
                "stored, not expected"
            } else {
                "expected, not stored"
            };
            writeln!(out, "{} {}: {side}: {}", d.projection, d.table, d.row)?;
        }
        writeln!(out, "{} differing rows", differences.len())?;
    }
    if !still.is_empty() {
        writeln!(
            out,
            "behind the log: {}; run `ill-replay rebuild` or start a server to bring them up \
             to date",
            names(still, true)
        )?;
    }
    Ok(())
}
