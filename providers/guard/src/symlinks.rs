//! [`SymlinkMode`]: which symbolic links may be created under each host mount, since host
//! tools and FUSE clients follow what the sandbox writes.

use vfsbox_api::Errno;

/// What `symlink` may create under one mount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SymlinkMode {
    /// Any target.
    #[default]
    Allow,
    /// Only relative targets that, resolved lexically from the link's directory, never leave
    /// the mount (not even on the way: `../m/x` from the mount's root is refused); else
    /// `EPERM`.
    RelativeInside,
    /// No symbolic links: `EPERM`, what Linux filesystems without symlinks answer.
    Deny,
}

/// The modes of every mount, longest mount path first, so the first prefix found applies.
#[derive(Clone, Debug, Default)]
pub(crate) struct SymlinkModes {
    mounts: Vec<(Vec<u8>, SymlinkMode)>,
}

impl SymlinkModes {
    pub(crate) fn new(mounts: &[(String, SymlinkMode)]) -> SymlinkModes {
        let mut mounts: Vec<(Vec<u8>, SymlinkMode)> = mounts
            .iter()
            .map(|(at, mode)| (normalize(at.as_bytes()), *mode))
            .collect();
        mounts.sort_by_key(|(at, _)| std::cmp::Reverse(at.len()));
        SymlinkModes { mounts }
    }

    /// True when some mount restricts symlinks (else `symlink` needs no check).
    pub(crate) fn restricts(&self) -> bool {
        self.mounts.iter().any(|(_, m)| *m != SymlinkMode::Allow)
    }

    /// Checks a new link in directory `dir` (sandbox-absolute) with `target`.
    ///
    /// # Errors
    /// `EPERM` when the mount holding `dir` forbids it.
    pub(crate) fn check(&self, dir: &[u8], target: &[u8]) -> Result<(), Errno> {
        let Some((mount, mode)) = self.mounts.iter().find(|(at, _)| is_under(dir, at)) else {
            return Ok(());
        };
        match mode {
            SymlinkMode::Allow => Ok(()),
            SymlinkMode::Deny => Err(Errno::EPERM),
            SymlinkMode::RelativeInside => {
                if stays_inside(&dir[mount.len()..], target) {
                    Ok(())
                } else {
                    Err(Errno::EPERM)
                }
            }
        }
    }
}

impl SymlinkModes {
    /// True if moving the directory `from` to `to` (swapping them for `exchange`) could make
    /// a relative link inside it leave a `relative-inside` mount. Links were checked from
    /// their directory's depth below the mount (only the depth counts in the lexical
    /// resolution); at the same depth or deeper they stay inside, so only a move to a
    /// shallower place (or to another mount entry) is refused. Directories are not walked
    /// for links: any such move is refused.
    pub(crate) fn dir_move_may_escape(&self, from: &[u8], to: &[u8], exchange: bool) -> bool {
        let entry = |p: &[u8]| self.mounts.iter().position(|(at, _)| is_under(p, at));
        let (a, b) = (entry(from), entry(to));
        let inside =
            |i: Option<usize>| i.is_some_and(|i| self.mounts[i].1 == SymlinkMode::RelativeInside);
        if !inside(a) && !inside(b) {
            return false;
        }
        if a != b {
            return true;
        }
        let depth = |p: &[u8]| p.iter().filter(|&&c| c == b'/').count();
        if exchange {
            depth(from) != depth(to)
        } else {
            depth(to) < depth(from)
        }
    }
}

/// A mount path without trailing `/` (the root mount is empty: every path is under it).
fn normalize(at: &[u8]) -> Vec<u8> {
    let mut at = at.to_vec();
    while at.last() == Some(&b'/') {
        at.pop();
    }
    at
}

/// True if `path` is `mount` or below it.
fn is_under(path: &[u8], mount: &[u8]) -> bool {
    mount.is_empty()
        || (path.starts_with(mount) && (path.len() == mount.len() || path[mount.len()] == b'/'))
}

/// True if `target` is relative and, resolved from the directory `within` (its path below the
/// mount, `""` or `/a/b`), never climbs above the mount's root.
fn stays_inside(within: &[u8], target: &[u8]) -> bool {
    if target.first() == Some(&b'/') {
        return false;
    }
    let mut depth = within
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty())
        .count();
    for part in target.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => depth += 1,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_inside() {
        let modes = SymlinkModes::new(&[
            ("/".to_string(), SymlinkMode::Allow),
            ("/out".to_string(), SymlinkMode::RelativeInside),
            ("/out/deny".to_string(), SymlinkMode::Deny),
        ]);
        assert_eq!(modes.check(b"/out", b"a/b"), Ok(()));
        assert_eq!(modes.check(b"/out/sub", b"../x"), Ok(()));
        assert_eq!(modes.check(b"/out/sub", b"./../x/../y"), Ok(()));
        assert_eq!(modes.check(b"/out", b"/etc"), Err(Errno::EPERM));
        assert_eq!(modes.check(b"/out", b"../x"), Err(Errno::EPERM));
        assert_eq!(modes.check(b"/out/a/b", b"../../.."), Err(Errno::EPERM));
        assert_eq!(modes.check(b"/out", b"../out/x"), Err(Errno::EPERM));
        assert_eq!(modes.check(b"/out/deny", b"x"), Err(Errno::EPERM));
        assert_eq!(modes.check(b"/outside", b"/etc"), Ok(()));
        assert_eq!(modes.check(b"/", b"/etc"), Ok(()));
    }
}
