//! A union of a writable upper provider over a read-only lower one.
