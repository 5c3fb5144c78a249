//! A search result's place in the order (`lendableBy` descending, then id
//! by bytes) as an opaque cursor, written like the queues' cursors: hex
//! digits, the number with its sign bit flipped, then the id's bytes.

/// Where a row stands: its `lendable_by` and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub lendable_by: i64,
    pub id: String,
}

impl Place {
    /// Before every row: the first page starts here.
    pub fn start() -> Place {
        Place {
            lendable_by: i64::MAX,
            id: String::new(),
        }
    }

    pub fn encode(&self) -> String {
        (self.lendable_by as u64 ^ (1 << 63))
            .to_be_bytes()
            .iter()
            .chain(self.id.as_bytes())
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    pub fn decode(cursor: &str) -> Option<Place> {
        if cursor.len() < 16 || cursor.len() % 2 != 0 || !cursor.is_ascii() {
            return None;
        }
        let bytes = (0..cursor.len() / 2)
            .map(|i| u8::from_str_radix(&cursor[2 * i..2 * i + 2], 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        let (number, id) = bytes.split_at(8);
        Some(Place {
            lendable_by: (u64::from_be_bytes(number.try_into().ok()?) ^ (1 << 63)) as i64,
            id: String::from_utf8(id.to_vec()).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        for (lendable_by, id) in [
            (0, "ocolc:1"),
            (7, "key:ab"),
            (-1, ""),
            (i64::MAX, "isbn:9"),
        ] {
            let place = Place {
                lendable_by,
                id: id.to_owned(),
            };
            assert_eq!(Place::decode(&place.encode()), Some(place));
        }
        for bad in [
            "",
            "zz",
            &"0".repeat(15),
            &"g".repeat(16),
            &"é".repeat(8),
            "8000000000000000ff",
        ] {
            assert_eq!(Place::decode(bad), None, "{bad:?}");
        }
    }
}
