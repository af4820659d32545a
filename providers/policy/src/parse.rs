//! From the tree to the model: every key checked, every error collected.

use crate::model::{
    CompatLevel, Identity, KindSpec, LimitsSpec, Logging, MountSpec, ProviderSpec, RuleSpec,
};
use crate::read::Reader;
use crate::registry::{Options, Registry, BUILTIN_KINDS};
use crate::source::Span;
use crate::tree::{offset_in_string, Table, Value, ValueKind};
use std::path::Path;
use vfsbox_api::Errno;
use vfsbox_guard::{Action, AuditLevel, Glob, Op, OpSet, SymlinkMode};

/// The top-level keys.
const TOP_KEYS: [&str; 8] = [
    "name", "identity", "umask", "cwd", "limits", "mount", "rule", "logging",
];
/// Every key a `[[mount]]` may have (with its kind's), in the order hints list them.
const MOUNT_KEYS: [&str; 10] = [
    "at",
    "provider",
    "root",
    "symlinks",
    "read-only",
    "max-bytes",
    "max-inodes",
    "upper",
    "lower",
    "inner",
];
const RULE_KEYS: [&str; 4] = ["path", "ops", "action", "errno"];
const ACTIONS: [&str; 4] = ["hide", "deny", "read-only", "allow"];
const SYMLINK_MODES: [&str; 3] = ["allow", "relative-inside", "deny"];

/// The keys of each built-in kind.
fn kind_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "memory" => &["max-bytes", "max-inodes"],
        "host" => &["root", "symlinks"],
        "overlay" => &["upper", "lower"],
        "readonly" => &["inner"],
        _ => &[],
    }
}

/// Everything of a policy but its source, as parsed.
#[derive(Debug, Default)]
pub struct Parsed {
    pub name: Option<String>,
    pub identity: Identity,
    pub umask: u32,
    pub cwd: String,
    pub limits: LimitsSpec,
    pub mounts: Vec<MountSpec>,
    pub rules: Vec<RuleSpec>,
    pub logging: Logging,
}

/// Reads the whole document; errors are left in `r`.
pub fn policy(r: &mut Reader<'_>, doc: &Table, dir: &Path, registry: &Registry) -> Parsed {
    let mut p = Parsed {
        umask: 0o022,
        cwd: "/".to_string(),
        ..Parsed::default()
    };
    r.unknown_keys(doc, &TOP_KEYS, "the policy");
    if let Some(v) = doc.get("name") {
        if let Some(s) = r.string(v, "name") {
            if s.is_empty() || s.contains(['\n', '\0']) {
                r.error(
                    v.span.clone(),
                    "`name` must be a non-empty single line",
                    None,
                );
            } else {
                p.name = Some(s.to_string());
            }
        }
    }
    if let Some(v) = doc.get("identity") {
        if let Some(t) = r.table(v, "identity") {
            p.identity = identity(r, t);
        }
    }
    if let Some(v) = doc.get("umask") {
        if let Some(m) = umask(r, v) {
            p.umask = m;
        }
    }
    if let Some(v) = doc.get("cwd") {
        if let Some(s) = r.string(v, "cwd") {
            if s.starts_with('/') {
                p.cwd = s.to_string();
            } else {
                r.error(
                    v.span.clone(),
                    format!("`cwd` must be absolute, found `{s}`"),
                    Some(format!(
                        "cwd is a path in the sandbox, starting with '/': \"/{s}\""
                    )),
                );
            }
        }
    }
    if let Some(v) = doc.get("limits") {
        if let Some(t) = r.table(v, "limits") {
            p.limits = limits(r, t);
        }
    }
    if let Some(t) = array_of_tables(r, doc, "mount") {
        for (table, span) in t {
            if let Some(m) = mount(r, table, span, dir, registry, &p.mounts) {
                p.mounts.push(m);
            }
        }
    }
    if let Some(t) = array_of_tables(r, doc, "rule") {
        for (table, span) in t {
            if let Some(rule) = rule(r, table, span) {
                p.rules.push(rule);
            }
        }
    }
    if let Some(v) = doc.get("logging") {
        if let Some(t) = r.table(v, "logging") {
            p.logging = logging(r, t, dir);
        }
    }
    p
}

