//! The fixed shape of a mount table: every mount point and every synthesized directory
//! leading to one. Node `i` of the skeleton has the outer node id `i + 1`; node 0 is `/`.

use std::collections::BTreeMap;
use vfsbox_api::NameBuf;

/// One directory of the skeleton.
pub(crate) struct SkelNode {
    /// Mount points and synthesized directories directly inside it, by name.
    pub(crate) children: BTreeMap<NameBuf, usize>,
    /// The mount whose root this is; `None` for a synthesized directory.
    pub(crate) mount: Option<usize>,
}

/// All skeleton directories, `/` first.
pub(crate) struct Skeleton {
    pub(crate) nodes: Vec<SkelNode>,
}

impl Skeleton {
    /// The outer node id of skeleton node `index`.
    pub(crate) fn id(index: usize) -> u64 {
        index as u64 + 1
    }

    /// The skeleton node an outer id names, if it names one.
    pub(crate) fn index(&self, id: u64) -> Option<usize> {
        let index = usize::try_from(id.checked_sub(1)?).ok()?;
        (index < self.nodes.len()).then_some(index)
    }

    /// The entry `name` of skeleton node `at`, if it is a mount point or synthesized dir.
    pub(crate) fn child(&self, at: usize, name: &[u8]) -> Option<usize> {
        self.nodes[at]
            .children
            .iter()
            .find(|(n, _)| n.as_bytes() == name)
            .map(|(_, &c)| c)
    }
}
