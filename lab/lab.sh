#!/usr/bin/env bash
# The namespace lab: a "switch" namespace with a Linux bridge, node and client namespaces on veth
# pairs, all on 198.18.0.0/24 (see shared/lab-addressing.md). Every name starts with a prefix so
# several labs (a test suite beside a benchmark) never collide.
#
#   lab.sh up PREFIX NODES [CLIENTS]    create PREFIX-sw, PREFIX-n1..N, PREFIX-c1..M
#   lab.sh down PREFIX                  remove every namespace named PREFIX-*
#   lab.sh exec PREFIX HOST CMD...      run CMD in PREFIX-HOST (HOST = n1, c1, sw)
#   lab.sh cut PREFIX HOST...           cut these nodes off from the other nodes (clients still reach all)
#   lab.sh split PREFIX "A..." "B..."   cut node set A from node set B
#   lab.sh heal PREFIX                  remove every cut
#   lab.sh garp-drop PREFIX on IP...    the switch drops gratuitous ARP for these IPs before learning
#   lab.sh garp-drop PREFIX off         ... and forwards them again
#   lab.sh link PREFIX HOST up|down     set a node's eth0 up or down
#   lab.sh list                         namespaces of every lab
# Node i: 198.18.0.(10+i), MAC 02:18:00:00:00:<10+i in hex>; client j: 198.18.0.(99+j).
set -euo pipefail

