//! How the shell shows file metadata: `ls -l` mode strings, type names and UTC times.

use vfsbox_api::Timestamp;

/// The `ls -l` mode string: the type letter, then `rwx` three times with the set-id and
/// sticky bits as `s`/`S` and `t`/`T`.
pub fn mode_string(mode: u32) -> String {
    let kind = match mode & libc::S_IFMT {
        libc::S_IFDIR => 'd',
        libc::S_IFLNK => 'l',
        libc::S_IFIFO => 'p',
        libc::S_IFCHR => 'c',
        libc::S_IFBLK => 'b',
        libc::S_IFSOCK => 's',
        _ => '-',
    };
    let mut s = String::with_capacity(10);
    s.push(kind);
    // (shift of the rwx triple, the special bit shown in its x place, its letter)
    for (shift, special, letter) in [
        (6, libc::S_ISUID, 's'),
        (3, libc::S_ISGID, 's'),
        (0, libc::S_ISVTX, 't'),
    ] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(match (bits & 1 != 0, mode & special != 0) {
            (true, true) => letter,
            (false, true) => letter.to_ascii_uppercase(),
            (true, false) => 'x',
            (false, false) => '-',
        });
    }
    s
}

/// The file type as `stat` names it.
pub fn kind_name(mode: u32) -> &'static str {
    match mode & libc::S_IFMT {
        libc::S_IFDIR => "directory",
        libc::S_IFLNK => "symbolic link",
        libc::S_IFIFO => "fifo",
        libc::S_IFCHR => "character special file",
        libc::S_IFBLK => "block special file",
        libc::S_IFSOCK => "socket",
        _ => "regular file",
    }
}

/// `YYYY-MM-DD HH:MM` in UTC, for `ls -l`.
pub fn short_time(t: Timestamp) -> String {
    let (date, h, m, _) = civil(t.sec);
    format!("{date} {h:02}:{m:02}")
}

/// `YYYY-MM-DD HH:MM:SS.nnnnnnnnn UTC`, for `stat`.
pub fn full_time(t: Timestamp) -> String {
    let (date, h, m, s) = civil(t.sec);
    format!("{date} {h:02}:{m:02}:{s:02}.{:09} UTC", t.nsec)
}

/// The UTC date and time of day of `secs` since the epoch (Howard Hinnant's `civil_from_days`,
/// valid for every `i64` day count that fits a proleptic Gregorian year).
fn civil(secs: i64) -> (String, i64, i64, i64) {
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        format!("{year:04}-{month:02}-{day:02}"),
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_strings_show_type_and_special_bits() {
        assert_eq!(mode_string(libc::S_IFDIR | 0o755), "drwxr-xr-x");
        assert_eq!(mode_string(libc::S_IFREG | 0o644), "-rw-r--r--");
        assert_eq!(mode_string(libc::S_IFLNK | 0o777), "lrwxrwxrwx");
        assert_eq!(mode_string(libc::S_IFREG | 0o6755), "-rwsr-sr-x");
        assert_eq!(mode_string(libc::S_IFREG | 0o6644), "-rwSr-Sr--");
        assert_eq!(mode_string(libc::S_IFDIR | 0o1777), "drwxrwxrwt");
        assert_eq!(mode_string(libc::S_IFDIR | 0o1770), "drwxrwx--T");
        assert_eq!(mode_string(libc::S_IFIFO | 0o600), "prw-------");
    }

    #[test]
    fn times_are_utc_calendar_dates() {
        let t = |sec, nsec| Timestamp { sec, nsec };
        assert_eq!(short_time(t(0, 0)), "1970-01-01 00:00");
        assert_eq!(
            full_time(t(951_782_400 + 3661, 5)),
            "2000-02-29 01:01:01.000000005 UTC"
        );
        assert_eq!(short_time(t(-1, 0)), "1969-12-31 23:59");
        assert_eq!(short_time(t(1_700_000_000, 0)), "2023-11-14 22:13");
    }
}
