//! Names: what `Name::new` accepts and refuses, and that providers keep names byte for byte.

use crate::helpers::*;
use vfsbox_api::{Errno, Name, NAME_MAX};

cases! {
    /// `open("", O_CREAT)` → ENOENT at the path level; as one name, an empty name is refused by
    /// `Name::new` with EINVAL before any provider sees it.
    fn name_empty_is_einval(_t) {
        errno(Name::new(b""), Errno::EINVAL, "Name::new(\"\")")
    }

    /// `mkdir("d/.")`: `.` is never an entry name a provider receives; `Name::new(".")` → EINVAL.
    fn name_dot_is_einval(_t) {
        errno(Name::new(b"."), Errno::EINVAL, "Name::new(\".\")")
    }

    /// `mkdir("d/..")`: `..` is the resolver's; `Name::new("..")` → EINVAL.
    fn name_dotdot_is_einval(_t) {
        errno(Name::new(b".."), Errno::EINVAL, "Name::new(\"..\")")
    }

    /// A name with `/` is a path, not a name: `Name::new("a/b")` → EINVAL.
    fn name_with_slash_is_einval(_t) {
        errno(Name::new(b"a/b"), Errno::EINVAL, "Name::new(\"a/b\")")
    }

    /// Linux paths end at NUL, so a name cannot hold one: `Name::new("a\0b")` → EINVAL.
    fn name_with_nul_is_einval(_t) {
        errno(Name::new(b"a\0b"), Errno::EINVAL, "Name::new(\"a\\0b\")")
    }

    /// `open("x" * 256, O_CREAT)` → ENAMETOOLONG (NAME_MAX is 255).
    fn name_256_bytes_is_enametoolong(_t) {
        errno(Name::new(&[b'x'; NAME_MAX + 1]), Errno::ENAMETOOLONG, "Name::new(256 bytes)")
    }

    /// Precedence: a 300-byte name with a `/` is EINVAL (validity first), not ENAMETOOLONG.
    fn name_long_with_slash_is_einval(_t) {
        let mut bytes = vec![b'x'; 300];
        bytes[10] = b'/';
        errno(Name::new(&bytes), Errno::EINVAL, "Name::new(300 bytes with '/')")
    }

    /// `open("x" * 255, O_CREAT)` then `stat` and `getdents64`: a 255-byte name works and lists.
    fn name_255_bytes_creates_file(t) {
        let long = "x".repeat(NAME_MAX);
        let node = t.file(t.root, &long, b"")?;
        eq(t.lookup(t.root, &long)?.node, node, "lookup of the 255-byte name")?;
        eq(t.names(t.root)?, vec![long], "listing")
    }

    /// `mkdir("y" * 255)`: a 255-byte directory name works.
    fn name_255_bytes_mkdir_works(t) {
        let long = "y".repeat(NAME_MAX);
        t.mkdir(t.root, &long)?;
        eq(t.lookup(t.root, &long)?.attr.kind, vfsbox_api::FileKind::Directory, "kind")
    }

    /// `open("\xff\xfe", O_CREAT)` then `getdents64`: names are bytes, not UTF-8, and come back
    /// unchanged.
    fn name_non_utf8_round_trips(t) {
        t.writable()?;
        let name = ok(Name::new(b"\xff\xfe-bin"), "Name::new")?;
        let created = t.fs.create(t.root, name, 0o644, vfsbox_api::OpenFlags::WRITE, t.owner);
        if !t.caps.byte_names {
            // The declared refusal, as vfat with utf8 answers.
            return errno(created, vfsbox_api::Errno::EINVAL, "create of a non-UTF-8 name");
        }
        let (entry, handle) = ok(created, "create")?;
        t.release(handle)?;
        let listed = t.list(t.root)?;
        eq(listed.len(), 1, "entries")?;
        eq(listed[0].name.as_bytes(), name.as_bytes(), "listed name")?;
        eq(ok(t.fs.lookup(t.root, name), "lookup")?.node, entry.node, "lookup node")
    }

    /// `open("...", O_CREAT)`: three dots is an ordinary name.
    fn name_three_dots_is_ordinary(t) {
        t.file(t.root, "...", b"x")?;
        eq(t.names(t.root)?, vec!["...".to_string()], "listing")
    }

    /// `open(".hidden", O_CREAT)` and `open("with space\nnewline", O_CREAT)`: dots, spaces and
    /// control characters are kept as given.
    fn name_odd_characters_round_trip(t) {
        t.file(t.root, ".hidden", b"")?;
        t.file(t.root, "with space\nnewline", b"")?;
        eq(
            t.names(t.root)?,
            vec![".hidden".to_string(), "with space\nnewline".to_string()],
            "listing",
        )
    }

    /// `open("a", O_CREAT|O_EXCL)` then `open("A", O_CREAT|O_EXCL)`: two entries on a
    /// case-sensitive filesystem, EEXIST on a case-insensitive one.
    fn name_case_follows_capabilities(t) {
        t.file(t.root, "a", b"")?;
        let second = t.fs.create(
            t.root,
            n("A"),
            0o644,
            vfsbox_api::OpenFlags::WRITE | vfsbox_api::OpenFlags::EXCLUSIVE,
            t.owner,
        );
        if t.caps.case_sensitive {
            let (_, handle) = ok(second, "create(\"A\")")?;
            t.release(handle)?;
            eq(t.names(t.root)?.len(), 2, "entries")
        } else {
            errno(second, Errno::EEXIST, "create(\"A\") next to \"a\"")
        }
    }
}
