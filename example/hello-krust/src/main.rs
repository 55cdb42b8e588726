//! Prints a greeting and the architecture it was built for.

fn main() {
    let who = std::env::args().nth(1).unwrap_or_else(|| "world".to_string());
    println!(
        "Hello, {}, from docker-krust! (built for {}-{})",
        who,
        std::env::consts::ARCH,
        std::env::consts::OS
    );
}
