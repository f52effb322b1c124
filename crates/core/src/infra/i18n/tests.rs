//! Localisation tests, plus the msgid extractor that keeps `acroniscloud.pot` in step with the
//! sources and the catalog.
//!
//! Adding a string: write it in English in the code (or the catalog), then run
//! `ACRONISCLOUD_UPDATE_POT=1 cargo test -p acroniscloud-core i18n::` — the `.pot` is
//! regenerated and every `.po` gains the new msgid with an empty msgstr (obsolete ones are
//! dropped); `every_language_is_complete` then lists what the translators must fill in.
//! UI strings are added to `l10n/ui/acroniscloud-ui.pot` by hand and merged the same way.

use super::po::{self, quote, PoFile};
use super::*;
use crate::platform::catalog::catalog;
use std::collections::BTreeSet;

/// Files whose admin-facing messages are msgids (module root = crates/core).
const SOURCES: &[&str] = &[
    "src/rules/templates/validate.rs",
    "src/rules/templates/error.rs",
    "src/features/templates/mod.rs",
    "src/features/admin_api/catalog_actions.rs",
    "src/features/admin_api/dispatch.rs",
    "src/features/json_api/envelope.rs",
    "src/features/json_api/catalog_texts.rs",
    "src/features/json_api/guard.rs",
    "src/features/admin_api/servers.rs",
    "src/features/admin_api/templates.rs",
    "src/rules/config_options.rs",
    "src/features/product_settings.rs",
    "src/platform/server_settings.rs",
    "src/platform/connection.rs",
    "src/platform/error_answer.rs",
    "src/features/client_area/mod.rs",
    "src/features/client_area/client_errors.rs",
    "src/features/client_area/admin_tab.rs",
    "src/features/client_area/notifications.rs",
    "src/features/client_area/usages.rs",
    "src/features/client_area/sso.rs",
    "src/rules/quotas.rs",
    "src/rules/upgrade_rules.rs",
    "src/platform/tenants.rs",
    "src/platform/users.rs",
    "src/platform/messages.rs",
    "src/features/provisioning/messages.rs",
    "src/features/provisioning/mod.rs",
    "src/features/provisioning/contact.rs",
    "src/features/provisioning/input.rs",
    "src/features/migration/mod.rs",
    "src/features/migration/version.rs",
    "src/features/migration/product.rs",
    "src/features/migration/options.rs",
    "src/features/usage/csv_reader.rs",
    "src/features/usage/summarize.rs",
    "src/features/usage/metrics.rs",
    "src/features/usage/mod.rs",
    "src/features/usage/quota_notices/email.rs",
    "src/features/client_area/history.rs",
    "src/features/client_area/history_api.rs",
    "src/features/migration/legacy_editions.rs",
    "src/features/migration/legacy_switch.rs",
    "src/features/admin_api/legacy.rs",
    "src/features/admin_api/service_actions.rs",
    "src/features/client_area/admin_audit.rs",
    "src/features/provisioning/adopt.rs",
    "src/features/provisioning/owner_move.rs",
];

/// Messages the extractor cannot see (built from pieces) that admins do see.
const EXTRA: &[&str] = &[
    "{0} Details: {1}",
    "The selected {0} is invalid. Valid values: {1}",
    "The tenant kind field is required.",
    "The user role field is required.",
    "The mode field is required.",
    "The management mode field is required.",
    "The two factor auth field must be true or false.",
    "The enhanced security field must be true or false.",
    "Template name",
    "Activation method",
    "Send an email message",
    "Require credentials when placing order",
    "Acronis Cyber Cloud addon activated successfully.",
    "Acronis Cyber Cloud addon activated successfully. Templates imported from the previous version: {0}; already present: {1}.",
    "Acronis Cyber Cloud addon deactivated successfully.",
    // The admin service tab's audit trail and adopt form (labels, no full stop).
    "Audit trail",
    "Adopt an existing tenant",
    "Page {0} of {1}",
    "When (UTC)",
    "Change",
    "By",
    "Before → after",
    "Result",
    "admin {0}",
    "Newer",
    "Older",
    "Search tenants by name or ID",
    "Search",
    "Tenant",
    "Administrator user ID (optional)",
    "Only check (dry run)",
    "Adopt tenant",
    "Succeeded",
    "Your Acronis Cyber Cloud service has used {0}% of its {1} quota",
    "Dear {0},",
    "When the quota is used up, new backups or devices may be refused. You can upgrade your service here:",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn l10n_dir() -> PathBuf {
    root().join("../../includes/acroniscloud/l10n")
}

/// String literals of Rust code (comments and `#[cfg(test)]` parts skipped); `format!`
/// arguments (`{}`, `{name}`, `{:?}`) become `{0}`, `{1}`….
fn literals(code: &str) -> Vec<String> {
    let code = code.split("#[cfg(test)]").next().unwrap_or_default();
    let code: String = code
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let a = chars.next();
                if a == Some('\\') {
                    chars.next();
                    chars.next();
                } else if chars.peek() == Some(&'\'') {
                    chars.next();
                }
            }
            '"' => {
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some('n') => s.push('\n'),
                            Some('\n') => {
                                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                                    chars.next();
                                }
                            }
                            Some(o) => s.push(o),
                            None => {}
                        },
                        c => s.push(c),
                    }
                }
                out.push(numbered(&s));
            }
            _ => {}
        }
    }
    out
}

