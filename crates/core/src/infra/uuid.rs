//! UUID shape checks: the platform only accepts lower-case 8-4-4-4-12 ids (docs/platform-calls.md).

use crate::infra::error::{Error, Result};

pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
        })
}

pub fn require(s: &str, what: &str) -> Result<()> {
    if is_uuid(s) {
        Ok(())
    } else {
        Err(Error::validation(format!(
            "Invalid {what} \"{s}\": expected a lower-case UUID."
        )))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn shapes() {
        assert!(super::is_uuid("3f1c9a52-6b0e-4d8a-9c1e-0a5b7d2e4f10"));
        assert!(!super::is_uuid("3F1C9A52-6B0E-4D8A-9C1E-0A5B7D2E4F10"));
        assert!(!super::is_uuid("3f1c9a52-6b0e-4d8a-9c1e-0a5b7d2e4f1"));
        assert!(!super::is_uuid("3f1c9a526b0e-4d8a-9c1e-0a5b7d2e4f10-"));
    }
}
