//! The limits on a GraphQL request: the depth and complexity async-graphql
//! checks, and checks made before async-graphql validates it, each for an
//! input that once broke the server (RELIABILITY.md):
//!
//! - brackets nested a few thousand deep overflowed a worker's stack (the
//!   parser and value validation recurse), which aborts the process: the
//!   text's nesting is measured first, in one pass;
//! - a "billion laughs" document of a kilobyte, whose fragments each spread
//!   the one before twice, kept async-graphql's depth check and validation
//!   (which walk every spread again) busy for minutes, past the request
//!   timeout, which cannot interrupt that synchronous walk, and stalled the
//!   process's other requests: the fields the document expands to are
//!   counted here with each fragment counted once (linear);
//! - a thousand aliased mutations ran one after another past the request
//!   timeout, and thousands of aliased reads held the connection pool: the
//!   fields at the root of an operation are limited;
//! - text with U+0000 reached PostgreSQL, which refuses it in `text`
//!   columns: INTERNAL for bad input. It is BAD_INPUT on both backends.
//!
//! All of these answer BAD_INPUT and execute nothing.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::parser::types::{
    Directive, ExecutableDocument, FragmentDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::parser::{parse_query, Positioned};
use async_graphql::{ErrorExtensionValues, Name, Request, ServerError, ServerResult, Value};

/// Query depth and complexity limits (OWASP GraphQL): a queue page of 200
/// with every field selected fits; thousands of aliases do not.
pub const MAX_DEPTH: usize = 12;
pub const MAX_COMPLEXITY: usize = 20_000;
/// Fields a document may expand to: a document over this has a complexity
/// over [`MAX_COMPLEXITY`] too (every field counts at least 1), so this
/// refuses nothing the complexity limit would let through.
pub const MAX_EXPANDED_FIELDS: u64 = MAX_COMPLEXITY as u64;
/// Fragments spread inside fragments, this deep at most.
pub const MAX_FRAGMENT_NESTING: usize = 32;
/// `{`, `[` and `(` inside one another in the document's text (strings and
/// comments aside). The parser recurses on them and validation on values:
/// a list literal about 2,000 deep overflowed a 2 MiB stack. Selections may
/// nest 64 deep for the parser and 12 for the depth limit; values a handful.
pub const MAX_NESTING: usize = 64;
/// Fields at the root of one query: each may be a database read, and a few
/// thousand aliases of one would hold the connection pool from everyone.
pub const MAX_QUERY_ROOT_FIELDS: u64 = 50;
/// Fields at the root of one mutation: each is a command, run one after
/// another; a thousand of them ran past the request timeout.
pub const MAX_MUTATION_ROOT_FIELDS: u64 = 10;

/// Documents that passed the checks, kept parsed by their text: clients send
/// the same few texts over and over, and parsing one took about 30 µs, a
/// tenth of a command's time in the server.
const KEPT_DOCUMENTS: usize = 500;
/// Longer texts are checked and parsed every time (and bound what is kept).
const KEPT_TEXT_MAX: usize = 8 * 1024;

/// Registers the check (`SchemaBuilder::extension`).
#[derive(Default)]
pub struct DocumentLimits {
    checked: Arc<Mutex<HashMap<String, ExecutableDocument>>>,
}

impl ExtensionFactory for DocumentLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DocumentLimitsExtension {
            checked: self.checked.clone(),
        })
    }
}

struct DocumentLimitsExtension {
    checked: Arc<Mutex<HashMap<String, ExecutableDocument>>>,
}

impl DocumentLimitsExtension {
    fn kept(&self, text: &str) -> Option<ExecutableDocument> {
        self.checked
            .lock()
            .expect("documents lock")
            .get(text)
            .cloned()
    }

