//! `cargo xtask public-api`: the public API of `gong-users`, one item a line, from rustdoc's JSON
//! output, written to `gong-users/public-api.txt`; `--check` fails when the committed list and
//! the code disagree, so every change to the API shows in review.
//!
//! rustdoc's JSON output is unstable: it is read here as plain JSON (no `rustdoc-types`, whose
//! version must match the toolchain's), and produced with `RUSTC_BOOTSTRAP=1` on the stable
//! toolchain. Functions are listed with their signatures; types with their public fields,
//! variants, methods and trait implementations (blanket ones left out).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::codegen::Outcome;

/// The crate whose API is locked, and where its list lives.
const CRATE: &str = "gong-users";
const LIST_PATH: &str = "gong-users/public-api.txt";

/// Writes the list, or with `check` compares it with the committed one.
pub fn run(root: &Path, check: bool) -> Result<Outcome> {
    let fresh = public_api(root)?;
    let path = root.join(LIST_PATH);
    if !check {
        fs::write(&path, &fresh).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {LIST_PATH} ({} items)", fresh.lines().count());
        return Ok(Outcome::UpToDate);
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    if committed == fresh {
        eprintln!("{LIST_PATH} is up to date");
        return Ok(Outcome::UpToDate);
    }
    eprintln!(
        "the public API of {CRATE} changed; review the diff, then run `cargo xtask public-api` and commit {LIST_PATH}"
    );
    eprintln!(
        "{}",
        crate::diff::short_diff(LIST_PATH, "from the code", &committed, &fresh)
    );
    Ok(Outcome::Drifted)
}

/// Runs rustdoc and renders the list.
fn public_api(root: &Path) -> Result<String> {
    let target = root.join("target").join("public-api");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        // Every feature: the API behind `redis` is locked too.
        .args([
            "rustdoc",
            "--quiet",
            "--locked",
            "--lib",
            "-p",
            CRATE,
            "--all-features",
            "--",
        ])
        .args(["-Z", "unstable-options", "--output-format", "json"])
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .context("running cargo rustdoc")?;
    if !status.success() {
        bail!("cargo rustdoc failed ({status})");
    }
    let json_path = target
        .join("doc")
        .join(format!("{}.json", CRATE.replace('-', "_")));
    let text = fs::read_to_string(&json_path)
        .with_context(|| format!("reading {}", json_path.display()))?;
    let doc: Value = serde_json::from_str(&text).context("rustdoc's JSON does not parse")?;
    let mut lines = BTreeSet::new();
    Walker { doc: &doc }.module(&doc["root"], "gong_users", &mut lines);
    Ok(lines.into_iter().map(|line| line + "\n").collect())
}

/// Walks rustdoc's item index from the crate root, collecting one line an item.
struct Walker<'a> {
    doc: &'a Value,
}

