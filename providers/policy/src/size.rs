//! Byte sizes as policy files write them: `1048576`, `"64 MiB"`, `"1G"`.

/// The units a size string may end with, and their factors (powers of 1024: `K` is `KiB`).
const UNITS: [(&str, u64); 9] = [
    ("B", 1),
    ("K", 1 << 10),
    ("KiB", 1 << 10),
    ("M", 1 << 20),
    ("MiB", 1 << 20),
    ("G", 1 << 30),
    ("GiB", 1 << 30),
    ("T", 1 << 40),
    ("TiB", 1 << 40),
];

/// What a size string must look like, for hints.
pub const SIZE_HINT: &str = "a size is an integer number of bytes, or a string \"N UNIT\" with UNIT one of B, K, KiB, M, MiB, G, GiB, T, TiB (powers of 1024)";

/// Parses `"N [UNIT]"` (space optional); `None` if it is not one, or overflows.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    if digits == 0 {
        return None;
    }
    let number: u64 = text[..digits].parse().ok()?;
    let unit = text[digits..].trim_start();
    let factor = if unit.is_empty() {
        1
    } else {
        UNITS.iter().find(|(u, _)| *u == unit)?.1
    };
    number.checked_mul(factor)
}

/// Renders a size in the largest binary unit that divides it exactly (`"64 MiB"`, `"1000 B"`).
pub fn format_size(bytes: u64) -> String {
    for (unit, factor) in [
        ("TiB", 1u64 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ] {
        // Factors are powers of two: a mask tests divisibility.
        if bytes >= factor && bytes & (factor - 1) == 0 {
            return format!("{} {unit}", bytes / factor);
        }
    }
    format!("{bytes} B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64 MiB"), Some(64 << 20));
        assert_eq!(parse_size("1G"), Some(1 << 30));
        assert_eq!(parse_size("12"), Some(12));
        assert_eq!(parse_size("12 B"), Some(12));
        assert_eq!(parse_size("10 GB"), None);
        assert_eq!(parse_size("-1 GiB"), None);
        assert_eq!(parse_size("MiB"), None);
        assert_eq!(parse_size("99999999999 TiB"), None);
        assert_eq!(format_size(64 << 20), "64 MiB");
        assert_eq!(format_size(1000), "1000 B");
        assert_eq!(format_size(0), "0 B");
    }
}
