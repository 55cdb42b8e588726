//! Prints the size of its payload and one byte of it, so the payload
//! stays in the executable and the program does something checkable.

static PAYLOAD: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/payload.bin"));

fn main() {
    let payload = std::hint::black_box(PAYLOAD);
    println!("bigcrate: {} bytes of payload, checksum {}", payload.len(), checksum(payload));
}

/// checksum adds one byte per MiB: cheap, and it reads across the payload.
fn checksum(payload: &[u8]) -> u64 {
    payload.iter().step_by(1 << 20).map(|&b| u64::from(b)).sum()
}
