//! Strict decoding of the core system's JSON into the loan-system records, field by field, so that a broken
//! answer is reported as [`BackendError::InvalidData`] naming the exact field (`loans[0].installments[2].paid`).
//!
//! The rules of `connectors/HTTP-API.md`: a required field that is missing or `null` is an error; text is a JSON
//! string; amounts and rates are decimal strings, never JSON numbers (so no float ever touches money), and never
//! negative; dates are ISO `YYYY-MM-DD`; timestamps are RFC 3339 with an offset; counts are non-negative
//! integers. Fields the client does not know are ignored, so the core system may add fields within `v1`.

use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::{BackendError, Card, Customer, Installment, Loan, Repayment};

/// Parses a response body as JSON; `what` names the request in the error.
pub(crate) fn parse_json(body: &[u8], what: &str) -> Result<Value, BackendError> {
    serde_json::from_slice(body).map_err(|error| {
        BackendError::InvalidData(format!("the answer to {what} is not valid JSON: {error}"))
    })
}

pub(crate) fn customer(value: &Value, path: &str) -> Result<Customer, BackendError> {
    let fields = Fields::of(value, path)?;
    Ok(Customer {
        id: fields.text("id")?,
        name: fields.text("name")?,
        phone: fields.text("phone")?,
        id_last4: fields.text("id_last4")?,
        language: fields.text("language")?,
        timezone: fields.text("timezone")?,
        credit_limit: fields.optional_money("credit_limit")?,
    })
}

