//! The served SDL holds every type, field, argument (same type and
//! nullability, same default) and enum value of the contract file.

use std::collections::HashMap;

use async_graphql_parser::parse_schema;
use async_graphql_parser::types::{
    FieldDefinition, InputValueDefinition, TypeKind, TypeSystemDefinition,
};

const CONTRACT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/contract/schema.graphql"
);

fn types(sdl: &str) -> HashMap<String, TypeKind> {
    parse_schema(sdl)
        .expect("valid SDL")
        .definitions
        .into_iter()
        .filter_map(|definition| match definition {
            TypeSystemDefinition::Type(t) => Some((t.node.name.node.to_string(), t.node.kind)),
            _ => None,
        })
        .collect()
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
    assert!(
        missing.is_empty(),
        "the served schema differs from the contract:\n{}",
        missing.join("\n")
    );
}
