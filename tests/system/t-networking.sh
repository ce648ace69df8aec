#!/bin/bash
# modules/system/networking.nix and modules/services/firewall.nix: the
# files configurations render (/etc/hosts, .network files, resolved.conf,
# unit links), the firewall's nftables rules checked by `nft --check` in a
# build (a bad rule fails the build with nft's message), and bad input
# refused with the module system's message.
#
# With FIRN_TEST_VM=1 it also boots examples/minimal.nix with a port open
# (a few minutes under TCG: the system is built in the test's own store)
# and checks from inside that networkd got the QEMU user network's DHCP
# lease (10.0.2.15), resolved answers, the firewall is loaded and no unit
# failed.
. "$(dirname "$0")/../integration/test-lib.sh"
examples=${FIRN_EXAMPLES:-$(cd "$(dirname "$0")/../../examples" && pwd)}
cp "$examples/firn.lock" firn.lock 2>/dev/null || true

# ev CONF EXPR: EXPR (over `c`, the configuration's config) as JSON.
ev() {
        firn eval --strict --json -E "let c = (import <firn/eval-config.nix> { configuration = ./$1; }).config; in $2"
}
# text CONF EXPR: a string EXPR's value, raw.
text() { ev "$1" "$2" | python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin))'; }
etc() { text "$1" "c.environment.etc.\"$2\".text"; }
has() { grep -qxF -- "$2" <<<"$1"; }
conf() { printf '{ pkgs, lib, ... }: { imports = [ %s/minimal.nix ]; %s }\n' "$examples" "$2" >"$1"; }

# ---- names, interfaces, gateways, resolved --------------------------------
conf full.nix '
  networking.hostName = lib.mkForce "web";
  networking.domain = "example.org";
  networking.hosts."10.0.0.5" = [ "db" "db.internal" ];
  networking.extraHosts = "10.0.0.6 cache";
  networking.interfaces.eth1 = {
    ipv4.addresses = [ { address = "192.168.7.2"; prefixLength = 24; } ];
    ipv6.addresses = [ { address = "fd00::2"; prefixLength = 64; } ];
    ipv4.routes = [ { address = "10.9.0.0"; prefixLength = 16; via = "192.168.7.254"; } ];
    mtu = 1400;
  };
  networking.interfaces.eth3.useDHCP = false;
  networking.defaultGateway = "192.168.7.1";
  networking.defaultGateway6 = { address = "fe80::1"; interface = "eth2"; metric = 50; };
  networking.nameservers = [ "9.9.9.9" "2620:fe::fe" ];
  networking.search = [ "example.org" "example.net" ];
'
hosts=$(etc full.nix hosts)
expect_eq "$(head -2 <<<"$hosts")" $'127.0.0.1 localhost\n127.0.1.1 web.example.org web' "/etc/hosts: localhost, then the FQDN and host name on 127.0.1.1"
check "/etc/hosts: networking.hosts" has "$hosts" "10.0.0.5 db db.internal"
check "/etc/hosts: ::1 (IPv6 on)" has "$hosts" "::1 localhost ip6-localhost ip6-loopback"
expect_eq "$(tail -1 <<<"$hosts")" "10.0.0.6 cache" "/etc/hosts: extraHosts last"
expect_eq "$(etc full.nix hostname)" "web" "/etc/hostname"
expect_eq "$(text full.nix c.networking.fqdn)" "web.example.org" "networking.fqdn"

expect_eq "$(ev full.nix 'builtins.attrNames c.systemd.network.networks')" \
        '["40-eth1","40-eth2","40-eth3","99-ethernet-default-dhcp"]' \
        "networks: one per interface (and the gateway6's), plus the default DHCP one"
eth1=$(etc full.nix systemd/network/40-eth1.network)
for line in "[Match]" "Name=eth1" "Address=192.168.7.2/24" "Address=fd00::2/64" "DHCP=no" "MTUBytes=1400" \
        "Gateway=192.168.7.1" "Destination=10.9.0.0/16" "Gateway=192.168.7.254"; do
        check "40-eth1.network: $line" has "$eth1" "$line"
