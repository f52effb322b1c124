//! Language of the tenant and its user (docs/behaviour.md §B.2): the client's WHMCS locale,
//! normalised to the platform's `ll_CC` spelling.

/// Used when the client's locale is empty or unusable.
pub const DEFAULT_LOCALE: &str = "en_US";

/// `-` → `_`, language lower-case (`no` → `nb`, the platform's Norwegian), country upper-case:
/// `de-DE` → `de_DE`, `no_NO` → `nb_NO`, `fr` → `fr`; empty or malformed → `en_US`.
pub fn normalise(locale: &str) -> String {
    let locale = locale.trim().replace('-', "_");
    let mut parts = locale.splitn(2, '_');
    let lang = parts.next().unwrap_or_default().to_ascii_lowercase();
    let country = parts.next().unwrap_or_default().to_ascii_uppercase();
    let letters = |s: &str| s.chars().all(|c| c.is_ascii_alphabetic());
    if lang.is_empty() || !letters(&lang) || lang.len() > 3 || !letters(&country) {
        return DEFAULT_LOCALE.to_string();
    }
    let lang = if lang == "no" { "nb".to_string() } else { lang };
    if country.is_empty() {
        lang
    } else {
        format!("{lang}_{country}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_examples() {
        assert_eq!(normalise("de-DE"), "de_DE");
        assert_eq!(normalise("de_DE"), "de_DE");
        assert_eq!(normalise("no_NO"), "nb_NO");
        assert_eq!(normalise("PT-br"), "pt_BR");
        assert_eq!(normalise("fr"), "fr");
    }

    #[test]
    fn empty_or_odd_is_english() {
        assert_eq!(normalise(""), "en_US");
        assert_eq!(normalise("  "), "en_US");
        assert_eq!(normalise("english"), "en_US");
        assert_eq!(normalise("de_1"), "en_US");
    }
}
