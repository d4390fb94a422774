#!/bin/sh
# Throw-away certificates for deploy/docker-compose.yml, made with `s2s-gateway cert create` from a local
# build: our issuer certificate (gateway.pem/.key) and a demo partner's (demo-partner.pem/.key).
# They land in deploy/compose/certs, which git ignores. Never use them anywhere but on this machine.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/deploy/compose/certs"
cd "$root"
npm run --silent build
mkdir -p "$out"
cli() { node dist/cli/index.js "$@"; }
cli cert create --force --days 90 --subject "CN=s2s-gateway demo issuer" --cert "$out/gateway.pem" --key "$out/gateway.key"
cli cert create --force --days 90 --subject "CN=demo-partner" --cert "$out/demo-partner.pem" --key "$out/demo-partner.key"
# The container runs as uid 1000, which is not necessarily you: let it read this demo key. (In Kubernetes
# the key stays 0440, readable by the pod's fsGroup only.)
chmod 0644 "$out/gateway.key"
