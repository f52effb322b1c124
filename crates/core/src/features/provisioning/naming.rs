//! Display name of a service's tenant (docs/behaviour.md §B.2): the client's company, else
//! "first last"; made unique among the root tenant's children with a ` /N` suffix.

use crate::features::provisioning::input::ClientDetails;

/// `companyname` when set, else `"<firstname> <lastname>"`, trimmed.
pub fn base_name(client: &ClientDetails) -> String {
    let company = client.companyname.trim();
    if !company.is_empty() {
        return company.to_string();
    }
    format!("{} {}", client.firstname.trim(), client.lastname.trim())
        .trim()
        .to_string()
}

/// The suffix number when `name` is `base` (0) or `base /<digits>`, case-insensitively.
pub fn suffix_number(name: &str, base: &str) -> Option<u64> {
    let name = name.to_lowercase();
    let base = base.to_lowercase();
    let rest = name.strip_prefix(&base)?;
    if rest.is_empty() {
        return Some(0);
    }
    let digits = rest.strip_prefix(" /")?;
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// True when an existing tenant name still fits the client (kept on update).
pub fn matches(name: &str, base: &str) -> bool {
    suffix_number(name, base).is_some()
}

/// `base`, or `base /<max+1>` when siblings already use the name (a bare match counts as 0).
pub fn unique_name<'a>(base: &str, siblings: impl IntoIterator<Item = &'a str>) -> String {
    match siblings
        .into_iter()
        .filter_map(|s| suffix_number(s, base))
        .max()
    {
        Some(max) => format!("{base} /{}", max.saturating_add(1)),
        None => base.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_examples() {
        assert_eq!(
            unique_name("Acme Ltd", ["Acme Ltd", "acme ltd /2", "Acme Ltd Group"]),
            "Acme Ltd /3"
        );
        assert_eq!(unique_name("Acme", ["acme"]), "Acme /1");
        assert_eq!(unique_name("Acme", ["Other", "Acme /x", "Acme /"]), "Acme");
        assert_eq!(unique_name("Acme", std::iter::empty()), "Acme");
    }

    #[test]
    fn names_from_the_client() {
        let mut c = ClientDetails {
            firstname: " John ".into(),
            lastname: "Smith".into(),
            ..ClientDetails::default()
        };
        assert_eq!(base_name(&c), "John Smith");
        c.companyname = " Acme Ltd ".into();
        assert_eq!(base_name(&c), "Acme Ltd");
    }

    #[test]
    fn kept_names() {
        assert!(matches("Acme Ltd /3", "Acme Ltd"));
        assert!(matches("ACME LTD", "Acme Ltd"));
        assert!(!matches("Acme Ltd Group", "Acme Ltd"));
        assert!(!matches("Acme Ltd /3a", "Acme Ltd"));
    }
}
