//! Localisation (docs/behaviour.md §H.3): English gettext msgids translated through `.po`
//! files, `{0}`… placeholders substituted after translation.
//!
//! The translations live in the repository under `includes/acroniscloud/l10n/` (`<locale>.po`
//! for server-side messages and catalog texts, `ui/<locale>.po` for the admin JavaScript app)
//! and are **embedded at compile time** with `include_str!`: the extension then needs no file at
//! run time (a WHMCS installation that only copied the `.so` still speaks every language, and a
//! broken deployment cannot lose the translations), and a malformed shipped file fails the test
//! suite instead of a customer's admin page. A translator can still edit a language without
//! rebuilding: when the caller passes an override directory (the glue passes
//! `<WHMCS>/includes/acroniscloud/l10n`) and `<dir>/<locale>.po` (or `<dir>/ui/<locale>.po`)
//! exists, that file wins; it is re-read when its modification time changes. A malformed
//! override file is logged with file and line and the embedded translation is used; a
//! malformed embedded file (a build defect caught by the tests) falls back to English.
//! Nothing here panics.

pub mod po;

use once_cell::sync::Lazy;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

pub use po::{PoEntry, PoError, PoFile};

/// Canonical locale codes with a translation, in the manual's order (`no_NO` is `nb_NO`).
pub const LOCALES: &[&str] = &[
    "zh_TW", "cs_CZ", "da_DK", "nl_NL", "fr_FR", "de_DE", "hu_HU", "it_IT", "nb_NO", "pt_BR",
    "pt_PT", "ru_RU", "es_ES", "sv_SE", "tr_TR",
];

/// Which message set: server-side messages and catalog texts, or the admin JavaScript UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Domain {
    Messages,
    Ui,
}

macro_rules! embedded {
    ($($code:literal),* $(,)?) => {
        /// `(locale, messages .po, ui .po)` embedded at build time.
        pub const EMBEDDED: &[(&str, &str, &str)] = &[
            $(($code,
               include_str!(concat!("../../../../../includes/acroniscloud/l10n/", $code, ".po")),
               include_str!(concat!("../../../../../includes/acroniscloud/l10n/ui/", $code, ".po"))),)*
        ];
    };
}

embedded!(
    "zh_TW", "cs_CZ", "da_DK", "nl_NL", "fr_FR", "de_DE", "hu_HU", "it_IT", "nb_NO", "pt_BR",
    "pt_PT", "ru_RU", "es_ES", "sv_SE", "tr_TR",
);

/// The message template (all msgids of the `Messages` domain), embedded for the tests/tools.
pub const POT: &str = include_str!("../../../../../includes/acroniscloud/l10n/acroniscloud.pot");
/// The message template of the `Ui` domain.
pub const UI_POT: &str =
    include_str!("../../../../../includes/acroniscloud/l10n/ui/acroniscloud-ui.pot");

/// Normalises a WHMCS language name (`german`, `portuguese-br`) or a locale code (`de`,
/// `de_DE`, `de-DE`, `no_NO`, `de_DE.UTF-8`) to one of [`LOCALES`]; `None` means English.
pub fn normalize_locale(raw: &str) -> Option<&'static str> {
    let s = raw.trim().to_ascii_lowercase().replace('-', "_");
    let s = s.split(['.', '@']).next().unwrap_or_default();
    let by_name = match s {
        "chinese" | "chinese_tw" | "chinese_traditional" | "chinese_simplified" | "zh" => {
            Some("zh_TW")
        }
        "czech" | "cs" | "cz" => Some("cs_CZ"),
        "danish" | "da" | "dk" => Some("da_DK"),
        "dutch" | "nl" => Some("nl_NL"),
        "french" | "fr" => Some("fr_FR"),
        "german" | "de" => Some("de_DE"),
        "hungarian" | "hu" => Some("hu_HU"),
        "italian" | "it" => Some("it_IT"),
        "norwegian" | "no" | "nb" | "nn" | "no_no" | "nb_no" | "nn_no" => Some("nb_NO"),
        "portuguese_br" | "brazilian" | "pt_br" => Some("pt_BR"),
        "portuguese_pt" | "portuguese" | "pt" | "pt_pt" => Some("pt_PT"),
        "russian" | "ru" => Some("ru_RU"),
        "spanish" | "es" => Some("es_ES"),
        "swedish" | "sv" => Some("sv_SE"),
        "turkish" | "tr" => Some("tr_TR"),
        _ => None,
    };
    if by_name.is_some() {
        return by_name;
    }
    if let Some(exact) = LOCALES.iter().find(|l| l.eq_ignore_ascii_case(s)) {
        return Some(exact);
    }
    // Any other region of a known language (`de_AT`, `fr_CA`, `zh_HK`, `es_MX`).
    match s.split('_').next() {
        Some(lang) if lang != s && !lang.is_empty() => normalize_locale(lang),
        _ => None,
    }
}

