//! [`Glob`]: absolute path patterns, compiled once and matched component by component.
//!
//! A pattern is `/` followed by components separated by single `/`s. Within a component `*`
//! matches any run of bytes (dotfiles included: there is no special rule for a leading `.`),
//! `?` one byte, `[abc]`, `[a-z]` and `[!x]` one byte of (or not of) a class (`]` first in a
//! class is literal), and `\` makes the next byte literal. A component that is exactly `**`
//! matches zero or more whole components, so `/src/**` matches `/src` itself and everything
//! below it and `/**/.git` matches `.git` at any depth. The pattern `/` matches only the root.
//!
//! Matching allocates nothing: the path is walked by offsets, with the classic one-backtrack-
//! point algorithm at both levels (components for `**`, bytes for `*`), which is exact because
//! every other token matches exactly one unit.

use std::fmt;

/// A compiled path pattern. See the module docs for the syntax.
#[derive(Clone)]
pub struct Glob {
    source: Box<str>,
    segments: Box<[Segment]>,
}

/// Why a pattern did not compile, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobError {
    /// Byte offset of the offending text in the pattern.
    pub offset: usize,
    /// What is wrong, in a few words.
    pub message: String,
}

impl fmt::Display for GlobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for GlobError {}

/// One component of a pattern.
#[derive(Clone, Debug)]
enum Segment {
    /// `**`: zero or more components.
    AnyDepth,
    /// A component without wildcards, compared byte for byte.
    Literal(Box<[u8]>),
    /// A component with wildcards.
    Wild(Box<[Token]>),
}

/// One token of a wildcard component.
#[derive(Clone, Debug)]
enum Token {
    Byte(u8),
    AnyByte,
    Star,
    Class {
        negated: bool,
        ranges: Box<[(u8, u8)]>,
    },
}

fn error(offset: usize, message: &str) -> GlobError {
    GlobError {
        offset,
        message: message.to_string(),
    }
}