impl Walker<'_> {
    fn item(&self, id: &Value) -> Option<&Value> {
        self.doc["index"].get(id_key(id))
    }

    fn module(&self, id: &Value, path: &str, lines: &mut BTreeSet<String>) {
        let Some(module) = self.item(id) else { return };
        for child in array(&module["inner"]["module"]["items"]) {
            let Some(item) = self.item(child) else {
                continue;
            };
            if item["visibility"] != "public" {
                continue;
            }
            if let Some(re_export) = item["inner"].get("use") {
                let name = re_export["name"].as_str().unwrap_or_default();
                match self.item(&re_export["id"]) {
                    Some(target) if target["crate_id"] == 0 => {
                        self.named(target, &format!("{path}::{name}"), lines);
                    }
                    _ => {
                        lines.insert(format!(
                            "pub use {path}::{name} = {}",
                            re_export["source"].as_str().unwrap_or_default()
                        ));
                        if let Some(target) = self.item(&re_export["id"]) {
                            self.named(target, &format!("{path}::{name}"), lines);
                        }
                    }
                }
            } else if let Some(name) = item["name"].as_str() {
                self.named(item, &format!("{path}::{name}"), lines);
            }
        }
    }

    /// One named item at `path`, and what hangs off it.
    fn named(&self, item: &Value, path: &str, lines: &mut BTreeSet<String>) {
        let Some((kind, inner)) = item["inner"].as_object().and_then(|o| o.iter().next()) else {
            return;
        };
        match kind.as_str() {
            "module" => self.module(&item["id"], path, lines),
            "function" => {
                lines.insert(format!("pub {}", self.function(path, inner)));
            }
            "constant" => {
                lines.insert(format!("pub const {path}: {}", ty(&inner["type"])));
            }
            "type_alias" => {
                lines.insert(format!("pub type {path} = {}", ty(&inner["type"])));
            }
            "struct" => {
                lines.insert(format!("pub struct {path}{}", generics(&inner["generics"])));
                for field in array(&inner["kind"]["plain"]["fields"]) {
                    self.field(field, path, lines);
                }
                self.impls(&inner["impls"], path, lines);
            }
            "enum" => {
                lines.insert(format!("pub enum {path}{}", generics(&inner["generics"])));
                for variant in array(&inner["variants"]) {
                    let Some(variant) = self.item(variant) else {
                        continue;
                    };
                    let name = variant["name"].as_str().unwrap_or_default();
                    lines.insert(format!("pub {path}::{name}"));
                    let kind = &variant["inner"]["variant"]["kind"];
                    for field in array(&kind["struct"]["fields"])
                        .iter()
                        .chain(array(&kind["tuple"]))
                    {
                        self.field(field, &format!("{path}::{name}"), lines);
                    }
                }
                self.impls(&inner["impls"], path, lines);
            }
            "trait" => {
                lines.insert(format!("pub trait {path}"));
                for member in array(&inner["items"]) {
                    if let Some(member) = self.item(member) {
                        let name = member["name"].as_str().unwrap_or_default();
                        self.named(member, &format!("{path}::{name}"), lines);
                    }
                }
            }
            _ => {
                lines.insert(format!("pub {kind} {path}"));
            }
        }
    }

    fn field(&self, id: &Value, parent: &str, lines: &mut BTreeSet<String>) {
        let Some(field) = self.item(id) else { return };
        if field["visibility"] != "public" && field["visibility"] != "default" {
            return;
        }
        let name = field["name"].as_str().unwrap_or_default();
        lines.insert(format!(
            "pub {parent}::{name}: {}",
            ty(&field["inner"]["struct_field"])
        ));
    }

    /// Inherent methods, and the traits implemented (blanket implementations left out).
    fn impls(&self, impls: &Value, path: &str, lines: &mut BTreeSet<String>) {
        for id in array(impls) {
            let Some(imp) = self.item(id).map(|item| &item["inner"]["impl"]) else {
                continue;
            };
            if !imp["blanket_impl"].is_null() {
                continue;
            }
            if imp["trait"].is_null() {
                for member in array(&imp["items"]) {
                    let Some(member) = self.item(member) else {
                        continue;
                    };
                    if member["visibility"] != "public" {
                        continue;
                    }
                    let name = member["name"].as_str().unwrap_or_default();
                    let member_path = format!("{path}::{name}");
                    match member["inner"].get("function") {
                        Some(function) => {
                            let owner = ty(&imp["for"]);
                            lines.insert(format!(
                                "pub {}",
                                self.function(&member_path, function)
                                    .replace("Self", &owner)
                            ));
                        }
                        None => self.named(member, &member_path, lines),
                    }
                }
            } else {
                let negative = if imp["is_negative"] == true { "!" } else { "" };
                lines.insert(format!(
                    "impl{} {negative}{} for {path}{}",
                    generics(&imp["generics"]),
                    resolved_path(&imp["trait"]),
                    generic_args(&imp["for"]["resolved_path"]["args"])
                ));
            }
        }
    }

    fn function(&self, path: &str, function: &Value) -> String {
        let header = &function["header"];
        let qualifiers = [
            ("is_const", "const "),
            ("is_async", "async "),
            ("is_unsafe", "unsafe "),
        ]
        .iter()
        .filter(|(key, _)| header[*key] == true)
        .map(|(_, word)| *word)
        .collect::<String>();
        let sig = &function["sig"];
        let inputs: Vec<String> = array(&sig["inputs"])
            .iter()
            .map(|input| {
                let name = input[0].as_str().unwrap_or("_");
                let input_ty = ty(&input[1]);
                match (name, input_ty.as_str()) {
                    ("self", "Self") => "self".to_owned(),
                    ("self", "&Self") => "&self".to_owned(),
                    ("self", "&mut Self") => "&mut self".to_owned(),
                    _ => format!("{name}: {input_ty}"),
                }
            })
            .collect();
        let output = match &sig["output"] {
            Value::Null => String::new(),
            output => format!(" -> {}", ty(output)),
        };
        format!(
            "{qualifiers}fn {path}{}({}){output}{}",
            generics(&function["generics"]),
            inputs.join(", "),
            where_clause(&function["generics"])
        )
    }
}

