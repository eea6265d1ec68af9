//! The secret keys: one 32-byte master key from configuration (or a key file),
//! from which separate keys are derived for sealing personal data
//! (AES-256-GCM), for lookups by keyed hash (HMAC-SHA256), and for chaining the
//! audit trail. A database copy without the key reveals no ID number or phone,
//! cannot be searched by guessing numbers, and cannot have its audit chain rebuilt.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use data_encoding::{BASE64, HEXLOWER};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::fmt;
use std::sync::Arc;

type HmacSha256 = Hmac<Sha256>;

/// Why a key could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("密钥应为 64 位十六进制字符(32 字节)")]
    BadMaster,
    #[error("密文已损坏或不是用本密钥加密的")]
    BadSealed,
}

struct Inner {
    seal: Aes256Gcm,
    lookup: [u8; 32],
    audit: [u8; 32],
    login_form: [u8; 32],
    bids: [u8; 32],
}

/// The derived keys; cheap to clone; `Debug` shows nothing secret.
#[derive(Clone)]
pub struct Keys(Arc<Inner>);

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keys(***)")
    }
}

fn derive(master: &[u8; 32], label: &str) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

impl Keys {
    pub fn from_master(master: &[u8; 32]) -> Keys {
        let seal = derive(master, "gongyi/personal-data/aes-256-gcm");
        Keys(Arc::new(Inner {
            seal: Aes256Gcm::new(&seal.into()),
            lookup: derive(master, "gongyi/personal-data/lookup"),
            audit: derive(master, "gongyi/audit/chain"),
            login_form: derive(master, "gongyi/login/anti-forgery"),
            bids: derive(master, "gongyi/bids/root"),
        }))
    }

    /// From 64 hex characters (surrounding white space ignored), as kept in a key file.
    pub fn from_hex(text: &str) -> Result<Keys, KeyError> {
        let bytes = HEXLOWER
            .decode(text.trim().to_ascii_lowercase().as_bytes())
            .map_err(|_| KeyError::BadMaster)?;
        let master: [u8; 32] = bytes.try_into().map_err(|_| KeyError::BadMaster)?;
        Ok(Keys::from_master(&master))
    }

