"""The Spark recommender's reader of `ratings`: the downstream job this project's contracts are for.

Reads a ratings topic from the earliest offset with its pinned release's Spark DDL, refuses every
record the contract refuses (Spark's from_json enforces no NOT NULL, no range and no half-star grid),
counts and averages the accepted ratings per movie, and publishes both as metric events (the contract's
metric schema) to a metrics topic with the Kafka sink. Prints one JSON summary line; exits 1 on failure.

Run it through `npm run spark:job -- --brokers HOST:PORT` (which sets up and puts the pinned pyspark first
on PATH: pyspark finds its Spark from the python that runs it).
"""

from __future__ import annotations

import argparse
import json
import operator
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

SOURCE = "spark-recommender"
# contracts/rating.ts RATING_MAX_BYTES: the summary echoes it and the specs compare.
RATING_MAX_BYTES = 1024

# Spark's JSON reader takes single-quoted strings and NaN/Infinity by default; JSON and our decoder do not.
STRICT_JSON = {"allowSingleQuotes": "false", "allowNonNumericNumbers": "false"}

# The JSON Schema limits this job enforces: keyword -> (when a value breaks it, how a refusal words it).
LIMITS = {
    "minimum": (operator.lt, ">="),
    "exclusiveMinimum": (operator.le, ">"),
    "maximum": (operator.gt, "<="),
    "multipleOf": (lambda value, step: value % step != 0, "a multiple of"),
}
# Any other keyword in a field fails the job at start: a rule added to the contract is never skipped here.
KNOWN_KEYWORDS = {"type", "description", *LIMITS}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brokers", required=True, help="Kafka bootstrap servers, host:port[,host:port]")
    parser.add_argument("--ratings-topic", default="ratings", help="topic to read; a,b reads both")
    parser.add_argument("--metrics-topic", default="metrics", help="topic the metric events go to")
    parser.add_argument("--connector-jars", required=True, help="folder of the connector jars pyspark lacks")
    # No default: the folder is the release the job is pinned at (contracts/consumers.ts), which only the
    # TypeScript side can read; run.sh and the specs' runner pass it, checked against its manifest.
    parser.add_argument(
        "--contracts",
        required=True,
        help="folder of the contract release the job was built against (contracts/releases/<pin>)",
    )
    parser.add_argument("--max-bytes", type=int, default=RATING_MAX_BYTES, help="largest value accepted")
    parser.add_argument("--verdicts", help="also write every record's verdict as JSON lines into this folder")
    parser.add_argument(
        "--checkpoint",
        help="checkpoint folder, to resume where the last run stopped (default: a fresh one: from earliest)",
    )
    return parser.parse_args(argv)


def start_session(connector_jars: Path) -> SparkSession:
    jars = sorted(str(jar) for jar in connector_jars.glob("*.jar"))
    if not jars:
        raise RuntimeError(f"no connector jars in {connector_jars}: run npm run spark:setup")
    session = (
        SparkSession.builder.appName(SOURCE)
        .master("local[2]")
        .config("spark.jars", ",".join(jars))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # Two cores, a few thousand rows: the default 200 shuffle partitions would be 200 tiny tasks.
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        # Spark's scratch space follows TMPDIR like the job's other temporary files (Spark's default is /tmp).
        .config("spark.local.dir", tempfile.gettempdir())
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def value_refusal(value: Column, max_bytes: int) -> Column:
    """Why the record value as a whole is not a rating, or null: what from_json cannot tell."""
    text = value.cast("string")
    return (
        F.when(value.isNull(), F.lit("null value (a tombstone)"))
        .when(F.octet_length(value) == 0, F.lit("empty value"))
        .when(
            F.octet_length(value) > max_bytes,
            F.format_string(f"value is %d bytes, the limit is {max_bytes}", F.octet_length(value)),
        )
        # A cast to string keeps invalid bytes, which Jackson would then read or replace.
        .when(~F.is_valid_utf8(text), F.lit("not UTF-8"))
        # from_json reads the first JSON value and ignores what follows it: `{...} x` would pass.
        .when(~text.rlike(r"\}[ \t\n\r]*$"), F.lit("not a JSON object, or text after it"))
    )


def field_refusals(schema: dict[str, Any], event: Column) -> Column:
    """Every contract rule the parsed fields break, joined with '; ', or null: the rules from_json skips."""
    broken: list[Column] = []
    for name, rule in schema["properties"].items():
        unknown = set(rule) - KNOWN_KEYWORDS
        if unknown:
            raise RuntimeError(f"contract field {name} has rules this job cannot enforce: {sorted(unknown)}")
        field = event[name]
        # from_json turns a missing field, a wrong type or a float literal for an integer into null.
        if name in schema["required"]:
            missing = f"{name}: missing, null or not a JSON {rule['type']}"
            broken.append(F.when(field.isNull(), F.lit(missing)))
        for keyword, (breaks, wording) in LIMITS.items():
            if keyword in rule:
                limit = rule[keyword]
                found = F.format_string(f"{name}: expected {wording} {limit}, found %s", field.cast("string"))
                broken.append(F.when(breaks(field, F.lit(limit)), found))
    return F.nullif(F.concat_ws("; ", *broken), F.lit(""))


def read_ratings(spark: SparkSession, args: argparse.Namespace) -> DataFrame:
    """The ratings topic as rows: record coordinates, the parsed fields, and `refusal` (null: accepted)."""
    contracts = Path(args.contracts)
    ddl = (contracts / "rating-event.spark.ddl").read_text().strip()
    schema = json.loads((contracts / "rating-event.schema.json").read_text())
    records = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", args.brokers)
        .option("subscribe", args.ratings_topic)
        .option("startingOffsets", "earliest")
        # An unreachable broker fails the job in well under a minute, not after three 60 s admin timeouts.
        .option("kafka.request.timeout.ms", "10000")
        .option("kafka.default.api.timeout.ms", "10000")
        .load()
    )
    # Parsed once here; judging in a second projection keeps Spark from parsing again per rule.
    parsed = records.select(
        "topic",
        "partition",
        "offset",
        F.col("key").cast("string").alias("key"),
        F.col("timestamp").alias("recordTimestamp"),
        "value",
        F.from_json(F.col("value").cast("string"), ddl, STRICT_JSON).alias("event"),
    )
    refusal = F.coalesce(
        value_refusal(F.col("value"), args.max_bytes), field_refusals(schema, F.col("event"))
    )
    return parsed.select(
        "topic", "partition", "offset", "key", "recordTimestamp", "event.*", refusal.alias("refusal")
    )


