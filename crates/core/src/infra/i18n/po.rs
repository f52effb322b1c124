//! A small gettext `.po` reader: `msgctxt`/`msgid`/`msgstr`, multi-line strings, C escapes,
//! comments and flags. Plural entries (`msgid_plural`, `msgstr[n]`) are read and ignored except
//! that `msgstr[0]` is kept as the singular translation. Errors name the file and the line.

use std::collections::HashMap;
use std::fmt;

/// One translation unit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoEntry {
    pub context: Option<String>,
    pub msgid: String,
    pub msgstr: String,
    /// Flags of `#,` lines (`fuzzy`, `same-as-source`, …).
    pub flags: Vec<String>,
    /// 1-based line of the `msgid` keyword.
    pub line: usize,
}

/// A parse failure: which file, which line, what was wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct PoError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for PoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for PoError {}

/// A parsed `.po`/`.pot` file. The header entry (empty msgid) is kept out of `entries`.
#[derive(Debug, Clone, Default)]
pub struct PoFile {
    pub header: String,
    pub entries: Vec<PoEntry>,
}

impl PoFile {
    /// `(msgctxt, msgid) -> msgstr` for the translated, non-fuzzy entries.
    pub fn translations(&self) -> HashMap<(Option<String>, String), String> {
        self.entries
            .iter()
            .filter(|e| !e.msgstr.is_empty() && !e.flags.iter().any(|f| f == "fuzzy"))
            .map(|e| ((e.context.clone(), e.msgid.clone()), e.msgstr.clone()))
            .collect()
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Field {
    None,
    Ctxt,
    Id,
    IdPlural,
    Str,
    StrN(bool),
}

#[derive(Default)]
struct Pending {
    context: Option<String>,
    msgid: Option<String>,
    msgstr: Option<String>,
    flags: Vec<String>,
    line: usize,
}

/// Parses `.po` text; `file` only labels errors.
pub fn parse(file: &str, text: &str) -> Result<PoFile, PoError> {
    let mut p = Parser {
        file,
        out: PoFile::default(),
        cur: Pending::default(),
        field: Field::None,
        flags: Vec::new(),
    };
    for (idx, raw) in text.lines().enumerate() {
        p.line(idx + 1, raw.trim())?;
    }
    let last = text.lines().count().max(1);
    p.finish(last)?;
    Ok(p.out)
}

/// The state of a parse: the entries so far, the entry being read, the field a continuation
/// string extends and the flags waiting for the next `msgid`.
struct Parser<'f> {
    file: &'f str,
    out: PoFile,
    cur: Pending,
    field: Field,
    flags: Vec<String>,
}

impl Parser<'_> {
    fn err(&self, line: usize, message: String) -> PoError {
        PoError {
            file: self.file.to_string(),
            line,
            message,
        }
    }

    /// Stores the entry being read (the empty msgid is the header).
    fn finish(&mut self, line: usize) -> Result<(), PoError> {
        let p = std::mem::take(&mut self.cur);
        match (p.msgid, p.msgstr) {
            (None, None) if p.context.is_none() => Ok(()),
            (Some(id), Some(s)) => {
                if id.is_empty() && p.context.is_none() {
                    self.out.header = s;
                } else {
                    self.out.entries.push(PoEntry {
                        context: p.context,
                        msgid: id,
                        msgstr: s,
                        flags: p.flags,
                        line: p.line,
                    });
                }
                Ok(())
            }
            (Some(_), None) => Err(self.err(p.line, "msgid without msgstr".into())),
            _ => Err(self.err(line, "msgstr or msgctxt without msgid".into())),
        }
    }

