//! `cargo xtask layout --check`: fails on a circle of imports among the source files of any
//! crate of the workspace, so the layout stays layered as built (every import pointing down).
//!
//! Each file under a crate's `src/` is a module (`a/b.rs` and `a/b/mod.rs` are `a::b`); the
//! crate root (`lib.rs`, `main.rs`) and binaries under `src/bin/` are left aside. Every path a
//! file names is read with `syn` (in `use` trees and in code: `crate::…`, `super::…`, `self::…`,
//! and a child module's name), outside `#[cfg(test)]` items. A path resolves to the deepest
//! module it names; an item that a module only re-exports (`pub use x::Item`, as `lib.rs` does)
//! counts as the module that defines it. The circles are the strongly connected components of
//! the graph of modules with more than one file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use syn::visit::Visit;

/// The crates whose `src/` is checked.
const CRATES: &[&str] = &[
    "gong-users-sys",
    "gong-users",
    "gong-users-cli",
    "gong-users-mock",
    "xtask",
    "bench",
    "examples",
    "tests",
];

/// A module: its path from the crate root (`["http", "retry"]`), empty for the root.
type Module = Vec<String>;

/// What `cargo xtask layout` found.
pub struct Report {
    /// Each circle: the files that import each other.
    pub circles: Vec<Vec<PathBuf>>,
    pub files: usize,
}

/// Checks every crate under `root`.
pub fn check(root: &Path) -> Result<Report> {
    let mut report = Report {
        circles: Vec::new(),
        files: 0,
    };
    for name in CRATES {
        let src = root.join(name).join("src");
        if !src.is_dir() {
            continue;
        }
        let krate = Crate::read(&src).with_context(|| format!("reading {}", src.display()))?;
        report.files += krate.files.len();
        for circle in krate.circles() {
            report
                .circles
                .push(circle.iter().map(|m| krate.files[m].path.clone()).collect());
        }
    }
    Ok(report)
}

struct File {
    path: PathBuf,
    ast: syn::File,
}

struct Crate {
    files: BTreeMap<Module, File>,
    /// For each module, the items it re-exports: name → the path it re-exports.
    reexports: HashMap<Module, HashMap<String, Vec<String>>>,
}

impl Crate {
    fn read(src: &Path) -> Result<Self> {
        let mut files = BTreeMap::new();
        for path in rust_files(src)? {
            let relative = path.strip_prefix(src)?;
            if relative.starts_with("bin") {
                continue;
            }
            let module = module_of(relative);
            let text = fs::read_to_string(&path)?;
            let ast =
                syn::parse_file(&text).with_context(|| format!("parsing {}", path.display()))?;
            files.insert(module, File { path, ast });
        }
        let mut reexports = HashMap::new();
        for (module, file) in &files {
            let mut found = HashMap::new();
            for item in &file.ast.items {
                if let syn::Item::Use(item) = item
                    && matches!(item.vis, syn::Visibility::Public(_))
                {
                    for path in use_paths(&item.tree) {
                        if let Some(name) = path.last() {
                            found.insert(name.clone(), path);
                        }
                    }
                }
            }
            reexports.insert(module.clone(), found);
        }
        Ok(Self { files, reexports })
    }

    /// The module a path named in `from` resolves to, if it is one of this crate's.
    fn resolve(&self, from: &Module, path: &[String], depth: usize) -> Option<Module> {
        let (mut base, rest): (Module, &[String]) = match path.first().map(String::as_str) {
            Some("crate") => (Vec::new(), &path[1..]),
            Some("self") => (from.clone(), &path[1..]),
            Some("super") => {
                let mut base = from.clone();
                let mut rest = path;
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
                (base, rest)
            }
            Some(first) => {
                let mut child = from.clone();
                child.push(first.to_owned());
                if !self.files.contains_key(&child) {
                    return None; // another crate, or a local name
                }
                (from.clone(), path)
            }
            None => return None,
        };
        let mut consumed = 0;
        for segment in rest {
            let mut deeper = base.clone();
            deeper.push(segment.clone());
            if !self.files.contains_key(&deeper) {
                break;
            }
            base = deeper;
            consumed += 1;
        }
        // An item the module only re-exports counts as the module that defines it.
        if let Some(item) = rest.get(consumed)
            && depth < 8
            && let Some(target) = self.reexports.get(&base).and_then(|r| r.get(item))
            && let Some(defining) = self.resolve(&base, target, depth + 1)
        {
            return Some(defining);
        }
        (!base.is_empty()).then_some(base)
    }

    /// Module → the modules it imports (the crate root aside).
    fn edges(&self) -> BTreeMap<Module, BTreeSet<Module>> {
        let mut edges = BTreeMap::new();
        for (module, file) in &self.files {
            if module.is_empty() {
                continue;
            }
            let mut paths = Paths::default();
            paths.visit_file(&file.ast);
            let targets = paths
                .0
                .iter()
                .filter_map(|path| self.resolve(module, path, 0))
                .filter(|target| target != module)
                .collect();
            edges.insert(module.clone(), targets);
        }
        edges
    }

