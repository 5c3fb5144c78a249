//! A rota's entries: each lender in the order it is asked and, for a rota
//! built automatically from the union catalogue, why it was chosen (its
//! `selection`), so that replay shows the choice without recomputing it.
//!
//! Stored forms: a rota whose entries carry no selection is the "1.0" list
//! of library ids; a rota with a selection is the "1.1" list of
//! `{"lender", "selection"}` objects. Both decode, entry by entry.

use serde::de::Deserializer;
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::library_id::LibraryId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotaEntry {
    pub lender: LibraryId,
    /// The automatic rota's reason for this lender; `None` when a person
    /// named it.
    pub selection: Option<String>,
}

impl RotaEntry {
    /// An entry with the reason it was chosen.
    pub fn selected(lender: LibraryId, selection: impl Into<String>) -> RotaEntry {
        RotaEntry {
            lender,
            selection: Some(selection.into()),
        }
    }
}

/// A lender named by a person.
impl From<LibraryId> for RotaEntry {
    fn from(lender: LibraryId) -> RotaEntry {
        RotaEntry {
            lender,
            selection: None,
        }
    }
}

/// Whether any entry carries a selection: such a rota is stored as "1.1".
pub fn has_selection(entries: &[RotaEntry]) -> bool {
    entries.iter().any(|e| e.selection.is_some())
}

/// The lenders alone, in order.
pub fn lenders(entries: &[RotaEntry]) -> Vec<LibraryId> {
    entries.iter().map(|e| e.lender.clone()).collect()
}

/// One stored entry: an id ("1.0") or an object ("1.1").
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Stored {
    Id(LibraryId),
    Entry {
        lender: LibraryId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        selection: Option<String>,
    },
}

/// `#[serde(with = "stored")]` for a `Vec<RotaEntry>` field.
pub(crate) mod stored {
    use super::*;

    pub fn serialize<S: Serializer>(entries: &[RotaEntry], s: S) -> Result<S::Ok, S::Error> {
        let objects = has_selection(entries);
        let mut seq = s.serialize_seq(Some(entries.len()))?;
        for entry in entries {
            if objects {
                seq.serialize_element(&Stored::Entry {
                    lender: entry.lender.clone(),
                    selection: entry.selection.clone(),
                })?;
            } else {
                seq.serialize_element(&entry.lender)?;
            }
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<RotaEntry>, D::Error> {
        let stored = Vec::<Stored>::deserialize(d)?;
        Ok(stored
            .into_iter()
            .map(|entry| match entry {
                Stored::Id(lender) => RotaEntry::from(lender),
                Stored::Entry { lender, selection } => RotaEntry { lender, selection },
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Holder {
        #[serde(with = "stored")]
        rota: Vec<RotaEntry>,
    }

    fn holder(rota: Vec<RotaEntry>) -> Holder {
        Holder { rota }
    }

    #[test]
    fn a_rota_without_selection_is_the_1_0_list_of_ids() {
        let value = serde_json::to_value(holder(vec![
            LibraryId::from("A").into(),
            LibraryId::from("B").into(),
        ]))
        .unwrap();
        assert_eq!(value, json!({"rota": ["A", "B"]}));
    }

    #[test]
    fn a_rota_with_selection_is_the_1_1_list_of_objects() {
        let rota = vec![
            RotaEntry::selected("A".into(), "lent 1, borrowed 0 in 90 days; 0 waiting"),
            LibraryId::from("B").into(),
        ];
        let value = serde_json::to_value(holder(rota.clone())).unwrap();
        assert_eq!(
            value,
            json!({"rota": [
                {"lender": "A", "selection": "lent 1, borrowed 0 in 90 days; 0 waiting"},
                {"lender": "B"},
            ]})
        );
        assert_eq!(serde_json::from_value::<Holder>(value).unwrap().rota, rota);
    }

    #[test]
    fn both_forms_decode_entry_by_entry() {
        let value = json!({"rota": ["A", {"lender": "B", "selection": "why"}, {"lender": "C"}]});
        let rota = serde_json::from_value::<Holder>(value).unwrap().rota;
        assert_eq!(
            rota,
            vec![
                LibraryId::from("A").into(),
                RotaEntry::selected("B".into(), "why"),
                LibraryId::from("C").into(),
            ]
        );
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [json!({"rota": [1]}), json!({"rota": [{"selection": "x"}]})] {
            assert!(serde_json::from_value::<Holder>(bad).is_err());
        }
    }
}
