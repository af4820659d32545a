//! `Name`: one validated directory-entry name, the only kind of path a provider ever sees.

use crate::Errno;
use ref_cast::RefCast;
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

/// The longest name Linux accepts (`NAME_MAX`).
pub const NAME_MAX: usize = 255;

/// A borrowed directory-entry name: non-empty, no `/`, no NUL, not `.` or `..`, at most
/// [`NAME_MAX`] bytes. Providers receive only `&Name`, so no provider can be handed a
/// multi-component path, `..`, or a symlink walk.
#[derive(RefCast, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct Name([u8]);

impl Name {
    /// Validates `bytes` as one name.
    ///
    /// # Errors
    /// In this order: `EINVAL` if empty, contains `/` or NUL, or is `.` or `..`;
    /// `ENAMETOOLONG` if longer than [`NAME_MAX`].
    #[inline]
    pub fn new(bytes: &[u8]) -> Result<&Name, Errno> {
        if bytes.is_empty() || bytes == b"." || bytes == b".." || has_slash_or_nul(bytes) {
            return Err(Errno::EINVAL);
        }
        if bytes.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        Ok(Name::ref_cast(bytes))
    }

    /// The next name of `path` at or after `*at`, for resolvers that walk a path name by
    /// name: slashes are skipped, the name runs to the next slash, and `*at` is moved past
    /// it. `None` when only slashes remain. The name is validated as [`Name::new`] would
    /// validate it (`EINVAL` for `.`, `..` or a NUL in it, then `ENAMETOOLONG`), in the same
    /// pass that looks for its end: a path is read once, not once to split it and again to
    /// check each name. (The names of most paths are a few bytes long, where a loop over
    /// the bytes costs less than the setup of a search a word at a time.)
    #[inline]
    pub fn next_in<'p>(path: &'p [u8], at: &mut usize) -> Option<Result<&'p Name, Errno>> {
        let len = path.len();
        let mut i = *at;
        while i < len && path[i] == b'/' {
            i += 1;
        }
        if i >= len {
            *at = len;
            return None;
        }
        let begin = i;
        while i < len && path[i] != b'/' && path[i] != 0 {
            i += 1;
        }
        let end = i;
        *at = end;
        let bytes = &path[begin..end];
        if path.get(end) == Some(&0) || bytes == b"." || bytes == b".." {
            return Some(Err(Errno::EINVAL));
        }
        if bytes.len() > NAME_MAX {
            return Some(Err(Errno::ENAMETOOLONG));
        }
        Some(Ok(Name::ref_cast(bytes)))
    }

    /// Splits `path` at slashes into the names it spells, into `out`, for resolvers that
    /// hand a whole path to a provider's one-call walk: `Some(count)` with the number of
    /// names (`out.len() + 1` when they do not all fit, only `out.len()` stored), `None`
    /// when a name is not valid as [`Name::new`] judges it (`.`, `..`, a NUL, over-long).
    /// A path with both too many names and an invalid one may get either answer.
    ///
    /// One pass over the bytes, without a call and a result per name. (A search a word
    /// at a time was tried: for the short names most paths have, its set-up per word and
    /// per name cost more than this loop.)
    pub fn split_path<'p>(path: &'p [u8], out: &mut [&'p Name]) -> Option<usize> {
        let mut rest = path;
        let mut count = 0;
        loop {
            let slashes = rest.iter().take_while(|&&b| b == b'/').count();
            rest = &rest[slashes..];
            if rest.is_empty() {
                return Some(count);
            }
            let end = rest
                .iter()
                .position(|&b| b == b'/' || b == 0)
                .unwrap_or(rest.len());
            let (bytes, tail) = rest.split_at(end);
            if tail.first() == Some(&0)
                || bytes.len() > NAME_MAX
                || (bytes.len() <= 2 && (bytes == b"." || bytes == b".."))
            {
                return None;
            }
            let Some(slot) = out.get_mut(count) else {
                return Some(count + 1);
            };
            *slot = Name::ref_cast(bytes);
            count += 1;
            rest = tail;
        }
    }

    /// The raw bytes of the name.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The name as text, with invalid UTF-8 replaced (for messages only).
    pub fn to_string_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// The length in bytes.
    #[allow(clippy::len_without_is_empty)] // a name is never empty
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// Whether `bytes` holds a `/` or a NUL, looked for a word at a time: a byte of `w` is zero
/// exactly when its subtraction borrows into a high bit `w` did not have set, and a byte
/// is `/` exactly when it is zero in `w ^ "////..."`. Words overlap at the end instead of
/// a byte loop over the rest.
#[inline]
fn has_slash_or_nul(bytes: &[u8]) -> bool {
    const LOW: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    const SLASH: u64 = u64::from_ne_bytes([b'/'; 8]);
    #[inline]
    fn special(w: u64) -> bool {
        let s = w ^ SLASH;
        ((w.wrapping_sub(LOW) & !w) | (s.wrapping_sub(LOW) & !s)) & HIGH != 0
    }
    #[inline]
    fn word(bytes: &[u8], at: usize) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_ne_bytes(w)
    }
    #[inline]
    fn half(bytes: &[u8], at: usize) -> u64 {
        let mut w = [0u8; 4];
        w.copy_from_slice(&bytes[at..at + 4]);
        u64::from(u32::from_ne_bytes(w))
    }
    let len = bytes.len();
    if len >= 8 {
        let mut at = 0;
        while at + 8 <= len {
            if special(word(bytes, at)) {
                return true;
            }
            at += 8;
        }
        at < len && special(word(bytes, len - 8))
    } else if len >= 4 {
        // The first four bytes and the last four (overlapping) in one word.
        special(half(bytes, 0) | half(bytes, len - 4) << 32)
    } else {
        bytes.iter().any(|&b| b == b'/' || b == 0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string_lossy())
    }
}

