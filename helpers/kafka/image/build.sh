#!/usr/bin/env bash
# Builds the local Kafka image (tag: `localImage` in helpers/kafka/versions.json) without pulling
# any container image:
#   debootstrap --variant=minbase bookworm -> chroot: apt-get install openjdk-17-jre-headless
#   -> Apache Kafka jars from helpers/kafka/jars/resolve.sh -> scripts from ./rootfs
#   -> tar | docker import.
# The image keeps the contract of Confluent's cp-kafka images that @testcontainers/kafka's
# KafkaContainer relies on (/etc/confluent/docker/{run,configure,ensure}, KAFKA_* env -> config,
# kafka-storage & co. on PATH), so the same KafkaContainer code starts it.
#
# Usage (as root: debootstrap, chroot and mount need it):
#   sudo npm run kafka:image [-- --force | --no-cache]
#     (default)   skip when an image built from the same inputs exists
#     --force     rebuild the image; reuse the cached Debian + JRE root filesystem
#     --no-cache  rebuild everything, including debootstrap and the JRE install
# Environment:
#   KAFKA_IMAGE_TAG         tag to build (default: localImage from versions.json)
#   KAFKA_IMAGE_CACHE       where the Debian + JRE rootfs tarball is cached
#   DEBIAN_MIRROR           Debian mirror (default: from this machine's apt sources)
#   DEBIAN_SECURITY_MIRROR  Debian security mirror (default: from this machine's apt sources)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kafka_dir="$(cd "$here/.." && pwd)"
suite=bookworm
jre_package=openjdk-17-jre-headless
# Bump when the root filesystem recipe below changes, to invalidate cached tarballs.
os_recipe=1

force=false
no_cache=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    --no-cache) force=true no_cache=true ;;
    -h | --help)
      sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *)
      echo "build.sh: unknown argument '$arg' (try --help)" >&2
      exit 2
      ;;
  esac
done

if [[ "$(id -u)" -ne 0 ]]; then
  echo "build.sh: must run as root (debootstrap, chroot and mounting /proc need it)." >&2
  echo "          Try: sudo npm run kafka:image" >&2
  exit 1
fi
for tool in debootstrap docker tar chroot mount umount; do
  command -v "$tool" >/dev/null || {
    echo "build.sh: '$tool' is required but not installed" >&2
    exit 1
  }
done

version_field() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" "$kafka_dir/versions.json"; }
tag="${KAFKA_IMAGE_TAG:-$(version_field localImage)}"
kafka_version="$(version_field kafka)"
arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
cache="${KAFKA_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-contracts/image}"
os_tarball="$cache/$suite-minbase-$jre_package-$arch-r$os_recipe.tar"

# ---- stage timing -----------------------------------------------------------------------------
now_ms() { echo $(($(date +%s%N) / 1000000)); }
build_started="$(now_ms)"
stage_name=""
stage_started=0
summary=()
stage() {
  stage_done
  stage_name="$1"
  stage_started="$(now_ms)"
  echo "==> [$stage_name] ${2:-}"
}
stage_done() {
  if [[ -n "$stage_name" ]]; then
    local ms=$(($(now_ms) - stage_started))
    summary+=("$(printf '%-12s %7.1fs' "$stage_name" "$(bc_div "$ms")")")
    echo "==> [$stage_name] done in $(bc_div "$ms")s"
    stage_name=""
  fi
}
bc_div() { printf '%d.%d' $(($1 / 1000)) $((($1 % 1000) / 100)); }

