//! The generic provider suite over `Guarded` with an empty guard: the wrapper must be
//! transparent (lookup counts, cookies, errno precedence), exactly as the bare memory provider.
//! A second run adds an audit log and a rule that matches nothing, so the tracking and
//! recording paths are exercised by every case too.

use std::sync::Arc;
use vfsbox_conformance::{provider_tests, Fixture};
use vfsbox_guard::{Action, AuditLog, Glob, Guard, Guarded, OpSet, Rule, Rules};
use vfsbox_memory::MemoryFs;

fn empty() -> Fixture {
    Fixture::new(Guarded::new(Arc::new(MemoryFs::new()), Guard::default()))
}

fn busy() -> Fixture {
    let rules = Rules::new(vec![
        Rule {
            glob: Glob::new("/nothing/**/matches").unwrap(),
            ops: OpSet::ALL,
            action: Action::Hide,
        },
        Rule {
            glob: Glob::new("/nor/*/this").unwrap(),
            ops: OpSet::ALL,
            action: Action::Deny {
                errno: vfsbox_api::Errno::EPERM,
            },
        },
    ]);
    let audit = Arc::new(AuditLog::to_writer(
        Box::new(std::io::sink()),
        "conformance",
    ));
    Fixture::new(Guarded::new(
        Arc::new(MemoryFs::new()),
        Guard {
            rules,
            audit: Some(audit),
            ..Guard::default()
        },
    ))
}

provider_tests!(guarded_empty, empty);
provider_tests!(guarded_busy, busy);
