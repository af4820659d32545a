//! Malformed policies (`fixtures/policies/malformed/*.toml`): each error's exact message,
//! line, column and hint, and that validation collects every error.

mod common;

use common::{fixtures, load, parse_in};

/// One expected error: line, column, message, hint.
type Expected = (usize, usize, &'static str, Option<&'static str>);

const KINDS: &str = "expected one of: memory, host, overlay, readonly";
const MOUNT_KEYS: &str = "expected one of: at, provider, root, symlinks, read-only, max-bytes, max-inodes, upper, lower, inner";
const GLOB_HINT: &str = "globs are absolute; `*` and `?` match within one name, `[a-z]` a class, `**` (a whole name) any depth";
const ERRNO_HINT: &str = "a deny rule answers EACCES (the default) or EPERM";
const UMASK_HINT: &str =
    "an octal string such as \"0022\" (or an integer such as 0o022), at most 0777";
const SIZE_HINT: &str = "a size is an integer number of bytes, or a string \"N UNIT\" with UNIT one of B, K, KiB, M, MiB, G, GiB, T, TiB (powers of 1024)";

/// Every file in `fixtures/policies/malformed`, with every error it must produce, in order.
fn cases() -> Vec<(&'static str, Vec<Expected>)> {
    vec![
        ("syntax-error", vec![(2, 8, "invalid TOML: invalid basic string, expected `\"`", None)]),
        ("duplicate-key", vec![(3, 1, "invalid TOML: duplicate key", None)]),
        ("unknown-top-level-key", vec![(1, 1, "unknown key `nmae` in the policy", Some("expected one of: name, identity, umask, cwd, limits, mount, rule, logging"))]),
        ("unknown-mount-key", vec![
            (1, 1, "missing `provider` in [[mount]]", Some(KINDS)),
            (3, 1, "unknown key `provder` in [[mount]]", Some(MOUNT_KEYS)),
        ]),
        ("unknown-key-in-upper", vec![(4, 32, "unknown key `size` in `upper`", Some("expected one of: provider, root, symlinks, read-only, max-bytes, max-inodes, upper, lower, inner"))]),
        ("wrong-type", vec![(2, 7, "wrong type for `uid`: expected an integer, found a string", None)]),
        ("bad-umask", vec![(1, 9, "invalid umask `0029`", Some(UMASK_HINT))]),
        ("relative-cwd", vec![(1, 7, "`cwd` must be absolute, found `src`", Some("cwd is a path in the sandbox, starting with '/': \"/src\""))]),
        ("missing-at", vec![(1, 1, "missing `at` in [[mount]]", Some("every mount says where it is mounted: at = \"/path\""))]),
        ("relative-at", vec![(2, 6, "mount path `src` is relative", Some("mount paths are absolute: \"/src\""))]),
        ("dotdot-at", vec![(2, 6, "mount path `/src/../etc` contains `..`", Some("mount paths are normalized: write \"/etc\""))]),
        ("trailing-slash-at", vec![(2, 6, "mount path `/src/` has an empty component (`//` or a trailing `/`)", Some("mount paths are normalized: write \"/src\""))]),
        ("duplicate-mount", vec![(6, 6, "duplicate mount at `/data`", Some("`/data` is already mounted by the [[mount]] at line 1"))]),
        ("overlapping-host-roots", vec![(10, 8, "host root `../trees/shared/config` is inside host root `../trees/shared` of the mount at `/shared` (line 1)", Some("host roots must not overlap: a file would be reachable by two paths, so rules on one could be bypassed through the other; mount the directory once and write rules for its parts"))]),
        ("missing-host-root", vec![(4, 8, "host root `no-such-directory` does not exist", None)]),
        ("host-root-is-a-file", vec![(4, 8, "host root `../trees/shared/config/app.toml` is not a directory", None)]),
        ("unknown-provider-kind", vec![(3, 12, "unknown provider kind `nfs`", Some(KINDS))]),
        ("overlay-missing-upper", vec![(1, 1, "missing `upper` in [[mount]]: the overlay provider needs it", Some("upper = { provider = \"memory\" } (a provider table)"))]),
        ("readonly-missing-inner", vec![(1, 1, "missing `inner` in [[mount]]: the readonly provider needs it", Some("inner = { provider = \"memory\" } (a provider table)"))]),
        ("overlay-upper-read-only", vec![(4, 9, "the upper layer of an overlay must be writable", Some("changes are written to the upper layer: drop its read-only"))]),
        ("hide-with-ops", vec![(7, 7, "a `hide` rule covers every operation: it takes no `ops`", Some("remove `ops` (or write [\"all\"]), or use action = \"deny\" to refuse only some operations"))]),
        ("errno-on-allow", vec![(8, 9, "`errno` is only for deny rules, not `allow`", Some("remove `errno`, or use action = \"deny\""))]),
        ("bad-errno-name", vec![(8, 9, "unknown errno `EPREM`", Some(ERRNO_HINT))]),
        ("errno-not-for-deny", vec![(8, 9, "errno `ENOENT` is not allowed for a deny rule", Some(ERRNO_HINT))]),
        // The caret points at the unclosed `[` inside the string.
        ("bad-glob", vec![(6, 14, "invalid glob `/src/[abc/x`: unclosed `[`", Some(GLOB_HINT))]),
        ("relative-glob", vec![(6, 9, "invalid glob `src/**`: a pattern must be absolute (start with `/`)", Some(GLOB_HINT))]),
        ("unknown-op", vec![(7, 16, "unknown operation `wirte`", Some("expected one of: all, read, write, create, delete, rename, link, symlink, chmod, chown, xattr, exec"))]),
        ("bad-action", vec![(7, 10, "invalid value `block` for `action`", Some("expected one of: hide, deny, read-only, allow"))]),
        ("bad-size-unit", vec![(2, 13, "invalid size `10 GB` for `file-size`", Some(SIZE_HINT))]),
        ("negative-limit", vec![(2, 14, "`open-files` must not be negative", None)]),
        ("bad-symlinks-mode", vec![(5, 12, "invalid value `never` for `symlinks`", Some("expected one of: allow, relative-inside, deny"))]),
        ("bad-compat-level", vec![(6, 16, "invalid value `verbose` for `compat-level`", Some("expected one of: off, warn, info, debug"))]),
        ("bad-audit-level", vec![(6, 15, "invalid value `reads` for `audit-level`", Some("expected one of: all, access, changes"))]),
        ("max-bytes-on-host", vec![(5, 1, "`max-bytes` does not apply to a host provider", Some("`max-bytes` is for memory providers; a host provider takes: root, symlinks"))]),
        ("mount-not-array", vec![(1, 1, "wrong type for `mount`: expected an array of tables ([[mount]])", Some("write each one under its own [[mount]] header"))]),
        ("no-mounts", vec![(1, 1, "the policy mounts nothing", Some("add a [[mount]], e.g. at = \"/\" and provider = \"memory\""))]),
        ("several-errors", vec![
            (1, 9, "invalid umask `999`", Some(UMASK_HINT)),
            (2, 7, "`cwd` must be absolute, found `home`", Some("cwd is a path in the sandbox, starting with '/': \"/home\"")),
            (7, 13, "invalid size `lots` for `max-bytes`", Some(SIZE_HINT)),
            (12, 9, "errno `EIO` is not allowed for a deny rule", Some(ERRNO_HINT)),
        ]),
    ]
}

