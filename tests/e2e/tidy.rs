//! Tidy checks that hold the workspace's layering and house rules (see ARCHITECTURE.md): which crate may depend on
//! which, that pure crates do no I/O, that every module says what it is for, and that the bundled intent list is
//! the spec's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the workspace root")
}

/// Each workspace crate and the names of its normal (non-dev) dependencies.
fn dependencies_by_crate() -> BTreeMap<String, Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|package| {
            let name = package["name"].as_str().expect("a name").to_owned();
            let dependencies = package["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|dependency| dependency["kind"].is_null())
                .map(|dependency| dependency["name"].as_str().expect("a name").to_owned())
                .collect();
            (name, dependencies)
        })
        .collect()
}

const WORKSPACE_CRATES: [&str; 7] = [
    "bot",
    "nlu",
    "knowledge-graph",
    "dialog",
    "speech",
    "connectors",
    "tests",
];
const PURE_CRATES: [&str; 4] = ["nlu", "dialog", "knowledge-graph", "speech"];
const IO_DEPENDENCIES: [&str; 7] = [
    "tokio",
    "sqlx",
    "axum",
    "reqwest",
    "tokio-tungstenite",
    "hyper",
    "tracing-subscriber",
];

#[test]
fn crates_depend_only_as_the_architecture_allows() {
    let crates = dependencies_by_crate();
    for name in WORKSPACE_CRATES {
        assert!(
            crates.contains_key(name),
            "the workspace lacks the crate {name}"
        );
    }
    let allowed_workspace_dependencies = |name: &str| -> &[&str] {
        match name {
            "bot" => &["nlu", "dialog", "knowledge-graph", "speech", "connectors"],
            "dialog" => &["nlu"],
            "tests" => &[
                "bot",
                "connectors",
                "nlu",
                "dialog",
                "knowledge-graph",
                "speech",
            ],
            _ => &[],
        }
    };
    for (name, dependencies) in &crates {
        for dependency in dependencies {
            if WORKSPACE_CRATES.contains(&dependency.as_str()) {
                assert!(
                    allowed_workspace_dependencies(name).contains(&dependency.as_str()),
                    "{name} may not depend on {dependency}"
                );
            }
        }
        if PURE_CRATES.contains(&name.as_str()) {
            for dependency in dependencies {
                assert!(
                    !IO_DEPENDENCIES.contains(&dependency.as_str()),
                    "{name} is pure and may not depend on {dependency}"
                );
            }
        }
        if name != "bot" && name != "tests" {
            assert!(
                !dependencies.iter().any(|d| d == "axum"),
                "only bot knows the wire, yet {name} uses axum"
            );
            assert!(
                !dependencies.iter().any(|d| d == "anyhow"),
                "{name} is a library and uses anyhow"
            );
        }
    }
}

fn rust_sources(folder: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name == "target") {
                continue;
            }
            rust_sources(&path, found);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn every_module_says_what_it_is_for_and_nothing_is_left_unfinished() {
    let root = workspace_root();
    let mut sources = Vec::new();
    for name in WORKSPACE_CRATES {
        rust_sources(&root.join(name), &mut sources);
    }
    assert!(sources.len() > 20, "found only {} sources", sources.len());
    let unfinished = ["TODO", "FIXME", "todo!(", "unimplemented!(", "XXX:"];
    for path in sources {
        let text = std::fs::read_to_string(&path).expect("readable source");
        let first = text
            .lines()
            .find(|line| !line.trim().is_empty())
            .unwrap_or_default();
        assert!(
            first.starts_with("//!") || first.starts_with("#!["),
            "{} does not open with a //! paragraph",
            path.display()
        );
        if path.ends_with("tests/e2e/tidy.rs") {
            continue;
        }
        for marker in unfinished {
            assert!(
                !text.contains(marker),
                "{} contains {marker}",
                path.display()
            );
        }
    }
}

#[test]
fn pure_crates_do_no_io() {
    let root = workspace_root();
    let forbidden = [
        "std::env::var",
        "std::fs::",
        "std::net::",
        "File::open",
        "File::create",
        "TcpStream",
    ];
    for name in PURE_CRATES {
        let mut sources = Vec::new();
        rust_sources(&root.join(name).join("src"), &mut sources);
        for path in sources {
            let text = std::fs::read_to_string(&path).expect("readable source");
            for call in forbidden {
                assert!(
                    !text.contains(call),
                    "{} is in a pure crate and uses {call}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn bundled_intents_are_the_specs() {
    let bundled = std::fs::read_to_string(workspace_root().join("nlu/data/intents.tsv"))
        .expect("bundled intents");
    let ids: Vec<&str> = bundled
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .collect();
    assert_eq!(ids.len(), 56, "the spec names 56 intents");
    // The shared spec sits beside the checkout on developer machines and in CI.
    let spec = workspace_root().join("../shared/spec/intents.tsv");
    if let Ok(spec) = std::fs::read_to_string(&spec) {
        assert_eq!(
            bundled.trim_end(),
            spec.trim_end(),
            "nlu/data/intents.tsv differs from shared/spec/intents.tsv"
        );
    }
}