pub(crate) fn loan(value: &Value, path: &str) -> Result<Loan, BackendError> {
    let fields = Fields::of(value, path)?;
    let installments = fields
        .array("installments")?
        .iter()
        .enumerate()
        .map(|(index, item)| {
            installment(
                item,
                &format!("{}[{index}]", fields.field_path("installments")),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Loan {
        id: fields.text("id")?,
        customer_id: fields.text("customer_id")?,
        product: fields.text("product")?,
        principal: fields.money("principal")?,
        annual_rate: fields.money("annual_rate")?,
        term_months: fields.count("term_months")?,
        disbursed_on: fields.date("disbursed_on")?,
        installments,
    })
}

pub(crate) fn installment(value: &Value, path: &str) -> Result<Installment, BackendError> {
    let fields = Fields::of(value, path)?;
    Ok(Installment {
        seq: fields.count("seq")?,
        due_date: fields.date("due_date")?,
        principal: fields.money("principal")?,
        interest: fields.money("interest")?,
        fee: fields.money("fee")?,
        penalty: fields.money("penalty")?,
        paid: fields.money("paid")?,
    })
}

pub(crate) fn card(value: &Value, path: &str) -> Result<Card, BackendError> {
    let fields = Fields::of(value, path)?;
    Ok(Card {
        customer_id: fields.text("customer_id")?,
        bank: fields.text("bank")?,
        last4: fields.text("last4")?,
        autodebit: fields.boolean("autodebit")?,
    })
}

pub(crate) fn repayment(value: &Value, path: &str) -> Result<Repayment, BackendError> {
    let fields = Fields::of(value, path)?;
    Ok(Repayment {
        loan_id: fields.text("loan_id")?,
        amount: fields.money("amount")?,
        at: fields.timestamp("at")?,
        channel: fields.text("channel")?,
        status: fields.text("status")?,
        fail_reason: fields.optional_text("fail_reason")?,
    })
}

/// A case of the case system; `details` is an object of strings (optional, empty when missing).
pub(crate) fn case(value: &Value, path: &str) -> Result<crate::Case, BackendError> {
    let fields = Fields::of(value, path)?;
    let mut details = std::collections::BTreeMap::new();
    match fields.optional("details") {
        None => {}
        Some(Value::Object(object)) => {
            for (name, detail) in object {
                match detail {
                    Value::String(text) => {
                        details.insert(name.clone(), text.clone());
                    }
                    other => {
                        return Err(invalid(
                            &format!("{}.{name}", fields.field_path("details")),
                            &format!("is {}, not a string", kind(other)),
                        ));
                    }
                }
            }
        }
        Some(other) => {
            return Err(invalid(
                &fields.field_path("details"),
                &format!("is {}, not an object", kind(other)),
            ));
        }
    }
    Ok(crate::Case {
        reference: fields.text("reference")?,
        customer_id: fields.text("customer_id")?,
        kind: fields.text("kind")?,
        status: fields.text("status")?,
        summary: fields.text("summary")?,
        details,
        opened_at: fields.timestamp("opened_at")?,
        deadline: fields.date("deadline")?,
    })
}

/// Decodes the list under `key` of an envelope such as `{"loans": [...]}`, each item with `decode_item`.
pub(crate) fn list<Record>(
    envelope: &Value,
    key: &str,
    decode_item: fn(&Value, &str) -> Result<Record, BackendError>,
) -> Result<Vec<Record>, BackendError> {
    let fields = Fields::of(envelope, "")?;
    fields
        .array(key)?
        .iter()
        .enumerate()
        .map(|(index, item)| decode_item(item, &format!("{key}[{index}]")))
        .collect()
}

/// The `error.code` of an error body (`{"error": {"code": "...", "message": "..."}}`), when it has one.
pub(crate) fn error_code(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value
        .get("error")?
        .get("code")?
        .as_str()
        .map(|code| code.chars().take(64).collect())
}

/// The fields of one JSON object and where it sits in the answer.
struct Fields<'value> {
    object: &'value Map<String, Value>,
    path: &'value str,
}

impl<'value> Fields<'value> {
    fn of(value: &'value Value, path: &'value str) -> Result<Fields<'value>, BackendError> {
        match value {
            Value::Object(object) => Ok(Fields { object, path }),
            other => Err(invalid(
                if path.is_empty() { "the answer" } else { path },
                &format!("expected an object, found {}", kind(other)),
            )),
        }
    }

    fn field_path(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    fn optional(&self, name: &str) -> Option<&'value Value> {
        self.object.get(name).filter(|value| !value.is_null())
    }

    fn required(&self, name: &str) -> Result<&'value Value, BackendError> {
        self.optional(name)
            .ok_or_else(|| invalid(&self.field_path(name), "is missing"))
    }

    fn text(&self, name: &str) -> Result<String, BackendError> {
        self.string_value(name, self.required(name)?)
    }

    fn optional_text(&self, name: &str) -> Result<Option<String>, BackendError> {
        self.optional(name)
            .map(|value| self.string_value(name, value))
            .transpose()
    }

    fn string_value(&self, name: &str, value: &Value) -> Result<String, BackendError> {
        match value {
            Value::String(text) => Ok(text.clone()),
            other => Err(invalid(
                &self.field_path(name),
                &format!("expected a string, found {}", kind(other)),
            )),
        }
    }

    fn money(&self, name: &str) -> Result<Decimal, BackendError> {
        self.money_value(name, self.required(name)?)
    }

    fn optional_money(&self, name: &str) -> Result<Option<Decimal>, BackendError> {
        self.optional(name)
            .map(|value| self.money_value(name, value))
            .transpose()
    }

    fn money_value(&self, name: &str, value: &Value) -> Result<Decimal, BackendError> {
        let Value::String(text) = value else {
            return Err(invalid(
                &self.field_path(name),
                &format!(
                    "expected a decimal string such as \"12.50\", found {}",
                    kind(value)
                ),
            ));
        };
        let amount = Decimal::from_str(text).map_err(|_| {
            invalid(
                &self.field_path(name),
                &format!("{text:?} is not a decimal amount"),
            )
        })?;
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(invalid(
                &self.field_path(name),
                &format!("{text:?} is negative"),
            ));
        }
        Ok(amount)
    }

    fn count(&self, name: &str) -> Result<u32, BackendError> {
        let value = self.required(name)?;
        value
            .as_u64()
            .and_then(|number| u32::try_from(number).ok())
            .ok_or_else(|| {
                invalid(
                    &self.field_path(name),
                    &format!("expected a non-negative whole number, found {value}"),
                )
            })
    }

    fn boolean(&self, name: &str) -> Result<bool, BackendError> {
        match self.required(name)? {
            Value::Bool(flag) => Ok(*flag),
            other => Err(invalid(
                &self.field_path(name),
                &format!("expected true or false, found {}", kind(other)),
            )),
        }
    }

    fn date(&self, name: &str) -> Result<NaiveDate, BackendError> {
        let text = self.text(name)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
            invalid(
                &self.field_path(name),
                &format!("{text:?} is not an ISO date"),
            )
        })
    }

    fn timestamp(&self, name: &str) -> Result<DateTime<FixedOffset>, BackendError> {
        let text = self.text(name)?;
        DateTime::parse_from_rfc3339(&text).map_err(|_| {
            invalid(
                &self.field_path(name),
                &format!("{text:?} is not an RFC 3339 timestamp"),
            )
        })
    }

    fn array(&self, name: &str) -> Result<&'value Vec<Value>, BackendError> {
        match self.required(name)? {
            Value::Array(items) => Ok(items),
            other => Err(invalid(
                &self.field_path(name),
                &format!("expected an array, found {}", kind(other)),
            )),
        }
    }
}