/// A compiled `msgid`-pattern: literal pieces around `{n}` placeholders.
#[derive(Debug)]
struct Pattern {
    msgid: String,
    literals: Vec<String>,
    indices: Vec<usize>,
}

impl Pattern {
    fn compile(msgid: &str) -> Option<Pattern> {
        let mut literals = vec![String::new()];
        let mut indices = Vec::new();
        let mut rest = msgid;
        while let Some(open) = rest.find('{') {
            let (before, from) = rest.split_at(open);
            let after = from.get(1..).unwrap_or_default();
            let close = after.find('}')?;
            let (digits, tail) = after.split_at(close);
            let lit = literals.last_mut()?;
            lit.push_str(before);
            match digits.parse::<usize>() {
                Ok(i) => {
                    indices.push(i);
                    literals.push(String::new());
                }
                Err(_) => {
                    lit.push('{');
                    lit.push_str(digits);
                    lit.push('}');
                }
            }
            rest = tail.get(1..).unwrap_or_default();
        }
        literals.last_mut()?.push_str(rest);
        // Adjacent placeholders cannot be told apart.
        let inner = literals.get(1..literals.len().saturating_sub(1))?;
        if indices.is_empty() || inner.iter().any(String::is_empty) {
            return None;
        }
        Some(Pattern {
            msgid: msgid.to_string(),
            literals,
            indices,
        })
    }

    /// The arguments (by placeholder number) when `msg` is an instance of this pattern.
    fn capture(&self, msg: &str) -> Option<Vec<String>> {
        let (first, others) = self.literals.split_first()?;
        let (last, middle) = others.split_last()?;
        let mut rest = msg.strip_prefix(first.as_str())?;
        let mut caught = Vec::new();
        for lit in middle {
            let (arg, tail) = rest.split_once(lit.as_str())?;
            caught.push(arg.to_string());
            rest = tail;
        }
        caught.push(rest.strip_suffix(last.as_str())?.to_string());
        let n = self.indices.iter().max().map_or(0, |m| m + 1);
        let mut args = vec![String::new(); n];
        for (i, v) in self.indices.iter().zip(caught) {
            if let Some(slot) = args.get_mut(*i) {
                *slot = v;
            }
        }
        Some(args)
    }

    fn specificity(&self) -> usize {
        self.literals.iter().map(String::len).sum()
    }
}

#[derive(Debug, Default)]
struct Table {
    map: HashMap<String, String>,
    patterns: Vec<Pattern>,
}

/// Key of a context-qualified message (gettext's `ctxt\u{4}msgid`).
fn key(context: Option<&str>, msgid: &str) -> String {
    match context {
        Some(c) => format!("{c}\u{4}{msgid}"),
        None => msgid.to_string(),
    }
}

impl Table {
    fn from_po(po: &PoFile) -> Table {
        let map: HashMap<String, String> = po
            .translations()
            .into_iter()
            .map(|((c, id), s)| (key(c.as_deref(), &id), s))
            .collect();
        let mut patterns: Vec<Pattern> = po
            .entries
            .iter()
            .filter(|e| e.context.is_none() && map.contains_key(&e.msgid))
            .filter_map(|e| Pattern::compile(&e.msgid))
            .collect();
        patterns.sort_by_key(|p| std::cmp::Reverse(p.specificity()));
        Table { map, patterns }
    }
}

/// Translates msgids for one locale; English (identity) when no translation exists.
#[derive(Debug, Clone, Default)]
pub struct Translator {
    locale: Option<&'static str>,
    table: Arc<Table>,
}

