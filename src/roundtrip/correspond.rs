//! Pairing the entries of one table (mappings, functions, locations…) of the expected profile
//! with those of the actual profile.
//!
//! Table order and ids are encoding, so equal content must pair up wherever it sits. Once that
//! is done, leftovers that sit at the same position (or carry the same id) are taken to be the
//! same entry, changed; the comparison reports their differing fields once, and every
//! reference to them (a sample frame, a location's line) compares through the pairing instead
//! of repeating the difference at each use.
//!
//! Equality and content keys come from the caller, so this module knows nothing about what a
//! table holds and serves every format.

use std::collections::HashMap;

/// The two profiles of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The reference profile (`A`): paths use its positions.
    Expected,
    /// The profile checked against it (`B`).
    Actual,
}

/// Which entry of the other side each entry is paired with.
#[derive(Debug, Clone)]
pub(crate) struct Correspondence {
    /// For each expected entry, the actual entry paired with it.
    pub(crate) a_to_b: Vec<Option<u32>>,
    /// For each actual entry, the expected entry paired with it.
    pub(crate) b_to_a: Vec<Option<u32>>,
    unpaired_a: usize,
    unpaired_b: usize,
}

impl Correspondence {
    /// Nothing paired yet.
    pub(crate) fn new(a_len: usize, b_len: usize) -> Self {
        Correspondence {
            a_to_b: vec![None; a_len],
            b_to_a: vec![None; b_len],
            unpaired_a: a_len,
            unpaired_b: b_len,
        }
    }

    /// True while both sides still have an entry without a partner.
    pub(crate) fn has_leftovers(&self) -> bool {
        self.unpaired_a > 0 && self.unpaired_b > 0
    }

    fn pair(&mut self, a: usize, b: usize) {
        debug_assert!(self.a_to_b[a].is_none() && self.b_to_a[b].is_none());
        // Positions come from in-memory tables; they fit u32 (see `Interner`).
        self.a_to_b[a] = Some(to_u32(b));
        self.b_to_a[b] = Some(to_u32(a));
        self.unpaired_a -= 1;
        self.unpaired_b -= 1;
    }

    /// Pairs `a` with `b` when neither has a partner yet; says whether it did.
    pub(crate) fn pair_if_free(&mut self, a: usize, b: usize) -> bool {
        let free = self.free(a, b);
        if free {
            self.pair(a, b);
        }
        free
    }

    fn free(&self, a: usize, b: usize) -> bool {
        self.a_to_b[a].is_none() && self.b_to_a[b].is_none()
    }

    /// Pairs still-unpaired entries with equal content, as a multiset: first those at the same
    /// position, then those with the same id (both checked with `equal`, no hashing), then
    /// the rest in table order by `key`, a content id the caller interns on demand and is
    /// asked for only for entries still unpaired. Preferring position and id keeps the
    /// pairing natural when a table holds several equal entries, and makes the common case
    /// (tables in the same order) cost one direct comparison per entry.
    pub(crate) fn pair_equal(
        &mut self,
        ids: (&[u64], &[u64]),
        equal: impl Fn(usize, usize) -> bool,
        mut key: impl FnMut(Side, usize) -> u32,
    ) {
        self.pair_same_position(&equal);
        self.pair_same_id(ids, &equal);
        if !self.has_leftovers() {
            return;
        }
        // Unpaired actual entries by key, latest first so that `pop` yields table order.
        let mut b_by_key: HashMap<u32, Vec<usize>> = HashMap::new();
        for j in (0..self.b_to_a.len()).rev() {
            if self.b_to_a[j].is_none() {
                b_by_key.entry(key(Side::Actual, j)).or_default().push(j);
            }
        }
        for i in 0..self.a_to_b.len() {
            if self.a_to_b[i].is_some() {
                continue;
            }
            if let Some(j) = b_by_key.get_mut(&key(Side::Expected, i)).and_then(Vec::pop) {
                self.pair(i, j);
            }
        }
    }