/// The tables of `[[key]]`, with their header spans.
fn array_of_tables<'t>(
    r: &mut Reader<'_>,
    doc: &'t Table,
    key: &str,
) -> Option<Vec<(&'t Table, Span)>> {
    let v = doc.get(key)?;
    let wrong = |r: &mut Reader<'_>, span: Span| {
        r.error(
            span,
            format!("wrong type for `{key}`: expected an array of tables ([[{key}]])"),
            Some(format!("write each one under its own [[{key}]] header")),
        );
    };
    let ValueKind::Array(items) = &v.kind else {
        wrong(r, v.span.clone());
        return None;
    };
    let mut out = Vec::new();
    for item in items {
        match &item.kind {
            ValueKind::Table(t) => out.push((t, item.span.clone())),
            _ => wrong(r, item.span.clone()),
        }
    }
    Some(out)
}

fn identity(r: &mut Reader<'_>, t: &Table) -> Identity {
    r.unknown_keys(t, &["uid", "gid", "groups"], "[identity]");
    let mut id = Identity::default();
    let max = u64::from(u32::MAX);
    if let Some(v) = t.get("uid") {
        id.uid = r.unsigned(v, "uid", max).map_or(0, |n| n as u32);
    }
    if let Some(v) = t.get("gid") {
        id.gid = r.unsigned(v, "gid", max).map_or(0, |n| n as u32);
    }
    if let Some(v) = t.get("groups") {
        match &v.kind {
            ValueKind::Array(items) => {
                for g in items {
                    if let Some(n) = r.unsigned(g, "groups", max) {
                        id.groups.push(n as u32);
                    }
                }
            }
            _ => r.error(
                v.span.clone(),
                format!(
                    "wrong type for `groups`: expected an array of integers, found {}",
                    v.kind.type_name()
                ),
                None,
            ),
        }
    }
    id
}

fn umask(r: &mut Reader<'_>, v: &Value) -> Option<u32> {
    let hint = || {
        Some(
            "an octal string such as \"0022\" (or an integer such as 0o022), at most 0777"
                .to_string(),
        )
    };
    match &v.kind {
        ValueKind::String(s) => {
            let ok = !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| (b'0'..=b'7').contains(&b));
            match u32::from_str_radix(s, 8) {
                Ok(m) if ok && m <= 0o777 => Some(m),
                _ => {
                    r.error(v.span.clone(), format!("invalid umask `{s}`"), hint());
                    None
                }
            }
        }
        ValueKind::Integer(i) if (0..=0o777).contains(i) => Some(*i as u32),
        ValueKind::Integer(i) => {
            r.error(v.span.clone(), format!("invalid umask {i}"), hint());
            None
        }
        _ => {
            r.error(
                v.span.clone(),
                format!(
                    "wrong type for `umask`: expected an octal string, found {}",
                    v.kind.type_name()
                ),
                hint(),
            );
            None
        }
    }
}

fn limits(r: &mut Reader<'_>, t: &Table) -> LimitsSpec {
    r.unknown_keys(t, &["open-files", "file-size", "bytes-written"], "[limits]");
    let mut l = LimitsSpec::default();
    if let Some(v) = t.get("open-files") {
        l.open_files = r.unsigned(v, "open-files", i32::MAX as u64);
        if l.open_files == Some(0) {
            r.error(v.span.clone(), "`open-files` must be at least 1", None);
            l.open_files = None;
        }
    }
    if let Some(v) = t.get("file-size") {
        l.file_size = r.size(v, "file-size");
    }
    if let Some(v) = t.get("bytes-written") {
        l.bytes_written = r.size(v, "bytes-written");
    }
    l
}