type CacheKey = (&'static str, Domain, Option<(PathBuf, SystemTime)>);
static CACHE: Lazy<Mutex<HashMap<CacheKey, Translator>>> = Lazy::new(Default::default);

impl Translator {
    /// The identity translator.
    pub fn english() -> Translator {
        Translator::default()
    }

    /// Server-side messages for a WHMCS language name or locale code (embedded translations).
    pub fn for_locale(raw: &str) -> Translator {
        Translator::load(raw, Domain::Messages, None)
    }

    /// Translator of `domain` for `raw`; `override_dir` may hold edited `.po` files that win
    /// over the embedded ones (`<dir>/<locale>.po`, `<dir>/ui/<locale>.po`).
    pub fn load(raw: &str, domain: Domain, override_dir: Option<&Path>) -> Translator {
        let Some(code) = normalize_locale(raw) else {
            return Translator::english();
        };
        let file = override_dir.map(|d| match domain {
            Domain::Messages => d.join(format!("{code}.po")),
            Domain::Ui => d.join("ui").join(format!("{code}.po")),
        });
        let stamp = file.and_then(|f| {
            let m = std::fs::metadata(&f).ok()?.modified().ok()?;
            Some((f, m))
        });
        let cache_key: CacheKey = (code, domain, stamp.clone());
        if let Some(t) = CACHE.lock().ok().and_then(|c| c.get(&cache_key).cloned()) {
            return t;
        }
        let from_override = stamp.as_ref().and_then(|(f, _)| {
            let text = std::fs::read_to_string(f)
                .map_err(|e| log::error!("Cannot read translation file {}: {e}", f.display()))
                .ok()?;
            let (t, err) = Translator::from_po(&f.display().to_string(), &text, code);
            match err {
                Some(e) => {
                    log::error!("Invalid translation file, using the built-in one: {e}");
                    None
                }
                None => Some(t),
            }
        });
        let t = from_override.unwrap_or_else(|| Translator::embedded(code, domain));
        if let Ok(mut c) = CACHE.lock() {
            c.insert(cache_key, t.clone());
        }
        t
    }

    fn embedded(code: &'static str, domain: Domain) -> Translator {
        let Some((_, messages, ui)) = EMBEDDED.iter().find(|(c, _, _)| *c == code) else {
            return Translator::english();
        };
        let (name, text) = match domain {
            Domain::Messages => (format!("l10n/{code}.po"), *messages),
            Domain::Ui => (format!("l10n/ui/{code}.po"), *ui),
        };
        let (t, err) = Translator::from_po(&name, text, code);
        if let Some(e) = err {
            log::error!("Invalid built-in translation, using English: {e}");
        }
        t
    }

    /// Translator from `.po` text. A malformed file gives English and the error.
    pub fn from_po(file: &str, text: &str, locale: &str) -> (Translator, Option<PoError>) {
        match po::parse(file, text) {
            Ok(po) => (
                Translator {
                    locale: normalize_locale(locale),
                    table: Arc::new(Table::from_po(&po)),
                },
                None,
            ),
            Err(e) => (Translator::english(), Some(e)),
        }
    }

    /// Canonical locale code; `None` for English.
    pub fn locale(&self) -> Option<&'static str> {
        self.locale
    }

    /// True when nothing will be translated.
    pub fn is_english(&self) -> bool {
        self.table.map.is_empty()
    }

    /// The translation of `msgid`, or `msgid` itself.
    pub fn translate(&self, msgid: &str) -> String {
        self.table
            .map
            .get(msgid)
            .cloned()
            .unwrap_or_else(|| msgid.to_string())
    }

    /// The translation of `msgid` in `context` (`msgctxt`), or `msgid` itself.
    pub fn translate_ctx(&self, context: &str, msgid: &str) -> String {
        self.table
            .map
            .get(&key(Some(context), msgid))
            .cloned()
            .unwrap_or_else(|| msgid.to_string())
    }

    /// Translates `msgid`, then substitutes `{0}`, `{1}`… with `args`.
    pub fn tr(&self, msgid: &str, args: &[&str]) -> String {
        substitute(&self.translate(msgid), args)
    }

    /// Translates an already formatted English message: exact msgids first, then msgids with
    /// placeholders whose literal parts match (the arguments are carried over). Used at the
    /// admin API boundary so rules keep producing English.
    pub fn translate_message(&self, msg: &str) -> String {
        if let Some(t) = self.table.map.get(msg) {
            return t.clone();
        }
        for p in &self.table.patterns {
            if let Some(mut args) = p.capture(msg) {
                // "{0} Details: {1}": the leading part is itself a message.
                if p.literals.first().is_some_and(String::is_empty) {
                    if let Some(head) = args.first_mut() {
                        *head = self.translate_message(head);
                    }
                }
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                return self.tr(&p.msgid, &args);
            }
        }
        msg.to_string()
    }

    /// Every translated `msgid -> msgstr` (sorted), for UI string tables.
    pub fn entries(&self) -> BTreeMap<String, String> {
        self.table
            .map
            .iter()
            .filter(|(k, _)| !k.contains('\u{4}'))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Replaces `{n}` with `args[n]`; unknown placeholders stay as they are.
pub fn substitute(text: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let (before, from) = rest.split_at(open);
        out.push_str(before);
        let after = from.get(1..).unwrap_or_default();
        let arg = after.find('}').and_then(|close| {
            let (digits, tail) = after.split_at(close);
            let i = digits.parse::<usize>().ok()?;
            Some((args.get(i)?, tail.get(1..).unwrap_or_default()))
        });
        match arg {
            Some((a, tail)) => {
                out.push_str(a);
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