def metric(name: str, value: Column, unit: str) -> Column:
    """One metric event (contracts/metric.ts) of a per-movie aggregate row, as JSON text."""
    return F.to_json(
        F.struct(
            F.lit(name).alias("name"),
            value.cast("double").alias("value"),
            F.lit(unit).alias("unit"),
            F.lit(SOURCE).alias("source"),
            F.struct(
                F.unix_millis("firstRecord").alias("startMs"),
                F.unix_millis("lastRecord").alias("endMs"),
            ).alias("window"),
            F.unix_millis(F.current_timestamp()).alias("timestamp"),
            F.create_map(
                F.lit("movieId"), F.col("movieId").cast("string"), F.lit("topic"), F.col("topic")
            ).alias("tags"),
        )
    )


def per_movie_metrics(ratings: DataFrame) -> DataFrame:
    """Count and mean rating of the accepted ratings per movie, as Kafka records keyed by the source."""
    per_movie = (
        ratings.where(F.col("refusal").isNull())
        .groupBy("topic", "movieId")
        .agg(
            F.count(F.lit(1)).alias("ratings"),
            F.avg("rating").alias("mean"),
            # The window is the records' Kafka time (when they were sent), not the ratings' own time.
            F.min("recordTimestamp").alias("firstRecord"),
            F.max("recordTimestamp").alias("lastRecord"),
        )
    )
    return per_movie.select(
        F.lit(SOURCE).alias("key"),
        F.explode(
            F.array(
                metric("spark.movie.ratings", F.col("ratings"), "count"),
                metric("spark.movie.rating-mean", F.col("mean"), "stars"),
            )
        ).alias("value"),
    )


def jvm_peak_rss_mb(spark: SparkSession) -> float | None:
    """The JVM's peak resident memory (VmHWM), where /proc tells it."""
    pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()  # type: ignore[union-attr]
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    spark = start_session(Path(args.connector_jars))
    session_ready = time.monotonic()
    checkpoints = Path(args.checkpoint or tempfile.mkdtemp(prefix="ratings-to-metrics-"))
    try:
        ratings = read_ratings(spark, args)
        # Counted on the way through, reported in the query's progress: no second pass over the topic.
        counted = ratings.observe(
            "records",
            F.count(F.lit(1)).alias("read"),
            F.count_if(F.col("refusal").isNull()).alias("accepted"),
        )
        queries = [
            per_movie_metrics(counted)
            .writeStream.format("kafka")
            .option("kafka.bootstrap.servers", args.brokers)
            .option("topic", args.metrics_topic)
            .option("checkpointLocation", str(checkpoints / "metrics"))
            .outputMode("update")
            .trigger(availableNow=True)
            .start()
        ]
        if args.verdicts:
            queries.append(
                ratings.withColumn("timestamp", F.col("timestamp").cast("string"))
                .writeStream.format("json")
                .option("path", args.verdicts)
                .option("ignoreNullFields", "false")
                .option("checkpointLocation", str(checkpoints / "verdicts"))
                .trigger(availableNow=True)
                .start()
            )
        for query in queries:
            query.awaitTermination()
        query_done = time.monotonic()
        progress = queries[0].recentProgress
        observed = [p.observedMetrics["records"] for p in progress if "records" in p.observedMetrics]
        read = sum(row["read"] for row in observed)
        accepted = sum(row["accepted"] for row in observed)
        return {
            "ok": True,
            "spark": spark.version,
            "ratingsTopic": args.ratings_topic,
            "metricsTopic": args.metrics_topic,
            "maxBytes": args.max_bytes,
            "records": read,
            "accepted": accepted,
            "refused": read - accepted,
            "metricEvents": sum(max(p.sink.numOutputRows, 0) for p in progress),
            "batches": len(progress),
            "sessionStartMs": round((session_ready - started) * 1000),
            "queryMs": round((query_done - session_ready) * 1000),
            "totalMs": round((time.monotonic() - started) * 1000),
            "jvmPeakRssMb": jvm_peak_rss_mb(spark),
        }
    finally:
        spark.stop()
        if not args.checkpoint:
            shutil.rmtree(checkpoints, ignore_errors=True)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        summary = run(args)
    except Exception as error:  # noqa: BLE001 - the one place that turns any failure into exit 1
        # The first line names the failure; Spark appends the whole query plan after it.
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {reason}"}))
        return 1
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