impl Glob {
    /// Compiles `pattern`.
    ///
    /// # Errors
    /// A [`GlobError`] with the byte offset of the first problem: a relative (or empty)
    /// pattern, a trailing `/`, an empty component (`//`), a `.` or `..` component (paths
    /// never contain them, so it could never match), `**` mixed with other text in one
    /// component, an unclosed `[`, a reversed range (`[z-a]`), a trailing `\`.
    pub fn new(pattern: &str) -> Result<Glob, GlobError> {
        let bytes = pattern.as_bytes();
        if bytes.first() != Some(&b'/') {
            return Err(error(0, "a pattern must be absolute (start with `/`)"));
        }
        let mut segments = Vec::new();
        if bytes.len() > 1 {
            if bytes.ends_with(b"/") {
                return Err(error(bytes.len() - 1, "a pattern must not end with `/`"));
            }
            let mut start = 1;
            for part in bytes[1..].split(|&b| b == b'/') {
                segments.push(compile_component(part, start)?);
                start += part.len() + 1;
            }
        }
        Ok(Glob {
            source: pattern.into(),
            segments: segments.into(),
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True if the sandbox-absolute `path` (`/`, `/a`, `/a/b`; no trailing `/`) matches.
    /// A relative path never matches.
    pub fn matches(&self, path: &[u8]) -> bool {
        if path.first() != Some(&b'/') {
            return false;
        }
        let segs = &self.segments;
        let (mut si, mut pos) = (0, 1.min(path.len()));
        // Where the last `**` was, and the path offset it is currently assumed to end at.
        let mut backtrack: Option<(usize, usize)> = None;
        loop {
            match segs.get(si) {
                Some(Segment::AnyDepth) => {
                    backtrack = Some((si, pos));
                    si += 1;
                    continue;
                }
                Some(seg) => {
                    if let Some((comp, next)) = component(path, pos) {
                        if seg_matches(seg, comp) {
                            si += 1;
                            pos = next;
                            continue;
                        }
                    }
                }
                None if component(path, pos).is_none() => return true,
                None => {}
            }
            // Mismatch: let the last `**` swallow one more component, or fail.
            match backtrack {
                Some((star, at)) => match component(path, at) {
                    Some((_, next)) => {
                        backtrack = Some((star, next));
                        si = star + 1;
                        pos = next;
                    }
                    None => return false,
                },
                None => return false,
            }
        }
    }
}

impl Glob {
    /// True if some path strictly below the directory `dir` (sandbox-absolute, as for
    /// [`Glob::matches`]) can match: `dir` followed by one or more components. Decided
    /// component by component on the compiled segments, without knowing which names exist:
    /// `**` matches anything, and a segment that could still be matched counts even if no
    /// name in the tree matches it (so it may answer true for a class that matches no byte
    /// of a name, never false for a path that matches). A relative `dir` is false.
    ///
    /// Used to decide whether a directory rename could change a verdict below it, and which
    /// rules `policy show` lists under a mount.
    pub fn can_match_below(&self, dir: &[u8]) -> bool {
        self.states_after(dir)
            .is_some_and(|states| states[..self.segments.len()].iter().any(|&s| s))
    }

    /// True if every path below `a` and the same path below `b` (`a/x` and `b/x`, for every
    /// suffix `x`) either both match or both do not: the segments still to match after `a`
    /// and after `b` are the same. False for a relative `a` or `b` (nothing to compare).
    pub(crate) fn same_below(&self, a: &[u8], b: &[u8]) -> bool {
        let live = self.segments.len();
        match (self.states_after(a), self.states_after(b)) {
            (Some(x), Some(y)) => x[..live] == y[..live],
            _ => false,
        }
    }

    /// The set of segment indices the match can be at after consuming every component of
    /// `dir` (index `len` = the whole pattern consumed: `dir` itself matches); `None` for a
    /// relative `dir`. The non-deterministic form of [`Glob::matches`], run on a prefix.
    fn states_after(&self, dir: &[u8]) -> Option<Vec<bool>> {
        if dir.first() != Some(&b'/') {
            return None;
        }
        let segs = &self.segments;
        let mut states = vec![false; segs.len() + 1];
        states[0] = true;
        close_any_depth(segs, &mut states);
        let mut pos = 1.min(dir.len());
        while let Some((comp, next)) = component(dir, pos) {
            let mut after = vec![false; segs.len() + 1];
            for (i, seg) in segs.iter().enumerate() {
                if !states[i] {
                    continue;
                }
                match seg {
                    // `**` takes this component and may take more.
                    Segment::AnyDepth => after[i] = true,
                    seg if seg_matches(seg, comp) => after[i + 1] = true,
                    _ => {}
                }
            }
            close_any_depth(segs, &mut after);
            states = after;
            pos = next;
        }
        Some(states)
    }
}

/// Adds, for every state at a `**`, the state after it (`**` matches zero components).
fn close_any_depth(segs: &[Segment], states: &mut [bool]) {
    for i in 0..segs.len() {
        if states[i] && matches!(segs[i], Segment::AnyDepth) {
            states[i + 1] = true;
        }
    }
}

/// The component of `path` starting at `pos`, and where the next one starts.
fn component(path: &[u8], pos: usize) -> Option<(&[u8], usize)> {
    if pos >= path.len() {
        return None;
    }
    let rest = &path[pos..];
    match rest.iter().position(|&b| b == b'/') {
        Some(end) => Some((&rest[..end], pos + end + 1)),
        None => Some((rest, path.len())),
    }
}

fn seg_matches(seg: &Segment, comp: &[u8]) -> bool {
    match seg {
        Segment::AnyDepth => true,
        Segment::Literal(lit) => **lit == *comp,
        Segment::Wild(tokens) => tokens_match(tokens, comp),
    }
}

fn tokens_match(tokens: &[Token], comp: &[u8]) -> bool {
    let (mut ti, mut ci) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    loop {
        match tokens.get(ti) {
            Some(Token::Star) => {
                backtrack = Some((ti, ci));
                ti += 1;
                continue;
            }
            Some(token) => {
                if let Some(&b) = comp.get(ci) {
                    if token_matches(token, b) {
                        ti += 1;
                        ci += 1;
                        continue;
                    }
                }
            }
            None if ci == comp.len() => return true,
            None => {}
        }
        match backtrack {
            Some((star, at)) if at < comp.len() => {
                backtrack = Some((star, at + 1));
                ti = star + 1;
                ci = at + 1;
            }
            _ => return false,
        }
    }
}

fn token_matches(token: &Token, b: u8) -> bool {
    match token {
        Token::Byte(x) => *x == b,
        Token::AnyByte => true,
        Token::Star => true,
        Token::Class { negated, ranges } => {
            ranges.iter().any(|&(lo, hi)| lo <= b && b <= hi) != *negated
        }
    }
}

/// Compiles one component; `base` is its byte offset in the whole pattern.
fn compile_component(part: &[u8], base: usize) -> Result<Segment, GlobError> {
    match part {
        b"" => return Err(error(base, "empty component (`//`)")),
        b"." | b".." => {
            return Err(error(
                base,
                "`.` and `..` components never match (paths are normalized)",
            ))
        }
        b"**" => return Ok(Segment::AnyDepth),
        _ => {}
    }
    let mut tokens = Vec::new();
    let mut wild = false;
    let mut i = 0;
    while i < part.len() {
        let at = base + i;
        match part[i] {
            b'*' => {
                if part.get(i + 1) == Some(&b'*') {
                    return Err(error(
                        at,
                        "`**` must be a whole component (`/**/`), not mixed with other text",
                    ));
                }
                tokens.push(Token::Star);
                wild = true;
                i += 1;
            }
            b'?' => {
                tokens.push(Token::AnyByte);
                wild = true;
                i += 1;
            }
            b'\\' => match part.get(i + 1) {
                Some(&b) => {
                    tokens.push(Token::Byte(b));
                    i += 2;
                }
                None => return Err(error(at, "`\\` at the end of a component escapes nothing")),
            },
            b'[' => {
                let (token, next) = compile_class(part, i, base)?;
                tokens.push(token);
                wild = true;
                i = next;
            }
            b => {
                tokens.push(Token::Byte(b));
                i += 1;
            }
        }
    }
    if wild {
        Ok(Segment::Wild(tokens.into()))
    } else {
        let literal: Vec<u8> = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Byte(b) => Some(*b),
                _ => None,
            })
            .collect();
        Ok(Segment::Literal(literal.into()))
    }
}

/// Compiles the class starting at `part[open]` (`[`); returns it and the index after `]`.
fn compile_class(part: &[u8], open: usize, base: usize) -> Result<(Token, usize), GlobError> {
    let mut i = open + 1;
    let negated = part.get(i) == Some(&b'!');
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let Some(&b) = part.get(i) else {
            return Err(error(base + open, "unclosed `[`"));
        };
        if b == b']' && !first {
            return Ok((
                Token::Class {
                    negated,
                    ranges: ranges.into(),
                },
                i + 1,
            ));
        }
        first = false;
        let (lo, after) = class_byte(part, i, base)?;
        if part.get(after) == Some(&b'-') && part.get(after + 1).is_some_and(|&c| c != b']') {
            let (hi, end) = class_byte(part, after + 1, base)?;
            if hi < lo {
                return Err(error(base + i, "reversed range in `[...]`"));
            }
            ranges.push((lo, hi));
            i = end;
        } else {
            ranges.push((lo, lo));
            i = after;
        }
    }
}

