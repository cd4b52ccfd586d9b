//! Table-driven tests of the entity recognisers, with the reference date of the acceptance tests (2026-11-26, a
//! Thursday). Every case checks the span's text and offsets as well as the value.

use chrono::NaiveDate;

use super::*;

fn reference() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default()
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
}

fn of_kind(text: &str, kind: EntityKind) -> Vec<Entity> {
    extract(text, reference())
        .into_iter()
        .filter(|entity| entity.kind == kind)
        .collect()
}

/// Checks that `text` holds exactly one entity of `kind`, with the given span text and value, and that its
/// offsets point at that text.
fn assert_single(text: &str, kind: EntityKind, span: &str, value: &EntityValue) {
    let found = of_kind(text, kind);
    assert_eq!(
        found.len(),
        1,
        "{text}: expected one {kind:?}, found {found:?}"
    );
    let entity = &found[0];
    assert_eq!(entity.text, span, "{text}: span");
    assert_eq!(&entity.value, value, "{text}: value");
    let by_offsets: String = text
        .chars()
        .skip(entity.start)
        .take(entity.end - entity.start)
        .collect();
    assert_eq!(
        by_offsets, entity.text,
        "{text}: offsets {}..{}",
        entity.start, entity.end
    );
}

fn assert_none(text: &str, kind: EntityKind) {
    let found = of_kind(text, kind);
    assert!(
        found.is_empty(),
        "{text}: expected no {kind:?}, found {found:?}"
    );
}

fn cny(amount: &str) -> EntityValue {
    EntityValue::Money {
        amount: amount.parse().unwrap_or_default(),
        currency: Currency::Cny,
    }
}

fn usd(amount: &str) -> EntityValue {
    EntityValue::Money {
        amount: amount.parse().unwrap_or_default(),
        currency: Currency::Usd,
    }
}

fn text_value(value: &str) -> EntityValue {
    EntityValue::Text(value.to_owned())
}

#[test]
fn every_pattern_compiles() {
    let patterns = identifiers::all_patterns()
        .into_iter()
        .chain(money::all_patterns())
        .chain(dates::all_patterns())
        .chain(durations::all_patterns())
        .chain(names::all_patterns());
    for (index, pattern) in patterns.enumerate() {
        assert!(pattern.is_some(), "pattern {index} does not compile");
    }
    for (index, regex) in lexicons::all_regexes().into_iter().enumerate() {
        assert!(regex.is_some(), "lexicon {index} does not compile");
    }
}

#[test]
fn money_in_chinese_and_english() {
    let cases = [
        ("三千五", "三千五", cny("3500")),
        ("我下周五还三千五百元", "三千五百元", cny("3500")),
        ("两千块钱", "两千块钱", cny("2000")),
        ("能不能先还1.2万", "1.2万", cny("12000")),
        ("一万二", "一万二", cny("12000")),
        ("3500元", "3500元", cny("3500")),
        ("¥800", "¥800", cny("800")),
        ("￥800可以吗", "￥800", cny("800")),
        ("800块", "800块", cny("800")),
        ("还５００元", "５００元", cny("500")),
        ("I can pay 3,500 yuan", "3,500 yuan", cny("3500")),
        ("only $200 this month", "$200", usd("200")),
        ("I sent 200 dollars", "200 dollars", usd("200")),
        ("about 1.5k", "1.5k", cny("1500")),
        ("2k is all I have", "2k", cny("2000")),
        ("RMB 500 now", "RMB 500", cny("500")),
        ("五百", "五百", cny("500")),
        ("我今天还500", "500", cny("500")),
        ("pay 300 tomorrow", "300", cny("300")),
        ("先还两千", "两千", cny("2000")),
        ("我想借三万", "三万", cny("30000")),
        ("five hundred dollars", "five hundred dollars", usd("500")),
        ("我只能还五十", "五十", cny("50")),
        ("额度是20000", "20000", cny("20000")),
        ("I owe 1,250.50", "1,250.50", cny("1250.50")),
        ("一万块借三个月利息多少", "一万块", cny("10000")),
        ("I can do 200 a week", "200", cny("200")),
        ("100块钱也要催", "100块钱", cny("100")),
    ];
    for (text, span, value) in cases {
        assert_single(text, EntityKind::Money, span, &value);
    }
}