done
expect_eq "$(grep -c '^\[Route\]' <<<"$eth1")" 2 "40-eth1.network: the default route and the static route"
eth2=$(etc full.nix systemd/network/40-eth2.network)
check "40-eth2 (gateway6's interface): DHCP as networking.useDHCP" has "$eth2" "DHCP=yes"
check "40-eth2: the IPv6 gateway" has "$eth2" "Gateway=fe80::1"
check "40-eth2: its metric" has "$eth2" "Metric=50"
check "40-eth3: useDHCP = false" has "$(etc full.nix systemd/network/40-eth3.network)" "DHCP=no"
dflt=$(etc full.nix systemd/network/99-ethernet-default-dhcp.network)
check "99-ethernet-default-dhcp: physical ethernet" has "$dflt" "Type=ether"
check "99-ethernet-default-dhcp: no virtual links" has "$dflt" "Kind=!*"
check "99-ethernet-default-dhcp: DHCP" has "$dflt" "DHCP=yes"

res=$(etc full.nix systemd/resolved.conf)
check "resolved.conf: networking.nameservers" has "$res" "DNS=9.9.9.9 2620:fe::fe"
check "resolved.conf: networking.search" has "$res" "Domains=example.org example.net"
expect_eq "$(text full.nix 'c.environment.etc."resolv.conf".source')" /run/systemd/resolve/stub-resolv.conf \
        "/etc/resolv.conf links to resolved's stub file"
expect_eq "$(ev full.nix 'map (n: c.systemd.units.${n}.wantedBy) [ "systemd-networkd.service" "systemd-networkd.socket" "systemd-resolved.service" "systemd-networkd-wait-online.service" "firewall.service" ]')" \
        '[["multi-user.target"],["sockets.target"],["sysinit.target"],["network-online.target"],["multi-user.target"]]' \
        "networkd, its socket, resolved, wait-online and the firewall are enabled"
expect_eq "$(ev full.nix 'c.systemd.services.systemd-networkd-wait-online.serviceConfig.ExecStart')" \
        '["","/lib/systemd/systemd-networkd-wait-online --timeout=120 --any"]' "wait-online: --any with useDHCP"
expect_eq "$(ev full.nix 'map (u: [ c.users.users.${u}.isSystemUser c.users.users.${u}.group (c.users.groups ? ${u}) ]) [ "systemd-network" "systemd-resolve" ]')" \
        '[[true,"systemd-network",true],[true,"systemd-resolve",true]]' "networkd's and resolved's accounts are declared"

# ---- no DHCP, no IPv6, no resolved ------------------------------------------
conf plain.nix '
  networking.useDHCP = false;
  networking.enableIPv6 = false;
  services.resolved.enable = false;
  networking.nameservers = [ "10.0.0.53" ];
  networking.search = [ "lan" ];
  networking.interfaces.eth0.ipv4.addresses = [ { address = "10.0.0.2"; prefixLength = 8; } ];
  networking.interfaces.eth0.ipv6.addresses = [ { address = "fd00::2"; prefixLength = 64; } ];
  networking.defaultGateway = "10.0.0.1";
'
expect_eq "$(ev plain.nix 'builtins.attrNames c.systemd.network.networks')" '["40-eth0"]' "useDHCP = false: no default DHCP network"
eth0=$(etc plain.nix systemd/network/40-eth0.network)
check "no IPv6: no IPv6 address" bash -c '! grep -q fd00 <<<"$1"' _ "$eth0"
check "no IPv6: no link-local addresses" has "$eth0" "LinkLocalAddressing=no"
check "a gateway without interface goes to the interface with an IPv4 address" has "$eth0" "Gateway=10.0.0.1"
check "no IPv6: sysctl disables it" has "$(etc plain.nix sysctl.d/60-firn-no-ipv6.conf)" "net.ipv6.conf.all.disable_ipv6 = 1"
check "no IPv6: no ::1 line in /etc/hosts" bash -c '! grep -q "^::1" <<<"$1"' _ "$(etc plain.nix hosts)"
expect_eq "$(etc plain.nix resolv.conf)" $'nameserver 10.0.0.53\nsearch lan\noptions edns0' "without resolved, /etc/resolv.conf lists the servers"
expect_eq "$(ev plain.nix '[ (c.systemd.services ? systemd-resolved) (c.environment.etc ? "systemd/resolved.conf") ]')" '[false,false]' \
        "without resolved, no resolved unit or config"

