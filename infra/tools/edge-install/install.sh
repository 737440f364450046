#!/bin/sh
# Installs the edge client from this folder (what `npm run build:edge` wrote) on a Linux panel
# PC with systemd. Idempotent: run it again after an upgrade, or after putting the keys in
# place, to fix their owner and modes. It never overwrites an existing /etc/edge-client/edge.json.
#
#   sudo sh install.sh                  install on this machine
#   sh install.sh --destdir /tmp/root   stage into a folder (no root needed): skips useradd,
#                                       chown and systemctl, which would act on this machine
set -eu

usage() {
  sed -n '2,8s/^# \{0,1\}//p' "$0"
}

destdir=${DESTDIR:-}
while [ $# -gt 0 ]; do
  case $1 in
  --destdir)
    [ $# -ge 2 ] || { echo "install.sh: --destdir needs a folder" >&2; exit 2; }
    destdir=$2
    shift 2
    ;;
  --destdir=*)
    destdir=${1#--destdir=}
    shift
    ;;
  -h | --help)
    usage
    exit 0
    ;;
  *)
    echo "install.sh: unknown argument $1 (see --help)" >&2
    exit 2
    ;;
  esac
done

here=$(cd "$(dirname "$0")" && pwd)
user=edge-client
opt=$destdir/opt/edge-client
etc=$destdir/etc/edge-client
unit=$destdir/etc/systemd/system/edge-client.service
state=$destdir/var/lib/edge-client

say() { printf 'install.sh: %s\n' "$*"; }

if [ -n "$destdir" ]; then
  system=no
  say "staging into $destdir: skipping useradd, chown and systemctl (they would change this machine)"
else
  system=yes
  if [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run as root (sudo sh install.sh), or stage with --destdir DIR" >&2
    exit 1
  fi
fi

# The folder is what was built and checksummed: refuse a damaged or partial copy.
if command -v sha256sum >/dev/null 2>&1; then
  (cd "$here" && sha256sum -c --quiet --strict SHA256SUMS) || {
    echo "install.sh: $here does not match its SHA256SUMS: copy the folder again" >&2
    exit 1
  }
else
  say "sha256sum not found: checksums not verified"
fi

if [ "$system" = yes ]; then
  # systemd finds a bare `node` in its search path (/usr/local/bin, /usr/bin, ...).
  node=$(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin command -v node) || {
    echo "install.sh: no node in /usr/local/bin or /usr/bin: install Node.js 20 or later" >&2
    exit 1
  }
  major=$("$node" -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || {
    echo "install.sh: $node is Node.js $major: the edge client needs 20 or later (22 recommended)" >&2
    exit 1
  }
  if ! getent passwd "$user" >/dev/null; then
    useradd --system --user-group --no-create-home --home-dir /var/lib/edge-client \
      --shell /usr/sbin/nologin --comment 'store-floor edge client' "$user"
    say "created system user $user"
  fi
fi

# Each file is copied beside its target and renamed over it, so a running daemon keeps the file
# it loaded and a reader never sees half of a new one.
put() { # put SOURCE TARGET MODE
  cp "$1" "$2.new"
  chmod "$3" "$2.new"
  mv -f "$2.new" "$2"
}

mkdir -p "$opt" "$destdir/etc/systemd/system" "$etc/keys" "$state"
for f in edge-client.mjs edge-client.mjs.map THIRD-PARTY-LICENSES.txt INSTALL.md SHA256SUMS; do
  if [ -f "$here/$f" ]; then put "$here/$f" "$opt/$f" 0644; fi
done
put "$here/edge-client.service" "$unit" 0644
put "$here/edge.example.json" "$etc/edge.example.json" 0644
if [ -e "$etc/edge.json" ]; then
  say "kept the existing $etc/edge.json"
else
  put "$here/edge.example.json" "$etc/edge.json" 0640
  say "wrote $etc/edge.json from the example: edit it before starting"
fi

# The config is root's and readable by the daemon's group; the keys (IoT certificate and key,
# the signing key) and the spool are the daemon user's alone: the daemon refuses a key file
# that its group or others may read.
chmod 0750 "$etc"
chmod 0640 "$etc/edge.json"
chmod 0700 "$etc/keys" "$state"
find "$etc/keys" -type f -exec chmod 0600 {} +
if [ "$system" = yes ]; then
  chown root:"$user" "$etc" "$etc/edge.json"
  chown -R "$user:$user" "$etc/keys" "$state"
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    say "installed; systemctl daemon-reload done"
    if systemctl is-active --quiet edge-client; then
      say "edge-client still runs the previous version: systemctl restart edge-client (the spool is kept)"
    fi
  else
    say "installed; systemd is not running here, so no daemon-reload"
  fi
else
  say "staged: on the panel PC, run install.sh without --destdir as root"
fi
say "next: put the keys in $etc/keys, edit $etc/edge.json, rerun install.sh, then systemctl enable --now edge-client"
