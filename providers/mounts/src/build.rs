//! Building a [`MountTable`](crate::MountTable): parsing mount paths, the errors of a bad
//! layout, and the skeleton of mount points and synthesized directories.

use crate::skeleton::{SkelNode, Skeleton};
use std::collections::BTreeMap;
use std::sync::Arc;
use vfsbox_api::{Errno, FileKind, FileSystem, NameBuf};

/// Why a mount table could not be built. Every variant names the offending mount path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MountError {
    /// The path does not start with `/`.
    #[error("mount path {path:?} is relative: mount paths are absolute, starting with '/'")]
    Relative {
        /// The path as given.
        path: String,
    },
    /// The path has an empty, `.` or `..` component (`//`, a trailing `/`, `/a/./b`, `/a/..`).
    #[error("mount path {path:?} is not normalized: it has an empty, '.' or '..' component")]
    NotNormalized {
        /// The path as given.
        path: String,
    },
    /// A component is not a valid name (a NUL byte, or longer than 255 bytes).
    #[error("mount path {path:?} has an invalid component ({errno})")]
    BadComponent {
        /// The path as given.
        path: String,
        /// `EINVAL` or `ENAMETOOLONG`, as `Name::new` answered.
        errno: Errno,
    },
    /// Two providers were mounted at the same path.
    #[error("mount path {path:?} is mounted twice")]
    Duplicate {
        /// The path.
        path: String,
    },
    /// The path (or the intermediate directory leading to it) names a non-directory in the
    /// provider mounted below it.
    #[error("cannot mount at {path:?}: {entry:?} is a non-directory in the provider mounted at {below:?}")]
    NotADirectory {
        /// The mount path.
        path: String,
        /// The entry of the provider below that is in the way.
        entry: String,
        /// Where the provider below is mounted.
        below: String,
    },
    /// Looking the mount point up in the provider below failed with an error other than
    /// `ENOENT` (which is fine: the entry is synthesized).
    #[error("cannot mount at {path:?}: looking up {entry:?} in the provider mounted at {below:?} failed ({errno})")]
    Lookup {
        /// The mount path.
        path: String,
        /// The entry looked up.
        entry: String,
        /// Where the provider below is mounted.
        below: String,
        /// The provider's answer.
        errno: Errno,
    },
    /// More mounts than the inode-number scheme can tell apart.
    #[error("too many mounts: a table holds at most {max}")]
    TooMany {
        /// The limit.
        max: usize,
    },
}

/// The most mounts a table holds: the mount tag of an inode number has 16 bits, tag 0 being
/// the synthesized directories.
pub const MAX_MOUNTS: usize = 0xFFFF;

/// A mount table under construction; see [`MountTable::builder`](crate::MountTable::builder).
#[derive(Default)]
pub struct MountTableBuilder {
    mounts: Vec<(String, Vec<NameBuf>, Arc<dyn FileSystem>)>,
}

impl MountTableBuilder {
    /// Mounts `fs` at absolute path `path` (`/`, `/data`, `/data/cache`).
    ///
    /// # Errors
    /// [`MountError::Relative`], [`MountError::NotNormalized`], [`MountError::BadComponent`],
    /// [`MountError::Duplicate`] and [`MountError::TooMany`]; what lies below a mount point is
    /// checked by [`build`](Self::build).
    pub fn mount(
        mut self,
        path: &str,
        fs: Arc<dyn FileSystem>,
    ) -> Result<MountTableBuilder, MountError> {
        let parts = parse(path)?;
        if self.mounts.iter().any(|(_, p, _)| *p == parts) {
            return Err(MountError::Duplicate {
                path: path.to_string(),
            });
        }
        if self.mounts.len() >= MAX_MOUNTS {
            return Err(MountError::TooMany { max: MAX_MOUNTS });
        }
        self.mounts.push((path.to_string(), parts, fs));
        Ok(self)
    }

    /// Mounts `fs`, which the table then owns, at `path`; as [`mount`](Self::mount).
    ///
    /// # Errors
    /// As [`mount`](Self::mount).
    pub fn mount_new(
        self,
        path: &str,
        fs: impl FileSystem + 'static,
    ) -> Result<MountTableBuilder, MountError> {
        self.mount(path, Arc::new(fs))
    }

