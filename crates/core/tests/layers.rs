//! The dependency direction of the core's layers, checked on the sources (see
//! `docs/architecture.md`): `features` → `rules` → `platform` → `infra`. A module may name its
//! own layer or a lower one, never a higher one; a rule also never names the platform's I/O
//! (HTTP, connection, token cache), since rules are pure functions over plain data.
//!
//! Every `crate::…` path in a source file's code counts (imports, grouped imports, qualified
//! calls); a lowercase path that names no layer is reported too, since the crate root holds
//! only the four layers. Test code (`tests.rs`, and each item marked `#[cfg(test)]`) is
//! exempt: a test may build its fixtures from any layer.

#![allow(clippy::unwrap_used)] // test code: an unreadable source tree should fail the test

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

/// The non-test lines of a file, with their numbers: an item marked `#[cfg(test)]` (a test
/// module, a test-only helper) is left out up to its closing brace or semicolon, so production
/// code after it is still checked.
fn production_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut skipping = false;
    let mut depth = 0i64;
    let mut opened = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if !skipping && t.starts_with("#[cfg(test)]") {
            skipping = true;
            depth = 0;
            opened = false;
            continue;
        }
        if !skipping {
            if !t.starts_with("//") {
                out.push((i + 1, line));
            }
            continue;
        }
        let code = t.split("//").next().unwrap_or("");
        depth += braces(code);
        opened |= code.contains('{');
        if depth <= 0 && ((opened && code.contains('}')) || (!opened && code.ends_with(';'))) {
            skipping = false;
        }
    }
    out
}

/// `{` minus `}` on a line, outside string literals and the character literals `'{'` and
/// `'}'` (a test module may match on them).
fn braces(code: &str) -> i64 {
    let plain = code.replace("'{'", "").replace("'}'", "");
    let mut n = 0;
    let mut in_str = false;
    let mut prev = ' ';
    for c in plain.chars() {
        match c {
            '"' if prev != '\\' => in_str = !in_str,
            '{' if !in_str => n += 1,
            '}' if !in_str => n -= 1,
            _ => {}
        }
        prev = c;
    }
    n
}

/// The `(layer, module)` of every `crate::layer::module` path on a line, including each
/// path of a grouped import (`use crate::{rules::quotas, platform::http};`). A path whose
/// first segment is not a layer is reported as `("", name)`: the core has no flat modules.
fn targets(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for piece in line.split("crate::").skip(1) {
        let paths: Vec<&str> = match piece.strip_prefix('{') {
            Some(group) => group.split(',').collect(),
            None => vec![piece],
        };
        for path in paths {
            let mut segs = path.trim().split("::").map(|s| {
                s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or("")
            });
            let first = segs.next().unwrap_or("").to_string();
            let second = segs.next().unwrap_or("").to_string();
            if rank(&first).is_some() {
                out.push((first, second));
            } else if first.chars().next().is_some_and(char::is_lowercase) {
                out.push((String::new(), first));
            }
        }
    }
    out
}

fn violations() -> Vec<String> {
    let root = src();
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
            for (to, module) in targets(line) {
                let flat = to.is_empty();
                let upward = rank(&to).is_some_and(|r| r > own);
                let impure =
                    layer == "rules" && to == "platform" && PLATFORM_IO.contains(&module.as_str());
                if flat || upward || impure {
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
fn the_check_sees_layer_paths_groups_and_flat_paths() {
    assert_eq!(
        targets("use crate::features::usage::x; y = crate::infra::config_yaml::load();"),
        vec![
            ("features".to_string(), "usage".to_string()),
            ("infra".to_string(), "config_yaml".to_string())
        ]
    );
    assert_eq!(
        targets("use crate::{rules::quotas, platform::http::Exchange, Error};"),
        vec![
            ("rules".to_string(), "quotas".to_string()),
            ("platform".to_string(), "http".to_string())
        ]
    );
    assert_eq!(
        targets("use crate::usage::pipeline;"),
        vec![(String::new(), "usage".to_string())]
    );
}

#[test]
fn test_items_are_exempt_but_code_after_them_is_checked() {
    let text = "use a;\n// note\n#[cfg(test)]\nmod tests {\n    use b;\n    fn f() { g('{'); }\n}\nuse c;\n#[cfg(test)]\nuse d;\nfn e() {}";
    assert_eq!(
        production_lines(text),
        vec![(1, "use a;"), (8, "use c;"), (11, "fn e() {}")]
    );
}