#[test]
fn money_offsets_follow_characters() {
    let entities = of_kind("我下周五还三千五百元", EntityKind::Money);
    assert_eq!((entities[0].start, entities[0].end), (5, 10));
    let entities = of_kind("还500", EntityKind::Money);
    assert_eq!((entities[0].start, entities[0].end), (1, 4));
}

#[test]
fn numbers_that_are_not_money() {
    for text in [
        "13812345678",
        "我的尾号是1234",
        "2026-12-03",
        "还3期",
        "I can pay in 3 days",
        "15号还",
        "一起去",
        "我打了十次电话",
        "两三千",
        "三千多",
        "打400-800-6688",
        "千万别打了",
        "还有3个月",
        "pay on the 15th",
        "pay at 3pm",
        "还款日是每月5号",
        "last four 1234",
        "我还是不太明白",
        "利率是24%",
        "还了3次",
        "我们一块去",
        "11010519491231002X",
        "LN20261126001",
    ] {
        assert_none(text, EntityKind::Money);
    }
}

#[test]
fn money_serialises_with_two_decimals() {
    let entities = of_kind("三千五", EntityKind::Money);
    assert_eq!(
        entities[0].value.to_json(),
        serde_json::json!({"amount": "3500.00", "currency": "CNY"})
    );
    let entities = of_kind("$200", EntityKind::Money);
    assert_eq!(
        entities[0].value.to_json(),
        serde_json::json!({"amount": "200.00", "currency": "USD"})
    );
    let entities = of_kind("1.5k", EntityKind::Money);
    assert_eq!(entities[0].value.to_json()["amount"], "1500.00");
}

#[test]
fn chinese_dates() {
    let cases = [
        ("今天", "今天", "2026-11-26"),
        ("明天还", "明天", "2026-11-27"),
        ("后天", "后天", "2026-11-28"),
        ("大后天可以吗", "大后天", "2026-11-29"),
        ("昨天已经还了", "昨天", "2026-11-25"),
        ("我下周五还", "下周五", "2026-12-04"),
        ("这周三", "这周三", "2026-11-25"),
        ("本周日", "本周日", "2026-11-29"),
        ("下下周一", "下下周一", "2026-12-07"),
        ("下个星期二", "下个星期二", "2026-12-01"),
        ("周五", "周五", "2026-11-27"),
        ("周四再说", "周四", "2026-12-03"),
        ("星期天", "星期天", "2026-11-29"),
        ("15号", "15号", "2026-12-15"),
        ("28日前", "28日", "2026-11-28"),
        ("26号", "26号", "2026-11-26"),
        ("三十号", "三十号", "2026-11-30"),
        ("31号", "31号", "2026-11-30"),
        ("月底", "月底", "2026-11-30"),
        ("下个月底", "下个月底", "2026-12-31"),
        ("下个月5号", "下个月5号", "2026-12-05"),
        ("12月3日", "12月3日", "2026-12-03"),
        ("十二月三号", "十二月三号", "2026-12-03"),
        ("1月5号", "1月5号", "2027-01-05"),
        ("11月20号已经还了", "11月20号", "2026-11-20"),
        ("2026-12-03", "2026-12-03", "2026-12-03"),
        ("2026年12月3日", "2026年12月3日", "2026-12-03"),
        ("12/3", "12/3", "2026-12-03"),
        ("三天后", "三天后", "2026-11-29"),
        ("两周后", "两周后", "2026-12-10"),
        ("三天前", "三天前", "2026-11-23"),
        ("年底", "年底", "2026-12-31"),
    ];
    for (text, span, expected) in cases {
        assert_single(
            text,
            EntityKind::Date,
            span,
            &EntityValue::Date(date(expected)),
        );
    }
}