fn logging(r: &mut Reader<'_>, t: &Table, dir: &Path) -> Logging {
    r.unknown_keys(
        t,
        &["audit", "audit-level", "compat-level", "strict"],
        "[logging]",
    );
    let mut l = Logging::default();
    if let Some(v) = t.get("audit") {
        if let Some(s) = r.string(v, "audit") {
            if s.is_empty() {
                r.error(v.span.clone(), "`audit` must name a file", None);
            } else {
                l.audit = Some(s.to_string());
                l.audit_path = Some(dir.join(s));
                l.audit_span = Some(v.span.clone());
            }
        }
    }
    if let Some(v) = t.get("audit-level") {
        if let Some(i) = r.choice(v, "audit-level", &AuditLevel::NAMES) {
            l.audit_level = [AuditLevel::All, AuditLevel::Access, AuditLevel::Changes][i];
        }
    }
    if let Some(v) = t.get("compat-level") {
        if let Some(i) = r.choice(v, "compat-level", &CompatLevel::NAMES) {
            l.compat_level = [
                CompatLevel::Off,
                CompatLevel::Warn,
                CompatLevel::Info,
                CompatLevel::Debug,
            ][i];
        }
    }
    if let Some(v) = t.get("strict") {
        l.strict = r.boolean(v, "strict").unwrap_or(false);
    }
    l
}

fn mount(
    r: &mut Reader<'_>,
    t: &Table,
    span: Span,
    dir: &Path,
    registry: &Registry,
    earlier: &[MountSpec],
) -> Option<MountSpec> {
    let line = r.source.line_of(span.start);
    let at = match t.get("at") {
        None => {
            r.error(
                span.clone(),
                "missing `at` in [[mount]]",
                Some("every mount says where it is mounted: at = \"/path\"".to_string()),
            );
            None
        }
        Some(v) => mount_path(r, v).map(|p| (p, v.span.clone())),
    };
    let provider = provider(r, t, span, dir, registry, "[[mount]]", true);
    let (at, at_span) = at?;
    if let Some(first) = earlier.iter().find(|m| m.at == at) {
        r.error(
            at_span,
            format!("duplicate mount at `{at}`"),
            Some(format!(
                "`{at}` is already mounted by the [[mount]] at line {}",
                first.line
            )),
        );
        return None;
    }
    let provider = provider?;
    Some(MountSpec {
        description: crate::describe::provider(r.source, dir, &provider, registry),
        at,
        provider,
        line,
        at_span,
    })
}

/// Checks `at`: a string, absolute, normalized, valid names.
fn mount_path(r: &mut Reader<'_>, v: &Value) -> Option<String> {
    let s = r.string(v, "at")?;
    if !s.starts_with('/') {
        r.error(
            v.span.clone(),
            format!("mount path `{s}` is relative"),
            Some(format!("mount paths are absolute: \"/{s}\"")),
        );
        return None;
    }
    if s == "/" {
        return Some(s.to_string());
    }
    let parts: Vec<&str> = s[1..].split('/').collect();
    let normalized = normalize(s);
    let problem = if parts.contains(&"..") {
        Some(format!("mount path `{s}` contains `..`"))
    } else if parts.contains(&".") {
        Some(format!("mount path `{s}` contains `.`"))
    } else if parts.contains(&"") {
        Some(format!(
            "mount path `{s}` has an empty component (`//` or a trailing `/`)"
        ))
    } else {
        None
    };
    if let Some(message) = problem {
        r.error(
            v.span.clone(),
            message,
            Some(format!(
                "mount paths are normalized: write \"{normalized}\""
            )),
        );
        return None;
    }
    if let Some(bad) = parts.iter().find(|p| p.len() > 255 || p.contains('\0')) {
        r.error(
            v.span.clone(),
            format!("mount path `{s}` has an invalid name `{bad}`"),
            Some("names are at most 255 bytes, without NUL".to_string()),
        );
        return None;
    }
    Some(s.to_string())
}

/// `path` with `.`, `..` and empty components resolved lexically (`/a/../b/` → `/b`).
pub fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    format!("/{}", out.join("/"))
}

