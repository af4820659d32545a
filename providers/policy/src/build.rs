//! Compiling a policy into its provider stack: [`Sandbox`].

use crate::error::PolicyError;
use crate::model::{CompatLevel, Identity, KindSpec, ProviderSpec};
use crate::policy::{compile_rules, Policy};
use crate::registry::{Options, Registry};
use crate::source::Span;
use std::sync::Arc;
use vfsbox_api::FileSystem;
use vfsbox_guard::{AuditLog, Guard, Guarded, Limits, SymlinkMode};
use vfsbox_host::HostFs;
use vfsbox_memory::{MemoryConfig, MemoryFs};
use vfsbox_mounts::{MountError, MountTable};
use vfsbox_overlay::Overlay;
use vfsbox_readonly::ReadOnly;

/// A built policy: the one provider stack (`Guarded(MountTable(…))`) and what the emulated
/// layer or the FUSE mount needs besides it.
pub struct Sandbox {
    /// The policy's name (audit lines carry it).
    pub name: String,
    /// The whole view, rules, limits and audit included.
    pub fs: Arc<dyn FileSystem>,
    /// The virtual identity.
    pub identity: Identity,
    /// The initial umask.
    pub umask: u32,
    /// The initial working directory.
    pub cwd: String,
    /// The descriptor limit (`limits.open-files`) for the emulated layer's fd table.
    pub fd_limit: Option<u64>,
    /// Compatibility events become `ENOTSUP`.
    pub strict: bool,
    /// The level compatibility events are logged at.
    pub compat_level: CompatLevel,
    /// The audit log, if the policy asks for one (also held by the guard).
    pub audit: Option<Arc<AuditLog>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("name", &self.name)
            .field("identity", &self.identity)
            .field("umask", &format_args!("{:04o}", self.umask))
            .field("cwd", &self.cwd)
            .field("fd_limit", &self.fd_limit)
            .field("strict", &self.strict)
            .field("compat_level", &self.compat_level)
            .field("audit", &self.audit.is_some())
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// Builds the provider stack: each mount's providers (host roots opened now), a mount
    /// table unless there is exactly one mount at `/`, and the guard with the rules, limits,
    /// symlink modes and audit log.
    ///
    /// # Errors
    /// What failed while building (a host root that vanished since [`Policy::load`], an audit
    /// file that cannot be created, a plugin's refusal), positioned at the responsible text.
    pub fn build(&self, registry: &Registry) -> Result<Sandbox, Vec<PolicyError>> {
        let mut errors = Vec::new();
        let mut built = Vec::new();
        for m in &self.mounts {
            match self.provider(&m.provider, registry) {
                Ok(fs) => built.push((m, fs)),
                Err(e) => errors.push(e),
            }
        }
        let audit = match (&self.logging.audit_path, &self.logging.audit_span) {
            (Some(path), Some(span)) => match AuditLog::create(path, &self.name) {
                Ok(log) => Some(Arc::new(log)),
                Err(e) => {
                    errors.push(
                        self.source.error(
                            span.clone(),
                            format!("cannot create the audit log {}: {e}", path.display()),
                            Some(
                                "the log is appended to, or created in an existing directory"
                                    .to_string(),
                            ),
                        ),
                    );
                    None
                }
            },
            _ => None,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let inner: Arc<dyn FileSystem> = match built.as_slice() {
            [(m, fs)] if m.at == "/" => fs.clone(),
            _ => {
                let mut builder = MountTable::builder();
                for (m, fs) in &built {
                    builder = builder
                        .mount(&m.at, fs.clone())
                        .map_err(|e| vec![self.mount_error(&e)])?;
                }
                Arc::new(builder.build().map_err(|e| vec![self.mount_error(&e)])?)
            }
        };
        let guard = Guard {
            rules: compile_rules(&self.rules),
            limits: Limits {
                max_file_size: self.limits.file_size,
                max_bytes_written: self.limits.bytes_written,
                max_open_files: self.limits.open_files,
            },
            symlinks: self.symlink_modes(),
            audit: audit.clone(),
            audit_level: self.logging.audit_level,
        };
        Ok(Sandbox {
            name: self.name.clone(),
            fs: Arc::new(Guarded::new(inner, guard)),
            identity: self.identity.clone(),
            umask: self.umask,
            cwd: self.cwd.clone(),
            fd_limit: self.limits.open_files,
            strict: self.logging.strict,
            compat_level: self.logging.compat_level,
            audit,
        })
    }

    /// Each mount with a host provider and its symlink mode (the strictest of its host
    /// providers'), for the guard.
    pub fn symlink_modes(&self) -> Vec<(String, SymlinkMode)> {
        self.mounts
            .iter()
            .filter_map(|m| Some((m.at.clone(), strictest_symlinks(&m.provider)?)))
            .collect()
    }

    fn provider(
        &self,
        spec: &ProviderSpec,
        registry: &Registry,
    ) -> Result<Arc<dyn FileSystem>, PolicyError> {
        let fs: Arc<dyn FileSystem> = match &spec.kind {
            KindSpec::Memory {
                max_bytes,
                max_inodes,
            } => Arc::new(MemoryFs::with_config(MemoryConfig {
                max_bytes: *max_bytes,
                max_inodes: *max_inodes,
                ..MemoryConfig::default()
            })),
            KindSpec::Host {
                root,
                path,
                root_span,
                ..
            } => Arc::new(HostFs::open(path).map_err(|e| {
                self.source.error(
                    root_span.clone(),
                    format!("cannot open host root `{root}`: {e}"),
                    None,
                )
            })?),
            KindSpec::Overlay { upper, lower } => {
                let up = self.provider(upper, registry)?;
                let mut low = self.provider(lower, registry)?;
                if !low.capabilities().read_only {
                    low = Arc::new(ReadOnly::new(low));
                }
                Arc::new(Overlay::new(up, low).map_err(|e| {
                    self.source.error(
                        spec.span.clone(),
                        format!("cannot build the overlay: {e}"),
                        None,
                    )
                })?)
            }
            KindSpec::ReadOnly { inner } => {
                Arc::new(ReadOnly::new(self.provider(inner, registry)?))
            }
            KindSpec::Plugin { name, options } => {
                let kind = registry.plugin(name).ok_or_else(|| {
                    self.source.error(
                        spec.span.clone(),
                        format!("provider kind `{name}` is not registered"),
                        Some(format!("registered kinds: {}", registry.kinds().join(", "))),
                    )
                })?;
                kind.build(&Options {
                    table: options,
                    span: spec.span.clone(),
                    dir: &self.dir,
                    source: &self.source,
                })?
            }
        };
        Ok(if spec.read_only && !fs.capabilities().read_only {
            Arc::new(ReadOnly::new(fs))
        } else {
            fs
        })
    }

    /// A mount-table error at the `at` of the mount it names.
    fn mount_error(&self, e: &MountError) -> PolicyError {
        let path = match e {
            MountError::Relative { path }
            | MountError::NotNormalized { path }
            | MountError::BadComponent { path, .. }
            | MountError::Duplicate { path }
            | MountError::NotADirectory { path, .. }
            | MountError::Lookup { path, .. } => Some(path.as_str()),
            MountError::TooMany { .. } => None,
        };
        let span: Span = self
            .mounts
            .iter()
            .find(|m| Some(m.at.as_str()) == path)
            .or(self.mounts.first())
            .map_or(0..0, |m| m.at_span.clone());
        self.source.error(span, e.to_string(), None)
    }
}

/// The strictest symlink mode of the host providers in `spec`, `None` without one.
fn strictest_symlinks(spec: &ProviderSpec) -> Option<SymlinkMode> {
    let rank = |m: SymlinkMode| match m {
        SymlinkMode::Allow => 0,
        SymlinkMode::RelativeInside => 1,
        SymlinkMode::Deny => 2,
    };
    let mut strictest = None;
    spec.each_kind(&mut |kind| {
        if let KindSpec::Host { symlinks, .. } = kind {
            if strictest.is_none_or(|s| rank(*symlinks) > rank(s)) {
                strictest = Some(*symlinks);
            }
        }
    });
    strictest
}
