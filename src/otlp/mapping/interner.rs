//! Insertion-ordered interning tables: a value's index is its position of first insertion, and
//! index 0 is reserved for the zero value (OTLP requires `""` at `string_table[0]`, pprof too).

use std::collections::HashMap;
use std::hash::Hash;

/// The hash maps of the translation. foldhash instead of the default SipHash: hashing stacks,
/// strings and labels was the largest single cost of pprof → OTLP (docs/performance.md), and
/// foldhash's per-map random seed still keeps crafted inputs from forcing collisions.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Values in first-insertion order with a reverse index.
#[derive(Debug)]
pub(crate) struct Interner<T> {
    values: Vec<T>,
    index: FastMap<T, usize>,
}

impl<T: Clone + Eq + Hash> Interner<T> {
    /// A table whose entry 0 is `zero`.
    pub(crate) fn with_zero(zero: T) -> Self {
        let mut interner = Interner {
            values: Vec::new(),
            index: FastMap::default(),
        };
        interner.intern(zero);
        interner
    }

    /// The index of `value`, appending it on first sight.
    pub(crate) fn intern(&mut self, value: T) -> usize {
        if let Some(&i) = self.index.get(&value) {
            return i;
        }
        let i = self.values.len();
        self.values.push(value.clone());
        self.index.insert(value, i);
        i
    }

    /// The index of a borrowed value, cloning it only on first sight.
    pub(crate) fn intern_ref<Q>(&mut self, value: &Q) -> usize
    where
        T: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = T> + ?Sized,
    {
        if let Some(&i) = self.index.get(value) {
            return i;
        }
        self.intern(value.to_owned())
    }

    /// The value at `i` (which must have been returned by `intern`).
    pub(crate) fn get(&self, i: usize) -> &T {
        &self.values[i]
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