# ---- cleanup: never leave /proc mounted in a chroot, even on failure --------------------------
work=""
cleanup() {
  local rc=$?
  if [[ -n "$work" ]]; then
    if mountpoint -q "$work/rootfs/proc" 2>/dev/null; then
      umount "$work/rootfs/proc" || umount -l "$work/rootfs/proc" || true
    fi
    if mountpoint -q "$work/rootfs/proc" 2>/dev/null; then
      echo "build.sh: $work/rootfs/proc is still mounted; leaving $work in place" >&2
    else
      rm -rf "$work"
    fi
  fi
  if [[ $rc -ne 0 ]]; then
    echo "build.sh: failed${stage_name:+ in stage $stage_name} (exit $rc)" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- Debian mirrors from this machine's apt configuration -------------------------------------
# Prints the first URI serving a suite matching the regex $1 (deb822 *.sources, then *.list).
apt_uri_for() {
  local want="$1" files=()
  shopt -s nullglob
  files=(/etc/apt/sources.list.d/*.sources)
  if ((${#files[@]})); then
    awk -v want="$want" '
      function value() { sub(/^[^:]*:[ \t]*/, ""); return $0 }
      function flush(   n, i, s, u) {
        if (enabled && types ~ /(^|[ \t])deb([ \t]|$)/) {
          n = split(suites, s, /[ \t]+/)
          for (i = 1; i <= n; i++) if (s[i] ~ want) { split(uris, u, /[ \t]+/); print u[1]; break }
        }
        types = uris = suites = ""; enabled = 1
      }
      BEGIN { enabled = 1 }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "types:" { types = value(); next }
      tolower($1) == "uris:" { uris = value(); next }
      tolower($1) == "suites:" { suites = value(); next }
      tolower($1) == "enabled:" { enabled = (tolower($2) != "no"); next }
      END { flush() }
    ' "${files[@]}"
  fi
  files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list)
  for f in "${files[@]}"; do
    [[ -f "$f" ]] || continue
    awk -v want="$want" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) ~ want) print $i
      }' "$f"
  done
  shopt -u nullglob
}

# ---- inputs -----------------------------------------------------------------------------------
stage jars "Apache Kafka $kafka_version jars (helpers/kafka/jars/resolve.sh)"
libs="$(bash "$kafka_dir/jars/resolve.sh")/libs"
jars=("$libs"/*.jar)
[[ -f "${jars[0]}" ]] || {
  echo "build.sh: no jars in $libs" >&2
  exit 1
}
# Kafka logs through SLF4J; an SLF4J 1.x API with only the 2.x log4j binding (or the reverse)
# silently discards every log line, and KafkaContainer then never sees `Kafka Server started`.
if compgen -G "$libs/slf4j-api-1.*.jar" >/dev/null && ! compgen -G "$libs/log4j-slf4j-impl-*.jar" >/dev/null; then
  echo "build.sh: $libs has slf4j-api 1.x but no log4j-slf4j-impl (the SLF4J 1.x binding);" >&2
  echo "          the broker would log nothing. Resolve org.apache.logging.log4j:log4j-slf4j-impl" >&2
  echo "          (not log4j-slf4j2-impl) in helpers/kafka/jars/pom.xml." >&2
  exit 1
fi
echo "    ${#jars[@]} jars in $libs"

# Everything that ends up in the image, so an unchanged image is not rebuilt.
inputs_hash="$(
  {
    echo "$suite $arch $jre_package r$os_recipe"
    sha256sum "${BASH_SOURCE[0]}"
    (cd "$here/rootfs" && find . -type f -print0 | sort -z | xargs -0 sha256sum && find . -type f -perm -u+x | sort)
    for jar in "${jars[@]}"; do echo "$(basename "$jar") $(stat -c %s "$jar")"; done
  } | sha256sum | cut -c1-16
)"

if [[ "$force" == false ]] &&
  [[ "$(docker image inspect --format '{{ index .Config.Labels "kafka-contracts.inputs" }}' "$tag" 2>/dev/null)" == "$inputs_hash" ]]; then
  stage_done
  echo "==> $tag is up to date (inputs $inputs_hash); use --force to rebuild"
  exit 0
fi

work="$(mktemp -d "${TMPDIR:-/var/tmp}/kafka-image.XXXXXX")"
root="$work/rootfs"
mkdir -p "$root"

# ---- Debian + JRE root filesystem (cached as a tarball) ---------------------------------------
if [[ "$no_cache" == true || ! -f "$os_tarball" ]]; then
  mirror="${DEBIAN_MIRROR:-$(apt_uri_for "^$suite\$" | sed -n 1p)}"
  security="${DEBIAN_SECURITY_MIRROR:-$(apt_uri_for "^$suite-security\$" | sed -n 1p)}"

  stage debootstrap "--variant=minbase $suite ($arch) from ${mirror:-the default mirror of debootstrap}"
  debootstrap --variant=minbase --arch="$arch" "$suite" "$root" ${mirror:+"$mirror"} >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    exit 1
  }
  # debootstrap records the mirror it used; reuse it for updates and security.
  if [[ -z "$mirror" ]]; then
    mirror="$(awk '$1 == "deb" { print $2; exit }' "$root/etc/apt/sources.list")"
  fi

  stage jre "chroot: apt-get install $jre_package"
  {
    echo "deb $mirror $suite main"
    echo "deb $mirror $suite-updates main"
    [[ -z "$security" ]] || echo "deb $security $suite-security main"
  } >"$root/etc/apt/sources.list"
  # Keep documentation out of the image (copyright files stay) and services from starting.
  cat >"$root/etc/dpkg/dpkg.cfg.d/01-nodoc" <<'DPKG'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
DPKG
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

  # ca-certificates-java runs java to build the trust store, which needs /proc.
  mount -t proc proc "$root/proc"
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive /bin/bash -euo pipefail -c "
      apt-get update -qq
      apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends $jre_package >/dev/null
      apt-get clean
      java -version 2>&1 | head -n 1
    "
  umount "$root/proc"

  # Slim down: apt lists and caches, docs already installed by debootstrap, logs.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
    "$root"/var/log/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/tmp/* \
    "$root/usr/sbin/policy-rc.d"
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  : >"$root/etc/resolv.conf"
  rm -f "$root/etc/hostname"

  stage cache "saving $os_tarball"
  mkdir -p "$cache"
  tar --numeric-owner -C "$root" -cf "$os_tarball.tmp" .
  mv "$os_tarball.tmp" "$os_tarball"
  echo "    $(du -h "$os_tarball" | cut -f1)"
else
  stage rootfs "from cache $os_tarball"
  tar --numeric-owner -C "$root" -xf "$os_tarball"
fi

# ---- Kafka layer ------------------------------------------------------------------------------
stage kafka "jars -> /opt/kafka/libs, scripts from rootfs/"
mkdir -p "$root/opt/kafka/libs" "$root/etc/kafka/secrets" "$root/var/lib/kafka/data"
cp "${jars[@]}" "$root/opt/kafka/libs/"
cp -R "$here/rootfs/." "$root/"
chmod 0755 "$root"/etc/confluent/docker/* "$root"/usr/bin/kafka-*
chown -R 0:0 "$root/opt/kafka" "$root/etc/confluent" "$root/etc/kafka" "$root"/usr/bin/kafka-*
# KafkaContainer runs `sh -c ...`; dash drops environment variables whose names are not shell
# identifiers (KAFKA_LISTENER_NAME_SECURE_SCRAM-SHA-512_SASL_JAAS_CONFIG), bash keeps them.
ln -sf bash "$root/bin/sh"
java_homes=("$root"/usr/lib/jvm/java-17-openjdk-*/)
java_home="${java_homes[0]%/}"
java_home="${java_home#"$root"}"
[[ -x "$root$java_home/bin/java" ]] || {
  echo "build.sh: no Java 17 runtime found under $root/usr/lib/jvm" >&2
  exit 1
}

