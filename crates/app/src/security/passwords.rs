//! Password hashing (Argon2id, the `argon2` crate's defaults: 19 MiB, 2
//! passes) and one-time passwords for new and reset accounts.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::rngs::OsRng;
use rand::Rng;

/// The PHC string of `password` (algorithm, parameters, salt and hash).
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .expect("Argon2 with default parameters hashes any password")
}

/// Whether `password` matches the stored PHC string; a malformed one never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of nothing anyone can type, checked when the account does not
/// exist so that the answer takes as long either way.
pub fn decoy() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2qDqdHbWmiQpDKyqxJ5o8CFe6bCqTQDOf7l/9cZHl7Y"
}

/// A one-time password of 14 characters with all four classes, without
/// look-alike characters, to be changed at first login.
pub fn one_time() -> String {
    const LOWER: &[u8] = b"abcdefghjkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"#%+=@";
    let mut rng = OsRng;
    let mut pick = |set: &[u8]| char::from(set[rng.gen_range(0..set.len())]);
    let mut s: Vec<char> = vec![pick(LOWER), pick(UPPER), pick(DIGIT), pick(SYMBOL)];
    let all: Vec<u8> = [LOWER, UPPER, DIGIT].concat();
    while s.len() < 14 {
        s.push(pick(&all));
    }
    // The classes need not sit at the front.
    for i in (1..s.len()).rev() {
        s.swap(i, rng.gen_range(0..=i));
    }
    s.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongyi_domain::password::PasswordPolicy;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("Xk7#pq2Lm");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Xk7#pq2Lm", &h));
        assert!(!verify("Xk7#pq2Ln", &h));
        assert!(!verify("anything", "not a hash"));
        assert!(!verify("", decoy()));
        // The decoy is a well-formed hash, so checking it costs a real hash.
        assert!(PasswordHash::new(decoy()).is_ok());
    }

    #[test]
    fn one_time_passwords_satisfy_the_policy() {
        for _ in 0..50 {
            let p = one_time();
            assert_eq!(
                PasswordPolicy::default().check("password", "someone", &p),
                Ok(()),
                "{p}"
            );
        }
    }
}
