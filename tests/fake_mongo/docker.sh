#!/bin/sh
# Stand-in `docker` for tests (tests/fake_mongo/README.md): `inspect` prints the container's
# JSON from <dir>/docker/<name>.json, `info --format '{{.DockerRootDir}}'` prints
# <dir>/docker/root-dir (default /var/lib/docker), and `exec [-i] [-t] [-u USER] NAME CMD...`
# runs CMD here (so `docker exec -i mongo mongodump ...` reaches the stand-in mongodump).
dir=${FAKE_MONGO_DIR:-$(dirname "$(readlink -f "$0")")/fake-mongo.d}
printf '%s\n' "$*" >>"$dir/docker.calls"
cmd=$1
[ $# -gt 0 ] && shift
case $cmd in
  inspect)
    names=""
    while [ $# -gt 0 ]; do
      case $1 in
        --type | -f | --format) shift 2 ;;
        --type=* | --format=*) shift ;;
        *) names="$names $1"; shift ;;
      esac
    done
    first=1
    printf '['
    for n in $names; do
      if [ ! -f "$dir/docker/$n.json" ]; then
        printf ']\n'
        echo "Error: No such container: $n" >&2
        exit 1
      fi
      [ $first = 1 ] || printf ','
      first=0
      cat "$dir/docker/$n.json"
    done
    printf ']\n'
    ;;
  info)
    if [ -f "$dir/docker/root-dir" ]; then cat "$dir/docker/root-dir"; else echo /var/lib/docker; fi
    ;;
  exec)
    while [ $# -gt 0 ]; do
      case $1 in
        -i | -t | -it | --interactive | --tty) shift ;;
        -u | --user | -w | --workdir | -e | --env) shift 2 ;;
        -*) shift ;;
        *) break ;;
      esac
    done
    name=$1
    shift
    if [ ! -f "$dir/docker/$name.json" ]; then
      echo "Error response from daemon: No such container: $name" >&2
      exit 1
    fi
    exec "$@"
    ;;
  *)
    echo "docker: '$cmd' is not a docker command (stand-in)" >&2
    exit 1
    ;;
esac
