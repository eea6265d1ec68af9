//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, six
//! digits), the second factor authenticator apps speak.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

/// A new secret as base32, for the authenticator app.
pub fn new_secret() -> String {
    let mut s = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut s);
    BASE32_NOPAD.encode(&s)
}

/// The `otpauth://` address a QR code carries.
pub fn uri(secret: &str, account: &str) -> String {
    format!("otpauth://totp/gongyi:{account}?secret={secret}&issuer=gongyi&digits=6&period=30")
}

/// The code of step `counter` (RFC 4226).
fn hotp(key: &[u8], counter: u64) -> u32 {
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(&counter.to_be_bytes());
    let d = mac.finalize().into_bytes();
    let o = usize::from(d[19] & 0x0f);
    let bin = u32::from_be_bytes([d[o] & 0x7f, d[o + 1], d[o + 2], d[o + 3]]);
    bin % 1_000_000
}

/// Whether `code` is right at `unix_seconds`, allowing one step of clock drift.
pub fn check(secret: &str, code: &str, unix_seconds: i64) -> bool {
    let Ok(key) = BASE32_NOPAD.decode(secret.trim_end_matches('=').as_bytes()) else {
        return false;
    };
    let Ok(code) = code.trim().parse::<u32>() else {
        return false;
    };
    let step = unix_seconds.div_euclid(30);
    (-1..=1).any(|d| u64::try_from(step + d).is_ok_and(|c| hotp(&key, c) == code))
}

/// The code at `unix_seconds` (tests and the demo).
pub fn code_at(secret: &str, unix_seconds: i64) -> Option<String> {
    let key = BASE32_NOPAD.decode(secret.as_bytes()).ok()?;
    let step = u64::try_from(unix_seconds.div_euclid(30)).ok()?;
    Some(format!("{:06}", hotp(&key, step)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vectors() {
        // The RFC's secret "12345678901234567890", six-digit codes.
        let secret = BASE32_NOPAD.encode(b"12345678901234567890");
        for (t, code) in [
            (59, "287082"),
            (1111111109, "081804"),
            (1234567890, "005924"),
            (2000000000, "279037"),
        ] {
            assert_eq!(code_at(&secret, t).as_deref(), Some(code), "t={t}");
            assert!(check(&secret, code, t));
        }
        assert!(!check(&secret, "287083", 59));
        assert!(check(&secret, "287082", 59 + 30), "one step of drift");
        assert!(!check(&secret, "287082", 59 + 90));
    }
}
