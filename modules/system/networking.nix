# networking: the machine's names (/etc/hostname, /etc/hosts), its
# interfaces and addresses, and name resolution, with NixOS's options.
#
# firn configures the network with systemd-networkd alone (NixOS's
# networking.useNetworkd): networking.* becomes systemd.network.networks,
# and each of those a .network file in /etc/systemd/network:
#
#   40-NAME.network                    networking.interfaces.NAME
#   99-ethernet-default-dhcp.network   networking.useDHCP: DHCP on every
#                                      physical ethernet interface that no
#                                      earlier file claims (networkd takes
#                                      the first file, by name, that matches)
#
# systemd-resolved (Debian's systemd-resolved package) answers DNS on
# 127.0.0.53 with the servers DHCP gave plus networking.nameservers, and
# /etc/resolv.conf links to its stub file, as the package's postinst would
# have made it. No postinst runs, so the accounts systemd-sysusers would add
# for networkd and resolved are declared here, and the units are enabled by
# links made here (systemd.units).
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption mkIf mkMerge types concatStringsSep concatMapStrings
    mapAttrsToList optional optionals optionalAttrs filterAttrs attrValues;
  cfg = config.networking;
  netCfg = config.systemd.network;
  resolvedCfg = config.services.resolved;
  inherit (import ./systemd-units.nix { inherit lib pkgs; }) renderSection;

  # ---- option types ---------------------------------------------------------

  ipv4Address = types.strMatching "([0-9]{1,3}\\.){3}[0-9]{1,3}";
  ipv6Address = types.strMatching "[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(%[a-zA-Z0-9_.-]+)?";
  addressType = v: if v == 4 then ipv4Address else ipv6Address;
  maxPrefix = v: if v == 4 then 32 else 128;

  addressOpts = v: types.submodule {
    options = {
      address = mkOption { type = addressType v; description = "The IPv${toString v} address."; };
      prefixLength = mkOption {
        type = types.ints.between 0 (maxPrefix v);
        description = "The length of the network prefix (the subnet mask's bits).";
      };
    };
  };

  routeOpts = v: types.submodule {
    options = {
      address = mkOption { type = addressType v; description = "The destination network's address."; };
      prefixLength = mkOption { type = types.ints.between 0 (maxPrefix v); description = "The destination's prefix length."; };
      via = mkOption { type = types.nullOr (addressType v); default = null; description = "The gateway (null: on the link)."; };
      options = mkOption {
        type = types.attrsOf types.unspecified;
        default = { };
        example = { Metric = 100; };
        description = "More [Route] settings of systemd.network(5).";
      };
    };
  };

  gatewayOpts = v: types.submodule {
    options = {
      address = mkOption { type = addressType v; description = "The default gateway's address."; };
      interface = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = ''
          The interface the gateway is reached through. null: every
          interface of networking.interfaces that has static IPv${toString v}
          addresses.
        '';
      };
      metric = mkOption { type = types.nullOr types.ints.unsigned; default = null; description = "The route's metric."; };
    };
  };
  # A bare string is the address (NixOS's shorthand).
  gatewayType = v: types.nullOr (types.coercedTo (addressType v) (address: { inherit address; }) (gatewayOpts v));

  interfaceOpts = types.submodule ({ name, ... }: {
    options = {
      name = mkOption { type = types.str; default = name; description = "The interface's name."; };
      useDHCP = mkOption {
        type = types.nullOr types.bool;
        default = null;
        description = ''
          Whether the interface gets its addresses by DHCP. null: as
          networking.useDHCP, when the interface has no static IPv4 address.
        '';
      };
      ipv4.addresses = mkOption {
        type = types.listOf (addressOpts 4);
        default = [ ];
        example = [ { address = "10.0.0.2"; prefixLength = 24; } ];
        description = "Static IPv4 addresses.";
      };
      ipv6.addresses = mkOption {
        type = types.listOf (addressOpts 6);
        default = [ ];
        example = [ { address = "fd00::2"; prefixLength = 64; } ];
        description = "Static IPv6 addresses.";
      };
      ipv4.routes = mkOption { type = types.listOf (routeOpts 4); default = [ ]; description = "Static IPv4 routes."; };
      ipv6.routes = mkOption { type = types.listOf (routeOpts 6); default = [ ]; description = "Static IPv6 routes."; };
      mtu = mkOption { type = types.nullOr types.ints.positive; default = null; description = "The MTU (null: the driver's)."; };
      macAddress = mkOption {
        type = types.nullOr (types.strMatching "([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}");
        default = null;
        description = "A MAC address to set (null: the hardware's).";
      };
    };
  });

  # systemd.network.networks.NAME: what a .network file says (NixOS's
  # names; *Config attributes are sections of systemd.network(5)).
  sectionOption = section: mkOption {
    type = types.attrsOf types.unspecified;
    default = { };
    description = "[${section}] settings.";
  };
  networkOpts = types.submodule ({ name, ... }: {
    options = {
      enable = mkOption { type = types.bool; default = true; description = "Whether the file is written."; };
      name = mkOption { type = types.nullOr types.str; default = null; description = "[Match] Name= (interface names, globs allowed)."; };
      matchConfig = sectionOption "Match";
      linkConfig = sectionOption "Link";
      networkConfig = sectionOption "Network";
      dhcpV4Config = sectionOption "DHCPv4";
      dhcpV6Config = sectionOption "DHCPv6";
      ipv6AcceptRAConfig = sectionOption "IPv6AcceptRA";
      DHCP = mkOption {
        type = types.nullOr (types.enum [ "yes" "no" "ipv4" "ipv6" ]);
        default = null;
        description = "[Network] DHCP=.";
      };
      address = mkOption { type = types.listOf types.str; default = [ ]; description = "[Network] Address= (ADDRESS/PREFIX)."; };
      gateway = mkOption { type = types.listOf types.str; default = [ ]; description = "[Network] Gateway=."; };
      dns = mkOption { type = types.listOf types.str; default = [ ]; description = "[Network] DNS=."; };
      domains = mkOption { type = types.listOf types.str; default = [ ]; description = "[Network] Domains=."; };
      routes = mkOption {
        type = types.listOf (types.attrsOf types.unspecified);
        default = [ ];
        example = [ { Destination = "10.1.0.0/16"; Gateway = "10.0.0.1"; } ];
        description = "One [Route] section each.";
      };
      extraConfig = mkOption { type = types.lines; default = ""; description = "Text appended to the file."; };
    };
  });

  nonEmpty = l: if l == [ ] then null else l;
  renderNetwork = n:
    concatStringsSep "\n" (lib.filter (s: s != "") ([
      (renderSection "Match" (optionalAttrs (n.name != null) { Name = n.name; } // n.matchConfig))
      (renderSection "Link" n.linkConfig)
      (renderSection "Network" ({
        DHCP = n.DHCP;
        Address = nonEmpty n.address;
        Gateway = nonEmpty n.gateway;
        DNS = nonEmpty n.dns;
        Domains = if n.domains == [ ] then null else concatStringsSep " " n.domains;
      } // n.networkConfig))
      (renderSection "DHCPv4" n.dhcpV4Config)
      (renderSection "DHCPv6" n.dhcpV6Config)
      (renderSection "IPv6AcceptRA" n.ipv6AcceptRAConfig)
    ] ++ map (renderSection "Route") n.routes))
    + lib.optionalString (n.extraConfig != "") "\n${n.extraConfig}";

  enabledNetworks = filterAttrs (n: v: v.enable) netCfg.networks;
  networkFiles = lib.mapAttrs' (n: v: lib.nameValuePair "systemd/network/${n}.network" { text = renderNetwork v; }) enabledNetworks;

  # ---- networking.* as networkd networks ----------------------------------

  interfaces = attrValues cfg.interfaces;
  dhcpValue = if cfg.enableIPv6 then "yes" else "ipv4";
  staticAddresses = i: i.ipv4.addresses ++ optionals cfg.enableIPv6 i.ipv6.addresses;
  # A default gateway goes to its interface, or (none named) to every
  # interface with a static address of its family.
  gatewayInterfaces = v: gw:
    if gw == null then [ ]
    else if gw.interface != null then [ gw.interface ]
    else map (i: i.name) (lib.filter (i: (if v == 4 then i.ipv4.addresses else i.ipv6.addresses) != [ ]) interfaces);
  gatewayRoutes = v: gw: name:
    optional (gw != null && lib.elem name (gatewayInterfaces v gw))
      ({ Gateway = gw.address; } // optionalAttrs (gw.metric != null) { Metric = gw.metric; });
  staticRoute = r: { Destination = "${r.address}/${toString r.prefixLength}"; }
    // optionalAttrs (r.via != null) { Gateway = r.via; } // r.options;
  gateways = optional (cfg.defaultGateway != null) { v = 4; gw = cfg.defaultGateway; opt = "defaultGateway"; }
    ++ optional (cfg.defaultGateway6 != null && cfg.enableIPv6) { v = 6; gw = cfg.defaultGateway6; opt = "defaultGateway6"; };
  noIPv6 = optionalAttrs (!cfg.enableIPv6) { LinkLocalAddressing = "no"; IPv6AcceptRA = false; };

  interfaceNetwork = i: {
    name = i.name;
    DHCP = if (if i.useDHCP != null then i.useDHCP else cfg.useDHCP && i.ipv4.addresses == [ ]) then dhcpValue else "no";
    address = map (a: "${a.address}/${toString a.prefixLength}") (staticAddresses i);
    routes = gatewayRoutes 4 cfg.defaultGateway i.name
      ++ lib.optionals cfg.enableIPv6 (gatewayRoutes 6 cfg.defaultGateway6 i.name)
      ++ map staticRoute (i.ipv4.routes ++ optionals cfg.enableIPv6 i.ipv6.routes);
    linkConfig = optionalAttrs (i.mtu != null) { MTUBytes = i.mtu; }
      // optionalAttrs (i.macAddress != null) { MACAddress = i.macAddress; };
    networkConfig = { IPv6PrivacyExtensions = "kernel"; } // noIPv6;
  };

  # ---- /etc/hosts and /etc/resolv.conf ------------------------------------

  # localhost's lines first, then the others by address.
  hostsLine = ip: let names = lib.unique cfg.hosts.${ip}; in
    lib.optionalString (names != [ ]) "${ip} ${concatStringsSep " " names}\n";
  firstHosts = lib.filter (ip: cfg.hosts ? ${ip}) [ "127.0.0.1" "127.0.1.1" "::1" ];
  hostsText = concatMapStrings hostsLine (firstHosts ++ lib.filter (ip: !lib.elem ip firstHosts) (lib.attrNames cfg.hosts))
    + lib.optionalString (cfg.extraHosts != "") "${cfg.extraHosts}\n";

  resolvedConf = ''
    [Resolve]
  '' + concatMapStrings (l: "${l}\n") (lib.filter (l: l != null) [
    (if cfg.nameservers == [ ] then null else "DNS=${concatStringsSep " " cfg.nameservers}")
    (if resolvedCfg.domains == [ ] then null else "Domains=${concatStringsSep " " resolvedCfg.domains}")
    (if resolvedCfg.fallbackDns == null then null else "FallbackDNS=${concatStringsSep " " resolvedCfg.fallbackDns}")
    "LLMNR=${resolvedCfg.llmnr}"
    "DNSSEC=${resolvedCfg.dnssec}"
    "DNSOverTLS=${resolvedCfg.dnsovertls}"
  ]) + resolvedCfg.extraConfig;

  waitOnline = netCfg.wait-online;
  waitOnlineArgs = [ "--timeout=${toString waitOnline.timeout}" ]
    ++ optional waitOnline.anyInterface "--any"
    ++ map (i: "--ignore=${i}") waitOnline.ignoredInterfaces
    ++ waitOnline.extraArgs;
in
{
  options.networking = {
    hostName = mkOption {
      type = types.strMatching "[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?";
      default = "firn";
      description = "The machine's host name (/etc/hostname).";
    };
    domain = mkOption {
      type = types.nullOr (types.strMatching "[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*");
      default = null;
      example = "example.org";
      description = "The machine's domain; hostName.domain is its FQDN, first name of 127.0.1.1 in /etc/hosts.";
    };
    fqdn = mkOption {
      type = types.str;
      readOnly = true;
      default = if cfg.domain != null then "${cfg.hostName}.${cfg.domain}"
        else throw "networking.fqdn needs networking.domain to be set";
      defaultText = "\${networking.hostName}.\${networking.domain}";
      description = "The fully qualified domain name (read-only).";
    };
    fqdnOrHostName = mkOption {
      type = types.str;
      readOnly = true;
      default = if cfg.domain != null then cfg.fqdn else cfg.hostName;
      description = "networking.fqdn when there is a domain, else networking.hostName (read-only).";
    };
    hosts = mkOption {
      type = types.attrsOf (types.listOf types.str);
      example = { "10.0.0.5" = [ "db.internal" "db" ]; };
      description = "Lines of /etc/hosts: an address and its names (definitions add names).";
    };
    extraHosts = mkOption {
      type = types.lines;
      default = "";
      example = "192.168.0.1 gateway";
      description = "Text appended to /etc/hosts.";
    };
    enableIPv6 = mkOption {
      type = types.bool;
      default = true;
      description = "Whether the machine uses IPv6 (false: the kernel disables it on every interface).";
    };
    useDHCP = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether every physical ethernet interface (and each of
        networking.interfaces with neither useDHCP nor a static IPv4 address)
        gets its addresses by DHCP (with systemd-networkd).
      '';
    };
    useNetworkd = mkOption {
      type = types.bool;
      default = true;
      description = "Whether systemd-networkd configures the network: always, on firn (false is an error).";
    };
    interfaces = mkOption {
      type = types.attrsOf interfaceOpts;
      default = { };
      example = lib.literalExpression ''{ eth0.ipv4.addresses = [ { address = "10.0.0.2"; prefixLength = 24; } ]; }'';
      description = "Interfaces by name: addresses, routes, DHCP.";
    };
    defaultGateway = mkOption {
      type = gatewayType 4;
      default = null;
      example = { address = "10.0.0.1"; interface = "eth0"; };
      description = "The IPv4 default gateway (an address, or { address; interface; metric; }).";
    };
    defaultGateway6 = mkOption {
      type = gatewayType 6;
      default = null;
      example = { address = "fe80::1"; interface = "eth0"; };
      description = "The IPv6 default gateway.";
    };
    nameservers = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "9.9.9.9" "2620:fe::fe" ];
      description = ''
        DNS servers: systemd-resolved's global servers (besides those DHCP
        gives), or /etc/resolv.conf's without resolved.
      '';
    };
    search = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "example.org" ];
      description = "Domains to search for names without dots.";
    };
  };

  options.systemd.network = {
    enable = mkOption {
      type = types.bool;
      default = cfg.useNetworkd;
      description = "Whether systemd-networkd runs.";
    };
    networks = mkOption {
      type = types.attrsOf networkOpts;
      default = { };
      description = "systemd-networkd's .network files, by name (without .network).";
    };
    wait-online = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = ''
          Whether systemd-networkd-wait-online.service is what
          network-online.target waits for (only units that want
          network-online.target pull it in; multi-user.target does not).
        '';
      };
      anyInterface = mkOption {
        type = types.bool;
        default = cfg.useDHCP;
        defaultText = "config.networking.useDHCP";
        description = "Whether one configured interface is enough (--any), not all.";
      };
      timeout = mkOption { type = types.ints.unsigned; default = 120; description = "Seconds to wait (0: for ever)."; };
      ignoredInterfaces = mkOption { type = types.listOf types.str; default = [ ]; description = "Interfaces not waited for."; };
      extraArgs = mkOption { type = types.listOf types.str; default = [ ]; description = "More systemd-networkd-wait-online arguments."; };
    };
  };

  options.services.resolved = {
    enable = mkOption {
      type = types.bool;
      default = true;
      description = "Whether systemd-resolved resolves names (/etc/resolv.conf points to its stub at 127.0.0.53).";
    };
    domains = mkOption {
      type = types.listOf types.str;
      default = cfg.search;
      defaultText = "config.networking.search";
      description = "Domains= of resolved.conf (search domains).";
    };
    fallbackDns = mkOption {
      type = types.nullOr (types.listOf types.str);
      default = null;
      description = "Servers used when no other is known (null: systemd's built-in list; [ ]: none).";
    };
    llmnr = mkOption { type = types.enum [ "true" "resolve" "false" ]; default = "true"; description = "LLMNR=."; };
    dnssec = mkOption { type = types.enum [ "true" "allow-downgrade" "false" ]; default = "false"; description = "DNSSEC=."; };
    dnsovertls = mkOption { type = types.enum [ "true" "opportunistic" "false" ]; default = "false"; description = "DNSOverTLS=."; };
    extraConfig = mkOption { type = types.lines; default = ""; description = "More lines of resolved.conf's [Resolve]."; };
  };

  config = mkMerge [
    {
      assertions = [
        {
          assertion = cfg.useNetworkd;
          message = "networking.useNetworkd = false is not supported: firn configures the network with systemd-networkd";
        }
      ] ++ map (g: {
        assertion = gatewayInterfaces g.v g.gw != [ ];
        message = "networking.${g.opt} = \"${g.gw.address}\": no interface to reach it through; set networking.${g.opt}.interface or give an interface a static IPv${toString g.v} address";
      }) gateways;

      networking.hosts = {
        "127.0.0.1" = [ "localhost" ];
        "127.0.1.1" = optional (cfg.domain != null) cfg.fqdn ++ [ cfg.hostName ];
      } // optionalAttrs cfg.enableIPv6 {
        "::1" = [ "localhost" "ip6-localhost" "ip6-loopback" ];
        "ff02::1" = [ "ip6-allnodes" ];
        "ff02::2" = [ "ip6-allrouters" ];
      };

      environment.etc = {
        hostname.text = "${cfg.hostName}\n";
        hosts.text = hostsText;
      } // optionalAttrs (!cfg.enableIPv6) {
        "sysctl.d/60-firn-no-ipv6.conf".text = ''
          net.ipv6.conf.all.disable_ipv6 = 1
          net.ipv6.conf.default.disable_ipv6 = 1
        '';
      } // optionalAttrs (!resolvedCfg.enable && (cfg.nameservers != [ ] || cfg.search != [ ])) {
        "resolv.conf".text = concatMapStrings (s: "nameserver ${s}\n") cfg.nameservers
          + lib.optionalString (cfg.search != [ ]) "search ${concatStringsSep " " cfg.search}\n"
          + "options edns0\n";
      };
    }

    (mkIf netCfg.enable {
      # A gateway's named interface gets a network even when
      # networking.interfaces does not list it.
      networking.interfaces = lib.listToAttrs (map (g: lib.nameValuePair g.gw.interface { })
        (lib.filter (g: g.gw.interface != null) gateways));

      systemd.network.networks = lib.listToAttrs (map (i: lib.nameValuePair "40-${i.name}" (interfaceNetwork i)) interfaces)
        // optionalAttrs cfg.useDHCP {
          "99-ethernet-default-dhcp" = {
            # Physical ethernet only: no bridges, veths, tunnels (Kind=).
            matchConfig = { Type = "ether"; Kind = "!*"; };
            DHCP = dhcpValue;
            networkConfig = { IPv6PrivacyExtensions = "kernel"; } // noIPv6;
          };
        };

      environment.etc = networkFiles;

      # What the systemd-sysusers line of Debian's systemd would make.
      users.users.systemd-network = { isSystemUser = true; group = "systemd-network"; description = "systemd Network Management"; };
      users.groups.systemd-network = { };

      systemd.services.systemd-networkd = {
        wantedBy = [ "multi-user.target" ];
        aliases = [ "dbus-org.freedesktop.network1.service" ];
        # A changed .network file is applied by `networkctl reload`.
        reloadTriggers = map (n: config.environment.etc.${n}.source) (lib.attrNames networkFiles);
        stopIfChanged = false;
      };
      systemd.units."systemd-networkd.socket".wantedBy = [ "sockets.target" ];
      systemd.services.systemd-networkd-wait-online = mkIf (waitOnline.enable && enabledNetworks != { }) {
        wantedBy = [ "network-online.target" ];
        overrideStrategy = "asDropin";
        serviceConfig.ExecStart = [ "" "/lib/systemd/systemd-networkd-wait-online ${concatStringsSep " " waitOnlineArgs}" ];
      };
    })

    (mkIf resolvedCfg.enable {
      environment.systemPackages = [ pkgs.systemd-resolved ];
      environment.etc."systemd/resolved.conf".text = resolvedConf;
      # The link the package's postinst makes (and its tmpfiles.d line would).
      environment.etc."resolv.conf".source = "/run/systemd/resolve/stub-resolv.conf";

      users.users.systemd-resolve = { isSystemUser = true; group = "systemd-resolve"; description = "systemd Resolver"; };
      users.groups.systemd-resolve = { };

      systemd.services.systemd-resolved = {
        wantedBy = [ "sysinit.target" ];
        aliases = [ "dbus-org.freedesktop.resolve1.service" ];
        restartTriggers = [ config.environment.etc."systemd/resolved.conf".source ];
        stopIfChanged = false;
      };
    })
  ];
}