# ---- the firewall's rules ------------------------------------------------------
conf fw.nix '
  networking.firewall = {
    allowedTCPPorts = [ 80 443 80 ];
    allowedUDPPortRanges = [ { from = 60000; to = 61000; } ];
    interfaces.eth1.allowedTCPPorts = [ 9100 ];
    trustedInterfaces = [ "br0" ];
    rejectPackets = true;
    pingLimit = "2/second";
    extraInputRules = "ip saddr 10.0.0.0/8 tcp dport 9200 accept";
  };
  services.openssh.enable = true;
'
expect_eq "$(ev fw.nix 'builtins.sort builtins.lessThan c.networking.firewall.allowedTCPPorts')" '[22,80,80,443]' \
        "openssh opens its port (openFirewall)"
start=$(date +%s)
firn build -j 2 -o ruleset -E "(import <firn/eval-config.nix> { configuration = ./fw.nix; }).config.system.build.firewallRuleset" >fw.log 2>&1
rc=$?
expect_eq "$rc" 0 "the ruleset builds and passes nft --check (in the build sandbox)"
[ "$rc" = 0 ] || tail -20 fw.log
echo "# ruleset build: $(( $(date +%s) - start )) s"
rules=$(cat "$(real "$(readlink ruleset)")" 2>/dev/null | sed 's/^ *//')
for line in "type filter hook input priority filter; policy drop;" \
        'iifname { "lo", "br0" } accept comment "trusted interfaces"' \
        "ct state vmap { invalid : drop, established : accept, related : accept, new : jump input-allow, untracked : jump input-allow }" \
        "tcp dport { 22, 80, 443 } accept" \
        "udp dport { 60000-61000 } accept" \
        'iifname "eth1" tcp dport { 9100 } accept' \
        'icmp type echo-request limit rate 2/second accept comment "ping"' \
        'icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept comment "neighbour discovery"' \
        "udp sport 67 udp dport 68 accept comment \"DHCPv4 replies to this host's client\"" \
        "meta pkttype host meta l4proto tcp reject with tcp reset" \
        'tcp flags & (fin | syn | rst | ack) == syn log level info prefix "refused connection: "' \
        "ip saddr 10.0.0.0/8 tcp dport 9200 accept"; do
        check "ruleset: $line" has "$rules" "$line"
done
fwunit=$(ev fw.nix '[ c.systemd.services.firewall.serviceConfig c.systemd.services.firewall.before c.systemd.services.firewall.unitConfig ]')
check "firewall.service: a oneshot that stays active" grep -q '"RemainAfterExit":true,"Type":"oneshot"' <<<"$fwunit"
check "firewall.service: loads the checked ruleset" grep -q '"ExecStart":"/usr/sbin/nft --file /nix/store/[a-z0-9]*-firewall.nft"' <<<"$fwunit"
check "firewall.service: removes its table on stop" grep -q '"ExecStop":"-/usr/sbin/nft delete table inet firn-fw"' <<<"$fwunit"
check "firewall.service: before network-pre.target" grep -q '\["network-pre.target","shutdown.target"\]' <<<"$fwunit"

conf badrule.nix 'networking.firewall.extraInputRules = "tcp dport 22 acept";'
firn build -j 2 --no-out-link -E "(import <firn/eval-config.nix> { configuration = ./badrule.nix; }).config.system.build.firewallRuleset" >bad.log 2>&1
check "a bad rule fails the build with nft's message" grep -q "Error: syntax error" bad.log
conf off.nix 'networking.firewall.enable = false;'
expect_eq "$(ev off.nix '[ (c.systemd.services ? firewall) ]')" '[false]' "firewall.enable = false: no firewall.service"