fn numbered(s: &str) -> String {
    let mut out = String::new();
    let mut n = 0;
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let (before, from) = rest.split_at(open);
        out.push_str(before);
        match from.find('}') {
            Some(close) => {
                out.push_str(&format!("{{{n}}}"));
                n += 1;
                rest = from.get(close + 1..).unwrap_or_default();
            }
            None => {
                out.push_str(from);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_message(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.contains(' ')
        && s.ends_with('.')
        && !s.contains('\n')
}

/// `(msgid, reference)` in template order: catalog texts, source messages, extras.
fn msgids() -> Vec<(String, String)> {
    let cat = catalog().unwrap();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |s: &str, r: &str| {
        if !s.is_empty() && !out.iter().any(|(m, _)| m == s) {
            out.push((s.to_string(), r.to_string()));
        }
    };
    let c = "catalog/catalog.yaml";
    for a in &cat.applications {
        add(&a.title, c);
        add(a.description.as_deref().unwrap_or_default(), c);
    }
    for e in &cat.editions {
        add(&e.title, c);
        add(e.description.as_deref().unwrap_or_default(), c);
    }
    for o in &cat.offering_items {
        add(&o.friendly_name, c);
        add(&o.configurable_option.friendly_name, c);
        add(&o.configurable_option.measurement_unit_name, c);
    }
    for f in &cat.custom_fields {
        add(&f.friendly_name, c);
        add(&f.description, c);
    }
    for n in &cat.notifications {
        add(&n.title, c);
    }
    for m in &cat.billing_metrics {
        add(&m.display_name, c);
    }
    for file in SOURCES {
        let code = std::fs::read_to_string(root().join(file)).unwrap();
        for lit in literals(&code).into_iter().filter(|s| is_message(s)) {
            add(&lit, &format!("crates/core/{file}"));
        }
    }
    for e in EXTRA {
        add(e, "crates/core/src/infra/i18n/tests.rs");
    }
    out
}

fn header(language: &str) -> String {
    format!(
        "msgid \"\"\nmsgstr \"\"\n\"Project-Id-Version: acroniscloud\\n\"\n\"Language: {language}\\n\"\n\"MIME-Version: 1.0\\n\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\"Content-Transfer-Encoding: 8bit\\n\"\n"
    )
}

fn render(language: &str, entries: &[(String, String, Vec<String>, String)]) -> String {
    let mut out = header(language);
    for (msgid, reference, flags, msgstr) in entries {
        out.push('\n');
        if !reference.is_empty() {
            out.push_str(&format!("#: {reference}\n"));
        }
        if !flags.is_empty() {
            out.push_str(&format!("#, {}\n", flags.join(", ")));
        }
        out.push_str(&format!(
            "msgid {}\nmsgstr {}\n",
            quote(msgid),
            quote(msgstr)
        ));
    }
    out
}

fn read_po(path: &Path) -> PoFile {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    po::parse(&path.display().to_string(), &text).unwrap()
}

/// Rewrites `<dir>/<locale>.po` with exactly the template's msgids, keeping translations.
fn merge(dir: &Path, template: &[(String, String)]) {
    for code in LOCALES {
        let path = dir.join(format!("{code}.po"));
        let old = read_po(&path);
        let entries: Vec<_> = template
            .iter()
            .map(|(id, r)| {
                let prev = old.entries.iter().find(|e| &e.msgid == id);
                (
                    id.clone(),
                    r.clone(),
                    prev.map(|e| e.flags.clone()).unwrap_or_default(),
                    prev.map(|e| e.msgstr.clone()).unwrap_or_default(),
                )
            })
            .collect();
        std::fs::write(&path, render(code, &entries)).unwrap();
    }
}

fn ui_template() -> Vec<(String, String)> {
    read_po(&l10n_dir().join("ui/acroniscloud-ui.pot"))
        .entries
        .into_iter()
        .map(|e| (e.msgid, String::new()))
        .collect()
}

#[test]
fn pot_is_up_to_date_with_sources_and_catalog() {
    let ids = msgids();
    let pot_entries: Vec<_> = ids
        .iter()
        .map(|(m, r)| (m.clone(), r.clone(), vec![], String::new()))
        .collect();
    let text = render("", &pot_entries);
    if std::env::var_os("ACRONISCLOUD_UPDATE_POT").is_some() {
        std::fs::write(l10n_dir().join("acroniscloud.pot"), &text).unwrap();
        merge(&l10n_dir(), &ids);
        merge(&l10n_dir().join("ui"), &ui_template());
        return;
    }
    let pot = po::parse("acroniscloud.pot", POT).unwrap();
    let have: BTreeSet<&str> = pot.entries.iter().map(|e| e.msgid.as_str()).collect();
    let want: BTreeSet<&str> = ids.iter().map(|(m, _)| m.as_str()).collect();
    let missing: Vec<_> = want.difference(&have).collect();
    let obsolete: Vec<_> = have.difference(&want).collect();
    assert!(
        missing.is_empty() && obsolete.is_empty(),
        "acroniscloud.pot is out of date (run ACRONISCLOUD_UPDATE_POT=1 cargo test -p acroniscloud-core i18n::)\nmissing: {missing:#?}\nobsolete: {obsolete:#?}"
    );
    assert_eq!(
        POT, text,
        "acroniscloud.pot order/format drifted; regenerate it"
    );
}

/// Languages whose `.po` files exist but are not translated yet (they fall back to English).
/// `every_language_is_complete` fails for any problem in another language, and fails when a
/// pending language has become complete so this list only shrinks.
const PENDING: &[&str] = &[];

/// `(locale, problems)`: msgids missing, empty or identical to English without the
/// `same-as-source` flag (product names, abbreviations), plus placeholder mismatches.
fn problems(template: &str, domain: Domain) -> Vec<String> {
    let pot = po::parse("template", template).unwrap();
    let mut out = Vec::new();
    for (code, messages, ui) in EMBEDDED {
        let text = if domain == Domain::Messages {
            messages
        } else {
            ui
        };
        let file = format!("{code}.po");
        let before = out.len();
        let po = match po::parse(&file, text) {
            Ok(p) => p,
            Err(e) => {
                out.push(e.to_string());
                continue;
            }
        };
        for want in &pot.entries {
            let Some(e) = po.entries.iter().find(|e| e.msgid == want.msgid) else {
                out.push(format!("{code}: missing {:?}", want.msgid));
                continue;
            };
            if e.msgstr.trim().is_empty() {
                out.push(format!("{code}: untranslated {:?}", e.msgid));
            } else if e.msgstr == e.msgid && !e.flags.iter().any(|f| f == "same-as-source") {
                out.push(format!("{code}: copy of English {:?}", e.msgid));
            } else if e.flags.iter().any(|f| f == "fuzzy") {
                out.push(format!("{code}: fuzzy {:?}", e.msgid));
            }
            for i in 0..4 {
                if e.msgstr.is_empty() {
                    break;
                }
                let p = format!("{{{i}}}");
                if e.msgid.contains(&p) != e.msgstr.contains(&p) {
                    out.push(format!("{code}: placeholder {p} mismatch in {:?}", e.msgid));
                }
            }
        }
        // `I18N_CHECK=cs_CZ,da_DK` checks pending languages too (for translators at work).
        let forced = std::env::var("I18N_CHECK").unwrap_or_default();
        if PENDING.contains(code) && !forced.split(',').any(|c| c.trim() == *code) {
            if out.len() == before {
                out.push(format!("{code}: complete now, remove it from PENDING"));
            } else {
                eprintln!("{code}: {} untranslated (pending)", out.len() - before);
                out.truncate(before);
            }
        }
    }
    out
}

#[test]
fn every_language_is_complete() {
    let p = problems(POT, Domain::Messages);
    assert!(p.is_empty(), "{} problems:\n{}", p.len(), p.join("\n"));
}

#[test]
fn every_language_has_the_ui_strings() {
    let p = problems(UI_POT, Domain::Ui);
    assert!(p.is_empty(), "{} problems:\n{}", p.len(), p.join("\n"));
}

#[test]
fn extractor_sees_format_messages_as_placeholders() {
    let code = "fn f() { Err(format!(\"Please specify Hostname for server {who}.\")) }\n// \"Ignored comment.\"\n#[cfg(test)]\nmod t { const X: &str = \"Not a message.\"; }";
    assert_eq!(literals(code), ["Please specify Hostname for server {0}."]);
    assert_eq!(literals("let c = '\"'; let s = \"A b.\";"), ["A b."]);
    let ids: Vec<String> = msgids().into_iter().map(|(m, _)| m).collect();
    for must in [
        "Invalid template data.",
        "Server ID must be present.",
        "Please specify Hostname for server {0}.",
        "The name field is required.",
        "Cannot connect over insecure channel. Please, enable the SSL Mode for Connections bellow.",
        "Cyber Protection",
        "Quota overuse",
    ] {
        assert!(ids.iter().any(|m| m == must), "{must}");
    }
}

#[test]
fn locales_normalise_from_whmcs_names_and_codes() {
    for (raw, want) in [
        ("english", None),
        ("German", Some("de_DE")),
        ("de", Some("de_DE")),
        ("de_DE", Some("de_DE")),
        ("de-DE", Some("de_DE")),
        ("de_AT", Some("de_DE")),
        ("de_DE.UTF-8", Some("de_DE")),
        ("french", Some("fr_FR")),
        ("dutch", Some("nl_NL")),
        ("norwegian", Some("nb_NO")),
        ("no_NO", Some("nb_NO")),
        ("nb", Some("nb_NO")),
        ("portuguese-br", Some("pt_BR")),
        ("portuguese-pt", Some("pt_PT")),
        ("pt-BR", Some("pt_BR")),
        ("chinese", Some("zh_TW")),
        ("chinese-tw", Some("zh_TW")),
        ("zh_TW", Some("zh_TW")),
        ("czech", Some("cs_CZ")),
        ("danish", Some("da_DK")),
        ("hungarian", Some("hu_HU")),
        ("italian", Some("it_IT")),
        ("russian", Some("ru_RU")),
        ("spanish", Some("es_ES")),
        ("swedish", Some("sv_SE")),
        ("turkish", Some("tr_TR")),
        ("klingon", None),
        ("", None),
        ("en_US", None),
    ] {
        assert_eq!(normalize_locale(raw), want, "{raw}");
    }
}

#[test]
fn embedded_translations_and_english_fallback() {
    let de = Translator::for_locale("german");
    assert_eq!(de.locale(), Some("de_DE"));
    assert_eq!(de.translate("Cyber Protection"), "Cyber Protection");
    assert_eq!(de.translate("Quota overuse"), "Kontingentüberschreitung");
    assert_eq!(de.translate("No such msgid"), "No such msgid");
    let en = Translator::for_locale("klingon");
    assert!(en.is_english());
    assert_eq!(en.translate("Quota overuse"), "Quota overuse");
    assert_eq!(
        en.tr("Please specify Hostname for server {0}.", &["7"]),
        "Please specify Hostname for server 7."
    );
    for code in LOCALES.iter().filter(|c| !PENDING.contains(c)) {
        assert!(!Translator::for_locale(code).is_english(), "{code}");
    }
}

#[test]
fn placeholders_are_substituted_after_translation() {
    let (t, err) = Translator::from_po(
        "t.po",
        "msgid \"Server {0} of {1}.\"\nmsgstr \"{1}: Server {0}.\"\n",
        "de",
    );
    assert!(err.is_none());
    assert_eq!(t.tr("Server {0} of {1}.", &["a", "{0}"]), "{0}: Server a.");
    assert_eq!(substitute("x {5} {y} {", &["a"]), "x {5} {y} {");
    assert_eq!(t.translate_message("Server 3 of EU2."), "EU2: Server 3.");
    assert_eq!(t.translate_message("Other."), "Other.");
}

#[test]
fn formatted_messages_translate_at_the_boundary() {
    let de = Translator::for_locale("de_DE");
    let m = de.translate_message("Please specify Hostname for server 7.");
    assert!(
        m.contains('7') && m != "Please specify Hostname for server 7.",
        "{m}"
    );
    let m = de.translate_message(
        "Offering item has no meta information. Details: {\"application\":\"backup\"}",
    );
    assert!(
        m.ends_with("{\"application\":\"backup\"}") && !m.starts_with("Offering"),
        "{m}"
    );
    let m = de.translate_message("The selected tenant kind is invalid. Valid values: a, b");
    assert!(m.ends_with("a, b") && !m.starts_with("The"), "{m}");
}

#[test]
fn malformed_files_fall_back_to_english() {
    let (t, err) = Translator::from_po("bad.po", "msgid \"A\"\nmsgstr \"B\n", "de");
    let err = err.unwrap();
    assert_eq!((err.file.as_str(), err.line), ("bad.po", 2));
    assert!(t.is_english());
    assert_eq!(t.translate("A"), "A");
}

#[test]
fn override_directory_wins_and_malformed_override_keeps_builtin() {
    let dir = std::env::temp_dir().join(format!("acroniscloud-l10n-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("ui")).unwrap();
    std::fs::write(
        dir.join("cs_CZ.po"),
        "msgid \"Quota overuse\"\nmsgstr \"Dépassement (édité)\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("ui/cs_CZ.po"),
        "msgid \"Save\"\nmsgstr \"Garder\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("de_DE.po"), "msgid \"Quota overuse\n").unwrap();
    let fr = Translator::load("czech", Domain::Messages, Some(&dir));
    assert_eq!(fr.translate("Quota overuse"), "Dépassement (édité)");
    let ui = Translator::load("cs", Domain::Ui, Some(&dir));
    assert_eq!(ui.translate("Save"), "Garder");
    let it = Translator::load("german", Domain::Messages, Some(&dir));
    assert_eq!(
        it.translate("Quota overuse"),
        Translator::for_locale("de").translate("Quota overuse")
    );
    assert_ne!(it.translate("Quota overuse"), "Quota overuse");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// msgids of `t('…')` / `t("…")` / ``t(`…`)`` calls in the admin JavaScript app.
fn js_msgids(js: &str) -> Vec<String> {
    let b = js.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(pos) = js[i..].find("t(") {
        let at = i + pos;
        i = at + 2;
        let prev = if at == 0 { b' ' } else { b[at - 1] };
        if prev.is_ascii_alphanumeric() || prev == b'_' || prev == b'.' || prev == b'$' {
            continue;
        }
        let mut j = at + 2;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let Some(&q) = b.get(j) else { break };
        if q != b'\'' && q != b'"' && q != b'`' {
            continue;
        }
        let mut bytes = Vec::new();
        let mut k = j + 1;
        while k < b.len() && b[k] != q {
            if b[k] == b'\\' && k + 1 < b.len() {
                k += 1;
            }
            bytes.push(b[k]);
            k += 1;
        }
        let s = String::from_utf8_lossy(&bytes).into_owned();
        if !s.is_empty() {
            out.push(s);
        }
        i = k + 1;
    }
    out
}

#[test]
fn client_js_strings_are_in_the_ui_template() {
    let js = include_str!("../../../../../modules/servers/acroniscloud/assets/client.js");
    let ui = po::parse("ui.pot", UI_POT).unwrap();
    let known: std::collections::HashSet<&str> =
        ui.entries.iter().map(|e| e.msgid.as_str()).collect();
    let mut ids = js_msgids(js);
    // Texts picked from tables by key (error codes, billing cycles, statuses, resource types)
    // are quoted values.
    for table in ["API_ERRORS", "CYCLES", "STATUSES", "RESOURCE_GROUPS"] {
        let start = js.find(&format!("const {table} = {{")).unwrap();
        let body = &js[start..start + js[start..].find("};").unwrap()];
        ids.extend(body.split('\'').skip(1).step_by(2).map(str::to_string));
    }
    assert!(
        ids.len() > 40,
        "the extractor finds the page strings ({})",
        ids.len()
    );
    let missing: Vec<&String> = ids.iter().filter(|m| !known.contains(m.as_str())).collect();
    assert!(
        missing.is_empty(),
        "client.js strings missing from ui/acroniscloud-ui.pot:\n{missing:#?}"
    );
}

#[test]
fn admin_js_strings_are_in_the_templates() {
    let js = include_str!("../../../../../modules/addons/acroniscloud/assets/admin.js");
    let ui = po::parse("ui.pot", UI_POT).unwrap();
    let messages = po::parse("messages.pot", POT).unwrap();
    let known: std::collections::HashSet<&str> = ui
        .entries
        .iter()
        .chain(messages.entries.iter())
        .map(|e| e.msgid.as_str())
        .collect();
    let ids = js_msgids(js);
    assert!(
        ids.len() > 50,
        "the extractor finds the UI strings ({})",
        ids.len()
    );
    let missing: Vec<&String> = ids.iter().filter(|m| !known.contains(m.as_str())).collect();
    assert!(
        missing.is_empty(),
        "admin.js strings missing from ui/acroniscloud-ui.pot:\n{missing:#?}"
    );
}