#[test]
fn every_malformed_policy_gives_its_exact_errors() {
    let cases = cases();
    assert!(cases.len() >= 25);
    for (name, expected) in &cases {
        let file = format!("malformed/{name}.toml");
        let errors = match load(&file) {
            Ok(_) => panic!("{file} loaded"),
            Err(errors) => errors,
        };
        let got: Vec<(usize, usize, &str)> = errors
            .iter()
            .map(|e| (e.line, e.column, e.message.as_str()))
            .collect();
        let want: Vec<(usize, usize, &str)> =
            expected.iter().map(|(l, c, m, _)| (*l, *c, *m)).collect();
        assert_eq!(got, want, "{file}");
        for (e, (_, _, _, hint)) in errors.iter().zip(expected) {
            if let Some(hint) = hint {
                assert_eq!(e.hint.as_deref(), Some(*hint), "{file}");
            }
            assert_eq!(e.file, fixtures().join(&file), "{file}");
            let text = std::fs::read_to_string(fixtures().join(&file)).unwrap();
            assert_eq!(e.snippet, text.lines().nth(e.line - 1).unwrap(), "{file}");
        }
    }
}

#[test]
fn every_malformed_file_has_a_case() {
    let names: Vec<&str> = cases().iter().map(|(n, _)| *n).collect();
    for entry in std::fs::read_dir(fixtures().join("malformed")).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        assert!(names.contains(&stem.as_str()), "no expectation for {stem}");
    }
}

