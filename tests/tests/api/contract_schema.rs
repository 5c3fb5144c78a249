//! The served SDL holds every type, field, argument (same type and
//! nullability, same default) and enum value of the contract file, except
//! the parts of the contract whose issue is still open or not yet filed
//! (`PENDING`). A pending part that is served fails too, so the list shrinks
//! as each issue lands.

use std::collections::HashMap;

use async_graphql_parser::parse_schema;
use async_graphql_parser::types::{
    FieldDefinition, InputValueDefinition, TypeKind, TypeSystemDefinition,
};

const CONTRACT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/contract/schema.graphql"
);

/// Every type of `sdl` by name, with the fields and values of its `extend`
/// definitions added to it (the contract adds fields section by section).
/// Contract parts not served yet, by the issue that builds them. Names are
/// as this test reports a difference.
const PENDING: &[(&str, &str)] = &[
    // Planned, not yet filed: ISO 18626.
    ("type PeerInput", "ISO 18626"),
    ("type PeerMessage", "ISO 18626"),
    (
        "input RegisterLibraryInput.iso18626: (\"PeerInput\", None), served None",
        "ISO 18626",
    ),
    (
        "input UpdateLibraryInput.iso18626: (\"PeerInput\", None), served None",
        "ISO 18626",
    ),
    ("Library.external", "ISO 18626"),
    ("IllRequest.messages", "ISO 18626"),
    ("Mutation.createPeerToken", "ISO 18626"),
    // Planned, not yet filed: NCIP and patrons.
    ("type NcipConnector", "NCIP"),
    ("type NcipConnectorInput", "NCIP"),
    ("type NcipService", "NCIP"),
    ("type PatronRequesting", "NCIP"),
    ("enum RequestStatus.AWAITING_APPROVAL", "NCIP"),
    ("Library.ncip", "NCIP"),
    ("Library.patronRequesting", "NCIP"),
    ("Patron.pickupLocation", "NCIP"),
    (
        "input PatronInput.pickupLocation: (\"String\", None), served None",
        "NCIP",
    ),
    ("IllRequest.placedByPatron", "NCIP"),
    ("Mutation.approveRequest", "NCIP"),
    ("Mutation.setItemBarcode", "NCIP"),
    ("Mutation.setNcipConnector", "NCIP"),
    ("Mutation.setPatronRequesting", "NCIP"),
];

fn types(sdl: &str) -> HashMap<String, TypeKind> {
    let mut types: HashMap<String, TypeKind> = HashMap::new();
    for definition in parse_schema(sdl).expect("valid SDL").definitions {
        let TypeSystemDefinition::Type(t) = definition else {
            continue;
        };
        let (name, kind) = (t.node.name.node.to_string(), t.node.kind);
        match (types.get_mut(&name), kind) {
            (Some(TypeKind::Object(have)), TypeKind::Object(more)) => {
                have.fields.extend(more.fields)
            }
            (Some(TypeKind::InputObject(have)), TypeKind::InputObject(more)) => {
                have.fields.extend(more.fields)
            }
            (Some(TypeKind::Enum(have)), TypeKind::Enum(more)) => have.values.extend(more.values),
            (Some(_), _) => panic!("{name} is defined twice with different kinds"),
            (None, kind) => {
                types.insert(name, kind);
            }
        }
    }
    types
}

fn inputs(
    values: &[async_graphql_parser::Positioned<InputValueDefinition>],
) -> HashMap<String, (String, Option<String>)> {
    values
        .iter()
        .map(|v| {
            let default = v.node.default_value.as_ref().map(|d| d.node.to_string());
            (
                v.node.name.node.to_string(),
                (v.node.ty.node.to_string(), default),
            )
        })
        .collect()
}

fn fields(
    fields: &[async_graphql_parser::Positioned<FieldDefinition>],
) -> HashMap<String, &FieldDefinition> {
    fields
        .iter()
        .map(|f| (f.node.name.node.to_string(), &f.node))
        .collect()
}

#[test]
fn served_schema_contains_the_contract() {
    let contract = std::fs::read_to_string(CONTRACT).unwrap_or_else(|e| {
        panic!("read the contract at {CONTRACT} (../shared beside the checkout): {e}")
    });
    let contract = types(&contract);
    let served = types(&api::graphql::sdl());
    let mut missing = Vec::new();
    for (name, kind) in &contract {
        let Some(served_kind) = served.get(name) else {
            missing.push(format!("type {name}"));
            continue;
        };
        match (kind, served_kind) {
            (TypeKind::Scalar, TypeKind::Scalar) => {}
            (TypeKind::Object(want), TypeKind::Object(have)) => {
                let have = fields(&have.fields);
                for field in &want.fields {
                    let field = &field.node;
                    let path = format!("{name}.{}", field.name.node);
                    let Some(served_field) = have.get(field.name.node.as_str()) else {
                        missing.push(path);
                        continue;
                    };
                    if field.ty.node.to_string() != served_field.ty.node.to_string() {
                        missing.push(format!(
                            "{path}: {} (served {})",
                            field.ty.node, served_field.ty.node
                        ));
                    }
                    let served_args = inputs(&served_field.arguments);
                    for (arg, want) in inputs(&field.arguments) {
                        match served_args.get(&arg) {
                            Some(have) if have == &want => {}
                            other => {
                                missing.push(format!("{path}({arg}: {want:?}), served {other:?}"))
                            }
                        }
                    }
                }
            }
            (TypeKind::InputObject(want), TypeKind::InputObject(have)) => {
                let have = inputs(&have.fields);
                for (field, want) in inputs(&want.fields) {
                    match have.get(&field) {
                        Some(served) if served == &want => {}
                        other => missing
                            .push(format!("input {name}.{field}: {want:?}, served {other:?}")),
                    }
                }
            }
            (TypeKind::Enum(want), TypeKind::Enum(have)) => {
                let have: Vec<String> = have
                    .values
                    .iter()
                    .map(|v| v.node.value.node.to_string())
                    .collect();
                for value in &want.values {
                    if !have.contains(&value.node.value.node.to_string()) {
                        missing.push(format!("enum {name}.{}", value.node.value.node));
                    }
                }
            }
            _ => missing.push(format!("{name} is of another kind")),
        }
    }
    let pending: Vec<&str> = PENDING.iter().map(|(part, _)| *part).collect();
    let unexpected: Vec<&String> = missing
        .iter()
        .filter(|part| !pending.contains(&part.as_str()))
        .collect();
    let served_now: Vec<&str> = pending
        .iter()
        .filter(|part| !missing.iter().any(|m| m == *part))
        .copied()
        .collect();
    assert!(
        unexpected.is_empty(),
        "the served schema differs from the contract:\n{}",
        unexpected
            .iter()
            .map(|part| part.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        served_now.is_empty(),
        "served now, take them off PENDING:\n{}",
        served_now.join("\n")
    );
}