impl AsRef<[u8]> for Name {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl ToOwned for Name {
    type Owned = NameBuf;
    fn to_owned(&self) -> NameBuf {
        NameBuf(self.0.into())
    }
}

/// An owned [`Name`].
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NameBuf(Box<[u8]>);

impl NameBuf {
    /// Validates and copies `bytes` (see [`Name::new`]).
    ///
    /// # Errors
    /// As [`Name::new`].
    pub fn new(bytes: &[u8]) -> Result<NameBuf, Errno> {
        Name::new(bytes).map(ToOwned::to_owned)
    }
}

impl Deref for NameBuf {
    type Target = Name;
    fn deref(&self) -> &Name {
        Name::ref_cast(&self.0)
    }
}

impl Borrow<Name> for NameBuf {
    fn borrow(&self) -> &Name {
        self
    }
}

// Hash must agree with `Name`'s so maps keyed by `NameBuf` can be queried with `&Name`.
impl std::hash::Hash for NameBuf {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

impl fmt::Debug for NameBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

impl From<&Name> for NameBuf {
    fn from(name: &Name) -> Self {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_invalid_names_with_precise_errno() {
        assert_eq!(Name::new(b""), Err(Errno::EINVAL));
        assert_eq!(Name::new(b"."), Err(Errno::EINVAL));
        assert_eq!(Name::new(b".."), Err(Errno::EINVAL));
        assert_eq!(Name::new(b"a/b"), Err(Errno::EINVAL));
        assert_eq!(Name::new(b"a\0b"), Err(Errno::EINVAL));
        assert_eq!(Name::new(&[b'x'; 256]), Err(Errno::ENAMETOOLONG));
        assert_eq!(Name::new(&[b'x'; 255]).map(Name::len), Ok(255));
        assert_eq!(Name::new(b"...").map(Name::as_bytes), Ok(&b"..."[..]));
    }

    /// `Name::new`'s word-at-a-time scan against the plain byte loop it replaced.
    #[test]
    fn new_answers_as_a_byte_loop_does() {
        fn reference(bytes: &[u8]) -> Result<(), Errno> {
            if bytes.is_empty()
                || bytes == b"."
                || bytes == b".."
                || bytes.iter().any(|&b| b == b'/' || b == 0)
            {
                return Err(Errno::EINVAL);
            }
            if bytes.len() > NAME_MAX {
                return Err(Errno::ENAMETOOLONG);
            }
            Ok(())
        }
        let mut cases: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b".".to_vec(),
            b"..".to_vec(),
            b"...".to_vec(),
            vec![b'x'; 255],
            vec![b'x'; 256],
        ];
        // Every length around the word sizes, with a `/`, a NUL, or a byte that only
        // differs from them in one bit at each position.
        for len in 1..=40 {
            cases.push(vec![b'a'; len]);
            for at in 0..len {
                for odd in [b'/', 0, b'/' ^ 0x80, 0x80, 0xff, 0x01, b'/' + 1, b'/' - 1] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = odd;
                    cases.push(bytes);
                }
            }
        }
        let mut long = vec![b'x'; 300];
        long[299] = b'/';
        cases.push(long);
        for bytes in &cases {
            assert_eq!(
                Name::new(bytes).map(|_| ()),
                reference(bytes),
                "{:?}",
                bytes.escape_ascii().to_string()
            );
        }
    }