/// Reads a provider table. `context` names it in messages; `is_mount` allows `at`.
fn provider(
    r: &mut Reader<'_>,
    t: &Table,
    span: Span,
    dir: &Path,
    registry: &Registry,
    context: &str,
    is_mount: bool,
) -> Option<ProviderSpec> {
    let all_keys: Vec<&str> = MOUNT_KEYS
        .iter()
        .copied()
        .filter(|k| is_mount || *k != "at")
        .collect();
    let kinds = registry.kinds();
    let kinds_hint = || Some(format!("expected one of: {}", kinds.join(", ")));
    let kind: Option<String> = match t.get("provider") {
        None => {
            r.error(
                span.clone(),
                format!("missing `provider` in {context}"),
                kinds_hint(),
            );
            None
        }
        Some(v) => match r.string(v, "provider") {
            Some(k) if kinds.contains(&k) => Some(k.to_string()),
            Some(k) => {
                r.error(
                    v.span.clone(),
                    format!("unknown provider kind `{k}`"),
                    kinds_hint(),
                );
                None
            }
            None => None,
        },
    };
    let read_only = match t.get("read-only") {
        Some(v) => r.boolean(v, "read-only").unwrap_or(false),
        None => false,
    };
    let builtin = kind.as_deref().is_some_and(|k| BUILTIN_KINDS.contains(&k));
    // A plugin's keys are its own business; a built-in kind's are checked here.
    if kind.is_none() || builtin {
        let own = kind_keys(kind.as_deref().unwrap_or(""));
        for e in &t.entries {
            let key = e.key.as_str();
            if ["at", "provider", "read-only"].contains(&key) && (is_mount || key != "at") {
                continue;
            }
            if own.contains(&key) {
                continue;
            }
            if let (Some(k), true) = (kind.as_deref(), MOUNT_KEYS.contains(&key) && key != "at") {
                let owners: Vec<&str> = BUILTIN_KINDS
                    .iter()
                    .copied()
                    .filter(|o| kind_keys(o).contains(&key))
                    .collect();
                r.error(
                    e.key_span.clone(),
                    format!("`{key}` does not apply to a {k} provider"),
                    Some(format!(
                        "`{key}` is for {} providers; a {k} provider takes: {}",
                        owners.join(", "),
                        if own.is_empty() {
                            "no options".to_string()
                        } else {
                            own.join(", ")
                        }
                    )),
                );
            } else if kind.is_some() || !MOUNT_KEYS.contains(&key) || (key == "at" && !is_mount) {
                r.error(
                    e.key_span.clone(),
                    format!("unknown key `{key}` in {context}"),
                    Some(format!("expected one of: {}", all_keys.join(", "))),
                );
            }
        }
    }
    let kind = kind?;
    let spec = match kind.as_str() {
        "memory" => {
            let max_bytes = t.get("max-bytes").and_then(|v| r.size(v, "max-bytes"));
            let max_inodes = t
                .get("max-inodes")
                .and_then(|v| r.unsigned(v, "max-inodes", u64::MAX));
            if max_inodes == Some(0) {
                let v = t
                    .get("max-inodes")
                    .map(|v| v.span.clone())
                    .unwrap_or(span.clone());
                r.error(
                    v,
                    "`max-inodes` must be at least 1 (the root is an inode)",
                    None,
                );
            }
            KindSpec::Memory {
                max_bytes,
                max_inodes,
            }
        }
        "host" => host(r, t, span.clone(), dir, context)?,
        "overlay" => {
            let upper = nested(r, t, "upper", span.clone(), dir, registry, context);
            let lower = nested(r, t, "lower", span.clone(), dir, registry, context);
            let upper = upper?;
            if upper.read_only || matches!(upper.kind, KindSpec::ReadOnly { .. }) {
                r.error(
                    upper.span.clone(),
                    "the upper layer of an overlay must be writable",
                    Some("changes are written to the upper layer: drop its read-only".to_string()),
                );
                return None;
            }
            KindSpec::Overlay {
                upper: Box::new(upper),
                lower: Box::new(lower?),
            }
        }
        "readonly" => KindSpec::ReadOnly {
            inner: Box::new(nested(r, t, "inner", span.clone(), dir, registry, context)?),
        },
        name => {
            let plugin = registry.plugin(name)?;
            let options = Table {
                entries: t
                    .entries
                    .iter()
                    .filter(|e| !["at", "provider", "read-only"].contains(&e.key.as_str()))
                    .cloned()
                    .collect(),
            };
            let opts = Options {
                table: &options,
                span: span.clone(),
                dir,
                source: r.source,
            };
            if let Err(errors) = plugin.check(&opts) {
                r.errors.extend(errors);
                return None;
            }
            KindSpec::Plugin {
                name: name.to_string(),
                options,
            }
        }
    };
    Some(ProviderSpec {
        kind: spec,
        read_only,
        span,
    })
}