#[test]
fn english_dates() {
    let cases = [
        ("today", "today", "2026-11-26"),
        ("Tomorrow please", "Tomorrow", "2026-11-27"),
        (
            "the day after tomorrow",
            "the day after tomorrow",
            "2026-11-28",
        ),
        ("yesterday", "yesterday", "2026-11-25"),
        ("I'll pay next Friday", "next Friday", "2026-12-04"),
        ("this Friday", "this Friday", "2026-11-27"),
        ("Friday", "Friday", "2026-11-27"),
        ("on Thursday", "Thursday", "2026-12-03"),
        ("on fri", "fri", "2026-11-27"),
        ("last Monday", "last Monday", "2026-11-23"),
        ("friday next week", "friday next week", "2026-12-04"),
        ("on the 15th", "the 15th", "2026-12-15"),
        (
            "the 5th of next month",
            "the 5th of next month",
            "2026-12-05",
        ),
        ("end of the month", "end of the month", "2026-11-30"),
        (
            "by the end of next month",
            "the end of next month",
            "2026-12-31",
        ),
        ("December 3", "December 3", "2026-12-03"),
        ("Dec 3rd", "Dec 3rd", "2026-12-03"),
        ("3 December", "3 December", "2026-12-03"),
        (
            "the 3rd of December 2026",
            "the 3rd of December 2026",
            "2026-12-03",
        ),
        ("2026-12-03", "2026-12-03", "2026-12-03"),
        ("12/03/2026", "12/03/2026", "2026-12-03"),
        ("in 3 days", "in 3 days", "2026-11-29"),
        ("in two weeks", "in two weeks", "2026-12-10"),
        ("3 days ago", "3 days ago", "2026-11-23"),
    ];
    for (text, span, expected) in cases {
        assert_single(
            text,
            EntityKind::Date,
            span,
            &EntityValue::Date(date(expected)),
        );
    }
}

#[test]
fn words_that_are_not_dates() {
    for text in [
        "每周五还款",
        "3号线",
        "the 3rd instalment",
        "I may pay later",
        "一周一次",
        "fridays are busy",
        "every Friday",
        "我的尾号1234",
        "三个月",
        "这个月",
        "分12期",
    ] {
        assert_none(text, EntityKind::Date);
    }
}

#[test]
fn the_api_example_date_resolves() {
    let entities = of_kind("我下周五还", EntityKind::Date);
    assert_eq!(entities.len(), 1);
    assert_eq!((entities[0].start, entities[0].end), (1, 4));
    assert_eq!(entities[0].value.to_json(), serde_json::json!("2026-12-04"));
}

#[test]
fn durations() {
    let cases = [
        ("延期三个月", "三个月", EntityValue::DurationMonths(3)),
        ("半年", "半年", EntityValue::DurationMonths(6)),
        ("宽限两周", "两周", EntityValue::DurationDays(14)),
        ("再给我10天", "10天", EntityValue::DurationDays(10)),
        ("一个礼拜", "一个礼拜", EntityValue::DurationDays(7)),
        ("两个星期", "两个星期", EntityValue::DurationDays(14)),
        ("一年半", "一年半", EntityValue::DurationMonths(18)),
        ("半个月", "半个月", EntityValue::DurationDays(15)),
        ("分12期", "分12期", EntityValue::DurationMonths(12)),
        (
            "three months",
            "three months",
            EntityValue::DurationMonths(3),
        ),
        ("two weeks", "two weeks", EntityValue::DurationDays(14)),
        ("10 days", "10 days", EntityValue::DurationDays(10)),
        ("a year", "a year", EntityValue::DurationMonths(12)),
        ("half a year", "half a year", EntityValue::DurationMonths(6)),
        ("a 6-month plan", "6-month", EntityValue::DurationMonths(6)),
        (
            "twenty one days",
            "twenty one days",
            EntityValue::DurationDays(21),
        ),
    ];
    for (text, span, value) in cases {
        assert_single(text, EntityKind::Duration, span, &value);
    }
}

