//! A provider kind registered by the embedding program: named in a policy, checked at load
//! with positioned errors, built into the stack, described by `show`.

mod common;

use common::fixtures;
use std::sync::Arc;
use vfsbox_api::{Errno, FileSystem, Name, OpenFlags, Owner};
use vfsbox_memory::MemoryFs;
use vfsbox_policy::{
    Options, Policy, PolicyError, ProviderKind, RegisterError, Registry, ValueKind,
};

/// `provider = "seeded"`: a memory filesystem holding one file, `file = "NAME"`, with
/// `content`.
struct Seeded;

impl Seeded {
    fn file<'a>(&self, o: &Options<'a>) -> Result<&'a str, PolicyError> {
        match o.table().get("file") {
            Some(v) => match &v.kind {
                ValueKind::String(s) => Ok(s),
                other => Err(o.error(
                    v.span.clone(),
                    format!("`file` must be a string, found {}", other.type_name()),
                    None,
                )),
            },
            None => Err(o.error(
                o.span(),
                "missing `file` in the seeded provider",
                Some("file = \"NAME\"".into()),
            )),
        }
    }
}

impl ProviderKind for Seeded {
    fn check(&self, o: &Options<'_>) -> Result<(), Vec<PolicyError>> {
        let mut errors = Vec::new();
        if let Err(e) = self.file(o) {
            errors.push(e);
        }
        for e in &o.table().entries {
            if e.key != "file" && e.key != "content" {
                errors.push(o.error(
                    e.key_span.clone(),
                    format!("unknown key `{}` for seeded", e.key),
                    Some("expected one of: file, content".into()),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn build(&self, o: &Options<'_>) -> Result<Arc<dyn FileSystem>, PolicyError> {
        let fs = MemoryFs::new();
        let name = Name::new(self.file(o)?.as_bytes())
            .map_err(|e| o.error(o.span(), format!("bad file name: {e}"), None))?;
        let content = match o.table().get("content").map(|v| &v.kind) {
            Some(ValueKind::String(s)) => s.as_bytes().to_vec(),
            _ => Vec::new(),
        };
        let (_, h) = fs
            .create(
                fs.root(),
                name,
                0o644,
                OpenFlags::WRITE,
                Owner { uid: 0, gid: 0 },
            )
            .unwrap();
        fs.write(h, 0, &content).unwrap();
        fs.release(h).unwrap();
        assert!(o.dir().is_dir());
        Ok(Arc::new(fs))
    }

    fn describe(&self, o: &Options<'_>) -> String {
        format!("with {}", self.file(o).unwrap_or("?"))
    }
}

fn registry() -> Registry {
    let mut r = Registry::builtin();
    r.register("seeded", Seeded).unwrap();
    r
}

#[test]
fn a_registered_kind_is_usable() {
    let reg = registry();
    let text = "[[mount]]\nat = \"/\"\nprovider = \"memory\"\n\n[[mount]]\nat = \"/seed\"\nprovider = \"seeded\"\nfile = \"hello.txt\"\ncontent = \"hi\"\nread-only = true\n\n[[mount]]\nat = \"/work\"\nprovider = \"overlay\"\nupper = { provider = \"memory\" }\nlower = { provider = \"seeded\", file = \"base.txt\" }\n";
    let p = Policy::parse("plugin.toml", text, &fixtures(), &reg).unwrap();
    let s = p.build(&reg).unwrap();
    let fs = s.fs.as_ref();
    let seed = fs
        .lookup(fs.root(), Name::new(b"seed").unwrap())
        .unwrap()
        .node;
    let hello = fs.lookup(seed, Name::new(b"hello.txt").unwrap()).unwrap();
    assert_eq!(hello.attr.size, 2);
    // read-only = true wraps the plugin's provider too.
    assert_eq!(
        fs.mkdir(
            seed,
            Name::new(b"d").unwrap(),
            0o755,
            Owner { uid: 0, gid: 0 }
        )
        .map(|_| ()),
        Err(Errno::EROFS)
    );
    let work = fs
        .lookup(fs.root(), Name::new(b"work").unwrap())
        .unwrap()
        .node;
    assert!(fs.lookup(work, Name::new(b"base.txt").unwrap()).is_ok());
    let show = p.show().to_string();
    assert!(
        show.contains("/seed  seeded with hello.txt, read-only  (line 5)"),
        "{show}"
    );
}

#[test]
fn a_registered_kind_checks_its_options_with_positions() {
    let reg = registry();
    let text = "[[mount]]\nat = \"/\"\nprovider = \"seeded\"\nfile = 3\ncolour = \"red\"\n";
    let errors = Policy::parse("plugin.toml", text, &fixtures(), &reg).unwrap_err();
    let got: Vec<_> = errors
        .iter()
        .map(|e| (e.line, e.column, e.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (4, 8, "`file` must be a string, found an integer"),
            (5, 1, "unknown key `colour` for seeded"),
        ]
    );
}

#[test]
fn unknown_kinds_list_the_registered_ones() {
    let reg = registry();
    let errors = Policy::parse(
        "p.toml",
        "[[mount]]\nat = \"/\"\nprovider = \"seed\"\n",
        &fixtures(),
        &reg,
    )
    .unwrap_err();
    assert_eq!(errors[0].message, "unknown provider kind `seed`");
    assert_eq!(
        errors[0].hint.as_deref(),
        Some("expected one of: memory, host, overlay, readonly, seeded")
    );
    // Without the registration the kind is unknown.
    let errors = Policy::parse(
        "p.toml",
        "[[mount]]\nat = \"/\"\nprovider = \"seeded\"\nfile = \"x\"\n",
        &fixtures(),
        &Registry::builtin(),
    )
    .unwrap_err();
    let got: Vec<_> = errors
        .iter()
        .map(|e| (e.line, e.column, e.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (3, 12, "unknown provider kind `seeded`"),
            (4, 1, "unknown key `file` in [[mount]]")
        ]
    );
}

#[test]
fn registration_refuses_builtin_duplicate_and_bad_names() {
    let mut reg = registry();
    assert_eq!(
        reg.register("host", Seeded),
        Err(RegisterError::Builtin("host".into()))
    );
    assert_eq!(
        reg.register("seeded", Seeded),
        Err(RegisterError::Duplicate("seeded".into()))
    );
    assert_eq!(
        reg.register("a b", Seeded),
        Err(RegisterError::BadName("a b".into()))
    );
    assert_eq!(
        reg.register("", Seeded),
        Err(RegisterError::BadName(String::new()))
    );
    assert_eq!(
        reg.kinds(),
        ["memory", "host", "overlay", "readonly", "seeded"]
    );
}
