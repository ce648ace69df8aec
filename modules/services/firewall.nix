# networking.firewall: a stateful packet filter for incoming traffic, with
# NixOS's options, built on nftables (Debian's nftables package).
#
# The rules are one table, `inet firn-fw`, in a file in the store, checked
# with `nft -c` when the system is built (networking.nftables.checkRuleset)
# and loaded by firewall.service before network-pre.target, so no interface
# is configured before the filter is in place. The input chain's policy is
# drop; what it lets in:
#
#   input        trusted interfaces (lo always); established and related
#                traffic; new (and untracked) traffic goes to input-allow;
#                what input-allow did not accept is logged (new TCP
#                connections, logRefusedConnections) and rejected
#                (rejectPackets) or dropped.
#   input-allow  ICMP errors, IPv6 neighbour discovery and multicast
#                listener queries, ping (allowPing), DHCP replies to this
#                host's clients, the allowed ports (all interfaces, then
#                per interface), extraInputRules.
#
# Other modules open ports by adding to allowedTCPPorts (openssh's
# openFirewall). Forwarded and outgoing traffic is not filtered.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption mkIf types concatStringsSep concatMapStrings optionalString optional;
  cfg = config.networking.firewall;

  table = "firn-fw";

  rangeType = types.submodule {
    options = {
      from = mkOption { type = types.port; description = "The first port of the range."; };
      to = mkOption { type = types.port; description = "The last port of the range."; };
    };
  };

  portOptions = {
    allowedTCPPorts = mkOption {
      type = types.listOf types.port;
      default = [ ];
      example = [ 22 80 ];
      description = "TCP ports on which incoming connections are accepted.";
    };
    allowedUDPPorts = mkOption {
      type = types.listOf types.port;
      default = [ ];
      example = [ 53 ];
      description = "UDP ports on which incoming packets are accepted.";
    };
    allowedTCPPortRanges = mkOption {
      type = types.listOf rangeType;
      default = [ ];
      example = [ { from = 8000; to = 8010; } ];
      description = "Ranges of TCP ports on which incoming connections are accepted.";
    };
    allowedUDPPortRanges = mkOption {
      type = types.listOf rangeType;
      default = [ ];
      example = [ { from = 60000; to = 61000; } ];
      description = "Ranges of UDP ports on which incoming packets are accepted.";
    };
  };

  quote = s: "\"${s}\"";

  # `tcp dport { 22, 80, 8000-8010 } accept`, or nothing for no ports.
  # Ports are made unique and sorted (nft refuses a set holding an element
  # twice); a range that holds one of the ports is fine (sets auto-merge).
  portRule = prefix: proto: ports: ranges:
    let
      elems = map toString (lib.sort (a: b: a < b) (lib.unique ports))
        ++ lib.unique (map (r: if r.from == r.to then toString r.from else "${toString r.from}-${toString r.to}") ranges);
    in optional (elems != [ ]) "${prefix}${proto} dport { ${concatStringsSep ", " elems} } accept";

  portRules = prefix: p:
    portRule prefix "tcp" p.allowedTCPPorts p.allowedTCPPortRanges
    ++ portRule prefix "udp" p.allowedUDPPorts p.allowedUDPPortRanges;

  pingLimit = optionalString (cfg.pingLimit != null) " limit rate ${cfg.pingLimit}";

  chain = name: lines: "  chain ${name} {\n" + concatMapStrings (l: if l == "" then "\n" else "    ${l}\n") lines + "  }\n";

  inputChain = [
    "type filter hook input priority filter; policy drop;"
    ""
    "iifname { ${concatStringsSep ", " (map quote (lib.unique ([ "lo" ] ++ cfg.trustedInterfaces)))} } accept comment \"trusted interfaces\""
    "# Neighbour discovery is untracked: it goes to input-allow too."
    "ct state vmap { invalid : drop, established : accept, related : accept, new : jump input-allow, untracked : jump input-allow }"
    ""
    "# Refused: logged, then rejected or dropped (the policy)."
  ] ++ optional cfg.logRefusedConnections
    "tcp flags & (fin | syn | rst | ack) == syn log level info prefix \"refused connection: \""
  ++ optional cfg.logRefusedPackets
    "${optionalString cfg.logRefusedUnicastsOnly "meta pkttype host "}log level info prefix \"refused packet: \""
  ++ lib.optionals cfg.rejectPackets [
    "meta pkttype host meta l4proto tcp reject with tcp reset"
    "meta pkttype host reject"
  ];

  allowChain = [
    "icmp type { destination-unreachable, time-exceeded, parameter-problem } accept"
    "icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } accept"
    "icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept comment \"neighbour discovery\""
    "icmpv6 type mld-listener-query ip6 saddr fe80::/10 accept comment \"multicast listener queries\""
  ] ++ lib.optionals cfg.allowPing [
    "icmp type echo-request${pingLimit} accept comment \"ping\""
    "icmpv6 type echo-request${pingLimit} accept comment \"ping\""
  ] ++ [
    "udp sport 67 udp dport 68 accept comment \"DHCPv4 replies to this host's client\""
    "ip6 daddr fe80::/64 udp sport 547 udp dport 546 accept comment \"DHCPv6 replies to this host's client\""
    ""
  ] ++ portRules "" cfg
    ++ lib.concatLists (lib.mapAttrsToList (name: p: portRules "iifname ${quote name} " p) cfg.interfaces)
    ++ lib.optionals (cfg.extraInputRules != "") ([ "" "# networking.firewall.extraInputRules" ]
      ++ lib.splitString "\n" (lib.removeSuffix "\n" cfg.extraInputRules));

  ruleset = ''
    # firn's firewall (networking.firewall), loaded by firewall.service.
    # Declaring the table, deleting it and defining it again in one file
    # makes loading it one transaction that also replaces an older version.
    table inet ${table}
    delete table inet ${table}
    table inet ${table} {
  '' + chain "input" inputChain + "\n" + chain "input-allow" allowChain + "}\n";

  rulesetFile = pkgs.writeText "firewall.nft" ruleset;

  # nft -c asks the kernel to check the rules (and then drops them): it
  # needs CAP_NET_ADMIN, which the build sandbox lacks; a user and network
  # namespace of its own gives it that over an empty network stack.
  checkedRuleset = if !config.networking.nftables.checkRuleset then rulesetFile else
    pkgs.runCommand "firewall.nft" { tools = [ pkgs.nftables pkgs.util-linux ]; } ''
      unshare --map-root-user --net nft --check --file ${rulesetFile}
      cp ${rulesetFile} "$out"
    '';

  nft = "/usr/sbin/nft";
in
{
  options.networking.firewall = portOptions // {
    enable = mkOption {
      type = types.bool;
      default = true;
      description = "Whether incoming traffic is filtered (nftables).";
    };
    allowPing = mkOption {
      type = types.bool;
      default = true;
      description = "Whether ICMP and ICMPv6 echo requests are answered.";
    };
    pingLimit = mkOption {
      type = types.nullOr (types.strMatching "[0-9]+/(second|minute|hour|day)( burst [0-9]+ packets)?");
      default = null;
      example = "2/second";
      description = "A rate limit for pings (nft's `limit rate`).";
    };
    interfaces = mkOption {
      type = types.attrsOf (types.submodule { options = portOptions; });
      default = { };
      example = { eth0.allowedTCPPorts = [ 8080 ]; };
      description = "Ports open only on some interfaces, by interface name (nft's globs: \"wg*\").";
    };
    trustedInterfaces = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "br0" ];
      description = "Interfaces on which all incoming traffic is accepted (lo always is).";
    };
    rejectPackets = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether refused packets sent to this host are rejected (a TCP reset,
        an ICMP port-unreachable) rather than dropped silently.
      '';
    };
    logRefusedConnections = mkOption {
      type = types.bool;
      default = true;
      description = "Whether refused TCP connection attempts are logged (kernel log, \"refused connection: \").";
    };
    logRefusedPackets = mkOption {
      type = types.bool;
      default = false;
      description = "Whether every refused packet is logged (\"refused packet: \").";
    };
    logRefusedUnicastsOnly = mkOption {
      type = types.bool;
      default = true;
      description = "With logRefusedPackets: only packets sent to this host, not broadcasts and multicasts.";
    };
    extraInputRules = mkOption {
      type = types.lines;
      default = "";
      example = "ip saddr 10.0.0.0/8 tcp dport 9100 accept";
      description = "nftables rules appended to the input-allow chain (accept what they match).";
    };
  };

  options.networking.nftables.checkRuleset = mkOption {
    type = types.bool;
    default = true;
    description = "Whether the firewall's rules are checked with `nft --check` when the system is built.";
  };

  options.system.build.firewallRuleset = mkOption {
    type = types.package;
    internal = true;
    description = "The firewall's nftables rules (checked).";
  };

  config = mkIf cfg.enable {
    assertions = map (r: {
      assertion = r.from <= r.to;
      message = "networking.firewall: the port range ${toString r.from}-${toString r.to} ends before it starts";
    }) (cfg.allowedTCPPortRanges ++ cfg.allowedUDPPortRanges
      ++ lib.concatMap (p: p.allowedTCPPortRanges ++ p.allowedUDPPortRanges) (lib.attrValues cfg.interfaces));

    environment.systemPackages = [ pkgs.nftables ];
    system.build.firewallRuleset = checkedRuleset;

    # The modules the ruleset needs, loaded by systemd-modules-load in one
    # process before the firewall starts; else nft's first use of each
    # makes the kernel run modprobe once per module (seconds at boot in a
    # TCG VM, where every modprobe is loaded from the 9p store).
    boot.kernelModules = [ "nf_tables" "nft_ct" ]
      ++ lib.optionals (cfg.logRefusedConnections || cfg.logRefusedPackets) [ "nft_log" "nf_log_syslog" ]
      ++ lib.optionals cfg.rejectPackets [ "nft_reject_inet" ]
      ++ lib.optionals (cfg.pingLimit != null) [ "nft_limit" ];

    systemd.services.firewall = {
      description = "Firewall (nftables)";
      wantedBy = [ "multi-user.target" ];
      # Up before any interface is configured (networkd is after
      # network-pre.target), and early: no default dependencies.
      wants = [ "network-pre.target" ];
      before = [ "network-pre.target" "shutdown.target" ];
      after = [ "systemd-modules-load.service" ];
      conflicts = [ "shutdown.target" ];
      unitConfig.DefaultDependencies = false;
      # A new ruleset is loaded by a reload (one transaction), never with
      # the filter down in between.
      reloadIfChanged = true;
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = "${nft} --file ${checkedRuleset}";
        ExecReload = "${nft} --file ${checkedRuleset}";
        ExecStop = "-${nft} delete table inet ${table}";
      };
    };
  };
}
