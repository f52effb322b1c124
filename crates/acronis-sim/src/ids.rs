//! Identifier helpers: UUID formatting, deterministic ids for seed objects and
//! random-looking (but seeded) ids and tokens for objects created at run time.

use base64::Engine;
use rand::RngCore;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// Formats 16 bytes as a lower-case version-4 style UUID (the platform's shape).
pub fn uuid_from_bytes(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Stable UUID derived from a label, so seed ids survive restarts and resets.
pub fn stable_uuid(label: &str) -> String {
    let d = Sha256::digest(label.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    uuid_from_bytes(b)
}

/// Stable hex string (e.g. a client secret) derived from a label.
pub fn stable_hex(label: &str, len: usize) -> String {
    let d = Sha256::digest(label.as_bytes());
    d.iter().map(|x| format!("{x:02x}")).collect::<String>()[..len.min(64)].to_string()
}

/// Next UUID from the DC's seeded generator.
pub fn random_uuid(rng: &mut ChaCha8Rng) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    uuid_from_bytes(b)
}

pub fn random_hex(rng: &mut ChaCha8Rng, bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// JWT-shaped opaque token (`header.payload.signature`); only the simulator
/// interprets it, by lookup, never by decoding.
pub fn jwt_like(rng: &mut ChaCha8Rng, sub: &str, exp: i64, serial: u64) -> String {
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = e.encode(br#"{"alg":"RS256","typ":"JWT","kid":"acronis-sim"}"#);
    let payload = e.encode(
        serde_json::json!({"sub": sub, "exp": exp, "jti": random_hex(rng, 8), "n": serial, "iss": "acronis-sim"})
            .to_string(),
    );
    let mut sig = [0u8; 48];
    rng.fill_bytes(&mut sig);
    format!("{header}.{payload}.{}", e.encode(sig))
}

/// True for a lower-case or upper-case 8-4-4-4-12 hex UUID of exactly 36 chars.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

pub fn password_hash(salt: &str, password: &str) -> String {
    let d = Sha256::digest(format!("{salt}\u{0}{password}").as_bytes());
    d.iter().map(|x| format!("{x:02x}")).collect()
}
