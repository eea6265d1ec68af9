//! Search keys for Chinese names: full pinyin and pinyin initials, so that
//! `ypq` and `yangpu` both find 杨浦区….

use pinyin::ToPinyin;

/// (full pinyin without tones, initials), both lower case ASCII. Characters
/// without a reading (digits, Latin letters) are kept as they are.
pub fn pinyin_keys(name: &str) -> (String, String) {
    let mut full = String::new();
    let mut initials = String::new();
    for (c, p) in name.chars().zip(name.to_pinyin()) {
        match p {
            Some(p) => {
                full.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None if c.is_ascii_alphanumeric() => {
                let l = c.to_ascii_lowercase();
                full.push(l);
                initials.push(l);
            }
            None => {}
        }
    }
    (full, initials)
}

/// A query made only of ASCII letters is read as pinyin.
pub fn is_pinyin_query(q: &str) -> bool {
    !q.is_empty() && q.chars().all(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yangpu_district_has_initials_ypq() {
        let (full, initials) = pinyin_keys("杨浦区助老服务中心");
        assert!(initials.starts_with("ypq"), "{initials}");
        assert!(full.starts_with("yangpuqu"), "{full}");
    }
}
