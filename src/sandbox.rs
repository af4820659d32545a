//! Policies for the commands: the provider kinds they know (the built-in four plus `demo`),
//! the built-in default policy, and a built sandbox as an emulated process.

use std::path::Path;
use std::sync::Arc;
use vfsbox_api::{FileSystem, Owner, Posix};
use vfsbox_emulation::{Emulated, Identity};
use vfsbox_policy::{
    render_errors, CompatLevel, Options, Policy, PolicyError, ProviderKind, Registry, Sandbox,
};

/// The default policy, embedded in the binary (`vfsbox policy default` prints it).
pub const DEFAULT_POLICY: &str = include_str!("default-policy.toml");

/// The name the default policy's errors and audit lines carry.
const DEFAULT_POLICY_NAME: &str = "<built-in default policy>";

/// `provider = "demo"`: a memory tree holding the demo files, owned by whoever runs vfsbox
/// (so the mount's README is theirs). An example of a kind a program adds to the registry.
struct DemoKind;

impl ProviderKind for DemoKind {
    fn check(&self, options: &Options<'_>) -> Result<(), Vec<PolicyError>> {
        let errors: Vec<PolicyError> = options
            .table()
            .entries
            .iter()
            .map(|entry| {
                options.error(
                    entry.key_span.clone(),
                    format!("unknown key `{}` for provider `demo`", entry.key),
                    Some("the demo provider takes no options".to_string()),
                )
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn build(&self, options: &Options<'_>) -> Result<Arc<dyn FileSystem>, PolicyError> {
        let fs = Arc::new(vfsbox_memory::MemoryFs::new());
        let owner = Owner {
            uid: nix::unistd::getuid().as_raw(),
            gid: nix::unistd::getgid().as_raw(),
        };
        vfsbox_fuse::demo::populate(&*fs, owner).map_err(|e| {
            options.error(
                options.span(),
                format!("cannot build the demo tree: {e}"),
                None,
            )
        })?;
        Ok(fs)
    }

    fn describe(&self, _options: &Options<'_>) -> String {
        "a memory tree with the demo files".to_string()
    }
}

/// The kinds policies given to this program may name.
pub fn registry() -> Registry {
    let mut registry = Registry::builtin();
    registry
        .register("demo", DemoKind)
        .expect("`demo` is a free, well-formed kind name");
    registry
}

/// Loads the policy at `file`, or the built-in default.
///
/// # Errors
/// Every problem found, rendered with file, line, column and hint.
pub fn load(file: Option<&Path>, registry: &Registry) -> Result<Policy, String> {
    let loaded = match file {
        Some(file) => Policy::load(file, registry),
        None => Policy::parse(
            DEFAULT_POLICY_NAME,
            DEFAULT_POLICY,
            Path::new("."),
            registry,
        ),
    };
    loaded.map_err(|errors| render_errors(&errors))
}

/// Builds the provider stack of `policy`.
///
/// # Errors
/// What could not be built, rendered.
pub fn build(policy: &Policy, registry: &Registry) -> Result<Sandbox, String> {
    policy
        .build(registry)
        .map_err(|errors| render_errors(&errors))
}

/// An emulated process as the policy describes it: identity, umask, descriptor limit, strict
/// mode, the level compatibility events are logged at, and its cwd.
///
/// # Errors
/// The policy's `cwd` cannot be entered (it does not exist in the view, or the identity may
/// not search it).
pub fn emulated(sandbox: &Sandbox) -> Result<Emulated, String> {
    let id = &sandbox.identity;
    let mut builder = Emulated::builder(sandbox.fs.clone())
        .identity(Identity::user(id.uid, id.gid).with_groups(id.groups.clone()))
        .umask(sandbox.umask)
        .strict(sandbox.strict)
        .compat_level(match sandbox.compat_level {
            CompatLevel::Off => None,
            CompatLevel::Warn => Some(tracing::Level::WARN),
            CompatLevel::Info => Some(tracing::Level::INFO),
            CompatLevel::Debug => Some(tracing::Level::DEBUG),
        });
    if let Some(limit) = sandbox.fd_limit {
        builder = builder.fd_limit(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    let process = builder.build();
    process.chdir(sandbox.cwd.as_bytes()).map_err(|e| {
        format!(
            "the policy's cwd {} cannot be entered: {e}; create it in the view or change `cwd`",
            sandbox.cwd
        )
    })?;
    Ok(process)
}