    /// Keeps a checked document; when full, starts again from none (the
    /// texts in use come back at once, other texts cannot pile up).
    fn keep(&self, text: &str, document: &ExecutableDocument) {
        if text.len() > KEPT_TEXT_MAX {
            return;
        }
        let mut checked = self.checked.lock().expect("documents lock");
        if checked.len() >= KEPT_DOCUMENTS {
            checked.clear();
        }
        checked.insert(text.to_owned(), document.clone());
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for DocumentLimitsExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Some(document) = self.kept(&request.query) {
            request.set_parsed_query(document);
        } else {
            // Before anything recursive reads it: a list nested a few
            // thousand deep overflowed a worker's stack, which aborts the
            // whole process.
            if nesting_depth(&request.query) > MAX_NESTING {
                return Err(too_complex(format!(
                    "Query is too complex: brackets nest more than {MAX_NESTING} deep"
                )));
            }
            // Parsed once here and handed to the executor; a document that
            // does not parse is left for async-graphql to report.
            if let Ok(document) = parse_query(&request.query) {
                check(&document).map_err(too_complex)?;
                if document_has_nul(&document) {
                    return Err(too_complex(NUL_REFUSED.into()));
                }
                self.keep(&request.query, &document);
                request.set_parsed_query(document);
            }
        }
        if request.variables.values().any(has_nul) {
            return Err(too_complex(NUL_REFUSED.into()));
        }
        next.run(ctx, request).await
    }
}

const NUL_REFUSED: &str = "text may not contain the character U+0000";

/// Whether a value holds U+0000 in a string, an enum or a field name. Its
/// depth is bounded: variables by serde_json's recursion limit (128),
/// literals by [`MAX_NESTING`].
fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Enum(name) => name.contains('\0'),
        Value::List(items) => items.iter().any(has_nul),
        Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// Whether any argument, directive argument or default value of the document
/// holds U+0000 (variables stand in as null).
fn document_has_nul(document: &ExecutableDocument) -> bool {
    // A macro: the parser's value type (with variables) has no public path.
    macro_rules! arguments_have_nul {
        ($arguments:expr) => {
            $arguments.iter().any(|(_, value)| {
                let value = value.node.clone();
                has_nul(
                    &value
                        .into_const_with(|_| Ok::<_, Infallible>(Value::Null))
                        .unwrap_or(Value::Null),
                )
            })
        };
    }
    fn directives_have_nul(directives: &[Positioned<Directive>]) -> bool {
        directives
            .iter()
            .any(|d| arguments_have_nul!(d.node.arguments))
    }
    fn set_has_nul(set: &SelectionSet) -> bool {
        set.items.iter().any(|item| match &item.node {
            Selection::Field(field) => {
                arguments_have_nul!(field.node.arguments)
                    || directives_have_nul(&field.node.directives)
                    || set_has_nul(&field.node.selection_set.node)
            }
            Selection::FragmentSpread(spread) => directives_have_nul(&spread.node.directives),
            Selection::InlineFragment(inline) => {
                directives_have_nul(&inline.node.directives)
                    || set_has_nul(&inline.node.selection_set.node)
            }
        })
    }
    document.operations.iter().any(|(_, operation)| {
        let operation = &operation.node;
        directives_have_nul(&operation.directives)
            || operation.variable_definitions.iter().any(|v| {
                v.node
                    .default_value
                    .as_ref()
                    .is_some_and(|d| has_nul(&d.node))
            })
            || set_has_nul(&operation.selection_set.node)
    }) || document.fragments.values().any(|fragment| {
        directives_have_nul(&fragment.node.directives)
            || set_has_nul(&fragment.node.selection_set.node)
    })
}