#[test]
fn vague_or_other_spans_are_not_durations() {
    for text in [
        "宽限几天",
        "两三天",
        "每天",
        "第三个月",
        "2026年",
        "a few days",
        "twice a day",
        "I can do 200 a week",
        "三天后",
        "in 3 days",
        "下个月",
        "一周五",
        "I'm 35 years old",
    ] {
        assert_none(text, EntityKind::Duration);
    }
}

#[test]
fn digits() {
    let cases = [
        ("尾号1234", "1234", "1234"),
        ("后四位是5678", "5678", "5678"),
        ("卡号后4位 1234", "1234", "1234"),
        ("验证码 123456", "123456", "123456"),
        ("last four 1234", "1234", "1234"),
        ("ending in 5678", "5678", "5678"),
        ("the last 4 digits of my card are 9876", "9876", "9876"),
        ("1234", "1234", "1234"),
        ("是5678", "5678", "5678"),
        ("身份证后四位123x", "123x", "123X"),
        ("尾号一二三四", "一二三四", "1234"),
        ("my verification code is 482913", "482913", "482913"),
    ];
    for (text, span, value) in cases {
        assert_single(text, EntityKind::Digits, span, &text_value(value));
    }
}

#[test]
fn phones_ids_and_amounts_are_not_digits() {
    for text in [
        "我还500",
        "13812345678",
        "12345678901234",
        "11010519491231002X",
        "2026-12-03",
        "¥1234",
        "LN1234",
    ] {
        assert_none(text, EntityKind::Digits);
    }
}

#[test]
fn phones() {
    let cases = [
        ("13812345678", "13812345678"),
        ("我的电话是138 1234 5678", "138 1234 5678"),
        ("138-1234-5678", "138-1234-5678"),
        ("+86 138 1234 5678", "+86 138 1234 5678"),
        ("8613812345678", "8613812345678"),
        ("打我手机１３８１２３４５６７８", "１３８１２３４５６７８"),
    ];
    for (text, span) in cases {
        assert_single(text, EntityKind::Phone, span, &text_value("+8613812345678"));
    }
    assert_single(
        "call me at +1 415 555 2671",
        EntityKind::Phone,
        "+1 415 555 2671",
        &text_value("+14155552671"),
    );
    assert_single(
        "+1 (415) 555-2671",
        EntityKind::Phone,
        "+1 (415) 555-2671",
        &text_value("+14155552671"),
    );
    for text in [
        "1381234567",
        "23812345678",
        "138123456789",
        "11010519491231002X",
    ] {
        assert_none(text, EntityKind::Phone);
    }
}

#[test]
fn phones_are_not_money_or_digits() {
    let entities = extract("还500，我电话13812345678", reference());
    let kinds: Vec<EntityKind> = entities.iter().map(|entity| entity.kind).collect();
    assert_eq!(kinds, vec![EntityKind::Money, EntityKind::Phone]);
}

#[test]
fn id_numbers() {
    assert_single(
        "我的身份证号是11010519491231002X",
        EntityKind::IdNumber,
        "11010519491231002X",
        &text_value("11010519491231002X"),
    );
    assert_single(
        "id 11010519491231002x",
        EntityKind::IdNumber,
        "11010519491231002x",
        &text_value("11010519491231002X"),
    );
    assert_single(
        "310115198511204566",
        EntityKind::IdNumber,
        "310115198511204566",
        &text_value("310115198511204566"),
    );
    assert_single(
        "510107 19780815 0012",
        EntityKind::IdNumber,
        "510107 19780815 0012",
        &text_value("510107197808150012"),
    );
    // A wrong check digit, an impossible birth date and a birth after the reference date are refused.
    for text in [
        "110105194912310021",
        "110105194913310023",
        "110101203001019871",
    ] {
        assert_none(text, EntityKind::IdNumber);
    }
}

#[test]
fn id_numbers_are_not_phones_digits_or_money() {
    let entities = extract("身份证11010519491231002X，还500", reference());
    let kinds: Vec<EntityKind> = entities.iter().map(|entity| entity.kind).collect();
    assert_eq!(kinds, vec![EntityKind::IdNumber, EntityKind::Money]);
    let invalid = extract("110105194912310021", reference());
    assert!(invalid.is_empty(), "{invalid:?}");
}