#[test]
fn host_root_hints_say_where_the_root_was_looked_for() {
    let errors = load("malformed/missing-host-root.toml").unwrap_err();
    let hint = errors[0].hint.as_deref().unwrap();
    assert!(hint.starts_with("resolved to /"), "{hint}");
    assert!(
        hint.ends_with("fixtures/policies/malformed/no-such-directory (relative roots are taken from the policy file's directory)"),
        "{hint}"
    );
    let errors = load("malformed/host-root-is-a-file.toml").unwrap_err();
    let hint = errors[0].hint.as_deref().unwrap();
    assert!(
        hint.contains("fixtures/policies/trees/shared/config/app.toml"),
        "{hint}"
    );
}

#[test]
fn errors_render_like_rustc() {
    let dir = fixtures();
    let text = "name = \"build\"\n\n\n\n\n\n\n\n\n\n[[mount]]\nprovder = \"memory\"\nat = \"/\"\nprovider = \"memory\"\n";
    let errors = vfsbox_policy::Policy::parse(
        "build.toml",
        text,
        &dir,
        &vfsbox_policy::Registry::builtin(),
    )
    .unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        "error: unknown key `provder` in [[mount]]
  --> build.toml:12:1
   |
12 | provder = \"memory\"
   | ^^^^^^^
   = hint: expected one of: at, provider, root, symlinks, read-only, max-bytes, max-inodes, upper, lower, inner"
    );
    let one = vfsbox_policy::Policy::parse(
        "p.toml",
        "cwd = 3\n[[mount]]\nat = \"/\"\nprovider = \"memory\"\n",
        &dir,
        &vfsbox_policy::Registry::builtin(),
    )
    .unwrap_err();
    assert_eq!(
        vfsbox_policy::render_errors(&one),
        "error: wrong type for `cwd`: expected a string, found an integer
 --> p.toml:1:7
  |
1 | cwd = 3
  |       ^

error: the policy has 1 error"
    );
}

#[test]
fn errors_serialize_for_json_output() {
    let errors = load("malformed/bad-umask.toml").unwrap_err();
    let json = serde_json::to_value(&errors[0]).unwrap();
    assert_eq!(json["line"], 1);
    assert_eq!(json["column"], 9);
    assert_eq!(json["width"], 6);
    assert_eq!(json["message"], "invalid umask `0029`");
    assert_eq!(json["snippet"], "umask = \"0029\"");
    assert_eq!(json["hint"], UMASK_HINT);
    assert!(json["file"]
        .as_str()
        .unwrap()
        .ends_with("malformed/bad-umask.toml"));
}

