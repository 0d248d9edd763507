#!/bin/bash
# Re-creates the real-node dumps in this directory (needs root, iptables, nfacct, node).
# For each manifest, in a throw-away network namespace: kube-proxy's rules (kp-gen
# --include-jumps, with the dispatch chains in a different service order, as kube-proxy's Go
# map order gives), then a node's other rules (node-extras.rules), the FORWARD policy DROP that
# Docker sets, some traffic so that counters are not all zero, and finally iptables-save -c with
# the nft and the legacy backend.
#   bash test/diff/data/capture.sh     (from the repository root, after npm run build)
set -eu
here=test/diff/data
flags="--cluster-cidr 10.244.0.0/16 --hostname-override node-1 --node-ip 192.168.1.10 --include-jumps"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for name in cluster cluster-changed; do
  if [ "$name" = cluster ]; then input=test/data/cluster.yaml; else input=$here/cluster-changed.yaml; fi
  node bin/kp-gen.js $flags "$input" > "$tmp/kube.rules"
  # Reverse the order of the service ports in the dispatch chains, keeping each service port's
  # rules together and in order (the NodePort tail rule stays last).
  node -e '
    const fs = require("fs");
    const lines = fs.readFileSync(process.argv[1], "utf8").split("\n");
    const chains = /^-A (KUBE-SERVICES|KUBE-NODEPORTS|KUBE-EXTERNAL-SERVICES) /;
    const service = (l) => (/--comment "?([^ ":]+\/[^ ":]+(:[^ "]+)?)/.exec(l) || [])[1];
    const out = []; let groups = [];
    const flush = () => { for (const g of groups.reverse()) out.push(...g.lines); groups = []; };
    for (const l of lines) {
      const m = chains.exec(l);
      if (m && !l.includes("must be the last rule")) {
        const key = m[1] + " " + service(l);
        const last = groups[groups.length - 1];
        if (last && last.key === key) last.lines.push(l); else groups.push({ key, lines: [l] });
      } else { flush(); out.push(l); }
    }
    flush();
    fs.writeFileSync(process.argv[1], out.join("\n"));
  ' "$tmp/kube.rules"
  for backend in nft legacy; do
    unshare -n bash -eu -c '
      ip link set lo up
      ip link add eth0 type veth peer name eth0p
      ip addr add 192.168.1.10/24 dev eth0
      ip link set eth0 up
      ip link set eth0p up
      nfacct add ct_state_invalid_dropped_pkts >/dev/null
      nfacct add localhost_nps_accepted_pkts >/dev/null
      iptables-'"$backend"'-restore < "$1"
      iptables-'"$backend"'-restore --noflush < "$2"
      iptables-'"$backend"' -P FORWARD DROP
      for dst in 10.96.0.10/80 127.0.0.1/30010 192.168.1.10/30010 10.96.0.50/80; do
        timeout 1 bash -c "exec 3<>/dev/tcp/${dst%/*}/${dst#*/}" 2>/dev/null || true
      done
      iptables-'"$backend"'-save -c
    ' bash "$tmp/kube.rules" "$here/node-extras.rules" > "$here/$name.$backend.save"
  done
done
echo "wrote $here/*.save"