fn array(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn id_key(id: &Value) -> String {
    match id {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// `<T: Bound, 'a>` of a generics block, synthetic `impl Trait` parameters left out.
fn generics(generics: &Value) -> String {
    let params: Vec<String> = array(&generics["params"])
        .iter()
        .filter_map(|param| {
            let name = param["name"].as_str().unwrap_or_default();
            let kind = &param["kind"];
            if let Some(ty_param) = kind.get("type") {
                if ty_param["is_synthetic"] == true {
                    return None;
                }
                let bounds = bounds(&ty_param["bounds"]);
                let default = match &ty_param["default"] {
                    Value::Null => String::new(),
                    default => format!(" = {}", ty(default)),
                };
                Some(if bounds.is_empty() {
                    format!("{name}{default}")
                } else {
                    format!("{name}: {bounds}{default}")
                })
            } else if kind.get("lifetime").is_some() {
                Some(name.to_owned())
            } else {
                Some(format!("const {name}"))
            }
        })
        .collect();
    if params.is_empty() {
        String::new()
    } else {
        format!("<{}>", params.join(", "))
    }
}

fn where_clause(generics: &Value) -> String {
    let predicates: Vec<String> = array(&generics["where_predicates"])
        .iter()
        .filter_map(|predicate| {
            let bound = predicate.get("bound_predicate")?;
            Some(format!(
                "{}: {}",
                ty(&bound["type"]),
                bounds(&bound["bounds"])
            ))
        })
        .collect();
    if predicates.is_empty() {
        String::new()
    } else {
        format!(" where {}", predicates.join(", "))
    }
}

fn bounds(bounds: &Value) -> String {
    array(bounds)
        .iter()
        .map(|bound| {
            if let Some(trait_bound) = bound.get("trait_bound") {
                let modifier = if trait_bound["modifier"] == "maybe" {
                    "?"
                } else {
                    ""
                };
                format!("{modifier}{}", resolved_path(&trait_bound["trait"]))
            } else if let Some(lifetime) = bound.get("outlives") {
                lifetime.as_str().unwrap_or_default().to_owned()
            } else {
                "?".to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

fn resolved_path(path: &Value) -> String {
    let name = path["path"].as_str().unwrap_or_default();
    format!("{name}{}", generic_args(&path["args"]))
}

fn generic_args(args: &Value) -> String {
    if let Some(angle) = args.get("angle_bracketed") {
        let mut parts: Vec<String> = array(&angle["args"])
            .iter()
            .map(|arg| {
                if let Some(arg_ty) = arg.get("type") {
                    ty(arg_ty)
                } else if let Some(lifetime) = arg.get("lifetime") {
                    lifetime.as_str().unwrap_or_default().to_owned()
                } else {
                    "_".to_owned()
                }
            })
            .collect();
        for constraint in array(&angle["constraints"]) {
            let name = constraint["name"].as_str().unwrap_or_default();
            let binding = &constraint["binding"];
            if let Some(equality) = binding.get("equality") {
                parts.push(format!("{name} = {}", ty(&equality["type"])));
            } else {
                parts.push(format!("{name}: {}", bounds(&binding["constraint"])));
            }
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("<{}>", parts.join(", "))
        }
    } else if let Some(paren) = args.get("parenthesized") {
        let inputs: Vec<String> = array(&paren["inputs"]).iter().map(ty).collect();
        let output = match &paren["output"] {
            Value::Null => String::new(),
            output => format!(" -> {}", ty(output)),
        };
        format!("({}){output}", inputs.join(", "))
    } else {
        String::new()
    }
}

/// A type as Rust source, near enough to read and to diff.
fn ty(value: &Value) -> String {
    let Some((kind, inner)) = value.as_object().and_then(|o| o.iter().next()) else {
        return "_".to_owned();
    };
    match kind.as_str() {
        "resolved_path" => resolved_path(inner),
        "generic" | "primitive" => inner.as_str().unwrap_or_default().to_owned(),
        "borrowed_ref" => {
            let lifetime = inner["lifetime"]
                .as_str()
                .map(|l| format!("{l} "))
                .unwrap_or_default();
            let mutable = if inner["is_mutable"] == true {
                "mut "
            } else {
                ""
            };
            format!("&{lifetime}{mutable}{}", ty(&inner["type"]))
        }
        "slice" => format!("[{}]", ty(inner)),
        "array" => format!(
            "[{}; {}]",
            ty(&inner["type"]),
            inner["len"].as_str().unwrap_or("_")
        ),
        "tuple" => format!(
            "({})",
            array(inner).iter().map(ty).collect::<Vec<_>>().join(", ")
        ),
        "impl_trait" => format!("impl {}", bounds(inner)),
        "dyn_trait" => {
            let traits: Vec<String> = array(&inner["traits"])
                .iter()
                .map(|t| resolved_path(&t["trait"]))
                .collect();
            format!("dyn {}", traits.join(" + "))
        }
        "qualified_path" => format!(
            "<{} as {}>::{}",
            ty(&inner["self_type"]),
            resolved_path(&inner["trait"]),
            inner["name"].as_str().unwrap_or_default()
        ),
        "raw_pointer" => format!(
            "*{} {}",
            if inner["is_mutable"] == true {
                "mut"
            } else {
                "const"
            },
            ty(&inner["type"])
        ),
        "function_pointer" => "fn(..)".to_owned(),
        other => other.to_owned(),
    }
}
