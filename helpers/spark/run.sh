#!/usr/bin/env bash
# Runs the Spark job (ratings_to_metrics.py) on the pinned pyspark, setting it up first if needed.
# Arguments go to the job: npm run spark:job -- --brokers localhost:9092 [--ratings-topic t] [--metrics-topic t]
# The job reads its DDL and JSON Schema from the release spark-recommender is pinned at in
# contracts/consumers.ts (the one place the pin lives), checked against the release's manifest first, so an
# edited release never runs; `--contracts DIR` overrides it (a folder of your own, unchecked).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
contracts=()
override=false
for arg in "$@"; do
  case "$arg" in --contracts | --contracts=*) override=true ;; esac
done
if [ "$override" = false ]; then
  # npm scripts put the project's Node first on PATH; run directly, prefer it too (it runs TypeScript).
  node="$root/node_modules/.bin/node"
  [ -x "$node" ] || node=node
  # Exits 1 naming the edited file when the release is not as released; set -e stops here.
  pinned="$("$node" "$root/bin/ratings-kafka.ts" contracts pin spark-recommender)"
  contracts=(--contracts "$pinned")
fi
cache="$(bash "$here/setup.sh")"
# pyspark finds its Spark (SPARK_HOME, spark-submit) from the python that runs it: the venv's comes first.
export PATH="$cache/venv/bin:$PATH"
exec python "$here/ratings_to_metrics.py" --connector-jars "$cache/jars" "${contracts[@]}" "$@"
