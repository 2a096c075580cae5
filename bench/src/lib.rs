//! Benchmark tools; see the binaries and `bench/run.sh`.
