//! Locks the public surface of the generated crate in a readable form: every type with its fields,
//! their serde names and Rust types, and the operation's builder methods and `send` signature.
//!
//! The snapshot is built from the committed `gong-users-sys/src/generated.rs`, which
//! `cargo xtask codegen --check` ties to the spec: so a renamed or retyped field in the spec
//! changes this snapshot.

use std::fmt::Write as _;

use quote::ToTokens;

const GENERATED: &str = include_str!("../../gong-users-sys/src/generated.rs");

#[test]
fn generated_public_surface() {
    let file = syn::parse_file(GENERATED).expect("generated.rs parses as Rust");
    let mut surface = String::new();
    for item in &file.items {
        describe_item(item, "", &mut surface);
    }
    insta::assert_snapshot!(surface);
}

fn describe_item(item: &syn::Item, module: &str, out: &mut String) {
    match item {
        syn::Item::Mod(m) if matches!(m.vis, syn::Visibility::Public(_)) => {
            let name = format!("{module}{}::", m.ident);
            if name == "types::builder::" {
                // typify's builders mirror the types field by field; the types are locked already.
                return;
            }
            for inner in m.content.iter().flat_map(|(_, items)| items) {
                describe_item(inner, &name, out);
            }
        }
        syn::Item::Struct(s) if matches!(s.vis, syn::Visibility::Public(_)) => {
            let _ = writeln!(out, "struct {module}{}", s.ident);
            for field in &s.fields {
                if !matches!(field.vis, syn::Visibility::Public(_)) {
                    continue;
                }
                let name = field
                    .ident
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    {name}{}: {}",
                    serde_attributes(&field.attrs),
                    compact(&field.ty)
                );
            }
        }
        syn::Item::Impl(i) => {
            let self_ty = compact(&i.self_ty);
            for impl_item in &i.items {
                if let syn::ImplItem::Fn(f) = impl_item
                    && matches!(f.vis, syn::Visibility::Public(_))
                {
                    let _ = writeln!(out, "impl {module}{self_ty}: {}", compact(&f.sig));
                }
            }
        }
        _ => {}
    }
}

/// The serde attributes of a field (`rename`, `flatten`, `default`), in brackets.
fn serde_attributes(attrs: &[syn::Attribute]) -> String {
    let serde: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .map(|a| compact(&a.meta).trim_start_matches("serde").to_owned())
        .collect();
    if serde.is_empty() {
        String::new()
    } else {
        format!(" {}", serde.join(" "))
    }
}

/// Tokens as one line, without the `::std::…` paths that make generated code hard to read.
fn compact(tokens: &impl ToTokens) -> String {
    tokens
        .to_token_stream()
        .to_string()
        .replace(":: std :: option :: ", "")
        .replace(":: std :: string :: ", "")
        .replace(":: std :: vec :: ", "")
        .replace(":: serde_json :: ", "serde_json::")
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace("& ", "&")
}
