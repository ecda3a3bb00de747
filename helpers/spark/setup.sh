#!/usr/bin/env bash
# Installs the Spark the downstream job and specs run: a Python venv with pyspark and the Kafka connector
# jars pyspark lacks, both at the version pinned in helpers/kafka/versions.json. Prints the cache folder.
# Idempotent: a complete folder is reused as is. `--check` installs nothing: it prints the folder when the
# setup is complete and usable, else the reason on stderr and exits 1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${SPARK_VERSION:-$(sed -n 's/.*"spark": *"\([^"]*\)".*/\1/p' "$here/../kafka/versions.json")}"
cache="${SPARK_SETUP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-contracts/spark-$version}"
# Only these: pyspark ships every other jar the connector needs, lz4-java and snappy in newer versions.
jars="spark-sql-kafka-0-10_2.13,spark-token-provider-kafka-0-10_2.13,kafka-clients,commons-pool2"

fail() { echo "$*" >&2; exit 1; }

if [[ "${1:-}" == "--check" ]]; then
  command -v python3 >/dev/null || fail "python3 is not on PATH (pyspark needs Python 3.10+)"
  command -v java >/dev/null || fail "java is not on PATH (Spark needs a JRE 17+)"
  [[ -f "$cache/.complete" ]] || fail "pyspark $version is not set up in $cache (run: npm run spark:setup)"
  "$cache/venv/bin/python" -c 'import pyspark' 2>/dev/null || fail "the venv in $cache cannot import pyspark (its python3 is gone?); remove it and run npm run spark:setup"
  echo "$cache"
  exit 0
fi

if [[ ! -f "$cache/.complete" ]]; then
  command -v python3 >/dev/null || fail "spark setup: python3 is not on PATH (Debian: apt-get install python3 python3-venv)"
  command -v java >/dev/null || fail "spark setup: java is not on PATH (Debian: apt-get install openjdk-17-jre-headless)"
  command -v mvn >/dev/null || fail "spark setup: mvn is not on PATH (Debian: apt-get install maven)"
  python3 -c 'import ensurepip' 2>/dev/null || fail "spark setup: python3 cannot create a venv (Debian: apt-get install python3-venv)"
  rm -rf "$cache"
  mkdir -p "$cache"
  echo "spark setup: pyspark $version into $cache/venv (built from the source package: about a minute)" >&2
  python3 -m venv "$cache/venv"
  "$cache/venv/bin/pip" install --quiet --disable-pip-version-check "pyspark==$version" >&2
  echo "spark setup: Kafka connector $version into $cache/jars" >&2
  mvn -q -B -Dstyle.color=never -f "$here/pom.xml" -Dspark.version="$version" dependency:copy-dependencies \
    -DincludeScope=runtime -DincludeArtifactIds="$jars" -DoutputDirectory="$cache/jars" >&2
  count=$(find "$cache/jars" -name '*.jar' | wc -l)
  [[ "$count" -eq 4 ]] || fail "spark setup: expected 4 connector jars in $cache/jars, found $count"
  touch "$cache/.complete"
fi
echo "$cache"