# ---- docker import ----------------------------------------------------------------------------
stage import "tar | docker import -> $tag"
previous="$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)"
tar --numeric-owner -C "$root" -c . | docker import \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV JAVA_HOME=$java_home" \
  --change "ENV KAFKA_HOME=/opt/kafka" \
  --change "ENV KAFKA_VERSION=$kafka_version" \
  --change "ENV LANG=C.UTF-8" \
  --change "LABEL org.opencontainers.image.title=kafka-contracts/cp-kafka-local" \
  --change "LABEL org.opencontainers.image.description=\"Apache Kafka $kafka_version on Debian $suite, cp-kafka compatible entry points\"" \
  --change "LABEL kafka-contracts.kafka-version=$kafka_version" \
  --change "LABEL kafka-contracts.inputs=$inputs_hash" \
  --change "EXPOSE 9092" \
  --change "WORKDIR /" \
  --change 'CMD ["/etc/confluent/docker/run"]' \
  --message "kafka-contracts: Apache Kafka $kafka_version on Debian $suite" \
  - "$tag" >/dev/null
# Drop the image this build replaced, unless a container still uses it.
if [[ -n "$previous" && "$previous" != "$(docker image inspect --format '{{.Id}}' "$tag")" ]]; then
  docker image rm "$previous" >/dev/null 2>&1 || echo "    previous image ${previous#sha256:} kept (still in use)"
fi

stage smoke "kafka-storage random-uuid inside the image"
docker run --rm --entrypoint kafka-storage "$tag" random-uuid

stage_done
echo
echo "Built $tag ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{ printf "%.0f MB", $1 / 1000000 }'))"
for line in "${summary[@]}"; do echo "  $line"; done
echo "  total        $(bc_div $(($(now_ms) - build_started)))s"
