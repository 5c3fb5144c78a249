//! Copyright compliance on placement: a COPY without it is recorded as CCG
//! (counted), a LOAN never carries it.

use domain::testing::*;
use domain::{Action, CopyrightCompliance, Item, RequestEvent as E, ServiceType};

fn placed_item(service_type: ServiceType, compliance: Option<CopyrightCompliance>) -> Item {
    let world = World::new();
    let mut input = place_request(service_type, &[L1]);
    input.item.copyright_compliance = compliance;
    input.item.publication_year = Some(2024);
    let events = world
        .decide(&[], by(staff(BOR), Action::Place(input)))
        .unwrap();
    let Some(E::RequestPlaced { item, .. }) = events.into_iter().next() else {
        panic!("placing begins with RequestPlaced");
    };
    item
}

#[test]
fn a_copy_without_compliance_is_ccg_and_a_given_one_is_kept() {
    let item = placed_item(ServiceType::Copy, None);
    assert_eq!(item.copyright_compliance, Some(CopyrightCompliance::Ccg));
    assert_eq!(item.publication_year, Some(2024));
    let item = placed_item(ServiceType::Copy, Some(CopyrightCompliance::Ccl));
    assert_eq!(item.copyright_compliance, Some(CopyrightCompliance::Ccl));
}

#[test]
fn a_loan_carries_no_compliance() {
    let item = placed_item(ServiceType::Loan, Some(CopyrightCompliance::Other));
    assert_eq!(item.copyright_compliance, None);
}

#[test]
fn placing_the_same_copy_again_without_compliance_is_the_same_request() {
    let world = World::new();
    let events = world
        .decide(&[], by(staff(BOR), place_copy(&[L1])))
        .unwrap();
    let again = world
        .decide(&events, by(staff(BOR), place_copy(&[L1])))
        .unwrap();
    assert!(again.is_empty());
}

#[test]
fn a_publication_year_that_is_no_year_is_bad_input() {
    let world = World::new();
    let mut input = place_request(ServiceType::Copy, &[L1]);
    input.item.publication_year = Some(-3);
    assert!(matches!(
        world.decide(&[], by(staff(BOR), Action::Place(input))),
        Err(domain::DomainError::BadInput { .. })
    ));
}
