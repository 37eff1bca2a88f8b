#!/bin/sh
# The function's exec wrapper (AWS_LAMBDA_EXEC_WRAPPER=/var/task/exec-wrapper.sh, set by
# lib/constructs/collector-function.ts). Lambda starts it instead of Node, with Node's path and the
# managed runtime's arguments; it starts that same command without `--expose-gc`.
#
# Why: `--expose-gc` changes V8's flag hash, so Node rejects the code cache it embeds for its own
# built-in modules and compiles each one (crypto, http, http2, tls, stream, zlib, ...) from source at
# every cold start. Nothing in this function calls `gc()`. Every other argument is kept, in order.
for arg do
  shift
  [ "$arg" = "--expose-gc" ] || set -- "$@" "$arg"
done
exec "$@"
