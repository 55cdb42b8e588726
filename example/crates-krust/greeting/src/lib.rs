//! The greeting crates-krust prints.

/// Greets who.
pub fn greet(who: &str) -> String {
    format!("Hello, {}!", who)
}
