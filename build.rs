//! Gives the crate `PLIVO_DASH_COMMIT`, the commit `--version` names.

#[path = "build/commit.rs"]
mod commit;

fn main() {
    let dir = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/commit.rs");
    for path in commit::watched(&dir) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    println!("cargo:rustc-env=PLIVO_DASH_COMMIT={}", commit::commit(&dir));
}
