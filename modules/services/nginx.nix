# services.nginx: NixOS's option names and semantics (a subset), over
# Debian's nginx binary.
#
# The module writes the whole nginx.conf into the store and runs nginx on
# it directly (`nginx -c /nix/store/…-nginx.conf`), as NixOS does: Debian's
# /etc/nginx/sites-enabled and conf.d play no part. Like NixOS's, the
# master process runs as the nginx user (with CAP_NET_BIND_SERVICE), so the
# file has no `user` directive; the pid file is in /run/nginx, logs in
# /var/log/nginx, and temporary files where Debian's binary puts them,
# /var/lib/nginx/{body,proxy,fastcgi,uwsgi,scgi} (StateDirectory);
# /var/cache/nginx (CacheDirectory) is there for proxy_cache_path.
#
# The file is checked with nginx's own `nginx -t` at build time (see
# `checkedConfig`), so a system whose nginx would not start does not build.
#
# Not here (yet): TLS certificates from ACME, addSSL/forceSSL/onlySSL,
# basic auth, upstreams, streamConfig, `config`/`httpConfig`, reload on
# switch (enableReload).
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types concatStringsSep concatMapStringsSep optional optionals
    optionalString mapAttrsToList filter unique;
  cfg = config.services.nginx;

  # Whether the machine has IPv6 (NixOS's networking.enableIPv6, when a
  # module declares it).
  enableIPv6 = config.networking.enableIPv6 or true;

  nginxBin = "${cfg.package}/usr/sbin/nginx";

  # Lines of a block, indented; empty lines dropped so optional directives
  # leave no holes. builtins.split drops string context (the store paths a
  # text names), so the result gets the text's back (an empty substring
  # keeps it, as nixpkgs' lib.addContextFrom does).
  indent = text:
    let lines = filter (l: l != "" && !builtins.isList l) (builtins.split "\n" text);
    in builtins.substring 0 0 text + concatMapStringsSep "\n" (l: "  " + l) lines;
  block = head: body:
    let inner = indent body; in
    if inner == "" then "${head} {\n}" else "${head} {\n${inner}\n}";
  lines = ls: concatStringsSep "\n" (filter (l: l != "") ls);

  # MIME types compressed by recommendedGzipSettings: text, and binary
  # formats that are not already compressed.
  compressMimeTypes = [
    "application/atom+xml" "application/geo+json" "application/javascript" "application/json"
    "application/ld+json" "application/manifest+json" "application/rdf+xml"
    "application/vnd.ms-fontobject" "application/wasm" "application/x-rss+xml"
    "application/xhtml+xml" "application/xml" "font/otf" "font/ttf" "image/bmp"
    "image/svg+xml" "image/vnd.microsoft.icon" "text/css" "text/csv" "text/javascript"
    "text/markdown" "text/plain" "text/vtt" "text/xml"
  ];

  # The headers recommendedProxySettings sends upstream. A location that
  # sets any proxy_set_header of its own (proxyWebsockets does) loses the
  # inherited ones, so proxying locations include the file again.
  recommendedProxyConfig = pkgs.writeText "nginx-recommended-proxy-headers.conf" ''
    proxy_set_header        Host $host;
    proxy_set_header        X-Real-IP $remote_addr;
    proxy_set_header        X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header        X-Forwarded-Proto $scheme;
    proxy_set_header        X-Forwarded-Host $host;
    proxy_set_header        X-Forwarded-Server $host;
  '';

  # ---- options of a virtual host and of a location ---------------------------

  listenModule = types.submodule {
    options = {
      addr = mkOption {
        type = types.str;
        example = "[::]";
        description = "The address (IPv6 in brackets), or `unix:/path` for a socket.";
      };
      port = mkOption {
        type = types.nullOr types.port;
        default = null;
        description = "The port; null: defaultHTTPListenPort, or defaultSSLListenPort when `ssl` is set (none for a unix socket).";
      };
      ssl = mkOption { type = types.bool; default = false; description = "Whether the socket speaks TLS (`ssl` parameter)."; };
      proxyProtocol = mkOption { type = types.bool; default = false; description = "Whether to expect the PROXY protocol."; };
      extraParameters = mkOption {
        type = types.listOf types.str;
        default = [ ];
        example = [ "backlog=1024" "deferred" ];
        description = "More parameters of the listen directive.";
      };
    };
  };

  locationModule = types.submodule ({ name, ... }: {
    options = {
      proxyPass = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "http://127.0.0.1:8000";
        description = "Where requests are proxied to (proxy_pass).";
      };
      proxyWebsockets = mkOption {
        type = types.bool;
        default = false;
        description = "Whether to pass WebSocket upgrades through (HTTP/1.1 and the Upgrade and Connection headers).";
      };
      recommendedProxySettings = mkOption {
        type = types.bool;
        default = cfg.recommendedProxySettings;
        defaultText = "config.services.nginx.recommendedProxySettings";
        description = "Whether a proxying location sends the recommended headers upstream.";
      };
      index = mkOption { type = types.nullOr types.str; default = null; example = "index.php index.html"; description = "The index directive."; };
      tryFiles = mkOption { type = types.nullOr types.str; default = null; example = "$uri =404"; description = "The try_files directive."; };
      root = mkOption { type = types.nullOr types.path; default = null; description = "The location's root (a path is copied to the store)."; };
      alias = mkOption { type = types.nullOr types.path; default = null; description = "The location's alias (a path is copied to the store)."; };
      return = mkOption {
        type = types.nullOr (types.oneOf [ types.str types.int ]);
        default = null;
        example = "301 http://example.com$request_uri";
        description = "The return directive.";
      };
      extraConfig = mkOption { type = types.lines; default = ""; description = "Directives added at the end of the location."; };
      priority = mkOption {
        type = types.int;
        default = 1000;
        description = ''
          Where the location goes among its virtual host's: lower first;
          equal priorities in the order of their names. Matters for regex
          locations, which nginx tries in the order they appear.
        '';
      };
    };
  });

  vhostModule = types.submodule ({ name, ... }: {
    options = {
      serverName = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The primary server_name; null: the attribute name.";
      };
      serverAliases = mkOption { type = types.listOf types.str; default = [ ]; example = [ "www.example.org" ]; description = "More names of the host."; };
      default = mkOption { type = types.bool; default = false; description = "Whether the host is the default_server of its listen sockets."; };
      listen = mkOption {
        type = types.listOf listenModule;
        default = [ ];
        example = [ { addr = "127.0.0.1"; port = 8080; } ];
        description = "The sockets the host listens on; empty: every services.nginx.defaultListenAddresses at defaultHTTPListenPort.";
      };
      root = mkOption { type = types.nullOr types.path; default = null; example = "/srv/www"; description = "The document root (a path is copied to the store)."; };
      locations = mkOption { type = types.attrsOf locationModule; default = { }; description = "Locations, by their match (`/`, `= /x`, `~ \\.php$`, …)."; };
      sslCertificate = mkOption { type = types.nullOr types.path; default = null; description = "ssl_certificate (for `ssl` listen sockets)."; };
      sslCertificateKey = mkOption { type = types.nullOr types.path; default = null; description = "ssl_certificate_key."; };
      extraConfig = mkOption { type = types.lines; default = ""; description = "Directives added at the end of the server block."; };
    };
  });

  # ---- rendering --------------------------------------------------------------

  # The sockets of a virtual host, defaults filled in.
  effectiveListen = vhost:
    let
      given = if vhost.listen != [ ] then vhost.listen
        else map (addr: { inherit addr; port = null; ssl = false; proxyProtocol = false; extraParameters = [ ]; })
          cfg.defaultListenAddresses;
      withPort = l: l // {
        port = if l.port != null || lib.hasPrefix "unix:" l.addr then l.port
          else if l.ssl then cfg.defaultSSLListenPort else cfg.defaultHTTPListenPort;
      };
    in map withPort given;

  renderListen = vhost: l:
    "listen ${l.addr}${optionalString (l.port != null) ":${toString l.port}"}"
    + concatMapStrings (p: " " + p) (
      optional l.ssl "ssl"
      ++ optional vhost.default "default_server"
      ++ optional l.proxyProtocol "proxy_protocol"
      ++ l.extraParameters)
    + ";";
  concatMapStrings = lib.concatMapStrings;

  # Locations by priority, then by name (NixOS sorts the name-ordered list
  # by priority, stably).
  sortedLocations = locations:
    builtins.sort (a: b: a.priority < b.priority || (a.priority == b.priority && a.location < b.location))
      (mapAttrsToList (location: l: l // { inherit location; }) locations);

  renderLocation = l: block "location ${l.location}" (lines [
    (optionalString (l.proxyPass != null) "proxy_pass ${l.proxyPass};")
    (optionalString l.proxyWebsockets ''
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;'')
    (optionalString (l.index != null) "index ${l.index};")
    (optionalString (l.tryFiles != null) "try_files ${l.tryFiles};")
    (optionalString (l.root != null) "root ${l.root};")
    (optionalString (l.alias != null) "alias ${l.alias};")
    (optionalString (l.return != null) "return ${toString l.return};")
    l.extraConfig
    (optionalString (l.proxyPass != null && l.recommendedProxySettings) "include ${recommendedProxyConfig};")
  ]);

  renderVhost = name: vhost: block "server" (lines (
    map (renderListen vhost) (effectiveListen vhost)
    ++ [
      "server_name ${concatStringsSep " " ([ (if vhost.serverName != null then vhost.serverName else name) ] ++ vhost.serverAliases)};"
      (optionalString (vhost.root != null) "root ${vhost.root};")
      (optionalString (vhost.sslCertificate != null) "ssl_certificate ${vhost.sslCertificate};")
      (optionalString (vhost.sslCertificateKey != null) "ssl_certificate_key ${vhost.sslCertificateKey};")
    ]
    ++ map renderLocation (sortedLocations vhost.locations)
    ++ [ vhost.extraConfig ]));

  statusServer = block "server" (lines [
    "listen ${toString cfg.defaultHTTPListenPort};"
    (optionalString enableIPv6 "listen [::]:${toString cfg.defaultHTTPListenPort};")
    "server_name localhost;"
    (block "location /nginx_status" (lines [
      "stub_status on;"
      "access_log off;"
      "allow 127.0.0.1;"
      (optionalString enableIPv6 "allow ::1;")
      "deny all;"
    ]))
  ]);

  httpBlock = block "http" (lines [
    "include ${cfg.defaultMimeTypes};"
    "types_hash_max_size ${toString cfg.typesHashMaxSize};"
    "include ${pkgs.nginx-common}/etc/nginx/fastcgi.conf;"
    "include ${pkgs.nginx-common}/etc/nginx/uwsgi_params;"
    "default_type application/octet-stream;"
    (optionalString cfg.recommendedOptimisation ''
      sendfile on;
      tcp_nopush on;
      tcp_nodelay on;
      keepalive_timeout 65;'')
    "ssl_protocols ${cfg.sslProtocols};"
    (optionalString cfg.recommendedTlsSettings ''
      ssl_session_timeout 1d;
      ssl_session_cache shared:SSL:10m;
      ssl_session_tickets off;
      ssl_prefer_server_ciphers off;
      ssl_stapling on;
      ssl_stapling_verify on;'')
    (optionalString cfg.recommendedGzipSettings ''
      gzip on;
      gzip_static on;
      gzip_vary on;
      gzip_comp_level 5;
      gzip_min_length 256;
      gzip_proxied expired no-cache no-store private auth;
      gzip_types ${concatStringsSep " " compressMimeTypes};'')
    (optionalString cfg.recommendedProxySettings ''
      proxy_redirect off;
      proxy_connect_timeout ${cfg.proxyTimeout};
      proxy_send_timeout ${cfg.proxyTimeout};
      proxy_read_timeout ${cfg.proxyTimeout};
      proxy_http_version 1.1;
      proxy_set_header "Connection" "";
      include ${recommendedProxyConfig};'')
    # $connection_upgrade: what proxyWebsockets sends as Connection.
    (block "map $http_upgrade $connection_upgrade" ''
      default upgrade;
      ''' close;'')
    "client_max_body_size ${cfg.clientMaxBodySize};"
    "server_tokens ${if cfg.serverTokens then "on" else "off"};"
    cfg.commonHttpConfig
    (lines (mapAttrsToList renderVhost cfg.virtualHosts))
    (optionalString cfg.statusPage statusServer)
    cfg.appendHttpConfig
  ]);

  configText = lines [
    "pid /run/nginx/nginx.pid;"
    "error_log ${cfg.logError};"
    "daemon off;"
    (block "events" cfg.eventsConfig)
    httpBlock
    cfg.appendConfig
  ] + "\n";

  uncheckedConfig = pkgs.writeText "nginx.conf" configText;

  # Addresses the check must be able to bind: the explicit (non-wildcard)
  # ones of the virtual hosts' listen sockets, given to the loopback
  # device of the check's network namespace.
  boundAddresses = unique (map (l: lib.removeSuffix "]" (lib.removePrefix "[" l.addr))
    (filter (l: !(lib.elem l.addr [ "0.0.0.0" "*" "[::]" "[::0]" ]) && !lib.hasPrefix "unix:" l.addr)
      (lib.concatMap effectiveListen (lib.attrValues cfg.virtualHosts))));

  # `nginx -t` on the very file the service runs. It does what a start
  # does short of serving: parses the file and its includes, writes the pid
  # file, makes the temporary directories, opens the logs and binds every
  # listening socket. So it runs as root of a user namespace with its own
  # network (where ports below 1024 may be bound), chrooted into a root
  # that has the store and the directories the service would have (/run/nginx,
  # /var/log/nginx, /var/lib/nginx, /var/cache/nginx). The account names
  # nginx may look up all map to the namespace's only uid. The output is
  # the file itself, so the system's nginx.conf exists only if it passed.
  checkedConfig = pkgs.runCommand "nginx.conf"
    {
      tools = [ cfg.package pkgs.util-linux pkgs.mount pkgs.iproute2 ];
      conf = uncheckedConfig;
      nginx = nginxBin;
      addresses = concatStringsSep " " boundAddresses;
      accounts = concatStringsSep " " (unique [ cfg.user cfg.group "nobody" "nogroup" ]);
    }
    ''
      root=$TMPDIR/root
      mkdir -p $root/nix $root/proc $root/dev $root/etc $root/tmp \
        $root/run/nginx $root/var/log/nginx $root/var/lib/nginx $root/var/cache/nginx
      for d in usr bin sbin lib lib64; do ln -s "$(readlink /$d)" $root/$d; done
      for a in root $accounts; do echo "$a:x:0:0::/:/bin/false" >>$root/etc/passwd; echo "$a:x:0:" >>$root/etc/group; done
      export root
      unshare --map-root-user --mount --net bash -ec '
        ip link set lo up
        for a in $addresses; do ip addr replace "$a" dev lo; done
        mount --rbind /nix $root/nix
        mount --rbind /dev $root/dev
        mount --rbind /proc $root/proc
        chroot $root "$nginx" -t -c "$conf"
      '
      cp "$conf" $out
    '';

  configFile = if cfg.validateConfigFile then checkedConfig else uncheckedConfig;
  execCommand = "${nginxBin} -c '${configFile}'";
in
{
  options.services.nginx = {
    enable = mkOption { type = types.bool; default = false; description = "Whether to run the nginx web server."; };
    package = mkOption {
      type = types.package;
      default = pkgs.nginx;
      defaultText = "pkgs.nginx";
      description = "The nginx package (a Debian package with /usr/sbin/nginx: nginx, nginx-light, nginx-extras).";
    };
    user = mkOption { type = types.str; default = "nginx"; description = "The user nginx runs as (declared here when it is `nginx`)."; };
    group = mkOption { type = types.str; default = "nginx"; description = "The group nginx runs as (declared here when it is `nginx`)."; };
    validateConfigFile = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether to check the configuration with `nginx -t` at build time.
        The check runs without the machine's files: a configuration that
        names files outside the store (certificates in /var/lib, a socket
        path) fails it and needs this off.
      '';
    };
    defaultMimeTypes = mkOption {
      type = types.path;
      default = "${pkgs.nginx-common}/etc/nginx/mime.types";
      defaultText = "\${pkgs.nginx-common}/etc/nginx/mime.types";
      description = "The mime.types file included in the http block.";
    };
    typesHashMaxSize = mkOption { type = types.int; default = 4096; description = "types_hash_max_size."; };
    defaultListenAddresses = mkOption {
      type = types.listOf types.str;
      default = [ "0.0.0.0" ] ++ optional enableIPv6 "[::0]";
      description = "The addresses a virtual host without `listen` listens on.";
    };
    defaultHTTPListenPort = mkOption { type = types.port; default = 80; description = "The port of plain-HTTP sockets given without one."; };
    defaultSSLListenPort = mkOption { type = types.port; default = 443; description = "The port of TLS sockets given without one."; };
    statusPage = mkOption {
      type = types.bool;
      default = false;
      description = "Whether to serve stub_status at http://localhost/nginx_status (to the loopback addresses only).";
    };
    recommendedGzipSettings = mkOption { type = types.bool; default = false; description = "Whether to compress text responses with gzip."; };
    recommendedOptimisation = mkOption { type = types.bool; default = false; description = "Whether to turn on sendfile, tcp_nopush, tcp_nodelay and a keepalive timeout."; };
    recommendedProxySettings = mkOption { type = types.bool; default = false; description = "Whether to set timeouts and forwarding headers for proxied locations."; };
    recommendedTlsSettings = mkOption { type = types.bool; default = false; description = "Whether to set the session cache, tickets and OCSP stapling for TLS."; };
    proxyTimeout = mkOption { type = types.str; default = "60s"; description = "The proxy timeouts of recommendedProxySettings."; };
    sslProtocols = mkOption { type = types.str; default = "TLSv1.2 TLSv1.3"; description = "ssl_protocols."; };
    clientMaxBodySize = mkOption { type = types.str; default = "10m"; description = "client_max_body_size."; };
    serverTokens = mkOption { type = types.bool; default = false; description = "Whether to show nginx's version in error pages and the Server header."; };
    logError = mkOption { type = types.str; default = "stderr"; description = "The error_log directive's arguments (stderr goes to the journal)."; };
    eventsConfig = mkOption { type = types.lines; default = ""; description = "The events block's directives."; };
    commonHttpConfig = mkOption { type = types.lines; default = ""; description = "Directives of the http block, before the virtual hosts."; };
    appendHttpConfig = mkOption { type = types.lines; default = ""; description = "Directives at the end of the http block."; };
    appendConfig = mkOption { type = types.lines; default = ""; description = "Directives at the end of the main context."; };
    preStart = mkOption { type = types.lines; default = ""; description = "Shell commands run before nginx starts."; };
    virtualHosts = mkOption {
      type = types.attrsOf vhostModule;
      default = { };
      example = lib.literalExpression ''
        { "example.org" = { default = true; root = ./www; locations."/api".proxyPass = "http://127.0.0.1:8000"; }; }
      '';
      description = "Virtual hosts (server blocks), by name.";
    };
    build.configFile = mkOption { type = types.package; internal = true; readOnly = true; description = "The checked nginx.conf."; };
  };

  config = lib.mkIf cfg.enable {
    services.nginx.build.configFile = configFile;

    environment.systemPackages = [ cfg.package ];
    # Debian's /etc/nginx/nginx.conf would describe a server that is not
    # the one running; `nginx -t` or `nginx -s reload` by hand should see
    # this one.
    environment.etc."nginx/nginx.conf".source = configFile;

    # The unit replaces Debian's nginx.service (same name, in
    # /etc/systemd/system, which comes before /usr/lib/systemd/system).
    systemd.services.nginx = {
      description = "Nginx Web Server";
      # The whole unit: Debian's own nginx.service (Type=forking, its
      # /etc/nginx) must not show through as a base for a drop-in.
      overrideStrategy = "asUnit";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      preStart = ''
        ${cfg.preStart}
        ${execCommand} -t
      '';
      unitConfig.StartLimitIntervalSec = 60;
      serviceConfig = {
        ExecStart = execCommand;
        ExecReload = [ "${execCommand} -t" "/bin/kill -HUP $MAINPID" ];
        Restart = "always";
        RestartSec = "10s";
        User = cfg.user;
        Group = cfg.group;
        RuntimeDirectory = "nginx";
        RuntimeDirectoryMode = "0750";
        StateDirectory = "nginx";
        StateDirectoryMode = "0750";
        CacheDirectory = "nginx";
        CacheDirectoryMode = "0750";
        LogsDirectory = "nginx";
        LogsDirectoryMode = "0750";
        UMask = "0027";
        AmbientCapabilities = [ "CAP_NET_BIND_SERVICE" "CAP_SYS_RESOURCE" ];
        CapabilityBoundingSet = [ "CAP_NET_BIND_SERVICE" "CAP_SYS_RESOURCE" ];
        NoNewPrivileges = true;
        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        PrivateDevices = true;
        ProtectHostname = true;
        ProtectClock = true;
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        RestrictAddressFamilies = [ "AF_UNIX" "AF_INET" "AF_INET6" ];
        RestrictNamespaces = true;
        LockPersonality = true;
        RestrictRealtime = true;
        RestrictSUIDSGID = true;
        SystemCallArchitectures = "native";
      };
    };

    users.users = lib.optionalAttrs (cfg.user == "nginx") {
      nginx = { isSystemUser = true; group = cfg.group; description = "nginx web server"; };
    };
    users.groups = lib.optionalAttrs (cfg.group == "nginx") { nginx = { }; };
  };
}