/// How deep `{`, `[` and `(` nest in GraphQL text, outside strings, block
/// strings and comments; one pass, no recursion.
pub fn nesting_depth(query: &str) -> usize {
    const BLOCK_QUOTE: &[u8] = br#"""""#;
    const ESCAPED_BLOCK_QUOTE: &[u8] = br#"\""""#;
    let bytes = query.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(BLOCK_QUOTE) => {
                i += BLOCK_QUOTE.len();
                while i < bytes.len() && !bytes[i..].starts_with(BLOCK_QUOTE) {
                    i += if bytes[i..].starts_with(ESCAPED_BLOCK_QUOTE) {
                        ESCAPED_BLOCK_QUOTE.len()
                    } else {
                        1
                    };
                }
                i += BLOCK_QUOTE.len() - 1;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    deepest
}

fn too_complex(message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", "BAD_INPUT");
    error.extensions = Some(extensions);
    error
}

/// Refuses a document that expands to too many fields, has too many fields
/// at the root of an operation, or nests fragments too deep.
pub fn check(document: &ExecutableDocument) -> Result<(), String> {
    let mut counter = Counter {
        fragments: &document.fragments,
        counted: HashMap::new(),
        open: Vec::new(),
        root_only: false,
    };
    let mut total: u64 = 0;
    for (_, operation) in document.operations.iter() {
        total = total.saturating_add(counter.fields(&operation.node.selection_set.node)?);
        if total > MAX_EXPANDED_FIELDS {
            return Err(too_many_fields());
        }
    }
    let mut roots = Counter {
        fragments: &document.fragments,
        counted: HashMap::new(),
        open: Vec::new(),
        root_only: true,
    };
    for (_, operation) in document.operations.iter() {
        let limit = match operation.node.ty {
            OperationType::Mutation => MAX_MUTATION_ROOT_FIELDS,
            _ => MAX_QUERY_ROOT_FIELDS,
        };
        let fields = roots.fields(&operation.node.selection_set.node)?;
        if fields > limit {
            return Err(format!(
                "Query is too complex: more than {limit} fields at the root of a {}",
                operation.node.ty
            ));
        }
    }
    Ok(())
}

fn too_many_fields() -> String {
    format!("Query is too complex: it expands to more than {MAX_EXPANDED_FIELDS} fields")
}

struct Counter<'d> {
    fragments: &'d HashMap<Name, Positioned<FragmentDefinition>>,
    /// Fields each fragment expands to.
    counted: HashMap<&'d Name, u64>,
    /// The fragments being counted (a spread of one of these is a cycle,
    /// which validation refuses: counted as nothing here).
    open: Vec<&'d Name>,
    /// Count the fields of the selection set itself, not their children.
    root_only: bool,
}

impl<'d> Counter<'d> {
    fn fields(&mut self, set: &'d SelectionSet) -> Result<u64, String> {
        let mut total: u64 = 0;
        for item in &set.items {
            let fields = match &item.node {
                Selection::Field(_) if self.root_only => 1,
                Selection::Field(field) => {
                    1u64.saturating_add(self.fields(&field.node.selection_set.node)?)
                }
                Selection::InlineFragment(inline) => {
                    self.fields(&inline.node.selection_set.node)?
                }
                Selection::FragmentSpread(spread) => {
                    self.spread(&spread.node.fragment_name.node)?
                }
            };
            total = total.saturating_add(fields);
            if total > MAX_EXPANDED_FIELDS {
                return Err(too_many_fields());
            }
        }
        Ok(total)
    }