# ---- bad input ------------------------------------------------------------------
bad() { conf bad.nix "$1"; firn system build --dry-run -f bad.nix >bad.log 2>&1; }
bad 'networking.interfaces.eth0.ipv4.addresses = [ { address = "10.0.0.2"; prefixLength = 99; } ];'
check "prefixLength 99 (IPv4) is refused, the option named" grep -q "networking.interfaces.eth0.ipv4.addresses.*prefixLength' is not of type" bad.log
check "  ... with its type" grep -q "between 0 and 32" bad.log
bad 'networking.interfaces.eth0.ipv4.addresses = [ { address = 42; prefixLength = 8; } ];'
check "an address that is not a string is refused" grep -q "networking.interfaces.eth0.ipv4.addresses.*address' is not of type .string matching" bad.log
bad 'networking.interfaces.eth0.ipv4.addresses = [ { address = "fd00::1"; prefixLength = 8; } ];'
check "an IPv6 address among the IPv4 ones is refused" grep -q "networking.interfaces.eth0.ipv4.addresses.*address' is not of type" bad.log
bad 'networking.firewall.allowedTCPPorts = [ 70000 ];'
check "port 70000 is refused" grep -q "networking.firewall.allowedTCPPorts.* is not of type .16 bit unsigned integer" bad.log
bad 'networking.firewall.allowedTCPPortRanges = [ { from = 90; to = 80; } ];'
check "a range that ends before it starts is refused" grep -q "the port range 90-80 ends before it starts" bad.log
bad 'networking.useDHCP = false; networking.defaultGateway = "10.0.0.1";'
check "a gateway with no interface to reach it is refused" grep -q "networking.defaultGateway = \"10.0.0.1\": no interface" bad.log
bad 'networking.useNetworkd = false;'
check "useNetworkd = false is refused" grep -q "networking.useNetworkd = false is not supported" bad.log

# ---- a VM (FIRN_TEST_VM=1) -----------------------------------------------------
if [ "${FIRN_TEST_VM:-0}" = 1 ]; then
        cat >vm.nix <<NIX
{ pkgs, lib, ... }:
{
  imports = [ $examples/minimal.nix ];
  networking.firewall.allowedTCPPorts = [ 80 ];
  systemd.services.firn-test-marker = {
    wantedBy = [ "multi-user.target" ];
    after = [ "multi-user.target" "network-online.target" ];
    wants = [ "network-online.target" ];
    serviceConfig.Type = "oneshot";
    script = ''
      say() { echo "FIRN-TEST \$*" >/dev/kmsg; }
      say "ADDR=\$(ip -4 -o addr show scope global | awk '{ print \$4 }' | tr '\n' ' ')"
      say "ACTIVE=\$(systemctl is-active systemd-networkd systemd-resolved firewall systemd-networkd-wait-online | tr '\n' ' ')"
      say "RESOLVE=\$(resolvectl query firn 2>&1 | head -1)"
      say "NFT=\$(nft list table inet firn-fw | grep -c 'tcp dport 80 accept')"
      say "FAILED=\$(systemctl list-units --state=failed --no-legend --plain | wc -l)"
      systemctl poweroff --no-block
    '';
  };
}
NIX
        start=$(date +%s)
        firn system build-vm -f vm.nix -j 2 >vm-build.log 2>&1
        expect_eq "$?" 0 "firn system build-vm (examples/minimal.nix, port 80 open)"
        echo "# VM build: $(( $(date +%s) - start )) s"
        runner=$(readlink "$(real "$(readlink result)/bin/run-firn-vm")")
        start=$(date +%s)
        FIRN_VM_DISK=$TEST_ROOT/vm.img timeout 600 bash "$(real "$runner")" </dev/null >console.log 2>&1
        echo "# VM boot: $(( $(date +%s) - start )) s"
        expect_eq "$(grep -a -o 'FIRN-TEST ADDR=[0-9./]*' console.log)" "FIRN-TEST ADDR=10.0.2.15/24" "networkd got the DHCP lease"
        check "networkd, resolved, the firewall and wait-online are active" grep -aq "FIRN-TEST ACTIVE=active active active active" console.log
        check "resolved answers" grep -aq "FIRN-TEST RESOLVE=firn: 127.0.1.1" console.log
        check "the firewall's table opens port 80" grep -aq "FIRN-TEST NFT=1" console.log
        check "no unit failed" grep -aq "FIRN-TEST FAILED=0" console.log
fi

finish
