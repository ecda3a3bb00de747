#!/usr/bin/env bash
# Resolves the Apache Kafka jars (broker + tools) into a cache folder and prints its path.
# The version comes from helpers/kafka/versions.json; the folder is reused once complete.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${KAFKA_VERSION:-$(sed -n 's/.*"kafka": *"\([^"]*\)".*/\1/p' "$here/../versions.json")}"
cache="${KAFKA_JARS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-contracts/kafka-$version}"
if [[ ! -f "$cache/.complete" ]]; then
  mkdir -p "$cache"
  mvn -q -B -f "$here/pom.xml" -Dkafka.version="$version" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$cache/libs" >&2
  touch "$cache/.complete"
fi
echo "$cache"