    fn spread(&mut self, name: &'d Name) -> Result<u64, String> {
        if let Some(&fields) = self.counted.get(name) {
            return Ok(fields);
        }
        let Some(fragment) = self.fragments.get(name) else {
            return Ok(0); // unknown: validation refuses it
        };
        if self.open.contains(&name) {
            return Ok(0);
        }
        if self.open.len() >= MAX_FRAGMENT_NESTING {
            return Err(format!(
                "Query is too complex: fragments nest more than {MAX_FRAGMENT_NESTING} deep"
            ));
        }
        self.open.push(name);
        let fields = self.fields(&fragment.node.selection_set.node);
        self.open.pop();
        let fields = fields?;
        self.counted.insert(name, fields);
        Ok(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(document: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(document).unwrap()
    }

    /// Fragment N spreads fragment N-1 twice.
    fn bomb(levels: usize) -> String {
        let mut document =
            format!("{{ ...F{levels} }}\nfragment F1 on Query {{ me {{ name }} }}\n");
        for level in 2..=levels {
            document.push_str(&format!(
                "fragment F{level} on Query {{ ...F{p} ...F{p} }}\n",
                p = level - 1
            ));
        }
        document
    }

    #[test]
    fn ordinary_documents_pass() {
        let document = parse(
            "query Q($id: UUID!) { request(id: $id) { ...R history { type } } me { name } }
             fragment R on IllRequest { id status rota { library { id } } }",
        );
        assert_eq!(check(&document), Ok(()));
        assert_eq!(check(&parse(&bomb(5))), Ok(())); // 16 root fields, 32 in all
    }

    #[test]
    fn a_billion_laughs_is_refused_at_once() {
        let started = std::time::Instant::now();
        let refused = check(&parse(&bomb(30))).unwrap_err();
        assert!(refused.contains("fields"), "{refused}");
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn root_fields_are_counted_through_fragments() {
        let notes = |n: usize| {
            let fields: String = (0..n)
                .map(|i| format!(" n{i}: addNote(id: $id, text: \"x\") {{ id }}"))
                .collect();
            format!("mutation($id: UUID!) {{ ...M }} fragment M on Mutation {{ {fields} }}")
        };
        assert_eq!(check(&parse(&notes(10))), Ok(()));
        assert!(check(&parse(&notes(11))).unwrap_err().contains("root"));
        let reads: String = (0..51).map(|i| format!(" r{i}: me {{ name }}")).collect();
        assert!(check(&parse(&format!("{{ {reads} }}")))
            .unwrap_err()
            .contains("root"));
    }

    #[test]
    fn nesting_is_measured_outside_strings_and_comments() {
        assert_eq!(nesting_depth("{ me { name } }"), 2);
        assert_eq!(
            nesting_depth(r#"{ a(x: "[[[[{{{", y: [[1]]) { b } } # {{{{"#),
            4
        );
        assert_eq!(nesting_depth(r#"{ a(x: """ {{{ \""" [[[ """) }"#), 2);
        assert_eq!(nesting_depth(r#"{ a(x: "\"{{") }"#), 2);
        let deep = format!(
            "{{ queue(status: {}A{}) {{ id }} }}",
            "[".repeat(2000),
            "]".repeat(2000)
        );
        assert_eq!(nesting_depth(&deep), 2002);
    }

    #[test]
    fn nul_is_found_in_literals_directives_and_defaults() {
        let found = |document: &str| document_has_nul(&parse(document));
        assert!(!found(r#"{ request(id: "x") { id } }"#));
        assert!(found(
            r#"mutation { addNote(id: "x", text: "a\u0000b") { id } }"#
        ));
        assert!(found(
            r#"{ me @include(if: true) { name } } fragment F on Query { me { name(x: ["\u0000"]) } }"#
        ));
        assert!(found(r#"query($t: String = "\u0000") { me { name } }"#));
        assert!(found(
            r#"mutation { placeRequest(input: {item: {title: "t\u0000"}}) { id } }"#
        ));
        assert!(has_nul(
            &Value::from_json(serde_json::json!({ "a": ["ok", "\u{0}"] })).unwrap()
        ));
    }

    #[test]
    fn long_fragment_chains_and_cycles() {
        let mut chain = String::from("{ ...F40 }\nfragment F0 on Query { me { name } }\n");
        for i in 1..=40 {
            chain.push_str(&format!("fragment F{i} on Query {{ ...F{} }}\n", i - 1));
        }
        assert!(check(&parse(&chain)).unwrap_err().contains("nest"));
        let cycle =
            parse("{ ...A } fragment A on Query { me { name } ...B } fragment B on Query { ...A }");
        assert_eq!(check(&cycle), Ok(()));
    }
}