/// A nested provider table (`upper`, `lower`, `inner`), required.
fn nested(
    r: &mut Reader<'_>,
    t: &Table,
    key: &str,
    span: Span,
    dir: &Path,
    registry: &Registry,
    context: &str,
) -> Option<ProviderSpec> {
    let Some(v) = t.get(key) else {
        let kind = t.get("provider").and_then(|v| match &v.kind {
            ValueKind::String(s) => Some(s.clone()),
            _ => None,
        });
        r.error(
            span,
            format!(
                "missing `{key}` in {context}: the {} provider needs it",
                kind.unwrap_or_default()
            ),
            Some(format!(
                "{key} = {{ provider = \"memory\" }} (a provider table)"
            )),
        );
        return None;
    };
    let table = r.table(v, key)?;
    provider(
        r,
        table,
        v.span.clone(),
        dir,
        registry,
        &format!("`{key}`"),
        false,
    )
}

/// A `host` provider: `root` must exist and be a directory.
fn host(r: &mut Reader<'_>, t: &Table, span: Span, dir: &Path, context: &str) -> Option<KindSpec> {
    let symlinks = match t.get("symlinks") {
        Some(v) => match r.choice(v, "symlinks", &SYMLINK_MODES)? {
            0 => SymlinkMode::Allow,
            1 => SymlinkMode::RelativeInside,
            _ => SymlinkMode::Deny,
        },
        None => SymlinkMode::Allow,
    };
    let Some(v) = t.get("root") else {
        r.error(
            span,
            format!("missing `root` in {context}: the host provider needs it"),
            Some("root = \"path/to/dir\" (relative to the policy file's directory)".to_string()),
        );
        return None;
    };
    let root = r.string(v, "root")?;
    if root.is_empty() {
        r.error(v.span.clone(), "`root` must name a directory", None);
        return None;
    }
    let joined = dir.join(root);
    let resolved = || {
        Some(format!(
            "resolved to {} (relative roots are taken from the policy file's directory)",
            lexical(&joined).display()
        ))
    };
    match std::fs::metadata(&joined) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            r.error(
                v.span.clone(),
                format!("host root `{root}` does not exist"),
                resolved(),
            );
            None
        }
        Err(e) => {
            r.error(
                v.span.clone(),
                format!(
                    "cannot use host root `{root}`: {}",
                    Errno::from_io(&e).description()
                ),
                resolved(),
            );
            None
        }
        Ok(m) if !m.is_dir() => {
            r.error(
                v.span.clone(),
                format!("host root `{root}` is not a directory"),
                resolved(),
            );
            None
        }
        Ok(_) => match std::fs::canonicalize(&joined) {
            Ok(path) => Some(KindSpec::Host {
                root: root.to_string(),
                path,
                symlinks,
                root_span: v.span.clone(),
            }),
            Err(e) => {
                r.error(
                    v.span.clone(),
                    format!("cannot resolve host root `{root}`: {e}"),
                    resolved(),
                );
                None
            }
        },
    }
}

