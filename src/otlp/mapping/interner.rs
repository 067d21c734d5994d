//! Insertion-ordered interning tables: a value's index is its position of first insertion, and
//! index 0 is reserved for the zero value (OTLP requires `""` at `string_table[0]`, pprof too).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;

/// The hash maps of the translation. foldhash instead of the default SipHash: hashing stacks,
/// strings and labels was the largest single cost of pprof → OTLP (docs/performance.md), and
/// foldhash's per-map random seed still keeps crafted inputs from forcing collisions.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Values in first-insertion order with a reverse index.
///
/// Each value is stored once, in `values`; the index is a `hashbrown::HashTable` of positions
/// into it, so interning hashes a value once and copies it at most once. (A `HashMap<T, usize>`
/// beside the vector held every string and stack twice, and hashed each new one twice:
/// docs/performance.md.)
pub(crate) struct Interner<T> {
    values: Vec<T>,
    index: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl<T: std::fmt::Debug> std::fmt::Debug for Interner<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.values).finish()
    }
}

impl<T: Eq + Hash> Interner<T> {
    /// A table whose entry 0 is `zero`.
    pub(crate) fn with_zero(zero: T) -> Self {
        Self::with_zero_and_capacity(zero, 0)
    }

    /// A table whose entry 0 is `zero`, with room for `capacity` values before it grows (an
    /// upper bound known from the input saves rehashing).
    pub(crate) fn with_zero_and_capacity(zero: T, capacity: usize) -> Self {
        let mut interner = Interner {
            values: Vec::with_capacity(capacity),
            index: HashTable::with_capacity(capacity),
            hasher: foldhash::fast::RandomState::default(),
        };
        interner.intern(zero);
        interner
    }

    /// The index of `value`, appending it on first sight.
    pub(crate) fn intern(&mut self, value: T) -> usize {
        let hash = self.hasher.hash_one(&value);
        match self.find(hash, &value) {
            Some(i) => i,
            None => self.insert_new(hash, value),
        }
    }

    /// The index of a borrowed value, copying it only on first sight.
    pub(crate) fn intern_ref<Q>(&mut self, value: &Q) -> usize
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = T> + ?Sized,
    {
        // `Borrow` promises that a borrowed value hashes like its owner.
        let hash = self.hasher.hash_one(value);
        match self.find(hash, value) {
            Some(i) => i,
            None => self.insert_new(hash, value.to_owned()),
        }
    }

    fn find<Q>(&self, hash: u64, value: &Q) -> Option<usize>
    where
        T: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        self.index
            .find(hash, |&i| self.values[i as usize].borrow() == value)
            .map(|&i| i as usize)
    }

    /// Appends `value`, known to be absent, whose hash is `hash`.
    fn insert_new(&mut self, hash: u64, value: T) -> usize {
        let Interner {
            values,
            index,
            hasher,
        } = self;
        let i = values.len();
        // OTLP indexes tables with i32, so a table never outgrows u32.
        index.insert_unique(hash, i as u32, |&j| hasher.hash_one(&values[j as usize]));
        values.push(value);
        i
    }

    /// The values so far, in index order.
    pub(crate) fn values(&self) -> &[T] {
        &self.values
    }

    /// The table, in index order.
    pub(crate) fn into_values(self) -> Vec<T> {
        self.values
    }
}