die() { echo "lab.sh: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces); run as root"
command -v ip >/dev/null || die "iproute2 missing: apt-get install iproute2"

valid_prefix() { [[ "$1" =~ ^[a-z][a-z0-9]{1,7}$ ]] || die "prefix '$1' must be 2-8 lower-case letters/digits, starting with a letter"; }
ns() { echo "$1-$2"; }
host_index() { echo "${1:1}"; }
node_ip() { echo "198.18.0.$((10 + $1))"; }
client_ip() { echo "198.18.0.$((99 + $1))"; }
node_mac() { printf '02:18:00:00:00:%02x' $((10 + $1)); }
client_mac() { printf '02:18:00:00:01:%02x' $((99 + $1)); }

add_host() { # prefix port ip mac v6
  local prefix=$1 port=$2 addr=$3 mac=$4 v6=$5 sw; sw=$(ns "$prefix" sw)
  local h; h=$(ns "$prefix" "$port")
  ip netns add "$h"
  ip -n "$sw" link add "$port" type veth peer name eth0 netns "$h"
  ip -n "$sw" link set "$port" master br0 up
  ip -n "$h" link set lo up
  ip -n "$h" link set eth0 address "$mac"
  ip netns exec "$h" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
  ip -n "$h" addr add "$addr/24" dev eth0
  ip -n "$h" addr add "$v6/64" dev eth0 nodad
  ip netns exec "$h" sysctl -qw net.ipv4.ip_nonlocal_bind=1 net.ipv6.ip_nonlocal_bind=1
  ip -n "$h" link set eth0 up
}

up() {
  local prefix=$1 nodes=$2 clients=${3:-1} sw
  valid_prefix "$prefix"
  [[ "$nodes" =~ ^[1-9]$ ]] || die "NODES must be 1-9"
  [[ "$clients" =~ ^[0-9]$ ]] || die "CLIENTS must be 0-9"
  sw=$(ns "$prefix" sw)
  ip netns list | grep -q "^$sw\b" && die "lab '$prefix' already exists; run: lab.sh down $prefix"
  trap 'down "$prefix"' ERR
  ip netns add "$sw"
  ip -n "$sw" link set lo up
  ip -n "$sw" link add br0 type bridge
  ip -n "$sw" link set br0 type bridge ageing_time 30000
  ip -n "$sw" link set br0 up
  for i in $(seq 1 "$nodes"); do add_host "$prefix" "n$i" "$(node_ip "$i")" "$(node_mac "$i")" "2001:db8:18::$((10 + i))"; done
  for j in $(seq 1 "$clients"); do add_host "$prefix" "c$j" "$(client_ip "$j")" "$(client_mac "$j")" "2001:db8:18::$((99 + j))"; done
  trap - ERR
  echo "lab $prefix up: $nodes node(s), $clients client(s) on 198.18.0.0/24"
}

down() {
  local prefix=$1
  valid_prefix "$prefix"
  for h in $(ip netns list | awk '{print $1}' | grep "^$prefix-" || true); do
    ip netns pids "$h" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$h" 2>/dev/null || true
  done
}

nft_sw() { ip netns exec "$(ns "$1" sw)" nft "${@:2}"; }

ensure_table() {
  nft_sw "$1" list table bridge vklab >/dev/null 2>&1 && return
  command -v nft >/dev/null || die "nftables missing: apt-get install nftables"
  nft_sw "$1" add table bridge vklab
  nft_sw "$1" add chain bridge vklab forward '{ type filter hook forward priority 0; policy accept; }'
}

cut_between() { # prefix "a b" "c d"
  local prefix=$1 a b; ensure_table "$prefix"
  for a in $2; do for b in $3; do
    nft_sw "$prefix" add rule bridge vklab forward iifname "$a" oifname "$b" drop
    nft_sw "$prefix" add rule bridge vklab forward iifname "$b" oifname "$a" drop
  done; done
}

# As ARP inspection or an ARP rate policy: gratuitous ARP (sender IP = target IP) for the VIPs is
# dropped on the bridge's prerouting hook, before the bridge learns the frame's source MAC.
garp_drop() { # prefix on|off IP...
  local ip; for ip in "${@:3}"; do
    [[ "$ip" =~ ^198\.18\.0\.[0-9]{1,3}$ ]] || die "garp-drop: '$ip' is not a lab address (198.18.0.x)"
  done
  nft_sw "$1" delete table bridge vkgarp 2>/dev/null || true
  [ "$2" = on ] || return 0
  command -v nft >/dev/null || die "nftables missing: apt-get install nftables"
  nft_sw "$1" add table bridge vkgarp
  nft_sw "$1" add chain bridge vkgarp pre '{ type filter hook prerouting priority -300; policy accept; }'
  for ip in "${@:3}"; do
    nft_sw "$1" add rule bridge vkgarp pre ether type arp arp saddr ip "$ip" arp daddr ip "$ip" counter drop
  done
}

all_nodes() { ip -n "$(ns "$1" sw)" -o link show master br0 | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^n' | sort; }

case "${1:-}" in
  up) [ $# -ge 3 ] || die "usage: lab.sh up PREFIX NODES [CLIENTS]"; up "$2" "$3" "${4:-1}" ;;
  down) [ $# -eq 2 ] || die "usage: lab.sh down PREFIX"; down "$2" ;;
  exec) [ $# -ge 4 ] || die "usage: lab.sh exec PREFIX HOST CMD..."; exec ip netns exec "$(ns "$2" "$3")" "${@:4}" ;;
  cut) [ $# -ge 3 ] || die "usage: lab.sh cut PREFIX HOST..."
    others=$(all_nodes "$2" | grep -vxF -f <(printf '%s\n' "${@:3}") || true)
    cut_between "$2" "${*:3}" "$others" ;;
  split) [ $# -eq 4 ] || die "usage: lab.sh split PREFIX \"n1 n2\" \"n3\""; cut_between "$2" "$3" "$4" ;;
  heal) [ $# -eq 2 ] || die "usage: lab.sh heal PREFIX"; nft_sw "$2" delete table bridge vklab 2>/dev/null || true ;;
  garp-drop) [ $# -ge 3 ] && { [ "$3" = off ] || [ $# -ge 4 ]; } || die "usage: lab.sh garp-drop PREFIX on IP... | off"
    garp_drop "$2" "$3" "${@:4}" ;;
  link) [ $# -eq 4 ] || die "usage: lab.sh link PREFIX HOST up|down"; ip -n "$(ns "$2" "$3")" link set eth0 "$4" ;;
  list) ip netns list | awk '{print $1}' | grep -E '^[a-z][a-z0-9]{1,7}-(sw|n[0-9]|c[0-9])$' || true ;;
  *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
