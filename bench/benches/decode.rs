//! Decoding one 100-user page: the client's typed decode (unknown fields preserved) beside
//! `serde_json::Value` of the same bytes, the baseline it must beat.
//!
//! `cargo bench -p gong-users-bench --bench decode`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gong_users::{Page, RawUser, User};
use serde_json::json;

fn page_bytes() -> Vec<u8> {
    let (users, _) = gong_users_mock::synthetic_users(100, 0, 7);
    json!({
        "requestId": "bench",
        "records": {"totalRecords": 100000, "currentPageSize": 100, "currentPageNumber": 3,
                    "cursor": "eyJhbGciOiJIUzI1NiJ9.eyJvIjozMDAsImV4cCI6MTcwMDAwMDAwMH0.c2ln"},
        "users": users,
    })
    .to_string()
    .into_bytes()
}

fn decode(c: &mut Criterion) {
    let bytes = bytes::Bytes::from(page_bytes());
    let mut group = c.benchmark_group("decode_100_user_page");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("gong_users::Page<User>::from_bytes", |b| {
        b.iter(|| Page::<User>::from_bytes(std::hint::black_box(bytes.clone())).expect("decodes"))
    });
    group.bench_function("gong_users::Page<RawUser>::from_bytes", |b| {
        b.iter(|| {
            Page::<RawUser>::from_bytes(std::hint::black_box(bytes.clone())).expect("decodes")
        })
    });
    group.bench_function("serde_json::Value", |b| {
        b.iter(|| {
            serde_json::from_slice::<serde_json::Value>(std::hint::black_box(&bytes))
                .expect("decodes")
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