#[test]
fn id_number_validation_and_masking() {
    assert!(is_valid_id_number("11010519491231002X"));
    assert!(is_valid_id_number("11010519491231002x"));
    assert!(is_valid_id_number("44030419900307123X"));
    assert!(!is_valid_id_number("440304199003071235"));
    assert!(!is_valid_id_number("110105194912310021"));
    assert!(!is_valid_id_number("11010519491231002"));
    assert!(!is_valid_id_number("99010519491231002X"));
    assert_eq!(mask_id_number("11010519491231002X"), "1*************002X");
    assert_eq!(mask_id_number("12345"), "*****");
}

#[test]
fn personal_data_is_masked() {
    let masked = mask_personal_data(
        "身份证11010519491231002X，电话13812345678，卡号6222 0212 3456 7890，还500元",
    );
    assert_eq!(
        masked,
        "身份证1*************002X，电话138****5678，卡号**** **** **** 7890，还500元"
    );
    assert_eq!(mask_personal_data("+86 138 1234 5678"), "+86 138 **** 5678");
    assert_eq!(
        mask_personal_data("call +1 415 555 2671"),
        "call +1 415 *** 2671"
    );
    assert_eq!(
        mask_personal_data("尾号1234，LN20261126001"),
        "尾号1234，LN20261126001"
    );
    assert_eq!(
        mask_personal_data("１３８１２３４５６７８"),
        "１３８****５６７８"
    );
    let text = "6222021234567890123 and 13912345678";
    assert_eq!(
        mask_personal_data(text).chars().count(),
        text.chars().count()
    );
    assert_eq!(
        mask_personal_data(text),
        "***************0123 and 139****5678"
    );
}

#[test]
fn banks() {
    let cases = [
        ("工商银行", "工商银行", "ICBC"),
        ("我用工行的卡", "工行", "ICBC"),
        ("ICBC", "ICBC", "ICBC"),
        ("中国银行", "中国银行", "BOC"),
        ("中国建设银行的卡", "中国建设银行", "CCB"),
        ("建行", "建行", "CCB"),
        ("农行", "农行", "ABC"),
        ("招行储蓄卡", "招行", "CMB"),
        ("China Merchants Bank", "China Merchants Bank", "CMB"),
        ("a Bank of China card", "Bank of China", "BOC"),
        (
            "Agricultural Bank of China",
            "Agricultural Bank of China",
            "ABC",
        ),
        ("交通银行", "交通银行", "BOCOM"),
        ("邮政储蓄", "邮政储蓄", "PSBC"),
        ("兴业银行", "兴业银行", "CIB"),
        ("浦发", "浦发", "SPDB"),
        ("中信银行", "中信银行", "CITIC"),
        ("民生银行", "民生银行", "CMBC"),
        ("光大银行", "光大银行", "CEB"),
        ("我用的平安卡", "平安", "PAB"),
        ("平安", "平安", "PAB"),
        ("华夏银行", "华夏银行", "HXB"),
        ("广发的信用卡", "广发", "CGB"),
        ("my ABC card", "ABC", "ABC"),
        ("it's icbc", "icbc", "ICBC"),
    ];
    for (text, span, code) in cases {
        assert_single(text, EntityKind::Bank, span, &text_value(code));
    }
    for text in [
        "祝你一路平安",
        "发扬光大",
        "国计民生",
        "abc123",
        "learn your abc",
        "中华人民共和国",
    ] {
        assert_none(text, EntityKind::Bank);
    }
}

