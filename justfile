# Interlink developer recipes (install just with `pip install rust-just`).

# Format the code.
fmt:
    cargo fmt --all

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    bash scripts/proto-check.sh

# Every test, against real PostgreSQL and NATS (started if needed).
test *args:
    scripts/test {{args}}

# Start PostgreSQL and NATS with JetStream on loopback if they are not running.
services:
    bash scripts/services.sh

# The whole mesh in one process on SQLite (embedded mode).
up *args:
    cargo run --release -- up {{args}}

# Event-plumbing benchmark on both backends (PostgreSQL + JetStream, SQLite + embedded bus).
bench *args: services
    cargo bench -p interlink-runtime --bench events -- {{args}}

# The co-production scenario through the gateway, embedded and as serve processes.
scenario: services
    cargo test -p interlink-integration-tests --test scenario -- --nocapture

# The fault matrix in full: keyed changing calls through the gateway while every
# fault hits (each service killed, NATS killed and stopped, PostgreSQL sessions
# cut and the server restarted); prints the account, fails unless lost = dup = 0.
faults calls="10000": services
    INTERLINK_FAULT_PLAN=full INTERLINK_FAULT_CALLS={{calls}} cargo test -p interlink-integration-tests --test faults -- --nocapture

# What CI runs.
verify: lint test
