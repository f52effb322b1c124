//! Pre-check of a module-v1 migration: the installed v1 build, read from its `Vers.ion` file
//! (docs/behaviour.md §I.2). Older builds kept data the converter does not understand.

use crate::infra::error::{Error, Result};

/// Oldest v1 build the migration understands (manual 7.1.1: 1.0.177).
pub const MIN_V1: V1Version = V1Version {
    major: 1,
    minor: 0,
    build: 177,
};

/// A v1 version `major.minor.0-build` (the patch number is always 0 in v1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct V1Version {
    pub major: u64,
    pub minor: u64,
    pub build: u64,
}

impl std::fmt::Display for V1Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.0-{}", self.major, self.minor, self.build)
    }
}

/// Parses the ini text of `Vers.ion` (`major_version`, `minor_version`, `build_number`;
/// values may be quoted). `path` only names the file in messages.
pub fn parse(text: &str, path: &str) -> Result<V1Version> {
    let get = |key: &str| -> Result<u64> {
        let value = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .find(|(k, _)| k.trim() == key)
            .map(|(_, v)| v.trim().trim_matches(|c| c == '"' || c == '\''))
            .unwrap_or("");
        value.parse::<u64>().map_err(|_| {
            Error::config(format!(
                "The version file \"{path}\" of the previous module is invalid: \"{key}\" is missing or not a number."
            ))
        })
    };
    Ok(V1Version {
        major: get("major_version")?,
        minor: get("minor_version")?,
        build: get("build_number")?,
    })
}

/// Refuses builds older than [`MIN_V1`]; `text` is `None` when the file cannot be read.
pub fn check(text: Option<&str>, path: &str, new_version: &str) -> Result<V1Version> {
    let text = text.ok_or_else(|| {
        Error::config(format!(
            "Cannot read the version file \"{path}\" of the previous module. Make sure the files of version 1.0 are still installed and readable by the web server."
        ))
    })?;
    let found = parse(text, path)?;
    if found < MIN_V1 {
        return Err(Error::config(format!(
            "Direct upgrade from the current version {found} to the new version {new_version} is not supported. Please upgrade the module to the version {MIN_V1} first."
        )));
    }
    Ok(found)
}