#[test]
fn products() {
    let cases = [
        ("现金贷怎么还", "现金贷", "cash_loan"),
        ("安心随借", "安心随借", "cash_loan"),
        ("信用贷", "信用贷", "cash_loan"),
        ("my cash loan", "cash loan", "cash_loan"),
        ("我的分期什么时候还", "分期", "instalment_loan"),
        ("安心分期", "安心分期", "instalment_loan"),
        ("分期付款", "分期付款", "instalment_loan"),
        ("an installment loan", "installment loan", "instalment_loan"),
        ("instalment loan", "instalment loan", "instalment_loan"),
    ];
    for (text, span, product) in cases {
        assert_single(text, EntityKind::Product, span, &text_value(product));
    }
    assert_single(
        "我想了解一下分期",
        EntityKind::Product,
        "分期",
        &text_value("instalment_loan"),
    );
    assert_single(
        "分期",
        EntityKind::Product,
        "分期",
        &text_value("instalment_loan"),
    );
    assert_none("能分期吗", EntityKind::Product);
    assert_none("欠款可以分期还吗", EntityKind::Product);
    assert_none("分12期", EntityKind::Product);
}

#[test]
fn relationships() {
    let cases = [
        ("我是他老婆", "老婆", "spouse"),
        ("his wife", "wife", "spouse"),
        ("我妈", "妈", "parent"),
        ("我妈的卡", "妈", "parent"),
        ("他父亲", "父亲", "parent"),
        ("我是他儿子", "儿子", "child"),
        ("我哥", "哥", "sibling"),
        ("他姐姐", "姐姐", "sibling"),
        ("家属", "家属", "relative"),
        ("my mother-in-law", "mother-in-law", "relative"),
        ("他同事", "同事", "colleague"),
        ("a colleague", "colleague", "colleague"),
        ("I'm his coworker", "coworker", "colleague"),
        ("朋友", "朋友", "friend"),
        ("我哥们", "哥们", "friend"),
        ("邻居", "邻居", "other"),
    ];
    for (text, span, relationship) in cases {
        assert_single(
            text,
            EntityKind::Relationship,
            span,
            &text_value(relationship),
        );
    }
    for text in [
        "他妈的",
        "你妈的",
        "妈的又打电话",
        "小姐你好",
        "大哥你听我说",
        "person",
    ] {
        assert_none(text, EntityKind::Relationship);
    }
}

#[test]
fn loan_ids() {
    let cases = [
        ("LN20261126001", "LN20261126001", "LN20261126001"),
        ("借款编号ln001", "ln001", "LN001"),
        ("合同号 AB12345", "AB12345", "AB12345"),
        ("合同号是LN20261126001", "LN20261126001", "LN20261126001"),
        ("my loan number is ab-778812", "ab-778812", "AB-778812"),
    ];
    for (text, span, value) in cases {
        assert_single(text, EntityKind::LoanId, span, &text_value(value));
    }
    for text in ["kiln1", "LN", "合同号是多少"] {
        assert_none(text, EntityKind::LoanId);
    }
}

#[test]
fn person_names() {
    let cases = [
        ("我是张伟", "张伟"),
        ("我叫李小红", "李小红"),
        ("我叫王小明，身份证后四位是123X", "王小明"),
        ("我是张伟想问一下还款", "张伟"),
        ("张先生您好", "张先生"),
        ("请问是李小姐吗", "李小姐"),
        ("王女士", "王女士"),
        ("欧阳女士", "欧阳女士"),
        ("本人王芳", "王芳"),
        ("My name is John Smith", "John Smith"),
        ("my name is john smith", "john smith"),
        ("Hi, this is Mary", "Mary"),
        ("I'm David, calling about my loan", "David"),
        ("Mr. Smith", "Mr. Smith"),
        ("张伟", "张伟"),
        ("欧阳娜娜。", "欧阳娜娜"),
        (" John Smith ", "John Smith"),
    ];
    for (text, name) in cases {
        assert_single(text, EntityKind::PersonName, name, &text_value(name));
    }
    for text in [
        "我是马上要还的",
        "我是他老婆",
        "我是借款人",
        "我叫小明",
        "I'm worried",
        "my name is not on the account",
        "this is ridiculous",
        "I am Calling about my bill",
        "我先生不在",
        "我是周五还",
        "江苏",
        "马上",
        "谢谢",
        "张",
        "Thank You",
        "Good Morning",
        "Yes",
    ] {
        assert_none(text, EntityKind::PersonName);
    }
}

