//! Splitting one command line into words and at most one output redirection, as a small
//! subset of `sh`: blanks separate words, `'…'` is literal, `"…"` is literal except `\"` and
//! `\\`, a backslash outside quotes escapes the next byte, `#` at the start of a word begins a
//! comment, and an unquoted `>` or `>>` sends the command's output to the next word's file.
//!
//! Words are bytes, not text, so names that are not UTF-8 can be typed and passed through.

/// One parsed command line.
#[derive(Debug, PartialEq, Eq)]
pub struct Line {
    /// The command name, then its arguments; never empty.
    pub words: Vec<Vec<u8>>,
    /// Where the output goes instead of standard output.
    pub redirect: Option<Redirect>,
}

/// `> FILE` (truncate) or `>> FILE` (append).
#[derive(Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The file, resolved as any path argument.
    pub path: Vec<u8>,
    /// `>>`: append instead of truncating.
    pub append: bool,
}

/// Why a line could not be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// A `'` or `"` was not closed before the end of the line.
    #[error("unterminated quote")]
    UnterminatedQuote,
    /// `>` or `>>` was not followed by a file name.
    #[error("missing file name after {0}")]
    MissingTarget(&'static str),
    /// More than one redirection on one line.
    #[error("only one redirection per command")]
    TwoRedirections,
    /// A redirection with no command before it.
    #[error("redirection without a command")]
    NoCommand,
}

enum Token {
    Word(Vec<u8>),
    Redirect { append: bool },
}

/// Parses `line` (without its newline). `Ok(None)` for a blank or comment-only line.
///
/// # Errors
/// [`ParseError`] for an unclosed quote or a malformed redirection.
pub fn parse(line: &[u8]) -> Result<Option<Line>, ParseError> {
    let mut words = Vec::new();
    let mut redirect = None;
    let mut tokens = tokenize(line)?.into_iter();
    while let Some(token) = tokens.next() {
        match token {
            Token::Word(word) => words.push(word),
            Token::Redirect { append } => {
                let operator = if append { ">>" } else { ">" };
                let Some(Token::Word(path)) = tokens.next() else {
                    return Err(ParseError::MissingTarget(operator));
                };
                if redirect.is_some() {
                    return Err(ParseError::TwoRedirections);
                }
                redirect = Some(Redirect { path, append });
            }
        }
    }
    if words.is_empty() {
        return match redirect {
            Some(_) => Err(ParseError::NoCommand),
            None => Ok(None),
        };
    }
    Ok(Some(Line { words, redirect }))
}

fn tokenize(line: &[u8]) -> Result<Vec<Token>, ParseError> {
    let mut tokens = Vec::new();
    // `Some` as soon as anything (even an empty pair of quotes) starts a word.
    let mut word: Option<Vec<u8>> = None;
    let mut bytes = line.iter().copied().peekable();
    while let Some(b) = bytes.next() {
        match b {
            b' ' | b'\t' | b'\r' => {
                if let Some(w) = word.take() {
                    tokens.push(Token::Word(w));
                }
            }
            b'#' if word.is_none() => break,
            b'>' => {
                if let Some(w) = word.take() {
                    tokens.push(Token::Word(w));
                }
                let append = bytes.next_if_eq(&b'>').is_some();
                tokens.push(Token::Redirect { append });
            }
            b'\\' => {
                let w = word.get_or_insert_with(Vec::new);
                // A trailing backslash stands for itself.
                w.push(bytes.next().unwrap_or(b'\\'));
            }
            b'\'' => {
                let w = word.get_or_insert_with(Vec::new);
                loop {
                    match bytes.next() {
                        Some(b'\'') => break,
                        Some(c) => w.push(c),
                        None => return Err(ParseError::UnterminatedQuote),
                    }
                }
            }
            b'"' => {
                let w = word.get_or_insert_with(Vec::new);
                loop {
                    match bytes.next() {
                        Some(b'"') => break,
                        Some(b'\\') => match bytes.next_if(|c| *c == b'"' || *c == b'\\') {
                            Some(c) => w.push(c),
                            None => w.push(b'\\'),
                        },
                        Some(c) => w.push(c),
                        None => return Err(ParseError::UnterminatedQuote),
                    }
                }
            }
            _ => word.get_or_insert_with(Vec::new).push(b),
        }
    }
    if let Some(w) = word {
        tokens.push(Token::Word(w));
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        parse(line.as_bytes())
            .unwrap()
            .unwrap()
            .words
            .into_iter()
            .map(|w| String::from_utf8(w).unwrap())
            .collect()
    }

    #[test]
    fn blanks_separate_words() {
        assert_eq!(words("  ls  -l\ta "), ["ls", "-l", "a"]);
    }

    #[test]
    fn quotes_and_escapes_keep_blanks_and_specials() {
        assert_eq!(
            words(r#"echo 'a  b' "c \"d\" \x" e\ f '' "#),
            ["echo", "a  b", r#"c "d" \x"#, "e f", ""]
        );
        assert_eq!(words("echo '>' \\> '#'"), ["echo", ">", ">", "#"]);
    }

    #[test]
    fn blank_and_comment_lines_are_nothing() {
        assert_eq!(parse(b"   "), Ok(None));
        assert_eq!(parse(b"# a comment"), Ok(None));
        assert_eq!(words("echo a#b # rest"), ["echo", "a#b"]);
    }

    #[test]
    fn redirections_with_and_without_blanks() {
        let line = parse(b"echo hi >out").unwrap().unwrap();
        assert_eq!(line.words, [b"echo".to_vec(), b"hi".to_vec()]);
        assert_eq!(
            line.redirect,
            Some(Redirect {
                path: b"out".to_vec(),
                append: false
            })
        );
        let line = parse(b"echo hi>> 'a file'").unwrap().unwrap();
        assert_eq!(
            line.redirect,
            Some(Redirect {
                path: b"a file".to_vec(),
                append: true
            })
        );
    }

    #[test]
    fn malformed_lines_are_errors() {
        assert_eq!(parse(b"echo 'open"), Err(ParseError::UnterminatedQuote));
        assert_eq!(parse(b"echo \"open"), Err(ParseError::UnterminatedQuote));
        assert_eq!(parse(b"echo a >"), Err(ParseError::MissingTarget(">")));
        assert_eq!(
            parse(b"echo a >> > b"),
            Err(ParseError::MissingTarget(">>"))
        );
        assert_eq!(parse(b"echo a > b > c"), Err(ParseError::TwoRedirections));
        assert_eq!(parse(b"> b"), Err(ParseError::NoCommand));
    }

    #[test]
    fn bytes_that_are_not_utf8_pass_through() {
        let line = parse(b"touch \xff\xfe").unwrap().unwrap();
        assert_eq!(line.words[1], b"\xff\xfe");
    }
}
