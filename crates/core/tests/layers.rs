//! The dependency direction of the core's layers, checked on the sources (see
//! `docs/architecture.md`): `features` → `rules` → `platform` → `infra`. A module may name its
//! own layer or a lower one, never a higher one; a rule also never names the platform's I/O
//! (HTTP, connection, token cache), since rules are pure functions over plain data.
//!
//! Every `crate::…` path in a source file counts (imports, qualified calls, doc links), the
//! flat transitional aliases of `lib.rs` resolved to their layer. Test code (`tests.rs`, and
//! everything after `#[cfg(test)]`) is exempt: a test may build its fixtures from any layer.

#![allow(clippy::unwrap_used)] // test code: an unreadable source tree should fail the test

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

const LAYERS: [&str; 4] = ["infra", "platform", "rules", "features"];
/// Platform modules that do I/O: a rule must not reach them.
const PLATFORM_IO: [&str; 3] = ["http", "connection", "token_cache"];

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rank(layer: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == layer)
}

/// `alias → (layer, module)` from the `pub use <layer>::{a, b as c};` lines of `lib.rs`.
fn aliases(lib: &str) -> HashMap<String, (String, String)> {
    let mut map = HashMap::new();
    let flat = lib.replace('\n', " ");
    for stmt in flat.split(';') {
        let Some(rest) = stmt.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((layer, list)) = rest.split_once("::{") else {
            continue;
        };
        if rank(layer).is_none() {
            continue;
        }
        for item in list.trim_end_matches('}').split(',') {
            let words: Vec<&str> = item.split_whitespace().collect();
            match words.as_slice() {
                [module] => map.insert(module.to_string(), (layer.into(), module.to_string())),
                [module, "as", alias] => {
                    map.insert(alias.to_string(), (layer.into(), module.to_string()))
                }
                _ => None,
            };
        }
    }
    map
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The non-test lines of a file, with their numbers; lines of a `pub use` that a
/// "Transitional" comment introduces are left out (aliases kept for unmerged branches).
fn production_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut transitional = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        if t.starts_with("//") {
            transitional |= t.contains("Transitional");
            continue;
        }
        if !(transitional && t.starts_with("pub use ")) {
            out.push((i + 1, line));
        }
        transitional = false;
    }
    out
}

/// The `(layer, module)` of every `crate::x::y` path on a line.
fn targets(line: &str, alias: &HashMap<String, (String, String)>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for piece in line.split("crate::").skip(1) {
        let mut segs = piece.split("::").map(|s| {
            s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")
        });
        let first = segs.next().unwrap_or("").to_string();
        if rank(&first).is_some() {
            out.push((first, segs.next().unwrap_or("").to_string()));
        } else if let Some(hit) = alias.get(&first) {
            out.push(hit.clone());
        }
    }
    out
}

fn violations() -> Vec<String> {
    let root = src();
    let alias = aliases(&fs::read_to_string(root.join("lib.rs")).unwrap());
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut found = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let layer = rel.split('/').next().unwrap_or("");
        let (Some(own), false) = (rank(layer), rel.ends_with("tests.rs")) else {
            continue;
        };
        let text = fs::read_to_string(&file).unwrap();
        for (n, line) in production_lines(&text) {
            for (to, module) in targets(line, &alias) {
                let upward = rank(&to).is_some_and(|r| r > own);
                let impure =
                    layer == "rules" && to == "platform" && PLATFORM_IO.contains(&module.as_str());
                if upward || impure {
                    found.push(format!(
                        "{rel}:{n}: {layer} -> {to}::{module}: {}",
                        line.trim()
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn layers_point_one_way() {
    let found = violations();
    assert!(
        found.is_empty(),
        "imports against the layer direction (features -> rules -> platform -> infra):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_aliases_and_layer_paths() {
    let alias = aliases(
        "pub use features::{usage, provisioning as prov};\npub use infra::{config_yaml as config};",
    );
    assert_eq!(
        targets(
            "use crate::prov::messages; x = crate::config::load();",
            &alias
        ),
        vec![
            ("features".to_string(), "provisioning".to_string()),
            ("infra".to_string(), "config_yaml".to_string())
        ]
    );
    assert_eq!(
        targets("use crate::rules::quotas::x;", &alias),
        vec![("rules".to_string(), "quotas".to_string())]
    );
    let lines = production_lines(
        "use a;\n// Transitional alias\npub use crate::features::x;\n#[cfg(test)]\nuse b;",
    );
    assert_eq!(lines, vec![(1, "use a;")]);
}
