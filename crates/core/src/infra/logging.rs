//! The optional text log file of docs/behaviour.md §H.1. Every line goes through
//! `masking::mask_text` last, after truncation, so no secret reaches the file whatever the caller
//! passed in.

use crate::infra::config_yaml::LoggerConfig;
use crate::infra::masking::mask_text;
use once_cell::sync::Lazy;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Notice,
    Warning,
    Error,
    Critical,
    Alert,
    Emergency,
}

impl Level {
    /// Case-insensitive; unknown names mean NOTICE, as in the reference.
    pub fn parse(name: &str) -> Level {
        match name.trim().to_ascii_uppercase().as_str() {
            "DEBUG" => Level::Debug,
            "INFO" => Level::Info,
            "WARNING" => Level::Warning,
            "ERROR" => Level::Error,
            "CRITICAL" => Level::Critical,
            "ALERT" => Level::Alert,
            "EMERGENCY" => Level::Emergency,
            _ => Level::Notice,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Notice => "NOTICE",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Critical => "CRITICAL",
            Level::Alert => "ALERT",
            Level::Emergency => "EMERGENCY",
        }
    }
}

/// Seven hex characters identifying the current PHP request in every log line.
static REQUEST_UID: Lazy<Mutex<String>> = Lazy::new(|| Mutex::new(fresh_uid()));

fn fresh_uid() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mixed = (nanos as u64) ^ (u64::from(std::process::id()) << 32);
    let h = crate::infra::hashing::sha256_hex(&mixed.to_le_bytes());
    h.chars().take(7).collect()
}

/// Starts a new request id (called by the extension at request start-up).
pub fn new_request_uid() {
    if let Ok(mut uid) = REQUEST_UID.lock() {
        *uid = fresh_uid();
    }
}

pub fn request_uid() -> String {
    REQUEST_UID
        .lock()
        .map(|u| u.clone())
        .unwrap_or_else(|_| "0000000".into())
}

/// Writes masked lines to the configured file when enabled.
#[derive(Debug, Clone)]
pub struct FileLogger {
    path: Option<PathBuf>,
    min: Level,
    max_len: usize,
}

impl FileLogger {
    pub fn from_config(cfg: &LoggerConfig) -> FileLogger {
        let path = (cfg.enabled && !cfg.filename.trim().is_empty())
            .then(|| PathBuf::from(cfg.filename.trim()));
        FileLogger {
            path,
            min: Level::parse(&cfg.level),
            max_len: cfg.max_message_length,
        }
    }

    pub fn disabled() -> FileLogger {
        FileLogger {
            path: None,
            min: Level::Emergency,
            max_len: 0,
        }
    }

    pub fn enabled_for(&self, level: Level) -> bool {
        self.path.is_some() && level >= self.min
    }

    /// Formats one line: `<datetime> <uid> <LEVEL> <message> File: <file>:<line>`.
    pub fn format_line(&self, level: Level, message: &str, file: &str, line: u32) -> String {
        let mut msg = message.replace(['\r', '\n'], " ");
        if self.max_len > 0 && msg.chars().count() > self.max_len {
            msg = msg.chars().take(self.max_len).collect::<String>() + "...";
        }
        let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S%.3f %:z");
        mask_text(&format!(
            "{now} {} {} {msg} File: {file}:{line}",
            request_uid(),
            level.name()
        ))
    }

    #[track_caller]
    pub fn log(&self, level: Level, message: &str) {
        if !self.enabled_for(level) {
            return;
        }
        let loc = std::panic::Location::caller();
        let line = self.format_line(level, message, loc.file(), loc.line());
        if let Some(path) = &self.path {
            // A log failure must never break provisioning; the PHP side cannot do more either.
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
            {
                let _ = writeln!(f, "{line}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logger(level: &str, max: usize, path: &str) -> FileLogger {
        FileLogger::from_config(&LoggerConfig {
            enabled: true,
            filename: path.into(),
            level: level.into(),
            max_message_length: max,
        })
    }

    #[test]
    fn level_names_are_case_insensitive_and_unknown_is_notice() {
        assert_eq!(Level::parse("debug"), Level::Debug);
        assert_eq!(Level::parse("Warning"), Level::Warning);
        assert_eq!(Level::parse("verbose"), Level::Notice);
    }

    #[test]
    fn line_format_truncates_then_masks() {
        let l = logger("DEBUG", 30, "/tmp/unused.log");
        let line = l.format_line(
            Level::Info,
            "token=abcdefghijklmnop and more text here",
            "x.rs",
            7,
        );
        assert!(line.contains(" INFO token=abcde*****"), "{line}");
        assert!(line.ends_with("... File: x.rs:7"), "{line}");
        let uid = request_uid();
        assert_eq!(uid.len(), 7);
        assert!(line.contains(&uid));
    }

    #[test]
    fn writes_only_at_or_above_level() {
        let dir = std::env::temp_dir().join(format!("acl-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.log");
        let l = logger("warning", 0, path.to_str().unwrap());
        l.log(Level::Info, "hidden");
        l.log(Level::Error, r#"{"password":"pw"}"#);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("hidden"));
        assert!(text.contains(r#"{"password":"*****"}"#), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn disabled_without_filename() {
        let l = FileLogger::from_config(&LoggerConfig {
            enabled: true,
            ..LoggerConfig::default()
        });
        assert!(!l.enabled_for(Level::Emergency));
    }
}