#[test]
fn positions_count_characters_and_keep_tabs() {
    let dir = fixtures();
    // A multi-byte character before the error: the column counts characters, not bytes.
    let errors = parse_in(&dir, "name = \"é\"; x\n").unwrap_err();
    // `;` is the 11th character (the 12th byte).
    assert_eq!((errors[0].line, errors[0].column), (1, 11));
    let errors = parse_in(&dir, "[[mount]]\n\tat = \"rel\"\nprovider = \"memory\"\n").unwrap_err();
    assert_eq!((errors[0].line, errors[0].column), (2, 7));
    assert!(
        errors[0].to_string().contains("\n  | \t     ^^^^^"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_glob_with_escapes_points_at_the_string() {
    let errors = parse_in(
        &fixtures(),
        "[[mount]]\nat = \"/\"\nprovider = \"memory\"\n[[rule]]\npath = \"/a\\u0041/[x\"\naction = \"hide\"\n",
    )
    .unwrap_err();
    assert_eq!((errors[0].line, errors[0].column), (5, 8));
    assert_eq!(errors[0].message, "invalid glob `/aA/[x`: unclosed `[`");
}

#[test]
fn more_value_checks() {
    let dir = fixtures();
    let mem = "[[mount]]\nat = \"/\"\nprovider = \"memory\"\n";
    let check = |extra: &str, want: (usize, usize, &str)| {
        let errors = parse_in(&dir, &format!("{extra}\n{mem}")).unwrap_err();
        assert_eq!(
            (errors[0].line, errors[0].column, errors[0].message.as_str()),
            want,
            "{extra}"
        );
    };
    check("umask = 0o1777", (1, 9, "invalid umask 1023"));
    check(
        "umask = true",
        (
            1,
            9,
            "wrong type for `umask`: expected an octal string, found a boolean",
        ),
    );
    check(
        "[limits]\nopen-files = 0",
        (2, 14, "`open-files` must be at least 1"),
    );
    check("[limits]\nbytes-written = 1.5", (2, 17, "wrong type for `bytes-written`: expected a size (an integer or a string such as \"64 MiB\"), found a float"));
    check(
        "[identity]\ngroups = [1, -2]",
        (2, 14, "`groups` must not be negative"),
    );
    check(
        "[identity]\nuid = 4294967296",
        (2, 7, "`uid` is too large: at most 4294967295"),
    );
    check(
        "[logging]\nstrict = \"yes\"",
        (
            2,
            10,
            "wrong type for `strict`: expected a boolean (true or false), found a string",
        ),
    );
    check(
        "[[rule]]\npath = \"/x\"",
        (1, 1, "missing `action` in [[rule]]"),
    );
    check(
        "[[rule]]\naction = \"hide\"",
        (1, 1, "missing `path` in [[rule]]"),
    );
    check(
        "[[rule]]\npath = \"/x\"\nops = []\naction = \"deny\"",
        (3, 7, "`ops` is empty: the rule would never apply"),
    );
    check(
        "[[rule]]\npath = \"/x/\"\naction = \"deny\"",
        (2, 11, "invalid glob `/x/`: a pattern must not end with `/`"),
    );
}

#[test]
fn the_same_host_root_twice_overlaps() {
    let dir = fixtures();
    let errors = parse_in(
        &dir,
        "[[mount]]\nat = \"/a\"\nprovider = \"host\"\nroot = \"trees/links\"\n[[mount]]\nat = \"/b\"\nprovider = \"readonly\"\ninner = { provider = \"host\", root = \"trees/../trees/links/\" }\n",
    )
    .unwrap_err();
    let got: Vec<_> = errors
        .iter()
        .map(|e| (e.line, e.column, e.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [(8, 37, "host root `trees/../trees/links/` is the same directory as host root `trees/links` of the mount at `/a` (line 1)")]
    );
}

#[test]
fn hide_with_all_ops_and_nested_read_only_are_fine() {
    let p = parse_in(
        &fixtures(),
        "[[mount]]\nat = \"/\"\nprovider = \"overlay\"\nupper = { provider = \"memory\" }\nlower = { provider = \"memory\", read-only = true }\n[[rule]]\npath = \"/x/**\"\nops = [\"all\"]\naction = \"hide\"\n[[rule]]\npath = \"/y\"\nops = [\"write\", \"all\"]\naction = \"deny\"\n",
    )
    .unwrap();
    assert_eq!(p.rules.len(), 2);
    assert_eq!(p.rules[1].ops, vfsbox_guard::OpSet::ALL);
}

#[test]
fn crlf_files_and_errors_at_line_ends() {
    let dir = fixtures();
    let errors = parse_in(
        &dir,
        "[[mount]]\r\nat = \"src\"\r\nprovider = \"memory\"\r\n",
    )
    .unwrap_err();
    assert_eq!((errors[0].line, errors[0].column), (2, 6));
    assert_eq!(errors[0].snippet, "at = \"src\"");
    // An unterminated string: the error sits at the end of the line.
    let errors = parse_in(&dir, "name = \"x\r\n").unwrap_err();
    assert_eq!(errors[0].line, 1);
    assert!(errors[0].to_string().contains("^"), "{}", errors[0]);
    let errors = parse_in(&dir, "").unwrap_err();
    assert_eq!(
        (errors[0].line, errors[0].column, errors[0].message.as_str()),
        (1, 1, "the policy mounts nothing")
    );
}

/// Bad input never panics: every prefix of every fixture policy (malformed or not) either
/// loads or gives positioned errors whose line exists.
#[test]
fn every_prefix_of_every_fixture_parses_without_panic() {
    let dir = fixtures();
    let mut files: Vec<_> = std::fs::read_dir(dir.join("malformed"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(dir.join("build.toml"));
    files.push(dir.join("readonly-host-overlay.toml"));
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            if let Err(errors) = parse_in(file.parent().unwrap(), &text[..end]) {
                let lines = text[..end].split('\n').count();
                for e in errors {
                    assert!(e.line >= 1 && e.line <= lines && e.column >= 1, "{e}");
                }
            }
        }
    }
}