    /// One trimmed line `n`: blank, comment (`#,` flags kept), keyword or continuation.
    fn line(&mut self, n: usize, line: &str) -> Result<(), PoError> {
        if line.is_empty() {
            return Ok(());
        }
        if let Some(rest) = line.strip_prefix('#') {
            if let Some(f) = rest.strip_prefix(',') {
                self.flags.extend(
                    f.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty()),
                );
            }
            return Ok(());
        }
        let (keyword, value) = match line.find(|c: char| c.is_whitespace() || c == '"') {
            Some(i) if !line.starts_with('"') => {
                let (k, v) = line.split_at(i);
                (Some(k), v.trim_start())
            }
            _ => (None, line),
        };
        let s = unquote(value).map_err(|m| self.err(n, m))?;
        match keyword {
            None => self.continuation(n, &s),
            Some(k) => self.keyword(n, k, s),
        }
    }

    /// A bare string extends the field read last (plural forms other than the first are
    /// skipped).
    fn continuation(&mut self, n: usize, s: &str) -> Result<(), PoError> {
        let target = match self.field {
            Field::Ctxt => self.cur.context.as_mut(),
            Field::Id => self.cur.msgid.as_mut(),
            Field::Str | Field::StrN(true) => self.cur.msgstr.as_mut(),
            Field::IdPlural | Field::StrN(false) => return Ok(()),
            Field::None => None,
        };
        match target {
            Some(t) => {
                t.push_str(s);
                Ok(())
            }
            None => Err(self.err(n, "string continuation without a keyword".into())),
        }
    }

    fn keyword(&mut self, n: usize, k: &str, s: String) -> Result<(), PoError> {
        match k {
            "msgctxt" => {
                if self.cur.msgid.is_some() || self.cur.context.is_some() {
                    self.finish(n)?;
                }
                self.cur.context = Some(s);
                self.field = Field::Ctxt;
            }
            "msgid" => {
                if self.cur.msgid.is_some() {
                    self.finish(n)?;
                }
                self.cur.msgid = Some(s);
                self.cur.line = n;
                self.cur.flags = std::mem::take(&mut self.flags);
                self.field = Field::Id;
            }
            "msgid_plural" => {
                if self.cur.msgid.is_none() {
                    return Err(self.err(n, "msgid_plural without msgid".into()));
                }
                self.field = Field::IdPlural;
            }
            "msgstr" => {
                if self.cur.msgid.is_none() || self.cur.msgstr.is_some() {
                    return Err(self.err(n, "msgstr without a preceding msgid".into()));
                }
                self.cur.msgstr = Some(s);
                self.field = Field::Str;
            }
            k if k.starts_with("msgstr[") && k.ends_with(']') => {
                if self.cur.msgid.is_none() {
                    return Err(self.err(n, format!("{k} without a preceding msgid")));
                }
                let first = k == "msgstr[0]";
                if first {
                    self.cur.msgstr = Some(s);
                } else if self.cur.msgstr.is_none() {
                    self.cur.msgstr = Some(String::new());
                }
                self.field = Field::StrN(first);
            }
            k => return Err(self.err(n, format!("unknown keyword \"{k}\""))),
        }
        Ok(())
    }
}

/// Reads one `"…"` string with C escapes.
fn unquote(v: &str) -> Result<String, String> {
    let inner = v
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|_| v.len() >= 2)
        .ok_or_else(|| format!("expected a quoted string, found {v}"))?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('a') => out.push('\u{7}'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('v') => out.push('\u{b}'),
                Some(o) => return Err(format!("unknown escape sequence \\{o}")),
                None => return Err("dangling backslash at the end of a string".into()),
            },
            '"' => return Err("unescaped quote inside a string".into()),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Writes `s` as a `.po` string (single line, escaped).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_multiline_escapes_context_and_flags() {
        let text = r#"# translator comment
msgid ""
msgstr ""
"Language: de\n"
"Content-Type: text/plain; charset=UTF-8\n"

#. extracted
#: src/x.rs:1
#, fuzzy, c-format
msgid "Fuzzy"
msgstr "Unscharf"

msgid "Hello "
"world"
msgstr "Hallo "
"Welt"

msgctxt "ui"
msgid "Save"
msgstr "Speichern"

msgid "Quote \"x\"\tTab\\n"
msgstr "Zitat \"x\"\tTab\\n"

msgid "One file"
msgid_plural "{0} files"
msgstr[0] "Eine Datei"
msgstr[1] "{0} Dateien"
"#;
        let po = parse("de_DE.po", text).unwrap();
        assert!(po.header.contains("Language: de\n"));
        assert_eq!(po.entries.len(), 5);
        assert_eq!(po.entries[0].flags, ["fuzzy", "c-format"]);
        assert_eq!(po.entries[1].msgid, "Hello world");
        assert_eq!(po.entries[1].msgstr, "Hallo Welt");
        assert_eq!(po.entries[2].context.as_deref(), Some("ui"));
        assert_eq!(po.entries[3].msgid, "Quote \"x\"\tTab\\n");
        assert_eq!(po.entries[4].msgstr, "Eine Datei");
        let t = po.translations();
        assert!(!t.contains_key(&(None, "Fuzzy".to_string())));
        assert_eq!(
            t.get(&(Some("ui".into()), "Save".into()))
                .map(String::as_str),
            Some("Speichern")
        );
    }

    #[test]
    fn malformed_files_name_file_and_line() {
        let e = parse("x.po", "msgid \"a\"\nmsgstr \"b\nmsgid \"c\"\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("x.po", 2));
        assert!(e.to_string().starts_with("x.po:2: "));
        let e = parse("y.po", "msgid \"a\"\n\nmsgid \"b\"\nmsgstr \"c\"\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("without msgstr"));
        let e = parse("z.po", "msgid \"a\"\nmsgstr \"b\"\nmsgfoo \"c\"\n").unwrap_err();
        assert_eq!(e.line, 3);
        let e = parse("w.po", "msgstr \"b\"\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse("v.po", "msgid \"a\\q\"\nmsgstr \"\"\n").unwrap_err();
        assert!(e.message.contains("escape"));
    }

    #[test]
    fn quote_round_trips() {
        let s = "A \"b\" \\ c\nd\te";
        let po = parse(
            "r.po",
            &format!("msgid {}\nmsgstr {}\n", quote(s), quote(s)),
        )
        .unwrap();
        assert_eq!(po.entries[0].msgid, s);
    }
}