    /// Pairs the remaining entries that sit at the same position, then those with the same id:
    /// these are the "changed" entries whose fields the comparison reports.
    pub(crate) fn pair_leftovers(&mut self, ids: (&[u64], &[u64])) {
        self.pair_same_position(|_, _| true);
        self.pair_same_id(ids, |_, _| true);
    }

    /// Pairs still-unpaired entries at the same position for which `equal` holds.
    pub(crate) fn pair_same_position(&mut self, equal: impl Fn(usize, usize) -> bool) {
        for i in 0..self.a_to_b.len().min(self.b_to_a.len()) {
            if self.free(i, i) && equal(i, i) {
                self.pair(i, i);
            }
        }
    }

    fn pair_same_id(
        &mut self,
        (a_ids, b_ids): (&[u64], &[u64]),
        equal: impl Fn(usize, usize) -> bool,
    ) {
        if !self.has_leftovers() {
            return;
        }
        let b_by_id = self.unpaired_b_by_id(b_ids);
        for (i, id) in a_ids.iter().enumerate() {
            if self.a_to_b[i].is_some() {
                continue;
            }
            if let Some(&j) = b_by_id.get(id)
                && self.free(i, j)
                && equal(i, j)
            {
                self.pair(i, j);
            }
        }
    }

    /// The first unpaired actual entry carrying each id.
    fn unpaired_b_by_id(&self, b_ids: &[u64]) -> HashMap<u64, usize> {
        let mut map = HashMap::with_capacity(self.unpaired_b);
        for (j, &id) in b_ids.iter().enumerate() {
            if self.b_to_a[j].is_none() {
                map.entry(id).or_insert(j);
            }
        }
        map
    }
}

/// A table position as `u32`. Tables are decoded into memory under the decompression cap, so
/// their length is far below `u32::MAX` (each entry takes at least two bytes on the wire); the
/// saturating conversion only guards the impossible case without a panic.
pub(crate) fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pairs by the given integer keys, like the comparison does with interned content.
    fn pair(c: &mut Correspondence, a: &[u32], b: &[u32], ids: (&[u64], &[u64])) {
        c.pair_equal(
            ids,
            |i, j| a[i] == b[j],
            |side, i| match side {
                Side::Expected => a[i],
                Side::Actual => b[i],
            },
        );
    }

    #[test]
    fn equal_keys_pair_by_position_then_id_then_order() {
        // a: keys 5 5 7, b: keys 7 5 5; ids make a[0] and b[2] the same id.
        let mut c = Correspondence::new(3, 3);
        pair(&mut c, &[5, 5, 7], &[7, 5, 5], (&[1, 2, 3], &[9, 8, 1]));
        assert_eq!(c.a_to_b, vec![Some(2), Some(1), Some(0)]);
        assert!(!c.has_leftovers());
    }

    #[test]
    fn leftovers_pair_by_position_then_id() {
        let ids: (&[u64], &[u64]) = (&[10, 11, 12], &[12, 13]);
        let mut c = Correspondence::new(3, 2);
        pair(&mut c, &[1, 2, 3], &[4, 5], ids);
        assert!(c.a_to_b.iter().all(Option::is_none));
        c.pair_leftovers(ids);
        assert_eq!(c.a_to_b, vec![Some(0), Some(1), None]);

        // a[0], a[1] equal b[1], b[2]; a[2] and b[0] differ, share no position, share an id.
        let ids: (&[u64], &[u64]) = (&[10, 11, 12], &[12, 20, 21]);
        let mut c = Correspondence::new(3, 3);
        pair(&mut c, &[1, 2, 3], &[9, 1, 2], ids);
        assert_eq!(c.a_to_b, vec![Some(1), Some(2), None]);
        c.pair_leftovers(ids);
        assert_eq!(c.a_to_b, vec![Some(1), Some(2), Some(0)]);
    }
}
