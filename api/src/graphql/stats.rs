//! The contract's statistics types over the statistics read model.

use async_graphql::Object;
use projections::queries::{BorrowingStats, LendingStats, LibraryStats, MonthStats, Statistics};

use super::enums::UnfilledReason;
use super::objects::{LibraryObject, ReasonCount};
use super::scalars::Date;

fn reasons(counts: &[(domain::UnfilledReason, i64)]) -> Vec<ReasonCount> {
    counts
        .iter()
        .map(|(reason, count)| ReasonCount {
            reason: UnfilledReason::from(*reason),
            count: *count as i32,
        })
        .collect()
}

pub struct StatisticsObject(pub Statistics);

#[Object(name = "Statistics")]
impl StatisticsObject {
    async fn from(&self) -> Date {
        Date(self.0.from)
    }

    async fn to(&self) -> Date {
        Date(self.0.to)
    }

    async fn network(&self) -> BorrowingObject<'_> {
        BorrowingObject(&self.0.network)
    }

    async fn declined_by_reason(&self) -> Vec<ReasonCount> {
        reasons(&self.0.declined_by_reason)
    }

    async fn libraries(&self) -> Vec<LibraryStatsObject<'_>> {
        self.0.libraries.iter().map(LibraryStatsObject).collect()
    }

    async fn monthly(&self) -> Vec<MonthObject<'_>> {
        self.0.monthly.iter().map(MonthObject).collect()
    }
}

pub struct BorrowingObject<'a>(&'a BorrowingStats);

#[Object(name = "BorrowingStats")]
impl BorrowingObject<'_> {
    async fn placed(&self) -> i32 {
        self.0.placed as i32
    }
    async fn filled(&self) -> i32 {
        self.0.filled as i32
    }
    async fn unfilled(&self) -> i32 {
        self.0.unfilled as i32
    }
    async fn cancelled(&self) -> i32 {
        self.0.cancelled as i32
    }
    async fn fill_rate(&self) -> Option<f64> {
        self.0.fill_rate
    }
    async fn median_days_to_receive(&self) -> Option<f64> {
        self.0.median_days_to_receive
    }
}

pub struct LendingObject<'a>(&'a LendingStats);

#[Object(name = "LendingStats")]
impl LendingObject<'_> {
    async fn received(&self) -> i32 {
        self.0.received as i32
    }
    async fn shipped(&self) -> i32 {
        self.0.shipped as i32
    }
    async fn declined(&self) -> i32 {
        self.0.declined as i32
    }
    async fn declined_by_reason(&self) -> Vec<ReasonCount> {
        reasons(&self.0.declined_by_reason)
    }
    async fn timed_out(&self) -> i32 {
        self.0.timed_out as i32
    }
    async fn fill_rate(&self) -> Option<f64> {
        self.0.fill_rate
    }
    async fn median_days_to_ship(&self) -> Option<f64> {
        self.0.median_days_to_ship
    }
}

pub struct LibraryStatsObject<'a>(&'a LibraryStats);

#[Object(name = "LibraryStats")]
impl LibraryStatsObject<'_> {
    async fn library(&self) -> LibraryObject {
        LibraryObject::from(self.0.library.clone())
    }
    async fn borrowing(&self) -> BorrowingObject<'_> {
        BorrowingObject(&self.0.borrowing)
    }
    async fn lending(&self) -> LendingObject<'_> {
        LendingObject(&self.0.lending)
    }
    async fn lend_borrow_ratio(&self) -> Option<f64> {
        self.0.lend_borrow_ratio
    }
}

pub struct MonthObject<'a>(&'a MonthStats);

#[Object(name = "MonthStats")]
impl MonthObject<'_> {
    async fn month(&self) -> &str {
        &self.0.month
    }
    async fn placed(&self) -> i32 {
        self.0.placed as i32
    }
    async fn filled(&self) -> i32 {
        self.0.filled as i32
    }
    async fn unfilled(&self) -> i32 {
        self.0.unfilled as i32
    }
    async fn shipped(&self) -> i32 {
        self.0.shipped as i32
    }
}
