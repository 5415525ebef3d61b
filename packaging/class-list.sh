#!/usr/bin/env bash
# Makes the node's class list, modules/node/src/main/cds/vipkeeper-node.classlist, from a lab run:
# each of the demo's three nodes (start, a crash, a planned handover) writes the classes it loaded,
# and the list is their union. The build parses them into the class archive. Run it as root after a
# change that loads new classes; a class missing from the list is only loaded the slow way.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
JAVA_TOOL_OPTIONS="-Dvipkeeper.lab.class-lists=$dir" "$src/bin/vipkeeper" demo >/dev/null
ls "$dir"/*.classlist >/dev/null 2>&1 || { echo "class-list.sh: the lab wrote no class list" >&2; exit 1; }
out=$src/modules/node/src/main/cds/vipkeeper-node.classlist
mkdir -p "$(dirname "$out")"
awk '!seen[$0]++' "$dir"/*.classlist > "$out"
echo "$out: $(grep -vc '^#' "$out") classes from $(ls "$dir" | wc -l) nodes"
