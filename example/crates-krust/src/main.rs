//! Prints one status line in JSON, as a service's health endpoint would.

use serde::Serialize;

/// The status line: serde's derive (a proc-macro, used only at build time)
/// writes its serializer; serde_json, linked into the binary, prints it.
#[derive(Serialize)]
struct Status {
    service: &'static str,
    version: &'static str,
    greeting: String,
    arch: &'static str,
    rustc: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    side: Option<&'static str>,
}

fn status(who: &str) -> Status {
    Status {
        service: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        greeting: greeting::greet(who),
        arch: std::env::consts::ARCH,
        rustc: env!("CRATES_KRUST_RUSTC"),
        side: side(),
    }
}

/// Which side of the build this is: only aarch64 links `either`.
#[cfg(target_arch = "aarch64")]
fn side() -> Option<&'static str> {
    let s: either::Either<&'static str, &'static str> = either::Either::Right("arm");
    Some(s.either(|l| l, |r| r))
}

#[cfg(not(target_arch = "aarch64"))]
fn side() -> Option<&'static str> {
    None
}

fn main() {
    let who = std::env::args().nth(1).unwrap_or_else(|| "world".to_string());
    match serde_json::to_string(&status(&who)) {
        Ok(line) => println!("{}", line),
        Err(err) => {
            eprintln!("crates-krust: {}", err);
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    // hex is a dev-dependency: in the tests, never in the binary.
    #[test]
    fn status_is_json() {
        let line = serde_json::to_string(&super::status("test")).unwrap();
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["greeting"], "Hello, test!");
        assert_eq!(hex::encode(value["service"].as_str().unwrap()), hex::encode("crates-krust"));
    }
}
