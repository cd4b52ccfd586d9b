//! Entities read from word lists: banks (to a canonical code such as "ICBC"), the lender's products (to their
//! knowledge-base ids) and a contact's relationship to the customer (spouse, parent, child, sibling, relative,
//! colleague, friend, other).
//!
//! Each list is compiled into one regex whose alternatives are sorted longest first, so at any position the
//! longest alias wins ("中国建设银行" over "建设银行", "mother-in-law" over "mother"), and the leftmost match wins
//! across positions ("Agricultural Bank of China" over the "Bank of China" inside it). Aliases in Latin letters
//! must stand as whole words. Aliases that are also ordinary words (平安 "safe", 光大 "glorious", 妈 in curses,
//! bare 分期 "in instalments") carry a guard that looks at the words around them.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{
    Candidate, EntityKind, EntityValue, Priority, Utterance, compile, is_ascii_word_char, scan,
};

/// Decides from the context whether an alias found at a byte range of the folded text really names the entity.
type Guard = fn(&Utterance, Range<usize>) -> bool;

/// A compiled word list.
struct Lexicon {
    regex: Option<Regex>,
    /// From each alias (lower case, single spaces) to its value and guard.
    entries: HashMap<String, (&'static str, Guard)>,
}

fn build_lexicon(entries: &[(&'static str, &'static str, Guard)]) -> Lexicon {
    let mut aliases: Vec<&str> = entries.iter().map(|(alias, _, _)| *alias).collect();
    aliases.sort_by_key(|alias| std::cmp::Reverse(alias.chars().count()));
    let alternatives: Vec<String> = aliases
        .iter()
        .map(|alias| regex::escape(alias).replace(' ', r"\s+"))
        .collect();
    Lexicon {
        regex: compile(&alternatives.join("|")),
        entries: entries
            .iter()
            .map(|(alias, value, guard)| ((*alias).to_owned(), (*value, *guard)))
            .collect(),
    }
}

fn find_in_lexicon(
    utterance: &Utterance,
    lexicon: &Lexicon,
    kind: EntityKind,
    priority: Priority,
    candidates: &mut Vec<Candidate>,
) {
    scan(&lexicon.regex, &utterance.folded, |captures| {
        let Some(whole) = captures.get(0) else {
            return false;
        };
        let key = whole
            .as_str()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let Some((value, guard)) = lexicon.entries.get(&key) else {
            return false;
        };
        let latin_alias = key.starts_with(|c: char| c.is_ascii_alphanumeric());
        let stands_alone = !is_ascii_word_char(utterance.folded_char_before(whole.start()))
            && !is_ascii_word_char(utterance.folded_char_after(whole.end()));
        if (latin_alias && !stands_alone) || !guard(utterance, whole.range()) {
            return false;
        }
        candidates.push(utterance.candidate(
            kind,
            whole.range(),
            EntityValue::Text((*value).to_owned()),
            priority,
        ));
        true
    });
}

/// No condition beyond the alias itself.
fn always(_: &Utterance, _: Range<usize>) -> bool {
    true
}

/// The utterance, without spaces and punctuation, is exactly the matched alias: the answer to "which bank?".
fn is_whole_answer(utterance: &Utterance, range: &Range<usize>) -> bool {
    let alias = &utterance.folded[range.clone()];
    let core: String = utterance
        .folded
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let alias_core: String = alias.chars().filter(|c| c.is_alphanumeric()).collect();
    core == alias_core
}

fn followed_by_any(utterance: &Utterance, range: &Range<usize>, words: &[&str]) -> bool {
    let rest = utterance.folded[range.end..].trim_start();
    words.iter().any(|word| rest.starts_with(word))
}

fn preceded_by_any(utterance: &Utterance, range: &Range<usize>, words: &[&str]) -> bool {
    let before = utterance.folded[..range.start].trim_end();
    words.iter().any(|word| before.ends_with(word))
}

/// A short bank name that is also an ordinary word (平安, 光大, 民生, 华夏, 广发, 兴业, 中信): it must be followed by a
/// card word, follow a verb of using or binding a card, or be the whole answer.
fn bank_short_name(utterance: &Utterance, range: Range<usize>) -> bool {
    let card_words = ["卡", "信用卡", "储蓄卡", "借记卡", "那张", "银行卡"];
    let rest = utterance.folded[range.end..].trim_start();
    let rest = rest.strip_prefix('的').unwrap_or(rest);
    card_words.iter().any(|word| rest.starts_with(word))
        || preceded_by_any(
            utterance,
            &range,
            &[
                "用",
                "是",
                "绑",
                "绑定",
                "换成",
                "换到",
                "开户行",
                "开户行是",
                "改成",
            ],
        )
        || is_whole_answer(utterance, &range)
}

/// "ABC" and "BOC" are also ordinary letter strings: they must be written in capitals, be followed by "bank" or
/// "card", or be the whole answer.
fn bank_acronym(utterance: &Utterance, range: Range<usize>) -> bool {
    let chars = utterance.folded_chars(range.clone());
    let as_written: String = utterance
        .cased
        .chars()
        .skip(chars.start)
        .take(chars.len())
        .collect();
    as_written.chars().all(|c| c.is_ascii_uppercase())
        || followed_by_any(utterance, &range, &["bank", "card", "卡", "银行"])
        || is_whole_answer(utterance, &range)
}

/// Bare "分期" names the instalment product except where it is the verb "to pay in instalments": after 能, 可以
/// or 可不可以 ("能分期吗" asks whether a debt can be split) and before 还 or 付 ("分期还款").
fn instalment_noun(utterance: &Utterance, range: Range<usize>) -> bool {
    !preceded_by_any(utterance, &range, &["能", "可以", "可不可以", "能不能"])
        && !followed_by_any(utterance, &range, &["还", "付"])
}

/// A one-character kinship word (哥, 姐, 弟, 妹, 爸) after a possessive pronoun: "我哥", "他姐", "我爸".
fn kin_after_pronoun(utterance: &Utterance, range: Range<usize>) -> bool {
    preceded_by_any(utterance, &range, &["我", "你", "他", "她", "俺", "亲"])
}

/// "妈" after a possessive pronoun, but never in the curses "他妈", "你妈的", "妈呀"; "我妈的卡" is my mother's
/// card.
fn mother_after_pronoun(utterance: &Utterance, range: Range<usize>) -> bool {
    let after_first_person = preceded_by_any(utterance, &range, &["我", "俺"]);
    let after_other_pronoun = preceded_by_any(utterance, &range, &["你", "她"]);
    let curse_follows = followed_by_any(utterance, &range, &["呀", "啊", "蛋", "耶"]);
    let possessive_follows = followed_by_any(utterance, &range, &["的"]);
    (after_first_person && !curse_follows)
        || (after_other_pronoun && !curse_follows && !possessive_follows)
}

const BANK_ENTRIES: &[(&str, &str, Guard)] = &[
    ("中国工商银行", "ICBC", always),
    ("工商银行", "ICBC", always),
    ("工行", "ICBC", always),
    ("icbc", "ICBC", always),
    ("industrial and commercial bank of china", "ICBC", always),
    ("industrial and commercial bank", "ICBC", always),
    ("中国建设银行", "CCB", always),
    ("建设银行", "CCB", always),
    ("建行", "CCB", always),
    ("ccb", "CCB", always),
    ("china construction bank", "CCB", always),
    ("construction bank", "CCB", always),
    ("中国农业银行", "ABC", always),
    ("农业银行", "ABC", always),
    ("农行", "ABC", always),
    ("abc", "ABC", bank_acronym),
    ("agricultural bank of china", "ABC", always),
    ("agricultural bank", "ABC", always),
    ("中国银行", "BOC", always),
    ("中行", "BOC", always),
    ("boc", "BOC", bank_acronym),
    ("bank of china", "BOC", always),
    ("招商银行", "CMB", always),
    ("招行", "CMB", always),
    ("cmb", "CMB", always),
    ("china merchants bank", "CMB", always),
    ("merchants bank", "CMB", always),
    ("交通银行", "BOCOM", always),
    ("交行", "BOCOM", always),
    ("bocom", "BOCOM", always),
    ("bank of communications", "BOCOM", always),
    ("中国邮政储蓄银行", "PSBC", always),
    ("邮政储蓄银行", "PSBC", always),
    ("邮储银行", "PSBC", always),
    ("邮政储蓄", "PSBC", always),
    ("邮政银行", "PSBC", always),
    ("邮储", "PSBC", always),
    ("psbc", "PSBC", always),
    ("postal savings bank of china", "PSBC", always),
    ("postal savings bank", "PSBC", always),
    ("兴业银行", "CIB", always),
    ("兴业", "CIB", bank_short_name),
    ("cib", "CIB", always),
    ("industrial bank", "CIB", always),
    ("上海浦东发展银行", "SPDB", always),
    ("浦发银行", "SPDB", always),
    ("浦发", "SPDB", always),
    ("spdb", "SPDB", always),
    ("shanghai pudong development bank", "SPDB", always),
    ("pudong development bank", "SPDB", always),
    ("中信银行", "CITIC", always),
    ("中信", "CITIC", bank_short_name),
    ("citic", "CITIC", always),
    ("china citic bank", "CITIC", always),
    ("citic bank", "CITIC", always),
    ("中国民生银行", "CMBC", always),
    ("民生银行", "CMBC", always),
    ("民生", "CMBC", bank_short_name),
    ("cmbc", "CMBC", always),
    ("china minsheng bank", "CMBC", always),
    ("minsheng bank", "CMBC", always),
    ("中国光大银行", "CEB", always),
    ("光大银行", "CEB", always),
    ("光大", "CEB", bank_short_name),
    ("ceb", "CEB", always),
    ("china everbright bank", "CEB", always),
    ("everbright bank", "CEB", always),
    ("平安银行", "PAB", always),
    ("平安", "PAB", bank_short_name),
    ("ping an bank", "PAB", always),
    ("pingan bank", "PAB", always),
    ("华夏银行", "HXB", always),
    ("华夏", "HXB", bank_short_name),
    ("hua xia bank", "HXB", always),
    ("huaxia bank", "HXB", always),
    ("广发银行", "CGB", always),
    ("广发", "CGB", bank_short_name),
    ("cgb", "CGB", always),
    ("china guangfa bank", "CGB", always),
    ("guangfa bank", "CGB", always),
];

const PRODUCT_ENTRIES: &[(&str, &str, Guard)] = &[
    ("安心随借", "cash_loan", always),
    ("随借", "cash_loan", always),
    ("现金贷", "cash_loan", always),
    ("现金贷款", "cash_loan", always),
    ("现金借款", "cash_loan", always),
    ("信用贷", "cash_loan", always),
    ("信用贷款", "cash_loan", always),
    ("cash loan", "cash_loan", always),
    ("cash loans", "cash_loan", always),
    ("anxin cash loan", "cash_loan", always),
    ("安心分期", "instalment_loan", always),
    ("分期付款", "instalment_loan", always),
    ("分期贷", "instalment_loan", always),
    ("分期贷款", "instalment_loan", always),
    ("分期产品", "instalment_loan", always),
    ("分期业务", "instalment_loan", always),
    ("分期", "instalment_loan", instalment_noun),
    ("instalment loan", "instalment_loan", always),
    ("instalment loans", "instalment_loan", always),
    ("installment loan", "instalment_loan", always),
    ("installment loans", "instalment_loan", always),
    ("instalment purchase", "instalment_loan", always),
    ("installment purchase", "instalment_loan", always),
    ("anxin instalments", "instalment_loan", always),
    ("anxin installments", "instalment_loan", always),
    ("anxin instalment", "instalment_loan", always),
    ("anxin installment", "instalment_loan", always),
];

const RELATIONSHIP_ENTRIES: &[(&str, &str, Guard)] = &[
    // Spouses.
    ("老婆", "spouse", always),
    ("妻子", "spouse", always),
    ("老公", "spouse", always),
    ("丈夫", "spouse", always),
    ("爱人", "spouse", always),
    ("媳妇", "spouse", always),
    ("太太", "spouse", always),
    ("配偶", "spouse", always),
    ("wife", "spouse", always),
    ("husband", "spouse", always),
    ("spouse", "spouse", always),
    // Parents.
    ("爸爸", "parent", always),
    ("妈妈", "parent", always),
    ("父亲", "parent", always),
    ("母亲", "parent", always),
    ("父母", "parent", always),
    ("老爸", "parent", always),
    ("老妈", "parent", always),
    ("爸", "parent", kin_after_pronoun),
    ("妈", "parent", mother_after_pronoun),
    ("mother", "parent", always),
    ("father", "parent", always),
    ("mom", "parent", always),
    ("mum", "parent", always),
    ("dad", "parent", always),
    ("parent", "parent", always),
    ("parents", "parent", always),
    // Children.
    ("儿子", "child", always),
    ("女儿", "child", always),
    ("孩子", "child", always),
    ("闺女", "child", always),
    ("son", "child", always),
    ("daughter", "child", always),
    ("child", "child", always),
    ("children", "child", always),
    ("kid", "child", always),
    ("kids", "child", always),
    // Siblings.
    ("哥哥", "sibling", always),
    ("姐姐", "sibling", always),
    ("弟弟", "sibling", always),
    ("妹妹", "sibling", always),
    ("兄弟", "sibling", always),
    ("姐妹", "sibling", always),
    ("哥", "sibling", kin_after_pronoun),
    ("姐", "sibling", kin_after_pronoun),
    ("弟", "sibling", kin_after_pronoun),
    ("妹", "sibling", kin_after_pronoun),
    ("brother", "sibling", always),
    ("sister", "sibling", always),
    ("sibling", "sibling", always),
    ("siblings", "sibling", always),
    // Other relatives.
    ("亲戚", "relative", always),
    ("家属", "relative", always),
    ("家人", "relative", always),
    ("亲属", "relative", always),
    ("表哥", "relative", always),
    ("表姐", "relative", always),
    ("表弟", "relative", always),
    ("表妹", "relative", always),
    ("堂哥", "relative", always),
    ("堂姐", "relative", always),
    ("堂弟", "relative", always),
    ("堂妹", "relative", always),
    ("叔叔", "relative", always),
    ("舅舅", "relative", always),
    ("姑姑", "relative", always),
    ("姨妈", "relative", always),
    ("爷爷", "relative", always),
    ("奶奶", "relative", always),
    ("外公", "relative", always),
    ("外婆", "relative", always),
    ("姥姥", "relative", always),
    ("姥爷", "relative", always),
    ("岳父", "relative", always),
    ("岳母", "relative", always),
    ("公公", "relative", always),
    ("婆婆", "relative", always),
    ("嫂子", "relative", always),
    ("姐夫", "relative", always),
    ("妹夫", "relative", always),
    ("侄子", "relative", always),
    ("侄女", "relative", always),
    ("外甥", "relative", always),
    ("孙子", "relative", always),
    ("孙女", "relative", always),
    ("relative", "relative", always),
    ("relatives", "relative", always),
    ("family member", "relative", always),
    ("cousin", "relative", always),
    ("uncle", "relative", always),
    ("aunt", "relative", always),
    ("grandmother", "relative", always),
    ("grandfather", "relative", always),
    ("grandma", "relative", always),
    ("grandpa", "relative", always),
    ("grandson", "relative", always),
    ("granddaughter", "relative", always),
    ("nephew", "relative", always),
    ("niece", "relative", always),
    ("mother-in-law", "relative", always),
    ("father-in-law", "relative", always),
    ("brother-in-law", "relative", always),
    ("sister-in-law", "relative", always),
    // Colleagues.
    ("同事", "colleague", always),
    ("领导", "colleague", always),
    ("老板", "colleague", always),
    ("上司", "colleague", always),
    ("colleague", "colleague", always),
    ("colleagues", "colleague", always),
    ("coworker", "colleague", always),
    ("coworkers", "colleague", always),
    ("co-worker", "colleague", always),
    ("co-workers", "colleague", always),
    ("boss", "colleague", always),
    ("supervisor", "colleague", always),
    // Friends.
    ("朋友", "friend", always),
    ("好友", "friend", always),
    ("室友", "friend", always),
    ("同学", "friend", always),
    ("闺蜜", "friend", always),
    ("哥们", "friend", always),
    ("男朋友", "friend", always),
    ("女朋友", "friend", always),
    ("男友", "friend", always),
    ("女友", "friend", always),
    ("friend", "friend", always),
    ("friends", "friend", always),
    ("roommate", "friend", always),
    ("flatmate", "friend", always),
    ("classmate", "friend", always),
    ("boyfriend", "friend", always),
    ("girlfriend", "friend", always),
    // Anyone else the customer knows.
    ("邻居", "other", always),
    ("房东", "other", always),
    ("neighbor", "other", always),
    ("neighbour", "other", always),
    ("landlord", "other", always),
];

static BANKS: LazyLock<Lexicon> = LazyLock::new(|| build_lexicon(BANK_ENTRIES));
static PRODUCTS: LazyLock<Lexicon> = LazyLock::new(|| build_lexicon(PRODUCT_ENTRIES));
static RELATIONSHIPS: LazyLock<Lexicon> = LazyLock::new(|| build_lexicon(RELATIONSHIP_ENTRIES));

pub(super) fn find_banks(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    find_in_lexicon(
        utterance,
        &BANKS,
        EntityKind::Bank,
        Priority::Bank,
        candidates,
    );
}

pub(super) fn find_products(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    find_in_lexicon(
        utterance,
        &PRODUCTS,
        EntityKind::Product,
        Priority::Product,
        candidates,
    );
}

pub(super) fn find_relationships(utterance: &Utterance, candidates: &mut Vec<Candidate>) {
    find_in_lexicon(
        utterance,
        &RELATIONSHIPS,
        EntityKind::Relationship,
        Priority::Relationship,
        candidates,
    );
}

#[cfg(test)]
pub(super) fn all_regexes() -> Vec<&'static Option<Regex>> {
    vec![&BANKS.regex, &PRODUCTS.regex, &RELATIONSHIPS.regex]
}