    /// `next_in` against a plain split at slashes checked by `Name::new`.
    #[test]
    fn next_in_splits_and_checks_as_new_does() {
        let mut paths: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"/".to_vec(),
            b"///".to_vec(),
            b"a".to_vec(),
            b"/a/".to_vec(),
            b"p1/p2/p3/p4/p5/p6/p7/leaf".to_vec(),
            b"./..//.../x".to_vec(),
            b"a\0b/c".to_vec(),
        ];
        paths.push([&[b'x'; 256][..], b"/y"].concat());
        paths.push([b"y/", &[b'x'; 255][..], b"/"].concat());
        for len in 1..=24 {
            for at in 0..len {
                for odd in [b'/', 0, b'/' ^ 0x80, 0x80, 0xff, b'.', b'/' + 1] {
                    let mut path = vec![b'n'; len];
                    path[at] = odd;
                    paths.push(path.clone());
                    if at + 2 < len {
                        path[at + 2] = b'/';
                        paths.push(path);
                    }
                }
            }
        }
        for path in &paths {
            let mut want = Vec::new();
            let mut rest = &path[..];
            while let Some(start) = rest.iter().position(|&b| b != b'/') {
                rest = &rest[start..];
                let end = rest
                    .iter()
                    .position(|&b| b == b'/' || b == 0)
                    .unwrap_or(rest.len());
                let at_nul = rest.get(end) == Some(&0);
                want.push(if at_nul {
                    Err(Errno::EINVAL)
                } else {
                    Name::new(&rest[..end])
                });
                rest = &rest[end..];
                if at_nul {
                    rest = &rest[1..];
                }
            }
            let mut got = Vec::new();
            let mut at = 0;
            while let Some(name) = Name::next_in(path, &mut at) {
                got.push(name);
                if path.get(at) == Some(&0) {
                    at += 1;
                }
            }
            assert_eq!(got, want, "{:?}", path.escape_ascii().to_string());
        }
    }

    /// `split_path` against a plain split, over every path of up to five bytes from an
    /// alphabet of slashes, dots, NULs and bytes one bit away from them, and random longer
    /// paths.
    #[test]
    fn split_path_answers_as_a_plain_split_does() {
        fn plain(path: &[u8], room: usize) -> Option<(usize, Vec<&[u8]>)> {
            let mut names = Vec::new();
            for part in path.split(|&b| b == b'/').filter(|p| !p.is_empty()) {
                Name::new(part).ok()?;
                if names.len() == room {
                    return Some((room + 1, names));
                }
                names.push(part);
            }
            Some((names.len(), names))
        }
        fn check(path: &[u8]) {
            for room in [0, 1, 2, 3, 8] {
                let filler = Name::new(b"_").unwrap();
                let mut out = vec![filler; room];
                let got = Name::split_path(path, &mut out);
                let want = plain(path, room);
                let shown = path.escape_ascii().to_string();
                match (got, &want) {
                    (Some(n), Some((count, names))) => {
                        assert_eq!(n, *count, "{shown} {room}");
                        let kept: Vec<&[u8]> =
                            out[..names.len()].iter().map(|n| n.as_bytes()).collect();
                        assert_eq!(&kept, names, "{shown} {room}");
                    }
                    (None, None) => {}
                    // Too many names and an invalid one: either answer.
                    (Some(n), None) if n == room + 1 => {}
                    (None, Some((count, _))) if *count == room + 1 => {}
                    _ => panic!("{shown} {room}: {got:?} {:?}", want.map(|w| w.0)),
                }
            }
        }
        let alphabet = [b'a', b'/', b'.', 0, b'.' ^ 0x80, 0xff, b'/' + 1];
        for len in 0..=5u32 {
            for mut k in 0..alphabet.len().pow(len) {
                let mut path = Vec::new();
                for _ in 0..len {
                    path.push(alphabet[k % alphabet.len()]);
                    k /= alphabet.len();
                }
                check(&path);
            }
        }
        let mut seed = 0x1234_5678_9abc_def0_u64;
        let mut random = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let bytes = [b'a', b'/', b'.', b'b', b'/', b'x'];
        for _ in 0..20_000 {
            let len = (random() % 40) as usize;
            let path: Vec<u8> = (0..len)
                .map(|_| match random() {
                    r if r % 97 == 0 => 0,
                    r => bytes[(r >> 8) as usize % bytes.len()],
                })
                .collect();
            check(&path);
        }
        for long in [254, 255, 256, 300] {
            for lead in [0, 1, 7, 8, 9] {
                let mut path = vec![b'/'; lead];
                path.extend(std::iter::repeat_n(b'x', long));
                check(&path);
                path.extend(b"/yy");
                check(&path);
            }
        }
    }

    #[test]
    fn owned_and_borrowed_hash_alike() {
        let mut set = std::collections::HashSet::new();
        set.insert(NameBuf::new(b"file").unwrap());
        assert!(set.contains(Name::new(b"file").unwrap()));
    }
}
