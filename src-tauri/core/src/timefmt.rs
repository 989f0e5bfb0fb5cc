//! Unix-seconds timestamps: RFC 3339 in JSON, and parsing of user-supplied dates.

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::error::{Error, Result};

pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

pub fn rfc3339(ts: i64) -> String {
    OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| ts.to_string())
}

/// Accepts `YYYY-MM-DD` (midnight UTC) or a full RFC 3339 timestamp.
pub fn parse_date(s: &str) -> Result<i64> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &fmt).map(|d| d.midnight().assume_utc().unix_timestamp()).map_err(|_| {
        Error::InvalidInput(format!("'{s}' is not a date: use YYYY-MM-DD or RFC 3339"))
    })
}

pub(crate) mod req {
    pub fn serialize<S: serde::Serializer>(ts: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(*ts))
    }
}

pub(crate) mod opt {
    pub fn serialize<S: serde::Serializer>(ts: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match ts {
            Some(t) => s.serialize_str(&super::rfc3339(*t)),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::parse_date("1970-01-02").unwrap(), 86400);
        assert_eq!(super::parse_date("1970-01-01T00:01:00Z").unwrap(), 60);
        assert!(super::parse_date("tomorrow").is_err());
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
