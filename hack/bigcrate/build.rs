//! Writes OUT_DIR/payload.bin: KRUST_BENCH_MIB MiB (default 100) of
//! deterministic bytes that gzip compresses as it compresses a real
//! executable, in size and in speed. Machine code is short instruction
//! patterns from a skewed set, immediates and addresses, and repeated
//! sequences; the generator draws the same three from a fixed-seed PRNG,
//! so every machine gets the same bytes, and no data has to live in git.
//!
//! Measured with Go's compress/gzip on the 106 MB binary: level 6 gives
//! 38.9% at 21 MB/s, level 1 42.4% at 76 MB/s; on real executables level 6
//! gives 31-44% at 21-27 MB/s and level 1 36-49% at 68-94 MB/s
//! (/usr/bin/docker, containerd, rustc's librustc_driver).

use std::env;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

/// Per 256 instructions: how many carry a 4-byte immediate, how many are
/// followed by a copy of an earlier sequence. Tuned by measuring gzip -6.
const IMMEDIATE: u64 = 36;
const REPEAT: u64 = 7;
const PATTERNS: usize = 512;
/// Repeats reach back at most this far: inside gzip's 32 KiB window.
const REACH: usize = 30_000;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=KRUST_BENCH_MIB");
    let mib: usize = match env::var("KRUST_BENCH_MIB") {
        Ok(v) => v.parse().expect("KRUST_BENCH_MIB must be a whole number of MiB"),
        Err(_) => 100,
    };
    let path = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("payload.bin");
    let mut out = BufWriter::new(File::create(&path).expect("create payload.bin"));
    generate(mib << 20, &mut out).expect("write payload.bin");
    out.flush().expect("write payload.bin");
}

/// SplitMix64: small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A byte skewed towards small values, as opcodes and ModRM bytes
    /// are; one in four is uniform.
    fn skewed_byte(&mut self) -> u8 {
        let x = self.next();
        if (x >> 24) & 3 == 0 {
            (x >> 32) as u8
        } else {
            (((x & 0xff) * ((x >> 8) & 0xff) * ((x >> 16) & 0xff)) >> 16) as u8
        }
    }
}

fn generate(size: usize, w: &mut impl Write) -> std::io::Result<()> {
    let mut rng = Rng(0x6b72_7573_7462_656e);
    let patterns: Vec<Vec<u8>> = (0..PATTERNS)
        .map(|_| {
            let len = 2 + (rng.next() % 7) as usize;
            (0..len).map(|_| rng.skewed_byte()).collect()
        })
        .collect();
    // buf holds what is not yet written plus the last REACH+ bytes, so
    // repeats can copy from it; memory stays flat whatever the size.
    let mut buf: Vec<u8> = Vec::with_capacity(4 << 20);
    let mut written = 0;
    while written + buf.len() < size {
        let x = rng.next();
        let (u1, u2) = ((x & 0xffff) as usize, ((x >> 16) & 0xffff) as usize);
        buf.extend_from_slice(&patterns[((u1 * u2) >> 16) * PATTERNS >> 16]);
        let choice = (x >> 32) & 0xff;
        if choice < IMMEDIATE {
            buf.extend_from_slice(&rng.next().to_le_bytes()[..4]);
        } else if choice < IMMEDIATE + REPEAT && buf.len() > REACH + 128 {
            let back = 64 + (rng.next() % REACH as u64) as usize;
            let len = 16 + (rng.next() % 112) as usize;
            let start = buf.len() - back;
            for i in 0..len {
                buf.push(buf[start + i]);
            }
        }
        if buf.len() >= 4 << 20 {
            let keep = 64 << 10;
            let n = buf.len() - keep;
            w.write_all(&buf[..n])?;
            written += n;
            buf.drain(..n);
        }
    }
    w.write_all(&buf[..size - written])
}
