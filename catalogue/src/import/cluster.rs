//! Clustering (contract, "The union catalogue"): records join transitively
//! on a shared OCLC number or ISBN-13; a record with neither joins only
//! records with neither and the same match key. A union-find over the
//! members one switch touches.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use domain::LibraryId;

/// One imported record, as clustering sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Shared by every member of the batch: a switch holds many members.
    pub batch: Arc<str>,
    pub position: i64,
    pub library: Arc<str>,
    pub oclc_numbers: Vec<String>,
    pub isbns: Vec<String>,
    /// Only for a record with neither OCLC number nor ISBN.
    pub match_key: Option<String>,
}

impl Member {
    /// The identifiers that join records: kind and value.
    fn links(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let oclc = self.oclc_numbers.iter().map(|v| ("oclc", v.as_str()));
        let isbn = self.isbns.iter().map(|v| ("isbn", v.as_str()));
        let key = self.match_key.iter().map(|v| ("key", v.as_str()));
        oclc.chain(isbn).chain(key)
    }

    /// The representative's order: the member of the library first in
    /// library id order, the first record of that library's file.
    fn precedes(&self, other: &Member) -> Ordering {
        LibraryId::from(&*self.library)
            .cmp(&LibraryId::from(&*other.library))
            .then_with(|| self.position.cmp(&other.position))
            .then_with(|| self.batch.cmp(&other.batch))
    }
}

/// One cluster: its id, its representative and its members (indexes into
/// the members given to [`clusters`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub id: String,
    pub representative: usize,
    pub members: Vec<usize>,
}

/// Numbers without leading zeros compare numerically by length, then digits.
fn numerically(a: &&str, b: &&str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The id of a cluster: "ocolc:N" with its numerically smallest OCLC
/// number, else "isbn:I" with its smallest ISBN-13, else "key:HEX".
pub fn cluster_id<'a>(members: impl Iterator<Item = &'a Member> + Clone) -> String {
    let oclc = members
        .clone()
        .flat_map(|m| m.oclc_numbers.iter().map(String::as_str))
        .min_by(numerically);
    if let Some(oclc) = oclc {
        return format!("ocolc:{oclc}");
    }
    let isbn = members
        .clone()
        .flat_map(|m| m.isbns.iter().map(String::as_str))
        .min();
    if let Some(isbn) = isbn {
        return format!("isbn:{isbn}");
    }
    let key = members.filter_map(|m| m.match_key.as_deref()).min();
    format!("key:{}", key.unwrap_or_default())
}

impl AsRef<Member> for Member {
    fn as_ref(&self) -> &Member {
        self
    }
}

/// Groups `members` into clusters, ordered by id.
pub fn clusters<M: AsRef<Member>>(members: &[M]) -> Vec<Cluster> {
    let members: Vec<&Member> = members.iter().map(AsRef::as_ref).collect();
    let mut parent: Vec<usize> = (0..members.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut first_holder: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, member) in members.iter().enumerate() {
        for link in member.links() {
            let j = *first_holder.entry(link).or_insert(i);
            let (a, b) = (root(&mut parent, i), root(&mut parent, j));
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..members.len() {
        groups.entry(root(&mut parent, i)).or_default().push(i);
    }
    let mut clusters: Vec<Cluster> = groups
        .into_values()
        .map(|group| {
            let representative = *group
                .iter()
                .min_by(|a, b| members[**a].precedes(members[**b]))
                .expect("a group has a member");
            Cluster {
                id: cluster_id(group.iter().map(|i| members[*i])),
                representative,
                members: group,
            }
        })
        .collect();
    clusters.sort_by(|a, b| a.id.cmp(&b.id));
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(library: &str, position: i64, oclc: &[&str], isbn: &[&str]) -> Member {
        let owned = |values: &[&str]| values.iter().map(|v| v.to_string()).collect();
        Member {
            batch: format!("batch-{library}").into(),
            position,
            library: library.into(),
            oclc_numbers: owned(oclc),
            isbns: owned(isbn),
            match_key: (oclc.is_empty() && isbn.is_empty()).then(|| format!("k{position}")),
        }
    }

    #[test]
    fn records_join_transitively_on_oclc_numbers_and_isbns() {
        let members = [
            member("A", 1, &["99"], &["9780000000002"]),
            member("B", 1, &[], &["9780000000002", "9781111111113"]),
            member("C", 1, &["100"], &["9781111111113"]),
            member("C", 2, &[], &["9782222222224"]),
        ];
        let clusters = clusters(&members);
        assert_eq!(clusters.len(), 2);
        assert_eq!(clusters[0].id, "isbn:9782222222224");
        // 99 is numerically smaller than 100, though not as text.
        assert_eq!(clusters[1].id, "ocolc:99");
        assert_eq!(clusters[1].members.len(), 3);
        assert_eq!(&*members[clusters[1].representative].library, "A");
    }

    #[test]
    fn records_with_neither_join_only_by_their_key() {
        let mut same_key = member("B", 7, &[], &[]);
        same_key.match_key = Some("k1".into());
        let members = [member("A", 1, &[], &[]), same_key, member("A", 2, &[], &[])];
        let clusters = clusters(&members);
        assert_eq!(clusters.len(), 2);
        assert_eq!(clusters[0].id, "key:k1");
        assert_eq!(clusters[0].members, vec![0, 1]);
        assert_eq!(clusters[0].representative, 0);
        assert_eq!(clusters[1].id, "key:k2");
    }

    #[test]
    fn the_representative_is_the_first_librarys_first_record() {
        let members = [
            member("b", 1, &["5"], &[]),
            member("A", 9, &["5"], &[]),
            member("A", 3, &["5"], &[]),
        ];
        let clusters = clusters(&members);
        assert_eq!(clusters[0].representative, 2);
    }
}