    /// The strongly connected components with more than one module (Tarjan's algorithm).
    fn circles(&self) -> Vec<Vec<Module>> {
        let edges = self.edges();
        let mut tarjan = Tarjan {
            edges: &edges,
            index: HashMap::new(),
            low: HashMap::new(),
            stack: Vec::new(),
            on_stack: BTreeSet::new(),
            next: 0,
            circles: Vec::new(),
        };
        for module in edges.keys() {
            if !tarjan.index.contains_key(module) {
                tarjan.connect(module);
            }
        }
        tarjan.circles
    }
}

struct Tarjan<'e> {
    edges: &'e BTreeMap<Module, BTreeSet<Module>>,
    index: HashMap<Module, usize>,
    low: HashMap<Module, usize>,
    stack: Vec<Module>,
    on_stack: BTreeSet<Module>,
    next: usize,
    circles: Vec<Vec<Module>>,
}

impl Tarjan<'_> {
    fn connect(&mut self, module: &Module) {
        self.index.insert(module.clone(), self.next);
        self.low.insert(module.clone(), self.next);
        self.next += 1;
        self.stack.push(module.clone());
        self.on_stack.insert(module.clone());
        for target in self.edges.get(module).into_iter().flatten() {
            if !self.edges.contains_key(target) {
                continue;
            }
            if !self.index.contains_key(target) {
                self.connect(target);
                let low = self.low[module].min(self.low[target]);
                self.low.insert(module.clone(), low);
            } else if self.on_stack.contains(target) {
                let low = self.low[module].min(self.index[target]);
                self.low.insert(module.clone(), low);
            }
        }
        if self.low[module] == self.index[module] {
            let mut component = Vec::new();
            while let Some(member) = self.stack.pop() {
                self.on_stack.remove(&member);
                let done = &member == module;
                component.push(member);
                if done {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                self.circles.push(component);
            }
        }
    }
}

/// Every path a file names outside `#[cfg(test)]` items, as segments.
#[derive(Default)]
struct Paths(Vec<Vec<String>>);

impl<'ast> Visit<'ast> for Paths {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(item) => &item.attrs,
            syn::Item::Fn(item) => &item.attrs,
            syn::Item::Impl(item) => &item.attrs,
            syn::Item::Use(item) => &item.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if !is_test_only(attrs) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.0.extend(use_paths(&item.tree));
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.0.push(
            path.segments
                .iter()
                .map(|segment| segment.ident.to_string())
                .collect(),
        );
        syn::visit::visit_path(self, path);
    }
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

/// The full paths a `use` tree names (`a::{b, c::d}` → `a::b`, `a::c::d`); a glob names its
/// module.
fn use_paths(tree: &syn::UseTree) -> Vec<Vec<String>> {
    fn walk(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                walk(&path.tree, prefix, out);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                let mut full = prefix.clone();
                if name.ident != "self" {
                    full.push(name.ident.to_string());
                }
                out.push(full);
            }
            syn::UseTree::Rename(rename) => {
                let mut full = prefix.clone();
                full.push(rename.ident.to_string());
                out.push(full);
            }
            syn::UseTree::Glob(_) => out.push(prefix.clone()),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    walk(tree, prefix, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(tree, &mut Vec::new(), &mut out);
    out
}

/// `a/b.rs` and `a/b/mod.rs` → `["a", "b"]`; `lib.rs`, `main.rs` → the root.
fn module_of(relative: &Path) -> Module {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        let is_root = parts.is_empty() && (stem == "lib" || stem == "main");
        if stem != "mod" && !is_root {
            parts.push(stem.to_owned());
        }
    }
    parts
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crate_of(files: &[(&str, &str)]) -> Vec<Vec<PathBuf>> {
        let dir = std::env::temp_dir().join(format!(
            "xtask-layout-{}-{}",
            std::process::id(),
            files.len()
        ));
        let _ = fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let krate = Crate::read(&dir).unwrap();
        let circles = krate
            .circles()
            .iter()
            .map(|c| c.iter().map(|m| krate.files[m].path.clone()).collect())
            .collect();
        fs::remove_dir_all(&dir).unwrap();
        circles
    }

    #[test]
    fn a_circle_through_a_reexport_is_found_and_a_layered_crate_passes() {
        let circular = crate_of(&[
            (
                "lib.rs",
                "mod a; mod b; pub use a::Thing; pub use b::Other;",
            ),
            ("a.rs", "use crate::Other; pub struct Thing;"),
            ("b.rs", "pub struct Other(crate::Thing);"),
        ]);
        assert_eq!(circular.len(), 1, "{circular:?}");
        let layered = crate_of(&[
            ("lib.rs", "mod a; mod b; pub use a::Thing;"),
            ("a.rs", "use crate::b::Other; pub struct Thing(Other);"),
            ("b/mod.rs", "mod c; pub use c::Other;"),
            (
                "b/c.rs",
                "pub struct Other; #[cfg(test)] mod tests { use crate::Thing; }",
            ),
        ]);
        assert!(layered.is_empty(), "{layered:?}");
        let through_super = crate_of(&[
            ("lib.rs", "mod out;"),
            (
                "out/mod.rs",
                "mod rows; pub struct Error; fn f(_: rows::Row) {}",
            ),
            ("out/rows.rs", "use super::Error; pub struct Row(Error);"),
        ]);
        assert_eq!(through_super.len(), 1, "{through_super:?}");
    }
}
