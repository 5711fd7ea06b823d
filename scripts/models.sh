#!/usr/bin/env bash
# The sentence-embedding model (all-MiniLM-L6-v2, int8 ONNX) from Maven Central, where langchain4j publishes it
# inside a jar: fetched once with mvn (scripts/models/pom.xml), its .onnx and tokenizer json unpacked as
# model.onnx and tokenizer.json into one folder that lib/matching/embedding.ts loads. Idempotent: once the
# folder holds this version, fetch returns at once without Maven.
# Usage: scripts/models.sh fetch|path
# Env: EMBEDDING_MODEL_DIR (default <repo>/.cache/models/all-minilm-l6-v2-q; a relative path is taken from
#      the repo root, as lib/config.ts does)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$ROOT/scripts/models/pom.xml"
ARTIFACT="$(sed -n 's:.*<model.artifact>\(.*\)</model.artifact>.*:\1:p' "$POM")"
VERSION="$(sed -n 's:.*<model.version>\(.*\)</model.version>.*:\1:p' "$POM")"
DIR="${EMBEDDING_MODEL_DIR:-$ROOT/.cache/models/all-minilm-l6-v2-q}"
[[ "$DIR" = /* ]] || DIR="$ROOT/$DIR"
MARKER="$DIR/.fetched"

fetched() {
  [[ -f "$DIR/model.onnx" && -f "$DIR/tokenizer.json" && -f "$MARKER" ]] &&
    [[ "$(<"$MARKER")" == "$ARTIFACT:$VERSION" ]]
}

fetch() {
  fetched && return 0
  # A folder this script did not write is someone's own model (or something else): never replaced.
  if [[ -d "$DIR" && ! -f "$MARKER" ]] && [[ -n "$(ls -A "$DIR")" ]]; then
    if [[ -f "$DIR/model.onnx" && -f "$DIR/tokenizer.json" ]]; then
      echo "models: $DIR holds a model this script did not fetch; using it as it is"
      return 0
    fi
    echo "models: $DIR exists without model.onnx and tokenizer.json, and this script did not write it; not touching it" >&2
    exit 1
  fi
  command -v mvn >/dev/null || {
    echo "models: mvn not found (needs Maven + JDK 17+), or set EMBEDDING_MODEL_DIR to a folder holding model.onnx and tokenizer.json" >&2
    exit 1
  }
  echo "models: fetching $ARTIFACT $VERSION into $DIR"
  mkdir -p "$(dirname "$DIR")"
  # Unpacked beside the target, then moved in: an interrupted fetch never leaves a half-written model behind.
  TMP="$(mktemp -d "$DIR.tmp.XXXXXX")"
  trap 'rm -rf "$TMP"' EXIT
  mvn -q -B -f "$POM" dependency:unpack -Dmodels.dir="$TMP/jar"
  local onnx tokenizer
  onnx="$(find "$TMP/jar" -name '*.onnx' | head -n 1)"
  tokenizer="$(find "$TMP/jar" -name '*tokenizer.json' | head -n 1)"
  [[ -n "$onnx" && -n "$tokenizer" ]] || {
    echo "models: $ARTIFACT $VERSION holds no .onnx or no tokenizer json" >&2
    exit 1
  }
  mkdir "$TMP/model"
  mv "$onnx" "$TMP/model/model.onnx"
  mv "$tokenizer" "$TMP/model/tokenizer.json"
  echo "$ARTIFACT:$VERSION" >"$TMP/model/.fetched"
  rm -rf "$DIR"
  mv "$TMP/model" "$DIR"
  echo "models: ready in $DIR ($(du -sh "$DIR" | cut -f1))"
}

case "${1:-}" in
  fetch) fetch ;;
  path) echo "$DIR" ;;
  *) echo "usage: $0 fetch|path" >&2; exit 2 ;;
esac
