//! Records the rustc version the binary was built with: version_check is a
//! build-dependency, so it runs here and is not linked into the binary.

fn main() {
    let rustc = version_check::Version::read()
        .map(|v| v.to_string())
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=CRATES_KRUST_RUSTC={}", rustc);
    println!("cargo:rerun-if-changed=build.rs");
}