fn invalid(path: &str, problem: &str) -> BackendError {
    BackendError::InvalidData(format!("{path} {problem}"))
}

/// What kind of JSON value this is, for error messages that never echo a value that might be personal.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn message(error: BackendError) -> String {
        match error {
            BackendError::InvalidData(message) => message,
            other => panic!("expected invalid data, got {other:?}"),
        }
    }

    fn loan_json() -> Value {
        json!({"id": "LN001", "customer_id": "C001", "product": "cash_loan", "principal": "1000.00",
               "annual_rate": "0.18", "term_months": 1, "disbursed_on": "2026-03-15", "extra": "ignored",
               "installments": [{"seq": 1, "due_date": "2026-04-15", "principal": "1000.00",
                                 "interest": "15.00", "fee": "0.00", "penalty": "0.00", "paid": "0.10"}]})
    }

    #[test]
    fn a_well_formed_loan_decodes_with_exact_decimals_and_ignores_unknown_fields() {
        let decoded = loan(&loan_json(), "loans[0]").expect("decodes");
        assert_eq!(decoded.installments.len(), 1);
        // 0.10 stays exactly one tenth, as a decimal and not as a binary float.
        assert_eq!(decoded.installments[0].paid, Decimal::new(10, 2));
        assert_eq!(decoded.installments[0].total(), Decimal::new(101500, 2));
    }

    #[test]
    fn errors_name_the_field_and_the_problem() {
        let mut number_amount = loan_json();
        number_amount["installments"][0]["paid"] = json!(0.1);
        assert_eq!(
            message(loan(&number_amount, "loans[0]").expect_err("a float amount")),
            "loans[0].installments[0].paid expected a decimal string such as \"12.50\", found a number"
        );

        let mut missing = loan_json();
        missing
            .as_object_mut()
            .expect("an object")
            .remove("disbursed_on");
        assert_eq!(
            message(loan(&missing, "loans[3]").expect_err("missing field")),
            "loans[3].disbursed_on is missing"
        );

        let mut bad_date = loan_json();
        bad_date["installments"][0]["due_date"] = json!("15/04/2026");
        assert_eq!(
            message(loan(&bad_date, "loans[0]").expect_err("bad date")),
            "loans[0].installments[0].due_date \"15/04/2026\" is not an ISO date"
        );

        let mut negative = loan_json();
        negative["principal"] = json!("-5.00");
        assert_eq!(
            message(loan(&negative, "loans[0]").expect_err("negative")),
            "loans[0].principal \"-5.00\" is negative"
        );

        let mut fractional_term = loan_json();
        fractional_term["term_months"] = json!(1.5);
        assert_eq!(
            message(loan(&fractional_term, "loans[0]").expect_err("not a count")),
            "loans[0].term_months expected a non-negative whole number, found 1.5"
        );
    }

    #[test]
    fn customers_accept_a_null_or_missing_credit_limit_and_lists_need_their_key() {
        let value = json!({"id": "C001", "name": "张伟", "phone": "+8613812345678", "id_last4": "1234",
                           "language": "zh", "timezone": "Asia/Shanghai", "credit_limit": null});
        assert_eq!(
            customer(&value, "customer").expect("decodes").credit_limit,
            None
        );
        let wrong_type = json!({"id": 1});
        assert_eq!(
            message(customer(&wrong_type, "customer").expect_err("number id")),
            "customer.id expected a string, found a number"
        );
        assert_eq!(
            message(list(&json!({"cards": {}}), "cards", card).expect_err("not an array")),
            "cards expected an array, found an object"
        );
        assert_eq!(
            message(list(&json!([]), "cards", card).expect_err("not an envelope")),
            "the answer expected an object, found an array"
        );
    }

    #[test]
    fn error_codes_are_read_from_error_bodies_only() {
        assert_eq!(
            error_code(
                br#"{"error": {"code": "customer_not_found", "message": "no such customer"}}"#
            ),
            Some("customer_not_found".to_owned())
        );
        assert_eq!(error_code(b"<html>Not Found</html>"), None);
    }
}
