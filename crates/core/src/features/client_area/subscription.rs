//! `get_subscription` (docs/behaviour.md §E.2): WHMCS service data formatted for the page.

use serde_json::{json, Value};

/// What WHMCS knows about the service's billing (the PHP glue reads it).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default)]
pub struct Billing {
    pub product_name: String,
    /// `tblhosting.domainstatus` (`Active`, `Suspended`…).
    pub status: String,
    pub regdate: String,
    pub next_due_date: String,
    /// `tblhosting.billingcycle` as stored (`Monthly`, `Free Account`, `One Time`…).
    pub billing_cycle: String,
    pub amount: String,
    pub currency_code: String,
    /// Display name of the payment gateway.
    pub payment_method: String,
}

/// WHMCS date (`YYYY-MM-DD`, optionally with a time) as `YYYY-MM-DDTHH:MM:SSZ`; empty for
/// WHMCS's zero date or anything unreadable.
pub fn iso_date(raw: &str) -> String {
    let raw = raw.trim();
    let parsed = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S").or_else(|_| {
        chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(|d| d.and_time(chrono::NaiveTime::MIN))
    });
    match parsed {
        Ok(t) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Err(_) => String::new(),
    }
}

/// Billing cycle as the page's translation key (J.2 #14): `free`, `onetime`, `monthly`,
/// `quarterly`, `semiannually`, `annually`, `biennially`, `triennially`; other values are
/// lower-cased without spaces and dashes.
pub fn cycle_key(raw: &str) -> String {
    let key: String = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    match key.as_str() {
        "freeaccount" => "free".into(),
        _ => key,
    }
}

pub fn subscription(b: &Billing) -> Value {
    json!({
        "name": b.product_name,
        "status": b.status.trim().to_lowercase(),
        "registration_date": iso_date(&b.regdate),
        "due_date": iso_date(&b.next_due_date),
        "billing_cycle": cycle_key(&b.billing_cycle),
        "billing_amount": b.amount,
        "billing_currency": b.currency_code,
        "payment_method": b.payment_method,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l63_subscription_with_lower_case_cycle() {
        let b = Billing {
            product_name: "Acronis PW 100".into(),
            status: "Active".into(),
            regdate: "2024-01-15".into(),
            next_due_date: "2024-02-15".into(),
            billing_cycle: "Monthly".into(),
            amount: "25.00".into(),
            currency_code: "EUR".into(),
            payment_method: "Bank Transfer".into(),
        };
        assert_eq!(
            subscription(&b),
            json!({"name":"Acronis PW 100","status":"active","registration_date":"2024-01-15T00:00:00Z",
                "due_date":"2024-02-15T00:00:00Z","billing_cycle":"monthly","billing_amount":"25.00",
                "billing_currency":"EUR","payment_method":"Bank Transfer"})
        );
    }

    #[test]
    fn cycles_and_dates() {
        for (raw, key) in [
            ("Free Account", "free"),
            ("One Time", "onetime"),
            ("Semi-Annually", "semiannually"),
            ("Triennially", "triennially"),
            ("Quarterly", "quarterly"),
        ] {
            assert_eq!(cycle_key(raw), key);
        }
        assert_eq!(iso_date("0000-00-00"), "");
        assert_eq!(iso_date(""), "");
        assert_eq!(iso_date("2024-05-06 10:11:12"), "2024-05-06T10:11:12Z");
    }
}