    /// The table.
    ///
    /// # Errors
    /// [`MountError::NotADirectory`] if a mount point, or the intermediate directory leading
    /// to it, is a non-directory in the provider mounted below; [`MountError::Lookup`] if that
    /// provider fails the lookup otherwise.
    pub fn build(self) -> Result<crate::MountTable, MountError> {
        let mut mounts = self.mounts;
        // Parents before children, so each mount finds the one below it already placed.
        mounts.sort_by(|a, b| a.1.len().cmp(&b.1.len()).then_with(|| a.1.cmp(&b.1)));
        let mut nodes = vec![SkelNode {
            children: BTreeMap::new(),
            mount: None,
        }];
        let mut providers = Vec::with_capacity(mounts.len());
        for (index, (path, parts, fs)) in mounts.iter().enumerate() {
            check_below(&nodes, &mounts, path, parts)?;
            let mut at = 0;
            for part in parts {
                at = match nodes[at].children.get(part) {
                    Some(&child) => child,
                    None => {
                        nodes.push(SkelNode {
                            children: BTreeMap::new(),
                            mount: None,
                        });
                        let child = nodes.len() - 1;
                        nodes[at].children.insert(part.clone(), child);
                        child
                    }
                };
            }
            nodes[at].mount = Some(index);
            providers.push(crate::Mount {
                path: path.clone(),
                root: fs.root(),
                fs: fs.clone(),
                skel: at,
            });
        }
        Ok(crate::MountTable::assemble(providers, Skeleton { nodes }))
    }
}

/// Checks the entry of the nearest mount below `parts` that the new mount (or the
/// synthesized directory leading to it) will hide: it must be a directory or absent.
fn check_below(
    nodes: &[SkelNode],
    mounts: &[(String, Vec<NameBuf>, Arc<dyn FileSystem>)],
    path: &str,
    parts: &[NameBuf],
) -> Result<(), MountError> {
    // Walk the skeleton as far as it goes, remembering the deepest mount passed.
    let (mut at, mut below) = (0, None);
    if nodes[0].mount.is_some() {
        below = Some((nodes[0].mount, 0));
    }
    for (depth, part) in parts.iter().enumerate() {
        match nodes[at].children.get(part) {
            Some(&child) => {
                at = child;
                if nodes[at].mount.is_some() {
                    below = Some((nodes[at].mount, depth + 1));
                }
            }
            None => break,
        }
    }
    let Some((Some(mount), depth)) = below else {
        return Ok(());
    };
    if depth >= parts.len() {
        return Ok(());
    }
    let (below_path, _, fs) = &mounts[mount];
    let entry = format!(
        "/{}",
        parts[..=depth]
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/")
    );
    // Only the first component past the mount lives in that provider; deeper ones are inside
    // a synthesized directory.
    if nodes_has_child(nodes, mount, &parts[depth]) {
        return Ok(());
    }
    match fs.lookup(fs.root(), &parts[depth]) {
        Ok(found) => {
            fs.forget(found.node, 1);
            if found.attr.kind == FileKind::Directory {
                Ok(())
            } else {
                Err(MountError::NotADirectory {
                    path: path.to_string(),
                    entry,
                    below: below_path.clone(),
                })
            }
        }
        Err(Errno::ENOENT) => Ok(()),
        Err(errno) => Err(MountError::Lookup {
            path: path.to_string(),
            entry,
            below: below_path.clone(),
            errno,
        }),
    }
}

/// True when the skeleton already has `name` under the root of `mount` (checked already).
fn nodes_has_child(nodes: &[SkelNode], mount: usize, name: &NameBuf) -> bool {
    nodes
        .iter()
        .find(|n| n.mount == Some(mount))
        .is_some_and(|n| n.children.contains_key(name))
}

/// The components of an absolute, normalized mount path (`/` has none).
fn parse(path: &str) -> Result<Vec<NameBuf>, MountError> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(MountError::Relative {
            path: path.to_string(),
        });
    };
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    rest.split('/')
        .map(|part| {
            if part.is_empty() || part == "." || part == ".." {
                return Err(MountError::NotNormalized {
                    path: path.to_string(),
                });
            }
            NameBuf::new(part.as_bytes()).map_err(|errno| MountError::BadComponent {
                path: path.to_string(),
                errno,
            })
        })
        .collect()
}
