//! The import's view of an OSV record: only the fields the database stores, borrowed from the
//! input buffer where the JSON has no escapes, so that parsing allocates little and never builds
//! a `serde_json::Value` (except for the rare range event of an unknown shape).
//!
//! It accepts what [`crate::model::Record`] accepts (same defaults, `null` lists as empty, a
//! non-string `database_specific.severity` ignored); it ignores `details`, `ecosystem_specific`
//! and `database_specific` except `severity`. What it serialises (`ranges`, `versions`) reads
//! back as [`crate::model::Range`] / `Vec<String>`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// A string borrowed from the input when it can be (no escapes), owned otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Str<'a>(pub(crate) Cow<'a, str>);

impl Str<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl Serialize for Str<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// `null` is as good as absent for OSV lists.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RecordRef<'a> {
    #[serde(borrow)]
    pub id: Str<'a>,
    #[serde(borrow)]
    pub modified: Option<Str<'a>>,
    #[serde(borrow)]
    pub published: Option<Str<'a>>,
    #[serde(borrow)]
    pub withdrawn: Option<Str<'a>>,
    #[serde(borrow, deserialize_with = "null_as_default")]
    pub aliases: Vec<Str<'a>>,
    #[serde(borrow, deserialize_with = "null_as_default")]
    pub related: Vec<Str<'a>>,
    #[serde(borrow, deserialize_with = "null_as_default")]
    pub upstream: Vec<Str<'a>>,
    #[serde(borrow)]
    pub summary: Option<Str<'a>>,
    #[serde(borrow, deserialize_with = "null_as_default")]
    pub severity: Vec<SeverityRef<'a>>,
    #[serde(borrow, deserialize_with = "null_as_default")]
    pub affected: Vec<AffectedRef<'a>>,
    #[serde(borrow, deserialize_with = "null_as_default")]
    pub references: Vec<ReferenceRef<'a>>,
    #[serde(borrow)]
    pub database_specific: DatabaseSpecific<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SeverityRef<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Str<'a>,
    #[serde(borrow)]
    pub score: Str<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ReferenceRef<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Str<'a>,
    #[serde(borrow)]
    pub url: Str<'a>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct AffectedRef<'a> {
    #[serde(borrow)]
    pub package: Option<PackageRef<'a>>,
    #[serde(borrow, deserialize_with = "null_as_default")]
    pub severity: Vec<SeverityRef<'a>>,
    #[serde(borrow, deserialize_with = "null_as_default")]
    pub ranges: Vec<RangeRef<'a>>,
    #[serde(borrow, deserialize_with = "null_as_default")]
    pub versions: Vec<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PackageRef<'a> {
    #[serde(borrow)]
    pub ecosystem: Str<'a>,
    #[serde(borrow)]
    pub name: Str<'a>,
}

/// Serialises as [`crate::model::Range`] does.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub(crate) struct RangeRef<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Str<'a>,
    #[serde(borrow, skip_serializing_if = "Option::is_none")]
    pub repo: Option<Str<'a>>,
    #[serde(borrow, deserialize_with = "null_as_default")]
    pub events: Vec<EventRef<'a>>,
}

/// [`crate::model::Event`]: `{"introduced": "1.0"}` and the like, anything else kept verbatim.
#[derive(Debug)]
pub(crate) enum EventRef<'a> {
    Known(&'static str, Str<'a>),
    Unknown(serde_json::Value),
}

const EVENT_KEYS: [&str; 4] = ["introduced", "fixed", "last_affected", "limit"];