#[test]
fn entities_are_sorted_and_do_not_overlap() {
    let text = "我是张伟，我老婆的工行卡尾号1234，下周五还三千五，借款编号LN20261126001，电话13812345678，想延期三个月";
    let entities = extract(text, reference());
    let summary: Vec<(EntityKind, &str)> = entities
        .iter()
        .map(|entity| (entity.kind, entity.text.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (EntityKind::PersonName, "张伟"),
            (EntityKind::Relationship, "老婆"),
            (EntityKind::Bank, "工行"),
            (EntityKind::Digits, "1234"),
            (EntityKind::Date, "下周五"),
            (EntityKind::Money, "三千五"),
            (EntityKind::LoanId, "LN20261126001"),
            (EntityKind::Phone, "13812345678"),
            (EntityKind::Duration, "三个月"),
        ]
    );
    for pair in entities.windows(2) {
        assert!(pair[0].end <= pair[1].start, "{pair:?}");
    }
    for entity in &entities {
        let by_offsets: String = text
            .chars()
            .skip(entity.start)
            .take(entity.end - entity.start)
            .collect();
        assert_eq!(by_offsets, entity.text);
    }
}

#[test]
fn english_sentence_with_several_entities() {
    let text = "This is Mary, his wife. He will pay $200 next Friday from his Bank of China card ending in 5678";
    let entities = extract(text, reference());
    let summary: Vec<(EntityKind, &str)> = entities
        .iter()
        .map(|entity| (entity.kind, entity.text.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (EntityKind::PersonName, "Mary"),
            (EntityKind::Relationship, "wife"),
            (EntityKind::Money, "$200"),
            (EntityKind::Date, "next Friday"),
            (EntityKind::Bank, "Bank of China"),
            (EntityKind::Digits, "5678"),
        ]
    );
}

#[test]
fn odd_input_does_not_panic() {
    for text in [
        "",
        " ",
        "😀😀",
        "\u{3000}",
        "ＡＢＣ",
        "１２３４",
        "¥",
        "$",
        "LN-",
        "号号号",
        "月底月底",
        "¥9999999999999999999999999999k",
        "9999999999999999999999999999万元",
        "hundred hundred hundred hundred hundred hundred hundred hundred hundred hundred dollars",
        "\u{FEFF}",
    ] {
        let entities = extract(text, reference());
        for entity in entities {
            assert!(entity.start < entity.end && entity.end <= text.chars().count());
        }
    }
}

#[test]
fn entities_round_trip_through_json() {
    let entities = extract("下周五还三千五，尾号1234", reference());
    let json = serde_json::to_string(&entities).unwrap_or_default();
    let back: Vec<Entity> = serde_json::from_str(&json).unwrap_or_default();
    assert_eq!(back, entities);
    assert!(json.contains(r#""type":"money""#), "{json}");
    assert!(
        json.contains(r#""value":{"amount":"3500.00","currency":"CNY"}"#),
        "{json}"
    );
}

#[test]
fn extraction_time_stays_linear_and_small() {
    // A guard against accidental quadratic scanning, loose enough for an unoptimised build on a busy machine.
    let text = "我是张伟，我老婆的工行卡尾号1234，下周五还三千五，借款编号LN20261126001，电话13812345678，想延期三个月，谢谢你们帮忙，月底之前一定还清剩下的一万二";
    let long_text = text.repeat(20);
    let started = std::time::Instant::now();
    for _ in 0..20 {
        std::hint::black_box(extract(text, reference()));
    }
    let short_average = started.elapsed() / 20;
    let started = std::time::Instant::now();
    let long_entities = extract(&long_text, reference());
    let long_time = started.elapsed();
    assert!(
        short_average < std::time::Duration::from_millis(50),
        "{short_average:?}"
    );
    assert!(
        long_time < std::time::Duration::from_secs(2),
        "{long_time:?}"
    );
    assert_eq!(long_entities.len(), 20 * extract(text, reference()).len());
}
