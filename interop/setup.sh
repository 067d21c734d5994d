#!/usr/bin/env bash
# Pre-downloads the Go modules the interop suite builds and tests with (pinned
# by go.sum), so that later runs of run.sh and `go test` need no network.
# Idempotent and quiet: prints nothing unless something fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
go mod download
# Resolve every package that the command and its tests import, so that a
# module missing from `go mod download`'s list is fetched now, not in CI.
go list -deps -test ./... >/dev/null