    /// A new random master key as hex, for `gongyi key generate` and first runs.
    pub fn generate_hex() -> String {
        let mut m = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut m);
        HEXLOWER.encode(&m)
    }

    /// A fixed key for this crate's unit tests: data sealed with it is
    /// readable by anyone, so no build but the tests has it.
    #[cfg(test)]
    pub fn for_tests() -> Keys {
        Keys::from_master(&[7u8; 32])
    }

    /// Encrypts `plain` as `v1:` + base64(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = self
            .0
            .seal
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .expect("AES-GCM encryption of a short text cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!("v1:{}", BASE64.encode(&out))
    }

    /// Decrypts what [`Keys::seal`] produced.
    pub fn open(&self, sealed: &str) -> Result<String, KeyError> {
        let raw = sealed
            .strip_prefix("v1:")
            .and_then(|b| BASE64.decode(b.as_bytes()).ok())
            .filter(|r| r.len() > 12)
            .ok_or(KeyError::BadSealed)?;
        let (nonce, ct) = raw.split_at(12);
        let plain = self
            .0
            .seal
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| KeyError::BadSealed)?;
        String::from_utf8(plain).map_err(|_| KeyError::BadSealed)
    }

    /// The keyed hash that finds a value without decrypting every row
    /// (`kind` separates ID numbers from phones).
    pub fn lookup(&self, kind: &str, value: &str) -> String {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.0.lookup).expect("HMAC takes any key length");
        mac.update(kind.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        HEXLOWER.encode(&mac.finalize().into_bytes())
    }

    /// The tag that makes a login form's anti-forgery token ours: a token
    /// nobody but this server (and its siblings on the same key) could have issued.
    pub fn login_form_tag(&self, body: &str) -> String {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0.login_form)
            .expect("HMAC takes any key length");
        mac.update(body.as_bytes());
        HEXLOWER.encode(&mac.finalize().into_bytes())
    }

    /// Whether `tag` is [`Keys::login_form_tag`] of `body` (in constant time).
    pub fn login_form_tag_ok(&self, body: &str, tag: &str) -> bool {
        let Ok(tag) = HEXLOWER.decode(tag.as_bytes()) else {
            return false;
        };
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0.login_form)
            .expect("HMAC takes any key length");
        mac.update(body.as_bytes());
        mac.verify_slice(&tag).is_ok()
    }

    /// The key of one call's bids: derived from the master key, the call's
    /// id and its random salt (kept with the call), so one call's key opens
    /// no other call's bids and a database copy alone opens none.
    fn call_key(&self, call_id: i64, salt: &str) -> Aes256Gcm {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.0.bids).expect("HMAC takes any key length");
        mac.update(format!("call/{call_id}/{salt}").as_bytes());
        let key: [u8; 32] = mac.finalize().into_bytes().into();
        Aes256Gcm::new(&key.into())
    }

    /// A fresh random salt for a new call's key.
    pub fn new_call_salt() -> String {
        let mut s = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut s);
        HEXLOWER.encode(&s)
    }

    /// Seals a bid under its call's key, bound to `(call, organisation)` as
    /// associated data so a sealed bid moved to another row does not open.
    pub fn seal_bid(&self, call_id: i64, salt: &str, org_id: i64, plain: &str) -> String {
        use aes_gcm::aead::Payload;
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = format!("bid/{call_id}/{org_id}");
        let ct = self
            .call_key(call_id, salt)
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .expect("AES-GCM encryption cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!("b1:{}", BASE64.encode(&out))
    }

    /// Opens what [`Keys::seal_bid`] sealed. The app calls this only on the
    /// opening after the deadline (`domain::calls::decide`, step `open`).
    pub fn open_bid(
        &self,
        call_id: i64,
        salt: &str,
        org_id: i64,
        sealed: &str,
    ) -> Result<String, KeyError> {
        use aes_gcm::aead::Payload;
        let raw = sealed
            .strip_prefix("b1:")
            .and_then(|b| BASE64.decode(b.as_bytes()).ok())
            .filter(|r| r.len() > 12)
            .ok_or(KeyError::BadSealed)?;
        let (nonce, ct) = raw.split_at(12);
        let aad = format!("bid/{call_id}/{org_id}");
        let plain = self
            .call_key(call_id, salt)
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| KeyError::BadSealed)?;
        String::from_utf8(plain).map_err(|_| KeyError::BadSealed)
    }

    /// The MAC of one audit record over its canonical text.
    pub fn audit_mac(&self, canonical: &str) -> String {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.0.audit).expect("HMAC takes any key length");
        mac.update(canonical.as_bytes());
        HEXLOWER.encode(&mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_with_the_same_key_only() {
        let k = Keys::for_tests();
        let s = k.seal("31011019800101123X");
        assert!(!s.contains("3101101980"));
        assert_ne!(s, k.seal("31011019800101123X"), "a fresh nonce each time");
        assert_eq!(k.open(&s).as_deref(), Ok("31011019800101123X"));
        let other = Keys::from_hex(&Keys::generate_hex()).expect("generated key parses");
        assert_eq!(other.open(&s), Err(KeyError::BadSealed));
    }

    #[test]
    fn a_bid_opens_only_under_its_own_call_and_organisation() {
        let k = Keys::for_tests();
        let salt = Keys::new_call_salt();
        let s = k.seal_bid(7, &salt, 3, "98000\u{1f}团队\u{1f}方案");
        assert!(!s.contains("98000"));
        assert_eq!(
            k.open_bid(7, &salt, 3, &s).as_deref(),
            Ok("98000\u{1f}团队\u{1f}方案")
        );
        assert_eq!(k.open_bid(8, &salt, 3, &s), Err(KeyError::BadSealed));
        assert_eq!(k.open_bid(7, &salt, 4, &s), Err(KeyError::BadSealed));
        assert_eq!(
            k.open_bid(7, &Keys::new_call_salt(), 3, &s),
            Err(KeyError::BadSealed)
        );
    }

    #[test]
    fn lookups_are_stable_and_separate_kinds() {
        let k = Keys::for_tests();
        assert_eq!(k.lookup("resident_id", "1"), k.lookup("resident_id", "1"));
        assert_ne!(k.lookup("resident_id", "1"), k.lookup("phone", "1"));
    }

    #[test]
    fn a_master_key_must_be_32_bytes_of_hex() {
        assert_eq!(Keys::from_hex("abcd").err(), Some(KeyError::BadMaster));
        assert!(Keys::from_hex(&format!(" {} \n", "ab".repeat(32))).is_ok());
    }
}
