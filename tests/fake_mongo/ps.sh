#!/bin/sh
# Stand-in `ps` for tests: prints <dir>/ps (one command line per process, as `ps -e -o args=`
# does) when that file exists, else runs the real ps.
dir=${FAKE_MONGO_DIR:-$(dirname "$(readlink -f "$0")")/fake-mongo.d}
if [ -f "$dir/ps" ]; then
  cat "$dir/ps"
  exit 0
fi
exec /bin/ps "$@"
