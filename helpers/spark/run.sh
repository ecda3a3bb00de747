#!/usr/bin/env bash
# Runs the Spark job (ratings_to_metrics.py) on the pinned pyspark, setting it up first if needed.
# Arguments go to the job: npm run spark:job -- --brokers localhost:9092 [--ratings-topic t] [--metrics-topic t]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$(bash "$here/setup.sh")"
# pyspark finds its Spark (SPARK_HOME, spark-submit) from the python that runs it: the venv's comes first.
export PATH="$cache/venv/bin:$PATH"
exec python "$here/ratings_to_metrics.py" --connector-jars "$cache/jars" "$@"