/// One byte of a class at `part[i]`, `\`-escapes included; returns it and the next index.
fn class_byte(part: &[u8], i: usize, base: usize) -> Result<(u8, usize), GlobError> {
    match part.get(i) {
        Some(b'\\') => match part.get(i + 1) {
            Some(&b) => Ok((b, i + 2)),
            None => Err(error(
                base + i,
                "`\\` at the end of a component escapes nothing",
            )),
        },
        Some(&b) => Ok((b, i + 1)),
        None => Err(error(base + i, "unclosed `[`")),
    }
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Glob({:?})", self.source)
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl PartialEq for Glob {
    fn eq(&self, other: &Glob) -> bool {
        self.source == other.source
    }
}

impl Eq for Glob {}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        Glob::new(pattern).unwrap().matches(path.as_bytes())
    }

    #[test]
    fn matching_table() {
        let table: &[(&str, &str, bool)] = &[
            ("/", "/", true),
            ("/", "/a", false),
            ("/a", "/a", true),
            ("/a", "/ab", false),
            ("/a", "/a/b", false),
            ("/a/b", "/a/b", true),
            // `**` at the end: the directory itself and everything below.
            ("/src/**", "/src", true),
            ("/src/**", "/src/a", true),
            ("/src/**", "/src/a/b/c", true),
            ("/src/**", "/srcx", false),
            ("/src/**", "/", false),
            // `**` at the start.
            ("/**/.git", "/.git", true),
            ("/**/.git", "/a/b/.git", true),
            ("/**/.git", "/a/b/.git/x", false),
            ("/**/.git", "/a/.gitx", false),
            ("/**", "/", true),
            ("/**", "/any/thing", true),
            // `**` in the middle.
            ("/a/**/z", "/a/z", true),
            ("/a/**/z", "/a/b/c/z", true),
            ("/a/**/z", "/a/b/c/z/y", false),
            ("/a/**/b/**/c", "/a/x/b/y/b/c", true),
            ("/a/**/b/**/c", "/a/x/c", false),
            ("/src/**/.git/**", "/src/p/.git/objects/x", true),
            ("/src/**/.git/**", "/src/.git", true),
            // `*` and `?` stay within one component; `*` matches dotfiles.
            ("/*", "/a", true),
            ("/*", "/.hidden", true),
            ("/*", "/a/b", false),
            ("/*.rs", "/main.rs", true),
            ("/*.rs", "/.rs", true),
            ("/*.rs", "/main.rsx", false),
            ("/a*b*c", "/aXbYc", true),
            ("/a*b*c", "/abcbc", true),
            ("/a*b*c", "/acb", false),
            ("/?", "/x", true),
            ("/?", "/xy", false),
            ("/?", "/", false),
            // Classes.
            ("/[abc]", "/b", true),
            ("/[abc]", "/d", false),
            ("/[a-z]x", "/qx", true),
            ("/[a-z]x", "/Qx", false),
            ("/[!x]", "/y", true),
            ("/[!x]", "/x", false),
            ("/[]]", "/]", true),
            ("/[a-]", "/-", true),
            ("/\\*", "/*", true),
            ("/\\*", "/a", false),
        ];
        for &(pattern, path, expected) in table {
            assert_eq!(m(pattern, path), expected, "{pattern} against {path}");
        }
    }

    #[test]
    fn can_match_below_table() {
        let table: &[(&str, &str, bool)] = &[
            ("/shared/secrets/**", "/", true),
            ("/shared/secrets/**", "/shared", true),
            ("/shared/secrets/**", "/shared/secrets", true),
            ("/shared/secrets/**", "/shared/secrets/a/b", true),
            ("/shared/secrets/**", "/shared/other", false),
            ("/shared/secrets/**", "/x", false),
            // Strictly below: the directory itself matching is not enough.
            ("/a/b", "/a/b", false),
            ("/a/b", "/a", true),
            ("/a/b", "/a/b/c", false),
            ("/", "/", false),
            ("/**", "/", true),
            ("/**", "/any/where", true),
            ("/**/.git", "/x/y", true),
            ("/**/.git/**", "/x/.git", true),
            ("/src/**/.git/**", "/out", false),
            ("/src/**/.git/**", "/src/a/b", true),
            ("/a/**/z", "/a/q", true),
            ("/a/**/z", "/b", false),
            ("/*/k", "/anything", true),
            ("/*/k", "/a/b", false),
            ("/[ab]/k", "/c", false),
            ("/[ab]/k", "/b", true),
            ("/out/*.o", "/out", true),
            ("/out/*.o", "/out/x.o", false),
        ];
        for &(pattern, dir, expected) in table {
            let g = Glob::new(pattern).unwrap();
            assert_eq!(
                g.can_match_below(dir.as_bytes()),
                expected,
                "{pattern} below {dir}"
            );
        }
        assert!(!Glob::new("/**").unwrap().can_match_below(b"rel"));
    }

    #[test]
    fn same_below_compares_what_is_left_to_match() {
        let table: &[(&str, &str, &str, bool)] = &[
            // `**` before the part that decides: any two directories outside `.git` agree.
            ("/**/.git/**", "/a/b", "/a/c", true),
            ("/**/.git/**", "/a/.git", "/a/c", false),
            ("/shared/secrets/**", "/shared", "/x", false),
            ("/shared/secrets/**", "/p", "/q/r", true),
            ("/out/protected/**", "/out/protected", "/out/p2", false),
            ("/out/protected/**", "/out/a", "/out/b", true),
            ("/*/k", "/a", "/b", true),
            ("/a/k", "/a", "/b", false),
        ];
        for &(pattern, a, b, expected) in table {
            let g = Glob::new(pattern).unwrap();
            assert_eq!(
                g.same_below(a.as_bytes(), b.as_bytes()),
                expected,
                "{pattern}: {a} vs {b}"
            );
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_match_wildcards() {
        let g = Glob::new("/d/*").unwrap();
        assert!(g.matches(b"/d/\xff\xfe"));
        assert!(!g.matches(b"d/x"), "relative paths never match");
    }

    #[test]
    fn errors_carry_offsets() {
        let table: &[(&str, usize)] = &[
            ("", 0),
            ("src/**", 0),
            ("/src/", 4),
            ("/a//b", 3),
            ("/a/**b", 3),
            ("/a/x**", 4),
            ("/a/***", 3),
            ("/a/[bc", 3),
            ("/a/[!", 3),
            ("/a/[]", 3),
            ("/a/[z-a]", 4),
            ("/a/x\\", 4),
            ("/a/../b", 3),
            ("/./b", 1),
        ];
        for &(pattern, offset) in table {
            let err = Glob::new(pattern).unwrap_err();
            assert_eq!(err.offset, offset, "{pattern}: {err}");
            assert!(!err.message.is_empty());
        }
        assert_eq!(Glob::new("/a/[bc").unwrap_err().message, "unclosed `[`");
    }

    #[test]
    fn keeps_its_source() {
        assert_eq!(Glob::new("/src/**").unwrap().as_str(), "/src/**");
    }
}
