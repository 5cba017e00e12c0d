#!/usr/bin/env bash
# Installs the Debian packages roomline's local run and tests need, when they are missing.
# servers: PostgreSQL and Redis binaries for the embedded default; browser: Chromium for UI tests,
# the CJK, DejaVu and Symbola fonts and Pango for order-sheet PDFs, promtool for the Prometheus
# config test;
# bench: wrk, the HTTP load generator of the hand-run benchmarks.
set -euo pipefail
what=${1:-servers}
missing=()
have_pg() { command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
case "$what" in
  servers)
    if [ -z "${DATABASE_URL:-}" ] && ! have_pg; then missing+=(postgresql); fi
    if [ -z "${REDIS_URL:-}" ] && ! command -v redis-server >/dev/null 2>&1; then missing+=(redis-server); fi
    ;;
  browser)
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
    # Read once: "fc-list | grep -q" fails under pipefail when grep stops reading early.
    fonts=$(fc-list : family 2>/dev/null || true)
    grep -qi "Noto Sans CJK" <<<"$fonts" || missing+=(fonts-noto-cjk)
    # Emoji and symbols in guests' names and requests (issue 14): Symbola, black outlines that
    # survive a fax; DejaVu Sans for the scripts the CJK font lacks.
    grep -qi "Symbola" <<<"$fonts" || missing+=(fonts-symbola)
    grep -qi "DejaVu Sans" <<<"$fonts" || missing+=(fonts-dejavu-core)
    # WeasyPrint (order-sheet PDFs) renders through Pango.
    ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
    # promtool checks ops/prometheus (tests/ops/test_prometheus_config.py).
    command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
    ;;
  bench)
    command -v wrk >/dev/null 2>&1 || missing+=(wrk)
    ;;
esac
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} ..."
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
