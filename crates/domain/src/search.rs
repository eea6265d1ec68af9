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

/// The index terms of a name for substring search: every pair of adjacent
/// characters, and the last character alone. A one-character query is a
/// prefix of some term; a longer one contains each of its pairs. ASCII is
/// lower-cased; spaces are dropped.
pub fn name_grams(name: &str) -> Vec<String> {
    let chars: Vec<char> = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let mut grams: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    if let Some(last) = chars.last() {
        grams.push(last.to_string());
    }
    grams.sort();
    grams.dedup();
    grams
}

/// The terms a query must all match (its pairs), or its single character.
pub fn query_grams(q: &str) -> Vec<String> {
    let chars: Vec<char> = q
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if chars.len() == 1 {
        return vec![chars[0].to_string()];
    }
    let mut grams: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    grams.sort();
    grams.dedup();
    grams
}

#[cfg(test)]
mod gram_tests {
    use super::*;

    #[test]
    fn every_substring_of_a_name_is_found_through_its_grams() {
        let name = "上海市杨浦区阳光助老服务中心";
        let grams = name_grams(name);
        let chars: Vec<char> = name.chars().collect();
        for i in 0..chars.len() {
            for j in i + 1..=chars.len() {
                let q: String = chars[i..j].iter().collect();
                let needed = query_grams(&q);
                let found = if needed.len() == 1 && q.chars().count() == 1 {
                    grams.iter().any(|g| g.starts_with(&needed[0]))
                } else {
                    needed.iter().all(|g| grams.contains(g))
                };
                assert!(found, "{q}");
            }
        }
    }
}
