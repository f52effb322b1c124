//! The quota notice's WHMCS e-mail template, in English (the default, `language` empty) and in
//! every language the module speaks. WHMCS picks the row whose `language` is the client's and
//! falls back to the default, so a German client reads a German notice. The glue only stores
//! the rows (never over an existing one: an admin's edits stay).
//!
//! The texts are messages of the module's catalogue with `{0}`… placeholders; the WHMCS merge
//! fields (`{$client_name}`, `{$acronis_threshold}`, …) are put in their place here, so a
//! translator never edits Smarty syntax.

use crate::infra::i18n::Translator;
use crate::infra::markup::escape;
use serde::Serialize;

/// WHMCS's language names (its `lang/` files) of the module's translations.
pub const WHMCS_LANGUAGES: &[&str] = &[
    "chinese",
    "czech",
    "danish",
    "dutch",
    "french",
    "german",
    "hungarian",
    "italian",
    "norwegian",
    "portuguese-br",
    "portuguese-pt",
    "russian",
    "spanish",
    "swedish",
    "turkish",
];

/// One row of `tblemailtemplates` (the name and type are the glue's).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmailTemplate {
    /// WHMCS language name; empty for the default (English) template.
    pub language: String,
    pub subject: String,
    /// HTML.
    pub message: String,
}

/// The default template, then one per language of [`WHMCS_LANGUAGES`].
pub fn templates() -> Vec<EmailTemplate> {
    std::iter::once(template("", &Translator::english()))
        .chain(
            WHMCS_LANGUAGES
                .iter()
                .map(|l| template(l, &Translator::for_locale(l))),
        )
        .collect()
}

fn template(language: &str, t: &Translator) -> EmailTemplate {
    let subject = t.tr(
        "Your Acronis Cyber Cloud service has used {0}% of its {1} quota",
        &["{$acronis_threshold}", "{$acronis_metric_name}"],
    );
    let dear = t.tr("Dear {0},", &["{$client_name}"]);
    let reached = t.tr(
        "Your Acronis Cyber Cloud service #{0} has reached {1}% of its {2} quota: {3} of {4} {5} used (on {6}).",
        &[
            "{$service_id}",
            "{$acronis_threshold}",
            "{$acronis_metric_name}",
            "{$acronis_usage}",
            "{$acronis_quota}",
            "{$acronis_unit}",
            "{$acronis_date}",
        ],
    );
    let upgrade = t.translate(
        "When the quota is used up, new backups or devices may be refused. You can upgrade your service here:",
    );
    let message = format!(
        "<p>{}</p>\n<p>{}</p>\n<p>{}\n<a href=\"{{$acronis_upgrade_url}}\">{{$acronis_upgrade_url}}</a></p>\n<p>{{$signature}}</p>\n",
        escape(&dear),
        escape(&reached),
        escape(&upgrade),
    );
    EmailTemplate {
        language: language.to_string(),
        subject,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_default_and_one_per_language_all_with_the_merge_fields() {
        let list = templates();
        assert_eq!(list.len(), 1 + WHMCS_LANGUAGES.len());
        assert_eq!(list[0].language, "");
        assert_eq!(
            list[0].subject,
            "Your Acronis Cyber Cloud service has used {$acronis_threshold}% of its {$acronis_metric_name} quota"
        );
        for t in &list {
            for field in [
                "{$client_name}",
                "{$acronis_usage}",
                "{$acronis_upgrade_url}",
                "{$signature}",
            ] {
                assert!(t.message.contains(field), "{}: {field}", t.language);
            }
            assert!(t.subject.contains("{$acronis_threshold}"), "{}", t.language);
        }
        let german = list.iter().find(|t| t.language == "german").unwrap();
        assert_ne!(german.subject, list[0].subject, "translated");
    }
}