impl Serialize for EventRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            EventRef::Known(key, value) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry(key, value)?;
                map.end()
            }
            EventRef::Unknown(v) => v.serialize(s),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for EventRef<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde_json::Value;
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EventRef<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a range event")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut rest = serde_json::Map::new();
                let Some(key) = map.next_key::<Str<'de>>()? else {
                    return Ok(EventRef::Unknown(Value::Object(rest)));
                };
                let mut second = None;
                let value: Value = match EVENT_KEYS.iter().find(|k| **k == key.as_str()) {
                    Some(known) => {
                        // The common case: one known key with a string value.
                        match map.next_value::<Value>()? {
                            Value::String(s) => match map.next_key::<String>()? {
                                None => return Ok(EventRef::Known(known, Str(Cow::Owned(s)))),
                                Some(k2) => {
                                    second = Some((k2, map.next_value::<Value>()?));
                                    Value::String(s)
                                }
                            },
                            other => other,
                        }
                    }
                    None => map.next_value::<Value>()?,
                };
                rest.insert(key.0.into_owned(), value);
                if let Some((k, v)) = second {
                    rest.insert(k, v);
                }
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    rest.insert(k, v);
                }
                Ok(EventRef::Unknown(Value::Object(rest)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(EventRef::Unknown)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(EventRef::Unknown(Value::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(EventRef::Unknown(Value::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(EventRef::Unknown(Value::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(EventRef::Unknown(Value::from(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(EventRef::Unknown(Value::from(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(EventRef::Unknown(Value::Null))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(EventRef::Unknown(Value::Null))
            }
        }
        d.deserialize_any(V)
    }
}

/// `database_specific`: only its `severity`, when it is a string; anything else is ignored.
#[derive(Debug, Default)]
pub(crate) struct DatabaseSpecific<'a> {
    pub severity: Option<Str<'a>>,
}

/// Any JSON value; a string kept, anything else skipped.
struct MaybeStr<'a>(Option<Str<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for MaybeStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(MaybeStr(Some(Str(Cow::Borrowed(v)))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MaybeStr(Some(Str(Cow::Owned(v.to_owned())))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(MaybeStr(Some(Str(Cow::Owned(v)))))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeStr(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(MaybeStr(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for DatabaseSpecific<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DatabaseSpecific<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut severity = None;
                while let Some(key) = map.next_key::<Str<'de>>()? {
                    if key.as_str() == "severity" {
                        // Like `Value::get` on a map with a repeated key: the last one wins.
                        severity = map.next_value::<MaybeStr<'de>>()?.0;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(DatabaseSpecific { severity })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(DatabaseSpecific::default())
            }
            fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Self::Value, E> {
                Ok(DatabaseSpecific::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(DatabaseSpecific::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(DatabaseSpecific::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(DatabaseSpecific::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(DatabaseSpecific::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(DatabaseSpecific::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(DatabaseSpecific::default())
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(DatabaseSpecific::default())
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Event, Range, Record};

    #[test]
    fn same_view_as_the_model() {
        let json = r#"{"id":"X-1","aliases":null,"details":"d\n","extra":{"a":1},
            "database_specific":{"severity":"HIGH","other":[1,{"x":null}]},
            "affected":[{"package":{"ecosystem":"Weird:9","name":"p\u00e9"},"ecosystem_specific":{"x":1},
            "versions":["1","2"],
            "ranges":[{"type":"NEW","events":[{"introduced":"0"},{"fixed":"1"},{"strange":"2"},
              {"fixed":"3","limit":"4"},{"limit":5},[1],"s",null]}]}]}"#;
        let model: Record = serde_json::from_str(json).unwrap();
        let fast: RecordRef = serde_json::from_str(json).unwrap();
        assert_eq!(fast.id.as_str(), "X-1");
        assert_eq!(fast.database_specific.severity.as_ref().map(Str::as_str), model.database_rating());
        assert_eq!(fast.affected[0].package.as_ref().unwrap().name.as_str(), "pé");
        let back: Vec<Range> = serde_json::from_slice(&serde_json::to_vec(&fast.affected[0].ranges).unwrap()).unwrap();
        assert_eq!(back, model.affected[0].ranges);
        assert!(matches!(back[0].events[3], Event::Unknown(_)));

        for odd in [r#"{"id":"Y","database_specific":"x"}"#, r#"{"id":"Y","database_specific":{"severity":3}}"#] {
            let fast: RecordRef = serde_json::from_str(odd).unwrap();
            assert!(fast.database_specific.severity.is_none());
        }
    }
}