fn rule(r: &mut Reader<'_>, t: &Table, span: Span) -> Option<RuleSpec> {
    r.unknown_keys(t, &RULE_KEYS, "[[rule]]");
    let line = r.source.line_of(span.start);
    let path = match t.get("path") {
        None => {
            r.error(
                span.clone(),
                "missing `path` in [[rule]]",
                Some("path = \"/some/glob/**\"".to_string()),
            );
            None
        }
        Some(v) => glob(r, v),
    };
    let ops = match t.get("ops") {
        None => Some(OpSet::ALL),
        Some(v) => ops(r, v),
    };
    let action = match t.get("action") {
        None => {
            r.error(
                span.clone(),
                "missing `action` in [[rule]]",
                Some(format!("expected one of: {}", ACTIONS.join(", "))),
            );
            None
        }
        Some(v) => r.choice(v, "action", &ACTIONS),
    };
    let errno = t.get("errno").and_then(|v| {
        let s = r.string(v, "errno")?;
        match s {
            "EACCES" => Some((Errno::EACCES, v)),
            "EPERM" => Some((Errno::EPERM, v)),
            _ => {
                let message = if Errno::from_name(s).is_some() {
                    format!("errno `{s}` is not allowed for a deny rule")
                } else {
                    format!("unknown errno `{s}`")
                };
                r.error(
                    v.span.clone(),
                    message,
                    Some("a deny rule answers EACCES (the default) or EPERM".to_string()),
                );
                None
            }
        }
    });
    let action = match action? {
        0 => {
            if let (Some(v), Some(set)) = (t.get("ops"), ops) {
                if set != OpSet::ALL {
                    r.error(
                        v.span.clone(),
                        "a `hide` rule covers every operation: it takes no `ops`",
                        Some("remove `ops` (or write [\"all\"]), or use action = \"deny\" to refuse only some operations".to_string()),
                    );
                    return None;
                }
            }
            Action::Hide
        }
        1 => Action::Deny {
            errno: errno.map_or(Errno::EACCES, |(e, _)| e),
        },
        i => {
            if let Some(v) = t.get("errno") {
                r.error(
                    v.span.clone(),
                    format!("`errno` is only for deny rules, not `{}`", ACTIONS[i]),
                    Some("remove `errno`, or use action = \"deny\"".to_string()),
                );
                return None;
            }
            if i == 2 {
                Action::ReadOnly
            } else {
                Action::Allow
            }
        }
    };
    Some(RuleSpec {
        path: path?,
        ops: ops?,
        action,
        line,
    })
}

/// A rule's `path`: a glob that compiles.
fn glob(r: &mut Reader<'_>, v: &Value) -> Option<String> {
    let s = r.string(v, "path")?;
    match Glob::new(s) {
        Ok(_) => Some(s.to_string()),
        Err(e) => {
            let at = offset_in_string(r.source, v, s, e.offset);
            r.error(
                at..at + 1,
                format!("invalid glob `{s}`: {}", e.message),
                Some("globs are absolute; `*` and `?` match within one name, `[a-z]` a class, `**` (a whole name) any depth".to_string()),
            );
            None
        }
    }
}

/// A rule's `ops`: `["all"]` or names of classes.
fn ops(r: &mut Reader<'_>, v: &Value) -> Option<OpSet> {
    let names: Vec<&str> = std::iter::once("all")
        .chain(Op::ALL.iter().map(|o| o.name()))
        .collect();
    let ValueKind::Array(items) = &v.kind else {
        r.error(
            v.span.clone(),
            format!(
                "wrong type for `ops`: expected an array of strings, found {}",
                v.kind.type_name()
            ),
            Some(format!(
                "for example ops = [\"write\", \"create\"]; names: {}",
                names.join(", ")
            )),
        );
        return None;
    };
    if items.is_empty() {
        r.error(
            v.span.clone(),
            "`ops` is empty: the rule would never apply",
            Some(format!("expected some of: {}", names.join(", "))),
        );
        return None;
    }
    let mut set = OpSet::EMPTY;
    let mut ok = true;
    for item in items {
        let Some(s) = r.string(item, "ops") else {
            ok = false;
            continue;
        };
        if s == "all" {
            set = OpSet::ALL;
            continue;
        }
        match s.parse::<Op>() {
            Ok(op) => set.insert(op),
            Err(_) => {
                ok = false;
                r.error(
                    item.span.clone(),
                    format!("unknown operation `{s}`"),
                    Some(format!("expected one of: {}", names.join(", "))),
                );
            }
        }
    }
    ok.then_some(set)
}

/// `path` with `.` and `..` components taken out lexically, for messages (the real check
/// uses the file system).
fn lexical(path: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let mut out = std::path::PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}
